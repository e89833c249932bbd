"""Village and county exit under the national pack, at both thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import poverty_core as pc

VILLAGE_DATE = dt.date(2016, 12, 31)
COUNTY_DATE = dt.date(2017, 12, 31)  # 国开办发〔2017〕56号 governs from 2017-09-30
BEFORE_56 = dt.date(2017, 6, 30)  # 16号's incidence standard alone


def village(**fields: Any) -> pc.Village:
    data = {"id": "350122-101", "region": "east", "rural_registered_population": 1000}
    data.update(fields)
    return pc.Village.from_dict({k: v for k, v in data.items() if v is not None})


def decide_village(pack: pc.Pack, **fields: Any) -> pc.DecisionResult:
    return pack.decide("village_exit", village(**fields), as_of=VILLAGE_DATE)


# -- village ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "poor", "outcome"),
    [
        ("east", 19, "eligible"),  # 1.9%
        ("east", 20, "eligible"),  # exactly 2%: 16号 "降至2%以下" includes the bound (W-1)
        ("east", 21, "not_eligible"),
        ("central", 20, "eligible"),
        ("central", 25, "not_eligible"),
        ("east", 25, "not_eligible"),  # 2.5% in the east
        ("west", 25, "eligible"),  # 2.5% in the west: below 3%
        ("west", 29, "eligible"),
        ("west", 30, "eligible"),  # exactly 3%: "降至3%以下" includes it
        ("west", 31, "not_eligible"),
        ("east", 0, "eligible"),
    ],
)
def test_village_incidence_thresholds(
    national: pc.Pack, region: str, poor: int, outcome: str
) -> None:
    result = decide_village(national, region=region, poor_population=poor)
    assert result.outcome.value == outcome
    (finding,) = result.findings
    assert finding.rule.id == "village_incidence"
    assert finding.observed == pytest.approx(poor / 1000)
    assert finding.required == (0.03 if region == "west" else 0.02)
    assert finding.comparison == "≤"
    assert result.missing == ()


def test_village_region_unknown_between_thresholds_is_undetermined(national: pc.Pack) -> None:
    result = decide_village(national, region=None, poor_population=25)
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert result.missing == ("region",)
    assert result.findings[0].observed == pytest.approx(0.025)
    assert result.findings[0].required is None


def test_village_region_unknown_below_both_thresholds_is_eligible(national: pc.Pack) -> None:
    assert decide_village(national, region=None, poor_population=19).outcome is pc.Outcome.ELIGIBLE


def test_village_region_unknown_above_both_thresholds_is_not_eligible(national: pc.Pack) -> None:
    result = decide_village(national, region=None, poor_population=31)
    assert result.outcome is pc.Outcome.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("poor_population", "poor_population"),
        ("rural_registered_population", "rural_registered_population"),
    ],
)
def test_village_missing_count_is_undetermined(national: pc.Pack, drop: str, named: str) -> None:
    fields: dict[str, Any] = {"poor_population": 10, drop: None}
    result = decide_village(national, **fields)
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert result.missing == (named,)


def test_village_population_zero_is_undetermined(national: pc.Pack) -> None:
    result = decide_village(national, rural_registered_population=0, poor_population=0)
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert result.findings[0].status is pc.Status.UNKNOWN
    assert result.findings[0].observed is None


def test_village_population_zero_names_the_population(national: pc.Pack) -> None:
    """An undetermined outcome always says what is missing: here a usable population."""
    result = decide_village(national, rural_registered_population=0, poor_population=0)
    assert "rural_registered_population" in result.missing


def test_village_exit_not_in_force_before_16hao(national: pc.Pack) -> None:
    with pytest.raises(pc.NotInForce, match="village_exit"):
        national.decide("village_exit", village(poor_population=5), as_of=dt.date(2015, 6, 1))


# -- county -------------------------------------------------------------------------------

APPROVAL, WRONG_EXIT, OMISSION = (
    "county_public_approval",
    "county_wrong_exit_rate",
    "county_omission_rate",
)


GOOD_COUNTY: dict[str, Any] = {
    "id": "350122",
    "region": "east",
    "key_county": True,
    "rural_registered_population": 100_000,
    "poor_population": 1_500,
    "wrong_exit_rate": 0.01,
    "omission_rate": 0.01,
    "public_approval": 0.95,
}


def decide_county(
    pack: pc.Pack, *, on: dt.date = COUNTY_DATE, overrides: Any = None, **fields: Any
) -> pc.DecisionResult:
    data = {**GOOD_COUNTY, **fields}
    record = pc.County.from_dict({k: v for k, v in data.items() if v is not None})
    return pack.decide("county_exit", record, as_of=on, overrides=overrides)


def failed(result: pc.DecisionResult) -> list[str]:
    return [f.rule.id for f in result.failed]


def test_county_all_met_is_eligible(national: pc.Pack) -> None:
    result = decide_county(national)
    assert result.outcome is pc.Outcome.ELIGIBLE
    assert {f.rule.id: f.status.value for f in result.findings} == {
        "county_in_scope": "passed",
        "county_incidence": "not_in_force",  # 16号's standard ended 2017-09-29
        "county_assessed_incidence": "passed",
        "county_wrong_exit_rate": "passed",
        "county_omission_rate": "passed",
        "county_public_approval": "passed",
    }


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"poor_population": 2_000}, "county_assessed_incidence"),  # 2%: reading A, strict
        ({"poor_population": 2_500}, "county_assessed_incidence"),  # 2.5% in the east
        ({"key_county": False}, "county_in_scope"),  # not a poverty county under 16号
        ({"wrong_exit_rate": 0.02}, "county_wrong_exit_rate"),
        ({"omission_rate": 0.02}, "county_omission_rate"),
        ({"public_approval": 0.9}, "county_public_approval"),  # exactly 90%
        ({"public_approval": 0.5}, "county_public_approval"),
    ],
)
def test_each_county_indicator_is_a_veto(
    national: pc.Pack, change: dict[str, Any], criterion: str
) -> None:
    result = decide_county(national, **change)
    assert result.outcome is pc.Outcome.NOT_ELIGIBLE
    assert failed(result) == [criterion]


def test_all_four_county_indicators_fail_together(national: pc.Pack) -> None:
    result = decide_county(
        national, poor_population=5_000, wrong_exit_rate=0.1, omission_rate=0.1, public_approval=0.1
    )
    assert len(failed(result)) == 4


def test_county_approval_just_above_90_percent_passes(national: pc.Pack) -> None:
    result = decide_county(national, public_approval=0.9001)
    assert result.outcome is pc.Outcome.ELIGIBLE
    approval = result.finding("county_public_approval")
    assert approval.observed == pytest.approx(0.9001)
    assert approval.required == pytest.approx(0.9)
    assert approval.comparison == ">"


@pytest.mark.parametrize(
    ("counts", "criterion", "outcome"),
    [
        ({"approving_households": 900, "surveyed_households": 1000}, APPROVAL, "failed"),
        ({"approving_households": 901, "surveyed_households": 1000}, APPROVAL, "passed"),
        ({"sampled_wrongly_exited": 2, "sampled_exited": 100}, WRONG_EXIT, "failed"),
        ({"sampled_wrongly_exited": 1, "sampled_exited": 100}, WRONG_EXIT, "passed"),
        ({"verified_omitted": 20, "sampled_non_registered_population": 1000}, OMISSION, "failed"),
        ({"verified_omitted": 19, "sampled_non_registered_population": 1000}, OMISSION, "passed"),
    ],
)
def test_county_rates_computed_from_counts(
    national: pc.Pack, counts: dict[str, int], criterion: str, outcome: str
) -> None:
    rate_field = {
        "county_public_approval": "public_approval",
        "county_wrong_exit_rate": "wrong_exit_rate",
        "county_omission_rate": "omission_rate",
    }[criterion]
    result = decide_county(national, **{rate_field: None}, **counts)
    finding = result.finding(criterion)
    assert finding.status.value == outcome
    numerator, denominator = counts.values()
    assert finding.observed == pytest.approx(numerator / denominator)


def test_county_given_rate_wins_over_counts(national: pc.Pack) -> None:
    result = decide_county(
        national, public_approval=0.95, approving_households=10, surveyed_households=1000
    )
    assert result.finding("county_public_approval").status is pc.Status.PASSED
    assert result.finding("county_public_approval").observed == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("region", "poor", "outcome"),
    [
        ("west", 2_500, "eligible"),
        ("west", 2_999, "eligible"),
        ("west", 3_000, "not_eligible"),  # exactly 3%: reading A of 56号, strict
        ("central", 2_500, "not_eligible"),
        ("east", 1_999, "eligible"),
    ],
)
def test_county_incidence_west_threshold(
    national: pc.Pack, region: str, poor: int, outcome: str
) -> None:
    result = decide_county(national, region=region, poor_population=poor)
    assert result.outcome.value == outcome
    finding = result.finding("county_assessed_incidence")
    assert finding.required == (0.03 if region == "west" else 0.02)


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"poor_population": 2_000}, "county_assessed_incidence"),
        ({"wrong_exit_rate": 0.02}, "county_wrong_exit_rate"),
        ({"omission_rate": 0.02}, "county_omission_rate"),
        ({"public_approval": 0.9}, "county_public_approval"),
    ],
)
def test_reading_b_includes_the_bounds(
    national: pc.Pack, change: dict[str, Any], criterion: str
) -> None:
    """The open question of 56号's bounds is a parameter: reading A (shipped) fails a value
    exactly at the bound, reading B (county_evaluation_bounds_inclusive = true) passes it."""
    assert decide_county(national, **change).finding(criterion).status is pc.Status.FAILED
    reading_b = {"county_evaluation_bounds_inclusive": True}
    result = decide_county(national, overrides=reading_b, **change)
    assert result.outcome is pc.Outcome.ELIGIBLE
    assert result.provenance.overrides == reading_b


def test_composite_incidence_used_when_given(national: pc.Pack) -> None:
    """56号 evaluates the composite incidence; when the record gives it, it is used
    instead of the registered one."""
    result = decide_county(national, poor_population=100, composite_poverty_incidence=0.025)
    finding = result.finding("county_assessed_incidence")
    assert finding.status is pc.Status.FAILED
    assert finding.observed == pytest.approx(0.025)


@pytest.mark.parametrize(("poor", "outcome"), [(2_000, "eligible"), (2_001, "not_eligible")])
def test_county_under_16hao_alone(national: pc.Pack, poor: int, outcome: str) -> None:
    """Before 56号 (2017-09-30) only 16号's standard applies: incidence ≤ 2% (exactly 2%
    passes), and the evaluation indicators are not in force — not unknown."""
    result = decide_county(
        national, on=BEFORE_56, poor_population=poor, wrong_exit_rate=None, omission_rate=None
    )
    assert result.outcome.value == outcome
    assert result.finding("county_incidence").comparison == "≤"
    for rule in ("county_wrong_exit_rate", "county_omission_rate", "county_public_approval"):
        assert result.finding(rule).status is pc.Status.NOT_IN_FORCE
    assert result.missing == ()


def test_county_region_unknown_between_thresholds_is_undetermined(national: pc.Pack) -> None:
    result = decide_county(national, region=None, poor_population=2_500)
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert result.missing == ("region",)


def test_county_missing_rate_and_counts_is_undetermined(national: pc.Pack) -> None:
    result = decide_county(national, omission_rate=None)
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert set(result.missing) == {
        "omission_rate",
        "verified_omitted",
        "sampled_non_registered_population",
    }


def test_county_veto_with_missing_indicator_is_not_eligible(national: pc.Pack) -> None:
    result = decide_county(national, omission_rate=None, public_approval=0.8)
    assert result.outcome is pc.Outcome.NOT_ELIGIBLE
    assert failed(result) == ["county_public_approval"]
    assert result.finding("county_omission_rate").status is pc.Status.UNKNOWN


def test_county_decision_on_household_is_input_error(national: pc.Pack) -> None:
    household = pc.Household(id="h", members=[pc.Person(id="p")])
    with pytest.raises(pc.InputError):
        national.decide("county_exit", household, as_of=COUNTY_DATE)
