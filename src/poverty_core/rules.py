"""The kinds of rule a pack contributes: criteria, decisions, procedures, taxonomies.

A :class:`Criterion` is one test with an id, a bilingual title, a citation and an
expression (see :mod:`poverty_core.expressions`). A :class:`Decision` combines named
criteria into an outcome (all must pass). A :class:`Procedure` is an ordered list of
steps whose dated completion a record carries; it is decided like a decision with one
criterion per step. A :class:`Taxonomy` is a coded list with Chinese and English labels.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

import attrs

from poverty_core._text import Text
from poverty_core.codes import Code
from poverty_core.expressions import Compare, Expr, Ref, StepDone
from poverty_core.parameters import Citation

__all__ = [
    "Criterion",
    "Decision",
    "Outcome",
    "Procedure",
    "Status",
    "Step",
    "Subject",
    "Taxonomy",
    "TaxonomyItem",
]

Subject = Literal["household", "village", "county"]
SUBJECTS: tuple[Subject, ...] = ("household", "village", "county")


class Status(Code):
    """The status of one finding."""

    PASSED = "passed", "通过", "passed"
    FAILED = "failed", "未通过", "failed"
    UNKNOWN = "unknown", "未知（缺数据）", "unknown (data missing)"


class Outcome(Code):
    """The outcome of a decision."""

    ELIGIBLE = "eligible", "符合", "eligible"
    NOT_ELIGIBLE = "not_eligible", "不符合", "not eligible"
    UNDETERMINED = "undetermined", "无法判定", "undetermined"


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
        seen: dict[Ref, None] = {}
        for expr in (self.test, self.observed, self.required):
            if expr is not None:
                for ref in expr.refs():
                    seen.setdefault(ref, None)
        return list(seen)


@attrs.frozen
class Decision:
    """Named criteria combined into an outcome: eligible when every criterion passes,
    not eligible when one fails, undetermined otherwise (Kleene AND)."""

    id: str
    subject: Subject
    title: Text
    citations: tuple[Citation, ...] = attrs.field(converter=_citations)
    criteria: tuple[str, ...] = attrs.field(converter=tuple)
    description: Text | None = None
    kind: Literal["decision", "checklist", "procedure"] = "decision"
    pack: str = ""
    overrides: str | None = None

    @property
    def citation(self) -> Citation:
        """The first (main) citation."""
        return self.citations[0]


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

    def label(self, code: str) -> Text:
        """The label of ``code``."""
        for item in self.items:
            if item.code == code:
                return item.label
        from poverty_core.errors import UnknownName

        raise UnknownName(Text("代码", "code"), code, [i.code for i in self.items])

    def codes(self) -> list[str]:
        """Every code, in order."""
        return [i.code for i in self.items]


def describe(value: Any) -> str:
    """A short id-and-title form for messages."""
    title = getattr(value, "title", None)
    return f"{value.id} ({title.en})" if isinstance(title, Text) else str(value)
