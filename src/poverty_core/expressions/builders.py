"""The public constructors pack authors write rules with (``field``, ``param``,
``any_member`` …), and :func:`subject_of`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from poverty_core._text import Text
from poverty_core.expressions.base import Expr, Not, Param, lit
from poverty_core.expressions.combinators import (
    Coalesce,
    Filled,
    Function,
    Length,
    MemberAggregate,
    Where,
)
from poverty_core.expressions.leaves import (
    AsOf,
    ChecklistComplete,
    ChecklistItem,
    Field,
    Member,
    ProcedureComplete,
    StepDate,
)
from poverty_core.model import County, Household, Village

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
    return {"household": Household, "village": Village, "county": County}[kind]
