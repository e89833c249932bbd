"""Deciding transitions: :func:`decide_transition` (one household),
:func:`decide_transitions` (a register, the pack's rules evaluated vectorised; a
:class:`TransitionBatch`) and :func:`rollup` (counts per village or county, Arrow
group-by)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.dynamic.history import (
    Ints,
    combine,
    events_of,
    events_of_table,
    states,
    status_codes,
)
from poverty_core.dynamic.model import (
    EXIT_DECISION,
    EXIT_PROCEDURE,
    EXITED,
    GAP_BUFFER,
    GAP_IDENTIFICATION,
    GAP_PROCEDURE,
    IDENTIFICATION_DECISION,
    KINDS,
    REASONS,
    REGISTERED,
    STATES,
    ProcedureStart,
    ProcedureStep,
    Transition,
    TransitionKind,
)
from poverty_core.engine import STATUS_CODES, BatchResult, DecisionResult
from poverty_core.errors import InputError, Problem, UnknownName
from poverty_core.frame import frame_from_arrow
from poverty_core.model import Household
from poverty_core.parameters import Citation
from poverty_core.registers import tables_from_records
from poverty_core.rules import Outcome, Status, in_force_on

if TYPE_CHECKING:
    from poverty_core.packs import Pack


def _procedure_start(
    pack: Pack, procedure_id: str | None, steps_done: Mapping[str, Any], as_of: dt.date
) -> ProcedureStart | None:
    if procedure_id is None:
        return None
    procedure = in_force_on(pack.procedures[procedure_id], as_of) or pack.procedures[procedure_id]
    return ProcedureStart(
        id=procedure.id,
        title=procedure.title,
        citation=procedure.citation,
        steps=tuple(ProcedureStep(s.id, s.label, steps_done.get(s.id)) for s in procedure.steps),
    )


def _procedures(pack: Pack, given: Mapping[str, str] | None) -> dict[TransitionKind, str]:
    chosen: dict[TransitionKind, str] = {}
    if EXIT_PROCEDURE in pack.procedures:
        chosen[TransitionKind.EXIT] = EXIT_PROCEDURE
    for key, procedure in (given or {}).items():
        kind = TransitionKind.parse(key)
        if procedure not in pack.procedures:
            raise UnknownName(Text("程序", "procedure"), procedure, list(pack.procedures))
        chosen[kind] = procedure
    return chosen


def _identification_id(pack: Pack, identification: str | None) -> str | None:
    if identification is not None:
        pack.decision(identification)  # an unknown id is an error naming the choices
        return identification
    return IDENTIFICATION_DECISION if IDENTIFICATION_DECISION in pack.decisions else None


def _citations(pack: Pack) -> tuple[Citation, ...]:
    """The sources of dynamic management the pack knows (seed 003 part 5 item 4, the 2017
    meeting part 3), resolved when the pack has them."""
    wanted = (
        ("fujian-2018-three-year", "五、(四) 夯实脱贫攻坚基础工作 / part 5, item 4"),
        ("fujian-meeting-2017", "三是成果要再巩固 / part 3, consolidating the results"),
    )
    return tuple(
        Citation(source, locator, resolved=pack.sources[source])
        for source, locator in wanted
        if source in pack.sources
    )


def _removal_reasons(
    removals: Mapping[str, Sequence[Text | str]] | None,
) -> dict[str, tuple[Text, ...]]:
    out: dict[str, tuple[Text, ...]] = {}
    for hid, reasons in (removals or {}).items():
        items = [reasons] if isinstance(reasons, Text | str) else list(reasons)
        out[hid] = tuple(r if isinstance(r, Text) else Text(r, r) for r in items) or (
            Text("调用方的识别核查结论", "the caller's identification finding"),
        )
    return out


def _build(
    pack: Pack,
    hid: str,
    as_of: dt.date,
    kind_code: int,
    reason_code: int,
    state_code: int,
    since_day: int,
    exit_result: DecisionResult | None,
    identification: DecisionResult | None,
    reasons: tuple[Text, ...],
    procedures: Mapping[TransitionKind, str],
    steps_done: Mapping[str, Mapping[str, Any]],
    village_id: str | None,
    county_id: str | None,
    has_identification: bool,
) -> Transition:
    kind = KINDS[kind_code]
    state = STATES[state_code]
    gaps: list[Text] = []
    if kind in (TransitionKind.RE_ENTRY,) or state == "exited":
        gaps.append(GAP_BUFFER)
    if state == "registered" and not has_identification and not reasons:
        gaps.append(GAP_IDENTIFICATION)
    procedure_id = procedures.get(kind)
    if procedure_id is None and kind in GAP_PROCEDURE:
        gaps.append(GAP_PROCEDURE[kind])
    procedure = (
        _procedure_start(pack, procedure_id, steps_done.get(procedure_id or "", {}), as_of)
        if kind in (TransitionKind.EXIT, TransitionKind.RE_ENTRY, TransitionKind.REMOVAL)
        else None
    )
    code, text = REASONS[reason_code]
    return Transition(
        household_id=hid,
        as_of=as_of,
        kind=kind,
        reason=code,
        reason_text=text,
        state=state,
        since=dt.date.fromordinal(since_day) if since_day >= 0 else None,
        exit=exit_result,
        identification=identification,
        removal_reasons=reasons,
        procedure=procedure,
        gaps=tuple(gaps),
        citations=_citations(pack),
        village_id=village_id,
        county_id=county_id,
    )


_NEEDS_EXIT = (REGISTERED, EXITED)


def _outcome_code(outcome: Outcome) -> int:
    return {Outcome.NOT_ELIGIBLE: 0, Outcome.ELIGIBLE: 1, Outcome.UNDETERMINED: 2}[outcome]


# -- one household ---------------------------------------------------------------------------


def decide_transition(
    pack: Pack,
    household: Household,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    identification: str | None = None,
    removals: Mapping[str, Sequence[Text | str]] | None = None,
    procedures: Mapping[str, str] | None = None,
) -> Transition:
    """The transition dynamic management calls for, for one household on ``as_of``.

    :param identification: the pack decision that tests the identification conditions
        (default: ``household_identification`` when the pack has one; none shipped does).
    :param removals: the caller's identification findings: household id → the reasons
        (:class:`~poverty_core.Text` or plain text) it does not meet the conditions.
    :param procedures: procedures of the pack a transition starts, by transition
        (``{"re_entry": "…"}``); the exit starts ``household_exit`` by default.

    Raises :class:`~poverty_core.errors.NotInForce` when the exit decision is not in
    force on the date, like :meth:`Pack.decide <poverty_core.packs.Pack.decide>`.
    """
    ident = _identification_id(pack, identification)
    chosen = _procedures(pack, procedures)
    reasons = _removal_reasons(removals)
    offsets, kinds, days = events_of([household])
    status = status_codes([household.status])
    state, since, conflict = states(offsets, kinds, days, status, as_of)
    exit_result = ident_result = None
    exit_code = ident_code = np.array([2], np.int64)
    if int(state[0]) in _NEEDS_EXIT:
        exit_result = pack.decide(EXIT_DECISION, household, as_of=as_of, overrides=overrides)
        exit_code = np.array([_outcome_code(exit_result.outcome)], np.int64)
    if ident is not None and int(state[0]) == REGISTERED:
        ident_result = pack.decide(ident, household, as_of=as_of, overrides=overrides)
        ident_code = np.array([_outcome_code(ident_result.outcome)], np.int64)
    elif ident is None:
        ident_code = np.array([-1], np.int64)
    flagged = np.array([household.id in reasons], np.bool_)
    kind, reason = combine(state, conflict, exit_code, ident_code, flagged)
    return _build(
        pack,
        household.id,
        as_of,
        int(kind[0]),
        int(reason[0]),
        int(state[0]),
        int(since[0]),
        exit_result,
        ident_result,
        reasons.get(household.id, ()),
        chosen,
        household.procedures,
        household.village_id,
        household.county_id,
        ident is not None,
    )


# -- a register ------------------------------------------------------------------------------


@attrs.define
class TransitionBatch:
    """Transitions over a register: a column per attribute, one row per household.

    :meth:`transition` gives one row's full :class:`Transition` (as
    :func:`decide_transition` gives it); :meth:`table` the columns as an Arrow table.
    """

    pack: Pack
    as_of: dt.date
    ids: list[str]
    village_ids: list[str | None]
    county_ids: list[str | None]
    people: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    reason: npt.NDArray[np.int64]
    state: npt.NDArray[np.int64]
    since: npt.NDArray[np.int64]
    exit: BatchResult | None
    identification: BatchResult | None
    rows_decided: npt.NDArray[np.int64]
    """For each household, its row in ``exit``/``identification`` (-1: not decided)."""
    removal_reasons: dict[str, tuple[Text, ...]]
    procedures: dict[TransitionKind, str]
    steps_done: list[dict[str, dict[str, Any]]]
    has_identification: bool

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> dict[str, int]:
        """How many households have each transition."""
        bins = np.bincount(self.kind, minlength=len(KINDS))
        return {k.value: int(bins[i]) for i, k in enumerate(KINDS)}

    def transition(self, row: int) -> Transition:
        """One row's full transition, with its findings and procedure."""
        decided = int(self.rows_decided[row])
        exit_result = None if decided < 0 or self.exit is None else self.exit.result(decided)
        ident = (
            None
            if decided < 0 or self.identification is None or self.state[row] != REGISTERED
            else self.identification.result(decided)
        )
        return _build(
            self.pack,
            self.ids[row],
            self.as_of,
            int(self.kind[row]),
            int(self.reason[row]),
            int(self.state[row]),
            int(self.since[row]),
            exit_result,
            ident,
            self.removal_reasons.get(self.ids[row], ()),
            self.procedures,
            self.steps_done[row],
            self.village_ids[row],
            self.county_ids[row],
            self.has_identification,
        )

    def table(self) -> pa.Table:
        """One row per household: ids, state, transition and reason codes, the ids of
        the failed exit criteria, and what was missing."""
        failed: list[list[str]] = [[] for _ in self.ids]
        missing: list[list[str]] = [[] for _ in self.ids]
        undetermined = KINDS.index(TransitionKind.UNDETERMINED)
        if self.exit is not None:
            decided = np.flatnonzero(self.rows_decided >= 0)  # row of each decided one
            for c in self.exit.criteria:
                for i in decided[np.flatnonzero(c.status == _FAILED)]:
                    failed[int(i)].append(c.rule.id)
        for i in np.flatnonzero(self.kind == undetermined):
            missing[int(i)] = list(self.transition(int(i)).missing)
        return pa.table(
            {
                "id": pa.array(self.ids, pa.string()),
                "village_id": pa.array(self.village_ids, pa.string()),
                "county_id": pa.array(self.county_ids, pa.string()),
                "people": pa.array(self.people, pa.int64()),
                "state": pa.array([STATES[int(s)] for s in self.state], pa.string()),
                "since": pa.array(
                    [dt.date.fromordinal(int(d)) if d >= 0 else None for d in self.since],
                    pa.date32(),
                ),
                "transition": pa.array([KINDS[int(k)].value for k in self.kind], pa.string()),
                "reason": pa.array([REASONS[int(r)][0] for r in self.reason], pa.string()),
                "failed": pa.array(failed, pa.list_(pa.string())),
                "missing": pa.array(missing, pa.list_(pa.string())),
            }
        )


