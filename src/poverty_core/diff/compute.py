"""Computing a pack diff: :func:`diff_packs` (a pack against its parent or any other
pack) and :func:`diff_dates` (one pack between two dates, each change on the day it
happens). Items the core derives from others are folded into them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from poverty_core._text import Text
from poverty_core.diff.model import (
    KINDS,
    ForceChange,
    ForceChangeKind,
    ItemChange,
    PackDiff,
    ParameterChange,
    ParameterChangeKind,
    ReferenceChange,
    ReferenceChangeKind,
    ReferenceView,
    RuleChange,
    RuleChangeKind,
    RuleVersion,
    ValueView,
)
from poverty_core.errors import InputError, Problem
from poverty_core.parameters import Citation, Parameter, ParameterValue, Period
from poverty_core.plugins import default_registry
from poverty_core.rules import DecisionExtension, in_force_on, versions_of

if TYPE_CHECKING:
    from poverty_core.packs import Pack, PackRegistry


# -- comparing two packs -----------------------------------------------------------------


def _version(item: Any) -> RuleVersion:
    title = getattr(item, "title", None) or getattr(item, "label", None)
    if title is None:
        title = Text(item.name, item.name)
    citations = getattr(item, "citations", None)
    if citations is None:
        citation = getattr(item, "citation", None)
        citations = (citation,) if citation is not None else ()
    return RuleVersion(
        pack=item.pack,
        title=title,
        in_force=getattr(item, "in_force", None),
        citations=tuple(citations),
    )


def _derived(pack: Pack) -> set[str]:
    """Criteria and decisions the core makes from procedures and checklists."""
    out: set[str] = set()
    for procedure in pack.procedures.values():
        out.update(c.id for c in procedure.step_criteria())
        out.add(procedure.as_decision().id)
    for checklist in pack.checklists.values():
        out.update(c.id for c in checklist.item_criteria())
        out.add(checklist.id)
    return out


def _table(pack: Pack, kind: str, attr: str, derived: set[str]) -> dict[str, Any]:
    table: Mapping[str, Any] = getattr(pack, attr)
    if kind in ("criterion", "decision"):
        return {k: v for k, v in table.items() if k not in derived}
    return dict(table)


def _entries(item: Any, kind: str) -> list[tuple[str, Text | None]]:
    """The inside of a rule: criteria, items, steps or codes."""
    if kind == "decision":
        return [(c, None) for c in item.criteria]
    if kind == "checklist":
        return [(i.id, i.label) for i in item.items]
    if kind == "procedure":
        return [(s.id, s.label) for s in item.steps]
    if kind == "taxonomy":
        return [(i.code, i.label) for i in item.items]
    return []


def _entry_changes(
    kind: str, before: Any, after: Any, replace: Mapping[str, str] | None = None
) -> tuple[ItemChange, ...]:
    old = _entries(before, kind) if before is not None else []
    new = _entries(after, kind) if after is not None else []
    old_ids, new_ids = [i for i, _ in old], [i for i, _ in new]
    labels = dict(old) | dict(new)
    replace = {k: v for k, v in (replace or {}).items() if k in old_ids and v in new_ids}
    replacing = set(replace.values())
    out = [
        ItemChange("removed", i, labels[i])
        for i in old_ids
        if i not in new_ids and i not in replace
    ]
    out += [
        ItemChange("replaced", new_id, labels[new_id], replaces=old_id)
        for old_id, new_id in replace.items()
    ]
    out += [
        ItemChange("added", i, labels[i])
        for i in new_ids
        if i not in old_ids and i not in replacing
    ]
    return tuple(out)


def _extensions(pack: Pack, registry: PackRegistry | None) -> dict[str, DecisionExtension]:
    """The decision extensions of the pack and its ancestors (the nearest wins)."""

    out: dict[str, DecisionExtension] = {}
    for name in reversed(pack.chain):
        if name == pack.name:
            definition = pack.definition
        else:
            definition = (registry or default_registry()).definitions.get(name)  # type: ignore[assignment]
            if definition is None:
                continue
        for rule in definition.rules:
            if isinstance(rule, DecisionExtension):
                out[rule.id] = attrs.evolve(rule, pack=name)
    return out


def _removed_by(pack: Pack, kind: str, id: str) -> str | None:
    for entry, by in pack.removed.items():
        k, _, rid = entry.rpartition(":")
        if rid == id and k in ("", kind):
            return by
    return None


def _same_period(a: Period | None, b: Period | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.start, a.end) == (b.start, b.end)


def _values(p: Parameter) -> tuple[ValueView, ...]:
    return tuple(ValueView(v.start, v.end, v.value, v.citation) for v in p.values)


def _value_key(v: ValueView) -> tuple[Any, ...]:
    c = v.citation
    return (v.start, v.end, v.value, c.source if c else None, c.locator if c else None)


def diff_packs(pack: Pack, base: Pack, *, registry: PackRegistry | None = None) -> PackDiff:
    """What ``pack`` changes relative to ``base`` (usually its parent or an ancestor).

    :param registry: where the definitions of ``pack``'s ancestors are found (to tell an
        extension of an inherited decision from a replacement); the installed packs by
        default.

    >>> import poverty_core as pc
    >>> d = pc.diff_packs(pc.load_pack("fujian"), pc.load_pack("national"))
    >>> d.title("en")
    'What fujian changes from national'
    >>> [p.name for p in d.parameters if p.name == "poverty_line"]
    []
    """
    derived = _derived(pack) | _derived(base)
    extensions = _extensions(pack, registry)
    rules: list[RuleChange] = []
    force: list[ForceChange] = []
    for kind, attr, _ in KINDS:
        new = _table(pack, kind, attr, derived)
        old = _table(base, kind, attr, derived)
        for id, item in new.items():
            before = old.get(id)
            if before is None:
                rules.append(
                    RuleChange(
                        kind,
                        id,
                        "added",
                        item.pack,
                        None,
                        _version(item),
                        _entry_changes(kind, None, item),
                        tuple(_version(item).citations),
                    )
                )
                continue
            if kind == "field":
                continue
            ext = extensions.get(id) if kind == "decision" else None
            if item.pack != before.pack:
                if ext is not None and ext.pack == item.pack:
                    change: RuleChangeKind = "extended"
                    why = tuple(ext.citations)
                    replace: Mapping[str, str] | None = ext.replace
                else:
                    change, why, replace = "replaced", tuple(_version(item).citations), None
                rules.append(
                    RuleChange(
                        kind,
                        id,
                        change,
                        item.pack,
                        _version(before),
                        _version(item),
                        _entry_changes(kind, before, item, replace),
                        why,
                    )
                )
            elif not _same_period(
                getattr(item, "in_force", None), getattr(before, "in_force", None)
            ):
                force.append(
                    ForceChange(kind, id, "period_changed", _version(before), _version(item))
                )
        for id, item in old.items():
            if id not in new:
                by = _removed_by(pack, kind, id) or pack.name
                rules.append(RuleChange(kind, id, "removed", by, _version(item), None))
    parameters: list[ParameterChange] = []
    for name, p in pack.parameters.items():
        q = base.parameters.get(name)
        if q is None:
            parameters.append(
                ParameterChange(name, p.title, p.unit, "added", p.pack, (), _values(p))
            )
        elif [_value_key(v) for v in _values(p)] != [_value_key(v) for v in _values(q)]:
            parameters.append(
                ParameterChange(name, p.title, p.unit, "changed", p.pack, _values(q), _values(p))
            )
    for name, q in base.parameters.items():
        if name not in pack.parameters:
            by = _removed_by(pack, "parameter", name) or pack.name
            parameters.append(ParameterChange(name, q.title, q.unit, "removed", by, _values(q), ()))
    return PackDiff(
        mode="packs",
        pack=pack.name,
        base=base.name,
        from_date=None,
        to_date=None,
        rules=tuple(rules),
        parameters=tuple(parameters),
        force=tuple(force),
        references=_reference_changes(pack, base),
    )


_DECLARED = ("kind", "key", "key_form", "columns", "title", "description", "citation")
"""The parts of a reference's declaration compared (its content, not the pack it is in)."""


