"""Columnar form of records, for vectorised evaluation.

A :class:`Frame` holds one :class:`Vec` per field — the values and a mask of which
are known — and, for households, a member frame with an ``owner`` index (the row of
each member's household), as an Arrow list column would. Booleans are ``bool``,
numbers ``float64``, dates their proleptic ordinal (``int64``); tuple fields become
their length. Unknown values are stored as zeros and masked out, so no arithmetic ever
sees a NaN.

Codes are held by their **text**, as on one record (a code is a ``str``): every string
a batch compares — a code's value, a text constant or parameter — has one process-wide
integer id (:func:`string_id`, the same table on every path, like the dictionary of an
Arrow dictionary array), and a code column holds the ids of its codes' values
(``int32``, :attr:`Vec.coded`). Two codes compare equal in a batch exactly when their
texts do on one record; codes of two lists never collide by position. Free-text fields
(ids, names) stay Python strings, so the table only ever holds code values and the
strings rules state.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._arrow_buffers import (
    _bits,
    _data,
    _fixed_width_ids,
    _is_text,
    _keys_differ,
    _take_rows,
    whole,
)
from poverty_core.codes import Code
from poverty_core.model import County, Household, Person, Village

__all__ = [
    "FieldKind",
    "Frame",
    "Vec",
    "code_index",
    "field_kind",
    "field_kinds",
    "frame_from_arrow",
    "kinds_of",
    "string_id",
    "strings_of",
]

Array = npt.NDArray[Any]


@attrs.frozen
class Vec:
    """Values and a known-mask (three-valued for booleans: value is meaningful where known)."""

    values: Array
    known: Array
    coded: bool = False
    """True when ``values`` are string ids (:func:`string_id`): codes, or text a rule
    states, compared with codes."""

    def __len__(self) -> int:
        return int(self.values.shape[0]) if self.values.ndim else 1


@attrs.frozen
class FieldKind:
    """How a model field is typed for rules: ``bool``, ``number``, ``code``, ``date``, ``text``,
    ``list`` (a tuple, seen by rules as its length) or ``mapping`` (procedures, checklists)."""

    kind: str
    code: type[Code] | None = None
    unit: str | None = None
    """The unit of a number field when the model states it (``metadata["unit"]``), as
    parameters state theirs (``yuan/person/year``, ``ratio`` …)."""


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
    out: dict[str, FieldKind] = {}
    for a in attrs.fields(cls):
        kind = _kind_of(hints[a.name])
        unit = a.metadata.get("unit")
        out[a.name] = attrs.evolve(kind, unit=unit) if unit else kind
    return out


_KINDS: dict[type[Any], dict[str, FieldKind]] = {
    cls: field_kinds(cls) for cls in (Person, Household, Village, County)
}


def kinds_of(cls: type[Any]) -> dict[str, FieldKind]:
    """Each field of record class ``cls`` with its :class:`FieldKind`: a core class's
    fields, or a pack's record class's (the core fields and those the pack declares,
    :mod:`poverty_core.vocabulary`) — never another pack's."""
    own = _KINDS.get(cls)
    if own is None:
        own = _KINDS[cls] = field_kinds(cls) if attrs.has(cls) else {}
    return own


def member_type(cls: type[Any]) -> type[Any]:
    """The member (person) class of a household class: a pack's household class holds
    the pack's person class; any other class, the core :class:`~poverty_core.model.Person`.
    """
    if not (isinstance(cls, type) and issubclass(cls, Household)) or cls is Household:
        return Person
    hint = typing.get_type_hints(cls)["members"]
    args = typing.get_args(hint)
    return args[0] if args and isinstance(args[0], type) else Person


def field_kind(cls: type[Any], name: str) -> FieldKind | None:
    """The :class:`FieldKind` of ``cls.name``, or ``None`` if there is no such field."""
    return kinds_of(cls).get(name)


def _encode(value: Any, kind: FieldKind) -> Any:
    if kind.kind == "bool":
        return bool(value)
    if kind.kind == "number":
        return float(value)
    if kind.kind == "code":
        return string_id(value)
    if kind.kind == "date":
        return value.toordinal()
    if kind.kind == "list":
        return float(len(value))
    return value


_DTYPES = {
    "bool": np.bool_,
    "number": np.float64,
    "code": np.int32,
    "date": np.int64,
    "list": np.float64,
}

# One table for the whole process: a string's id never changes, so columns, constants
# and parameters encoded at different times agree. It holds code values and the strings
# rules state (never free-text data), so it stays small.
_STRING_IDS: dict[str, int] = {}
_STRINGS: list[str] = []
_STRING_ARRAY: list[Array] = [np.empty(0, dtype=object)]


