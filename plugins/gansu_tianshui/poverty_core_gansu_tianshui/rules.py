"""The rules of the ``gansu_tianshui`` pack, built from the core's blocks.

Thresholds, years, amounts and the readings of interpretations are parameters in
``data/parameters``; the 五清, 六有, 一户一策 and 一村一案 checklists and the coded lists
are data too. This module states only the tests, each with its source:

* Gansu's exit rules (2018 revision of 《甘肃省贫困退出验收办法》, an UNSURE source
  the pack applies from 2018-08-31 to 2020-12-31): household exit adds the four
  drinking-water tests to the national ones; county exit adds the share of poor villages
  exited. Before the revision the national decisions govern;
* the western incidence threshold (3%, "降至3%以下" and so ≤ under 中办发〔2016〕16号;
  under 国开办发〔2017〕56号 the open question of its bounds) as parameter and criterion
  overrides that do not read the record's region;
* Tianshui's 2015 programme (seed 001, 2015-06-16 to 2020-12-31): the three household
  classes, the exit timetable, relocation candidates, the "three ones", microcredit terms
  and cadres.

Every rule takes the period of the source it cites first (``governs`` in
``data/sources.toml``) unless it states its own (``in_force``).

Every decision combines its criteria as vetoes (一票否决): one failed criterion makes
it not eligible.
"""

from __future__ import annotations

from poverty_core import T
from poverty_core.codes import HouseholdStatus
from poverty_core.expressions import (
    Expr,
    all_members,
    all_of,
    any_of,
    coalesce,
    count_members,
    field,
    function,
    length,
    lit,
    member,
    not_,
    param,
)
from poverty_core.national.rules import COUNTY_STANDARD_16
from poverty_core.parameters import cite
from poverty_core.rules import (
    Classifier,
    ClassRule,
    Criterion,
    Decision,
    Indicator,
    Subject,
    TaxonomyItem,
)

__all__ = [
    "CLASSIFIERS",
    "CRITERIA",
    "DECISIONS",
    "INDICATORS",
    "OVERRIDES",
    "is_filled",
]

_MEETING = "tianshui-2015-06-meeting"
CLASSES = cite(
    _MEETING,
    "王锐讲话“一是对象识别要再精准” / Wang Rui's speech, first point: identify the "
    "beneficiaries more precisely",
)
TIMETABLE = cite(
    _MEETING,
    "王锐讲话“三是脱贫时序要再明确” / Wang Rui's speech, third point: make the exit "
    "timetable clearer",
)
RELOCATION = cite(_MEETING, "王锐讲话“要实施易地搬迁” / Wang Rui's speech: carry out relocation")
INDUSTRY = cite(
    _MEETING, "王锐讲话“要坚持连片开发” / Wang Rui's speech: keep to contiguous-area development"
)
FINANCE = cite(
    _MEETING, "王锐讲话“要强化金融支撑” / Wang Rui's speech: strengthen financial support"
)
CADRES = cite(
    _MEETING,
    "王锐讲话“要将双联行动与精准扶贫深度融合起来” / Wang Rui's speech: merge the "
    "Shuanglian campaign with targeted poverty alleviation",
)
HOUSEHOLD_VETOES = cite(
    "gansu-exit-2018-revision",
    "贫困户退出6项否决指标 / the 6 veto indicators of household exit",
)
COUNTY_STANDARD = cite(
    "gansu-exit-2018-revision",
    "贫困县退出：贫困发生率、贫困村退出比例、群众认可度 / county exit: incidence, share of "
    "poor villages exited, public approval",
)
NATIONAL_HOUSEHOLD = cite("zbf-2016-16", "贫困人口退出标准 / standard for the exit of poor people")
NATIONAL_COUNTY = cite("zbf-2016-16", "贫困县退出标准 / standard for the exit of poor counties")
EVALUATION = cite(
    "gkbf-2017-56",
    "专项评估检查指标（据《瞭望》2017-11-06转述） / evaluation indicators (as reported by "
    "Liaowang, 2017-11-06)",
)
WATER = cite(
    "t-ches-18-2018",
    "水量、水质、用水方便程度、供水保证率 / quantity, quality, convenience, reliability",
)

