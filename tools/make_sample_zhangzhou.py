#!/usr/bin/env python3
"""Generate the SYNTHETIC sample register ``poverty_core/samples/zhangzhou_synthetic.json``.

Run from the repository root::

    python tools/make_sample_zhangzhou.py

SYNTHETIC data, not a real register: 320 invented households (1050 people) in 24
invented villages of Zhangzhou's three key counties (云霄, 诏安, 平和), for the
``zhangzhou`` pack on 2016-12-31 (``poverty-core assess --sample zhangzhou --pack
zhangzhou --as-of 2016-12-31``).

Shaped to seed 004 — 闽南日报《漳州市精准扶贫工作综述：迎难而上打赢脱贫攻坚战》,
2016-09-26 — where it gives figures:

* main poverty causes by people: 因病 43.62 %, 因残 14.19 % of the registered poor,
  together 57.81 % (458 and 149 of 1050 people reproduce the three shares to two
  decimals of a percent); the other causes of the 四因五缺 and 自身发展能力不足 take
  the remaining 42.19 % in INVENTED shares;
* the housing programme: 84 % of its households completed (竣工验收) by 2016-09-23
  (21 of 25 here), "确保10月份竣工，年底前搬迁入住" (most built by 2016-10-31 and moved in
  by 2016-12-31; one late, one not moved in, one unfinished, on purpose);
* every poor household has one or more income projects.

Everything else — households, people, incomes, houses, exits, villages, counties, names
and numbers — is INVENTED by a seeded ``random.Random``, so every run gives the same file.
Records are built as ``poverty_core`` model objects and written with ``.to_dict()``;
the script then re-reads the file with ``poverty_core.io.read_dataset`` and checks the
figures with the ``zhangzhou`` pack (batch and one by one): no undetermined household
on 2016-12-31, the cause shares, the housing figures. The file replaces the previous one
only if every check holds; otherwise the script exits with status 1 and names the check.
"""

from __future__ import annotations

import datetime as dt
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
    IdentificationStandard,
    LabourCapacity,
    PovertyCause,
    Region,
    Relation,
    SchoolingStage,
    SchoolingStatus,
    StatusEventKind,
)
from poverty_core.io import read_dataset
from poverty_core.model import StatusEvent

# The pack's record classes: the fields zhangzhou declares (data/fields.toml) are theirs.
_RECORDS = pc.load_pack("zhangzhou").record_types
Household = _RECORDS["household"]
Person = _RECORDS["person"]
Village = _RECORDS["village"]
County = _RECORDS["county"]

SEED = 350600_2016
AS_OF = dt.date(2016, 12, 31)
SEED_DAY = dt.date(2016, 9, 23)  # "截至9月23日"
OUT = Path(__file__).resolve().parent.parent / "src/poverty_core/samples/zhangzhou_synthetic.json"
MAX_BYTES = 1_200_000
PACK = "zhangzhou"

HOUSEHOLDS, PEOPLE = 320, 1050
NOT_ELIGIBLE = 88  # INVENTED: 232 of 320 households exit in 2016 (no published figure)
POVERTY_LINE_2016 = 2952.0  # the national pack's 2016 line; the test is income > line

# Main causes by people. Illness and disability are seed 004's shares (43.62 %, 14.19 %:
# 458 and 149 of 1050); the other eight are INVENTED (the seed gives no breakdown).
CAUSE_PEOPLE: dict[PovertyCause, int] = {
    PovertyCause.ILLNESS: 458,
    PovertyCause.DISABILITY: 149,
    PovertyCause.SCHOOLING: 58,
    PovertyCause.DISASTER: 21,
    PovertyCause.LACK_OF_FUNDS: 105,
    PovertyCause.LACK_OF_LABOUR: 94,
    PovertyCause.LACK_OF_SKILLS: 84,
    PovertyCause.LACK_OF_LAND: 21,
    PovertyCause.LACK_OF_WATER: 11,
    PovertyCause.LACK_OF_MOTIVATION: 49,  # 自身发展能力不足
}
SEED_SHARES = {"illness": 0.4362, "disability": 0.1419, "illness_or_disability": 0.5781}