def string_id(value: str) -> int:
    """The integer a string (a code's value, a text a rule states) has in batch columns.

    The same string always has the same id, whatever code list it belongs to, so ids
    compare as the strings do (``HouseGrade.A`` equals ``"A"`` and nothing else):

    >>> from poverty_core.codes import HouseGrade
    >>> string_id(HouseGrade.A) == string_id("A") != string_id("B")
    True
    """
    found = _STRING_IDS.get(value)
    if found is None:
        text = str.__str__(value)  # a code's plain value, not the enum member
        found = _STRING_IDS.setdefault(text, len(_STRINGS))
        if found == len(_STRINGS):
            _STRINGS.append(text)
    return found


def strings_of(ids: Array) -> Array:
    """The strings of string ids (an object array), the inverse of :func:`string_id`."""
    table = _STRING_ARRAY[0]
    if len(table) != len(_STRINGS):
        table = _STRING_ARRAY[0] = np.array(_STRINGS, dtype=object)
    return table[np.asarray(ids).astype(np.intp)]


def code_index(cls: type[Code]) -> dict[Code, int]:
    """The integer each code of a list has in columns (its value's :func:`string_id`)."""
    return {m: string_id(m.value) for m in cls}


def _column(values: Sequence[Any], kind: FieldKind) -> Vec:
    n = len(values)
    known = np.fromiter((v is not None for v in values), dtype=np.bool_, count=n)
    if kind.kind in _DTYPES:
        dtype = _DTYPES[kind.kind]
        zero = dtype(0)
        data: Array = np.fromiter(
            (zero if v is None else _encode(v, kind) for v in values), dtype=dtype, count=n
        )
    else:
        data = np.array(list(values), dtype=object)
    return Vec(data, known, coded=kind.kind == "code")


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
    lazy: dict[str, Callable[[], Vec]] = attrs.field(factory=dict)
    """Columns converted on first use (from records or Arrow: only what rules read)."""
    table: Any = None
    """The Arrow table the frame was built from, when it was (for plain-function rules)."""
    key: str = "household_id"
    """The members table's column naming each member's household (Arrow frames)."""

    def python_values(self, name: str) -> list[Any]:
        """Each row's value of field ``name`` as a record holds it — a tuple for a list
        field, a code as its code — for plain-function rules: from the records, or from
        the Arrow table (a field without a column is unknown, ``None``)."""
        if self.records is not None:
            return [getattr(r, name) for r in self.records]
        fk = kinds_of(self.kind).get(name)
        if fk is None or fk.kind == "mapping" or name == "members":
            raise TypeError(
                f"a plain-function rule reading {name!r} needs the records; "
                "build the frame with Frame.from_records"
            )
        if self.table is None or name not in self.table.column_names:
            return [None] * self.n
        convert = _python_value(self.kind, name, fk)
        return [None if v is None else convert(v) for v in self.table.column(name).to_pylist()]

    def column(self, name: str) -> Vec:
        """The column ``name``; a column no record has (a procedure step, say) is all unknown."""
        try:
            return self.columns[name]
        except KeyError:
            pass
        make = self.lazy.pop(name, None)
        if make is not None:
            self.columns[name] = make()
            return self.columns[name]
        nothing = np.zeros(self.n, dtype=np.bool_)
        fk = kinds_of(self.kind).get(name)
        if fk is not None and fk.kind == "code":  # all unknown, held as codes are
            return Vec(np.zeros(self.n, dtype=np.int32), nothing, coded=True)
        return Vec(np.zeros(self.n, dtype=np.int64), nothing)

    def has_column(self, name: str) -> bool:
        """True when some record has the column."""
        return name in self.columns or name in self.lazy

    def retyped(self, kind: type[Any]) -> Frame:
        """This frame read as records of ``kind`` — a pack's record class of the frame's
        kind (:meth:`~poverty_core.packs.Pack.record_type`): a frame built from Arrow
        tables then reads the columns of the fields the pack declares too. A frame of
        another kind, or built from records (whose class says which fields they
        have), is returned as it is."""
        if (
            kind is self.kind
            or self.table is None
            or not (isinstance(kind, type) and issubclass(kind, self.kind))
        ):
            return self
        members = self.members.table if self.members is not None else None
        return frame_from_arrow(self.table, members, kind=kind, key=self.key)

    @classmethod
    def from_records(cls, records: Sequence[Any], kind: type[Any] | None = None) -> Frame:
        """Build a frame from model records of one class (households bring their members);
        ``kind`` names the class when there may be no records. A field's column is built
        when a rule first reads it."""
        if not records:
            if kind is None:
                raise ValueError("no records, and no kind given")
            empty = cls(kind, 0, {}, records=[])
            if issubclass(kind, Household):
                empty.members = cls(
                    member_type(kind), 0, {}, owner=np.zeros(0, dtype=np.int64), records=[]
                )
            return empty
        kind = type(records[0])
        kinds = kinds_of(kind)
        columns: dict[str, Vec] = {}
        lazy: dict[str, Callable[[], Vec]] = {}

        def later(name: str, fk: FieldKind) -> Callable[[], Vec]:
            # getattr with a default: another pack's declared field is unknown here
            return lambda: _column([getattr(r, name, None) for r in records], fk)

        for name, fk in kinds.items():
            if fk.kind == "mapping":
                columns.update(_flatten_mapping(name, [getattr(r, name) for r in records]))
            elif name not in ("members", "history"):
                lazy[name] = later(name, fk)  # converted when a rule reads it
        frame = cls(kind, len(records), columns, records=records, lazy=lazy)
        if issubclass(kind, Household):
            people = [m for r in records for m in r.members]
            owner = np.repeat(
                np.arange(len(records), dtype=np.int64),
                np.fromiter((len(r.members) for r in records), dtype=np.int64, count=len(records)),
            )
            member_frame = cls.from_records(people, member_type(kind))

            def birth(part: str) -> Callable[[], Vec]:
                return lambda: _column(
                    [None if p.birth_date is None else getattr(p.birth_date, part) for p in people],
                    FieldKind("number"),
                )

            for part in ("year", "month", "day"):
                member_frame.lazy[f"birth_{part}"] = birth(part)
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


