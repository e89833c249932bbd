"""The results table (:func:`poverty_core.batch.result_table`) builds its status columns
from the codes and its failed / missing columns from each row's set of names: the same
table, to the Arrow type and the dictionaries, as the Arrow kernels it replaced (kept
here as the reference) — on the SYNTHETIC samples under every pack, and on made-up
results with few names, many (past the lookup table), more than 63 (the kernels again),
none, and no rows. A Parquet results file reads back as the tables decoded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import poverty_core as pcore
from poverty_core import batch
from poverty_core.columnar import tables_from_records
from poverty_core.frame import frame_from_arrow
from poverty_core.samples import read_sample

AS_OF = dt.date(2016, 12, 31)


def reference(result: Any) -> pa.Table:
    """``result_table`` as it was: texts taken and dictionary-encoded, ``name;`` parts
    joined row by row."""
    n = len(result)
    columns: dict[str, Any] = {"id": result.id_column()}
    columns["outcome"] = pc.take(batch._OUTCOME_TEXTS, pa.array(result.outcome))
    failed: list[pa.Array] = []
    missing: list[pa.Array] = []
    seen: dict[str, Any] = {}
    for c in result.criteria:
        columns[c.rule.id] = pc.take(batch._STATUS_TEXTS, pa.array(c.status)).dictionary_encode()
        hit = c.status == 0
        if hit.any():
            failed.append(batch._named(hit, c.rule.id))
        for label, mask in c.missing.items():
            rows = mask & (c.status == 2) & (result.outcome == 2)
            before = seen.get(label)
            new = rows if before is None else rows & ~before
            if new.any():
                missing.append(batch._named(new, label))
                seen[label] = new if before is None else before | new
    columns["failed"] = batch._joined(failed, n)
    columns["missing"] = batch._joined(missing, n)
    return pa.table(columns)


def _same(result: Any) -> None:
    got, want = batch.result_table(result), reference(result)
    assert got.schema == want.schema
    for name in want.column_names:
        assert got.column(name).equals(want.column(name)), name
    assert got.equals(want)


@pytest.mark.parametrize(
    ("sample", "pack"),
    [
        ("lianjiang", "national"),
        ("lianjiang", "fujian"),
        ("tianshui", "gansu_tianshui"),
        ("zhangzhou", "zhangzhou"),
    ],
)
def test_the_samples_give_the_reference_table(sample: str, pack: str) -> None:
    loaded = pcore.load_pack(pack)
    data, _ = read_sample(sample, pack=loaded)
    households, members = tables_from_records(data.households)
    for decision in ("household_exit", "identification"):
        if decision not in loaded.decisions:
            continue
        result = loaded.decide_batch(decision, frame_from_arrow(households, members), as_of=AS_OF)
        _same(result)
        # with unknowns: every third household's income and a member's age gone
        income = households.column("annual_net_income_per_capita").to_pylist()
        holed = households.set_column(
            households.column_names.index("annual_net_income_per_capita"),
            "annual_net_income_per_capita",
            pa.array([None if i % 3 == 0 else v for i, v in enumerate(income)], pa.float64()),
        )
        frame = frame_from_arrow(holed, members)
        _same(loaded.decide_batch(decision, frame, as_of=AS_OF))


class _Made:
    """A result-like object: ``criteria`` made-up criteria naming ``labels`` inputs each."""

    def __init__(self, n: int, criteria: int, labels: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.outcome = rng.integers(0, 3, n).astype(np.int8)
        self.criteria = []
        for k in range(criteria):
            status = rng.choice(np.array([0, 1, 2, 3], np.int8), n, p=[0.2, 0.5, 0.25, 0.05])
            missing = {
                f"input_{(k + j) % (labels + 1)}": rng.random(n) < 0.6 for j in range(labels)
            }
            rule = SimpleNamespace(id=f"c{k}")
            self.criteria.append(SimpleNamespace(rule=rule, status=status, missing=missing))

    def id_column(self) -> pa.Array:
        return pa.array([f"H{i}" for i in range(self.n)], pa.string())

    def __len__(self) -> int:
        return self.n


@pytest.mark.parametrize(
    ("n", "criteria", "labels"),
    [
        (500, 3, 2),  # a few names: the lookup table
        (500, 6, 4),
        (2000, 20, 3),  # more than 16 sets of names: the sorted list
        (300, 70, 1),  # more than 63: the Arrow kernels
        (200, 0, 0),  # no criterion
        (0, 4, 2),  # no row
        (50, 5, 0),  # nothing missing
    ],
)
def test_made_up_results_give_the_reference_table(n: int, criteria: int, labels: int) -> None:
    for seed in range(3):
        _same(_Made(n, criteria, labels, seed))


def test_a_single_status_and_names_that_end_alike() -> None:
    made = _Made(40, 2, 1, 0)
    made.criteria[0].status = np.full(40, 3, np.int8)  # one status only
    made.criteria[1].rule = SimpleNamespace(id="c;")  # a ';' the trim also removes
    made.criteria[1].status = np.zeros(40, np.int8)
    _same(made)


# -- the results file --------------------------------------------------------------------


@pytest.mark.parametrize("extra", [False, True])
def test_a_parquet_results_file_reads_back_as_the_decoded_tables(
    extra: bool, tmp_path: Path
) -> None:
    """Tables of texts go to Parquet as given (dictionary pages, no Arrow schema stored);
    a table with another type is decoded first, as before. Either way the file reads
    back as the tables decoded, batch after batch (each batch its own dictionaries)."""
    loaded = pcore.load_pack("fujian")
    data, _ = read_sample("lianjiang", pack=loaded)
    households, members = tables_from_records(data.households)
    parts = [
        batch.result_table(loaded.decide_batch("household_exit", frame, as_of=AS_OF))
        for frame in (
            frame_from_arrow(h, m) for h, m in batch.iter_tables(households, members, 300)
        )
    ]
    if extra:  # a column that is not text: the general path
        parts = [p.append_column("n", pa.array(range(p.num_rows), pa.int64())) for p in parts]
    path = tmp_path / "results.parquet"
    with batch.ResultWriter(path) as writer:
        for part in parts:
            writer.write(part)
    back = pq.read_table(path)
    want = pa.concat_tables([batch.plain_columns(p) for p in parts])
    assert back.schema == want.schema
    assert back.equals(want)
    metadata = pq.read_metadata(path)
    assert (metadata.metadata is None) is not extra  # no Arrow schema kept for texts
    assert writer.rows == want.num_rows == 745