EXITED = (HouseholdStatus.EXITED_SUPPORTED, HouseholdStatus.EXITED)
"""Statuses of a household that has exited (已脱贫, with or without continued support)."""


def is_filled(value: str | None) -> bool | None:
    """Whether a text field holds a non-blank value (``None`` when it is unknown).

    A blank text means the register states there is none; a missing one is unknown.

    >>> is_filled("王某"), is_filled("  "), is_filled(None)
    (True, False, None)
    """
    if value is None:
        return None
    return bool(value.strip())


def _filled(name: str, zh: str, en: str) -> Expr:
    # A plain function, so findings report a yes/no, never the text itself (a cadre's
    # name is personal data).
    return function(is_filled, fields=[name], description=T(f"已填写{zh}", f"{en} is filled in"))


# -- timetable -------------------------------------------------------------------------

_TIMETABLE_TEXT = {
    "household": ("贫困户", "household"),
    "village": ("贫困村", "village"),
    "county": ("贫困县", "county"),
}


def _planned_year_within(subject: Subject) -> Criterion:
    zh, en = _TIMETABLE_TEXT[subject]
    return Criterion(
        id=f"{subject}_planned_exit_year",
        subject=subject,
        title=T(
            f"{zh}有计划脱贫年度，且在2015–2020年脱贫时间表内",
            f"The {en} has a planned exit year within the 2015–2020 timetable",
        ),
        citations=[TIMETABLE],
        test=field("planned_exit_year").between(
            param("timetable_start_year"), param("timetable_end_year")
        ),
        observed=field("planned_exit_year"),
        interpretation=True,
        description=T(
            "来源要求明确贫困户、贫困村、贫困县的脱贫“时间表”（2015–2020年）；本包读作每条记录"
            "有计划脱贫年度且落在时间表内（解释）。未填写的年度为未知，不视为没有。",
            "The source asks for an exit timetable of every poor household, village and county "
            "(2015–2020); the pack reads it as each record having a planned exit year within "
            "the timetable (interpretation). A year not filled in is unknown, not absent.",
        ),
    )


def _exit_phase(subject: Subject) -> Classifier:
    zh, en = _TIMETABLE_TEXT[subject]
    year = field("planned_exit_year")
    return Classifier(
        id=f"{subject}_exit_phase",
        subject=subject,
        title=T(f"{zh}计划脱贫阶段", f"Planned exit phase of the {en}"),
        citations=[TIMETABLE],
        classes=[
            ClassRule(
                "intensive",
                T("前三年集中攻坚（2015–2017年）", "first three years of concentrated effort"),
                year.between(param("timetable_start_year"), param("intensive_phase_end_year")),
            ),
            ClassRule(
                "consolidation",
                T("后三年巩固提高（2018–2020年）", "last three years of consolidation"),
                year.between(param("consolidation_phase_start_year"), param("timetable_end_year")),
            ),
        ],
        otherwise=TaxonomyItem(
            "outside_timetable", T("不在脱贫时间表内", "outside the exit timetable")
        ),
        description=T(
            "按计划脱贫年度归入“前三年集中攻坚、后三年巩固提高”两个阶段之一；年度未知则无法判定。",
            "Puts the record in one of the two phases ('first three years of concentrated "
            "effort, last three years of consolidation') by its planned exit year; an unknown "
            "year is undetermined.",
        ),
    )


# -- household classes (interpretation) --------------------------------------------------

_not_able_to_work = member("labour_capacity").isin(param("no_labour_capacities"))
_policy_support = all_of(
    field("attribute").isin(param("safety_net_attributes")),
    all_members(_not_able_to_work),
)
_above_line = field("annual_net_income_per_capita") > param("poverty_line")