_PYTHON_VALUE: dict[tuple[type[Any], str], Callable[[Any], Any]] = {}


def _python_value(cls: type[Any], name: str, kind: FieldKind) -> Callable[[Any], Any]:
    """How an Arrow cell (``to_pylist``) becomes the value a record holds (made once)."""
    key = (cls, name)
    if key not in _PYTHON_VALUE:
        _PYTHON_VALUE[key] = _make_python_value(cls, name, kind)
    return _PYTHON_VALUE[key]


def _make_python_value(cls: type[Any], name: str, kind: FieldKind) -> Callable[[Any], Any]:
    if kind.kind == "code":
        assert kind.code is not None
        return kind.code.parse
    if kind.kind != "list":
        return lambda v: v
    hint = typing.get_type_hints(cls)[name]
    items = [a for a in typing.get_args(hint) if a is not type(None)]
    args = typing.get_args(items[0]) if items else ()
    item = args[0] if args else None
    if isinstance(item, type) and issubclass(item, Code):
        code = item
        return lambda v: tuple(code.parse(x) for x in v)
    return tuple


# -- Arrow -------------------------------------------------------------------------------

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _is_float(tp: Any) -> bool:
    return bool(pa.types.is_floating(tp)) and tp != pa.float16()


def _arrow_vec(column: Any, kind: FieldKind, name: str) -> Vec:
    """One typed Arrow column as a :class:`Vec` (nulls are unknown)."""
    if isinstance(column, pa.ChunkedArray) and kind.kind == "code" and _is_text(column.type):
        # Texts are matched chunk by chunk: combining would copy every text only to
        # read it once.
        assert kind.code is not None
        known = np.concatenate(
            [_bits(c.buffers()[0], c.offset, len(c), fill=True) for c in column.chunks]
            or [np.zeros(0, dtype=np.bool_)]
        )
        return Vec(_code_ids(column, known, kind.code, name), known, coded=True)
    column = whole(column)
    known = _bits(column.buffers()[0], column.offset, len(column), fill=True)
    values: Array
    if kind.kind == "bool" and pa.types.is_boolean(column.type):
        values = _bits(column.buffers()[1], column.offset, len(column), fill=False)
        values &= known  # a new array (unpacked): masked in place
    elif kind.kind == "bool":
        values = np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), np.bool_)
    elif kind.kind == "number" and (pa.types.is_integer(column.type) or _is_float(column.type)):
        # Straight from the data buffer; the slots of nulls hold anything: zeroed.
        raw = _data(column)
        values = np.where(known, raw, 0.0).astype(np.float64, copy=False)
    elif kind.kind == "number":
        filled = pc.fill_null(pc.cast(column, pa.float64()), 0.0)
        values = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.float64)
    elif kind.kind == "date":
        days = pc.fill_null(pc.cast(pc.cast(column, pa.date32()), pa.int32()), 0)
        values = np.asarray(days.to_numpy(zero_copy_only=False), np.int64) + _EPOCH_ORDINAL
        values = np.where(known, values, 0)
    elif kind.kind == "code":
        assert kind.code is not None
        return Vec(_code_ids(column, known, kind.code, name), known, coded=True)
    elif kind.kind == "list":
        lengths = pc.fill_null(pc.list_value_length(column), 0)
        values = np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.float64)
    else:
        values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    return Vec(values, known)


