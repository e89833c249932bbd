"""The kinds of rule a pack contributes: criteria, decisions, procedures, taxonomies.

A :class:`Criterion` is one test with an id, a bilingual title, a citation and an
expression (see :mod:`poverty_core.expressions`). A :class:`Decision` combines named
criteria into an outcome (all must pass). A :class:`Procedure` is an ordered list of
steps whose dated completion a record carries; it is decided like a decision with one
criterion per step. A :class:`Taxonomy` is a coded list with Chinese and English labels.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import attrs

from poverty_core._text import Text
from poverty_core.codes import Code
from poverty_core.errors import UnknownName
from poverty_core.expressions import ChecklistItem, Compare, Expr, Ref, StepDone
from poverty_core.parameters import Citation, Period

__all__ = [
    "Criterion",
    "Decision",
    "DecisionExtension",
    "Outcome",
    "Procedure",
    "Status",
    "Step",
    "Subject",
    "Taxonomy",
    "TaxonomyItem",
    "in_force_on",
    "versions_of",
]

Subject = Literal["household", "village", "county"]
SUBJECTS: tuple[Subject, ...] = ("household", "village", "county")


class Status(Code):
    """The status of one finding."""

    PASSED = "passed", "通过", "passed"
    FAILED = "failed", "未通过", "failed"
    UNKNOWN = "unknown", "未知（缺数据）", "unknown (data missing)"
    NOT_IN_FORCE = "not_in_force", "未生效（不适用）", "not in force (does not apply)"


class Outcome(Code):
    """The outcome of a decision."""

    ELIGIBLE = "eligible", "符合", "eligible"
    NOT_ELIGIBLE = "not_eligible", "不符合", "not eligible"
    UNDETERMINED = "undetermined", "无法判定", "undetermined"


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _citations(value: Citation | Sequence[Citation]) -> tuple[Citation, ...]:
    return (value,) if isinstance(value, Citation) else tuple(value)


@attrs.frozen
class Criterion:
    """One test of a record, with its source.

    ``observed`` and ``required`` say what a finding reports; for a comparison test
    they default to its two sides (``income > poverty_line`` reports the income and
    the line).
    """

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    test: Expr
    observed: Expr | None = None
    required: Expr | None = None
    description: Text | None = None
    interpretation: bool = False
    """True when the test is the pack's reading of a stated goal (see the pack docs)."""
    op: str | None = None
    """The operator shown between observed and required when they are given explicitly."""
    pack: str = ""
    """The pack the criterion comes from (filled in when packs are assembled)."""
    overrides: str | None = None
    """The ancestor pack whose criterion of the same id this one replaces."""
    template: tuple[Text, Text | None] | None = attrs.field(default=None, eq=False, repr=False)
    """The title and description as written, with ``{parameter}`` placeholders; the pack
    renders them from its parameters when it is assembled (see
    :func:`poverty_core.packs.render_texts`)."""
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Criterion | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]

    def observed_expr(self) -> Expr | None:
        """What a finding reports as observed."""
        if self.observed is not None:
            return self.observed
        if isinstance(self.test, Compare):
            return self.test.left
        return None

    def required_expr(self) -> Expr | None:
        """What a finding reports as required."""
        if self.required is not None:
            return self.required
        if isinstance(self.test, Compare):
            return self.test.right
        return None

    def comparison(self) -> str | None:
        """The operator between observed and required (``>``), if the test is a comparison."""
        if self.required is None and isinstance(self.test, Compare):
            return self.test.op
        return self.op

    def refs(self) -> list[Ref]:
        """Everything the criterion reads, in first-seen order, without repeats."""
        return list(self._refs)

    @functools.cached_property
    def _refs(self) -> tuple[Ref, ...]:
        seen: dict[Ref, None] = {}
        for expr in (self.test, self.observed, self.required):
            if expr is not None:
                for ref in expr.refs():
                    seen.setdefault(ref, None)
        return tuple(seen)


