"""A household's register state on a date, from its status history up to the date or
else its recorded status, and the one combination of state, exit and identification
findings into a transition — vectorised over a register (numpy arrays of codes), so
one household and a million are decided by the same function. Histories come from
records or from an Arrow ``history`` column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.codes import HouseholdStatus
from poverty_core.dynamic.model import (
    EVENT_BY_CODE,
    EVENT_CODES,
    EVENT_STATE,
    EXITED,
    KINDS,
    NOT_REGISTERED,
    REASON_CODES,
    REASONS,
    REGISTERED,
    REMOVED,
    STATUS_STATE,
    UNKNOWN,
    TransitionKind,
)
from poverty_core.errors import InputError, Problem
from poverty_core.model import Household

# -- the one combination -------------------------------------------------------------------


Ints = npt.NDArray[np.int64]


def states(
    offsets: Ints,
    event_kinds: Ints,
    event_dates: Ints,
    status: Ints,
    as_of: dt.date,
) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
    """Each household's state on ``as_of`` from its events (flattened: ``offsets`` per
    household, kinds as :class:`StatusEventKind` positions, dates as day numbers) and its
    status (a state code, ``UNKNOWN`` when none); the day of the event that set it (-1:
    none); and whether the status contradicts the history.

    The last event on or before the date sets the state (the latest date; in file order
    on the same day). A household whose events all come after the date was not yet
    registered. The status says the state after the last event: when the last event is
    on or before the date and the two differ, the record contradicts itself.
    """
    n = len(offsets) - 1
    owner = np.repeat(np.arange(n), np.diff(offsets))
    day = as_of.toordinal()
    state = status.copy()
    since = np.full(n, -1, np.int64)
    has_events = np.diff(offsets) > 0
    before = np.flatnonzero(event_dates <= day)
    if len(before):
        order = np.lexsort((before, event_dates[before], owner[before]))
        picked = before[order]
        last = np.r_[owner[picked][1:] != owner[picked][:-1], True]
        rows, events = owner[picked][last], picked[last]
        event_state = np.array([EVENT_STATE[k] for k in EVENT_BY_CODE], np.int64)[
            event_kinds[events]
        ]
        state[rows] = event_state
        since[rows] = event_dates[events]
    some_before = np.zeros(n, np.bool_)
    if len(before):
        some_before[np.unique(owner[before])] = True
    state[has_events & ~some_before] = NOT_REGISTERED
    # the status describes the register after its last event
    latest = np.full(n, -1, np.int64)
    if len(event_dates):
        np.maximum.at(latest, owner, event_dates)
    conflict = has_events & (latest <= day) & (status != UNKNOWN) & (state != status)
    return state, since, conflict


def combine(
    state: Ints,
    conflict: npt.NDArray[np.bool_],
    exit_outcome: Ints,
    identification: Ints,
    flagged: npt.NDArray[np.bool_],
) -> tuple[Ints, Ints]:
    """The transition and the reason of each household, from its state, the exit and
    identification outcomes (0 not eligible, 1 eligible, 2 undetermined; identification
    -1 when the pack has no identification decision) and the caller's removal flags."""
    r = REASON_CODES
    reg, out = state == REGISTERED, state == EXITED
    conditions = [
        conflict,
        state == UNKNOWN,
        reg & flagged,
        reg & (identification == 0),
        reg & (identification == 2),
        reg & (exit_outcome == 1),
        reg & (exit_outcome == 2),
        reg & (exit_outcome == 0),
        out & (exit_outcome == 0),
        out & (exit_outcome == 1),
        out & (exit_outcome == 2),
        state == REMOVED,
        state == NOT_REGISTERED,
    ]
    reasons = [
        "status_conflicts_with_history",
        "state_unknown",
        "flagged_for_removal",
        "identification_failed",
        "identification_undetermined",
        "meets_exit",
        "exit_undetermined",
        "still_poor",
        "returned",
        "still_out",
        "exited_undetermined",
        "removed_earlier",
        "not_registered",
    ]
    reason = np.select(conditions, [r[x] for x in reasons], default=r["state_unknown"])
    kind_of = {
        "status_conflicts_with_history": TransitionKind.UNDETERMINED,
        "state_unknown": TransitionKind.UNDETERMINED,
        "flagged_for_removal": TransitionKind.REMOVAL,
        "identification_failed": TransitionKind.REMOVAL,
        "identification_undetermined": TransitionKind.UNDETERMINED,
        "meets_exit": TransitionKind.EXIT,
        "exit_undetermined": TransitionKind.UNDETERMINED,
        "still_poor": TransitionKind.STAYS,
        "returned": TransitionKind.RE_ENTRY,
        "still_out": TransitionKind.STAYS,
        "exited_undetermined": TransitionKind.UNDETERMINED,
        "removed_earlier": TransitionKind.STAYS,
        "not_registered": TransitionKind.STAYS,
    }
    table = np.array([KINDS.index(kind_of[code]) for code, _ in REASONS], np.int64)
    return table[reason], reason.astype(np.int64)


# -- inputs ----------------------------------------------------------------------------------


def status_codes(values: Sequence[Any]) -> Ints:
    """Recorded statuses as state codes (``UNKNOWN`` where there is none)."""
    out = np.full(len(values), UNKNOWN, np.int64)
    for i, v in enumerate(values):
        if v is not None:
            out[i] = STATUS_STATE[HouseholdStatus.parse(v)]
    return out


def events_of(records: Sequence[Household]) -> tuple[Ints, Ints, Ints]:
    """The status histories of records as flat arrays: offsets into the events, each
    event's kind code and its day (ordinal)."""
    offsets = np.zeros(len(records) + 1, np.int64)
    kinds: list[int] = []
    days: list[int] = []
    for i, r in enumerate(records):
        kinds += [EVENT_CODES[e.kind.value] for e in r.history]
        days += [e.date.toordinal() for e in r.history]
        offsets[i + 1] = len(kinds)
    return offsets, np.asarray(kinds, np.int64), np.asarray(days, np.int64)


_EPOCH = dt.date(1970, 1, 1).toordinal()


def events_of_table(table: pa.Table) -> tuple[Ints, Ints, Ints]:
    """The flattened events of a households table's ``history`` column (none if absent)."""
    n = table.num_rows
    if "history" not in table.column_names:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    column = table.column("history").combine_chunks()
    offsets = np.asarray(column.offsets, np.int64)
    if column.null_count:  # a null history is an empty one
        lengths = np.diff(offsets) * np.asarray(column.is_valid(), np.int64)
        offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    events = column.flatten()
    kinds_text = events.field("kind").to_pylist()
    problems = sorted({k for k in kinds_text if k not in EVENT_CODES})
    if problems:
        raise InputError(
            [
                Problem(
                    "history.kind",
                    Text(
                        f"未知的事件：{', '.join(map(str, problems))}", f"unknown event: {problems}"
                    ),
                )
            ],
            what="history",
        )
    kinds = np.asarray([EVENT_CODES[k] for k in kinds_text], np.int64)
    dates = events.field("date").cast(pa.int32()).to_numpy(zero_copy_only=False)
    return offsets, kinds, np.asarray(dates, np.int64) + _EPOCH
