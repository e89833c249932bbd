#!/usr/bin/env python3
"""Generate the SYNTHETIC sample register ``poverty_core/samples/tianshui_synthetic.json``.

Run from the repository root (the ``gansu_tianshui`` pack must be installed)::

    python tools/make_sample_tianshui.py

SYNTHETIC: an invented register for the ``gansu_tianshui`` pack (``--sample tianshui``),
as of 2016-12-31. Seed 001 (中国甘肃网 据天天天水网, meeting of 2015-06-16) gives no
register totals — no numbers of poor households, people or villages — so every count,
share and value here is INVENTED, except these, taken from the sources:

* the seven districts and counties of Tianshui (秦州区, 麦积区, 清水县, 秦安县, 甘谷县, 武山县,
  张家川回族自治县; RULES.md after the national administrative division), written with the
  pack's own codes (taxonomy ``tianshui_counties``) because the division codes are not in
  the project's sources;
* the names of the pillar industries the seed lists (果品、蔬菜、畜牧、劳务), used as the
  (invented) households' income projects and villages' leading industries;
* the microcredit limits of the seed (5万元以下、3年以内), which the invented loans respect
  except two edge cases built to fail them.

Invented shares (stated again in the README section and in the file's description):
300 households in 21 poor villages (3 per county); 162 (54 %) eligible for household exit
on 2016-12-31 and 138 not, the latter failing on income about 60 %, housing 20 %, medical
cover 12 %, schooling 8 % (a second failure for about 10 %); 14 villages at or below the
3 % incidence after the exits (one exactly at 3 %) and 7 above; about 35 % of households
with a microcredit loan; about 15 % failing one drinking-water indicator (read from 2019
only); every county marked a national key county (``key_county``: invented — the sources
do not say which Tianshui counties are national key or contiguous-area counties).

Records are built as ``poverty_core`` model objects and written with ``.to_dict()``. The
script then re-reads the file with :func:`poverty_core.io.read_dataset` and checks its
figures with the ``gansu_tianshui`` pack (batch and one record at a time): on 2016-12-31
household exit has no undetermined row and gives the planned 162 / 138; every other
household, village and county decision and every classifier is decided for every record
(``microcredit_terms`` only for the households with a loan); village and county exit
follow the planned incidences. The file replaces the previous one only if every check
holds; otherwise the script exits with status 1 and says which check failed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sample_kit import expect, weighted, write_checked

import poverty_core as pc
from poverty_core import indicators
from poverty_core.codes import (
    HealthStatus,
    HouseGrade,
    HouseholdAttribute,
    HouseholdStatus,
    LabourCapacity,
    Pathway,
    PovertyCause,
    Region,
    Relation,
    SchoolingStage,
    SchoolingStatus,
    StatusEventKind,
)
from poverty_core.io import read_dataset
from poverty_core.model import StatusEvent

# The pack's record classes: the fields gansu_tianshui declares (data/fields.toml) are theirs.
_RECORDS = pc.load_pack("gansu_tianshui").record_types
Household = _RECORDS["household"]
Person = _RECORDS["person"]
Village = _RECORDS["village"]
County = _RECORDS["county"]

SEED = 2015_0616
AS_OF = dt.date(2016, 12, 31)
PACK = "gansu_tianshui"
OUT = Path(__file__).resolve().parent.parent / "src/poverty_core/samples/tianshui_synthetic.json"
MAX_BYTES = 1_000_000

# Invented targets (the seed gives no register totals).
HOUSEHOLDS = 300
ELIGIBLE = 162
NOT_ELIGIBLE = HOUSEHOLDS - ELIGIBLE
VILLAGES_PER_COUNTY = 3
STAYING = 2  # index of the village of each county that stays above 3 % after 2016
POOR_COUNTIES = (4, 6)  # counties (by position) whose sampled villages stay above 3 % overall
INCIDENCE_MAX = 0.03  # the pack's western threshold (16号 "降至3%以下", ≤)
POVERTY_LINE_2016 = 2952.0  # the national pack's 2016 line; the test is income > line

EXIT_STEPS = (
    "democratic_appraisal",
    "verification",
    "household_consent",
    "village_notice",
    "announcement",
    "deregistration",
)
FIVE_CLEARS = ("baseline_data", "problems", "measures", "responsibility", "tasks")
SIX_HAVES = (
    "village_profile",
    "problem_ledger",
    "needs_list",
    "village_plan",
    "assisting_unit",
    "exit_deadline",
)
# Seed 001: "果品、蔬菜、畜牧、劳务特色支柱产业"; marked synthetic where used.
PILLARS = ("果品", "蔬菜", "畜牧", "劳务")

SIZE_WEIGHTS = {1: 0.07, 2: 0.15, 3: 0.2, 4: 0.28, 5: 0.2, 6: 0.1}
CAUSE_WEIGHTS = {
    PovertyCause.ILLNESS: 0.26,
    PovertyCause.LACK_OF_FUNDS: 0.16,
    PovertyCause.LACK_OF_SKILLS: 0.14,
    PovertyCause.DISABILITY: 0.1,
    PovertyCause.LACK_OF_WATER: 0.08,
    PovertyCause.LACK_OF_LABOUR: 0.08,
    PovertyCause.SCHOOLING: 0.07,
    PovertyCause.POOR_TRANSPORT: 0.05,
    PovertyCause.DISASTER: 0.03,
    PovertyCause.LACK_OF_LAND: 0.02,
    PovertyCause.LACK_OF_MOTIVATION: 0.01,
}
FAILURE_WEIGHTS = {"income": 0.6, "housing": 0.2, "medical": 0.12, "education": 0.08}
SECOND_FAILURE_P = 0.1
FAILURE_CRITERION = {
    "income": "income_above_line",
    "housing": "safe_housing",
    "medical": "basic_medical",
    "education": "compulsory_education",
}
LOAN_P = 0.35
WATER_FAILURE_P = 0.15

DESCRIPTION = {
    "zh": (
        "合成数据（SYNTHETIC），非真实登记册，供 gansu_tianshui 策略包使用（截至2016-12-31）。"
        "天水市7个区县（秦州区、麦积区、清水县、秦安县、甘谷县、武山县、张家川回族自治县）为真实"
        "行政区划，县编号用本包的代码；种子文件001（2015年6月16日会议报道）未给出建档立卡户数、"
        "人数或贫困村数，故户数（300户）、人数、21个贫困村、脱贫比例（2016年162户，54%）、"
        "收入、住房、饮水、贷款、村名、人口及“国家重点县”标记等均为虚构。"
        "增收项目与主导产业取种子所列支柱产业名称（果品、蔬菜、畜牧、劳务）。不含姓名和身份证号。"
    ),
    "en": (
        "SYNTHETIC data, not a real register, for the gansu_tianshui pack (as of "
        "2016-12-31). Tianshui's 7 districts and counties are real divisions, given the "
        "pack's codes; seed 001 (the report of the 2015-06-16 meeting) gives no numbers of "
        "registered households, people or poor villages, so the 300 households, their "
        "people, the 21 poor villages, the share exiting in 2016 (162 households, 54 %), "
        "incomes, houses, water, loans, village names and populations, and the 'national "
        "key county' flags are all INVENTED. Income projects and leading industries use the "
        "seed's pillar industries (fruit, vegetables, livestock, labour). No names or ID "
        "numbers."
    ),
}


# -- helpers -------------------------------------------------------------------------------


def birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date giving exactly ``age`` on AS_OF (2016-12-31)."""
    start = dt.date(AS_OF.year - age, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, 364))


