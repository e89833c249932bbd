"""What the case files cannot express: how the fujian pack is assembled, that every value
is cited, that every rule is exercised by the cases, indicator targets, and a child pack
overriding one fujian threshold."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import poverty_core_fujian
import pytest
from poverty_core_fujian import rules

import poverty_core as pc
from poverty_core.packs import PackRegistry, get_plugin_manager

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def fujian() -> pc.Pack:
    """The installed fujian pack."""
    return pc.load_pack("fujian")


def own(items: dict[str, Any]) -> list[Any]:
    """The items the fujian pack itself defines or overrides."""
    return [i for i in items.values() if i.pack == "fujian"]


def _cases() -> Iterator[dict[str, Any]]:
    for path in sorted(HERE.glob("*.cases.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        yield from data.get("case", [])


# -- assembly ----------------------------------------------------------------------------------


def test_entry_point_names_the_package() -> None:
    eps = {ep.name: ep.value for ep in metadata.entry_points(group="poverty_core")}
    assert eps["fujian"] == "poverty_core_fujian"


def test_chain_and_version(fujian: pc.Pack) -> None:
    assert fujian.chain == ("fujian", "national")
    assert fujian.parent == "national"
    assert fujian.version == poverty_core_fujian.__version__
    assert fujian.title.zh == "福建省"
    assert fujian.title.en == "Fujian province"


def test_registers_by_hand_without_entry_points() -> None:
    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_fujian, name="fujian")
    pack = PackRegistry(pm).load("fujian")
    assert pack.chain == ("fujian", "national")


def test_overrides_are_recorded(fujian: pc.Pack) -> None:
    for rid in ("basic_medical", "safe_housing"):
        assert fujian.criteria[rid].pack == "fujian"
        assert fujian.criteria[rid].overrides == "national"
    for did in ("household_exit", "village_exit"):
        assert fujian.decisions[did].pack == "fujian"
        assert fujian.decisions[did].overrides == "national"
    assert fujian.criteria["income_above_line"].pack == "national"
    assert fujian.criteria["income_above_line"].overrides is None
    assert fujian.parameters["poverty_line"].pack == "national"


def test_household_exit_keeps_the_national_criteria(fujian: pc.Pack) -> None:
    national = pc.load_pack("national")
    assert set(national.decisions["household_exit"].criteria) < set(
        fujian.decisions["household_exit"].criteria
    )
    assert set(national.decisions["village_exit"].criteria) < set(
        fujian.decisions["village_exit"].criteria
    )


def test_describe_is_json(fujian: pc.Pack) -> None:
    described = fujian.describe()
    json.dumps(described, ensure_ascii=False)
    assert described["chain"] == ["fujian", "national"]
    assert any(c["id"] == "cadre_quarterly_visits" for c in described["criteria"])


# -- data: every value cited, titles in both languages -----------------------------------------


def test_every_parameter_value_is_cited(fujian: pc.Pack) -> None:
    for p in own(fujian.parameters):
        assert p.title.zh, p.name
        assert p.title.en, p.name
        for v in p.values:
            assert v.citation.source in fujian.sources, p.name
            assert v.citation.resolved is not None, p.name
            assert v.citation.locator, p.name


def test_gaps_are_parameters_without_values_that_say_so(fujian: pc.Pack) -> None:
    gaps = {p.name for p in own(fujian.parameters) if not p.values}
    assert gaps == {
        "key_counties_unnamed",
        "provincial_poverty_line",
        "edu_senior_high_fee_waiver",
        "edu_secondary_vocational_fee_waiver",
    }
    for name in gaps:
        description = fujian.parameters[name].description
        assert description is not None
        assert "缺口" in description.zh
        assert "Gap" in description.en


def test_interpretations_are_explained(fujian: pc.Pack) -> None:
    for p in own(fujian.parameters):
        if p.interpretation:
            assert p.description is not None, p.name
    for c in own(fujian.criteria):
        assert c.title.zh, c.id
        assert c.title.en, c.id
        assert c.citations, c.id
        if c.interpretation:
            assert c.description is not None, c.id
    for table in (fujian.classifiers, fujian.indicators):
        for item in own(table):
            if item.interpretation:
                assert item.description is not None, item.id


def test_every_rule_is_bilingual_and_cited(fujian: pc.Pack) -> None:
    tables: list[dict[str, Any]] = [
        fujian.decisions,
        fujian.classifiers,
        fujian.entitlements,
        fujian.indicators,
    ]
    for table in tables:
        for item in own(table):
            assert item.title.zh, item.id
            assert item.title.en, item.id
            assert all(c.resolved is not None for c in item.citations), item.id
    for line in fujian.entitlements["education_support"].lines:
        assert line.citation.resolved is not None, line.id


def test_not_encoded_entries_are_cited(fujian: pc.Pack) -> None:
    entries = [n for n in fujian.not_encoded if n.pack == "fujian"]
    assert len(entries) >= 10
    for n in entries:
        assert n.citation.resolved is not None
        assert n.rule.zh
        assert n.rule.en
        assert n.reason.zh
        assert n.reason.en


def test_registry_of_key_counties(fujian: pc.Pack) -> None:
    on = dt.date(2020, 12, 31)
    exited_2018 = fujian.value("key_counties_exited_2018", on)
    exited_2020 = fujian.value("key_counties_exited_2020", on)
    assert len(exited_2018) == 12
    assert len(exited_2020) == 6
    named = set(exited_2018) | set(exited_2020)
    assert len(named) == 18
    assert fujian.value("key_county_count", on) == 23
    assert fujian.value("poor_village_count", on) == 2201
    assert fujian.value("ethnic_minority_poor_village_count", on) == 120
    # the 5 names no source gives: a gap, not a guess
    assert fujian.parameters["key_counties_unnamed"].value_on(on) is None
    assert fujian.value("key_county_count", on) - len(named) == 5


def test_education_amounts_match_the_table(fujian: pc.Pack) -> None:
    on = dt.date(2019, 9, 1)
    table = {
        "edu_preschool_grant": 2000,
        "edu_boarding_meal_subsidy": 1000,
        "edu_primary_living_allowance": 1000,
        "edu_junior_living_allowance": 1250,
        "edu_senior_high_grant": 3000,
        "edu_secondary_vocational_grant": 2000,
        "edu_rain_dew_grant": 3000,
        "edu_higher_grant": 4000,
        "edu_higher_loan": 8000,
        "edu_postgraduate_loan": 12000,
    }
    for name, amount in table.items():
        assert fujian.value(name, on) == amount, name
    kinds = {ln.id: ln.kind for ln in fujian.entitlements["education_support"].lines}
    assert kinds["higher_loan"] == kinds["postgraduate_loan"] == "loan"
    assert kinds["senior_high_fee_waiver"] == "waiver"


# -- the cases exercise every rule ---------------------------------------------------------------


def test_every_fujian_criterion_passes_and_fails_in_some_case(fujian: pc.Pack) -> None:
    passed: set[str] = set()
    failed: set[str] = set()
    for case in _cases():
        passed |= set(case["expect"].get("passed", []))
        failed |= set(case["expect"].get("failed", []))
    ids = {c.id for c in own(fujian.criteria)}
    assert ids - passed == set()
    assert ids - failed == set()


def test_every_fujian_decision_classifier_entitlement_and_indicator_has_cases(
    fujian: pc.Pack,
) -> None:
    targets: dict[str, set[str]] = {
        k: set() for k in ("decision", "classifier", "entitlement", "indicator")
    }
    classes: set[str] = set()
    for case in _cases():
        for kind, seen in targets.items():
            if kind in case:
                seen.add(case[kind])
        if "class" in case["expect"]:
            classes.add(case["expect"]["class"])
    assert {d.id for d in own(fujian.decisions)} <= targets["decision"]
    assert {c.id for c in own(fujian.classifiers)} <= targets["classifier"]
    assert {e.id for e in own(fujian.entitlements)} <= targets["entitlement"]
    assert {i.id for i in own(fujian.indicators)} <= targets["indicator"]
    for c in own(fujian.classifiers):
        assert set(c.codes()) <= classes, c.id


def test_plain_functions_doctests() -> None:
    result = doctest.testmod(rules)
    assert result.failed == 0
    assert result.attempted >= 8


# -- indicator targets (the kit checks values only) ------------------------------------------------


def _households(n: int, **fields: Any) -> list[pc.Household]:
    prefix = fields.pop("prefix", "h")
    return [
        pc.Household.from_dict({"id": f"{prefix}{i}", "members": [{"id": "1"}], **fields})
        for i in range(n)
    ]


def test_exit_share_target_applies_in_2020(fujian: pc.Pack) -> None:
    register = _households(3, status="exited_supported") + _households(
        1, status="not_exited", prefix="p"
    )
    (row,) = fujian.indicator("registered_poor_exited_share", register, as_of=dt.date(2020, 12, 31))
    assert row["value"] == 0.75
    assert row["meets_target"] is False
    (row,) = fujian.indicator(
        "registered_poor_exited_share", register[:3], as_of=dt.date(2020, 12, 31)
    )
    assert row["meets_target"] is True
    (row,) = fujian.indicator("registered_poor_exited_share", register, as_of=dt.date(2019, 6, 1))
    assert row["meets_target"] is None  # no target before 2020


def test_unknown_status_leaves_the_share_unknown(fujian: pc.Pack) -> None:
    register = _households(2, status="exited") + _households(1, prefix="u")
    (row,) = fujian.indicator("registered_poor_exited_share", register, as_of=dt.date(2016, 12, 31))
    assert row["value"] is None
    assert row["unknown"] == 1


def test_elderly_care_coverage_must_exceed_60_percent(fujian: pc.Pack) -> None:
    def villages(with_facility: int, without: int) -> list[pc.Village]:
        return [
            pc.Village(id=f"v{i}", poor_village=True, elderly_care_facility=i < with_facility)
            for i in range(with_facility + without)
        ]

    on = dt.date(2020, 12, 31)
    (row,) = fujian.indicator("elderly_care_coverage", villages(6, 4), as_of=on)
    assert row["value"] == 0.6
    assert row["meets_target"] is False
    (row,) = fujian.indicator("elderly_care_coverage", villages(7, 3), as_of=on)
    assert row["meets_target"] is True


def test_rehabilitation_rate_from_the_two_sums(fujian: pc.Pack) -> None:
    on = dt.date(2020, 12, 31)
    households = [
        pc.Household.from_dict(
            {
                "id": f"d{i}",
                "members": [
                    {"id": "1", "disabled": True, "rehabilitation_service": i < 4},
                    {"id": "2", "disabled": False},
                ],
            }
        )
        for i in range(5)
    ]
    (served,) = fujian.indicator("disabled_rehabilitated", households, as_of=on)
    (disabled,) = fujian.indicator("disabled_people", households, as_of=on)
    rate = served["value"] / disabled["value"]
    assert rate == 0.8
    assert rate >= fujian.value("rehabilitation_rate_target", on)


def test_annual_exit_target_of_2017(fujian: pc.Pack) -> None:
    exited = pc.Household.from_dict(
        {
            "id": "x",
            "members": [{"id": "1"}, {"id": "2"}],
            "history": [{"kind": "exited", "date": "2017-06-01"}],
        }
    )
    (row,) = fujian.indicator("people_exited_in_year", [exited], as_of=dt.date(2017, 12, 31))
    assert row["value"] == 2
    assert row["meets_target"] is False
    assert fujian.value("annual_target_exit_people", dt.date(2017, 12, 31)) == 200000
    assert fujian.parameters["annual_target_exit_people"].value_on(dt.date(2018, 1, 1)) is None


def test_registry_targets_compare_exactly(fujian: pc.Pack) -> None:
    villages = [pc.Village(id=f"t{i}", tourism_key_village=True) for i in range(50)]
    (row,) = fujian.indicator("tourism_key_villages", villages, as_of=dt.date(2019, 1, 1))
    assert row["meets_target"] is True
    (row,) = fujian.indicator("tourism_key_villages", villages[:49], as_of=dt.date(2019, 1, 1))
    assert row["meets_target"] is False


# -- plain functions need the records -----------------------------------------------------------


def test_plain_function_with_the_date_explains_what_it_reads(fujian: pc.Pack) -> None:
    rule = fujian.criteria["cadre_quarterly_visits"]
    refs = {r.label() for r in rule.refs()}
    assert refs >= {
        "cadre_visits",
        "param:cadre_visits_per_quarter_min",
        "param:cadre_visit_quarters",
    }
    assert "季度" in fujian.rule_text(rule, "zh")
    pushed = {r.label() for r in fujian.criteria["job_info_pushed"].refs()}
    assert "members[].job_info_pushes" in pushed


def test_member_function_outside_a_member_aggregation_is_an_error() -> None:
    from poverty_core.expressions import One

    record = pc.Household.from_dict({"id": "h", "members": [{"id": "1"}]})
    with pytest.raises(TypeError, match="member aggregation"):
        rules.pushed_recently.one(One(record, dt.date(2019, 1, 1), {}))  # type: ignore[arg-type]


# -- a child pack overrides one fujian threshold --------------------------------------------------

SOURCES = """\
[child-src]
title = { zh = "测试来源", en = "test source" }
published = "2020"
"""
OVERRIDE = """\
title = { zh = "村集体经济收入下限（测试）", en = "Minimum collective income (test)" }
unit = "yuan/year"
type = "number"
override = true

