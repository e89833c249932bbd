"""What changes between the two sides of a comparison (:mod:`poverty_core.compare`):
the households, villages and counties whose outcome changes, each with the criteria
whose status differs, and the changes counted by village and county.

The households are compared batch by batch with numpy and Arrow kernels (element-wise
status comparison, ``if_else``/``binary_join_element_wise`` for the names, Arrow's hash
group-by for the directions by group), not by a loop over households; only the changed
households a caller asks to list become Python objects. A criterion one side lacks has
the status ``not_in_force`` there: it does not apply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.privacy import mask_ids
from poverty_core.rules import Outcome, Status

__all__ = [
    "Change",
    "Changes",
    "CriterionChange",
    "GroupChanges",
    "Tally",
    "by_direction",
    "criterion_change",
    "decided_changes",
    "group_changes",
]

_ABSENT = Status.NOT_IN_FORCE.value
"""The status a criterion one side lacks has there: it does not apply."""


@attrs.frozen
class CriterionChange:
    """A criterion whose status differs between the sides."""

    id: str
    a: str
    """Its status on side ``a`` (``not_in_force`` where the side lacks it)."""
    b: str
    decisive: bool = False
    """The difference decides the change of outcome: the criterion fails on the side
    whose outcome is not eligible, or is unknown on the side whose outcome is
    undetermined (three-valued AND: one such criterion decides). A criterion that
    differs otherwise (entering force and passing, say) is listed too, not decisive."""


_DECIDES = {
    Outcome.NOT_ELIGIBLE.value: Status.FAILED.value,
    Outcome.UNDETERMINED.value: Status.UNKNOWN.value,
}
"""The status of a criterion that decides an outcome (none decides eligible alone)."""


def criterion_change(cid: str, a: str, b: str, outcome_a: str, outcome_b: str) -> CriterionChange:
    """A criterion's change, marked decisive where it decides either side's outcome."""
    decisive = _DECIDES.get(outcome_a) == a or _DECIDES.get(outcome_b) == b
    return CriterionChange(cid, a, b, decisive)


@attrs.frozen
class Change:
    """A household, village or county whose outcome changes, and why."""

    id: str
    """Its id (a household id that is an ID number masked)."""
    a: str
    """Its outcome on side ``a``."""
    b: str
    criteria: tuple[CriterionChange, ...]
    """The criteria responsible: those whose status differs."""
    village_id: str | None = None
    """A household's village."""
    county_id: str | None = None
    """A household's (or village's) county."""


@attrs.frozen
class Changes:
    """What changes for one kind of subject (households, villages or counties)."""

    compared: int
    """Subjects decided on both sides."""
    changed: int
    """Subjects whose outcome differs."""
    differing: int
    """Subjects with at least one criterion whose status differs (outcome changed or not)."""
    transitions: dict[str, dict[str, int]]
    """Subjects by outcome on side ``a``, then on side ``b`` (changes only)."""
    criteria: dict[str, int]
    """Per criterion: changed subjects whose status of it differs."""
    listed: tuple[Change, ...]
    """The changed subjects (households: the first ``limit``, in register order)."""
    unlisted: int = 0
    """Changed subjects not listed (see the results file)."""


@attrs.frozen
class GroupChanges:
    """The household changes of one village or county."""

    id: str
    households: int
    """Households of the group decided."""
    changed: int
    """Households whose outcome differs."""
    transitions: dict[str, dict[str, int]]


# -- the households of a batch, side by side ---------------------------------------------


def _joined_names(masks: Sequence[tuple[str, npt.NDArray[np.bool_]]], n: int) -> pa.Array:
    """Per row, the ``;``-separated names whose mask is set (Arrow kernels)."""
    parts = [
        pc.if_else(pa.array(mask), pa.scalar(name + ";"), pa.scalar("")) for name, mask in masks
    ]
    if not parts:
        return pa.array([""] * n, pa.string())
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    return pc.utf8_rtrim(joined, characters=";")


