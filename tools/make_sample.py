#!/usr/bin/env python3
"""Generate the SYNTHETIC sample register ``poverty_core/samples/lianjiang_synthetic.json``.

Run from the repository root::

    python tools/make_sample.py

The register is shaped to the published 2016 figures of Lianjiang county (连江县),
Fuzhou, Fujian — seed 002: 台海网 2017-10-23, citing 福州日报, 《连江县委书记周应忠谈脱贫
攻坚》: 745 households / 2352 people registered; 586 households / 1865 people exited in
2016 (79.3 % of the people); 159 households / 487 people left for 2017; 50 poor villages,
each below 2 % incidence. Everything else — every household, person, income, house,
village name and population — is INVENTED by a seeded ``random.Random``, so the output
is the same on every run.

Records are built as ``poverty_core`` model objects and written with ``.to_dict()``, so
the file is valid by construction. The script then re-reads the file it wrote with
``poverty_core.structure_many`` and checks the figures with the ``national`` pack and with
the ``fujian`` pack (batch and one-by-one): on 2016-12-31 both must give 586 eligible / 159
not eligible / 0 undetermined households, 1865 / 487 people, no criterion left unknown (the
file carries every field the packs' ``household_exit`` and ``village_exit`` read on that
date), and all 50 villages eligible for ``village_exit``. The file replaces the previous one
only if every check holds, otherwise the script exits with status 1 and says which check
failed. (On 2016-12-31 the fujian rules of the 2018 implementing opinions and Lianjiang's own
village indicators, offered from 2017-10-23, are not in force: the two packs read the same
fields.)
"""

from __future__ import annotations

import datetime as dt
import json
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
from poverty_core.model import StatusEvent

# Fujian's record classes: the fields fujian declares (data/fields.toml) are theirs; its
# child lianjiang_example declares none of its own.
_RECORDS = pc.load_pack("fujian").record_types
Household = _RECORDS["household"]
Person = _RECORDS["person"]
Village = _RECORDS["village"]
County = _RECORDS["county"]

SEED = 350122_2016
AS_OF = dt.date(2016, 12, 31)
OUT = Path(__file__).resolve().parent.parent / "src/poverty_core/samples/lianjiang_synthetic.json"
MAX_BYTES = 1_500_000

COUNTY_ID = "350122"
COUNTY_NAME = "连江县（合成）"
N_VILLAGES = 50

# The published figures (seed 002) the register must reproduce.
HOUSEHOLDS, PEOPLE = 745, 2352
EXITED_HOUSEHOLDS, EXITED_PEOPLE = 586, 1865
REMAINING_HOUSEHOLDS, REMAINING_PEOPLE = 159, 487
VILLAGE_INCIDENCE_BELOW = 0.02

POVERTY_LINE_2016 = 2952.0  # the national pack's 2016 line; the test is income > line

CHECKED_PACKS = ("national", "fujian")
"""The packs whose household_exit and village_exit must reproduce the figures on AS_OF."""

EXIT_STEPS = (
    "democratic_appraisal",
    "verification",
    "household_consent",
    "village_notice",
    "announcement",
    "deregistration",
)

# Household size distribution (1–6 members); the totals are then fitted exactly.
SIZE_WEIGHTS = {1: 0.13, 2: 0.21, 3: 0.23, 4: 0.24, 5: 0.13, 6: 0.06}

# Main poverty cause shares (invented; illness and disability lead, as in Fujian's registers).
CAUSE_WEIGHTS = {
    PovertyCause.ILLNESS: 0.38,
    PovertyCause.DISABILITY: 0.14,
    PovertyCause.LACK_OF_LABOUR: 0.10,
    PovertyCause.LACK_OF_FUNDS: 0.10,
    PovertyCause.LACK_OF_SKILLS: 0.10,
    PovertyCause.SCHOOLING: 0.07,
    PovertyCause.DISASTER: 0.03,
    PovertyCause.LACK_OF_MOTIVATION: 0.03,
    PovertyCause.LACK_OF_LAND: 0.02,
    PovertyCause.POOR_TRANSPORT: 0.01,
    PovertyCause.LACK_OF_WATER: 0.01,
    PovertyCause.OTHER: 0.01,
}

