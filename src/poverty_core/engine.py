"""Evaluating decisions: one record, or a batch of columns, with identical answers.

:func:`decide` evaluates a decision of a pack on one record and returns a
:class:`DecisionResult` with one :class:`Finding` per criterion. :func:`decide_batch`
evaluates the same criteria vectorised over a :class:`~poverty_core.frame.Frame` and
returns a :class:`BatchResult` that keeps every criterion's status as a column, so
any row can be explained afterwards (:meth:`BatchResult.result`) without re-running.
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
from poverty_core.errors import InputError, Problem
from poverty_core.expressions import Field, Many, Member, One, Ref, subject_of
from poverty_core.frame import Frame, Vec, field_kind
from poverty_core.model import Person
from poverty_core.parameters import Citation, Parameter, format_value
from poverty_core.rules import Criterion, Decision, Outcome, Status

if TYPE_CHECKING:
    from poverty_core.expressions import Expr

__all__ = [
    "BatchResult",
    "DecisionResult",
    "Finding",
    "ParameterUse",
    "Provenance",
    "decide",
    "decide_batch",
]


class PackLike(Protocol):
    """What the engine needs of an assembled pack."""

    name: str
    chain: tuple[str, ...]
    versions: Mapping[str, str]
    parameters: Mapping[str, Parameter]
    criteria: Mapping[str, Criterion]

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
    """Parameter values of a pack on one date, with the caller's overrides."""

    def __init__(self, pack: PackLike, as_of: dt.date, overrides: Mapping[str, Any]) -> None:
        self.pack = pack
        self.as_of = as_of
        self.overrides = dict(overrides)
        self._uses: dict[str, ParameterUse | None] = {}

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
    """For an unknown finding: the fields and parameters that were missing."""
    parameters: tuple[ParameterUse, ...] = ()

    @property
    def passed(self) -> bool:
        """True when the criterion passed."""
        return self.status is Status.PASSED

    def explain(self, language: Language = "en") -> str:
        """One line: status, title, observed against required, missing fields."""
        unit = _unit_of(self)
        line = f"[{self.status.label[language]}] {self.rule.title[language]}"
        if self.comparison is not None:
            shown = format_value(self.observed, unit if self.comparison != "=" else "")
            needed = f"{self.comparison} {format_value(self.required, unit)}"
            line += f"：{shown}（要求 {needed}）" if language == "zh" else f": {shown} (required {needed})"
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
        }


def _unit_of(finding: Finding) -> str:
    return finding.parameters[0].unit if finding.parameters else ""


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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "pack": self.pack,
            "chain": list(self.chain),
            "versions": dict(self.versions),
            "as_of": self.as_of.isoformat(),
            "overrides": {k: _jsonable(v) for k, v in self.overrides.items()},
        }


@attrs.frozen
class DecisionResult:
    """The outcome of a decision on one record, with one finding per criterion."""

    decision: Decision
    subject_id: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    """When undetermined: every missing field and parameter that left it so."""
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
        head = f"{self.subject_id}: {self.decision.title[language]} → {self.outcome.label[language]}"
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


def _combine(statuses: Iterable[Status]) -> Outcome:
    statuses = list(statuses)
    if any(s is Status.FAILED for s in statuses):
        return Outcome.NOT_ELIGIBLE
    if all(s is Status.PASSED for s in statuses):
        return Outcome.ELIGIBLE
    return Outcome.UNDETERMINED


def _status(value: Any) -> Status:
    if value is None:
        return Status.UNKNOWN
    return Status.PASSED if value else Status.FAILED


def _decoder(expr: Expr | None, subject: type[Any]) -> Any:
    """How to turn an evaluated value (ordinal, code index, float) into a display value."""
    if expr is None:
        return lambda v: None
    kind = expr.value_kind(subject)
    code = None
    if isinstance(expr, Field | Member):
        fk = field_kind(Person if isinstance(expr, Member) else subject, expr.name)
        code = fk.code if fk else None
    members = list(code) if code is not None else None

    def decode(value: Any) -> Any:
        if value is None:
            return None
        if members is not None:
            return value if isinstance(value, Code) else members[int(value)]
        if kind == "date":
            return dt.date.fromordinal(int(value))
        if kind in ("number", "list"):
            return float(value)
        if kind == "bool":
            return bool(value)
        return value

    return decode


def _missing_one(ref: Ref, record: Any, params: Params) -> bool:
    if ref.kind == "field":
        return getattr(record, ref.name) is None
    if ref.kind == "member":
        if ref.name == "age":
            return any(p.age is None and p.birth_date is None for p in record.members)
        return any(getattr(p, ref.name) is None for p in record.members)
    if ref.kind == "param":
        return params.get(ref.name) is None
    if ref.kind == "procedure":
        return ref.name not in record.procedures
    checklist, _, item = ref.name.partition(".")
    return record.checklists.get(checklist, {}).get(item) is None


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
) -> DecisionResult:
    """Evaluate decision ``decision_id`` of ``pack`` on one record on date ``as_of``."""
    decision = pack.decision(decision_id)
    subject = subject_of(decision.subject)
    if not isinstance(record, subject):
        raise InputError(
            [
                Problem(
                    "$",
                    Text(
                        f"{decision.id} 针对 {decision.subject} 记录，收到 {type(record).__name__}",
                        f"{decision.id} decides {decision.subject} records, "
                        f"got a {type(record).__name__}",
                    ),
                )
            ],
            what=decision.subject,
        )
    checked = pack.check_overrides(overrides or {})
    params = Params(pack, as_of, checked)
    scope = One(record, as_of, params)
    findings = []
    for rule_id in decision.criteria:
        rule = pack.criteria[rule_id]
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
            missing = tuple(r.label() for r in rule.refs() if _missing_one(r, record, params))
        findings.append(
            Finding(
                rule, status, observed, required, rule.comparison(), missing, _param_uses(rule, params)
            )
        )
    return _result(pack, decision, record.id, findings, as_of, checked)


