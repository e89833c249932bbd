"""Dynamic management: 脱贫即出、返贫即入 (exit when out of poverty, re-enter on return).

Fujian's three-year opinions ask to "加强贫困人口动态管理，做到'脱贫即出、返贫即入'。剔除
不符合条件的人口，及时纳入符合条件但遗漏在外贫困人口和返贫人口" (part 5, item 4), and the
2017 provincial meeting to re-identify people who returned to poverty (返贫), exited
unstably or were omitted (part 3). Given each household's register status on a date —
from its status history (``Household.history``, :class:`~poverty_core.model.StatusEvent`)
up to that date, else its ``status`` — this module decides the transition the rules call
for:

* **exit** (脱贫退出): registered, and the pack's household exit decision is met — the
  exit starts the pack's exit procedure (``household_exit``: 民主评议 … 销号);
* **re-entry** (返贫纳入): exited, and the exit decision now fails — income not above the
  line, or one of 两不愁三保障 not met (the pack's reading of 返贫, an *interpretation*:
  the sources name the return, not its test);
* **removal** (清退): registered, and the household does not meet the identification
  conditions — as a decision of the pack that tests them (``identification=``; no
  shipped pack has one, because no source gives the conditions: a gap), or as the
  caller's own identification findings (``removals=``, e.g. Zhangzhou's
  一核查二比对三清退 with the caller's grounds);
* **stays** (维持): none of these; **undetermined**: the data do not decide it (missing
  fields, a status that contradicts the history).

Each transition carries the exit decision's findings, the procedure it starts and the
gaps it met: the sources give no buffer period (缓冲期) for households, no procedure for
re-entry or removal, and no identification test — stated, never invented.

:func:`decide_transition` decides one household; :func:`decide_transitions` a register
(records, or Arrow tables whose ``history`` column carries the histories) with the
rules evaluated vectorised; both combine their inputs with one function, so they agree.
:func:`rollup` counts transitions per village or county.

>>> import datetime as dt, poverty_core as pc
>>> h = pc.Household.from_dict({
...     "id": "SYN-1", "status": "exited_supported", "annual_net_income_per_capita": 2500,
...     "food_secure": True, "clothing_secure": True, "house_grade": "B",
...     "history": [{"kind": "identified", "date": "2014-10-01"},
...                 {"kind": "exited", "date": "2015-12-20"}],
...     "members": [{"id": "1", "age": 40, "basic_medical_insurance": True,
...                  "serious_illness_insurance": True, "medical_assistance": True}]})
>>> t = pc.decide_transition(pc.load_pack("national"), h, as_of=dt.date(2016, 12, 31))
>>> t.kind.value, t.state, [f.rule.id for f in t.failed]
('re_entry', 'exited', ['income_above_line'])

The code: :mod:`poverty_core.dynamic.model` (transition kinds, register states, the
:class:`Transition` value), :mod:`poverty_core.dynamic.history` (a household's state
from its status and history, one vectorised combination) and
:mod:`poverty_core.dynamic.decide` (the decisions, :func:`rollup`); the ``transitions``
command is :mod:`poverty_core.cli.transitions`, the report
:mod:`poverty_core.dynamic_report`.
"""

from __future__ import annotations

from poverty_core.dynamic.decide import (
    TransitionBatch,
    decide_transition,
    decide_transitions,
    rollup,
)
from poverty_core.dynamic.model import (
    EXIT_DECISION,
    EXIT_PROCEDURE,
    IDENTIFICATION_DECISION,
    SAMPLE,
    ProcedureStart,
    ProcedureStep,
    Transition,
    TransitionKind,
)

__all__ = [
    "EXIT_DECISION",
    "EXIT_PROCEDURE",
    "IDENTIFICATION_DECISION",
    "SAMPLE",
    "ProcedureStart",
    "ProcedureStep",
    "Transition",
    "TransitionBatch",
    "TransitionKind",
    "decide_transition",
    "decide_transitions",
    "rollup",
]
