"""The national rules (贫困退出, 两不愁三保障, 第三方评估) as criteria and decisions.

Thresholds and lines are parameters in ``data/parameters``; this module states only
the tests. Every criterion cites the national document it encodes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from poverty_core._text import T, Text
from poverty_core.codes import HouseGrade, Region, SchoolingStatus
from poverty_core.expressions import (
    Expr,
    all_members,
    any_of,
    coalesce,
    count_members,
    field,
    lit,
    member,
    no_member,
    not_,
    param,
    where,
)
from poverty_core.parameters import Citation, Period, cite
from poverty_core.rules import Criterion, Decision

EXIT = cite("zbf-2016-16", "贫困人口退出标准 / standard for the exit of poor people")
RESTATED = cite("fujian-2018-three-year", "一(三) 坚持严格执行现行扶贫标准")
GUIDANCE = cite("guidance-2019-three-guarantees", "三保障的操作口径 / operational three guarantees")
VILLAGE_EXIT = cite("zbf-2016-16", "贫困村退出标准 / standard for the exit of poor villages")
COUNTY_EXIT = cite("zbf-2016-16", "贫困县退出标准 / standard for the exit of poor counties")
EVALUATION = cite(
    "gkbf-2017-56",
    "专项评估检查指标（据《瞭望》2017-11-06转述） / evaluation indicators (as reported by "
    "Liaowang, 2017-11-06)",
)
SCOPE = cite(
    "gkbf-2017-56",
    "第二条：「本办法适用于国家扶贫开发工作重点县和集中连片特困地区县」 / art. 2: scope",
)
WATER = cite(
    "t-ches-18-2018",
    "水量、水质、用水方便程度、供水保证率 / quantity, quality, convenience, reliability",
)

school_age = member("age").between(
    param("compulsory_school_age_min"), param("compulsory_school_age_max")
)
out_of_school = school_age & member("schooling_status").eq(SchoolingStatus.OUT_OF_SCHOOL)
insured = (
    member("basic_medical_insurance")
    & member("serious_illness_insurance")
    & member("medical_assistance")
)
relocated_with_keys = field("relocated") & field("relocation_keys_received")


incidence = field("poor_population") / field("rural_registered_population")
wrong_exit_rate = coalesce(
    field("wrong_exit_rate"), field("sampled_wrongly_exited") / field("sampled_exited")
)
omission_rate = coalesce(
    field("omission_rate"), field("verified_omitted") / field("sampled_non_registered_population")
)
approval = coalesce(
    field("public_approval"), field("approving_households") / field("surveyed_households")
)
is_west = field("region").eq(Region.WEST)
inclusive = param("county_evaluation_bounds_inclusive")


COUNTY_STANDARD_16 = Period(
    dt.date(2016, 4, 29),
    dt.date(2017, 9, 29),
    cite("gkbf-2017-56", "通知日期 2017-09-30 / notice dated 2017-09-30"),
    T(
        "16号的县退出标准，至56号的专项评估检查指标取代之前一日。",
        "16号's county standard, until 56号's evaluation indicators replace it.",
    ),
)
"""The period of 16号's county exit standard (``county_incidence``): from 16号 until the
day before 56号 (2017-09-30) replaced it. A child pack that restates that test for its
own counties uses this period rather than repeating the dates."""


def _at_most(value: Expr, bound: Expr) -> Expr:
    """56号's "below" bound: strict (reading A) unless the caller includes it (B)."""
    return any_of(inclusive & (value <= bound), value < bound)


def _at_least(value: Expr, bound: Expr) -> Expr:
    """56号's "above" bound: strict (reading A) unless the caller includes it (B)."""
    return any_of(inclusive & (value >= bound), value > bound)


def _incidence_rule(
    id: str,
    subject: str,
    general: str,
    west: str,
    citations: list[Citation],
    title: Text,
    *,
    measured: Expr = incidence,
    within: Callable[[Expr, Expr], Expr] = lambda value, bound: value <= bound,
    op: str = "≤",
    description: Text,
    in_force: Period | None = None,
) -> Criterion:
    return Criterion(
        id=id,
        subject=subject,  # type: ignore[arg-type]
        title=title,
        citations=citations,
        test=any_of(within(measured, param(general)), is_west & within(measured, param(west))),
        observed=measured,
        required=where(is_west, param(west), param(general)),
        op=op,
        description=description,
        in_force=in_force,
    )


