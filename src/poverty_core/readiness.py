"""Know before you run: what a decision needs on a date, and what it cannot decide.

:func:`readiness` looks at a decision of a pack on one date — before any record is read —
and says which of its criteria govern then and which do not, the register fields it
reads, and the parameters it reads that have no value on that date (gaps), each with how
to supply it, and the reference data it reads (:func:`poverty_core.blocks.reference`):
inputs the run must supply, each said to be supplied or not. A gap is *blocking* when no
record can be found eligible without it: the parameter is read by a test in force in a
position every passing record needs (not only in one branch of an ``or``, a ``coalesce``
or a ``where``).

The analysis of "needed" inputs is a small walk over the expression tree written here
(no library does it), in Kleene logic: to be true an ``and`` needs what each part needs
and an ``or`` only what every option needs (to be false, the other way round), ``not``
swaps the two, ``coalesce`` needs what all its options need, ``where`` its condition and
what both branches need, everything else what its parts need; a plain-function rule is
assumed to need nothing, so that a gap is never called blocking when it might not be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from poverty_core._text import Language
from poverty_core._wording import option
from poverty_core.blocks import Inherited
from poverty_core.engine import decision_on
from poverty_core.expressions import (
    And,
    Coalesce,
    Expr,
    Filled,
    Function,
    Lookup,
    MemberAggregate,
    Not,
    Or,
    Ref,
    Where,
)
from poverty_core.parameters import Parameter
from poverty_core.references import ReferenceData, ReferenceSpec
from poverty_core.rules import Criterion, Decision, in_force_on

if TYPE_CHECKING:
    from poverty_core.packs import Pack

__all__ = ["Gap", "Readiness", "ReferenceNeed", "needed", "readiness"]


def needed(expr: Expr) -> frozenset[Ref]:
    """The inputs without which ``expr`` cannot be true (cannot pass) for any record.

    >>> from poverty_core.expressions import field, param, any_of, all_of, not_
    >>> sorted(r.label() for r in needed(field("income") > param("poverty_line")))
    ['income', 'param:poverty_line']
    >>> sorted(r.label() for r in needed(any_of(field("a"), param("b"))))
    []
    >>> sorted(r.label() for r in needed(not_(all_of(field("a"), param("b")))))
    []
    """
    return _needs(expr)[0]


_None: frozenset[Ref] = frozenset()


def _meet(sets: list[frozenset[Ref]]) -> frozenset[Ref]:
    return frozenset.intersection(*sets) if sets else _None


def _join(sets: list[frozenset[Ref]]) -> frozenset[Ref]:
    return _None.union(*sets)


def _needs(expr: Expr) -> tuple[frozenset[Ref], frozenset[Ref]]:
    """(inputs needed for ``expr`` to be true, … to be false); for a value, both are
    what it needs to be known."""
    if isinstance(expr, Filled | Function):
        return _None, _None
    if isinstance(expr, Inherited):  # one version governs on a date: what all need
        versions = [_needs(c) for c in expr.children()]
        return _meet([t for t, _ in versions]), _meet([f for _, f in versions])
    if isinstance(expr, And):
        parts = [_needs(c) for c in expr.children()]
        return _join([t for t, _ in parts]), _meet([f for _, f in parts])
    if isinstance(expr, Or):
        parts = [_needs(c) for c in expr.children()]
        return _meet([t for t, _ in parts]), _join([f for _, f in parts])
    if isinstance(expr, Not):
        true, false = _needs(expr.part)
        return false, true
    if isinstance(expr, Coalesce):
        known = _meet([_known(c) for c in expr.children()])
        return known, known
    if isinstance(expr, Where):
        then_t, then_f = _needs(expr.then)
        else_t, else_f = _needs(expr.otherwise)
        cond = _known(expr.condition)
        return cond | (then_t & else_t), cond | (then_f & else_f)
    if isinstance(expr, MemberAggregate) and expr.how != "count":
        return _needs(expr.condition)
    if isinstance(expr, Lookup):  # the key, and the table it is looked up in
        known = _known(expr.key) | {Ref("reference", expr.name)}
        return known, known
    children = expr.children()
    if not children:
        refs = frozenset(expr.refs())
        return refs, refs
    known = _join([_known(c) for c in children])
    return known, known


def _known(expr: Expr) -> frozenset[Ref]:
    true, false = _needs(expr)
    return true & false


@attrs.frozen
class Gap:
    """A parameter a criterion in force reads that has no value on the date."""

    parameter: Parameter
    rules: tuple[str, ...]
    """The criteria in force that read it."""
    blocking: bool
    """True when no record can pass those criteria without it."""

    def explain(self, language: Language = "en") -> str:
        """One line: the parameter, the date problem and how to supply it."""
        p = self.parameter
        rules = ", ".join(self.rules)
        if language == "zh":
            how = f"用 {option('set', 'zh', name=p.name)} 提供（或由子策略包附出处设定）"
            lead = "无法判定任何户为符合" if self.blocking else "部分记录可能无法判定"
            return (
                f"参数 {p.name}（{p.title.zh}）在该日没有取值，{lead}；读取它的规则：{rules}；{how}"
            )
        how = f"supply it with {option('set', name=p.name)} (or a child pack, with a citation)"
        lead = (
            "no record can be found eligible"
            if self.blocking
            else "some records may be left undetermined"
        )
        return (
            f"parameter {p.name} ({p.title.en}) has no value on that date, so {lead}; "
            f"read by: {rules}; {how}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "parameter": self.parameter.name,
            "title": self.parameter.title.to_dict(),
            "pack": self.parameter.pack,
            "rules": list(self.rules),
            "blocking": self.blocking,
            "supply": f"--set {self.parameter.name}=VALUE",
        }


@attrs.frozen
class ReferenceNeed:
    """Reference data a criterion in force reads: an input the run must supply."""

    reference: ReferenceSpec
    rules: tuple[str, ...]
    supplied: bool
    blocking: bool
    """True when it is not supplied and no record can pass without it."""

    def explain(self, language: Language = "en") -> str:
        """One line: the reference, whether it is supplied and how to supply it."""
        r = self.reference
        rules = ", ".join(self.rules)
        if language == "zh":
            state = "已提供" if self.supplied else "未提供，读取它的判定将无法判定"
            how = "" if self.supplied else f"；用 {option('reference', 'zh', name=r.id)} 提供"
            return f"参考数据 {r.id}（{r.title.zh}）{state}；读取它的规则：{rules}{how}"
        state = "supplied" if self.supplied else "not supplied: the findings reading it are unknown"
        how = "" if self.supplied else f"; supply it with {option('reference', name=r.id)}"
        return f"reference {r.id} ({r.title.en}) {state}; read by: {rules}{how}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "reference": self.reference.id,
            "kind": self.reference.kind,
            "title": self.reference.title.to_dict(),
            "pack": self.reference.pack,
            "rules": list(self.rules),
            "supplied": self.supplied,
            "blocking": self.blocking,
            "supply": f"--reference {self.reference.id}=FILE",
        }


@attrs.frozen
class Readiness:
    """What a decision of a pack needs on a date, before a register is read."""

    pack: str
    decision: Decision
    as_of: dt.date
    in_force: tuple[Criterion, ...]
    """The criteria (each in the version that governs) that apply on the date."""
    not_in_force: tuple[Criterion, ...]
    """The decision's criteria that do not apply on the date."""
    gaps: tuple[Gap, ...]
    fields: tuple[str, ...]
    """The inputs the criteria in force read (``members[].age``, ``procedures.x`` …)."""
    references: tuple[ReferenceNeed, ...] = ()
    """The reference data the criteria in force read, supplied or not."""

    @property
    def blocking(self) -> tuple[Gap | ReferenceNeed, ...]:
        """The gaps and unsupplied references without which no record can be found
        eligible."""
        return (
            *(g for g in self.gaps if g.blocking),
            *(r for r in self.references if r.blocking),
        )

    @property
    def ready(self) -> bool:
        """True when no gap blocks the decision."""
        return not self.blocking

    def explain(self, language: Language = "en") -> str:
        """A readable account: rules in force and not, gaps, inputs read."""
        zh = language == "zh"
        lines = [
            f"{self.decision.id}（{self.decision.title.zh}）于 {self.as_of}："
            if zh
            else f"{self.decision.id} ({self.decision.title.en}) on {self.as_of}:"
        ]
        lines.append("  生效的规则：" if zh else "  rules in force:")
        for rule in self.in_force:
            period = rule.in_force.format(language) if rule.in_force else "—"
            lines.append(f"    {rule.id}: {rule.title[language]} [{period}] ({rule.pack})")
        if self.not_in_force:
            lines.append("  未生效（不适用）：" if zh else "  not in force (do not apply):")
            for rule in self.not_in_force:
                period = rule.in_force.format(language) if rule.in_force else "—"
                lines.append(f"    {rule.id}: {rule.title[language]} [{period}]")
        if self.gaps:
            lines.append("  没有取值的参数：" if zh else "  parameters with no value:")
            lines += [f"    {g.explain(language)}" for g in self.gaps]
        if self.references:
            lines.append("  运行须提供的参考数据：" if zh else "  reference data the run supplies:")
            lines += [f"    {r.explain(language)}" for r in self.references]
        lines.append(("  读取的字段：" if zh else "  inputs read: ") + ", ".join(self.fields))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "pack": self.pack,
            "decision": self.decision.id,
            "as_of": self.as_of.isoformat(),
            "in_force": [_rule_dict(r) for r in self.in_force],
            "not_in_force": [_rule_dict(r) for r in self.not_in_force],
            "gaps": [g.to_dict() for g in self.gaps],
            "fields": list(self.fields),
            "references": [r.to_dict() for r in self.references],
            "ready": self.ready,
        }


