"""The Fujian rules as criteria, decisions, classifiers, an entitlement and indicators.

Thresholds, amounts, counts and dates are parameters in ``data/parameters``; this module
states only the tests and cites where each comes from. The main text is the 2018
implementing opinions of the Fujian Party committee and government on the three-year
battle (source ``fujian-2018-three-year``; locators ``二、(四)`` = part 2, item 4); the
2017 provincial meeting report (``fujian-meeting-2017``) and Lianjiang county's account
(``lianjiang-2017``) add annual targets and village exit indicators.

Criteria marked ``interpretation=True`` are the pack's reading of a stated goal; their
descriptions say what was read and how.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from poverty_core._text import T
from poverty_core.codes import (
    HouseGrade,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    SchoolingStage,
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
    function,
    length,
    lit,
    member,
    not_,
    param,
    where,
)
from poverty_core.model import StatusEvent
from poverty_core.national.rules import CRITERIA as NATIONAL_CRITERIA
from poverty_core.parameters import cite
from poverty_core.rules import (
    ClassRule,
    Classifier,
    Criterion,
    Decision,
    Entitlement,
    EntitlementLine,
    Indicator,
)
from poverty_core_fujian.dated import dated_function

__all__ = [
    "CLASSIFIERS",
    "CRITERIA",
    "DECISIONS",
    "ENTITLEMENTS",
    "INDICATORS",
    "OVERRIDES",
    "cadre_visits_each_quarter",
    "exited_in_year",
    "paid_by_deadline",
    "pushes_in_window",
]

OPINIONS = "fujian-2018-three-year"


def _003(locator: str) -> Any:
    return cite(OPINIONS, locator)


# -- citations --------------------------------------------------------------------------

TARGETS = _003("一、(二) 目标任务 / part 1, item 2: targets")
STANDARD = _003("一、(三) 坚持严格执行现行扶贫标准 / part 1, item 3: keep to the current standard")
PRECISION = _003("一、(三) 因村派人（第一书记）精准 / part 1, item 3: the right person for each village")
EMPLOYMENT = _003("二、(二) 打好就业扶贫务工增收战役 / part 2, item 2: employment")
RAIN_DEW = _003("二、(二) 「雨露计划」扶贫助学补助 / part 2, item 2: Rain and Dew plan study grant")
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
ENTERPRISES = _003("六、(三) 动员全社会力量参与脱贫攻坚 / part 6, item 3: state-owned pairing enterprises")
ASSESSMENTS = _003("六、(四) 完善扶贫考核监督评估机制 / part 6, item 4: assessments")
MEETING_TARGETS = cite(
    "fujian-meeting-2017",
    "于伟国强调：「脱贫20万人、造福工程搬迁10万人」的年度目标任务 / governor Yu: annual targets",
)
MEETING_REGISTRY = cite(
    "fujian-meeting-2017",
    "一是重点要再聚焦：23个省级重点县和2201个建档立卡贫困村 / part 1: 23 key counties, 2201 villages",
)
MEETING_CADRES = cite(
    "fujian-meeting-2017",
    "四是保障要再强化：确保每户贫困户都有一位干部对口帮扶 / part 4: a cadre paired with every poor "
    "household",
)
LIANJIANG = cite(
    "lianjiang-2017",
    "精准脱贫有方法见成效：全县50个贫困村贫困发生率均低于2%，建制村都已通硬化路和通网络，"
    "所有自然村已全部通电，义务教育阶段无学生辍学，村财收入全部达10万元以上，各村均有一个以上"
    "主导产业 / Lianjiang's village exit indicators",
)
LIANJIANG_DOCTOR = cite(
    "lianjiang-2017",
    "所有贫困户均实现家庭医生签约服务 / every poor household has a family-doctor contract",
)
NATIONAL_EXIT = cite("zbf-2016-16", "贫困人口退出标准 / standard for the exit of poor people")
NATIONAL_VILLAGE_EXIT = cite(
    "zbf-2016-16", "贫困村退出标准 / standard for the exit of poor villages"
)
NATIONAL_COUNTY_EXIT = cite(
    "zbf-2016-16", "贫困县退出标准 / standard for the exit of poor counties"
)

_NATIONAL = {c.id: c for c in NATIONAL_CRITERIA}


def _national_test(criterion_id: str) -> Expr:
    """The test of a national criterion, reused where an indicator counts its records."""
    return _NATIONAL[criterion_id].test


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
) -> bool | None:
    """Whether each of the last ``quarters`` calendar quarters that ended on or before
    ``as_of`` has at least ``minimum`` visits (``None`` when an input is unknown).

    >>> year = [dt.date(2019, m, 15) for m in (2, 5, 8, 11)]
    >>> cadre_visits_each_quarter(dt.date(2019, 12, 31), year, 1, 4)
    True
    >>> cadre_visits_each_quarter(dt.date(2019, 12, 31), year[:3], 1, 4)
    False
    """
    if visits is None or minimum is None or quarters is None:
        return None
    ends_quarter = (as_of + dt.timedelta(days=1)).day == 1 and as_of.month % 3 == 0
    last = _quarter(as_of) if ends_quarter else _quarter(as_of) - 1
    counts = Counter(_quarter(d) for d in visits if d <= as_of)
    return all(counts[q] >= minimum for q in range(last - quarters + 1, last + 1))


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

insured = all_of(
    member("basic_medical_insurance"),
    member("serious_illness_insurance"),
    member("medical_assistance"),
    any_of(
        not_(param("supplementary_medical_insurance_required")),
        member("supplementary_medical_insurance"),
    ),
)
pushed_recently = dated_function(
    pushes_in_window,
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
HOUSING_FORMS = ("public_housing", "idle_house_swap", "long_term_lease")

HOUSEHOLD_CRITERIA = [
    Criterion(
        id="family_doctor_contract",
        subject="household",
        title=T("贫困户已签约家庭医生", "The household has a family-doctor contract"),
        citations=[HEALTH, LIANJIANG_DOCTOR],
        test=any_of(
            not_(param("family_doctor_contract_required")), field("family_doctor_contract")
        ),
        observed=field("family_doctor_contract"),
        interpretation=True,
        description=T(
            "福建的健康保障要求为建档立卡贫困人口提供家庭医生签约服务（连江县报道：所有贫困户"
            "均已签约）。本包把它列入福建的贫困户退出检验（解释）。要求自 2018-10-24 起有值，"
            "见参数 family_doctor_contract_required。",
            "Fujian's health guarantee provides family-doctor contract services to registered "
            "poor people (Lianjiang: every poor household has one). The pack adds it to "
            "Fujian's household exit test (interpretation). The requirement has a value from "
            "2018-10-24 on; see family_doctor_contract_required.",
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
        test=field("pairing_cadre").ne(""),
        observed=None,
    ),
    Criterion(
        id="cadre_quarterly_visits",
        subject="household",
        title=T(
            "挂钩帮扶干部每个季度至少入户1次",
            "The pairing cadre visited at least once in every quarter",
        ),
        citations=[DUTIES],
        test=dated_function(
            cadre_visits_each_quarter,
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
            "「每个季度」），每个季度的入户次数不少于 cadre_visits_per_quarter_min。"
            "观察值为记录的入户总次数。",
            "Checks the last cadre_visit_quarters calendar quarters ended on or before the "
            "assessment date (interpretation: the source only says 'every quarter'); each must "
            "have at least cadre_visits_per_quarter_min visits. The observed value is the "
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
            "基本医疗有保障：全员参加基本医保、大病保险、医疗救助和精准扶贫医疗叠加保险",
            "Basic medical care guaranteed: every member in basic insurance, serious-illness "
            "insurance, medical assistance and the poverty supplementary insurance",
        ),
        citations=[HEALTH, NATIONAL_EXIT],
        test=all_members(insured),
        observed=count_members(not_(insured)),
        required=lit(0),
        op="=",
        description=T(
            "福建在国家三项之外要求精准扶贫医疗叠加保险（自 2018-10-24 起，见参数 "
            "supplementary_medical_insurance_required；此前叠加保险一项为未知，除非调用方提供）。"
            "参保个人缴费由医疗救助基金全额资助一项，模型无对应字段，未编码（见 not_encoded）。",
            "Fujian adds the poverty supplementary medical insurance to the three national "
            "schemes (from 2018-10-24 on, see supplementary_medical_insurance_required; before "
            "that the supplementary part is unknown unless the caller supplies the value). The "
            "individual premium paid by the medical assistance fund has no model field and is "
            "not encoded (see not_encoded).",
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
            field("housing_form").isin(HOUSING_FORMS),
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
        criteria=["basic_medical", "family_doctor_contract"],
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
        "贫困户退出（福建：两不愁三保障、国定与省定标准、健康保障）",
        "Household exit (Fujian: two assurances, three guarantees, national and provincial "
        "lines, health guarantee)",
    ),
    citations=[NATIONAL_EXIT, STANDARD, TARGETS, HEALTH],
    criteria=[
        "income_above_line",
        "income_above_provincial_line",
        "food_secure",
        "clothing_secure",
        "compulsory_education",
        "basic_medical",
        "family_doctor_contract",
        "safe_housing",
    ],
    description=T(
        "国家六项，其中基本医疗与住房安全按福建口径；另加省定扶贫标准（按省定标准识别的户）"
        "和家庭医生签约（解释）。",
        "The six national criteria, with basic medical care and safe housing in Fujian's "
        "form; plus the provincial line (households identified under it) and the "
        "family-doctor contract (interpretation).",
    ),
)