HOUSEHOLD_CLASS = Classifier(
    id="household_class",
    subject="household",
    title=T("贫困户类别（三类）", "Household class (three classes)"),
    citations=[CLASSES],
    classes=[
        ClassRule(
            "policy_support",
            T("政策保障户", "policy-safeguard household"),
            _policy_support,
            description=T(
                "家庭成员均无劳动能力，且由低保或特困供养兜底（解释；参数 no_labour_capacities、"
                "safety_net_attributes）。",
                "No member able to work, and supported by the minimum living allowance or "
                "destitute support (interpretation; parameters no_labour_capacities, "
                "safety_net_attributes).",
            ),
        ),
        ClassRule(
            "consolidation",
            T("巩固提升户", "consolidation household"),
            _above_line,
            description=T(
                "年人均纯收入已高于扶贫标准，需巩固提升（解释）。",
                "Income per capita already above the poverty line, to be consolidated "
                "(interpretation).",
            ),
        ),
    ],
    otherwise=TaxonomyItem("targeted", T("精准扶贫户", "targeted-assistance household")),
    interpretation=True,
    description=T(
        "来源要求按精准扶贫户、政策保障户、巩固提升户三个类别区分所有贫困户，但未给出划分标准。"
        "本包的解释：先看政策保障户（无劳动能力且兜底保障），再看巩固提升户（收入已高于扶贫标准），"
        "其余为精准扶贫户；每户恰归一类，前一类的检验未知则无法判定。",
        "The source asks that every poor household be put in one of three classes "
        "(targeted-assistance, policy-safeguard, consolidation) but gives no test. The "
        "pack's interpretation: policy-safeguard first (no one able to work and on the "
        "safety net), then consolidation (income already above the line), the rest "
        "targeted-assistance; every household gets exactly one class, undetermined when an "
        "earlier class's test is unknown.",
    ),
)

# -- cadres ---------------------------------------------------------------------------

_pairing_kept = any_of(
    field("status").isin(EXITED), _filled("pairing_cadre", "挂钩帮扶干部", "the pairing cadre")
)
_work_team = any_of(not_(field("poor_village")), field("resident_work_team"))
_unit = any_of(
    not_(field("poor_village")),
    _filled("responsible_unit", "帮扶责任单位", "the responsible unit"),
)

# -- the three ones (interpretation) ------------------------------------------------------

_skilled_if_able = any_of(_not_able_to_work, member("has_skill"))
_income_channel = length("income_projects") >= 1
_leading_industry = length("leading_industries") >= 1

# -- relocation (interpretation) -------------------------------------------------------------

_conditions = (
    field("poor_natural_resources"),
    field("infrastructure_backlog"),
    field("harsh_living_conditions"),
)
_all_conditions = param("relocation_requires_all_conditions")

