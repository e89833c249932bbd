"""What a pack changes: relative to its parent (or any other pack), or between two dates.

:func:`diff_packs` answers "what does zhangzhou change from fujian?": rules added, removed,
replaced or extended (a :class:`~poverty_core.rules.DecisionExtension` adding, removing or
replacing criteria of an inherited decision), parameters whose values differ (both value
lists, with their dates and citations), and rules whose period in force the child sets
differently. :func:`diff_dates` answers "what changes in national between 2016-12-31 and
2019-06-30?": every rule that enters or leaves force (or whose governing version changes,
e.g. Fujian's housing test taking over from the national one) and every parameter whose
value changes, each on the day it happens. Both return a :class:`PackDiff`, rendered as a
terminal table in Chinese or English (:func:`format_table`) or as JSON
(:func:`to_json_data`, through a private cattrs converter).

Items the core derives from others are folded into them, so a change is listed once: a
procedure's steps and a checklist's items are listed with the procedure or checklist (the
八有 items with ``eight_haves``), not as criteria of their own.

>>> import poverty_core as pc
>>> d = pc.diff_packs(pc.load_pack("zhangzhou"), pc.load_pack("fujian"))
>>> [(c.kind, c.id, c.change) for c in d.rules if c.id in ("eight_haves", "safe_housing")]
[('checklist', 'eight_haves', 'added'), ('criterion', 'safe_housing', 'replaced')]
"""

from __future__ import annotations

import argparse
import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO

import attrs
import cattrs

from poverty_core._text import Language, Text
from poverty_core.parameters import Citation, Parameter, ParameterValue, Period
from poverty_core.rules import DecisionExtension, in_force_on, versions_of

if TYPE_CHECKING:
    from poverty_core.packs import Pack, PackRegistry

__all__ = [
    "ForceChange",
    "ItemChange",
    "PackDiff",
    "ParameterChange",
    "RuleChange",
    "RuleVersion",
    "ValueView",
    "diff_dates",
    "diff_packs",
    "format_table",
    "to_json_data",
]

RuleChangeKind = Literal["added", "removed", "replaced", "extended"]
ForceChangeKind = Literal["entered", "left", "replaced", "period_changed"]
ParameterChangeKind = Literal["added", "removed", "changed"]

_KINDS: tuple[tuple[str, str, Text], ...] = (
    ("procedure", "procedures", Text("程序", "procedure")),
    ("checklist", "checklists", Text("核查清单", "checklist")),
    ("criterion", "criteria", Text("判定标准", "criterion")),
    ("decision", "decisions", Text("决策", "decision")),
    ("classifier", "classifiers", Text("分类器", "classifier")),
    ("entitlement", "entitlements", Text("补助项目", "entitlement")),
    ("indicator", "indicators", Text("指标", "indicator")),
    ("taxonomy", "taxonomies", Text("分类表", "taxonomy")),
    ("field", "fields", Text("输入字段", "input field")),
)
"""Kinds of item compared, with the :class:`~poverty_core.packs.Pack` table of each."""

KIND_LABELS: dict[str, Text] = {
    **{name: label for name, _, label in _KINDS},
    "entitlement_line": Text("补助条目", "entitlement line"),
    "parameter": Text("参数", "parameter"),
}
"""Each kind's bilingual label."""

CHANGE_LABELS: dict[str, Text] = {
    "added": Text("新增", "added"),
    "removed": Text("移除", "removed"),
    "replaced": Text("替换", "replaced"),
    "extended": Text("扩展", "extended"),
    "changed": Text("取值改变", "value changed"),
    "entered": Text("开始生效", "enters force"),
    "left": Text("失效", "leaves force"),
    "period_changed": Text("生效期改变", "period changed"),
}
"""Each kind of change's bilingual label."""


# -- the result --------------------------------------------------------------------------


@attrs.frozen
class RuleVersion:
    """One version of a rule as a diff shows it: who defines it, its title, the period it
    governs and its sources."""

    pack: str
    title: Text
    in_force: Period | None
    citations: tuple[Citation, ...]