def spread(rng: random.Random, n: int, total: int, low: int, high: int) -> list[int]:
    """``n`` integers in ``low..high`` summing to ``total``."""
    values = [rng.randint(low, high) for _ in range(n)]
    while sum(values) != total:
        i = rng.randrange(n)
        if sum(values) > total and values[i] > low:
            values[i] -= 1
        elif sum(values) < total and values[i] < high:
            values[i] += 1
    return values


def family(rng: random.Random, size: int, school_child: bool) -> list[tuple[Relation, int]]:
    """Relations and ages (head first); with ``school_child`` one child is 7–15."""
    if size == 1:
        return [(Relation.HEAD, rng.randint(58, 88))]
    if size == 2 and not school_child:
        head = rng.randint(55, 82)
        return [(Relation.HEAD, head), (Relation.SPOUSE, max(45, head + rng.randint(-5, 3)))]
    head = rng.randint(32, 50)
    members = [(Relation.HEAD, head)]
    if size >= 3 or not school_child:
        members.append((Relation.SPOUSE, max(24, head + rng.randint(-5, 3))))
    if size >= 5:
        members.append((Relation.PARENT, min(92, head + rng.randint(22, 32))))
    age = min(head - 20, rng.randint(8, 20))
    while len(members) < size:
        members.append((Relation.CHILD, max(0, age)))
        age -= rng.randint(1, 5)
    if school_child and not any(7 <= a <= 15 for r, a in members if r is Relation.CHILD):
        i = next(i for i, (r, _) in enumerate(members) if r is Relation.CHILD)
        members[i] = (Relation.CHILD, rng.randint(7, min(15, head - 20)))
    return members


