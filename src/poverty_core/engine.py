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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from poverty_core._text import Language, Text
from poverty_core.codes import Code
from poverty_core.errors import InputError, NotInForce, Problem
from poverty_core.expressions import Many, One, Ref, code_list_of, subject_of
from poverty_core.frame import Frame, Vec, strings_of
from poverty_core.parameters import Citation, Parameter, Period, format_value
from poverty_core.references import ReferenceData
from poverty_core.rules import (
    Checklist,
    Classifier,
    Criterion,
    Decision,
    Entitlement,
    Outcome,
    Procedure,
    Status,
    in_force_on,
    versions_of,
)

if TYPE_CHECKING:
    from poverty_core.expressions import Expr

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


class PackLike(Protocol):
    """What the engine needs of an assembled pack."""

    @property
    def name(self) -> str: ...
    @property
    def chain(self) -> tuple[str, ...]: ...
    @property
    def versions(self) -> Mapping[str, str]: ...
    @property
    def parameters(self) -> Mapping[str, Parameter]: ...
    @property
    def criteria(self) -> Mapping[str, Criterion]: ...
    @property
    def checklists(self) -> Mapping[str, Checklist]: ...
    @property
    def procedures(self) -> Mapping[str, Procedure]: ...

    def decision(self, id: str) -> Decision: ...
    def namer(self) -> Any: ...
    def check_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]: ...


@attrs.frozen
class ParameterUse:
    """A parameter value a finding used, with where it came from."""

    name: str
    value: Any
    pack: str
    start: dt.date | None
    end: dt.date | None
    citation: Citation | None
    unit: str = ""
    overridden: bool = False
    """True when the caller supplied the value for this run."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "name": self.name,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "pack": self.pack,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "citation": self.citation.to_dict() if self.citation else None,
            "unit": self.unit,
            "overridden": self.overridden,
        }


class Params:
    """Parameter values of a pack on one date, with the caller's overrides, and the
    reference data supplied for the run (by default those of
    :meth:`~poverty_core.packs.Pack.with_references`)."""

    def __init__(
        self,
        pack: PackLike,
        as_of: dt.date,
        overrides: Mapping[str, Any],
        references: Mapping[str, ReferenceData] | None = None,
    ) -> None:
        self.pack = pack
        self.as_of = as_of
        self.overrides = dict(overrides)
        self.references = dict(_references(pack, references))
        self._uses: dict[str, ParameterUse | None] = {}

    def reference(self, name: str) -> ReferenceData | None:
        """The reference data ``name`` supplied for the run, or ``None`` (unknown)."""
        return self.references.get(name)

    def use(self, name: str) -> ParameterUse | None:
        """The value used for ``name`` (``None`` when no value covers the date)."""
        if name not in self._uses:
            parameter = self.pack.parameters[name]
            if name in self.overrides:
                self._uses[name] = ParameterUse(
                    name,
                    self.overrides[name],
                    "caller",
                    None,
                    None,
                    None,
                    parameter.unit,
                    overridden=True,
                )
            else:
                v = parameter.value_on(self.as_of)
                self._uses[name] = (
                    None
                    if v is None
                    else ParameterUse(
                        name, v.value, parameter.pack, v.start, v.end, v.citation, parameter.unit
                    )
                )
        return self._uses[name]

    def get(self, name: str) -> Any:
        """The value, or ``None`` (unknown)."""
        use = self.use(name)
        return None if use is None else use.value

    def checklist_items(self, checklist: str) -> tuple[str, ...]:
        """The item ids of one of the pack's checklists."""
        return tuple(i.id for i in self.pack.checklists[checklist].items)

    def procedure_steps(self, procedure: str) -> tuple[tuple[str, Text], ...]:
        """The steps (id, label) of one of the pack's procedures, in order."""
        return tuple((s.id, s.label) for s in self.pack.procedures[procedure].steps)


