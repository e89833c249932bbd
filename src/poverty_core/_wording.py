"""How messages name the caller's options, and the normal form words are compared in.

:func:`option` names one of the caller's options as the caller wrote it: a Python
keyword argument (``aliases=``, ``overrides={'NAME': …}``) by default, the command
line's (``--alias HEADER=FIELD``, ``--set NAME=VALUE``) inside
:func:`command_line_options`, an HTTP request's (the query parameter ``set=NAME=VALUE``,
the body's ``references`` member) inside :func:`http_options`; inside
:func:`comparison_side` ``("b")``, a parameter is supplied to side B of a comparison
(``--set-b``, ``set_b=``). Every message that tells the caller how to supply something
is written once, at its source, in the caller's own terms. :func:`normalize` is the
form register headers and cell words are compared in. Both are used by the alias map
(:mod:`poverty_core.aliases`, which re-exports them) and by the readers below it, such
as the national register form.

>>> option("set", name="poverty_line")
"overrides={'poverty_line': …}"
>>> with command_line_options(), comparison_side("b"):
...     option("set", "zh", name="poverty_line")
'--set-b poverty_line=值'
>>> with http_options():
...     option("allow_undetermined")
'the query parameter allow_undetermined=true'
"""

from __future__ import annotations

import contextlib
import contextvars
import unicodedata
from collections.abc import Iterator

__all__ = [
    "command_line_options",
    "comparison_side",
    "http_options",
    "normalize",
    "on_command_line",
    "option",
]

_PYTHON, _COMMAND_LINE, _HTTP = 0, 1, 2

_OPTIONS: dict[str, tuple[str, str, str, str, str]] = {
    # key: (Python, command line, command line in Chinese messages, HTTP, HTTP in Chinese)
    # ({name}: the parameter or reference named; {set}: set, or set_b for side B)
    "aliases": ("aliases=", "--alias HEADER=FIELD", "--alias 表头=字段", "", ""),
    "ignore_columns": ("ignore_columns=", "--ignore-column HEADER", "--ignore-column 表头", "", ""),
    "encoding": ("encoding=", "--encoding", "--encoding", "", ""),
    "members": ("members=", "--members FILE", "--members 文件", "", ""),
    "layout": ("layout=", "--layout", "--layout", "", ""),
    "names": (
        "poverty_core.aliases",
        "the docs page register-layouts",
        "文档页 register-layouts",
        "",
        "",
    ),
    # the register job's own inputs and outputs
    "households": ("households=", "FILE", "文件", "", ""),
    "members_file": ("members=", "--members", "--members", "", ""),
    "villages": ("villages=", "--villages", "--villages", "", ""),
    "counties": ("counties=", "--counties", "--counties", "", ""),
    "output": ("output=", "-o", "-o", "", ""),
    "report": ("report=", "--report", "--report", "", ""),
    "rejects": ("rejects=", "--rejects", "--rejects", "", ""),
    "batch_size": ("batch_size=", "--batch-size", "--batch-size", "", ""),
    "skip": (
        "read=ReadOptions(on_error='skip')",
        "--on-error skip",
        "--on-error skip",
        "",
        "",
    ),
    "set": (
        "{policy}overrides={{'{name}': …}}",
        "--{set_option} {name}=VALUE",
        "--{set_option} {name}=值",
        "the query parameter {set}={name}=VALUE",
        "查询参数 {set}={name}=值",
    ),
    "reference": (
        "references={{'{name}': …}}",
        "--reference {name}=FILE",
        "--reference {name}=文件",
        "the body's references member (references.{name})",
        "请求体的 references 成员（references.{name}）",
    ),
    "allow_undetermined": (
        "allow_undetermined=True",
        "--allow-undetermined",
        "--allow-undetermined",
        "the query parameter allow_undetermined=true",
        "查询参数 allow_undetermined=true",
    ),
}
_STYLE = contextvars.ContextVar("poverty_core_option_style", default=_PYTHON)
_SIDE = contextvars.ContextVar("poverty_core_comparison_side", default="")


def option(key: str, language: str = "en", *, name: str = "NAME") -> str:
    """How a message names one of the caller's options: ``aliases=`` from Python,
    ``--alias HEADER=FIELD`` on the command line (:func:`command_line_options`; in a
    Chinese message ``--alias 表头=字段``), the request's words in the HTTP service
    (:func:`http_options`; options a request does not have keep their Python name).
    ``name`` is the parameter or reference data a ``set`` or ``reference`` names."""
    names = _OPTIONS[key]
    style = _STYLE.get()
    if style == _PYTHON:
        chosen = names[0]
    elif style == _HTTP and names[3]:
        chosen = names[4] if language == "zh" else names[3]
    elif style == _HTTP:
        chosen = names[0]
    else:
        chosen = names[2] if language == "zh" else names[1]
    side_b = _SIDE.get() == "b"
    return chosen.format(
        name=name,
        set="set_b" if side_b else "set",
        set_option="set-b" if side_b else "set",
        policy="b=Policy(…, " if side_b else "",
    ) + (")" if side_b and style == _PYTHON and key == "set" else "")


def command_line_options() -> contextlib.AbstractContextManager[None]:
    """Within the block, messages name command-line options (``--alias``,
    ``--ignore-column``, ``--encoding`` …) instead of Python keyword arguments: for the
    ``poverty-core`` command, whose users never see the Python API."""
    return _using(_COMMAND_LINE)


def http_options() -> contextlib.AbstractContextManager[None]:
    """Within the block, messages name a request's ways of supplying an input (the
    query parameters ``set`` and ``allow_undetermined``, the body's ``references``
    member) instead of Python keyword arguments: for the HTTP service
    (:mod:`poverty_core.service`), whose callers never see the Python API."""
    return _using(_HTTP)


@contextlib.contextmanager
def comparison_side(side: str) -> Iterator[None]:
    """Within the block, a parameter is supplied to side ``side`` of a comparison: side
    B's own option (``--set-b``, ``set_b=``, ``b=Policy(overrides=…)``); side A's is the
    run's own."""
    token = _SIDE.set(side)
    try:
        yield
    finally:
        _SIDE.reset(token)


@contextlib.contextmanager
def _using(style: int) -> Iterator[None]:
    token = _STYLE.set(style)
    try:
        yield
    finally:
        _STYLE.reset(token)


def on_command_line() -> bool:
    """True inside :func:`command_line_options`."""
    return _STYLE.get() == _COMMAND_LINE


def normalize(text: str) -> str:
    """The form headers and cell words are compared in: NFKC, case-folded, no spaces.

    >>> normalize(" 年人均纯收入（元） "), normalize("Household ID")
    ('年人均纯收入(元)', 'householdid')
    """
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
