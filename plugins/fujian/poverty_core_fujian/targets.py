"""Fujian's household, village and county targets and rights that matter for a decision or
an entitlement, beyond the exit tests in :mod:`poverty_core_fujian.rules`.

Each rule quotes the seed it comes from. Seed 003 is the 2018 implementing opinions of the
Fujian Party committee and government on the three-year battle (source
``fujian-2018-three-year``, locators ``三、(九)`` = part 3, item 9); its rules govern
2018-10-24 to 2020-12-31 (the source's ``governs``). Seed 000 is the report of the
provincial on-site meeting of 2017-09-29 (``fujian-meeting-2017``); its targets are for
2017, except the collective-economy pilot, which it gives three years.

None of these rules is a household-exit criterion: 003 一、(三) forbids raising the exit
standard ("既不能降低标准，也不能擅自拔高标准"), so each is a check, an entitlement, a
classifier or an indicator of its own.

How the rules are represented, and why:

* Treatment first, payment afterwards (先诊疗后付费) is a right with no amount: the patient
  still pays, later. An :class:`~poverty_core.rules.Entitlement` sums money (its line kinds
  are grants, loans, waivers and subsidies, each with an amount); a line without an amount
  leaves the total undetermined, and a line left out of the total shows a total of 0 yuan,
  which says nothing about the right. So it is a decision over the members: every member
  admitted to a designated hospital in the province was treated first and paid afterwards.
* The two disability subsidies are member entitlements whose amounts the seeds do not give:
  the amounts are parameters without values (gaps), and who is in difficulty or severely
  disabled is read from member fields the caller fills under the subsidies' own rules.
* Priorities (生态保护人员, 无障碍改造, 灾害救助) are classifiers: they say who comes first,
  never that a post, an adaptation or a payment is due.
* Goals qualified by 基本 ("basically") are indicators without a pass/fail target.
"""

from __future__ import annotations

import datetime as dt

from poverty_core import T
from poverty_core.codes import HouseholdAttribute, HouseholdStatus, LabourCapacity
from poverty_core.expressions import (
    all_members,
    any_member,
    any_of,
    count_members,
    field,
    lit,
    member,
    not_,
    param,
)
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
    "RULES",
]

OPINIONS = "fujian-2018-three-year"
MEETING = "fujian-meeting-2017"


def _003(locator: str) -> Citation:
    return cite(OPINIONS, locator)


# -- citations (each quotes the seed) --------------------------------------------------------

