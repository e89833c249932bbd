"""Errors of the HTTP service as RFC 9457 problem details (``application/problem+json``).

Every error the service answers is a :class:`ServiceProblem`: a status, a stable
``type`` URI, a bilingual title and detail, and — for invalid input — every bad field
with its path, in the very words the command line prints
(:meth:`poverty_core.errors.InputError.format`). ID numbers are masked in every text
(:func:`poverty_core.privacy.redact`), and a request body is never echoed back.

A message that tells the caller how to supply what is missing names the request's own
way — the query parameter ``set`` (``set_b`` for side B of a comparison), the body's
``references`` member, the query parameter ``allow_undetermined`` — in both languages:
the library writes it so at its source while the service answers
(:func:`poverty_core._wording.http_options`, around every endpoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from poverty_core._text import Language, Text
from poverty_core.errors import (
    InputError,
    NotInForce,
    ParameterNotDefined,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.privacy import redact, redact_data

__all__ = ["PROBLEM_TYPES", "ServiceProblem", "problem_from_error"]

PROBLEM_TYPES: dict[str, tuple[int, Text]] = {
    "invalid-input": (422, Text("输入无效", "invalid input")),
    "not-in-force": (422, Text("该日期没有生效的规则", "no rule in force on the date")),
    "parameter-not-defined": (422, Text("参数在该日期没有取值", "parameter without a value")),
    "malformed-body": (400, Text("请求体无法解析", "malformed request body")),
    "not-found": (404, Text("未找到", "not found")),
    "method-not-allowed": (405, Text("不支持的请求方法", "method not allowed")),
    "not-acceptable": (406, Text("无法以所要求的格式答复", "not acceptable")),
    "content-too-large": (413, Text("请求体过大", "content too large")),
    "unsupported-media-type": (415, Text("不支持的请求体格式", "unsupported media type")),
    "unauthorized": (401, Text("缺少或错误的 API 密钥", "missing or wrong API key")),
    "timeout": (503, Text("处理超时", "the request took too long")),
    "internal-error": (500, Text("服务内部错误", "internal error")),
}
"""Every kind of problem the service answers: its status and title. The ``type`` of a
problem is ``urn:poverty-core:problem:<kind>``."""


class ServiceProblem(Exception):
    """An error answered as problem details: ``kind`` is a key of ``PROBLEM_TYPES``
    (``invalid-input``, ``not-found``, ``content-too-large`` …); ``problems`` are the
    bad fields (invalid input)."""

    def __init__(
        self,
        kind: str,
        detail: Text,
        *,
        problems: Sequence[Problem] = (),
        formatted: dict[Language, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail.en)
        self.kind = kind
        self.status, self.title = PROBLEM_TYPES[kind]
        self.detail = detail
        self.problems = tuple(problems)
        self.formatted = formatted
        self.headers = dict(headers or {})

    def body(self, language: Language, instance: str) -> dict[str, Any]:
        """The JSON problem details in ``language`` (``detail``), both languages under
        ``messages``; ID numbers masked."""
        messages = self.formatted or {"zh": self.detail.zh, "en": self.detail.en}
        out: dict[str, Any] = {
            "type": f"urn:poverty-core:problem:{self.kind}",
            "title": self.title[language],
            "status": self.status,
            "detail": messages[language],
            "instance": instance,
            "messages": {"zh": messages["zh"], "en": messages["en"]},
        }
        if self.problems:
            out["problems"] = [p.to_dict() for p in self.problems]
        return redact_data(out)  # type: ignore[no-any-return]


def _renamed(text: str, names: dict[str, str]) -> str:
    for old, new in names.items():
        text = text.replace(old, new)
    return text


def problem_from_error(
    err: PovertyCoreError, *, rename: dict[str, str] | None = None
) -> ServiceProblem:
    """The problem details of a library error: invalid input 422 with every path
    (``rename`` replaces a temporary file's path with the name the caller knows, e.g.
    ``body``), an unknown pack, decision or record kind 404, a decision not in force or
    a parameter without a value 422."""
    names = rename or {}
    if isinstance(err, InputError):
        problems = [
            Problem(
                _renamed(p.path, names),
                Text(_renamed(p.message.zh, names), _renamed(p.message.en, names)),
            )
            for p in err.problems
        ]
        renamed = InputError(problems, what=_renamed(err.what, names))
        return ServiceProblem(
            "invalid-input",
            renamed.text,
            problems=problems,
            formatted={"zh": renamed.format("zh"), "en": renamed.format("en")},
        )
    text = err.text
    if isinstance(err, UnknownName):
        return ServiceProblem("not-found", text)
    if isinstance(err, NotInForce):
        return ServiceProblem("not-in-force", text)
    if isinstance(err, ParameterNotDefined):
        return ServiceProblem("parameter-not-defined", text)
    text = Text(redact(_renamed(text.zh, names)), redact(_renamed(text.en, names)))
    return ServiceProblem("invalid-input", text)
