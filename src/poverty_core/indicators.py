"""Aggregates over household results: exit counts and rates, poor population,
incidence — by village, county or any id column, computed by group-by, not loops.

>>> import datetime as dt, poverty_core as pc
>>> from poverty_core import indicators
>>> pack = pc.load_pack("national")
>>> hs = [pc.Household(id=f"h{i}", village_id="v1", members=[pc.Person(id="a")],
...                    annual_net_income_per_capita=2000.0 + 1000 * i) for i in range(2)]
>>> result = pack.decide_batch("household_exit", hs, as_of=dt.date(2016, 12, 31))
>>> [row["households"] for row in indicators.exit_summary(result, hs, by="village_id")]
[2]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.engine import BatchResult, Params, _frame_of, check_in_force
from poverty_core.errors import InputError, Problem
from poverty_core.expressions import Field, Many, Member, One
from poverty_core.frame import Frame, field_kind, string_id, strings_of
from poverty_core.model import County, FieldValueError, Household, Village
from poverty_core.rules import Indicator

__all__ = [
    "GroupTotals",
    "compute",
    "exit_summary",
    "poor_population_by",
    "with_poor_population",
]


def _key_labels(keys: Any) -> pa.Array:
    """Group keys as one Arrow string array, nulls as ``""``."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks() if keys.num_chunks != 1 else keys.chunk(0)
    if not isinstance(keys, pa.Array):
        keys = pa.array(list(keys), pa.string())
    elif not pa.types.is_string(keys.type):
        keys = pc.cast(keys, pa.string())
    return pc.fill_null(keys, "")


def _groups(keys: Sequence[Any]) -> tuple[list[Any], npt.NDArray[np.intp]]:
    """The distinct keys (``None`` for unknown, sorted) and each row's group number."""
    labels = np.array(["" if k is None else str(k) for k in keys], dtype=object)
    uniq, inverse = np.unique(labels, return_inverse=True)
    return [None if u == "" else u for u in uniq], inverse


@attrs.define
class GroupTotals:
    """Running totals of a household decision per group (village, county …)."""

    households: dict[str, npt.NDArray[np.int64]] = attrs.field(factory=dict)
    """Per group: households by outcome (not eligible, eligible, undetermined)."""
    people: dict[str, npt.NDArray[np.int64]] = attrs.field(factory=dict)
    """Per group: people by outcome."""

    def add(self, keys: Any, outcome: npt.NDArray[np.int8], sizes: npt.NDArray[Any]) -> None:
        """Add one batch: ``keys`` (an Arrow array, or a sequence of ids and ``None``)
        grouped by Arrow's hash dictionary encoding, the totals counted by NumPy per
        group and outcome; a null key groups as ``""`` (unknown)."""
        labels = _key_labels(keys)
        if not len(labels):
            return
        encoded = pc.dictionary_encode(labels)
        names = encoded.dictionary.to_pylist()
        cell = np.asarray(encoded.indices, np.int64) * 3 + np.asarray(outcome, np.int64)
        cells = 3 * len(names)
        households = np.bincount(cell, minlength=cells).reshape(-1, 3)
        # exact: a batch's people are far fewer than 2**53
        people = np.bincount(cell, np.asarray(sizes, np.float64), cells).reshape(-1, 3)
        people = people.astype(np.int64)
        for key, h, p in zip(names, households, people, strict=True):
            before = self.households.get(key)
            if before is None:
                self.households[key], self.people[key] = h.copy(), p.copy()
            else:
                self.households[key] = before + h
                self.people[key] = self.people[key] + p

    def rows(self, by: str) -> list[dict[str, Any]]:
        """One row per group: households and people by outcome, exit rates."""
        keys = sorted(self.households)
        if not keys:
            return []
        h = np.array([self.households[k] for k in keys], np.int64).reshape(-1, 3)
        p = np.array([self.people[k] for k in keys], np.int64).reshape(-1, 3)
        h_sum, p_sum = h.sum(axis=1), p.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            h_rate, p_rate = h[:, 1] / h_sum, p[:, 1] / p_sum
        out = []
        for k, key in enumerate(keys):
            hs, ps = int(h_sum[k]), int(p_sum[k])
            out.append(
                {
                    by: key or None,
                    "households": hs,
                    "people": ps,
                    "eligible_households": int(h[k, 1]),
                    "eligible_people": int(p[k, 1]),
                    "not_eligible_households": int(h[k, 0]),
                    "not_eligible_people": int(p[k, 0]),
                    "undetermined_households": int(h[k, 2]),
                    "undetermined_people": int(p[k, 2]),
                    "exit_rate_households": float(h_rate[k]) if hs else None,
                    "exit_rate_people": float(p_rate[k]) if ps else None,
                }
            )
        return out

    def poor_population(self) -> dict[str, int | None]:
        """People still poor per group (not eligible), ``None`` when a household of the
        group is undetermined — never guessed."""
        return {
            key: None if self.households[key][2] else int(self.people[key][0])
            for key in self.households
        }


