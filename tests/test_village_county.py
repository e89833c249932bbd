"""Village and county exit under the national pack, at both thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import poverty_core as pc

VILLAGE_DATE = dt.date(2016, 12, 31)
COUNTY_DATE = dt.date(2017, 12, 31)  # the third-party indicators' thresholds start 2017


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
        ("east", 20, "not_eligible"),  # exactly 2%: not below
        ("central", 20, "not_eligible"),
        ("central", 25, "not_eligible"),
        ("east", 25, "not_eligible"),  # 2.5% in the east
        ("west", 25, "eligible"),  # 2.5% in the west: below 3%
        ("west", 29, "eligible"),
        ("west", 30, "not_eligible"),  # exactly 3%
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
    assert finding.comparison == "<"
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
    result = decide_village(national, region=None, poor_population=30)
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


def test_village_incidence_before_2016_is_undetermined(national: pc.Pack) -> None:
    result = national.decide("village_exit", village(poor_population=5), as_of=dt.date(2015, 6, 1))
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert "param:village_incidence_max" in result.missing


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


def decide_county(pack: pc.Pack, **fields: Any) -> pc.DecisionResult:
    data = {**GOOD_COUNTY, **fields}
    record = pc.County.from_dict({k: v for k, v in data.items() if v is not None})
    return pack.decide("county_exit", record, as_of=COUNTY_DATE)


def failed(result: pc.DecisionResult) -> list[str]:
    return [f.rule.id for f in result.failed]


def test_county_all_met_is_eligible(national: pc.Pack) -> None:
    result = decide_county(national)
    assert result.outcome is pc.Outcome.ELIGIBLE
    assert [f.rule.id for f in result.findings] == [
        "county_incidence",
        "county_wrong_exit_rate",
        "county_omission_rate",
        "county_public_approval",
    ]


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"poor_population": 2_000}, "county_incidence"),  # exactly 2%
        ({"poor_population": 2_500}, "county_incidence"),  # 2.5% in the east
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
        ("west", 3_000, "not_eligible"),  # exactly 3%
        ("central", 2_500, "not_eligible"),
        ("east", 1_999, "eligible"),
    ],
)
def test_county_incidence_west_threshold(
    national: pc.Pack, region: str, poor: int, outcome: str
) -> None:
    result = decide_county(national, region=region, poor_population=poor)
    assert result.outcome.value == outcome
    assert result.finding("county_incidence").required == (0.03 if region == "west" else 0.02)


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


def test_county_third_party_thresholds_undefined_in_2016(national: pc.Pack) -> None:
    data = {k: v for k, v in GOOD_COUNTY.items() if v is not None}
    result = national.decide("county_exit", pc.County.from_dict(data), as_of=dt.date(2016, 6, 1))
    assert result.outcome is pc.Outcome.UNDETERMINED
    assert {
        "param:county_wrong_exit_rate_max",
        "param:county_omission_rate_max",
        "param:county_public_approval_min",
    } <= set(result.missing)


def test_county_missing_does_not_name_counts_when_rates_are_given(national: pc.Pack) -> None:
    """The rates are given (so the counts are never read): only the thresholds are missing."""
    data = {k: v for k, v in GOOD_COUNTY.items() if v is not None}
    result = national.decide("county_exit", pc.County.from_dict(data), as_of=dt.date(2016, 6, 1))
    assert set(result.missing) == {
        "param:county_wrong_exit_rate_max",
        "param:county_omission_rate_max",
        "param:county_public_approval_min",
    }


def test_county_decision_on_household_is_input_error(national: pc.Pack) -> None:
    household = pc.Household(id="h", members=[pc.Person(id="p")])
    with pytest.raises(pc.InputError):
        national.decide("county_exit", household, as_of=COUNTY_DATE)