@attrs.frozen
class Decision:
    """Named criteria combined into an outcome: eligible when every criterion passes,
    not eligible when one fails, undetermined otherwise (Kleene AND)."""

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    criteria: tuple[str, ...] = attrs.field(converter=_strings)
    description: Text | None = None
    kind: Literal["decision", "checklist", "procedure"] = "decision"
    pack: str = ""
    overrides: str | None = None
    template: tuple[Text, Text | None] | None = attrs.field(default=None, eq=False, repr=False)
    """The title and description as written, with ``{parameter}`` placeholders; the pack
    renders them from its parameters when it is assembled (see
    :func:`poverty_core.packs.render_texts`)."""
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Decision | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]


@attrs.frozen
class DecisionExtension:
    """Extends a decision the pack inherits without restating it: criteria added,
    removed or replaced by id. The parent's list is read when the pack is assembled, so a
    criterion the parent gains later reaches the child too.

    The extended decision keeps the parent's title, sources and period unless given;
    ``citations`` say why the pack extends it (a source is required, like any rule).
    """

    id: str
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    add: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    remove: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    replace: dict[str, str] = attrs.field(factory=dict, converter=dict)
    """Inherited criterion id → the id of the criterion that takes its place."""
    title: Text | None = None
    description: Text | None = None
    in_force: Period | None = None
    pack: str = ""

    def apply(self, criteria: Sequence[str]) -> tuple[list[str], list[str]]:
        """The extended list of criterion ids, and the problems (ids that are not there to
        remove or replace, or are there already to add)."""
        problems = [
            f"cannot {verb} {cid!r}: not a criterion of {self.id}"
            for verb, ids in (("remove", self.remove), ("replace", tuple(self.replace)))
            for cid in ids
            if cid not in criteria
        ]
        out = [self.replace.get(c, c) for c in criteria if c not in self.remove]
        for cid in self.add:
            if cid in out:
                problems.append(f"cannot add {cid!r}: {self.id} has it already")
            else:
                out.append(cid)
        return out, problems


@attrs.frozen
class Step:
    """One step of a procedure."""

    id: str
    label: Text


@attrs.frozen
class Procedure:
    """An ordered list of steps; complete on a date when every step is dated on or
    before it and no step precedes the one before it."""

    id: str
    subject: Subject
    title: Text
    citation: Citation
    steps: tuple[Step, ...]
    pack: str = ""
    overrides: str | None = None
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Procedure | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""
    file: str = attrs.field(default="", eq=False)
    """The data file it was read from (for messages)."""

    def step_criteria(self) -> Iterator[Criterion]:
        """One criterion per step (ids ``<procedure>.<step>``)."""
        previous: str | None = None
        for step in self.steps:
            yield Criterion(
                id=f"{self.id}.{step.id}",
                subject=self.subject,
                title=step.label,
                citations=self.citation,
                test=StepDone(self.id, step.id, previous, step.label),
                pack=self.pack,
                in_force=self.in_force,
            )
            previous = step.id

    def as_decision(self) -> Decision:
        """The procedure as a decision over its steps."""
        return Decision(
            id=self.id if self.id.endswith("procedure") else f"{self.id}_procedure",
            subject=self.subject,
            title=self.title,
            citations=self.citation,
            criteria=[f"{self.id}.{s.id}" for s in self.steps],
            kind="procedure",
            pack=self.pack,
            in_force=self.in_force,
        )


@attrs.frozen
class TaxonomyItem:
    """One code of a taxonomy."""

    code: str
    label: Text


@attrs.frozen
class Taxonomy:
    """A coded list with bilingual labels (causes, pathways, the six precisions …)."""

    id: str
    title: Text
    citation: Citation
    items: tuple[TaxonomyItem, ...]
    code_list: str | None = None
    """When set, the items are the model's code list of this name."""
    description: Text | None = None
    pack: str = ""
    overrides: str | None = None
    file: str = attrs.field(default="", eq=False)
    """The data file it was read from (for messages)."""

    def label(self, code: str) -> Text:
        """The label of ``code``."""
        for item in self.items:
            if item.code == code:
                return item.label
        raise UnknownName(Text("代码", "code"), code, [i.code for i in self.items])

    def codes(self) -> list[str]:
        """Every code, in order."""
        return [i.code for i in self.items]


