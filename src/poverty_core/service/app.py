"""The ASGI application of ``poverty-core serve`` (Starlette).

Every answer is the library's own: :meth:`Pack.decide` for one record, the register job
(:func:`poverty_core.jobs.assess_source` over :func:`poverty_core.io.parse_dataset` or
:func:`poverty_core.columnar.open_register`) for many households, :meth:`Pack.decide_batch`
for villages and counties — the very calls the command line makes, so the service, the
CLI, the Dask adapter and the Python API run one job and never disagree. The packs are
loaded once, when the application is made; a broken pack stops it there.

Reference data (``references=`` of the library, ``--reference`` of the command line)
come with the request: a ``references`` member of a JSON body, or — for a JSON Lines,
Arrow or Parquet body — a JSON object of that form at the head of the body, its length in
bytes in the ``X-References-Length`` header (at most ``Settings.max_references``). They
are checked by :meth:`Pack.check_references` (the same problems, with the same paths, as
the command line's) and never logged or echoed.

Hand-written here and in ``bodies``, and why: the body limit is read per endpoint while
the body streams (one record: a small limit; a batch: a large one, spooled to a private
temporary folder that is removed after the answer), which a single application-wide limit
cannot do; the access log is our own so that it masks ID numbers and leaves query strings
out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hmac
import json
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import attrs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from poverty_core._text import Language, Text
from poverty_core.batch import result_table
from poverty_core.columnar import open_register
from poverty_core.convert import age_problem, json_schema, structure
from poverty_core.errors import InputError, NotInForce, PackError, PovertyCoreError, Problem
from poverty_core.io import Dataset, parse_dataset
from poverty_core.jobs import assess_source
from poverty_core.packs import Pack
from poverty_core.plugins import PackRegistry, default_registry
from poverty_core.privacy import redact, redact_data
from poverty_core.references import ReferenceData
from poverty_core.service.bodies import (
    Results,
    accepted,
    chunks,
    media_of,
    parse_json,
    read_body,
    stream_file,
)
from poverty_core.service.openapi import BATCH_INPUT, BATCH_OUTPUT, OPERATIONS, openapi_document
from poverty_core.service.problems import ServiceProblem, problem_from_error
from poverty_core.service.settings import Settings
from poverty_core.sources import RegisterSource

__all__ = ["Settings", "create_app", "load_packs"]

log = logging.getLogger("poverty_core.service")

R = TypeVar("R")

_PLURAL = {"household": "households", "village": "villages", "county": "counties"}
_SUBJECT_ZH = {"household": "户", "village": "村", "county": "县"}
_OPEN_PATHS = frozenset(op.path for op in OPERATIONS if op.open) | {"/docs"}


def load_packs(
    names: tuple[str, ...] = (), registry: PackRegistry | None = None
) -> dict[str, Pack]:
    """Load the packs to serve, once; any broken pack (or plugin that failed to load)
    is a :class:`~poverty_core.errors.PackError` naming every one."""
    registry = registry or default_registry()
    errors: list[PovertyCoreError] = list(registry.problems)
    packs: dict[str, Pack] = {}
    for name in names or tuple(registry.names()):
        try:
            packs[name] = registry.load(name)
        except PovertyCoreError as err:
            errors.append(err)
    if errors:
        raise PackError(
            "serve",
            Text(
                "无法启动：" + "；".join(e.text.zh for e in errors),
                "cannot start: " + "; ".join(e.text.en for e in errors),
            ),
        )
    return packs


def _language(request: Request) -> Language:
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


def _problem_response(problem: ServiceProblem, request: Request | None, scope: Scope) -> Response:
    try:
        lang = _language(request) if request is not None else "en"
    except ServiceProblem:
        lang = "en"
    body = problem.body(lang, redact(scope.get("path", "")))
    scope.setdefault("state", {})["problem"] = problem.kind
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=problem.headers,
    )


def _json(data: Any, media: str = "application/json") -> Response:
    """``data`` as JSON, every ID number in it masked. The text is checked with one pass
    of :func:`~poverty_core.privacy.redact` (masking value by value costs more than the
    decision); only when it finds one is the data masked value by value, so that the
    answer stays valid JSON."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    if redact(text) != text:
        text = json.dumps(redact_data(data), ensure_ascii=False, allow_nan=False)
    return Response(text, media_type=media)