CRITERIA: list[Criterion] = [
    _planned_year_within("household"),
    _planned_year_within("village"),
    _planned_year_within("county"),
    Criterion(
        id="pairing_until_exit",
        subject="household",
        title=T(
            "未脱贫户有挂钩帮扶责任人（不脱贫不脱钩）",
            "A household not exited has its pairing cadre (no unpairing before exit)",
        ),
        citations=[CADRES],
        test=_pairing_kept,
        observed=field("status"),
        description=T(
            "“确保所有贫困村、贫困户都有责任单位和责任人……不脱贫不脱钩”：未脱贫（含返贫）的户须有"
            "挂钩帮扶干部；已脱贫户不再要求。挂钩帮扶干部一栏留空表示没有，未填写为未知。",
            "'Every poor village and household has a responsible unit and person … no "
            "unpairing before exit': a household not exited (including one that returned to "
            "poverty) must have a pairing cadre; an exited one need not. A blank pairing cadre "
            "means none; a missing one is unknown.",
        ),
    ),
    Criterion(
        id="village_resident_work_team",
        subject="village",
        title=T("贫困村有驻村工作队", "A poor village has a resident work team"),
        citations=[CADRES],
        test=_work_team,
        observed=field("resident_work_team"),
        description=T(
            "“为每个贫困村组建一支常年不间断的扶贫工作队”；非贫困村不要求。",
            "'Form a poverty-alleviation work team, present all year, for every poor village'; "
            "not required of villages that are not poor.",
        ),
    ),
    Criterion(
        id="village_responsible_unit",
        subject="village",
        title=T("贫困村有帮扶责任单位", "A poor village has a responsible unit"),
        citations=[CADRES],
        test=_unit,
        description=T(
            "“确保所有贫困村、贫困户都有责任单位和责任人”；非贫困村不要求。责任单位一栏留空表示没有。",
            "'Every poor village and household has a responsible unit and person'; not "
            "required of villages that are not poor. A blank responsible unit means none.",
        ),
    ),
    Criterion(
        id="income_channel",
        subject="household",
        title=T(
            "户户有增收门路：至少一个增收项目", "An income channel: at least one income project"
        ),
        citations=[INDUSTRY],
        test=_income_channel,
        interpretation=True,
        description=T(
            "“三个一”目标之“户户有增收门路”，本包读作至少有一个增收项目（解释）。",
            "The 'three ones' goal of an income channel for every household, read as at least "
            "one income project (interpretation).",
        ),
    ),
    Criterion(
        id="working_members_skilled",
        subject="household",
        title=T(
            "群众有致富技能：有劳动能力的成员都掌握一门技能",
            "A skill for everyone: every member able to work has a skill",
        ),
        citations=[INDUSTRY],
        test=all_members(_skilled_if_able),
        observed=count_members(not_(_skilled_if_able)),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "“三个一”目标之“群众有致富技能”，本包读作有劳动能力的成员都掌握一门技能；"
            "无劳动能力的成员（参数 no_labour_capacities）不计（解释）。",
            "The 'three ones' goal of a skill for everyone, read as every member able to work "
            "having a skill; members not able to work (parameter no_labour_capacities) are "
            "exempt (interpretation).",
        ),
    ),
    Criterion(
        id="leading_industry",
        subject="village",
        title=T("村村有主导产业：至少一个主导产业", "A leading industry: at least one"),
        citations=[INDUSTRY],
        test=_leading_industry,
        interpretation=True,
        description=T(
            "“三个一”目标之“村村有主导产业”，本包读作至少有一个主导产业（解释）。",
            "The 'three ones' goal of a leading industry in every village, read as at least "
            "one (interpretation).",
        ),
    ),
    Criterion(
        id="relocation_poor_village",
        subject="village",
        title=T("是建档立卡贫困村", "Is a registered poor village"),
        citations=[RELOCATION],
        test=field("poor_village"),
        description=T(
            "整村搬迁的对象是“贫困村”。", "Whole-village relocation is for poor villages."
        ),
    ),
    Criterion(
        id="relocation_conditions",
        subject="village",
        title=T(
            "自然资源贫乏、基础欠账大、生存条件恶劣（一方水土难养一方人）",
            "Poor natural resources, a large infrastructure backlog, harsh living conditions",
        ),
        citations=[RELOCATION],
        test=any_of(
            all_of(_all_conditions, *_conditions),
            all_of(not_(_all_conditions), any_of(*_conditions)),
        ),
        interpretation=True,
        description=T(
            "参数 relocation_requires_all_conditions 为 true 时三项须同时具备，"
            "为 false 时具备任一项即可（解释）。",
            "All three when the parameter relocation_requires_all_conditions is true, any one "
            "when it is false (interpretation).",
        ),
    ),
    Criterion(
        id="microcredit_no_collateral",
        subject="household",
        title=T("免抵押", "No collateral required"),
        citations=[FINANCE],
        test=not_(field("microcredit_collateral")),
        observed=field("microcredit_collateral"),
    ),
    Criterion(
        id="microcredit_no_guarantor",
        subject="household",
        title=T("免担保", "No guarantor required"),
        citations=[FINANCE],
        test=not_(field("microcredit_guarantor")),
        observed=field("microcredit_guarantor"),
    ),
    Criterion(
        id="microcredit_amount",
        subject="household",
        title=T("贷款金额在5万元以下", "Loan of 50,000 yuan or less"),
        citations=[FINANCE],
        test=field("microcredit_amount") <= param("microcredit_amount_max"),
    ),
    Criterion(
        id="microcredit_term",
        subject="household",
        title=T("贷款期限在3年以内", "Term of 3 years or less"),
        citations=[FINANCE],
        test=field("microcredit_term_years") <= param("microcredit_term_max"),
    ),
    Criterion(
        id="microcredit_interest_subsidised",
        subject="household",
        title=T("财政贴息", "Interest subsidised"),
        citations=[FINANCE],
        test=field("microcredit_interest_subsidised"),
        description=T(
            "“完善贫困户贷款贴息政策”：精准扶贫小额信贷享受贴息。",
            "'Improve the interest subsidy for poor households' loans': targeted-poverty "
            "microcredit is interest-subsidised.",
        ),
    ),
    Criterion(
        id="county_villages_exited",
        subject="county",
        title=T(
            "贫困村退出比例达到要求（甘肃）", "Share of poor villages exited meets the standard"
        ),
        citations=[COUNTY_STANDARD],
        test=field("poor_villages_exited") / field("poor_villages")
        >= param("county_villages_exited_share_min"),
        description=T(
            "贫困村退出比例 = 已退出贫困村数 ÷ 贫困村数。来源未给出阈值：参数 "
            "county_villages_exited_share_min 没有取值，须由调用方提供，否则本项为未知。",
            "Share = poor villages exited ÷ poor villages. The sources give no threshold: the "
            "parameter county_villages_exited_share_min has no value and must be supplied by "
            "the caller, otherwise this finding is unknown.",
        ),
    ),
]

