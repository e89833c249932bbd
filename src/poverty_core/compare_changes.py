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


def _strings(column: Any) -> npt.NDArray[Any]:
    """An Arrow column (dictionary-encoded or not) as a numpy array of texts (``None``
    for nulls)."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)


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
        oa, ob = _strings(ta.column("outcome")), _strings(tb.column("outcome"))
        changed = oa != ob
        skip = {"id", "outcome", "failed", "missing"}
        for name in [*ta.column_names, *tb.column_names]:
            if name not in skip and name not in self.order:
                self.order.append(name)
        statuses: list[tuple[str, npt.NDArray[Any], npt.NDArray[Any]]] = []
        for cid in self.order:
            sa = _strings(ta.column(cid)) if cid in ta.column_names else np.full(n, None, object)
            sb = _strings(tb.column(cid)) if cid in tb.column_names else np.full(n, None, object)
            statuses.append((cid, sa, sb))
        differs = [
            (cid, np.where(sa == None, _ABSENT, sa) != np.where(sb == None, _ABSENT, sb))  # noqa: E711
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
        groups: dict[str, pa.Array] = {}
        for b in ("village_id", "county_id"):
            if b in households.column_names:
                groups[b] = households.column(b).cast(pa.string())
            else:
                groups[b] = pa.nulls(n, pa.string())
        if changed.any():
            pairs = pa.table({"a": oa[changed].tolist(), "b": ob[changed].tolist()})
            for row in pairs.group_by(["a", "b"]).aggregate([("a", "count")]).to_pylist():
                self.transitions[(row["a"], row["b"])] += row["a_count"]
            keep = pa.array(changed)
            for b in self.by:
                if b not in households.column_names:
                    continue
                table = pa.table({"g": groups[b], "a": pa.array(oa.tolist(), pa.string())})
                table = table.append_column("b", pa.array(ob.tolist(), pa.string())).filter(keep)
                for row in table.group_by(["g", "a", "b"]).aggregate([("a", "count")]).to_pylist():
                    self.groups[b][(str(row["g"]), row["a"], row["b"])] += row["a_count"]
            self._list(changed, ids, oa, ob, differs, statuses, groups)
        columns: dict[str, Any] = {
            "id": ids,
            "village_id": groups["village_id"],
            "county_id": groups["county_id"],
            "outcome_a": pa.array(oa.tolist(), pa.string()),
            "outcome_b": pa.array(ob.tolist(), pa.string()),
            "changed": pa.array(changed),
            "criteria_changed": _joined_names(differs, n),
            "failed_a": _plain(ta.column("failed")),
            "failed_b": _plain(tb.column("failed")),
            "missing_a": _plain(ta.column("missing")),
            "missing_b": _plain(tb.column("missing")),
        }
        for cid, sa, sb in statuses:
            columns[f"{cid}_a"] = pa.array(sa.tolist(), pa.string())
            columns[f"{cid}_b"] = pa.array(sb.tolist(), pa.string())
        return pa.table(columns)

    def _list(
        self,
        changed: npt.NDArray[np.bool_],
        ids: Any,
        oa: npt.NDArray[Any],
        ob: npt.NDArray[Any],
        differs: Sequence[tuple[str, npt.NDArray[np.bool_]]],
        statuses: Sequence[tuple[str, npt.NDArray[Any], npt.NDArray[Any]]],
        groups: Mapping[str, pa.Array],
    ) -> None:
        rows = np.flatnonzero(changed)
        room = len(rows) if self.limit is None else max(self.limit - len(self.listed), 0)
        self.unlisted += max(len(rows) - room, 0)
        if not room:
            return
        masks = dict(differs)
        id_list = ids.to_pylist() if hasattr(ids, "to_pylist") else list(ids)
        village = groups["village_id"].to_pylist()
        county = groups["county_id"].to_pylist()
        for i in rows[:room]:
            criteria = tuple(
                CriterionChange(cid, sa[i] or _ABSENT, sb[i] or _ABSENT)
                for cid, sa, sb in statuses
                if masks[cid][i]
            )
            self.listed.append(
                Change(str(id_list[i]), str(oa[i]), str(ob[i]), criteria, village[i], county[i])
            )


def _plain(column: Any) -> Any:
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
            CriterionChange(c, fa.get(c, _ABSENT), fb.get(c, _ABSENT))
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
