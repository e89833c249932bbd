"""What a request gives the service, read and checked: the answer's language, the query
parameters (``as_of``, ``set``, ``set_b``, ``allow_undetermined`` …), the reference data
(a ``references`` member, or a JSON object at the head of a register body), one record,
and a batch body — each bad one answered as problem details naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
from starlette.requests import Request

from poverty_core._text import Language, Text
from poverty_core.convert import age_problem, structure
from poverty_core.errors import InputError, Problem
from poverty_core.io import Dataset
from poverty_core.packs import Pack
from poverty_core.references import ReferenceData
from poverty_core.service.bodies import chunks, media_of, parse_json, read_body
from poverty_core.service.openapi import BATCH_INPUT
from poverty_core.service.problems import ServiceProblem
from poverty_core.service.settings import Settings
from poverty_core.sources import RegisterSource

__all__ = [
    "REFERENCES_HEADER",
    "Body",
    "as_of_param",
    "bad_query",
    "batch_format",
    "dataset_source",
    "date_param",
    "flag",
    "language_of",
    "overrides_b_of",
    "overrides_of",
    "read_record",
    "read_register_body",
    "reference_length",
    "references_of",
    "renamed",
    "request_readiness",
]


def language_of(request: Request) -> Language:
    """The answer's language: ``lang`` (``zh`` or ``en``; anything else 422), else
    ``Accept-Language`` starting with ``zh``, else English."""
    lang = request.query_params.get("lang")
    if lang in ("zh", "en"):
        return lang  # type: ignore[return-value]
    if lang is None:
        accepted = request.headers.get("accept-language", "")
        return "zh" if accepted.strip().lower().startswith("zh") else "en"
    raise ServiceProblem(
        "invalid-input",
        Text("lang 应为 zh 或 en", "lang must be zh or en"),
        problems=[Problem("lang", Text("应为 zh 或 en", f"must be zh or en (got {lang!r})"))],
    )


def bad_query(name: str, zh: str, en: str) -> ServiceProblem:
    """Invalid input (422) naming the query parameter or header ``name``, with the
    message in both languages."""
    problem = Problem(name, Text(zh, en))
    err = InputError([problem], what="query")
    return ServiceProblem(
        "invalid-input",
        err.text,
        problems=[problem],
        formatted={"zh": err.format("zh"), "en": err.format("en")},
    )


def date_param(request: Request, name: str) -> dt.date | None:
    """The date of query parameter ``name`` (``None`` when absent; 422 when not
    YYYY-MM-DD)."""
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise bad_query(
            name,
            f"应为日期 YYYY-MM-DD（实为 {text!r}）",
            f"expected a date YYYY-MM-DD (got {text!r})",
        ) from None


def as_of_param(request: Request, *, required: bool) -> dt.date | None:
    """The query parameter ``as_of`` (422 when missing and ``required``)."""
    as_of = date_param(request, "as_of")
    if as_of is None and required:
        raise bad_query("as_of", "缺少评估日 as_of", "the date as_of is missing")
    return as_of


def overrides_of(pack: Pack, request: Request) -> dict[str, Any]:
    """The parameter overrides of the query parameters ``set=NAME=VALUE``, checked
    against ``pack`` (422 naming a malformed or unknown one)."""
    values: dict[str, Any] = {}
    for item in request.query_params.getlist("set"):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise bad_query(
                "set", f"应为 名称=值（实为 {item!r}）", f"expected NAME=VALUE (got {item!r})"
            )
        values[name] = value
    return pack.check_overrides(values)


def batch_format(request: Request) -> str:
    """The format a batch body is read as (415 for a media type no batch takes)."""
    fmt = BATCH_INPUT.get(media_of(request))
    if fmt is None:
        raise ServiceProblem(
            "unsupported-media-type",
            Text(
                "请求体应为：" + "、".join(BATCH_INPUT),
                "the body is one of: " + ", ".join(BATCH_INPUT),
            ),
        )
    return fmt


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter: absent, ``false`` or ``0`` is false; ``true``, ``1`` or
    empty is true; anything else 422 naming it."""
    text = request.query_params.get(name)
    if text is None or text.lower() in ("false", "0"):
        return False
    if text.lower() in ("", "true", "1"):
        return True
    raise bad_query(
        name, f"应为 true 或 false（实为 {text!r}）", f"expected true or false (got {text!r})"
    )


def overrides_b_of(pack: Pack, request: Request) -> dict[str, Any]:
    """Side B's overrides (``set_b``, checked against side B's pack): a bad one is 422
    with its path under ``set_b``."""
    values: dict[str, Any] = {}
    for item in request.query_params.getlist("set_b"):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise bad_query(
                "set_b", f"应为 名称=值（实为 {item!r}）", f"expected NAME=VALUE (got {item!r})"
            )
        values[name] = value
    try:
        return pack.check_overrides(values)
    except InputError as err:
        problems = [Problem(f"set_b.{p.path}", p.message) for p in err.problems]
        raise InputError(problems, what="query") from None


def dataset_source(data: Dataset) -> RegisterSource:
    """A JSON body's dataset as the register job reads a JSON file (as
    :func:`poverty_core.sources.open_source` opens one, which reads from a path): its
    villages and counties decided too, each file's rows counted."""
    source = RegisterSource(
        data.source,
        synthetic=data.synthetic,
        as_of=data.as_of,
        dataset=data,
        villages=list(data.villages),
        counties=list(data.counties),
        rejected=list(data.rejected),
    )
    source.files[data.file_of("households")] = ("households", data.read["households"])
    for kind in ("villages", "counties"):
        if data.read.get(kind):
            source.files[data.file_of(kind)] = (kind, data.read[kind])
            source.assessed[data.file_of(kind)] = len(getattr(data, kind))
    source.listed = {
        "village_id": {v.id for v in data.villages} if data.read.get("villages") else None,
        "county_id": {c.id for c in data.counties} if data.read.get("counties") else None,
    }
    return source