_FAILED = STATUS_CODES.index(Status.FAILED)


def decide_transitions(
    pack: Pack,
    households: Sequence[Household] | tuple[pa.Table, pa.Table | None],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    identification: str | None = None,
    removals: Mapping[str, Sequence[Text | str]] | None = None,
    procedures: Mapping[str, str] | None = None,
) -> TransitionBatch:
    """The transitions of a whole register on ``as_of``, with the exit (and
    identification) decisions evaluated vectorised.

    ``households`` are records, or the ``(households, members)`` Arrow tables of a
    register: the histories come from the households table's ``history`` column
    (``tables_from_records(records, history=True)``, or the batches
    :func:`~poverty_core.open_register` reads from a JSON Lines, Parquet or Arrow IPC
    register); a table without one (a CSV or xlsx register) gives the status only. The options
    are those of :func:`decide_transition`, whose answer
    :meth:`TransitionBatch.transition` gives for each row.
    """

    if isinstance(households, tuple):
        table, members = households
    else:
        if not households:
            raise InputError([Problem("households", Text("没有记录", "no records"))])
        table, members = tables_from_records(list(households), history=True)
    ident = _identification_id(pack, identification)
    chosen = _procedures(pack, procedures)
    reasons = _removal_reasons(removals)
    n = table.num_rows
    ids = [str(x) for x in table.column("id").to_pylist()]
    status_values = (
        table.column("status").to_pylist() if "status" in table.column_names else [None] * n
    )
    offsets, kinds, days = events_of_table(table)
    state, since, conflict = states(offsets, kinds, days, status_codes(status_values), as_of)
    needed = np.flatnonzero(np.isin(state, _NEEDS_EXIT))
    rows_decided = np.full(n, -1, np.int64)
    rows_decided[needed] = np.arange(len(needed))
    exit_code = np.full(n, 2, np.int64)
    ident_code = np.full(n, -1 if ident is None else 2, np.int64)
    exit_result = ident_result = None
    if len(needed):
        take = pa.array(needed)
        sub = table.take(take)
        sub_members = None
        if members is not None:
            keep = pc.is_in(members.column("household_id"), sub.column("id"))
            sub_members = members.filter(keep)
        frame = frame_from_arrow(sub, sub_members, kind=pack.record_type("household"))
        exit_result = pack.decide_batch(EXIT_DECISION, frame, as_of=as_of, overrides=overrides)
        exit_code[needed] = _engine_codes(exit_result)
        if ident is not None:
            ident_result = pack.decide_batch(ident, frame, as_of=as_of, overrides=overrides)
            ident_code[needed] = _engine_codes(ident_result)
    flagged = np.array([hid in reasons for hid in ids], np.bool_)
    kind, reason = combine(state, conflict, exit_code, ident_code, flagged)
    people = np.zeros(n, np.int64)
    if members is not None and members.num_rows:
        position = {hid: i for i, hid in enumerate(ids)}
        owners = [position.get(str(o), -1) for o in members.column("household_id").to_pylist()]
        counted = np.asarray([o for o in owners if o >= 0], np.int64)
        people = np.bincount(counted, minlength=n).astype(np.int64)

    def column(name: str) -> list[Any]:
        return table.column(name).to_pylist() if name in table.column_names else [None] * n

    return TransitionBatch(
        pack=pack,
        as_of=as_of,
        ids=ids,
        village_ids=column("village_id"),
        county_ids=column("county_id"),
        people=people,
        kind=kind,
        reason=reason,
        state=state,
        since=since,
        exit=exit_result,
        identification=ident_result,
        rows_decided=rows_decided,
        removal_reasons=reasons,
        procedures=chosen,
        steps_done=_steps_done(table, chosen),
        has_identification=ident is not None,
    )