def exit_summary(
    result: BatchResult, households: Sequence[Household], *, by: str = "village_id"
) -> list[dict[str, Any]]:
    """Per group (``village_id``, ``county_id`` …): households and people, how many are
    eligible, not eligible and undetermined, and the exit rates of households and of
    people (see :meth:`GroupTotals.rows`); groups in order of their ids."""
    if len(households) != len(result):
        raise ValueError("result and households differ in length")
    return _totals(result, households, by).rows(by)


def poor_population_by(
    result: BatchResult, households: Sequence[Household], *, by: str = "village_id"
) -> dict[Any, int | None]:
    """People still poor per group after a household-exit run: members of households
    not eligible to exit. A group with an undetermined household has an unknown count
    (``None``) — it is never guessed."""
    counts = _totals(result, households, by).poor_population()
    return {key or None: value for key, value in counts.items()}


def _totals(result: BatchResult, households: Sequence[Household], by: str) -> GroupTotals:
    totals = GroupTotals()
    keys = pa.array([getattr(h, by) for h in households], pa.string())
    sizes = np.fromiter((len(h.members) for h in households), dtype=np.int64)
    totals.add(keys, result.outcome, sizes)
    return totals


def with_poor_population(
    records: Sequence[Village] | Sequence[County], counts: dict[Any, int | None]
) -> list[Any]:
    """Records with ``poor_population`` filled in from ``counts`` where the record left it
    unknown. A record with no registered household counted gets 0 only if ``counts``
    says so; otherwise it stays unknown."""
    out = []
    problems: list[Problem] = []
    for record in records:
        if record.poor_population is None and record.id in counts:
            try:
                record = attrs.evolve(record, poor_population=counts[record.id])
            except FieldValueError as exc:  # the households contradict the record
                kind = "villages" if isinstance(record, Village) else "counties"
                problems.append(
                    Problem(
                        f"{kind}[{record.id}].poor_population",
                        Text(
                            f"由户记录算得的{exc.text.zh}",
                            f"counted from the household records, {exc.text.en}",
                        ),
                    )
                )
        out.append(record)
    if problems:
        raise InputError(problems, what="villages and counties")
    return out