def _readers(pack: Pack, name: str) -> tuple[str, ...]:
    return tuple(
        c.id
        for c in pack.criteria.values()
        if any(r.kind == "reference" and r.name == name for v in versions_of(c) for r in v.refs())
    )


def _reference_view(pack: Pack, name: str) -> ReferenceView:
    r = pack.references[name]
    return ReferenceView(
        r.pack,
        r.kind,
        r.key,
        r.key_form,
        r.columns,
        r.title,
        r.description,
        r.citation,
        _readers(pack, name),
    )


def _declared(view: ReferenceView, part: str) -> Any:
    value = getattr(view, part)
    if isinstance(value, Citation):
        return (value.source, value.locator)
    if isinstance(value, Text):
        return (value.zh, value.en)
    return value


def _reference_changes(pack: Pack, base: Pack) -> tuple[ReferenceChange, ...]:
    """References ``pack`` declares and ``base`` does not (added), the reverse
    (removed), and those both declare differently (changed, by content)."""
    changes: list[ReferenceChange] = []
    for name in pack.references:
        after = _reference_view(pack, name)
        if name not in base.references:
            changes.append(ReferenceChange(name, "added", after.pack, None, after))
            continue
        before = _reference_view(base, name)
        differs = tuple(p for p in _DECLARED if _declared(before, p) != _declared(after, p))
        if differs:
            changes.append(ReferenceChange(name, "changed", after.pack, before, after, differs))
    for name in base.references:
        if name not in pack.references:
            by = _removed_by(pack, "reference", name) or pack.name
            changes.append(ReferenceChange(name, "removed", by, _reference_view(base, name), None))
    return tuple(changes)