def renamed(data: Any, names: Mapping[str, str]) -> Any:
    """``data`` with each name of ``names`` replaced in every string (the spooled
    body's temporary path by ``body``, the name the caller knows)."""
    if not names:
        return data
    if isinstance(data, str):
        for old, new in names.items():
            data = data.replace(old, new)
        return data
    if isinstance(data, dict):
        return {renamed(k, names): renamed(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [renamed(v, names) for v in data]
    return data


REFERENCES_HEADER = "x-references-length"
"""The header giving the length of the references object at the head of a register body."""


def references_of(pack: Pack, value: Any) -> dict[str, ReferenceData]:
    """A request's ``references`` (a JSON object: name → a list of keys or rows, or an
    object key → row), checked against the pack's declarations: 422 naming
    ``references.NAME[row].column``, never a value."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(
            [
                Problem(
                    "references",
                    Text(
                        "应为对象：参考数据名 → 数据", "expected an object: reference name → data"
                    ),
                )
            ],
            what="references",
        )
    return pack.check_references(value)


def reference_length(request: Request, limit: int) -> int:
    """The ``X-References-Length`` header: 0 when absent; 422 when not a number, 413
    beyond ``limit``."""
    text = request.headers.get(REFERENCES_HEADER)
    if text is None:
        return 0
    if not text.strip().isdigit():
        raise bad_query(
            "X-References-Length",
            f"应为字节数（实为 {text!r}）",
            f"expected a number of bytes (got {text!r})",
        )
    length = int(text)
    if length > limit:
        raise ServiceProblem(
            "content-too-large",
            Text(
                f"参考数据超过 {limit} 字节的上限",
                f"the reference data are larger than the limit of {limit} bytes",
            ),
        )
    return length


def request_readiness(plan: dict[str, Any]) -> dict[str, Any]:
    """A decision's readiness (:meth:`Pack.readiness`, as ``show --as-of`` gives it) as a
    request reads it: each reference the rules in force read says where a request puts
    it (``request``: ``references.NAME``), and ``must_supply`` lists those without which
    no record can be found eligible (each request supplies its own: the service keeps
    none)."""
    needs = [{**r, "request": f"references.{r['reference']}"} for r in plan["references"]]
    must = [r["reference"] for r in needs if r["blocking"]]
    return {**plan, "references": needs, "must_supply": must}


@attrs.frozen
class Body:
    """A batch request's body: its format; the parsed JSON (a JSON body) or the
    reference data at its head (any other, else ``None``); where any other was spooled."""

    fmt: str
    data: Any
    path: Path | None = None


async def read_record(
    request: Request, pack: Pack, subject: str, as_of: dt.date, limit: int
) -> tuple[Any, dict[str, ReferenceData]]:
    """One record of the decision's subject from the body: the same checks as a
    record of an input file (every bad field at once, ages against dates of birth);
    and the reference data of its ``references`` member, checked."""
    media = media_of(request)
    if media not in ("application/json", ""):
        raise ServiceProblem(
            "unsupported-media-type",
            Text("一条记录应为 application/json", "one record is application/json"),
        )
    data = parse_json(await read_body(request, limit))
    references: dict[str, ReferenceData] = {}
    if isinstance(data, dict) and "references" in data:
        references = references_of(pack, data.pop("references"))
    record = structure(data, pack.record_type(subject))
    problems = []
    for j, person in enumerate(getattr(record, "members", ())):
        where = f"members[{j}]"
        text = age_problem(person.age, person.birth_date, as_of, f"{where}.birth_date")
        if text is not None:
            problems.append(Problem(f"{where}.age", text))
    if problems:
        raise InputError(problems, what=subject)
    return record, references


async def read_register_body(
    request: Request, fmt: str, folder: Path, as_of: dt.date | None, settings: Settings
) -> Body:
    """A batch body of format ``fmt``: a JSON body parsed (its ``references`` left in
    it); any other spooled to ``folder``, the JSON object of reference data at its
    head (``X-References-Length``) parsed apart."""
    if fmt == "json":
        if request.headers.get(REFERENCES_HEADER) is not None:
            raise bad_query(
                "X-References-Length",
                "JSON 请求体的参考数据放在其 references 成员中",
                "a JSON body carries its reference data in its references member",
            )
        body = await read_body(request, settings.max_json_batch)
        return Body("json", parse_json(body))
    length = reference_length(request, settings.max_references)
    if as_of is None:
        raise bad_query("as_of", "缺少评估日 as_of", "the date as_of is missing")
    source = folder / f"body.{fmt}"
    head = bytearray()
    with source.open("wb") as handle:
        async for chunk in chunks(request, settings.max_batch):
            if len(head) < length:
                take = length - len(head)
                head += chunk[:take]
                chunk = chunk[take:]
            if chunk:
                handle.write(chunk)
    if len(head) < length:
        raise ServiceProblem(
            "malformed-body",
            Text(
                "请求体短于 X-References-Length 给出的长度",
                "the body is shorter than X-References-Length says",
            ),
        )
    given = (
        await anyio.to_thread.run_sync(parse_json, bytes(head), abandon_on_cancel=True)
        if length
        else None
    )
    return Body(fmt, given, source)
