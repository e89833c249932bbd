"""What the case files cannot express: the pack loads (installed and by hand), its chain
and overrides, the period each rule governs, every decision deciding on the dates it
governs, every value cited, texts in both languages, the classifier's one class per
household, and one-record and batch answers agreeing on random registers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import poverty_core_gansu_tianshui
import pytest

import poverty_core as pc
from poverty_core.parameters import Citation
from poverty_core.plugins import PackRegistry, get_plugin_manager
from poverty_core.rules import in_force_on

# The pack's record classes: the fields it declares (data/fields.toml) are theirs.
_RECORDS = pc.load_pack("gansu_tianshui").record_types


NAME = "gansu_tianshui"
AS_OF = dt.date(2016, 12, 31)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def pack() -> pc.Pack:
    """The installed pack, found through the entry point."""
    return pc.load_pack(NAME)


@pytest.fixture(scope="module")
def national() -> pc.Pack:
    """The parent pack."""
    return pc.load_pack("national")


# -- loading ---------------------------------------------------------------------------


def test_found_through_the_entry_point(pack: pc.Pack) -> None:
    assert pack.chain == (NAME, "national")
    assert pack.parent == "national"
    assert pack.version == poverty_core_gansu_tianshui.__version__ == "0.1.0"
    assert pack.definition.plugin == NAME
    registry = PackRegistry()
    assert NAME in registry.names()
    assert not [p for p in registry.problems if NAME in str(p)]
    assert registry.check_all()[NAME] is None


def test_registers_by_hand_without_entry_points() -> None:
    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_gansu_tianshui, name="by-hand")
    registry = PackRegistry(pm)
    assert registry.names() == ["gansu_tianshui", "national"]
    built = registry.load(NAME)
    assert built.chain == (NAME, "national")
    assert built.definition.plugin == "by-hand"


def test_describe_is_json(pack: pc.Pack) -> None:
    described = json.loads(json.dumps(pack.describe(), ensure_ascii=False))
    assert described["chain"] == [NAME, "national"]
    own = {d["id"] for d in described["decisions"] if d["pack"] == NAME}
    assert {"household_exit", "county_exit", "microcredit_terms", "five_clears"} <= own


# -- overrides ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sources"),
    [
        ("village_incidence_max", ["zbf-2016-16"]),
        ("county_incidence_max", ["zbf-2016-16", "gkbf-2017-56"]),
    ],
)
def test_western_threshold_overrides_the_national_one(
    pack: pc.Pack, national: pc.Pack, name: str, sources: list[str]
) -> None:
    mine, theirs = pack.parameter(name), national.parameter(name)
    assert (mine.pack, mine.overrides) == (NAME, "national")
    for on in (AS_OF, dt.date(2019, 12, 31)):
        assert pack.value(name, on) == 0.03
        assert national.value(name, on) == 0.02  # the parent is untouched
        assert pack.value(f"{name}_west", on) == national.value(f"{name}_west", on) == 0.03
    assert [v.citation.source for v in mine.values] == sources
    assert mine.values[0].start == dt.date(2016, 4, 29)  # 16号, as the national pack
    for value in mine.values:
        assert value.value == 0.03
        assert value.note is not None
        assert "medium confidence" in value.note.en
        assert "中等可信度" in value.note.zh
    assert mine.description is not None
    assert "以下」含本数" in mine.description.zh or "含本数" in mine.description.zh
    assert "exactly 3% passes" in mine.description.en
    assert theirs.overrides is None


@pytest.mark.parametrize(
    ("table", "rule_id"),
    [
        ("decisions", "household_exit"),
        ("decisions", "county_exit"),
        ("criteria", "village_incidence"),
        ("criteria", "county_incidence"),
        ("criteria", "county_assessed_incidence"),
    ],
)
def test_overridden_rules_record_their_origin(pack: pc.Pack, table: str, rule_id: str) -> None:
    rule = getattr(pack, table)[rule_id]
    assert (rule.pack, rule.overrides) == (NAME, "national")


def test_household_exit_is_national_plus_drinking_water(pack: pc.Pack, national: pc.Pack) -> None:
    ours = pack.decision("household_exit").criteria
    water = national.decision("drinking_water").criteria
    assert ours == national.decision("household_exit").criteria + water
    # fidelity (c) 1: T/CHES 18-2018 has four indicators, quality among them
    assert water == ("water_quantity", "water_quality", "water_access", "water_reliability")
    for rule_id in ours:  # the criteria themselves are the national ones, not copies
        assert pack.criteria[rule_id].pack == "national"


def test_county_exit_adds_the_share_of_villages_exited(pack: pc.Pack, national: pc.Pack) -> None:
    ours = pack.decision("county_exit").criteria
    assert ours == (*national.decision("county_exit").criteria, "county_villages_exited")


def test_incidence_criteria_do_not_read_the_region(pack: pc.Pack) -> None:
    for rule_id in ("village_incidence", "county_incidence"):
        rule = pack.criteria[rule_id]
        reads = {ref.label() for ref in rule.refs()}
        assert "region" not in reads
        assert reads == {
            "poor_population",
            "rural_registered_population",
            f"param:{rule_id}_max",
        }
        assert rule.comparison() == "≤"  # W-1 / W-2: 以下 includes the bound
    assessed = pack.criteria["county_assessed_incidence"]
    assert {ref.label() for ref in assessed.refs()} == {
        "composite_poverty_incidence",
        "poor_population",
        "rural_registered_population",
        "param:county_incidence_max",
        "param:county_evaluation_bounds_inclusive",
    }
    assert assessed.comparison() == "<"  # 56号, reading A unless the caller sets B


def test_veto_taxonomy_maps_onto_household_exit(pack: pc.Pack) -> None:
    vetoes = pack.taxonomies["household_exit_veto_indicators"]
    assert len(vetoes.codes()) == 6
    description = vetoes.description
    assert description is not None
    for rule_id in pack.decision("household_exit").criteria:
        assert rule_id in description.en
        assert rule_id in description.zh


# -- periods in force ----------------------------------------------------------------------

MEETING_PERIOD = (dt.date(2015, 6, 16), dt.date(2020, 12, 31))
REVISION_PERIOD = (dt.date(2018, 8, 31), dt.date(2020, 12, 31))


def _span(period: Any) -> tuple[dt.date, dt.date | None]:
    return (period.start, period.end)


def test_sources_state_the_periods_they_govern(pack: pc.Pack) -> None:
    meeting = pack.sources["tianshui-2015-06-meeting"].governs
    revision = pack.sources["gansu-exit-2018-revision"].governs
    assert meeting is not None
    assert _span(meeting) == MEETING_PERIOD
    assert revision is not None
    assert _span(revision) == REVISION_PERIOD
    for period in (meeting, revision):
        assert period.note is not None
        assert CJK.search(period.note.zh)
        assert "reading" in period.note.en
    assert revision.note is not None
    assert "UNSURE" in revision.note.en
    assert "存疑" in revision.note.zh
    # the 2016 measures: no rule rests on them, so they state no period
    assert pack.sources["gansu-exit-2016"].governs is None
    for sid in ("gansu-exit-2016", "gansu-exit-2018-revision"):
        assert pack.sources[sid].confidence == "low"


def _own_rules(pack: pc.Pack) -> Iterator[Any]:
    for table in ("criteria", "decisions", "classifiers", "indicators", "checklists"):
        for rule in getattr(pack, table).values():
            if rule.pack == NAME:
                yield rule


def test_every_own_rule_has_a_period(pack: pc.Pack) -> None:
    seen = 0
    for rule in _own_rules(pack):
        seen += 1
        assert rule.in_force is not None, rule.id
        first = rule.citations[0] if hasattr(rule, "citations") else rule.citation
        if first.source == "tianshui-2015-06-meeting":
            assert _span(rule.in_force) == MEETING_PERIOD, rule.id
        elif first.source == "gansu-exit-2018-revision":
            assert _span(rule.in_force) == REVISION_PERIOD, rule.id
    assert seen > 40


@pytest.mark.parametrize(
    ("rule_id", "span"),
    [
        ("village_incidence", (dt.date(2016, 4, 29), dt.date(2020, 12, 31))),
        ("county_incidence", (dt.date(2016, 4, 29), dt.date(2017, 9, 29))),
        ("county_assessed_incidence", (dt.date(2017, 9, 30), None)),
        ("county_villages_exited", REVISION_PERIOD),
    ],
)
def test_incidence_and_county_periods(
    pack: pc.Pack, national: pc.Pack, rule_id: str, span: tuple[dt.date, dt.date | None]
) -> None:
    rule = pack.criteria[rule_id]
    assert rule.in_force is not None
    assert _span(rule.in_force) == span
    if rule_id in national.criteria:  # the override has the national rule's period
        theirs = national.criteria[rule_id].in_force
        assert theirs is not None
        assert _span(theirs) == span


@pytest.mark.parametrize("decision", ["household_exit", "county_exit"])
def test_national_decision_governs_before_the_revision(pack: pc.Pack, decision: str) -> None:
    """Gansu's overrides govern from 2018-08-31; before that the national decision they
    supersede still does (16号, from 2016-04-29)."""
    ours = pack.decision(decision)
    assert ours.in_force is not None
    assert _span(ours.in_force) == REVISION_PERIOD
    before = in_force_on(ours, dt.date(2018, 8, 30))
    assert before is not None
    assert before.pack == "national"
    assert in_force_on(ours, dt.date(2018, 8, 31)) is ours
    assert in_force_on(ours, dt.date(2021, 1, 1)) is None
    assert in_force_on(ours, dt.date(2016, 4, 28)) is None


def test_water_criteria_keep_their_national_period(pack: pc.Pack) -> None:
    for rule_id in ("water_quantity", "water_quality", "water_access", "water_reliability"):
        rule = pack.criteria[rule_id]
        assert rule.pack == "national"
        assert rule.in_force is not None
        assert _span(rule.in_force) == (dt.date(2019, 1, 1), None)


# -- every decision decides on the dates it governs ------------------------------------------

FULL_HOUSEHOLD: dict[str, Any] = {
    "id": "ts-full",
    "status": "not_exited",
    "attribute": "general",
    "annual_net_income_per_capita": 3500,
    "food_secure": True,
    "clothing_secure": True,
    "house_grade": "B",
    "relocated": False,
    "relocation_keys_received": False,
    "water_litres_per_person_day": 40,
    "water_short_area": False,
    "water_quality_passed": True,
    "water_trip_minutes": 10,
    "water_horizontal_distance": 300,
    "water_vertical_distance": 20,
    "water_days_without": 10,
    "planned_exit_year": 2018,
    "pairing_cadre": "cadre-1",
    "income_projects": ["果品"],
    "microcredit_amount": 30000,
    "microcredit_term_years": 2,
    "microcredit_collateral": False,
    "microcredit_guarantor": False,
    "microcredit_interest_subsidised": True,
    "procedures": {"household_exit": {}},
    "checklists": {
        "five_clears": dict.fromkeys(
            ("baseline_data", "problems", "measures", "responsibility", "tasks"), True
        ),
        "household_plan": {"own_plan": True},
    },
    "members": [
        {
            "id": "1",
            "age": 44,
            "labour_capacity": "ordinary",
            "has_skill": True,
            "schooling_status": "not_of_school_age",
            "basic_medical_insurance": True,
            "serious_illness_insurance": True,
            "medical_assistance": True,
        },
        {
            "id": "2",
            "age": 12,
            "labour_capacity": "none",
            "schooling_status": "in_school",
            "basic_medical_insurance": True,
            "serious_illness_insurance": True,
            "medical_assistance": True,
        },
    ],
}
FULL_VILLAGE: dict[str, Any] = {
    "id": "ts-v-full",
    "poor_village": True,
    "rural_registered_population": 1000,
    "poor_population": 25,
    "resident_work_team": True,
    "responsible_unit": "unit",
    "leading_industries": ["蔬菜"],
    "planned_exit_year": 2018,
    "poor_natural_resources": True,
    "infrastructure_backlog": False,
    "harsh_living_conditions": True,
    "procedures": {"village_exit": {}},
    "checklists": {
        "six_haves": dict.fromkeys(
            (
                "village_profile",
                "problem_ledger",
                "needs_list",
                "village_plan",
                "assisting_unit",
                "exit_deadline",
            ),
            True,
        ),
        "village_plan": {"own_scheme": True},
    },
}
FULL_COUNTY: dict[str, Any] = {
    "id": "ts-c-full",
    "key_county": True,
    "rural_registered_population": 100_000,
    "poor_population": 2_500,
    "composite_poverty_incidence": 0.026,
    "wrong_exit_rate": 0.01,
    "omission_rate": 0.01,
    "public_approval": 0.95,
    "planned_exit_year": 2019,
    "poor_villages": 100,
    "poor_villages_exited": 95,
    "procedures": {"county_exit": {}},
}
RECORDS: dict[str, Any] = {
    "household": _RECORDS["household"].from_dict(FULL_HOUSEHOLD),
    "village": _RECORDS["village"].from_dict(FULL_VILLAGE),
    "county": _RECORDS["county"].from_dict(FULL_COUNTY),
}
# Caller-supplied TEST values for what the pack ships no value for (not policy figures):
# the poverty line after 2016 and Gansu's share of villages exited.
TEST_VALUES = {"poverty_line": 3000, "county_villages_exited_share_min": 0.9}
BEFORE_16 = {
    "household_exit",
    "household_exit_procedure",
    "village_exit",
    "village_exit_procedure",
    "county_exit",
    "county_exit_procedure",
}


def _not_in_force(year: int) -> set[str]:
    """The decisions no rule of which governs on 31 December of ``year``."""
    if year <= 2015:
        return {"drinking_water"} | BEFORE_16
    if year <= 2018:
        return {"drinking_water"}
    if year <= 2020:
        return set()
    return {
        d for d in pc.load_pack(NAME).decisions if d != "drinking_water"
    }  # every one but the open-ended water rule


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018, 2019, 2020, 2021])
def test_every_decision_decides_when_in_force(pack: pc.Pack, year: int) -> None:
    """The issue's property: with every field a decision reads given and every parameter
    valued on the date (the line and the share threshold supplied as test values), no
    household, village or county decision and no classifier is undetermined on a date it
    governs; on a date it does not govern it is an error, never undetermined."""
    on = dt.date(year, 12, 31)
    overrides = {
        name: value
        for name, value in TEST_VALUES.items()
        if name != "poverty_line" or year >= 2017  # the shipped line covers 2016
    }
    expected_off = _not_in_force(year)
    off = set()
    for decision in pack.decisions.values():
        record = RECORDS[decision.subject]
        if in_force_on(decision, on) is None:
            off.add(decision.id)
            with pytest.raises(pc.NotInForce, match=decision.id):
                pack.decide(decision.id, record, as_of=on, overrides=overrides)
            continue
        result = pack.decide(decision.id, record, as_of=on, overrides=overrides)
        assert result.outcome is not pc.Outcome.UNDETERMINED, (decision.id, result.missing)
        batch = pack.decide_batch(decision.id, [record], as_of=on, overrides=overrides)
        assert batch.result(0) == result
    assert off == expected_off
    for classifier in pack.classifiers.values():
        record = RECORDS[classifier.subject]
        if year > 2020:  # seed 001 governs 2015-06-16 – 2020-12-31
            with pytest.raises(pc.NotInForce):
                pack.classify(classifier.id, record, as_of=on, overrides=overrides)
            continue
        assert pack.classify(classifier.id, record, as_of=on, overrides=overrides).code


def test_household_exit_on_the_sample_date_reads_no_water(pack: pc.Pack) -> None:
    """On 2016-12-31 (the issue's date) the water fields play no part: a register
    without them is decided in full."""
    record = {k: v for k, v in FULL_HOUSEHOLD.items() if not k.startswith("water")}
    readiness = pack.readiness("household_exit", as_of=AS_OF)
    assert readiness.ready
    assert not [f for f in readiness.fields if f.startswith("water")]
    result = pack.decide("household_exit", _RECORDS["household"].from_dict(record), as_of=AS_OF)
    assert result.outcome is pc.Outcome.ELIGIBLE
    after = pack.readiness("household_exit", as_of=dt.date(2019, 12, 31))
    assert "water_quality_passed" in after.fields
    assert [g.parameter.name for g in after.blocking] == ["poverty_line"]


# -- gaps and interpretations --------------------------------------------------------------


def test_share_of_villages_exited_has_no_guessed_value(pack: pc.Pack) -> None:
    p = pack.parameter("county_villages_exited_share_min")
    assert p.values == ()
    assert p.description is not None
    assert "no threshold" in p.description.en
    with pytest.raises(pc.ParameterNotDefined):
        pack.value("county_villages_exited_share_min", AS_OF)


def test_interpretations_are_marked(pack: pc.Pack) -> None:
    for name in (
        "safety_net_attributes",
        "no_labour_capacities",
        "relocation_requires_all_conditions",
    ):
        assert pack.parameter(name).interpretation, name
    assert pack.classifiers["household_class"].interpretation
    assert pack.checklists["household_plan"].interpretation
    assert pack.checklists["village_plan"].interpretation
    for rule_id in (
        "household_planned_exit_year",
        "income_channel",
        "working_members_skilled",
        "leading_industry",
        "relocation_conditions",
    ):
        rule = pack.criteria[rule_id]
        assert rule.interpretation, rule_id
        assert rule.description is not None
        assert "interpretation" in rule.description.en or "解释" in rule.description.zh


def test_not_encoded_entries(pack: pc.Pack) -> None:
    mine = [n for n in pack.not_encoded if n.pack == NAME]
    assert len(mine) >= 10
    rules = " ".join(n.rule.en for n in mine)
    for phrase in (
        "11 standards",
        "4 veto indicators of village exit",
        "responsible unit",
        "responsible person",
        "one-vote veto",
    ):
        assert phrase in rules, phrase


# -- citations and languages ---------------------------------------------------------------


def _own_citations(pack: pc.Pack) -> Iterator[tuple[str, Citation]]:
    for p in pack.parameters.values():
        if p.pack == NAME:
            for v in p.values:
                yield f"parameter {p.name}", v.citation
    for table in ("criteria", "decisions", "classifiers", "indicators"):
        for rule in getattr(pack, table).values():
            if rule.pack == NAME:
                for c in rule.citations:
                    yield f"{table} {rule.id}", c
    for t in pack.taxonomies.values():
        if t.pack == NAME:
            yield f"taxonomy {t.id}", t.citation
    for cl in pack.checklists.values():
        if cl.pack == NAME:
            yield f"checklist {cl.id}", cl.citation
    for n in pack.not_encoded:
        if n.pack == NAME:
            yield f"not_encoded {n.rule.en}", n.citation


def test_every_value_and_rule_is_cited(pack: pc.Pack) -> None:
    cited = list(_own_citations(pack))
    assert len(cited) > 50
    for where, citation in cited:
        assert citation.resolved is not None, where
        assert citation.locator.strip(), where
    for p in pack.parameters.values():
        if p.pack == NAME:
            assert p.values or p.description is not None, p.name


def test_every_own_source_is_cited(pack: pc.Pack) -> None:
    own = {sid for sid, s in pack.sources.items() if s.pack == NAME}
    assert own == {
        "tianshui-2015-06-meeting",
        "gansu-exit-2016",
        "gansu-exit-2018-revision",
        "tianshui-divisions",
    }
    used = {c.source for _, c in _own_citations(pack)}
    assert own <= used


def test_seed_source_is_the_original_publication(pack: pc.Pack) -> None:
    source = pack.sources["tianshui-2015-06-meeting"]
    assert source.published == "2015-06-17"
    assert "中国甘肃网" in source.title.zh
    assert "天天天水网" in source.title.zh
    assert source.confidence == "medium"
    for sid, published in (("gansu-exit-2016", "2016"), ("gansu-exit-2018-revision", "2018-08")):
        s = pack.sources[sid]
        assert s.published == published
        assert "甘肃省贫困退出验收办法" in s.title.zh


def _texts(value: Any) -> Iterator[pc.Text]:
    if isinstance(value, pc.Text):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _texts(v)


def test_chinese_and_english_everywhere(pack: pc.Pack) -> None:
    items: list[Any] = [
        *(p for p in pack.parameters.values() if p.pack == NAME),
        *(r for t in ("criteria", "decisions", "classifiers", "indicators")
          for r in getattr(pack, t).values() if r.pack == NAME),
        *(t for t in pack.taxonomies.values() if t.pack == NAME),
        *(c for c in pack.checklists.values() if c.pack == NAME),
        *(s for s in pack.sources.values() if s.pack == NAME),
    ]  # fmt: skip
    assert items
    for item in items:
        texts = [item.title]
        texts += [item.description] if getattr(item, "description", None) else []
        for sub in ("items", "classes"):
            texts += [i.label for i in getattr(item, sub, ())]
        for text in texts:
            assert CJK.search(text.zh), (item, text)
            # English may quote a Chinese term beside its name, but is mostly English.
            assert len(LATIN.findall(text.en)) > 5 * len(CJK.findall(text.en)), (item, text)


def test_rule_texts_render_in_both_languages(pack: pc.Pack) -> None:
    for rule in pack.criteria.values():
        if rule.pack == NAME:
            assert pack.rule_text(rule, "zh")
            assert pack.rule_text(rule, "en")


# -- coded lists ------------------------------------------------------------------------


def test_tianshui_counties(pack: pc.Pack) -> None:
    counties = pack.taxonomies["tianshui_counties"]
    assert [i.label.zh for i in counties.items] == [
        "秦州区",
        "麦积区",
        "清水县",
        "秦安县",
        "甘谷县",
        "武山县",
        "张家川回族自治县",
    ]
    assert len(set(counties.codes())) == 7


def test_gansu_six_precisions_differ_from_the_national_six(pack: pc.Pack) -> None:
    gansu = pack.taxonomies["gansu_six_precisions"]
    national = pack.taxonomies["six_precisions"]
    assert national.pack == "national"
    assert [i.label.zh[:2] for i in gansu.items] == ["对象", "目标", "内容", "方式", "考评", "保障"]
    assert {i.label.zh for i in gansu.items}.isdisjoint({i.label.zh for i in national.items})


def test_plans_and_checklists(pack: pc.Pack) -> None:
    plans = pack.taxonomies["gansu_plans"]
    assert [i.code for i in plans.items] == ["province_1_17", "city_1_18", "city_battle_maps"]
    assert "17" in plans.items[0].label.zh
    assert "8" in plans.items[2].label.zh
    five = pack.checklists["five_clears"]
    assert five.subject == "household"
    assert [i.label.zh[:2] for i in five.items] == ["底数", "问题", "对策", "责任", "任务"]
    six = pack.checklists["six_haves"]
    assert six.subject == "village"
    assert len(six.items) == 6


def test_timetable_parameters(pack: pc.Pack) -> None:
    years = {
        name: pack.value(name, AS_OF)
        for name in (
            "timetable_start_year",
            "intensive_phase_end_year",
            "consolidation_phase_start_year",
            "timetable_end_year",
        )
    }
    assert years == {
        "timetable_start_year": 2015,
        "intensive_phase_end_year": 2017,
        "consolidation_phase_start_year": 2018,
        "timetable_end_year": 2020,
    }
    assert pack.value("extremely_poor_belts", AS_OF) == 26
    assert pack.value("microcredit_amount_max", AS_OF) == 50000
    assert pack.value("microcredit_term_max", AS_OF) == 3


# -- the three household classes --------------------------------------------------------------

LABOUR = ["ordinary", "skilled", "lost", "none", None]
ATTRIBUTES = ["general", "dibao", "tekun"]
INCOMES = [2000, 2952, 2953, 4000]


def _households() -> list[pc.Household]:
    out = []
    combos = itertools.product(ATTRIBUTES, INCOMES, itertools.product(LABOUR, repeat=2))
    for i, (attribute, income, labour) in enumerate(combos):
        members = [
            {"id": str(j), "age": 40} | ({"labour_capacity": lc} if lc else {})
            for j, lc in enumerate(labour)
        ]
        out.append(
            _RECORDS["household"].from_dict(
                {
                    "id": f"h{i}",
                    "attribute": attribute,
                    "annual_net_income_per_capita": income,
                    "members": members,
                }
            )
        )
    return out


def _expected_class(h: pc.Household) -> str | None:
    """The interpretation in RULES.md, written out independently of the rule blocks."""
    labour = [m.labour_capacity for m in h.members]
    able = [None if lc is None else lc not in ("lost", "none") for lc in labour]
    safety_net = h.attribute in ("dibao", "tekun")
    if safety_net and not any(able):
        if None in able:
            return None  # might be policy-safeguard: undetermined
        return "policy_support"
    assert h.annual_net_income_per_capita is not None
    return "consolidation" if h.annual_net_income_per_capita > 2952 else "targeted"


def test_every_household_in_exactly_one_class(pack: pc.Pack) -> None:
    households = _households()
    batch = pack.classify_batch("household_class", households, as_of=AS_OF)
    codes = set(pack.classifiers["household_class"].codes())
    assert codes == {"policy_support", "consolidation", "targeted"}
    seen: set[str] = set()
    for i, h in enumerate(households):
        one = pack.classify("household_class", h, as_of=AS_OF)
        assert one == batch.result(i)
        assert one.code == batch.codes[i] == _expected_class(h), h
        if one.code is None:
            assert one.missing == ("members[].labour_capacity",)
        else:
            assert one.code in codes
            seen.add(one.code)
    assert seen == codes
    counts = batch.counts()
    assert sum(counts.values()) == len(households)


def test_classes_cite_the_seed(pack: pc.Pack) -> None:
    classifier = pack.classifiers["household_class"]
    assert classifier.citation.source == "tianshui-2015-06-meeting"
    assert classifier.otherwise is not None
    assert [c.label.zh for c in classifier.classes] + [classifier.otherwise.label.zh] == [
        "政策保障户",
        "巩固提升户",
        "精准扶贫户",
    ]


# -- privacy and explanations ----------------------------------------------------------------


def test_pairing_finding_does_not_show_the_cadre(pack: pc.Pack) -> None:
    h = _RECORDS["household"].from_dict(
        {"id": "h1", "status": "not_exited", "pairing_cadre": "王某某", "members": [{"id": "1"}]}
    )
    result = pack.decide("household_assistance", h, as_of=AS_OF)
    assert result.outcome is pc.Outcome.ELIGIBLE
    assert "王某某" not in json.dumps(result.to_dict(), ensure_ascii=False)
    assert "王某某" not in result.explain("zh") + result.explain("en")


def test_explanation_names_gansu_threshold_origin(pack: pc.Pack) -> None:
    v = _RECORDS["village"].from_dict(
        {"id": "v1", "rural_registered_population": 1000, "poor_population": 25}
    )
    finding = pack.decide("village_exit", v, as_of=AS_OF).finding("village_incidence")
    (use,) = finding.parameters
    assert (use.name, use.value, use.pack) == ("village_incidence_max", 0.03, NAME)
    assert finding.required == 0.03


# -- one record and batch agree on random registers ----------------------------------------------


def _random_household(rng: random.Random, i: int) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.15 else value

    record: dict[str, Any] = {
        "id": f"r{i}",
        "status": maybe(rng.choice(["not_exited", "exited_supported", "returned", "exited"])),
        "attribute": maybe(rng.choice(ATTRIBUTES)),
        "annual_net_income_per_capita": maybe(rng.choice([2500, 2952, 3200, 4100])),
        "food_secure": maybe(rng.random() < 0.9),
        "clothing_secure": maybe(rng.random() < 0.9),
        "house_grade": maybe(rng.choice("ABCD")),
        "relocated": maybe(rng.random() < 0.2),
        "relocation_keys_received": maybe(rng.random() < 0.5),
        "water_litres_per_person_day": maybe(rng.choice([15, 25, 35, 50])),
        "water_short_area": maybe(rng.random() < 0.3),
        "water_trip_minutes": maybe(rng.choice([5, 20, 40])),
        "water_horizontal_distance": maybe(rng.choice([100, 800, 1500])),
        "water_vertical_distance": maybe(rng.choice([10, 80, 120])),
        "water_days_without": maybe(rng.choice([0, 36, 60])),
        "water_quality_passed": maybe(rng.random() < 0.9),
        "planned_exit_year": maybe(rng.choice([2014, 2016, 2018, 2020, 2021])),
        "pairing_cadre": maybe(rng.choice(["", "cadre"])),
        "income_projects": maybe(rng.choice([[], ["fruit"]])),
        "microcredit_amount": maybe(rng.choice([30000, 50000, 60000])),
        "microcredit_term_years": maybe(rng.choice([1, 3, 5])),
        "microcredit_collateral": maybe(rng.random() < 0.2),
        "microcredit_guarantor": maybe(rng.random() < 0.2),
        "microcredit_interest_subsidised": maybe(rng.random() < 0.8),
        "checklists": {
            "five_clears": {
                item: rng.random() < 0.9
                for item in ("baseline_data", "problems", "measures", "responsibility", "tasks")
                if rng.random() < 0.9
            },
            "household_plan": {"own_plan": rng.random() < 0.8},
        },
        "members": [
            {
                "id": str(j),
                "age": maybe(rng.randint(0, 80)),
                "labour_capacity": maybe(rng.choice(LABOUR[:4])),
                "has_skill": maybe(rng.random() < 0.6),
                "schooling_status": maybe(rng.choice(["in_school", "out_of_school"])),
                "basic_medical_insurance": maybe(rng.random() < 0.9),
                "serious_illness_insurance": maybe(rng.random() < 0.9),
                "medical_assistance": maybe(rng.random() < 0.9),
            }
            for j in range(rng.randint(1, 4))
        ],
    }
    record["members"] = [{k: v for k, v in m.items() if v is not None} for m in record["members"]]
    return {k: v for k, v in record.items() if v is not None}


@pytest.mark.parametrize(
    "as_of", [dt.date(2016, 12, 31), dt.date(2018, 10, 31), dt.date(2019, 12, 31)]
)
def test_one_record_and_batch_agree(pack: pc.Pack, as_of: dt.date) -> None:
    rng = random.Random(20150616)
    households = [_RECORDS["household"].from_dict(_random_household(rng, i)) for i in range(300)]
    overrides = {"poverty_line": 3000} if as_of.year > 2016 else {}
    for decision in (
        d.id for d in pack.decisions_for("household") if in_force_on(d, as_of) is not None
    ):
        batch = pack.decide_batch(decision, households, as_of=as_of, overrides=overrides)
        for i, h in enumerate(households):
            assert pack.decide(decision, h, as_of=as_of, overrides=overrides) == batch.result(i)
    for classifier in ("household_class", "household_exit_phase"):
        cbatch = pack.classify_batch(classifier, households, as_of=as_of, overrides=overrides)
        for i, h in enumerate(households):
            assert pack.classify(classifier, h, as_of=as_of, overrides=overrides) == cbatch.result(
                i
            )
