"""Blocks that read the record: its fields, its members' fields, the evaluation date,
procedure steps and checklist items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np

from poverty_core._text import Language, Text
from poverty_core.codes import Code
from poverty_core.expressions.base import And, Expr
from poverty_core.expressions.scope import (
    Folded,
    Many,
    Namer,
    One,
    OneFn,
    ParamSource,
    Ref,
    _leaf_blame,
    _record_level,
    _scalar,
    _unknown,
)
from poverty_core.frame import (
    Array,
    Vec,
    field_kind,
    member_type,
)
from poverty_core.model import Person

_PLAIN = frozenset({bool, int, float, str})


def _value(value: Any) -> Any:
    """A record's or member's field value as expressions compare it: a date as its
    ordinal, a list field as its number of items, anything else as it is."""
    if value is None or value.__class__ in _PLAIN:
        return value
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return len(value)
    return value


@attrs.define(eq=False)
class Field(Expr):
    """A field of the record the rule is about (a household, village or county)."""

    name: str

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        name = self.name

        def read_field(scope: One) -> Any:
            # a core record has no field a pack declares: unknown, as a field left empty
            value = getattr(scope.record, name, None)
            if value is None or value.__class__ in _PLAIN or isinstance(value, Code):
                return value  # a code (a str): as it is, as _value gives it
            return _value(value)

        return read_field

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        name = self.name
        outside = f"member({name!r}) used outside a member aggregation"
        if name == "age":

            def read_age(scope: One) -> Any:
                person = scope.person
                if person is None:
                    raise TypeError(outside)
                return person.age_on(as_of)

            return read_age

        def read_member(scope: One) -> Any:
            person = scope.person
            if person is None:
                raise TypeError(outside)
            value = getattr(person, name, None)  # a pack's field on a core person: unknown
            return value if value is None or value.__class__ in _PLAIN else _value(value)

        return read_member

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
class AsOf(Expr):
    """The evaluation date (or its year)."""

    year: bool = False

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return Folded(as_of.year if self.year else as_of.toordinal())

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        procedure, step = self.procedure, self.step

        def step_date(scope: One) -> Any:
            steps = scope.record.procedures.get(procedure)
            if steps is None:
                return None
            when = steps.get(step)
            return None if when is None else when.toordinal()

        return step_date

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        procedure, step, previous = self.procedure, self.step, self.previous

        def step_done(scope: One) -> Any:
            steps = scope.record.procedures.get(procedure)
            if steps is None:
                return None
            when = steps.get(step)
            if when is None or when > as_of:
                return False
            before = steps.get(previous) if previous else None
            return before is None or before <= when

        return step_done

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        checklist, item = self.checklist, self.item

        def checklist_item(scope: One) -> Any:
            return scope.record.checklists.get(checklist, {}).get(item)

        return checklist_item

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return And(tuple(self._items(params))).one_fn(params, as_of)

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

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return self._steps(params).one_fn(params, as_of)

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