INCOME_GROWTH = _003(
    "一、(二) 目标任务：实现贫困地区农民人均可支配收入增长幅度高于全省平均水平 / part 1, item 2: "
    "rural per-capita disposable income in poor areas grows faster than the provincial average"
)
PENSION = _003(
    "一、(二) 目标任务：基本养老保险和基本医疗保险、大病保险实现贫困人口全覆盖 / part 1, item 2: "
    "basic pension insurance, basic medical insurance and serious-illness insurance cover "
    "every poor person"
)
TREATMENT = _003(
    "二、(四) 全面落实农村贫困人口省内定点医疗机构住院治疗先诊疗后付费 / part 2, item 4: rural "
    "poor people in hospital at a designated institution in the province are treated first "
    "and pay afterwards"
)
ROADS = _003(
    "三、(三) 统筹推进200人以上的民族自然村的道路建设，省级按政策予以资金支持 / part 3, item 3: "
    "road building for ethnic-minority natural villages of 200 people or more, with "
    "provincial funds"
)
FUEL = _003(
    "三、(四) 指导、推进省级水土流失治理重点县开展燃料补贴工作，减轻建档立卡贫困人口负担 / "
    "part 3, item 4: fuel subsidies in the provincial soil-erosion key counties, to lighten "
    "the burden of registered poor people"
)
POWER = _003(
    "三、(五) 确保贫困户户户通电、贫困村村村通电 / part 3, item 5: power to every poor household "
    "and every poor village"
)
TOILETS = _003(
    "三、(六) 到2020年……基本实现农村卫生厕所全覆盖 / part 3, item 6: by 2020 sanitary toilets "
    "basically everywhere in the countryside"
)
SEWAGE = _003(
    "三、(六) 到2020年，乡镇污水处理设施基本建成并投入使用 / part 3, item 6: by 2020 township "
    "sewage facilities basically built and working"
)
ECO_RANGERS = _003(
    "三、(七) 优先让有劳动能力的贫困人口就地转为生态保护人员 / part 3, item 7: poor people able "
    "to work come first to become local ecological rangers"
)
DISASTER = _003(
    "三、(九) 优先做好特困户、低保户和贫困残疾人家庭等的灾害救助工作 / part 3, item 9: disaster "
    "relief first for destitute, minimum-allowance and poor disabled households and others"
)
RELIEF = _003(
    "三、(九) 加大临时救助力度……及时将符合条件的返贫人口纳入救助范围 / part 3, item 9: eligible "
    "people who fall back into poverty are taken into relief in time"
)
SUBSIDIES = _003(
    "三、(九) 全面实施困难残疾人生活补贴和重度残疾人护理补贴制度，努力提高政策覆盖面 / part 3, "
    "item 9: the living subsidy for disabled people in difficulty and the nursing subsidy for "
    "the severely disabled, fully implemented"
)
BARRIER_FREE = _003(
    "三、(九) 对有需求的贫困残疾人家庭优先实施无障碍改造 / part 3, item 9: poor disabled families "
    "with a need come first for barrier-free adaptation"
)
COLLECTIVE_ACTION = _003(
    "三、(二) 实施村级集体经济发展三年行动 / part 3, item 2: a three-year action for village "
    "collective economies"
)
VISITS = _003(
    "六、(一) 实施五级书记遍访贫困对象行动：省委书记遍访重点县……县（市、区）党委书记遍访贫困村，"
    "乡镇党委书记和村党组织书记遍访贫困户 / part 6, item 1: secretaries at five levels visit "
    "every poor target"
)
EVALUATION = _003(
    "六、(四) 市级及以下未经省扶贫开发领导小组批准不得自行开展第三方评估 / part 6, item 4: no "
    "third-party evaluation by the city or lower bodies without the provincial leading group's "
    "approval"
)
MEETING_COLLECTIVE = cite(
    MEETING,
    "一是重点要再聚焦：开展扶持村级集体经济发展试点，用三年时间实现建档立卡贫困村全覆盖 / part 1: "
    "a pilot supporting village collective economies, reaching every registered poor village "
    "in three years",
)
MEETING_WHOLE_VILLAGE = cite(
    MEETING,
    "四是保障要再强化：今年实现建档立卡贫困村整村推进帮扶全覆盖 / part 4: whole-village "
    "assistance for every registered poor village this year",
)

SUPPORTED = (HouseholdStatus.NOT_EXITED, HouseholdStatus.EXITED_SUPPORTED, HouseholdStatus.RETURNED)
ABLE_TO_WORK = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)

# -- households ------------------------------------------------------------------------------

admitted = member("inpatient_designated_in_province")
not_treated_first = admitted & not_(member("treated_before_payment"))
pension_insured = any_of(member("pension_insurance"), member("employee_pension_insurance"))
insurable_age = member("age").between(
    param("t_pension_insurable_age_min"), param("t_pension_insurable_age_max")
)
uninsured_of_age = insurable_age & not_(pension_insured)