# Why a household is not yet eligible in 2016 (first reason; a second one is sometimes added).
FAILURE_WEIGHTS = {"income": 0.58, "housing": 0.20, "medical": 0.14, "education": 0.08}
SECOND_FAILURE_P = 0.12

# criterion id of the national pack for each failure kind
FAILURE_CRITERION = {
    "income": "income_above_line",
    "housing": "safe_housing",
    "medical": "basic_medical",
    "education": "compulsory_education",
}

INDUSTRIES = (
    "合成产业：茶叶",
    "合成产业：食用菌",
    "合成产业：水产养殖",
    "合成产业：蔬菜",
    "合成产业：水果",
    "合成产业：花卉苗木",
    "合成产业：畜禽养殖",
    "合成产业：乡村旅游",
)

DESCRIPTION = {
    "zh": (
        "合成数据（SYNTHETIC），非真实登记册。按台海网2017年10月23日转引福州日报《连江县委"
        "书记周应忠谈脱贫攻坚》所载数字构造：连江县建档立卡745户2352人，2016年已脱贫586户"
        "1865人（占脱贫任务的79.3%），剩余159户487人，50个贫困村贫困发生率均低于2%。"
        "户、人、收入、住房、村名、人口等均为虚构；不含姓名和身份证号。"
    ),
    "en": (
        "SYNTHETIC data, not a real register. Shaped to the figures reported by Taihainet "
        "(citing Fuzhou Daily) on 2017-10-23 for Lianjiang county, Fujian: 745 registered "
        "households / 2352 people; 586 households / 1865 people exited in 2016 (79.3 % of "
        "the people); 159 households / 487 people remaining; all 50 poor villages below 2 % "
        "incidence. Every household, person, income, house, village name and population is "
        "invented; no names or ID numbers."
    ),
}


# -- helpers -----------------------------------------------------------------------------


def fit_sizes(rng: random.Random, n: int, total: int) -> list[int]:
    """``n`` household sizes in 1..6 drawn from SIZE_WEIGHTS, adjusted to sum to ``total``."""
    sizes = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()), k=n)
    while sum(sizes) != total:
        i = rng.randrange(n)
        if sum(sizes) > total and sizes[i] > 1:
            sizes[i] -= 1
        elif sum(sizes) < total and sizes[i] < 6:
            sizes[i] += 1
    return sizes


def birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date giving exactly ``age`` on AS_OF (2016-12-31)."""
    start = dt.date(AS_OF.year - age, 1, 1)
    end = dt.date(AS_OF.year - age, 12, 31)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def children(rng: random.Random, parent_age: int, k: int, oldest_max: int = 24) -> list[int]:
    """Ages of ``k`` children of a parent aged ``parent_age`` (oldest first)."""
    oldest = rng.randint(
        max(0, min(oldest_max, parent_age - 20) - 10), min(oldest_max, parent_age - 20)
    )
    ages = [oldest]
    for _ in range(k - 1):
        ages.append(max(0, ages[-1] - rng.randint(1, 5)))
    return ages


def family(
    rng: random.Random, size: int, *, school_child: bool, tekun: bool
) -> list[tuple[Relation, int]]:
    """Relations and ages of a household's members (head first)."""
    if size == 1:
        if tekun or rng.random() < 0.7:
            return [(Relation.HEAD, rng.randint(60 if tekun else 55, 92))]
        return [(Relation.HEAD, rng.randint(30, 60))]
    if size == 2:
        kind = (
            "parent_child"
            if school_child
            else rng.choice(["couple", "couple", "parent_child", "with_parent"])
        )
        if kind == "couple":
            head = rng.randint(55, 86)
            return [(Relation.HEAD, head), (Relation.SPOUSE, max(45, head + rng.randint(-6, 3)))]
        if kind == "parent_child":
            head = rng.randint(30, 52)
            child = (
                rng.randint(10, min(15, head - 20)) if school_child else children(rng, head, 1)[0]
            )
            return [(Relation.HEAD, head), (Relation.CHILD, child)]
        head = rng.randint(35, 58)
        return [(Relation.HEAD, head), (Relation.PARENT, min(95, head + rng.randint(22, 34)))]
    kinds = ["nuclear", "nuclear"]
    if size >= 4 or not school_child:
        kinds.append("three_generations")
    if size >= 4:
        kinds.append("with_parent")
    kind = rng.choice(kinds)
    parent_of_kids: int
    if kind == "three_generations":
        head = rng.randint(56, 76)
        spouse = max(50, head + rng.randint(-6, 3))
        child = rng.randint(max(30 if school_child else 24, head - 38), head - 22)
        members = [(Relation.HEAD, head), (Relation.SPOUSE, spouse), (Relation.CHILD, child)]
        room_for_in_law = size >= 5 or (size == 4 and not school_child)
        if room_for_in_law and rng.random() < (1.0 if size >= 5 else 0.5):
            members.append((Relation.CHILD_IN_LAW, max(22, child + rng.randint(-4, 3))))
        grand = size - len(members)
        if grand:
            members += [(Relation.GRANDCHILD, a) for a in children(rng, child, grand, 15)]
        parent_of_kids = child
    else:
        head = rng.randint(30, 54)
        members = [(Relation.HEAD, head), (Relation.SPOUSE, max(22, head + rng.randint(-6, 3)))]
        if kind == "with_parent":
            members.append((Relation.PARENT, min(95, head + rng.randint(22, 34))))
        members += [(Relation.CHILD, a) for a in children(rng, head, size - len(members))]
        parent_of_kids = head
    kids = [i for i, (r, _) in enumerate(members) if r in (Relation.CHILD, Relation.GRANDCHILD)]
    if kind == "three_generations":
        kids = [i for i in kids if members[i][0] is Relation.GRANDCHILD]
    if school_child and not any(10 <= members[i][1] <= 15 for i in kids):
        # drop-outs are mostly 10–15: make the child (or grandchild) nearest 13 that age
        i = min(kids, key=lambda k: abs(members[k][1] - 13))
        members[i] = (members[i][0], rng.randint(10, min(15, parent_of_kids - 20)))
    return members


def schooling(rng: random.Random, age: int) -> tuple[SchoolingStage | None, SchoolingStatus]:
    """A plausible schooling stage and status for someone aged ``age``."""
    if age <= 2:
        return None, SchoolingStatus.NOT_OF_SCHOOL_AGE
    if age <= 5:
        if rng.random() < 0.85:
            return SchoolingStage.PRESCHOOL, SchoolingStatus.IN_SCHOOL
        return None, SchoolingStatus.NOT_OF_SCHOOL_AGE
    if age <= 11:
        return SchoolingStage.PRIMARY, SchoolingStatus.IN_SCHOOL
    if age <= 14:
        return SchoolingStage.JUNIOR_SECONDARY, SchoolingStatus.IN_SCHOOL
    if age == 15:
        stage = (
            SchoolingStage.JUNIOR_SECONDARY if rng.random() < 0.5 else SchoolingStage.SENIOR_HIGH
        )
        return stage, SchoolingStatus.IN_SCHOOL
    if age <= 18:
        if rng.random() < 0.8:
            stage = (
                SchoolingStage.SENIOR_HIGH
                if rng.random() < 0.55
                else SchoolingStage.SECONDARY_VOCATIONAL
            )
            return stage, SchoolingStatus.IN_SCHOOL
        return None, SchoolingStatus.GRADUATED
    if age <= 22:
        if rng.random() < 0.45:
            stage = rng.choice(
                [
                    SchoolingStage.UNDERGRADUATE,
                    SchoolingStage.HIGHER_VOCATIONAL,
                    SchoolingStage.JUNIOR_COLLEGE,
                ]
            )
            return stage, SchoolingStatus.IN_SCHOOL
        return None, SchoolingStatus.GRADUATED
    return None, SchoolingStatus.NOT_OF_SCHOOL_AGE


# -- households --------------------------------------------------------------------------


