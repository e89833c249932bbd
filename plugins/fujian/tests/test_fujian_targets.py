"""What the case files cannot express about poverty_core_fujian.targets: the periods each
rule governs and where they come from, the dated values and the gaps, the citations that
quote the seeds, what an entitlement with a gap amount lists member by member, and that
none of these rules is a household-exit criterion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from poverty_core_fujian import targets

import poverty_core as pc
from poverty_core.rules import Classifier, Criterion, Decision, Entitlement, Indicator

SEED_003 = (dt.date(2018, 10, 24), dt.date(2020, 12, 31))
OWN_PARAMETERS = {
    "t_collective_economy_pilot_coverage",
    "t_disability_living_subsidy",
    "t_disability_nursing_subsidy",
    "t_ethnic_natural_village_road_min_people",
    "t_fuel_subsidy_amount",
    "t_pension_insurable_age_max",
    "t_pension_insurable_age_min",
    "t_provincial_industry_fund",
    "t_soil_erosion_key_counties",
    "t_whole_village_assistance_coverage",
}
GAPS = {
    "t_disability_living_subsidy",
    "t_disability_nursing_subsidy",
    "t_fuel_subsidy_amount",
    "t_pension_insurable_age_max",
    "t_pension_insurable_age_min",
    "t_soil_erosion_key_counties",
}


# The pack's record classes: the fields it declares (data/fields.toml) are theirs.
_RECORDS = pc.load_pack("fujian").record_types


@pytest.fixture(scope="module")
def fujian() -> pc.Pack:
    """The installed fujian pack."""
    return pc.load_pack("fujian")


def _assembled(fujian: pc.Pack, rule: Any) -> Any:
    tables: dict[type[Any], dict[str, Any]] = {
        Criterion: fujian.criteria,
        Decision: fujian.decisions,
        Classifier: fujian.classifiers,
        Entitlement: fujian.entitlements,
        Indicator: fujian.indicators,
    }
    return tables[type(rule)][rule.id]


# -- periods -----------------------------------------------------------------------------------


def test_seed_003_rules_govern_the_three_year_action(fujian: pc.Pack) -> None:
    pilot_and_2017 = {"collective_economy_pilot_coverage", "whole_village_assistance_coverage"}
    for rule in targets.RULES:
        if rule.id in pilot_and_2017:
            continue
        assembled = _assembled(fujian, rule)
        assert assembled.pack == "fujian", rule.id
        period = assembled.in_force
        assert (period.start, period.end) == SEED_003, rule.id
        assert period.origin == "source:fujian-2018-three-year", rule.id
    rubbish = fujian.checklists["t_rubbish_chain"].in_force
    assert rubbish is not None
    assert (rubbish.start, rubbish.end) == SEED_003


def test_seed_000_targets_are_for_2017_and_the_pilot_for_three_years(fujian: pc.Pack) -> None:
    whole = fujian.indicators["whole_village_assistance_coverage"].in_force
    assert whole is not None
    assert (whole.start, whole.end) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert whole.origin == "source:fujian-meeting-2017"
    pilot = fujian.indicators["collective_economy_pilot_coverage"].in_force
    assert pilot is not None
    assert (pilot.start, pilot.end) == (dt.date(2017, 1, 1), dt.date(2019, 12, 31))
    # a period of its own: cited, and said to be a reading of "用三年时间"
    assert pilot.citation is not None
    assert "用三年时间" in pilot.citation.locator
    assert pilot.note is not None
    assert "解释" in pilot.note.zh
    assert "interpretation" in pilot.note.en


def test_none_of_these_rules_is_a_household_exit_criterion(fujian: pc.Pack) -> None:
    # 003 一、(三): "既不能降低标准，也不能擅自拔高标准"
    exit_criteria = set(fujian.decisions["household_exit"].criteria)
    assert exit_criteria.isdisjoint(c.id for c in targets.CRITERIA)


# -- parameters --------------------------------------------------------------------------------


def test_values_are_dated_and_cited(fujian: pc.Pack) -> None:
    own = {p.name for p in fujian.parameters.values() if p.name.startswith("t_")}
    assert own == OWN_PARAMETERS
    expected = {
        "t_ethnic_natural_village_road_min_people": (200, SEED_003),
        "t_collective_economy_pilot_coverage": (1.0, (dt.date(2019, 1, 1), dt.date(2019, 12, 31))),
        "t_whole_village_assistance_coverage": (1.0, (dt.date(2017, 1, 1), dt.date(2017, 12, 31))),
        "t_provincial_industry_fund": (
            200_000_000,
            (dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
        ),
    }
    for name, (value, (start, end)) in expected.items():
        parameter = fujian.parameters[name]
        (v,) = parameter.values
        assert (v.value, v.start, v.end) == (value, start, end), name
        assert v.citation.source in {"fujian-2018-three-year", "fujian-meeting-2017"}, name
        assert fujian.value(name, start) == value, name
        assert parameter.value_on(start - dt.timedelta(days=1)) is None, name
        assert parameter.value_on(end + dt.timedelta(days=1)) is None, name


def test_gaps_have_no_value_and_say_so(fujian: pc.Pack) -> None:
    for name in GAPS:
        parameter = fujian.parameters[name]
        assert parameter.values == (), name
        assert parameter.description is not None, name
        assert "缺口" in parameter.description.zh, name
        assert "Gap" in parameter.description.en, name


def test_readiness_names_the_pension_age_gaps_before_any_record(fujian: pc.Pack) -> None:
    plan = fujian.readiness("pension_coverage", as_of=dt.date(2019, 12, 31))
    assert {g.parameter.name for g in plan.gaps} == {
        "t_pension_insurable_age_min",
        "t_pension_insurable_age_max",
    }
    # an insured member passes without the ages: the gap does not block every record
    assert not any(g.blocking for g in plan.gaps)


# -- texts and citations ---------------------------------------------------------------------------


def test_every_rule_is_bilingual_cited_and_quotes_its_seed(fujian: pc.Pack) -> None:
    for rule in targets.RULES:
        assembled = _assembled(fujian, rule)
        assert assembled.title.zh, rule.id
        assert assembled.title.en, rule.id
        for citation in assembled.citations:
            assert citation.resolved is not None, rule.id
            # the locator quotes the seed in Chinese, then translates it
            zh, _, en = citation.locator.partition(" / ")
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), rule.id
            assert en, rule.id
        if getattr(rule, "interpretation", False):
            assert rule.description is not None, rule.id
    for entitlement in targets.ENTITLEMENTS:
        for line in fujian.entitlements[entitlement.id].lines:
            assert line.citation.resolved is not None, line.id
    rubbish = fujian.checklists["t_rubbish_chain"]
    assert rubbish.interpretation
    assert rubbish.description is not None
    assert "户分类、村收集、镇转运、县处理" in rubbish.citation.locator


def test_declared_gaps_are_in_not_encoded(fujian: pc.Pack) -> None:
    rules = {n.rule.zh for n in fujian.not_encoded if n.pack == "fujian"}
    for fragment in ("应保尽保", "设区市党委书记遍访", "2亿元", "村级集体经济发展三年行动"):
        assert any(fragment in r for r in rules), fragment


# -- entitlements: what is listed member by member -------------------------------------------------


def _household(**fields: Any) -> pc.Household:
    return _RECORDS["household"].from_dict({"id": "h", "members": [{"id": "1"}], **fields})


def test_a_subsidy_due_with_a_gap_amount_is_listed_without_an_amount(fujian: pc.Pack) -> None:
    household = _household(
        members=[
            {
                "id": "1",
                "disabled": True,
                "disabled_in_difficulty": True,
                "severely_disabled": True,
            },
            {"id": "2", "disabled": False},
        ]
    )
    result = fujian.entitle("disability_subsidies", household, as_of=dt.date(2019, 6, 30))
    awards = {(a.line_id, a.member_id): a for a in result.awards}
    assert set(awards) == {("living_subsidy", "1"), ("nursing_subsidy", "1")}
    assert all(a.status is pc.Status.PASSED and a.amount is None for a in awards.values())
    assert result.total is None
    assert set(result.missing) == {
        "param:t_disability_living_subsidy",
        "param:t_disability_nursing_subsidy",
    }


def test_fuel_subsidy_names_the_county_list_and_amount_it_lacks(fujian: pc.Pack) -> None:
    household = _household(county_id="350122", status="not_exited")
    result = fujian.entitle("fuel_subsidy", household, as_of=dt.date(2019, 6, 30))
    assert result.total is None
    assert set(result.missing) == {
        "param:t_soil_erosion_key_counties",
        "param:t_fuel_subsidy_amount",
    }


def test_treatment_first_is_a_check_not_an_amount(fujian: pc.Pack) -> None:
    # a right with no amount: no entitlement line sums it as money
    assert "treatment_before_payment" not in fujian.entitlements
    decision = fujian.decisions["treatment_before_payment"]
    assert decision.subject == "household"
    description = fujian.criteria["treated_before_payment"].description
    assert description is not None
    assert "先诊疗后付费" in description.zh
