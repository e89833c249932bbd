"""Registers as Arrow tables: reading register files, strictly, in bounded memory.

A household register is two tables: households (one row per household, columns named
as :class:`~poverty_core.model.Household` fields, procedure steps and checklist items
flattened to ``procedures.<procedure>.<step>`` / ``checklists.<checklist>.<item>``)
and members (one row per member, a ``household_id`` column and the
:class:`~poverty_core.model.Person` fields). :func:`arrow_schema` gives their types;
:func:`~poverty_core.frame.frame_from_arrow` turns them into a frame for the engine.

Reading files: :func:`open_register`
------------------------------------

``open_register(households, members=None, ...)`` reads

* **CSV** (or tab-separated): a households file and a members file keyed by
  ``household_id`` (header ``户编号`` in a members file);
* **JSON Lines**: one household object per line with its ``members`` nested, each
  line read by the strict JSON converter (:func:`poverty_core.structure`);
* **Parquet** and **Arrow IPC** (file or stream format, ``.arrow`` ``.feather``
  ``.arrows``): a households table and a members table, or one households table with
  a nested ``members`` column (``list<struct>``); columns typed or text;
* **xlsx** (the optional extra ``poverty-core[xlsx]``, openpyxl): a households sheet
  and a members sheet, in one workbook (sheets named ``households``/``members`` or
  ``户``/``成员`` …, else the first two sheets) or in two. A merged range in a key
  column (``village_id``/``村编号``, ``county_id``/``县编号``, and a members sheet's
  ``household_id``/``户编号``) is read as its top-left value on every row it covers;
  a merged range anywhere else is a problem of each row it leaves blank, naming the
  range — never read as blank.

Status histories (``Household.history``) travel as a households ``history`` column of
:data:`HISTORY_TYPE`: read from JSON Lines, and from Parquet and Arrow IPC as
``list<struct<kind, date>>`` (dates typed or ISO text). A well-typed column whose events
are all good is taken with Arrow kernels; otherwise each event is read in Python so a bad
one can be named (``FILE:ROW:history[I].date``), as the one-record ``StatusEvent`` checks
it. A CSV or xlsx cell cannot hold a history: a ``history`` header there is an error
naming the formats that carry one.

:meth:`Register.batches` yields :class:`RegisterBatch` es of at most ``batch_size``
households with **all their members**, as typed tables matching ``arrow_schema``;
:meth:`Register.read_all` returns the whole register as one batch. Tables of villages
and counties (one file per entity kind) are read by :func:`read_table` with the same
rules.

Column names
    A column is found by its field name or any header of the alias map
    (:mod:`poverty_core.aliases`: the model's own Chinese and English labels, the
    register-export headers of ``data/aliases.toml``, and the caller's ``aliases``).
    A column no alias knows is an error listing it — never silently dropped — unless
    named in ``ignore_columns``. Columns may come in any order; a field without a
    column is unknown for every row.

Cells (text formats; typed Parquet/Arrow columns are taken as they are)
    * empty (or only spaces): unknown. Text is trimmed of surrounding spaces.
    * numbers: ``3100``, ``3100.5``, ``-1``, ``1e3``; also **accepted**: thousands
      separators in their exact form (``1,234`` and ``1,234.5``) and full-width digits
      (``１２３``). **Rejected** with a message saying why: approximate values
      (``约3000``, ``3000左右``), units (``3000元``), percentages, a comma as the
      decimal point (``1,5``), ``nan``/``inf``. Integer fields (age, years) take
      whole numbers only (``36`` or ``36.0``).
    * yes/no: ``true``/``false``, ``是``/``否``, ``1``/``0``, ``Y``/``N``, ``yes``/``no``
      (any case; more in ``data/aliases.toml``).
    * codes: the code (``illness``), its Chinese or English label (``因病``) or a
      listed synonym (``之子`` for ``child``).
    * dates: ``2016-11-13``; also ``2016/11/13``, ``2016.11.13``, ``2016年11月13日``
      and ``20161113``. A date with a time of day is rejected.
    * lists (``other_causes``, ``cadre_visits`` …): items separated by ``;`` ``；``
      ``、`` ``|`` (and ``,`` ``，`` for lists of text, codes and dates); ``[]`` is an
      empty list.
    * a text cell longer than :data:`MAX_CELL_CHARS` characters, an id longer than
      :data:`MAX_ID_CHARS`, or a cell holding a line break (the usual sign of an
      unclosed quote) is rejected; a CSV row larger than 4 MB stops the reading with
      an error (it is not register data).

Checks
    Every check of the model (age 0–150, amounts ≥ 0, ratios 0–1, years 2000–2100,
    ID-number check characters, at most two other causes, register dates from 2010 and
    not in the future, …) with the model's own messages; ids present; household ids
    unique in the whole file (in ``"skip"`` mode the first is kept, a repeat rejected);
    member ids unique within their household; every household with at least one
    member; every member in a household of the file (a member row whose household id
    is blank is one of no household); rows with as many cells as the header; with
    ``as_of``, a stated age within a year of the age the date of birth gives on that
    date. An empty file and a file with a header but no rows are errors.

Where a problem is
    Every problem is a :class:`~poverty_core.errors.Problem` whose path is
    ``FILE:ROW:COLUMN`` with the file as given, the column as headed in the file and
    ROW the row number **as a spreadsheet shows it**: in CSV and xlsx the header is row
    1 and the first household row 2 (a cell with a line break does not shift rows);
    in JSON Lines the line number; in Parquet/Arrow the 1-based row of the table.
    A member nested in a household is ``FILE:ROW:members[I].COLUMN``; a problem of a
    whole row (too few or too many cells) is ``FILE:ROW``, of the file ``FILE`` or
    ``FILE:1`` (the header).

``on_error``
    ``"fail"`` (default): every problem of the whole register is collected (up to
    ``max_problems``, then counted) and :class:`~poverty_core.errors.InputError` is
    raised before anything is returned. :meth:`Register.batches` then reads the
    register twice: once to validate it, keeping nothing, once for the batches (no
    copy of the register, which holds names and ID numbers, is ever written).
    ``"skip"``: bad households (and all their members) are left out of the batch and
    listed in :attr:`RegisterBatch.rejected` with their problems, so that households
    read = households returned + households rejected (and likewise member rows). A
    household one of whose member rows is rejected is rejected too: it is never
    decided without a member. Problems of the file as a whole (unreadable, unknown
    columns, members out of order …) raise in both modes.

Streaming
    Peak memory follows ``batch_size``, not the file: CSV and xlsx are read in blocks,
    Parquet by row group, Arrow IPC by record batch. With a separate members file the
    members must come **in the order of their households** (both files sorted by
    household id, as register exports are) so that each batch can be completed; a member
    row that comes after the batch of its household was finished is an error saying so
    (:meth:`Register.read_all` has no such requirement). Household ids seen are kept
    (a few bytes each) to find repeats across the whole file.
"""

from __future__ import annotations

import abc
import codecs
import contextlib
import contextvars
import csv
import datetime as dt
import difflib
import functools
import io
import json
import math
import os
import queue
import re
import threading
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core import vocabulary as _vocabulary
from poverty_core._text import Text
from poverty_core.aliases import (
    ENTITIES,
    AliasMap,
    entity_columns,
    normalize,
    on_command_line,
    option,
)
from poverty_core.codes import Code, StatusEventKind
from poverty_core.convert import structure
from poverty_core.errors import InputError, PovertyCoreError, Problem
from poverty_core.form import national_form
from poverty_core.form_reading import FormReading
from poverty_core.model import (
    EARLIEST_EVENT,
    County,
    Household,
    Person,
    Village,
    _event_date_problem,
    part_whole_problems,
)
from poverty_core.privacy import mask_id_number
from poverty_core.vocabulary import CORE, Vocabulary

__all__ = [
    "FORMATS",
    "HISTORY_TYPE",
    "LAYOUTS",
    "MAX_CELL_CHARS",
    "MAX_ID_CHARS",
    "MEMBER_KEY",
    "FileCount",
    "MissingExtra",
    "Register",
    "RegisterBatch",
    "Rejected",
    "arrow_schema",
    "csv_ready",
    "history_column",
    "open_register",
    "read_table",
    "records_from_tables",
    "tables_from_records",
]

MEMBER_KEY = "household_id"
"""The column of the members table naming each member's household."""

MAX_CELL_CHARS = 4096
"""The longest text cell accepted (characters); a longer one is a problem of its row."""

MAX_ID_CHARS = 100
"""The longest id accepted (household, member, village, county ids)."""

FORMATS = ("csv", "jsonl", "parquet", "arrow", "xlsx")
"""The file formats :func:`open_register` reads (``format=``)."""

LAYOUTS = ("flat", "two-file", "nested")
"""The shapes of a household register :func:`open_register` reads (``layout=``): one file
with a row per person (``flat``), a households table and a members table (``two-file``),
or households with their members inside (``nested``: JSON Lines, or Parquet/Arrow with a
``members`` list column)."""

OnError = Literal["fail", "skip"]
Rows = npt.NDArray[np.int64]
_T = TypeVar("_T")


def _arrow_type(tp: Any) -> pa.DataType:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        tp = args[0]
    if typing.get_origin(tp) is tuple:
        return pa.list_(_arrow_type(typing.get_args(tp)[0]))
    simple: dict[Any, pa.DataType] = {
        bool: pa.bool_(),
        int: pa.int64(),
        float: pa.float64(),
        str: pa.string(),
        dt.date: pa.date32(),
    }
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and issubclass(tp, Code):
        return pa.string()
    raise TypeError(f"no Arrow type for {tp!r}")


def arrow_schema(kind: type[Any], *, member_table: bool = False) -> pa.Schema:
    """The Arrow schema of a record kind's table (members: ``member_table=True`` with
    ``kind=Person``). Mapping fields (procedures, checklists) are flattened per use and
    so are not in the schema; ``members`` and ``history`` are separate tables."""
    hints = typing.get_type_hints(kind)
    fields = []
    if member_table:
        fields.append(pa.field(MEMBER_KEY, pa.string(), nullable=False))
    for a in attrs.fields(kind):
        if a.name in ("members", "history", "procedures", "checklists"):
            continue
        fields.append(pa.field(a.name, _arrow_type(hints[a.name]), nullable=a.name != "id"))
    return pa.schema(fields)


def _cell(value: Any) -> Any:
    if isinstance(value, Code):
        return value.value
    if isinstance(value, tuple):
        return [_cell(v) for v in value]
    return value


def tables_from_records(
    records: Sequence[Any], *, history: bool = False
) -> tuple[pa.Table, pa.Table | None]:
    """Households (or villages, counties) as Arrow tables: the records' table and, for
    households, the members' table; with ``history=True``, the households' status
    histories as a ``history`` column (:data:`~poverty_core.columnar.HISTORY_TYPE`; the
    register file formats do not carry it)."""
    if not records:
        raise ValueError("no records")
    kind = type(records[0])
    schema = arrow_schema(kind)
    data: dict[str, list[Any]] = {
        f.name: [_cell(getattr(r, f.name)) for r in records] for f in schema
    }
    table = pa.Table.from_pydict(data, schema=schema)
    for field_name in ("procedures", "checklists"):
        if not hasattr(kind, "__attrs_attrs__") or field_name not in attrs.fields_dict(kind):
            continue
        keys = sorted(
            {(a, b) for r in records for a, inner in getattr(r, field_name).items() for b in inner}
        )
        for a, b in keys:
            values = [getattr(r, field_name).get(a, {}).get(b) for r in records]
            arrow_type = pa.date32() if field_name == "procedures" else pa.bool_()
            table = table.append_column(f"{field_name}.{a}.{b}", pa.array(values, type=arrow_type))
    if not issubclass(kind, Household):
        return table, None
    if history:
        table = table.append_column("history", history_column(records))
    # a pack's household class holds the pack's person class
    people = [p for r in records for p in r.members]
    member_schema = arrow_schema(type(people[0]) if people else Person, member_table=True)
    rows: dict[str, list[Any]] = {f.name: [] for f in member_schema}
    for record in records:
        for person in record.members:
            rows[MEMBER_KEY].append(record.id)
            for f in member_schema:
                if f.name != MEMBER_KEY:
                    rows[f.name].append(_cell(getattr(person, f.name)))
    return table, pa.Table.from_pydict(rows, schema=member_schema)


HISTORY_TYPE = pa.list_(pa.struct([("kind", pa.string()), ("date", pa.date32())]))
"""The Arrow type of a household table's ``history`` column: each household's status
events (:class:`~poverty_core.model.StatusEvent`) in order."""


def history_column(records: Sequence[Household]) -> pa.Array:
    """The households' status histories as one ``history`` column
    (:data:`~poverty_core.columnar.HISTORY_TYPE`),
    which :func:`~poverty_core.columnar.records_from_tables` reads back."""
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
    return value, _event_date_problem(value)


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
        or pc.min(dates).as_py() < EARLIEST_EVENT
        or pc.max(dates).as_py() > dt.date.today()
    ):
        return None
    try:
        return lists.cast(HISTORY_TYPE)
    except pa.ArrowException:  # no cast: read event by event, naming the bad one
        return None


def _read_history(
    ctx: _Context, hh: _Raw, column: pa.ChunkedArray | pa.Array
) -> tuple[pa.Array, list[tuple[int, Problem]]]:
    """The households' histories as :data:`HISTORY_TYPE`, each event checked as
    :class:`~poverty_core.model.StatusEvent` is (its kind from the code list, its date a
    valid date on or after the register began); a bad event is a problem at
    ``FILE:ROW:history[I].FIELD``."""
    fast = _clean_history(column)
    if fast is not None:
        return fast, []
    header = ctx.headers["households"].get("history", "history")
    file = ctx.files["households"]
    values = column.to_pylist()
    out: list[list[dict[str, Any]] | None] = []
    problems: list[tuple[int, Problem]] = []
    for i, events in enumerate(values):
        row = int(hh.rows[i])
        kept: list[dict[str, Any]] = []
        for k, event in enumerate(events or ()):
            where = f"{file}:{row}:{header}[{k}]"
            if event is None:
                problems.append((i, Problem(where, Text("事件为空", "empty event"))))
                continue
            raw_kind = event.get("kind")
            try:
                kind = StatusEventKind.parse(raw_kind)
            except (ValueError, TypeError):
                known = ", ".join(c.value for c in StatusEventKind)
                problems.append(
                    (
                        i,
                        Problem(
                            f"{where}.kind",
                            Text(
                                f"未知的事件：{_show(raw_kind)}（可用：{known}）",
                                f"unknown event: {_show(raw_kind)} (one of: {known})",
                            ),
                        ),
                    )
                )
                kind = None
            date, why = _event_date_of(event.get("date"))
            if why is not None:
                problems.append((i, Problem(f"{where}.date", why)))
            if kind is not None and date is not None and why is None:
                kept.append({"kind": kind.value, "date": date})
        out.append(kept)
    return pa.array(out, type=HISTORY_TYPE), problems


def csv_ready(table: pa.Table) -> pa.Table:
    """A typed register table in the text form the CSV reader reads back: list columns
    joined with ``;`` (an empty list as ``[]``); other columns as they are (the Arrow
    CSV writer writes dates as ``YYYY-MM-DD`` and booleans as ``true``/``false``).

    >>> import pyarrow as pa
    >>> t = pa.table({"other_causes": pa.array([["illness", "disaster"], [], None])})
    >>> csv_ready(t).column(0).to_pylist()
    ['illness;disaster', '[]', None]
    """
    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
            items = pc.cast(column, pa.list_(pa.string()))
            joined = pc.binary_join(items, ";")
            empty = pc.equal(pc.list_value_length(items), 0)
            column = pc.if_else(empty, pa.scalar("[]"), joined)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


# -- errors ----------------------------------------------------------------------------


class MissingExtra(PovertyCoreError, ImportError):
    """An optional dependency is needed for a file format (xlsx needs openpyxl)."""

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


# -- column specs ------------------------------------------------------------------------


@attrs.frozen
class _Spec:
    """How one column is typed and checked."""

    name: str
    kind: str  # text float int bool date code list unnamed
    type: Any
    code: type[Code] | None = None
    item: _Spec | None = None
    check: Callable[[Any], Text | None] | None = None
    id: bool = False


_KIND_WORDS: dict[str, tuple[str, str]] = {
    "text": ("文本", "text"),
    "float": ("数值", "a number"),
    "finite": ("有限数值", "a finite number"),
    "int": ("整数", "an integer"),
    "bool": ("是/否", "yes/no (true/false, 是/否, 1/0, Y/N)"),
    "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "code": ("代码", "a code"),
    "list": ("列表", "a list"),
}


def _spec_of(name: str, tp: Any, check: Any = None) -> _Spec:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        tp = args[0]
    ident = name in ("id", MEMBER_KEY, "village_id", "county_id")
    if typing.get_origin(tp) is tuple:
        item = _spec_of(name, typing.get_args(tp)[0])
        return _Spec(name, "list", pa.list_(item.type), item=item, check=check)
    if tp is bool:
        return _Spec(name, "bool", pa.bool_(), check=check)
    if tp is int:
        return _Spec(name, "int", pa.int64(), check=check)
    if tp is float:
        return _Spec(name, "float", pa.float64(), check=check)
    if tp is dt.date:
        return _Spec(name, "date", pa.date32(), check=check)
    if isinstance(tp, type) and issubclass(tp, Code):
        return _Spec(name, "code", pa.string(), code=tp, check=check)
    if tp is str:
        return _Spec(name, "text", pa.string(), check=check, id=ident)
    raise TypeError(f"no column spec for {tp!r}")


