"""What an evaluation of one record gives back: a :class:`Finding` per criterion, the
:class:`DecisionResult` that holds them, the :class:`ParameterUse` of each parameter a
finding read, and the :class:`Provenance` of the run (pack, date, overrides)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from poverty_core._text import Language
from poverty_core.codes import Code
from poverty_core.parameters import Citation, Period, format_period, format_value
from poverty_core.rules import (
    Criterion,
    Decision,
    Outcome,
    Status,
    versions_of,
)

__all__ = ["DecisionResult", "Finding", "ParameterUse", "Provenance"]


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


@attrs.frozen(slots=False)  # a dict class: built about twice as fast (a decision makes several)
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
    """The fields and parameters that were missing (for an unknown finding)."""
    parameters: tuple[ParameterUse, ...] = ()

    @property
    def passed(self) -> bool:
        """True when the criterion passed."""
        return self.status is Status.PASSED

    def explain(self, language: Language = "en") -> str:
        """One line: status, title, observed against required, missing fields."""
        unit = _unit_of(self)
        line = f"[{self.status.label[language]}] {self.rule.title[language]}"
        if self.status is Status.NOT_IN_FORCE:
            period = _periods_text([self.rule], language)
            return line + (
                f"（生效期：{period}）" if language == "zh" else f" (in force: {period})"
            )
        if self.comparison is not None:
            shown = format_value(self.observed, unit if self.comparison != "=" else "")
            op = _OP_SHOW.get(self.comparison, self.comparison)
            needed = f"{op} {format_value(self.required, unit)}"
            line += (
                f"：{shown}（要求 {needed}）"
                if language == "zh"
                else f": {shown} (required {needed})"
            )
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
            "in_force": self.rule.in_force.to_dict() if self.rule.in_force else None,
        }


_OP_SHOW = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def _periods_text(items: Iterable[Any], language: Language = "en") -> str:
    """The periods of rules and the versions they override, without repeats, each as
    every other place shows a period (:func:`poverty_core.parameters.format_period`)."""
    seen: dict[str, None] = {}
    for item in items:
        for version in versions_of(item):
            seen.setdefault(format_period(version.in_force, language), None)
    return ("；" if language == "zh" else "; ").join(seen)


def _unit_of(finding: Finding) -> str:
    return next((p.unit for p in finding.parameters if p.unit != "none"), "")


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
    periods: dict[str, Period] = attrs.Factory(dict)
    """Periods of rules the caller set for this run (:meth:`Pack.with_periods`)."""
    references: dict[str, dict[str, Any]] = attrs.Factory(dict)
    """Reference data supplied for the run: name → kind, row count and SHA-256 of the
    content (:meth:`~poverty_core.references.ReferenceData.summary`), never the data."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "pack": self.pack,
            "chain": list(self.chain),
            "versions": dict(self.versions),
            "as_of": self.as_of.isoformat(),
            "overrides": {k: _jsonable(v) for k, v in self.overrides.items()},
            "periods": {k: p.to_dict() for k, p in self.periods.items()},
            "references": {k: dict(v) for k, v in self.references.items()},
        }


@attrs.frozen
class DecisionResult:
    """The outcome of a decision on one record, with one finding per criterion."""

    decision: Decision
    subject_id: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    """Every missing field and parameter that left the decision undetermined."""
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
        head = (
            f"{self.subject_id}: {self.decision.title[language]} → {self.outcome.label[language]}"
        )
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