CRITERIA = [
    Criterion(
        id="income_above_line",
        subject="household",
        title=T("年人均纯收入稳定超过扶贫标准", "Income per capita stably above the poverty line"),
        citations=[EXIT],
        test=field("annual_net_income_per_capita") > param("poverty_line"),
        interpretation=True,
        description=T(
            "“稳定超过”无法由一年的数据检验：按评估年度的收入高于该年扶贫标准判定（解释）。",
            "'Stably above' cannot be tested from one year's figure: the income of the "
            "assessed year must exceed that year's line (interpretation).",
        ),
    ),
    Criterion(
        id="food_secure",
        subject="household",
        title=T("不愁吃", "No worry about food"),
        citations=[EXIT, RESTATED],
        test=field("food_secure"),
    ),
    Criterion(
        id="clothing_secure",
        subject="household",
        title=T("不愁穿", "No worry about clothing"),
        citations=[EXIT, RESTATED],
        test=field("clothing_secure"),
    ),
    Criterion(
        id="compulsory_education",
        subject="household",
        title=T(
            "义务教育有保障：无义务教育阶段适龄儿童失学辍学",
            "Compulsory education guaranteed: no child of school age out of school",
        ),
        citations=[EXIT, RESTATED, GUIDANCE],
        test=no_member(out_of_school),
        observed=count_members(out_of_school),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "适龄范围为参数（地方规则为 6–15 周岁）；因残不能就学者不计为失学。",
            "The age range is a parameter (6–15 in local rules); a child a disability keeps "
            "from study is not counted as out of school.",
        ),
    ),
    Criterion(
        id="basic_medical",
        subject="household",
        title=T(
            "基本医疗有保障：全员参加基本医保、大病保险并纳入医疗救助",
            "Basic medical care guaranteed: every member in basic insurance, "
            "serious-illness insurance and medical assistance",
        ),
        citations=[EXIT, RESTATED, GUIDANCE],
        test=all_members(insured),
        observed=count_members(not_(insured)),
        required=lit(0),
        op="=",
    ),
    Criterion(
        id="safe_housing",
        subject="household",
        title=T(
            "住房安全有保障：住房为 A、B 级或搬迁户已入住",
            "Safe housing guaranteed: house graded A or B, or relocated with keys in hand",
        ),
        citations=[
            EXIT,
            RESTATED,
            GUIDANCE,
            cite("housing-safety-guideline", "房屋安全等级 A–D / safety grades A–D"),
        ],
        test=any_of(field("house_grade").isin((HouseGrade.A, HouseGrade.B)), relocated_with_keys),
        observed=field("house_grade"),
    ),
    Criterion(
        id="water_quantity",
        subject="household",
        title=T("饮水水量达标", "Drinking water: enough quantity"),
        citations=[WATER, GUIDANCE],
        test=any_of(
            field("water_litres_per_person_day") >= param("water_quantity_min"),
            field("water_short_area")
            & (field("water_litres_per_person_day") >= param("water_quantity_min_water_short")),
        ),
        observed=field("water_litres_per_person_day"),
        required=where(
            field("water_short_area"),
            param("water_quantity_min_water_short"),
            param("water_quantity_min"),
        ),
        op="≥",
    ),
    Criterion(
        id="water_quality",
        subject="household",
        title=T("饮水水质达标", "Drinking water: quality passed"),
        citations=[WATER],
        test=field("water_quality_passed"),
        description=T(
            "水质：县级及以上卫生或水利部门、或有资质（CMA）的检测机构出具的水质检测报告合格；"
            "分散供水可用「望、闻、问、尝」简易检测。记录的是合格与否，不是数值。",
            "Quality: a passing water-quality test report of a county-level or higher health or "
            "water department or a CMA-accredited laboratory; for dispersed supply the simple "
            "on-site check (look, smell, ask, taste). The record carries pass or fail, not a "
            "number.",
        ),
    ),
    Criterion(
        id="water_access",
        subject="household",
        title=T(
            "取水方便：单次往返 ≤ 20 分钟或水平距离 ≤ 800 米或垂直距离 ≤ 80 米",
            "Drinking water: convenient (trip, horizontal or vertical distance within limits)",
        ),
        citations=[WATER],
        test=any_of(
            field("water_trip_minutes") <= param("water_trip_minutes_max"),
            field("water_horizontal_distance") <= param("water_horizontal_distance_max"),
            field("water_vertical_distance") <= param("water_vertical_distance_max"),
        ),
    ),
    Criterion(
        id="water_reliability",
        subject="household",
        title=T("供水有保证：年缺水天数不超过限值", "Drinking water: reliable supply"),
        citations=[WATER],
        test=field("water_days_without") <= param("water_days_without_max"),
    ),
    _incidence_rule(
        "village_incidence",
        "village",
        "village_incidence_max",
        "village_incidence_max_west",
        [VILLAGE_EXIT],
        T(
            "贫困发生率降至 {village_incidence_max} 以下（含本数；西部地区 "
            "{village_incidence_max_west} 以下）",
            "Poverty incidence at or below {village_incidence_max} "
            "({village_incidence_max_west} in the west)",
        ),
        description=T(
            "「降至2%以下（西部地区降至3%以下）」：「以下」含本数，恰为界限值达标。"
            "贫困发生率 = 未脱贫建档立卡贫困人口 ÷ 农村户籍人口。16号另要求统筹考虑基础设施、"
            "基本公共服务、产业发展、集体经济收入等因素，未给出检验（见未编码）。",
            "'Falls to 2% or below (3% or below in the west)': 以下 includes the bound, so "
            "exactly 2% (3% west) passes. Incidence = registered poor not yet exited ÷ rural "
            "registered population. 16号 also asks to consider infrastructure, public services, "
            "industry and collective income, with no test (see not encoded).",
        ),
    ),
    Criterion(
        id="county_in_scope",
        subject="county",
        title=T(
            "属贫困县：国家扶贫开发工作重点县或集中连片特困地区县",
            "A poverty county: a national key county or a contiguous poor-area county",
        ),
        citations=[COUNTY_EXIT, SCOPE],
        test=field("key_county"),
        description=T(
            "16号「贫困县包括国家扶贫开发工作重点县和集中连片特困地区县」；本决策只判这些县。"
            "省级重点县（如福建的23个）不在此列，除非有来源另行规定。",
            "16号: 'poor counties are the national key counties and the contiguous poor-area "
            "counties'; this decision judges only those. A provincial key county (such as "
            "Fujian's 23) is not one of them unless a source says so.",
        ),
    ),
    _incidence_rule(
        "county_incidence",
        "county",
        "county_incidence_max",
        "county_incidence_max_west",
        [COUNTY_EXIT],
        T(
            "贫困发生率降至 {county_incidence_max} 以下（含本数；西部地区 "
            "{county_incidence_max_west} 以下）",
            "Poverty incidence at or below {county_incidence_max} "
            "({county_incidence_max_west} in the west)",
        ),
        description=T(
            "16号「降至2%以下（西部地区降至3%以下）」，按建档立卡口径，恰为界限值达标。"
            "适用至国开办发〔2017〕56号（2017-09-30）之前一日；此后见 county_assessed_incidence。",
            "16号 'falls to 2% or below (3% or below in the west)', on registered incidence; "
            "exactly 2% (3% west) passes. It applies until the day before Guokaibanfa [2017] "
            "No. 56 (2017-09-30); from then on see county_assessed_incidence.",
        ),
        in_force=COUNTY_STANDARD_16,
    ),
    _incidence_rule(
        "county_assessed_incidence",
        "county",
        "county_incidence_max",
        "county_incidence_max_west",
        [EVALUATION, COUNTY_EXIT],
        T(
            "专项评估检查：贫困发生率低于 {county_incidence_max}（西部地区低于 "
            "{county_incidence_max_west}）",
            "Special evaluation: poverty incidence below {county_incidence_max} "
            "({county_incidence_max_west} in the west)",
        ),
        measured=coalesce(field("composite_poverty_incidence"), incidence),
        within=_at_most,
        op="<",
        description=T(
            "《瞭望》转述56号「主要考核综合贫困发生率」：（未脱贫建档立卡人口 + 错退 + 漏评）÷ "
            "农村人口。记录给出综合贫困发生率时用之；否则以建档立卡贫困发生率代替（本包的读法，"
            "非56号的口径）。是否含界限见参数 county_evaluation_bounds_inclusive（未决问题，"
            "本包按读法A：恰为 2% 不达标）。",
            "Liaowang reports that 56号 evaluates the composite incidence: (registered poor "
            "still poor + wrongly exited + omitted) ÷ rural population. When the record gives "
            "it, it is used; otherwise the registered incidence stands in for it (the pack's "
            "reading, not 56号's measure). Whether the bound passes is the parameter "
            "county_evaluation_bounds_inclusive (an open question; the pack ships reading A: "
            "exactly 2% fails).",
        ),
    ),
    Criterion(
        id="county_wrong_exit_rate",
        subject="county",
        title=T(
            "专项评估检查：错退率低于 {county_wrong_exit_rate_max}",
            "Special evaluation: wrong-exit rate below {county_wrong_exit_rate_max}",
        ),
        citations=[EVALUATION, COUNTY_EXIT],
        test=_at_most(wrong_exit_rate, param("county_wrong_exit_rate_max")),
        observed=wrong_exit_rate,
        required=param("county_wrong_exit_rate_max"),
        op="<",
        description=T(
            "错退率 = 抽查错退人数 ÷ 抽查已脱贫人数；给出比率时用比率。一票否决。是否含界限见参数 "
            "county_evaluation_bounds_inclusive（本包按读法A：恰为 2% 不达标）。",
            "Wrong-exit rate = sampled wrongly exited ÷ sampled exited; a given rate is used "
            "as is. A veto. Whether the bound passes is county_evaluation_bounds_inclusive "
            "(reading A shipped: exactly 2% fails).",
        ),
    ),
    Criterion(
        id="county_omission_rate",
        subject="county",
        title=T(
            "专项评估检查：漏评率低于 {county_omission_rate_max}",
            "Special evaluation: omission rate below {county_omission_rate_max}",
        ),
        citations=[EVALUATION, COUNTY_EXIT],
        test=_at_most(omission_rate, param("county_omission_rate_max")),
        observed=omission_rate,
        required=param("county_omission_rate_max"),
        op="<",
        description=T(
            "漏评率 = 核实漏评人数 ÷ 抽查村非建档立卡农村人口。一票否决。是否含界限见参数 "
            "county_evaluation_bounds_inclusive（本包按读法A）。",
            "Omission rate = verified omitted people ÷ non-registered rural population of the "
            "sampled villages. A veto. Whether the bound passes is "
            "county_evaluation_bounds_inclusive (reading A shipped).",
        ),
    ),
    Criterion(
        id="county_public_approval",
        subject="county",
        title=T(
            "专项评估检查：群众认可度高于 {county_public_approval_min}",
            "Special evaluation: public approval above {county_public_approval_min}",
        ),
        citations=[EVALUATION, COUNTY_EXIT],
        test=_at_least(approval, param("county_public_approval_min")),
        observed=approval,
        required=param("county_public_approval_min"),
        op=">",
        description=T(
            "认可度 = 认可户数 ÷ 调查户数。一票否决。是否含界限见参数 "
            "county_evaluation_bounds_inclusive（本包按读法A：恰为 90% 不达标）。",
            "Approval = approving households ÷ households surveyed. A veto. Whether the bound "
            "passes is county_evaluation_bounds_inclusive (reading A shipped: exactly 90% "
            "fails).",
        ),
    ),
]