def schooling(age: int) -> tuple[SchoolingStage | None, SchoolingStatus]:
    """In school from 6 to 15 (primary to 11, junior secondary from 12)."""
    if age < 6:
        return None, SchoolingStatus.NOT_OF_SCHOOL_AGE
    if age <= 11:
        return SchoolingStage.PRIMARY, SchoolingStatus.IN_SCHOOL
    if age <= 15:
        return SchoolingStage.JUNIOR_SECONDARY, SchoolingStatus.IN_SCHOOL
    if age <= 18:
        return SchoolingStage.SENIOR_HIGH, SchoolingStatus.IN_SCHOOL
    return None, SchoolingStatus.NOT_OF_SCHOOL_AGE


# -- planning ------------------------------------------------------------------------------


class Plan:
    """What a household is to be before its record is built."""

    def __init__(self, eligible: bool, village: int) -> None:
        self.eligible = eligible
        self.village = village
        self.size = 0
        self.failures: list[str] = []
        self.loan: dict[str, Any] | None = None
        self.cadre_blank = False
        self.no_project = False
        self.water_failure: str | None = None


def counties(pack: pc.Pack) -> list[tuple[str, str, str]]:
    """(code, Chinese name, English name) of the seven, from the pack's taxonomy."""
    return [(i.code, i.label.zh, i.label.en) for i in pack.taxonomies["tianshui_counties"].items]


def plan_register(rng: random.Random, n_villages: int) -> list[Plan]:
    """Households per village, who exits, how the others fail, sizes."""
    staying = [v for v in range(n_villages) if v % VILLAGES_PER_COUNTY == STAYING]
    exiting = [v for v in range(n_villages) if v not in staying]
    per_village = spread(rng, n_villages, HOUSEHOLDS, 10, 18)
    for v in staying:  # villages that stay poor have more households left
        per_village[v] = max(per_village[v], 15)
    while sum(per_village) != HOUSEHOLDS:
        v = rng.choice(exiting)
        step = 1 if sum(per_village) < HOUSEHOLDS else -1
        if 10 <= per_village[v] + step <= 18:
            per_village[v] += step
    # households left poor: most in the villages that stay, a few elsewhere
    left = {v: round(per_village[v] * 0.7) for v in staying}
    rest = NOT_ELIGIBLE - sum(left.values())
    shares = spread(rng, len(exiting), rest, 2, 8)
    left.update(zip(exiting, shares, strict=True))
    plans: list[Plan] = []
    for v in range(n_villages):
        flags = [False] * left[v] + [True] * (per_village[v] - left[v])
        rng.shuffle(flags)
        plans += [Plan(eligible, v) for eligible in flags]
    sizes = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()), k=len(plans))
    for p, size in zip(plans, sizes, strict=True):
        p.size = size
    for p in plans:
        if p.eligible:
            continue
        kinds = dict(FAILURE_WEIGHTS)
        if p.size == 1:
            kinds.pop("education")
        first = weighted(rng, kinds)
        p.failures = [first]
        if rng.random() < SECOND_FAILURE_P:
            kinds.pop(first)
            p.failures.append(weighted(rng, kinds))
        if p.size == 2 and "education" in p.failures:
            p.size = 3
    for p in plans:
        if rng.random() < LOAN_P:
            p.loan = {
                "microcredit_amount": float(rng.choice(range(10000, 50001, 5000))),
                "microcredit_term_years": float(rng.choice([1, 2, 3])),
                "microcredit_collateral": False,
                "microcredit_guarantor": False,
                "microcredit_interest_subsidised": True,
            }
        if rng.random() < WATER_FAILURE_P:
            p.water_failure = rng.choice(["quantity", "quality", "access", "reliability"])
    # edge cases: loans at the seed's limits (pass) and beyond them (fail)
    loans = [p for p in plans if p.loan]
    for p in loans[:2]:
        assert p.loan is not None
        p.loan.update(microcredit_amount=50000.0, microcredit_term_years=3.0)
    assert loans[2].loan is not None
    assert loans[3].loan is not None
    loans[2].loan["microcredit_amount"] = 60000.0
    loans[3].loan["microcredit_term_years"] = 5.0
    poor = [p for p in plans if not p.eligible]
    for p in rng.sample(poor, 3):
        p.cadre_blank = True
    for p in rng.sample(poor, 10):
        p.no_project = True
    return plans