class Plan:
    """What a household is to be before its records are built."""

    def __init__(self, eligible: bool, size: int) -> None:
        self.eligible = eligible
        self.size = size
        self.failures: list[str] = []
        self.village = 0
        self.income: float | None = None


def plan_failures(rng: random.Random, plans: list[Plan]) -> None:
    for p in plans:
        kinds = dict(FAILURE_WEIGHTS)
        if p.size == 1:
            kinds.pop("education")  # a one-person household has no child
        first = weighted(rng, kinds)
        p.failures = [first]
        if rng.random() < SECOND_FAILURE_P:
            kinds.pop(first)
            p.failures.append(weighted(rng, kinds))


def eligible_income(rng: random.Random) -> float:
    return round(min(12000.0, POVERTY_LINE_2016 + 40 + rng.lognormvariate(7.0, 0.6)), 2)


def failing_income(rng: random.Random) -> float:
    return round(max(1150.0, POVERTY_LINE_2016 - rng.lognormvariate(5.9, 0.9)), 2)


def build_household(
    rng: random.Random, hid: str, village_id: str, plan: Plan, dates: dict[str, Any]
) -> Household:
    fails = set(plan.failures)
    tekun = plan.size == 1 and rng.random() < 0.4
    # main cause (some causes need a matching member: redraw until the family fits)
    while True:
        cause = weighted(rng, CAUSE_WEIGHTS)
        ages = family(rng, plan.size, school_child="education" in fails, tekun=tekun)
        students = [a for _, a in ages if 15 <= a <= 22]
        if cause is PovertyCause.SCHOOLING and not students:
            continue
        if tekun and cause is PovertyCause.SCHOOLING:
            continue
        break
    others = [c for c in CAUSE_WEIGHTS if c is not cause]
    n_other = rng.choices([0, 1, 2], weights=[0.5, 0.35, 0.15])[0]
    other_causes = rng.sample(others, n_other) if n_other else []

    # members
    rows: list[dict[str, Any]] = []
    for relation, age in ages:
        stage, status = schooling(rng, age)
        if (
            cause is PovertyCause.SCHOOLING
            and 15 <= age <= 22
            and status is not SchoolingStatus.IN_SCHOOL
        ):
            stage = SchoolingStage.SENIOR_HIGH if age <= 18 else SchoolingStage.UNDERGRADUATE
            status = SchoolingStatus.IN_SCHOOL
        health = HealthStatus.HEALTHY
        if age >= 60 and rng.random() < 0.4:
            health = HealthStatus.CHRONIC_ILLNESS
        rows.append(
            {
                "relation": relation,
                "age": age,
                "stage": stage,
                "status": status,
                "health": health,
                "disabled": False,
                "medical": [True, True, True],
            }
        )
    adults = [r for r in rows if r["age"] >= 16] or rows
    if cause is PovertyCause.ILLNESS or PovertyCause.ILLNESS in other_causes:
        sick = rng.choice(adults)
        sick["health"] = (
            HealthStatus.SERIOUS_ILLNESS if rng.random() < 0.4 else HealthStatus.CHRONIC_ILLNESS
        )
    if cause is PovertyCause.DISABILITY or PovertyCause.DISABILITY in other_causes:
        school_kids = [
            r for r in rows if 6 <= r["age"] <= 15 and r["status"] is SchoolingStatus.IN_SCHOOL
        ]
        if school_kids and "education" not in fails and rng.random() < 0.25:
            kid = rng.choice(school_kids)
            kid["disabled"] = True
            kid["stage"], kid["status"] = None, SchoolingStatus.DISABILITY_EXEMPT
        else:
            rng.choice(adults)["disabled"] = True
    if "education" in fails:
        kids = [
            r
            for r in rows
            if 6 <= r["age"] <= 15 and r["relation"] in (Relation.CHILD, Relation.GRANDCHILD)
        ]
        dropout = max(kids, key=lambda r: r["age"])
        dropout["stage"], dropout["status"] = None, SchoolingStatus.OUT_OF_SCHOOL
    if "medical" in fails:
        # one member lacks one of the three schemes (often a newborn not yet enrolled)
        babies = [r for r in rows if r["age"] <= 1]
        who = rng.choice(babies) if babies and rng.random() < 0.7 else rng.choice(rows)
        who["medical"][rng.choices([0, 1, 2], weights=[0.35, 0.3, 0.35])[0]] = False

    members = []
    for i, r in enumerate(rows, start=1):
        age = r["age"]
        if r["disabled"] or r["health"] is HealthStatus.SERIOUS_ILLNESS:
            labour = LabourCapacity.LOST if age >= 16 else LabourCapacity.NONE
        elif age < 16 or r["status"] is SchoolingStatus.IN_SCHOOL or age > 70:
            labour = LabourCapacity.NONE
        elif age > 60:
            labour = LabourCapacity.ORDINARY if rng.random() < 0.5 else LabourCapacity.NONE
        else:
            labour = LabourCapacity.SKILLED if rng.random() < 0.15 else LabourCapacity.ORDINARY
        basic, serious, assistance = r["medical"]
        members.append(
            Person(
                id=f"{i:02d}",
                relation=r["relation"],
                birth_date=birth_date(rng, age),
                age=age,
                disabled=r["disabled"],
                health=r["health"],
                labour_capacity=labour,
                schooling_stage=r["stage"],
                schooling_status=r["status"],
                basic_medical_insurance=basic,
                serious_illness_insurance=serious,
                medical_assistance=assistance,
            )
        )
    has_labour = any(
        m.labour_capacity in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED) for m in members
    )

    # attribute
    if tekun and not has_labour:
        attribute = HouseholdAttribute.TEKUN
    elif rng.random() < (
        0.45 if cause in (PovertyCause.ILLNESS, PovertyCause.DISABILITY) or not has_labour else 0.15
    ):
        attribute = HouseholdAttribute.DIBAO
    else:
        attribute = HouseholdAttribute.GENERAL

    # pathway and housing
    relocated = plan.eligible and has_labour and rng.random() < 0.04
    if relocated:
        pathway = Pathway.RELOCATION
    elif attribute is HouseholdAttribute.TEKUN or not has_labour:
        pathway = Pathway.SAFETY_NET
    elif cause is PovertyCause.SCHOOLING and rng.random() < 0.6:
        pathway = Pathway.EDUCATION
    else:
        pathway = weighted(
            rng, {Pathway.PRODUCTION: 0.88, Pathway.ECOLOGICAL: 0.06, Pathway.EDUCATION: 0.06}
        )
    if "housing" in fails:
        grade = HouseGrade.C if rng.random() < 0.65 else HouseGrade.D
    elif relocated:
        grade = HouseGrade.A
    else:
        grade = HouseGrade.A if rng.random() < 0.3 else HouseGrade.B

    income = plan.income
    if income is None:
        income = failing_income(rng) if "income" in fails else eligible_income(rng)

    history = [
        StatusEvent(
            kind=StatusEventKind.IDENTIFIED,
            date=dates["identified"] + dt.timedelta(days=rng.randint(0, 6)),
        )
    ]
    procedures: dict[str, dict[str, dt.date]] = {}
    if plan.eligible:
        appraisal = dates["appraisal"]
        verification = appraisal + dt.timedelta(days=rng.randint(1, 4))
        consent = verification + dt.timedelta(days=rng.randint(1, 3))
        deregistration = dates["announcement"] + dt.timedelta(days=rng.randint(2, 10))
        steps = (
            appraisal,
            verification,
            consent,
            dates["notice"],
            dates["announcement"],
            deregistration,
        )
        procedures["household_exit"] = dict(zip(EXIT_STEPS, steps, strict=True))
        history.append(StatusEvent(kind=StatusEventKind.EXITED, date=deregistration))

    return Household(
        id=hid,
        village_id=village_id,
        county_id=COUNTY_ID,
        members=members,
        annual_net_income_per_capita=income,
        food_secure=True,
        clothing_secure=True,
        house_grade=grade,
        without_house=False,
        relocated=relocated,
        relocation_keys_received=True if relocated else None,
        attribute=attribute,
        status=HouseholdStatus.EXITED_SUPPORTED if plan.eligible else HouseholdStatus.NOT_EXITED,
        main_cause=cause,
        other_causes=tuple(other_causes) or None,
        history=tuple(history),
        pathway=pathway,
        family_doctor_contract=True,
        planned_exit_year=2016 if plan.eligible else 2017,
        procedures=procedures,
    )


