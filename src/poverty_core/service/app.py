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

What a request gives is read in ``inputs``, the guard and the time limit are in
``middleware``; this module holds the handlers and :func:`create_app`.

Hand-written here and in ``bodies``, ``inputs`` and ``middleware``, and why: the body
limit is read per endpoint while the body streams (one record: a small limit; a batch: a
large one, spooled to a private temporary folder that is removed after the answer), which
a single application-wide limit cannot do; the access log is our own so that it masks ID
numbers and leaves query strings out."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from poverty_core._text import Text
from poverty_core.batch import result_table
from poverty_core.columnar import open_register
from poverty_core.compare import Policy, compare_source
from poverty_core.convert import json_schema
from poverty_core.diff import diff_dates, diff_packs, to_json_data
from poverty_core.errors import InputError, NotInForce, PackError, PovertyCoreError, UnknownName
from poverty_core.io import parse_dataset
from poverty_core.jobs import assess_source
from poverty_core.packs import Pack
from poverty_core.plugins import PackRegistry, default_registry
from poverty_core.privacy import redact, redact_data
from poverty_core.service.bodies import Results, accepted, stream_file
from poverty_core.service.inputs import (
    REFERENCES_HEADER,
    Body,
    as_of_param,
    bad_query,
    batch_format,
    dataset_source,
    date_param,
    flag,
    language_of,
    overrides_b_of,
    overrides_of,
    read_record,
    read_register_body,
    references_of,
    renamed,
    request_readiness,
)
from poverty_core.service.middleware import Guard, handled, problem_response
from poverty_core.service.openapi import BATCH_OUTPUT, OPERATIONS, openapi_document
from poverty_core.service.problems import ServiceProblem, problem_from_error
from poverty_core.service.settings import Settings
from poverty_core.sources import RegisterSource

__all__ = ["REFERENCES_HEADER", "Settings", "create_app", "load_packs"]

log = logging.getLogger("poverty_core.service")

R = TypeVar("R")