HOUSEHOLD_CRITERIA = [
    Criterion(
        id="treated_before_payment",
        subject="household",
        title=T(
            "在省内定点医疗机构住院的成员均先诊疗后付费",
            "Every member in hospital at a designated institution in the province was treated "
            "first and paid afterwards",
        ),
        citations=[TREATMENT],
        test=all_members(any_of(not_(admitted), member("treated_before_payment"))),
        observed=count_members(not_treated_first),
        required=lit(0),
        op="=",
        description=T(
            "「全面落实农村贫困人口省内定点医疗机构住院治疗先诊疗后付费」。这是一项没有金额的权利"
            "（病人仍须付费，只是后付），补助项目（Entitlement）只能合计金额，故作为对成员的检验："
            "在省内定点医疗机构住院的成员都须先诊疗后付费；未住院的成员不计。适用于建档立卡贫困户"
            "（农村贫困人口）。「一站式」即时结算未编码（模型没有结算字段）。",
            "'Fully implement treatment first, payment afterwards for rural poor people in "
            "hospital at designated institutions in the province.' It is a right with no amount "
            "(the patient still pays, later), and an entitlement can only add up money, so it is "
            "a check over the members: each member admitted to a designated hospital in the "
            "province must have been treated first and paid afterwards; members not admitted "
            "are not counted. For registered poor households (the rural poor). One-window "
            "settlement ('一站式…即时结算') is not encoded: the model has no settlement field.",
        ),
    ),
    Criterion(
        id="pension_insured_all_of_age",
        subject="household",
        title=T(
            "参保年龄内的成员都参加了基本养老保险",
            "Every member of insurable age is in a basic pension insurance",
        ),
        citations=[PENSION],
        test=all_members(any_of(not_(insurable_age), pension_insured)),
        observed=count_members(uninsured_of_age),
        required=lit(0),
        op="=",
        interpretation=True,
        description=T(
            "「基本养老保险……实现贫困人口全覆盖」：检验每一名参保年龄内的成员，而不只是已参保的"
            "成员（代缴保费另由 pension_premium_paid 检验）。基本养老保险读作城乡居民养老保险或"
            "城镇职工基本养老保险（解释）。参保年龄范围及其例外由养老保险制度规定，来源未给出："
            "参数 t_pension_insurable_age_min 与 t_pension_insurable_age_max 没有取值（缺口），"
            "未参保成员的检验因此为未知，除非调用方提供年龄范围；已参保的成员无论年龄都通过。",
            "'Basic pension insurance … covers every poor person': every member of insurable "
            "age is checked, not only those already insured (the premium paid by the county is "
            "pension_premium_paid). Basic pension insurance is read as the resident pension "
            "insurance or the employees' basic pension insurance (interpretation). The "
            "insurable ages and their exceptions are set by the pension schemes, not the "
            "sources: t_pension_insurable_age_min and t_pension_insurable_age_max have no value "
            "(gaps), so an uninsured member is unknown unless the caller supplies the range; an "
            "insured member passes at any age.",
        ),
    ),
    Criterion(
        id="household_electricity",
        subject="household",
        title=T("贫困户通电", "The poor household has electricity"),
        citations=[POWER],
        test=field("electricity_connected"),
        description=T(
            "「确保贫困户户户通电」：每一户贫困户通电（户的检验；村的通电见 "
            "village_electricity）。",
            "'Make sure every poor household has power': a check on each household (the "
            "village's power is village_electricity).",
        ),
    ),
    Criterion(
        id="returned_taken_into_relief",
        subject="household",
        title=T(
            "符合条件的返贫户已纳入救助范围",
            "A returned household that meets the conditions is taken into relief",
        ),
        citations=[RELIEF],
        test=any_of(
            field("status").ne(HouseholdStatus.RETURNED),
            not_(field("relief_eligible")),
            field("in_relief"),
        ),
        observed=field("in_relief"),
        interpretation=True,
        description=T(
            "「及时将符合条件的返贫人口纳入救助范围」：状态为返贫、且符合救助条件的户须已纳入救助"
            "范围；其他户本条通过。「符合条件」由救助政策规定，来源未给出：本包读调用方按该政策认定"
            "的字段 relief_eligible，不自行判断（解释）。「及时」没有期限，不检验。",
            "'Take eligible people who fall back into poverty into relief in time': a household "
            "whose status is returned and which meets the conditions must be in relief; other "
            "households pass. The conditions are set by the relief rules, not the sources: the "
            "pack reads the caller's determination (relief_eligible) and judges nothing itself "
            "(interpretation). 'In time' names no deadline and is not tested.",
        ),
    ),
    Criterion(
        id="township_secretary_visited",
        subject="household",
        title=T("乡镇党委书记已走访本户", "The township Party secretary visited the household"),
        citations=[VISITS],
        test=field("visited_by_township_secretary"),
    ),
    Criterion(
        id="village_secretary_visited",
        subject="household",
        title=T("村党组织书记已走访本户", "The village Party secretary visited the household"),
        citations=[VISITS],
        test=field("visited_by_village_secretary"),
    ),
]

