"""The shapes the HTTP service answers, as attrs classes, and their JSON Schema.

The service's OpenAPI document is generated from these classes (:func:`schema_of`) and
from the record classes of each pack (:func:`poverty_core.convert.json_schema`); none
of it is written by hand. The answers themselves are the library's own
(``DecisionResult.to_dict()``, ``Pack.describe()``, the results rows of ``assess``); the
tests check that every answer validates against the schema generated here, so the two
cannot drift apart.

The generator is a few lines over :func:`attrs.fields` and :func:`typing.get_type_hints`
(no library turns attrs classes into OpenAPI 3.0 without bringing a framework of its
own along).
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar, Literal

import attrs

__all__ = [
    "MODELS",
    "BatchAnswer",
    "Counts",
    "DecisionAnswer",
    "Explanation",
    "FieldProblem",
    "Finding",
    "Health",
    "PackDescription",
    "PackDiff",
    "PackList",
    "PackSummary",
    "ProblemDetails",
    "Provenance",
    "Readiness",
    "ResultRow",
    "Texts",
    "schema_of",
]

OutcomeName = Literal["eligible", "not_eligible", "undetermined"]
StatusName = Literal["passed", "failed", "unknown", "not_in_force"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@attrs.frozen
class Texts:
    """A text in Chinese and English."""

    zh: str = attrs.field(metadata=_doc("中文"))
    en: str = attrs.field(metadata=_doc("English"))


@attrs.frozen
class FieldProblem:
    """One bad field of the input: its path and what is wrong, in both languages."""

    path: str = attrs.field(metadata=_doc("where: households[3].members[1].age; $: the record"))
    zh: str
    en: str


@attrs.frozen
class ProblemDetails:
    """An error, as RFC 9457 problem details."""

    type: str = attrs.field(metadata=_doc("urn:poverty-core:problem:<kind>"))
    title: str
    status: int
    detail: str = attrs.field(metadata=_doc("the message in the language asked (?lang=)"))
    instance: str
    messages: Texts
    problems: list[FieldProblem] | None = attrs.field(
        default=None, metadata=_doc("every bad field (invalid input)")
    )


@attrs.frozen
class Health:
    """The service is up (``/health``) or ready with its packs loaded (``/ready``)."""

    status: Literal["ok", "ready"]
    packs: list[str] | None = None


@attrs.frozen
class PackSummary:
    """An installed pack: its parent, version, title and chain of inheritance."""

    name: str
    parent: str | None
    version: str
    title: Texts
    plugin: str | None
    chain: list[str]


@attrs.frozen
class PackList:
    """The packs the service decides with."""

    packs: list[PackSummary]


@attrs.frozen
class PackDescription:
    """A pack's effective rules, parameters, periods in force and fields read, with the
    origin of every item (``poverty-core show PACK --format json``)."""

    name: str
    version: str
    title: Texts
    chain: list[str]
    versions: dict[str, str]
    decisions: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    taxonomies: list[dict[str, Any]]
    checklists: list[dict[str, Any]]
    classifiers: list[dict[str, Any]]
    entitlements: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    references: list[dict[str, Any]] = attrs.field(
        metadata=_doc(
            "reference data the runs supply (declarations only), each with `read_by`: the "
            "criteria and decisions that read it"
        )
    )
    sources: list[dict[str, Any]]
    removed: dict[str, str]
    not_encoded: list[dict[str, Any]]


@attrs.frozen
class Readiness:
    """What each decision needs on a date (``poverty-core show PACK --as-of DATE
    --format json``): rules in force, parameters without a value, inputs read, the
    reference data the rules read (each with ``request``: where a request puts it,
    ``references.NAME``) and ``must_supply``, those no record can be found eligible
    without; or, for a decision that governs nowhere on the date, why."""

    pack: str
    as_of: str = attrs.field(metadata=_doc("YYYY-MM-DD"))
    decisions: dict[str, dict[str, Any]]


@attrs.frozen
class Finding:
    """The result of one criterion on the record."""

    rule: str
    title: Texts
    pack: str
    citation: list[dict[str, Any]]
    status: StatusName
    observed: Any
    comparison: str | None
    required: Any
    missing: list[str]
    parameters: list[dict[str, Any]]
    in_force: dict[str, Any] | None


@attrs.frozen
class Provenance:
    """Which pack (and ancestors, with versions), which date, which overrides."""

    pack: str
    chain: list[str]
    versions: dict[str, str]
    as_of: str = attrs.field(metadata=_doc("YYYY-MM-DD"))
    overrides: dict[str, Any]
    periods: dict[str, Any]
    references: dict[str, Any] = attrs.field(
        metadata=_doc("reference data of the run: name → kind, rows, sha256 (never the data)")
    )


@attrs.frozen
class DecisionAnswer:
    """A decision on one record, one finding per criterion
    (``DecisionResult.to_dict()``; ``poverty-core explain --format json``)."""

    id: str
    decision: str
    outcome: OutcomeName
    missing: list[str]
    findings: list[Finding]
    provenance: Provenance


@attrs.frozen
class Explanation:
    """A decision on one record, explained in one language."""

    lang: Literal["zh", "en"]
    text: str = attrs.field(metadata=_doc("the explanation `poverty-core explain` prints"))
    result: DecisionAnswer


@attrs.frozen
class ResultRow:
    """One record's result, as a row of ``poverty-core assess`` (each criterion's status
    is a further property named by the criterion's id)."""

    ADDITIONAL: ClassVar[dict[str, Any]] = {
        "type": "string",
        "enum": ["passed", "failed", "unknown", "not_in_force"],
    }

    id: str
    outcome: OutcomeName
    failed: list[str] = attrs.field(metadata=_doc("the criteria failed"))
    missing: list[str] = attrs.field(metadata=_doc("inputs that left the outcome undetermined"))


