"""Entitlements: what one household is due (:func:`entitle`, an
:class:`EntitlementResult` of :class:`Award` lines) and the totals of a batch
(:func:`entitle_batch`, an :class:`EntitlementBatch`), both summed by
:func:`~poverty_core.combining.entitlement_totals`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from poverty_core._text import Language, Text
from poverty_core.combining import LineColumns, _status, _status_matrix, entitlement_totals
from poverty_core.evaluation import (
    PackLike,
    _check_subject,
    _frame_of,
    _params,
    _provenance,
    _references,
    _status_column,
    check_in_force,
)
from poverty_core.expressions import Many, One
from poverty_core.findings import Provenance
from poverty_core.frame import Frame, Vec
from poverty_core.parameters import Citation, format_value
from poverty_core.references import ReferenceData
from poverty_core.rules import (
    Entitlement,
    Status,
    in_force_on,
)

__all__ = ["Award", "EntitlementBatch", "EntitlementResult", "entitle", "entitle_batch"]


@attrs.frozen
class Award:
    """One line of an entitlement applied to one member (or the household)."""

    line_id: str
    title: Text
    citation: Citation
    kind: str
    member_id: str | None
    status: Status
    """``passed`` when paid, ``unknown`` when it cannot be told."""
    amount: float | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "line": self.line_id,
            "title": self.title.to_dict(),
            "citation": self.citation.to_dict(),
            "kind": self.kind,
            "member": self.member_id,
            "status": self.status.value,
            "amount": self.amount,
        }


@attrs.frozen
class EntitlementResult:
    """What a household is due: the awards, the total, and what could not be decided."""

    entitlement: Entitlement
    subject_id: str
    awards: tuple[Award, ...]
    """Lines that are paid (passed) or undecided (unknown); lines not due are left out."""
    total: float | None
    """Sum of the paid lines of the counted kinds; ``None`` when a line is undecided."""
    known_total: float
    """Sum of the lines known to be paid (a lower bound when ``total`` is ``None``)."""
    missing: tuple[str, ...]
    provenance: Provenance

    def explain(self, language: Language = "en") -> str:
        """A readable account, one line per award with its source."""
        total = "—" if self.total is None else format_value(self.total, "yuan")
        lines = [f"{self.subject_id}: {self.entitlement.title[language]} = {total}"]
        for a in self.awards:
            who = f" [{a.member_id}]" if a.member_id else ""
            amount = "?" if a.amount is None else format_value(a.amount, "yuan")
            lines.append(
                f"  {a.title[language]}{who}: {amount} ({a.kind}, {a.status.label[language]})"
            )
            lines.append(f"      ← {a.citation.format(language)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.subject_id,
            "entitlement": self.entitlement.id,
            "total": self.total,
            "known_total": self.known_total,
            "awards": [a.to_dict() for a in self.awards],
            "missing": list(self.missing),
            "provenance": self.provenance.to_dict(),
        }


def entitle(
    pack: PackLike,
    entitlement: Entitlement,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> EntitlementResult:
    """Compute what one household is due under ``entitlement``; a line not in force on
    ``as_of`` is not due."""
    entitlement = check_in_force(pack, Text("补助项目", "entitlement"), entitlement, as_of)
    _check_subject(entitlement.subject, entitlement.id, record)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    scope = One(record, as_of, params)
    eligible = True if entitlement.eligibility is None else entitlement.eligibility.one(scope)
    awards: list[Award] = []
    columns: list[LineColumns] = []
    missing: dict[str, None] = {}
    if entitlement.eligibility is not None and eligible is None:
        for ref in entitlement.eligibility.blame_one(scope):
            missing.setdefault(ref.label(), None)
    for line in entitlement.lines:
        if in_force_on(line, as_of) is None:
            continue
        targets = record.members if line.per == "member" else [None]
        dues: list[Any] = []
        amounts: list[Any] = []
        for person in targets:
            inner = One(record, as_of, params, person)
            due = line.condition.one(inner)
            dues.append(due)
            relevant = eligible is not False and due is not False
            amounts.append(line.amount.one(inner) if relevant else None)
            if eligible is False or due is False:
                continue
            status = Status.PASSED if (due and eligible) else Status.UNKNOWN
            amount = amounts[-1]
            blamed = line.condition.blame_one(inner) if due is None else []
            if amount is None:
                blamed += line.amount.blame_one(inner)
            for ref in blamed:
                missing.setdefault(ref.label(), None)
            awards.append(
                Award(
                    line.id,
                    line.title,
                    line.citation,
                    line.kind,
                    person.id if person is not None else None,
                    status,
                    None if amount is None else float(amount),
                )
            )
        columns.append(_line_columns(line.kind in entitlement.total_kinds, dues, amounts))
    known_total, undecided = entitlement_totals(_status_matrix([_status(eligible)])[0], columns)
    provenance = _provenance(pack, as_of, checked, refs)
    total = float(known_total[0])
    return EntitlementResult(
        entitlement,
        record.id,
        tuple(awards),
        None if undecided[0] else total,
        total,
        tuple(missing),
        provenance,
    )


def _line_columns(counted: bool, dues: Sequence[Any], amounts: Sequence[Any]) -> LineColumns:
    """One record's line (its targets' conditions and amounts) as columns."""
    m = len(dues)
    status = _status_matrix([_status(d) for d in dues]).reshape(m)
    known = np.fromiter((a is not None for a in amounts), dtype=np.bool_, count=m)
    values = np.fromiter((0.0 if a is None else a for a in amounts), dtype=np.float64, count=m)
    return LineColumns(counted, np.zeros(m, dtype=np.int64), status, Vec(values, known))


@attrs.define
class EntitlementBatch:
    """Totals of an entitlement over many households."""

    entitlement: Entitlement
    ids: npt.NDArray[Any]
    total: Vec
    """The total of each household (known where no counted line is undecided)."""
    known_total: npt.NDArray[np.float64]
    provenance: Provenance

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def totals(self) -> list[float | None]:
        """Each household's total (``None`` when undecided)."""
        return [
            float(v) if k else None
            for v, k in zip(self.total.values, self.total.known, strict=True)
        ]


