"""Rules of the ``zhangzhou`` pack: housing with the 八有 standard, the housing
programme, income projects, and the indicators of the city's 2016 review.

Numbers, lists and quotas live in ``data/``; this module states only the tests. Every
rule cites 闽南日报《漳州市精准扶贫工作综述》(2016-09-26), the pack's one source. The
identification comparison (一核查二比对三清退) and the cadre-load check ("321") read
caller-supplied tables, not register fields, so they are Python APIs of their own:
:mod:`poverty_core_zhangzhou.identification` and :mod:`poverty_core_zhangzhou.pairing`.
"""

from __future__ import annotations

import datetime as dt

from poverty_core import HouseGrade, PovertyCause, T, cite
from poverty_core.blocks import inherited
from poverty_core.expressions import (
    Expr,
    StepDone,
    all_of,
    any_of,
    as_of,
    checklist_complete,
    coalesce,
    field,
    function,
    length,
    not_,
    param,
    procedure_complete,
    step_date,
)
from poverty_core.rules import Criterion, Decision, Indicator

__all__ = [
    "CRITERIA",
    "DECISIONS",
    "HOUSING_PROCEDURE",
    "INDICATORS",
    "OVERRIDES",
    "built_by_deadline",
    "housing_completed",
    "in_housing_programme",
    "inherited_safe_housing",
    "moved_in_by_deadline",
]

SOURCE = "zhangzhou-2016-review"
IDENTIFICATION = cite(
    SOURCE, "精准识别，找准靶向，夯实精准扶贫工作基础 / section 'precise identification'"
)
HOUSING = cite(
    SOURCE,
    "狠抓重点，精准发力，无房户安居工程即将完成 / section 'housing programme for households "
    "without a house'",
)
HOUSING_STEPS = cite(
    SOURCE,
    "狠抓重点，精准发力，无房户安居工程即将完成 二是程序公开，阳光运作 / section 'housing "
    "programme', item 2 'open procedure'",
)
HOUSING_FORMS = cite(
    SOURCE,
    "狠抓重点，精准发力，无房户安居工程即将完成 三是分类施策，措施具体 / section 'housing "
    "programme', item 3 'measures by category'",
)
PROJECTS = cite(
    SOURCE,
    "着力治本，精准施策，产业扶贫不断取得新的进展 二是突出抓项目带动 / section 'industry "
    "support', item 2 'driving by projects'",
)
VILLAGES = cite(
    SOURCE,
    "深入发动，广泛参与，初步形成社会大扶贫格局 一是整村推进帮扶 / section 'society-wide "
    "assistance', item 1 'whole-village assistance'",
)
CITY_KEY_VILLAGES = cite(
    SOURCE,
    "深入发动，广泛参与，初步形成社会大扶贫格局 一是整村推进帮扶：市里及时下拨财政资金2100万元扶持"
    "21个市级重点村实施扶贫项目 / section 'society-wide assistance', item 1: 21 million yuan "
    "for 21 city key villages",
)
ZHAOAN_PAIRING = cite(
    SOURCE,
    "深入发动，广泛参与，初步形成社会大扶贫格局 三是干部挂钩帮扶：诏安县安排35名县领导带领87个县直"
    "机关、41家企业，挂钩帮扶41个贫困村 / section 'society-wide assistance', item 3: Zhao'an's "
    "pairing with 41 poor villages",
)
HOUSING_DEADLINE = cite(
    SOURCE,
    "狠抓重点，精准发力，无房户安居工程即将完成：确保10月份竣工，年底前搬迁入住 / section "
    "'housing programme': 'ensure completion in October, moving in before the end of the year'",
)


HOUSING_PROCEDURE = "housing"
"""The id of the five-step housing procedure (``data/procedures/housing.toml``)."""


housing_completed = procedure_complete(HOUSING_PROCEDURE)
"""The five-step housing procedure is complete (竣工验收 done, every step in order)."""

in_housing_programme = any_of(
    field("without_house"), field("house_grade").isin((HouseGrade.C, HouseGrade.D))
)
"""A household of the housing programme: without a house (无房户) or with a house graded
C or D (危房户)."""

income_projects_met = length("income_projects") >= param("income_projects_min")


