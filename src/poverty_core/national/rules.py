"""The national rules (贫困退出, 两不愁三保障, 第三方评估) as criteria and decisions.

Thresholds and lines are parameters in ``data/parameters``; this module states only
the tests. Every criterion cites the national document it encodes.
"""

from __future__ import annotations

from poverty_core._text import T, Text
from poverty_core.codes import HouseGrade, Region, SchoolingStatus
from poverty_core.expressions import (
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
from poverty_core.parameters import Citation, cite
from poverty_core.rules import Criterion, Decision

EXIT = cite("zbf-2016-16", "贫困人口退出标准 / standard for the exit of poor people")
RESTATED = cite("fujian-2018-three-year", "一(三) 坚持严格执行现行扶贫标准")
GUIDANCE = cite("guidance-2019-three-guarantees", "三保障的操作口径 / operational three guarantees")
VILLAGE_EXIT = cite("zbf-2016-16", "贫困村退出标准 / standard for the exit of poor villages")
COUNTY_EXIT = cite("zbf-2016-16", "贫困县退出标准 / standard for the exit of poor counties")
EVALUATION = cite("gkbf-2017-56", "第三方评估指标 / third-party evaluation indicators")
WATER = cite(
    "t-ches-18-2018", "水量、用水方便程度、供水保证率 / quantity, convenience, reliability"
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


def _incidence_rule(
    id: str, subject: str, general: str, west: str, citation: Citation, title: Text
) -> Criterion:
    incidence = field("poor_population") / field("rural_registered_population")
    is_west = field("region").eq(Region.WEST)
    return Criterion(
        id=id,
        subject=subject,  # type: ignore[arg-type]
        title=title,
        citations=citation,
        test=any_of(incidence < param(general), is_west & (incidence < param(west))),
        observed=incidence,
        required=where(is_west, param(west), param(general)),
        op="<",
        description=T(
            "贫困发生率 = 未脱贫建档立卡贫困人口 ÷ 农村户籍人口；西部地区阈值为 3%。",
            "Incidence = registered poor not yet exited ÷ rural registered population; "
            "the western threshold applies in the west.",
        ),
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
        VILLAGE_EXIT,
        T("贫困发生率低于 2%（西部低于 3%）", "Poverty incidence below 2% (3% in the west)"),
    ),
    _incidence_rule(
        "county_incidence",
        "county",
        "county_incidence_max",
        "county_incidence_max_west",
        COUNTY_EXIT,
        T("贫困发生率低于 2%（西部低于 3%）", "Poverty incidence below 2% (3% in the west)"),
    ),
    Criterion(
        id="county_wrong_exit_rate",
        subject="county",
        title=T("错退率低于 2%", "Wrong-exit rate below 2%"),
        citations=[EVALUATION, COUNTY_EXIT],
        test=coalesce(
            field("wrong_exit_rate"), field("sampled_wrongly_exited") / field("sampled_exited")
        )
        < param("county_wrong_exit_rate_max"),
        description=T(
            "错退率 = 抽查错退人数 ÷ 抽查已脱贫人数；给出比率时用比率。",
            "Wrong-exit rate = sampled wrongly exited ÷ sampled exited; a given rate is used "
            "as is.",
        ),
    ),
    Criterion(
        id="county_omission_rate",
        subject="county",
        title=T("漏评率低于 2%", "Omission rate below 2%"),
        citations=[EVALUATION, COUNTY_EXIT],
        test=coalesce(
            field("omission_rate"),
            field("verified_omitted") / field("sampled_non_registered_population"),
        )
        < param("county_omission_rate_max"),
        description=T(
            "漏评率 = 核实漏评人数 ÷ 抽查村非建档立卡农村人口。",
            "Omission rate = verified omitted people ÷ non-registered rural population of the "
            "sampled villages.",
        ),
    ),
    Criterion(
        id="county_public_approval",
        subject="county",
        title=T("群众认可度高于 90%", "Public approval above 90%"),
        citations=[EVALUATION, COUNTY_EXIT],
        test=coalesce(
            field("public_approval"), field("approving_households") / field("surveyed_households")
        )
        > param("county_public_approval_min"),
        description=T(
            "认可度 = 认可户数 ÷ 调查户数；恰为 90% 不达标。",
            "Approval = approving households ÷ households surveyed; exactly 90% fails.",
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
        criteria=["water_quantity", "water_access", "water_reliability"],
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
            "county_incidence",
            "county_wrong_exit_rate",
            "county_omission_rate",
            "county_public_approval",
        ],
        description=T("四项指标均为一票否决。", "Each of the four indicators is a veto."),
    ),
]
