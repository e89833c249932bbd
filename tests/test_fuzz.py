"""Fuzzing the public loading functions: any JSON value gives a record or the library's
own error — never another exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core.io import parse_dataset, read_dataset

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)

FIELD_NAMES = [*pc.Household.field_labels(), "members", "x", ""]
MEMBER_NAMES = [*pc.Person.field_labels(), "y"]

# Records shaped like households, with wrong or right values in real field names: this
# reaches the deep paths that arbitrary JSON rarely does.
members = st.lists(
    st.dictionaries(st.sampled_from(MEMBER_NAMES), json_values, max_size=6), max_size=3
)
households = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=5), json_values)},
    optional={"members": st.one_of(members, json_values)},
).flatmap(
    lambda base: st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6).map(
        lambda extra: {**extra, **base}
    )
)

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _only_own_errors(load: Any, value: Any) -> None:
    problems: tuple[pc.Problem, ...] = ()
    try:
        load(value)
    except pc.InputError as err:
        problems = err.problems or (None,)  # type: ignore[assignment]
    for problem in problems:
        assert problem is not None, "an InputError lists at least one problem"
        assert problem.path
        assert problem.message.zh
        assert problem.message.en


@SETTINGS
@given(json_values)
def test_any_json_value_as_a_household(value: Any) -> None:
    _only_own_errors(pc.Household.from_dict, value)


@SETTINGS
@given(households)
def test_household_shaped_records(value: dict[str, Any]) -> None:
    _only_own_errors(pc.Household.from_dict, value)


@SETTINGS
@given(st.dictionaries(st.sampled_from([*pc.Village.field_labels(), "z"]), json_values, max_size=8))
def test_village_shaped_records(value: dict[str, Any]) -> None:
    _only_own_errors(pc.Village.from_dict, value)


@SETTINGS
@given(st.dictionaries(st.sampled_from([*pc.County.field_labels(), "z"]), json_values, max_size=8))
def test_county_shaped_records(value: dict[str, Any]) -> None:
    _only_own_errors(pc.County.from_dict, value)


@SETTINGS
@given(json_values | st.fixed_dictionaries({"households": st.lists(households, max_size=3)}))
def test_any_json_document_as_an_input_file(value: Any) -> None:
    _only_own_errors(parse_dataset, value)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=200))
def test_any_bytes_as_an_input_file(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = Path(tmp_path_factory.mktemp("fuzz")) / "in.json"
    path.write_bytes(raw)
    _only_own_errors(read_dataset, path)


def test_a_valid_record_survives_the_fuzzers_round_trip() -> None:
    record = {"id": "h", "members": [{"id": "1", "age": 3}]}
    household = pc.Household.from_dict(json.loads(json.dumps(record)))
    assert household.to_dict() == record


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_any_bytes_as_csv_register(
    tmp_path_factory: pytest.TempPathFactory, households: bytes, members: bytes
) -> None:
    from poverty_core.columnar import open_register

    folder = Path(tmp_path_factory.mktemp("csvfuzz"))
    (folder / "h.csv").write_bytes(b"id,annual_net_income_per_capita\n" + households)
    (folder / "m.csv").write_bytes(b"household_id,id,age\n" + members)

    def load(_: Any) -> None:
        register = open_register(folder / "h.csv", folder / "m.csv")
        for _batch in register.batches():
            pass

    _only_own_errors(load, None)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_whole_csv_file(
    tmp_path_factory: pytest.TempPathFactory, raw: bytes
) -> None:
    from poverty_core.columnar import open_register

    path = Path(tmp_path_factory.mktemp("csvfuzz")) / "h.csv"
    path.write_bytes(raw)
    _only_own_errors(lambda _: open_register(path).validate(), None)
