"""Identification by 一核查二比对三清退 (one verification, two comparisons, three removals),
as ordinary rules of the pack.

Zhangzhou identified its poor in early 2016 "严格按照'一核查二比对三清退'的要求": verify
the register, compare it with other data, remove those who do not qualify, "not one
household missed, not one wrongly included" (一户不漏，一户不错). Pinghe county's data
comparison "发现有疑问696户" (found 696 doubtful households), which work teams then
identified on site.

The comparison data are the caller's, supplied per run as the reference table
``identification_matches`` (``data/references/identification_matches.toml``: one row per
ID number found, with the code of the data set and the reason the data give). The rules:

* criterion ``identification_no_match`` (二比对): no member is found in the comparison
  data — a household with one is a doubtful household, to verify on site (核查);
* criterion ``identification_no_removal_ground`` (三清退): no member is found in data
  that are grounds for removal — the data sets the parameter
  ``identification_exclusion_registries`` names;
* decision ``identification``: both (eligible: confirmed; not eligible: doubtful);
* classifier ``identification_action``: ``remove`` (清退, after verification),
  ``verify`` (核查) or ``confirmed``.

**No source names grounds for removal.** Seed 004 gives the method only; the parameter
``identification_exclusion_registries`` is therefore a declared gap with no value. A
caller supplies it (``overrides=…``, recorded as the caller's) or a child pack ships it
with a citation. Until then a household with a match is doubtful (the decision says
not eligible) and whether it is to be removed is unknown, naming the parameter; a
household without a match passes both. A member without an ID number cannot be compared:
the findings are unknown, naming ``members[].id_number``. The data set codes are those
of the taxonomy ``identification_registries`` (Fujian's list, in force from 2018-10-24:
data to compare with, not grounds for removal) or the caller's own.

>>> import datetime as dt, poverty_core as pc
>>> pack = pc.load_pack("zhangzhou")
>>> household = pc.Household.from_dict(
...     {"id": "h1", "members": [{"id": "1", "id_number": "35062319800101007X"}]})
>>> matches = [{"id_number": "35062319800101007x", "data_set": "social_insurance",
...             "reason": "SYNTHETIC"}]
>>> result = pack.decide("identification", household, as_of=dt.date(2016, 3, 1),
...                      references={"identification_matches": matches})
>>> result.outcome.value, result.finding("identification_no_match").status.value
('not_eligible', 'failed')
>>> result.finding("identification_no_removal_ground").missing
('param:identification_exclusion_registries',)
>>> result.provenance.references["identification_matches"]["rows"]
1
"""

from __future__ import annotations

from poverty_core import T, cite
from poverty_core.blocks import reference
from poverty_core.expressions import (
    Expr,
    all_of,
    any_member,
    count_members,
    lit,
    member,
    no_member,
    param,
)
from poverty_core.rules import Classifier, ClassRule, Criterion, Decision, TaxonomyItem

__all__ = [
    "CLASSIFIERS",
    "CRITERIA",
    "DECISIONS",
    "EXCLUSION_PARAMETER",
    "MATCHES",
    "REGISTRY_TAXONOMY",
    "found",
    "found_in_grounds",
]

EXCLUSION_PARAMETER = "identification_exclusion_registries"
"""The pack parameter listing the data sets whose matches are grounds for removal (a
declared gap: no value unless a caller or a child pack supplies one)."""

REGISTRY_TAXONOMY = "identification_registries"
"""The pack taxonomy of the comparison data named by Fujian's 2018 opinions (part 5,
item 4); other codes are accepted too."""

MATCHES = "identification_matches"
"""The reference table of people the caller's comparison found."""

IDENTIFICATION = cite(
    "zhangzhou-2016-review",
    "精准识别，找准靶向，夯实精准扶贫工作基础：严格按照“一核查二比对三清退”的要求……平和县在进行"
    "数据比对时，发现有疑问696户 / section 'precise identification'",
)

_matches = reference(MATCHES)

found: Expr = member("id_number").isin(_matches)
"""A member whose ID number is in the comparison data (per member)."""