def _result(
    pack: PackLike,
    decision: Decision,
    subject_id: str,
    findings: Sequence[Finding],
    as_of: dt.date,
    overrides: Mapping[str, Any],
) -> DecisionResult:
    outcome = _combine(f.status for f in findings)
    missing: dict[str, None] = {}
    if outcome is Outcome.UNDETERMINED:
        for f in findings:
            for m in f.missing:
                missing.setdefault(m, None)
    provenance = Provenance(pack.name, pack.chain, dict(pack.versions), as_of, dict(overrides))
    return DecisionResult(decision, subject_id, outcome, tuple(findings), tuple(missing), provenance)


# -- batches ---------------------------------------------------------------------------

_STATUS_CODES = (Status.FAILED, Status.PASSED, Status.UNKNOWN)  # 0, 1, 2
_OUTCOME_CODES = (Outcome.NOT_ELIGIBLE, Outcome.ELIGIBLE, Outcome.UNDETERMINED)


def _status_column(v: Vec, n: int) -> npt.NDArray[np.int8]:
    values = np.broadcast_to(v.values, (n,)).astype(np.bool_)
    known = np.broadcast_to(v.known, (n,))
    return np.where(known, values.astype(np.int8), np.int8(2)).astype(np.int8)


def _missing_mask(ref: Ref, frame: Frame, params: Params) -> npt.NDArray[np.bool_]:
    n = frame.n
    if ref.kind == "field":
        return ~frame.column(ref.name).known
    if ref.kind == "member":
        members = frame.members
        assert members is not None and members.owner is not None
        if ref.name == "age":
            unknown = ~(members.column("age").known | members.column("birth_year").known)
        else:
            unknown = ~members.column(ref.name).known
        return np.bincount(members.owner, weights=unknown, minlength=n) > 0
    if ref.kind == "param":
        return np.full(n, params.get(ref.name) is None)
    if ref.kind == "procedure":
        present = frame.column(f"procedures.{ref.name}")
        return ~(present.values.astype(np.bool_) & present.known)
    checklist, _, item = ref.name.partition(".")
    return ~frame.column(f"checklists.{checklist}.{item}").known


@attrs.define
class CriterionColumns:
    """A criterion's results over a batch: status codes, observed and required values."""

    rule: Criterion
    status: npt.NDArray[np.int8]
    """0 failed, 1 passed, 2 unknown."""
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
        """The full result of one row, as :func:`decide` gives it, from the kept columns."""
        findings = []
        for c in self.criteria:
            status = _STATUS_CODES[int(c.status[row])]
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
        outcome = _OUTCOME_CODES[int(self.outcome[row])]
        missing_all: dict[str, None] = {}
        if outcome is Outcome.UNDETERMINED:
            for f in findings:
                for m in f.missing:
                    missing_all.setdefault(m, None)
        return DecisionResult(
            self.decision,
            str(self.ids[row]),
            outcome,
            tuple(findings),
            tuple(missing_all),
            self.provenance,
        )

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
    return _decoder(expr, subject)(value.item() if hasattr(value, "item") else value)


def decide_batch(
    pack: PackLike,
    decision_id: str,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Evaluate decision ``decision_id`` over many records, vectorised over columns."""
    decision = pack.decision(decision_id)
    subject = subject_of(decision.subject)
    frame = records if isinstance(records, Frame) else Frame.from_records(list(records))
    if frame.kind is not subject:
        raise InputError(
            [
                Problem(
                    "$",
                    Text(
                        f"{decision.id} 针对 {decision.subject} 记录",
                        f"{decision.id} decides {decision.subject} records, "
                        f"got {frame.kind.__name__} records",
                    ),
                )
            ],
            what=decision.subject,
        )
    checked = pack.check_overrides(overrides or {})
    params = Params(pack, as_of, checked)
    scope = Many(frame, as_of, params)
    n = frame.n
    columns = []
    any_failed = np.zeros(n, dtype=np.bool_)
    all_passed = np.ones(n, dtype=np.bool_)
    for rule_id in decision.criteria:
        rule = pack.criteria[rule_id]
        status = _status_column(rule.test.many(scope), n)
        any_failed |= status == 0
        all_passed &= status == 1
        observed_expr, required_expr = rule.observed_expr(), rule.required_expr()
        columns.append(
            CriterionColumns(
                rule,
                status,
                observed_expr.many(scope) if observed_expr is not None else None,
                required_expr.many(scope) if required_expr is not None else None,
                {r.label(): _missing_mask(r, frame, params) for r in rule.refs()},
                _param_uses(rule, params),
            )
        )
    outcome = np.where(any_failed, 0, np.where(all_passed, 1, 2)).astype(np.int8)
    provenance = Provenance(pack.name, pack.chain, dict(pack.versions), as_of, dict(checked))
    ids = frame.column("id").values
    return BatchResult(decision, ids, outcome, columns, provenance, subject)
