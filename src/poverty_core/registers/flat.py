"""Flat registers: one row per member with the household's columns repeated.

Rows are grouped into households (each household's rows together), the household columns
checked to agree across its rows, and the table split into households and members.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import on_command_line
from poverty_core.errors import Problem
from poverty_core.registers.batch import _codes_of, _Context, _repeats, _where
from poverty_core.registers.cells import _clean, _valid, _whole
from poverty_core.registers.ids import _key_bytes
from poverty_core.registers.merge import _clean_keys, _concat, _take
from poverty_core.registers.problems import _fatal, _show
from poverty_core.registers.schema import _MEMBERS, MEMBER_KEY, Rows
from poverty_core.registers.sources import _Raw


def _runs(keys: pa.Array) -> tuple[Rows, Rows]:
    """For the rows of a flat file: where each household's run of rows starts (a row
    without a household id continues the run before it) and each run's key code."""
    codes = _codes_of(keys)
    valid = codes >= 0
    n = len(codes)
    last = np.maximum.accumulate(np.where(valid, np.arange(n), -1)) if n else codes
    before = np.full(n, -1, np.int64)
    if n > 1:
        prev = last[:-1]
        before[1:] = np.where(prev >= 0, codes[np.maximum(prev, 0)], -1)
    starts = np.flatnonzero(valid & (codes != before))
    return starts, codes[starts]


def _flat_chunks(ctx: _Context, parts: Iterator[_Raw], size: int | None) -> Iterator[_Raw]:
    """A flat file's rows in parts of whole households (at most ``size``; with no size,
    the whole file in one part, its households' rows wherever they are). Read in
    batches, a household's rows must come together: rows that come apart (or a
    household id used again further on) stop the reading with an error naming them."""
    buffer: list[_Raw] = []
    for part in parts:
        if not part.table.num_rows:
            continue
        buffer.append(part)
        if size is None:
            continue
        while buffer:
            merged = _concat(buffer) if len(buffer) > 1 else buffer[0]
            buffer = [merged]
            starts, _ = _runs(_clean_keys(merged, "id"))
            if len(starts) <= size:  # the last run may go on in the next part
                break
            cut = int(starts[size])
            head = _take(merged, slice(0, cut))
            buffer = [_take(merged, slice(cut, None))]
            _flat_order(ctx, head)
            yield head
    if buffer:
        rest = _concat(buffer)
        if size is not None:
            _flat_order(ctx, rest)
        yield rest


def _flat_order(ctx: _Context, raw: _Raw) -> None:
    """A household's rows apart from each other, in this part or after an earlier one."""
    keys = _clean_keys(raw, "id")
    starts, codes = _runs(keys)
    if not len(starts):
        return
    again = sorted((int(starts[i]), int(starts[f])) for i, f in _repeats(codes, codes >= 0))
    if again:
        i, f = again[0]
        first_row, row = int(raw.rows[f]), int(raw.rows[i])
    else:
        earlier = ctx.seen.find(_key_bytes(pc.take(keys, pa.array(starts))))
        hits = np.flatnonzero(earlier >= 0)
        if not len(hits):
            return
        i, first_row = int(starts[hits[0]]), int(earlier[hits[0]])
        row = int(raw.rows[i])
    key = keys[i].as_py()
    file = ctx.files["households"]
    at_once = Text("，或用 read_all() 一次读入", ", or read the file at once with read_all()")
    raise _fatal(
        f"{file}:{row}",
        f"户 {_show(key)} 的行不相连（第 {first_row} 行起，又见于第 {row} 行）：平铺登记表中"
        f"一户的各行须相邻（按户编号排序）{'' if on_command_line() else at_once.zh}",
        f"the rows of household {_show(key)} come apart (from row {first_row}, again at row "
        f"{row}): in a flat register a household's rows come together (sort by household "
        f"id){'' if on_command_line() else at_once.en}",
    )