_VETO_NOTE = T(
    "各项均为一票否决：任一项未通过即不符合。",
    "Each criterion is a veto (一票否决): one failure makes the outcome not eligible.",
)

DECISIONS: list[Decision] = [
    Decision(
        id="household_timetable",
        subject="household",
        title=T("贫困户脱贫时间表", "Household exit timetable"),
        citations=[TIMETABLE],
        criteria=["household_planned_exit_year"],
    ),
    Decision(
        id="village_timetable",
        subject="village",
        title=T("贫困村脱贫时间表", "Village exit timetable"),
        citations=[TIMETABLE],
        criteria=["village_planned_exit_year"],
    ),
    Decision(
        id="county_timetable",
        subject="county",
        title=T("贫困县脱贫时间表", "County exit timetable"),
        citations=[TIMETABLE],
        criteria=["county_planned_exit_year"],
    ),
    Decision(
        id="household_assistance",
        subject="household",
        title=T("贫困户帮扶责任人（不脱贫不脱钩）", "Household pairing (no unpairing before exit)"),
        citations=[CADRES],
        criteria=["pairing_until_exit"],
    ),
    Decision(
        id="village_assistance",
        subject="village",
        title=T("贫困村驻村帮扶", "Village assistance: work team and responsible unit"),
        citations=[CADRES],
        criteria=["village_resident_work_team", "village_responsible_unit"],
        description=_VETO_NOTE,
    ),
    Decision(
        id="three_ones_household",
        subject="household",
        title=T(
            "“三个一”：户户有增收门路、群众有致富技能", "Three ones: income channel and skills"
        ),
        citations=[INDUSTRY],
        criteria=["income_channel", "working_members_skilled"],
        description=_VETO_NOTE,
    ),
    Decision(
        id="three_ones_village",
        subject="village",
        title=T("“三个一”：村村有主导产业", "Three ones: a leading industry in the village"),
        citations=[INDUSTRY],
        criteria=["leading_industry"],
    ),
    Decision(
        id="relocation_candidate",
        subject="village",
        title=T("整村易地扶贫搬迁候选村", "Candidate for whole-village relocation"),
        citations=[RELOCATION],
        criteria=["relocation_poor_village", "relocation_conditions"],
        description=T(
            "符合即为整村搬迁、集中安置或村组合并、分散插花的候选村"
            "（方式见分类 relocation_modes）。",
            "Eligible means a candidate for whole-village relocation with centralised "
            "resettlement, or merging with dispersed resettlement (forms: taxonomy "
            "relocation_modes).",
        ),
    ),
    Decision(
        id="microcredit_terms",
        subject="household",
        title=T("精准扶贫小额信贷条件", "Targeted-poverty microcredit terms"),
        citations=[FINANCE],
        criteria=[
            "microcredit_no_collateral",
            "microcredit_no_guarantor",
            "microcredit_amount",
            "microcredit_term",
            "microcredit_interest_subsidised",
        ],
        description=T(
            "“免抵押、免担保、5万元以下、3年以内的小额信用贷款”并享受贴息。" + _VETO_NOTE.zh,
            "'Microcredit without collateral or guarantor, of 50,000 yuan or less, for 3 years "
            "or less', interest-subsidised. " + _VETO_NOTE.en,
        ),
    ),
]


