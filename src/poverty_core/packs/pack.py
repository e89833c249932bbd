"""The assembled, effective :class:`Pack`: lookup, decisions and batches, readiness,
the caller's periods, reference data and parameter overrides, and its description."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from poverty_core._text import Language, Text
from poverty_core.convert import structure
from poverty_core.engine import (
    BatchResult,
    Classification,
    ClassificationBatch,
    DecisionResult,
    EntitlementBatch,
    EntitlementResult,
    classify,
    classify_batch,
    decide,
    decide_batch,
    entitle,
    entitle_batch,
)
from poverty_core.errors import InputError, PackError, ParameterNotDefined, Problem, UnknownName
from poverty_core.expressions import subject_of
from poverty_core.frame import Frame
from poverty_core.indicators import compute
from poverty_core.model import County, Household, Person, Village
from poverty_core.packs.definition import NotEncoded, PackDefinition
from poverty_core.packs.periods import _PERIOD_KINDS, _period_of, _set_periods
from poverty_core.parameters import (
    Parameter,
    Period,
    Source,
    value_problem,
)
from poverty_core.readiness import Readiness, readiness
from poverty_core.references import ReferenceData, ReferenceSpec
from poverty_core.rules import (
    Checklist,
    Classifier,
    Criterion,
    Decision,
    Entitlement,
    Indicator,
    Procedure,
    Taxonomy,
    versions_of,
)
from poverty_core.vocabulary import (
    PackField,
)

_R = TypeVar("_R")
_KINDS = {
    "classifiers": Text("分类器", "classifier"),
    "entitlements": Text("补助项目", "entitlement"),
}
"""The kinds of rule :meth:`Pack._apply` runs: the pack's table of each, as it names one."""


@attrs.define
class _Namer:
    pack: Pack

    def field(self, subject: type[Any], name: str, language: Language) -> str:
        # the pack's record class of the subject: its declared fields have labels too
        for cls in self.pack.record_types.values():
            if isinstance(subject, type) and issubclass(cls, subject):
                subject = cls
                break
        labels = subject.field_labels() if hasattr(subject, "field_labels") else {}
        if name == "age" and subject is Person:
            return "年龄" if language == "zh" else "age"
        label = labels.get(name)
        return label[language] if label else name

    def param(self, name: str, language: Language) -> str:
        p = self.pack.parameters.get(name)
        return p.title[language] if p else name

    def checklist(self, name: str, language: Language) -> str:
        c = self.pack.checklists.get(name)
        return c.title[language] if c else name

    def procedure(self, name: str, language: Language) -> str:
        p = self.pack.procedures.get(name)
        return p.title[language] if p else name

    def reference(self, name: str, language: Language) -> str:
        r = self.pack.references.get(name)
        return r.title[language] if r else name