@functools.cache
def _specs(entity: str, vocabulary: Vocabulary = CORE) -> dict[str, _Spec]:
    """The column specs of a table of ``entity``: the core model's columns and those of
    the fields the applied pack declares (``vocabulary``), made once per vocabulary."""
    kind = ENTITIES[entity]
    hints = typing.get_type_hints(kind)
    fields = attrs.fields_dict(kind)
    out: dict[str, _Spec] = {}
    declared = vocabulary.on(entity)
    for name in entity_columns(entity, vocabulary):
        if name == MEMBER_KEY and entity == "members":
            out[name] = _Spec(name, "text", pa.string(), id=True)
            continue
        if name not in fields:  # a field a pack declares (poverty_core.vocabulary)
            f = declared[name]
            out[name] = _spec_of(name, f.python_type(), f.check())
            continue
        a = fields[name]
        out[name] = _spec_of(name, hints[name], a.metadata.get("check"))
    return out


def _spec_in(entity: str, column: str, vocabulary: Vocabulary = CORE) -> _Spec:
    """The spec of a column of a source of ``entity`` (a flat source's member columns are
    ``members.<name>``)."""
    if entity == FLAT:
        if column.startswith(_MEMBERS):
            return _column_spec("members", column[len(_MEMBERS) :], vocabulary)
        return _column_spec("households", column, vocabulary)
    return _column_spec(entity, column, vocabulary)


@functools.cache
def _column_spec(entity: str, name: str, vocabulary: Vocabulary = CORE) -> _Spec:
    spec = _specs(entity, vocabulary).get(name)
    if spec is not None:
        return spec
    for prefix, kind, arrow in (
        ("procedures", "date", pa.date32()),
        ("checklists", "bool", pa.bool_()),
    ):
        if name.startswith(prefix + "."):
            fields = attrs.fields_dict(ENTITIES[entity])
            check = fields[prefix].metadata.get("check") if prefix in fields else None
            return _Spec(
                name, kind, arrow, check=None if check is None else _one_entry(check, name)
            )
    return _Spec(name, "unnamed", pa.null())


def _one_entry(check: Callable[[Any], Text | None], name: str) -> Callable[[Any], Text | None]:
    """The check of a mapping field (``procedures``) on the one entry a flattened column
    holds, with the model's message."""
    _, outer, inner = name.split(".", 2)

    def entry(value: Any) -> Text | None:
        return check({outer: {inner: value}})

    entry.__name__ = "_mapping_entry"
    return entry


def _schema(entity: str, flat: Iterable[str], vocabulary: Vocabulary = CORE) -> pa.Schema:
    if entity == "members":
        base = arrow_schema(Person, member_table=True)
    else:
        base = arrow_schema(ENTITIES[entity])
    own = set(base.names)
    declared = [
        pa.field(n, _column_spec(entity, n, vocabulary).type)
        for n in entity_columns(entity, vocabulary)
        if n not in own and n != MEMBER_KEY
    ]
    flat = sorted(flat, key=_flat_key)
    return pa.schema([*base, *declared, *(pa.field(n, _column_spec(entity, n).type) for n in flat)])


def _flat_key(name: str) -> tuple[int, str, str]:
    """Flattened columns in the order :func:`tables_from_records` gives them."""
    prefix, outer, inner = name.split(".", 2)
    return (0 if prefix == "procedures" else 1, outer, inner)


# -- cells -------------------------------------------------------------------------------

Bad = list[tuple[int, Text]]
"""Problems of one column: (row index in the batch, message)."""


def _expect(kind: str, value: Any) -> Text:
    zh, en = _KIND_WORDS.get(kind, (kind, kind))
    return Text(f"应为{zh}（实为 {_show(value)}）", f"expected {en} (got {_show(value)})")


def _mask(arr: Any) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array (nulls false) as numpy."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _valid(arr: Any) -> npt.NDArray[np.bool_]:
    return _mask(arr.is_valid())


def _clean(arr: pa.Array) -> pa.Array:
    """Text trimmed of surrounding spaces; empty cells null."""
    if _may_need_trim(arr):
        arr = pc.utf8_trim_whitespace(arr)
    return _empty_to_null(arr)


def _may_need_trim(arr: pa.Array) -> bool:
    """Whether some cell may start or end with a space (a look at the first and last
    byte of each cell: ASCII ones other than spaces rule it out)."""
    n = len(arr)
    if not n or not pa.types.is_string(arr.type):
        return True
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None:
        return False
    nonempty = offsets[1:] > offsets[:-1]
    if not nonempty.any():
        return False
    raw = np.frombuffer(data, np.uint8)
    ends = np.concatenate([raw[offsets[:-1][nonempty]], raw[offsets[1:][nonempty] - 1]])
    return bool(((ends <= 0x20) | (ends >= 0x7F)).any())


def _empty_to_null(arr: pa.Array) -> pa.Array:
    """Empty cells null (the cheap first step before a fast cast)."""
    lengths = pc.binary_length(arr)
    if (pc.min(lengths).as_py() or 0) > 0:
        return arr
    return pc.if_else(pc.equal(lengths, 0), pa.scalar(None, arr.type), arr)


def _convert(arr: Any, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """One column as ``spec.type`` and the problems of its cells."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    n = len(arr)
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", _no)(t):
        arr = arr.cast(pa.string())
        t = arr.type
    if spec.kind == "unnamed":
        text = _clean(arr.cast(pa.string())) if not pa.types.is_string(t) else _clean(arr)
        rows = np.flatnonzero(_valid(text))
        message = Text("表头为空的列中有值", "a value in a column without a header")
        return pa.nulls(n), [(int(i), message) for i in rows]
    if pa.types.is_null(t) or arr.null_count == n:
        return pa.nulls(n, spec.type), []
    if pa.types.is_string(t):
        if not pc.max(pc.binary_length(arr)).as_py():
            return pa.nulls(n, spec.type), []
        return _from_text(arr, spec, aliases)
    return _from_typed(arr, spec, aliases)


def _no(_: Any) -> bool:
    return False


def _from_text(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """A text column (cells untrimmed) as ``spec.type``."""
    n = len(text)
    kind = spec.kind
    text = _clean(text) if kind in ("text", "list") else _empty_to_null(text)
    if text.null_count == n:
        return pa.nulls(n, spec.type), []
    if kind == "text":
        return _texts(text, spec)
    if kind in ("float", "int"):
        return _numbers(text, spec)
    if kind == "bool":
        return _booleans(text, aliases)
    if kind == "code":
        return _codes(text, spec, aliases)
    if kind == "date":
        return _dates(text)
    if kind == "list":
        return _lists(text, spec, aliases)
    raise AssertionError(kind)


_CONTROL = r"[\x00-\x1f\x7f]"


def _suspect(text: pa.Array, limit: int) -> bool:
    """Whether some cell may be too long or hold a control character (a fast scan of
    the bytes; the cells are looked at one by one only then)."""
    n = len(text)
    if not n:
        return False
    if (pc.max(pc.binary_length(text)).as_py() or 0) > limit:
        return True
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return False
    chunk = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]]
    return bool(((chunk < 32) | (chunk == 127)).any())


def _texts(text: pa.Array, spec: _Spec) -> tuple[pa.Array, Bad]:
    limit = MAX_ID_CHARS if spec.id else MAX_CELL_CHARS
    if not _suspect(text, limit):
        return text, []
    long_ = pc.greater(pc.utf8_length(text), limit)
    control = pc.match_substring_regex(text, _CONTROL)
    bad_rows = np.flatnonzero(_mask(pc.or_(long_, control)))
    bad: Bad = []
    for i in bad_rows:
        value = text[int(i)].as_py()
        if len(value) > limit:
            bad.append(
                (
                    int(i),
                    Text(
                        f"过长（{len(value)} 个字符，最多 {limit}）",
                        f"too long ({len(value)} characters; at most {limit})",
                    ),
                )
            )
        else:
            bad.append(
                (
                    int(i),
                    Text(
                        f'含换行或控制字符（上方可能有未闭合的引号 "）：{_show(value)}',
                        f'contains a line break or control character (an unclosed quote " '
                        f"above?): {_show(value)}",
                    ),
                )
            )
    return text, bad


_ARROW_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER = re.compile(_ARROW_NUMBER)
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_APPROX = ("约", "大约", "左右", "上下", "多", "余", "~", "≈")
_UNITS = ("元", "万", "%", "％", "亩", "人", "岁", "年", "米", "升", "分钟", "天")


def _parse_number(raw: str) -> float | Text:
    """A number from a cell the fast path did not take, or why it is not one."""
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        value = float(text)
        if math.isfinite(value):
            return value
        return _expect("float", raw)
    shown = _show(raw)
    if any(word in text for word in _APPROX):
        return Text(
            f"不接受约数：{shown}（请填写确数，如 3000）",
            f"an approximate value is not a number: {shown} (give the number alone, e.g. 3000)",
        )
    if re.search(r"\d", text) and any(unit in text for unit in _UNITS):
        return Text(
            f"数值不能带单位：{shown}（只填数字，如 3000）",
            f"a number without units, please: {shown} (e.g. 3000)",
        )
    if re.fullmatch(r"[+-]?\d+(,\d+)+(\.\d+)?", text):
        return Text(
            f"无法识别的数字分组：{shown}（小数点用 .，千分位只能写作 1,234）",
            f"unclear digit grouping: {shown} (use . for decimals; thousands only as 1,234)",
        )
    return Text(
        f"不是数值：{shown}（只填数字，如 3000）",
        f"not a number: {shown} (write digits only, e.g. 3000)",
    )


def _numbers(text: pa.Array, spec: _Spec) -> tuple[pa.Array, Bad]:
    is_int = spec.kind == "int"
    target = pa.int64() if is_int else pa.float64()
    with contextlib.suppress(pa.ArrowInvalid):
        values = pc.cast(text, target)
        if is_int or not _nonfinite(values).any():
            return values, []
    text = _clean(text)
    bad: Bad = []
    try:
        values = pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        plain = _mask(pc.match_substring_regex(text, _ARROW_NUMBER))
        fast = pc.cast(
            pc.if_else(pa.array(plain), text, pa.scalar(None, pa.string())), pa.float64()
        )
        v = np.array(pc.fill_null(fast, 0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        known = _valid(fast)
        for i in np.flatnonzero(_valid(text) & ~plain):
            parsed = _parse_number(text[int(i)].as_py())
            if isinstance(parsed, Text):
                bad.append((int(i), parsed))
            else:
                v[i] = parsed
                known[i] = True
        values = pa.array(v, mask=~known)
    v = np.array(pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    known = _valid(values)
    bad_rows = {i for i, _ in bad}
    for i in np.flatnonzero(known & ~np.isfinite(v)):
        bad.append((int(i), _expect("finite", text[int(i)].as_py())))
        known[i] = False
    if not is_int:
        return pa.array(v, mask=~known), bad
    whole = known & (np.floor(v) == v) & (np.abs(v) <= 2.0**53)
    for i in np.flatnonzero(known & ~whole):
        if int(i) not in bad_rows:
            bad.append((int(i), _expect("int", text[int(i)].as_py())))
    return pa.array(np.where(whole, v, 0).astype(np.int64), mask=~whole), bad


def _nonfinite(values: pa.Array) -> npt.NDArray[np.bool_]:
    return _valid(values) & ~_mask(pc.is_finite(values))


def _booleans(text: pa.Array, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.bool_()), []
    encoded = pc.dictionary_encode(text)
    words = encoded.dictionary.to_pylist()
    lut = [aliases.boolean(w) for w in words]
    blank = np.array([not w.strip() for w in words] or [False], dtype=np.bool_)
    values = np.array([bool(x) for x in lut] or [False], dtype=np.bool_)
    known = np.array([x is not None for x in lut] or [False], dtype=np.bool_)
    index = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False))
    valid = _valid(text)
    ok = valid & known[index]
    bad: Bad = []
    for i in np.flatnonzero(valid & ~ok & ~blank[index]):
        shown = _show(text[int(i)].as_py())
        bad.append(
            (
                int(i),
                Text(
                    f"不是是/否：{shown}（可用 是/否、true/false、1/0、Y/N）",
                    f"not yes/no: {shown} (use true/false, 是/否, 1/0 or Y/N)",
                ),
            )
        )
    return pa.array(values[index], mask=~ok), bad


def _code_message(value: Any, cls: type[Code]) -> Text:
    codes = ", ".join(f"{m.value}/{m.label.zh}" for m in cls)
    return Text(
        f"{_show(value)} 不是{cls.list_name()}的代码；可用：{codes}",
        f"{_show(value)} is not a {cls.list_name()} code; expected one of: {codes}",
    )


def _codes(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    assert spec.code is not None
    encoded = pc.dictionary_encode(text)
    words = encoded.dictionary.to_pylist()
    mapped = [aliases.code(spec.code, w) for w in words]
    if all(m is not None and m.value == w for m, w in zip(mapped, words, strict=True)):
        return text, []
    lut = pa.array([None if m is None else m.value for m in mapped], pa.string())
    blank = np.array([not w.strip() for w in words] or [False], dtype=np.bool_)
    out = pc.take(lut, encoded.indices)
    index = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False))
    bad: Bad = []
    for i in np.flatnonzero(_valid(text) & ~_valid(out) & ~blank[index]):
        bad.append((int(i), _code_message(text[int(i)].as_py(), spec.code)))
    return out, bad


_DATE_PATTERNS = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)
_EPOCH = np.datetime64("1970-01-01", "D")


def _ymd(y: Any, m: Any, d: Any) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.bool_]]:
    """Days since 1970 of year/month/day arrays, and which are real dates."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1) & (y <= 9999)
    y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
    months = ((y - 1970) * 12 + (m - 1)).astype("timedelta64[M]") + np.datetime64("1970-01", "M")
    days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months
    return (days - _EPOCH).astype(np.int32), ok


def _dates(text: pa.Array) -> tuple[pa.Array, Bad]:
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.date32()), []
    text = _clean(text)
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(text, pa.date32()), []
    n = len(text)
    norm = pc.utf8_normalize(text, "NFKC")
    days = np.zeros(n, dtype=np.int32)
    known = np.zeros(n, dtype=np.bool_)
    for pattern in _DATE_PATTERNS:
        parts = pc.extract_regex(norm, pattern)
        hit = _valid(parts) & ~known
        if not hit.any():
            continue
        y, m, d = (
            np.asarray(
                pc.cast(pc.if_else(pa.array(hit), parts.field(k), "0"), pa.int64()).to_numpy(
                    zero_copy_only=False
                )
            )
            for k in ("y", "m", "d")
        )
        got, ok = _ymd(y, m, d)
        take = hit & ok
        days[take] = got[take]
        known |= take
    bad: Bad = []
    for i in np.flatnonzero(_valid(text) & ~known):
        shown = _show(text[int(i)].as_py())
        bad.append(
            (
                int(i),
                Text(
                    f"不是有效日期：{shown}（应为 YYYY-MM-DD）",
                    f"not a valid date: {shown} (expected YYYY-MM-DD)",
                ),
            )
        )
    return pa.array(days, pa.int32(), mask=~known).cast(pa.date32()), bad


def _lists(text: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    assert spec.item is not None
    seps = ["；", "、", "|"] + ([] if spec.item.kind in ("float", "int") else [",", "，"])
    text = pc.if_else(pc.equal(text, "[]"), "", text)
    for sep in seps:
        text = pc.replace_substring(text, sep, ";")
    parts = pc.split_pattern(text, ";")
    return _rebuild_list(parts, spec, aliases, is_text=True)


def _rebuild_list(
    parts: pa.Array, spec: _Spec, aliases: AliasMap, *, is_text: bool
) -> tuple[pa.Array, Bad]:
    """A list column with every item converted; empty text items dropped."""
    assert spec.item is not None
    n = len(parts)
    flat = pc.list_flatten(parts)
    parents = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False), np.int64)
    bad: Bad = []
    if is_text:
        flat = _clean(flat)
        keep = _valid(flat)
        flat = flat.filter(pa.array(keep))
        parents = parents[keep]
    else:
        for j in np.flatnonzero(~_valid(flat)):
            bad.append((int(parents[j]), Text("列表中有空项", "the list has an empty (null) item")))
    items, item_bad = _convert(flat, spec.item, aliases)
    bad += [(int(parents[j]), text) for j, text in item_bad]
    counts = np.bincount(parents, minlength=n) if len(parents) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    null = ~_valid(parts)
    out = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()), items, type=spec.type, mask=pa.array(null)
    )
    return out, bad