# -- the register --------------------------------------------------------------------------


def generate(rng: random.Random) -> dict[str, Any]:
    plans = [Plan(True, s) for s in fit_sizes(rng, EXITED_HOUSEHOLDS, EXITED_PEOPLE)]
    remaining = [Plan(False, s) for s in fit_sizes(rng, REMAINING_HOUSEHOLDS, REMAINING_PEOPLE)]
    plan_failures(rng, remaining)
    # edge cases on the income line: just above passes, exactly at the line fails
    for p, income in zip(rng.sample(plans, 3), (2952.01, 2953.0, 2960.0), strict=True):
        p.income = income
    at_line = [p for p in remaining if "income" in p.failures]
    for p in rng.sample(at_line, 2):
        p.income = POVERTY_LINE_2016
    plans += remaining
    rng.shuffle(plans)

    # villages: every one gets 5 households, the rest go by uneven weights
    weights = [rng.uniform(0.4, 1.6) for _ in range(N_VILLAGES)]
    order = list(range(N_VILLAGES)) * 5
    order += rng.choices(range(N_VILLAGES), weights=weights, k=HOUSEHOLDS - len(order))
    for p, v in zip(plans, order, strict=True):
        p.village = v

    village_ids = [f"{COUNTY_ID}-V{v + 1:02d}" for v in range(N_VILLAGES)]
    village_dates = []
    for _ in range(N_VILLAGES):
        appraisal = dt.date(2016, 11, 1) + dt.timedelta(days=rng.randint(0, 19))
        notice = appraisal + dt.timedelta(days=9)
        announcement = notice + dt.timedelta(days=7 + rng.randint(0, 2))  # 7-day notice period
        identified = dt.date(2014, 4, 15) + dt.timedelta(days=rng.randint(0, 150))
        village_dates.append(
            {
                "appraisal": appraisal,
                "notice": notice,
                "announcement": announcement,
                "identified": identified,
            }
        )

    households: list[Household] = []
    number = 0
    for v in range(N_VILLAGES):
        for p in (p for p in plans if p.village == v):
            number += 1
            hid = f"{COUNTY_ID}-{number:04d}"
            households.append(build_household(rng, hid, village_ids[v], p, village_dates[v]))

    poor_people: Counter[int] = Counter()
    for p in plans:
        if not p.eligible:
            poor_people[p.village] += p.size
    villages = []
    for v in range(N_VILLAGES):
        poor = poor_people[v]
        low = max(800, 50 * poor + 1)  # incidence poor/population < 2 %
        if low > 3000:
            raise SystemExit(
                f"make_sample: village {v + 1} has {poor} poor people: cannot stay < 2 %"
            )
        near = poor >= 18 and rng.random() < 0.5  # some villages close to the threshold
        population = rng.randint(low, min(3000, low + 40)) if near else rng.randint(low, 3000)
        k = rng.choices([1, 2], weights=[0.6, 0.4])[0]
        villages.append(
            Village(
                id=village_ids[v],
                name=f"连江-合成村{v + 1:02d}",
                county_id=COUNTY_ID,
                region=Region.EAST,
                poor_village=True,
                rural_registered_population=population,
                hardened_road=True,
                network_access=True,
                electricity_all_natural_villages=True,
                compulsory_dropouts=0,
                collective_income=float(rng.randint(1000, 3200) * 100),
                leading_industries=tuple(rng.sample(INDUSTRIES, k)),
                first_secretary=True,
                planned_exit_year=2017,
            )
        )
    county = County(id=COUNTY_ID, name=COUNTY_NAME, region=Region.EAST, key_county=False)
    return {
        "synthetic": True,
        "description": DESCRIPTION,
        "as_of": AS_OF.isoformat(),
        "households": [h.to_dict() for h in households],
        "villages": [v.to_dict() for v in villages],
        "counties": [county.to_dict()],
    }


