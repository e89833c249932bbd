"""Combining criteria's statuses into outcomes, written once over status columns and
used by both paths (one record goes through them as columns of length one).

The Kleene outcome of a decision is one scalar rule over which statuses occur
(:func:`outcome_of`), which batches apply as a table (:func:`decision_outcomes`); the
first matching class of a classifier (:func:`first_classes`) and the totals of an
entitlement (:func:`entitlement_totals`) are written over status columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from poverty_core.findings import Finding
from poverty_core.frame import Vec
from poverty_core.rules import (
    Outcome,
    Status,
)

__all__ = [
    "STATUS_CODES",
    "LineColumns",
    "decision_outcomes",
    "entitlement_totals",
    "first_classes",
    "outcome_of",
]


STATUS_CODES = (Status.FAILED, Status.PASSED, Status.UNKNOWN, Status.NOT_IN_FORCE)
"""A status's code in batch columns is its position here: 0 failed, 1 passed, 2 unknown,
3 not in force."""

_STATUS_CODE = {status: np.int8(i) for i, status in enumerate(STATUS_CODES)}

_STATUS_BIT = {status: 1 << i for i, status in enumerate(STATUS_CODES)}

_OUTCOME_CODES = (Outcome.NOT_ELIGIBLE, Outcome.ELIGIBLE, Outcome.UNDETERMINED)

Statuses = npt.NDArray[np.int8]


def _status_matrix(statuses: Sequence[Status]) -> Statuses:
    """One record's statuses as a (criteria × 1) matrix of codes."""
    codes = np.fromiter((_STATUS_CODE[s] for s in statuses), dtype=np.int8, count=len(statuses))
    return codes.reshape(len(statuses), 1)


def outcome_of(seen: int) -> int:
    """The outcome code of a decision (0 not eligible, 1 eligible, 2 undetermined) from
    which statuses occur among its criteria — ``seen`` has bit ``1 << code`` set for each
    status code that occurs (0 failed, 1 passed, 2 unknown, 3 not in force): Kleene AND
    over the criteria in force. One failed criterion decides; an unknown one leaves it
    open; a criterion not in force does not count.

    >>> outcome_of(0b0010), outcome_of(0b0110), outcome_of(0b0111), outcome_of(0b1010)
    (1, 2, 0, 1)
    """
    if seen & 0b0001:
        return 0
    if seen & 0b0100:
        return 2
    return 1


_ONE = np.int8(1)

_OUTCOME_OF_SEEN = np.array([outcome_of(seen) for seen in range(16)], dtype=np.int8)


def decision_outcomes(status: Statuses) -> npt.NDArray[np.int8]:
    """:func:`outcome_of` for each record of a (criteria × records) matrix of status
    codes, applied as a table over the sixteen sets of statuses that can occur.

    >>> decision_outcomes(np.array([[1, 1, 3], [1, 2, 0], [3, 1, 2]], dtype=np.int8))
    array([1, 2, 0], dtype=int8)
    """
    seen = np.bitwise_or.reduce(np.left_shift(_ONE, status), axis=0)
    return _OUTCOME_OF_SEEN[seen]


def _seen(statuses: Iterable[Status]) -> int:
    """Which statuses one record's findings have, as :func:`outcome_of` reads them."""
    seen = 0
    for status in statuses:
        seen |= _STATUS_BIT[status]
    return seen


def first_classes(status: Statuses) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each record, from a (classes × records) matrix of the class tests' status
    codes: the index of its class — the first test that passes; ``-2`` undetermined when
    an earlier test is unknown; ``-1`` when no test passes (the ``otherwise`` class) —
    and how many tests decided it (a failed test, or one not in force, is passed over).

    >>> first_classes(np.array([[0, 2, 0], [1, 1, 3]], dtype=np.int8))
    (array([ 1, -2, -1]), array([2, 1, 2]))
    """
    k, n = status.shape
    if k == 0:
        return np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    decisive = (status == 1) | (status == 2)
    found = decisive.any(axis=0)
    first = decisive.argmax(axis=0).astype(np.int64)
    passed = status[first, np.arange(n)] == 1
    chosen = np.where(found, np.where(passed, first, -2), -1).astype(np.int64)
    return chosen, np.where(found, first + 1, k).astype(np.int64)


@attrs.frozen
class LineColumns:
    """One entitlement line over the targets it may pay (members, or the records)."""

    counted: bool
    """The line's kind is one the total counts."""
    owner: npt.NDArray[np.int64]
    """The record each target belongs to."""
    status: Statuses
    """The line's condition per target (0 not met, 1 met, 2 unknown)."""
    amount: Vec
    """The amount per target (known where it can be told)."""


def entitlement_totals(
    eligibility: Statuses, lines: Sequence[LineColumns]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Per record, from its eligibility code and the lines' columns: the sum of the
    counted lines known to be paid, and whether the total is undecided — the
    eligibility is unknown, or a counted line may be due but is not known to be paid
    (its condition unknown, or its amount)."""
    n = len(eligibility)
    e_true, e_false = eligibility == 1, eligibility == 0
    known_total = np.zeros(n, dtype=np.float64)
    undecided = eligibility == 2
    for line in lines:
        if not line.counted:
            continue
        m = len(line.owner)
        a_known = np.broadcast_to(line.amount.known, (m,))
        a_values = np.broadcast_to(line.amount.values, (m,)).astype(np.float64)
        not_due = (line.status == 0) | e_false[line.owner]
        paid = (line.status == 1) & e_true[line.owner] & a_known
        unsure = ~not_due & ~paid
        known_total += np.bincount(line.owner, weights=np.where(paid, a_values, 0.0), minlength=n)
        undecided |= np.bincount(line.owner, weights=unsure, minlength=n) > 0
    return known_total, undecided


def _missing_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The missing inputs of findings, without repeats, in order."""
    missing: dict[str, None] = {}
    for f in findings:
        for m in f.missing:
            missing.setdefault(m, None)
    return tuple(missing)


def _status(value: Any) -> Status:
    if value is None:
        return Status.UNKNOWN
    return Status.PASSED if value else Status.FAILED