def _from_typed(arr: pa.Array, spec: _Spec, aliases: AliasMap) -> tuple[pa.Array, Bad]:
    """A typed (Parquet/Arrow) column: taken as it is when its type fits."""
    t = arr.type
    kind = spec.kind
    n = len(arr)
    is_int = pa.types.is_integer(t)
    is_num = is_int or pa.types.is_floating(t) or pa.types.is_decimal(t)

    def every_cell_bad() -> tuple[pa.Array, Bad]:
        valid = _valid(arr)
        return pa.nulls(n, spec.type), [
            (int(i), _expect(kind, arr[int(i)].as_py())) for i in np.flatnonzero(valid)
        ]

    if kind == "text":
        if is_int:
            return _texts(arr.cast(pa.string()), spec)
        return every_cell_bad()
    if kind in ("float", "int"):
        if not is_num:
            return every_cell_bad()
        values = pc.cast(arr, pa.float64(), safe=False)
        v = np.asarray(pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False), np.float64)
        known = _valid(arr)
        bad: Bad = []
        finite = np.isfinite(v)
        for i in np.flatnonzero(known & ~finite):
            bad.append((int(i), _expect("finite", str(arr[int(i)].as_py()))))
        if kind == "float":
            return pa.array(v, mask=~(known & finite)), bad
        if is_int:
            with contextlib.suppress(pa.ArrowInvalid):
                return pc.cast(arr, pa.int64()), []
        whole = known & finite & (np.floor(v) == v) & (np.abs(v) <= 2.0**53)
        for i in np.flatnonzero(known & finite & ~whole):
            bad.append((int(i), _expect("int", arr[int(i)].as_py())))
        return pa.array(np.where(whole, v, 0).astype(np.int64), mask=~whole), bad
    if kind == "bool":
        if pa.types.is_boolean(t):
            return arr, []
        if is_int:
            v = np.asarray(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False))
            known = _valid(arr)
            ok = known & ((v == 0) | (v == 1))
            return pa.array(v == 1, mask=~ok), [
                (int(i), _expect("bool", int(v[i]))) for i in np.flatnonzero(known & ~ok)
            ]
        return every_cell_bad()
    if kind == "date":
        if pa.types.is_date32(t):
            return arr, []
        if pa.types.is_date64(t):
            return arr.cast(pa.date32()), []
        if pa.types.is_timestamp(t):
            stamps = pc.cast(arr, pa.timestamp("s", t.tz), safe=False)
            day = pc.cast(stamps, pa.date32())
            midnight = _mask(pc.equal(pc.cast(day, pa.timestamp("s", t.tz)), stamps))
            known = _valid(arr)
            return pc.if_else(pa.array(midnight), day, pa.scalar(None, pa.date32())), [
                (int(i), _expect("date", str(arr[int(i)].as_py())))
                for i in np.flatnonzero(known & ~midnight)
            ]
        return every_cell_bad()
    if kind == "list":
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            return _rebuild_list(arr, spec, aliases, is_text=False)
        return every_cell_bad()
    return every_cell_bad()


# -- checks ------------------------------------------------------------------------------

_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "_non_negative": (0, None),
    "_age": (0, 150),
    "_ratio": (0, 1),
    "_year": (2000, 2100),
}
"""The range checks of :mod:`poverty_core.model` done vectorised (by the check's name;
a test keeps them equal to the model's). Any other check runs cell by cell."""

_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


Memo = dict[Any, dict[Any, Any]]
"""Check results by check and value, kept for one reading of a register."""


def _check_column(arr: pa.Array, spec: _Spec, skip: npt.NDArray[np.bool_], memo: Memo) -> Bad:
    """The model's check of ``spec`` on every known cell not in ``skip``: vectorised for
    the range checks, else on each distinct value (dates have few), else cell by cell."""
    check = spec.check
    if check is None:
        return []
    name = getattr(check, "__name__", "")
    if name in ("_non_empty_id", "_check_members"):
        return []
    valid = _valid(arr) & ~skip
    if not valid.any():
        return []
    known: dict[Any, Any] = memo.setdefault(check, {})
    if spec.kind != "list" and name not in _BOUNDS and name != "_id_number":
        chosen = arr.filter(pa.array(valid))
        failing = []
        for value in pc.unique(chosen).to_pylist():
            if value not in known:
                known[value] = check(value)
            if known[value] is not None:
                failing.append(value)
        if not failing:
            return []
        hit = valid & _mask(pc.is_in(arr, value_set=pa.array(failing, arr.type)))
        return [(int(i), known[arr[int(i)].as_py()]) for i in np.flatnonzero(hit)]
    if name in _BOUNDS:
        lo, hi = _BOUNDS[name]
        out = np.zeros(len(arr), np.bool_)
        if lo is not None:
            out |= _mask(pc.less(arr, lo))
        if hi is not None:
            out |= _mask(pc.greater(arr, hi))
        candidates = np.flatnonzero(out & valid)
    elif name == "_id_number":
        candidates = _bad_id_numbers(arr, valid)
    elif name == "_check_other_causes" and pa.types.is_list(arr.type):
        lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(), np.int64)
        two = valid & (lengths == 2)
        same = np.zeros(len(arr), np.bool_)
        if two.any():
            pairs = arr.filter(pa.array(two))
            equal = pc.equal(pc.list_element(pairs, 0), pc.list_element(pairs, 1))
            same[np.flatnonzero(two)] = _mask(equal)
        candidates = np.flatnonzero(valid & ((lengths > 2) | same))
    elif name == "_event_dates":
        # A list of dates fails when one of its dates does: look at each distinct date.
        items = pc.list_flatten(arr)
        parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
        failing = []
        for value in pc.unique(items).to_pylist():
            if value is not None and (value,) not in known:
                known[(value,)] = check((value,))
            if value is not None and known[(value,)] is not None:
                failing.append(value)
        hit_items = _mask(pc.is_in(items, value_set=pa.array(failing, items.type)))
        rows = np.zeros(len(arr), np.bool_)
        rows[parents[hit_items]] = True
        candidates = np.flatnonzero(valid & rows)
    else:
        candidates = np.flatnonzero(valid)
    bad: Bad = []
    for i in candidates:
        value = arr[int(i)].as_py()
        if isinstance(value, list):
            value = tuple(value)
        message = check(value)
        if message is not None:
            bad.append((int(i), message))
    return bad


def _bad_id_numbers(arr: pa.Array, valid: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Rows whose ID number is not 17 digits and a right check character."""
    shaped = _mask(pc.match_substring_regex(arr, r"^\d{17}[\dXx]$")) & valid
    out = valid & ~shaped
    rows = np.flatnonzero(shaped)
    if len(rows):
        chosen = pc.take(arr, pa.array(rows))  # a fresh array: offset 0, 18 bytes each
        offsets = np.frombuffer(chosen.buffers()[1], dtype=np.int32)[: len(chosen) + 1]
        data = np.frombuffer(chosen.buffers()[2], dtype=np.uint8)
        grid = data[offsets[:-1, None] + np.arange(18)]
        total = (grid[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
        last = np.where(grid[:, 17] == ord("x"), ord("X"), grid[:, 17])
        out[rows[_ID_CHECK[total % 11] != last]] = True
        out[rows[~_id_birth_ok(grid)]] = True
    return np.flatnonzero(out)


def _id_birth_ok(grid: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Rows (18 ASCII digits each) whose date of birth (characters 7–14) is a real date:
    the test of python-stdnum's ``stdnum.cn.ric.get_birth_date``, which the model uses
    (see :func:`poverty_core.privacy.valid_id_number`), done over the column at once."""
    digits = grid[:, :14].astype(np.int64) - 48
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    ok: npt.NDArray[np.bool_] = (
        (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (year >= 1)
    )
    return ok


# -- ids seen ----------------------------------------------------------------------------


def _key_bytes(arr: pa.Array) -> npt.NDArray[Any]:
    """Ids as fixed-width bytes, for sorting and searching (null, and ids too long to
    be ids, as empty)."""
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype="S1")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr, "")
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    lengths = np.diff(offsets)
    width = int(lengths.max()) if n else 0
    if width > 4 * MAX_ID_CHARS:
        arr = pc.if_else(pc.greater(pc.binary_length(arr), 4 * MAX_ID_CHARS), "", arr)
    elif width and int(lengths.min()) == width:
        # Ids of one length (the usual register codes): the bytes as they lie.
        data = np.frombuffer(arr.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
        return data.reshape(n, width).view(f"S{width}").ravel()
    return np.asarray(arr.cast(pa.binary()).to_numpy(zero_copy_only=False).astype("S"))


class _Seen:
    """Ids of the batches already given out, with their rows: sorted runs merged as
    they grow (a log-structured index), so adding and finding stay fast at 10^7 ids."""

    def __init__(self) -> None:
        self.levels: list[tuple[npt.NDArray[Any], npt.NDArray[np.int32]]] = []

    def add(self, keys: npt.NDArray[Any], rows: Rows) -> None:
        """Remember ``keys`` first seen on ``rows``."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.levels.append((keys[order], rows[order].astype(np.int32)))
        while len(self.levels) > 1 and len(self.levels[-2][0]) <= 2 * len(self.levels[-1][0]):
            (k1, r1), (k2, r2) = self.levels[-2], self.levels[-1]
            # Merge two sorted runs in one allocation (older first among equal keys).
            n = len(k1) + len(k2)
            at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
            older = np.ones(n, np.bool_)
            older[at] = False
            keys_all = np.empty(n, dtype=np.result_type(k1.dtype, k2.dtype))
            rows_all = np.empty(n, dtype=np.int32)
            keys_all[at], rows_all[at] = k2, r2
            keys_all[older], rows_all[older] = k1, r1
            self.levels[-2:] = [(keys_all, rows_all)]

    def find(self, keys: npt.NDArray[Any]) -> Rows:
        """The row of each key's first sighting, or -1."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for level_keys, level_rows in self.levels:
            if not len(keys):
                break
            pos = np.searchsorted(level_keys, keys)
            pos = np.minimum(pos, len(level_keys) - 1)
            hit = (level_keys[pos] == keys) & (out < 0)
            out[hit] = level_rows[pos[hit]]
        return out


# -- sources -----------------------------------------------------------------------------


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


FLAT = "flat"
"""The entity of a flat register's source: each row a member with its household's columns
(household columns by name, member columns as ``members.<name>``, the household's id as
``id``)."""

_MEMBERS = "members."


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


def _encoding_example() -> str:
    return "--encoding gb18030" if on_command_line() else "encoding='gb18030'"


def _detect_encoding(head: bytes, given: str | None, file: str) -> str:
    if given is not None:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise _fatal(file, f"未知编码 {given!r}", f"unknown encoding {given!r}") from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # A head shorter than the sniffing window is the whole file: a multi-byte sequence
    # cut off at its end is then an error, not a sequence continued further on.
    whole = len(head) < _SNIFF_BYTES
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=whole)
        return "gb18030"
    except UnicodeDecodeError:
        raise _fatal(
            file,
            f"无法识别编码（不是 UTF-8 也不是 GBK/GB18030）；请用 {option('encoding', 'zh')} 指定",
            f"cannot tell the encoding (neither UTF-8 nor GBK/GB18030); give it with "
            f"{option('encoding')}",
        ) from None


_SNIFF_BYTES = 1 << 23
_BLOCK_BYTES = 1 << 22


def _csv_header(path: Path, file: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """A CSV file's encoding (detected unless given), delimiter and header row."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    found = _detect_encoding(head, encoding, file)
    text = head.decode(found, errors="replace")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _fatal(file, "文件为空", "the file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = (
        "\t"
        if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(",")
        else ","
    )
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise _fatal(f"{file}:1", "无法读取表头", "cannot read the header row") from None
    return found, delimiter, header


class _CsvSource(_Source):
    """A CSV (or tab-separated) file, read in blocks by pyarrow, every cell as text."""

    def __init__(
        self,
        path: Path,
        file: str,
        entity: str,
        encoding: str | None,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.file, self.entity = path, file, entity
        self.aliases = aliases
        self._init_ragged()
        self._ragged_numbers: list[int] = []
        self._reported: set[int] = set()
        self.encoding, self.delimiter, header = _csv_header(path, file, encoding)
        self.headers = header
        resolved, self.columns, unused = _resolve(
            file, entity, header, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)
        key = MEMBER_KEY if entity == "members" else "id"
        self.key_index = resolved.index(key)

    def _ragged_row(self, row: Any) -> str:
        number = int(row.number) if row.number is not None else -1
        self._ragged_numbers.append(number)
        if number in self._reported:
            return "skip"  # seen before the file was read again as text
        self._reported.add(number)
        key = None
        # pyarrow decodes the row's text as UTF-8 when asked; a row that is not (in a
        # file of another encoding) still gets its ragged-row problem, without its key.
        with contextlib.suppress(csv.Error, StopIteration, UnicodeDecodeError):
            cells = next(csv.reader(io.StringIO(row.text), delimiter=self.delimiter))
            if self.key_index < len(cells):
                key = cells[self.key_index].strip() or None
        self.add_ragged(
            _Ragged(
                number,
                Text(
                    f"本行有 {row.actual_columns} 格，表头有 {row.expected_columns} 列",
                    f"the row has {row.actual_columns} cells; the header has "
                    f"{row.expected_columns} columns",
                ),
                key,
            )
        )
        return "skip"

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        """The rows in parts of at most ``batch_rows``. Numbers, yes/no and date columns
        are first parsed by Arrow as typed values (fast); at the first cell Arrow cannot
        read that way, the file is read again as text from where it was, and the cell
        is judged (and if bad, reported) like any other text cell."""
        typed = self._typed_columns()
        done = 0
        self._reported = set()
        while True:
            try:
                yield from self._read(batch_rows, typed, done)
                return
            except _Retry as retry:
                typed, done = {}, retry.done

    def _typed_columns(self) -> dict[str, pa.DataType]:
        out = {}
        for i, column in enumerate(self.resolved):
            if column is not None and column[:1] != "\x00":
                spec = _spec_in(self.entity, column, self.aliases.vocabulary)
                if spec.kind in ("float", "int", "bool", "date"):
                    out[f"c{i}"] = spec.type
        return out

    def _read(self, batch_rows: int, typed: dict[str, pa.DataType], done: int) -> Iterator[_Raw]:
        import pyarrow.csv as pacsv

        names = [f"c{i}" for i in range(len(self.headers))]
        encoding = "utf8" if self.encoding == "utf-8" else self.encoding
        self._ragged_numbers = []
        words = [(w, v) for w, v in self.aliases.booleans.items()]
        true = sorted({f(w) for w, v in words if v for f in _CASES})
        false = sorted({f(w) for w, v in words if not v for f in _CASES})
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    use_threads=False,
                    block_size=_BLOCK_BYTES,
                    column_names=names,
                    skip_rows=1,
                    encoding=encoding,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=self._ragged_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: typed.get(n, pa.string()) for n in names},
                    null_values=[""],
                    true_values=true,
                    false_values=false,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                memory_pool=_reader_pool(),
            )
        except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeError, ValueError) as exc:
            raise self._failed(exc, typed, done) from None
        except StopIteration:
            # Arrow reads the first block on open: a header alone reads as no rows.
            return
        parsed = 0
        keep = [(f"c{i}", c) for i, c in enumerate(self.resolved) if c is not None]
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeError, ValueError) as exc:
                raise self._failed(exc, typed, max(done, parsed)) from None
            n = batch.num_rows
            first = parsed
            parsed += n
            if parsed <= done:
                continue  # read before the switch to text
            index = np.arange(first, parsed, dtype=np.int64)
            rows = _row_numbers(index, list(self._ragged_numbers))
            table = pa.Table.from_batches([batch])
            if first < done:
                table, rows = table.slice(done - first), rows[done - first :]
            empty = _empty_rows(table)
            table = table.select([c for c, _ in keep]).rename_columns([c for _, c in keep])
            if empty.any():
                table = table.filter(pa.array(~empty))
                rows = rows[~empty]
            self.rows_read += table.num_rows
            for start in range(0, table.num_rows, batch_rows):
                yield _Raw(table.slice(start, batch_rows), rows[start : start + batch_rows])

    def _failed(self, exc: BaseException, typed: dict[str, pa.DataType], done: int) -> Exception:
        """A typed column Arrow could not read: read again as text; else a clear error."""
        message = str(exc)
        if typed and "conversion error" in message and "to string" not in message:
            return _Retry(done)
        return self._broken(exc)

    def _broken(self, exc: BaseException) -> InputError:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "straddl" in message or "block" in message:
            size = (
                f"{_BLOCK_BYTES >> 20} MB"
                if _BLOCK_BYTES >= 1 << 20
                else f"{_BLOCK_BYTES >> 10} KB"
            )
            return _fatal(
                self.file,
                f"有一行超过 {size}，不是登记表数据",
                f"a row is larger than {size}: not register data",
            )
        if "UTF8" in message or "utf-8" in message.lower() or isinstance(exc, UnicodeError):
            return _fatal(
                self.file,
                f"文件不是 {self.encoding} 编码（按文件开头判断）；请用 {option('encoding')} 指定，"
                f"如 {_encoding_example()}",
                f"the file is not {self.encoding} throughout (guessed from its start); "
                f"give the encoding, e.g. {_encoding_example()}",
            )
        return _fatal(self.file, f"CSV 无法解析：{message}", f"cannot parse the CSV: {message}")


class _Retry(Exception):
    """Read the CSV file again as text, past the ``done`` rows already given out."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


_CASES: tuple[Callable[[str], str], ...] = (str, str.upper, str.capitalize)


@functools.cache
def _reader_pool() -> Any:
    """The memory pool of the reading threads: jemalloc where Arrow has it, which frees
    memory allocated in one thread and released in another far more cheaply (the
    batches are parsed in a reading thread and freed in the caller's)."""
    try:
        return pa.jemalloc_memory_pool()
    except Exception:  # an Arrow build without jemalloc: the default pool is correct too
        return pa.default_memory_pool()


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


def _xlsx_header(path: Path, file: str, sheet: str) -> tuple[int, list[str]]:
    """A worksheet's header row: its number and its cells (the first row with a value)."""
    header: list[str] = []
    row = 0
    workbook = _open_workbook(path, file)
    try:
        for number, values in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            if any(_xlsx_text(v) for v in values):
                header = [_xlsx_text(v) for v in values]
                row = number
                break
    finally:
        workbook.close()
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _fatal(file, "工作表为空", "the sheet is empty")
    return row, header


class _XlsxSource(_Source):
    """A worksheet of an xlsx workbook (openpyxl, read-only), every cell as text."""

    def __init__(
        self,
        path: Path,
        file: str,
        sheet: str,
        entity: str,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.sheet, self.entity = path, sheet, entity
        self.file = f"{file}[{sheet}]"
        self._init_ragged()
        self.header_row, header = _xlsx_header(path, self.file, sheet)
        self.headers = header
        resolved, self.columns, unused = _resolve(
            self.file, entity, header, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        workbook = _open_workbook(self.path, self.file)
        try:
            sheet = workbook[self.sheet]
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        finally:
            workbook.close()

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        width = len(self.headers)
        keep = [(i, c) for i, c in enumerate(self.resolved) if c is not None]
        cells: list[list[str]] = [[] for _ in range(width)]
        rows: list[int] = []
        merged = _Merged(
            _merged_ranges(self.path, self.file, self.sheet),
            self.header_row,
            [c is not None and _mergeable(self.entity, c) for c in self.resolved],
            [c is not None for c in self.resolved],
        )
        key_column = MEMBER_KEY if self.entity == "members" else "id"
        key_index = self.resolved.index(key_column) if key_column in self.resolved else None

        def flush() -> _Raw:
            table = pa.table({c: pa.array(cells[i], pa.string()) for i, c in keep})
            out = _Raw(table, np.asarray(rows, dtype=np.int64))
            for column in cells:
                column.clear()
            rows.clear()
            return out

        for number, values in self._rows():
            if number <= self.header_row:
                continue
            texts = [_xlsx_text(v) for v in values]
            texts += [""] * (width - len(texts))
            blank = not any(texts)
            fault = merged.apply(number, texts)  # a blank row may hold a merge's anchor
            if blank:
                continue
            key = None if key_index is None else texts[key_index].strip() or None
            if fault is not None:
                self.add_ragged(_Ragged(number, fault[1], key, self.headers[fault[0]]))
                continue
            if any(texts[width:]):
                message = Text("表头以外的列中有值", "values beyond the last headed column")
                self.add_ragged(_Ragged(number, message, key))
                continue
            self.rows_read += 1
            for i in range(width):
                cells[i].append(texts[i])
            rows.append(number)
            if len(rows) >= batch_rows:
                yield flush()
        if rows:
            yield flush()


_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "households": ("village_id", "county_id"),
    "members": (MEMBER_KEY,),
    "villages": ("county_id",),
}
"""The key columns whose merged ranges are read as their top-left value."""


def _mergeable(entity: str, column: str) -> bool:
    """Whether a merged range in ``column`` is read as its top-left value on every row it
    covers: the key columns; in a flat sheet every household column (a household's value
    over its members' rows, as such sheets are often laid out)."""
    if entity == FLAT:
        return not column.startswith((_MEMBERS, "\x00"))
    return column in _MERGE_KEYS.get(entity, ())


_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]+(?::[A-Za-z]{1,3}[0-9]+)?)[\"']"
)


