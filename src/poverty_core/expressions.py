"""Building blocks of rules: references, comparisons, three-valued logic, aggregations.

A rule's test is an expression tree built from these blocks. Each block knows how to

* evaluate on **one** record (:meth:`Expr.one`: a Python value, ``None`` = unknown),
* evaluate on a **batch** of columns (:meth:`Expr.many`: a :class:`~poverty_core.frame.Vec`),
* render itself as readable Chinese and English (:meth:`Expr.text`),
* list what it reads (:meth:`Expr.refs`) so packs can be checked at load time.

Both evaluators implement the same three-valued (Kleene) logic — ``False AND unknown``
is ``False``, ``True OR unknown`` is ``True`` — and the property tests hold them equal
(``tests/test_generated_rules.py`` runs random rule trees over every installed pack on
one record, a batch from records and a batch from Arrow). Pack authors compose blocks
and never touch numpy::

    field("annual_net_income_per_capita") > param("poverty_line")
    no_member(member("age").between(param("compulsory_school_age_min"), ...) & ...)

Codes compare by their text on both paths: a batch holds them as string ids
(:func:`~poverty_core.frame.string_id`), and a text constant or parameter meeting codes
takes the same ids, whatever block (``where``, ``coalesce``, ``isin``) brings them
together. :func:`check_types` gives every expression a static :class:`ValueType` and
reports, when a pack loads, comparisons of values of different kinds, units or code
lists (the type checker is hand-written: it walks this module's own blocks).
"""

from __future__ import annotations

import abc
import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol

import attrs
import numpy as np

from poverty_core._text import Language, Text
from poverty_core.codes import Code
from poverty_core.frame import (
    Array,
    FieldKind,
    Frame,
    Vec,
    field_kind,
    member_type,
    string_id,
    strings_of,
)
from poverty_core.model import Household, Person

__all__ = [
    "Expr",
    "Ref",
    "ValueType",
    "all_members",
    "all_of",
    "any_member",
    "any_of",
    "as_of",
    "check_types",
    "checklist_complete",
    "checklist_item",
    "coalesce",
    "count_members",
    "field",
    "filled",
    "function",
    "length",
    "lit",
    "member",
    "no_member",
    "not_",
    "param",
    "procedure_complete",
    "static_type",
    "step_date",
    "type_problems",
    "where",
]

RefKind = Literal["field", "member", "param", "procedure", "checklist", "reference"]


@attrs.frozen
class Ref:
    """Something an expression reads: a field, a member field, a parameter …"""

    kind: RefKind
    name: str

    def label(self) -> str:
        """``members[].age``, ``param:poverty_line``, ``procedures.household_exit`` …"""
        return {
            "field": self.name,
            "member": f"members[].{self.name}",
            "param": f"param:{self.name}",
            "procedure": f"procedures.{self.name}",
            "checklist": f"checklists.{self.name}",
            "reference": f"reference:{self.name}",
        }[self.kind]


class Namer(Protocol):
    """Gives readable names to fields and parameters when rendering text."""

    def field(self, subject: type[Any], name: str, language: Language) -> str: ...
    def param(self, name: str, language: Language) -> str: ...
    def checklist(self, name: str, language: Language) -> str: ...
    def procedure(self, name: str, language: Language) -> str: ...
    def reference(self, name: str, language: Language) -> str: ...


class ParamSource(Protocol):
    """Gives a parameter's value on the evaluation date, or ``None`` when it has none,
    and the items of the pack's checklists."""

    def get(self, name: str) -> Any: ...
    def checklist_items(self, checklist: str) -> tuple[str, ...]: ...
    def procedure_steps(self, procedure: str) -> tuple[tuple[str, Text], ...]: ...
    def reference(self, name: str) -> Any: ...


@attrs.define
class One:
    """Scope of a one-record evaluation."""

    record: Any
    as_of: dt.date
    params: ParamSource
    person: Person | None = None
    cache: dict[Any, Any] = attrs.field(factory=dict, repr=False)
    """Values already computed in this scope (a member aggregation shared by a test and
    its observed value is evaluated once)."""


@attrs.define
class Many:
    """Scope of a batch evaluation (``on_members``: inside a member aggregation)."""

    frame: Frame
    as_of: dt.date
    params: ParamSource
    on_members: bool = False
    cache: dict[tuple[Expr, bool], Vec] = attrs.field(factory=dict, repr=False)
    """Columns already computed in this evaluation, shared with the member scope."""

    def members_scope(self) -> Many:
        """The scope of the members of the records (sharing the cache)."""
        return Many(self.frame, self.as_of, self.params, on_members=True, cache=self.cache)

    @property
    def current(self) -> Frame:
        """The frame the current expression ranges over."""
        if self.on_members:
            assert self.frame.members is not None
            return self.frame.members
        return self.frame

    @property
    def n(self) -> int:
        """Rows of the current frame."""
        return self.current.n


def _scalar(value: Any, n: int, known: bool = True) -> Vec:
    # Read-only broadcast views: a constant costs no memory per row.
    if isinstance(value, Code):  # a code by its string id, as code columns hold it
        ids = np.broadcast_to(np.int32(string_id(value)), (n,))
        return Vec(ids, np.broadcast_to(np.bool_(known), (n,)), coded=True)
    if isinstance(value, bool):
        arr = np.broadcast_to(np.bool_(value), (n,))
    elif isinstance(value, int | float):
        arr = np.broadcast_to(np.float64(value), (n,))
    else:
        cell = np.empty(1, dtype=object)
        cell[0] = value
        arr = np.broadcast_to(cell, (n,))
    return Vec(arr, np.broadcast_to(np.bool_(known), (n,)))


def _wide(a: Array, n: int) -> Array:
    return np.broadcast_to(a, (n,))


def _as_objects(v: Vec, n: int) -> Vec:
    """Values as Python objects (codes as their text): what one record compares."""
    if v.coded:
        return Vec(strings_of(_wide(v.values, n)), v.known)
    if v.values.dtype == object:
        return v
    return Vec(_wide(v.values, n).astype(object), v.known)


def _as_ids(v: Vec, n: int) -> Vec | None:
    """A text constant (a broadcast string) or an all-unknown value as string ids;
    ``None`` for anything else (free text from records is never interned)."""
    values = v.values
    if values.dtype == object:
        if values.ndim != 1 or n == 0 or values.strides[0] != 0:
            return None
        cell = values[0]
        if not isinstance(cell, str):
            return None
        return Vec(np.broadcast_to(np.int32(string_id(cell)), (n,)), v.known, coded=True)
    if not _wide(v.known, n).any():
        return Vec(np.zeros(n, dtype=np.int32), _wide(v.known, n), coded=True)
    return None


def _align(vecs: Sequence[Vec], n: int) -> list[Vec]:
    """Values held alike, so that they compare as on one record: all as string ids when
    codes meet text constants, else all as Python objects when codes meet anything else
    (free text, numbers); unchanged when no code is involved or all are codes."""
    coded = [v.coded for v in vecs]
    if not any(coded) or all(coded):
        return list(vecs)
    out: list[Vec] = []
    for v in vecs:
        ids = v if v.coded else _as_ids(v, n)
        if ids is None:
            return [_as_objects(w, n) for w in vecs]
        out.append(ids)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, bool | int | float)


def _common_dtype(vecs: Sequence[Vec]) -> Any:
    dtypes = [v.values.dtype for v in vecs]
    return object if any(d.kind == "O" for d in dtypes) else np.result_type(*dtypes)


def _record_level(scope: Many, vec: Vec) -> Vec:
    """A value of the records themselves, read inside a member aggregation: each member
    sees its household's value (as on one record, where ``field`` reads the household)."""
    if not scope.on_members:
        return vec
    members = scope.frame.members
    assert members is not None
    assert members.owner is not None
    owner = members.owner
    n = scope.frame.n
    return Vec(_wide(vec.values, n)[owner], _wide(vec.known, n)[owner], vec.coded)


def _unknown(n: int) -> Vec:
    # Boolean zeros: an unknown value must combine under & | ~ as well as compare.
    return Vec(np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_))