COUNTIES = (
    ("yunxiao", "云霄县（合成）", "云霄"),
    ("zhaoan", "诏安县（合成）", "诏安"),
    ("pinghe", "平和县（合成）", "平和"),
)
VILLAGES_PER_COUNTY = 8

# The housing programme (无房户 and 危房户): 25 households, 21 accepted by 2016-09-23 (84 %,
# seed 004: "已竣工827户，占总任务数的84%"), 2 in October, 1 in November (late), 1
# unfinished; 2 of the finished miss one of the 八有.
PROGRAMME = 25
ACCEPTED_BY_SEED_DAY = 21
WITHOUT_HOUSE_FORMS = ("new_build", "purchase", "move_in_with_relatives", "care", "resettlement")
DILAPIDATED_FORMS = ("repair", "reinforcement", "rebuilding")
EIGHT_HAVES = (
    "roof",
    "entrance_door",
    "windows",
    "sanitary_fixture",
    "cement_floor",
    "plastered_walls",
    "kitchenware",
    "bedding",
)
HOUSING_STEPS = (
    "application",
    "collective_appraisal",
    "household_review",
    "approval_notice",
    "completion_acceptance",
)

# Why a household does not exit in 2016 (INVENTED shares), besides the 3 housing cases.
FAILURE_WEIGHTS = {"income": 0.66, "medical": 0.2, "education": 0.14}
SECOND_FAILURE_P = 0.1

PROJECTS = (
    "合成项目：茶叶种植",
    "合成项目：食用菌",
    "合成项目：乌鸡养殖",
    "合成项目：槟榔芋种植",
    "合成项目：果蔬订单",
    "合成项目：光伏收益",
    "合成项目：务工",
    "合成项目：水产养殖",
)
INDUSTRIES = (
    "合成产业：青梅",
    "合成产业：茶叶",
    "合成产业：蜜柚",
    "合成产业：水产",
    "合成产业：蔬菜",
    "合成产业：乡村旅游",
)

DESCRIPTION = {
    "zh": (
        "合成数据（SYNTHETIC），非真实登记册。按闽南日报2016年9月26日《漳州市精准扶贫工作综述》"
        "所载数字构造：因病致贫占建档立卡贫困人口的43.62%、因残14.19%、合计57.81%；安居工程"
        "截至9月23日已竣工84%，“确保10月份竣工，年底前搬迁入住”；每个贫困户都有1个以上增收"
        "脱贫项目。其他致贫原因的比例、户、人、收入、住房、脱贫结果、村、县及其名称和数字均为"
        "虚构；不含姓名和身份证号。"
    ),
    "en": (
        "SYNTHETIC data, not a real register. Shaped to the figures of Minnan Daily's review "
        "of Zhangzhou (2016-09-26): illness 43.62 % and disability 14.19 % of the registered "
        "poor, together 57.81 %; the housing programme 84 % completed by 23 September, "
        "'completed in October, moved in before the end of the year'; every poor household "
        "with one or more income projects. The other causes' shares, every household, person, "
        "income, house, exit result, village and county, and their names and numbers, are "
        "invented; no names or ID numbers."
    ),
}


# -- helpers -----------------------------------------------------------------------------


def fit_sizes(rng: random.Random, n: int, total: int, low: int = 1) -> list[int]:
    """``n`` household sizes in ``low``..6 summing to ``total``."""
    if not n * low <= total <= 6 * n:
        raise SystemExit(f"make_sample_zhangzhou: cannot fit {total} people in {n} households")
    weights = {1: 0.12, 2: 0.22, 3: 0.24, 4: 0.24, 5: 0.12, 6: 0.06}
    pool = {k: v for k, v in weights.items() if k >= low}
    sizes = rng.choices(list(pool), weights=list(pool.values()), k=n)
    while sum(sizes) != total:
        i = rng.randrange(n)
        if sum(sizes) > total and sizes[i] > low:
            sizes[i] -= 1
        elif sum(sizes) < total and sizes[i] < 6:
            sizes[i] += 1
    return sizes


def birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date giving exactly ``age`` on AS_OF (2016-12-31)."""
    start = dt.date(AS_OF.year - age, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, 364))


def ages_for(rng: random.Random, size: int, *, student: bool, school_child: bool) -> list[int]:
    """Ages of a household's members, head first (a student aged 16–20 or a child aged
    10–15 when asked)."""
    if size == 1:
        return [rng.randint(55, 88) if rng.random() < 0.7 else rng.randint(32, 60)]
    if size == 2 and not (student or school_child):
        head = rng.randint(52, 84)
        return [head, max(45, head + rng.randint(-6, 3))]
    head = rng.randint(36, 52) if (student or school_child) else rng.randint(28, 58)
    ages = [head]
    if size >= 3 or rng.random() < 0.5:
        ages.append(max(22, head + rng.randint(-6, 3)))
    if size >= 5:
        ages.append(min(92, head + rng.randint(24, 32)))  # a parent
    while len(ages) < size:
        ages.append(rng.randint(0, min(24, head - 20)))
    kids = [i for i in range(1, size) if ages[i] <= 24 and ages[i] < head - 15]
    if student:
        i = kids[0] if kids else size - 1
        ages[i] = rng.randint(16, min(20, head - 18))
    if school_child:
        rest = [i for i in kids if not (16 <= ages[i] <= 20 and student)] or [size - 1]
        ages[rest[-1]] = rng.randint(10, 15)
    return ages


def schooling(
    rng: random.Random, age: int, student: bool
) -> tuple[SchoolingStage | None, SchoolingStatus]:
    """A plausible schooling stage and status for someone aged ``age``."""
    if age <= 2:
        return None, SchoolingStatus.NOT_OF_SCHOOL_AGE
    if age <= 5:
        return SchoolingStage.PRESCHOOL, SchoolingStatus.IN_SCHOOL
    if age <= 11:
        return SchoolingStage.PRIMARY, SchoolingStatus.IN_SCHOOL
    if age <= 15:
        return SchoolingStage.JUNIOR_SECONDARY, SchoolingStatus.IN_SCHOOL
    if age <= 18 and (student or rng.random() < 0.7):
        return SchoolingStage.SENIOR_HIGH, SchoolingStatus.IN_SCHOOL
    if age <= 22 and (student or rng.random() < 0.3):
        return SchoolingStage.UNDERGRADUATE, SchoolingStatus.IN_SCHOOL
    if age <= 22:
        return None, SchoolingStatus.GRADUATED
    return None, SchoolingStatus.NOT_OF_SCHOOL_AGE


# -- plans -------------------------------------------------------------------------------


class Plan:
    """What a household is to be before its records are built."""

    def __init__(self, cause: PovertyCause, size: int) -> None:
        self.cause = cause
        self.size = size
        self.eligible = True
        self.failures: list[str] = []
        self.programme: str | None = None  # None, or the programme role (see plan_programme)
        self.income: float | None = None
        self.relocated = False
        self.county = 0
        self.village = 0


def plan_causes(rng: random.Random) -> list[Plan]:
    """Households per main cause, sized so each cause's people are exactly CAUSE_PEOPLE."""
    raw = {c: n * HOUSEHOLDS / PEOPLE for c, n in CAUSE_PEOPLE.items()}
    counts = {c: max(1, round(v)) for c, v in raw.items()}
    while sum(counts.values()) != HOUSEHOLDS:
        c = max(raw, key=lambda k: raw[k] - counts[k])
        if sum(counts.values()) > HOUSEHOLDS:
            c = min(raw, key=lambda k: raw[k] - counts[k])
            counts[c] -= 1
        else:
            counts[c] += 1
        raw[c] = counts[c]  # settle this one
    plans = []
    for cause, people in CAUSE_PEOPLE.items():
        low = 2 if cause is PovertyCause.SCHOOLING else 1
        for size in fit_sizes(rng, counts[cause], people, low):
            plans.append(Plan(cause, size))
    rng.shuffle(plans)
    return plans


