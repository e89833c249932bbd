"""The batch fast paths give the general paths' answers: code columns matched against the
code list's spellings (by bytes when the cells are all of one width, else by one Arrow
``index_in``) give the ids of the dictionary of distinct texts parsed one by one; keys of
one width compared in numpy find the runs Arrow's comparison finds; and a decision from
Arrow tables, members in order or not, code columns plain or dictionaries, gives what
one record gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poverty_core as pcore
from poverty_core._arrow_buffers import _bits, _neighbours_differ
from poverty_core.codes import Code, HouseGrade, SchoolingStatus
from poverty_core.frame import FieldKind, _arrow_vec, _parsed_ids, frame_from_arrow, member_owners


class _Width2(Code):
    """A code list of two-byte codes (a test's own)."""

    AA = "aa", "甲", "first"
    AB = "ab", "乙", "second"


class _Width4(Code):
    """A code list of four-byte codes (a test's own)."""

    ONE = "one1", "一", "one"
    TWO = "two2", "二", "two"


class _Width8(Code):
    """A code list of eight-byte codes (a test's own)."""

    FIRST = "first_01", "第一", "the first"
    OTHER = "other_02", "第二", "the other"


def _general(column: Any, code: type[Code]) -> tuple[list[int], list[bool]]:
    """The general road: the dictionary of the column's distinct texts, each parsed."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    known = _bits(column.buffers()[0], column.offset, len(column), fill=True)
    return _parsed_ids(column, known, code, "x").tolist(), known.tolist()


def _fast(column: Any, code: type[Code]) -> tuple[list[int], list[bool]]:
    vec = _arrow_vec(column, FieldKind("code", code), "x")
    assert vec.coded
    assert vec.values.dtype == np.int32
    return vec.values.tolist(), vec.known.tolist()


def _spellings(code: type[Code]) -> list[str]:
    return [t for m in code for t in (m.value, m.label.zh, m.label.en)]


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    code=st.sampled_from([HouseGrade, SchoolingStatus, _Width2, _Width4, _Width8]),
    large=st.booleans(),
    chunks=st.integers(1, 3),
    start=st.integers(0, 3),
)
def test_code_columns_match_the_parsed_dictionary(
    data: st.DataObject, code: type[Code], large: bool, chunks: int, start: int
) -> None:
    # Codes only (the byte road when they are of one width), nulls, labels, padded codes.
    words = [m.value for m in code]
    cell = st.one_of(
        st.none(),
        st.sampled_from(words),
        st.sampled_from(_spellings(code)),
        st.sampled_from([f" {w}" for w in words]),
    )
    cells = data.draw(st.lists(cell, max_size=40))
    if data.draw(st.booleans()):  # often only codes and nulls
        cells = [c if c is None else c.strip() for c in cells]
        cells = [c if c is None or c in words else words[0] for c in cells]
    tp = pa.large_string() if large else pa.string()
    whole = pa.array([None] * start + cells, tp).slice(start)
    assert _fast(whole, code) == _general(whole, code)
    parts = np.array_split(np.arange(len(cells)), chunks)
    chunked = pa.chunked_array([whole.slice(int(p[0]), len(p)) for p in parts if len(p)], tp)
    assert _fast(chunked, code) == _general(whole, code)
    assert _fast(whole.dictionary_encode(), code) == _general(whole, code)


@pytest.mark.parametrize(
    "cells",
    [
        ["A", "B", "C", "D"],  # one byte each: the byte road
        ["A", None, "B"],
        ["in_school", "graduated", None, "out_of_school"],  # several widths: index_in
        ["aa", "ab", None],
    ],
)
def test_each_road_gives_the_dictionarys_ids(cells: list[str | None]) -> None:
    code = _Width2 if "aa" in cells else SchoolingStatus if "graduated" in cells else HouseGrade
    column = pa.array(cells, pa.string())
    assert _fast(column, code) == _general(column, code)


def test_a_null_with_bytes_behind_it_is_still_unknown() -> None:
    # Arrow lets a null cell span bytes: not the byte road's layout, the same answer.
    good = pa.array(["A", "B", "C"])
    validity = pa.py_buffer(np.packbits([1, 0, 1], bitorder="little").tobytes())
    column = pa.Array.from_buffers(pa.string(), 3, [validity, *good.buffers()[1:]])
    assert column.to_pylist() == ["A", None, "C"]
    assert _fast(column, HouseGrade) == _general(column, HouseGrade)


@pytest.mark.parametrize(
    "cells",
    [
        ["A", "Z"],  # one byte, not a code
        ["A", "AB"],  # no single width
        ["in_school", "in_schoal"],  # a code's width and first letter, not a code
        ["graduated", None, "在校"],  # a label's prefix
    ],
)
def test_a_text_no_code_has_raises_as_the_dictionary_does(cells: list[str | None]) -> None:
    code = SchoolingStatus if any(c and len(c) > 2 for c in cells) else HouseGrade
    column = pa.array(cells, pa.string())
    with pytest.raises(ValueError, match="is not a code of") as general:
        _general(column, code)
    with pytest.raises(ValueError, match="is not a code of") as fast:
        _fast(column, code)
    assert str(fast.value) == str(general.value)
    assert "x: " in str(fast.value)


# -- keys of one width compared in numpy ------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    width=st.sampled_from([1, 2, 3, 4, 5, 8, 10, 16, 17]),
    keys=st.lists(st.integers(0, 3), max_size=30),
    start=st.integers(0, 3),
    large=st.booleans(),
    ragged=st.booleans(),
)
def test_neighbours_differ_as_arrow_compares(
    width: int, keys: list[int], start: int, large: bool, ragged: bool
) -> None:
    def text(k: int) -> str:
        # Keys differing in the first, a middle or the last byte.
        body = ["x" * width, "y" + "x" * (width - 1), "x" * (width - 1) + "z"][k % 3]
        return body + ("w" if ragged and k == 3 else "")

    tp = pa.large_string() if large else pa.string()
    column = pa.array(["pad"] * start + [text(k) for k in keys], tp).slice(start)
    got = _neighbours_differ(column)
    if len(column) < 2:
        assert len(got) <= max(0, len(column) - 1)
        return
    expected = pc.not_equal(column[1:], column[:-1]).to_pylist()
    assert got.tolist() == expected


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=25),
    width=st.sampled_from([4, 9, 12]),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_owners_of_one_width_keys_equal_the_hash_join(
    sizes: list[int], width: int, shuffle: bool, seed: int
) -> None:
    ids = pa.array([f"{i:0{width}d}" for i in range(len(sizes))])
    keys = [ids[i].as_py() for i, size in enumerate(sizes) for _ in range(size)]
    if shuffle:
        np.random.default_rng(seed).shuffle(keys)
    got = member_owners(pa.chunked_array([pa.array(keys)]), ids)
    assert got.tolist() == pc.index_in(pa.array(keys), value_set=ids).to_pylist()


# -- a decision from Arrow tables equals one record's ---------------------------------

_NATIONAL = pcore.load_pack("national")
AS_OF = dt.date(2016, 12, 31)


def _register(seed: int, n: int) -> tuple[pa.Table, pa.Table]:
    """A small SYNTHETIC register with every code present, absent and unknown."""
    rng = np.random.default_rng(seed)

    def maybe(values: list[Any], p: float = 0.15) -> list[Any]:
        return [None if rng.random() < p else v for v in values]

    ids = [f"H{i:05d}" for i in range(n)]
    households = pa.table(
        {
            "id": ids,
            "annual_net_income_per_capita": maybe(list(rng.uniform(2500, 3500, n))),
            "food_secure": maybe(list(rng.random(n) < 0.9)),
            "clothing_secure": maybe(list(rng.random(n) < 0.9)),
            "house_grade": maybe(list(rng.choice(["A", "B", "C", "D"], n))),
            "relocated": maybe(list(rng.random(n) < 0.3)),
            "relocation_keys_received": maybe(list(rng.random(n) < 0.5)),
        }
    )
    sizes = rng.integers(1, 5, n)
    owner = np.repeat(np.arange(n), sizes)
    m = len(owner)
    statuses = [s.value for s in SchoolingStatus]
    members = pa.table(
        {
            "household_id": [ids[i] for i in owner],
            "id": [f"{ids[i]}-{j}" for j, i in enumerate(owner)],
            "age": maybe([int(a) for a in rng.integers(3, 20, m)]),
            "schooling_status": maybe(list(rng.choice(statuses, m))),
            "basic_medical_insurance": maybe(list(rng.random(m) < 0.95), 0.05),
            "serious_illness_insurance": maybe(list(rng.random(m) < 0.95), 0.05),
            "medical_assistance": maybe(list(rng.random(m) < 0.95), 0.05),
        }
    )
    return households, members


def _answers(result: Any) -> list[Any]:
    return [result.result(i).to_dict() for i in range(len(result))]


@pytest.mark.parametrize("seed", [1, 2])
def test_decisions_from_arrow_equal_one_records(seed: int) -> None:
    households, members = _register(seed, 60)
    batch = _NATIONAL.decide_batch(
        "household_exit", frame_from_arrow(households, members), as_of=AS_OF
    )
    records = [pcore.Household.from_dict(r) for r in _nested(households, members)]
    one = [_NATIONAL.decide("household_exit", r, as_of=AS_OF).to_dict() for r in records]
    assert _answers(batch) == one
    # Members out of order; code columns as dictionaries: the same answers.
    order = np.random.default_rng(seed).permutation(members.num_rows)
    shuffled = members.take(pa.array(order))
    encoded = households.set_column(
        households.schema.get_field_index("house_grade"),
        "house_grade",
        pc.dictionary_encode(households.column("house_grade")),
    )
    for h, m in ((households, shuffled), (encoded, members)):
        again = _NATIONAL.decide_batch("household_exit", frame_from_arrow(h, m), as_of=AS_OF)
        assert _answers(again) == one


def _nested(households: pa.Table, members: pa.Table) -> list[dict[str, Any]]:
    rows = {r["id"]: {**r, "members": []} for r in households.to_pylist()}
    for member in members.to_pylist():
        owner = member.pop("household_id")
        rows[owner]["members"].append({k: v for k, v in member.items() if v is not None})
    return [{k: v for k, v in r.items() if v is not None} for r in rows.values()]
