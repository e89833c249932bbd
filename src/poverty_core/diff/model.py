"""What a pack diff holds (:mod:`poverty_core.diff`): the frozen result classes — a rule,
parameter, force or reference change and the :class:`PackDiff` that lists them — and the
bilingual labels of each kind of item and change."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs

from poverty_core._text import Language, Text
from poverty_core.parameters import Citation, Period

RuleChangeKind = Literal["added", "removed", "replaced", "extended"]
ForceChangeKind = Literal["entered", "left", "replaced", "period_changed"]
ParameterChangeKind = Literal["added", "removed", "changed"]
ReferenceChangeKind = Literal["added", "removed", "changed", "read", "unread"]

KINDS: tuple[tuple[str, str, Text], ...] = (
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
    **{name: label for name, _, label in KINDS},
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
    "declaration_changed": Text("声明改变", "declaration changed"),
    "read": Text("开始读取", "read from this day"),
    "unread": Text("不再读取", "no longer read"),
}
"""Each kind of change's bilingual label."""

DECLARED_LABELS: dict[str, Text] = {
    "kind": Text("类型", "kind"),
    "key": Text("键", "key"),
    "key_form": Text("键的比较方式", "key form"),
    "columns": Text("列", "columns"),
    "title": Text("名称", "title"),
    "description": Text("说明", "description"),
    "citation": Text("出处", "source"),
}
"""Each compared part's bilingual label."""


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
class ReferenceView:
    """A declaration of reference data (:class:`~poverty_core.references.ReferenceSpec`)
    as a diff shows it — never data: a run supplies those."""

    pack: str
    kind: str
    key: str
    key_form: str
    columns: tuple[str, ...]
    title: Text
    description: Text | None
    citation: Citation
    read_by: tuple[str, ...]
    """The criteria (any version) that read it."""


@attrs.frozen
class ReferenceChange:
    """Reference data declared in one pack and not the other, or declared differently
    (``differs``: the parts of the declaration that differ); between two dates, read by
    the rules in force from ``date`` on (``read``) or no longer (``unread``)."""

    id: str
    change: ReferenceChangeKind
    by: str
    before: ReferenceView | None
    after: ReferenceView | None
    differs: tuple[str, ...] = ()
    date: dt.date | None = None


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
    references: tuple[ReferenceChange, ...] = ()
    """Reference data declared or read differently."""

    @property
    def empty(self) -> bool:
        """True when nothing changes."""
        return not (self.rules or self.parameters or self.force or self.references)

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