class Tally:
    """The changes of the households, summed batch by batch (:meth:`add`)."""

    def __init__(self, limit: int | None, by: Sequence[str]) -> None:
        self.limit = limit
        self.by = tuple(by)
        self.compared = 0
        self.changed = 0
        self.differing = 0
        self.transitions: Counter[tuple[str, str]] = Counter()
        self.criteria: Counter[str] = Counter()
        self.groups: dict[str, Counter[tuple[str, str, str]]] = {b: Counter() for b in by}
        self.listed: list[Change] = []
        self.unlisted = 0
        self.order: list[str] = []

    def add(self, households: pa.Table, ta: pa.Table, tb: pa.Table) -> pa.Table:
        """Compare one batch's two result tables (rows in the same order); return the
        side-by-side table of the results file."""
        n = ta.num_rows
        oa, ob = _plain(ta.column("outcome")), _plain(tb.column("outcome"))
        changed_arrow = pc.not_equal(oa, ob)
        changed = _mask(changed_arrow)
        skip = {"id", "outcome", "failed", "missing"}
        for name in [*ta.column_names, *tb.column_names]:
            if name not in skip and name not in self.order:
                self.order.append(name)
        statuses = [(cid, _status(ta, cid, n), _status(tb, cid, n)) for cid in self.order]
        differs = [
            (cid, _mask(pc.not_equal(pc.fill_null(sa, _ABSENT), pc.fill_null(sb, _ABSENT))))
            for cid, sa, sb in statuses
        ]
        any_differs = np.zeros(n, dtype=bool)
        for cid, mask in differs:
            any_differs |= mask
            self.criteria[cid] += int((mask & changed).sum())
        self.compared += n
        self.changed += int(changed.sum())
        self.differing += int(any_differs.sum())
        ids = mask_ids(ta.column("id"))
        groups = {
            b: _plain(households.column(b)) if b in households.column_names else pa.nulls(n)
            for b in ("village_id", "county_id")
        }
        if changed.any():
            pairs = pa.table({"a": oa, "b": ob}).filter(changed_arrow)
            for row in pairs.group_by(["a", "b"]).aggregate([("a", "count")]).to_pylist():
                self.transitions[(row["a"], row["b"])] += row["a_count"]
            for b in self.by:
                if b not in households.column_names:
                    continue
                table = pa.table({"g": groups[b], "a": oa, "b": ob}).filter(changed_arrow)
                for row in table.group_by(["g", "a", "b"]).aggregate([("a", "count")]).to_pylist():
                    self.groups[b][(str(row["g"]), row["a"], row["b"])] += row["a_count"]
            self._list(changed, ids, oa, ob, differs, statuses, groups)
        columns: dict[str, Any] = {
            "id": ids,
            "village_id": groups["village_id"].cast(pa.string()),
            "county_id": groups["county_id"].cast(pa.string()),
            "outcome_a": oa,
            "outcome_b": ob,
            "changed": changed_arrow,
            "criteria_changed": _joined_names(differs, n),
            "failed_a": _plain(ta.column("failed")),
            "failed_b": _plain(tb.column("failed")),
            "missing_a": _plain(ta.column("missing")),
            "missing_b": _plain(tb.column("missing")),
        }
        for cid, sa, sb in statuses:
            columns[f"{cid}_a"] = sa
            columns[f"{cid}_b"] = sb
        return pa.table(columns)

    def _list(
        self,
        changed: npt.NDArray[np.bool_],
        ids: Any,
        oa: Any,
        ob: Any,
        differs: Sequence[tuple[str, npt.NDArray[np.bool_]]],
        statuses: Sequence[tuple[str, Any, Any]],
        groups: Mapping[str, Any],
    ) -> None:
        """Keep the changed households while there is room (``limit``); count the rest.
        Only these rows become Python objects."""
        rows = np.flatnonzero(changed)
        room = len(rows) if self.limit is None else max(self.limit - len(self.listed), 0)
        self.unlisted += max(len(rows) - room, 0)
        if not room:
            return
        take = pa.array(rows[:room])
        masks = {cid: mask[rows[:room]] for cid, mask in differs}

        def values(column: Any) -> list[Any]:
            return list(column.take(take).to_pylist())

        a_status = {cid: values(sa) for cid, sa, _ in statuses}
        b_status = {cid: values(sb) for cid, _, sb in statuses}
        columns = zip(
            values(ids),
            values(oa),
            values(ob),
            values(groups["village_id"]),
            values(groups["county_id"]),
            strict=True,
        )
        for k, (hid, a, b, village, county) in enumerate(columns):
            criteria = tuple(
                criterion_change(
                    cid, a_status[cid][k] or _ABSENT, b_status[cid][k] or _ABSENT, str(a), str(b)
                )
                for cid, _, _ in statuses
                if masks[cid][k]
            )
            self.listed.append(
                Change(
                    str(hid),
                    str(a),
                    str(b),
                    criteria,
                    None if village is None else str(village),
                    None if county is None else str(county),
                )
            )