_incidence_share = field("poor_population") / field("rural_registered_population")
_INCIDENCE_TEXT = T(
    "贫困发生率 = 未脱贫建档立卡贫困人口 ÷ 农村户籍人口。",
    "Incidence = registered poor not yet exited ÷ rural registered population. ",
)
_WEST_NOTE = T(
    "甘肃的村、县一律适用西部阈值（参数 {p} 在本包覆盖为3%），不看记录中的所在区域。中等可信度："
    "甘肃属西部一事出自本项目规则清单。",
    "Every Gansu {s} uses the western threshold (parameter {p}, overridden to 3% in this "
    "pack), whatever region its record states. Medium confidence: that Gansu is western "
    "comes from the project's rule inventory.",
)

_16_UNTIL_56 = COUNTY_STANDARD_16
"""The period of 16号's county incidence test: the national ``county_incidence``'s."""


def _west(subject: Subject, parameter: str) -> tuple[str, str]:
    _, en = _TIMETABLE_TEXT[subject]
    return (
        _WEST_NOTE.zh.format(p=parameter),
        _WEST_NOTE.en.format(p=parameter, s=en),
    )


def _incidence_16(subject: Subject, parameter: str, locator: str) -> Criterion:
    """16号's incidence test in Gansu: ≤ 3% ("降至3%以下": 以下 includes the bound)."""
    west_zh, west_en = _west(subject, parameter)
    return Criterion(
        id=f"{subject}_incidence",
        subject=subject,
        title=T(
            "贫困发生率降至3%以下（含3%；甘肃属西部地区）",
            "Poverty incidence at or below 3% (Gansu is a western region)",
        ),
        citations=[cite("zbf-2016-16", locator)],
        test=_incidence_share <= param(parameter),
        observed=_incidence_share,
        required=param(parameter),
        op="≤",
        in_force=_16_UNTIL_56 if subject == "county" else None,
        description=T(
            "中办发〔2016〕16号「原则上贫困村（县）贫困发生率降至2%以下（西部地区降至3%以下）」："
            "「以下」含本数，恰为3%达标。"
            + _INCIDENCE_TEXT.zh
            + west_zh
            + (
                "适用至国开办发〔2017〕56号（2017-09-30）之前一日；此后见 "
                "county_assessed_incidence。"
                if subject == "county"
                else ""
            ),
            "Zhongbanfa [2016] No. 16: incidence 'falls to 2% or below (3% or below in the "
            "west)': 以下 includes the bound, so exactly 3% passes. "
            + _INCIDENCE_TEXT.en
            + west_en
            + (
                " It applies until the day before Guokaibanfa [2017] No. 56 (2017-09-30); "
                "from then on see county_assessed_incidence."
                if subject == "county"
                else ""
            ),
        ),
    )


_INCLUSIVE = param("county_evaluation_bounds_inclusive")
_assessed_incidence = coalesce(field("composite_poverty_incidence"), _incidence_share)