HOUSEHOLD_DECISIONS = [
    Decision(
        id="treatment_before_payment",
        subject="household",
        title=T("住院先诊疗后付费", "Hospital treatment first, payment afterwards"),
        citations=[TREATMENT],
        criteria=["treated_before_payment"],
    ),
    Decision(
        id="pension_coverage",
        subject="household",
        title=T("基本养老保险全覆盖", "Basic pension insurance for everyone"),
        citations=[PENSION],
        criteria=["pension_insured_all_of_age"],
    ),
    Decision(
        id="household_power",
        subject="household",
        title=T("贫困户户户通电", "Power to every poor household"),
        citations=[POWER],
        criteria=["household_electricity"],
    ),
    Decision(
        id="returned_relief",
        subject="household",
        title=T("返贫人口纳入救助", "People back in poverty taken into relief"),
        citations=[RELIEF],
        criteria=["returned_taken_into_relief"],
    ),
    Decision(
        id="secretary_visits_household",
        subject="household",
        title=T(
            "五级书记遍访：乡镇与村书记遍访贫困户",
            "Secretaries' visits: township and village secretaries visit every poor household",
        ),
        citations=[VISITS],
        criteria=["township_secretary_visited", "village_secretary_visited"],
        description=T(
            "来源未规定走访次数或时间：记录为在本期内是否已走访。",
            "The source sets no number or date of visits: the record says whether the visit "
            "took place in the period.",
        ),
    ),
]

# -- villages ---------------------------------------------------------------------------------

VILLAGE_CRITERIA = [
    Criterion(
        id="ethnic_natural_village_roads",
        subject="village",
        title=T(
            "200人以上的民族自然村都已通路",
            "Every ethnic-minority natural village of 200 people or more has a road",
        ),
        citations=[ROADS],
        test=field("largest_unroaded_ethnic_natural_village")
        < param("t_ethnic_natural_village_road_min_people"),
        interpretation=True,
        description=T(
            "「统筹推进200人以上的民族自然村的道路建设」（「以上」含200人）。来源要求推进道路建设，"
            "本包读作：建制村内200人以上的少数民族自然村都已通路（解释）。以未通路的民族自然村中"
            "人口最多者检验：其人口须少于200（没有未通路的则记0），故恰为200人而未通路的村不通过。",
            "'Promote road building for ethnic-minority natural villages of 200 people or more' "
            "(以上 includes 200). The source asks to promote the roads; the pack reads it as: "
            "every ethnic-minority natural village of 200 or more people in the administrative "
            "village has a road (interpretation). Tested on the largest such natural village "
            "without a road: it must have fewer than 200 people (0 when none lacks a road), so a "
            "village of exactly 200 without a road fails.",
        ),
    ),
    Criterion(
        id="county_secretary_visited",
        subject="village",
        title=T(
            "县（市、区）党委书记已走访贫困村",
            "The county Party secretary visited the poor village",
        ),
        citations=[VISITS],
        test=any_of(field("poor_village").eq(False), field("visited_by_county_secretary")),
        observed=field("visited_by_county_secretary"),
        description=T(
            "「县（市、区）党委书记遍访贫困村」：非贫困村本条通过。",
            "'County secretaries visit every poor village': a village that is not a poor "
            "village passes.",
        ),
    ),
]

VILLAGE_DECISIONS = [
    Decision(
        id="ethnic_village_roads",
        subject="village",
        title=T("民族自然村道路建设", "Roads for ethnic-minority natural villages"),
        citations=[ROADS],
        criteria=["ethnic_natural_village_roads"],
    ),
    Decision(
        id="secretary_visits_village",
        subject="village",
        title=T(
            "五级书记遍访：县委书记遍访贫困村",
            "Secretaries' visits: the county secretary visits every poor village",
        ),
        citations=[VISITS],
        criteria=["county_secretary_visited"],
    ),
]