# -- building records ------------------------------------------------------------------------


def build_household(
    rng: random.Random,
    hid: str,
    village_id: str,
    county_id: str,
    plan: Plan,
    exit_dates: dict[str, dt.date],
    cadre: str,
) -> Household:
    fails = set(plan.failures)
    ages = family(rng, plan.size, school_child="education" in fails)
    cause = weighted(rng, CAUSE_WEIGHTS)
    others = [c for c in CAUSE_WEIGHTS if c is not cause]
    other_causes = rng.sample(others, rng.choices([0, 1, 2], weights=[0.5, 0.35, 0.15])[0])
    members = []
    dropout_done = False
    medical_gap = "medical" in fails
    for i, (relation, age) in enumerate(ages, start=1):
        stage, status = schooling(age)
        if "education" in fails and not dropout_done and 7 <= age <= 15:
            stage, status, dropout_done = None, SchoolingStatus.OUT_OF_SCHOOL, True
        health = HealthStatus.HEALTHY
        disabled = False
        if age >= 16 and cause is PovertyCause.ILLNESS and i == 1:
            health = HealthStatus.SERIOUS_ILLNESS
        elif age >= 60 and rng.random() < 0.35:
            health = HealthStatus.CHRONIC_ILLNESS
        if cause is PovertyCause.DISABILITY and i == 1:
            disabled = True
        if disabled or health is HealthStatus.SERIOUS_ILLNESS:
            labour = LabourCapacity.LOST
        elif age < 16 or age > 68 or status is SchoolingStatus.IN_SCHOOL:
            labour = LabourCapacity.NONE
        else:
            labour = LabourCapacity.SKILLED if rng.random() < 0.2 else LabourCapacity.ORDINARY
        able = labour in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)
        insured = [True, True, True]
        if medical_gap and (i == len(ages) or rng.random() < 0.3):
            insured[rng.randrange(3)] = False
            medical_gap = False
        members.append(
            Person(
                id=f"{i:02d}",
                relation=relation,
                birth_date=birth_date(rng, age),
                age=age,
                disabled=disabled,
                health=health,
                labour_capacity=labour,
                has_skill=(rng.random() < 0.75) if able else False,
                schooling_stage=stage,
                schooling_status=status,
                basic_medical_insurance=insured[0],
                serious_illness_insurance=insured[1],
                medical_assistance=insured[2],
            )
        )
    has_labour = any(
        m.labour_capacity in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED) for m in members
    )
    if not has_labour and len(members) == 1 and rng.random() < 0.5:
        attribute = HouseholdAttribute.TEKUN
    elif rng.random() < (0.6 if not has_labour else 0.2):
        attribute = HouseholdAttribute.DIBAO
    else:
        attribute = HouseholdAttribute.GENERAL
    if "income" in fails:
        income = round(
            max(rng.uniform(1100, 1500), POVERTY_LINE_2016 - rng.lognormvariate(5.8, 0.9)), 2
        )
    else:
        income = round(min(9000.0, POVERTY_LINE_2016 + 30 + rng.lognormvariate(6.8, 0.7)), 2)
    relocated = plan.eligible and has_labour and rng.random() < 0.05
    if "housing" in fails:
        grade = HouseGrade.C if rng.random() < 0.6 else HouseGrade.D
    else:
        grade = HouseGrade.A if relocated or rng.random() < 0.25 else HouseGrade.B
    if relocated:
        pathway = Pathway.RELOCATION
    elif not has_labour or attribute is HouseholdAttribute.TEKUN:
        pathway = Pathway.SAFETY_NET
    else:
        pathway = weighted(
            rng, {Pathway.PRODUCTION: 0.85, Pathway.EDUCATION: 0.08, Pathway.ECOLOGICAL: 0.07}
        )
    # drinking water (read from 2019-01-01 only): mostly met, one indicator failed sometimes
    water_short = rng.random() < 0.3
    water: dict[str, Any] = {
        "water_short_area": water_short,
        "water_litres_per_person_day": float(rng.randint(22 if water_short else 36, 60)),
        "water_quality_passed": True,
        "water_trip_minutes": float(rng.randint(0, 18)),
        "water_horizontal_distance": float(rng.randint(0, 600)),
        "water_vertical_distance": float(rng.randint(0, 60)),
        "water_days_without": float(rng.randint(0, 30)),
    }
    if plan.water_failure == "quantity":
        water["water_litres_per_person_day"] = float(rng.randint(10, 19))
    elif plan.water_failure == "quality":
        water["water_quality_passed"] = False
    elif plan.water_failure == "access":
        water.update(
            water_trip_minutes=float(rng.randint(25, 60)),
            water_horizontal_distance=float(rng.randint(900, 2500)),
            water_vertical_distance=float(rng.randint(90, 200)),
        )
    elif plan.water_failure == "reliability":
        water["water_days_without"] = float(rng.randint(40, 90))

    history = [
        StatusEvent(
            kind=StatusEventKind.IDENTIFIED,
            date=dt.date(2014, 4, 20) + dt.timedelta(days=rng.randint(0, 140)),
        )
    ]
    steps: dict[str, dt.date] = {}
    if plan.eligible:
        appraisal = exit_dates["appraisal"]
        verification = appraisal + dt.timedelta(days=rng.randint(1, 4))
        consent = verification + dt.timedelta(days=rng.randint(1, 3))
        deregistration = exit_dates["announcement"] + dt.timedelta(days=rng.randint(2, 8))
        dates = (
            appraisal,
            verification,
            consent,
            exit_dates["notice"],
            exit_dates["announcement"],
            deregistration,
        )
        steps = dict(zip(EXIT_STEPS, dates, strict=True))
        history.append(StatusEvent(kind=StatusEventKind.EXITED, date=deregistration))
    clears = dict.fromkeys(FIVE_CLEARS, True)
    if rng.random() < 0.05:
        clears[rng.choice(FIVE_CLEARS)] = False
    projects: tuple[str, ...] = ()
    if not plan.no_project:
        k = rng.choices([1, 2], weights=[0.7, 0.3])[0]
        projects = tuple(f"合成项目：{name}" for name in rng.sample(PILLARS, k))
    return Household(
        id=hid,
        village_id=village_id,
        county_id=county_id,
        members=members,
        annual_net_income_per_capita=income,
        food_secure=True,
        clothing_secure=True,
        house_grade=grade,
        without_house=False,
        relocated=relocated,
        relocation_keys_received=relocated,
        attribute=attribute,
        status=HouseholdStatus.EXITED_SUPPORTED if plan.eligible else HouseholdStatus.NOT_EXITED,
        main_cause=cause,
        other_causes=tuple(other_causes) or None,
        history=tuple(history),
        pathway=pathway,
        pairing_cadre="" if plan.cadre_blank else cadre,
        income_projects=projects,
        planned_exit_year=2016 if plan.eligible else rng.choice([2017, 2017, 2018, 2019]),
        procedures={"household_exit": steps},
        checklists={
            "five_clears": clears,
            "household_plan": {"own_plan": rng.random() < 0.97},
        },
        **water,
        **(plan.loan or {}),
    )


