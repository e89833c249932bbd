"""The Fujian rules as criteria, decisions, classifiers, an entitlement and indicators.

Thresholds, amounts, counts and dates are parameters in ``data/parameters``; this module
states only the tests and cites where each comes from. The main text is the 2018
implementing opinions of the Fujian Party committee and government on the three-year
battle (source ``fujian-2018-three-year``; locators ``二、(四)`` = part 2, item 4); the
2017 provincial meeting report (``fujian-meeting-2017``) and Lianjiang county's account
(``lianjiang-2017``) add annual targets and village exit indicators.

Criteria marked ``interpretation=True`` are the pack's reading of a stated goal; their
descriptions say what was read and how.

Periods in force. A rule takes the period of the source it cites first: the 2018 opinions
govern 2018-10-24 to 2020-12-31, the 2017 meeting 2017, 中办发〔2016〕16号 2016-04-29 to
2020-12-31. Lianjiang's account has no period of its own (its results are test data);
where the pack offers them as rules it gives an explicit period, ``LIANJIANG_PERIOD``.
Fujian's overrides (``basic_medical``, ``safe_housing``) govern in the 2018 opinions'
period; outside it the national versions they supersede apply.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from poverty_core import T, Text
from poverty_core.blocks import inherited, taxonomy
from poverty_core.codes import (
    HouseGrade,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    SchoolingStage,
    SchoolingStatus,
    StatusEventKind,
)
from poverty_core.expressions import (
    Expr,
    all_members,
    all_of,
    any_member,
    any_of,
    count_members,
    field,
    filled,
    function,
    length,
    lit,
    member,
    not_,
    param,
    where,
)
from poverty_core.model import StatusEvent
from poverty_core.parameters import Citation, Period, cite
from poverty_core.rules import (
    Classifier,
    ClassRule,
    Criterion,
    Decision,
    Entitlement,
    EntitlementLine,
    Indicator,
    TaxonomyItem,
)

__all__ = [
    "CLASSIFIERS",
    "CRITERIA",
    "DECISIONS",
    "ENTITLEMENTS",
    "INDICATORS",
    "LIANJIANG_PERIOD",
    "OVERRIDES",
    "THREE_YEAR_START",
    "cadre_visits_each_quarter",
    "exited_in_year",
    "months_short",
    "paid_by_deadline",
    "pushes_in_window",
]

OPINIONS = "fujian-2018-three-year"


def _003(locator: str) -> Citation:
    return cite(OPINIONS, locator)


# -- citations --------------------------------------------------------------------------

TARGETS = _003("一、(二) 目标任务 / part 1, item 2: targets")
STANDARD = _003("一、(三) 坚持严格执行现行扶贫标准 / part 1, item 3: keep to the current standard")
PRECISION = _003(
    "一、(三) 因村派人（第一书记）精准 / part 1, item 3: the right person for each village"
)
EMPLOYMENT = _003("二、(二) 打好就业扶贫务工增收战役 / part 2, item 2: employment")
RAIN_DEW = _003("二、(二) 「雨露计划」扶贫助学补助 / part 2, item 2: Rain and Dew plan study grant")
TECHNICAL_SCHOOLS = _003(
    "二、(二) 继续支持技工院校采取单列招生指标、给予资助和免学费、教材费、住宿费、杂费等助学"
    "措施 / part 2, item 2: technical schools waive tuition, textbook, lodging and sundry fees"
)
EDUCATION = _003("二、(三) 打好教育扶贫战役 / part 2, item 3: education")
HEALTH = _003("二、(四) 打好健康扶贫战役 / part 2, item 4: health")
HOUSING = _003("二、(五) 打好住房安全保障战役 / part 2, item 5: housing")
MOUNTAIN_SEA = _003("三、(一) 实施山海协作对口帮扶行动 / part 3, item 1: mountain-sea cooperation")
VILLAGE_LIFT = _003("三、(二) 实施贫困村提升行动 / part 3, item 2: poor-village improvement")
TRANSPORT = _003("三、(三) 实施交通扶贫行动 / part 3, item 3: transport")
POWER_NETWORK = _003("三、(五) 实施电力与信息网络扶贫行动 / part 3, item 5: power and networks")
ENVIRONMENT = _003("三、(六) 实施贫困地区农村人居环境整治行动 / part 3, item 6: living environment")
SOCIAL = _003("三、(九) 实施综合保障性扶贫行动 / part 3, item 9: social-security support")
DUTIES = _003("六、(一) 进一步落实脱贫攻坚责任 / part 6, item 1: responsibilities")
ENTERPRISES = _003(
    "六、(三) 动员全社会力量参与脱贫攻坚 / part 6, item 3: state-owned pairing enterprises"
)
ASSESSMENTS = _003("六、(四) 完善扶贫考核监督评估机制 / part 6, item 4: assessments")
MEETING_TARGETS = cite(
    "fujian-meeting-2017",
    "于伟国强调：「脱贫20万人、造福工程搬迁10万人」的年度目标任务 / governor Yu: annual targets",
)
MEETING_REGISTRY = cite(
    "fujian-meeting-2017",
    "一是重点要再聚焦：23个省级重点县和2201个建档立卡贫困村 / "
    "part 1: 23 key counties, 2201 villages",
)
MEETING_CADRES = cite(
    "fujian-meeting-2017",
    "四是保障要再强化：确保每户贫困户都有一位干部对口帮扶 / part 4: a cadre paired with every poor "
    "household",
)
LIANJIANG = cite(
    "lianjiang-2017",
    "精准脱贫有方法见成效：50个贫困村的退出指标 / the exit indicators of the 50 poor villages",
)
LIANJIANG_DOCTOR = cite(
    "lianjiang-2017",
    "所有贫困户均实现家庭医生签约服务 / every poor household has a family-doctor contract",
)
KEY_COUNTY_EXIT = _003(
    "三、(一) 组织开展严格的退出检查评估，实现重点县分年度有序退出 / part 3, item 1: a strict "
    "exit check and evaluation, the key counties exiting year by year"
)

THREE_YEAR_START = dt.date(2018, 10, 24)
"""The day the 2018 opinions were printed: the start of the period they govern (``governs``
of ``fujian-2018-three-year``). Duties counted by month or quarter are not checked for a
month or quarter that began before it."""

LIANJIANG_PERIOD = Period(
    dt.date(2017, 10, 23),
    dt.date(2017, 12, 31),
    cite(
        "lianjiang-2017",
        "台海网10月23日讯……今年连江要实现……50个贫困村年底全部退出 / Taihai Net, 23 October: "
        "this year … all 50 poor villages exit at the end of the year",
    ),
    T(
        "解释：连江县的叙述于2017-10-23刊出，报告其2016–2017年的成效；其村级指标是50个贫困村在"
        "「年底全部退出」之前已达到的情况。本包只在刊出之日至2017年底把它们作为福建的贫困村退出"
        "指标；来源未给出更早的日期，也未说2017年以后仍用。另一读法（自2016年起）需调用方或子包"
        "引用来源改动期间。",
        "Interpretation: Lianjiang's account, published on 2017-10-23, reports its results of "
        "2016–2017; its village indicators are what its 50 poor villages had reached before "
        "they 'all exit at the end of the year'. The pack offers them as Fujian village exit "
        "indicators only from the day of publication to the end of 2017: the source gives no "
        "earlier date and says nothing of use after 2017. Another reading (from 2016) needs a "
        "caller or child pack to set the period, citing a source.",
    ),
)
CADRE_PERIOD = Period(
    dt.date(2017, 1, 1),
    dt.date(2020, 12, 31),
    _003("六、(一) 强化挂钩帮扶干部责任 / part 6, item 1: the pairing cadres' responsibility"),
    T(
        "解释：2017年的现场推进会要求「确保每户贫困户都有一位干部对口帮扶」（2017年）；"
        "《三年行动实施意见》（2018-10-24至2020-12-31）以挂钩帮扶干部为前提（「挂钩帮扶干部"
        "每个季度至少入户1次」）。本包把「有一名挂钩帮扶干部」从2017年起适用至2020年底，"
        "包括两份来源之间的2018-01-01至2018-10-23（结对帮扶「继续深入开展」）。",
        "Interpretation: the 2017 on-site meeting asks that 'every poor household has a cadre "
        "paired with it' (2017); the implementing opinions (2018-10-24 to 2020-12-31) take "
        "pairing cadres as given ('each pairing cadre visits at least once a quarter'). The "
        "pack applies 'the household has a pairing cadre' from 2017 to the end of 2020, "
        "including 2018-01-01 to 2018-10-23 between the two sources (the pairing 'continues').",
    ),
)
REGISTRY_PERIOD = Period(
    dt.date(2017, 9, 29),
    dt.date(2020, 12, 31),
    TARGETS,
    T(
        "2017-09-29现场推进会报道首次载明2201个建档立卡贫困村与23个重点县，《三年行动实施意见》"
        "（2018-10-24起）复述并以「到2020年」全部摘帽为目标；本包自前者之日起至2020年底计数"
        "（登记名册的数目，不是年度数字：读法）。",
        "The report of the 2017-09-29 on-site meeting first states the 2201 registered poor "
        "villages and 23 key counties; the implementing opinions (from 2018-10-24) restate "
        "them, all to exit 'by 2020'. The pack counts from the former's date to the end of "
        "2020 (a count of a register, not a yearly figure: a reading).",
    ),
)
NATIONAL_EXIT = cite("zbf-2016-16", "贫困人口退出标准 / standard for the exit of poor people")
NATIONAL_VILLAGE_EXIT = cite(
    "zbf-2016-16", "贫困村退出标准 / standard for the exit of poor villages"
)
EVALUATION_BORROWED = cite(
    "gkbf-2017-56",
    "专项评估检查指标（据《瞭望》2017-11-06转述），借用于省级重点县 / evaluation indicators "
    "(as reported by Liaowang, 2017-11-06), borrowed for provincial key counties",
)


def _national_test(criterion_id: str) -> Expr:
    """The parent's criterion ``criterion_id`` (bound when the pack is assembled, in the
    version that governs on the date), reused where an indicator counts its records."""
    return inherited(criterion_id)


# -- plain functions ---------------------------------------------------------------------


def pushes_in_window(
    as_of: dt.date,
    pushes: Sequence[dt.date] | None,
    minimum: int | None,
    window_days: int | None,
) -> bool | None:
    """Whether at least ``minimum`` pushes fall in the ``window_days`` days up to and
    including ``as_of`` (``None`` when an input is unknown).

    >>> pushes_in_window(dt.date(2019, 12, 31), (dt.date(2019, 3, 1),), 1, 365)
    True
    >>> pushes_in_window(dt.date(2019, 12, 31), (dt.date(2018, 12, 31),), 1, 365)
    False
    """
    if pushes is None or minimum is None or window_days is None:
        return None
    start = as_of - dt.timedelta(days=window_days)
    return sum(1 for d in pushes if start < d <= as_of) >= minimum


def _quarter(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def cadre_visits_each_quarter(
    as_of: dt.date,
    visits: Sequence[dt.date] | None,
    minimum: int | None,
    quarters: int | None,
    since: dt.date = THREE_YEAR_START,
) -> bool | None:
    """Whether each of the last ``quarters`` calendar quarters that ended on or before
    ``as_of`` has at least ``minimum`` visits (``None`` when an input is unknown). A quarter
    that began before ``since`` (the duty was not yet in force) is not checked.

    >>> year = [dt.date(2019, m, 15) for m in (2, 5, 8, 11)]
    >>> cadre_visits_each_quarter(dt.date(2019, 12, 31), year, 1, 4)
    True
    >>> cadre_visits_each_quarter(dt.date(2019, 12, 31), year[:3], 1, 4)
    False
    >>> cadre_visits_each_quarter(dt.date(2019, 6, 30), year[:2], 1, 4)  # from 2019 Q1 only
    True
    """
    if visits is None or minimum is None or quarters is None:
        return None
    ends_quarter = (as_of + dt.timedelta(days=1)).day == 1 and as_of.month % 3 == 0
    last = _quarter(as_of) if ends_quarter else _quarter(as_of) - 1
    first_in_force = _quarter(since) + (0 if since.day == 1 and since.month % 3 == 1 else 1)
    counts = Counter(_quarter(d) for d in visits if d <= as_of)
    checked = range(max(last - quarters + 1, first_in_force), last + 1)
    return all(counts[q] >= minimum for q in checked)


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def months_short(
    as_of: dt.date,
    dates: Sequence[dt.date] | None,
    minimum: float | None,
    months: int | None,
    since: dt.date = THREE_YEAR_START,
) -> int | None:
    """How many of the last ``months`` calendar months that ended on or before ``as_of``
    have fewer than ``minimum`` distinct dates in ``dates`` (``None`` when an input is
    unknown). A month that began before ``since`` (the duty was not yet in force) is not
    checked. Each month is tested on its own: twelve meetings in January do not make up
    for an empty February.

    >>> monthly = [dt.date(2019, m, 10) for m in range(1, 13)]
    >>> months_short(dt.date(2019, 12, 31), monthly, 1, 12)
    0
    >>> months_short(dt.date(2019, 12, 31), [dt.date(2019, 1, d) for d in range(1, 13)], 1, 12)
    11
    >>> months_short(dt.date(2018, 12, 31), [dt.date(2018, 11, 5), dt.date(2018, 12, 5)], 1, 12)
    0
    """
    if dates is None or minimum is None or months is None:
        return None
    ends_month = (as_of + dt.timedelta(days=1)).day == 1
    last = _month(as_of) if ends_month else _month(as_of) - 1
    first_in_force = _month(since) + (0 if since.day == 1 else 1)
    counts = Counter(_month(d) for d in set(dates) if d <= as_of)
    checked = range(max(last - months + 1, first_in_force), last + 1)
    return sum(1 for m in checked if counts[m] < minimum)


def paid_by_deadline(paid_on: dt.date | None, deadline: str | None) -> bool | None:
    """Whether ``paid_on`` is on or before the ``deadline`` (``"MM-DD"``) of its year.

    >>> paid_by_deadline(dt.date(2019, 6, 30), "06-30")
    True
    >>> paid_by_deadline(dt.date(2019, 7, 1), "06-30")
    False
    """
    if paid_on is None or deadline is None:
        return None
    month, day = (int(part) for part in deadline.split("-"))
    return paid_on <= dt.date(paid_on.year, month, day)


def exited_in_year(as_of: dt.date, history: Sequence[StatusEvent] | None) -> bool | None:
    """Whether the household's history has an exit dated in ``as_of``'s year, on or
    before ``as_of``.

    >>> exited_in_year(dt.date(2016, 12, 31),
    ...                (StatusEvent(kind=StatusEventKind.EXITED, date=dt.date(2016, 11, 3)),))
    True
    """
    if history is None:
        return None
    return any(
        e.kind is StatusEventKind.EXITED and e.date.year == as_of.year and e.date <= as_of
        for e in history
    )


# -- households ---------------------------------------------------------------------------

national_insured = all_of(
    member("basic_medical_insurance"),
    member("serious_illness_insurance"),
    member("medical_assistance"),
)
four_schemes = national_insured & member("supplementary_medical_insurance")
exit_insured = national_insured & any_of(
    param("exit_requires_supplementary_insurance").eq(False),
    member("supplementary_medical_insurance"),
)
pushed_recently = function(
    pushes_in_window,
    as_of=True,
    fields=["job_info_pushes"],
    params=["job_info_pushes_min", "job_info_push_window_days"],
    description=T(
        "评估日前的推送窗口内岗位信息推送次数达到最少次数",
        "job information pushed at least the minimum number of times in the window before "
        "the assessment date",
    ),
    of_member=True,
)
worker_not_reached = member("willing_to_work") & not_(pushed_recently)
pension_unpaid = member("pension_insurance") & not_(member("pension_premium_paid_by_county"))

HOUSEHOLD_CRITERIA = [
    Criterion(
        id="family_doctor_contract",
        subject="household",
        title=T("贫困户已签约家庭医生", "The household has a family-doctor contract"),
        citations=[HEALTH, LIANJIANG_DOCTOR],
        test=any_of(
            param("family_doctor_contract_required").eq(False), field("family_doctor_contract")
        ),
        observed=field("family_doctor_contract"),
        interpretation=True,
        description=T(
            "健康保障（health_guarantee）中的一项服务检查，不是贫困户退出的条件：来源要求"
            "「加强和规范农村建档立卡贫困人口家庭医生（乡村医生）签约服务」并优先为重点人群"
            "服务，同一文件一、(三)又要求「既不能降低标准，也不能擅自拔高标准」。本包把签约读作"
            "对每户的服务检查（解释；可由参数 family_doctor_contract_required 关闭）。连江县报道"
            "「所有贫困户均实现家庭医生签约服务」是结果。覆盖率见指标 "
            "family_doctor_contract_coverage。",
            "A service check of the health guarantee (health_guarantee), not a condition of "
            "household exit: the source asks to 'strengthen and standardise family-doctor "
            "contract services for registered poor people' and to serve key groups first, and "
            "part 1, item 3 of the same text says standards are 'neither lowered nor raised "
            "without authority'. The pack reads the contract as a service check on each "
            "household (interpretation; switched off by family_doctor_contract_required). "
            "Lianjiang's 'every poor household has a family-doctor contract' is a result. "
            "Coverage is the indicator family_doctor_contract_coverage.",
        ),
    ),
    Criterion(
        id="health_insurance_coverage",
        subject="household",
        title=T(
            "全员纳入基本医保、大病保险、医疗救助和精准扶贫医疗叠加保险",
            "Every member in basic insurance, serious-illness insurance, medical assistance and "
            "the poverty supplementary insurance",
        ),
        citations=[HEALTH],
        test=all_members(four_schemes),
        observed=count_members(not_(four_schemes)),
        required=lit(0),
        op="=",
        description=T(
            "「将贫困人口全部纳入城乡居民基本医疗保险、大病保险、医疗救助和精准扶贫医疗叠加保险"
            "保障范围」：每名成员四项都有。这是健康保障的覆盖检查；贫困户退出的基本医疗检验是否"
            "也要第四项，见参数 exit_requires_supplementary_insurance（未决问题）。参保个人缴费"
            "由医疗救助基金全额资助一项未编码（见 not_encoded）。",
            "'Bring all poor people into the basic medical insurance, serious-illness "
            "insurance, medical assistance and the poverty supplementary medical insurance': "
            "every member has all four. This is the health guarantee's coverage check; whether "
            "household exit's basic-medical test also needs the fourth is the parameter "
            "exit_requires_supplementary_insurance (an open question). The premium paid in "
            "full by the medical assistance fund is not encoded (see not_encoded).",
        ),
    ),
    Criterion(
        id="income_above_provincial_line",
        subject="household",
        title=T(
            "按省定标准识别的贫困户：年人均纯收入超过省定扶贫标准",
            "Identified under the provincial standard: income above the provincial line",
        ),
        citations=[TARGETS],
        test=any_of(
            field("identification_standard").ne(IdentificationStandard.PROVINCIAL),
            field("annual_net_income_per_capita") > param("provincial_poverty_line"),
        ),
        observed=field("identification_standard"),
        interpretation=True,
        description=T(
            "目标为「现行国定、省定扶贫标准下的农村贫困人口全部脱贫」。本包读作：按省定标准识别"
            "的户，收入还须超过省定扶贫标准；按国家或市定标准识别的户，本条通过（国家标准另由 "
            "income_above_line 检验）。省定标准的数值来源未给出，调用方须提供。",
            "The target is that 'all rural poor under the current national and provincial "
            "standards exit'. The pack reads it as: a household identified under the "
            "provincial standard must also have an income above the provincial line; for a "
            "household identified under the national or municipal standard this passes (the "
            "national line is tested by income_above_line). The sources give no figure for "
            "the provincial line; callers supply it.",
        ),
    ),
    Criterion(
        id="job_info_pushed",
        subject="household",
        title=T(
            "有就业意愿的劳动力每年至少收到1次岗位信息推送",
            "Every member willing to work got job information at least once a year",
        ),
        citations=[EMPLOYMENT],
        test=all_members(any_of(not_(member("willing_to_work")), pushed_recently)),
        observed=count_members(worker_not_reached),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "对每名有就业意愿的成员，数其在评估日前 job_info_push_window_days 天内（含评估日）"
            "的岗位信息推送次数。「每年」读作评估日前的一年（解释）。无就业意愿的成员不计。",
            "For each member willing to work, counts the job-information pushes in the "
            "job_info_push_window_days days up to the assessment date. 'A year' is read as "
            "the year before the assessment date (interpretation). Members not willing to "
            "work are not counted.",
        ),
    ),
    Criterion(
        id="pairing_cadre_assigned",
        subject="household",
        title=T("有一名挂钩帮扶干部", "The household has a pairing cadre"),
        citations=[MEETING_CADRES, DUTIES],
        test=filled("pairing_cadre"),
        in_force=CADRE_PERIOD,
        interpretation=True,
        description=CADRE_PERIOD.note,
    ),
    Criterion(
        id="cadre_quarterly_visits",
        subject="household",
        title=T(
            "挂钩帮扶干部每个季度至少入户1次",
            "The pairing cadre visited at least once in every quarter",
        ),
        citations=[DUTIES],
        test=function(
            cadre_visits_each_quarter,
            as_of=True,
            fields=["cadre_visits"],
            params=["cadre_visits_per_quarter_min", "cadre_visit_quarters"],
            description=T(
                "评估日前最近已结束的各季度，挂钩帮扶干部入户次数均达到最少次数",
                "each of the last quarters ended by the assessment date has at least the "
                "minimum number of pairing-cadre visits",
            ),
        ),
        observed=length("cadre_visits"),
        interpretation=True,
        description=T(
            "检查评估日（含）前最近已结束的 cadre_visit_quarters 个日历季度（解释：来源只说"
            "「每个季度」），每个季度的入户次数不少于 cadre_visits_per_quarter_min；在该要求"
            "生效（2018-10-24）之前开始的季度不检查。观察值为记录的入户总次数。",
            "Checks the last cadre_visit_quarters calendar quarters ended on or before the "
            "assessment date (interpretation: the source only says 'every quarter'); each must "
            "have at least cadre_visits_per_quarter_min visits. A quarter that began before the "
            "duty came into force (2018-10-24) is not checked. The observed value is the "
            "number of visits recorded.",
        ),
    ),
    Criterion(
        id="pension_premium_paid",
        subject="household",
        title=T(
            "参加城乡居民养老保险的成员，其保费由县代缴",
            "Members in the resident pension insurance have their premium paid by the county",
        ),
        citations=[SOCIAL],
        test=all_members(not_(pension_unpaid)),
        observed=count_members(pension_unpaid),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "来源：对符合条件的贫困人口由所在地县（市、区）人民政府代缴城乡居民养老保险费。"
            "「符合条件」未在来源中定义；本包读作已参加城乡居民养老保险的成员（解释）。",
            "Source: the county government pays the resident pension premium of eligible poor "
            "people. 'Eligible' is not defined in the source; the pack reads it as the members "
            "enrolled in the resident pension insurance (interpretation).",
        ),
    ),
]

HOUSEHOLD_OVERRIDES = [
    Criterion(
        id="basic_medical",
        subject="household",
        title=T(
            "基本医疗有保障：全员参加基本医保、大病保险并纳入医疗救助（福建：是否另需医疗叠加保险"
            "为未决问题，见参数）",
            "Basic medical care guaranteed: every member in basic insurance, serious-illness "
            "insurance and medical assistance (Fujian: whether the supplementary insurance is "
            "also needed is an open question, see the parameter)",
        ),
        citations=[STANDARD, HEALTH, NATIONAL_EXIT],
        test=all_members(exit_insured),
        observed=count_members(not_(exit_insured)),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "未决问题：精准扶贫医疗叠加保险是否属于贫困户退出的「基本医疗有保障」。本包采用读法A"
            "（参数 exit_requires_supplementary_insurance 为假）：退出检验仍为国家三项（基本医保、"
            "大病保险、医疗救助），因一、(三)「既不能降低标准，也不能擅自拔高标准」；第四项只在"
            "健康保障的 health_insurance_coverage 中检查。读法B（设为真）：二、(四)把四项并列于"
            "「全部纳入」一句，退出也要第四项（解释）。本判定标准在2018-10-24至2020-12-31生效；"
            "此外适用国家的 basic_medical。",
            "An open question: is the poverty supplementary medical insurance part of household "
            "exit's 'basic medical care guaranteed'? The pack ships reading A "
            "(exit_requires_supplementary_insurance false): the exit test keeps the national "
            "three schemes (basic insurance, serious-illness insurance, medical assistance), as "
            "part 1, item 3 says standards are 'neither lowered nor raised without authority'; "
            "the fourth is checked only by the health guarantee's health_insurance_coverage. "
            "Reading B (set it to true): part 2, item 4 names the four schemes in one 'bring "
            "all in' sentence, so exit needs the fourth too (an interpretation). This criterion "
            "governs from 2018-10-24 to 2020-12-31; outside it the national basic_medical "
            "applies.",
        ),
    ),
    Criterion(
        id="safe_housing",
        subject="household",
        title=T(
            "住房安全有保障：A、B 级住房、搬迁户已入住、危房已改造或已获保障性住房等",
            "Safe housing guaranteed: house graded A or B, relocated with keys, dilapidated "
            "house renovated, or housed by affordable housing, a swap or a lease",
        ),
        citations=[
            HOUSING,
            NATIONAL_EXIT,
            cite("housing-safety-guideline", "房屋安全等级 A–D / safety grades A–D"),
        ],
        test=any_of(
            field("house_grade").isin((HouseGrade.A, HouseGrade.B)),
            field("relocated") & field("relocation_keys_received"),
            field("house_renovated"),
            field("housing_form").isin(taxonomy("housing_forms")),
        ),
        observed=field("house_grade"),
        interpretation=True,
        description=T(
            "在国家口径（A、B 级或搬迁户已拿到钥匙）之外：危房已改造（「改造一户、销档一户」，"
            "读作改造后住房安全，解释）；住房保障方式为城镇保障性住房、闲置农房置换或长期租赁"
            "（代码见分类 housing_forms）。",
            "Besides the national reading (grade A or B, or relocated with the keys): a "
            "renovated dilapidated house ('renovate one, close one file': read as safe after "
            "renovation, interpretation); or a housing form of affordable housing in town, an "
            "idle-farmhouse swap or a long-term lease (codes in the taxonomy housing_forms).",
        ),
    ),
]

HOUSEHOLD_DECISIONS = [
    Decision(
        id="health_guarantee",
        subject="household",
        title=T("福建健康保障", "Fujian health guarantee"),
        citations=[HEALTH],
        criteria=["health_insurance_coverage", "family_doctor_contract"],
        description=T(
            "健康扶贫的两项检查：四项医疗保障全覆盖，家庭医生签约（解释）。它们不是贫困户退出的"
            "条件（一、(三)「不能擅自拔高标准」）。",
            "The health programme's two checks: all four schemes for every member, and a "
            "family-doctor contract (interpretation). Neither is a condition of household exit "
            "(part 1, item 3: standards are not to be raised).",
        ),
    ),
    Decision(
        id="employment_push",
        subject="household",
        title=T("就业扶贫：岗位信息推送", "Employment support: job information pushed"),
        citations=[EMPLOYMENT],
        criteria=["job_info_pushed"],
    ),
    Decision(
        id="cadre_contact",
        subject="household",
        title=T("挂钩帮扶干部联系", "Pairing-cadre contact"),
        citations=[DUTIES, MEETING_CADRES],
        criteria=["pairing_cadre_assigned", "cadre_quarterly_visits"],
        in_force=CADRE_PERIOD,
        description=T(
            "2017年起检查每户有一名挂钩帮扶干部；每季度入户自2018-10-24起检查（此前不适用）。",
            "From 2017 on, every household has a pairing cadre; quarterly visits are checked "
            "from 2018-10-24 (before that they do not apply).",
        ),
    ),
    Decision(
        id="pension_premium",
        subject="household",
        title=T("城乡居民养老保险费由县代缴", "Resident pension premium paid by the county"),
        citations=[SOCIAL],
        criteria=["pension_premium_paid"],
    ),
]

HOUSEHOLD_EXIT = Decision(
    id="household_exit",
    subject="household",
    title=T(
        "贫困户退出（福建：两不愁三保障，国定与省定标准）",
        "Household exit (Fujian: two assurances, three guarantees, national and provincial lines)",
    ),
    citations=[NATIONAL_EXIT, STANDARD, TARGETS],
    criteria=[
        "income_above_line",
        "income_above_provincial_line",
        "food_secure",
        "clothing_secure",
        "compulsory_education",
        "basic_medical",
        "safe_housing",
    ],
    description=T(
        "国家六项（16号，2016-04-29至2020-12-31）；自2018-10-24至2020-12-31另有《三年行动实施"
        "意见》的省定扶贫标准（按省定标准识别的户）与福建口径的基本医疗、住房安全；此前这些"
        "福建版本不适用，国家版本适用。不加入任何其他条件：一、(三)「既不能降低标准，也不能擅自"
        "拔高标准」，故家庭医生签约与医疗叠加保险不在此（见 health_guarantee 与参数 "
        "exit_requires_supplementary_insurance）。",
        "The six national criteria (16号, 2016-04-29 to 2020-12-31); from 2018-10-24 to "
        "2020-12-31 also the implementing opinions' provincial line (households identified "
        "under it) and Fujian's forms of basic medical care and safe housing; before that "
        "the Fujian versions do not apply and the national ones do. Nothing else is added: "
        "part 1, item 3 says standards are 'neither lowered nor raised without authority', "
        "so the family-doctor contract and the supplementary insurance are not here (see "
        "health_guarantee and the parameter exit_requires_supplementary_insurance).",
    ),
)

# -- classifiers --------------------------------------------------------------------------

UNCITED_GROUP = T(
    "类名未引用来源：《三年行动实施意见》只写「建档立卡贫困户等4类重点对象」；其余三类的名称"
    "出自国家农村危房改造政策（本项目规则清单所记的财政部表述），该国家文件本项目未能确认，"
    "故不引用。",
    "The name of this group is uncited: the implementing opinions say only 'registered poor "
    "households and the others, 4 priority groups'; the other three names come from national "
    "rural-housing policy (statements of the Ministry of Finance recorded in the project's "
    "rule inventory), whose document the project could not confirm, so none is cited.",
)

CLASSIFIERS = [
    Classifier(
        id="housing_priority_group",
        subject="household",
        title=T("危房改造重点对象类别", "Priority group for dilapidated-house renovation"),
        citations=[HOUSING],
        classes=[
            ClassRule(
                "dibao",
                T("低保户", "household on the minimum living allowance"),
                field("attribute").eq(HouseholdAttribute.DIBAO),
                description=UNCITED_GROUP,
            ),
            ClassRule(
                "scattered_tekun",
                T("农村分散供养特困人员", "destitute person under scattered support"),
                field("attribute").eq(HouseholdAttribute.TEKUN),
                description=T(
                    f"{UNCITED_GROUP.zh}模型不区分分散供养与集中供养，特困供养户均归入本类。",
                    f"{UNCITED_GROUP.en} The model does not tell scattered from centralised "
                    "support; every destitute-support household falls here.",
                ),
            ),
            ClassRule(
                "poor_disabled",
                T("贫困残疾人家庭", "poor family with a disabled member"),
                any_member(member("disabled")),
                description=UNCITED_GROUP,
            ),
        ],
        otherwise=TaxonomyItem("registered_poor", T("建档立卡贫困户", "registered poor household")),
        interpretation=True,
        description=T(
            "4类重点对象（见分类 housing_priority_groups）彼此重叠，而模型中的户都是建档立卡"
            "贫困户。本分类器给出最具体的一类：依次为低保户、特困供养、有残疾成员，否则为一般"
            "建档立卡贫困户（解释：顺序为本包所定）。除建档立卡贫困户外，三类的名称未引用来源："
            "来源只写「建档立卡贫困户等4类重点对象」。",
            "The four priority groups (taxonomy housing_priority_groups) overlap, and every "
            "household of the model is a registered poor household. The classifier gives the "
            "most specific group: minimum allowance, destitute support, a disabled member, in "
            "that order, else an ordinary registered poor household (interpretation: the order "
            "is the pack's). Apart from registered poor households, the three groups' names are "
            "uncited: the source says only 'registered poor households and the others, 4 "
            "priority groups'.",
        ),
    ),
    Classifier(
        id="dilapidated_house_ledger",
        subject="household",
        title=T("贫困户危房台账状态", "Dilapidated-house ledger status"),
        citations=[HOUSING],
        classes=[
            ClassRule(
                "closed", T("已改造，销档", "renovated, file closed"), field("house_renovated")
            ),
            ClassRule(
                "open",
                T("危房在档，待改造", "dilapidated, on the ledger, to renovate"),
                field("house_grade").isin((HouseGrade.C, HouseGrade.D)),
            ),
        ],
        otherwise=TaxonomyItem("not_listed", T("不在危房台账", "not on the ledger")),
        interpretation=True,
        description=T(
            "「建立贫困户危房台账……改造一户、销档一户」：C、D 级住房在台账上；改造后销档。"
            "A、B 级且未经改造的不在台账上（解释：台账由当前等级与改造标记推定）。",
            "'Keep a ledger of the dilapidated houses of poor households … renovate one, close "
            "one file': grade C and D houses are on the ledger; renovation closes the file. "
            "Grade A and B houses not renovated are not on it (interpretation: the ledger is "
            "inferred from the current grade and the renovation flag).",
        ),
    ),
]

# -- education entitlement ------------------------------------------------------------------

stage = member("schooling_stage")
enrolled = member("schooling_status").eq(SchoolingStatus.IN_SCHOOL)
COMPULSORY = (SchoolingStage.PRIMARY, SchoolingStage.JUNIOR_SECONDARY)
VOCATIONAL = (SchoolingStage.SECONDARY_VOCATIONAL, SchoolingStage.HIGHER_VOCATIONAL)
HIGHER = (
    SchoolingStage.HIGHER_VOCATIONAL,
    SchoolingStage.JUNIOR_COLLEGE,
    SchoolingStage.UNDERGRADUATE,
)
living_allowance_due = any_of(
    member("boarding"), param("edu_living_allowance_boarders_only").eq(False)
)


def _line(
    id: str,
    title: Text,
    condition: Expr,
    amount: str,
    kind: Literal["grant", "loan", "waiver", "subsidy"] = "grant",
    citation: Citation = EDUCATION,
) -> EntitlementLine:
    return EntitlementLine(
        id=id,
        title=title,
        citation=citation,
        condition=all_of(enrolled, condition),
        amount=param(amount),
        per="member",
        kind=kind,
    )


ENTITLEMENTS = [
    Entitlement(
        id="education_support",
        subject="household",
        title=T("教育扶贫资助（每生每年）", "Education support (per student per year)"),
        citations=[EDUCATION, RAIN_DEW],
        eligibility=field("status").isin(
            (
                HouseholdStatus.NOT_EXITED,
                HouseholdStatus.EXITED_SUPPORTED,
                HouseholdStatus.RETURNED,
            )
        ),
        lines=[
            _line(
                "preschool_grant",
                T("学前教育政府助学金", "Preschool government grant"),
                stage.eq(SchoolingStage.PRESCHOOL),
                "edu_preschool_grant",
            ),
            _line(
                "boarding_meal_subsidy",
                T("义务教育寄宿生营养餐补助", "Nutrition meals for boarders"),
                stage.isin(COMPULSORY) & member("boarding"),
                "edu_boarding_meal_subsidy",
                "subsidy",
            ),
            _line(
                "primary_living_allowance",
                T("小学生活费补助", "Primary living allowance"),
                stage.eq(SchoolingStage.PRIMARY) & living_allowance_due,
                "edu_primary_living_allowance",
                "subsidy",
            ),
            _line(
                "junior_living_allowance",
                T("初中生活费补助", "Junior-secondary living allowance"),
                stage.eq(SchoolingStage.JUNIOR_SECONDARY) & living_allowance_due,
                "edu_junior_living_allowance",
                "subsidy",
            ),
            _line(
                "senior_high_fee_waiver",
                T("普通高中免除学杂费", "Senior high: fees waived"),
                stage.eq(SchoolingStage.SENIOR_HIGH),
                "edu_senior_high_fee_waiver",
                "waiver",
            ),
            _line(
                "senior_high_grant",
                T("普通高中国家助学金", "Senior high national grant"),
                stage.eq(SchoolingStage.SENIOR_HIGH),
                "edu_senior_high_grant",
            ),
            _line(
                "secondary_vocational_fee_waiver",
                T("中等职业教育免除学杂费", "Secondary vocational: fees waived"),
                stage.eq(SchoolingStage.SECONDARY_VOCATIONAL),
                "edu_secondary_vocational_fee_waiver",
                "waiver",
            ),
            _line(
                "secondary_vocational_grant",
                T("中等职业教育国家助学金", "Secondary vocational national grant"),
                stage.eq(SchoolingStage.SECONDARY_VOCATIONAL),
                "edu_secondary_vocational_grant",
            ),
            _line(
                "rain_dew_grant",
                T(
                    "「雨露计划」扶贫助学补助（每学年，计为一年）",
                    "Rain and Dew plan poverty study grant (per school year, counted as a year)",
                ),
                stage.isin(VOCATIONAL),
                "edu_rain_dew_grant",
                citation=RAIN_DEW,
            ),
            *(
                _line(
                    f"technical_school_{item}_waiver",
                    title,
                    stage.isin(VOCATIONAL) & member("technical_school"),
                    f"edu_technical_school_{item}_waiver",
                    "waiver",
                    citation=TECHNICAL_SCHOOLS,
                )
                for item, title in (
                    ("tuition", T("技工院校免学费", "Technical school: tuition waived")),
                    ("textbook", T("技工院校免教材费", "Technical school: textbook fees waived")),
                    ("lodging", T("技工院校免住宿费", "Technical school: lodging fees waived")),
                    ("sundry", T("技工院校免杂费", "Technical school: sundry fees waived")),
                )
            ),
            _line(
                "higher_grant",
                T("本专科国家助学金", "Undergraduate and college national grant"),
                stage.isin(HIGHER),
                "edu_higher_grant",
            ),
            _line(
                "higher_loan",
                T(
                    "本专科国家助学贷款（在校期间政府贴息）",
                    "Undergraduate and college state loan (interest paid by the government "
                    "while studying)",
                ),
                stage.isin(HIGHER),
                "edu_higher_loan",
                "loan",
            ),
            _line(
                "postgraduate_loan",
                T(
                    "研究生国家助学贷款（在校期间政府贴息）",
                    "Postgraduate state loan (interest paid by the government while studying)",
                ),
                stage.eq(SchoolingStage.POSTGRADUATE),
                "edu_postgraduate_loan",
                "loan",
            ),
        ],
        total_kinds=("grant", "subsidy"),
        description=T(
            "按在校成员（schooling_status 为在校）的在校阶段（schooling_stage）逐人计算；"
            "不在校的成员不计，在校状况未知的成员使合计为未知。适用于未脱贫、"
            "已脱贫（享受政策）和返贫的建档立卡贫困户（解释：脱贫不脱政策）。合计只含助学金"
            "与补助：免除学杂费的金额来源未给出，贷款不是补助，均只列出。家庭经济困难残疾学生"
            "享受同样的资助：在建档立卡户中，残疾学生与其他学生同样计算；户外的残疾学生不在"
            "模型中（见 not_encoded）。「雨露计划」补助按每学年给予，本包计为一年（解释）。"
            "在技工院校就读（technical_school）的职业教育学生另列免学费、教材费、住宿费、杂费"
            "四项（金额来源未给出，为缺口；可能与中职免除学杂费重叠，均只列出）；技工院校的"
            "单列招生指标与未说明的「资助」未编码（见 not_encoded）。高等职业教育（高职）属专科，"
            "既得「雨露计划」补助，也得本专科国家助学金与贷款（解释）。两种国家助学贷款在校期间"
            "的利息均由政府贴息（贴息金额未给出，只写在贷款项目中）。",
            "Computed member by member for members in school (schooling_status in_school), "
            "from the stage they attend (schooling_stage); members not in school are not due, "
            "and a member whose schooling status is unknown leaves the total open. "
            "Applies to registered poor households not exited, exited but still supported, or "
            "returned to poverty (interpretation: exit without losing support). The total "
            "counts grants and subsidies only: the amounts of waived fees are not given and "
            "loans are not grants, so both are listed only. Disabled students of families in "
            "economic difficulty get the same support: in a registered household a disabled "
            "student is computed like any other; disabled students outside the register are "
            "not in the model (see not_encoded). The Rain and Dew grant is given per school "
            "year; the pack counts it as one year (interpretation). A vocational student at a "
            "technical school (technical_school) also has four waivers listed: tuition, "
            "textbook, lodging and sundry fees (the amounts are not given: gaps; they may "
            "overlap the secondary vocational fee waiver, and are listed only); the technical "
            "schools' separate enrolment quota and their unspecified 'aid' are not encoded "
            "(see not_encoded). Higher vocational education is at college level, so it gets "
            "both the Rain and Dew grant and the college national grant and loan "
            "(interpretation). The government pays the interest of both state loans while the "
            "student studies (the subsidy's amount is not given; it is stated with the loan "
            "lines).",
        ),
    ),
]

# -- villages ----------------------------------------------------------------------------------


def _lianjiang(id: str, title: Text, test: Expr) -> Criterion:
    return Criterion(
        id=id,
        subject="village",
        title=title,
        citations=[LIANJIANG, NATIONAL_VILLAGE_EXIT],
        test=test,
        interpretation=True,
        in_force=LIANJIANG_PERIOD,
        description=LIANJIANG_NOTE,
    )


LIANJIANG_NOTE = T(
    "取自连江县对其50个贫困村退出情况的叙述：县级报道所述的已达成情况，本包读作福建使用的贫困村"
    "退出指标（解释），不是省级标准。国家文件要求「统筹考虑」基础设施、公共服务、产业、集体收入。"
    "生效期：2017-10-23（报道刊出）至2017-12-31（「50个贫困村年底全部退出」），为本包所选；"
    "此外只适用国家的贫困发生率标准。",
    "From Lianjiang county's account of its 50 poor villages' exit: what the county report says "
    "its villages achieved is read as village exit indicators in use in Fujian "
    "(interpretation), not a provincial standard. The national text asks that infrastructure, "
    "services, industry and collective income be 'considered'. In force from 2017-10-23 (the "
    "report's publication) to 2017-12-31 ('all 50 poor villages exit at the end of the "
    "year'), as the pack chose; at other dates only the national incidence standard applies.",
)


VILLAGE_CRITERIA = [
    _lianjiang(
        "village_hardened_road",
        T("建制村通硬化路", "Hardened road to the administrative village"),
        field("hardened_road"),
    ),
    _lianjiang(
        "village_network_access",
        T("建制村通网络", "Network access in the administrative village"),
        field("network_access"),
    ),
    _lianjiang(
        "village_electricity",
        T("所有自然村通电", "Power in every natural village"),
        field("electricity_all_natural_villages"),
    ),
    Criterion(
        id="village_power_2020",
        subject="village",
        title=T("贫困村通电（2020年目标）", "Power to the poor village (2020 target)"),
        citations=[TARGETS, POWER_NETWORK],
        test=field("electricity_all_natural_villages"),
        interpretation=True,
        description=T(
            "省的2020年目标为「贫困村全部实现通动力电」「贫困村村村通电」。模型只有「自然村全部"
            "通电」一个字段，本包用它检验（解释：动力电未单独记录）。连江县的退出指标「所有自然村"
            "已全部通电」另见 village_electricity。",
            "The province's 2020 targets are 'power (动力电) to every poor village' and 'every "
            "poor village connected'. The model has one field, power in every natural village, "
            "and the pack tests the target with it (interpretation: 动力电 is not recorded "
            "separately). Lianjiang's exit indicator 'power in every natural village' is "
            "village_electricity.",
        ),
    ),
    _lianjiang(
        "village_no_dropouts",
        T("义务教育阶段无学生辍学", "No drop-outs in compulsory education"),
        field("compulsory_dropouts") <= param("village_compulsory_dropouts_max"),
    ),
    _lianjiang(
        "village_collective_income",
        T("村集体经济收入不低于10万元", "Village collective income of at least 100,000 yuan"),
        field("collective_income") >= param("village_collective_income_min"),
    ),
    _lianjiang(
        "village_leading_industry",
        T("至少有一个主导产业", "At least one leading industry"),
        length("leading_industries") >= param("village_leading_industries_min"),
    ),
    Criterion(
        id="village_bus_service",
        subject="village",
        title=T("建制村通客车", "Bus service to the administrative village"),
        citations=[TRANSPORT],
        test=field("bus_service"),
        interpretation=True,
        description=T(
            "目标为「具备条件的建制村全部通客车」。模型不记录建制村是否具备条件，本包要求通客"
            "车（解释）；不具备条件的村本条不通过，应由人工判断。",
            "The target is 'buses to every administrative village where conditions allow'. "
            "The model does not record whether conditions allow, so the pack requires a bus "
            "service (interpretation); for a village where they do not, a failure here calls "
            "for human judgement.",
        ),
    ),
    Criterion(
        id="village_broadband",
        subject="village",
        title=T("通宽带", "Broadband"),
        citations=[POWER_NETWORK],
        test=field("broadband"),
        description=T(
            "目标为「加快实现贫困地区宽带网络全覆盖」。",
            "The target is 'broadband networks covering poor areas in full'.",
        ),
    ),
    Criterion(
        id="village_flush_toilets",
        subject="village",
        title=T("建成1座以上水冲式公厕", "One or more public flush toilets"),
        citations=[ENVIRONMENT],
        test=field("public_flush_toilets") >= param("village_flush_toilets_min"),
    ),
    Criterion(
        id="village_sewage_treatment",
        subject="village",
        title=T("生活污水治理率达到70%以上", "Sewage treatment rate of 70% or more"),
        citations=[ENVIRONMENT],
        test=field("sewage_treatment_rate") >= param("village_sewage_treatment_min"),
        interpretation=True,
        description=T(
            "来源给出贫困地区农村的总体比率，本包逐村检验（解释）。",
            "The source gives an overall rate for rural poor areas; the pack tests each village "
            "(interpretation).",
        ),
    ),
    Criterion(
        id="first_secretary_resident",
        subject="village",
        title=T("贫困村有驻村第一书记", "A resident first secretary in the poor village"),
        citations=[VILLAGE_LIFT, PRECISION],
        test=any_of(not_(field("poor_village")), field("first_secretary")),
        observed=field("first_secretary"),
        interpretation=True,
        description=T(
            "来源鼓励选派干部到贫困村担任第一书记，并以「因村派人（第一书记）精准」为原则；本包"
            "读作每个贫困村都应有驻村第一书记（解释）。非贫困村本条通过。",
            "The source encourages sending cadres to poor villages as first secretaries and "
            "names 'the right person for each village (first secretary)' as a principle; the "
            "pack reads it as every poor village having a resident first secretary "
            "(interpretation). A village that is not poor passes.",
        ),
    ),
    Criterion(
        id="old_base_village_project",
        subject="village",
        title=T(
            "第五批重点老区村至少有1个不少于10万元的扶持项目",
            "Fifth-batch old-base key village: a support project of at least 100,000 yuan",
        ),
        citations=[VILLAGE_LIFT],
        test=any_of(
            not_(field("old_base_key_village")),
            field("largest_project_amount") >= param("old_base_project_min"),
        ),
        observed=field("largest_project_amount"),
        required=param("old_base_project_min"),
        op="≥",
        description=T(
            "用最大单个项目金额检验「1个以上项目、每个不少于10万元」中的至少一个项目；模型不记录"
            "其余项目的金额，故「每个项目」不少于10万元未能逐项检验。非重点老区村本条通过。",
            "The largest single project tests that there is at least one project of 100,000 "
            "yuan or more; the model does not record the other projects' amounts, so 'each "
            "project' at 100,000 or more is not checked one by one. A village that is not an "
            "old-base key village passes.",
        ),
    ),
]

VILLAGE_EXIT_CRITERIA = [
    "village_incidence",
    "village_hardened_road",
    "village_network_access",
    "village_electricity",
    "village_no_dropouts",
    "village_collective_income",
    "village_leading_industry",
]

VILLAGE_EXIT = Decision(
    id="village_exit",
    subject="village",
    title=T("贫困村退出（福建）", "Village exit (Fujian)"),
    citations=[NATIONAL_VILLAGE_EXIT, LIANJIANG],
    criteria=VILLAGE_EXIT_CRITERIA,
    description=T(
        "国家的贫困发生率标准（16号「降至2%以下」，含2%），加上连江县叙述的六项指标（解释，仅在"
        "2017-10-23至2017-12-31生效）：通硬化路、通网络、自然村全部通电、无辍学、村财收入不低于"
        "10万元、至少一个主导产业。连江的「均低于2%」是结果，不是门槛。",
        "The national incidence standard (16号 'falls to 2% or below', 2% included) plus the "
        "six indicators of Lianjiang's account (interpretation, in force only from 2017-10-23 "
        "to 2017-12-31): hardened road, network, power in every natural village, no drop-outs, "
        "collective income of at least 100,000 yuan, at least one leading industry. "
        "Lianjiang's 'all below 2%' reports results; it sets no threshold.",
    ),
)

VILLAGE_DECISIONS = [
    Decision(
        id="village_targets_2020",
        subject="village",
        title=T("贫困村2020年目标", "Poor-village targets for 2020"),
        citations=[TARGETS, TRANSPORT, POWER_NETWORK, ENVIRONMENT],
        criteria=[
            "village_power_2020",
            "village_bus_service",
            "village_broadband",
            "village_flush_toilets",
            "village_sewage_treatment",
        ],
        description=T(
            "养老服务设施覆盖率与康复服务率是全省或全部贫困村的比率，见指标 "
            "elderly_care_coverage、disabled_rehabilitated 与 disabled_people。",
            "Elderly-care coverage and the rehabilitation rate are rates over all poor villages "
            "or the province: see the indicators elderly_care_coverage, disabled_rehabilitated "
            "and disabled_people.",
        ),
    ),
    Decision(
        id="first_secretary",
        subject="village",
        title=T("驻村第一书记", "Resident first secretary"),
        citations=[VILLAGE_LIFT],
        criteria=["first_secretary_resident"],
    ),
    Decision(
        id="old_base_village_support",
        subject="village",
        title=T("第五批重点老区村项目扶持", "Support for fifth-batch old-base key villages"),
        citations=[VILLAGE_LIFT],
        criteria=["old_base_village_project"],
    ),
]

# -- counties -------------------------------------------------------------------------------


def _months_short(records: str, minimum: str) -> Expr:
    return function(
        months_short,
        as_of=True,
        fields=[records],
        params=[minimum, "key_county_duty_months"],
        description=T(
            "评估日前最近已结束的各月中，未达到最少次数（不同日期）的月数",
            "the number of the last months ended by the assessment date with fewer than the "
            "minimum (distinct dates)",
        ),
    )


meetings_short = _months_short("poverty_meetings", "key_county_meetings_per_month_min")
secretary_short = _months_short(
    "party_secretary_poverty_days", "key_county_leader_days_per_month_min"
)
head_short = _months_short("county_head_poverty_days", "key_county_leader_days_per_month_min")

COUNTY_CRITERIA = [
    Criterion(
        id="paired_support_funds",
        subject="county",
        title=T(
            "山海协作对口帮扶资金每年不少于1200万元",
            "Paired-support funds of at least 12,000,000 yuan a year",
        ),
        citations=[MOUNTAIN_SEA],
        test=field("paired_support_funds") >= param("paired_support_funds_min"),
        description=T(
            "对重点县记录检验：其对口的经济较发达县当年落实的帮扶资金。",
            "Tested on the key county's record: the funds its paired developed county "
            "provided that year.",
        ),
    ),
    Criterion(
        id="paired_support_paid_by_deadline",
        subject="county",
        title=T("帮扶资金于6月30日前拨付到位", "Funds paid by 30 June"),
        citations=[MOUNTAIN_SEA],
        test=function(
            paid_by_deadline,
            fields=["paired_support_paid_on"],
            params=["paired_support_deadline"],
            description=T(
                "拨付日期不晚于当年的截止日（月-日）",
                "the payment date is on or before that year's deadline (month-day)",
            ),
        ),
        observed=field("paired_support_paid_on"),
        description=T(
            "拨付日期与其所在年份的截止日比较（记录的拨付日期即该年资金的拨付日期）。",
            "The payment date is compared with the deadline of its own year (the recorded date "
            "is that of the year's funds).",
        ),
    ),
    Criterion(
        id="paired_leader_visits",
        subject="county",
        title=T(
            "双方党政主要领导每年带队互访1次以上",
            "Both counties' heads lead a mutual visit once or more a year",
        ),
        citations=[MOUNTAIN_SEA],
        test=field("paired_leader_visits") >= param("paired_leader_visits_min"),
    ),
    Criterion(
        id="party_government_meetings_each_month",
        subject="county",
        title=T(
            "重点县党委和政府每月至少专题研究1次脱贫攻坚工作（逐月）",
            "The key county's Party committee and government study poverty work at least "
            "once in every month",
        ),
        citations=[DUTIES],
        test=meetings_short.eq(0),
        observed=meetings_short,
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "「重点县党委和政府每月至少专题研究1次」：逐月检验，不按月均。县记录 poverty_meetings "
            "为县党委和政府专题研究脱贫攻坚工作的日期；检查评估日前最近已结束的 "
            "key_county_duty_months 个月（2018-10-24 之前开始的月份不检查），观察值为未达到 "
            "key_county_meetings_per_month_min 次的月数。来源未说党委和政府须各自开会，本包把"
            "两者（合开或分开）的专题研究都计入（解释）；扶贫开发领导小组的会议不是来源所说的"
            "主体，不应记入。",
            "'The key county's Party committee and government study poverty work at least once "
            "a month': tested month by month, not on average. The county record "
            "poverty_meetings holds the dates of those dedicated studies; the last "
            "key_county_duty_months months ended by the assessment date are checked (months "
            "that began before 2018-10-24 are not), and the observed value is the number of "
            "months with fewer than key_county_meetings_per_month_min. The source does not say "
            "whether the committee and the government must each meet: the pack counts studies "
            "by either or both (interpretation); meetings of the leading group are not those "
            "of the bodies the source names and should not be recorded here.",
        ),
    ),
    Criterion(
        id="leader_working_days_each_month",
        subject="county",
        title=T(
            "重点县党政正职每个月至少有5个工作日用于扶贫（逐月、每人）",
            "Each of the key county's heads spends at least 5 working days on poverty in every "
            "month",
        ),
        citations=[DUTIES],
        test=all_of(secretary_short.eq(0), head_short.eq(0)),
        observed=secretary_short + head_short,
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "「重点县党政正职每个月至少要有5个工作日用于扶贫」：县委书记与县长各自逐月检验，不按"
            "月均。县记录 party_secretary_poverty_days、county_head_poverty_days 为各自用于扶贫的"
            "工作日日期（同一日只计一次）；检查的月份同上（key_county_duty_months，2018-10-24 "
            "之前开始的月份不检查）。观察值为两人未达到 key_county_leader_days_per_month_min 的"
            "月数之和。党政正职读作县委书记和县长（解释）。",
            "'The key county's Party and government heads spend at least 5 working days a month "
            "on poverty': the county Party secretary and the county head are each tested month "
            "by month, not on average. The county records party_secretary_poverty_days and "
            "county_head_poverty_days hold the dates of each one's working days on poverty "
            "(each day counted once); the months checked are as above (key_county_duty_months, "
            "none that began before 2018-10-24). The observed value is the number of months "
            "either head falls short of key_county_leader_days_per_month_min, added up. The "
            "heads are read as the county Party secretary and the county head "
            "(interpretation).",
        ),
    ),
    Criterion(
        id="pairing_enterprise_visits",
        subject="county",
        title=T(
            "挂钩帮扶国有企业每年对接不少于2次",
            "The state-owned pairing enterprise visits at least twice a year",
        ),
        citations=[ENTERPRISES],
        test=field("pairing_enterprise_visits") >= param("pairing_enterprise_visits_min"),
    ),
    Criterion(
        id="assessments_limit",
        subject="county",
        title=T(
            "省市两级对县考核每年不超过2次",
            "At most two assessments of the county a year by province and city",
        ),
        citations=[ASSESSMENTS],
        test=field("assessments_per_year") <= param("assessments_per_year_max"),
        description=T(
            "来源为「原则上」不超过2次，本包作硬性上限。",
            "The source says at most twice 'in principle'; the pack tests it as a hard limit.",
        ),
    ),
]

COUNTY_DECISIONS = [
    Decision(
        id="mountain_sea_cooperation",
        subject="county",
        title=T("山海协作对口帮扶（重点县）", "Mountain-sea cooperation (key county)"),
        citations=[MOUNTAIN_SEA],
        criteria=[
            "paired_support_funds",
            "paired_support_paid_by_deadline",
            "paired_leader_visits",
        ],
    ),
    Decision(
        id="key_county_duties",
        subject="county",
        title=T("重点县脱贫攻坚责任落实", "Key-county poverty duties"),
        citations=[DUTIES, ENTERPRISES, ASSESSMENTS],
        criteria=[
            "party_government_meetings_each_month",
            "leader_working_days_each_month",
            "pairing_enterprise_visits",
            "assessments_limit",
        ],
    ),
]

# -- indicators --------------------------------------------------------------------------------

EXITED = (HouseholdStatus.EXITED_SUPPORTED, HouseholdStatus.EXITED)
REMAINING = (HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED)
county_meets_borrowed_standard = all_of(
    field("provincial_key_county"),
    *(
        _national_test(cid)
        for cid in (
            "county_assessed_incidence",
            "county_wrong_exit_rate",
            "county_omission_rate",
            "county_public_approval",
        )
    ),
)
REGISTER_NOTE = T(
    "按登记的脱贫状态计：已脱贫（享受政策）与已脱贫（不再享受政策）为已脱贫；未脱贫与返贫为"
    "未脱贫。计数依16号的退出与销号，生效期同16号（2016-04-29至2020-12-31）；2020年全部脱贫的"
    "目标只在2020年有值。",
    "Counted from the register's status: exited (still supported) and exited (support ended) "
    "are exited; not exited and returned are not. The count follows 16号's exit and "
    "deregistration and has its period (2016-04-29 to 2020-12-31); the target that all exit "
    "has a value in 2020 only.",
)

INDICATORS = [
    Indicator(
        id="registered_poor_exited_share",
        subject="household",
        title=T("建档立卡贫困人口已脱贫比例", "Share of registered poor people exited"),
        citations=[NATIONAL_EXIT, TARGETS],
        kind="share",
        condition=field("status").isin(EXITED),
        weight="people",
        target=(">=", param("target_2020_exit_share")),
        description=REGISTER_NOTE,
    ),
    Indicator(
        id="registered_households_exited_share",
        subject="household",
        title=T("建档立卡贫困户已脱贫比例（按户）", "Share of registered poor households exited"),
        citations=[NATIONAL_EXIT, TARGETS],
        kind="share",
        condition=field("status").isin(EXITED),
        target=(">=", param("target_2020_exit_share")),
        description=REGISTER_NOTE,
    ),
    Indicator(
        id="registered_poor_remaining",
        subject="household",
        title=T("尚未脱贫的建档立卡贫困人口", "Registered poor people not yet exited"),
        citations=[NATIONAL_EXIT, TARGETS],
        kind="count",
        condition=field("status").isin(REMAINING),
        weight="people",
        description=REGISTER_NOTE,
    ),
    Indicator(
        id="registered_households_remaining",
        subject="household",
        title=T("尚未脱贫的建档立卡贫困户", "Registered poor households not yet exited"),
        citations=[NATIONAL_EXIT, TARGETS],
        kind="count",
        condition=field("status").isin(REMAINING),
        description=REGISTER_NOTE,
    ),
    Indicator(
        id="people_exited_in_year",
        subject="household",
        title=T("当年脱贫人数", "People exited in the assessment year"),
        citations=[NATIONAL_EXIT, MEETING_TARGETS],
        kind="count",
        condition=function(
            exited_in_year,
            as_of=True,
            fields=["history"],
            description=T(
                "状态记录中有评估年度内（不晚于评估日）的脱贫退出事件",
                "the history has an exit dated in the assessment year, on or before the "
                "assessment date",
            ),
        ),
        weight="people",
        target=(">=", param("annual_target_exit_people")),
        description=T(
            "按16号的退出计数（2016-04-29至2020-12-31），与年度脱贫目标比较（来源只给出2017年的"
            "20万人，其他年份无目标）。",
            "Exits counted as under 16号 (2016-04-29 to 2020-12-31), compared with the annual "
            "exit target (the sources give 2017's only, 200,000; other years have none).",
        ),
    ),
    Indicator(
        id="people_relocated",
        subject="household",
        title=T("造福工程搬迁人数", "People relocated by the Zaofu programme"),
        citations=[MEETING_TARGETS],
        kind="count",
        condition=field("relocated"),
        weight="people",
        target=(">=", param("annual_target_relocated_people")),
        interpretation=True,
        description=T(
            "模型不记录搬迁年份：调用方传入当年的搬迁户，本指标数其人口并与年度目标（2017年"
            "10万人）比较（解释）。",
            "The model does not record the year of relocation: the caller passes the year's "
            "relocated households, and the indicator counts their people against the annual "
            "target (2017: 100,000) (interpretation).",
        ),
    ),
    Indicator(
        id="villages_meeting_exit_standard",
        subject="village",
        title=T("达到贫困村退出标准的村数", "Villages meeting the village exit standard"),
        citations=[TARGETS, NATIONAL_VILLAGE_EXIT],
        kind="count",
        condition=_national_test("village_incidence"),
        target=(">=", param("poor_village_count")),
        description=T(
            "对全省贫困村运行时，与2201个贫困村全部退出的2020年目标比较（2018-10-24至"
            "2020-12-31）。《三年行动实施意见》只说「按照标准和程序」退出而未给出标准，故用16号"
            "的贫困发生率标准（降至2%以下，含2%；西部3%）。连江县的指标只在2017年底前生效，不在"
            "此列。",
            "Run over every poor village of the province, it is compared with the 2020 target "
            "that all 2201 exit (2018-10-24 to 2020-12-31). The implementing opinions say "
            "villages exit 'by the standard and procedure' without giving a standard, so 16号's "
            "incidence standard is used (2% or below, 2% included; 3% in the west). Lianjiang's "
            "indicators govern only until the end of 2017 and are not part of it.",
        ),
    ),
    Indicator(
        id="villages_below_incidence_max",
        subject="village",
        title=T(
            "贫困发生率不高于退出标准的村的比例",
            "Share of villages at or below the exit incidence",
        ),
        citations=[NATIONAL_VILLAGE_EXIT, LIANJIANG],
        kind="share",
        condition=_national_test("village_incidence"),
        description=T(
            "16号「降至2%以下（西部地区降至3%以下）」：「以下」含本数，恰为2%的村计入。连江县"
            "报道的「全县50个贫困村贫困发生率均低于2%」是结果（示例数据）。",
            "16号 'falls to 2% or below (3% or below in the west)': 以下 includes the bound, so "
            "a village at exactly 2% counts. Lianjiang's 'all 50 poor villages below 2%' reports "
            "a result (example data).",
        ),
    ),
    Indicator(
        id="key_counties_meeting_borrowed_national_standard",
        subject="county",
        title=T(
            "达到借用的国家贫困县退出指标的省级重点县数（解释：借用国家标准）",
            "Provincial key counties meeting the national county indicators, borrowed "
            "(interpretation: national standard borrowed)",
        ),
        citations=[KEY_COUNTY_EXIT, TARGETS, EVALUATION_BORROWED],
        kind="count",
        condition=county_meets_borrowed_standard,
        target=(">=", param("key_county_count")),
        interpretation=True,
        description=T(
            "解释（借用国家标准），不是重点县的退出检验：福建的23个是省级扶贫开发工作重点县，"
            "不是16号、56号所说的贫困县（国家重点县和集中连片特困地区县），其退出标准见于"
            "《关于建立贫困退出机制的实施意见》和《福建省省级扶贫开发工作重点县退出专项评估检查"
            "实施办法(试行)》，本项目未见其文本（缺口，见 not_encoded）。本指标只数省级重点县"
            "（provincial_key_county）中达到国家专项评估检查四项指标（综合或建档立卡贫困发生率、"
            "错退率、漏评率、群众认可度，界限见 county_evaluation_bounds_inclusive）的县，与23个"
            "全部摘帽的2020年目标比较，供参考。",
            "An interpretation (national standard borrowed), not the key counties' exit test: "
            "Fujian's 23 are provincial key counties, not the poverty counties of 16号 and "
            "56号 (national key counties and contiguous poor-area counties); their exit "
            "standard is set in the 'Implementing opinions on establishing a poverty exit "
            "mechanism' and the 'Fujian measures for the special evaluation of the exit of "
            "provincial key counties (trial)', whose texts the project has not seen (a gap, see "
            "not_encoded). The indicator counts only provincial key counties "
            "(provincial_key_county) meeting the four national evaluation indicators (composite "
            "or registered incidence, wrong-exit rate, omission rate, public approval; bounds "
            "per county_evaluation_bounds_inclusive), compared with the 2020 target that all 23 "
            "exit, for reference.",
        ),
    ),
    Indicator(
        id="elderly_care_coverage",
        subject="village",
        title=T("贫困村养老服务设施覆盖率", "Elderly-care facility coverage of poor villages"),
        citations=[SOCIAL],
        kind="share",
        condition=field("elderly_care_facility"),
        target=(">", param("elderly_care_coverage_min")),
        description=T(
            "对贫困村运行（2020年目标：超过60%）。",
            "Run over poor villages (2020 target: more than 60%).",
        ),
    ),
    Indicator(
        id="disabled_rehabilitated",
        subject="household",
        title=T("获得基本康复服务的残疾人数", "Disabled people receiving basic rehabilitation"),
        citations=[SOCIAL],
        kind="sum",
        value=count_members(member("disabled") & member("rehabilitation_service")),
        description=T(
            "基本康复服务率的分子；分母为 disabled_people，目标见参数 rehabilitation_rate_target"
            "（80%）。",
            "The numerator of the basic rehabilitation service rate; the denominator is "
            "disabled_people, the target the parameter rehabilitation_rate_target (80%).",
        ),
    ),
    Indicator(
        id="rehabilitation_rate",
        subject="household",
        title=T("残疾人基本康复服务率", "Basic rehabilitation service rate of disabled people"),
        citations=[SOCIAL],
        kind="ratio",
        value=count_members(member("disabled") & member("rehabilitation_service")),
        denominator=count_members(member("disabled")),
        target=(">=", param("rehabilitation_rate_target")),
        description=T(
            "获得基本康复服务的残疾人 ÷ 残疾人（两项之和之比），与「到2020年年底全省基本康复服务率"
            "达到80%」（含80%）比较。分子与分母也分别是指标 disabled_rehabilitated、"
            "disabled_people。",
            "Disabled people receiving basic rehabilitation ÷ disabled people (a ratio of two "
            "sums), compared with 'a basic rehabilitation service rate of 80% across the "
            "province by the end of 2020' (80% included). The numerator and denominator are "
            "also the indicators disabled_rehabilitated and disabled_people.",
        ),
    ),
    Indicator(
        id="family_doctor_contract_coverage",
        subject="household",
        title=T("贫困户家庭医生签约覆盖率", "Family-doctor contract coverage of poor households"),
        citations=[HEALTH, LIANJIANG_DOCTOR],
        kind="share",
        condition=field("family_doctor_contract"),
        description=T(
            "已签约家庭医生的户 ÷ 全部户。《三年行动实施意见》要求「加强和规范」签约服务，未给出"
            "覆盖目标，故无目标值；连江县报道「所有贫困户均实现家庭医生签约服务」（结果）。签约"
            "不是贫困户退出的条件。",
            "Households with a family-doctor contract ÷ all households. The implementing "
            "opinions ask to 'strengthen and standardise' contract services and set no coverage "
            "target, so there is none; Lianjiang reports that 'every poor household has a "
            "family-doctor contract' (a result). A contract is not a condition of household "
            "exit.",
        ),
    ),
    Indicator(
        id="disabled_people",
        subject="household",
        title=T("残疾人数", "Disabled people"),
        citations=[SOCIAL],
        kind="sum",
        value=count_members(member("disabled")),
        description=T(
            "基本康复服务率的分母。", "The denominator of the basic rehabilitation service rate."
        ),
    ),
    Indicator(
        id="tourism_funds",
        subject="village",
        title=T(
            "旅游扶贫重点村获得的旅游扶贫资金", "Tourism funds received by tourism key villages"
        ),
        citations=[VILLAGE_LIFT],
        kind="sum",
        value=where(field("tourism_key_village"), field("tourism_funds"), 0),
        target=(">=", param("tourism_fund_per_year")),
        description=T(
            "对全部50个旅游扶贫重点村运行时，与每年1000万元的省级专项资金比较；非重点村计0。",
            "Run over all 50 tourism key villages, it is compared with the provincial fund of "
            "10,000,000 yuan a year; other villages count 0.",
        ),
    ),
    Indicator(
        id="tourism_key_villages",
        subject="village",
        title=T("旅游扶贫重点村数", "Tourism key villages"),
        citations=[VILLAGE_LIFT],
        kind="count",
        condition=field("tourism_key_village"),
        target=("==", param("tourism_key_village_count")),
        description=T(
            "与50个旅游扶贫重点村比较，检查名单是否完整。",
            "Compared with the 50 tourism key villages: whether the list is complete.",
        ),
    ),
    Indicator(
        id="poor_villages_registered",
        subject="village",
        title=T("建档立卡贫困村数", "Registered poor villages"),
        citations=[MEETING_REGISTRY, TARGETS],
        kind="count",
        condition=field("poor_village"),
        target=("==", param("poor_village_count")),
        in_force=REGISTRY_PERIOD,
        description=T(
            "与全省2201个贫困村比较，检查登记是否完整。",
            "Compared with the province's 2201 poor villages: whether the register is complete.",
        ),
    ),
    Indicator(
        id="ethnic_minority_poor_villages",
        subject="village",
        title=T("建档立卡少数民族贫困村数", "Registered poor ethnic-minority villages"),
        citations=[VILLAGE_LIFT],
        kind="count",
        condition=field("poor_village") & field("ethnic_minority"),
        target=("==", param("ethnic_minority_poor_village_count")),
        description=T(
            "与120个建档立卡少数民族贫困村比较。",
            "Compared with the 120 registered ethnic-minority villages.",
        ),
    ),
]

# -- what the pack registers -----------------------------------------------------------------

CRITERIA: list[Criterion] = [*HOUSEHOLD_CRITERIA, *VILLAGE_CRITERIA, *COUNTY_CRITERIA]
DECISIONS: list[Decision] = [*HOUSEHOLD_DECISIONS, *VILLAGE_DECISIONS, *COUNTY_DECISIONS]
OVERRIDES: list[Criterion | Decision] = [*HOUSEHOLD_OVERRIDES, HOUSEHOLD_EXIT, VILLAGE_EXIT]
"""Criteria and decisions replacing the national ones of the same id."""