def _code_ids(column: Any, known: Array, code: type[Code], name: str) -> Array:
    """The string ids of a code column's cells (0 where unknown).

    Each distinct text is mapped once, by the code list's own ``parse`` (a code, its
    Chinese or English label). A plain text column takes a faster road to the same ids:
    the cells that are exactly one of the code list's spellings are matched in one
    Arrow kernel against those few words (``index_in``; a column whose known cells all
    have the same width of 1, 2, 4 or 8 bytes is matched on its bytes, without hashing),
    and only the cells that are none of them (padded, misspelt, not a code) go through
    the dictionary of distinct texts, which raises for a text that is not a code.
    """
    words = _spellings(code)
    if not _is_text(column.type) or not len(words.ids):
        return _parsed_ids(column, known, code, name)
    fixed = _fixed_width_ids(column, known, words.by_width)
    if fixed is not None:
        return fixed
    found = pc.index_in(column, value_set=words.words.cast(column.type))
    found = whole(found)  # integers: cheap to put in one buffer
    matched = _bits(found.buffers()[0], found.offset, len(found), fill=True)
    # The slot of a cell matched nowhere holds anything: clipped, then zeroed.
    values: Array = words.ids.take(_data(found), mode="clip")
    values *= matched
    missed = known & ~matched
    if missed.any():
        rows = np.flatnonzero(missed)
        values[rows] = _parsed_ids(column.take(pa.array(rows)), known[rows], code, name)
    return values


def _parsed_ids(column: Any, known: Array, code: type[Code], name: str) -> Array:
    """The general road of :func:`_code_ids`: the dictionary of the column's distinct
    texts (the column's own when it is a dictionary), each parsed once."""
    column = whole(column)
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    dictionary = encoded.dictionary.to_pylist()
    try:
        lookup = np.array([string_id(code.parse(v).value) for v in dictionary], dtype=np.int32)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    # An unknown cell points past the dictionary, at an appended 0.
    picks = np.where(known, _data(encoded.indices), len(lookup))
    values: Array = np.append(lookup, np.int32(0))[picks]
    return values


@attrs.frozen
class _Spellings:
    """The exact texts a code list's ``parse`` reads (codes, Chinese and English labels
    with no surrounding blanks), with the string id each stands for."""

    words: Any
    """The texts, an Arrow string array."""
    ids: Array
    """The string id of each text's code (``int32``)."""
    by_width: dict[int, tuple[Array, Array]]
    """Per byte width 1, 2, 4 or 8: the texts of that width as little-endian unsigned
    integers, and their ids."""


_SPELLINGS: dict[type[Code], _Spellings] = {}


def _spellings(code: type[Code]) -> _Spellings:
    found = _SPELLINGS.get(code)
    if found is None:
        texts: dict[str, int] = {}
        for member in code:
            for text in (member.value, member.label.zh, member.label.en):
                if text in texts or text != text.strip():
                    continue
                try:
                    texts[text] = string_id(code.parse(text).value)
                except ValueError:  # a parse of its own that refuses it: the general road
                    continue
        ids = np.fromiter(texts.values(), dtype=np.int32, count=len(texts))
        by_width: dict[int, tuple[Array, Array]] = {}
        for width in (1, 2, 4, 8):
            fits = [(t.encode(), i) for t, i in texts.items() if len(t.encode()) == width]
            if fits:
                keys = np.array([int.from_bytes(b, "little") for b, _ in fits], dtype=np.uint64)
                by_width[width] = (keys, np.array([i for _, i in fits], dtype=np.int32))
        found = _SPELLINGS[code] = _Spellings(pa.array(list(texts), pa.string()), ids, by_width)
    return found