@attrs.frozen
class ChecklistEntry:
    """One item of a checklist."""

    id: str
    label: Text


@attrs.frozen
class Checklist:
    """A completeness checklist (五清, 六有, 八有 …): a record passes when every item is
    ticked. Records carry ``checklists: {<id>: {<item>: true/false}}``; an item not
    recorded is unknown."""

    id: str
    subject: Subject
    title: Text
    citation: Citation
    items: tuple[ChecklistEntry, ...]
    description: Text | None = None
    interpretation: bool = False
    pack: str = ""
    overrides: str | None = None
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Checklist | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""
    file: str = attrs.field(default="", eq=False)
    """The data file it was read from (for messages)."""

    def item_criteria(self) -> Iterator[Criterion]:
        """One criterion per item (ids ``<checklist>.<item>``)."""
        for item in self.items:
            yield Criterion(
                id=f"{self.id}.{item.id}",
                subject=self.subject,
                title=item.label,
                citations=self.citation,
                test=ChecklistItem(self.id, item.id, item.label),
                description=self.description,
                interpretation=self.interpretation,
                pack=self.pack,
                in_force=self.in_force,
            )

    def as_decision(self) -> Decision:
        """The checklist as a decision over its items (id: the checklist's id)."""
        return Decision(
            id=self.id,
            subject=self.subject,
            title=self.title,
            citations=self.citation,
            criteria=[f"{self.id}.{i.id}" for i in self.items],
            description=self.description,
            kind="checklist",
            pack=self.pack,
            in_force=self.in_force,
        )


@attrs.frozen
class ClassRule:
    """One class of a classifier and the test that puts a record in it."""

    code: str
    label: Text
    test: Expr
    description: Text | None = None


def _class_rules(value: Iterable[ClassRule]) -> tuple[ClassRule, ...]:
    return tuple(value)


@attrs.frozen
class Classifier:
    """Puts a record in exactly one class: the first whose test passes, in order.

    If an earlier class's test is unknown the class is undetermined (the record might
    belong there); if no test passes, ``otherwise`` (when given) is the class.
    """

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    classes: tuple[ClassRule, ...] = attrs.field(converter=_class_rules)
    otherwise: TaxonomyItem | None = None
    description: Text | None = None
    interpretation: bool = False
    pack: str = ""
    overrides: str | None = None
    template: tuple[Text, Text | None] | None = attrs.field(default=None, eq=False, repr=False)
    """The title and description as written, with ``{parameter}`` placeholders; the pack
    renders them from its parameters when it is assembled (see
    :func:`poverty_core.packs.render_texts`)."""
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Classifier | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]

    def class_criteria(self) -> list[Criterion]:
        """Each class test as a criterion (ids ``<classifier>.<code>``)."""
        return [
            Criterion(
                id=f"{self.id}.{c.code}",
                subject=self.subject,
                title=c.label,
                citations=self.citations,
                test=c.test,
                description=c.description,
                interpretation=self.interpretation,
                pack=self.pack,
                in_force=self.in_force,
            )
            for c in self.classes
        ]

    def codes(self) -> list[str]:
        """Every class code, ``otherwise`` last."""
        return [c.code for c in self.classes] + ([self.otherwise.code] if self.otherwise else [])

    def label(self, code: str) -> Text:
        """The label of a class code."""
        for c in self.classes:
            if c.code == code:
                return c.label
        if self.otherwise is not None and self.otherwise.code == code:
            return self.otherwise.label
        raise KeyError(code)