@attrs.frozen(eq=False)
class Pack:
    """An assembled, effective pack: its own items and everything it inherits.

    Every parameter, criterion, decision, procedure, taxonomy and source records the
    pack it comes from (``.pack``) and, when it replaces an ancestor's, which one
    (``.overrides``).

    A pack is frozen once assembled (registries cache and share it): the methods that
    change something — :meth:`with_periods`, :meth:`with_references` — return a new pack.
    """

    name: str
    title: Text
    version: str
    chain: tuple[str, ...]
    """This pack, its parent, … up to ``national``."""
    versions: dict[str, str]
    definition: PackDefinition
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    criteria: dict[str, Criterion]
    decisions: dict[str, Decision]
    procedures: dict[str, Procedure]
    checklists: dict[str, Checklist]
    classifiers: dict[str, Classifier]
    entitlements: dict[str, Entitlement]
    indicators: dict[str, Indicator]
    taxonomies: dict[str, Taxonomy]
    references: dict[str, ReferenceSpec]
    """Reference data a run supplies (:func:`poverty_core.blocks.reference`), declared by
    the pack and its ancestors."""
    not_encoded: list[NotEncoded]
    removed: dict[str, str]
    """Inherited ids this pack (or an ancestor) removed, with the pack that removed them."""
    run_periods: dict[str, Period] = attrs.Factory(dict)
    """Periods the caller set for its runs (:meth:`with_periods`); results record them."""
    fields: dict[str, PackField] = attrs.Factory(dict)
    """Input fields the pack and its ancestors declare (``fields.toml``)."""
    run_references: dict[str, ReferenceData] = attrs.field(factory=dict, repr=False)
    """Reference data the caller supplied for its runs (:meth:`with_references`)."""
    record_types: dict[str, type[Any]] = attrs.Factory(
        lambda: {"household": Household, "person": Person, "village": Village, "county": County}
    )
    """The pack's record classes (:mod:`poverty_core.vocabulary`), by kind."""

    def record_type(self, kind: str) -> type[Any]:
        """The pack's record class of ``kind`` (``household``, ``person``/``member``,
        ``village``, ``county``): the core class with the fields the pack declares."""
        key = "person" if kind == "member" else kind
        try:
            return self.record_types[key]
        except KeyError:
            raise UnknownName(
                Text("记录类型", "record kind"), kind, list(self.record_types)
            ) from None

    def structure(self, data: Any, kind: str = "household") -> Any:
        """Build one record of the pack's class of ``kind`` from a JSON-compatible dict
        (its declared fields included); raises :class:`~poverty_core.errors.InputError`
        listing every bad field."""

        return structure(data, self.record_type(kind))

    @property
    def parent(self) -> str | None:
        """The parent pack's name."""
        return self.definition.parent

    def decision(self, id: str) -> Decision:
        """A decision (or procedure, checklist) by id."""
        try:
            return self.decisions[id]
        except KeyError:
            raise UnknownName(Text("决策", "decision"), id, list(self.decisions)) from None

    def parameter(self, name: str) -> Parameter:
        """A parameter by name."""
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownName(Text("参数", "parameter"), name, list(self.parameters)) from None

    def value(self, name: str, on: dt.date) -> Any:
        """A parameter's value on a date.

        Raises :class:`~poverty_core.errors.ParameterNotDefined` when no value covers it.
        """

        v = self.parameter(name).value_on(on)
        if v is None:
            raise ParameterNotDefined(self.name, name, on)
        return v.value

    def with_periods(self, periods: Mapping[str, Period | tuple[Any, Any]]) -> Pack:
        """A copy of the pack in which the caller sets the period of some rules, by
        ``[kind:]id`` (as in ``periods.toml``), for its own runs; every result of the copy
        records them in its provenance.

        A value is a :class:`~poverty_core.parameters.Period` or a ``(start, end)`` pair of
        dates or ISO strings (``end`` may be ``None``). Setting a decision's period sets it
        on the criteria that shared the decision's period too.

        >>> import datetime as dt, poverty_core as pc
        >>> national = pc.load_pack("national")
        >>> pack = national.with_periods({"decision:household_exit": ("2016-04-29", None)})
        >>> pack.decisions["household_exit"].in_force.format("en")
        'from 2016-04-29'
        >>> household = pc.Household(id="h", members=[pc.Person(id="1")])
        >>> pack.decide("household_exit", household, as_of=dt.date(2021, 6, 30)).outcome
        <Outcome.UNDETERMINED: 'undetermined'>
        """
        tables = self._period_tables()
        copies = {kind: dict(table) for kind, table in tables.items()}
        chosen: dict[str, Period] = {}
        for entry, value in periods.items():
            period = value if isinstance(value, Period) else _period_of(value)
            chosen[entry] = attrs.evolve(period, origin="caller")
        try:
            _set_periods(self.name, chosen, copies, file=None)
        except PackError as err:
            raise InputError([Problem("periods", err.text)], what="periods") from None
        # steps and items follow their procedure's or checklist's period
        criteria, decisions = copies["criterion"], copies["decision"]
        for procedure in copies["procedure"].values():
            for step in procedure.step_criteria():
                criteria[step.id] = step
            decisions[procedure.as_decision().id] = procedure.as_decision()
        for checklist in copies["checklist"].values():
            for item in checklist.item_criteria():
                criteria[item.id] = item
            decisions[checklist.id] = checklist.as_decision()
        changes: dict[str, Any] = {attr: copies[kind] for kind, attr in _PERIOD_KINDS.items()}
        return attrs.evolve(self, run_periods={**self.run_periods, **chosen}, **changes)

    def with_references(self, references: Mapping[str, Any]) -> Pack:
        """A copy of the pack whose runs use the given reference data (by name, as
        :meth:`check_references` takes them) unless a call supplies its own; every result
        records each by name, row count and hash.

        >>> import poverty_core as pc
        >>> pack = pc.load_pack("zhangzhou").with_references(
        ...     {"identification_matches": [{"id_number": "35062319800101007x",
        ...                                  "data_set": "social_insurance"}]})
        >>> pack.run_references["identification_matches"].summary()["rows"]
        1
        """
        checked = self.check_references(references)
        return attrs.evolve(self, run_references={**self.run_references, **checked})

    def check_references(self, references: Mapping[str, Any] | None) -> dict[str, ReferenceData]:
        """The caller's reference data for a run, checked against the pack's declarations
        (:class:`~poverty_core.references.ReferenceSpec`) and normalised, on top of those
        of :meth:`with_references`. An undeclared name or bad data is an
        :class:`~poverty_core.errors.InputError` naming it (never echoing a value)."""

        out = dict(self.run_references)
        problems: list[Problem] = []
        for name, value in (references or {}).items():
            spec = self.references.get(name)
            if spec is None:
                known = ", ".join(sorted(self.references)) or "—"
                problems.append(
                    Problem(
                        f"references.{name}",
                        Text(
                            f"策略包 {self.name} 没有声明参考数据 {name}（已声明：{known}）",
                            f"pack {self.name} declares no reference {name} (declared: {known})",
                        ),
                    )
                )
                continue
            try:
                out[name] = spec.data(value)
            except InputError as err:
                problems += err.problems
        if problems:
            raise InputError(problems, what="references")
        return out

    def _period_tables(self) -> dict[str, dict[str, Any]]:
        return {kind: getattr(self, attr) for kind, attr in _PERIOD_KINDS.items()}

    def namer(self) -> _Namer:
        """Names fields and parameters for rule texts."""
        return _Namer(self)

    def rule_text(self, rule: Criterion, language: Language = "en") -> str:
        """A criterion's test as readable text."""
        return rule.test.text(language, self.namer(), subject_of(rule.subject))

    def check_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Validate caller-supplied parameter values (name and type) for one run."""

        problems: list[Problem] = []
        out: dict[str, Any] = {}
        for name, value in overrides.items():
            p = self.parameters.get(name)
            if p is None:
                problems.append(
                    Problem(
                        name,
                        Text(
                            f"策略包 {self.name} 没有参数 {name}",
                            f"pack {self.name} has no parameter {name}",
                        ),
                    )
                )
                continue
            try:
                out[name] = coerce_parameter(p, value)
            except ValueError as exc:
                problems.append(Problem(name, Text(f"取值无效：{exc}", f"invalid value: {exc}")))
        if problems:
            raise InputError(problems, what="overrides")
        return out

    def decide(
        self,
        decision: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> DecisionResult:
        """Evaluate a decision on one record (see :func:`poverty_core.engine.decide`).

        ``overrides``: parameter values for this run (:meth:`check_overrides`);
        ``references``: reference data by name, on top of those of
        :meth:`with_references` (:meth:`check_references`)."""
        return decide(
            self,
            decision,
            record,
            as_of=as_of,
            overrides=overrides,
            # none given: the engine reads those of with_references from the pack itself
            references=self.check_references(references) if references else None,
        )

    def readiness(
        self,
        decision: str,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> Readiness:
        """What a decision needs on a date, before any record is read (rules in force,
        gaps, inputs read; see :func:`poverty_core.readiness.readiness`)."""

        return readiness(
            self,
            decision,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def decide_batch(
        self,
        decision: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """Evaluate a decision over many records, vectorised (``overrides`` and
        ``references`` as for :meth:`decide`)."""
        return decide_batch(
            self,
            decision,
            records,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def _get(self, table: Mapping[str, Any], kind: Text, id: str) -> Any:
        try:
            return table[id]
        except KeyError:
            raise UnknownName(kind, id, list(table)) from None

    def _apply(
        self,
        run: Callable[..., _R],
        kind: str,
        name: str,
        subject: Any,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None,
        references: Mapping[str, Any] | None,
    ) -> _R:
        """``run`` (classify, entitle or their batch forms) with the rule ``name`` of the
        table ``kind`` (an unknown name is :class:`~poverty_core.errors.UnknownName`),
        on ``subject`` — one record or many — with the references checked."""
        return run(
            self,
            self._get(getattr(self, kind), _KINDS[kind], name),
            subject,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def classify(
        self,
        classifier: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> Classification:
        """Put one record in a class of a classifier."""
        return self._apply(
            classify, "classifiers", classifier, record, as_of, overrides, references
        )

    def classify_batch(
        self,
        classifier: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> ClassificationBatch:
        """Classify many records, vectorised."""
        return self._apply(
            classify_batch, "classifiers", classifier, records, as_of, overrides, references
        )

    def entitle(
        self,
        entitlement: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> EntitlementResult:
        """What one household is due under an entitlement."""
        return self._apply(
            entitle, "entitlements", entitlement, record, as_of, overrides, references
        )

    def entitle_batch(
        self,
        entitlement: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> EntitlementBatch:
        """Entitlement totals over many households, vectorised."""
        return self._apply(
            entitle_batch, "entitlements", entitlement, records, as_of, overrides, references
        )

    def indicator(
        self,
        indicator: str,
        records: Frame | Sequence[Any],
        *,
        by: str | None = None,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Compute an indicator per group (``by``: a field such as ``village_id``)."""

        i = self._get(self.indicators, Text("指标", "indicator"), indicator)
        pack = self.with_references(references) if references else self
        return compute(pack, i, records, by=by, as_of=as_of, overrides=overrides)

    def describe(self) -> dict[str, Any]:
        """A JSON-compatible description of the effective pack, with the origin of every
        item (``pack``) and what it overrides (``overrides``)."""
        pack = self
        return {
            "name": pack.name,
            "version": pack.version,
            "title": pack.title.to_dict(),
            "chain": list(pack.chain),
            "versions": pack.versions,
            "decisions": [
                {
                    "id": d.id,
                    "subject": d.subject,
                    "kind": d.kind,
                    "title": d.title.to_dict(),
                    "pack": d.pack,
                    "overrides": d.overrides,
                    **_periods_info(d),
                    "criteria": list(d.criteria),
                    "citations": [c.to_dict() for c in d.citations],
                }
                for d in pack.decisions.values()
            ],
            "criteria": [
                {
                    "id": r.id,
                    "subject": r.subject,
                    "title": r.title.to_dict(),
                    "test": {"zh": pack.rule_text(r, "zh"), "en": pack.rule_text(r, "en")},
                    "reads": [ref.label() for ref in r.refs()],
                    "interpretation": r.interpretation,
                    "pack": r.pack,
                    "overrides": r.overrides,
                    **_periods_info(r),
                    "citations": [c.to_dict() for c in r.citations],
                }
                for r in pack.criteria.values()
            ],
            "parameters": [p.to_dict() for p in pack.parameters.values()],
            "fields": [f.to_dict() for f in pack.fields.values()],
            "taxonomies": [
                {
                    "id": t.id,
                    "title": t.title.to_dict(),
                    "pack": t.pack,
                    "items": [{"code": i.code, "label": i.label.to_dict()} for i in t.items],
                    "citation": t.citation.to_dict(),
                }
                for t in pack.taxonomies.values()
            ],
            "checklists": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "title": c.title.to_dict(),
                    "pack": c.pack,
                    "overrides": c.overrides,
                    "interpretation": c.interpretation,
                    **_periods_info(c),
                    "items": [{"id": i.id, "label": i.label.to_dict()} for i in c.items],
                    "citation": c.citation.to_dict(),
                }
                for c in pack.checklists.values()
            ],
            "classifiers": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "title": c.title.to_dict(),
                    "pack": c.pack,
                    "overrides": c.overrides,
                    "interpretation": c.interpretation,
                    **_periods_info(c),
                    "classes": [
                        {
                            "code": k.code,
                            "label": k.label.to_dict(),
                            "test": {
                                lang: k.test.text(lang, pack.namer(), subject_of(c.subject))
                                for lang in ("zh", "en")
                            },
                        }
                        for k in c.classes
                    ],
                    "otherwise": None
                    if c.otherwise is None
                    else {"code": c.otherwise.code, "label": c.otherwise.label.to_dict()},
                    "citations": [x.to_dict() for x in c.citations],
                }
                for c in pack.classifiers.values()
            ],
            "entitlements": [
                {
                    "id": e.id,
                    "subject": e.subject,
                    "title": e.title.to_dict(),
                    "pack": e.pack,
                    "overrides": e.overrides,
                    **_periods_info(e),
                    "lines": [
                        {
                            "id": ln.id,
                            "title": ln.title.to_dict(),
                            "per": ln.per,
                            "kind": ln.kind,
                            "in_force": ln.in_force.to_dict() if ln.in_force else None,
                            "reads": [r.label() for r in (*ln.condition.refs(), *ln.amount.refs())],
                            "citation": ln.citation.to_dict(),
                        }
                        for ln in e.lines
                    ],
                    "citations": [x.to_dict() for x in e.citations],
                }
                for e in pack.entitlements.values()
            ],
            "indicators": [
                {
                    "id": i.id,
                    "subject": i.subject,
                    "kind": i.kind,
                    "weight": i.weight,
                    "title": i.title.to_dict(),
                    "pack": i.pack,
                    "overrides": i.overrides,
                    **_periods_info(i),
                    "reads": [r.label() for e in i.expressions() for r in e.refs()],
                    "citations": [x.to_dict() for x in i.citations],
                }
                for i in pack.indicators.values()
            ],
            "references": [
                {**r.to_dict(), "read_by": _reference_readers(pack, r.id)}
                for r in pack.references.values()
            ],
            "sources": [s.to_dict() for s in pack.sources.values()],
            "removed": pack.removed,
            "not_encoded": [
                {
                    "pack": n.pack,
                    "rule": n.rule.to_dict(),
                    "reason": n.reason.to_dict(),
                    "citation": n.citation.to_dict(),
                }
                for n in pack.not_encoded
            ],
        }

    def decisions_for(self, subject: str) -> list[Decision]:
        """The decisions about one kind of record."""
        return [d for d in self.decisions.values() if d.subject == subject]


