"""Explanations in Chinese and English, and results as JSON."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

import poverty_core as pc

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture
def failing(records: SimpleNamespace, national: pc.Pack) -> pc.DecisionResult:
    """Housing fails (grade D), everything else passes."""
    h = pc.Household.from_dict(records.household(house_grade="D"))
    return national.decide("household_exit", h, as_of=AS_OF)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_explain_names_every_criterion_and_the_failure(
    failing: pc.DecisionResult, language: pc.Language
) -> None:
    text = failing.explain(language)
    lines = text.splitlines()
    assert lines[0].startswith("350122-0001: ")
    assert failing.decision.title[language] in lines[0]
    assert lines[0].endswith(pc.Outcome.NOT_ELIGIBLE.label[language])
    for f in failing.findings:
        assert f.rule.title[language] in text
        assert f.rule.citation.format(language) in text
    (housing,) = [
        line for line in lines if failing.finding("safe_housing").rule.title[language] in line
    ]
    assert housing.strip().startswith(f"[{pc.Status.FAILED.label[language]}]")
    assert pc.HouseGrade.D.label[language] in housing
    passed = [
        line for line in lines if line.strip().startswith(f"[{pc.Status.PASSED.label[language]}]")
    ]
    assert len(passed) == 5


def test_explain_languages_differ(failing: pc.DecisionResult) -> None:
    zh, en = failing.explain("zh"), failing.explain("en")
    assert zh != en
    assert "住房安全有保障" in zh
    assert "Safe housing guaranteed" in en
    assert "不符合" in zh
    assert "not eligible" in en


def test_explain_shows_observed_and_required(failing: pc.DecisionResult) -> None:
    en = failing.explain("en")
    assert "3100 (required > 2952)" in en
    assert "3100（要求 > 2952）" in failing.explain("zh")


def test_explain_names_missing_fields(records: SimpleNamespace, national: pc.Pack) -> None:
    h = pc.Household.from_dict(records.household(annual_net_income_per_capita=None))
    result = national.decide("household_exit", h, as_of=AS_OF)
    en, zh = result.explain("en"), result.explain("zh")
    assert "undetermined" in en
    assert "missing: annual_net_income_per_capita" in en
    assert "missing data: annual_net_income_per_capita" in en
    assert "无法判定" in zh
    assert "annual_net_income_per_capita" in zh


def test_explain_undefined_parameter(records: SimpleNamespace, national: pc.Pack) -> None:
    h = pc.Household.from_dict(records.household())
    result = national.decide("household_exit", h, as_of=dt.date(2018, 6, 30))
    assert "param:poverty_line" in result.explain("en")


def test_explain_village_ratio_as_percent(national: pc.Pack) -> None:
    v = pc.Village(
        id="v1", region=pc.Region.WEST, rural_registered_population=1000, poor_population=25
    )
    result = national.decide("village_exit", v, as_of=AS_OF)
    en = result.explain("en")
    assert "Poverty incidence at or below 2% (3% in the west)" in en
    assert "2.5% (required ≤ 3%)" in en


def test_explain_unknown_language(failing: pc.DecisionResult) -> None:
    with pytest.raises(KeyError):
        failing.explain("fr")  # type: ignore[arg-type]


def test_to_dict_is_json_serialisable(failing: pc.DecisionResult) -> None:
    data = failing.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    back = json.loads(text)
    assert back == data
    assert back["outcome"] == "not_eligible"
    assert back["id"] == "350122-0001"
    housing = next(f for f in back["findings"] if f["rule"] == "safe_housing")
    assert housing["status"] == "failed"
    assert housing["observed"] == "D"
    assert housing["title"] == {
        "zh": failing.finding("safe_housing").rule.title.zh,
        "en": failing.finding("safe_housing").rule.title.en,
    }
    assert housing["citation"][0]["source"] == "zbf-2016-16"
    assert housing["citation"][0]["title"]["zh"]  # resolved to the source's title
    income = next(f for f in back["findings"] if f["rule"] == "income_above_line")
    assert income["parameters"][0]["name"] == "poverty_line"
    assert income["parameters"][0]["start"] == "2016-01-01"
    assert back["provenance"] == {
        "pack": "national",
        "chain": ["national"],
        "versions": {"national": pc.__version__},
        "as_of": "2016-12-31",
        "overrides": {},
        "periods": {},
        "references": {},
    }


@pytest.mark.parametrize(
    ("decision", "record"),
    [
        ("village_exit", pc.Village(id="v", region=pc.Region.EAST, poor_population=3)),
        ("county_exit", pc.County(id="c", region=pc.Region.WEST, public_approval=0.95)),
        (
            "household_exit_procedure",
            pc.Household(
                id="h",
                members=[pc.Person(id="p")],
                procedures={"household_exit": {"democratic_appraisal": dt.date(2016, 5, 1)}},
            ),
        ),
    ],
)
def test_every_kind_of_result_is_json(national: pc.Pack, decision: str, record: object) -> None:
    result = national.decide(decision, record, as_of=dt.date(2017, 6, 30))
    json.dumps(result.to_dict(), ensure_ascii=False)
    assert result.explain("zh")
    assert result.explain("en")


def test_batch_row_explains_like_single(records: SimpleNamespace, national: pc.Pack) -> None:
    households = [
        pc.Household.from_dict(records.household(id="a")),
        pc.Household.from_dict(records.household(id="b", house_grade="D")),
    ]
    batch = national.decide_batch("household_exit", households, as_of=AS_OF)
    assert batch.counts() == {"not_eligible": 1, "eligible": 1, "undetermined": 0}
    row = batch.result(batch.row_of("b"))
    single = national.decide("household_exit", households[1], as_of=AS_OF)
    assert row.explain("zh") == single.explain("zh")
    assert row.explain("en") == single.explain("en")
    assert row.to_dict() == single.to_dict()