_PLURAL = {"household": "households", "village": "villages", "county": "counties"}
_SUBJECT_ZH = {"household": "户", "village": "村", "county": "县"}


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
        if name not in self.packs:
            raise UnknownName(Text("策略包", "pack"), name, list(self.packs))
        return self.packs[name]

    async def run(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """``fn`` in a worker thread, so that the event loop answers other requests
        meanwhile; abandoned (left to finish alone) when the request's time is up."""
        return await anyio.to_thread.run_sync(
            functools.partial(fn, *args, **kwargs), abandon_on_cancel=True
        )

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
        language_of(request)
        as_of = as_of_param(request, required=False)
        if as_of is None:
            return _json(self.described[pack.name])
        overrides = overrides_of(pack, request)
        decisions: dict[str, Any] = {}
        for d in pack.decisions.values():
            try:
                plan = pack.readiness(d.id, as_of=as_of, overrides=overrides).to_dict()
                decisions[d.id] = request_readiness(plan)
            except NotInForce as err:
                decisions[d.id] = {"not_in_force": err.message("en"), "periods": list(err.periods)}
        return _json({"pack": pack.name, "as_of": as_of.isoformat(), "decisions": decisions})

    async def diff(self, request: Request) -> Response:
        language_of(request)
        pack = self.pack(request)
        dates = [date_param(request, name) for name in ("from", "to")]
        base = request.query_params.get("base")
        if any(d is not None for d in dates):
            start, end = dates
            if base is not None or start is None or end is None:
                raise bad_query(
                    "from",
                    "请同时给出 from 和 to，或给出要比较的策略包 base，不能两者都给",
                    "give both from and to, or a pack to compare with (base), not both",
                )
            diff = await self.run(diff_dates, pack, start, end)
        else:
            base = base or pack.parent
            if base is None:
                raise bad_query(
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
        language_of(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        if decision.subject != "household":
            raise bad_query(
                "decision",
                f"比较的是农户的决策（{decision.id} 判定的是"
                f"{_SUBJECT_ZH.get(decision.subject, decision.subject)}）",
                f"a comparison is of a household decision ({decision.id} decides "
                f"{_PLURAL.get(decision.subject, decision.subject)})",
            )
        name_b = request.query_params.get("pack_b")
        pack_b = pack if name_b is None or name_b == pack.name else self.pack_named(name_b)
        as_of = as_of_param(request, required=False)
        as_of_b = date_param(request, "as_of_b") or as_of
        overrides = overrides_of(pack, request)
        overrides_b = overrides_b_of(pack_b, request)
        if pack_b is pack and as_of_b == as_of and overrides_b == overrides:
            raise bad_query(
                "pack_b",
                "B 方与 A 方相同：请给出 pack_b、as_of_b 或 set_b 中的至少一个使两方不同",
                "side B is side A: give pack_b, as_of_b or set_b so that the sides differ",
            )
        allow = flag(request, "allow_undetermined")
        fmt = batch_format(request)
        folder = Path(tempfile.mkdtemp(prefix="poverty-core-serve-"))
        try:
            body = await read_register_body(request, fmt, folder, as_of, self.settings)
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
        body: Body,
        dates: tuple[dt.date | None, dt.date | None],
        overrides: tuple[dict[str, Any], dict[str, Any]],
        allow_undetermined: bool,
    ) -> dict[str, Any]:
        """The library's comparison (:func:`~poverty_core.compare.compare_source`, as
        ``poverty-core compare`` runs it) over the body's households, named ``body``."""
        data, given = body.data, None
        if body.fmt == "json":
            if isinstance(data, dict) and "references" in data:
                data = dict(data)
                given = data.pop("references")
        else:
            given = data
        runs = []
        for side in (pack, pack_b):
            references = references_of(side, given)
            runs.append(side.with_references(references) if references else side)
        # read with side B's vocabulary when it extends side A's (as the command line)
        reader = pack_b if pack.name in pack_b.chain else pack
        rename: dict[str, str] = {}
        try:
            if body.fmt == "json":
                if isinstance(data, list):
                    data = {"households": data}
                dataset = parse_dataset(data, source="body", as_of=dates[0], pack=reader)
                source = dataset_source(dataset)
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
        answer: dict[str, Any] = renamed(comparison.to_dict(), rename)
        return answer

    async def record_schema(self, request: Request) -> Response:
        pack = self.pack(request)
        kind = request.path_params["kind"]
        return _json(json_schema(kind, pack=pack), "application/schema+json")

    async def decide(self, request: Request) -> Response:
        lang = language_of(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        as_of = as_of_param(request, required=True)
        assert as_of is not None
        overrides = overrides_of(pack, request)
        record, references = await read_record(
            request, pack, decision.subject, as_of, self.settings.max_body
        )
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
        language_of(request)
        pack = self.pack(request)
        decision = pack.decision(request.path_params["decision"])
        as_of = as_of_param(request, required=False)
        overrides = overrides_of(pack, request)
        output = accepted(request)
        fmt = batch_format(request)
        if fmt != "json" and decision.subject != "household":
            raise ServiceProblem(
                "unsupported-media-type",
                Text(
                    "村、县的记录请用 application/json 提交",
                    "villages and counties are sent as application/json",
                ),
            )
        if fmt == "json" and request.headers.get(REFERENCES_HEADER) is not None:
            raise bad_query(
                "X-References-Length",
                "JSON 请求体的参考数据放在其 references 成员中",
                "a JSON body carries its reference data in its references member",
            )
        folder = Path(tempfile.mkdtemp(prefix="poverty-core-serve-"))
        try:
            results = Results(output, folder)
            body = await read_register_body(request, fmt, folder, as_of, self.settings)
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
        references = references_of(pack, given)
        if isinstance(data, list):
            data = {_PLURAL[subject]: data}
        dataset = parse_dataset(data, source="body", as_of=as_of, pack=pack)
        on = as_of or dataset.as_of
        if on is None:
            raise bad_query(
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
        references = references_of(pack, given)
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
            handled(handlers[op.id], settings.timeout),
            methods=[op.method.upper()],
            name=op.id,
        )
        for op in OPERATIONS
    ]
    from swagger_ui_bundle import swagger_ui_path  # the serve extra

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
    middleware.append(Middleware(Guard, api_key=settings.api_key))

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
        return problem_response(ServiceProblem(kind, text), request, request.scope)

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