def _reading_on(pack: Pack, name: str, on: dt.date) -> bool:
    """Whether a criterion in force on ``on`` (in its governing version) reads ``name``."""
    for c in pack.criteria.values():
        version = in_force_on(c, on)
        if version is not None and any(
            r.kind == "reference" and r.name == name for r in version.refs()
        ):
            return True
    return False


def _reference_dates(pack: Pack, start: dt.date, end: dt.date) -> list[ReferenceChange]:
    """Each reference the rules in force start (``read``) or stop (``unread``) reading
    after ``start`` up to ``end``, on the day."""
    changes: list[ReferenceChange] = []
    for name in pack.references:
        readers = [pack.criteria[c] for c in _readers(pack, name)]
        periods = [v.in_force for c in readers for v in versions_of(c)]
        view = _reference_view(pack, name)
        for day in _boundaries(periods, start, end):
            old, new = _reading_on(pack, name, day - _DAY), _reading_on(pack, name, day)
            if old != new:
                change: ReferenceChangeKind = "read" if new else "unread"
                changes.append(
                    ReferenceChange(
                        name,
                        change,
                        view.pack,
                        None if new else view,
                        view if new else None,
                        date=day,
                    )
                )
    return changes


# -- comparing two dates -----------------------------------------------------------------


def _boundaries(periods: Iterable[Period | None], start: dt.date, end: dt.date) -> list[dt.date]:
    """The days in (start, end] on which a period begins or the day after one ends."""
    days: set[dt.date] = set()
    for p in periods:
        if p is None:
            continue
        days.add(p.start)
        if p.end is not None and p.end < dt.date.max:
            days.add(p.end + dt.timedelta(days=1))
    return sorted(d for d in days if start < d <= end)


def _dated_items(pack: Pack, derived: set[str]) -> Iterator[tuple[str, str, Any]]:
    for kind, attr, _ in KINDS:
        if kind in ("taxonomy", "field"):
            continue
        for id, item in _table(pack, kind, attr, derived).items():
            yield kind, id, item
            if kind == "entitlement":
                for line in item.lines:
                    yield "entitlement_line", f"{id}.{line.id}", line


