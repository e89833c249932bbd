"""Column specs: what each column of a table holds and how its cells are read.

A :class:`_Spec` is derived once per entity and vocabulary from the model's field types
(number, integer, yes/no, code, date, text, lists of them) with the field's check; the
readers, the cell coercion and the checks all work from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Iterable
from typing import Any

import attrs
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.aliases import ENTITIES, entity_columns
from poverty_core.checks import Check
from poverty_core.codes import Code
from poverty_core.model import Person
from poverty_core.registers.schema import _MEMBERS, FLAT, MEMBER_KEY, arrow_schema
from poverty_core.vocabulary import CORE, Vocabulary


@attrs.frozen
class _Spec:
    """How one column is typed and checked."""

    name: str
    kind: str  # text float int bool date code list unnamed
    type: Any
    code: type[Code] | None = None
    item: _Spec | None = None
    check: Check | None = None
    """The field's check, as declared in :mod:`poverty_core.checks`."""
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


def _spec_of(name: str, tp: Any, check: Check | None = None) -> _Spec:
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


def _one_entry(check: Check, name: str) -> Check:
    """The check of a mapping field (``procedures``) on the one entry a flattened column
    holds: the model's check and message for the value, the check of each entry
    (:attr:`~poverty_core.checks.Check.item`) over the column."""
    _, outer, inner = name.split(".", 2)

    def entry(value: Any) -> Text | None:
        return check({outer: {inner: value}})

    column = None if check.item is None else check.item.column
    return attrs.evolve(check, name=f"{check.name}[{outer}.{inner}]", scalar=entry, column=column)


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