def village_population(rng: random.Random, poor: int, registered: int, kind: str) -> int:
    """A rural registered population giving the planned incidence ``poor / population``."""
    floor = max(600, registered)
    if kind == "exactly_at":  # poor / population == 3 % exactly
        population = poor * 100 // 3
        if poor % 3 or population < floor:
            raise SystemExit(f"make_sample_tianshui: cannot put {poor} poor at exactly 3 %")
        return population
    if kind == "just_above":  # a little above 3 %
        population = math.ceil(poor / 0.031)
        if population < floor or poor / population <= INCIDENCE_MAX:
            raise SystemExit(f"make_sample_tianshui: cannot put {poor} poor just above 3 %")
        return population
    if kind in ("above", "well_above"):
        high = math.ceil(poor / INCIDENCE_MAX) - 1
        if high < floor:
            raise SystemExit(f"make_sample_tianshui: {poor} poor cannot stay above 3 %")
        return floor if kind == "well_above" else rng.randint(floor, high)
    low = max(floor, math.ceil(poor / INCIDENCE_MAX))
    if kind == "tight":  # just below 3 % (exactly 3 % is kept for one village)
        return low + 1 if poor / low == INCIDENCE_MAX else low
    return rng.randint(low, max(low, 2600))


def generate(rng: random.Random, pack: pc.Pack) -> dict[str, Any]:
    the_counties = counties(pack)
    n_villages = len(the_counties) * VILLAGES_PER_COUNTY
    plans = plan_register(rng, n_villages)

    # the village exactly at 3 % (W-1: 以下 includes the bound) and one just above it
    people_left = Counter(p.village for p in plans if not p.eligible for _ in range(p.size))
    candidates = [
        v for v in range(n_villages) if v % VILLAGES_PER_COUNTY != STAYING and people_left[v] >= 18
    ]
    at_three = candidates[0]
    # make the poor people of that village a multiple of 3 (a size change of 1 or 2)
    while people_left[at_three] % 3:
        p = next(p for p in plans if p.village == at_three and not p.eligible and p.size < 6)
        p.size += 1
        people_left[at_three] += 1
    just_above = STAYING + VILLAGES_PER_COUNTY  # the staying village of the second county

    households: list[Household] = []
    villages: list[Village] = []
    county_records: list[County] = []
    number = 0
    for c, (code, zh, _en) in enumerate(the_counties):
        short = zh.removesuffix("回族自治县").removesuffix("区").removesuffix("县")
        populations = []
        for k in range(VILLAGES_PER_COUNTY):
            v = c * VILLAGES_PER_COUNTY + k
            village_id = f"{code}-V{k + 1:02d}"
            appraisal = dt.date(2016, 11, 1) + dt.timedelta(days=rng.randint(0, 18))
            notice = appraisal + dt.timedelta(days=8)
            exit_dates = {
                "appraisal": appraisal,
                "notice": notice,
                "announcement": notice + dt.timedelta(days=7 + rng.randint(0, 2)),
            }
            mine = [p for p in plans if p.village == v]
            for j, p in enumerate(mine):
                number += 1
                cadre = f"合成干部-{code}-{k + 1:02d}-{j % 5 + 1}"
                households.append(
                    build_household(rng, f"TS-{number:04d}", village_id, code, p, exit_dates, cadre)
                )
            registered = sum(p.size for p in mine)
            if v == at_three:
                kind = "exactly_at"
            elif v == just_above:
                kind = "just_above"
            elif k == STAYING:
                kind = "well_above" if c in POOR_COUNTIES else "above"
            else:
                kind = "tight" if c in POOR_COUNTIES else "at_or_below"
            population = village_population(rng, people_left[v], registered, kind)
            populations.append(population)
            conditions = [rng.random() < 0.5 for _ in range(3)]
            if v in (1, 10):  # two relocation candidates: all three conditions
                conditions = [True, True, True]
            elif all(conditions):
                conditions[rng.randrange(3)] = False
            industries = tuple(
                f"合成产业：{name}" for name in rng.sample(PILLARS, rng.randint(1, 2))
            )
            villages.append(
                Village(
                    id=village_id,
                    name=f"{short}-合成村{k + 1:02d}",
                    county_id=code,
                    region=Region.WEST,
                    poor_village=True,
                    rural_registered_population=population,
                    resident_work_team=v != 4,  # one village without a team (edge case)
                    responsible_unit=f"合成帮扶单位-{code}-{k + 1:02d}",
                    leading_industries=() if v == 7 else industries,
                    planned_exit_year=2017 if k != STAYING else rng.choice([2018, 2019]),
                    poor_natural_resources=conditions[0],
                    infrastructure_backlog=conditions[1],
                    harsh_living_conditions=conditions[2],
                    procedures={"village_exit": {}},
                    checklists={
                        "six_haves": dict.fromkeys(SIX_HAVES, True),
                        "village_plan": {"own_scheme": True},
                    },
                )
            )
        county_records.append(
            County(
                id=code,
                name=f"{zh}（合成）",
                region=Region.WEST,
                key_county=True,
                rural_registered_population=sum(populations),
                wrong_exit_rate=round(rng.uniform(0.002, 0.015), 4),
                omission_rate=round(rng.uniform(0.001, 0.012), 4),
                public_approval=round(rng.uniform(0.92, 0.98), 4),
                planned_exit_year=rng.choice([2018, 2019, 2020]),
                poor_villages=VILLAGES_PER_COUNTY,
                poor_villages_exited=0,
                procedures={"county_exit": {}},
            )
        )
    return {
        "synthetic": True,
        "description": DESCRIPTION,
        "as_of": AS_OF.isoformat(),
        "households": [h.to_dict() for h in households],
        "villages": [v.to_dict() for v in villages],
        "counties": [c.to_dict() for c in county_records],
    }


