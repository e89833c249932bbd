"""Columnar form of records, for vectorised evaluation.

A :class:`Frame` holds one :class:`Vec` per field — the values and a mask of which
are known — and, for households, a member frame with an ``owner`` index (the row of
each member's household), as an Arrow list column would. Booleans are ``bool``,
numbers ``float64``, codes their position in the code list (``int16``), dates their
proleptic ordinal (``int64``); tuple fields become their length. Unknown values are
stored as zeros and masked out, so no arithmetic ever sees a NaN.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from poverty_core.codes import Code
from poverty_core.model import County, Household, Person, Village

__all__ = ["FieldKind", "Frame", "Vec", "field_kind", "field_kinds"]

Array = npt.NDArray[Any]


@attrs.frozen
class Vec:
    """Values and a known-mask (three-valued for booleans: value is meaningful where known)."""

    values: Array
    known: Array

    def __len__(self) -> int:
        return int(self.values.shape[0]) if self.values.ndim else 1


@attrs.frozen
class FieldKind:
    """How a model field is typed for rules: ``bool``, ``number``, ``code``, ``date``, ``text``,
    ``list`` (a tuple, seen by rules as its length) or ``mapping`` (procedures, checklists)."""

    kind: str
    code: type[Code] | None = None


def _kind_of(tp: Any) -> FieldKind:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        tp = args[0]
    origin = typing.get_origin(tp)
    if origin is tuple:
        return FieldKind("list")
    if origin is dict:
        return FieldKind("mapping")
    if tp is bool:
        return FieldKind("bool")
    if tp in (int, float):
        return FieldKind("number")
    if tp is dt.date:
        return FieldKind("date")
    if isinstance(tp, type) and issubclass(tp, Code):
        return FieldKind("code", tp)
    if tp is str:
        return FieldKind("text")
    raise TypeError(f"no column kind for {tp!r}")


def field_kinds(cls: type[Any]) -> dict[str, FieldKind]:
    """Each field of a model class with its :class:`FieldKind`."""
    hints = typing.get_type_hints(cls)
    return {a.name: _kind_of(hints[a.name]) for a in attrs.fields(cls)}


_KINDS: dict[type[Any], dict[str, FieldKind]] = {
    cls: field_kinds(cls) for cls in (Person, Household, Village, County)
}


def field_kind(cls: type[Any], name: str) -> FieldKind | None:
    """The :class:`FieldKind` of ``cls.name``, or ``None`` if there is no such field."""
    return _KINDS[cls].get(name)


def _encode(value: Any, kind: FieldKind) -> Any:
    if kind.kind == "bool":
        return bool(value)
    if kind.kind == "number":
        return float(value)
    if kind.kind == "code":
        assert kind.code is not None
        return _CODE_INDEX[kind.code][value]
    if kind.kind == "date":
        return value.toordinal()
    if kind.kind == "list":
        return float(len(value))
    return value


_DTYPES = {
    "bool": np.bool_,
    "number": np.float64,
    "code": np.int16,
    "date": np.int64,
    "list": np.float64,
}
_CODE_INDEX: dict[type[Code], dict[Code, int]] = {}


def code_index(cls: type[Code]) -> dict[Code, int]:
    """Position of each code in its list (its integer form in columns)."""
    if cls not in _CODE_INDEX:
        _CODE_INDEX[cls] = {m: i for i, m in enumerate(cls)}
    return _CODE_INDEX[cls]


def _column(values: Sequence[Any], kind: FieldKind) -> Vec:
    n = len(values)
    known = np.fromiter((v is not None for v in values), dtype=np.bool_, count=n)
    if kind.kind == "code":
        assert kind.code is not None
        code_index(kind.code)
    if kind.kind in _DTYPES:
        dtype = _DTYPES[kind.kind]
        zero = dtype(0)
        data: Array = np.fromiter(
            (zero if v is None else _encode(v, kind) for v in values), dtype=dtype, count=n
        )
    else:
        data = np.array(list(values), dtype=object)
    return Vec(data, known)


@attrs.define
class Frame:
    """Columns of one entity kind (``household``, ``village``, ``county`` or ``person``)."""

    kind: type[Any]
    n: int
    columns: dict[str, Vec]
    members: Frame | None = None
    owner: Array | None = None
    """The row of each member's household (in a member frame)."""
    records: Sequence[Any] | None = None
    """The records the frame was built from, when it was (for plain-function rules)."""

    def column(self, name: str) -> Vec:
        """The column ``name``; a column no record has (a procedure step, say) is all unknown."""
        try:
            return self.columns[name]
        except KeyError:
            return Vec(np.zeros(self.n, dtype=np.int64), np.zeros(self.n, dtype=np.bool_))

    @classmethod
    def from_records(cls, records: Sequence[Any]) -> Frame:
        """Build a frame from model records of one class (households bring their members)."""
        if not records:
            raise ValueError("no records")
        kind = type(records[0])
        kinds = _KINDS[kind]
        columns: dict[str, Vec] = {}
        for name, fk in kinds.items():
            if fk.kind == "mapping":
                columns.update(_flatten_mapping(name, [getattr(r, name) for r in records]))
            elif name not in ("members", "history"):
                columns[name] = _column([getattr(r, name) for r in records], fk)
        frame = cls(kind, len(records), columns, records=records)
        if kind is Household:
            people = [m for r in records for m in r.members]
            owner = np.repeat(
                np.arange(len(records), dtype=np.int64),
                np.fromiter((len(r.members) for r in records), dtype=np.int64, count=len(records)),
            )
            member_frame = cls.from_records(people)
            births = [p.birth_date for p in people]
            for part in ("year", "month", "day"):
                member_frame.columns[f"birth_{part}"] = _column(
                    [None if b is None else getattr(b, part) for b in births], FieldKind("number")
                )
            member_frame.owner = owner
            frame.members = member_frame
        return frame


def _flatten_mapping(name: str, values: Sequence[dict[str, Any]]) -> dict[str, Vec]:
    """``procedures`` → a presence column per procedure and a column per step."""
    n = len(values)
    keys: dict[str, set[str]] = {}
    for mapping in values:
        for key, inner in mapping.items():
            keys.setdefault(key, set()).update(inner)
    out: dict[str, Vec] = {}
    for key, inner_keys in keys.items():
        present = np.fromiter((key in m for m in values), dtype=np.bool_, count=n)
        out[f"{name}.{key}"] = Vec(present, np.ones(n, dtype=np.bool_))
        for inner in inner_keys:
            cells = [m.get(key, {}).get(inner) for m in values]
            sample = next(c for c in cells if c is not None)
            fk = FieldKind("date") if isinstance(sample, dt.date) else FieldKind("bool")
            out[f"{name}.{key}.{inner}"] = _column(cells, fk)
    return out