class Expr(abc.ABC):
    """Base class of expression blocks. Combine with ``< <= > >= & | ~ + - * /``,
    :meth:`eq`, :meth:`ne`, :meth:`isin`, :meth:`between`."""

    def one(self, scope: One) -> Any:
        """Value on one record (``None`` when unknown)."""
        return self._one(scope)

    def many(self, scope: Many) -> Vec:
        """Values on a batch, computed once per evaluation."""
        key = (self, scope.on_members)
        cache = scope.cache
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = self._many(scope)
            return value

    @abc.abstractmethod
    def _one(self, scope: One) -> Any:
        """Compute :meth:`one` (each block implements it)."""

    @abc.abstractmethod
    def _many(self, scope: Many) -> Vec:
        """Compute :meth:`many` (each block implements it)."""

    @abc.abstractmethod
    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        """Readable text in one language."""

    def children(self) -> Sequence[Expr]:
        """Sub-expressions."""
        return ()

    def refs(self) -> Iterator[Ref]:
        """Everything read, recursively."""
        for child in self.children():
            yield from child.refs()

    def value_kind(self, subject: type[Any]) -> str:
        """``bool``, ``number``, ``code``, ``date``, ``text`` or ``list``."""
        return "bool"

    # blame: which missing inputs left a value unknown -----------------------------
    def blame_one(self, scope: One) -> list[Ref]:
        """The inputs whose absence makes this value unknown on one record (call only
        when :meth:`one` is ``None``). Inputs that could not change the value — the other
        side of a decided ``and``/``or``, a member who cannot qualify — are not named."""
        out: list[Ref] = []
        for child in self.children():
            if child.one(scope) is None:
                out += child.blame_one(scope)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        """For each input, the rows (among ``rows``, where this value is unknown) whose
        unknown value it is to blame for; the batch form of :meth:`blame_one`."""
        out: dict[Ref, Array] = {}
        for child in self.children():
            v = child.many(scope)
            _merge_blame(out, child.blame_many(scope, rows & ~_full(v.known, scope.n)))
        return out

    # composition -------------------------------------------------------------
    def __lt__(self, other: Any) -> Expr:
        return Compare("<", self, lit(other))

    def __le__(self, other: Any) -> Expr:
        return Compare("<=", self, lit(other))

    def __gt__(self, other: Any) -> Expr:
        return Compare(">", self, lit(other))

    def __ge__(self, other: Any) -> Expr:
        return Compare(">=", self, lit(other))

    def eq(self, other: Any) -> Expr:
        """``self == other`` (three-valued)."""
        return Compare("==", self, lit(other))

    def ne(self, other: Any) -> Expr:
        """``self != other`` (three-valued)."""
        return Compare("!=", self, lit(other))

    def isin(self, values: Any) -> Expr:
        """``self`` is one of ``values`` (a sequence of constants or a list parameter)."""
        return IsIn(self, values if isinstance(values, Expr) else Const(tuple(values)))

    def between(self, low: Any, high: Any) -> Expr:
        """``low <= self <= high``."""
        return all_of(self >= low, self <= high)

    def is_true(self) -> Expr:
        """Alias used for readability: a boolean expression as a test."""
        return self

    def __and__(self, other: Expr) -> Expr:
        return all_of(self, other)

    def __or__(self, other: Expr) -> Expr:
        return any_of(self, other)

    def __invert__(self) -> Expr:
        return Not(self)

    def __add__(self, other: Any) -> Expr:
        return Arith("+", self, lit(other))

    def __sub__(self, other: Any) -> Expr:
        return Arith("-", self, lit(other))

    def __mul__(self, other: Any) -> Expr:
        return Arith("*", self, lit(other))

    def __truediv__(self, other: Any) -> Expr:
        return Arith("/", self, lit(other))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            "an expression has no truth value; combine with & | ~ or all_of/any_of/not_ "
            "instead of and/or/not"
        )


def _full(mask: Array, n: int) -> Array:
    return np.broadcast_to(mask, (n,))


def _merge_blame(into: dict[Ref, Array], more: dict[Ref, Array]) -> None:
    for ref, mask in more.items():
        into[ref] = into[ref] | mask if ref in into else mask


def _leaf_blame(ref: Ref, rows: Array) -> dict[Ref, Array]:
    return {ref: rows.copy()} if rows.any() else {}


def lit(value: Any) -> Expr:
    """Wrap a constant (a number, boolean, code, date …) as an expression."""
    return value if isinstance(value, Expr) else Const(value)


# -- leaves ----------------------------------------------------------------------


@attrs.define(eq=False)
class Const(Expr):
    """A constant."""

    value: Any

    def _encoded(self) -> Any:
        return _encode_constant(self.value)

    def _one(self, scope: One) -> Any:
        return self._encoded()

    def _many(self, scope: Many) -> Vec:
        return _scalar(self._encoded(), scope.n)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return _show(self.value, language)

    def value_kind(self, subject: type[Any]) -> str:
        v = self.value
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, Code):
            return "code"
        if isinstance(v, dt.date):
            return "date"
        if isinstance(v, int | float):
            return "number"
        if isinstance(v, tuple):
            return "list"
        return "text"


def _encode_constant(value: Any) -> Any:
    """Dates as ordinals, as records' dates are evaluated (also inside a tuple)."""
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return tuple(_encode_constant(v) for v in value)
    return value