def _merged_ranges(path: Path, file: str, sheet: str) -> list[tuple[int, int, int, int, str]]:
    """The merged ranges of a sheet: ``(min_row, min_col, max_row, max_col, ref)``,
    1-based, sorted by row. openpyxl's read-only mode does not give them (its full mode
    would hold the whole sheet in memory), so the sheet's XML is scanned for its
    ``<mergeCell ref=…>`` elements, streaming."""
    import importlib
    import zipfile

    range_boundaries = importlib.import_module("openpyxl.utils.cell").range_boundaries
    workbook = _open_workbook(path, file)
    try:
        inner = getattr(workbook[sheet], "_worksheet_path", None)
    finally:
        workbook.close()
    refs: list[str] = []
    if isinstance(inner, str):
        with zipfile.ZipFile(path) as archive, archive.open(inner.lstrip("/")) as stream:
            buffer = b""
            while chunk := stream.read(1 << 20):
                buffer += chunk
                last = 0
                for found in _MERGE_CELL.finditer(buffer):
                    refs.append(found.group(1).decode("ascii"))
                    last = found.end()
                buffer = buffer[max(last, len(buffer) - 512) :]
    else:  # another openpyxl: ask its full reader (the whole sheet in memory)
        openpyxl = importlib.import_module("openpyxl")
        full = openpyxl.load_workbook(path, data_only=True)
        try:
            refs = [str(r.coord) for r in full[sheet].merged_cells.ranges]
        finally:
            full.close()
    out = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if (min_row, min_col) != (max_row, max_col):
            out.append((int(min_row), int(min_col), int(max_row), int(max_col), ref.upper()))
    out.sort()
    return out


class _Merged:
    """Merged ranges applied to a sheet's rows as they stream past, in order."""

    def __init__(
        self,
        ranges: list[tuple[int, int, int, int, str]],
        header_row: int,
        key: list[bool],
        read: list[bool],
    ) -> None:
        self.ranges, self.header_row, self.key, self.read = ranges, header_row, key, read
        self.next = 0
        self.active: list[tuple[int, int, int, int, str]] = []
        self.anchor: dict[str, str] = {}

    def apply(self, number: int, texts: list[str]) -> tuple[int, Text] | None:
        """Fill the cells of row ``number`` that a key column's merged range covers with
        its top-left value; the first other covered cell left blank, as ``(column
        index, problem)``."""
        while self.next < len(self.ranges) and self.ranges[self.next][0] <= number:
            self.active.append(self.ranges[self.next])
            self.next += 1
        if not self.active:
            return None
        self.active = [r for r in self.active if r[2] >= number]
        fault: tuple[int, Text] | None = None
        for min_row, min_col, max_row, max_col, ref in self.active:
            if number == min_row:
                self.anchor[ref] = texts[min_col - 1] if min_col <= len(texts) else ""
            for col in range(min_col, min(max_col, len(texts)) + 1):
                i = col - 1
                if (number, col) == (min_row, min_col) or i >= len(self.read) or not self.read[i]:
                    continue
                if texts[i].strip():
                    continue  # a value under the merge (Excel clears them): kept as it is
                if self.key[i] and min_col == max_col and min_row > self.header_row:
                    texts[i] = self.anchor.get(ref, "")
                elif fault is None:
                    cell = f"{_column_letter(col)}{number}"
                    fault = (
                        i,
                        Text(
                            f"单元格 {cell} 属于合并单元格 {ref}：只有键列（户编号、村编号、"
                            f"县编号）的合并按左上角的值读取；请取消合并并逐格填写",
                            f"cell {cell} is part of the merged range {ref}: only key columns "
                            f"(household id, village id, county id) are read as their top-left "
                            f"value; unmerge the range and fill each cell",
                        ),
                    )
            if number == max_row:
                self.anchor.pop(ref, None)
        return fault


def _column_letter(col: int) -> str:
    """``1`` → ``A``, ``28`` → ``AB``."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _xlsx_text(value: Any) -> str:
    """A cell of a worksheet as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path, file: str) -> Any:
    import importlib

    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise MissingExtra("xlsx", "openpyxl", "xlsx") from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise _fatal(
            file,
            f"不是可读的 xlsx 工作簿：{type(exc).__name__}",
            f"not a readable xlsx workbook: {type(exc).__name__}",
        ) from None


_SHEETS = {
    "households": ("households", "household", "户", "户信息", "贫困户", "贫困户信息", "家庭信息"),
    "members": ("members", "member", "成员", "家庭成员", "成员信息", "人员", "人员信息"),
}


def _sheet_named(path: Path, file: str, role: str) -> str:
    """The sheet of a workbook named for ``role`` (``members``, ``成员`` …), else the first."""
    workbook = _open_workbook(path, file)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    return str(next((n for n in names if normalize(n) in _SHEETS[role]), names[0]))


def _pick_sheets(path: Path, file: str) -> tuple[str, str | None]:
    """The households and members sheets of a workbook (by name, else the first two)."""
    workbook = _open_workbook(path, file)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    found: dict[str, str] = {}
    for role, words in _SHEETS.items():
        for name in names:
            if normalize(name) in words:
                found.setdefault(role, name)
    households = found.get("households", names[0])
    members = found.get("members")
    if members is None:
        rest = [n for n in names if n != households]
        members = rest[0] if rest else None
    return households, members


def _arrow_schema_of(path: Path, file: str, fmt: str) -> pa.Schema:
    """The schema of a Parquet or Arrow IPC file."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path, pre_buffer=False).schema_arrow
        schema: pa.Schema = _ipc_reader(path).schema
        return schema
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise _fatal(
                file,
                f"无法读取文件：{exc.strerror}",
                f"cannot read the file: {exc.strerror}",
            ) from None
        raise _arrow_broken(path, file, fmt, exc) from None
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise _arrow_broken(path, file, fmt, exc) from None


def _ipc_reader(path: Path) -> Any:
    source = pa.memory_map(str(path))
    try:
        return pa.ipc.open_file(source)
    except pa.ArrowInvalid:
        source = pa.memory_map(str(path))
        return pa.ipc.open_stream(source)


def _arrow_broken(path: Path, file: str, fmt: str, exc: BaseException) -> InputError:
    what = "Parquet" if fmt == "parquet" else "Arrow IPC"
    if os.path.getsize(path) == 0:
        return _fatal(file, "文件为空", "the file is empty")
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _fatal(
        file,
        f"不是可读的 {what} 文件：{message}",
        f"not a readable {what} file: {message}",
    )


class _ArrowSource(_Source):
    """A Parquet file (by row group) or an Arrow IPC file or stream (by record batch)."""

    def __init__(
        self,
        path: Path,
        file: str,
        fmt: str,
        entity: str,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.file, self.fmt, self.entity = path, file, fmt, entity
        self._init_ragged()
        schema = self._open_schema()
        self.nested: pa.DataType | None = None
        headers = []
        self.history: str | None = None
        for field in schema:
            if entity == "households" and normalize(field.name) in _HISTORY_HEADERS:
                if not _is_history_type(field.type):
                    raise InputError([_history_flat_problem(file, field.name)], what=file)
                self.history = field.name
                continue
            if field.name == "members" and entity == "households":
                t = field.type
                if (pa.types.is_list(t) or pa.types.is_large_list(t)) and pa.types.is_struct(
                    t.value_type
                ):
                    self.nested = t.value_type
                    continue
            headers += _flat_names(field)
        self.headers = headers
        resolved, self.columns, unused = _resolve(
            file, entity, headers, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)
        self.member_source: _NestedMembers | None = None
        if self.nested is not None:
            member_headers = [f.name for f in self.nested]
            if MEMBER_KEY in member_headers:
                raise _fatal(
                    f"{file}:1",
                    f"嵌套的成员不应有 {MEMBER_KEY} 列（成员属于其所在的户）",
                    f"nested members must not have a {MEMBER_KEY} column (they belong to "
                    f"the household they are in)",
                )
            resolved_m, columns_m, unused_m = _resolve(
                f"{file}:members", "members", [MEMBER_KEY, *member_headers], aliases, ignore, None
            )
            self.member_source = _NestedMembers(file, resolved_m[1:], columns_m)
            self.unused += tuple(unused_m)

    def _open_schema(self) -> pa.Schema:
        return _arrow_schema_of(self.path, self.file, self.fmt)

    def _ipc(self) -> Any:
        return _ipc_reader(self.path)

    def _broken(self, exc: BaseException) -> InputError:
        return _arrow_broken(self.path, self.file, self.fmt, exc)

    def batches_of_file(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        try:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                # pre_buffer=False: Arrow would otherwise buffer column chunks ahead and
                # its peak memory would grow with the file.
                parquet = pq.ParquetFile(self.path, pre_buffer=False)
                yield from parquet.iter_batches(batch_size=batch_rows)
            else:
                reader = self._ipc()
                if hasattr(reader, "num_record_batches"):
                    for i in range(reader.num_record_batches):
                        yield reader.get_batch(i)
                else:
                    yield from reader
        except (OSError, pa.ArrowException) as exc:
            raise self._broken(exc) from None

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        keep = [(h, c) for h, c in zip(self.headers, self.resolved, strict=True) if c is not None]
        start = 0
        for batch in self.batches_of_file(batch_rows):
            table = pa.Table.from_batches([batch])
            members = table.column("members") if self.nested is not None else None
            history = table.column(self.history) if self.history is not None else None
            aside = [n for n, c in (("members", members), (self.history, history)) if c is not None]
            table = _flatten(table.drop_columns(aside) if aside else table)
            table = table.select([h for h, _ in keep]).rename_columns([c for _, c in keep])
            if members is not None:
                table = table.append_column("\x00members", members)
            if history is not None:
                table = table.append_column(_HISTORY, history)
            n = table.num_rows
            rows = np.arange(start + 1, start + n + 1, dtype=np.int64)
            start += n
            self.rows_read += n
            for offset in range(0, n, batch_rows):
                yield _Raw(table.slice(offset, batch_rows), rows[offset : offset + batch_rows])


def _flat_names(field: pa.Field, prefix: str = "") -> list[str]:
    name = prefix + field.name
    if pa.types.is_struct(field.type):
        return [n for child in field.type for n in _flat_names(child, name + ".")]
    return [name]


def _flatten(table: pa.Table) -> pa.Table:
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table


@attrs.define
class _NestedMembers:
    """The members nested in a households table (``members: list<struct>``)."""

    file: str
    resolved: list[str | None]
    columns: dict[str, str]

    def explode(self, raw: _Raw) -> tuple[_Raw, _Raw]:
        """The households without their nested list, and the members' rows."""
        lists = raw.table.column("\x00members").combine_chunks()
        households = raw.table.drop_columns(["\x00members"])
        parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), np.int64)
        flat = pc.list_flatten(lists)
        fields = flat.flatten()  # the struct's own nulls carried into its fields
        keep = [(a, c) for a, c in zip(fields, self.resolved, strict=True) if c is not None]
        ids = households.column("id")
        table = pa.table(
            [pc.take(ids, pa.array(parents)), *(a for a, _ in keep)],
            names=[MEMBER_KEY, *(c for _, c in keep)],
        )
        lengths = np.asarray(pc.fill_null(pc.list_value_length(lists), 0).to_numpy(), np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        sub = np.arange(len(parents), dtype=np.int64) - starts[parents] if len(parents) else parents
        members = _Raw(table, raw.rows[parents], sub, parents)
        return _Raw(households, raw.rows), members


# -- a batch -----------------------------------------------------------------------------


@attrs.frozen(eq=False)
class Rejected:
    """One input row left out of the results (``on_error="skip"``), and why."""

    file: str
    """The file (as given; an xlsx sheet as ``file[sheet]``)."""
    row: int
    """The row number, as in problem paths."""
    household_id: str | None
    """The household the row is (or belongs to), when known."""
    problems: tuple[Problem, ...]
    """Why: the row's own problems, or those of its household and its other members."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (messages in both languages)."""
        return {
            "file": self.file,
            "row": self.row,
            "household_id": self.household_id,
            "problems": [p.to_dict() for p in self.problems],
        }


@attrs.frozen
class FileCount:
    """How the rows of one input file were accounted for: every row read was assessed
    (used in the run) or rejected, never dropped."""

    file: str
    """The file as given (an xlsx sheet as ``file[sheet]``, a list of a JSON document
    as ``file[villages]``)."""
    kind: str
    """What its rows are: ``households``, ``members``, ``villages`` or ``counties``."""
    read: int
    assessed: int
    rejected: int

    @property
    def balanced(self) -> bool:
        """Rows read = rows assessed + rows rejected."""
        return self.read == self.assessed + self.rejected

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "file": self.file,
            "kind": self.kind,
            "read": self.read,
            "assessed": self.assessed,
            "rejected": self.rejected,
        }