def _rule_dict(rule: Criterion) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title.to_dict(),
        "pack": rule.pack,
        "in_force": rule.in_force.to_dict() if rule.in_force else None,
    }


def _reads(rules: Iterable[Criterion]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for rule in rules:
        for ref in rule.refs():
            if ref.kind not in ("param", "reference"):
                seen.setdefault(ref.label(), None)
    return tuple(seen)


def readiness(
    pack: Pack,
    decision_id: str,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> Readiness:
    """What decision ``decision_id`` of ``pack`` needs on ``as_of`` (with the caller's
    ``overrides`` and ``references``: by default those the pack carries,
    :meth:`~poverty_core.packs.Pack.with_references`), before any record is read.

    Raises :class:`~poverty_core.errors.NotInForce` when the decision governs on none of
    its dates, like deciding would.

    >>> import datetime as dt, poverty_core as pc
    >>> r = readiness(pc.load_pack("national"), "household_exit", as_of=dt.date(2019, 6, 30))
    >>> [g.parameter.name for g in r.blocking]
    ['poverty_line']
    >>> readiness(pc.load_pack("national"), "household_exit", as_of=dt.date(2019, 6, 30),
    ...           overrides={"poverty_line": 3218}).ready
    True
    """
    checked = pack.check_overrides(overrides or {})
    decision, rules = decision_on(pack, decision_id, as_of)
    in_force: list[Criterion] = []
    not_in_force: list[Criterion] = []
    for newest in rules:
        version = in_force_on(newest, as_of)
        if version is None:
            not_in_force.append(newest)
        else:
            in_force.append(version)
    readers: dict[str, list[str]] = {}
    blocking: set[str] = set()
    for rule in in_force:
        must = {r.name for r in needed(rule.test) if r.kind == "param"}
        for ref in rule.refs():
            if ref.kind != "param" or ref.name in checked:
                continue
            if pack.parameters[ref.name].value_on(as_of) is not None:
                continue
            names = readers.setdefault(ref.name, [])
            if rule.id not in names:
                names.append(rule.id)
            if ref.name in must:
                blocking.add(ref.name)
    gaps = tuple(
        Gap(pack.parameters[name], tuple(ids), name in blocking) for name, ids in readers.items()
    )
    supplied = references if references is not None else pack.run_references
    users: dict[str, list[str]] = {}
    must_refs: set[str] = set()
    for rule in in_force:
        must_refs |= {r.name for r in needed(rule.test) if r.kind == "reference"}
        for ref in rule.refs():
            if ref.kind == "reference" and rule.id not in users.setdefault(ref.name, []):
                users[ref.name].append(rule.id)
    needs = tuple(
        ReferenceNeed(
            pack.references[name],
            tuple(ids),
            name in supplied,
            name not in supplied and name in must_refs,
        )
        for name, ids in users.items()
    )
    return Readiness(
        pack.name,
        decision,
        as_of,
        tuple(in_force),
        tuple(not_in_force),
        gaps,
        _reads(in_force),
        needs,
    )