@attrs.frozen
class EntitlementLine:
    """One line of an entitlement: who gets how much, under which condition.

    With ``per="member"`` the condition reads member fields (``member("schooling_stage")``)
    and the line is paid once per member meeting it; with ``per="household"`` once per
    household.
    """

    id: str
    title: Text
    citation: Citation
    condition: Expr
    amount: Expr
    per: Literal["member", "household"] = "member"
    kind: Literal["grant", "loan", "waiver", "subsidy"] = "grant"
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""


def _lines(value: Iterable[EntitlementLine]) -> tuple[EntitlementLine, ...]:
    return tuple(value)


@attrs.frozen
class Entitlement:
    """An amount calculator: lines of support, each with its condition, amount and source.

    The total counts only lines of ``kind`` in ``total_kinds`` (loans are listed, not
    added to grants, by default).
    """

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    lines: tuple[EntitlementLine, ...] = attrs.field(converter=_lines)
    eligibility: Expr | None = None
    """A household-level condition for any line (e.g. a registered poor household)."""
    total_kinds: tuple[str, ...] = ("grant", "subsidy", "waiver")
    description: Text | None = None
    pack: str = ""
    overrides: str | None = None
    template: tuple[Text, Text | None] | None = attrs.field(default=None, eq=False, repr=False)
    """The title and description as written, with ``{parameter}`` placeholders; the pack
    renders them from its parameters when it is assembled (see
    :func:`poverty_core.packs.render_texts`)."""
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Entitlement | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]


@attrs.frozen
class Indicator:
    """An aggregate over records, per group (village, county …).

    * ``share``: records (or people) meeting ``condition`` ÷ all records (or people);
    * ``count``: records (or people) meeting ``condition``;
    * ``sum``: the sum of ``value``;
    * ``breakdown``: the share of each code of ``value`` (a code field), e.g. causes;
    * ``ratio``: the sum of ``value`` ÷ the sum of ``denominator`` (e.g. disabled people
      receiving rehabilitation ÷ disabled people).

    ``weight="people"`` weighs each household by its members. A ``target`` (an
    operator and a parameter) marks each group as meeting it or not.
    """

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    kind: Literal["share", "count", "sum", "breakdown", "ratio"]
    condition: Expr | None = None
    value: Expr | None = None
    denominator: Expr | None = None
    weight: Literal["records", "people"] = "records"
    target: tuple[str, Expr] | None = None
    where: Expr | None = None
    """Only records meeting this condition count (e.g. poor villages); a record whose
    condition is unknown is counted as unknown."""
    description: Text | None = None
    interpretation: bool = False
    pack: str = ""
    overrides: str | None = None
    template: tuple[Text, Text | None] | None = attrs.field(default=None, eq=False, repr=False)
    """The title and description as written, with ``{parameter}`` placeholders; the pack
    renders them from its parameters when it is assembled (see
    :func:`poverty_core.packs.render_texts`)."""
    in_force: Period | None = None
    """The dates it governs; filled in when the pack is assembled (from its first
    source's ``governs`` unless given). Outside them it does not apply."""
    supersedes: Indicator | None = attrs.field(default=None, eq=False, repr=False)
    """The inherited version this one overrides; it still governs outside this one's
    period."""

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]

    def expressions(self) -> list[Expr]:
        """Every expression the indicator evaluates."""
        exprs = (self.condition, self.value, self.denominator, self.where)
        out = [e for e in exprs if e is not None]
        if self.target is not None:
            out.append(self.target[1])
        return out


def in_force_on(item: Any, on: dt.date) -> Any:
    """The version of a rule (or an inherited version it overrides) that governs on
    ``on``, or ``None`` when no version does.

    An override governs in its own period; outside it the version it supersedes still
    does (e.g. Fujian's housing test from 2018-10-24, the national one before).
    """
    while item is not None:
        period: Period | None = item.in_force
        if period is None or period.covers(on):
            return item
        item = getattr(item, "supersedes", None)
    return None


def versions_of(item: Any) -> list[Any]:
    """A rule and every inherited version it overrides, newest first."""
    out = []
    while item is not None:
        out.append(item)
        item = getattr(item, "supersedes", None)
    return out