def _date_ordinal(value: str | None) -> int | None:
    """The day number of an ISO date written in a text parameter (``None`` if unknown
    or not a date).

    >>> _date_ordinal("2016-10-31") == dt.date(2016, 10, 31).toordinal()
    True
    >>> _date_ordinal("end of October") is None
    True
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).toordinal()
    except (TypeError, ValueError):
        return None  # not a date: unknown, naming the parameter


def _deadline(name: str, zh: str, en: str) -> Expr:
    """A date parameter (``YYYY-MM-DD``) as a value comparable with step and field dates."""
    return function(
        _date_ordinal, params=[name], description=T(f"{zh}（{name}）", f"{en} ({name})")
    )


COMPLETION_DEADLINE = _deadline(
    "housing_completion_deadline", "竣工期限", "the completion deadline"
)
MOVE_IN_DEADLINE = _deadline("housing_move_in_deadline", "入住期限", "the moving-in deadline")

built_by_deadline = any_of(
    as_of() < COMPLETION_DEADLINE,
    coalesce(
        step_date(HOUSING_PROCEDURE, "completion_acceptance") <= COMPLETION_DEADLINE,
        # the procedure is recorded but has no acceptance date: not completed
        StepDone(HOUSING_PROCEDURE, "completion_acceptance"),
    ),
)
"""Not overdue for completion: before the deadline, or accepted on completion (竣工验收)
on or before it. Unknown when the deadline has passed and the housing procedure is not
recorded."""

moved_in_by_deadline = any_of(
    as_of() < MOVE_IN_DEADLINE,
    all_of(field("housing_moved_in"), field("housing_moved_in_on") <= MOVE_IN_DEADLINE),
)
"""Not overdue for moving in: before the deadline, or moved in on or before it."""

_FORM_CODES = (
    ("new_build", "新建"),
    ("purchase", "购买"),
    ("move_in_with_relatives", "投靠"),
    ("care", "供养"),
    ("resettlement", "安置"),
    ("repair", "修缮"),
    ("reinforcement", "加固"),
    ("rebuilding", "改造"),
)
# housing_form is free text in the model: accept the taxonomy's code or its Chinese label.
_FORMS = tuple(code for pair in _FORM_CODES for code in pair)


inherited_safe_housing = inherited("safe_housing")
"""The parent's safe-housing test, bound when the pack is assembled, in the version that
governs on the evaluation date: in 2016 the national one (house graded A or B, or
relocated with the keys) — Fujian's override of it comes from its 2018 three-year opinions
and governs 2018-10-24 to 2020-12-31 only. The override keeps it for households outside
the housing programme and accepts it as 'rehoused' for those in it."""

OVERRIDES: list[Criterion | Decision] = [
    Criterion(
        id="safe_housing",
        subject="household",
        title=T(
            "住房安全有保障：无房户、危房户解决住房后须符合“八有”标准",
            "Safe housing guaranteed: a household without a house or with a dilapidated "
            "house, once rehoused, must meet the 'eight haves'",
        ),
        citations=[HOUSING, HOUSING_FORMS],
        test=all_of(
            any_of(inherited_safe_housing, all_of(in_housing_programme, housing_completed)),
            any_of(not_(in_housing_programme), checklist_complete("eight_haves")),
        ),
        observed=field("house_grade"),
        description=T(
            "无房户（without_house）或危房户（住房 C、D 级）须已解决住房——2016年上级包的住房"
            "安全标准已满足（国家标准：住房为 A、B 级或搬迁户已拿到钥匙），或安居工程五个操作"
            "程序已依次完成——且“八有”八项全部具备，才算住房安全。其他户沿用国家标准。本条只在"
            "2016年适用（来源所述年份）；此后由上级包的住房标准判定（福建三年行动的标准"
            "2018-10-24至2020-12-31，其余日期为国家标准）。解释：来源把“八有”作为平和县"
            "“有其屋”工程的质量标准，本包将其用于全市的无房户、危房户。",
            "A household without a house (without_house) or with a dilapidated house "
            "(grade C or D) counts as safely housed only when rehoused — the parent packs' "
            "housing test of 2016 passes (the national one: a house graded A or B, or "
            "relocated with the keys) or the five steps of the housing procedure are "
            "completed in order — and every item of the 'eight haves' is met. Other "
            "households keep the national standard. The rule governs in 2016 only (the year "
            "the source describes); on other dates the parent packs' housing test decides "
            "(Fujian's three-year standard from 2018-10-24 to 2020-12-31, the national one "
            "otherwise). Interpretation: the source gives the 'eight haves' as the quality "
            "standard of Pinghe county's 'a house of one's own' programme; the pack applies "
            "it to every such household of the city.",
        ),
        interpretation=True,
    ),
]

CRITERIA: list[Criterion] = [
    Criterion(
        id="housing_programme_household",
        subject="household",
        title=T(
            "属安居工程对象：无房户或危房户", "In the housing programme: no house or dilapidated"
        ),
        citations=[HOUSING],
        test=in_housing_programme,
        description=T(
            "安居工程的对象是农村贫困无房户（建、购）和危房户（修缮）；危房指 C、D 级住房。",
            "The programme is for poor rural households without a house (to build or buy) "
            "and with a dilapidated house (to repair); dilapidated means graded C or D.",
        ),
    ),
    Criterion(
        id="housing_form_listed",
        subject="household",
        title=T(
            "解决形式属八种形式之一（新建、购买、投靠、供养、安置、修缮、加固、改造）",
            "The form of housing is one of the eight (build, buy, relatives, care, "
            "resettlement, repair, reinforcement, rebuilding)",
        ),
        citations=[HOUSING_FORMS],
        test=field("housing_form").isin(_FORMS),
        observed=field("housing_form"),
        description=T(
            "housing_form 填分类 housing_programme_forms 的代码或中文名称。",
            "housing_form holds a code of the taxonomy housing_programme_forms or its "
            "Chinese label.",
        ),
    ),
    Criterion(
        id="housing_completed",
        subject="household",
        title=T(
            "安居工程五个操作程序全部完成（至竣工验收）",
            "The five steps of the housing procedure completed (through acceptance)",
        ),
        citations=[HOUSING_STEPS],
        test=housing_completed,
    ),
    Criterion(
        id="eight_haves_met",
        subject="household",
        title=T("住房符合“八有”标准", "The house meets the 'eight haves'"),
        citations=[HOUSING_FORMS],
        test=checklist_complete("eight_haves"),
        interpretation=True,
        description=T(
            "“八有”是平和县“有其屋”工程的质量标准；本包将其用于全市安居工程（解释）。",
            "The 'eight haves' are the quality standard of Pinghe county's programme; the "
            "pack applies them to the whole city's housing programme (interpretation).",
        ),
    ),
    Criterion(
        id="income_project",
        subject="household",
        title=T(
            "每个贫困户都有1个以上增收脱贫项目",
            "Every poor household has one or more income projects",
        ),
        citations=[PROJECTS],
        test=income_projects_met,
        description=T(
            "“1个以上”含1个：增收脱贫项目数 ≥ income_projects_min（1）。",
            "'One or more' includes one: number of income projects ≥ income_projects_min (1).",
        ),
    ),
    Criterion(
        id="housing_built_by_deadline",
        subject="household",
        title=T(
            "安居工程按期竣工：10月份竣工（2016-10-31 前，含当日）",
            "Housing programme completed on time: in October (on or before 2016-10-31)",
        ),
        citations=[HOUSING_DEADLINE, HOUSING_STEPS],
        test=built_by_deadline,
        observed=step_date(HOUSING_PROCEDURE, "completion_acceptance"),
        interpretation=True,
        description=T(
            "“确保10月份竣工”：期限为参数 housing_completion_deadline（2016-10-31）。竣工以安居"
            "工程操作程序“竣工验收”一步的日期为准（解释）。评估日在期限之前，尚未竣工的户还"
            "未逾期，本条通过；期限已到（评估日为期限当日或之后），竣工验收日期不晚于期限才"
            "通过；已记录操作程序但没有竣工验收日期的户为未竣工。",
            "'Ensure completion in October': the deadline is the parameter "
            "housing_completion_deadline (2016-10-31). Completion is the date of the "
            "procedure's acceptance on completion (竣工验收) (interpretation). Before the "
            "deadline a house not yet completed is not overdue, and this passes; from the "
            "deadline on (the assessment date on or after it) it passes only if acceptance is "
            "dated on or before the deadline; a recorded procedure without an acceptance date "
            "means not completed.",
        ),
    ),
    Criterion(
        id="housing_moved_in_by_deadline",
        subject="household",
        title=T(
            "安居工程按期入住：年底前搬迁入住（2016-12-31 前，含当日）",
            "Housing programme: moved in before the end of the year (on or before 2016-12-31)",
        ),
        citations=[HOUSING_DEADLINE],
        test=moved_in_by_deadline,
        observed=field("housing_moved_in_on"),
        interpretation=True,
        description=T(
            "“年底前搬迁入住”：期限为参数 housing_move_in_deadline（2016-12-31；“前”读作当日"
            "或之前，解释）。评估日在期限之前，尚未入住的户还未逾期，本条通过；期限已到，须已"
            "入住（housing_moved_in）且入住日期（housing_moved_in_on）不晚于期限。修缮、加固、"
            "改造的户，“入住”读作住进修好的房屋（解释）。",
            "'Moving in before the end of the year': the deadline is the parameter "
            "housing_move_in_deadline (2016-12-31; '前' read as on or before, interpretation). "
            "Before the deadline a household not yet moved in is not overdue, and this passes; "
            "from the deadline on, the household must have moved in (housing_moved_in) on or "
            "before it (housing_moved_in_on). For a house repaired, reinforced or rebuilt, "
            "'moved in' is read as living in the repaired house (interpretation).",
        ),
    ),
]

DECISIONS: list[Decision] = [
    Decision(
        id="housing_guarantee",
        subject="household",
        title=T(
            "住房安全有保障（漳州：含“八有”标准）",
            "Safe housing guaranteed (Zhangzhou: with the 'eight haves')",
        ),
        citations=[HOUSING, HOUSING_FORMS],
        criteria=["safe_housing"],
        description=T(
            "单独判定住房安全保障；贫困户退出（household_exit）用的是同一判定标准 safe_housing。",
            "The safe-housing guarantee on its own; household exit (household_exit) uses the "
            "same criterion safe_housing.",
        ),
    ),
    Decision(
        id="housing_programme",
        subject="household",
        title=T(
            "无房户安居工程：住房问题已解决", "Housing programme: the household's housing solved"
        ),
        citations=[HOUSING, HOUSING_STEPS, HOUSING_FORMS],
        criteria=[
            "housing_programme_household",
            "housing_form_listed",
            "housing_completed",
            "eight_haves_met",
        ],
        description=T(
            "对安居工程对象户：解决形式为八种之一，五个操作程序依次完成，住房符合“八有”。",
            "For a household of the programme: the form is one of the eight, the five "
            "steps are completed in order, and the house meets the 'eight haves'.",
        ),
    ),
    Decision(
        id="housing_programme_schedule",
        subject="household",
        title=T(
            "2016年安居工程按期完成：10月份竣工、年底前搬迁入住",
            "2016 housing programme on schedule: completed in October, moved in by year end",
        ),
        citations=[HOUSING_DEADLINE, HOUSING_STEPS],
        criteria=[
            "housing_programme_household",
            "housing_built_by_deadline",
            "housing_moved_in_by_deadline",
        ],
        description=T(
            "对安居工程对象户（无房户、危房户）：按2016年的期限竣工并入住。只在2016年适用。",
            "For a household of the programme (no house, or a dilapidated one): completed and "
            "moved in by the 2016 deadlines. It governs in 2016 only.",
        ),
    ),
    Decision(
        id="household_assistance",
        subject="household",
        title=T("帮扶措施到户", "Assistance measures reach the household"),
        citations=[PROJECTS],
        criteria=["income_project"],
    ),
]

INDICATORS: list[Indicator] = [
    Indicator(
        id="cause_breakdown",
        subject="household",
        title=T("致贫原因构成（按人口）", "Breakdown of poverty causes (by people)"),
        citations=[IDENTIFICATION],
        kind="breakdown",
        value=field("main_cause"),
        weight="people",
        description=T(
            "各主要致贫原因的贫困人口占全部建档立卡贫困人口的比例；分类见 "
            "four_causes_five_lacks。2016年全市：因病43.62%，因残14.19%。",
            "Each main poverty cause's share of all registered poor people; the causes are "
            "the taxonomy four_causes_five_lacks. City, 2016: illness 43.62%, disability "
            "14.19%.",
        ),
    ),
    Indicator(
        id="illness_disability_share",
        subject="household",
        title=T("因病、因残致贫人口合计占比", "Share of people poor through illness or disability"),
        citations=[IDENTIFICATION],
        kind="share",
        condition=field("main_cause").isin((PovertyCause.ILLNESS, PovertyCause.DISABILITY)),
        weight="people",
        description=T(
            "“因病因残两项合计占57.81%，是全市贫困人口致贫的主要原因。”",
            "'Illness and disability together account for 57.81%: the main causes of "
            "poverty in the city.'",
        ),
    ),
    Indicator(
        id="housing_programme_households",
        subject="household",
        title=T("安居工程对象户数（无房户、危房户）", "Households of the housing programme"),
        citations=[HOUSING],
        kind="count",
        condition=in_housing_programme,
    ),
    Indicator(
        id="housing_programme_people",
        subject="household",
        title=T("安居工程对象人数", "People of the housing programme"),
        citations=[HOUSING],
        kind="count",
        condition=in_housing_programme,
        weight="people",
    ),
    Indicator(
        id="housing_completed_share",
        subject="household",
        title=T(
            "安居工程已竣工户数占比", "Share of programme households whose housing is completed"
        ),
        citations=[HOUSING, HOUSING_STEPS],
        kind="share",
        condition=housing_completed,
        where=in_housing_programme,
        description=T(
            "安居工程对象户（无房户、危房户）中，已完成五个操作程序（至竣工验收）的户数占比。"
            "2016年9月23日全市：989户中已竣工827户（84%）。",
            "Among the programme's households (without a house, or dilapidated), the share "
            "whose five steps are completed (through acceptance). City, 23 September 2016: "
            "827 of 989 households completed (84%).",
        ),
    ),
    Indicator(
        id="income_project_coverage",
        subject="household",
        title=T("有增收脱贫项目的贫困户占比", "Share of poor households with an income project"),
        citations=[PROJECTS],
        kind="share",
        condition=income_projects_met,
    ),
    Indicator(
        id="housing_programme_on_schedule_share",
        subject="household",
        title=T(
            "安居工程对象户中按期竣工并入住的比例",
            "Share of programme households completed and moved in on schedule",
        ),
        citations=[HOUSING_DEADLINE, HOUSING_STEPS],
        kind="share",
        condition=all_of(built_by_deadline, moved_in_by_deadline),
        where=in_housing_programme,
        interpretation=True,
        description=T(
            "安居工程对象户中，未逾期竣工（housing_completion_deadline）且未逾期入住"
            "（housing_move_in_deadline）的户数占比；读法同 housing_built_by_deadline、"
            "housing_moved_in_by_deadline。",
            "Among the programme's households, the share neither overdue for completion "
            "(housing_completion_deadline) nor for moving in (housing_move_in_deadline); read "
            "as in housing_built_by_deadline and housing_moved_in_by_deadline.",
        ),
    ),
    Indicator(
        id="city_key_villages",
        subject="village",
        title=T("市级扶贫重点村数", "City-level key villages"),
        citations=[CITY_KEY_VILLAGES],
        kind="count",
        condition=field("city_key_village"),
        description=T(
            "2016年全市21个市级重点村（参数 zhangzhou_city_key_villages）。",
            "In 2016 the city had 21 city-level key villages (parameter "
            "zhangzhou_city_key_villages).",
        ),
    ),
    Indicator(
        id="city_key_village_funds",
        subject="village",
        title=T(
            "市级重点村获市财政下拨的扶贫项目资金（元）",
            "City funds allocated to the city-level key villages (yuan)",
        ),
        citations=[CITY_KEY_VILLAGES],
        kind="sum",
        value=field("city_key_village_funds"),
        where=field("city_key_village"),
        description=T(
            "市级重点村的 city_key_village_funds 之和。2016年：“市里及时下拨财政资金2100万元扶持"
            "21个市级重点村实施扶贫项目”（参数 zhangzhou_city_key_village_funds）。",
            "The sum of city_key_village_funds over the city-level key villages. 2016: 'the "
            "city promptly allocated 21 million yuan of public funds to support 21 city-level "
            "key villages' (parameter zhangzhou_city_key_village_funds).",
        ),
    ),
    Indicator(
        id="paired_poor_villages",
        subject="village",
        title=T("有挂钩帮扶责任单位的贫困村数", "Poor villages with a pairing (responsible) unit"),
        citations=[ZHAOAN_PAIRING],
        kind="count",
        condition=field("responsible_unit").ne(""),
        where=field("poor_village"),
        description=T(
            "贫困村中记有帮扶责任单位（responsible_unit）的村数，可按县分组。2016年诏安县："
            "35名县领导带领87个县直机关、41家企业挂钩帮扶41个贫困村（参数 "
            "zhaoan_paired_poor_villages 等）。",
            "Poor villages with a responsible assisting unit recorded (responsible_unit), by "
            "county if asked. 2016, Zhao'an: 35 county leaders, 87 county departments and 41 "
            "enterprises paired with 41 poor villages (parameter zhaoan_paired_poor_villages "
            "and others).",
        ),
    ),
    Indicator(
        id="first_secretary_villages",
        subject="village",
        title=T("有驻村第一书记的村数", "Villages with a resident first secretary"),
        citations=[VILLAGES],
        kind="count",
        condition=field("first_secretary"),
        description=T(
            "2016年全市45个扶贫开发工作重点村各有挂职第一书记（省派24名、市派21名）。",
            "In 2016 each of the city's 45 key villages had a first secretary (24 sent by "
            "the province, 21 by the city).",
        ),
    ),
]
