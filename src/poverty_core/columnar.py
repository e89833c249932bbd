"""Registers as Arrow tables: the columnar form of households and their members.

A household register is two tables: households (one row per household, columns named
as :class:`~poverty_core.model.Household` fields, procedure steps and checklist items
flattened to ``procedures.<procedure>.<step>`` / ``checklists.<checklist>.<item>``)
and members (one row per member, a ``household_id`` column and the
:class:`~poverty_core.model.Person` fields). :func:`arrow_schema` gives their types;
:func:`~poverty_core.frame.frame_from_arrow` turns them into a frame for the engine.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Sequence
from typing import Any

import attrs
import pyarrow as pa

from poverty_core.codes import Code
from poverty_core.model import County, Household, Person, Village

__all__ = ["MEMBER_KEY", "arrow_schema", "tables_from_records"]

MEMBER_KEY = "household_id"
"""The column of the members table naming each member's household."""


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


def tables_from_records(records: Sequence[Any]) -> tuple[pa.Table, pa.Table | None]:
    """Households (or villages, counties) as Arrow tables: the records' table and, for
    households, the members' table."""
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
    if kind is not Household:
        return table, None
    member_schema = arrow_schema(Person, member_table=True)
    rows: dict[str, list[Any]] = {f.name: [] for f in member_schema}
    for record in records:
        for person in record.members:
            rows[MEMBER_KEY].append(record.id)
            for f in member_schema:
                if f.name != MEMBER_KEY:
                    rows[f.name].append(_cell(getattr(person, f.name)))
    return table, pa.Table.from_pydict(rows, schema=member_schema)


_KINDS = (Household, Village, County)