_DAY = dt.timedelta(days=1)


def _governing(item: Any, line: bool, on: dt.date) -> Any:
    """The version of a rule in force on ``on`` (an entitlement line has one)."""
    if line:
        return item if item.in_force is None or item.in_force.covers(on) else None
    return in_force_on(item, on)


def _view(item: Any, owner: Any) -> RuleVersion:
    """A version as the diff shows it (an entitlement line under its entitlement's pack)."""
    if owner is None:
        return _version(item)
    return RuleVersion(owner.pack, item.title, item.in_force, (item.citation,))


def diff_dates(pack: Pack, start: dt.date, end: dt.date) -> PackDiff:
    """What changes in ``pack`` after ``start`` up to and including ``end``: each rule
    entering or leaving force, or handing over to another version of it, and each
    parameter whose value changes, on the day it happens.

    >>> import datetime as dt, poverty_core as pc
    >>> d = pc.diff_dates(pc.load_pack("national"), dt.date(2016, 12, 31), dt.date(2019, 6, 30))
    >>> [(c.id, c.change, str(c.date)) for c in d.force if c.id == "county_incidence"]
    [('county_incidence', 'left', '2017-09-30')]
    """
    if end < start:
        raise InputError(
            [
                Problem(
                    "--to",
                    Text(f"结束日期 {end} 早于开始日期 {start}", f"{end} is before {start}"),
                )
            ],
            what="dates",
        )
    derived = _derived(pack)
    force: list[ForceChange] = []
    owners = {f"{e.id}.{line.id}": e for e in pack.entitlements.values() for line in e.lines}
    for kind, id, item in _dated_items(pack, derived):
        line = kind == "entitlement_line"
        versions = [item] if line else versions_of(item)
        for day in _boundaries((v.in_force for v in versions), start, end):
            before, after = (_governing(item, line, on) for on in (day - _DAY, day))
            if before is after:
                continue
            change: ForceChangeKind = (
                "entered" if before is None else "left" if after is None else "replaced"
            )
            force.append(
                ForceChange(
                    kind,
                    id,
                    change,
                    None if before is None else _view(before, owners.get(id) if line else None),
                    None if after is None else _view(after, owners.get(id) if line else None),
                    day,
                )
            )
    parameters: list[ParameterChange] = []
    for name, p in pack.parameters.items():
        spans = [Period(s, e) for s, e, _ in p.covering()]
        for day in _boundaries(spans, start, end):
            old, new = p.value_on(day - dt.timedelta(days=1)), p.value_on(day)
            if _pv_key(old) == _pv_key(new):
                continue
            kind_: ParameterChangeKind = (
                "added" if old is None else "removed" if new is None else "changed"
            )
            parameters.append(
                ParameterChange(
                    name, p.title, p.unit, kind_, p.pack, _one(p, old), _one(p, new), day
                )
            )
    force.sort(key=lambda c: (c.date or start, c.kind, c.id))
    parameters.sort(key=lambda c: (c.date or start, c.name))
    references = _reference_dates(pack, start, end)
    references.sort(key=lambda c: (c.date or start, c.id))
    return PackDiff(
        mode="dates",
        pack=pack.name,
        base=pack.name,
        from_date=start,
        to_date=end,
        rules=(),
        parameters=tuple(parameters),
        force=tuple(force),
        references=tuple(references),
    )


def _pv_key(v: ParameterValue | None) -> tuple[Any, ...] | None:
    if v is None:
        return None
    return (v.value, v.citation.source, v.citation.locator)


def _one(p: Parameter, v: ParameterValue | None) -> tuple[ValueView, ...]:
    if v is None:
        return ()
    for start, end, candidate in p.covering():
        if candidate is v:
            return (ValueView(start, end, v.value, v.citation),)
    return (ValueView(v.start, v.end, v.value, v.citation),)