def plan_programme(rng: random.Random, plans: list[Plan]) -> None:
    """25 programme households: 21 accepted by 2016-09-23, 2 in October, 1 in November,
    1 unfinished (grade D); two of the finished miss one of the 八有."""
    chosen = rng.sample(plans, PROGRAMME)
    roles = (
        ["by_seed_day"] * (ACCEPTED_BY_SEED_DAY - 2)
        + ["by_seed_day_no_fixture", "by_seed_day_no_plaster"]
        + ["october", "october_not_moved_in", "november", "unfinished"]
    )
    for plan, role in zip(chosen, roles, strict=True):
        plan.programme = role
        if role in ("by_seed_day_no_fixture", "by_seed_day_no_plaster", "unfinished"):
            plan.eligible = False
            plan.failures = ["housing"]


def plan_failures(rng: random.Random, plans: list[Plan]) -> None:
    """Mark NOT_ELIGIBLE households (the 3 housing cases included) with their reasons."""
    housing = [p for p in plans if p.failures]
    others = [p for p in plans if not p.failures and not p.programme]
    for p in rng.sample(others, NOT_ELIGIBLE - len(housing)):
        p.eligible = False
        kinds = dict(FAILURE_WEIGHTS)
        if p.size == 1:
            kinds.pop("education")
        first = weighted(rng, kinds)
        p.failures = [first]
        if rng.random() < SECOND_FAILURE_P and len(kinds) > 1:
            kinds.pop(first)
            p.failures.append(weighted(rng, kinds))
    # edge cases on the line: exactly at the line fails, just above passes
    at_line = [p for p in plans if "income" in p.failures]
    for p in rng.sample(at_line, 2):
        p.income = POVERTY_LINE_2016
    passing = [p for p in plans if p.eligible and not p.programme]
    for p, income in zip(rng.sample(passing, 2), (2952.01, 2960.0), strict=True):
        p.income = income
    for p in rng.sample([p for p in passing if p.income is None], 10):
        p.relocated = True  # 造福工程 relocated with the keys (not in the housing programme)


# -- households --------------------------------------------------------------------------


def programme_fields(rng: random.Random, plan: Plan) -> dict[str, Any]:
    """House, form, procedure, 八有 and moving in of a programme household."""
    role = plan.programme
    assert role is not None
    without = role != "unfinished" and rng.random() < 0.6
    grade = (
        None
        if without
        else (HouseGrade.D if role == "unfinished" or rng.random() < 0.5 else HouseGrade.C)
    )
    form = rng.choice(WITHOUT_HOUSE_FORMS if without else DILAPIDATED_FORMS)
    application = dt.date(2016, 1, 10) + dt.timedelta(days=rng.randint(0, 60))
    steps = [application]
    for gap in ((5, 15), (5, 15), (7, 20)):
        steps.append(steps[-1] + dt.timedelta(days=rng.randint(*gap)))
    if role.startswith("by_seed_day"):
        accepted: dt.date | None = dt.date(2016, 6, 1) + dt.timedelta(days=rng.randint(0, 114))
    elif role.startswith("october"):
        accepted = dt.date(2016, 10, 1) + dt.timedelta(days=rng.randint(0, 30))
    elif role == "november":
        accepted = dt.date(2016, 11, 8) + dt.timedelta(days=rng.randint(0, 10))
    else:
        accepted = None
    procedure = dict(zip(HOUSING_STEPS, steps, strict=False))
    if accepted is not None:
        procedure["completion_acceptance"] = accepted
    haves = dict.fromkeys(EIGHT_HAVES, True)
    if role == "by_seed_day_no_fixture":
        haves["sanitary_fixture"] = False
    elif role == "by_seed_day_no_plaster":
        haves["plastered_walls"] = False
    elif role == "unfinished":
        for item in ("entrance_door", "windows", "cement_floor", "plastered_walls"):
            haves[item] = False
    moved_in = accepted is not None and role != "october_not_moved_in"
    moved_on = None
    if moved_in and accepted is not None:
        latest = min(AS_OF, accepted + dt.timedelta(days=40))
        moved_on = accepted + dt.timedelta(days=rng.randint(2, (latest - accepted).days))
    return {
        "without_house": without,
        "house_grade": grade,
        "house_renovated": (accepted is not None) if not without else None,
        "housing_form": form,
        "procedures": {"housing": procedure},
        "checklists": {"eight_haves": haves},
        "housing_moved_in": moved_in,
        "housing_moved_in_on": moved_on,
    }


