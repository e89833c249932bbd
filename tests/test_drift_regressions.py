"""Regression cases for the three kinds of drift between one record and a batch that a
generated-rule test found at ea439e5 (``../shared/reviews/architecture.md`` §1.4):

1. a code behind ``coalesce``/``where`` tested with ``isin`` was eligible on one record
   and not eligible in a batch (the batch compared list positions with codes);
2. codes of two different code lists compared equal in a batch (and ``isin`` crashed),
   and such a rule loaded without error: now it is a load error naming the pack, the
   rule and both sides;
3. a ``where`` whose condition is itself a ``where`` crashed the batch path.

Each case runs on the three paths: one record, a batch from records, a batch from
Arrow tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

import poverty_core as pc
from poverty_core.codes import HouseGrade, PovertyCause
from poverty_core.expressions import Expr, coalesce, field, where
from poverty_core.packs import assemble

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def national() -> pc.Pack:
    return pc.load_pack("national")


def _with_rule(base: pc.Pack, test: Expr) -> pc.Pack:
    """``base`` with one more decision ``xd`` of one criterion ``x`` (no load check)."""
    rule = pc.Criterion(
        id="x",
        subject="household",
        title=pc.T("x", "x"),
        citations=base.criteria["food_secure"].citations,
        test=test,
        pack=base.name,
    )
    decision = pc.Decision(
        id="xd", subject="household", title=pc.T("x", "x"), citations=rule.citations, criteria=["x"]
    )
    return attrs.evolve(
        base, criteria={**base.criteria, "x": rule}, decisions={**base.decisions, "xd": decision}
    )


def _three_paths(pack: pc.Pack, households: list[pc.Household]) -> list[list[Any]]:
    """Per path (one record, batch from records, batch from Arrow): each household's
    outcome and finding (status, observed, missing)."""

    def row(result: pc.DecisionResult) -> Any:
        f = result.finding("x")
        return (result.outcome, f.status, f.observed, f.missing)

    one = [row(pack.decide("xd", h, as_of=AS_OF)) for h in households]
    batch = pack.decide_batch("xd", households, as_of=AS_OF)
    from_records = [row(batch.result(i)) for i in range(len(households))]
    frame = pc.frame_from_arrow(*pc.tables_from_records(households))
    arrow = pack.decide_batch("xd", frame, as_of=AS_OF)
    from_arrow = [row(arrow.result(i)) for i in range(len(households))]
    return [one, from_records, from_arrow]


def _household(hid: str, **fields: Any) -> pc.Household:
    return pc.Household.from_dict({"id": hid, "members": [{"id": "1"}], **fields})


HOUSEHOLDS = [
    _household("unknown-grade"),
    _household("grade-a", house_grade="A", food_secure=False),
    _household("grade-c", house_grade="C", food_secure=True),
    _household("not-food-secure", food_secure=False, main_cause="illness"),
]


# -- 1. codes behind coalesce / where in isin ----------------------------------------------


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        # the review's reproducer: house grade unknown, so the coalesce gives C
        (
            coalesce(field("house_grade"), HouseGrade.C).isin((HouseGrade.C,)),
            ["eligible", "not_eligible", "eligible", "eligible"],
        ),
        # 1′: food_secure False picks the constant A
        (
            where(field("food_secure"), field("house_grade"), HouseGrade.A).isin((HouseGrade.A,)),
            ["undetermined", "eligible", "not_eligible", "eligible"],
        ),
        # the same with the codes' text, as a text_list parameter or a taxonomy gives them
        (
            coalesce(field("house_grade"), HouseGrade.C).isin(("C", "D")),
            ["eligible", "not_eligible", "eligible", "eligible"],
        ),
    ],
)
def test_codes_behind_coalesce_and_where_agree_in_isin(
    national: pc.Pack, test: Expr, expected: list[str]
) -> None:
    pack = _with_rule(national, test)
    paths = _three_paths(pack, HOUSEHOLDS)
    assert [r[0].value for r in paths[0]] == expected
    assert paths[1] == paths[0]
    assert paths[2] == paths[0]


# -- 2. codes of two different lists ---------------------------------------------------------


@pytest.mark.parametrize(
    "test",
    [
        field("main_cause").eq(HouseGrade.A),
        field("main_cause").isin((HouseGrade.A,)),
        coalesce(field("main_cause"), PovertyCause.ILLNESS).ne(HouseGrade.C),
    ],
)
def test_codes_of_two_lists_are_a_load_error(packs: Any, national: pc.Pack, test: Expr) -> None:
    rule = pc.Criterion(
        id="cause_is_grade",
        subject="household",
        title=pc.T("致贫原因为住房等级", "cause is a house grade"),
        citations=pc.cite("zbf-2016-16"),
        test=test,
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition("county_slip", rules=[rule]), national)
    message = str(info.value)
    assert "county_slip" in message  # the pack
    assert "cause_is_grade" in message  # the rule
    assert "main_cause" in message  # one side …
    assert "poverty_cause" in message  # … and both lists
    assert "house_grade" in message
    # bilingual: the Chinese message names the same things
    zh = info.value.text.zh
    for name in ("county_slip", "cause_is_grade", "main_cause", "poverty_cause", "house_grade"):
        assert name in zh


@pytest.mark.parametrize(
    "test",
    [field("main_cause").eq(HouseGrade.A), field("main_cause").isin((HouseGrade.A,))],
)
def test_codes_of_two_lists_never_compare_equal_on_any_path(national: pc.Pack, test: Expr) -> None:
    """Built without the load check, such a rule still gives one answer on every path:
    a cause is never a house grade."""
    households = [*HOUSEHOLDS, _household("cause-a", main_cause="illness", house_grade="A")]
    paths = _three_paths(_with_rule(national, test), households)
    assert [r[1] for r in paths[0]] == [
        pc.Status.UNKNOWN,
        pc.Status.UNKNOWN,
        pc.Status.UNKNOWN,
        pc.Status.FAILED,
        pc.Status.FAILED,
    ]
    assert paths[1] == paths[0]
    assert paths[2] == paths[0]


# -- 3. a where as the condition of a where ----------------------------------------------------


def test_a_nested_where_as_condition_runs_on_every_path(national: pc.Pack) -> None:
    b = field("food_secure")
    test = where(where(b, b, b), b, b)
    households = [*HOUSEHOLDS, _household("food-secure", food_secure=True)]
    paths = _three_paths(_with_rule(national, test), households)
    assert [r[1] for r in paths[0]] == [
        pc.Status.UNKNOWN,
        pc.Status.FAILED,
        pc.Status.PASSED,
        pc.Status.FAILED,
        pc.Status.PASSED,
    ]
    assert paths[1] == paths[0]
    assert paths[2] == paths[0]


def test_a_nested_where_loads(packs: Any, national: pc.Pack) -> None:
    b = field("food_secure")
    rule = pc.Criterion(
        id="nested",
        subject="household",
        title=pc.T("嵌套条件", "nested condition"),
        citations=pc.cite("zbf-2016-16"),
        test=where(where(b, b, b), b, b),
    )
    pack = assemble(packs.definition("nested_ok", rules=[rule]), national)
    assert "nested" in pack.criteria


# -- found by the generated-rule test ----------------------------------------------------------


def test_a_procedure_recorded_without_a_step_reaches_the_arrow_path(national: pc.Pack) -> None:
    """A county whose exit procedure is recorded but has no step done is not eligible on
    one record; a register says so with a ``procedures.county_exit`` column."""
    import pyarrow as pa

    county = pc.County(id="c1", procedures={"county_exit": {}})
    one = national.decide("county_exit_procedure", county, as_of=AS_OF)
    assert one.outcome is pc.Outcome.NOT_ELIGIBLE
    table, _ = pc.tables_from_records([county])
    table = table.append_column("procedures.county_exit", pa.array([True]))
    frame = pc.frame_from_arrow(table, kind=pc.County)
    batch = national.decide_batch("county_exit_procedure", frame, as_of=AS_OF)
    assert batch.result(0) == one


def test_record_fields_inside_a_member_aggregation_agree(national: pc.Pack) -> None:
    """``field`` inside ``any_member`` reads the household, for every member, on every
    path (the batch path used to compare household columns with member columns)."""
    from poverty_core.expressions import any_member, member

    test = any_member((member("age") > 60) & field("food_secure"))
    households = [
        pc.Household.from_dict(
            {"id": f"h{i}", "food_secure": food, "members": [{"id": "a", "age": age}, {"id": "b"}]}
        )
        for i, (food, age) in enumerate([(True, 70), (False, 70), (True, 30), (None, 70)])
    ]
    paths = _three_paths(_with_rule(national, test), households)
    assert [r[1] for r in paths[0]] == [
        pc.Status.PASSED,
        pc.Status.FAILED,
        pc.Status.UNKNOWN,
        pc.Status.UNKNOWN,
    ]
    assert paths[1] == paths[0]
    assert paths[2] == paths[0]


def test_plain_functions_read_list_fields_from_arrow() -> None:
    """A plain-function rule reading a list field runs on the Arrow path too (it used
    to need the records), and blames what it lacks as on one record. (``cadre_visits``
    is a list of dates fujian declares: fujian's records, on each path.)"""
    fujian = pc.load_pack("fujian")
    from poverty_core.expressions import function

    def visits_since(as_of: dt.date, visits: tuple[dt.date, ...] | None) -> bool | None:
        return None if visits is None else any(v.year == as_of.year for v in visits)

    test = function(
        visits_since, fields=["cadre_visits"], description=pc.T("本年走访", "visited this year"),
        as_of=True,
    )  # fmt: skip
    households = [
        fujian.structure({"id": hid, "members": [{"id": "1"}], **fields})
        for hid, fields in (
            ("visited", {"cadre_visits": ["2016-03-01"]}),
            ("not-this-year", {"cadre_visits": ["2015-03-01"]}),
            ("unknown", {}),
        )
    ]
    paths = _three_paths(_with_rule(fujian, test), households)
    assert [r[1] for r in paths[0]] == [pc.Status.PASSED, pc.Status.FAILED, pc.Status.UNKNOWN]
    assert paths[0][2][3] == ("cadre_visits",)
    assert paths[1] == paths[0]
    assert paths[2] == paths[0]