# -- counties ---------------------------------------------------------------------------------

COUNTY_CRITERIA = [
    Criterion(
        id="rural_income_growth_above_province",
        subject="county",
        title=T(
            "农民人均可支配收入增长幅度高于全省平均水平",
            "Rural per-capita disposable income grows faster than the provincial average",
        ),
        citations=[INCOME_GROWTH],
        test=field("rural_income_growth") > field("provincial_rural_income_growth"),
        interpretation=True,
        description=T(
            "「高于」不含等于：增长幅度须严格大于全省平均。两个增长幅度均由调用方在记录中提供（来源"
            "未给出数值）。来源说的是「贫困地区」整体；本包对每条县记录检验（解释），调用方也可传入"
            "代表全部贫困地区的一条记录。",
            "'高于' excludes equality: the growth must be strictly above the provincial "
            "average. The caller gives both growth rates on the record (the sources give no "
            "figures). The source speaks of the poor areas as a whole; the pack checks each "
            "county record (interpretation), and a caller may pass one record standing for all "
            "poor areas.",
        ),
    ),
    Criterion(
        id="third_party_evaluation_approved",
        subject="county",
        title=T(
            "市级及以下未经省扶贫开发领导小组批准未自行开展第三方评估",
            "No third-party evaluation by the city or lower bodies without the provincial "
            "leading group's approval",
        ),
        citations=[EVALUATION],
        test=field("unapproved_third_party_evaluations").eq(0),
        description=T(
            "「不得」：未经批准的第三方评估次数须为0。记在县记录上：设区市及县、乡各级在该县开展的"
            "评估。与「省市两级对县考核每年不超过2次」（assessments_limit）同条。",
            "'不得' (must not): the number of unapproved third-party evaluations must be 0. "
            "Recorded on the county: evaluations by the city, the county or lower bodies in the "
            "county. The same item sets the limit of two assessments a year "
            "(assessments_limit).",
        ),
    ),
    Criterion(
        id="provincial_secretary_visited",
        subject="county",
        title=T(
            "省委书记已走访省级重点县", "The provincial Party secretary visited the key county"
        ),
        citations=[VISITS],
        test=any_of(
            field("provincial_key_county").eq(False), field("visited_by_provincial_secretary")
        ),
        observed=field("visited_by_provincial_secretary"),
        description=T(
            "「省委书记遍访重点县」：非省级重点县本条通过。",
            "'The provincial secretary visits every key county': a county that is not a "
            "provincial key county passes.",
        ),
    ),
]

COUNTY_DECISIONS = [
    Decision(
        id="key_county_income_growth",
        subject="county",
        title=T(
            "贫困地区农民收入增长快于全省平均",
            "Rural income in poor areas grows faster than the provincial average",
        ),
        citations=[INCOME_GROWTH],
        criteria=["rural_income_growth_above_province"],
    ),
    Decision(
        id="third_party_evaluation_approval",
        subject="county",
        title=T(
            "第三方评估须经省扶贫开发领导小组批准",
            "Third-party evaluations need the provincial leading group's approval",
        ),
        citations=[EVALUATION],
        criteria=["third_party_evaluation_approved"],
    ),
    Decision(
        id="secretary_visits_county",
        subject="county",
        title=T(
            "五级书记遍访：省委书记遍访重点县",
            "Secretaries' visits: the provincial secretary visits every key county",
        ),
        citations=[VISITS],
        criteria=["provincial_secretary_visited"],
    ),
]

# -- classifiers (priorities: who comes first, never what is due) -----------------------------