@attrs.frozen
class Finding:
    """The result of one criterion on one record."""

    rule: Criterion
    status: Status
    observed: Any
    """The value the criterion looked at (``None`` when unknown)."""
    required: Any
    """The value it was compared with (``None`` when not a comparison or unknown)."""
    comparison: str | None
    """The operator between them (``>``), when the test is a comparison."""
    missing: tuple[str, ...] = ()
    """The fields and parameters that were missing (for an unknown finding)."""
    parameters: tuple[ParameterUse, ...] = ()

    @property
    def passed(self) -> bool:
        """True when the criterion passed."""
        return self.status is Status.PASSED

    def explain(self, language: Language = "en") -> str:
        """One line: status, title, observed against required, missing fields."""
        unit = _unit_of(self)
        line = f"[{self.status.label[language]}] {self.rule.title[language]}"
        if self.status is Status.NOT_IN_FORCE:
            period = _periods_text([self.rule], language)
            return line + (
                f"（生效期：{period}）" if language == "zh" else f" (in force: {period})"
            )
        if self.comparison is not None:
            shown = format_value(self.observed, unit if self.comparison != "=" else "")
            op = _OP_SHOW.get(self.comparison, self.comparison)
            needed = f"{op} {format_value(self.required, unit)}"
            line += (
                f"：{shown}（要求 {needed}）"
                if language == "zh"
                else f": {shown} (required {needed})"
            )
        elif self.observed is not None:
            shown = _show_value(self.observed, language)
            line += f"：{shown}" if language == "zh" else f": {shown}"
        if self.missing:
            sep = "、" if language == "zh" else ", "
            line += ("（缺：" if language == "zh" else " (missing: ") + sep.join(self.missing)
            line += "）" if language == "zh" else ")"
        return line

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "rule": self.rule.id,
            "title": self.rule.title.to_dict(),
            "pack": self.rule.pack,
            "citation": [c.to_dict() for c in self.rule.citations],
            "status": self.status.value,
            "observed": _jsonable(self.observed),
            "comparison": self.comparison,
            "required": _jsonable(self.required),
            "missing": list(self.missing),
            "parameters": [p.to_dict() for p in self.parameters],
            "in_force": self.rule.in_force.to_dict() if self.rule.in_force else None,
        }


_OP_SHOW = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def _periods_text(items: Iterable[Any], language: Language = "en") -> str:
    """The periods of rules and the versions they override, without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        for version in versions_of(item):
            period: Period | None = version.in_force
            seen.setdefault(
                period.format(language) if period else ("始终" if language == "zh" else "always"),
                None,
            )
    return ("；" if language == "zh" else "; ").join(seen)


def _unit_of(finding: Finding) -> str:
    return next((p.unit for p in finding.parameters if p.unit != "none"), "")


def _show_value(value: Any, language: Language) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    if isinstance(value, Code):
        return value.label[language]
    return format_value(value, "")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Code):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


@attrs.frozen
class Provenance:
    """Which pack (and ancestors, with versions), which date and which overrides."""

    pack: str
    chain: tuple[str, ...]
    versions: dict[str, str]
    as_of: dt.date
    overrides: dict[str, Any]
    periods: dict[str, Period] = attrs.Factory(dict)
    """Periods of rules the caller set for this run (:meth:`Pack.with_periods`)."""
    references: dict[str, dict[str, Any]] = attrs.Factory(dict)
    """Reference data supplied for the run: name → kind, row count and SHA-256 of the
    content (:meth:`~poverty_core.references.ReferenceData.summary`), never the data."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "pack": self.pack,
            "chain": list(self.chain),
            "versions": dict(self.versions),
            "as_of": self.as_of.isoformat(),
            "overrides": {k: _jsonable(v) for k, v in self.overrides.items()},
            "periods": {k: p.to_dict() for k, p in self.periods.items()},
            "references": {k: dict(v) for k, v in self.references.items()},
        }


def _provenance(
    pack: PackLike,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    references: Mapping[str, ReferenceData] | None = None,
) -> Provenance:
    return Provenance(
        pack.name,
        pack.chain,
        dict(pack.versions),
        as_of,
        dict(overrides),
        dict(getattr(pack, "run_periods", {})),
        {name: data.summary() for name, data in (references or {}).items()},
    )


def _references(
    pack: PackLike, references: Mapping[str, ReferenceData] | None
) -> Mapping[str, ReferenceData]:
    """The reference data of a run: those given, else those the pack carries."""
    if references is not None:
        return references
    carried: Mapping[str, ReferenceData] = getattr(pack, "run_references", {})
    return carried


@attrs.frozen
class DecisionResult:
    """The outcome of a decision on one record, with one finding per criterion."""

    decision: Decision
    subject_id: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    """Every missing field and parameter that left the decision undetermined."""
    provenance: Provenance

    def finding(self, rule_id: str) -> Finding:
        """The finding of one criterion."""
        for f in self.findings:
            if f.rule.id == rule_id:
                return f
        raise KeyError(rule_id)

    @property
    def failed(self) -> tuple[Finding, ...]:
        """The findings that failed."""
        return tuple(f for f in self.findings if f.status is Status.FAILED)

    def explain(self, language: Language = "en") -> str:
        """A readable account: outcome, then one line per finding with its source."""
        head = (
            f"{self.subject_id}: {self.decision.title[language]} → {self.outcome.label[language]}"
        )
        lines = [head]
        for f in self.findings:
            lines.append("  " + f.explain(language))
            lines.append("      ← " + f.rule.citation.format(language))
        if self.missing:
            label = "缺少数据：" if language == "zh" else "missing data: "
            lines.append(label + ", ".join(self.missing))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.subject_id,
            "decision": self.decision.id,
            "outcome": self.outcome.value,
            "missing": list(self.missing),
            "findings": [f.to_dict() for f in self.findings],
            "provenance": self.provenance.to_dict(),
        }


# -- one record ----------------------------------------------------------------------