DECISIONS = [
    Decision(
        id="household_exit",
        subject="household",
        title=T("贫困户退出（两不愁三保障）", "Household exit (two assurances, three guarantees)"),
        citations=[EXIT, RESTATED],
        criteria=[
            "income_above_line",
            "food_secure",
            "clothing_secure",
            "compulsory_education",
            "basic_medical",
            "safe_housing",
        ],
    ),
    Decision(
        id="drinking_water",
        subject="household",
        title=T("饮水安全", "Safe drinking water"),
        citations=[WATER, GUIDANCE],
        criteria=["water_quantity", "water_quality", "water_access", "water_reliability"],
    ),
    Decision(
        id="village_exit",
        subject="village",
        title=T("贫困村退出", "Village exit"),
        citations=[VILLAGE_EXIT],
        criteria=["village_incidence"],
    ),
    Decision(
        id="county_exit",
        subject="county",
        title=T("贫困县退出（摘帽）", "County exit (removing the hat)"),
        citations=[COUNTY_EXIT, EVALUATION],
        criteria=[
            "county_in_scope",
            "county_incidence",
            "county_assessed_incidence",
            "county_wrong_exit_rate",
            "county_omission_rate",
            "county_public_approval",
        ],
        description=T(
            "只判贫困县（国家重点县和集中连片特困地区县）。2017-09-29 前按16号的发生率标准；"
            "自国开办发〔2017〕56号（2017-09-30）起按专项评估检查的四项指标，每项一票否决。",
            "Only poverty counties (national key counties and contiguous poor-area counties). "
            "Until 2017-09-29 16号's incidence standard; from Guokaibanfa [2017] No. 56 "
            "(2017-09-30) on the special evaluation's four indicators, each a veto.",
        ),
    ),
]