_COUNTY_assessed_incidence_INCIDENCE = Criterion(
    id="county_assessed_incidence",
    subject="county",
    title=T(
        "专项评估检查：贫困发生率低于3%（甘肃属西部地区）",
        "Special evaluation: poverty incidence below 3% (Gansu is a western region)",
    ),
    citations=[EVALUATION, NATIONAL_COUNTY],
    test=any_of(
        _INCLUSIVE & (_assessed_incidence <= param("county_incidence_max")),
        _assessed_incidence < param("county_incidence_max"),
    ),
    observed=_assessed_incidence,
    required=param("county_incidence_max"),
    op="<",
    description=T(
        "国开办发〔2017〕56号（2017-09-30起）：《瞭望》转述「贫困发生率必须低于2%（西部地区低于3%）」，"
        "「主要考核综合贫困发生率」。记录给出综合贫困发生率时用之，否则以建档立卡贫困发生率代替"
        "（本包的读法，非56号的口径）。是否含界限为未决问题，见国家参数 "
        "county_evaluation_bounds_inclusive：本包按读法A（严格，恰为3%不达标），读法B"
        "（「不得退出」的转述）恰为3%达标。" + _west("county", "county_incidence_max")[0],
        "Guokaibanfa [2017] No. 56 (from 2017-09-30): Liaowang reports 'incidence must be below "
        "2% (below 3% in the west)', measured as the composite incidence. When the record "
        "gives the composite incidence it is used; otherwise the registered incidence stands "
        "in for it (the pack's reading, not 56号's measure). Whether the bound passes is an "
        "open question, the national parameter county_evaluation_bounds_inclusive: the pack "
        "ships reading A (strict, exactly 3% fails); reading B (the 'may not exit' "
        "rendering) passes exactly 3%. " + _west("county", "county_incidence_max")[1],
    ),
)

_WATER_CRITERIA = ("water_quantity", "water_quality", "water_access", "water_reliability")
"""The national drinking_water criteria (T/CHES 18-2018, from 2019-01-01)."""

OVERRIDES: list[Criterion | Decision] = [
    _incidence_16(
        "village",
        "village_incidence_max",
        "二(二) 贫困村退出：「原则上贫困村贫困发生率降至2%以下（西部地区降至3%以下）」",
    ),
    _incidence_16(
        "county",
        "county_incidence_max",
        "二(三) 贫困县退出：「原则上贫困县贫困发生率降至2%以下（西部地区降至3%以下）」",
    ),
    _COUNTY_assessed_incidence_INCIDENCE,
    Decision(
        id="household_exit",
        subject="household",
        title=T(
            "贫困户退出（甘肃：6项否决指标，含饮水安全）",
            "Household exit (Gansu: 6 veto indicators, with safe drinking water)",
        ),
        citations=[HOUSEHOLD_VETOES, NATIONAL_HOUSEHOLD, WATER],
        criteria=[
            "income_above_line",
            "food_secure",
            "clothing_secure",
            "compulsory_education",
            "basic_medical",
            "safe_housing",
            *_WATER_CRITERIA,
        ],
        description=T(
            "甘肃6项否决指标（2018年8月修订，存疑来源，本包自2018-08-31起至2020-12-31适用）：收入、吃穿、"
            "饮水安全、义务教育、基本医疗、住房安全。在国家检验之外增加国家包的饮水四项（水量、水质、"
            "取水方便、供水保证）；饮水四项依 T/CHES 18-2018 自2019-01-01起适用，此前为「不适用」，"
            "不计为未知。2018-08-31以前由国家包的贫困户退出（16号）判定。" + _VETO_NOTE.zh,
            "Gansu's 6 veto indicators (August 2018 revision, an UNSURE source the pack applies "
            "from 2018-08-31 to 2020-12-31): income, food and clothing, safe drinking water, "
            "education, medical care, housing. Adds the national pack's four water criteria "
            "(quantity, quality, access, reliability) to the national tests; they apply from "
            "2019-01-01 (T/CHES 18-2018), and before that they are not in force, not unknown. "
            "Before 2018-08-31 the national household exit (16号) decides. " + _VETO_NOTE.en,
        ),
    ),
    Decision(
        id="county_exit",
        subject="county",
        title=T(
            "贫困县退出（甘肃：含贫困村退出比例）",
            "County exit (Gansu: with the share of poor villages exited)",
        ),
        citations=[COUNTY_STANDARD, NATIONAL_COUNTY, EVALUATION],
        criteria=[
            "county_in_scope",
            "county_incidence",
            "county_assessed_incidence",
            "county_wrong_exit_rate",
            "county_omission_rate",
            "county_public_approval",
            "county_villages_exited",
        ],
        description=T(
            "甘肃看贫困发生率（西部3%）、贫困村退出比例和群众认可度（2018年8月修订，存疑来源，本包自"
            "2018-08-31起适用）；贫困县范围、错退率、漏评率沿用国家包。贫困村退出比例的阈值来源未给出，"
            "须由调用方提供。2018-08-31以前由国家包的贫困县退出判定（发生率用本包的3%）。"
            + _VETO_NOTE.zh,
            "Gansu looks at incidence (western 3%), the share of poor villages exited and "
            "public approval (August 2018 revision, an UNSURE source the pack applies from "
            "2018-08-31); the scope and the wrong-exit and omission rates are kept from the "
            "national pack. The sources give no threshold for the share of villages exited: "
            "the caller supplies it. Before 2018-08-31 the national county exit decides (with "
            "this pack's 3% incidence). " + _VETO_NOTE.en,
        ),
    ),
]