# -- combining: written once, over status columns, for both paths --------------------------

STATUS_CODES = (Status.FAILED, Status.PASSED, Status.UNKNOWN, Status.NOT_IN_FORCE)
"""A status's code in batch columns is its position here: 0 failed, 1 passed, 2 unknown,
3 not in force."""
_STATUS_CODE = {status: np.int8(i) for i, status in enumerate(STATUS_CODES)}
_STATUS_BIT = {status: 1 << i for i, status in enumerate(STATUS_CODES)}
_OUTCOME_CODES = (Outcome.NOT_ELIGIBLE, Outcome.ELIGIBLE, Outcome.UNDETERMINED)

Statuses = npt.NDArray[np.int8]


def _status_matrix(statuses: Sequence[Status]) -> Statuses:
    """One record's statuses as a (criteria × 1) matrix of codes."""
    codes = np.fromiter((_STATUS_CODE[s] for s in statuses), dtype=np.int8, count=len(statuses))
    return codes.reshape(len(statuses), 1)


def outcome_of(seen: int) -> int:
    """The outcome code of a decision (0 not eligible, 1 eligible, 2 undetermined) from
    which statuses occur among its criteria — ``seen`` has bit ``1 << code`` set for each
    status code that occurs (0 failed, 1 passed, 2 unknown, 3 not in force): Kleene AND
    over the criteria in force. One failed criterion decides; an unknown one leaves it
    open; a criterion not in force does not count.

    >>> outcome_of(0b0010), outcome_of(0b0110), outcome_of(0b0111), outcome_of(0b1010)
    (1, 2, 0, 1)
    """
    if seen & 0b0001:
        return 0
    if seen & 0b0100:
        return 2
    return 1


_ONE = np.int8(1)
_OUTCOME_OF_SEEN = np.array([outcome_of(seen) for seen in range(16)], dtype=np.int8)


def decision_outcomes(status: Statuses) -> npt.NDArray[np.int8]:
    """:func:`outcome_of` for each record of a (criteria × records) matrix of status
    codes, applied as a table over the sixteen sets of statuses that can occur.

    >>> decision_outcomes(np.array([[1, 1, 3], [1, 2, 0], [3, 1, 2]], dtype=np.int8))
    array([1, 2, 0], dtype=int8)
    """
    seen = np.bitwise_or.reduce(np.left_shift(_ONE, status), axis=0)
    return _OUTCOME_OF_SEEN[seen]


def _seen(statuses: Iterable[Status]) -> int:
    """Which statuses one record's findings have, as :func:`outcome_of` reads them."""
    seen = 0
    for status in statuses:
        seen |= _STATUS_BIT[status]
    return seen


def first_classes(status: Statuses) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each record, from a (classes × records) matrix of the class tests' status
    codes: the index of its class — the first test that passes; ``-2`` undetermined when
    an earlier test is unknown; ``-1`` when no test passes (the ``otherwise`` class) —
    and how many tests decided it (a failed test, or one not in force, is passed over).

    >>> first_classes(np.array([[0, 2, 0], [1, 1, 3]], dtype=np.int8))
    (array([ 1, -2, -1]), array([2, 1, 2]))
    """
    k, n = status.shape
    if k == 0:
        return np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    decisive = (status == 1) | (status == 2)
    found = decisive.any(axis=0)
    first = decisive.argmax(axis=0).astype(np.int64)
    passed = status[first, np.arange(n)] == 1
    chosen = np.where(found, np.where(passed, first, -2), -1).astype(np.int64)
    return chosen, np.where(found, first + 1, k).astype(np.int64)


@attrs.frozen
class LineColumns:
    """One entitlement line over the targets it may pay (members, or the records)."""

    counted: bool
    """The line's kind is one the total counts."""
    owner: npt.NDArray[np.int64]
    """The record each target belongs to."""
    status: Statuses
    """The line's condition per target (0 not met, 1 met, 2 unknown)."""
    amount: Vec
    """The amount per target (known where it can be told)."""


