"""Evaluating decisions: one record, or a batch of columns, with identical answers.

:func:`decide` evaluates a decision of a pack on one record and returns a
:class:`DecisionResult` with one :class:`Finding` per criterion. :func:`decide_batch`
evaluates the same criteria vectorised over a :class:`~poverty_core.frame.Frame` and
returns a :class:`BatchResult` that keeps every criterion's status as a column, so
any row can be explained afterwards (:meth:`BatchResult.result`) without re-running.

Evaluation has two implementations per block (one record is ten times faster without
numpy); **combining** the results is written once and both paths use it. The Kleene
outcome of a decision is one scalar rule over which statuses occur
(:func:`outcome_of`), which batches apply as a table (:func:`decision_outcomes`); the
first matching class of a classifier (:func:`first_classes`) and the totals of an
entitlement (:func:`entitlement_totals`) are written over status columns, and one record
goes through them as columns of length one.

The pieces live in modules by what they do — :mod:`~poverty_core.findings` (results of
one record), :mod:`~poverty_core.combining` (statuses into outcomes),
:mod:`~poverty_core.evaluation` (parameters, versions in force, criteria on one record
and over a batch), :mod:`~poverty_core.classification` and
:mod:`~poverty_core.entitlements`; this module decides and re-exports them, so
``poverty_core.engine.X`` keeps working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from poverty_core.classification import (
    Classification,
    ClassificationBatch,
    classify,
    classify_batch,
)
from poverty_core.combining import (
    _OUTCOME_CODES,
    STATUS_CODES,
    LineColumns,
    _seen,
    decision_outcomes,
    entitlement_totals,
    first_classes,
    outcome_of,
)
from poverty_core.entitlements import (
    Award,
    EntitlementBatch,
    EntitlementResult,
    entitle,
    entitle_batch,
)
from poverty_core.evaluation import (
    BatchResult,
    CriterionColumns,
    PackLike,
    Params,
    _check_subject,
    _columns,
    _decision_result,
    _findings,
    _params,
    _provenance,
    _references,
    _stacked,
    check_in_force,
    decision_on,
    decision_plan,
    ids_of,
)
from poverty_core.evaluation import _frame_of as _frame_of  # indicators reads it from here
from poverty_core.expressions import Many, One, subject_of
from poverty_core.findings import (
    DecisionResult,
    Finding,
    ParameterUse,
    Provenance,
)
from poverty_core.findings import _periods_text as _periods_text  # engine._periods_text
from poverty_core.frame import Frame
from poverty_core.references import ReferenceData

__all__ = [
    "STATUS_CODES",
    "Award",
    "BatchResult",
    "Classification",
    "ClassificationBatch",
    "DecisionResult",
    "EntitlementBatch",
    "EntitlementResult",
    "Finding",
    "ParameterUse",
    "Provenance",
    "classify",
    "classify_batch",
    "decide",
    "decide_batch",
    "decision_outcomes",
    "entitle",
    "entitle_batch",
    "entitlement_totals",
    "first_classes",
    "outcome_of",
]

# Re-exported for the modules that import them from here (their home is named above).
__all__ += [
    "CriterionColumns",
    "LineColumns",
    "PackLike",
    "Params",
    "check_in_force",
    "decision_on",
]


def decide(
    pack: PackLike,
    decision_id: str,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> DecisionResult:
    """Evaluate decision ``decision_id`` of ``pack`` on one record on date ``as_of``."""
    key = (id(pack), decision_id, as_of)
    plain = not overrides and references is None  # the pack's own values and references
    run = _PLAIN_RUNS.get(key) if plain else None
    if run is not None and run[0] is pack:
        _, decision, subject, params, plans = run
        if not isinstance(record, subject):
            _check_subject(decision.subject, decision.id, record)
    else:
        decision, rules, subject = decision_plan(pack, decision_id, as_of)
        if not isinstance(record, subject):
            _check_subject(decision.subject, decision.id, record)
        checked = pack.check_overrides(overrides or {}) if overrides else {}
        refs = _references(pack, references)
        params = _params(pack, as_of, checked, refs)
        plans = params.plans(decision, lambda: rules, subject)
        if plain and not refs:
            if len(_PLAIN_RUNS) > 256:
                _PLAIN_RUNS.clear()
            _PLAIN_RUNS[key] = (pack, decision, subject, params, plans)
    findings = _findings(plans, One(record, as_of, params))
    outcome = _OUTCOME_CODES[outcome_of(_seen([f.status for f in findings]))]
    return _decision_result(decision, record.id, outcome, findings, params.provenance())


_PLAIN_RUNS: dict[tuple[int, str, dt.date], tuple[Any, Any, type[Any], Params, Any]] = {}
"""For a run with neither overrides nor reference data (given or carried by the pack):
the decision, record class,
parameter values and criteria plans of a pack, decision and date, looked up once (a
pack is immutable once assembled; the entry holds the pack, so its id is not reused)."""


def decide_batch(
    pack: PackLike,
    decision_id: str,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> BatchResult:
    """Evaluate decision ``decision_id`` over many records, vectorised over columns."""
    decision, rules = decision_on(pack, decision_id, as_of)
    subject = subject_of(decision.subject)
    frame = _frame_of(records, decision.subject, decision.id, pack)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    columns = _columns(rules, frame, Many(frame, as_of, params))
    outcome = decision_outcomes(_stacked(columns, frame.n))
    provenance = _provenance(pack, as_of, checked, refs)
    return BatchResult(decision, ids_of(frame), outcome, columns, provenance, subject)