def _show(value: Any, language: Language) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    if isinstance(value, Code):
        return value.label[language]
    if isinstance(value, tuple):
        return (
            "、".join(_show(v, language) for v in value)
            if language == "zh"
            else ", ".join(_show(v, language) for v in value)
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@attrs.define(eq=False)
class Field(Expr):
    """A field of the record the rule is about (a household, village or county)."""

    name: str

    def _one(self, scope: One) -> Any:
        # a core record has no field a pack declares: unknown, as a field left empty
        value = getattr(scope.record, self.name, None)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.toordinal()
        if isinstance(value, tuple):
            return len(value)
        return value

    def _many(self, scope: Many) -> Vec:
        return _record_level(scope, scope.frame.column(self.name))

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.field(subject, self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("field", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("field", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("field", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        fk = field_kind(subject, self.name)
        return fk.kind if fk else "text"


@attrs.define(eq=False)
class Member(Expr):
    """A field of a household member; only inside a member aggregation.

    ``member("age")`` is the age on the evaluation date: from the birth date when it is
    known, else the stated age.
    """

    name: str

    def _one(self, scope: One) -> Any:
        person = scope.person
        if person is None:
            raise TypeError(f"member({self.name!r}) used outside a member aggregation")
        if self.name == "age":
            return person.age_on(scope.as_of)
        value = getattr(person, self.name, None)  # a pack's field on a core person: unknown
        if isinstance(value, dt.date):
            return value.toordinal()
        if isinstance(value, tuple):
            return len(value)
        return value

    def _many(self, scope: Many) -> Vec:
        if not scope.on_members:
            raise TypeError(f"member({self.name!r}) used outside a member aggregation")
        members = scope.current
        if self.name != "age":
            return members.column(self.name)
        stated = members.column("age")
        if not members.has_column("birth_year"):  # no birth dates: the stated age as is
            return Vec(stated.values.astype(np.float64, copy=False), stated.known)
        year, month, day = (members.column(f"birth_{p}") for p in ("year", "month", "day"))
        on = scope.as_of
        not_yet = (month.values > on.month) | ((month.values == on.month) & (day.values > on.day))
        from_birth = on.year - year.values - not_yet
        values = np.where(year.known, from_birth, stated.values)
        return Vec(values.astype(np.float64), year.known | stated.known)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.field(Person, self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("member", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("member", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("member", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        if self.name == "age":
            return "number"
        fk = field_kind(member_type(subject), self.name)
        return fk.kind if fk else "text"


@attrs.define(eq=False)
class Param(Expr):
    """A pack parameter's value on the evaluation date (unknown when it has none)."""

    name: str

    def _one(self, scope: One) -> Any:
        return scope.params.get(self.name)

    def _many(self, scope: Many) -> Vec:
        value = scope.params.get(self.name)
        if value is None:
            return _unknown(scope.n)
        return _scalar(value, scope.n)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.param(self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("param", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("param", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("param", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class Reference(Expr):
    """The keys of reference data supplied for the run (:func:`poverty_core.blocks.reference`),
    as the options of ``isin``; unknown when the caller did not supply it."""

    name: str

    def _one(self, scope: One) -> Any:
        data = scope.params.reference(self.name)
        return None if data is None else data.keys

    def _many(self, scope: Many) -> Vec:
        data = scope.params.reference(self.name)
        if data is None:
            return _unknown(scope.n)
        cell = np.empty(1, dtype=object)
        cell[0] = data.keys
        return Vec(np.broadcast_to(cell, (scope.n,)), np.broadcast_to(np.bool_(True), (scope.n,)))

    def column(self, column: str, *, key: Any) -> Expr:
        """The ``column`` of the table row whose key is ``key`` (a field, a member field …):
        ``reference("pairing_table").column("rank", key=field("pairing_cadre"))``.
        Unknown when the table is not supplied, the key is unknown or has no row."""
        return Lookup(self.name, lit(key), column)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.reference(self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("reference", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("reference", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("reference", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        return "list"


@attrs.define(eq=False)
class Lookup(Expr):
    """One column of the row of a reference table whose key is ``key`` (text)."""

    name: str
    key: Expr
    column: str

    def _one(self, scope: One) -> Any:
        data = scope.params.reference(self.name)
        k = self.key.one(scope)
        if data is None or k is None:
            return None
        return data.lookup(_key_text(k), self.column)

    def _many(self, scope: Many) -> Vec:
        data = scope.params.reference(self.name)
        n = scope.n
        if data is None:
            return _unknown(n)
        k = _as_objects(self.key.many(scope), n)
        keys, known = _wide(k.values, n), _wide(k.known, n)
        out = np.empty(n, dtype=object)
        found = np.zeros(n, dtype=np.bool_)
        rows = np.flatnonzero(known)
        if rows.size:
            # each distinct key looked up once, then spread to its rows
            texts = np.array([_key_text(x) for x in keys[rows]], dtype=object)
            distinct, inverse = np.unique(texts, return_inverse=True)
            cells = np.array([data.lookup(t, self.column) for t in distinct], dtype=object)
            values = cells[inverse]
            hit = np.array([v is not None for v in cells], dtype=np.bool_)[inverse]
            out[rows], found[rows] = values, hit
        return Vec(out, found)

    def children(self) -> Sequence[Expr]:
        return (self.key,)

    def refs(self) -> Iterator[Ref]:
        yield from self.key.refs()
        yield Ref("reference", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        if scope.params.reference(self.name) is None:
            return [Ref("reference", self.name)]
        if self.key.one(scope) is None:
            return self.key.blame_one(scope)
        return [Ref("reference", self.name)]  # no row for the key

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        if scope.params.reference(self.name) is None:
            return _leaf_blame(Ref("reference", self.name), rows)
        k = self.key.many(scope)
        key_unknown = rows & ~_full(k.known, scope.n)
        out = self.key.blame_many(scope, key_unknown)
        _merge_blame(out, _leaf_blame(Ref("reference", self.name), rows & ~key_unknown))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        table = namer.reference(self.name, language)
        key = self.key.text(language, namer, subject)
        if language == "zh":
            return f"{table}中{key}所在行的 {self.column}"
        return f"the {self.column} of {key} in {table}"

    def value_kind(self, subject: type[Any]) -> str:
        return "text"


def _key_text(value: Any) -> str:
    """A key as reference data hold it: text, stripped (an ID number as the model keeps
    it: without spaces, upper-case X)."""
    if isinstance(value, Code):
        return str(value.value)
    return str(value).strip()


@attrs.define(eq=False)
class AsOf(Expr):
    """The evaluation date (or its year)."""

    year: bool = False

    def _one(self, scope: One) -> Any:
        return scope.as_of.year if self.year else scope.as_of.toordinal()

    def _many(self, scope: Many) -> Vec:
        value = scope.as_of.year if self.year else scope.as_of.toordinal()
        return _scalar(value, scope.n)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        if self.year:
            return "评估年度" if language == "zh" else "the assessment year"
        return "评估日" if language == "zh" else "the assessment date"

    def value_kind(self, subject: type[Any]) -> str:
        return "number" if self.year else "date"


@attrs.define(eq=False)
class StepDate(Expr):
    """The date a procedure step was completed (unknown when the record has no such
    procedure; a recorded procedure without the step means the step is not done)."""

    procedure: str
    step: str

    def _one(self, scope: One) -> Any:
        steps = scope.record.procedures.get(self.procedure)
        if steps is None:
            return None
        when = steps.get(self.step)
        return None if when is None else when.toordinal()

    def _many(self, scope: Many) -> Vec:
        return _record_level(scope, scope.frame.column(f"procedures.{self.procedure}.{self.step}"))

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return f"{self.procedure}.{self.step}"

    def refs(self) -> Iterator[Ref]:
        yield Ref("procedure", self.procedure)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("procedure", self.procedure)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("procedure", self.procedure), rows)

    def value_kind(self, subject: type[Any]) -> str:
        return "date"


@attrs.define(eq=False)
class StepDone(Expr):
    """A procedure step is completed on or before the evaluation date and not before
    the step that precedes it (unknown when the record has no such procedure)."""

    procedure: str
    step: str
    previous: str | None = None
    label: Text | None = None

    def _one(self, scope: One) -> Any:
        steps = scope.record.procedures.get(self.procedure)
        if steps is None:
            return None
        when = steps.get(self.step)
        if when is None or when > scope.as_of:
            return False
        before = steps.get(self.previous) if self.previous else None
        return before is None or before <= when

    def _many(self, scope: Many) -> Vec:
        frame = scope.frame
        present = frame.column(f"procedures.{self.procedure}")
        if present.values.dtype != np.bool_:  # no record has the procedure at all
            return _unknown(scope.n)
        when = frame.column(f"procedures.{self.procedure}.{self.step}")
        done = when.known & (when.values <= scope.as_of.toordinal())
        if self.previous:
            before = frame.column(f"procedures.{self.procedure}.{self.previous}")
            done &= ~before.known | (before.values <= when.values)
        return _record_level(scope, Vec(done & present.values, present.values.copy()))

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        name = self.label[language] if self.label else self.step
        return f"已完成“{name}”" if language == "zh" else f"“{name}” completed"

    def refs(self) -> Iterator[Ref]:
        yield Ref("procedure", self.procedure)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("procedure", self.procedure)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("procedure", self.procedure), rows)


@attrs.define(eq=False)
class ChecklistItem(Expr):
    """An item of a checklist recorded on the record (unknown when not recorded)."""

    checklist: str
    item: str
    label: Text | None = None

    def _one(self, scope: One) -> Any:
        return scope.record.checklists.get(self.checklist, {}).get(self.item)

    def _many(self, scope: Many) -> Vec:
        col = scope.frame.column(f"checklists.{self.checklist}.{self.item}")
        if col.values.dtype != np.bool_:
            col = Vec(np.zeros(scope.frame.n, dtype=np.bool_), col.known)
        return _record_level(scope, col)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return self.label[language] if self.label else f"{self.checklist}.{self.item}"

    def refs(self) -> Iterator[Ref]:
        yield Ref("checklist", f"{self.checklist}.{self.item}")

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("checklist", f"{self.checklist}.{self.item}")]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("checklist", f"{self.checklist}.{self.item}"), rows)


@attrs.define(eq=False)
class ChecklistComplete(Expr):
    """Every item of a pack checklist is ticked on the record (Kleene AND of the items)."""

    checklist: str

    def _items(self, params: ParamSource) -> list[ChecklistItem]:
        return [ChecklistItem(self.checklist, i) for i in params.checklist_items(self.checklist)]

    def _one(self, scope: One) -> Any:
        return And(tuple(self._items(scope.params))).one(scope)

    def _many(self, scope: Many) -> Vec:
        return And(tuple(self._items(scope.params))).many(scope)

    def blame_one(self, scope: One) -> list[Ref]:
        return And(tuple(self._items(scope.params))).blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return And(tuple(self._items(scope.params))).blame_many(scope, rows)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        name = namer.checklist(self.checklist, language)
        return f"“{name}”各项齐全" if language == "zh" else f"every item of “{name}” met"

    def refs(self) -> Iterator[Ref]:
        yield Ref("checklist", self.checklist)


@attrs.define(eq=False)
class ProcedureComplete(Expr):
    """Every step of a pack procedure is completed on or before the evaluation date, in
    order (unknown when the record has no such procedure)."""

    procedure: str

    def _steps(self, params: ParamSource) -> And:
        parts: list[Expr] = []
        previous: str | None = None
        for step, label in params.procedure_steps(self.procedure):
            parts.append(StepDone(self.procedure, step, previous, label))
            previous = step
        return And(tuple(parts))

    def _one(self, scope: One) -> Any:
        return self._steps(scope.params).one(scope)

    def _many(self, scope: Many) -> Vec:
        return self._steps(scope.params).many(scope)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("procedure", self.procedure)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("procedure", self.procedure), rows)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        name = namer.procedure(self.procedure, language)
        return (
            f"“{name}”各步骤已依次完成"
            if language == "zh"
            else f"every step of “{name}” done in order"
        )

    def refs(self) -> Iterator[Ref]:
        yield Ref("procedure", self.procedure)


# -- operators ---------------------------------------------------------------------

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_OP_TEXT = {
    "zh": {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "为", "!=": "不为"},
    "en": {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "is", "!=": "is not"},
}


def code_list_of(expr: Expr, subject: type[Any]) -> type[Code] | None:
    """The code list an expression's values come from (through ``where`` and
    ``coalesce``), or ``None`` when they are not codes."""
    return static_type(expr, subject).code


@attrs.define(eq=False)
class Compare(Expr):
    """``left OP right`` with OP one of ``< <= > >= == !=`` (unknown if a side is)."""

    op: str
    left: Expr
    right: Expr

    def _one(self, scope: One) -> Any:
        a, b = self.left.one(scope), self.right.one(scope)
        if a is None or b is None:
            return None
        return bool(_OPS[self.op](a, b))

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        a, b = _align([self.left.many(scope), self.right.many(scope)], n)
        known = a.known & b.known
        if a.coded and self.op not in ("==", "!="):  # ids do not order as their texts
            a, b = _as_objects(a, n), _as_objects(b, n)
        if a.values.dtype != object and b.values.dtype != object:
            return Vec(_OPS[self.op](a.values, b.values) & known, known)
        # Python objects (free text): compared where both are known, as on one record.
        rows = _wide(known, n)
        out = np.zeros(n, dtype=np.bool_)
        if rows.any():
            left, right = _wide(a.values, n)[rows], _wide(b.values, n)[rows]
            out[rows] = np.asarray(_OPS[self.op](left, right), dtype=np.bool_)
        return Vec(out, known)

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        op = _OP_TEXT[language][self.op]
        sep = "" if language == "zh" and op in ("为", "不为") else " "
        left = self.left.text(language, namer, subject)
        return f"{left}{sep}{op}{sep}{self.right.text(language, namer, subject)}"


@attrs.define(eq=False)
class IsIn(Expr):
    """``value`` is one of a list (constants or a ``text_list`` parameter)."""

    value: Expr
    options: Expr

    def _one(self, scope: One) -> Any:
        v, options = self.value.one(scope), self.options.one(scope)
        if v is None or options is None:
            return None
        return v in options

    def _many(self, scope: Many) -> Vec:
        v = self.value.many(scope)
        n = scope.n
        if isinstance(self.options, Param):
            options = scope.params.get(self.options.name)
            if options is None:
                return _unknown(n)
        else:
            options = self.options.one(One(None, scope.as_of, scope.params))
            if options is None:  # reference data not supplied for the run
                return _unknown(n)
        options = tuple(options) if not isinstance(options, frozenset) else options
        known = _wide(v.known, n)
        if v.coded:  # codes by their text: the options' texts as string ids
            ids = [string_id(o) for o in options if isinstance(o, str)]
            hit = np.isin(v.values, np.asarray(ids, dtype=np.int64))
        elif v.values.dtype != object and all(_is_number(o) for o in options):
            hit = np.isin(v.values, np.asarray(options, dtype=np.float64))
        else:  # free text, or values of mixed kinds: Python's ``in``, as on one record
            hit = np.zeros(n, dtype=np.bool_)
            rows = known.copy()
            if rows.any():
                try:
                    choices: Any = frozenset(options)
                except TypeError:  # unhashable options: compare one by one
                    choices = options
                cells = _as_objects(v, n).values
                hit[rows] = np.fromiter(
                    (c in choices for c in _wide(cells, n)[rows]),
                    dtype=np.bool_,
                    count=int(rows.sum()),
                )
        return Vec(_wide(hit, n) & known, known.copy())

    def children(self) -> Sequence[Expr]:
        return (self.value, self.options)

    def blame_one(self, scope: One) -> list[Ref]:
        out = self.value.blame_one(scope) if self.value.one(scope) is None else []
        if self.options.one(scope) is None:
            out += self.options.blame_one(scope)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        v = self.value.many(scope)
        out = self.value.blame_many(scope, rows & ~_full(v.known, scope.n))
        if (isinstance(self.options, Param) and scope.params.get(self.options.name) is None) or (
            isinstance(self.options, Reference)
            and scope.params.reference(self.options.name) is None
        ):
            _merge_blame(out, self.options.blame_many(scope, rows))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        v = self.value.text(language, namer, subject)
        o = self.options.text(language, namer, subject)
        return f"{v}属于（{o}）" if language == "zh" else f"{v} is one of ({o})"


@attrs.define(eq=False)
class Arith(Expr):
    """``left OP right`` with OP one of ``+ - * /`` (division by zero is unknown)."""

    op: str
    left: Expr
    right: Expr

    def _one(self, scope: One) -> Any:
        a, b = self.left.one(scope), self.right.one(scope)
        if a is None or b is None:
            return None
        if self.op == "/":
            return None if b == 0 else float(a) / float(b)
        return {"+": operator.add, "-": operator.sub, "*": operator.mul}[self.op](
            float(a), float(b)
        )

    def _many(self, scope: Many) -> Vec:
        a, b = self.left.many(scope), self.right.many(scope)
        if a.coded or b.coded:  # as on one record, where float("A") fails
            raise TypeError(f"arithmetic on codes: {self.op}")
        av = a.values.astype(np.float64, copy=False)
        bv = b.values.astype(np.float64, copy=False)
        known = a.known & b.known
        if self.op == "/":
            known = known & (bv != 0)
            out = np.divide(av, bv, out=np.zeros(av.shape, dtype=np.float64), where=known)
            return Vec(out, known)
        fn = {"+": np.add, "-": np.subtract, "*": np.multiply}[self.op]
        return Vec(np.where(known, fn(av, bv), 0.0), known)

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)

    def blame_one(self, scope: One) -> list[Ref]:
        a, b = self.left.one(scope), self.right.one(scope)
        if a is not None and b is not None:  # division by zero: the divisor is to blame
            return list(self.right.refs())
        return super().blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        a, b = self.left.many(scope), self.right.many(scope)
        both = rows & _full(a.known, scope.n) & _full(b.known, scope.n)
        out = super().blame_many(scope, rows & ~both)
        for ref in self.right.refs():
            _merge_blame(out, _leaf_blame(ref, both))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        op = {"+": "+", "-": "−", "*": "×", "/": "÷"}[self.op]
        left = self.left.text(language, namer, subject)
        return f"（{left} {op} {self.right.text(language, namer, subject)}）"

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class Coalesce(Expr):
    """The first known of several values."""

    options: tuple[Expr, ...]

    def _one(self, scope: One) -> Any:
        for option in self.options:
            value = option.one(scope)
            if value is not None:
                return value
        return None

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        vecs = _align([o.many(scope) for o in self.options], n)
        first = vecs[0]
        values = _wide(first.values, n).astype(_common_dtype(vecs), copy=True)
        known = _wide(first.known, n).copy()
        for other in vecs[1:]:
            take = ~known & _wide(other.known, n)
            values[take] = _wide(other.values, n)[take]
            known |= _wide(other.known, n)
        return Vec(values, known, first.coded)

    def children(self) -> Sequence[Expr]:
        return self.options

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        parts = [o.text(language, namer, subject) for o in self.options]
        return "（缺则）".join(parts) if language == "zh" else " (else) ".join(parts)

    def value_kind(self, subject: type[Any]) -> str:
        return self.options[0].value_kind(subject)


@attrs.define(eq=False)
class And(Expr):
    """All of several conditions (Kleene: one known False decides)."""

    parts: tuple[Expr, ...]

    def _one(self, scope: One) -> Any:
        result: bool | None = True
        for part in self.parts:
            v = part.one(scope)
            if v is False:
                return False
            if v is None:
                result = None
        return result

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        false_seen = np.zeros(n, dtype=np.bool_)
        all_known = np.ones(n, dtype=np.bool_)
        for part in self.parts:
            v = part.many(scope)
            false_seen |= v.known & ~v.values.astype(np.bool_)
            all_known &= v.known
        return Vec(all_known & ~false_seen, all_known | false_seen)

    def children(self) -> Sequence[Expr]:
        return self.parts

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        joiner = "，且" if language == "zh" else " and "
        return joiner.join(_paren(p, language, namer, subject) for p in self.parts)


@attrs.define(eq=False)
class Or(Expr):
    """Any of several conditions (Kleene: one known True decides)."""

    parts: tuple[Expr, ...]

    def _one(self, scope: One) -> Any:
        result: bool | None = False
        for part in self.parts:
            v = part.one(scope)
            if v is True:
                return True
            if v is None:
                result = None
        return result

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        true_seen = np.zeros(n, dtype=np.bool_)
        all_known = np.ones(n, dtype=np.bool_)
        for part in self.parts:
            v = part.many(scope)
            true_seen |= v.known & v.values.astype(np.bool_)
            all_known &= v.known
        return Vec(true_seen, all_known | true_seen)

    def children(self) -> Sequence[Expr]:
        return self.parts

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        joiner = "，或" if language == "zh" else " or "
        return joiner.join(_paren(p, language, namer, subject) for p in self.parts)


def _paren(part: Expr, language: Language, namer: Namer, subject: type[Any]) -> str:
    text = part.text(language, namer, subject)
    if isinstance(part, And | Or):
        return f"（{text}）" if language == "zh" else f"({text})"
    return text


@attrs.define(eq=False)
class Not(Expr):
    """Negation (unknown stays unknown)."""

    part: Expr

    def _one(self, scope: One) -> Any:
        v = self.part.one(scope)
        return None if v is None else not v

    def _many(self, scope: Many) -> Vec:
        v = self.part.many(scope)
        return Vec(~v.values.astype(np.bool_) & v.known, v.known)

    def children(self) -> Sequence[Expr]:
        return (self.part,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.part.text(language, namer, subject)
        return f"并非（{inner}）" if language == "zh" else f"not ({inner})"


@attrs.define(eq=False)
class Filled(Expr):
    """A text field is filled in (non-blank); unknown when absent. The value itself is
    never reported (it may be a name)."""

    of: Field

    def _one(self, scope: One) -> Any:
        value = self.of.one(scope)
        return None if value is None else bool(str(value).strip())

    def _many(self, scope: Many) -> Vec:
        v = _as_objects(self.of.many(scope), scope.n)
        filled = np.fromiter(
            (bool(str(x).strip()) if k else False for x, k in zip(v.values, v.known, strict=True)),
            dtype=np.bool_,
            count=len(v.known),
        )
        return Vec(filled, v.known)

    def children(self) -> Sequence[Expr]:
        return (self.of,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.of.text(language, namer, subject)
        return f"已填写{inner}" if language == "zh" else f"{inner} is filled in"


@attrs.define(eq=False)
class Length(Expr):
    """The number of items of a list field (income projects, visits …)."""

    of: Field

    def _one(self, scope: One) -> Any:
        return self.of.one(scope)

    def _many(self, scope: Many) -> Vec:
        return self.of.many(scope)

    def children(self) -> Sequence[Expr]:
        return (self.of,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.of.text(language, namer, subject)
        return f"{inner}数" if language == "zh" else f"number of {inner}"

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class Where(Expr):
    """``then`` where ``condition`` holds, else ``otherwise`` (unknown condition: the
    value if both branches agree, else unknown)."""

    condition: Expr
    then: Expr
    otherwise: Expr

    def _one(self, scope: One) -> Any:
        c = self.condition.one(scope)
        a, b = self.then.one(scope), self.otherwise.one(scope)
        if c is None:
            return a if a is not None and a == b else None
        return a if c else b

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        c = self.condition.many(scope)
        a, b = _align([self.then.many(scope), self.otherwise.many(scope)], n)
        dtype = _common_dtype([a, b])
        av = _wide(a.values, n).astype(dtype, copy=False)
        bv = _wide(b.values, n).astype(dtype, copy=False)
        ak, bk = _wide(a.known, n), _wide(b.known, n)
        c_known = _wide(c.known, n)
        pick_a = c_known & _wide(c.values, n).astype(np.bool_, copy=False)
        values = np.where(pick_a, av, bv)
        same = np.asarray(av == bv, dtype=np.bool_)
        known = np.where(c_known, np.where(pick_a, ak, bk), ak & bk & same)
        return Vec(np.where(known, values, np.zeros((), dtype=dtype)), known, a.coded)

    def children(self) -> Sequence[Expr]:
        return (self.condition, self.then, self.otherwise)

    def blame_one(self, scope: One) -> list[Ref]:
        c = self.condition.one(scope)
        if c is None:
            return super().blame_one(scope)
        branch = self.then if c else self.otherwise
        return branch.blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        n = scope.n
        c = self.condition.many(scope)
        known, value = _full(c.known, n), _full(c.values, n)
        out = super().blame_many(scope, rows & ~known)
        for branch, pick in ((self.then, known & value), (self.otherwise, known & ~value)):
            v = branch.many(scope)
            _merge_blame(out, branch.blame_many(scope, rows & pick & ~_full(v.known, n)))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        c = self.condition.text(language, namer, subject)
        a = self.then.text(language, namer, subject)
        b = self.otherwise.text(language, namer, subject)
        if language == "zh":
            return f"{a}（{c}时），否则{b}"
        return f"{a} if {c}, else {b}"

    def value_kind(self, subject: type[Any]) -> str:
        return self.then.value_kind(subject)


# -- member aggregations ---------------------------------------------------------


@attrs.define(eq=False)
class MemberAggregate(Expr):
    """``any`` / ``all`` / ``count`` of a condition over a household's members."""

    how: Literal["any", "all", "count"]
    condition: Expr

    def _one(self, scope: One) -> Any:
        values = [
            self.condition.one(One(scope.record, scope.as_of, scope.params, person))
            for person in scope.record.members
        ]
        if self.how == "any":
            if any(v is True for v in values):
                return True
            return None if any(v is None for v in values) else False
        if self.how == "all":
            if any(v is False for v in values):
                return False
            return None if any(v is None for v in values) else True
        return None if any(v is None for v in values) else sum(1 for v in values if v)

    def _many(self, scope: Many) -> Vec:
        if scope.frame.members is None or scope.frame.members.owner is None:
            raise TypeError("member aggregation on records without members")
        if scope.on_members:  # nested: the household's members, seen by each member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            return _record_level(scope, self.many(outer))
        inner = scope.members_scope()
        v = self.condition.many(inner)
        owner = scope.frame.members.owner
        n = scope.frame.n
        m = scope.frame.members.n
        known = np.broadcast_to(v.known, (m,))
        values = np.broadcast_to(v.values, (m,)).astype(np.bool_, copy=False)
        # Scatter marks households (cheaper than weighted counts over every member).
        unknown = np.zeros(n, dtype=np.bool_)
        unknown[owner[~known]] = True
        if self.how == "any":
            hit = np.zeros(n, dtype=np.bool_)
            hit[owner[known & values]] = True
            return Vec(hit, hit | ~unknown)
        if self.how == "all":
            miss = np.zeros(n, dtype=np.bool_)
            miss[owner[known & ~values]] = True
            return Vec(~miss & ~unknown, miss | ~unknown)
        count = np.bincount(owner[known & values], minlength=n).astype(np.float64)
        return Vec(np.where(unknown, 0.0, count), ~unknown)

    def children(self) -> Sequence[Expr]:
        return (self.condition,)

    def one(self, scope: One) -> Any:
        """Value on one record, computed once per scope (a test and its observed value
        often aggregate the same condition)."""
        key = (self, "one")
        cache = scope.cache
        if key in cache:
            return cache[key]
        value = cache[key] = self._one(scope)
        return value

    def blame_one(self, scope: One) -> list[Ref]:
        out: list[Ref] = []
        for person in scope.record.members:
            inner = One(scope.record, scope.as_of, scope.params, person)
            if self.condition.one(inner) is None:
                out += self.condition.blame_one(inner)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        members = scope.frame.members
        assert members is not None
        assert members.owner is not None
        if scope.on_members:  # nested: blame the household's members, per member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            mine = np.zeros(scope.frame.n, dtype=np.bool_)
            mine[members.owner[rows]] = True
            return {
                ref: mask[members.owner] & rows
                for ref, mask in self.blame_many(outer, mine).items()
            }
        inner = scope.members_scope()
        v = self.condition.many(inner)
        member_rows = rows[members.owner] & ~_full(v.known, members.n)
        out: dict[Ref, Array] = {}
        for ref, mask in self.condition.blame_many(inner, member_rows).items():
            hit = np.zeros(scope.frame.n, dtype=np.bool_)
            hit[members.owner[mask]] = True  # a scatter: cheaper than weighted counts
            _merge_blame(out, _leaf_blame(ref, hit & rows))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = _paren(self.condition, language, namer, Person)
        zh = {"any": "有成员满足：", "all": "每名成员都满足：", "count": "满足以下条件的成员数："}
        en = {"any": "some member: ", "all": "every member: ", "count": "number of members with "}
        return (zh if language == "zh" else en)[self.how] + inner

    def value_kind(self, subject: type[Any]) -> str:
        return "number" if self.how == "count" else "bool"


@attrs.define(eq=False)
class Function(Expr):
    """A plain Python function of fields and parameters, for the rare rule the blocks
    cannot express.

    It is called as ``fn(*fields, *params)`` — or ``fn(as_of, *fields, *params)`` with
    ``as_of=True`` — with the fields' values (``None`` when unknown; a list field as its
    tuple, ``members`` as the members) and the parameters' values, and returns a value or
    ``None`` (unknown). With ``of_member=True`` the fields are a member's and the block is
    used inside a member aggregation. Batches call it row by row on the records, so prefer
    blocks where they suffice.
    """

    fn: Callable[..., Any]
    fields: tuple[str, ...]
    params: tuple[str, ...]
    description: Text
    with_date: bool = False
    of_member: bool = False

    def _args(self, scope: One) -> list[Any]:
        source = self._source(scope)
        fields = [getattr(source, name) for name in self.fields]
        return fields + [scope.params.get(p) for p in self.params]

    def _source(self, scope: One) -> Any:
        if not self.of_member:
            return scope.record
        if scope.person is None:
            raise TypeError("a member function used outside a member aggregation")
        return scope.person

    def _call(self, as_of: dt.date, args: list[Any]) -> Any:
        return self.fn(as_of, *args) if self.with_date else self.fn(*args)

    def _one(self, scope: One) -> Any:
        return self._call(scope.as_of, self._args(scope))

    def _many(self, scope: Many) -> Vec:
        if self.of_member and not scope.on_members:
            raise TypeError("a member function used outside a member aggregation")
        if not self.of_member and scope.on_members:  # the household's value, per member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            return _record_level(scope, self.many(outer))
        frame = scope.current
        params = [scope.params.get(p) for p in self.params]
        columns = [frame.python_values(name) for name in self.fields]
        results = (
            [self._call(scope.as_of, [*row, *params]) for row in zip(*columns, strict=True)]
            if columns
            else [self._call(scope.as_of, params) for _ in range(frame.n)]
        )
        n = frame.n
        known = np.fromiter((r is not None for r in results), dtype=np.bool_, count=n)
        if all(isinstance(r, bool) for r in results if r is not None):
            values = np.fromiter((bool(r) for r in results), dtype=np.bool_, count=n)
        else:
            values = np.fromiter(
                (0.0 if r is None else float(r) for r in results), dtype=np.float64, count=n
            )
        return Vec(values, known)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return self.description[language]

    def refs(self) -> Iterator[Ref]:
        kind: RefKind = "member" if self.of_member else "field"
        for name in self.fields:
            yield Ref(kind, name)
        for name in self.params:
            yield Ref("param", name)

    def blame_one(self, scope: One) -> list[Ref]:
        refs = list(self.refs())
        blamed = [r for r, a in zip(refs, self._args(scope), strict=True) if a is None]
        return blamed or refs

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        out: dict[Ref, Array] = {}
        if not self.of_member and scope.on_members:  # the household's, per member
            members = scope.current
            assert members.owner is not None
            outer_scope = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            mine = np.zeros(scope.frame.n, dtype=np.bool_)
            mine[members.owner[rows]] = True
            return {
                ref: mask[members.owner] & rows
                for ref, mask in self.blame_many(outer_scope, mine).items()
            }
        frame = scope.current
        columns = [frame.python_values(name) for name in self.fields]
        params = [scope.params.get(p) for p in self.params]
        refs = list(self.refs())
        for i in np.flatnonzero(rows):
            args = [c[int(i)] for c in columns] + params
            blamed = [r for r, a in zip(refs, args, strict=True) if a is None]
            for ref in blamed or refs:  # as blame_one
                mask = out.setdefault(ref, np.zeros(frame.n, dtype=np.bool_))
                mask[i] = True
        return out


# -- public constructors -----------------------------------------------------------


def field(name: str) -> Expr:
    """A field of the record a rule is about: ``field("annual_net_income_per_capita")``."""
    return Field(name)


def member(name: str) -> Expr:
    """A field of a member, inside :func:`any_member` and the like."""
    return Member(name)


def param(name: str) -> Expr:
    """A pack parameter on the evaluation date: ``param("poverty_line")``."""
    return Param(name)


def as_of(*, year: bool = False) -> Expr:
    """The evaluation date (``year=True``: its calendar year)."""
    return AsOf(year)


def step_date(procedure: str, step: str) -> Expr:
    """The completion date of a procedure step on the record."""
    return StepDate(procedure, step)


def checklist_item(checklist: str, item: str, label: Text | None = None) -> Expr:
    """An item recorded in the record's ``checklists`` (unknown when absent)."""
    return ChecklistItem(checklist, item, label)


def procedure_complete(procedure: str) -> Expr:
    """Every step of the pack's procedure ``procedure`` is done on the record, in order."""
    return ProcedureComplete(procedure)


def checklist_complete(checklist: str) -> Expr:
    """Every item of the pack's checklist ``checklist`` is ticked on the record."""
    return ChecklistComplete(checklist)


def all_of(*parts: Expr) -> Expr:
    """Kleene AND of conditions."""
    flat: list[Expr] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, And) else (p,))
    return And(tuple(flat))


def any_of(*parts: Expr) -> Expr:
    """Kleene OR of conditions."""
    flat: list[Expr] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, Or) else (p,))
    return Or(tuple(flat))


def not_(part: Expr) -> Expr:
    """Kleene NOT."""
    return Not(part)


def where(condition: Expr, then: Any, otherwise: Any) -> Expr:
    """``then`` where ``condition`` holds, else ``otherwise`` (e.g. a threshold by region)."""
    return Where(condition, lit(then), lit(otherwise))


def coalesce(*options: Any) -> Expr:
    """The first known value of several (e.g. a rate given, else computed from counts)."""
    return Coalesce(tuple(lit(o) for o in options))


def filled(name: str) -> Expr:
    """A text field of the record is filled in (non-blank), without reporting its value."""
    return Filled(Field(name))


def length(name: str) -> Expr:
    """The number of items in a list field of the record."""
    return Length(Field(name))


def any_member(condition: Expr) -> Expr:
    """True if some member meets ``condition`` (unknown if none does and one is unknown)."""
    return MemberAggregate("any", condition)


def all_members(condition: Expr) -> Expr:
    """True if every member meets ``condition``."""
    return MemberAggregate("all", condition)


def no_member(condition: Expr) -> Expr:
    """True if no member meets ``condition``."""
    return Not(MemberAggregate("any", condition))


def count_members(condition: Expr) -> Expr:
    """How many members meet ``condition`` (unknown if any member's is unknown)."""
    return MemberAggregate("count", condition)


def function(
    fn: Callable[..., Any],
    *,
    fields: Sequence[str] = (),
    params: Sequence[str] = (),
    description: Text,
    as_of: bool = False,
    of_member: bool = False,
) -> Expr:
    """Wrap a plain Python function as a block; it declares the fields and parameters it
    reads and receives them positionally (the date first with ``as_of=True``, then the
    fields, then the parameters), ``None`` for unknown. ``of_member=True``: the fields
    are a member's (use inside :func:`any_member` and the like)."""
    return Function(fn, tuple(fields), tuple(params), description, as_of, of_member)


def subject_of(kind: str) -> type[Any]:
    """The model class for a subject name."""
    from poverty_core.model import County, Village

    return {"household": Household, "village": Village, "county": County}[kind]


# -- static types: what a pack's rules compare, checked when the pack loads ----------------

_KIND_TEXT = {
    "bool": Text("是/否值", "a yes/no value"),
    "number": Text("数值", "a number"),
    "code": Text("代码", "a code"),
    "date": Text("日期", "a date"),
    "text": Text("文本", "text"),
    "list": Text("列表", "a list"),
    "any": Text("任意值", "any value"),
}


@attrs.frozen
class ValueType:
    """The static type of an expression: its kind (``bool``, ``number``, ``code``,
    ``date``, ``text``, ``list`` or ``any`` when it cannot be told), the code list of a
    code, the unit of a number where the rule's inputs state one, and the strings a text
    stated in the rule can take (``None`` for free text from records)."""

    kind: str
    code: type[Code] | None = None
    unit: str | None = None
    texts: frozenset[str] | None = None
    items: tuple[Any, ...] | None = None
    """The values of a list the rule states (a tuple constant, a list parameter)."""

    def describe(self) -> Text:
        """A short bilingual description: ``a code of house_grade``, ``a number in yuan``."""
        if self.kind == "code" and self.code is not None:
            name = self.code.list_name()
            return Text(f"代码表 {name} 的代码", f"a code of {name}")
        if self.kind == "number" and self.unit:
            return Text(f"数值（单位 {self.unit}）", f"a number in {self.unit}")
        if self.kind == "text" and self.texts is not None and len(self.texts) == 1:
            (only,) = self.texts
            return Text(f"文本 {only!r}", f"the text {only!r}")
        return _KIND_TEXT.get(self.kind, _KIND_TEXT["any"])


_ANY = ValueType("any")
_BOOL = ValueType("bool")
_NUMBER = ValueType("number")
_DATE = ValueType("date")
_ORDERED = ("<", "<=", ">", ">=")
_NOT_COLUMNS = frozenset({"members", "history"})


def _source(expr: Expr, limit: int = 100) -> str:
    """An expression as an author writes it (``field("main_cause")``), shortened."""
    text = _source_of(expr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _const_source(value: Any) -> str:
    if isinstance(value, Code):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_const_source(v) for v in value) + ")"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _source_of(e: Expr) -> str:
    def args(parts: Sequence[Expr]) -> str:
        return ", ".join(_source_of(p) for p in parts)

    if isinstance(e, Const):
        return _const_source(e.value)
    if isinstance(e, Field | Member | Param):
        return f'{type(e).__name__.lower()}("{e.name}")'
    if isinstance(e, Compare):
        return f"{_source_of(e.left)} {e.op} {_source_of(e.right)}"
    if isinstance(e, Arith):
        return f"({_source_of(e.left)} {e.op} {_source_of(e.right)})"
    if isinstance(e, IsIn):
        return f"{_source_of(e.value)}.isin({_source_of(e.options)})"
    if isinstance(e, Coalesce):
        return f"coalesce({args(e.options)})"
    if isinstance(e, Where):
        return f"where({args((e.condition, e.then, e.otherwise))})"
    if isinstance(e, And | Or):
        return f"{'all_of' if isinstance(e, And) else 'any_of'}({args(e.parts)})"
    if isinstance(e, Not):
        return f"not_({_source_of(e.part)})"
    if isinstance(e, MemberAggregate):
        how = {"any": "any_member", "all": "all_members", "count": "count_members"}[e.how]
        return f"{how}({_source_of(e.condition)})"
    if isinstance(e, Filled | Length):
        return f'{type(e).__name__.lower()}("{e.of.name}")'
    if isinstance(e, AsOf):
        return "as_of(year=True)" if e.year else "as_of()"
    if isinstance(e, StepDate):
        return f'step_date("{e.procedure}", "{e.step}")'
    if isinstance(e, Function):
        return f"function({getattr(e.fn, '__name__', 'fn')})"
    if isinstance(e, Reference):
        return f'reference("{e.name}")'
    if isinstance(e, Lookup):
        return f'reference("{e.name}").column("{e.column}", key={_source_of(e.key)})'
    name = getattr(e, "criterion", None) or getattr(e, "name", None)
    return f"{type(e).__name__}({name!r})" if name else type(e).__name__


def _const_type(value: Any) -> ValueType:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, Code):
        return ValueType("code", type(value))
    if isinstance(value, str):
        return ValueType("text", texts=frozenset((value,)))
    if isinstance(value, int | float):
        return _NUMBER
    if isinstance(value, dt.date):
        return _DATE
    if isinstance(value, tuple):
        return ValueType("list", items=value)
    return _ANY


def _of_field(fk: FieldKind | None) -> ValueType:
    if fk is None or fk.kind == "mapping":
        return _ANY  # an unknown field is reported as such by the pack's checks
    if fk.kind == "list":  # rules see a list field as its length
        return _NUMBER
    return ValueType(fk.kind, fk.code, fk.unit)


class _Checker:
    """Infers the :class:`ValueType` of every node and collects what does not fit."""

    def __init__(
        self, subject: type[Any], parameters: Any, members: bool, references: Any = None
    ) -> None:
        self.subject = subject
        self.parameters = parameters if parameters is not None else {}
        self.references = references
        self.members = members
        self.problems: list[Text] = []

    # problems ------------------------------------------------------------------------
    def problem(self, zh: str, en: str) -> None:
        self.problems.append(Text(zh, en))

    def mismatch(
        self, verb: Text, a: Expr, at: ValueType, b: Expr | str, bt: ValueType, why: Text
    ) -> None:
        left, right = _source(a), b if isinstance(b, str) else _source(b)
        ad, bd = at.describe(), bt.describe()
        self.problem(
            f"{verb.zh} {left}（{ad.zh}）与 {right}（{bd.zh}）：{why.zh}",
            f"{verb.en} {left} ({ad.en}) with {right} ({bd.en}): {why.en}",
        )

    # joining two sides -------------------------------------------------------------
    def join(self, verb: Text, a: Expr, at: ValueType, b: Expr | str, bt: ValueType) -> ValueType:
        """The type of two values that meet (compared, or alternatives of one value)."""
        if at.kind == "any":
            return bt
        if bt.kind == "any":
            return at
        if at.kind == "code" and bt.kind == "code":
            if at.code is not bt.code:
                why = Text(
                    "两个不同代码表的代码，永远不相等",
                    "codes of two different code lists never match",
                )
                self.mismatch(verb, a, at, b, bt, why)
            return at
        if "code" in (at.kind, bt.kind) and "text" in (at.kind, bt.kind):
            code_t, text_t = (at, bt) if at.kind == "code" else (bt, at)
            self.texts_are_codes(verb, a, at, b, bt, code_t, text_t)
            return code_t
        if at.kind != bt.kind:
            why = Text("取值种类不同", "values of different kinds")
            self.mismatch(verb, a, at, b, bt, why)
            return at
        if at.kind == "number":
            if at.unit and bt.unit and at.unit != bt.unit:
                why = Text(
                    f"单位不同（{at.unit} 与 {bt.unit}）", f"different units ({at.unit}, {bt.unit})"
                )
                self.mismatch(verb, a, at, b, bt, why)
            return ValueType("number", unit=at.unit or bt.unit)
        if at.kind == "text":
            texts = None if at.texts is None or bt.texts is None else at.texts | bt.texts
            return ValueType("text", texts=texts)
        return at

    def texts_are_codes(
        self,
        verb: Text,
        a: Expr,
        at: ValueType,
        b: Expr | str,
        bt: ValueType,
        code_t: ValueType,
        text_t: ValueType,
    ) -> None:
        assert code_t.code is not None
        code = code_t.code
        if text_t.texts is None:
            why = Text(
                "自由文本与代码比较（文本字段不是代码表）",
                "free text compared with codes (a text field is not a code list)",
            )
            self.mismatch(verb, a, at, b, bt, why)
            return
        values = {m.value for m in code}
        for text in sorted(text_t.texts - values):
            try:
                hint = code.parse(text).value
            except ValueError:
                hint = None
            zh = f"{text!r} 不是代码表 {code.list_name()} 的代码"
            en = f"{text!r} is not a code of {code.list_name()}"
            if hint is not None:
                zh += f"（应写代码 {hint!r}）"
                en += f" (write its code, {hint!r})"
            self.mismatch(verb, a, at, b, bt, Text(zh, en))

    def expect(self, e: Expr, t: ValueType, kind: str, role: Text) -> None:
        if t.kind not in (kind, "any"):
            want = _KIND_TEXT[kind]
            got = t.describe()
            self.problem(
                f"{role.zh}应为{want.zh}，{_source(e)} 是{got.zh}",
                f"{role.en} must be {want.en}; {_source(e)} is {got.en}",
            )

    # the walk ----------------------------------------------------------------------
    def visit(self, e: Expr) -> ValueType:
        """The type of ``e``; problems of ``e`` and its parts are recorded."""
        if isinstance(e, Const):
            return _const_type(e.value)
        if isinstance(e, Field):
            return self.field(e)
        if isinstance(e, Member):
            if not self.members:
                self.problem(
                    f"{_source(e)} 只能用在成员汇总（any_member 等）之内",
                    f"{_source(e)} is only meaningful inside a member aggregation (any_member …)",
                )
            if e.name == "age":
                return _NUMBER
            return _of_field(field_kind(member_type(self.subject), e.name))
        if isinstance(e, Param):
            return self.param(e.name)
        if isinstance(e, Reference | Lookup):
            return self.reference(e)
        if isinstance(e, AsOf):
            return _NUMBER if e.year else _DATE
        if isinstance(e, StepDate):
            return _DATE
        if isinstance(e, StepDone | ChecklistItem | ChecklistComplete | ProcedureComplete):
            return _BOOL
        if isinstance(e, Compare):
            return self.compare(e)
        if isinstance(e, IsIn):
            return self.isin(e)
        if isinstance(e, Arith):
            return self.arith(e)
        if isinstance(e, Coalesce):
            verb = Text("合并", "combines")
            out = self.visit(e.options[0])
            for option in e.options[1:]:
                out = self.join(verb, e.options[0], out, option, self.visit(option))
            return out
        if isinstance(e, Where):
            condition = self.visit(e.condition)
            self.expect(e.condition, condition, "bool", Text("where 的条件", "a where's condition"))
            then, otherwise = self.visit(e.then), self.visit(e.otherwise)
            return self.join(Text("合并", "combines"), e.then, then, e.otherwise, otherwise)
        if isinstance(e, And | Or | Not):
            parts = e.parts if isinstance(e, And | Or) else (e.part,)
            for part in parts:
                self.expect(
                    part, self.visit(part), "bool", Text("逻辑组合的各项", "a logical part")
                )
            return _BOOL
        if isinstance(e, Filled):
            t = self.visit(e.of)
            if t.kind not in ("text", "code", "any"):
                self.expect(e.of, t, "text", Text("filled 的字段", "a filled() field"))
            return _BOOL
        if isinstance(e, Length):
            fk = field_kind(self.subject, e.of.name)
            if fk is not None and fk.kind != "list":
                self.expect(e.of, _of_field(fk), "list", Text("length 的字段", "a length() field"))
            self.field(e.of)
            return _NUMBER
        if isinstance(e, MemberAggregate):
            return self.aggregate(e)
        if isinstance(e, Function):
            if e.of_member and not self.members:
                self.problem(
                    f"{_source(e)} 读成员字段，只能用在成员汇总之内",
                    f"{_source(e)} reads member fields: use it inside a member aggregation",
                )
            return _ANY
        for child in e.children():  # blocks defined elsewhere: check their parts
            self.visit(child)
        kind = e.value_kind(self.subject)
        return ValueType(kind) if kind in _KIND_TEXT else _ANY

    def field(self, e: Field) -> ValueType:
        if e.name in _NOT_COLUMNS:  # nested records: a batch has no column for them
            self.problem(
                f"{_source(e)}：规则不能直接读取嵌套记录（成员用 count_members 等汇总）",
                f"{_source(e)}: rules cannot read nested records as a field "
                "(aggregate members with count_members and the like)",
            )
            return _ANY
        return _of_field(field_kind(self.subject, e.name))

    def param(self, name: str) -> ValueType:
        p = self.parameters.get(name)
        if p is None:
            return _ANY  # an undefined parameter is reported as such by the pack's checks
        values = [v.value for v in getattr(p, "values", ())]
        ptype = getattr(p, "type", "")
        if ptype in ("number", "integer"):
            unit = getattr(p, "unit", None)
            return ValueType("number", unit=None if unit in (None, "", "none") else unit)
        if ptype == "boolean":
            return _BOOL
        if ptype == "text":
            return ValueType("text", texts=frozenset(str(v) for v in values))
        if ptype == "text_list":
            return ValueType("list", items=tuple(dict.fromkeys(i for v in values for i in v)))
        return _ANY

    def reference(self, e: Reference | Lookup) -> ValueType:
        spec = None if self.references is None else self.references.get(e.name)
        if self.references is not None and spec is None:
            known = ", ".join(sorted(self.references)) or "—"
            self.problem(
                f"{_source(e)}：策略包没有声明参考数据 {e.name}（已声明：{known}）",
                f"{_source(e)}: the pack declares no reference {e.name} (declared: {known})",
            )
        if isinstance(e, Reference):
            return ValueType("list")
        key = self.visit(e.key)
        if key.kind not in ("text", "code", "any"):
            self.expect(e.key, key, "text", Text("参考表的键", "a reference table's key"))
        if spec is not None and spec.kind != "table":
            self.problem(
                f"{_source(e)}：{e.name} 是集合，没有列",
                f"{_source(e)}: {e.name} is a set: no columns",
            )
        elif spec is not None and e.column not in spec.columns:
            self.problem(
                f"{_source(e)}：参考表 {e.name} 没有列 {e.column}（有：{'、'.join(spec.columns)}）",
                f"{_source(e)}: reference table {e.name} has no column {e.column} "
                f"(it has: {', '.join(spec.columns)})",
            )
        return ValueType("text")

    def compare(self, e: Compare) -> ValueType:
        left, right = self.visit(e.left), self.visit(e.right)
        verb = Text("比较", "compares")
        joined = self.join(verb, e.left, left, e.right, right)
        if e.op in _ORDERED and joined.kind not in ("number", "date", "any"):
            why = Text(f"“{e.op}” 只能比较数值和日期", f"'{e.op}' orders numbers and dates only")
            self.mismatch(verb, e.left, left, e.right, right, why)
        return _BOOL

    def isin(self, e: IsIn) -> ValueType:
        value = self.visit(e.value)
        options = self.visit(e.options)
        verb = Text("比较", "compares")
        if options.kind == "any":
            return _BOOL
        if isinstance(e.options, Reference):  # keys are text (ID numbers, cadre ids …)
            if value.kind not in ("text", "code", "any"):
                self.expect(e.value, value, "text", Text("与参考数据比较的值", "a value looked up"))
            return _BOOL
        if options.kind != "list" or not isinstance(e.options, Const | Param):
            self.problem(
                f"{_source(e)}：isin 的选项应为常量列表或列表参数，{_source(e.options)} 不是",
                f"{_source(e)}: isin takes a tuple of constants or a list parameter, "
                f"not {_source(e.options)}",
            )
            return _BOOL
        for item in options.items or ():
            self.join(verb, e.value, value, _const_source(item), _const_type(item))
        return _BOOL

    def arith(self, e: Arith) -> ValueType:
        left, right = self.visit(e.left), self.visit(e.right)
        for t in (left, right):
            if t.kind not in ("number", "date", "any"):
                why = Text("只能对数值和日期做算术", "arithmetic takes numbers and dates only")
                self.mismatch(Text("计算", "computes"), e.left, left, e.right, right, why)
                return _NUMBER
        kinds = (left.kind, right.kind)
        if "date" in kinds:
            if e.op == "-" and kinds == ("date", "date"):
                return ValueType("number", unit="days")
            if e.op in "+-" and "number" in kinds and (e.op == "+" or kinds[0] == "date"):
                return _DATE
            if "any" not in kinds:
                why = Text("日期只能加减天数，或相减", "dates take + and - of days, or - of dates")
                self.mismatch(Text("计算", "computes"), e.left, left, e.right, right, why)
            return _ANY
        if e.op in "+-":
            return self.join(Text("计算", "computes"), e.left, left, e.right, right)
        return _NUMBER  # a product or quotient: its unit is not told (yuan ÷ people …)

    def aggregate(self, e: MemberAggregate) -> ValueType:
        if not issubclass(self.subject, Household):
            self.problem(
                f"{_source(e)}：{self.subject.__name__} 记录没有成员",
                f"{_source(e)}: {self.subject.__name__} records have no members",
            )
            return _ANY
        outer, self.members = self.members, True
        try:
            t = self.visit(e.condition)
            self.expect(e.condition, t, "bool", Text("成员汇总的条件", "a member condition"))
        finally:
            self.members = outer
        return _NUMBER if e.how == "count" else _BOOL


def _subject(subject: type[Any] | str, pack: Any = None) -> type[Any]:
    # a pack's record class: the fields it declares are typed, another pack's are not
    if isinstance(subject, str) and hasattr(pack, "record_type"):
        return pack.record_type(subject)  # type: ignore[no-any-return]
    return subject_of(subject) if isinstance(subject, str) else subject


def static_type(
    expr: Expr, subject: type[Any] | str, pack: Any = None, *, members: bool = False
) -> ValueType:
    """The :class:`ValueType` of ``expr`` about ``subject`` records (``pack``: where its
    parameters' types and units come from; ``members``: evaluated per member)."""
    checker = _Checker(
        _subject(subject, pack),
        getattr(pack, "parameters", None),
        members,
        getattr(pack, "references", None),
    )
    return checker.visit(expr)


def check_types(
    expr: Expr,
    subject: type[Any] | str,
    pack: Any = None,
    *,
    expect: str | None = None,
    role: Text | None = None,
    members: bool = False,
) -> list[Text]:
    """What does not fit in ``expr``: comparisons (and ``isin``, ``where``, ``coalesce``,
    arithmetic) of values of different kinds, units or code lists, text that is not a
    code of the list it meets, member fields outside a member aggregation; and, with
    ``expect`` (``bool``, ``number``, ``code``), an expression of another kind. Each
    problem names both sides, as the author wrote them, with their types.

    >>> from poverty_core.codes import HouseGrade
    >>> [p.en for p in check_types(field("main_cause").eq(HouseGrade.A), "household")]
    ['compares field("main_cause") (a code of poverty_cause) with HouseGrade.A (a code of house_grade): codes of two different code lists never match']
    """  # noqa: E501
    checker = _Checker(
        _subject(subject, pack),
        getattr(pack, "parameters", None),
        members,
        getattr(pack, "references", None),
    )
    t = checker.visit(expr)
    if expect is not None:
        checker.expect(expr, t, expect, role or Text("表达式", "the expression"))
    return checker.problems


def type_problems(pack: Any) -> list[Text]:
    """:func:`check_types` over every rule of an assembled pack — criteria (tests must be
    conditions), classifiers, entitlements (conditions, amounts) and indicators — each
    problem prefixed with the rule's kind and id. The pack's loading raises them as one
    :class:`~poverty_core.errors.PackError`."""
    out: list[Text] = []
    test, condition = Text("检验", "the test"), Text("条件", "the condition")

    def run(
        kind: Text,
        rid: str,
        subject: str,
        expr: Expr | None,
        expect: str | None = None,
        role: Text | None = None,
        members: bool = False,
    ) -> None:
        if expr is None:
            return
        for p in check_types(expr, subject, pack, expect=expect, role=role, members=members):
            out.append(Text(f"{kind.zh} {rid}：{p.zh}", f"{kind.en} {rid}: {p.en}"))

    criterion = Text("准则", "criterion")
    for rule in pack.criteria.values():
        run(criterion, rule.id, rule.subject, rule.test, "bool", test)
        run(criterion, rule.id, rule.subject, rule.observed)
        run(criterion, rule.id, rule.subject, rule.required)
    for cf in pack.classifiers.values():
        for c in cf.classes:
            run(Text("分类器", "classifier"), f"{cf.id}.{c.code}", cf.subject, c.test, "bool", test)
    for en in pack.entitlements.values():
        kind = Text("补助项目", "entitlement")
        run(kind, en.id, en.subject, en.eligibility, "bool", Text("资格", "the eligibility"))
        for ln in en.lines:
            per_member = ln.per == "member"
            where = f"{en.id} line {ln.id}"
            run(kind, where, en.subject, ln.condition, "bool", condition, per_member)
            run(
                kind, where, en.subject, ln.amount, "number", Text("金额", "the amount"), per_member
            )
    for ind in pack.indicators.values():
        kind = Text("指标", "indicator")
        run(kind, ind.id, ind.subject, ind.condition, "bool", condition)
        run(kind, ind.id, ind.subject, ind.where, "bool", Text("筛选条件", "the filter"))
        value_kind = "code" if ind.kind == "breakdown" else "number"
        run(kind, ind.id, ind.subject, ind.value, value_kind, Text("取值", "the value"))
        run(kind, ind.id, ind.subject, ind.denominator, "number", Text("分母", "the denominator"))
        if ind.target is not None:
            run(kind, ind.id, ind.subject, ind.target[1], "number", Text("目标", "the target"))
    return out