@attrs.frozen(eq=False)
class RegisterBatch:
    """Some households of a register with all their members, as typed Arrow tables.

    ``households`` matches ``arrow_schema(Household)`` plus the flattened procedure and
    checklist columns; ``members`` matches ``arrow_schema(Person, member_table=True)``
    (``None`` for tables without members: villages, counties).
    """

    households: pa.Table
    members: pa.Table | None
    rows: Rows
    """The source row of each household (or village, county) row."""
    problems: list[Problem]
    """Every problem found in this batch's rows (empty when ``on_error="fail"``)."""
    member_rows: Rows | None = None
    """The source row of each member row (for nested members: their household's)."""
    rejected: tuple[Rejected, ...] = ()
    """Every input row left out (``on_error="skip"``): rows read = rows kept + rejected."""

    @property
    def tables(self) -> tuple[pa.Table, pa.Table | None]:
        """``(households, members)``, as :func:`poverty_core.batch.assess` takes them."""
        return self.households, self.members

    def __len__(self) -> int:
        return int(self.households.num_rows)


@attrs.define
class _Context:
    entity: str
    aliases: AliasMap
    seen: _Seen
    files: dict[str, str]  # "households"/"members" -> file name
    headers: dict[str, dict[str, str]]  # role -> column -> header as in the file
    nested: bool = False
    flat: tuple[str, ...] = ()
    memo: Memo = attrs.field(factory=dict)
    dropped_keys: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Household ids of rows rejected outside a batch (ragged): their members go too."""
    bad_member_keys: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Household ids of member rows rejected outside a batch (ragged): their household
    goes too (it is never decided without one of its members)."""
    as_of: dt.date | None = None
    """The assessment date: ages are compared with dates of birth on it."""
    layout: str = "two-file"
    """``flat``, ``two-file`` or ``nested``."""
    form: FormReading = attrs.field(factory=FormReading)
    """The national form's readings in effect, and what they read."""


def _where(ctx: _Context, role: str, row: int, column: str | None, sub: int | None = None) -> str:
    file = ctx.files[role]
    if column is None:
        return f"{file}:{row}"
    header = ctx.headers[role].get(column, column)
    if sub is not None:
        return f"{file}:{row}:members[{sub}].{header}"
    return f"{file}:{row}:{header}"


def _convert_table(
    ctx: _Context, role: str, raw: _Raw, entity: str
) -> tuple[dict[str, pa.Array], list[tuple[int, Problem]], set[int]]:
    """Every column of ``raw`` typed and checked: columns, problems, rows with one.

    The national form's own columns (``A10`` …) and the options needing an
    interpretation are read first (:meth:`FormReading.interpret`); a member's date of
    birth comes from their ID number where neither it nor an age is given."""
    found: list[tuple[int, int, Problem]] = []
    columns: dict[str, pa.Array] = {}
    bad_rows: set[int] = set()
    subs = raw.sub
    cells: dict[str, Any] = {name: raw.table.column(name) for name in raw.table.column_names}
    order = {name: k for k, name in enumerate(cells)}
    if entity in ("households", "members"):
        cells, read = ctx.form.interpret(entity, cells, ctx.aliases)
        for i, name, text in read:
            sub = None if subs is None else int(subs[i])
            where = _where(ctx, role, int(raw.rows[i]), name, sub)
            found.append((i, order.get(name, len(order)), Problem(where, text)))
            bad_rows.add(i)
    bad_in: dict[str, npt.NDArray[np.bool_]] = {}
    for name, cells_of in cells.items():
        k = order.get(name, len(order))
        spec = _column_spec(entity, name, ctx.aliases.vocabulary)
        typed, bad = _convert(cells_of, spec, ctx.aliases)
        skip = np.zeros(raw.table.num_rows, np.bool_)
        if bad:
            skip[[i for i, _ in bad]] = True
        checked = _check_column(typed, spec, skip, ctx.memo)
        for i, text in [*bad, *checked]:
            sub = None if subs is None else int(subs[i])
            where = _where(ctx, role, int(raw.rows[i]), name, sub)
            found.append((i, k, Problem(where, text)))
            bad_rows.add(i)
        if checked:
            skip[[i for i, _ in checked]] = True
        bad_in[name] = skip
        if spec.kind != "unnamed":
            columns[name] = typed
    given = raw.table.column_names
    if entity == "members" and "id_number" in columns and not {"birth_date", "age"} & set(given):
        _birth_dates(ctx, columns, bad_in["id_number"], raw.table.num_rows)
    found.sort(key=lambda p: (p[0], p[1]))
    return columns, [(i, p) for i, _, p in found], bad_rows


def _birth_dates(
    ctx: _Context, columns: dict[str, pa.Array], bad: npt.NDArray[np.bool_], n: int
) -> None:
    """Dates of birth from valid ID numbers, in a members table with no column of dates
    of birth or ages (the interpretation ``birth_date_from_id``)."""
    ids = columns["id_number"]
    birth = columns.get("birth_date", pa.nulls(n, pa.date32()))
    age = columns.get("age", pa.nulls(n, pa.int64()))
    usable = _valid(ids) & ~bad & ~_valid(birth) & ~_valid(age)
    if not usable.any():
        return
    derived, got = ctx.form.birth_dates(ids, usable)
    if got.any():
        columns["birth_date"] = pc.coalesce(birth, derived)


def _required(
    ctx: _Context, role: str, raw: _Raw, column: str, values: pa.Array, message: Text
) -> list[tuple[int, Problem]]:
    out = []
    subs = raw.sub
    for i in np.flatnonzero(~_valid(values)):
        sub = None if subs is None else int(subs[i])
        out.append((int(i), Problem(_where(ctx, role, int(raw.rows[i]), column, sub), message)))
    return out


def _table_of(
    entity: str,
    columns: dict[str, pa.Array],
    n: int,
    flat: Sequence[str],
    vocabulary: Vocabulary = CORE,
) -> pa.Table:
    schema = _schema(entity, flat, vocabulary)
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _assemble(
    ctx: _Context,
    hh: _Raw,
    mm: _Raw | None,
    extra_rejected: Sequence[Rejected] = (),
    pre: Sequence[tuple[int, Problem]] = (),
) -> RegisterBatch:
    """Type, check and link one batch; leave out bad households with their members.
    ``pre``: problems of household rows found before (a flat file's rows that disagree)."""
    entity = ctx.entity
    n = hh.table.num_rows
    history = None
    if _HISTORY in hh.table.column_names:
        history = hh.table.column(_HISTORY)
        hh = attrs.evolve(hh, table=hh.table.drop_columns([_HISTORY]))
    columns, h_problems, h_bad = _convert_table(ctx, "households", hh, entity)
    if history is not None:
        history, found_in_history = _read_history(ctx, hh, history)
        for i, p in found_in_history:
            h_problems.append((i, p))
            h_bad.add(i)
    for i, p in pre:
        h_problems.append((i, p))
        h_bad.add(i)
    ids = columns.get("id", pa.nulls(n, pa.string()))
    id_check = _specs(entity)["id"].check
    missing = id_check(None) if id_check is not None else None
    missing = missing or Text("编号不能为空", "id must be a non-empty string")
    for i, p in _required(ctx, "households", hh, "id", ids, missing):
        h_problems.append((i, p))
        h_bad.add(i)
    # Repeated ids: in this batch, then against the batches before.
    keys = _key_bytes(ids)
    valid_id = _valid(ids)
    duplicate = np.zeros(n, np.bool_)
    if n:
        for i, f in _repeats(_codes_of(ids), valid_id):
            duplicate[i] = True
            h_problems.append((i, _repeat_problem(ctx, hh, i, ids, int(hh.rows[f]))))
        earlier = ctx.seen.find(keys)
        for j in np.flatnonzero((earlier >= 0) & valid_id & ~duplicate):
            duplicate[j] = True
            h_problems.append((int(j), _repeat_problem(ctx, hh, int(j), ids, int(earlier[j]))))
    h_bad |= set(np.flatnonzero(duplicate).tolist())
    m_problems: list[tuple[int, Problem]] = []
    m_columns: dict[str, pa.Array] = {}
    owner = np.zeros(0, np.int64)
    m_bad: set[int] = set()
    orphan = np.zeros(0, np.bool_)
    if mm is not None:
        m = mm.table.num_rows
        m_columns, m_problems, m_bad = _convert_table(ctx, "members", mm, "members")
        key = m_columns.get(MEMBER_KEY, pa.nulls(m, pa.string()))
        if mm.owner is not None:
            owner = mm.owner
        else:
            usable = pc.if_else(pa.array(valid_id & ~duplicate), ids, pa.scalar(None, pa.string()))
            owner = _positions(key, usable)
        if "id" not in mm.table.column_names:
            m_columns["id"] = _numbered(owner, mm.rows)
        member_ids = m_columns.get("id", pa.nulls(m, pa.string()))
        for i, p in _required(
            ctx,
            "members",
            mm,
            MEMBER_KEY,
            key,
            Text("成员缺少户编号", "the member has no household id"),
        ):
            m_problems.append((i, p))
            m_bad.add(i)
        for i, p in _required(
            ctx, "members", mm, "id", member_ids, Text("成员编号不能为空", "member id missing")
        ):
            m_problems.append((i, p))
            m_bad.add(i)
        orphan = owner < 0  # a blank household id included: rejected, never dropped
        for k in np.flatnonzero(orphan & _valid(key)):
            i = int(k)
            hid = key[i].as_py()
            dropped = ctx.dropped_keys.get(hid)
            if dropped is not None:
                text = Text(
                    f"所属户 {_show(hid)}（{dropped[0]}:{dropped[1]}）已被剔除",
                    f"its household {_show(hid)} ({dropped[0]}:{dropped[1]}) was rejected",
                )
            else:
                text = Text(
                    f"户编号 {_show(hid)} 不在户表中",
                    f"household {_show(hid)} is not in the households file",
                )
            m_problems.append(
                (int(i), Problem(_where(ctx, "members", int(mm.rows[i]), MEMBER_KEY), text))
            )
            m_bad.add(int(i))
        # Member ids unique within their household.
        if m:
            mvalid = _valid(member_ids) & (owner >= 0)
            member_codes = _codes_of(member_ids)
            combined = owner * (int(member_codes.max()) + 2) + member_codes
            for i, f in _repeats(np.where(mvalid, combined, -1), mvalid):
                mid = member_ids[i].as_py()
                first = _first_member_where(ctx, mm, f)
                m_problems.append(
                    (
                        i,
                        Problem(
                            _where(ctx, "members", int(mm.rows[i]), "id", _sub(mm, i)),
                            Text(
                                f"成员编号 {_show(mid)} 在本户重复（又见 {first}）",
                                f"member id {_show(mid)} repeats in its household (also {first})",
                            ),
                        ),
                    )
                )
                m_bad.add(i)
        for i, p in _age_problems(ctx, mm, m_columns):
            m_problems.append((i, p))
            m_bad.add(i)
        counts = np.bincount(owner[owner >= 0], minlength=n)
    else:
        counts = np.zeros(n, np.int64)
    # A household with a member row that could not be read goes with it.
    if entity == "households" and ctx.bad_member_keys and n:
        hit = _mask(pc.is_in(ids, value_set=pa.array(list(ctx.bad_member_keys), pa.string())))
        for k in np.flatnonzero(hit & valid_id & ~duplicate):
            i = int(k)
            mfile, mrow = ctx.bad_member_keys[ids[i].as_py()]
            h_problems.append(
                (
                    i,
                    Problem(
                        _where(ctx, "households", int(hh.rows[i]), "id"),
                        Text(
                            f"本户的成员行 {mfile}:{mrow} 无法读取，本户一并剔除",
                            f"its member row {mfile}:{mrow} could not be read: the household "
                            f"is left out with it",
                        ),
                    ),
                )
            )
            h_bad.add(i)
    # Every household has a member (tables of villages and counties have none).
    if entity == "households":
        for k in np.flatnonzero((counts == 0) & valid_id & ~duplicate):
            i = int(k)
            where = _where(ctx, "households", int(hh.rows[i]), "id")
            text = Text(
                "一户至少有一名成员（成员表中没有本户）",
                "a household has at least one member (none listed for it)",
            )
            h_problems.append((int(i), Problem(where, text)))
            h_bad.add(int(i))
    for i, p in _part_problems(ctx, hh, entity, columns):
        h_problems.append((i, p))
        h_bad.add(i)
    # Bad members make their household bad.
    bad_h = np.zeros(n, np.bool_)
    bad_h[list(h_bad)] = True
    if mm is not None and m_bad:
        bad_m = np.zeros(mm.table.num_rows, np.bool_)
        bad_m[list(m_bad)] = True
        bad_h[owner[bad_m & (owner >= 0)]] = True
    one_file = ctx.nested or ctx.layout == FLAT
    order = {ctx.files.get("members", ""): 0 if one_file else 1, ctx.files["households"]: 0}
    found = [(order.get(r.file, 2), r.row, p) for r in extra_rejected for p in r.problems]
    found += [(0, int(hh.rows[i]), p) for i, p in h_problems]
    if mm is not None:
        found += [(0 if one_file else 1, int(mm.rows[i]), p) for i, p in m_problems]
    found.sort(key=lambda f: (f[0], f[1]))
    problems = [p for _, _, p in found]
    rejected = list(extra_rejected)
    if bad_h.any() or (mm is not None and orphan.any()):
        rejected += _rejections(ctx, hh, mm, ids, bad_h, owner, h_problems, m_problems)
    rejected.sort(key=lambda r: (order.get(r.file, 2), r.row))
    keep_h = ~bad_h
    households = _table_of(entity, columns, n, ctx.flat, ctx.aliases.vocabulary)
    if history is not None:
        households = households.append_column("history", history)
    rows = hh.rows
    if bad_h.any():
        households = households.filter(pa.array(keep_h))
        rows = rows[keep_h]
    members = None
    member_rows = None
    if entity == "households":
        m = 0 if mm is None else mm.table.num_rows
        members = _table_of("members", m_columns, m, (), ctx.aliases.vocabulary)
        member_rows = mm.rows if mm is not None else np.zeros(0, np.int64)
        if mm is not None:
            keep_m = owner >= 0
            keep_m[keep_m] = keep_h[owner[keep_m]]
            if not keep_m.all():
                members = members.filter(pa.array(keep_m))
                member_rows = member_rows[keep_m]
    return RegisterBatch(households, members, rows, problems, member_rows, tuple(rejected))