def build_household(
    rng: random.Random,
    hid: str,
    village_id: str,
    county_id: str,
    plan: Plan,
    dates: dict[str, Any],
    exit_steps: tuple[str, ...],
) -> Household:
    """The household record for ``plan``."""
    fails = set(plan.failures)
    cause = plan.cause
    student = cause is PovertyCause.SCHOOLING
    ages = ages_for(rng, plan.size, student=student, school_child="education" in fails)
    rows: list[dict[str, Any]] = []
    for i, age in enumerate(ages):
        stage, status = schooling(rng, age, student and 16 <= age <= 20)
        health = HealthStatus.HEALTHY
        if age >= 60 and rng.random() < 0.35:
            health = HealthStatus.CHRONIC_ILLNESS
        relation = (
            Relation.HEAD
            if i == 0
            else Relation.SPOUSE
            if i == 1 and age >= 22
            else (Relation.PARENT if age > ages[0] + 15 else Relation.CHILD)
        )
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
    adults = [r for r in rows if r["age"] >= 18] or rows
    if cause is PovertyCause.ILLNESS:
        rng.choice(adults)["health"] = (
            HealthStatus.SERIOUS_ILLNESS if rng.random() < 0.4 else HealthStatus.CHRONIC_ILLNESS
        )
    if cause is PovertyCause.DISABILITY:
        rng.choice(adults)["disabled"] = True
    if "education" in fails:
        kids = [r for r in rows if 6 <= r["age"] <= 15 and r["relation"] is Relation.CHILD]
        dropout = max(kids, key=lambda r: r["age"])
        dropout["stage"], dropout["status"] = None, SchoolingStatus.OUT_OF_SCHOOL
    if "medical" in fails:
        who = rng.choice(rows)
        who["medical"][rng.randrange(3)] = False

    members = []
    for i, r in enumerate(rows, start=1):
        age = r["age"]
        if r["disabled"] or r["health"] is HealthStatus.SERIOUS_ILLNESS:
            labour = LabourCapacity.LOST if age >= 16 else LabourCapacity.NONE
        elif (
            age < 16
            or r["status"] is SchoolingStatus.IN_SCHOOL
            or age > 70
            or (cause is PovertyCause.LACK_OF_LABOUR and age > 55)
        ):
            labour = LabourCapacity.NONE
        else:
            labour = LabourCapacity.SKILLED if rng.random() < 0.12 else LabourCapacity.ORDINARY
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
    if plan.size == 1 and not has_labour and rng.random() < 0.5:
        attribute = HouseholdAttribute.TEKUN
    elif rng.random() < (0.4 if cause in (PovertyCause.ILLNESS, PovertyCause.DISABILITY) else 0.15):
        attribute = HouseholdAttribute.DIBAO
    else:
        attribute = HouseholdAttribute.GENERAL

    others = [c for c in CAUSE_PEOPLE if c is not cause]
    n_other = rng.choices([0, 1, 2], weights=[0.55, 0.35, 0.1])[0]
    other_causes = tuple(rng.sample(others, n_other)) or None

    income = plan.income
    if income is None:
        if "income" in fails:
            income = round(max(1200.0, POVERTY_LINE_2016 - rng.lognormvariate(5.8, 0.9)), 2)
        else:
            income = round(min(12000.0, POVERTY_LINE_2016 + 60 + rng.lognormvariate(7.0, 0.6)), 2)

    housing: dict[str, Any]
    if plan.programme:
        housing = programme_fields(rng, plan)
    else:
        housing = {
            "without_house": False,
            "house_grade": HouseGrade.A if plan.relocated or rng.random() < 0.3 else HouseGrade.B,
            "procedures": {},
        }

    history = [
        StatusEvent(
            kind=StatusEventKind.IDENTIFIED,
            date=dates["identified"] + dt.timedelta(days=rng.randint(0, 6)),
        )
    ]
    procedures: dict[str, dict[str, dt.date]] = dict(housing.pop("procedures"))
    if plan.eligible:
        appraisal = dates["appraisal"]
        verification = appraisal + dt.timedelta(days=rng.randint(1, 4))
        consent = verification + dt.timedelta(days=rng.randint(1, 3))
        deregistration = dates["announcement"] + dt.timedelta(days=rng.randint(2, 8))
        steps = (
            appraisal,
            verification,
            consent,
            dates["notice"],
            dates["announcement"],
            deregistration,
        )
        procedures["household_exit"] = dict(zip(exit_steps, steps, strict=True))
        history.append(StatusEvent(kind=StatusEventKind.EXITED, date=deregistration))
    n_projects = rng.choices([1, 2], weights=[0.7, 0.3])[0]
    return Household(
        id=hid,
        village_id=village_id,
        county_id=county_id,
        members=members,
        annual_net_income_per_capita=income,
        food_secure=True,
        clothing_secure=True,
        relocated=plan.relocated,
        relocation_keys_received=True if plan.relocated else None,
        attribute=attribute,
        identification_standard=IdentificationStandard.NATIONAL,
        status=HouseholdStatus.EXITED_SUPPORTED if plan.eligible else HouseholdStatus.NOT_EXITED,
        main_cause=cause,
        other_causes=other_causes,
        history=tuple(history),
        income_projects=tuple(rng.sample(PROJECTS, n_projects)),
        planned_exit_year=2016 if plan.eligible else rng.choice([2017, 2018]),
        procedures=procedures,
        **housing,
    )