# -- the check -------------------------------------------------------------------------------


def decided(pack: pc.Pack, decision: str, records: list[Any], **kw: Any) -> dict[str, int]:
    """Counts of a decision over ``records``, checked against the one-record path."""
    result = pack.decide_batch(decision, records, as_of=AS_OF, **kw)
    for i, record in enumerate(records):
        one = pack.decide(decision, record, as_of=AS_OF, **kw)
        expect(one.outcome is result.outcomes()[i], f"{decision} {record.id}: paths differ")
    return result.counts()


def check(path: Path) -> list[str]:
    """Re-read ``path`` with the library and check the figures; return summary lines."""
    data = read_dataset(path, as_of=AS_OF, pack=pc.load_pack(PACK))
    expect(data.synthetic, "the file is not marked synthetic")
    expect(data.description is not None and "SYNTHETIC" in data.description["en"], "note")
    households, villages, county_records = (
        list(data.households),
        list(data.villages),
        list(data.counties),
    )
    pack = pc.load_pack(PACK)
    codes = [code for code, _, _ in counties(pack)]
    expect([c.id for c in county_records] == codes, "counties are not the seven of Tianshui")
    expect(len(households) == HOUSEHOLDS, f"{len(households)} households, want {HOUSEHOLDS}")
    expect(
        [h.id for h in households] == [f"TS-{i:04d}" for i in range(1, HOUSEHOLDS + 1)],
        "household ids",
    )
    expect(len(villages) == len(codes) * VILLAGES_PER_COUNTY, "villages")
    expect({h.village_id for h in households} == {v.id for v in villages}, "village ids")
    expect(all(v.poor_population is None for v in villages), "a village states poor_population")
    expect(all(c.poor_population is None for c in county_records), "a county states poor")
    people = sum(h.size for h in households)

    # household exit on 2016-12-31: nothing undetermined, the planned mix
    result = pack.decide_batch("household_exit", households, as_of=AS_OF)
    counts = result.counts()
    expect(
        counts == {"eligible": ELIGIBLE, "not_eligible": NOT_ELIGIBLE, "undetermined": 0},
        f"household_exit counts {counts}",
    )
    for i, h in enumerate(households):
        one = pack.decide("household_exit", h, as_of=AS_OF)
        expect(one.outcome is result.outcomes()[i], f"{h.id}: decide and decide_batch differ")
    exited_people = sum(
        h.size for h, o in zip(households, result.outcomes(), strict=True) if o.value == "eligible"
    )
    for h, outcome in zip(households, result.outcomes(), strict=True):
        steps = h.procedures["household_exit"]
        if outcome is pc.Outcome.ELIGIBLE:
            dates = list(steps.values())
            expect(list(steps) == list(EXIT_STEPS), f"{h.id}: exit steps")
            expect(dates == sorted(dates) and dates[-1] <= AS_OF, f"{h.id}: step dates")
        else:
            expect(not steps, f"{h.id}: a household not eligible has exit steps")
    failed = {c.rule.id: int((c.status == 0).sum()) for c in result.criteria}
    multi = sum(
        1 for i in range(len(result)) if sum(int(c.status[i] == 0) for c in result.criteria) > 1
    )

    # every other household decision and every classifier decides every record
    lines_other = []
    loans = [h for h in households if h.microcredit_amount is not None]
    for decision in sorted(d.id for d in pack.decisions_for("household")):
        if decision in ("household_exit", "drinking_water"):
            continue
        records = loans if decision == "microcredit_terms" else households
        c = decided(pack, decision, records)
        expect(c["undetermined"] == 0, f"{decision}: {c['undetermined']} undetermined")
        lines_other.append(f"{decision} {c['eligible']}/{c['not_eligible']}")
    classes = {}
    for classifier in (cl.id for cl in pack.classifiers.values() if cl.subject == "household"):
        batch = pack.classify_batch(classifier, households, as_of=AS_OF)
        expect(None not in batch.codes, f"{classifier}: a household without a class")
        classes[classifier] = Counter(batch.codes)

    # villages and counties, with the people still poor counted from the households
    by_village = indicators.poor_population_by(result, households, by="village_id")
    filled = indicators.with_poor_population(villages, by_village)
    incidence = {
        v.id: (v.poor_population or 0) / (v.rural_registered_population or 1) for v in filled
    }
    v_counts = decided(pack, "village_exit", filled)
    expect(v_counts["undetermined"] == 0, "village_exit undetermined")
    exactly = [vid for vid, x in incidence.items() if x == INCIDENCE_MAX]
    expect(len(exactly) == 1, f"villages at exactly 3 %: {exactly}")
    above = sorted(vid for vid, x in incidence.items() if x > INCIDENCE_MAX)
    expect(
        v_counts["not_eligible"] == len(above) == len(codes),
        f"village_exit {v_counts}, above 3 %: {above}",
    )
    for decision in sorted(d.id for d in pack.decisions_for("village")):
        c = decided(pack, decision, filled)
        expect(c["undetermined"] == 0, f"{decision}: {c['undetermined']} undetermined")
    by_county = indicators.poor_population_by(result, households, by="county_id")
    counties_filled = indicators.with_poor_population(county_records, by_county)
    c_counts = decided(pack, "county_exit", counties_filled)
    expect(c_counts["undetermined"] == 0, f"county_exit {c_counts}")
    poor_counties = [
        c.id
        for c in counties_filled
        if (c.poor_population or 0) / (c.rural_registered_population or 1) > INCIDENCE_MAX
    ]
    expect(
        poor_counties == [codes[i] for i in POOR_COUNTIES] and c_counts["not_eligible"] == 2,
        f"counties above 3 %: {poor_counties}, county_exit {c_counts}",
    )
    for decision in sorted(d.id for d in pack.decisions_for("county")):
        c = decided(pack, decision, counties_filled)
        expect(c["undetermined"] == 0, f"{decision}: {c['undetermined']} undetermined")
    county_incidence = {
        c.id: (c.poor_population or 0) / (c.rural_registered_population or 1)
        for c in counties_filled
    }

    # the water fields are there for the dates the water criteria govern (2019 on); the
    # line is a caller-supplied TEST value (no line ships after 2016), not a policy figure
    later = dt.date(2019, 12, 31)
    test_line = {"poverty_line": 3000.0}
    water = pack.decide_batch("household_exit", households, as_of=later, overrides=test_line)
    expect(water.counts()["undetermined"] == 0, f"household_exit 2019: {water.counts()}")
    water_failed = {
        c.rule.id: int((c.status == 0).sum())
        for c in water.criteria
        if c.rule.id.startswith("water")
    }

    causes = Counter(h.main_cause.value for h in households if h.main_cause is not None)
    attributes = Counter(h.attribute.value for h in households if h.attribute is not None)
    return [
        f"households {len(households)}, people {people}; villages {len(villages)}; "
        f"counties {len(county_records)}; loans {len(loans)}",
        f"household_exit at {AS_OF} ({PACK}): eligible {counts['eligible']} households / "
        f"{exited_people} people ({counts['eligible'] / len(households):.1%} of households, "
        f"{exited_people / people:.1%} of people); not_eligible {counts['not_eligible']} / "
        f"{people - exited_people}; undetermined {counts['undetermined']}",
        "failed criteria (households): "
        + ", ".join(f"{k} {v}" for k, v in failed.items() if v)
        + f"; failing more than one: {multi}",
        "other household decisions (eligible/not eligible): " + ", ".join(lines_other),
        "household classes: "
        + "; ".join(
            f"{k}: " + ", ".join(f"{c} {n}" for c, n in v.most_common()) for k, v in classes.items()
        ),
        f"village_exit: {v_counts['eligible']} eligible, {v_counts['not_eligible']} not "
        f"(incidence {min(incidence.values()):.2%}–{max(incidence.values()):.2%}; exactly 3 %: "
        f"{exactly[0]}; above: {', '.join(above)})",
        f"county_exit: {c_counts['eligible']} eligible, {c_counts['not_eligible']} not "
        "(incidence " + ", ".join(f"{k} {x:.2%}" for k, x in county_incidence.items()) + ")",
        f"household_exit at {later} with a TEST line of 3000: {water.counts()}; water "
        "failures: " + ", ".join(f"{k} {v}" for k, v in water_failed.items()),
        "main causes: " + ", ".join(f"{k} {v}" for k, v in causes.most_common()),
        "attributes: " + ", ".join(f"{k} {v}" for k, v in attributes.most_common()),
    ]


def main() -> int:
    rng = random.Random(SEED)
    document = generate(rng, pc.load_pack(PACK))
    return write_checked(
        "make_sample_tianshui", OUT, document, max_bytes=MAX_BYTES, seed=SEED, check=check
    )


if __name__ == "__main__":
    sys.exit(main())