[[values]]
start = 2017-01-01
value = 150000
source = "child-src"
locator = "§1"
"""


class _Child:
    """A throw-away plugin registering a pack that extends fujian."""

    def __init__(self, data: Path) -> None:
        self.data = data

    @pc.hookimpl
    def poverty_core_register_packs(self, register: Callable[[pc.PackDefinition], None]) -> None:
        register(
            pc.PackDefinition(
                name="child",
                parent="fujian",
                version="0.0",
                title=pc.T("测试县", "test county"),
                data=self.data,
            )
        )


def test_child_pack_overrides_one_threshold(tmp_path: Path) -> None:
    (tmp_path / "parameters").mkdir()
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "parameters" / "village_collective_income_min.toml").write_text(
        OVERRIDE, encoding="utf-8"
    )
    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_fujian, name="fujian")
    pm.register(_Child(tmp_path), name="child")
    registry = PackRegistry(pm)
    child, fujian = registry.load("child"), registry.load("fujian")
    assert child.chain == ("child", "fujian", "national")
    parameter = child.parameters["village_collective_income_min"]
    assert (parameter.pack, parameter.overrides) == ("child", "fujian")

    village = pc.Village(
        id="v",
        region=pc.Region.EAST,
        rural_registered_population=1000,
        poor_population=10,
        hardened_road=True,
        network_access=True,
        electricity_all_natural_villages=True,
        compulsory_dropouts=0,
        collective_income=120000.0,
        leading_industries=("tea",),
    )
    on = dt.date(2017, 12, 31)
    in_fujian = fujian.decide("village_exit", village, as_of=on)
    in_child = child.decide("village_exit", village, as_of=on)
    assert in_fujian.outcome is pc.Outcome.ELIGIBLE
    assert in_child.outcome is pc.Outcome.NOT_ELIGIBLE
    changed = [
        f.rule.id
        for f, g in zip(in_fujian.findings, in_child.findings, strict=True)
        if f.status != g.status
    ]
    assert changed == ["village_collective_income"]