def _flat_split(ctx: _Context, raw: _Raw) -> tuple[_Raw, _Raw, list[tuple[int, Problem]]]:
    """A flat file's rows as households (one row each, at its first row; each household
    column's value the first one given) and members (every row), and the problems of
    households whose rows disagree in a household column."""
    keys = _clean_keys(raw, "id")
    codes = _codes_of(keys)
    valid = codes >= 0
    n = len(codes)
    rows_with = np.flatnonzero(valid)
    uniq, first = np.unique(codes[valid], return_index=True)
    first_rows = rows_with[first]
    order = np.argsort(first_rows, kind="stable")
    first_rows, uniq = first_rows[order], uniq[order]
    group = np.full(int(codes.max()) + 1 if n and valid.any() else 1, -1, np.int64)
    group[uniq] = np.arange(len(uniq))
    owner = np.where(valid, group[np.maximum(codes, 0)], -1).astype(np.int64)
    households: dict[str, Any] = {"id": pc.take(keys, pa.array(first_rows))}
    members: dict[str, Any] = {MEMBER_KEY: keys}
    problems: list[tuple[int, Problem]] = []
    for name in raw.table.column_names:
        column = _whole(raw.table.column(name))
        if name.startswith(_MEMBERS):
            members[name[len(_MEMBERS) :]] = column
        elif name != "id":
            households[name] = _first_given(column, owner, first_rows)
            problems += _disagreements(ctx, raw, name, column, owner, keys)
    hh = _Raw(pa.table(households), raw.rows[first_rows])
    mm = _Raw(pa.table(members), raw.rows, None, owner)
    problems.sort(key=lambda p: p[0])
    return hh, mm, problems


def _as_given(value: Any) -> Any:
    """A cell's value for a message: a whole number read as a float without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _given(column: pa.Array) -> npt.NDArray[np.bool_]:
    """Cells with a value (not empty, not only spaces)."""
    if pa.types.is_string(column.type):
        return _valid(_clean(column))
    return _valid(column)


def _first_given(column: pa.Array, owner: Rows, first_rows: Rows) -> pa.Array:
    """Each household's value of a household column: from its first row that gives one
    (its first row when none does)."""
    pick = first_rows.copy()
    given = np.flatnonzero(_given(column) & (owner >= 0))
    if len(given):
        groups, first = np.unique(owner[given], return_index=True)
        pick[groups] = given[first]
    return pc.take(column, pa.array(pick))


def _disagreements(
    ctx: _Context, raw: _Raw, name: str, column: pa.Array, owner: Rows, keys: pa.Array
) -> list[tuple[int, Problem]]:
    """Households whose rows give different values in a household column: one problem
    each, at the first row that differs, naming every row and its value."""
    given = _given(column) & (owner >= 0)
    if not given.any():
        return []
    text = _clean(column) if pa.types.is_string(column.type) else column
    values = _codes_of(text)
    groups = int(owner.max()) + 1
    low = np.full(groups, np.iinfo(np.int64).max, np.int64)
    high = np.full(groups, -1, np.int64)
    np.minimum.at(low, owner[given], values[given])
    np.maximum.at(high, owner[given], values[given])
    out = []
    for g in np.flatnonzero((high >= 0) & (low != high)):
        rows = np.flatnonzero(given & (owner == g))
        shown = [(int(raw.rows[r]), _as_given(column[int(r)].as_py())) for r in rows]
        differs = next(int(r) for r in rows if values[r] != values[rows[0]])
        listing_zh = "，".join(f"第 {row} 行 {_show(v)}" for row, v in shown)
        listing_en = ", ".join(f"row {row} {_show(v)}" for row, v in shown)
        key = keys[int(rows[0])].as_py()
        out.append(
            (
                int(g),
                Problem(
                    _where(ctx, "households", int(raw.rows[differs]), name),
                    Text(
                        f"户 {_show(key)} 的各行在本列不一致（{listing_zh}）：平铺登记表中一户的"
                        f"户级各列在每行须相同",
                        f"the rows of household {_show(key)} disagree in this column "
                        f"({listing_en}): in a flat register a household column repeats the "
                        f"same value on each of its rows",
                    ),
                ),
            )
        )
    return out
