"""Regression cases for the national items of the fidelity review (reviews/fidelity.md,
commit ea439e5): each fails on that commit and passes now, and quotes its source."""

from __future__ import annotations

import datetime as dt

import pytest

import poverty_core as pc


def steps(national: pc.Pack, procedure: str) -> list[str]:
    return [s.label.zh for s in national.procedures[procedure].steps]


def test_w1_village_at_exactly_2_percent_exits(national: pc.Pack) -> None:
    """W-1. 16号: "原则上贫困村贫困发生率降至2%以下（西部地区降至3%以下）" — 以下 includes
    the bound."""
    for region, poor in (("east", 20), ("west", 30)):
        village = pc.Village.from_dict(
            {
                "id": "v",
                "region": region,
                "rural_registered_population": 1000,
                "poor_population": poor,
            }
        )
        result = national.decide("village_exit", village, as_of=dt.date(2016, 12, 31))
        assert result.outcome is pc.Outcome.ELIGIBLE


def test_w2_county_under_16hao_includes_the_bound(national: pc.Pack) -> None:
    """W-2. 16号 "原则上贫困县贫困发生率降至2%以下": ≤ on registered incidence, until 56号."""
    county = pc.County.from_dict(
        {"id": "c", "key_county": True, "region": "east", "rural_registered_population": 1000,
         "poor_population": 20}
    )  # fmt: skip
    result = national.decide("county_exit", county, as_of=dt.date(2017, 9, 29))
    assert result.outcome is pc.Outcome.ELIGIBLE


def test_w3_evaluation_bounds_are_an_open_question(national: pc.Pack) -> None:
    """W-3. 《瞭望》 "群众认可度必须高于90%" (reading A) against "低于90%的，不得退出"
    (reading B): a parameter the caller changes, reading A shipped."""
    parameter = national.parameters["county_evaluation_bounds_inclusive"]
    assert parameter.interpretation
    assert national.value("county_evaluation_bounds_inclusive", dt.date(2018, 1, 1)) is False
    assert "读法B" in parameter.description.zh  # type: ignore[union-attr]


def test_w5_county_procedure_has_16hao_steps_in_order(national: pc.Pack) -> None:
    """W-5. 16号: "…省级扶贫开发领导小组核查，确定退出名单后向社会公示征求意见。公示无异议的，
    由各省…扶贫开发领导小组审定后向国务院扶贫开发领导小组报告。国务院扶贫开发领导小组组织…
    专项评估检查。…由省级政府正式批准退出"."""
    ids = [s.id for s in national.procedures["county_exit"].steps]
    assert ids == [
        "county_proposal",
        "city_review",
        "province_verification",
        "public_notice",
        "province_review_and_report",
        "national_evaluation",
        "province_approval",
    ]
    assert "第三方" not in steps(national, "county_exit")[2]


def test_w6_household_procedure_names_the_two_committees(national: pc.Pack) -> None:
    """W-6. 16号: "由村“两委”组织民主评议后提出，经村“两委”和驻村工作队核实"."""
    labels = steps(national, "household_exit")
    assert labels[0] == "村“两委”组织民主评议后提出"
    assert labels[1] == "村“两委”和驻村工作队核实"


def test_i1_village_procedure_has_only_16hao_steps(national: pc.Pack) -> None:
    """I-1. 16号 for villages: "在乡镇内公示无异议后，公告退出" — nothing else."""
    assert steps(national, "village_exit") == ["在乡镇内公示无异议", "公告退出"]


@pytest.mark.parametrize(
    ("decision", "first_day"),
    [("household_exit", dt.date(2016, 4, 29)), ("village_exit", dt.date(2016, 4, 29))],
)
def test_w13_16hao_governs_from_its_printing(
    national: pc.Pack, decision: str, first_day: dt.date
) -> None:
    """W-13. 16号 was issued in April 2016 (新华社 2016-04-28/29 "近日…印发"), not on
    2016-01-01."""
    assert national.decisions[decision].in_force.start == first_day  # type: ignore[union-attr]
    assert national.sources["zbf-2016-16"].governs.start == first_day  # type: ignore[union-attr]


def test_w13_56hao_from_its_notice_date(national: pc.Pack) -> None:
    """W-13. 国开办发〔2017〕56号: notice dated 2017-09-30; its title is known."""
    source = national.sources["gkbf-2017-56"]
    assert source.governs is not None
    assert source.governs.start == dt.date(2017, 9, 30)
    assert "贫困县退出专项评估检查实施办法" in source.title.zh
    assert national.parameters["county_public_approval_min"].values[0].start == dt.date(2017, 9, 30)


def test_missing_1_water_quality(national: pc.Pack) -> None:
    """(c) 1. T/CHES 18-2018 has four indicators: 水量、水质、用水方便程度、供水保证率."""
    household = pc.Household.from_dict(
        {
            "id": "h",
            "members": [{"id": "1"}],
            "water_litres_per_person_day": 60,
            "water_quality_passed": False,
            "water_trip_minutes": 5,
            "water_days_without": 0,
        }
    )
    result = national.decide("drinking_water", household, as_of=dt.date(2019, 6, 30))
    assert result.outcome is pc.Outcome.NOT_ELIGIBLE
    assert [f.rule.id for f in result.failed] == ["water_quality"]


def test_water_is_not_in_force_before_2019(national: pc.Pack) -> None:
    household = pc.Household.from_dict({"id": "h", "members": [{"id": "1"}]})
    with pytest.raises(pc.NotInForce, match="drinking_water"):
        national.decide("drinking_water", household, as_of=dt.date(2018, 12, 31))
