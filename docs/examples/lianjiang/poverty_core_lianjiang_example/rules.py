"""The one rule the example pack adds: poor villages plan to exit by the end of 2017.

The account it comes from (连江县, 2017-10-23) reports a plan for that year, so the rule
states its own period: from the account's date to the end of 2017. Outside it the rule
does not apply (a finding says "not in force"; asking the decision is an error).
"""

from __future__ import annotations

import datetime as dt

from poverty_core import Criterion, Decision, Period, T, cite
from poverty_core.expressions import field, param
from poverty_core.packs import Rule

LIANJIANG = cite("lianjiang-2017", "50个贫困村年底全部退出 / all 50 poor villages exit by year end")

IN_FORCE = Period(
    dt.date(2017, 10, 23),
    dt.date(2017, 12, 31),
    note=T(
        "自报道之日起，至其所说的「年底」止。",
        "From the account's date to the 'year end' it speaks of.",
    ),
)

RULES: list[Rule] = [
    Criterion(
        id="village_exit_planned_on_time",
        subject="village",
        title=T("贫困村计划于年底前退出", "The poor village plans to exit by the year end"),
        citations=LIANJIANG,
        test=field("planned_exit_year") <= param("poor_villages_exit_year"),
        in_force=IN_FORCE,
    ),
    Decision(
        id="village_exit_plan",
        subject="village",
        title=T("贫困村退出计划", "Village exit plan"),
        citations=LIANJIANG,
        criteria=["village_exit_planned_on_time"],
        in_force=IN_FORCE,
    ),
]
