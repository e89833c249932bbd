"""Errors of the HTTP service as RFC 9457 problem details (``application/problem+json``).

Every error the service answers is a :class:`ServiceProblem`: a status, a stable
``type`` URI, a bilingual title and detail, and — for invalid input — every bad field
with its path, in the very words the command line prints
(:meth:`poverty_core.errors.InputError.format`). ID numbers are masked in every text
(:func:`poverty_core.privacy.redact`), and a request body is never echoed back.

The library's messages tell a command-line user how to supply what is missing
(``--set NAME=VALUE``, ``--reference NAME=FILE``, ``--allow-undetermined``); a problem
body names the request's own way instead — the query parameter ``set`` (``set_b`` for
side B of a comparison), the body's ``references`` member, the query parameter
``allow_undetermined`` — in both languages (:func:`http_words`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from poverty_core._text import Language, Text
from poverty_core.compare import SideNotReady
from poverty_core.errors import (
    InputError,
    NotInForce,
    ParameterNotDefined,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.privacy import redact, redact_data

__all__ = ["PROBLEM_TYPES", "ServiceProblem", "http_words", "problem_from_error"]

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


_HTTP_WORDS: dict[Language, tuple[tuple[re.Pattern[str], str], ...]] = {
    "zh": (
        (re.compile(r" ?--set (\S+?)=值"), r"查询参数 {set}=\1=值"),
        (
            re.compile(r" ?--reference (\S+?)=(?:文件（CSV/JSON）|FILE)"),
            r"请求体的 references 成员（references.\1）",
        ),
        (re.compile(r" ?--allow-undetermined"), "查询参数 allow_undetermined=true"),
    ),
    "en": (
        (re.compile(r"--set (\S+?)=VALUE"), r"the query parameter {set}=\1=VALUE"),
        (
            re.compile(r"--reference (\S+?)=FILE(?: \(CSV or JSON\))?"),
            r"the body's references member (references.\1)",
        ),
        (re.compile(r"--allow-undetermined"), "the query parameter allow_undetermined=true"),
    ),
}
"""The command line's ways of supplying an input, as the library's messages write them,
with the request's way in the same language."""


def http_words(text: Text, *, set_name: str = "set") -> Text:
    """``text`` with the command line's ways of supplying an input replaced by the
    request's: ``--set NAME=VALUE`` by the query parameter ``set_name`` (``set``, or
    ``set_b`` for side B of a comparison), ``--reference NAME=FILE`` by the body's
    ``references`` member, ``--allow-undetermined`` by the query parameter
    ``allow_undetermined=true``.

    >>> words = http_words(Text("用 --set x=值 提供", "supply it with --set x=VALUE"))
    >>> words.zh, words.en
    ('用查询参数 set=x=值 提供', 'supply it with the query parameter set=x=VALUE')
    """
    out = {}
    for language in ("zh", "en"):
        words = text[language]
        for pattern, replacement in _HTTP_WORDS[language]:
            words = pattern.sub(replacement.replace("{set}", set_name), words)
        out[language] = words
    return Text(out["zh"], out["en"])


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
    set_name = "set_b" if isinstance(err, SideNotReady) and err.side == "b" else "set"
    if isinstance(err, InputError):
        problems = [
            Problem(
                _renamed(p.path, names),
                http_words(
                    Text(_renamed(p.message.zh, names), _renamed(p.message.en, names)),
                    set_name=set_name,
                ),
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
    text = http_words(err.text, set_name=set_name)
    if isinstance(err, UnknownName):
        return ServiceProblem("not-found", text)
    if isinstance(err, NotInForce):
        return ServiceProblem("not-in-force", text)
    if isinstance(err, ParameterNotDefined):
        return ServiceProblem("parameter-not-defined", text)
    text = Text(redact(_renamed(text.zh, names)), redact(_renamed(text.en, names)))
    return ServiceProblem("invalid-input", text)