def compute(
    pack: Any,
    indicator: Indicator,
    records: Frame | Sequence[Any],
    *,
    by: str | None,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Evaluate ``indicator`` over records, one row per group of ``by`` (one row overall
    when ``by`` is ``None``), vectorised with group-by.

    Each row has the group, ``numerator``, ``denominator``, ``value`` (``None`` when a
    record's contribution is unknown — listed in ``unknown``), and ``meets_target`` when
    the indicator has a target. A breakdown gives one row per group and code.
    """

    indicator = check_in_force(pack, Text("指标", "indicator"), indicator, as_of)

    frame = _frame_of(records, indicator.subject, indicator.id, pack)
    checked = pack.check_overrides(overrides or {})
    params = Params(pack, as_of, checked)
    scope = Many(frame, as_of, params)
    n = frame.n
    if by is None:
        keys: list[Any] = [None]
        inverse = np.zeros(n, dtype=np.intp)
    else:
        column = frame.column(by)
        group_keys = strings_of(column.values) if column.coded else column.values
        keys, inverse = _groups(
            [k if known else None for k, known in zip(group_keys, column.known, strict=True)]
        )
    k = len(keys)
    if (
        indicator.weight == "people"
        and frame.members is not None
        and frame.members.owner is not None
    ):
        weight = np.bincount(frame.members.owner, minlength=n).astype(np.float64)
    else:
        weight = np.ones(n, dtype=np.float64)
    filter_unknown = np.zeros(n, dtype=np.bool_)
    if indicator.where is not None:
        f = indicator.where.many(scope)
        f_known = np.broadcast_to(f.known, (n,))
        weight = weight * (np.broadcast_to(f.values, (n,)) & f_known)
        filter_unknown = ~f_known
    counted = (weight > 0) | filter_unknown
    target = None
    if indicator.target is not None:
        op, expr = indicator.target
        target = (op, expr.one(_one_scope(as_of, params)))
    rows: list[dict[str, Any]] = []
    if indicator.kind == "breakdown":
        assert indicator.value is not None
        v = indicator.value.many(scope)
        codes = _code_list(indicator, frame)
        known_w = np.bincount(inverse, weights=weight * v.known, minlength=k)
        unknown_records = np.bincount(
            inverse,
            weights=(~np.broadcast_to(v.known, (n,)) & counted) | filter_unknown,
            minlength=k,
        )
        for code in codes:  # codes by their text, as one record holds them
            hit = v.known & (v.values == string_id(code))
            num = np.bincount(inverse, weights=weight * hit, minlength=k)
            for g, key in enumerate(keys):
                rows.append(
                    {
                        "group": key,
                        "code": code,
                        "numerator": float(num[g]),
                        "denominator": float(known_w[g]),
                        "value": float(num[g] / known_w[g]) if known_w[g] else None,
                        "unknown": int(unknown_records[g]),
                    }
                )
        return rows
    if indicator.kind in ("sum", "ratio"):
        assert indicator.value is not None
        v = indicator.value.many(scope)
        v_known = np.broadcast_to(v.known, (n,))
        contribution = np.where(v_known, np.broadcast_to(v.values, (n,)).astype(np.float64), 0.0)
        mask_unknown = (~v_known & counted) | filter_unknown
        num = np.bincount(inverse, weights=contribution * weight, minlength=k)
        if indicator.kind == "ratio":
            assert indicator.denominator is not None
            d = indicator.denominator.many(scope)
            d_known = np.broadcast_to(d.known, (n,))
            d_values = np.broadcast_to(d.values, (n,)).astype(np.float64)
            mask_unknown = mask_unknown | (~d_known & counted)
            den = np.bincount(
                inverse, weights=np.where(d_known, d_values, 0.0) * weight, minlength=k
            )
        else:
            den = np.bincount(inverse, weights=(weight > 0).astype(np.float64), minlength=k)
    else:
        assert indicator.condition is not None
        c = indicator.condition.many(scope)
        known = np.broadcast_to(c.known, (n,))
        hit = np.broadcast_to(c.values, (n,)) & known
        mask_unknown = (~known & counted) | filter_unknown
        num = np.bincount(inverse, weights=weight * hit, minlength=k)
        den = np.bincount(inverse, weights=weight, minlength=k)
    unknown = np.bincount(inverse, weights=mask_unknown, minlength=k)
    for g, key in enumerate(keys):
        if unknown[g]:
            value = None
        elif indicator.kind in ("share", "ratio"):
            value = float(num[g] / den[g]) if den[g] else None
        else:
            value = float(num[g])
        row: dict[str, Any] = {
            "group": key,
            "numerator": float(num[g]),
            "denominator": float(den[g]),
            "value": value,
            "unknown": int(unknown[g]),
        }
        if target is not None:
            op, wanted = target
            row["meets_target"] = (
                None if value is None or wanted is None else bool(_OPS[op](value, wanted))
            )
        rows.append(row)
    return rows


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
}


def _one_scope(as_of: dt.date, params: Any) -> Any:
    return One(None, as_of, params)


def _code_list(indicator: Indicator, frame: Frame) -> list[str]:
    value = indicator.value
    if isinstance(value, Field | Member):
        fk = field_kind(frame.kind, value.name)
        if fk is not None and fk.code is not None:
            return [m.value for m in fk.code]
    raise TypeError(f"indicator {indicator.id}: a breakdown needs a code field as its value")