def entitlement_totals(
    eligibility: Statuses, lines: Sequence[LineColumns]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Per record, from its eligibility code and the lines' columns: the sum of the
    counted lines known to be paid, and whether the total is undecided — the
    eligibility is unknown, or a counted line may be due but is not known to be paid
    (its condition unknown, or its amount)."""
    n = len(eligibility)
    e_true, e_false = eligibility == 1, eligibility == 0
    known_total = np.zeros(n, dtype=np.float64)
    undecided = eligibility == 2
    for line in lines:
        if not line.counted:
            continue
        m = len(line.owner)
        a_known = np.broadcast_to(line.amount.known, (m,))
        a_values = np.broadcast_to(line.amount.values, (m,)).astype(np.float64)
        not_due = (line.status == 0) | e_false[line.owner]
        paid = (line.status == 1) & e_true[line.owner] & a_known
        unsure = ~not_due & ~paid
        known_total += np.bincount(line.owner, weights=np.where(paid, a_values, 0.0), minlength=n)
        undecided |= np.bincount(line.owner, weights=unsure, minlength=n) > 0
    return known_total, undecided


def _missing_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The missing inputs of findings, without repeats, in order."""
    missing: dict[str, None] = {}
    for f in findings:
        for m in f.missing:
            missing.setdefault(m, None)
    return tuple(missing)


def _status(value: Any) -> Status:
    if value is None:
        return Status.UNKNOWN
    return Status.PASSED if value else Status.FAILED


_PARAMS: dict[tuple[Any, ...], tuple[Any, Params]] = {}


def _params(
    pack: PackLike,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    references: Mapping[str, ReferenceData] | None = None,
) -> Params:
    """The parameter values of a pack on a date, shared by the runs that ask for the same
    date, overrides and reference data (by content hash; a pack is immutable once
    assembled)."""
    refs = _references(pack, references)
    try:
        hashes = tuple(sorted((name, data.sha256) for name, data in refs.items()))
        key = (id(pack), as_of, tuple(sorted(overrides.items())), hashes)
        hash(key)
    except TypeError:  # an unhashable override value: no sharing
        return Params(pack, as_of, overrides, refs)
    hit = _PARAMS.get(key)
    if hit is not None and hit[0] is pack:
        return hit[1]
    if len(_PARAMS) > 256:
        _PARAMS.clear()
    params = Params(pack, as_of, overrides, refs)
    _PARAMS[key] = (pack, params)
    return params


_DECODERS: dict[tuple[Any, type[Any]], Any] = {}


def _decoder(expr: Expr | None, subject: type[Any]) -> Any:
    """How to turn an evaluated value (ordinal, code index, float) into a display value."""
    key = (expr, subject)
    found = _DECODERS.get(key)
    if found is None:
        found = _DECODERS[key] = _make_decoder(expr, subject)
    return found


def _make_decoder(expr: Expr | None, subject: type[Any]) -> Any:
    # One decoder for both paths: a batch cell reaches it as one record's value would
    # (codes as their text, see _cell).
    if expr is None:
        return lambda v: None
    kind = expr.value_kind(subject)
    code = code_list_of(expr, subject)
    by_value = code._value2member_map_ if code is not None else None

    def decode(value: Any) -> Any:
        if value is None:
            return None
        if by_value is not None and isinstance(value, str):
            return by_value.get(value, value)  # the code (a text that is none: as is)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value  # a yes/no, a text (a text parameter …) as it is
        if kind == "date":
            return dt.date.fromordinal(int(value))
        if kind in ("number", "list"):
            return float(value)
        if kind == "bool":
            return bool(value)
        return value

    return decode


def _ordered(rule: Criterion, blamed: Iterable[Ref]) -> tuple[str, ...]:
    """Blamed inputs without repeats, in the order the rule reads them."""
    order = {ref: i for i, ref in enumerate(rule.refs())}

    def key(ref: Ref) -> tuple[int, str]:
        parent = Ref(ref.kind, ref.name.split(".")[0])
        return (order.get(ref, order.get(parent, len(order))), ref.label())

    return tuple(ref.label() for ref in sorted(set(blamed), key=key))


def _blame_masks(rule: Criterion, scope: Many, unknown: npt.NDArray[np.bool_]) -> dict[str, Any]:
    """Per blamed input, the rows whose unknown status it explains (in the rule's order)."""
    if not unknown.any():
        return {}
    masks = rule.test.blame_many(scope, unknown)
    return {label: masks[_ref_of(label, masks)] for label in _ordered(rule, masks)}


def _ref_of(label: str, masks: Mapping[Ref, Any]) -> Ref:
    return next(ref for ref in masks if ref.label() == label)


def _param_uses(rule: Criterion, params: Params) -> tuple[ParameterUse, ...]:
    uses = (params.use(r.name) for r in rule.refs() if r.kind == "param")
    return tuple(u for u in uses if u is not None)


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
    decision, rules = decision_on(pack, decision_id, as_of)
    subject = _check_subject(decision.subject, decision.id, record)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    findings = _findings(rules, record, subject, One(record, as_of, params))
    outcome = _OUTCOME_CODES[outcome_of(_seen(f.status for f in findings))]
    return _decision_result(
        decision, record.id, outcome, findings, _provenance(pack, as_of, checked, refs)
    )


def decision_on(
    pack: PackLike, decision_id: str, as_of: dt.date
) -> tuple[Decision, list[Criterion]]:
    """The version of a decision that governs on ``as_of`` and its criteria (each as the
    pack has it; the engine picks each one's version in force).

    Raises :class:`~poverty_core.errors.NotInForce` when neither the decision nor any of
    its criteria governs on that date.
    """
    newest = pack.decision(decision_id)
    decision = in_force_on(newest, as_of)
    rules = [pack.criteria[rule_id] for rule_id in (decision or newest).criteria]
    if decision is None or not any(in_force_on(r, as_of) is not None for r in rules):
        raise NotInForce(
            pack.name,
            Text("决策", "decision"),
            newest.id,
            as_of,
            [Text(_periods_text([newest], "zh"), _periods_text([newest], "en"))]
            + (
                [
                    Text(
                        f"判定标准：{_periods_text(rules, 'zh')}",
                        f"criteria: {_periods_text(rules, 'en')}",
                    )
                ]
                if decision is not None
                else []
            ),
        )
    return decision, rules


def check_in_force(pack: PackLike, kind: Text, item: Any, as_of: dt.date) -> Any:
    """The version of a classifier, entitlement or indicator in force on ``as_of``;
    :class:`~poverty_core.errors.NotInForce` when none is."""
    version = in_force_on(item, as_of)
    if version is None:
        periods = Text(_periods_text([item], "zh"), _periods_text([item], "en"))
        raise NotInForce(pack.name, kind, item.id, as_of, [periods])
    return version


def _findings(
    rules: Sequence[Criterion], record: Any, subject: type[Any], scope: One
) -> list[Finding]:
    params = scope.params
    assert isinstance(params, Params)
    findings = []
    for newest in rules:
        rule = in_force_on(newest, scope.as_of)
        if rule is None:
            findings.append(Finding(newest, Status.NOT_IN_FORCE, None, None, newest.comparison()))
            continue
        status = _status(rule.test.one(scope))
        observed_expr, required_expr = rule.observed_expr(), rule.required_expr()
        observed = _decoder(observed_expr, subject)(
            observed_expr.one(scope) if observed_expr is not None else None
        )
        required = _decoder(required_expr, subject)(
            required_expr.one(scope) if required_expr is not None else None
        )
        missing: tuple[str, ...] = ()
        if status is Status.UNKNOWN:
            missing = _ordered(rule, rule.test.blame_one(scope))
        findings.append(
            Finding(
                rule,
                status,
                observed,
                required,
                rule.comparison(),
                missing,
                _param_uses(rule, params),
            )
        )
    return findings


def _check_subject(kind: str, what: str, record: Any) -> type[Any]:
    subject = subject_of(kind)
    if not isinstance(record, subject):
        raise InputError(
            [
                Problem(
                    "$",
                    Text(
                        f"{what} 针对 {kind} 记录，收到 {type(record).__name__}",
                        f"{what} is about {kind} records, got a {type(record).__name__}",
                    ),
                )
            ],
            what=kind,
        )
    return subject


def _decision_result(
    decision: Decision,
    subject_id: str,
    outcome: Outcome,
    findings: Sequence[Finding],
    provenance: Provenance,
) -> DecisionResult:
    """A decision's result (both paths): an undetermined one names every missing input."""
    missing = _missing_of(findings) if outcome is Outcome.UNDETERMINED else ()
    return DecisionResult(decision, subject_id, outcome, tuple(findings), missing, provenance)


# -- batches ---------------------------------------------------------------------------


def _status_column(v: Vec, n: int) -> npt.NDArray[np.int8]:
    values = np.broadcast_to(v.values, (n,)).astype(np.bool_)
    known = np.broadcast_to(v.known, (n,))
    return np.where(known, values.astype(np.int8), np.int8(2)).astype(np.int8)


@attrs.define
class CriterionColumns:
    """A criterion's results over a batch: status codes, observed and required values."""

    rule: Criterion
    status: npt.NDArray[np.int8]
    """0 failed, 1 passed, 2 unknown, 3 not in force."""
    observed: Vec | None
    required: Vec | None
    missing: dict[str, npt.NDArray[np.bool_]]
    parameters: tuple[ParameterUse, ...]


@attrs.define
class BatchResult:
    """A decision over many records: outcome and per-criterion columns."""

    decision: Decision
    ids: npt.NDArray[Any]
    outcome: npt.NDArray[np.int8]
    """0 not eligible, 1 eligible, 2 undetermined."""
    criteria: list[CriterionColumns]
    provenance: Provenance
    subject: type[Any]

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def outcomes(self) -> list[Outcome]:
        """Each row's outcome."""
        return [_OUTCOME_CODES[int(o)] for o in self.outcome]

    def counts(self) -> dict[str, int]:
        """How many rows have each outcome."""
        bins = np.bincount(self.outcome, minlength=3)
        return {o.value: int(bins[i]) for i, o in enumerate(_OUTCOME_CODES)}

    def result(self, row: int) -> DecisionResult:
        """The full result of one row, from the kept columns, as
        :func:`~poverty_core.engine.decide` gives it."""
        outcome = _OUTCOME_CODES[int(self.outcome[row])]
        return _decision_result(
            self.decision, str(self.ids[row]), outcome, self.findings(row), self.provenance
        )

    def findings(self, row: int) -> list[Finding]:
        """One row's findings, from the kept columns."""
        findings = []
        for c in self.criteria:
            status = STATUS_CODES[int(c.status[row])]
            observed = _cell(c.observed, row, c.rule.observed_expr(), self.subject)
            required = _cell(c.required, row, c.rule.required_expr(), self.subject)
            missing: tuple[str, ...] = ()
            if status is Status.UNKNOWN:
                missing = tuple(label for label, mask in c.missing.items() if mask[row])
            findings.append(
                Finding(
                    c.rule, status, observed, required, c.rule.comparison(), missing, c.parameters
                )
            )
        return findings

    def row_of(self, subject_id: str) -> int:
        """The row of a record id."""
        hits = np.flatnonzero(self.ids == subject_id)
        if not len(hits):
            raise KeyError(subject_id)
        return int(hits[0])


def _cell(vec: Vec | None, row: int, expr: Expr | None, subject: type[Any]) -> Any:
    if vec is None or expr is None:
        return None
    known = vec.known if vec.known.ndim == 0 else vec.known[row]
    if not known:
        return None
    value = vec.values if vec.values.ndim == 0 else vec.values[row]
    if vec.coded:  # a string id: the text, as one record holds it
        value = strings_of(np.asarray([value]))[0]
    return _decoder(expr, subject)(value.item() if hasattr(value, "item") else value)


def _columns(rules: Sequence[Criterion], frame: Frame, scope: Many) -> list[CriterionColumns]:
    params = scope.params
    assert isinstance(params, Params)
    n = frame.n
    columns = []
    for newest in rules:
        rule = in_force_on(newest, scope.as_of)
        if rule is None:
            columns.append(
                CriterionColumns(newest, np.full(n, 3, dtype=np.int8), None, None, {}, ())
            )
            continue
        status = _status_column(rule.test.many(scope), n)
        observed_expr, required_expr = rule.observed_expr(), rule.required_expr()
        columns.append(
            CriterionColumns(
                rule,
                status,
                observed_expr.many(scope) if observed_expr is not None else None,
                required_expr.many(scope) if required_expr is not None else None,
                _blame_masks(rule, scope, status == 2),
                _param_uses(rule, params),
            )
        )
    return columns


def _stacked(columns: Sequence[CriterionColumns], n: int) -> Statuses:
    """The criteria's status columns as one (criteria × records) matrix."""
    if not columns:
        return np.zeros((0, n), dtype=np.int8)
    return np.stack([c.status for c in columns])


def _frame_of(records: Frame | Sequence[Any], kind: str, what: str, pack: Any = None) -> Frame:
    subject = subject_of(kind)
    frame = records if isinstance(records, Frame) else Frame.from_records(list(records), subject)
    record_type = getattr(pack, "record_type", None)
    if record_type is not None:  # an Arrow frame reads the columns of the pack's fields
        frame = frame.retyped(record_type(kind))
    if not issubclass(frame.kind, subject):
        raise InputError(
            [
                Problem(
                    "$",
                    Text(
                        f"{what} 针对 {kind} 记录",
                        f"{what} is about {kind} records, got {frame.kind.__name__} records",
                    ),
                )
            ],
            what=kind,
        )
    return frame


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
    ids = frame.column("id").values
    return BatchResult(decision, ids, outcome, columns, provenance, subject)


# -- classifiers ------------------------------------------------------------------------


@attrs.frozen
class Classification:
    """The class a classifier puts one record in (``None``: undetermined), with one
    finding per class test, in order."""

    classifier: Classifier
    subject_id: str
    code: str | None
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    provenance: Provenance

    @property
    def label(self) -> Text | None:
        """The bilingual label of the class."""
        return None if self.code is None else self.classifier.label(self.code)

    def explain(self, language: Language = "en") -> str:
        """A readable account: the class, then each class test."""
        shown = self.label[language] if self.label else Outcome.UNDETERMINED.label[language]
        lines = [f"{self.subject_id}: {self.classifier.title[language]} → {shown}"]
        lines += ["  " + f.explain(language) for f in self.findings]
        if self.missing:
            lines.append(
                ("缺少数据：" if language == "zh" else "missing data: ") + ", ".join(self.missing)
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.subject_id,
            "classifier": self.classifier.id,
            "class": self.code,
            "missing": list(self.missing),
            "findings": [f.to_dict() for f in self.findings],
            "provenance": self.provenance.to_dict(),
        }


def classify(
    pack: PackLike,
    classifier: Classifier,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> Classification:
    """Put one record in a class of ``classifier``."""
    classifier = check_in_force(pack, Text("分类器", "classifier"), classifier, as_of)
    subject = _check_subject(classifier.subject, classifier.id, record)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    findings = _findings(classifier.class_criteria(), record, subject, One(record, as_of, params))
    chosen, looked = first_classes(_status_matrix([f.status for f in findings]))
    provenance = _provenance(pack, as_of, checked, refs)
    return _classification(
        classifier, record.id, int(chosen[0]), int(looked[0]), findings, provenance
    )


def _class_code(classifier: Classifier, index: int) -> str | None:
    if index == -2:
        return None
    if index == -1:
        return classifier.otherwise.code if classifier.otherwise else None
    return classifier.classes[index].code


def _classification(
    classifier: Classifier,
    subject_id: str,
    index: int,
    looked: int,
    findings: Sequence[Finding],
    provenance: Provenance,
) -> Classification:
    """A record's class (both paths): undetermined, it names what the tests it looked at
    were missing."""
    code = _class_code(classifier, index)
    missing = _missing_of(findings[:looked]) if code is None else ()
    return Classification(classifier, subject_id, code, tuple(findings), missing, provenance)


@attrs.define
class ClassificationBatch:
    """A classifier over many records: each row's class code (``None`` undetermined)."""

    classifier: Classifier
    ids: npt.NDArray[Any]
    codes: list[str | None]
    criteria: list[CriterionColumns]
    provenance: Provenance
    subject: type[Any]
    chosen: npt.NDArray[np.int64]
    """Each row's class index (see :func:`first_classes`)."""
    looked: npt.NDArray[np.int64]
    """How many class tests decided each row."""

    def __len__(self) -> int:
        return len(self.codes)

    def counts(self) -> dict[str | None, int]:
        """How many rows fall in each class (``None``: undetermined)."""
        out: dict[str | None, int] = dict.fromkeys(self.classifier.codes(), 0)
        out[None] = 0
        for code in self.codes:
            out[code] += 1
        return out

    def result(self, row: int) -> Classification:
        """One row's classification, as :func:`~poverty_core.engine.classify` gives it."""
        batch = BatchResult(
            Decision(
                self.classifier.id,
                self.classifier.subject,
                self.classifier.title,
                self.classifier.citations,
                [c.rule.id for c in self.criteria],
            ),
            self.ids,
            np.zeros(len(self.ids), dtype=np.int8),
            self.criteria,
            self.provenance,
            self.subject,
        )
        return _classification(
            self.classifier,
            str(self.ids[row]),
            int(self.chosen[row]),
            int(self.looked[row]),
            batch.findings(row),
            self.provenance,
        )


def classify_batch(
    pack: PackLike,
    classifier: Classifier,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> ClassificationBatch:
    """Classify many records, vectorised over columns."""
    classifier = check_in_force(pack, Text("分类器", "classifier"), classifier, as_of)
    frame = _frame_of(records, classifier.subject, classifier.id, pack)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    columns = _columns(classifier.class_criteria(), frame, Many(frame, as_of, params))
    chosen, looked = first_classes(_stacked(columns, frame.n))
    by_index = {i: _class_code(classifier, i) for i in range(-2, len(classifier.classes))}
    codes = [by_index[int(i)] for i in chosen]
    provenance = _provenance(pack, as_of, checked, refs)
    subject = subject_of(classifier.subject)
    return ClassificationBatch(
        classifier, frame.column("id").values, codes, columns, provenance, subject, chosen, looked
    )


# -- entitlements -----------------------------------------------------------------------


@attrs.frozen
class Award:
    """One line of an entitlement applied to one member (or the household)."""

    line_id: str
    title: Text
    citation: Citation
    kind: str
    member_id: str | None
    status: Status
    """``passed`` when paid, ``unknown`` when it cannot be told."""
    amount: float | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "line": self.line_id,
            "title": self.title.to_dict(),
            "citation": self.citation.to_dict(),
            "kind": self.kind,
            "member": self.member_id,
            "status": self.status.value,
            "amount": self.amount,
        }


@attrs.frozen
class EntitlementResult:
    """What a household is due: the awards, the total, and what could not be decided."""

    entitlement: Entitlement
    subject_id: str
    awards: tuple[Award, ...]
    """Lines that are paid (passed) or undecided (unknown); lines not due are left out."""
    total: float | None
    """Sum of the paid lines of the counted kinds; ``None`` when a line is undecided."""
    known_total: float
    """Sum of the lines known to be paid (a lower bound when ``total`` is ``None``)."""
    missing: tuple[str, ...]
    provenance: Provenance

    def explain(self, language: Language = "en") -> str:
        """A readable account, one line per award with its source."""
        total = "—" if self.total is None else format_value(self.total, "yuan")
        lines = [f"{self.subject_id}: {self.entitlement.title[language]} = {total}"]
        for a in self.awards:
            who = f" [{a.member_id}]" if a.member_id else ""
            amount = "?" if a.amount is None else format_value(a.amount, "yuan")
            lines.append(
                f"  {a.title[language]}{who}: {amount} ({a.kind}, {a.status.label[language]})"
            )
            lines.append(f"      ← {a.citation.format(language)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.subject_id,
            "entitlement": self.entitlement.id,
            "total": self.total,
            "known_total": self.known_total,
            "awards": [a.to_dict() for a in self.awards],
            "missing": list(self.missing),
            "provenance": self.provenance.to_dict(),
        }


def entitle(
    pack: PackLike,
    entitlement: Entitlement,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> EntitlementResult:
    """Compute what one household is due under ``entitlement``; a line not in force on
    ``as_of`` is not due."""
    entitlement = check_in_force(pack, Text("补助项目", "entitlement"), entitlement, as_of)
    _check_subject(entitlement.subject, entitlement.id, record)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    scope = One(record, as_of, params)
    eligible = True if entitlement.eligibility is None else entitlement.eligibility.one(scope)
    awards: list[Award] = []
    columns: list[LineColumns] = []
    missing: dict[str, None] = {}
    if entitlement.eligibility is not None and eligible is None:
        for ref in entitlement.eligibility.blame_one(scope):
            missing.setdefault(ref.label(), None)
    for line in entitlement.lines:
        if in_force_on(line, as_of) is None:
            continue
        targets = record.members if line.per == "member" else [None]
        dues: list[Any] = []
        amounts: list[Any] = []
        for person in targets:
            inner = One(record, as_of, params, person)
            due = line.condition.one(inner)
            dues.append(due)
            relevant = eligible is not False and due is not False
            amounts.append(line.amount.one(inner) if relevant else None)
            if eligible is False or due is False:
                continue
            status = Status.PASSED if (due and eligible) else Status.UNKNOWN
            amount = amounts[-1]
            blamed = line.condition.blame_one(inner) if due is None else []
            if amount is None:
                blamed += line.amount.blame_one(inner)
            for ref in blamed:
                missing.setdefault(ref.label(), None)
            awards.append(
                Award(
                    line.id,
                    line.title,
                    line.citation,
                    line.kind,
                    person.id if person is not None else None,
                    status,
                    None if amount is None else float(amount),
                )
            )
        columns.append(_line_columns(line.kind in entitlement.total_kinds, dues, amounts))
    known_total, undecided = entitlement_totals(_status_matrix([_status(eligible)])[0], columns)
    provenance = _provenance(pack, as_of, checked, refs)
    total = float(known_total[0])
    return EntitlementResult(
        entitlement,
        record.id,
        tuple(awards),
        None if undecided[0] else total,
        total,
        tuple(missing),
        provenance,
    )


def _line_columns(counted: bool, dues: Sequence[Any], amounts: Sequence[Any]) -> LineColumns:
    """One record's line (its targets' conditions and amounts) as columns."""
    m = len(dues)
    status = _status_matrix([_status(d) for d in dues]).reshape(m)
    known = np.fromiter((a is not None for a in amounts), dtype=np.bool_, count=m)
    values = np.fromiter((0.0 if a is None else a for a in amounts), dtype=np.float64, count=m)
    return LineColumns(counted, np.zeros(m, dtype=np.int64), status, Vec(values, known))


@attrs.define
class EntitlementBatch:
    """Totals of an entitlement over many households."""

    entitlement: Entitlement
    ids: npt.NDArray[Any]
    total: Vec
    """The total of each household (known where no counted line is undecided)."""
    known_total: npt.NDArray[np.float64]
    provenance: Provenance

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def totals(self) -> list[float | None]:
        """Each household's total (``None`` when undecided)."""
        return [
            float(v) if k else None
            for v, k in zip(self.total.values, self.total.known, strict=True)
        ]


def entitle_batch(
    pack: PackLike,
    entitlement: Entitlement,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> EntitlementBatch:
    """Totals of ``entitlement`` over many households, vectorised."""
    entitlement = check_in_force(pack, Text("补助项目", "entitlement"), entitlement, as_of)
    frame = _frame_of(records, entitlement.subject, entitlement.id, pack)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    scope = Many(frame, as_of, params)
    n = frame.n
    if entitlement.eligibility is not None:
        eligibility = _status_column(entitlement.eligibility.many(scope), n)
    else:
        eligibility = np.ones(n, dtype=np.int8)
    columns: list[LineColumns] = []
    for line in entitlement.lines:
        if in_force_on(line, as_of) is None:
            continue
        if line.per == "member":
            assert frame.members is not None
            assert frame.members.owner is not None
            inner = Many(frame, as_of, params, on_members=True)
            owner = frame.members.owner
            m = frame.members.n
        else:
            inner, owner, m = scope, np.arange(n), n
        status = _status_column(line.condition.many(inner), m)
        amount = line.amount.many(inner)
        counted = line.kind in entitlement.total_kinds
        columns.append(LineColumns(counted, owner, status, amount))
    known_total, undecided = entitlement_totals(eligibility, columns)
    provenance = _provenance(pack, as_of, checked, refs)
    total = Vec(np.where(undecided, 0.0, known_total), ~undecided)
    return EntitlementBatch(entitlement, frame.column("id").values, total, known_total, provenance)
