"""The evaluation both paths share: the parameter values of a run (:class:`Params`),
which version of a decision and of each criterion governs on a date
(:func:`decision_on`), a criterion's finding on one record and its columns over a batch
(:class:`CriterionColumns`, :class:`BatchResult`), and how an evaluated value is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.combining import (
    _OUTCOME_CODES,
    STATUS_CODES,
    Statuses,
    _missing_of,
)
from poverty_core.errors import InputError, NotInForce, Problem
from poverty_core.expressions import (
    Expr,
    Folded,
    Many,
    One,
    OneFn,
    Ref,
    code_list_of,
    subject_of,
)
from poverty_core.findings import (
    DecisionResult,
    Finding,
    ParameterUse,
    Provenance,
    _periods_text,
)
from poverty_core.frame import FieldKind, Frame, Vec, _arrow_vec, strings_of
from poverty_core.parameters import Parameter
from poverty_core.references import ReferenceData
from poverty_core.rules import (
    Checklist,
    Criterion,
    Decision,
    Outcome,
    Procedure,
    Status,
    in_force_on,
)

__all__ = [
    "BatchResult",
    "CriterionColumns",
    "CriterionPlan",
    "PackLike",
    "Params",
    "check_in_force",
    "decision_on",
    "decision_plan",
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
        self._plans: dict[int, tuple[Any, tuple[CriterionPlan, ...]]] = {}
        self._provenance: Provenance | None = None

    def provenance(self) -> Provenance:
        """The provenance of a run with these values (made once: every result of the
        run shares it, as the rows of a batch do)."""
        if self._provenance is None:
            self._provenance = _provenance(self.pack, self.as_of, self.overrides, self.references)
        return self._provenance

    def plans(
        self, owner: Any, rules: Callable[[], Sequence[Criterion]], subject: type[Any]
    ) -> tuple[CriterionPlan, ...]:
        """The criteria ``rules()`` of ``owner`` (a decision, a classifier) prepared for
        one-record evaluation with these values, made once per owner."""
        hit = self._plans.get(id(owner))
        if hit is not None and hit[0] is owner:
            return hit[1]
        made = tuple(CriterionPlan.of(rule, self, subject) for rule in rules())
        self._plans[id(owner)] = (owner, made)
        return made

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
    key: tuple[Any, ...]
    if not overrides and not refs:  # the usual run: no sorting to do
        key = (id(pack), as_of, (), ())
    else:
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

    if by_value is None and kind in ("number", "list"):

        def decode_number(value: Any) -> Any:
            kind_of = value.__class__  # a float as it is; an int (not a bool) as a float
            return value if kind_of is float else float(value) if kind_of is int else decode(value)

        return decode_number
    return decode


def _ordered(rule: Criterion, blamed: Iterable[Ref]) -> tuple[str, ...]:
    """Blamed inputs without repeats, in the order the rule reads them."""
    hit = _ORDERS.get(id(rule))
    if hit is not None and hit[0] is rule:
        order = hit[1]
    else:
        order = {ref: i for i, ref in enumerate(rule.refs())}
        if len(_ORDERS) > 1024:
            _ORDERS.clear()
        _ORDERS[id(rule)] = (rule, order)

    def key(ref: Ref) -> tuple[int, str]:
        parent = Ref(ref.kind, ref.name.split(".")[0])
        return (order.get(ref, order.get(parent, len(order))), ref.label())

    return tuple(ref.label() for ref in sorted(set(blamed), key=key))


_ORDERS: dict[int, tuple[Criterion, dict[Ref, int]]] = {}
"""Each rule's inputs in the order it reads them (a criterion is immutable)."""


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


_DECISIONS: dict[tuple[int, str, dt.date], tuple[Any, Decision, list[Criterion], type[Any]]] = {}


def decision_plan(
    pack: PackLike, decision_id: str, as_of: dt.date
) -> tuple[Decision, list[Criterion], type[Any]]:
    """:func:`decision_on` and the decision's record class, looked up once per pack,
    decision and date (a pack is immutable once assembled); the errors are
    :func:`decision_on`'s."""
    key = (id(pack), decision_id, as_of)
    hit = _DECISIONS.get(key)
    if hit is not None and hit[0] is pack:
        return hit[1], hit[2], hit[3]
    decision, rules = decision_on(pack, decision_id, as_of)
    if len(_DECISIONS) > 256:
        _DECISIONS.clear()
    subject = subject_of(decision.subject)
    _DECISIONS[key] = (pack, decision, rules, subject)
    return decision, rules, subject


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