def _engine_codes(result: BatchResult) -> Ints:
    """The engine's outcome codes, which are this module's (0 not eligible, 1 eligible,
    2 undetermined)."""
    return result.outcome.astype(np.int64)


def _steps_done(
    table: pa.Table, chosen: Mapping[TransitionKind, str]
) -> list[dict[str, dict[str, Any]]]:
    """Each row's dated steps of the procedures transitions start (flattened columns)."""
    out: list[dict[str, dict[str, Any]]] = [{} for _ in range(table.num_rows)]
    for procedure in set(chosen.values()):
        prefix = f"procedures.{procedure}."
        for name in table.column_names:
            if name.startswith(prefix) and name.count(".") == 2:
                step = name[len(prefix) :]
                for i, value in enumerate(table.column(name).to_pylist()):
                    if value is not None:
                        out[i].setdefault(procedure, {})[step] = value
    return out


# -- roll-ups ----------------------------------------------------------------------------------


def rollup(batch: TransitionBatch, by: str = "village_id") -> list[dict[str, Any]]:
    """Households and people per transition, per village (``by="village_id"``) or county
    (``"county_id"``), by group-by over the batch's table; a household without the group
    id counts under ``None``."""
    if by not in ("village_id", "county_id"):
        raise ValueError(f"by must be 'village_id' or 'county_id', not {by!r}")
    table = batch.table().select([by, "transition", "people"])
    grouped = table.group_by([by, "transition"]).aggregate([("people", "count"), ("people", "sum")])
    out: dict[Any, dict[str, Any]] = {}
    for row in grouped.to_pylist():
        group = out.setdefault(
            row[by],
            {
                by: row[by],
                **{f"{k.value}": 0 for k in KINDS},
                **{f"{k.value}_people": 0 for k in KINDS},
            },
        )
        group[row["transition"]] = row["people_count"]
        group[f"{row['transition']}_people"] = row["people_sum"] or 0
    return sorted(out.values(), key=lambda g: (g[by] is None, str(g[by])))
