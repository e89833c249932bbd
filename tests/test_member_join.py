"""Members joined to their households: the in-order fast path and the hash join agree."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poverty_core as pcore
from poverty_core.frame import frame_from_arrow, member_owners


def _hash_join(keys: pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    return np.asarray(pc.index_in(keys, value_set=ids).to_numpy(zero_copy_only=False))


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 4), min_size=1, max_size=30),
    shuffle=st.booleans(),
    chunks=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_owners_equal_the_hash_join(sizes: list[int], shuffle: bool, chunks: int, seed: int):
    ids = pa.array([f"H{i:03d}" for i in range(len(sizes))])
    keys = [f"H{i:03d}" for i, size in enumerate(sizes) for _ in range(size)]
    if shuffle:
        np.random.default_rng(seed).shuffle(keys)
    cut = np.array_split(np.array(keys, dtype=object), chunks)
    chunked = pa.chunked_array([pa.array(list(c), pa.string()) for c in cut], pa.string())
    got = member_owners(chunked, ids)
    assert got.dtype == np.int64
    assert got.tolist() == _hash_join(chunked, ids).tolist()
    assert [ids[int(i)].as_py() for i in got] == keys


def test_a_member_of_no_household_is_an_error():
    ids = pa.array(["A", "B"])
    with pytest.raises(ValueError, match="1 member row"):
        member_owners(pa.chunked_array([["A", "B", "C"]]), ids)
    with pytest.raises(ValueError, match="1 member row"):
        member_owners(pa.chunked_array([["A", None, "B"]]), ids)


def test_runs_that_repeat_a_household_take_the_hash_join():
    # A household whose members are split in two runs: not the export order, still right.
    ids = pa.array(["A", "B"])
    assert member_owners(pa.chunked_array([["A", "B", "A"]]), ids).tolist() == [0, 1, 0]


def test_decisions_do_not_depend_on_the_members_order():
    pack = pcore.load_pack("national")
    households = pa.table(
        {
            "id": ["H1", "H2", "H3"],
            "annual_net_income_per_capita": [4000.0, 4000.0, 1000.0],
            "food_secure": [True, True, True],
            "clothing_secure": [True, True, True],
            "house_grade": ["A", "B", "A"],
        }
    )
    rows = [
        ("H1", 10, "in_school", True),
        ("H1", 40, None, True),
        ("H2", 12, "out_of_school", True),
        ("H3", 30, None, False),
    ]
    members = pa.table(
        {
            "household_id": [r[0] for r in rows],
            "age": [r[1] for r in rows],
            "schooling_status": [r[2] for r in rows],
            "basic_medical_insurance": [r[3] for r in rows],
            "serious_illness_insurance": [True] * len(rows),
            "medical_assistance": [True] * len(rows),
        }
    )
    as_of = dt.date(2016, 12, 31)
    reverse = members.take(pa.array(list(reversed(range(len(rows))))))
    in_order, shuffled = (
        pack.decide_batch("household_exit", frame_from_arrow(households, m), as_of=as_of)
        for m in (members, reverse)
    )
    assert in_order.outcome.tolist() == shuffled.outcome.tolist()
    assert in_order.counts() == {"eligible": 1, "not_eligible": 2, "undetermined": 0}


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.one_of(st.none(), st.booleans()), max_size=40),
    start=st.integers(0, 40),
    chunks=st.integers(1, 3),
)
def test_boolean_columns_read_from_their_bitmaps(cells: list[bool | None], start: int, chunks: int):
    # Validity and values are unpacked from the Arrow bitmaps (any offset, any chunking):
    # the same as Arrow's own kernels.
    from poverty_core.frame import FieldKind, _arrow_vec

    parts = [list(p) for p in np.array_split(np.array(cells, dtype=object), chunks)]
    column = pa.chunked_array([pa.array(p, pa.bool_()) for p in parts], pa.bool_())
    column = column.slice(min(start, len(cells)))
    vec = _arrow_vec(column, FieldKind("bool"), "flag")
    flat = column.combine_chunks()
    assert vec.known.tolist() == flat.is_valid().to_pylist()
    assert vec.values.tolist() == pc.fill_null(flat, False).to_pylist()