CLASSIFIERS = [
    Classifier(
        id="eco_ranger_priority",
        subject="household",
        title=T("生态保护人员优先", "Priority for ecological-ranger posts"),
        citations=[ECO_RANGERS],
        classes=[
            ClassRule(
                "priority",
                T(
                    "有有劳动能力的成员：优先就地转为生态保护人员",
                    "a member able to work: comes first for a local ranger post",
                ),
                any_member(member("labour_capacity").isin(ABLE_TO_WORK)),
            ),
        ],
        otherwise=TaxonomyItem(
            "no_member_able_to_work", T("无有劳动能力的成员", "no member able to work")
        ),
        interpretation=True,
        description=T(
            "「优先让有劳动能力的贫困人口就地转为生态保护人员」：这是优先顺序，不是保证的岗位；是否有"
            "岗位由当地生态公益林等项目决定。有劳动能力读作劳动能力为普通劳动力或技能劳动力"
            "（解释）。",
            "'Poor people able to work come first to become local ecological rangers': an order "
            "of priority, not a guaranteed post; whether there are posts depends on local "
            "ecological forest programmes. Able to work is read as ordinary or skilled labour "
            "(interpretation).",
        ),
    ),
    Classifier(
        id="barrier_free_priority",
        subject="household",
        title=T("无障碍改造优先", "Priority for barrier-free home adaptation"),
        citations=[BARRIER_FREE],
        classes=[
            ClassRule(
                "priority",
                T(
                    "有需求的贫困残疾人家庭：优先实施无障碍改造",
                    "a poor family with a disabled member and a need: comes first",
                ),
                field("barrier_free_need") & any_member(member("disabled")),
            ),
        ],
        otherwise=TaxonomyItem(
            "not_priority",
            T("无残疾成员或无改造需求", "no disabled member, or no need of adaptation"),
        ),
        description=T(
            "「对有需求的贫困残疾人家庭优先实施无障碍改造」：优先顺序，不是保证的改造。",
            "'Poor disabled families with a need come first for barrier-free adaptation': an "
            "order of priority, not a guaranteed adaptation.",
        ),
    ),
    Classifier(
        id="disaster_relief_priority",
        subject="household",
        title=T("灾害救助优先对象", "Priority group for disaster relief"),
        citations=[DISASTER],
        classes=[
            ClassRule(
                "tekun",
                T("特困户", "destitute-support household"),
                field("attribute").eq(HouseholdAttribute.TEKUN),
            ),
            ClassRule(
                "dibao",
                T("低保户", "minimum-allowance household"),
                field("attribute").eq(HouseholdAttribute.DIBAO),
            ),
            ClassRule(
                "poor_disabled",
                T("贫困残疾人家庭", "poor family with a disabled member"),
                any_member(member("disabled")),
            ),
        ],
        otherwise=TaxonomyItem(
            "not_named",
            T("不在来源列举的类别中", "not among the groups the source names"),
        ),
        interpretation=True,
        description=T(
            "「优先做好特困户、低保户和贫困残疾人家庭等的灾害救助工作」。列举以「等」结尾，未列举的户"
            "不因此被排除在优先之外：其类别为「不在来源列举的类别中」，而非「不优先」。类别彼此重叠，"
            "按来源列举的顺序给出第一类（解释）。",
            "'Disaster relief first for destitute, minimum-allowance and poor disabled "
            "households and others (等)'. The list ends with 'and others', so a household not "
            "named is not thereby excluded from priority: its class is 'not among the groups the "
            "source names', not 'no priority'. The groups overlap; the first in the source's "
            "order is given (interpretation).",
        ),
    ),
]

# -- entitlements -----------------------------------------------------------------------------