# -- the check -----------------------------------------------------------------------------


def check_pack(
    name: str, households: list[Household], villages: list[Village]
) -> tuple[Any, Any, Any]:
    """Check the published figures under pack ``name``; return the household result, the
    county's exit summary row and the village result."""
    pack = pc.load_pack(name)
    result = pack.decide_batch("household_exit", households, as_of=AS_OF)
    counts = result.counts()
    expect(
        counts
        == {"eligible": EXITED_HOUSEHOLDS, "not_eligible": REMAINING_HOUSEHOLDS, "undetermined": 0},
        f"{name}: household_exit counts {counts}",
    )
    unknown = {c.rule.id for c in result.criteria if bool((c.status == 2).any())}
    expect(
        not unknown, f"{name}: criteria left unknown (a field the pack reads is missing): {unknown}"
    )
    (county_row,) = indicators.exit_summary(result, households, by="county_id")
    expect(
        county_row["eligible_people"] == EXITED_PEOPLE,
        f"{name}: eligible people {county_row['eligible_people']}",
    )
    expect(
        county_row["not_eligible_people"] == REMAINING_PEOPLE,
        f"{name}: not eligible people {county_row['not_eligible_people']}",
    )
    # the single-record path gives the same answers
    for i, h in enumerate(households):
        one = pack.decide("household_exit", h, as_of=AS_OF)
        expect(
            one.outcome is result.outcomes()[i], f"{name} {h.id}: decide and decide_batch differ"
        )
    # every poor village below 2 % incidence, counting the people still poor
    by_village = indicators.poor_population_by(result, households, by="village_id")
    filled = indicators.with_poor_population(villages, by_village)
    village_result = pack.decide_batch("village_exit", filled, as_of=AS_OF)
    expect(
        village_result.counts() == {"eligible": N_VILLAGES, "not_eligible": 0, "undetermined": 0},
        f"{name}: village_exit {village_result.counts()}",
    )
    return result, county_row, village_result