def _no_value(value: Any) -> None:
    return None


def _unknown_one(scope: One) -> None:
    return None


@attrs.define(slots=True)
class CriterionPlan:
    """One criterion of a run, prepared once for the run's date and parameter values:
    the version in force, its test and what its finding reports compiled for the run
    (:meth:`~poverty_core.expressions.Expr.one_fn`), how those are shown, and the
    parameters it uses. Only the record's values are left to evaluate."""

    newest: Criterion
    rule: Criterion | None
    """The version in force (``None``: not in force on the run's date)."""
    test: OneFn
    observed: OneFn | None
    show_observed: Callable[[Any], Any]
    required: OneFn | None
    show_required: Callable[[Any], Any]
    comparison: str | None
    uses: tuple[ParameterUse, ...]
    idle: Finding | None
    """The finding of a criterion not in force (the same for every record)."""
    observed_shown: Any = None
    """What the finding reports as observed when :attr:`observed` is ``None`` (a value
    that does not depend on the record, a parameter's, shown once for the run)."""
    required_shown: Any = None
    """Likewise for :attr:`required`."""
    finding: Callable[[One], Finding] = attrs.field(init=False, repr=False)
    """The finding on one record's scope (:func:`_finding_of`)."""

    def __attrs_post_init__(self) -> None:
        self.finding = _finding_of(self)

    @classmethod
    def of(cls, newest: Criterion, params: Params, subject: type[Any]) -> CriterionPlan:
        """The plan of ``newest`` with ``params`` for records of class ``subject``."""
        rule = in_force_on(newest, params.as_of)
        if rule is None:
            idle = Finding(newest, Status.NOT_IN_FORCE, None, None, newest.comparison())
            return cls(newest, None, _unknown_one, None, _no_value, None, _no_value, None, (), idle)
        observed, required = rule.observed_expr(), rule.required_expr()
        as_of = params.as_of
        show_observed, show_required = _decoder(observed, subject), _decoder(required, subject)
        observed_fn, observed_shown = _shown_once(observed, params, as_of, show_observed)
        required_fn, required_shown = _shown_once(required, params, as_of, show_required)
        return cls(
            newest,
            rule,
            rule.test.one_fn(params, as_of),
            observed_fn,
            show_observed,
            required_fn,
            show_required,
            rule.comparison(),
            _param_uses(rule, params),
            None,
            observed_shown,
            required_shown,
        )


def _shown_once(
    expr: Expr | None, params: Params, as_of: dt.date, show: Callable[[Any], Any]
) -> tuple[OneFn | None, Any]:
    """A finding's observed or required value: its evaluator, or — when it does not
    depend on the record (:class:`~poverty_core.expressions.Folded`) — no evaluator and
    the value as every finding of the run shows it."""
    fn = None if expr is None else expr.one_fn(params, as_of)
    if not isinstance(fn, Folded):
        return fn, None
    if fn.value is None:
        return None, None
    try:
        return None, show(fn.value)
    except Exception:  # shown per record, where it fails as before
        return fn, None


def _findings(plans: Sequence[CriterionPlan], scope: One) -> list[Finding]:
    """One record's finding of each planned criterion (``scope`` on the plans' run)."""
    return [plan.finding(scope) for plan in plans]