@attrs.frozen
class Counts:
    """Records per outcome."""

    eligible: int
    not_eligible: int
    undetermined: int


@attrs.frozen
class BatchAnswer:
    """A decision over many records (JSON; the same rows come as JSON Lines, Arrow or
    Parquet when asked with ``Accept``)."""

    decision: str
    provenance: Provenance | None
    counts: Counts
    results: list[ResultRow]


@attrs.frozen
class PackDiff:
    """What a pack changes from another (``mode`` ``packs``) or between two dates
    (``dates``): rules added, removed, replaced or extended, parameters whose values
    differ, periods in force set differently, reference data declared or read differently
    (``poverty-core diff ... --format json``)."""

    mode: Literal["packs", "dates"]
    pack: str
    base: str
    from_date: str | None = attrs.field(metadata=_doc("YYYY-MM-DD (mode dates)"))
    to_date: str | None = attrs.field(metadata=_doc("YYYY-MM-DD (mode dates)"))
    rules: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    force: list[dict[str, Any]]
    references: list[dict[str, Any]] = attrs.field(
        metadata=_doc("reference data declared (packs) or read (dates) differently")
    )
    title: Texts


@attrs.frozen
class ComparisonAnswer:
    """One household batch decided under two rule sets, and what changes between them:
    :meth:`poverty_core.compare.Comparison.to_dict`, as ``poverty-core compare --format
    json`` prints it (every changed household listed; ID numbers masked)."""

    synthetic: bool
    source: str = attrs.field(metadata=_doc("always `body`"))
    decision: str
    rows: dict[str, int] = attrs.field(metadata=_doc("in = assessed + rejected"))
    files: list[dict[str, Any]]
    a: dict[str, Any] = attrs.field(
        metadata=_doc("side A: pack, as_of, overrides, label, assessment")
    )
    b: dict[str, Any] = attrs.field(metadata=_doc("side B, as side A"))
    households: dict[str, Any] = attrs.field(
        metadata=_doc("compared, changed, transitions, criteria responsible, listed changes")
    )
    villages: dict[str, Any]
    counties: dict[str, Any]
    by_village: list[dict[str, Any]]
    by_county: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    outputs: dict[str, Any]
    titles: dict[str, Texts] = attrs.field(metadata=_doc("each criterion that changes"))


MODELS: tuple[type[Any], ...] = (
    ProblemDetails,
    Health,
    PackList,
    PackDescription,
    Readiness,
    DecisionAnswer,
    Explanation,
    BatchAnswer,
    PackDiff,
    ComparisonAnswer,
)
"""The answers of the service (their parts are reached through their fields)."""

_SIMPLE: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return {}
    if origin in (typing.Union, types.UnionType):
        options = [_type(a, defs) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [schema, {"type": "null"}]} if type(None) in args else schema
    if origin is Literal:
        return {"type": "string", "enum": list(args)}
    if origin is list:
        return {"type": "array", "items": _type(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(args[1], defs)}
    if isinstance(tp, type) and attrs.has(tp):
        _class(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    return dict(_SIMPLE[tp])


def _class(cls: type[Any], defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # against recursion
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    for a in attrs.fields(cls):
        schema = _type(hints[a.name], defs)
        if "doc" in a.metadata:
            schema = {**schema, "description": a.metadata["doc"]}
        properties[a.name] = schema
    defs[cls.__name__] = {
        "type": "object",
        "title": cls.__name__,
        "description": " ".join((cls.__doc__ or "").split()),
        "properties": properties,
        "required": [a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING],
        "additionalProperties": getattr(cls, "ADDITIONAL", False),
    }


def schema_of(cls: type[Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an answer class, its parts under ``$defs``.

    >>> schema = schema_of(Counts)
    >>> schema["required"], schema["properties"]["eligible"]
    (['eligible', 'not_eligible', 'undetermined'], {'type': 'integer'})
    """
    defs: dict[str, Any] = {}
    _class(cls, defs)
    root = defs.pop(cls.__name__)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": defs}
