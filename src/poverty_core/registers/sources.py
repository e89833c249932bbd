"""Sources: what every register file reader gives and the mapping of headers to columns.

A :class:`_Source` yields :class:`_Raw` tables of text (or typed) columns with their row
numbers; :func:`_resolve` maps a file's headers to columns through the alias map
(unknown headers are an error naming them); ragged and blank rows are counted here.
"""

from __future__ import annotations

import abc
import difflib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import AliasMap, normalize, option
from poverty_core.errors import InputError, Problem
from poverty_core.registers.cells import _mask, _valid
from poverty_core.registers.history import _HISTORY_HEADERS, _history_flat_problem
from poverty_core.registers.schema import _MEMBERS, FLAT, MEMBER_KEY, Rows


@attrs.define
class _Raw:
    """Rows of one file as read: columns named by the register's columns, cells raw."""

    table: pa.Table
    rows: Rows
    sub: Rows | None = None  # members nested in a household: the index in its list
    owner: Rows | None = None  # members: the row of their household in the batch (-1: none)


@attrs.define
class _Ragged:
    """A row the reader could not split into the header's columns (or read otherwise:
    a merged cell outside the key columns)."""

    row: int
    message: Text
    key: str | None
    column: str | None = None
    """The header of the cell at fault, when one is."""

    def problem(self, file: str) -> Problem:
        """The row's problem, at ``FILE:ROW`` (``FILE:ROW:COLUMN`` for one cell)."""
        where = f"{file}:{self.row}" + (f":{self.column}" if self.column else "")
        return Problem(where, self.message)


class _Source(abc.ABC):
    """One table of a register file: its headers, their columns, and its rows."""

    file: str
    entity: str
    headers: list[str]
    columns: dict[str, str]  # register column -> header as in the file
    resolved: list[str | None]
    unused: tuple[str, ...] = ()  # headers known and not read (民族, 行政村 …)
    encoding: str | None = None
    rows_read: int = 0

    def _init_ragged(self) -> None:
        self._ragged: list[_Ragged] = []
        self._ragged_lock = threading.Lock()

    def reset(self) -> None:
        """Forget what an earlier read counted."""
        self.rows_read = 0
        with self._ragged_lock:
            self._ragged = []

    def add_ragged(self, ragged: _Ragged) -> None:
        """Note a row that could not be read into the columns (from the reading thread)."""
        with self._ragged_lock:
            self._ragged.append(ragged)
            self.rows_read += 1

    def take_ragged(self) -> list[_Ragged]:
        """The ragged rows noted since the last call."""
        with self._ragged_lock:
            out, self._ragged = self._ragged, []
        return out

    @abc.abstractmethod
    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        """The file's rows as text tables, ``batch_rows`` at a time."""


def _column_of(aliases: AliasMap, entity: str, header: str) -> str | None:
    """The column a header names in a table of ``entity`` (``flat``: see :data:`FLAT`)."""
    if entity != FLAT:
        return aliases.column(entity, header)
    text = header.strip()
    if text[: len(_MEMBERS)].lower() == _MEMBERS:
        inner = aliases.column("members", text[len(_MEMBERS) :])
        if inner == MEMBER_KEY:
            return "id"
        return None if inner is None else _MEMBERS + inner
    household = aliases.column("households", header)
    member = aliases.column("members", header)
    if household == "id" or member == MEMBER_KEY:
        return "id"  # the household's id: the key that groups a household's rows
    if household is not None:
        return household
    return None if member is None else _MEMBERS + member


def _is_member(aliases: AliasMap, header: str) -> bool:
    """Whether a header names a member's column (other than the household key)."""
    column = aliases.column("members", header)
    return column is not None and column != MEMBER_KEY


def _unused_of(aliases: AliasMap, entity: str, header: str) -> str | None:
    """The national form's code of a header known and not read (``""``: the form's
    address and bank details), or ``None``."""
    kinds = ("households", "members") if entity == FLAT else (entity,)
    for kind in kinds:
        found = aliases.unused_column(kind, header)
        if found is not None:
            return found
    return None


def _headers_of(aliases: AliasMap, entity: str) -> list[str]:
    kinds = ("households", "members") if entity == FLAT else (entity,)
    return [h for kind in kinds for hs in aliases.headers(kind).values() for h in hs]