def check(path: Path) -> list[str]:
    """Re-read ``path`` and check the published figures; return summary lines."""
    data = json.loads(path.read_text(encoding="utf-8"))
    expect(data.get("synthetic") is True, "the file is not marked synthetic")
    expect(data.get("as_of") == AS_OF.isoformat(), "as_of")
    households = pc.structure_many(data["households"], Household, name="households")
    villages = pc.structure_many(data["villages"], Village, name="villages")
    counties = pc.structure_many(data["counties"], County, name="counties")

    people = sum(h.size for h in households)
    expect(len(households) == HOUSEHOLDS, f"{len(households)} households, want {HOUSEHOLDS}")
    expect(people == PEOPLE, f"{people} people, want {PEOPLE}")
    expect(
        [h.id for h in households] == [f"{COUNTY_ID}-{i:04d}" for i in range(1, HOUSEHOLDS + 1)],
        "household ids are not 350122-0001..0745 in order",
    )
    expect(all(1 <= h.size <= 6 for h in households), "a household outside 1–6 members")
    expect(all(h.county_id == COUNTY_ID for h in households), "a household outside the county")
    expect(len(villages) == N_VILLAGES, f"{len(villages)} villages, want {N_VILLAGES}")
    expect(all(v.poor_population is None for v in villages), "a village states poor_population")
    expect(all(v.poor_village and v.region is Region.EAST for v in villages), "village flags")
    expect(
        all(800 <= (v.rural_registered_population or 0) <= 3000 for v in villages),
        "a village population outside 800–3000",
    )
    expect(all((v.collective_income or 0) >= 100000 for v in villages), "collective income")
    expect({h.village_id for h in households} == {v.id for v in villages}, "village ids")
    expect([c.id for c in counties] == [COUNTY_ID], "county record")

    by_pack: dict[str, tuple[Any, Any, Any]] = {}
    for name in CHECKED_PACKS:
        by_pack[name] = check_pack(name, households, villages)
    result, county_row, village_result = by_pack["national"]
    counts = result.counts()
    filled = indicators.with_poor_population(
        villages, indicators.poor_population_by(result, households, by="village_id")
    )
    incidences = [(v.poor_population or 0) / (v.rural_registered_population or 1) for v in filled]
    expect(
        max(incidences) < VILLAGE_INCIDENCE_BELOW, f"max village incidence {max(incidences):.4f}"
    )

    # eligible households carry the exit procedure, dated in order in Nov–Dec 2016
    for h, outcome in zip(households, result.outcomes(), strict=True):
        steps = h.procedures.get("household_exit")
        if outcome is pc.Outcome.ELIGIBLE:
            expect(steps is not None and list(steps) == list(EXIT_STEPS), f"{h.id}: exit steps")
            assert steps is not None
            dates = list(steps.values())
            expect(dates == sorted(dates) and len(set(dates)) == len(dates), f"{h.id}: step order")
            expect(dt.date(2016, 11, 1) <= dates[0] and dates[-1] <= AS_OF, f"{h.id}: step dates")
        else:
            expect(steps is None, f"{h.id}: a not-eligible household has exit steps")
        expect(
            h.history[0].kind is StatusEventKind.IDENTIFIED and h.history[0].date.year == 2014, h.id
        )

    failed = {c.rule.id: int((c.status == 0).sum()) for c in result.criteria}
    multi = int(
        sum(
            1 for i in range(len(result)) if sum(int(c.status[i] == 0) for c in result.criteria) > 1
        )
    )
    causes = Counter(h.main_cause.value for h in households if h.main_cause is not None)
    attributes = Counter(h.attribute.value for h in households if h.attribute is not None)
    persons = [m for h in households for m in h.members]
    out_of_school = sum(m.schooling_status is SchoolingStatus.OUT_OF_SCHOOL for m in persons)
    exempt = sum(m.schooling_status is SchoolingStatus.DISABILITY_EXEMPT for m in persons)
    incomes = [h.annual_net_income_per_capita for h in households]
    at_line = sum(i == POVERTY_LINE_2016 for i in incomes)
    just_above = sum(i is not None and POVERTY_LINE_2016 < i <= 2960 for i in incomes)
    relocated = sum(bool(h.relocated and h.relocation_keys_received) for h in households)
    lines = [
        f"households {len(households)}, people {people}",
        f"household_exit at {AS_OF}: eligible {counts['eligible']} households / "
        f"{county_row['eligible_people']} people "
        f"({counts['eligible'] / len(households):.1%} of households, "
        f"{county_row['eligible_people'] / people:.1%} of people); "
        f"not_eligible {counts['not_eligible']} / {county_row['not_eligible_people']}; "
        f"undetermined {counts['undetermined']}",
        "failed criteria (households): "
        + ", ".join(f"{k} {v}" for k, v in failed.items() if v)
        + f"; failing more than one: {multi}",
        f"villages {len(villages)}: incidence {min(incidences):.2%}–{max(incidences):.2%}, "
        f"all {village_result.counts()['eligible']} eligible for village_exit",
        *(
            f"{name}: household_exit eligible {r.counts()['eligible']} / {row['eligible_people']} "
            f"people, not_eligible {r.counts()['not_eligible']} / {row['not_eligible_people']}, "
            f"undetermined {r.counts()['undetermined']}; village_exit eligible "
            f"{v.counts()['eligible']}"
            for name, (r, row, v) in by_pack.items()
        ),
        "main causes: " + ", ".join(f"{k} {v}" for k, v in causes.most_common()),
        "attributes: " + ", ".join(f"{k} {v}" for k, v in attributes.most_common()),
        f"edge cases: income exactly at the line {at_line}, just above (≤ 2960) {just_above}; "
        f"children out of school {out_of_school}, disability-exempt {exempt}; "
        f"relocated with keys {relocated}",
    ]
    return lines


def main() -> int:
    rng = random.Random(SEED)
    document = generate(rng)
    return write_checked("make_sample", OUT, document, max_bytes=MAX_BYTES, seed=SEED, check=check)


if __name__ == "__main__":
    sys.exit(main())