@attrs.frozen
class ItemChange:
    """An item (a criterion of a decision, an item of a checklist, a step of a procedure,
    a code of a taxonomy) added to, removed from or put in place of another in a rule."""

    change: Literal["added", "removed", "replaced"]
    id: str
    label: Text | None = None
    replaces: str | None = None
    """For ``replaced``: the id of the item it takes the place of."""


@attrs.frozen
class RuleChange:
    """A rule added, removed, replaced or extended (by ``by``)."""

    kind: str
    id: str
    change: RuleChangeKind
    by: str
    """The pack that made the change."""
    before: RuleVersion | None
    after: RuleVersion | None
    items: tuple[ItemChange, ...] = ()
    """For decisions, checklists, procedures and taxonomies: what changed inside."""
    citations: tuple[Citation, ...] = ()
    """Why: the sources the change cites (an extension's own citations)."""


@attrs.frozen
class ForceChange:
    """A rule entering or leaving force, or the version that governs it changing, on
    ``date`` (between two dates); or, between two packs, a period a pack sets differently."""

    kind: str
    id: str
    change: ForceChangeKind
    before: RuleVersion | None
    after: RuleVersion | None
    date: dt.date | None = None
    """The first day of the change (``None`` when two packs are compared)."""


@attrs.frozen
class ValueView:
    """One dated, cited parameter value (``value`` ``None``: no value, a gap)."""

    start: dt.date | None
    end: dt.date | None
    value: Any
    citation: Citation | None


@attrs.frozen
class ParameterChange:
    """A parameter whose values differ, with both sides' values, dates and citations."""

    name: str
    title: Text
    unit: str
    change: ParameterChangeKind
    by: str
    before: tuple[ValueView, ...]
    after: tuple[ValueView, ...]
    date: dt.date | None = None
    """The first day of the change (between two dates)."""


