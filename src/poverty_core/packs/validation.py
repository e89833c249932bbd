"""The checks of an assembled pack: every citation names a known source, every rule reads
fields, parameters, procedures and checklist items that exist, no rule reads a personal
value, and the types compared agree; citations resolved to their sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core.errors import PackError
from poverty_core.expressions import (
    Field,
    Filled,
    Function,
    IsIn,
    Length,
    Lookup,
    Member,
    Reference,
    type_problems,
)
from poverty_core.model import Person
from poverty_core.packs.pack import Pack
from poverty_core.parameters import (
    Citation,
)


def _personal_reads(expr: Any, subject: type[Any], persons: type[Any] = Person) -> list[str]:
    """Personal fields (names, ID numbers …) an expression reads as values, not only
    whether they are filled in: their values would be reported in findings."""

    if isinstance(expr, Filled | Length | Function):
        return []
    if isinstance(expr, IsIn) and isinstance(expr.options, Reference):
        return []  # only whether the value is among the supplied keys is reported
    if isinstance(expr, Lookup) and isinstance(expr.key, Field | Member):
        return []  # the key selects a row; the row's cell is reported, not the key
    if isinstance(expr, Field | Member):
        cls = persons if isinstance(expr, Member) else subject
        a = attrs.fields_dict(cls).get(expr.name)
        return [expr.name] if a is not None and a.metadata.get("personal") else []
    return [name for child in expr.children() for name in _personal_reads(child, subject, persons)]


def _resolve_citations(pack: Pack) -> None:
    def bind(c: Citation) -> Citation:
        return attrs.evolve(c, resolved=pack.sources[c.source])

    for k, p in pack.parameters.items():
        pack.parameters[k] = attrs.evolve(
            p, values=tuple(attrs.evolve(v, citation=bind(v.citation)) for v in p.values)
        )
    for k, r in pack.criteria.items():
        pack.criteria[k] = attrs.evolve(r, citations=[bind(c) for c in r.citations])
    for k, d in pack.decisions.items():
        pack.decisions[k] = attrs.evolve(d, citations=[bind(c) for c in d.citations])
    for k, t in pack.taxonomies.items():
        pack.taxonomies[k] = attrs.evolve(t, citation=bind(t.citation))
    for k, rs in pack.references.items():
        pack.references[k] = attrs.evolve(rs, citation=bind(rs.citation))
    for k, pr in pack.procedures.items():
        pack.procedures[k] = attrs.evolve(pr, citation=bind(pr.citation))
    for k, cl in pack.checklists.items():
        pack.checklists[k] = attrs.evolve(cl, citation=bind(cl.citation))
    for k, cf in pack.classifiers.items():
        pack.classifiers[k] = attrs.evolve(cf, citations=[bind(c) for c in cf.citations])
    for k, en in pack.entitlements.items():
        pack.entitlements[k] = attrs.evolve(
            en,
            citations=[bind(c) for c in en.citations],
            lines=[attrs.evolve(ln, citation=bind(ln.citation)) for ln in en.lines],
        )
    for k, ind in pack.indicators.items():
        pack.indicators[k] = attrs.evolve(ind, citations=[bind(c) for c in ind.citations])
    pack.not_encoded[:] = [attrs.evolve(n, citation=bind(n.citation)) for n in pack.not_encoded]


def _validate(pack: Pack) -> None:
    problems: list[str] = []
    files: list[str] = []

    def cited(where: str, citation: Citation, file: str = "") -> None:
        if citation.source not in pack.sources:
            problems.append(f"{where}: cites unknown source {citation.source!r}")
            if file:
                files.append(file)

    for p in pack.parameters.values():
        for v in p.values:
            cited(f"parameter {p.name} (from {p.pack})", v.citation, p.file)
    for t in pack.taxonomies.values():
        cited(f"taxonomy {t.id}", t.citation)
    for pr in pack.procedures.values():
        cited(f"procedure {pr.id}", pr.citation)
    for ref in pack.references.values():
        cited(f"reference {ref.id}", ref.citation, ref.file)
    for n in pack.not_encoded:
        cited(f"not_encoded {n.rule.en!r}", n.citation)

    # Fields resolve through the pack's record classes: its declared fields are known,
    # another pack's are not.
    persons = attrs.fields_dict(pack.record_type("person"))

    def reads(where: str, subject_name: str, exprs: Iterable[Any], members: bool) -> None:
        own_fields = attrs.fields_dict(pack.record_type(subject_name))
        for expr in exprs:
            for ref in expr.refs():
                if ref.kind == "field" and ref.name not in own_fields:
                    problems.append(f"{where} reads unknown {subject_name} field {ref.name!r}")
                elif ref.kind == "member" and (
                    not members or (ref.name != "age" and ref.name not in persons)
                ):
                    problems.append(f"{where} reads unknown member field {ref.name!r}")
                elif ref.kind == "param" and ref.name not in pack.parameters:
                    problems.append(f"{where} reads undefined parameter {ref.name!r}")
                elif ref.kind == "procedure" and ref.name not in pack.procedures:
                    problems.append(f"{where} reads undefined procedure {ref.name!r}")
                elif ref.kind == "checklist":
                    checklist, _, item = ref.name.partition(".")
                    known = pack.checklists.get(checklist)
                    if known is None or (item and item not in {i.id for i in known.items}):
                        problems.append(f"{where} reads undefined checklist item {ref.name!r}")

    for rule in pack.criteria.values():
        for expr in (rule.test, rule.observed, rule.required):
            if expr is None:
                continue
            for name in _personal_reads(
                expr, pack.record_type(rule.subject), pack.record_type("person")
            ):
                problems.append(
                    f"criterion {rule.id} reads the personal field {name!r} itself "
                    f"(its value would reach findings): test filled({name!r}) instead"
                )
        for c in rule.citations:
            cited(f"criterion {rule.id}", c)
        exprs = [e for e in (rule.test, rule.observed, rule.required) if e is not None]
        reads(f"criterion {rule.id}", rule.subject, exprs, rule.subject == "household")
    for cl in pack.checklists.values():
        cited(f"checklist {cl.id}", cl.citation)
    for cf in pack.classifiers.values():
        for c in cf.citations:
            cited(f"classifier {cf.id}", c)
        reads(
            f"classifier {cf.id}",
            cf.subject,
            [c.test for c in cf.classes],
            cf.subject == "household",
        )
    for en in pack.entitlements.values():
        for c in en.citations:
            cited(f"entitlement {en.id}", c)
        if en.eligibility is not None:
            reads(f"entitlement {en.id}", en.subject, [en.eligibility], False)
        for ln in en.lines:
            cited(f"entitlement {en.id} line {ln.id}", ln.citation)
            reads(
                f"entitlement {en.id} line {ln.id}",
                en.subject,
                [ln.condition, ln.amount],
                ln.per == "member",
            )
    for ind in pack.indicators.values():
        for c in ind.citations:
            cited(f"indicator {ind.id}", c)
        reads(f"indicator {ind.id}", ind.subject, ind.expressions(), ind.subject == "household")
    for d in pack.decisions.values():
        for c in d.citations:
            cited(f"decision {d.id}", c)
        if not d.criteria:
            problems.append(f"decision {d.id} has no criteria")
        for cid in d.criteria:
            used = pack.criteria.get(cid)
            if used is None:
                problems.append(f"decision {d.id} uses undefined criterion {cid!r}")
            elif used.subject != d.subject:
                problems.append(
                    f"decision {d.id} ({d.subject}) uses {used.subject} criterion {cid!r}"
                )

    typed = type_problems(pack)
    if typed and not problems:
        zh_lines, en_lines = "；".join(t.zh for t in typed), "; ".join(t.en for t in typed)
        raise PackError(pack.name, Text(f"类型不符：{zh_lines}", f"ill-typed: {en_lines}"))
    problems += [t.en for t in typed]
    if problems:
        lines = "; ".join(problems)
        file = files[0] if files and len(set(files)) == 1 else None
        raise PackError(pack.name, Text(f"校验失败：{lines}", f"invalid: {lines}"), file=file)
