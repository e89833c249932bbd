"""How messages name the caller's options, and the normal form words are compared in.

:func:`option` names one of the caller's options as the caller wrote it: a Python
keyword argument (``aliases=``) by default, the command line's (``--alias HEADER=FIELD``)
inside :func:`command_line_options`. :func:`normalize` is the form register headers and
cell words are compared in. Both are used by the alias map (:mod:`poverty_core.aliases`,
which re-exports them) and by the readers below it, such as the national register form.
"""

from __future__ import annotations

import contextlib
import contextvars
import unicodedata
from collections.abc import Iterator

__all__ = ["command_line_options", "normalize", "on_command_line", "option"]

_OPTIONS: dict[str, tuple[str, str, str]] = {
    # key: (Python, command line, command line in Chinese messages)
    "aliases": ("aliases=", "--alias HEADER=FIELD", "--alias 表头=字段"),
    "ignore_columns": ("ignore_columns=", "--ignore-column HEADER", "--ignore-column 表头"),
    "encoding": ("encoding=", "--encoding", "--encoding"),
    "members": ("members=", "--members FILE", "--members 文件"),
    "layout": ("layout=", "--layout", "--layout"),
    "names": ("poverty_core.aliases", "the docs page register-layouts", "文档页 register-layouts"),
}
_STYLE = contextvars.ContextVar("poverty_core_option_style", default=0)


def option(key: str, language: str = "en") -> str:
    """How a message names one of the caller's options: ``aliases=`` from Python,
    ``--alias HEADER=FIELD`` on the command line (:func:`command_line_options`; in a
    Chinese message ``--alias 表头=字段``)."""
    names = _OPTIONS[key]
    if _STYLE.get() == 0:
        return names[0]
    return names[2] if language == "zh" else names[1]


def command_line_options() -> contextlib.AbstractContextManager[None]:
    """Within the block, messages name command-line options (``--alias``,
    ``--ignore-column``, ``--encoding`` …) instead of Python keyword arguments: for the
    ``poverty-core`` command, whose users never see the Python API."""
    return _using(1)


@contextlib.contextmanager
def _using(style: int) -> Iterator[None]:
    token = _STYLE.set(style)
    try:
        yield
    finally:
        _STYLE.reset(token)


def on_command_line() -> bool:
    """True inside :func:`command_line_options`."""
    return _STYLE.get() == 1


def normalize(text: str) -> str:
    """The form headers and cell words are compared in: NFKC, case-folded, no spaces.

    >>> normalize(" 年人均纯收入（元） "), normalize("Household ID")
    ('年人均纯收入(元)', 'householdid')
    """
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
