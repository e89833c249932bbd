"""Village and county totals (:class:`poverty_core.indicators.GroupTotals`) counted by
NumPy per dictionary-encoded key: the same totals and rows as Arrow's hash group-by they
replaced (kept here as the reference), over several batches, with null keys, chunked
and integer keys, keys given as Python values, an empty batch and groups seen once."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from poverty_core.indicators import GroupTotals, _key_labels


class Reference:
    """``GroupTotals`` as it was: Arrow's group-by, a sum per outcome."""

    def __init__(self) -> None:
        self.households: dict[str, npt.NDArray[np.int64]] = {}
        self.people: dict[str, npt.NDArray[np.int64]] = {}

    def add(self, keys: Any, outcome: Any, sizes: Any) -> None:
        labels = _key_labels(keys)
        if not len(labels):
            return
        o = np.asarray(outcome)
        size = np.asarray(sizes, dtype=np.int64)
        columns: dict[str, Any] = {"key": labels}
        for c in (0, 1, 2):
            hit = o == c
            columns[f"h{c}"] = pa.array(hit.astype(np.int64))
            columns[f"p{c}"] = pa.array(np.where(hit, size, 0))
        names = [f"{k}{c}" for k in "hp" for c in (0, 1, 2)]
        totals = (
            pa.table(columns)
            .group_by("key", use_threads=False)
            .aggregate([(n, "sum") for n in names])
            .to_pydict()
        )
        for g, key in enumerate(totals["key"]):
            h = np.array([totals[f"h{c}_sum"][g] for c in (0, 1, 2)], np.int64)
            p = np.array([totals[f"p{c}_sum"][g] for c in (0, 1, 2)], np.int64)
            self.households[key] = self.households.get(key, np.zeros(3, np.int64)) + h
            self.people[key] = self.people.get(key, np.zeros(3, np.int64)) + p

    def rows(self, by: str) -> list[dict[str, Any]]:
        out = []
        for key in sorted(self.households):
            h, p = self.households[key], self.people[key]
            out.append(
                {
                    by: key or None,
                    "households": int(h.sum()),
                    "people": int(p.sum()),
                    "eligible_households": int(h[1]),
                    "eligible_people": int(p[1]),
                    "not_eligible_households": int(h[0]),
                    "not_eligible_people": int(p[0]),
                    "undetermined_households": int(h[2]),
                    "undetermined_people": int(p[2]),
                    "exit_rate_households": float(h[1] / h.sum()) if h.sum() else None,
                    "exit_rate_people": float(p[1] / p.sum()) if p.sum() else None,
                }
            )
        return out


def _batches(seed: int) -> list[tuple[Any, Any, Any]]:
    rng = np.random.default_rng(seed)
    out: list[tuple[Any, Any, Any]] = []
    for size in (1000, 1, 0, 333, 5000):
        groups = rng.integers(0, 1 + size // 7 + 1, size)
        words = [None if g % 11 == 0 else f"V{g:04d}" for g in groups]
        outcome = rng.integers(0, 3, size).astype(np.int8)
        sizes = rng.integers(0, 9, size)
        kind = len(out) % 4
        if kind == 0:
            keys: Any = pa.array(words, pa.string())
        elif kind == 1:  # chunked
            half = size // 2
            keys = pa.chunked_array(
                [pa.array(words[:half], pa.string()), pa.array(words[half:], pa.string())]
            )
        elif kind == 2:  # Python values
            keys = words
        else:  # integers, cast to text
            keys = pa.array([None if w is None else int(w[1:]) for w in words], pa.int64())
        out.append((keys, outcome, sizes))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_group_totals_are_the_group_by_totals(seed: int) -> None:
    got, want = GroupTotals(), Reference()
    for keys, outcome, sizes in _batches(seed):
        got.add(keys, outcome, sizes)
        want.add(keys, outcome, sizes)
    assert sorted(got.households) == sorted(want.households)
    for key in want.households:
        assert got.households[key].tolist() == want.households[key].tolist()
        assert got.people[key].tolist() == want.people[key].tolist()
        assert got.households[key].dtype == np.int64
    assert got.rows("village_id") == want.rows("village_id")
    assert got.poor_population() == {
        k: None if h[2] else int(want.people[k][0]) for k, h in want.households.items()
    }


def test_no_rows_and_a_group_with_nobody() -> None:
    totals = GroupTotals()
    assert totals.rows("county_id") == []
    totals.add(pa.array(["C1", None]), np.array([2, 1], np.int8), np.array([0, 0]))
    reference = Reference()
    reference.add(pa.array(["C1", None]), np.array([2, 1], np.int8), np.array([0, 0]))
    assert totals.rows("county_id") == reference.rows("county_id")
    assert totals.rows("county_id")[1]["exit_rate_people"] is None