def _numbered(owner: Rows, rows: Rows) -> pa.Array:
    """Member ids for a members table without them: 1, 2, … within each household, in
    the order of the file's rows."""
    n = len(owner)
    if not n:
        return pa.array([], pa.string())
    order = np.lexsort((rows, owner))
    ranked = owner[order]
    starts = np.ones(n, np.bool_)
    starts[1:] = ranked[1:] != ranked[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    number = np.empty(n, np.int64)
    number[order] = np.arange(n) - first + 1
    return pc.cast(pa.array(number), pa.string())


def _age_problems(
    ctx: _Context, mm: _Raw, columns: dict[str, pa.Array]
) -> list[tuple[int, Problem]]:
    """Members whose stated age and date of birth contradict by more than a year on
    the assessment date (both cells named)."""
    from poverty_core.convert import age_problem

    on = ctx.as_of
    if on is None or "age" not in columns or "birth_date" not in columns:
        return []
    age, birth = columns["age"], columns["birth_date"]
    if isinstance(age, pa.ChunkedArray):
        age = age.combine_chunks()
    if isinstance(birth, pa.ChunkedArray):
        birth = birth.combine_chunks()
    if not len(age):
        return []
    both = _valid(age) & _valid(birth)
    if not both.any():
        return []
    years = np.asarray(pc.fill_null(pc.year(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    months = np.asarray(pc.fill_null(pc.month(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    days = np.asarray(pc.fill_null(pc.day(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    stated = np.asarray(pc.fill_null(age, 0).to_numpy(zero_copy_only=False), np.int64)
    later = (months > on.month) | ((months == on.month) & (days > on.day))
    derived = on.year - years - later
    out = []
    for k in np.flatnonzero(both & (np.abs(derived - stated) > 1)):
        i = int(k)
        sub = _sub(mm, i)
        row = int(mm.rows[i])
        text = age_problem(
            age[i].as_py(), birth[i].as_py(), on, _where(ctx, "members", row, "birth_date", sub)
        )
        if text is not None:
            out.append((i, Problem(_where(ctx, "members", row, "age", sub), text)))
    return out


def _codes_of(values: pa.Array) -> Rows:
    """Each value's code (equal values, equal codes; null -1)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if len(values) == 0:
        return np.zeros(0, np.int64)
    indices = pc.dictionary_encode(values).indices
    return np.asarray(pc.fill_null(indices, -1).to_numpy(zero_copy_only=False), np.int64)


def _repeats(keys: Rows, valid: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(row, row of its first occurrence)`` for every valid key seen before."""
    n = len(keys)
    if n < 2:
        return []
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    again = np.zeros(n, np.bool_)
    again[1:] = ordered[1:] == ordered[:-1]
    again &= valid[order]
    if not again.any():
        return []
    first_of = np.maximum.accumulate(np.where(~again, np.arange(n), 0))
    return [(int(order[j]), int(order[first_of[j]])) for j in np.flatnonzero(again)]


def _sub(raw: _Raw, i: int) -> int | None:
    return None if raw.sub is None else int(raw.sub[i])


def _first_member_where(ctx: _Context, mm: _Raw, f: int) -> str:
    if mm.sub is not None:
        return f"members[{int(mm.sub[f])}]"
    return f"{ctx.files['members']}:{int(mm.rows[f])}"


def _repeat_problem(ctx: _Context, hh: _Raw, i: int, ids: pa.Array, first_row: int) -> Problem:
    value = ids[i].as_py()
    return Problem(
        _where(ctx, "households", int(hh.rows[i]), "id"),
        Text(
            f"编号 {_show(value)} 与第 {first_row} 行重复",
            f"id {_show(value)} repeats row {first_row}",
        ),
    )


def _part_problems(
    ctx: _Context, raw: _Raw, entity: str, columns: dict[str, pa.Array]
) -> list[tuple[int, Problem]]:
    """Counts above the whole they are part of (villages, counties; a pack's declared
    counts too)."""
    kind = ctx.aliases.vocabulary.record_type(entity)
    out = []
    for part, whole in getattr(kind, "PARTS", ()):
        if part not in columns or whole not in columns:
            continue
        over = np.flatnonzero(_mask(pc.greater(columns[part], columns[whole])))
        for i in over:
            values = {part: columns[part][int(i)].as_py(), whole: columns[whole][int(i)].as_py()}
            for name, text in part_whole_problems(kind, values.get):
                out.append(
                    (int(i), Problem(_where(ctx, "households", int(raw.rows[i]), name), text))
                )
    return out


def _rejections(
    ctx: _Context,
    hh: _Raw,
    mm: _Raw | None,
    ids: pa.Array,
    bad_h: npt.NDArray[np.bool_],
    owner: Rows,
    h_problems: list[tuple[int, Problem]],
    m_problems: list[tuple[int, Problem]],
) -> list[Rejected]:
    why: dict[int, list[Problem]] = {int(i): [] for i in np.flatnonzero(bad_h)}
    for i, p in h_problems:
        why.setdefault(i, []).append(p)
    orphan_why: dict[int, list[Problem]] = {}
    for j, p in m_problems:
        o = int(owner[j])
        if o >= 0:
            why.setdefault(o, []).append(p)
        else:
            orphan_why.setdefault(j, []).append(p)
    out = []
    hfile = ctx.files["households"]
    if ctx.layout != FLAT:  # a flat file's household is its members' rows, listed below
        for i in sorted(why):
            out.append(Rejected(hfile, int(hh.rows[i]), ids[i].as_py(), tuple(why[i])))
    if mm is not None and not ctx.nested:
        mfile = ctx.files["members"]
        key = mm.table.column(MEMBER_KEY) if MEMBER_KEY in mm.table.column_names else None
        for j in range(mm.table.num_rows):
            o = int(owner[j])
            if o >= 0 and not bad_h[o]:
                continue
            reasons = why[o] if o >= 0 else orphan_why.get(j, [])
            hid = ids[o].as_py() if o >= 0 else (None if key is None else _text_of(key[j]))
            out.append(Rejected(mfile, int(mm.rows[j]), hid, tuple(reasons)))
    return out


def _text_of(value: Any) -> str | None:
    v = value.as_py()
    return None if v is None else str(v).strip() or None


# -- JSON Lines ----------------------------------------------------------------------------


class _JsonLines:
    """A JSON Lines file: one household per line, read by the strict converter."""

    def __init__(self, path: Path, file: str, encoding: str | None) -> None:
        self.path, self.file = path, file
        try:
            with open(path, "rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError as exc:
            raise _fatal(
                file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
            ) from None
        self.encoding = _detect_encoding(head, encoding, file)
        if not head.decode(self.encoding, errors="replace").removeprefix("\ufeff").strip():
            raise _fatal(file, "文件为空", "the file is empty")
        self.rows_read = 0

    def reset(self) -> None:
        """Forget what an earlier read counted."""
        self.rows_read = 0

    def lines(self, batch_rows: int) -> Iterator[list[tuple[int, str]]]:
        chunk: list[tuple[int, str]] = []
        encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        try:
            with open(self.path, encoding=encoding, newline="") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    self.rows_read += 1
                    chunk.append((number, line))
                    if len(chunk) >= batch_rows:
                        yield chunk
                        chunk = []
        except UnicodeDecodeError:
            raise _fatal(
                self.file,
                f"文件不是 {self.encoding} 编码；请用 {option('encoding')} 指定",
                f"the file is not {self.encoding} throughout; give the encoding with "
                f"{option('encoding')}",
            ) from None
        if chunk:
            yield chunk


def _assemble_lines(ctx: _Context, lines: list[tuple[int, str]]) -> RegisterBatch:
    """One batch of JSON Lines: each line through the strict converter, then repeated ids
    (in the batch and before it)."""
    from poverty_core.convert import age_problem, loads_json, structure

    file = ctx.files["households"]
    parsed: list[tuple[int, Household | None, list[Problem], str | None]] = []
    for number, line in lines:
        where = f"{file}:{number}"
        mine: list[Problem] = []
        record = None
        raw_id = None
        try:
            data = loads_json(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = getattr(exc, "msg", "too deeply nested")
            mine.append(
                Problem(where, Text(f"JSON 语法错误：{message}", f"invalid JSON: {message}"))
            )
        else:
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                raw_id = data["id"]
            try:
                record = structure(data, ctx.aliases.vocabulary.record_type("households"))
            except InputError as err:
                mine += [
                    Problem(where if p.path == "$" else f"{where}:{p.path}", p.message)
                    for p in err.problems
                ]
            except RecursionError:
                mine.append(Problem(where, Text("嵌套过深", "too deeply nested")))
        if record is not None and ctx.as_of is not None:
            for j, person in enumerate(record.members):
                at = f"{where}:members[{j}]"
                text = age_problem(person.age, person.birth_date, ctx.as_of, f"{at}.birth_date")
                if text is not None:
                    mine.append(Problem(f"{at}.age", text))
        if raw_id is not None and len(raw_id) > MAX_ID_CHARS:
            mine.append(
                Problem(
                    f"{where}:id",
                    Text(
                        f"过长（{len(raw_id)} 个字符，最多 {MAX_ID_CHARS}）",
                        f"too long ({len(raw_id)} characters; at most {MAX_ID_CHARS})",
                    ),
                )
            )
            raw_id, record = None, None
        parsed.append((number, record, mine, raw_id))
    candidates = [raw_id for _, _, _, raw_id in parsed if raw_id is not None]
    found = ctx.seen.find(_key_bytes(pa.array(candidates, pa.string())))
    earlier_rows = dict(zip(candidates, found.tolist(), strict=True))
    records: list[Household] = []
    rows: list[int] = []
    problems: list[Problem] = []
    rejected: list[Rejected] = []
    first: dict[str, int] = {}
    for number, record, mine, raw_id in parsed:
        if raw_id is not None:
            earlier = first.get(raw_id)
            if earlier is None and earlier_rows[raw_id] >= 0:
                earlier = earlier_rows[raw_id]
            if earlier is not None:
                mine.append(
                    Problem(
                        f"{file}:{number}:id",
                        Text(
                            f"编号 {_show(raw_id)} 与第 {earlier} 行重复",
                            f"id {_show(raw_id)} repeats line {earlier}",
                        ),
                    )
                )
            else:
                first[raw_id] = number
        if mine or record is None:
            problems += mine
            rejected.append(Rejected(file, number, raw_id, tuple(mine)))
            continue
        records.append(record)
        rows.append(number)
    ids = list(first)
    ctx.seen.add(_key_bytes(pa.array(ids, pa.string())), np.asarray(list(first.values()), np.int64))
    if records:
        households, members = tables_from_records(records, history=True)
    else:
        households, members = (
            _schema("households", (), ctx.aliases.vocabulary).empty_table(),
            _schema("members", (), ctx.aliases.vocabulary).empty_table(),
        )
        households = households.append_column("history", pa.array([], HISTORY_TYPE))
    assert members is not None
    member_rows = np.repeat(
        np.asarray(rows, np.int64), [len(r.members) for r in records] if records else 0
    )
    return RegisterBatch(
        households,
        members,
        np.asarray(rows, np.int64),
        problems,
        member_rows.astype(np.int64),
        tuple(rejected),
    )


# -- streaming ---------------------------------------------------------------------------


def _prefetch(iterator: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """Run ``iterator`` in a thread, ``depth`` items ahead (files parse in parallel)."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in iterator:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed over to the reading thread
            put(("error", exc))

    # The reading thread runs in the caller's context: messages made there name options
    # as the caller's (poverty_core.aliases.command_line_options) and mask ID numbers so.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(run,), name="poverty-core-reader", daemon=True
    )
    thread.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "item":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                box.get_nowait()
        thread.join(timeout=5)


def _rebatch(parts: Iterator[_Raw], size: int | None) -> Iterator[_Raw]:
    """Rows regrouped into batches of exactly ``size`` (the last smaller)."""
    buffer: list[_Raw] = []
    count = 0
    for part in parts:
        while part.table.num_rows:
            room = part.table.num_rows if size is None else size - count
            head = _Raw(part.table.slice(0, room), part.rows[:room])
            part = _Raw(part.table.slice(room), part.rows[room:])
            buffer.append(head)
            count += head.table.num_rows
            if size is not None and count >= size:
                yield _concat(buffer)
                buffer, count = [], 0
    if buffer:
        yield _concat(buffer)


def _concat(parts: Sequence[_Raw]) -> _Raw:
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables(_unify([p.table for p in parts]))
    rows = np.concatenate([p.rows for p in parts])
    subs = [p.sub for p in parts if p.sub is not None]
    sub = np.concatenate(subs) if len(subs) == len(parts) else None
    owners = [p.owner for p in parts if p.owner is not None]
    owner = np.concatenate(owners) if len(owners) == len(parts) else None
    return _Raw(table, rows, sub, owner)


def _unify(tables: list[pa.Table]) -> list[pa.Table]:
    """Tables of one file read partly typed, partly as text (after a cell Arrow could not
    type): the differing columns as text, to be judged as text."""
    first = tables[0].schema
    if all(t.schema.equals(first) for t in tables[1:]):
        return tables
    text = {
        name
        for t in tables
        for name, f in zip(t.column_names, t.schema, strict=True)
        if f.type != first.field(name).type
    }
    out = []
    for t in tables:
        for name in text:
            i = t.schema.get_field_index(name)
            if t.schema.field(i).type != pa.string():
                t = t.set_column(i, name, pc.cast(t.column(name), pa.string()))
        out.append(t)
    return out


_PENDING_LIMIT = 100_000


@attrs.define
class _Chunk:
    raw: _Raw
    keys: pa.Array  # cleaned ids (null where none)
    parts: list[_Raw] = attrs.field(factory=list)
    next: int = 0  # households matched in order so far (for the fast path)


def _clean_keys(raw: _Raw, column: str) -> pa.Array:
    if column not in raw.table.column_names:
        return pa.nulls(raw.table.num_rows, pa.string())
    col = raw.table.column(column).combine_chunks()
    if not pa.types.is_string(col.type):
        col = col.cast(pa.string()) if pa.types.is_integer(col.type) else pa.nulls(len(col))
        if pa.types.is_null(col.type):
            return pa.nulls(raw.table.num_rows, pa.string())
    return _clean(col)


class _Merge:
    """Pairs each batch of households with its members from a separate members stream.

    Members must come in the households' order: the batch being filled is finished at
    the first member of the next batch, and a member whose batch is finished already is
    an error. Members of no loaded batch wait (at most ``_PENDING_LIMIT`` rows) for a
    later batch or the end, where they are members of no household.
    """

    def __init__(
        self,
        ctx: _Context,
        households: Iterator[_Raw],
        members: Iterator[_Raw],
        hsource: _Source,
        msource: _Source,
    ) -> None:
        self.ctx = ctx
        self.households, self.members = households, members
        self.hsource, self.msource = hsource, msource
        self.buffer: list[_Raw] = []
        self.pending: list[_Raw] = []
        self.pending_rows = 0
        self.member_rows = 0
        self.hh_ragged: list[_Ragged] = []

    def _collect_ragged(self) -> None:
        for r in self.hsource.take_ragged():
            if r.key:
                self.ctx.dropped_keys.setdefault(r.key, (self.ctx.files["households"], r.row))
            self.hh_ragged.append(r)

    def _chunk(self) -> _Chunk | None:
        raw = next(self.households, None)
        self._collect_ragged()
        if raw is None:
            return None
        return _Chunk(raw, _clean_keys(raw, "id"))

    def _next_part(self) -> _Raw | None:
        if self.buffer:
            return self.buffer.pop(0)
        part = next(self.members, None)
        if part is not None:
            self.member_rows += part.table.num_rows
        return part

    def _extra(self) -> list[Rejected]:
        """The ragged rows of both files noted so far, as rejected rows."""
        self._collect_ragged()
        out = []
        for role, found in (
            ("households", self.hh_ragged),
            ("members", self.msource.take_ragged()),
        ):
            file = self.ctx.files[role]
            for r in found:
                if role == "members" and r.key:
                    self.ctx.bad_member_keys.setdefault(r.key, (file, r.row))
                out.append(Rejected(file, r.row, r.key, (r.problem(file),)))
        self.hh_ragged = []
        return out

    def __iter__(self) -> Iterator[RegisterBatch]:
        current = self._chunk()
        ahead = self._chunk() if current is not None else None
        first = True
        while current is not None:
            self._fill(current, ahead)
            if ahead is None:
                self._finish(current)
            if first and not self.member_rows and not self.pending and not self.msource.rows_read:
                raise _fatal(
                    self.ctx.files["members"],
                    "成员表没有数据行",
                    "the members file has no data rows",
                )
            first = False
            members = _concat(current.parts) if current.parts else _no_members()
            batch = _assemble(self.ctx, current.raw, members, self._extra())
            self._remember(current)
            yield batch
            current, ahead = ahead, (self._chunk() if ahead is not None else None)
            if ahead is not None:
                self._claim(ahead)
        rest = self._extra()
        if rest:
            yield _empty_batch(self.ctx.entity, self.ctx.flat, rest, self.ctx.aliases.vocabulary)

    def _remember(self, chunk: _Chunk) -> None:
        good = _valid(chunk.keys)
        self.ctx.seen.add(_key_bytes(chunk.keys.filter(pa.array(good))), chunk.raw.rows[good])

    def _fill(self, current: _Chunk, ahead: _Chunk | None) -> None:
        """Read members until one belongs to the next batch (or none are left)."""
        while True:
            part = self._next_part()
            if part is None:
                return
            if ahead is None:  # the last batch takes every member left: look up once
                rest = [part]
                while (more := self._next_part()) is not None:
                    rest.append(more)
                part = _concat(rest)
            keys = _clean_keys(part, MEMBER_KEY)
            pos = _in_order(keys, current, ahead)
            if pos is None:
                both = current.keys
                if ahead is not None:
                    both = pa.concat_arrays([current.keys, ahead.keys])
                pos = _positions(keys, both)
                mine_pos = pos[(pos >= 0) & (pos < len(current.keys))]
                if len(mine_pos):
                    current.next = max(current.next, int(mine_pos[-1]) + 1)
            here = (pos >= 0) & (pos < len(current.keys))
            later = pos >= len(current.keys)
            cut = int(np.argmax(later)) if later.any() else len(keys)
            if here[cut:].any():
                i = cut + int(np.argmax(here[cut:]))
                self._order_error(part, i, keys, None)
            head = _take(part, slice(0, cut))
            mine = here[:cut]
            if mine.any():
                current.parts.append(_take(head, mine, pos[:cut]))
            # A row without a household id belongs to no household: it joins this batch
            # as such (and is rejected there) instead of waiting for a household.
            keyless = ~_valid(keys.slice(0, cut)) & ~mine
            if keyless.any():
                current.parts.append(_take(head, keyless, np.full(cut, -1, np.int64)))
            others = ~mine & ~keyless
            if others.any():
                self._unplaced(_take(head, others))
            if cut < len(keys):
                self.buffer.insert(0, _take(part, slice(cut, None)))
                return

    def _unplaced(self, part: _Raw) -> None:
        """Rows of no loaded batch: of a finished batch (out of order), or pending."""
        keys = _clean_keys(part, MEMBER_KEY)
        found = self.ctx.seen.find(_key_bytes(keys))
        found[~_valid(keys)] = -1
        dropped = np.array(
            [k is not None and k in self.ctx.dropped_keys for k in keys.to_pylist()], np.bool_
        )
        late = (found >= 0) & ~dropped
        if late.any():
            i = int(np.argmax(late))
            self._order_error(part, i, keys, int(found[i]))
        self.pending.append(part)
        self.pending_rows += part.table.num_rows
        if self.pending_rows > _PENDING_LIMIT:
            head = self.pending[0]
            key = _clean_keys(head, MEMBER_KEY)[0].as_py()
            raise _fatal(
                f"{self.ctx.files['members']}:{int(head.rows[0])}",
                f"超过 {_PENDING_LIMIT} 个成员行所属的户（如 {_show(key)}）在户表此处附近找不到："
                f"成员表须按户表的顺序排列（两表都按户编号排序），且只列户表中的户",
                f"more than {_PENDING_LIMIT} member rows name households (e.g. {_show(key)}) "
                f"not found near this point of the households file: members must come in the "
                f"households' order (sort both files by household id) and belong to "
                f"households of the file",
            )

    def _order_error(self, part: _Raw, i: int, keys: pa.Array, household_row: int | None) -> None:
        key = keys[i].as_py()
        hfile = self.ctx.files["households"]
        where = f"（{hfile}:{household_row}）" if household_row else ""
        where_en = f" ({hfile}:{household_row})" if household_row else ""
        at_once = Text(
            "，或用 read_all() 一次读入", ", or read the register at once with read_all()"
        )
        raise _fatal(
            f"{self.ctx.files['members']}:{int(part.rows[i])}",
            f"户 {_show(key)}{where} 的成员排在后面批次的户的成员之后：成员表须按户表的顺序排列"
            f"（两表都按户编号排序）{'' if on_command_line() else at_once.zh}",
            f"a member of household {_show(key)}{where_en} comes after members of households "
            f"of a later batch: list members in the households file's order (sort both files "
            f"by household id){'' if on_command_line() else at_once.en}",
        )

    def _claim(self, chunk: _Chunk) -> None:
        """Pending rows that belong to a newly loaded batch join it."""
        if not self.pending:
            return
        kept = []
        rows = 0
        for part in self.pending:
            keys = _clean_keys(part, MEMBER_KEY)
            pos = _positions(keys, chunk.keys)
            here = pos >= 0
            if here.any():
                chunk.parts.append(_take(part, here, pos))
            if (~here).any():
                rest = _take(part, ~here)
                kept.append(rest)
                rows += rest.table.num_rows
        self.pending, self.pending_rows = kept, rows

    def _finish(self, current: _Chunk) -> None:
        """The last batch: members still pending belong to no household; its linking
        names them."""
        self._claim(current)
        for part in self.pending:
            none = np.full(part.table.num_rows, -1, np.int64)
            current.parts.append(_Raw(part.table, part.rows, part.sub, none))
        self.pending, self.pending_rows = [], 0


def _no_members() -> _Raw:
    none = np.zeros(0, np.int64)
    return _Raw(pa.table({MEMBER_KEY: pa.array([], pa.string())}), none, None, none)


def _in_order(keys: pa.Array, current: _Chunk, ahead: _Chunk | None) -> Rows | None:
    """Positions of member keys among the batch's households (then the next batch's)
    when the members simply follow the households, one run per household, in order;
    ``None`` when they do not (then a hash lookup decides)."""
    n = len(keys)
    if n == 0 or keys.null_count:
        return None
    start = np.ones(n, np.bool_)
    if n > 1:
        start[1:] = _mask(pc.not_equal(keys.slice(1), keys.slice(0, n - 1)))
    starts = np.flatnonzero(start)
    runs = pc.take(keys, pa.array(starts))
    nc = len(current.keys)
    base = current.next
    if base > 0 and runs[0].as_py() == current.keys[base - 1].as_py():
        base -= 1
    k = min(len(runs), nc - base)
    if k > 0 and not _mask(pc.equal(runs.slice(0, k), current.keys.slice(base, k))).all():
        return None
    run_pos = base + np.arange(len(runs), dtype=np.int64)
    if len(runs) > k:
        if ahead is None or not len(ahead.keys) or runs[k].as_py() != ahead.keys[0].as_py():
            return None
        run_pos[k:] = nc  # the next batch starts here: the rows from it on wait for it
    current.next = base + k
    out: Rows = run_pos[np.cumsum(start) - 1]
    return out


def _positions(keys: pa.Array, ids: pa.Array) -> Rows:
    """The position of each key among ``ids`` (its first), or -1."""
    found = pc.index_in(keys, value_set=ids, skip_nulls=True)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)


def _take(raw: _Raw, which: slice | npt.NDArray[np.bool_], owner: Rows | None = None) -> _Raw:
    """Some rows of ``raw`` (a slice or a mask), with their households' rows."""
    if isinstance(which, slice):
        start = which.start or 0
        stop = raw.table.num_rows if which.stop is None else which.stop
        table = raw.table.slice(start, stop - start)
    elif which.all():
        table = raw.table
    else:
        table = raw.table.filter(pa.array(which))
    return _Raw(
        table,
        raw.rows[which],
        None if raw.sub is None else raw.sub[which],
        owner[which] if owner is not None else None,
    )


# -- a flat file: a row per person ---------------------------------------------------------


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
        column = raw.table.column(name).combine_chunks()
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


# -- the register ------------------------------------------------------------------------


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


class _Collector:
    """Problems of a whole register, up to a cap; the rest counted by column."""

    def __init__(self, cap: int | None, files: Sequence[str]) -> None:
        self.cap, self.files = cap, list(files)
        self.problems: list[Problem] = []
        self.more: dict[str, int] = {}

    def add(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            if self.cap is None or len(self.problems) < self.cap:
                self.problems.append(p)
            else:
                column = p.path.rsplit(":", 1)[-1] if p.path.count(":") >= 2 else "-"
                self.more[column] = self.more.get(column, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def result(self) -> list[Problem]:
        out = list(self.problems)
        if self.more:
            total = sum(self.more.values())
            by = ", ".join(f"{c} {n}" for c, n in sorted(self.more.items(), key=lambda x: -x[1]))
            out.append(
                Problem(
                    _files_of(self.problems, self.files)[0],
                    Text(
                        f"另有 {total} 处错误未列出（按列：{by}）；请先改正以上各处",
                        f"and {total} more problems not listed (by column: {by}); "
                        f"fix those above first",
                    ),
                )
            )
        return out

    def error(self) -> InputError:
        """The error listing the problems, under the file(s) they are in."""
        return register_error(self.result(), self.files)


class Register:
    """An opened register file (or pair of files); read it with :meth:`batches` or
    :meth:`read_all`. Made by :func:`open_register` (households) or :func:`read_table`."""

    def __init__(
        self,
        *,
        fmt: str,
        entity: str,
        sources: dict[str, Any],
        aliases: AliasMap,
        on_error: OnError,
        batch_size: int,
        max_problems: int | None,
        flat: tuple[str, ...],
        as_of: dt.date | None = None,
        layout: str = "two-file",
        readings: Mapping[str, str] | None = None,
    ) -> None:
        self.as_of = as_of
        """The assessment date (ages are checked against dates of birth on it)."""
        self.format = fmt
        """The file format read (one of :data:`FORMATS`)."""
        self.layout = layout
        """How the register is laid out (one of :data:`LAYOUTS`; ``two-file`` for
        tables of villages and counties)."""
        self.entity = entity
        self.on_error: OnError = on_error
        self.batch_size = batch_size
        self.max_problems = max_problems
        self._sources = sources
        self._aliases = aliases
        self._flat = flat
        self._readings = dict(readings or national_form().readings())
        self._form = FormReading(dict(self._readings))
        self.files: tuple[str, ...] = tuple(s.file for s in sources.values())
        """The files (xlsx: ``file[sheet]``) in problem paths."""
        self.encodings: dict[str, str | None] = {
            s.file: getattr(s, "encoding", None) for s in sources.values()
        }
        """The text encoding used for each file (detected or given; ``None``: binary)."""
        self.columns: dict[str, dict[str, str]] = {
            s.file: self._read_columns(s, role) for role, s in sources.items()
        }
        """For each file, each register column read and its header in the file (a flat
        file's member columns as ``members.<name>``; a column the national form's
        readings fill, with the header it is read from)."""
        self.unused: dict[str, tuple[str, ...]] = {
            s.file: tuple(getattr(s, "unused", ())) for s in sources.values()
        }
        """For each file, the headers known and not read (the national form's fields the
        model has no column for, its address and bank details)."""
        self.rows_read: dict[str, int] = dict.fromkeys(self.files, 0)
        """Data rows read from each file so far (blank rows are not rows; in a flat file,
        one a person)."""
        self.households_read = 0
        """Households read so far (in a flat file, the households its rows make up)."""

    def _read_columns(self, source: Any, role: str) -> dict[str, str]:
        columns = {c: h for c, h in getattr(source, "columns", {}).items() if c[:1] != "\x00"}
        if self.entity != "households":
            return columns
        form = FormReading(dict(self._readings))
        parts = [("households", ""), ("members", _MEMBERS)] if self.layout == FLAT else [(role, "")]
        out = dict(columns)
        for kind, prefix in parts:
            mine = {
                c[len(prefix) :]: h
                for c, h in columns.items()
                if (c.startswith(prefix) if prefix else not c.startswith(_MEMBERS))
            }
            for column, origin in form.supplied(kind, list(mine)).items():
                out.setdefault(prefix + column, mine[origin])
        return out

    @property
    def encoding(self) -> str | None:
        """The encoding of the (households) file: ``utf-8``, ``gb18030``, ``utf-16`` …"""
        return self.encodings[self.files[0]]

    @property
    def interpretations(self) -> list[dict[str, Any]]:
        """The national form's interpretations the last reading applied, each with the
        reading in effect and the cells it read (:mod:`poverty_core.register_form`)."""
        return self._form.report()

    def error(self, problems: Sequence[Problem]) -> InputError:
        """An :class:`~poverty_core.errors.InputError` of ``problems`` (as
        :meth:`validate` returns them), announced under the file(s) they are in."""
        return register_error(problems, self.files)

    def _context(self) -> _Context:
        main = self._sources["households"]
        files = {"households": main.file}
        own = dict(getattr(main, "columns", {}))
        if getattr(main, "history", None) is not None:
            own["history"] = main.history  # the history column's header, for problem paths
        headers = {"households": own}
        nested = isinstance(main, _ArrowSource) and main.member_source is not None
        member = self._sources.get("members")
        if self.layout == FLAT:
            files["members"] = main.file
            headers["households"] = {c: h for c, h in own.items() if not c.startswith(_MEMBERS)}
            headers["members"] = {
                c[len(_MEMBERS) :]: h for c, h in own.items() if c.startswith(_MEMBERS)
            }
            headers["members"][MEMBER_KEY] = own.get("id", "id")
        elif nested:
            files["members"] = main.file
            headers["members"] = dict(main.member_source.columns)
        elif member is not None:
            files["members"] = member.file
            headers["members"] = dict(member.columns)
        form = FormReading(dict(self._readings))
        for kind in ("households", "members"):
            if kind in headers:
                mine = headers[kind]
                for column, origin in form.supplied(kind, list(mine)).items():
                    mine.setdefault(column, mine[origin])
        return _Context(
            self.entity,
            self._aliases,
            _Seen(),
            files,
            headers,
            nested=nested,
            flat=self._flat,
            as_of=self.as_of,
            layout=self.layout,
            form=form,
        )

    def _count(self) -> None:
        for source in self._sources.values():
            self.rows_read[source.file] = source.rows_read

    def _stream(self, size: int | None) -> Iterator[RegisterBatch]:
        """Batches with bad rows left out and listed (skip semantics)."""
        for source in self._sources.values():
            source.reset()
        ctx = self._context()
        self._form = ctx.form
        self.households_read = 0
        main = self._sources["households"]
        read = size or (1 << 16)
        if isinstance(main, _JsonLines):
            for lines in main.lines(size or (1 << 62)):
                batch = _assemble_lines(ctx, lines)
                self._count()
                self.households_read = main.rows_read
                yield batch
        elif self.layout == FLAT:
            yield from self._stream_flat(ctx, main, size, read)
        elif "members" in self._sources:
            msource = self._sources["members"]
            households = _rebatch(_prefetch(main.raw(read)), size)
            members = _prefetch(msource.raw(4 * read))
            for batch in _Merge(ctx, households, members, main, msource):
                self._count()
                self.households_read = main.rows_read
                yield batch
        else:
            nested = getattr(main, "member_source", None)
            for raw in _rebatch(_prefetch(main.raw(read)), size):
                extra = _ragged(main)
                if nested is not None:
                    hh, mm = nested.explode(raw)
                    batch = _assemble(ctx, hh, mm, extra)
                else:
                    batch = _assemble(ctx, raw, None, extra)
                keys = _clean_keys(raw, "id")
                good = _valid(keys)
                ctx.seen.add(_key_bytes(keys.filter(pa.array(good))), raw.rows[good])
                self._count()
                self.households_read = main.rows_read
                yield batch
            rest = _ragged(main)
            if rest:
                self._count()
                yield _empty_batch(self.entity, self._flat, rest, self._aliases.vocabulary)
        self._count()
        if not self.rows_read[self.files[0]]:
            raise _fatal(
                self.files[0],
                "文件没有数据行（只有表头）",
                "the file has no data rows (only a header)",
            )

    def _stream_flat(
        self, ctx: _Context, main: Any, size: int | None, read: int
    ) -> Iterator[RegisterBatch]:
        """A flat file's batches: whole households, their rows checked to agree."""

        def ragged() -> list[Rejected]:
            out = _ragged(main)
            for r in out:  # its household is never decided without it
                if r.household_id is not None:
                    ctx.bad_member_keys.setdefault(r.household_id, (r.file, r.row))
            return out

        for raw in _flat_chunks(ctx, _prefetch(main.raw(read)), size):
            extra = ragged()
            hh, mm, disagree = _flat_split(ctx, raw)
            batch = _assemble(ctx, hh, mm, extra, disagree)
            keys = _clean_keys(hh, "id")
            good = _valid(keys)
            ctx.seen.add(_key_bytes(keys.filter(pa.array(good))), hh.rows[good])
            self.households_read += int(good.sum())
            self._count()
            yield batch
        rest = ragged()
        if rest:
            self._count()
            yield _empty_batch(self.entity, self._flat, rest, self._aliases.vocabulary)

    def batches(self, *, validate_first: bool = True) -> Iterator[RegisterBatch]:
        """The register in batches of at most ``batch_size`` households, each with all
        its members.

        With ``on_error="fail"`` and ``validate_first`` (the default), every problem of
        the whole register is found first, reading it once and keeping nothing, and
        :class:`~poverty_core.errors.InputError` is raised before the first batch;
        otherwise the register is read again for the batches. No copy of the register
        is ever made (it holds names and ID numbers). With ``validate_first=False`` the
        batches come as they are read, until the first problem; the error listing every
        problem is raised after the last row — for a caller whose output is discarded
        when the run fails (an atomic writer), so that the register is read only once.
        """
        if self.on_error == "skip":
            yield from self._stream(self.batch_size)
            return
        if validate_first:
            problems = self.validate()
            if problems:
                raise self.error(problems)
        collector = _Collector(self.max_problems, self.files)
        for batch in self._stream(self.batch_size):
            collector.add(batch.problems)
            if not collector:
                yield batch
        if collector:
            raise collector.error()

    def read_all(self) -> RegisterBatch:
        """The whole register as one batch (members in any order; a flat file's rows of a
        household anywhere in it). With ``on_error="fail"``, raises
        :class:`~poverty_core.errors.InputError` listing every problem instead."""
        batches = list(self._stream(None))
        batch = _merge_batches(batches, self.entity)
        if self.on_error == "fail" and batch.problems:
            collector = _Collector(self.max_problems, self.files)
            collector.add(batch.problems)
            raise collector.error()
        return batch

    def tables(self) -> Iterator[tuple[pa.Table, pa.Table | None]]:
        """``(households, members)`` per batch, as :func:`poverty_core.batch.assess`
        takes them."""
        for batch in self.batches():
            yield batch.tables

    def validate(self) -> list[Problem]:
        """Every problem of the register (rows and file alike), reading it once and
        keeping nothing; an empty list when it is clean (:meth:`error` makes the error
        of what it returns)."""
        collector = _Collector(self.max_problems, self.files)
        try:
            for batch in self._stream(self.batch_size):
                collector.add(batch.problems)
        except InputError as err:
            collector.add(err.problems)
        return collector.result()

    def __repr__(self) -> str:
        return (
            f"<Register {self.format} {self.layout} {', '.join(self.files)} "
            f"encoding={self.encoding}>"
        )


def _ragged(source: Any) -> list[Rejected]:
    return [
        Rejected(source.file, r.row, r.key, (r.problem(source.file),)) for r in source.take_ragged()
    ]


def _empty_batch(
    entity: str,
    flat: Sequence[str],
    rejected: Sequence[Rejected],
    vocabulary: Vocabulary = CORE,
) -> RegisterBatch:
    households = _schema(entity, flat, vocabulary).empty_table()
    members = _schema("members", (), vocabulary).empty_table() if entity == "households" else None
    problems = [p for r in rejected for p in r.problems]
    none = np.zeros(0, np.int64)
    return RegisterBatch(
        households, members, none, problems, none if members else None, tuple(rejected)
    )


def _merge_batches(batches: Sequence[RegisterBatch], entity: str) -> RegisterBatch:
    if len(batches) == 1:
        return batches[0]
    households = pa.concat_tables([b.households for b in batches], promote_options="default")
    members = None
    if entity == "households":
        members = pa.concat_tables([b.members for b in batches if b.members is not None])
    return RegisterBatch(
        households,
        members,
        np.concatenate([b.rows for b in batches]),
        [p for b in batches for p in b.problems],
        None
        if members is None
        else np.concatenate([b.member_rows for b in batches if b.member_rows is not None]),
        tuple(r for b in batches for r in b.rejected),
    )


# -- opening -----------------------------------------------------------------------------

_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".arrows": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


def _format_of(path: Path, file: str) -> str:
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return "arrow"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


def _check_file(path: Path, file: str) -> None:
    if not path.exists():
        raise _fatal(file, "文件不存在", "no such file")
    if path.is_dir():
        raise _fatal(file, "是目录而不是文件", "is a directory, not a file")
    if path.stat().st_size == 0:
        raise _fatal(file, "文件为空", "the file is empty")


def _pack_columns(pack: Any, entity: str) -> tuple[set[str] | None, dict[str, str]]:
    """The flattened columns a pack knows, and its step/item labels as headers."""
    if pack is None:
        return None, {}
    subject = {"households": "household", "villages": "village", "counties": "county"}.get(entity)
    allowed: set[str] = set()
    labels: dict[str, list[str]] = {}
    for procedure in getattr(pack, "procedures", {}).values():
        if procedure.subject == subject:
            for step in procedure.steps:
                name = f"procedures.{procedure.id}.{step.id}"
                allowed.add(name)
                for text in (step.label.zh, step.label.en):
                    labels.setdefault(text, []).append(name)
    for checklist in getattr(pack, "checklists", {}).values():
        if checklist.subject == subject:
            for item in checklist.items:
                name = f"checklists.{checklist.id}.{item.id}"
                allowed.add(name)
                for text in (item.label.zh, item.label.en):
                    labels.setdefault(text, []).append(name)
    return allowed, {h: names[0] for h, names in labels.items() if len(set(names)) == 1}


def _aliases(
    aliases: AliasMap | Mapping[str, Any] | None,
    extra: Mapping[str, str],
    vocabulary: Vocabulary = CORE,
) -> AliasMap:
    """The alias map of a read: the caller's (or the default), knowing the columns of
    the applied pack's fields (``vocabulary``) and no other pack's."""
    if isinstance(aliases, AliasMap):
        base = aliases.for_vocabulary(vocabulary)
    else:
        base = AliasMap.default(vocabulary)
    if extra:
        labels = {h: c for h, c in extra.items() if normalize(h) not in base.columns["households"]}
        base = base.extended({"households": labels})
    if aliases is not None and not isinstance(aliases, AliasMap):
        base = base.extended(aliases)
    return base


def _source(
    path: Path,
    file: str,
    fmt: str,
    entity: str,
    encoding: str | None,
    aliases: AliasMap,
    ignore: set[str],
    allowed_flat: set[str] | None,
    sheet: str | None = None,
) -> Any:
    if fmt == "csv":
        return _CsvSource(path, file, entity, encoding, aliases, ignore, allowed_flat)
    if fmt in ("parquet", "arrow"):
        return _ArrowSource(path, file, fmt, entity, aliases, ignore, allowed_flat)
    if fmt == "xlsx":
        if sheet is None:
            sheet = _sheet_named(path, file, "households")
        return _XlsxSource(path, file, sheet, entity, aliases, ignore, allowed_flat)
    raise _fatal(
        file,
        f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
        f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
    )


def _options(on_error: str, batch_size: int) -> None:
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")


def _is_flat(headers: Sequence[str], aliases: AliasMap, ignore: set[str]) -> bool:
    """Whether a file's headers are those of a flat register: member columns are there
    (``与户主关系``, ``A10在校生状况``, ``members.age`` …) beside the household's."""
    for header in headers:
        text = "" if header is None else str(header)
        if not text.strip() or normalize(text) in ignore:
            continue
        column = _column_of(aliases, FLAT, text)
        if column is not None and column.startswith(_MEMBERS):
            return True
    return False


def _headers_in(path: Path, file: str, fmt: str, encoding: str | None, sheet: str | None) -> Any:
    """A file's headers, for telling its layout (nested members of Arrow: ``None``)."""
    if fmt == "csv":
        return _csv_header(path, file, encoding)[2]
    if fmt == "xlsx":
        assert sheet is not None
        return _xlsx_header(path, f"{file}[{sheet}]", sheet)[1]
    schema = _arrow_schema_of(path, file, fmt)
    headers = []
    for field in schema:
        t = field.type
        if field.name == "members" and (pa.types.is_list(t) or pa.types.is_large_list(t)):
            return None
        headers += _flat_names(field)
    return headers


def _layout_problem(file: str, zh: str, en: str) -> InputError:
    return _fatal(file, f"{option('layout', 'zh')}：{zh}", f"{option('layout')}: {en}")


def open_register(
    households: str | os.PathLike[str],
    members: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    encoding: str | None = None,
    aliases: AliasMap | Mapping[str, Any] | None = None,
    ignore_columns: Iterable[str] = (),
    on_error: OnError = "fail",
    batch_size: int = 65536,
    pack: Any = None,
    max_problems: int | None = 10_000,
    as_of: dt.date | None = None,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> Register:
    """Open a household register for reading in batches (see the module notes).

    :param households: the register file: a households file (CSV, JSON Lines, Parquet,
        Arrow IPC or xlsx; an xlsx workbook may hold the members sheet too), or a flat
        file with a row per person.
    :param members: the members file, keyed by ``household_id`` (``户编号``); not
        needed for JSON Lines, for tables with a nested ``members`` column, for a
        workbook holding both sheets, or for a flat file.
    :param format: one of :data:`FORMATS`; by default from the file name (or its
        first bytes).
    :param encoding: the text encoding; by default detected: UTF-8 (with or without a
        BOM), else GBK/GB18030; UTF-16 with a BOM. See :attr:`Register.encodings`.
    :param aliases: more column headers (``{"户主编号": "id"}``, or per table kind
        ``{"members": {...}}``), or a whole :class:`~poverty_core.aliases.AliasMap`.
    :param ignore_columns: headers of columns to leave unread (otherwise a column that
        names no field is an error).
    :param on_error: ``"fail"`` (raise :class:`~poverty_core.errors.InputError` with
        every problem before returning anything) or ``"skip"`` (leave bad households
        out, listed in :attr:`RegisterBatch.rejected`).
    :param batch_size: households per batch of :meth:`Register.batches`.
    :param pack: a loaded pack: flattened procedure/checklist columns must then be
        steps and items of its procedures and checklists, whose labels serve as
        headers too.
    :param max_problems: with ``on_error="fail"``, problems listed at most (the rest
        are counted by column); ``None`` for all.
    :param as_of: the assessment date: a member whose stated age and date of birth
        contradict by more than a year on it is a problem of the row (both cells named).
        Without it the two are not compared.
    :param layout: one of :data:`LAYOUTS`; by default told from the files: a members
        file (or a workbook's members sheet) makes ``two-file``, JSON Lines or a nested
        ``members`` column ``nested``, and one file whose columns include a member's
        (``与户主关系``, ``A10在校生状况``, ``members.age`` …) ``flat``.
    :param interpretations: readings of the national form's options other than the
        default, by interpretation (``{"non_student": "unknown"}``; see
        :mod:`poverty_core.register_form`).

    A flat file has a row per person and its household's columns repeated on each of
    the household's rows (a blank is no disagreement); rows that give a household column
    different values are a problem of the household naming them. Read in batches, a
    household's rows must come together. Its members are ``members.<field>`` columns or
    any header that names a member's field; without a member-id column, members are
    numbered 1, 2, … within their household (in two-file registers too).

    Problems of the files as a whole (missing, empty, unknown columns …) raise
    :class:`~poverty_core.errors.InputError` here already.
    """
    _options(on_error, batch_size)
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    readings = national_form().readings(interpretations)
    hpath = Path(households)
    hfile = os.fspath(households)
    _check_file(hpath, hfile)
    fmt = format.lower().lstrip(".") if format else _format_of(hpath, hfile)
    if fmt in ("ipc", "feather"):
        fmt = "arrow"
    if fmt not in FORMATS:
        raise _fatal(
            hfile,
            f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
            f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
        )
    allowed, labels = _pack_columns(pack, "households")
    amap = _aliases(aliases, labels, _vocabulary.of(pack))
    ignore = {normalize(c) for c in ignore_columns}
    sources: dict[str, Any] = {}
    flat: tuple[str, ...] = ()
    if members is not None and layout == FLAT:
        raise _layout_problem(
            os.fspath(members),
            "平铺登记表只有一个文件，不读成员文件",
            "a flat register is one file: no members file is read",
        )
    if fmt == "jsonl":
        if layout not in (None, "nested"):
            raise _layout_problem(
                hfile,
                f"JSON Lines 登记表的成员嵌套在每户中（不是 {layout}）",
                f"a JSON Lines register nests its members in each household (not {layout})",
            )
        if members is not None:
            raise _fatal(
                os.fspath(members),
                "JSON Lines 的成员嵌套在每户中，不需要成员文件",
                "JSON Lines households carry their members: no members file is read",
            )
        sources["households"] = _JsonLines(hpath, hfile, encoding)
        found = "nested"
    elif members is None:
        sources, found = _one_file(hpath, hfile, fmt, encoding, amap, ignore, allowed, layout)
    else:
        if layout not in (None, "two-file"):
            raise _layout_problem(
                os.fspath(members),
                f"给出了成员文件，登记表为两表（不是 {layout}）",
                f"with a members file the register is two files (not {layout})",
            )
        sources["households"] = _source(
            hpath, hfile, fmt, "households", encoding, amap, ignore, allowed
        )
        mpath = Path(members)
        mfile = os.fspath(members)
        _check_file(mpath, mfile)
        mfmt = _format_of(mpath, mfile) if format is None else fmt
        if mfmt == "xlsx":
            sheet = _sheet_named(mpath, mfile, "members")
            sources["members"] = _XlsxSource(mpath, mfile, sheet, "members", amap, ignore, None)
        else:
            sources["members"] = _source(
                mpath, mfile, mfmt, "members", encoding, amap, ignore, None
            )
        main = sources["households"]
        if isinstance(main, _ArrowSource) and main.member_source is not None:
            raise _fatal(
                mfile,
                "户表已嵌套 members 列，不能再给成员文件",
                "the households table nests a members column: no members file is read",
            )
        found = "two-file"
    main = sources["households"]
    if not isinstance(main, _JsonLines):
        flat = tuple(c for c in main.columns if c.startswith(("procedures.", "checklists.")))
    return Register(
        fmt=fmt,
        entity="households",
        sources=sources,
        aliases=amap,
        on_error=on_error,
        batch_size=batch_size,
        max_problems=max_problems,
        flat=flat,
        as_of=as_of,
        layout=found,
        readings=readings,
    )


def _one_file(
    path: Path,
    file: str,
    fmt: str,
    encoding: str | None,
    amap: AliasMap,
    ignore: set[str],
    allowed: set[str] | None,
    layout: str | None,
) -> tuple[dict[str, Any], str]:
    """The sources of a register given as one file (no members file), and its layout."""
    sources: dict[str, Any] = {}
    sheet: str | None = None
    msheet: str | None = None
    if fmt == "xlsx":
        sheet, msheet = _pick_sheets(path, file)
    if fmt not in ("csv", "xlsx", "parquet", "arrow"):
        raise _fatal(
            file,
            f"不支持的格式 {fmt!r}（可用：{', '.join(FORMATS)}）",
            f"unsupported format {fmt!r} (use one of {', '.join(FORMATS)})",
        )
    if layout == "two-file" and fmt != "xlsx":
        raise _layout_problem(
            file,
            f"两表登记表须给出成员文件（{option('members', 'zh')}）",
            f"a two-file register needs the members file ({option('members')})",
        )
    headers = _headers_in(path, file, fmt, encoding, sheet)
    if layout == FLAT or (
        layout is None and headers is not None and _is_flat(headers, amap, ignore)
    ):
        if headers is None:
            raise _layout_problem(
                file,
                "文件嵌套了 members 列，不是平铺登记表",
                "the file nests a members column: it is not a flat register",
            )
        if fmt == "xlsx":
            assert sheet is not None
            sources["households"] = _XlsxSource(path, file, sheet, FLAT, amap, ignore, allowed)
        else:
            sources["households"] = _source(path, file, fmt, FLAT, encoding, amap, ignore, allowed)
        return sources, FLAT
    if fmt == "xlsx":
        assert sheet is not None
        if layout == "nested":
            raise _layout_problem(
                file,
                "xlsx 登记表不嵌套成员（用 two-file 或 flat）",
                "an xlsx register does not nest members (use two-file or flat)",
            )
        sources["households"] = _XlsxSource(path, file, sheet, "households", amap, ignore, allowed)
        if msheet is None:
            raise _fatal(
                file,
                "工作簿中没有成员表（工作表名 members/成员），也不是平铺登记表（一人一行）；"
                f"请给出成员文件（{option('members', 'zh')}）",
                "the workbook has no members sheet (named members/成员) and is no flat "
                f"register (a row per person): give the members file ({option('members')})",
            )
        sources["members"] = _XlsxSource(path, file, msheet, "members", amap, ignore, None)
        return sources, "two-file"
    main = _source(path, file, fmt, "households", encoding, amap, ignore, allowed)
    sources["households"] = main
    if isinstance(main, _ArrowSource) and main.member_source is not None:
        if layout == "two-file":
            raise _layout_problem(
                file,
                "户表嵌套了成员，不是两表登记表",
                "the households table nests its members: it is not a two-file register",
            )
        return sources, "nested"
    raise _fatal(
        file,
        f"缺少成员表：请给出成员文件（{option('members', 'zh')}），或在表中嵌套 members 列，"
        "或用平铺登记表（一人一行，户的各列在每行重复）",
        f"no members: give the members file ({option('members')}), nest a members column "
        "in the households table, or give a flat register (a row per person, the "
        "household's columns repeated on each row)",
    )


def read_table(
    path: str | os.PathLike[str],
    kind: type[Any] = Village,
    *,
    format: str | None = None,
    encoding: str | None = None,
    aliases: AliasMap | Mapping[str, Any] | None = None,
    ignore_columns: Iterable[str] = (),
    on_error: OnError = "fail",
    pack: Any = None,
    max_problems: int | None = 10_000,
) -> RegisterBatch:
    """Read a table of villages or counties (CSV, Parquet, Arrow IPC or xlsx) as one
    typed batch matching ``arrow_schema(kind)``, with the same column names, cells,
    checks and ``on_error`` as :func:`open_register`."""
    _options(on_error, 1)
    entity = {Village: "villages", County: "counties"}.get(kind)
    if entity is None:
        raise ValueError(f"read_table reads villages or counties, not {kind!r}")
    p = Path(path)
    file = os.fspath(path)
    _check_file(p, file)
    fmt = format.lower().lstrip(".") if format else _format_of(p, file)
    if fmt == "jsonl":
        raise _fatal(
            file,
            "村、县表请用 CSV、Parquet、Arrow 或 xlsx",
            "villages and counties are read from CSV, Parquet, Arrow or xlsx",
        )
    allowed, labels = _pack_columns(pack, entity)
    amap = _aliases(aliases, {}, _vocabulary.of(pack))
    if labels:
        amap = amap.extended(
            {entity: {h: c for h, c in labels.items() if normalize(h) not in amap.columns[entity]}}
        )
    source = _source(
        p, file, fmt, entity, encoding, amap, {normalize(c) for c in ignore_columns}, allowed
    )
    register = Register(
        fmt=fmt,
        entity=entity,
        sources={"households": source},
        aliases=amap,
        on_error=on_error,
        batch_size=1 << 30,
        max_problems=max_problems,
        flat=tuple(c for c in source.columns if "." in c),
    )
    return register.read_all()


def records_from_tables(
    households: pa.Table,
    members: pa.Table | None,
    *,
    ids: Iterable[str] | None = None,
    cls: type[Household] = Household,
) -> list[Household]:
    """Households (with their members) rebuilt as records from typed tables — for
    explaining a few rows of a columnar register; ``ids`` picks which (all if ``None``);
    ``cls``: a pack's household class (``pack.record_type("household")``) for a
    register with the pack's declared fields."""
    import pyarrow.compute as pc

    wanted = None if ids is None else list(ids)
    if wanted is not None:
        households = households.filter(pc.is_in(households.column("id"), pa.array(wanted)))
    by_household: dict[str, list[dict[str, Any]]] = {}
    if members is not None:
        keep = members
        if wanted is not None:
            keep = members.filter(pc.is_in(members.column(MEMBER_KEY), pa.array(wanted)))
        for row in keep.to_pylist():
            owner = row.pop(MEMBER_KEY)
            by_household.setdefault(owner, []).append(
                {k: v for k, v in row.items() if v is not None}
            )
    out = []
    for row in households.to_pylist():
        record: dict[str, Any] = {"procedures": {}, "checklists": {}}
        for key, value in row.items():
            if value is None or key == "members":
                continue
            if key.startswith(("procedures.", "checklists.")) and key.count(".") == 2:
                kind, group, item = key.split(".")
                record[kind].setdefault(group, {})[item] = value
            else:
                record[key] = value
        record["members"] = by_household.get(row["id"], [])
        out.append(structure(record, cls))
    return out
