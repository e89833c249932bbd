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
from poverty_core.plugins import PackRegistry, get_plugin_manager
from poverty_core.rules import in_force_on

# The pack's record classes: the fields it declares (data/fields.toml) are theirs.
_RECORDS = pc.load_pack("fujian").record_types

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def fujian() -> pc.Pack:
    """The installed fujian pack."""
    return pc.load_pack("fujian")


def own(items: dict[str, Any]) -> list[Any]:
    """The items the fujian pack itself defines or overrides."""
    return [i for i in items.values() if i.pack == "fujian"]


def _targets_ids() -> set[str]:
    try:
        from poverty_core_fujian import targets  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return set()
    return {r.id for r in targets.RULES}


def mine(items: dict[str, Any]) -> list[Any]:
    """The fujian items of ``rules.py`` and the data files, without the 2020 targets module
    (``targets.py`` and its ``t_`` data files, tested by their own files)."""
    theirs = _targets_ids()
    return [
        i
        for i in own(items)
        if getattr(i, "id", None) not in theirs
        and not getattr(i, "name", getattr(i, "id", "")).startswith("t_")
    ]


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
    gaps = {p.name for p in mine(fujian.parameters) if not p.values}
    assert gaps == {
        "key_counties_unnamed",
        "provincial_poverty_line",
        "edu_senior_high_fee_waiver",
        "edu_secondary_vocational_fee_waiver",
        "edu_technical_school_tuition_waiver",
        "edu_technical_school_textbook_waiver",
        "edu_technical_school_lodging_waiver",
        "edu_technical_school_sundry_waiver",
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
            # a checklist's or procedure's items are explained by the checklist itself
            parent = fujian.decisions.get(c.id.split(".")[0]) if "." in c.id else None
            explained = c.description if parent is None else parent.description
            assert explained is not None, c.id
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
        _RECORDS["household"].from_dict({"id": f"{prefix}{i}", "members": [{"id": "1"}], **fields})
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
            _RECORDS["village"](
                id=f"v{i}", poor_village=True, elderly_care_facility=i < with_facility
            )
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
        _RECORDS["household"].from_dict(
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
    exited = _RECORDS["household"].from_dict(
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
    villages = [_RECORDS["village"](id=f"t{i}", tourism_key_village=True) for i in range(50)]
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

    record = _RECORDS["household"].from_dict({"id": "h", "members": [{"id": "1"}]})
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

    village = _RECORDS["village"](
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


# -- periods in force (issue 9) -------------------------------------------------------------------

THREE_YEAR = (dt.date(2018, 10, 24), dt.date(2020, 12, 31))


def _dated(fujian: pc.Pack) -> Iterator[Any]:
    for table in (
        fujian.criteria,
        fujian.decisions,
        fujian.classifiers,
        fujian.entitlements,
        fujian.indicators,
    ):
        for item in mine(table):
            yield item
            yield from getattr(item, "lines", ())


def test_every_rule_has_a_period(fujian: pc.Pack) -> None:
    for item in _dated(fujian):
        assert item.in_force is not None, item.id
        assert item.in_force.end is not None, item.id
        assert item.in_force.end <= dt.date(2020, 12, 31), item.id


def test_rules_of_the_2018_opinions_govern_its_three_years(fujian: pc.Pack) -> None:
    for item in _dated(fujian):
        citation = item.citation if hasattr(item, "citation") else item.citations[0]
        if citation.source == "fujian-2018-three-year" and item.in_force.origin.startswith(
            "source:"
        ):
            assert (item.in_force.start, item.in_force.end) == THREE_YEAR, item.id


def test_lianjiang_rules_have_an_explained_period(fujian: pc.Pack) -> None:
    lianjiang = [
        i for i in _dated(fujian) if getattr(i, "citations", (None,))[0] == rules.LIANJIANG
    ]
    assert {i.id for i in lianjiang} == set(rules.VILLAGE_EXIT_CRITERIA[1:])
    for item in lianjiang:
        period = item.in_force
        assert (period.start, period.end) == (dt.date(2017, 10, 23), dt.date(2017, 12, 31))
        assert period.citation is not None
        assert period.citation.source == "lianjiang-2017"
        assert period.note is not None
        assert "2017-10-23" in period.note.zh
        assert item.interpretation


def test_three_year_values_end_in_2020(fujian: pc.Pack) -> None:
    """W-11: no value of the 2018 opinions applies after 2020 (the 2‰ fund: 2018–2020)."""
    for p in mine(fujian.parameters):
        for v in p.values:
            if v.citation.source == "fujian-2018-three-year":
                assert v.end is not None, p.name
                assert v.end <= dt.date(2020, 12, 31), p.name
    fund = fujian.parameters["provincial_fund_share"].values[0]
    assert (fund.start, fund.end) == (dt.date(2018, 1, 1), dt.date(2020, 12, 31))
    assert fujian.parameters["paired_support_funds_min"].value_on(dt.date(2021, 1, 1)) is None


def test_2017_figures_govern_2017(fujian: pc.Pack) -> None:
    for name in ("annual_target_exit_people", "annual_target_relocated_people"):
        (value,) = fujian.parameters[name].values
        assert (value.start, value.end) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))


def test_overrides_fall_back_to_the_national_versions(fujian: pc.Pack) -> None:
    for rid in ("basic_medical", "safe_housing"):
        rule = fujian.criteria[rid]
        assert (rule.in_force.start, rule.in_force.end) == THREE_YEAR
        assert rule.supersedes is not None
        assert rule.supersedes.pack == "national"
        assert rule.supersedes.in_force.start == dt.date(2016, 4, 29)
    on = dt.date(2017, 12, 31)
    assert in_force_on(fujian.criteria["basic_medical"], on).pack == "national"
    assert in_force_on(fujian.criteria["basic_medical"], dt.date(2019, 1, 1)).pack == "fujian"


# -- the fidelity items (fidelity.md) -----------------------------------------------------------


def test_family_doctor_is_not_an_exit_criterion(fujian: pc.Pack) -> None:
    """W-7: 003 一、(三) "既不能降低标准，也不能擅自拔高标准"."""
    assert "family_doctor_contract" not in fujian.decisions["household_exit"].criteria
    assert fujian.decisions["health_guarantee"].criteria == (
        "health_insurance_coverage",
        "family_doctor_contract",
    )
    assert "family_doctor_contract_coverage" in fujian.indicators


def test_supplementary_insurance_in_exit_is_an_open_question(fujian: pc.Pack) -> None:
    """W-8: reading A shipped (false), flagged as an interpretation, both readings named."""
    parameter = fujian.parameters["exit_requires_supplementary_insurance"]
    assert parameter.interpretation
    assert fujian.value("exit_requires_supplementary_insurance", dt.date(2019, 1, 1)) is False
    assert parameter.description is not None
    assert "读法A" in parameter.description.zh
    assert "读法B" in parameter.description.zh
    assert "reading A" in parameter.description.en
    assert "Reading B" in parameter.description.en
    assert fujian.criteria["basic_medical"].interpretation
    assert "supplementary_medical_insurance_required" not in fujian.parameters


def test_key_counties_are_not_judged_by_the_national_standard(fujian: pc.Pack) -> None:
    """W-4: the borrowed national indicators are an interpretation; the standard is a gap."""
    borrowed = fujian.indicators["key_counties_meeting_borrowed_national_standard"]
    assert borrowed.interpretation
    assert "key_counties_meeting_exit_standard" not in fujian.indicators
    gaps = [n for n in fujian.not_encoded if n.citation.source.startswith("fujian-key-county")]
    assert any("阈值" in n.rule.zh for n in gaps)
    assert fujian.sources["fujian-exit-mechanism-opinions"].confidence == "low"


def test_key_county_names_as_the_rule_inventory_gives_them(fujian: pc.Pack) -> None:
    """RULES.md: 12 with the 2019-06-20 announcement (high), 6 reported in 2020 (UNSURE),
    5 unnamed."""
    on = dt.date(2020, 12, 31)
    assert fujian.value("key_counties_exited_2018", on) == (
        "云霄", "诏安", "平和", "清流", "建宁", "顺昌",
        "浦城", "松溪", "武平", "古田", "屏南", "寿宁",
    )  # fmt: skip
    assert fujian.value("key_counties_exited_2020", on) == (
        "明溪", "宁化", "政和", "连城", "周宁", "柘荣",
    )  # fmt: skip
    announcement = fujian.sources["fujian-key-county-exit-2019"]
    assert "关于云霄等12个县退出省级扶贫开发工作重点县的公告" in announcement.title.zh
    assert announcement.confidence == "high"
    assert fujian.sources["fujian-key-county-exit-2020"].confidence == "low"
    assert fujian.parameters["key_counties_unnamed"].values == ()


def test_monthly_duties_are_dated_records() -> None:
    """W-9: the county records carry dates, not monthly averages."""
    fields = set(_RECORDS["county"].field_labels())
    assert {"poverty_meetings", "party_secretary_poverty_days", "county_head_poverty_days"} <= (
        fields
    )
    assert not {"leading_group_meetings_per_month", "leader_working_days_per_month"} & fields


def test_rain_and_dew_grant_is_per_school_year(fujian: pc.Pack) -> None:
    """W-10: "每人每学年"."""
    assert fujian.parameters["edu_rain_dew_grant"].unit == "yuan/person/school_year"


def test_three_housing_priority_names_are_marked_uncited(fujian: pc.Pack) -> None:
    """I-2: 003 names only the first of the 4类重点对象."""
    taxonomy = fujian.taxonomies["housing_priority_groups"]
    labels = {item.code: item.label for item in taxonomy.items}
    assert "未引用" not in labels["registered_poor"].zh
    for code in ("dibao", "scattered_tekun", "poor_disabled"):
        assert "未引用来源" in labels[code].zh
        assert "uncited" in labels[code].en
    for rule in fujian.classifiers["housing_priority_group"].classes:
        assert rule.description is not None
        assert "uncited" in rule.description.en


def test_technical_school_waivers_are_listed_not_added(fujian: pc.Pack) -> None:
    household = _RECORDS["household"].from_dict(
        {
            "id": "t",
            "status": "not_exited",
            "members": [
                {
                    "id": "1",
                    "age": 16,
                    "schooling_status": "in_school",
                    "schooling_stage": "secondary_vocational",
                    "technical_school": True,
                }
            ],
        }
    )
    result = fujian.entitle("education_support", household, as_of=dt.date(2019, 9, 1))
    assert result.total == 5000
    waivers = {a.line_id: a for a in result.awards if a.line_id.startswith("technical_school_")}
    assert set(waivers) == {
        f"technical_school_{w}_waiver" for w in ("tuition", "textbook", "lodging", "sundry")
    }
    assert all(a.kind == "waiver" and a.amount is None for a in waivers.values())
    other = _RECORDS["household"].from_dict(
        {
            "id": "o",
            "status": "not_exited",
            "members": [
                {
                    "id": "1",
                    "age": 16,
                    "schooling_status": "in_school",
                    "schooling_stage": "secondary_vocational",
                    "technical_school": False,
                }
            ],
        }
    )
    result = fujian.entitle("education_support", other, as_of=dt.date(2019, 9, 1))
    assert not [a for a in result.awards if a.line_id.startswith("technical_school_")]


# -- the bundled Lianjiang sample (SYNTHETIC) ------------------------------------------------------


def test_lianjiang_sample_under_fujian_and_national() -> None:
    """The README's figures: 586 / 159 / 0 households, 1865 people (79.3 %), under both
    packs on 2016-12-31, and all 50 villages decided."""
    from poverty_core import indicators
    from poverty_core.io import read_dataset
    from poverty_core.samples import sample_path

    with sample_path() as path:
        data = read_dataset(path, pack=pc.load_pack("fujian"))
    assert data.synthetic
    on = dt.date(2016, 12, 31)
    for name in ("fujian", "national"):
        pack = pc.load_pack(name)
        result = pack.decide_batch("household_exit", data.households, as_of=on)
        assert result.counts() == {"eligible": 586, "not_eligible": 159, "undetermined": 0}
        (row,) = indicators.exit_summary(result, data.households, by="county_id")
        assert (row["eligible_people"], row["not_eligible_people"]) == (1865, 487)
        assert round(1865 / 2352, 3) == 0.793
        poor = indicators.poor_population_by(result, data.households, by="village_id")
        villages = indicators.with_poor_population(data.villages, poor)
        village_result = pack.decide_batch("village_exit", villages, as_of=on)
        assert village_result.counts() == {"eligible": 50, "not_eligible": 0, "undetermined": 0}