def _resolve(
    file: str,
    entity: str,
    headers: Sequence[str],
    aliases: AliasMap,
    ignore: set[str],
    allowed_flat: set[str] | None,
) -> tuple[list[str | None], dict[str, str], list[str]]:
    """Each header's column (``None``: not read), each column's header, and the headers
    known and not read; raises on unknown or repeated columns."""
    out: list[str | None] = []
    columns: dict[str, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    unknown_flat: list[str] = []
    unused: list[str] = []
    for i, header in enumerate(headers):
        text = "" if header is None else str(header)
        if normalize(text) in ignore:
            out.append(None)
            continue
        if not text.strip():
            out.append(f"\x00unnamed{i}")
            columns[f"\x00unnamed{i}"] = f"(column {i + 1})"
            continue
        column = _column_of(aliases, entity, text)
        if column is None and entity == "households" and normalize(text) in _HISTORY_HEADERS:
            raise InputError([_history_flat_problem(file, text)], what=file)
        if column is None:
            if _unused_of(aliases, entity, text) is not None:
                unused.append(text)
            else:
                unknown.append(text)
            out.append(None)
            continue
        if (
            allowed_flat is not None
            and column.startswith(("procedures.", "checklists."))
            and column not in allowed_flat
        ):
            unknown_flat.append(text)
        if column in columns:
            repeated.append(f"{columns[column]!r} / {text!r} → {column}")
        columns.setdefault(column, text)
        out.append(column)
    problems = []
    members_here = [u for u in unknown if entity == "households" and _is_member(aliases, u)]
    unknown = [u for u in unknown if u not in members_here]
    if members_here:
        shown = ", ".join(repr(u) for u in members_here)
        problems.append(
            Problem(
                f"{file}:1",
                Text(
                    f"户表中有成员的列：{shown}（应在成员表中；一人一行的平铺登记表不需成员表，"
                    f"用 {option('layout', 'zh')} flat 或由列自动判断）",
                    f"member columns in a households file: {shown} (they belong in the members "
                    f"file; a flat register, a row per person, is read without one: "
                    f"{option('layout')} flat, or told from its columns)",
                ),
            )
        )
    if unknown:
        known = _headers_of(aliases, entity)
        hints = []
        for u in unknown:
            close = difflib.get_close_matches(normalize(u), known, n=1)
            hints.append(f"{u!r}" + (f" (→ {close[0]}?)" if close else ""))
        problems.append(
            Problem(
                f"{file}:1",
                Text(
                    f"未知列：{'、'.join(hints)}；列名见 {option('names', 'zh')}，"
                    f"或用 {option('aliases', 'zh')} 添加，"
                    f"或用 {option('ignore_columns', 'zh')} 忽略",
                    f"unknown column(s): {', '.join(hints)}; see {option('names')} for "
                    f"the names, add one with {option('aliases')}, or skip it with "
                    f"{option('ignore_columns')}",
                ),
            )
        )
    if unknown_flat:
        problems.append(
            Problem(
                f"{file}:1",
                Text(
                    f"策略包中没有这些程序步骤或核查项：{'、'.join(unknown_flat)}",
                    f"no such procedure step or checklist item in the pack: "
                    f"{', '.join(unknown_flat)}",
                ),
            )
        )
    if repeated:
        problems.append(
            Problem(
                f"{file}:1",
                Text(
                    f"重复的列：{'；'.join(repeated)}", f"repeated column(s): {'; '.join(repeated)}"
                ),
            )
        )
    # A members table may go without member ids: its members are numbered in their
    # households (see _numbered).
    required = [MEMBER_KEY] if entity == "members" else ["id"]
    missing = [c for c in required if c not in columns]
    if missing:
        names = ", ".join(missing)
        problems.append(
            Problem(
                f"{file}:1",
                Text(f"缺少必需的列：{names}", f"required column(s) missing: {names}"),
            )
        )
    if problems:
        raise InputError(problems, what=file)
    return out, columns, unused


def _row_numbers(index: Rows, ragged: list[int]) -> Rows:
    """Row numbers (header = 1) of parsed rows, past the ragged rows skipped."""
    if not ragged:
        return index + 2
    skipped = np.sort(np.asarray(ragged, dtype=np.int64))
    before = skipped - np.arange(len(skipped)) - 2
    return index + 2 + np.searchsorted(before, index, side="right")


def _empty_rows(table: pa.Table) -> npt.NDArray[np.bool_]:
    """Rows whose every cell is empty (a blank line, or ``,,,``): not records."""
    n = table.num_rows
    if not n or not table.num_columns:
        return np.zeros(n, np.bool_)
    empty = _blank(table.column(0))
    if not empty.any():
        return empty
    for column in table.columns[1:]:
        empty &= _blank(column)
        if not empty.any():
            break
    return empty


def _blank(column: Any) -> npt.NDArray[np.bool_]:
    if pa.types.is_string(column.type):
        return _mask(pc.equal(pc.binary_length(column), 0))
    return ~_valid(column)
