"""One-record evaluation is compiled once per run (``Expr.one_fn``): what that adds to the
semantics the property tests already hold equal to the batch path — the evaluator is
kept per parameter source and date, values independent of the record are folded, a
constant that fails still fails only where it is evaluated, and a member condition is
evaluated once per member however many aggregations of it a decision reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core._text import T
from poverty_core.expressions import (
    Folded,
    One,
    all_members,
    all_of,
    any_member,
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
from poverty_core.expressions.members import member_fn

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


# -- member conditions evaluated member by member (expressions/members.py) ---------------


def _member_condition() -> st.SearchStrategy[Any]:
    """Member conditions of the blocks compiled member by member, and of others."""
    age = member("age")
    bound = st.sampled_from(
        [lit(6), lit(15), lit(15.5), param("low"), param("high"), param("none")]
    )
    leaf = st.one_of(
        st.builds(lambda lo, hi: age.between(lo, hi), bound, bound),
        st.builds(lambda b: age >= b, bound),
        st.builds(lambda b: b < age, bound),
        st.sampled_from(
            [
                member("schooling_status").eq(pc.SchoolingStatus.OUT_OF_SCHOOL),
                member("schooling_status").isin(["in_school", "out_of_school"]),
                member("basic_medical_insurance"),
                member("disabled"),
                member("no_such_field"),
                member("health"),
                member("birth_date") > lit(dt.date(2000, 1, 1)),
                field("food_secure"),
                field("annual_net_income_per_capita") > param("low"),
                member("age") > field("annual_net_income_per_capita"),
                lit(True),
                lit(None),
                param("none"),
                member("age") + lit(1) > lit(10),
                function(
                    lambda a: None if a is None else a % 2 == 0,
                    fields=["age"],
                    description=T("双数", "even"),
                    of_member=True,
                ),
            ]
        ),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: all_of(*xs)),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: any_of(*xs)),
            inner.map(not_),
        ),
        max_leaves=6,
    )


_PEOPLE = st.builds(
    lambda i, age, born, status, insured, disabled: pc.Person(
        id=f"p{i}",
        age=age,
        birth_date=born,
        schooling_status=status,
        basic_medical_insurance=insured,
        disabled=disabled,
    ),
    st.integers(0, 10**6),
    st.one_of(st.none(), st.integers(0, 30)),
    st.one_of(st.none(), st.sampled_from([dt.date(2001, 6, 1), dt.date(2010, 12, 31)])),
    st.one_of(st.none(), st.sampled_from(list(pc.SchoolingStatus))),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.booleans()),
)


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        value = fn(*args)
    except Exception as exc:
        return ("error", type(exc))
    return (type(value), value)


@settings(max_examples=300, deadline=None)
@given(
    _member_condition(),
    st.lists(_PEOPLE, min_size=1, max_size=4, unique_by=lambda p: p.id),
    st.one_of(st.none(), st.floats(0, 30)),
    st.one_of(st.none(), st.booleans()),
)
def test_a_member_condition_member_by_member_equals_its_scope_evaluation(
    condition: Any, people: list[pc.Person], income: float | None, food: bool | None
) -> None:
    record = pc.Household(
        id="h", members=people, annual_net_income_per_capita=income, food_secure=food
    )
    params = Values(low=6, high=15, none=None)
    scope = One(record, ON, params)
    direct = member_fn(condition, params, ON)
    through = condition.one_fn(params, ON)
    for person in people:
        assert _outcome(direct, scope, person) == _outcome(
            through, One(record, ON, params, person, {})
        )
    values = (
        [through(One(record, ON, params, p, {})) for p in people]
        if all(_outcome(through, One(record, ON, params, p, {}))[0] != "error" for p in people)
        else None
    )
    for aggregate, expected in (
        (all_members, _kleene_of(values, False)),
        (any_member, _kleene_of(values, True)),
        (count_members, _count_of(values)),
    ):
        got = _outcome(aggregate(condition).one_fn(params, ON), One(record, ON, params))
        assert got[0] == "error" if values is None else got == (type(expected), expected)


def _kleene_of(values: list[Any] | None, decisive: bool) -> Any:
    if values is None:
        return None
    if any(v is decisive for v in values):
        return decisive
    return None if any(v is None for v in values) else not decisive


def _count_of(values: list[Any] | None) -> Any:
    if values is None or any(v is None for v in values):
        return None
    return sum(1 for v in values if v)


def test_findings_that_do_not_depend_on_the_record_are_shared_and_equal() -> None:
    """A finding whose shown values are fixed or a whole count is made once per run
    and status (findings are immutable); each record still gets its own answer."""
    pack = pc.load_pack("national")

    def person(i: int, insured: bool | None) -> pc.Person:
        return pc.Person(
            id=f"p{i}",
            age=40,
            basic_medical_insurance=insured,
            serious_illness_insurance=True,
            medical_assistance=True,
        )

    def decide(*insured: bool | None) -> pc.DecisionResult:
        record = pc.Household(
            id="h",
            food_secure=True,
            members=[person(i, v) for i, v in enumerate(insured)],
        )
        return pack.decide("household_exit", record, as_of=ON)

    cases = [(True, False), (False, True), (True, True), (None, True)]
    a, b, c, d = (decide(*case) for case in cases)
    food = [r.finding("food_secure") for r in (a, b, c)]
    assert food[0] is food[1] is food[2]
    medical = [r.finding("basic_medical") for r in (a, b, c, d)]
    assert medical[0] is medical[1]
    assert medical[0].status is pc.Status.FAILED
    assert medical[0].observed == 1.0
    assert type(medical[0].observed) is float
    assert medical[2].status is pc.Status.PASSED
    assert medical[2].observed == 0.0
    assert medical[3].status is pc.Status.UNKNOWN
    assert medical[3].missing == ("members[].basic_medical_insurance",)
    # the same answers as a batch of the same records
    for case, result in zip(cases, (a, b, c, d), strict=True):
        record = pc.Household(
            id="h", food_secure=True, members=[person(i, v) for i, v in enumerate(case)]
        )
        batch = pack.decide_batch("household_exit", [record], as_of=ON)
        assert batch.result(0).findings == result.findings
