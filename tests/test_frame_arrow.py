"""Arrow columns read straight from their buffers (numbers, code indices), the members
joined by runs of keys, and a batch's ids kept as the Arrow column until read: the same
values as Python reads them, whatever the chunks, offsets and nulls."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

import poverty_core as pc
from poverty_core.codes import HouseGrade
from poverty_core.frame import FieldKind, _arrow_vec, frame_from_arrow, member_owners, string_id

NUMBER_CASES = [
    pa.array([1, None, 3, -7], pa.int64()),
    pa.array([1, None, 3, -7], pa.int32()).slice(1),
    pa.array([1.5, None, float("inf"), 0.25], pa.float64()).slice(1, 2),
    pa.array([2.5, None], pa.float32()),
    pa.array([None, None], pa.int64()),
    pa.array([], pa.float64()),
    pa.chunked_array([pa.array([1, None], pa.int16()), pa.array([None, 9], pa.int16())]),
    pa.array([True, None, False]),  # a boolean column read as a number: the cast path
]


@pytest.mark.parametrize("column", NUMBER_CASES, ids=lambda c: str(c.type))
def test_number_columns_read_as_python_reads_them(column: pa.Array) -> None:
    vec = _arrow_vec(column, FieldKind("number"), "x")
    cells = column.to_pylist()
    assert vec.known.tolist() == [c is not None for c in cells]
    assert vec.values.dtype == np.float64
    assert vec.values.tolist() == [0.0 if c is None else float(c) for c in cells]


CODE_CASES = [
    pa.array(["A", None, "B", "C", "D"]),
    pa.array(["A", None, "B", "C", "D"]).slice(1, 3),
    pa.array(["A级", None, " B "]),  # a label and a padded code: parsed as one record is
    pa.array(["A", None, "B"]).dictionary_encode(),
    pa.chunked_array([pa.array(["C", None]), pa.array(["A"])]),
    pa.array([None, None], pa.string()),
    pa.array([], pa.string()),
]


@pytest.mark.parametrize("column", CODE_CASES, ids=lambda c: str(c.type))
def test_code_columns_hold_each_codes_string_id(column: pa.Array) -> None:
    vec = _arrow_vec(column, FieldKind("code", HouseGrade), "house_grade")
    cells = column.to_pylist()
    assert vec.coded
    assert vec.known.tolist() == [c is not None for c in cells]
    expected = [0 if c is None else string_id(HouseGrade.parse(c).value) for c in cells]
    assert vec.values.tolist() == expected


def test_a_text_no_code_has_is_an_error_naming_the_column() -> None:
    with pytest.raises(ValueError, match="house_grade"):
        _arrow_vec(pa.array(["A", "Z"]), FieldKind("code", HouseGrade), "house_grade")


@pytest.mark.parametrize("chunked", [False, True])
def test_members_in_household_order_are_numbered_by_runs(chunked: bool) -> None:
    keys = ["h1", "h1", "h2", "h3", "h3", "h3"]
    ids = pa.array(["h1", "h2", "h3"])
    column = pa.chunked_array([keys[:4], keys[4:]]) if chunked else pa.array(keys)
    assert member_owners(column, ids).tolist() == [0, 0, 1, 2, 2, 2]
    # Out of order: the hash join, the same answer.
    shuffled = pa.array(["h3", "h1", "h2", "h1"])
    assert member_owners(shuffled, ids).tolist() == [2, 0, 1, 0]


def test_a_batch_from_arrow_gives_its_ids_when_read() -> None:
    households = [
        pc.Household.from_dict(
            {
                "id": f"h{i}",
                "annual_net_income_per_capita": 3000 + i,
                "food_secure": True,
                "clothing_secure": True,
                "house_grade": "A",
                "members": [{"id": f"h{i}-p1", "age": 40}],
            }
        )
        for i in range(4)
    ]
    tables = pc.tables_from_records(households)
    pack = pc.load_pack("national")
    as_of = dt.date(2016, 12, 31)
    batch = pack.decide_batch("household_exit", frame_from_arrow(*tables), as_of=as_of)
    assert len(batch) == 4
    assert batch.result(2).subject_id == "h2"
    assert batch.ids.dtype == object
    assert batch.ids.tolist() == ["h0", "h1", "h2", "h3"]
    assert batch.row_of("h3") == 3
    one = pack.decide("household_exit", households[2], as_of=as_of)
    assert batch.result(2).to_dict() == one.to_dict()


def test_a_results_table_is_the_same_from_arrow_and_from_records() -> None:
    from poverty_core.batch import result_table

    households = [
        pc.Household.from_dict(
            {
                "id": f"h{i}",
                "annual_net_income_per_capita": 2000 + 700 * i,
                "food_secure": i != 1,
                "clothing_secure": True,
                "house_grade": "A",
                "members": [{"id": f"h{i}-p1", "age": 40}],
            }
        )
        for i in range(5)
    ]
    pack = pc.load_pack("national")
    as_of = dt.date(2016, 12, 31)
    from_arrow = pack.decide_batch(
        "household_exit", frame_from_arrow(*pc.tables_from_records(households)), as_of=as_of
    )
    from_records = pack.decide_batch("household_exit", households, as_of=as_of)
    arrow_table = result_table(from_arrow)
    records_table = result_table(from_records)
    assert arrow_table.column("id").type == pa.string()
    assert arrow_table.to_pylist() == records_table.to_pylist()
    assert arrow_table.column("id").to_pylist() == [f"h{i}" for i in range(5)]
    outcomes = arrow_table.column("outcome").to_pylist()
    assert outcomes == [from_records.result(i).outcome.value for i in range(5)]
    assert "not_eligible" in outcomes
    assert len(set(outcomes)) == 2


@pytest.mark.parametrize(
    ("ids", "within", "expected"),
    [
        (["a", "b", "c"], None, True),
        (["a", "b", "b"], None, False),  # a repeat is not a rise
        (["a", None, "a"], None, False),  # nulls never take the shortcut
        (["b", "a"], None, False),
        (["h1-1", "h1-2", "h2-1", "h2-2"], [0, 0, 1, 1], True),
        (["h1-2", "h1-1", "h2-1"], [0, 0, 1], False),  # falls within a household
        (["y", "x", "y"], [0, 1, 1], True),  # equal ids in different households
        (["x", "y", "x"], [0, 1, 0], False),  # a household seen again: not in order
        (["x", "x"], [0, 0], False),
    ],
)
def test_ids_rising_in_order_cannot_repeat(
    ids: list[str | None], within: list[int] | None, expected: bool
) -> None:
    from poverty_core.registers.batch import _increasing

    owners = None if within is None else np.array(within)
    assert _increasing(pa.array(ids, pa.string()), within=owners) is expected