@attrs.frozen
class PackDiff:
    """What ``pack`` changes relative to ``base`` (another pack, or itself on
    ``from_date``)."""

    mode: Literal["packs", "dates"]
    pack: str
    base: str
    from_date: dt.date | None
    to_date: dt.date | None
    rules: tuple[RuleChange, ...]
    parameters: tuple[ParameterChange, ...]
    force: tuple[ForceChange, ...]

    @property
    def empty(self) -> bool:
        """True when nothing changes."""
        return not (self.rules or self.parameters or self.force)

    def title(self, language: Language = "en") -> str:
        """A one-line heading: what is compared with what."""
        if self.mode == "packs":
            return Text(
                f"{self.pack} 相对 {self.base} 的变化", f"What {self.pack} changes from {self.base}"
            )[language]
        return Text(
            f"{self.pack} 在 {self.from_date} 至 {self.to_date} 之间的变化",
            f"What changes in {self.pack} between {self.from_date} and {self.to_date}",
        )[language]


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
    from poverty_core.packs import default_registry

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
    for kind, attr, _ in _KINDS:
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
    )


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
    for kind, attr, _ in _KINDS:
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
        from poverty_core.errors import InputError, Problem

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
    return PackDiff(
        mode="dates",
        pack=pack.name,
        base=pack.name,
        from_date=start,
        to_date=end,
        rules=(),
        parameters=tuple(parameters),
        force=tuple(force),
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


# -- output ------------------------------------------------------------------------------


def _period_json(p: Period) -> dict[str, Any]:
    return {
        "start": p.start.isoformat(),
        "end": p.end.isoformat() if p.end else None,
        "origin": p.origin,
    }


def _citation_json(c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"source": c.source, "locator": c.locator}
    if c.resolved is not None:
        out["title"] = c.resolved.title.to_dict()
    return out


def _any_json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_any_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_unstructure_hook(Period, _period_json)
    conv.register_unstructure_hook(Citation, _citation_json)
    conv.register_unstructure_hook(Text, lambda t: t.to_dict())
    conv.register_unstructure_hook_func(lambda t: t is Any, _any_json)
    return conv


_CONVERTER = _make_converter()


def to_json_data(diff: PackDiff) -> dict[str, Any]:
    """The diff as JSON-compatible data (every text in Chinese and English)."""
    data: dict[str, Any] = _CONVERTER.unstructure(diff)
    data["title"] = {"zh": diff.title("zh"), "en": diff.title("en")}
    for change in data["parameters"]:
        for side in ("before", "after"):
            for v in change[side]:
                v["value"] = _any_json(v["value"])
    return data


def parameter_change_label(change: ParameterChange, mode: str) -> Text:
    """How a parameter change reads: between two dates a value begins or ends (a gap
    after it), between two packs a parameter is added or removed."""
    if mode == "dates" and change.change == "added":
        return Text("开始有取值", "a value begins")
    if mode == "dates" and change.change == "removed":
        return Text("取值结束（此后为缺口）", "the value ends (a gap after it)")
    return CHANGE_LABELS[change.change]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _grid(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, row in enumerate(rows):
        out.append(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        )
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def format_period(p: Period | None, language: Language) -> str:
    """A period as a reader sees it; ``None`` (no period) is "always"."""
    if p is None:
        return "始终" if language == "zh" else "always"
    return p.format(language)


def format_version(v: RuleVersion | None, language: Language) -> str:
    """``pack: period`` of one version, or "—"."""
    if v is None:
        return "—"
    return f"{v.pack}: {format_period(v.in_force, language)}"


def format_citations(citations: Iterable[Citation], language: Language) -> str:
    """The citations, each as its source's title and locator."""
    return "; ".join(dict.fromkeys(c.format(language) for c in citations)) or "—"


def _source_ids(citations: Iterable[Citation]) -> str:
    """The cited sources by id: short enough for a terminal (the titles and places are
    in the JSON and on the pack's docs page)."""
    return ", ".join(dict.fromkeys(c.source for c in citations)) or "—"


def format_value(value: Any, unit: str, language: Language) -> str:
    """A parameter value in one language (``None``: no value, a gap)."""
    from poverty_core.parameters import format_value as plain

    if value is None:
        return "无取值" if language == "zh" else "no value"
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    return plain(value, unit)


def format_values(
    values: Sequence[ValueView], unit: str, language: Language, *, full: bool = True
) -> str:
    """Each value with its dates and citation (the source's title and place; only its id
    unless ``full``), or "no value"."""
    if not values:
        return format_value(None, unit, language)
    parts = []
    for v in values:
        span = Period(v.start, v.end).format(language) if v.start else ""
        where = (v.citation.format(language) if full else v.citation.source) if v.citation else ""
        cited = f" [{where}]" if where else ""
        parts.append(f"{span}: {format_value(v.value, unit, language)}{cited}")
    return "; ".join(parts)


def format_items(items: Sequence[ItemChange], language: Language) -> str:
    """``+roof (完整屋顶)``, ``-x``, ``a→b``: what changed inside a rule."""
    out = []
    for i in items:
        label = f" {i.label[language]}" if i.label is not None else ""
        if i.change == "replaced":
            out.append(f"{i.replaces}→{i.id}{label}")
        else:
            out.append(f"{'+' if i.change == 'added' else '-'}{i.id}{label}")
    return "; ".join(out)


def format_table(diff: PackDiff, language: Language = "en") -> str:
    """The diff as plain-text tables in one language (every word a reader sees in it)."""
    zh = language == "zh"
    lines = [diff.title(language), ""]
    if diff.empty:
        lines.append("无变化。" if zh else "No changes.")
        return "\n".join(lines) + "\n"
    if diff.rules:
        lines.append("规则" if zh else "Rules")
        rows = [
            ["变化", "类别", "编号", "名称", "由", "之前", "之后", "内部变化", "出处"]
            if zh
            else ["change", "kind", "id", "title", "by", "before", "after", "inside", "source"]
        ]
        for c in diff.rules:
            version = c.after or c.before
            rows.append(
                [
                    CHANGE_LABELS[c.change][language],
                    KIND_LABELS[c.kind][language],
                    c.id,
                    version.title[language] if version else c.id,
                    c.by,
                    format_version(c.before, language),
                    format_version(c.after, language),
                    format_items(c.items, language) or "—",
                    _source_ids(c.citations),
                ]
            )
        lines += [*_grid(rows), ""]
    if diff.parameters:
        lines.append("参数" if zh else "Parameters")
        head = ["变化", "参数", "名称", "由", "之前", "之后"]
        head_en = ["change", "parameter", "title", "by", "before", "after"]
        if diff.mode == "dates":
            head, head_en = ["日期", *head], ["date", *head_en]
        rows = [head if zh else head_en]
        for p in diff.parameters:
            row = [
                parameter_change_label(p, diff.mode)[language],
                p.name,
                p.title[language],
                p.by,
                format_values(p.before, p.unit, language, full=False),
                format_values(p.after, p.unit, language, full=False),
            ]
            rows.append([str(p.date), *row] if diff.mode == "dates" else row)
        lines += [*_grid(rows), ""]
    if diff.force:
        lines.append("生效变化" if zh else "Entering or leaving force")
        head = ["变化", "类别", "编号", "名称", "之前", "之后", "出处"]
        head_en = ["change", "kind", "id", "title", "before", "after", "source"]
        if diff.mode == "dates":
            head, head_en = ["日期", *head], ["date", *head_en]
        rows = [head if zh else head_en]
        for f in diff.force:
            version = f.after or f.before
            assert version is not None
            row = [
                CHANGE_LABELS[f.change][language],
                KIND_LABELS[f.kind][language],
                f.id,
                version.title[language],
                format_version(f.before, language),
                format_version(f.after, language),
                _source_ids(version.citations),
            ]
            rows.append([str(f.date), *row] if diff.mode == "dates" else row)
        lines += [*_grid(rows), ""]
    return "\n".join(lines)


# -- the command line ---------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core diff``."""
    parser.add_argument("pack", help="the pack whose changes to show / 要比较的策略包")
    parser.add_argument(
        "base",
        nargs="?",
        help="the pack to compare it with (default: its parent) / 与之比较的策略包（默认：上级包）",
    )
    parser.add_argument(
        "--from",
        dest="from_date",
        type=_date,
        metavar="DATE",
        help="compare the pack with itself: from this date … / 比较同一策略包：自该日 …",
    )
    parser.add_argument(
        "--to", dest="to_date", type=_date, metavar="DATE", help="… to this date / … 至该日"
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


_USAGE_DATES = Text(
    "请同时给出 --from 和 --to，或给出要比较的策略包，不能两者都给",
    "give both --from and --to, or a pack to compare with, not both",
)
_USAGE_ROOT = Text(
    "{pack} 没有上级包：请给出要比较的策略包，或 --from 与 --to",
    "{pack} has no parent: give a pack to compare with, or --from and --to",
)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core diff``: print the diff as a table or JSON; 0, or 2 on bad usage."""
    import sys

    from poverty_core.io import json_text
    from poverty_core.packs import load_pack

    language: Language = args.lang
    dates = (args.from_date, args.to_date)
    pack = load_pack(args.pack)
    if any(d is not None for d in dates):
        if args.base is not None or None in dates:
            print(_USAGE_DATES[language], file=sys.stderr)
            return 2
        diff = diff_dates(pack, args.from_date, args.to_date)
    else:
        base_name = args.base or pack.parent
        if base_name is None:
            print(_USAGE_ROOT[language].format(pack=pack.name), file=sys.stderr)
            return 2
        diff = diff_packs(pack, load_pack(base_name))
    if args.format == "json":
        out.write(json_text(to_json_data(diff), "standard output") + "\n")
    else:
        out.write(format_table(diff, language))
    return 0
