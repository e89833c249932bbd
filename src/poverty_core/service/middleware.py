"""The layers around the endpoints: the outermost guard (request id, API key, access log
with ID numbers masked and no query string) and the wrapper that holds an endpoint to its
time limit and answers its errors as problem details.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from poverty_core._text import Text
from poverty_core._wording import http_options
from poverty_core.errors import PovertyCoreError
from poverty_core.privacy import redact
from poverty_core.service.inputs import language_of
from poverty_core.service.openapi import OPERATIONS
from poverty_core.service.problems import ServiceProblem, problem_from_error

__all__ = ["Guard", "handled", "problem_response"]

log = logging.getLogger("poverty_core.service")

_OPEN_PATHS = frozenset(op.path for op in OPERATIONS if op.open) | {"/docs"}


def problem_response(problem: ServiceProblem, request: Request | None, scope: Scope) -> Response:
    """The problem details of ``problem`` in the request's language (English when it
    cannot be told), its kind noted for the access log."""
    try:
        lang = language_of(request) if request is not None else "en"
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


class Guard:
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
                    await problem_response(problem, None, scope)(scope, receive, sending)
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


def handled(fn: Callable[[Request], Any], timeout: float) -> Callable[[Request], Any]:
    """The endpoint ``fn`` within the time limit (reading the body included: a client
    that sends slowly is cut off too), its messages in the request's words
    (:func:`poverty_core._wording.http_options`; worker threads inherit them), its errors
    answered as problem details."""

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        try:
            # Messages made while answering name the request's inputs (query parameters,
            # the body's members), not Python keywords or command-line options.
            with anyio.fail_after(timeout), http_options():
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
            return problem_response(late, request, request.scope)
        except ServiceProblem as known:
            return problem_response(known, request, request.scope)
        except PovertyCoreError as err:
            return problem_response(problem_from_error(err), request, request.scope)
        except Exception as exc:
            log.error(
                "error",
                extra={"fields": {"event": "error", "error": type(exc).__name__}},
            )
            internal = ServiceProblem(
                "internal-error", Text("服务内部错误，已记录", "internal error (logged)")
            )
            return problem_response(internal, request, request.scope)

    return endpoint
