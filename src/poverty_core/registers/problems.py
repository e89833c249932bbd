"""Problems of register files: the error of a missing optional extra, a fatal problem of a
file, the error collecting a register's problems, and the masking of values shown in a
message (a value that looks like an ID number is never shown whole).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from poverty_core._text import Text
from poverty_core.errors import InputError, PovertyCoreError, Problem
from poverty_core.privacy import mask_id_number

__all__ = ["MissingExtra", "register_error"]


class MissingExtra(PovertyCoreError, ImportError):
    """An optional dependency is needed for a file format (xlsx needs python-calamine)."""

    def __init__(self, extra: str, module: str, what: str) -> None:
        super().__init__(
            Text(
                f"读取 {what} 需要可选依赖 {module}：pip install 'poverty-core[{extra}]'",
                f"reading {what} needs the optional dependency {module}: "
                f"pip install 'poverty-core[{extra}]'",
            )
        )
        self.extra = extra


def _fatal(where: str, zh: str, en: str) -> InputError:
    return InputError([Problem(where, Text(zh, en))], what=where.split(":")[0])


_ID_LIKE = re.compile(r"\d{14,17}[\dXx]")


def _show(value: Any) -> str:
    """A cell for a message: short, and never an ID number in full."""
    text = _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _files_of(problems: Sequence[Problem], files: Sequence[str]) -> list[str]:
    """The files (of ``files``) the problems are in, in that order."""
    out = [f for f in files if any(p.path == f or p.path.startswith(f + ":") for p in problems)]
    return out or list(files[:1])


def register_error(problems: Sequence[Problem], files: Sequence[str]) -> InputError:
    """An :class:`~poverty_core.errors.InputError` of a register's problems, announced
    under the file (or files) they are in: ``m.csv has 2 problems``."""
    named = _files_of(problems, files)
    err = InputError(problems, what=", ".join(named))
    if len(named) > 1:
        n = len(problems)
        err.text = Text(
            f"{'、'.join(named)} 共有 {n} 处错误",
            f"{' and '.join(named)} have {n} problem{'s' if n != 1 else ''}",
        )
    return err
