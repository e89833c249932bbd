"""Status histories (``Household.history``) as an Arrow column.

:data:`HISTORY_TYPE` is the column's type, :func:`history_column` builds it from records;
the helpers here find a history header, say that a flat file cannot carry one, and take a
well-typed column with Arrow kernels when every event in it is good (the event-by-event
reading that names a bad event is in :mod:`poverty_core.registers.batch`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.checks import EVENT_DATE, event_date_problem
from poverty_core.codes import StatusEventKind
from poverty_core.errors import Problem
from poverty_core.model import Household
from poverty_core.registers.problems import _show

__all__ = ["HISTORY_TYPE", "history_column"]


HISTORY_TYPE = pa.list_(pa.struct([("kind", pa.string()), ("date", pa.date32())]))
"""The Arrow type of a household table's ``history`` column: each household's status
events (:class:`~poverty_core.model.StatusEvent`) in order."""


def history_column(records: Sequence[Household]) -> pa.Array:
    """The households' status histories as one ``history`` column
    (:data:`~poverty_core.registers.HISTORY_TYPE`),
    which :func:`~poverty_core.registers.records_from_tables` reads back."""
    return pa.array(
        [[{"kind": e.kind.value, "date": e.date} for e in r.history] for r in records],
        type=HISTORY_TYPE,
    )


_HISTORY_HEADERS = frozenset({"history", "状态变动记录"})
"""The headers of a households table's ``history`` column (as :func:`normalize` gives
them): a Parquet or Arrow IPC column of :data:`HISTORY_TYPE`; a flat file (CSV, xlsx)
cannot carry one."""


_HISTORY = "\x00history"


_HISTORY_FORMATS = Text(
    "JSON、JSON Lines、Parquet 或 Arrow IPC", "JSON, JSON Lines, Parquet or Arrow IPC"
)


def _is_history_type(t: pa.DataType) -> bool:
    """A list of structs with ``kind`` and ``date`` fields."""
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)):
        return False
    inner = t.value_type
    return pa.types.is_struct(inner) and {"kind", "date"} <= {f.name for f in inner}


def _history_flat_problem(file: str, header: str) -> Problem:
    """A ``history`` column that is not a list of events (a flat cell)."""
    return Problem(
        f"{file}:1:{header}",
        Text(
            f"状态变动记录（{header}）不能写在单个单元格中：它是一列事件（kind 事件、"
            f"date 日期），只能由 {_HISTORY_FORMATS.zh} 登记册给出"
            f"（Parquet/Arrow 中为 list<struct<kind, date>>）",
            f"a status history ({header}) cannot be given in a flat cell: it is a list of "
            f"events (kind, date), carried only by {_HISTORY_FORMATS.en} registers "
            f"(in Parquet/Arrow as list<struct<kind, date>>)",
        ),
    )


def _event_date_of(value: Any) -> tuple[dt.date | None, Text | None]:
    """An event's date from a typed or text cell, or why it is not one."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None, Text(f"不是日期：{_show(value)}", f"not a date: {_show(value)}")
    if not isinstance(value, dt.date):
        return None, Text("缺少日期", "date missing")
    return value, event_date_problem(value)


def _clean_history(column: pa.ChunkedArray | pa.Array) -> pa.Array | None:
    """A typed history column whose every event is good, as :data:`HISTORY_TYPE`
    (checked vectorised); ``None`` when it needs the event-by-event reading."""
    lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if lists.null_count:
        lists = pc.fill_null(lists, pa.scalar([], lists.type))
    events = pc.list_flatten(lists)
    if events.null_count:
        return None
    kinds, dates = events.field("kind"), events.field("date")
    if not pa.types.is_date32(dates.type) or not (
        pa.types.is_string(kinds.type) or pa.types.is_large_string(kinds.type)
    ):
        return None
    codes = pa.array([c.value for c in StatusEventKind], pa.string())
    if len(events) and (
        kinds.null_count
        or dates.null_count
        or not pc.all(pc.is_in(kinds.cast(pa.string()), value_set=codes)).as_py()
        or EVENT_DATE.failing(dates).any()
    ):
        return None
    try:
        return lists.cast(HISTORY_TYPE)
    except pa.ArrowException:  # no cast: read event by event, naming the bad one
        return None
