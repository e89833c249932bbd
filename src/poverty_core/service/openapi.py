"""The service's OpenAPI 3.0 document, generated at start from the loaded packs.

Schemas come from the models, never written by hand: the records each pack reads from
:func:`poverty_core.convert.json_schema` (its declared fields included), the answers
from :mod:`poverty_core.service.models`. The JSON Schema 2020-12 they are generated in is
turned into OpenAPI 3.0's dialect (``nullable``, ``#/components/schemas``) so that the
bundled Swagger UI, which reads 3.0, shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from poverty_core._version import __version__
from poverty_core.convert import RECORD_TYPES, json_schema
from poverty_core.packs import Pack
from poverty_core.service import models

__all__ = ["BATCH_INPUT", "BATCH_OUTPUT", "OPERATIONS", "Operation", "openapi_document"]

BATCH_INPUT: dict[str, str] = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.parquet": "parquet",
}
"""Media types of a batch request body, and the format each is read as."""

BATCH_OUTPUT: dict[str, str] = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.parquet": "parquet",
}
"""Media types a batch can be answered in (chosen with ``Accept``)."""


@attrs.frozen
class Operation:
    """One endpoint: method, path, what it does, its parameters, body and answer."""

    method: str
    path: str
    id: str
    summary: str
    description: str
    params: tuple[str, ...] = ()
    body: str | None = None
    """``record`` (one record), ``batch`` or ``None``."""
    answer: type[Any] | None = None
    errors: tuple[int, ...] = ()
    open: bool = False
    """Answered without the API key (health and readiness)."""


_AS_OF = "as_of"
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/health", "health", "存活 / liveness", "The service is up.",
        answer=models.Health, open=True,
    ),
    Operation(
        "get", "/ready", "ready", "就绪 / readiness",
        "The packs are loaded and the service answers decisions.",
        answer=models.Health, open=True,
    ),
    Operation(
        "get", "/packs", "list_packs", "策略包列表 / list packs",
        "The packs the service decides with (as `poverty-core packs --format json`).",
        answer=models.PackList,
    ),
    Operation(
        "get", "/packs/{pack}", "show_pack", "策略包详情 / show a pack",
        "The pack's effective rules, parameters, periods in force and fields read, with the "
        "origin of each (as `poverty-core show PACK --format json`). With `as_of`: what "
        "each decision needs on that date (as `show PACK --as-of DATE`).",
        params=("pack", "as_of_optional", "lang"), answer=models.PackDescription,
        errors=(404, 422),
    ),
    Operation(
        "get", "/packs/{pack}/schema/{kind}", "record_schema", "记录的 JSON Schema / record schema",
        "The JSON Schema (draft 2020-12) of the pack's records of one kind, its declared "
        "fields included (as `poverty-core schema --pack PACK --kind KIND`).",
        params=("pack", "kind", "lang"), errors=(404,),
    ),
    Operation(
        "get", "/packs/{pack}/diff", "diff", "策略包的变化 / what a pack changes",
        "What the pack changes from `base` (default: its parent): rules added, removed, "
        "replaced or extended, parameters whose values differ, periods set differently; "
        "or, with `from` and `to` (and no `base`), what changes in the pack between the two "
        "dates (as `poverty-core diff PACK [BASE] [--from DATE --to DATE] --format json`).",
        params=("pack", "base", "from", "to", "lang"), answer=models.PackDiff,
        errors=(404, 422),
    ),
    Operation(
        "post", "/packs/{pack}/decisions/{decision}", "decide", "判定一条记录 / decide one record",
        "One record (JSON) decided on `as_of`: the outcome and one finding per criterion "
        "(as `Pack.decide(...).to_dict()`).",
        params=("pack", "decision", _AS_OF, "set", "lang"), body="record",
        answer=models.DecisionAnswer, errors=(400, 404, 413, 415, 422, 503),
    ),
    Operation(
        "post", "/packs/{pack}/decisions/{decision}/batch", "decide_batch",
        "判定多条记录 / decide many records",
        "Many records decided on `as_of` (from the body's `as_of` when it is a JSON object "
        "that gives one): a JSON array (or an object with `households`, `villages`, "
        "`counties`, `as_of`), JSON Lines, or an Arrow IPC stream or Parquet file of "
        "households (members nested, or a row per person). The rows are those of "
        "`poverty-core assess`, in the format asked with `Accept`. Reference data: the "
        "`references` member of a JSON object body; at the head of any other body, its "
        "length in `X-References-Length`.",
        params=("pack", "decision", "as_of_optional", "set", "lang", "references_length"),
        body="batch",
        answer=models.BatchAnswer, errors=(400, 404, 406, 413, 415, 422, 503),
    ),
    Operation(
        "post", "/packs/{pack}/compare/{decision}", "compare",
        "比较两套规则 / compare two rule sets",
        "A household batch (a body as the batch endpoint takes, reference data likewise) "
        "decided under two rule sets and what changes between them: side A is the path's "
        "pack on `as_of` with `set`; side B is `pack_b` on `as_of_b` with `set_b` (each "
        "defaulting to side A's). The answer is what `poverty-core compare --format json` "
        "prints for the same register, every changed household listed; two identical "
        "sides, or a side with no rule in force or (without `allow_undetermined`) a "
        "parameter without a value, are 422.",
        params=("pack", "decision", "as_of_optional", "set", "pack_b", "as_of_b", "set_b",
                "allow_undetermined", "lang", "references_length"),
        body="batch",
        answer=models.ComparisonAnswer, errors=(400, 404, 413, 415, 422, 503),
    ),
    Operation(
        "post", "/packs/{pack}/explain/{decision}", "explain",
        "解释一条记录的判定 / explain one record",
        "One record decided and explained in Chinese or English (as `poverty-core explain`).",
        params=("pack", "decision", _AS_OF, "set", "lang"), body="record",
        answer=models.Explanation, errors=(400, 404, 413, 415, 422, 503),
    ),
    Operation(
        "get", "/openapi.json", "openapi", "OpenAPI 文档 / this document",
        "The OpenAPI document of this service.", open=True,
    ),
)  # fmt: skip
"""Every endpoint of the service (the routes are made from this table too)."""


def _parameter(name: str, packs: Sequence[str], decisions: Sequence[str]) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {
        "pack": {
            "in": "path",
            "required": True,
            "description": "pack name",
            "schema": {"type": "string", "enum": list(packs)},
        },
        "decision": {
            "in": "path",
            "required": True,
            "description": "decision id (of any kind: decision, procedure, checklist)",
            "schema": {"type": "string", "enum": list(decisions)},
        },
        "kind": {
            "in": "path",
            "required": True,
            "description": "record kind",
            "schema": {"type": "string", "enum": sorted(RECORD_TYPES)},
        },
        "as_of": {
            "in": "query",
            "name": "as_of",
            "required": True,
            "description": "the date of the decision, YYYY-MM-DD",
            "schema": {"type": "string", "format": "date"},
        },
        "as_of_optional": {
            "in": "query",
            "name": "as_of",
            "required": False,
            "description": "the date, YYYY-MM-DD",
            "schema": {"type": "string", "format": "date"},
        },
        "base": {
            "in": "query",
            "required": False,
            "description": "the pack to compare with (default: the pack's parent)",
            "schema": {"type": "string", "enum": list(packs)},
        },
        "from": {
            "in": "query",
            "required": False,
            "description": "first date, YYYY-MM-DD (with `to`)",
            "schema": {"type": "string", "format": "date"},
        },
        "to": {
            "in": "query",
            "required": False,
            "description": "last date, YYYY-MM-DD (with `from`)",
            "schema": {"type": "string", "format": "date"},
        },
        "set": {
            "in": "query",
            "required": False,
            "description": "override a parameter for this request, NAME=VALUE (repeatable; "
            "recorded in the provenance), as `--set`",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        "pack_b": {
            "in": "query",
            "required": False,
            "description": "side B's pack (default: the path's pack), as `--pack-b`",
            "schema": {"type": "string", "enum": list(packs)},
        },
        "as_of_b": {
            "in": "query",
            "required": False,
            "description": "side B's date, YYYY-MM-DD (default: `as_of`), as `--as-of-b`",
            "schema": {"type": "string", "format": "date"},
        },
        "set_b": {
            "in": "query",
            "required": False,
            "description": "override a parameter on side B only, NAME=VALUE (repeatable), "
            "as `--set-b`",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        "allow_undetermined": {
            "in": "query",
            "required": False,
            "description": "run even when a side lacks a parameter value every eligible "
            "household needs (its rows come out undetermined), as `--allow-undetermined`",
            "schema": {"type": "boolean", "default": False},
        },
        "references_length": {
            "name": "X-References-Length",
            "in": "header",
            "required": False,
            "description": "JSON Lines, Arrow or Parquet bodies: the body begins with this "
            "many bytes of a JSON object of reference data (name → keys or rows, as the "
            "`references` member of a JSON body); the register follows",
            "schema": {"type": "integer", "minimum": 0},
        },
        "lang": {
            "in": "query",
            "required": False,
            "description": "language of explanations and error details (default: "
            "from Accept-Language, else en)",
            "schema": {"type": "string", "enum": ["zh", "en"]},
        },
    }
    return {"name": name, **table[name]}


def _to_oas30(schema: Any, prefix: str) -> Any:
    """JSON Schema 2020-12 → OpenAPI 3.0: ``$defs`` refs into components (named with
    ``prefix``), a null alternative into ``nullable``."""
    if isinstance(schema, list):
        return [_to_oas30(s, prefix) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$schema", "$id", "$defs"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = f"#/components/schemas/{prefix}{value.removeprefix('#/$defs/')}"
        else:
            out[key] = _to_oas30(value, prefix)
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        inner = rest[0] if len(rest) == 1 else {"anyOf": rest}
        others = {k: v for k, v in out.items() if k != "anyOf"}
        if "$ref" in inner:
            return {"allOf": [inner], "nullable": True, **others}
        return {**inner, "nullable": True, **others}
    return out


def _components(schema: dict[str, Any], name: str, prefix: str, into: dict[str, Any]) -> str:
    into[prefix + name] = _to_oas30(schema, prefix)
    for part, definition in schema.get("$defs", {}).items():
        into.setdefault(prefix + part, _to_oas30(definition, prefix))
    return f"#/components/schemas/{prefix}{name}"


def _problem_response(ref: str) -> dict[str, Any]:
    return {
        "description": "problem details (RFC 9457)",
        "content": {"application/problem+json": {"schema": {"$ref": ref}}},
    }


_REASONS = {
    400: "malformed body",
    401: "API key missing or wrong",
    404: "unknown pack, decision or record kind",
    406: "no format of Accept can be given",
    413: "body too large",
    415: "body format not read",
    422: "invalid input (every bad field with its path)",
    503: "the request took longer than the time limit",
}


REFERENCES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "reference data for this request (SYNTHETIC in examples), by the name "
    "the pack declares (`GET /packs/{pack}`: `references`): a set as a list of keys, a "
    "table as a list of rows (the key column and the declared columns) or an object key → "
    "row; as `--reference NAME=FILE`. Recorded in the provenance by rows and hash only.",
    "additionalProperties": {
        "oneOf": [
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "additionalProperties": {"type": "string", "nullable": True},
                        },
                    ]
                },
            },
            {"type": "object", "additionalProperties": {"type": "object"}},
        ]
    },
}
"""The ``references`` member of a request body."""


def openapi_document(packs: Mapping[str, Pack], *, api_key: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of a service deciding with ``packs``; ``api_key``:
    the ``X-API-Key`` header is required (except on the open endpoints)."""
    schemas: dict[str, Any] = {}
    refs = {
        cls: _components(models.schema_of(cls), cls.__name__, "", schemas) for cls in models.MODELS
    }
    records: dict[str, list[str]] = {kind: [] for kind in RECORD_TYPES}
    for name, pack in packs.items():
        for kind in RECORD_TYPES:
            record = json_schema(kind, pack=pack)
            # named by the core kind (a pack's class is FujianHousehold …): fujian.Household
            core = RECORD_TYPES[kind].__name__
            records[kind].append(_components(record, core, f"{name}.", schemas))
    one_record = {"oneOf": [{"$ref": r} for kind in RECORD_TYPES for r in records[kind]]}
    # The body of one record may carry the run's reference data beside the record's fields.
    with_references = []
    for ref in (r for kind in RECORD_TYPES for r in records[kind]):
        name = ref.removeprefix("#/components/schemas/")
        component = dict(schemas[name])
        component["properties"] = {**component["properties"], "references": REFERENCES_SCHEMA}
        schemas[f"{name}.request"] = component
        with_references.append({"$ref": f"#/components/schemas/{name}.request"})
    record_body = {"oneOf": with_references}
    many = {
        "oneOf": [
            {"type": "array", "items": one_record},
            {
                "type": "object",
                "properties": {
                    "households": {"type": "array", "items": one_record},
                    "villages": {"type": "array", "items": one_record},
                    "counties": {"type": "array", "items": one_record},
                    "as_of": {"type": "string", "format": "date"},
                    "synthetic": {"type": "boolean"},
                    "description": {"type": "object"},
                    "references": REFERENCES_SCHEMA,
                },
                "additionalProperties": False,
            },
        ]
    }
    decisions = sorted({d for pack in packs.values() for d in pack.decisions})
    problem = refs[models.ProblemDetails]
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        operation: dict[str, Any] = {
            "operationId": op.id,
            "summary": op.summary,
            "description": op.description,
            "parameters": [_parameter(p, sorted(packs), decisions) for p in op.params],
        }
        if op.body == "record":
            operation["requestBody"] = {
                "required": True,
                "description": "one record: its kind is the decision's subject",
                "content": {"application/json": {"schema": record_body}},
            }
        elif op.body == "batch":
            binary = {"type": "string", "format": "binary"}
            operation["requestBody"] = {
                "required": True,
                "content": {
                    media: {"schema": many if fmt == "json" else binary}
                    for media, fmt in BATCH_INPUT.items()
                },
            }
        if op.answer is models.BatchAnswer:
            content: dict[str, Any] = {
                "application/json": {"schema": {"$ref": refs[models.BatchAnswer]}},
                "application/x-ndjson": {
                    "schema": {"$ref": f"#/components/schemas/{models.ResultRow.__name__}"}
                },
                "application/vnd.apache.arrow.stream": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            }
        elif op.answer is not None:
            content = {"application/json": {"schema": {"$ref": refs[op.answer]}}}
        else:
            content = {"application/json": {"schema": {"type": "object"}}}
        responses: dict[str, Any] = {"200": {"description": "OK", "content": content}}
        codes = (*op.errors, 401) if api_key and not op.open else op.errors
        for code in codes:
            responses[str(code)] = {**_problem_response(problem), "description": _REASONS[code]}
        operation["responses"] = responses
        if api_key and not op.open:
            operation["security"] = [{"apiKey": []}]
        paths.setdefault(op.path, {})[op.method] = operation
    components: dict[str, Any] = {"schemas": schemas}
    if api_key:
        components["securitySchemes"] = {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "poverty-core",
            "version": __version__,
            "description": "按有出处的策略包判定贫困状态。Decide poverty status under cited "
            "policy packs: the same answers as the Python library and the command line.",
        },
        "paths": paths,
        "components": components,
    }