def _mask(values: Any) -> npt.NDArray[np.bool_]:
    """An Arrow boolean array (nulls as false) as a numpy array."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _status(table: pa.Table, cid: str, n: int) -> Any:
    """A criterion's statuses as text; nulls where the side lacks the criterion."""
    if cid in table.column_names:
        return _plain(table.column(cid))
    return pa.nulls(n, pa.string())


def _plain(column: Any) -> Any:
    """A column as plain text (dictionary-encoded columns decoded)."""
    return column.cast(pa.string()) if not pa.types.is_string(column.type) else column


def by_direction(counter: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """Counts by (outcome on side ``a``, outcome on side ``b``) as ``{a: {b: n}}``, in
    the order of :class:`~poverty_core.rules.Outcome`."""
    out: dict[str, dict[str, int]] = {}
    order = [o.value for o in Outcome]
    for (a, b), n in sorted(
        counter.items(), key=lambda kv: (order.index(kv[0][0]), order.index(kv[0][1]))
    ):
        out.setdefault(a, {})[b] = int(n)
    return out


def group_changes(
    tally: Tally, by: str, rows: Sequence[Mapping[str, Any]]
) -> tuple[GroupChanges, ...]:
    """The household changes of each group (``by``: ``village_id`` or ``county_id``),
    one per row of a side's roll-up ``rows`` (every group, changed or not)."""
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for (g, a, b), n in tally.groups.get(by, Counter()).items():
        counts.setdefault(g, Counter())[(a, b)] += n
    out = []
    for row in rows:
        gid = str(row.get(by))
        mine = counts.get(gid, Counter())
        out.append(
            GroupChanges(
                gid, int(row.get("households") or 0), sum(mine.values()), by_direction(mine)
            )
        )
    return tuple(out)


# -- villages and counties ---------------------------------------------------------------


def decided_changes(
    rows_a: Sequence[Mapping[str, Any]],
    rows_b: Sequence[Mapping[str, Any]],
    county_of: Mapping[str, str | None] | None = None,
) -> Changes:
    """The village (county) decisions of the two sides (the rows of
    :attr:`poverty_core.jobs.Assessment.villages`), compared by id; ``county_of`` gives
    each village's county."""
    by_b = {r["id"]: r for r in rows_b}
    directions: Counter[tuple[str, str]] = Counter()
    criteria: Counter[str] = Counter()
    listed = []
    compared = differing = 0
    for ra in rows_a:
        rb = by_b.get(ra["id"])
        if rb is None:
            continue
        compared += 1
        fa, fb = ra.get("findings") or {}, rb.get("findings") or {}
        names = [*fa, *(c for c in fb if c not in fa)]
        diff = tuple(
            criterion_change(
                c, fa.get(c, _ABSENT), fb.get(c, _ABSENT), ra["outcome"], rb["outcome"]
            )
            for c in names
            if fa.get(c, _ABSENT) != fb.get(c, _ABSENT)
        )
        differing += bool(diff)
        if ra["outcome"] == rb["outcome"]:
            continue
        directions[(ra["outcome"], rb["outcome"])] += 1
        criteria.update(c.id for c in diff)
        county = (county_of or {}).get(str(ra["id"]))
        listed.append(Change(str(ra["id"]), ra["outcome"], rb["outcome"], diff, None, county))
    return Changes(
        compared,
        len(listed),
        differing,
        by_direction(directions),
        dict(criteria),
        tuple(listed),
    )