ENTITLEMENTS = [
    Entitlement(
        id="disability_subsidies",
        subject="household",
        title=T(
            "残疾人两项补贴（困难残疾人生活补贴、重度残疾人护理补贴）",
            "The two disability subsidies (living subsidy, nursing subsidy)",
        ),
        citations=[SUBSIDIES],
        lines=[
            EntitlementLine(
                id="living_subsidy",
                title=T("困难残疾人生活补贴", "Living subsidy for disabled people in difficulty"),
                citation=SUBSIDIES,
                condition=member("disabled") & member("disabled_in_difficulty"),
                amount=param("t_disability_living_subsidy"),
                per="member",
                kind="subsidy",
            ),
            EntitlementLine(
                id="nursing_subsidy",
                title=T("重度残疾人护理补贴", "Nursing subsidy for the severely disabled"),
                citation=SUBSIDIES,
                condition=member("disabled") & member("severely_disabled"),
                amount=param("t_disability_nursing_subsidy"),
                per="member",
                kind="subsidy",
            ),
        ],
        description=T(
            "「全面实施困难残疾人生活补贴和重度残疾人护理补贴制度」。来源未给出补贴标准和认定条件："
            "金额为没有取值的参数（缺口），应得成员的合计因此为未知，除非调用方提供金额；"
            "谁是困难残疾人、重度残疾人，读调用方按两项补贴制度认定的成员字段 "
            "disabled_in_difficulty 与 severely_disabled（解释：本包不以建档立卡身份推定）。"
            "两项可同时享受与否来源未说，本包逐项列出。",
            "'Fully implement the living subsidy for disabled people in difficulty and the "
            "nursing subsidy for the severely disabled.' The sources give neither the amounts nor "
            "the conditions: the amounts are parameters without values (gaps), so a household "
            "with a member due has an unknown total unless the caller supplies them; who is in "
            "difficulty or severely disabled is read from the member fields "
            "disabled_in_difficulty and severely_disabled, which the caller fills under the "
            "subsidies' own rules (interpretation: the pack does not infer it from registration). "
            "Whether both can be drawn at once is not said; each is listed.",
        ),
    ),
    Entitlement(
        id="fuel_subsidy",
        subject="household",
        title=T(
            "省级水土流失治理重点县燃料补贴",
            "Fuel subsidy in the provincial soil-erosion key counties",
        ),
        citations=[FUEL],
        eligibility=field("status").isin(SUPPORTED),
        lines=[
            EntitlementLine(
                id="fuel_subsidy",
                title=T("燃料补贴", "Fuel subsidy"),
                citation=FUEL,
                condition=field("county_id").isin(param("t_soil_erosion_key_counties")),
                amount=param("t_fuel_subsidy_amount"),
                per="household",
                kind="subsidy",
            ),
        ],
        description=T(
            "「指导、推进省级水土流失治理重点县开展燃料补贴工作，减轻建档立卡贫困人口负担」。来源既未"
            "列出这些县，也未给出补贴标准：县名单（参数 t_soil_erosion_key_counties，按登记的县编号"
            " county_id 比对）和金额（t_fuel_subsidy_amount）都是没有取值的参数（缺口），故在调用方"
            "提供之前，补贴为未知。来源未说按户还是按人发放，本包按户列一项、金额为每户每年（解释）。"
            "适用于未脱贫、已脱贫（享受政策）和返贫的建档立卡贫困户（解释，同 "
            "education_support）。",
            "'Guide and promote fuel subsidies in the provincial soil-erosion key counties, to "
            "lighten the burden of registered poor people.' The sources neither list the "
            "counties nor give an amount: the county list (t_soil_erosion_key_counties, matched "
            "against the register's county_id) and the amount (t_fuel_subsidy_amount) are "
            "parameters without values (gaps), so the subsidy is unknown until the caller "
            "supplies them. The source does not say whether it is paid per household or per "
            "person; the pack lists one line per household, an amount a household a year "
            "(interpretation). For registered poor households not exited, exited but still "
            "supported, or returned (interpretation, as in education_support).",
        ),
    ),
]

# -- indicators --------------------------------------------------------------------------------

COLLECTIVE_PILOT_YEARS = Period(
    dt.date(2017, 1, 1),
    dt.date(2019, 12, 31),
    MEETING_COLLECTIVE,
    T(
        "「用三年时间」自2017年起：读作2017–2019年（解释）。",
        "'In three years' from 2017: read as 2017–2019 (interpretation).",
    ),
)