def _reference_readers(pack: Pack, name: str) -> dict[str, list[str]]:
    """The criteria (any version) that read reference ``name``, and the decisions made
    of them: what needs the data a run supplies."""
    criteria = [
        c.id
        for c in pack.criteria.values()
        if any(
            ref.kind == "reference" and ref.name == name
            for version in versions_of(c)
            for ref in version.refs()
        )
    ]
    decisions = [
        d.id
        for d in pack.decisions.values()
        if any(cid in criteria for version in versions_of(d) for cid in version.criteria)
    ]
    return {"criteria": criteria, "decisions": decisions}


def _periods_info(item: Any) -> dict[str, Any]:
    """``in_force`` of a rule, and ``earlier``: the inherited versions it overrides,
    which still govern outside its period."""
    return {
        "in_force": item.in_force.to_dict() if item.in_force else None,
        "earlier": [
            {"pack": v.pack, "in_force": v.in_force.to_dict() if v.in_force else None}
            for v in versions_of(item)[1:]
        ],
    }


def coerce_parameter(p: Parameter, value: Any) -> Any:
    """Turn a caller's value (possibly a string from the command line) into the
    parameter's type; raises :class:`ValueError`, also for a value impossible for the
    parameter's unit (NaN, infinite, negative, a ratio above 1:
    :func:`poverty_core.parameters.value_problem`)."""

    if p.type in ("number", "integer"):
        if p.type == "number":
            if isinstance(value, str):
                value = float(value)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{value!r} is not a number")
            value = float(value)
        else:
            if isinstance(value, str):
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{value!r} is not an integer")
        problem = value_problem(p.unit, p.type, value)
        if problem is not None:
            raise ValueError(problem.en)
        return value
    if p.type == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not true or false")
        return value
    if p.type == "text_list":
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        if not isinstance(value, list | tuple):
            raise ValueError(f"{value!r} is not a list of text")
        return tuple(str(v) for v in value)
    return str(value)
