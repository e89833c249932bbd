"""The tables of a register: names, limits, Arrow schemas, records to tables and back.

:func:`arrow_schema` types the households and members tables from the model's fields;
:func:`tables_from_records` and :func:`records_from_tables` convert between records and
tables; :func:`csv_ready` makes a typed table writable as CSV. The constants here
(:data:`MEMBER_KEY`, :data:`MAX_CELL_CHARS`, :data:`MAX_ID_CHARS`, :data:`FORMATS`,
:data:`LAYOUTS`) are shared by every reader of the package.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.codes import Code
from poverty_core.convert import structure
from poverty_core.model import Household, Person
from poverty_core.registers.history import history_column

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "MAX_CELL_CHARS",
    "MAX_ID_CHARS",
    "MEMBER_KEY",
    "arrow_schema",
    "csv_ready",
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
    histories as a ``history`` column (:data:`~poverty_core.registers.HISTORY_TYPE`; the
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


FLAT = "flat"
"""The entity of a flat register's source: each row a member with its household's columns
(household columns by name, member columns as ``members.<name>``, the household's id as
``id``)."""


_MEMBERS = "members."


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
