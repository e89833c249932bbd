"""Building blocks of rules: references, comparisons, three-valued logic, aggregations.

A rule's test is an expression tree built from these blocks. Each block knows how to

* evaluate on **one** record (:meth:`Expr.one`: a Python value, ``None`` = unknown),
* evaluate on a **batch** of columns (:meth:`Expr.many`: a :class:`~poverty_core.frame.Vec`),
* render itself as readable Chinese and English (:meth:`Expr.text`),
* list what it reads (:meth:`Expr.refs`) so packs can be checked at load time.

Both evaluators implement the same three-valued (Kleene) logic — ``False AND unknown``
is ``False``, ``True OR unknown`` is ``True`` — and the property tests hold them equal.
Pack authors compose blocks and never touch numpy::

    field("annual_net_income_per_capita") > param("poverty_line")
    no_member(member("age").between(param("compulsory_school_age_min"), ...) & ...)
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
from poverty_core.frame import Array, Frame, Vec, code_index, field_kind
from poverty_core.model import Household, Person

__all__ = [
    "Expr",
    "Ref",
    "all_members",
    "all_of",
    "any_member",
    "any_of",
    "as_of",
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
    "step_date",
    "where",
]

RefKind = Literal["field", "member", "param", "procedure", "checklist"]


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
        }[self.kind]


class Namer(Protocol):
    """Gives readable names to fields and parameters when rendering text."""

    def field(self, subject: type[Any], name: str, language: Language) -> str: ...
    def param(self, name: str, language: Language) -> str: ...
    def checklist(self, name: str, language: Language) -> str: ...
    def procedure(self, name: str, language: Language) -> str: ...


class ParamSource(Protocol):
    """Gives a parameter's value on the evaluation date, or ``None`` when it has none,
    and the items of the pack's checklists."""

    def get(self, name: str) -> Any: ...
    def checklist_items(self, checklist: str) -> tuple[str, ...]: ...
    def procedure_steps(self, procedure: str) -> tuple[tuple[str, Text], ...]: ...


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
    if isinstance(value, bool):
        arr = np.broadcast_to(np.bool_(value), (n,))
    elif isinstance(value, int | float):
        arr = np.broadcast_to(np.float64(value), (n,))
    else:
        cell = np.empty(1, dtype=object)
        cell[0] = value
        arr = np.broadcast_to(cell, (n,))
    return Vec(arr, np.broadcast_to(np.bool_(known), (n,)))


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
        value = self.value
        if isinstance(value, Code):  # columns hold a code as its position in its list
            return _scalar(float(code_index(type(value))[value]), scope.n)
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
        value = getattr(scope.record, self.name)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.toordinal()
        if isinstance(value, tuple):
            return len(value)
        return value

    def _many(self, scope: Many) -> Vec:
        return scope.frame.column(self.name)

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
        value = getattr(person, self.name)
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
        fk = field_kind(Person, self.name)
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
        return scope.frame.column(f"procedures.{self.procedure}.{self.step}")

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
    the step that precedes it."""

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
            return Vec(np.zeros(frame.n, dtype=np.bool_), np.zeros(frame.n, dtype=np.bool_))
        when = frame.column(f"procedures.{self.procedure}.{self.step}")
        done = when.known & (when.values <= scope.as_of.toordinal())
        if self.previous:
            before = frame.column(f"procedures.{self.procedure}.{self.previous}")
            done &= ~before.known | (before.values <= when.values)
        return Vec(done & present.values, present.values.copy())

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
            return Vec(np.zeros(scope.n, dtype=np.bool_), col.known)
        return col

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
    if isinstance(expr, Field | Member):
        fk = field_kind(Person if isinstance(expr, Member) else subject, expr.name)
        return fk.code if fk is not None else None
    if isinstance(expr, Const) and isinstance(expr.value, Code):
        return type(expr.value)
    if isinstance(expr, Where):
        return code_list_of(expr.then, subject) or code_list_of(expr.otherwise, subject)
    if isinstance(expr, Coalesce):
        for option in expr.options:
            found = code_list_of(option, subject)
            if found is not None:
                return found
    return None


def _code_operand(node: Expr, other: Expr, scope: Many) -> Vec:
    """Codes in columns are integers: a text constant or parameter compared with a code
    field is encoded against that field's list (as on one record, where a code equals
    its text)."""
    code = code_list_of(other, scope.current.kind)
    if (
        code is not None
        and isinstance(node, Const | Param)
        and code_list_of(node, scope.current.kind) is None
    ):
        raw = node.value if isinstance(node, Const) else scope.params.get(node.name)
        if isinstance(raw, str):
            try:
                member = code.parse(raw) if raw in {m.value for m in code} else None
            except ValueError:
                member = None
            index = -1.0 if member is None else float(code_index(code)[member])
            return _scalar(index, scope.n)
    return node.many(scope)


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
        a = _code_operand(self.left, self.right, scope)
        b = _code_operand(self.right, self.left, scope)
        known = a.known & b.known
        return Vec(_OPS[self.op](a.values, b.values) & known, known)

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
        if isinstance(self.options, Param):
            options = scope.params.get(self.options.name)
            if options is None:
                return Vec(np.zeros(scope.n, dtype=np.bool_), np.zeros(scope.n, dtype=np.bool_))
        else:
            options = self.options.one(One(None, scope.as_of, scope.params))
        kind_field = self.value
        if isinstance(kind_field, Field | Member):
            fk = field_kind(scope.current.kind, kind_field.name)
            if fk is not None and fk.code is not None:
                index = code_index(fk.code)
                options = [index[fk.code.parse(o)] for o in options]
        hit = np.isin(v.values, np.asarray(list(options))) & v.known
        return Vec(hit, v.known.copy())

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
        if isinstance(self.options, Param) and scope.params.get(self.options.name) is None:
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
        first = self.options[0].many(scope)
        vecs = [first] + [o.many(scope) for o in self.options[1:]]
        dtype = object if any(v.values.dtype == object for v in vecs) else np.float64
        values = np.broadcast_to(first.values, (scope.n,)).astype(dtype, copy=True)
        known = first.known.copy()
        for option in self.options[1:]:
            other = option.many(scope)
            take = ~known & other.known
            values[take] = other.values[take]
            known |= other.known
        return Vec(values, known)

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
        v = self.of.many(scope)
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
        c = self.condition.many(scope)
        a, b = self.then.many(scope), self.otherwise.many(scope)
        n = scope.n
        dtype = object if object in (a.values.dtype, b.values.dtype) else np.float64
        av = np.broadcast_to(a.values, (n,)).astype(dtype)
        bv = np.broadcast_to(b.values, (n,)).astype(dtype)
        ak, bk = np.broadcast_to(a.known, (n,)), np.broadcast_to(b.known, (n,))
        pick_a = c.known & c.values
        values = np.where(pick_a, av, bv)
        known = np.where(c.known, np.where(pick_a, ak, bk), ak & bk & (av == bv))
        return Vec(np.where(known, values, 0.0), known)

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
        inner = scope.members_scope()
        v = self.condition.many(inner)
        member_rows = rows[members.owner] & ~_full(v.known, members.n)
        out: dict[Ref, Array] = {}
        for ref, mask in self.condition.blame_many(inner, member_rows).items():
            hit = np.bincount(members.owner, weights=mask, minlength=scope.frame.n) > 0
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
        frame = scope.current
        params = [scope.params.get(p) for p in self.params]
        results: list[Any] = []
        if frame.records is not None:
            for record in frame.records:
                args = [getattr(record, f) for f in self.fields] + params
                results.append(self._call(scope.as_of, args))
        else:
            kinds = [field_kind(frame.kind, name) for name in self.fields]
            if any(k is None or k.kind in ("list", "mapping") for k in kinds):
                raise TypeError(
                    "a plain-function rule reading list fields or members needs the records; "
                    "build the frame with Frame.from_records"
                )
            cols = [frame.column(name) for name in self.fields]
            for i in range(frame.n):
                args = [
                    _decode(c.values[i], k) if c.known[i] else None
                    for c, k in zip(cols, kinds, strict=True)
                ]
                results.append(self._call(scope.as_of, args + params))
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
        frame = scope.current
        if frame.records is None:
            return {ref: rows.copy() for ref in self.refs()}
        outer = scope.frame.records
        for i in np.flatnonzero(rows):
            record = frame.records[int(i)]
            if self.of_member:
                assert frame.owner is not None
                assert outer is not None
                one = One(outer[int(frame.owner[i])], scope.as_of, scope.params, record)
            else:
                one = One(record, scope.as_of, scope.params)
            for ref in self.blame_one(one):
                mask = out.setdefault(ref, np.zeros(frame.n, dtype=np.bool_))
                mask[i] = True
        return out


def _decode(value: Any, kind: Any) -> Any:
    if kind is None:
        return value
    if kind.kind == "bool":
        return bool(value)
    if kind.kind == "number":
        return float(value)
    if kind.kind == "code":
        return list(kind.code)[int(value)]
    if kind.kind == "date":
        return dt.date.fromordinal(int(value))
    return value


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
