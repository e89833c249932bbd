"""One-record evaluation is compiled once per run (``Expr.one_fn``): what that adds to the
semantics the property tests already hold equal to the batch path — the evaluator is
kept per parameter source and date, values independent of the record are folded, a
constant that fails still fails only where it is evaluated, and a member condition is
evaluated once per member however many aggregations of it a decision reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import poverty_core as pc
from poverty_core._text import T
from poverty_core.expressions import (
    Folded,
    One,
    all_members,
    any_of,
    count_members,
    field,
    function,
    lit,
    member,
    no_member,
    not_,
    param,
)

ON = dt.date(2016, 12, 31)


class Values:
    """A parameter source with fixed values (no checklists, procedures or references)."""

    def __init__(self, **values: Any) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def checklist_items(self, checklist: str) -> tuple[str, ...]:
        return ()

    def procedure_steps(self, procedure: str) -> tuple[tuple[str, Any], ...]:
        return ()

    def reference(self, name: str) -> Any:
        return None


def home(**fields: Any) -> pc.Household:
    return pc.Household(id="h", members=[pc.Person(id="p")], **fields)


def household(income: float | None, *ages: int | None) -> pc.Household:
    return pc.Household(
        id="h",
        annual_net_income_per_capita=income,
        members=[pc.Person(id=f"p{i}", age=a) for i, a in enumerate(ages)],
    )


def test_the_evaluator_is_kept_per_parameter_source_and_date() -> None:
    test = field("annual_net_income_per_capita") > param("poverty_line")
    low, high = Values(poverty_line=3000), Values(poverty_line=5000)
    assert test.one_fn(low, ON) is test.one_fn(low, ON)
    assert test.one_fn(low, ON) is not test.one_fn(high, ON)
    assert test.one_fn(low, ON) is not test.one_fn(low, ON.replace(day=30))
    record = household(4000, 40)
    assert test.one(One(record, ON, low)) is True
    assert test.one(One(record, ON, high)) is False
    assert test.one(One(record, ON, Values())) is None  # no value: unknown


def test_values_that_do_not_depend_on_the_record_are_folded() -> None:
    values = Values(poverty_line=3000)
    folded = (param("poverty_line") * 2 > 5000).one_fn(values, ON)
    assert isinstance(folded, Folded)
    assert folded.value is True
    # a known False decides an AND of constants and record values alike
    assert (lit(False) & field("food_secure")).one_fn(values, ON).value is False  # type: ignore[attr-defined]
    assert not isinstance(
        (lit(True) & field("food_secure")).one_fn(values, ON), Folded
    )  # the field decides
    either = any_of(field("food_secure"), lit(None))
    assert either.one(One(household(1, 40), ON, values)) is None
    assert either.one(One(home(food_secure=True), ON, values)) is True


def test_a_failing_constant_fails_where_it_is_evaluated() -> None:
    broken = lit("text") > 3  # never folded: raising is left to the evaluation
    guarded = field("food_secure") & broken
    values = Values()
    assert guarded.one(One(home(food_secure=False), ON, values)) is False
    with pytest.raises(TypeError):
        guarded.one(One(home(food_secure=True), ON, values))


def test_a_member_condition_is_evaluated_once_per_member() -> None:
    calls: list[Any] = []

    def adult(age: int | None) -> bool | None:
        calls.append(age)
        return None if age is None else age >= 18

    grown = function(adult, fields=["age"], description=T("成年", "adult"), of_member=True)
    scope = One(household(1, 30, 12, None), ON, Values())
    # a test, its observed count and a negated count read the members' values once
    assert all_members(grown).one(scope) is False
    assert no_member(grown).one(scope) is False
    assert count_members(not_(grown)).one(scope) is None
    assert count_members(grown).one(scope) is None
    assert calls == [30, 12, None]
    # a new record is evaluated afresh
    assert count_members(grown).one(One(household(1, 40, 50), ON, Values())) == 2
    assert calls == [30, 12, None, 40, 50]


def test_explanations_name_only_the_members_that_matter() -> None:
    adults = all_members(member("age") >= 18)
    scope = One(household(1, 30, None), ON, Values())
    assert adults.one(scope) is None
    assert [r.label() for r in adults.blame_one(scope)] == ["members[].age"]