def _finding_of(plan: CriterionPlan) -> Callable[[One], Finding]:
    """A plan's finding on one record as one closure over what the plan fixed: the
    test's status, the observed and required values shown (unknown ones are not
    decoded; one the same for every record was, once) and, when unknown, the missing
    inputs in the rule's order."""
    rule = plan.rule
    if rule is None:
        idle = plan.idle
        assert idle is not None
        return lambda scope: idle
    test, observed_fn, required_fn = plan.test, plan.observed, plan.required
    show_observed, show_required = plan.show_observed, plan.show_required
    observed_shown, required_shown = plan.observed_shown, plan.required_shown
    comparison, uses = plan.comparison, plan.uses
    if observed_fn is None and required_fn is None:
        # Nothing shown depends on the record: a passed or failed finding is the same
        # (immutable) one for every record of the run.
        passed = Finding(rule, _PASSED, observed_shown, required_shown, comparison, (), uses)
        failed = Finding(rule, _FAILED, observed_shown, required_shown, comparison, (), uses)

        def fixed(scope: One) -> Finding:
            value = test(scope)
            if value is None:
                missing = _ordered(rule, rule.test.blame_one(scope))
                return Finding(
                    rule, _UNKNOWN, observed_shown, required_shown, comparison, missing, uses
                )
            return passed if value else failed

        return fixed
    if required_fn is None:
        return _counted(plan, rule)

    def finding(scope: One) -> Finding:
        value = test(scope)
        observed, required = observed_shown, required_shown
        if observed_fn is not None and (shown := observed_fn(scope)) is not None:
            observed = show_observed(shown)
        if required_fn is not None and (shown := required_fn(scope)) is not None:
            required = show_required(shown)
        if value is None:
            missing = _ordered(rule, rule.test.blame_one(scope))
            return Finding(rule, _UNKNOWN, observed, required, comparison, missing, uses)
        return Finding(
            rule, _PASSED if value else _FAILED, observed, required, comparison, (), uses
        )

    return finding


def _counted(plan: CriterionPlan, rule: Criterion) -> Callable[[One], Finding]:
    """:func:`_finding_of` for a plan whose required value is fixed: a finding whose
    observed value is a whole number (a count of members …) is made once per status and
    number and shared by the records that have them (findings are immutable); any other
    is made per record."""
    test, observed_fn = plan.test, plan.observed
    assert observed_fn is not None
    show, required, comparison, uses = (
        plan.show_observed,
        plan.required_shown,
        plan.comparison,
        plan.uses,
    )
    made: dict[tuple[bool, int], Finding] = {}

    def finding(scope: One) -> Finding:
        value = test(scope)
        raw = observed_fn(scope)
        if value is not None and raw.__class__ is int:  # not a bool, never -0.0 or NaN
            key = (bool(value), raw)
            hit = made.get(key)
            if hit is None:
                hit = Finding(
                    rule, _PASSED if value else _FAILED, show(raw), required, comparison, (), uses
                )
                if len(made) < 256:
                    made[key] = hit
            return hit
        observed = plan.observed_shown if raw is None else show(raw)
        if value is None:
            missing = _ordered(rule, rule.test.blame_one(scope))
            return Finding(rule, _UNKNOWN, observed, required, comparison, missing, uses)
        return Finding(
            rule, _PASSED if value else _FAILED, observed, required, comparison, (), uses
        )

    return finding


_UNKNOWN, _PASSED, _FAILED = Status.UNKNOWN, Status.PASSED, Status.FAILED


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
    _ids: Any = attrs.field(alias="ids")
    """The ids as given: an object array, or the Arrow column of a frame read from
    Arrow (converted when :attr:`ids` is first read)."""
    outcome: npt.NDArray[np.int8]
    """0 not eligible, 1 eligible, 2 undetermined."""
    criteria: list[CriterionColumns]
    provenance: Provenance
    subject: type[Any]

    @property
    def ids(self) -> npt.NDArray[Any]:
        """Each row's record id (an object array)."""
        if not isinstance(self._ids, np.ndarray):
            # A million Python strings cost more than the whole decision: made on demand.
            self._ids = _arrow_vec(self._ids, FieldKind("text"), "id").values
        return self._ids

    def id_column(self) -> Any:
        """The ids as an Arrow text array: the Arrow column itself (cast to text) when
        the batch was read from Arrow, so writing results makes no Python strings."""
        ids = self._ids
        if isinstance(ids, np.ndarray):
            return pa.array(ids.astype(str) if len(ids) else [], pa.string())
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        return ids if ids.type == pa.string() else pc.cast(ids, pa.string())

    def __len__(self) -> int:
        return len(self._ids)

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
            self.decision, _id_at(self._ids, row), outcome, self.findings(row), self.provenance
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


def _id_at(ids: Any, row: int) -> str:
    """The id of one row, without converting a whole Arrow column."""
    value = ids[row]
    return str(value if isinstance(ids, np.ndarray) else value.as_py())


def ids_of(frame: Frame) -> Any:
    """A frame's ids for a batch result: the Arrow column itself when the frame was read
    from Arrow and has not converted it (see :attr:`BatchResult.ids`)."""
    table = frame.table
    if "id" not in frame.columns and table is not None and "id" in table.column_names:
        return table.column("id")
    return frame.column("id").values


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