# -- the register --------------------------------------------------------------------------


def generate(rng: random.Random, exit_steps: tuple[str, ...]) -> dict[str, Any]:
    """The whole SYNTHETIC document."""
    plans = plan_causes(rng)
    plan_programme(rng, plans)
    plan_failures(rng, plans)
    n_villages = VILLAGES_PER_COUNTY * len(COUNTIES)
    order = list(range(n_villages)) * 6
    weights = [rng.uniform(0.5, 1.5) for _ in range(n_villages)]
    order += rng.choices(range(n_villages), weights=weights, k=HOUSEHOLDS - len(order))
    rng.shuffle(order)
    for p, v in zip(plans, order, strict=True):
        p.village, p.county = v, v // VILLAGES_PER_COUNTY

    village_ids = [
        f"{COUNTIES[v // VILLAGES_PER_COUNTY][0]}-V{v % VILLAGES_PER_COUNTY + 1:02d}"
        for v in range(n_villages)
    ]
    dates = []
    for _ in range(n_villages):
        appraisal = dt.date(2016, 11, 1) + dt.timedelta(days=rng.randint(0, 18))
        notice = appraisal + dt.timedelta(days=8)
        dates.append(
            {
                "appraisal": appraisal,
                "notice": notice,
                "announcement": notice + dt.timedelta(days=7 + rng.randint(0, 2)),
                "identified": dt.date(2014, 4, 15) + dt.timedelta(days=rng.randint(0, 150)),
            }
        )
    households: list[Household] = []
    numbers: Counter[int] = Counter()
    for v in range(n_villages):
        for p in (p for p in plans if p.village == v):
            county = COUNTIES[p.county][0]
            numbers[p.county] += 1
            hid = f"{county}-{numbers[p.county]:04d}"
            households.append(
                build_household(rng, hid, village_ids[v], county, p, dates[v], exit_steps)
            )

    remaining: Counter[int] = Counter()
    dropouts: Counter[int] = Counter()
    for h in households:
        v = village_ids.index(h.village_id or "")
        if h.status is HouseholdStatus.NOT_EXITED:
            remaining[v] += h.size
        dropouts[v] += sum(m.schooling_status is SchoolingStatus.OUT_OF_SCHOOL for m in h.members)
    city_key = set(rng.sample(range(n_villages), 4))
    secretary = set(rng.sample(range(n_villages), 6)) | city_key
    over = set(rng.sample(range(n_villages), 2))  # two villages left above 2 % (INVENTED)
    villages = []
    for v in range(n_villages):
        poor = remaining[v]
        if v in over and poor:
            population = rng.randint(max(200, 30 * poor), 45 * poor)
        else:
            low = max(900, 50 * poor)
            population = rng.randint(low, low + 1800)
        k = rng.choices([1, 2], weights=[0.6, 0.4])[0]
        county, _, short = COUNTIES[v // VILLAGES_PER_COUNTY]
        villages.append(
            Village(
                id=village_ids[v],
                name=f"{short}-合成村{v % VILLAGES_PER_COUNTY + 1:02d}",
                county_id=county,
                region=Region.EAST,
                poor_village=True,
                rural_registered_population=population,
                hardened_road=True,
                network_access=True,
                electricity_all_natural_villages=True,
                compulsory_dropouts=dropouts[v],
                collective_income=float(rng.randint(300, 1600) * 100),
                leading_industries=tuple(rng.sample(INDUSTRIES, k)),
                first_secretary=v in secretary,
                responsible_unit=f"合成帮扶单位{v + 1:02d}",
                city_key_village=v in city_key,
                city_key_village_funds=(
                    float(rng.randint(80, 120) * 10000) if v in city_key else None
                ),
                planned_exit_year=2017 if poor else 2016,
            )
        )
    counties = []
    for i, (county, name, _) in enumerate(COUNTIES):
        population = (
            sum(v.rural_registered_population or 0 for v in villages if v.county_id == county)
            + rng.randint(20, 60) * 1000
        )
        counties.append(
            County(
                id=county,
                name=name,
                region=Region.EAST,
                key_county=False,
                provincial_key_county=True,
                rural_registered_population=population,
                planned_exit_year=2018 + i % 2,
            )
        )
    return {
        "synthetic": True,
        "description": DESCRIPTION,
        "as_of": AS_OF.isoformat(),
        "households": [h.to_dict() for h in households],
        "villages": [v.to_dict() for v in villages],
        "counties": [c.to_dict() for c in counties],
    }


# -- the check -----------------------------------------------------------------------------


def value(rows: list[dict[str, Any]]) -> float:
    """The one value of an indicator computed without groups."""
    (row,) = rows
    result: float = row["value"]
    return result


def check(path: Path) -> list[str]:
    """Re-read ``path`` through the library and check the figures; summary lines."""
    data = read_dataset(path, pack=pc.load_pack(PACK))
    expect(data.synthetic, "the file is not marked synthetic")
    expect(data.as_of == AS_OF, f"as_of {data.as_of}")
    expect(data.description is not None and "SYNTHETIC" in data.description["en"], "label")
    households, villages, counties = data.households, data.villages, data.counties
    people = sum(h.size for h in households)
    expect(len(households) == HOUSEHOLDS, f"{len(households)} households, want {HOUSEHOLDS}")
    expect(people == PEOPLE, f"{people} people, want {PEOPLE}")
    pack = pc.load_pack(PACK)

    # household exit on 2016-12-31: nothing undetermined; batch and one-by-one agree
    result = pack.decide_batch("household_exit", households, as_of=AS_OF)
    counts = result.counts()
    expect(counts["undetermined"] == 0, f"household_exit: {counts}")
    expect(
        counts["not_eligible"] == NOT_ELIGIBLE,
        f"not eligible {counts['not_eligible']}, want {NOT_ELIGIBLE}",
    )
    for i, h in enumerate(households):
        one = pack.decide("household_exit", h, as_of=AS_OF)
        expect(one.outcome is result.outcomes()[i], f"{h.id}: decide and decide_batch differ")
    summary = indicators.exit_summary(result, households, by="county_id")
    eligible_people = sum(row["eligible_people"] for row in summary)

    # the cause shares of seed 004 (by people, rounded to 0.01 %)
    shares = {
        row["code"]: row["value"]
        for row in pack.indicator("cause_breakdown", households, as_of=AS_OF)
        if row["value"]
    }
    expect(
        round(shares["illness"], 4) == SEED_SHARES["illness"],
        f"illness share {shares['illness']:.6f}",
    )
    expect(
        round(shares["disability"], 4) == SEED_SHARES["disability"],
        f"disability share {shares['disability']:.6f}",
    )
    both = value(pack.indicator("illness_disability_share", households, as_of=AS_OF))
    expect(round(both, 4) == SEED_SHARES["illness_or_disability"], f"illness or disability {both}")
    expect(
        set(shares) <= set(pack.taxonomies["four_causes_five_lacks"].codes()),
        f"a main cause outside 四因五缺: {set(shares)}",
    )

    # the housing programme: 84 % completed on 2016-09-23, the 2016 schedule
    completed = value(pack.indicator("housing_completed_share", households, as_of=SEED_DAY))
    expect(round(completed, 2) == 0.84, f"completed on 2016-09-23: {completed}")
    n_programme = value(pack.indicator("housing_programme_households", households, as_of=AS_OF))
    expect(n_programme == PROGRAMME, f"programme households {n_programme}")
    schedule = pack.decide_batch(
        "housing_programme_schedule",
        [h for h in households if h.procedures.get("housing")],
        as_of=AS_OF,
    ).counts()
    expect(schedule == {"eligible": 22, "not_eligible": 3, "undetermined": 0}, f"{schedule}")
    guarantee = pack.decide_batch("housing_guarantee", households, as_of=AS_OF).counts()
    expect(guarantee["undetermined"] == 0, f"housing_guarantee {guarantee}")
    expect(guarantee["not_eligible"] == 3, f"housing_guarantee {guarantee}")
    coverage = value(pack.indicator("income_project_coverage", households, as_of=AS_OF))
    expect(coverage == 1.0, f"income project coverage {coverage}")

    # villages and counties decide too (with the poor population from the households)
    by_village = indicators.poor_population_by(result, households, by="village_id")
    filled = indicators.with_poor_population(villages, by_village)
    village_counts = pack.decide_batch("village_exit", filled, as_of=AS_OF).counts()
    expect(village_counts["undetermined"] == 0, f"village_exit {village_counts}")
    by_county = indicators.poor_population_by(result, households, by="county_id")
    county_counts = pack.decide_batch(
        "county_exit", indicators.with_poor_population(counties, by_county), as_of=AS_OF
    ).counts()
    expect(county_counts["undetermined"] == 0, f"county_exit {county_counts}")
    key_villages = value(pack.indicator("city_key_villages", villages, as_of=AS_OF))
    paired = {
        row["group"]: int(row["value"])
        for row in pack.indicator("paired_poor_villages", villages, by="county_id", as_of=AS_OF)
    }

    failed = {c.rule.id: int((c.status == 0).sum()) for c in result.criteria}
    causes: Counter[str] = Counter()
    for h in households:
        assert h.main_cause is not None
        causes[h.main_cause.value] += h.size
    return [
        f"households {len(households)}, people {people}",
        f"household_exit at {AS_OF}: eligible {counts['eligible']} households / "
        f"{eligible_people} people; not_eligible {counts['not_eligible']}; "
        f"undetermined {counts['undetermined']}",
        "failed criteria (households): " + ", ".join(f"{k} {v}" for k, v in failed.items() if v),
        "main causes by people: "
        + ", ".join(f"{k} {v} ({v / people:.2%})" for k, v in causes.most_common()),
        f"cause_breakdown: illness {shares['illness']:.4%}, disability "
        f"{shares['disability']:.4%}; illness_disability_share {both:.4%}",
        f"housing programme {n_programme:.0f} households: completed on {SEED_DAY} {completed:.0%}; "
        f"schedule {schedule}; housing_guarantee {guarantee}",
        f"villages {len(villages)}: village_exit {village_counts}; city key villages "
        f"{key_villages:.0f}; paired poor villages by county {paired}",
        f"counties {len(counties)}: county_exit {county_counts}",
    ]


def main() -> int:
    """Generate, check, and replace the sample only if every check holds."""
    pack = pc.load_pack(PACK)
    exit_steps = tuple(step.id for step in pack.procedures["household_exit"].steps)
    document = generate(random.Random(SEED), exit_steps)
    return write_checked(
        "make_sample_zhangzhou", OUT, document, max_bytes=MAX_BYTES, seed=SEED, check=check
    )


if __name__ == "__main__":
    sys.exit(main())