found_in_grounds: Expr = all_of(
    found,
    _matches.column("data_set", key=member("id_number")).isin(param(EXCLUSION_PARAMETER)),
)
"""A member found in a data set that is a ground for removal (per member); unknown for a
member found while the grounds are the gap."""

CRITERIA: list[Criterion] = [
    Criterion(
        id="identification_no_match",
        subject="household",
        title=T(
            "二比对：比对数据中没有发现本户成员（不是疑问户）",
            "Comparison: no member found in the comparison data (not a doubtful household)",
        ),
        citations=[IDENTIFICATION],
        test=no_member(found),
        observed=count_members(found),
        required=lit(0),
        op="=",
        description=T(
            "调用方把建档立卡信息与其他数据比对，发现的人员以参考数据 identification_matches "
            "提供。有成员见于比对数据的户是疑问户，由工作队入户核查（平和县比对发现疑问户"
            "696户）。成员无身份证号的，无法比对，本条为无法判定。",
            "The caller compares the register with other data and supplies the people found "
            "as the reference identification_matches. A household with a member found is a "
            "doubtful household for the work teams to verify on site (Pinghe's comparison "
            "found 696). A member without an ID number cannot be compared: the finding is "
            "unknown.",
        ),
    ),
    Criterion(
        id="identification_no_removal_ground",
        subject="household",
        title=T(
            "三清退：没有成员见于据以清退的数据",
            "Removal: no member found in data that are grounds for removal",
        ),
        citations=[IDENTIFICATION],
        test=no_member(found_in_grounds),
        observed=count_members(found_in_grounds),
        required=lit(0),
        op="=",
        description=T(
            "据以清退的数据为参数 identification_exclusion_registries 所列（缺口：来源没有"
            "列出清退情形，本包不提供默认值）。未提供时，有成员见于比对数据的户是否清退无法"
            "判定；没有成员见于比对数据的户本条通过。",
            "The data that are grounds for removal are those the parameter "
            "identification_exclusion_registries lists (a gap: no source names the grounds, "
            "so the pack ships none). Without it, whether a household with a member found is "
            "to be removed is unknown; a household with no member found passes.",
        ),
    ),
]

DECISIONS: list[Decision] = [
    Decision(
        id="identification",
        subject="household",
        title=T(
            "精准识别“一核查二比对三清退”：不是疑问户",
            "Identification by 'one verification, two comparisons, three removals': "
            "not a doubtful household",
        ),
        citations=[IDENTIFICATION],
        criteria=["identification_no_match", "identification_no_removal_ground"],
        description=T(
            "符合：比对没有发现疑问，保留在册；不符合：疑问户，入户核查（见于据以清退的数据的，"
            "核实后清退）。比对数据由调用方提供（参考数据 identification_matches）。",
            "Eligible: the comparison found no doubt, the household stays registered; not "
            "eligible: a doubtful household, to verify on site (and, if found in data that "
            "are grounds for removal, to remove once verified). The comparison data are "
            "the caller's (the reference identification_matches).",
        ),
    ),
]

CLASSIFIERS: list[Classifier] = [
    Classifier(
        id="identification_action",
        subject="household",
        title=T("精准识别比对的处理", "Action after the identification comparison"),
        citations=[IDENTIFICATION],
        classes=[
            ClassRule(
                "remove",
                T("核实后清退", "to remove once verified"),
                any_member(found_in_grounds),
                description=T(
                    "有成员见于据以清退的数据（参数 identification_exclusion_registries）。",
                    "A member is found in data that are grounds for removal (the parameter "
                    "identification_exclusion_registries).",
                ),
            ),
            ClassRule(
                "verify",
                T("疑问户，入户核查", "doubtful, to verify on site"),
                any_member(found),
                description=T(
                    "有成员见于比对数据，但不在据以清退的数据中。",
                    "A member is found in the comparison data, in none that are grounds "
                    "for removal.",
                ),
            ),
        ],
        otherwise=TaxonomyItem(
            "confirmed", T("比对无疑问，保留在册", "no doubt, stays registered")
        ),
    ),
]
