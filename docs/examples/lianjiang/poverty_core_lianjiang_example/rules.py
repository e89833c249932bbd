"""The one rule the example pack adds: poor villages plan to exit by the end of 2017."""

from __future__ import annotations

from poverty_core import Criterion, Decision, T, cite
from poverty_core.expressions import field, param
from poverty_core.packs import Rule

LIANJIANG = cite("lianjiang-2017", "50个贫困村年底全部退出 / all 50 poor villages exit by year end")

RULES: list[Rule] = [
    Criterion(
        id="village_exit_planned_on_time",
        subject="village",
        title=T("贫困村计划于年底前退出", "The poor village plans to exit by the year end"),
        citations=LIANJIANG,
        test=field("planned_exit_year") <= param("poor_villages_exit_year"),
    ),
    Decision(
        id="village_exit_plan",
        subject="village",
        title=T("贫困村退出计划", "Village exit plan"),
        citations=LIANJIANG,
        criteria=["village_exit_planned_on_time"],
    ),
]
