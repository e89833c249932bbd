"""What a pack changes: relative to its parent (or any other pack), or between two dates.

:func:`diff_packs` answers "what does zhangzhou change from fujian?": rules added, removed,
replaced or extended (a :class:`~poverty_core.rules.DecisionExtension` adding, removing or
replacing criteria of an inherited decision), parameters whose values differ (both value
lists, with their dates and citations), and rules whose period in force the child sets
differently. :func:`diff_dates` answers "what changes in national between 2016-12-31 and
2019-06-30?": every rule that enters or leaves force (or whose governing version changes,
e.g. Fujian's housing test taking over from the national one) and every parameter whose
value changes, each on the day it happens. Both list the reference data a run supplies
(:class:`ReferenceChange`): between two packs, declarations added, removed or changed
(kind, key, columns, title, description or source); between two dates, a reference the
rules in force start or stop reading. Both return a :class:`PackDiff`, rendered as a
terminal table in Chinese or English (:func:`format_table`) or as JSON
(:func:`to_json_data`, through a private cattrs converter).

Items the core derives from others are folded into them, so a change is listed once: a
procedure's steps and a checklist's items are listed with the procedure or checklist (the
八有 items with ``eight_haves``), not as criteria of their own.

>>> import poverty_core as pc
>>> d = pc.diff_packs(pc.load_pack("zhangzhou"), pc.load_pack("fujian"))
>>> [(c.kind, c.id, c.change) for c in d.rules if c.id in ("eight_haves", "safe_housing")]
[('checklist', 'eight_haves', 'added'), ('criterion', 'safe_housing', 'replaced')]

The code: :mod:`poverty_core.diff.model` (the result classes and their labels),
:mod:`poverty_core.diff.compute` (:func:`diff_packs`, :func:`diff_dates`) and
:mod:`poverty_core.diff.render` (the table and the JSON form); the ``diff`` command is
:mod:`poverty_core.cli.diff`.
"""

from __future__ import annotations

from poverty_core.diff.compute import diff_dates, diff_packs
from poverty_core.diff.model import (
    CHANGE_LABELS,
    KIND_LABELS,
    ForceChange,
    ItemChange,
    PackDiff,
    ParameterChange,
    ReferenceChange,
    ReferenceView,
    RuleChange,
    RuleVersion,
    ValueView,
)
from poverty_core.diff.render import (
    format_items,
    format_table,
    format_values,
    format_version,
    parameter_change_label,
    to_json_data,
)

__all__ = [
    "CHANGE_LABELS",
    "KIND_LABELS",
    "ForceChange",
    "ItemChange",
    "PackDiff",
    "ParameterChange",
    "ReferenceChange",
    "ReferenceView",
    "RuleChange",
    "RuleVersion",
    "ValueView",
    "diff_dates",
    "diff_packs",
    "format_items",
    "format_table",
    "format_values",
    "format_version",
    "parameter_change_label",
    "to_json_data",
]