def entitle_batch(
    pack: PackLike,
    entitlement: Entitlement,
    records: Frame | Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, ReferenceData] | None = None,
) -> EntitlementBatch:
    """Totals of ``entitlement`` over many households, vectorised."""
    entitlement = check_in_force(pack, Text("补助项目", "entitlement"), entitlement, as_of)
    frame = _frame_of(records, entitlement.subject, entitlement.id, pack)
    checked = pack.check_overrides(overrides or {})
    refs = _references(pack, references)
    params = _params(pack, as_of, checked, refs)
    scope = Many(frame, as_of, params)
    n = frame.n
    if entitlement.eligibility is not None:
        eligibility = _status_column(entitlement.eligibility.many(scope), n)
    else:
        eligibility = np.ones(n, dtype=np.int8)
    columns: list[LineColumns] = []
    for line in entitlement.lines:
        if in_force_on(line, as_of) is None:
            continue
        if line.per == "member":
            assert frame.members is not None
            assert frame.members.owner is not None
            inner = Many(frame, as_of, params, on_members=True)
            owner = frame.members.owner
            m = frame.members.n
        else:
            inner, owner, m = scope, np.arange(n), n
        status = _status_column(line.condition.many(inner), m)
        amount = line.amount.many(inner)
        counted = line.kind in entitlement.total_kinds
        columns.append(LineColumns(counted, owner, status, amount))
    known_total, undecided = entitlement_totals(eligibility, columns)
    provenance = _provenance(pack, as_of, checked, refs)
    total = Vec(np.where(undecided, 0.0, known_total), ~undecided)
    return EntitlementBatch(entitlement, frame.column("id").values, total, known_total, provenance)