CLASSIFIERS: list[Classifier] = [
    HOUSEHOLD_CLASS,
    _exit_phase("household"),
    _exit_phase("village"),
    _exit_phase("county"),
]

_EVERY = (">=", lit(1))
"""The target of a coverage rate the source states for 'every' record: 100%."""

INDICATORS: list[Indicator] = [
    Indicator(
        id="pairing_coverage",
        subject="household",
        title=T("不脱贫不脱钩覆盖率", "Pairing coverage (no unpairing before exit)"),
        citations=[CADRES],
        kind="share",
        condition=_pairing_kept,
        target=_EVERY,
        description=T(
            "已脱贫或有挂钩帮扶干部的户 ÷ 全部户；应为100%。",
            "Households exited or with a pairing cadre ÷ all households; should be 100%.",
        ),
    ),
    Indicator(
        id="work_team_coverage",
        subject="village",
        title=T("驻村工作队覆盖率", "Resident work team coverage"),
        citations=[CADRES],
        kind="share",
        condition=_work_team,
        target=_EVERY,
        description=T(
            "有驻村工作队的村（非贫困村计为符合）÷ 全部村；"
            "只传入贫困村即为贫困村覆盖率；应为100%。",
            "Villages with a resident work team (villages not poor count as meeting it) ÷ all "
            "villages; pass only poor villages for the poor-village rate; should be 100%.",
        ),
    ),
    Indicator(
        id="income_channel_coverage",
        subject="household",
        title=T("户户有增收门路覆盖率", "Income channel coverage"),
        citations=[INDUSTRY],
        kind="share",
        condition=_income_channel,
        target=_EVERY,
        interpretation=True,
        description=T(
            "至少有一个增收项目的户 ÷ 全部户（“三个一”目标，解释）。",
            "Households with at least one income project ÷ all households (the 'three ones' "
            "goal; interpretation).",
        ),
    ),
    Indicator(
        id="leading_industry_coverage",
        subject="village",
        title=T("村村有主导产业覆盖率", "Leading industry coverage"),
        citations=[INDUSTRY],
        kind="share",
        condition=_leading_industry,
        target=_EVERY,
        interpretation=True,
        description=T(
            "至少有一个主导产业的村 ÷ 全部村（“三个一”目标，解释）。",
            "Villages with at least one leading industry ÷ all villages (the 'three ones' "
            "goal; interpretation).",
        ),
    ),
]