INDICATORS = [
    Indicator(
        id="sanitary_toilet_coverage",
        subject="household",
        title=T("有卫生厕所的贫困户比例", "Share of poor households with a sanitary toilet"),
        citations=[TOILETS],
        kind="share",
        condition=field("sanitary_toilet"),
        description=T(
            "「基本实现农村卫生厕所全覆盖」：以「基本」限定的目标没有可检验的界限，故只给出比例，"
            "不设达标目标。来源的目标是全部农村，登记只有建档立卡贫困户。",
            "'Sanitary toilets basically everywhere in the countryside': a goal qualified by "
            "'basically' has no testable bound, so the indicator gives the share and no target. "
            "The goal covers the whole countryside; the register has the registered poor only.",
        ),
    ),
    Indicator(
        id="township_sewage_facilities",
        subject="county",
        title=T(
            "污水处理设施建成并投入使用的乡镇比例",
            "Share of townships with sewage treatment built and working",
        ),
        citations=[SEWAGE],
        kind="ratio",
        value=field("townships_sewage_working"),
        denominator=field("townships"),
        description=T(
            "「乡镇污水处理设施基本建成并投入使用」：以「基本」限定，只给出比例，不设达标目标。"
            "按县记录的乡镇数合计（乡镇不是模型中的记录）。",
            "'Township sewage facilities basically built and working': qualified by "
            "'basically', so a ratio with no target. Summed from the counties' township counts "
            "(townships are not records of the model).",
        ),
    ),
    Indicator(
        id="collective_economy_pilot_coverage",
        subject="village",
        title=T(
            "纳入村级集体经济发展试点的贫困村比例",
            "Share of poor villages in the collective-economy pilot",
        ),
        citations=[MEETING_COLLECTIVE, COLLECTIVE_ACTION],
        kind="share",
        condition=field("collective_economy_pilot"),
        where=field("poor_village"),
        target=(">=", param("t_collective_economy_pilot_coverage")),
        in_force=COLLECTIVE_PILOT_YEARS,
        interpretation=True,
        description=T(
            "「开展扶持村级集体经济发展试点，用三年时间实现建档立卡贫困村全覆盖」（2017年会议）。"
            "对建档立卡贫困村计算；三年读作2017–2019年，全覆盖（100%）的目标适用于第三年2019年，"
            "此前只给出进度（解释）。2018年的《三年行动实施意见》另有「实施村级集体经济发展三年"
            "行动」，未给出覆盖目标。",
            "'A pilot supporting village collective economies, reaching every registered poor "
            "village in three years' (2017 meeting). Computed over registered poor villages; "
            "the three years are read as 2017–2019 and the full-coverage target (100%) applies "
            "in the third year, 2019; before it the indicator shows progress only "
            "(interpretation). The 2018 opinions add 'a three-year action for village collective "
            "economies' with no coverage target.",
        ),
    ),
    Indicator(
        id="whole_village_assistance_coverage",
        subject="village",
        title=T(
            "实施整村推进帮扶的贫困村比例", "Share of poor villages with whole-village assistance"
        ),
        citations=[MEETING_WHOLE_VILLAGE],
        kind="share",
        condition=field("whole_village_assistance"),
        where=field("poor_village"),
        target=(">=", param("t_whole_village_assistance_coverage")),
        description=T(
            "「今年实现建档立卡贫困村整村推进帮扶全覆盖」：2017年的目标，对建档立卡贫困村计算，"
            "目标为100%。",
            "'Whole-village assistance for every registered poor village this year': the 2017 "
            "target, computed over registered poor villages, 100%.",
        ),
    ),
]

# -- what the module registers ----------------------------------------------------------------

CRITERIA: list[Criterion] = [*HOUSEHOLD_CRITERIA, *VILLAGE_CRITERIA, *COUNTY_CRITERIA]
DECISIONS: list[Decision] = [*HOUSEHOLD_DECISIONS, *VILLAGE_DECISIONS, *COUNTY_DECISIONS]
RULES: list[Criterion | Decision | Classifier | Entitlement | Indicator] = [
    *CRITERIA,
    *DECISIONS,
    *CLASSIFIERS,
    *ENTITLEMENTS,
    *INDICATORS,
]
"""Every rule of this module, for the pack definition."""