def _masked_result(data: dict[str, Any]) -> dict[str, Any]:
    """``DecisionResult.to_dict()`` with ID numbers masked where the caller's data can
    be — the record's id, each finding's observed and required values, the overrides; the
    rest (titles, citations, periods) is the pack's own text. Masking only these keeps a
    one-record answer cheap (a scan of the whole text costs as much as the decision)."""
    findings = [
        {**f, "observed": redact_data(f["observed"]), "required": redact_data(f["required"])}
        for f in data["findings"]
    ]
    provenance = {**data["provenance"], "overrides": redact_data(data["provenance"]["overrides"])}
    return {**data, "id": redact_data(data["id"]), "findings": findings, "provenance": provenance}


def _bad_query(name: str, zh: str, en: str) -> ServiceProblem:
    problem = Problem(name, Text(zh, en))
    err = InputError([problem], what="query")
    return ServiceProblem(
        "invalid-input",
        err.text,
        problems=[problem],
        formatted={"zh": err.format("zh"), "en": err.format("en")},
    )


def _date_param(request: Request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _bad_query(
            name,
            f"应为日期 YYYY-MM-DD（实为 {text!r}）",
            f"expected a date YYYY-MM-DD (got {text!r})",
        ) from None


def _as_of(request: Request, *, required: bool) -> dt.date | None:
    as_of = _date_param(request, "as_of")
    if as_of is None and required:
        raise _bad_query("as_of", "缺少评估日 as_of", "the date as_of is missing")
    return as_of


def _overrides(pack: Pack, request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in request.query_params.getlist("set"):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise _bad_query(
                "set", f"应为 名称=值（实为 {item!r}）", f"expected NAME=VALUE (got {item!r})"
            )
        values[name] = value
    return pack.check_overrides(values)


def _batch_format(request: Request) -> str:
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


def _flag(request: Request, name: str) -> bool:
    """A boolean query parameter: absent, ``false`` or ``0`` is false; ``true``, ``1`` or
    empty is true; anything else 422 naming it."""
    text = request.query_params.get(name)
    if text is None or text.lower() in ("false", "0"):
        return False
    if text.lower() in ("", "true", "1"):
        return True
    raise _bad_query(
        name, f"应为 true 或 false（实为 {text!r}）", f"expected true or false (got {text!r})"
    )


def _overrides_b(pack: Pack, request: Request) -> dict[str, Any]:
    """Side B's overrides (``set_b``, checked against side B's pack): a bad one is 422
    with its path under ``set_b``."""
    values: dict[str, Any] = {}
    for item in request.query_params.getlist("set_b"):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise _bad_query(
                "set_b", f"应为 名称=值（实为 {item!r}）", f"expected NAME=VALUE (got {item!r})"
            )
        values[name] = value
    try:
        return pack.check_overrides(values)
    except InputError as err:
        problems = [Problem(f"set_b.{p.path}", p.message) for p in err.problems]
        raise InputError(problems, what="query") from None


def _dataset_source(data: Dataset) -> RegisterSource:
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


def _renamed(data: Any, names: Mapping[str, str]) -> Any:
    """``data`` with each name of ``names`` replaced in every string (the spooled
    body's temporary path by ``body``, the name the caller knows)."""
    if not names:
        return data
    if isinstance(data, str):
        for old, new in names.items():
            data = data.replace(old, new)
        return data
    if isinstance(data, dict):
        return {_renamed(k, names): _renamed(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, names) for v in data]
    return data


REFERENCES_HEADER = "x-references-length"
"""The header giving the length of the references object at the head of a register body."""


def _references(pack: Pack, value: Any) -> dict[str, ReferenceData]:
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


def _reference_length(request: Request, limit: int) -> int:
    """The ``X-References-Length`` header: 0 when absent; 422 when not a number, 413
    beyond ``limit``."""
    text = request.headers.get(REFERENCES_HEADER)
    if text is None:
        return 0
    if not text.strip().isdigit():
        raise _bad_query(
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


def _request_readiness(plan: dict[str, Any]) -> dict[str, Any]:
    """A decision's readiness (:meth:`Pack.readiness`, as ``show --as-of`` gives it) as a
    request reads it: each reference the rules in force read says where a request puts
    it (``request``: ``references.NAME``), and ``must_supply`` lists those without which
    no record can be found eligible (each request supplies its own: the service keeps
    none)."""
    needs = [{**r, "request": f"references.{r['reference']}"} for r in plan["references"]]
    must = [r["reference"] for r in needs if r["blocking"]]
    return {**plan, "references": needs, "must_supply": must}


@attrs.frozen
class _Body:
    """A batch request's body: its format; the parsed JSON (a JSON body) or the
    reference data at its head (any other, else ``None``); where any other was spooled."""

    fmt: str
    data: Any
    path: Path | None = None


class _Service:
    """The handlers, over the packs loaded once."""

    def __init__(
        self, settings: Settings, packs: Mapping[str, Pack], registry: PackRegistry | None = None
    ) -> None:
        self.settings = settings
        self.packs = dict(packs)
        self.registry = registry
        """Where the packs' parents are found (the job's record hashes their data)."""
        self.described = {name: pack.describe() for name, pack in self.packs.items()}
        self.openapi = openapi_document(self.packs, api_key=settings.api_key is not None)

    # -- helpers ---------------------------------------------------------------------

    def pack(self, request: Request) -> Pack:
        """The pack the path names (404 when it is not served)."""
        return self.pack_named(request.path_params["pack"])

    def pack_named(self, name: str) -> Pack:
        """A served pack by name (404 when it is not served)."""
        from poverty_core.errors import UnknownName

        if name not in self.packs:
            raise UnknownName(Text("策略包", "pack"), name, list(self.packs))
        return self.packs[name]

    async def run(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """``fn`` in a worker thread, so that the event loop answers other requests
        meanwhile; abandoned (left to finish alone) when the request's time is up."""
        return await anyio.to_thread.run_sync(
            functools.partial(fn, *args, **kwargs), abandon_on_cancel=True
        )

    async def record(
        self, request: Request, pack: Pack, subject: str, as_of: dt.date
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
        data = parse_json(await read_body(request, self.settings.max_body))
        references: dict[str, ReferenceData] = {}
        if isinstance(data, dict) and "references" in data:
            references = _references(pack, data.pop("references"))
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

    async def register_body(
        self, request: Request, fmt: str, folder: Path, as_of: dt.date | None
    ) -> _Body:
        """A batch body of format ``fmt``: a JSON body parsed (its ``references`` left in
        it); any other spooled to ``folder``, the JSON object of reference data at its
        head (``X-References-Length``) parsed apart."""
        if fmt == "json":
            if request.headers.get(REFERENCES_HEADER) is not None:
                raise _bad_query(
                    "X-References-Length",
                    "JSON 请求体的参考数据放在其 references 成员中",
                    "a JSON body carries its reference data in its references member",
                )
            body = await read_body(request, self.settings.max_json_batch)
            return _Body("json", parse_json(body))
        length = _reference_length(request, self.settings.max_references)
        if as_of is None:
            raise _bad_query("as_of", "缺少评估日 as_of", "the date as_of is missing")
        source = folder / f"body.{fmt}"
        head = bytearray()
        with source.open("wb") as handle:
            async for chunk in chunks(request, self.settings.max_batch):
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
        given = await self.run(parse_json, bytes(head)) if length else None
        return _Body(fmt, given, source)

    # -- endpoints -------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def ready(self, request: Request) -> Response:
        return _json({"status": "ready", "packs": sorted(self.packs)})

    async def list_packs(self, request: Request) -> Response:
        rows = [
            {
                "name": name,
                "parent": pack.parent,
                "version": pack.version,
                "title": pack.title.to_dict(),
                "plugin": pack.definition.plugin,
                "chain": list(pack.chain),
            }
            for name, pack in sorted(self.packs.items())
        ]
        return _json({"packs": rows})

    async def show_pack(self, request: Request) -> Response:
        pack = self.pack(request)
        _language(request)
        as_of = _as_of(request, required=False)
        if as_of is None:
            return _json(self.described[pack.name])
        overrides = _overrides(pack, request)
        decisions: dict[str, Any] = {}
        for d in pack.decisions.values():
            try:
                plan = pack.readiness(d.id, as_of=as_of, overrides=overrides).to_dict()
                decisions[d.id] = _request_readiness(plan)
            except NotInForce as err:
                decisions[d.id] = {"not_in_force": err.message("en"), "periods": list(err.periods)}
        return _json({"pack": pack.name, "as_of": as_of.isoformat(), "decisions": decisions})

    async def diff(self, request: Request) -> Response:
        from poverty_core.diff import diff_dates, diff_packs, to_json_data

        _language(request)
        pack = self.pack(request)
        dates = [_date_param(request, name) for name in ("from", "to")]
        base = request.query_params.get("base")
        if any(d is not None for d in dates):
            start, end = dates
            if base is not None or start is None or end is None:
                raise _bad_query(
                    "from",
                    "请同时给出 from 和 to，或给出要比较的策略包 base，不能两者都给",
                    "give both from and to, or a pack to compare with (base), not both",
                )
            diff = await self.run(diff_dates, pack, start, end)
        else:
            base = base or pack.parent
            if base is None:
                raise _bad_query(
                    "base",
                    f"{pack.name} 没有上级包：请给出 base，或 from 与 to",
                    f"{pack.name} has no parent: give base, or from and to",
                )
            other = self.pack_named(base)
            diff = await self.run(diff_packs, pack, other)
        return _json(to_json_data(diff))

    async def compare(self, request: Request) -> Response:
        """A household batch decided under two rule sets (side A: the path's pack,
        ``as_of``, ``set``; side B: ``pack_b``, ``as_of_b``, ``set_b``, each defaulting to
        side A's) and what changes: the JSON of ``poverty-core compare --format json``."""
        _language(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        if decision.subject != "household":
            raise _bad_query(
                "decision",
                f"比较的是农户的决策（{decision.id} 判定的是"
                f"{_SUBJECT_ZH.get(decision.subject, decision.subject)}）",
                f"a comparison is of a household decision ({decision.id} decides "
                f"{_PLURAL.get(decision.subject, decision.subject)})",
            )
        name_b = request.query_params.get("pack_b")
        pack_b = pack if name_b is None or name_b == pack.name else self.pack_named(name_b)
        as_of = _as_of(request, required=False)
        as_of_b = _date_param(request, "as_of_b") or as_of
        overrides = _overrides(pack, request)
        overrides_b = _overrides_b(pack_b, request)
        if pack_b is pack and as_of_b == as_of and overrides_b == overrides:
            raise _bad_query(
                "pack_b",
                "B 方与 A 方相同：请给出 pack_b、as_of_b 或 set_b 中的至少一个使两方不同",
                "side B is side A: give pack_b, as_of_b or set_b so that the sides differ",
            )
        allow = _flag(request, "allow_undetermined")
        fmt = _batch_format(request)
        folder = Path(tempfile.mkdtemp(prefix="poverty-core-serve-"))
        try:
            body = await self.register_body(request, fmt, folder, as_of)
            comparison = await self.run(
                self._compare, pack, pack_b, decision.id, body,
                (as_of, as_of_b), (overrides, overrides_b), allow,
            )  # fmt: skip
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return _json(comparison)

    def _compare(
        self,
        pack: Pack,
        pack_b: Pack,
        decision: str,
        body: _Body,
        dates: tuple[dt.date | None, dt.date | None],
        overrides: tuple[dict[str, Any], dict[str, Any]],
        allow_undetermined: bool,
    ) -> dict[str, Any]:
        """The library's comparison (:func:`~poverty_core.compare.compare_source`, as
        ``poverty-core compare`` runs it) over the body's households, named ``body``."""
        from poverty_core.compare import Policy, compare_source

        data, given = body.data, None
        if body.fmt == "json":
            if isinstance(data, dict) and "references" in data:
                data = dict(data)
                given = data.pop("references")
        else:
            given = data
        runs = []
        for side in (pack, pack_b):
            references = _references(side, given)
            runs.append(side.with_references(references) if references else side)
        # read with side B's vocabulary when it extends side A's (as the command line)
        reader = pack_b if pack.name in pack_b.chain else pack
        rename: dict[str, str] = {}
        try:
            if body.fmt == "json":
                if isinstance(data, list):
                    data = {"households": data}
                dataset = parse_dataset(data, source="body", as_of=dates[0], pack=reader)
                source = _dataset_source(dataset)
            else:
                assert body.path is not None
                rename = {str(body.path): "body"}
                register = open_register(
                    body.path,
                    format=body.fmt,
                    pack=reader,
                    as_of=dates[0],
                    batch_size=self.settings.batch_size,
                )
                source = RegisterSource("body", register=register)
            comparison = compare_source(
                Policy(runs[0], dates[0], overrides[0]),
                Policy(runs[1], dates[1], overrides[1]),
                source,
                decision=decision,
                batch_size=self.settings.batch_size,
                allow_undetermined=allow_undetermined,
                limit=None,
                reading={"households": "body", "on_error": "fail"},
            )
        except InputError as err:
            raise problem_from_error(err, rename=rename) from None
        answer: dict[str, Any] = _renamed(comparison.to_dict(), rename)
        return answer

    async def record_schema(self, request: Request) -> Response:
        pack = self.pack(request)
        kind = request.path_params["kind"]
        return _json(json_schema(kind, pack=pack), "application/schema+json")

    async def decide(self, request: Request) -> Response:
        lang = _language(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        as_of = _as_of(request, required=True)
        assert as_of is not None
        overrides = _overrides(pack, request)
        record, references = await self.record(request, pack, decision.subject, as_of)
        result = await self.run(
            pack.decide,
            decision.id,
            record,
            as_of=as_of,
            overrides=overrides,
            references=references,
        )
        answer = _masked_result(result.to_dict())
        if request.url.path.startswith(f"/packs/{pack.name}/explain/"):
            answer = {"lang": lang, "text": redact(result.explain(lang)), "result": answer}
        return Response(json.dumps(answer, ensure_ascii=False), media_type="application/json")

    async def decide_batch(self, request: Request) -> Response:
        _language(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        as_of = _as_of(request, required=False)
        overrides = _overrides(pack, request)
        output = accepted(request)
        fmt = _batch_format(request)
        if fmt != "json" and decision.subject != "household":
            raise ServiceProblem(
                "unsupported-media-type",
                Text(
                    "村、县的记录请用 application/json 提交",
                    "villages and counties are sent as application/json",
                ),
            )
        if fmt == "json" and request.headers.get(REFERENCES_HEADER) is not None:
            raise _bad_query(
                "X-References-Length",
                "JSON 请求体的参考数据放在其 references 成员中",
                "a JSON body carries its reference data in its references member",
            )
        folder = Path(tempfile.mkdtemp(prefix="poverty-core-serve-"))
        try:
            results = Results(output, folder)
            body = await self.register_body(request, fmt, folder, as_of)
            if body.fmt == "json":
                provenance = await self.run(
                    self._decide_json, pack, decision.id, decision.subject, body.data, as_of,
                    overrides, results,
                )  # fmt: skip
            else:
                assert as_of is not None
                assert body.path is not None
                provenance = await self.run(
                    self._decide_register, pack, decision.id, body.path, body.fmt, as_of,
                    overrides, results, body.data,
                )  # fmt: skip
            results.close(decision.id, provenance)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        media_type = next(m for m, f in BATCH_OUTPUT.items() if f == output)
        return StreamingResponse(stream_file(results.path, folder), media_type=media_type)

    def _assess(
        self,
        pack: Pack,
        decision: str,
        source: RegisterSource,
        as_of: dt.date,
        overrides: dict[str, Any],
        results: Results,
    ) -> dict[str, Any] | None:
        """The register job of the library (:func:`~poverty_core.jobs.assess_source`,
        as ``poverty-core assess`` and the Dask adapter run it) over the households of
        ``source``, their results to ``results``; the run's provenance."""
        assessment = assess_source(
            pack,
            source,
            as_of=as_of,
            overrides=overrides,
            decision=decision,
            batch_size=self.settings.batch_size,
            sink=results,
            sink_name="results",
            registry=self.registry,
        )
        return assessment.provenance

    def _decide_json(
        self,
        pack: Pack,
        decision: str,
        subject: str,
        data: Any,
        as_of: dt.date | None,
        overrides: dict[str, Any],
        results: Results,
    ) -> dict[str, Any] | None:
        given = None
        if isinstance(data, dict) and "references" in data:
            data = dict(data)
            given = data.pop("references")
        references = _references(pack, given)
        if isinstance(data, list):
            data = {_PLURAL[subject]: data}
        dataset = parse_dataset(data, source="body", as_of=as_of, pack=pack)
        on = as_of or dataset.as_of
        if on is None:
            raise _bad_query(
                "as_of",
                "请求体未给出 as_of，须指定查询参数 as_of",
                "the body gives no as_of: pass the query parameter as_of",
            )
        run = pack.with_references(references) if references else pack
        if subject == "household":
            source = RegisterSource(
                dataset.source, synthetic=dataset.synthetic, as_of=dataset.as_of, dataset=dataset
            )
            return self._assess(run, decision, source, on, overrides, results)
        records = getattr(dataset, _PLURAL[subject])
        if not records:
            return None
        result = run.decide_batch(decision, records, as_of=on, overrides=overrides)
        results.write(result_table(result))
        return result.provenance.to_dict()

    def _decide_register(
        self,
        pack: Pack,
        decision: str,
        source: Path,
        fmt: str,
        as_of: dt.date,
        overrides: dict[str, Any],
        results: Results,
        given: Any = None,
    ) -> dict[str, Any] | None:
        references = _references(pack, given)
        run = pack.with_references(references) if references else pack
        rename = {str(source): "body"}
        try:
            register = open_register(
                source,
                format=fmt,
                pack=pack,
                as_of=as_of,
                batch_size=self.settings.batch_size,
            )
            # Read once: the results go to a file of the request's folder, dropped with
            # it when a bad row is met.
            return self._assess(
                run, decision, RegisterSource("body", register=register), as_of, overrides, results
            )
        except InputError as err:
            raise problem_from_error(err, rename=rename) from None

    async def openapi_json(self, request: Request) -> Response:
        return _json(self.openapi)

    async def docs(self, request: Request) -> Response:
        return HTMLResponse(_DOCS_PAGE)


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>poverty-core API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

_DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null
});
"""


class _Guard:
    """The outermost layer: a request id, the API key (when one is set), the body's
    time and one structured access-log line per request (path with ID numbers masked,
    no query string, no body)."""

    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            path = scope.get("path", "")
            if (
                self.api_key is not None
                and path not in _OPEN_PATHS
                and not path.startswith("/docs/")
            ):
                given = dict(scope.get("headers", [])).get(b"x-api-key", b"")
                if not hmac.compare_digest(given, self.api_key.encode()):
                    problem = ServiceProblem(
                        "unauthorized",
                        Text("请在 X-API-Key 头中给出 API 密钥", "give the API key in X-API-Key"),
                    )
                    await _problem_response(problem, None, scope)(scope, receive, sending)
                    return
            await self.app(scope, receive, sending)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "event": "request",
                            "request_id": request_id,
                            "method": scope.get("method"),
                            "path": redact(scope.get("path", "")),
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 2),
                            "problem": scope.get("state", {}).get("problem"),
                        }
                    },
                )


def _handled(fn: Callable[[Request], Any], timeout: float) -> Callable[[Request], Any]:
    """The endpoint ``fn`` within the time limit (reading the body included: a client
    that sends slowly is cut off too), its errors answered as problem details."""

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        try:
            with anyio.fail_after(timeout):
                response: Response = await fn(request)
            return response
        except TimeoutError:
            late = ServiceProblem(
                "timeout",
                Text(
                    f"处理超过 {timeout:g} 秒的时限", f"the request took longer than {timeout:g} s"
                ),
                headers={"Retry-After": "1"},
            )
            return _problem_response(late, request, request.scope)
        except ServiceProblem as known:
            return _problem_response(known, request, request.scope)
        except PovertyCoreError as err:
            return _problem_response(problem_from_error(err), request, request.scope)
        except Exception as exc:
            log.error(
                "error",
                extra={"fields": {"event": "error", "error": type(exc).__name__}},
            )
            internal = ServiceProblem(
                "internal-error", Text("服务内部错误，已记录", "internal error (logged)")
            )
            return _problem_response(internal, request, request.scope)

    return endpoint


def create_app(
    settings: Settings | None = None,
    *,
    packs: Mapping[str, Pack] | None = None,
    registry: PackRegistry | None = None,
) -> Starlette:
    """The ASGI application. The packs (``settings.packs``, default every installed one)
    are loaded here, once: a broken pack raises :class:`~poverty_core.errors.PackError`
    now, not at the first request. ``packs`` gives them ready-made instead (embedding,
    tests); ``registry`` loads them from another registry."""
    settings = settings or Settings()
    loaded = dict(packs) if packs is not None else load_packs(settings.packs, registry)
    service = _Service(settings, loaded, registry)
    handlers: dict[str, Callable[[Request], Any]] = {
        "health": service.health,
        "ready": service.ready,
        "list_packs": service.list_packs,
        "show_pack": service.show_pack,
        "record_schema": service.record_schema,
        "diff": service.diff,
        "compare": service.compare,
        "decide": service.decide,
        "decide_batch": service.decide_batch,
        "explain": service.decide,
        "openapi": service.openapi_json,
    }
    routes: list[Any] = [
        Route(
            op.path,
            _handled(handlers[op.id], settings.timeout),
            methods=[op.method.upper()],
            name=op.id,
        )
        for op in OPERATIONS
    ]
    from swagger_ui_bundle import swagger_ui_path

    routes += [
        Route("/docs", service.docs, methods=["GET"], name="docs"),
        Route(
            "/docs/init.js",
            lambda request: Response(_DOCS_INIT, media_type="text/javascript"),
            methods=["GET"],
        ),
        Mount("/docs/static", StaticFiles(directory=swagger_ui_path), name="docs-static"),
    ]
    middleware = []
    if settings.cors_origins:  # outside the key check: a browser's preflight has no key
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept", "X-API-Key", "Accept-Language"],
            )
        )
    middleware.append(Middleware(_Guard, api_key=settings.api_key))

    async def http_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = {404: "not-found", 405: "method-not-allowed", 413: "content-too-large"}.get(
            exc.status_code, "invalid-input"
        )
        text = (
            Text("没有这个地址", "no such path")
            if kind == "not-found"
            else Text("不支持的请求方法", "method not allowed")
        )
        return _problem_response(ServiceProblem(kind, text), request, request.scope)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("started", extra={"fields": {"event": "started", "packs": sorted(loaded)}})
        yield
        log.info("stopped", extra={"fields": {"event": "stopped"}})

    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_problem},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