def frame_from_arrow(
    households: Any,
    members: Any = None,
    *,
    kind: type[Any] = Household,
    key: str = "household_id",
    pack: Any = None,
) -> Frame:
    """Build a :class:`Frame` from typed Arrow tables, without Python objects per row.

    ``households`` holds one row per record with columns named as the model's fields
    (procedure steps and checklist items as ``procedures.<procedure>.<step>`` and
    ``checklists.<checklist>.<item>``); ``members`` one row per member with a ``key``
    column naming the member's household. A record has a procedure when one of its steps
    is dated, or when a boolean column ``procedures.<procedure>`` says so (a procedure
    recorded with no step done yet). Columns the model does not know are ignored;
    fields without a column are unknown. Use :mod:`poverty_core.columnar` to read and
    validate files into such tables.

    The columns read are those of ``kind``'s fields: with ``pack``, of the pack's record
    class of that kind (the fields it declares included); without, the core model's
    (a pack's decision retypes the frame to its own classes, :meth:`Frame.retyped`).
    """
    if pack is not None:
        kind = pack.record_type(kind.KIND)
    kinds = kinds_of(kind)
    n = households.num_rows
    frame = Frame(kind, n, {}, table=households, key=key)

    def later(table: Any, name: str, fk: FieldKind) -> Callable[[], Vec]:
        return lambda: _arrow_vec(table.column(name), fk, name)

    for name in households.column_names:
        fk = kinds.get(name)
        if fk is not None and fk.kind != "mapping" and name not in ("members", "history"):
            frame.lazy[name] = later(households, name, fk)
        elif name.startswith(("procedures.", "checklists.")) and name.count(".") == 2:
            field_name = name.split(".")[0]
            inner = FieldKind("date") if field_name == "procedures" else FieldKind("bool")
            frame.lazy[name] = later(households, name, inner)
    steps: dict[str, list[str]] = {}
    for name in households.column_names:
        if name.startswith("procedures.") and name.count(".") == 2:
            steps.setdefault(name.rsplit(".", 1)[0], []).append(name)
        elif name.startswith("procedures.") and name.count(".") == 1:
            steps.setdefault(name, [])

    def presence(procedure: str, names: list[str]) -> Callable[[], Vec]:
        def make() -> Vec:
            present = np.zeros(n, dtype=np.bool_)
            if procedure in households.column_names:  # recorded, maybe with no step yet
                stated = _arrow_vec(households.column(procedure), FieldKind("bool"), procedure)
                present |= stated.values & stated.known
            for step in names:
                present |= frame.column(step).known
            return Vec(present, np.ones(n, dtype=np.bool_))

        return make

    for procedure, names in steps.items():
        frame.lazy[procedure] = presence(procedure, names)
    if issubclass(kind, Household) and members is not None:
        owner_np = member_owners(members.column(key), households.column("id"))
        person = member_type(kind)
        member_frame = Frame(person, members.num_rows, {}, owner=owner_np, table=members)
        person_kinds = kinds_of(person)
        for name in members.column_names:
            fk = person_kinds.get(name)
            if fk is not None:
                member_frame.lazy[name] = later(members, name, fk)
        if "birth_date" in members.column_names:
            for part, fn in (("year", pc.year), ("month", pc.month), ("day", pc.day)):
                member_frame.lazy[f"birth_{part}"] = _part(members, fn, part)
        frame.members = member_frame
    return frame


def member_owners(keys: Any, ids: Any) -> Array:
    """The row of each member's household: ``ids`` position of each of ``keys``.

    Registers are usually exported with each household's members together and the
    households in the same order as the household file. Then the owners are runs, found
    by comparing each key with the one before it (no hashing of string keys) and
    confirmed by comparing the runs' keys with ``ids``: about four times faster than a
    hash join at 1M households / 3.5M members. Any other order (or a member of no
    household, a null key, different key types) takes the hash join
    (``pyarrow.compute.index_in``), and a key naming no household is an error.
    """
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    if keys.type == ids.type and keys.null_count == 0 and len(ids) <= len(keys):
        changed = _keys_differ(keys)
        starts = np.concatenate([np.zeros(1, dtype=np.int64), np.flatnonzero(changed) + 1])
        if len(starts) == len(ids):
            same = pc.equal(_take_rows(keys, starts), ids)
            if same.null_count == 0 and pc.all(same).as_py():
                # The owner of each member is the number of key changes before it.
                owner = np.empty(len(keys), dtype=np.int64)
                owner[0] = 0
                np.cumsum(changed, out=owner[1:])
                return owner
    owner = pc.index_in(keys, value_set=ids)
    if owner.null_count:
        raise ValueError(f"{owner.null_count} member row(s) name a household not in the table")
    return np.asarray(owner.to_numpy(zero_copy_only=False), dtype=np.int64)


def _part(table: Any, fn: Callable[[Any], Any], part: str) -> Callable[[], Vec]:
    return lambda: _arrow_vec(fn(table.column("birth_date")), FieldKind("number"), part)
