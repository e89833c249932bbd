"""Each field check is declared once (:mod:`poverty_core.checks`): its one-value and column
forms agree, its JSON Schema fragment says its bounds, its messages are in Chinese and
English, and the model, the vocabulary, the JSON Schema and the register readers all use
the declarations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import jsonschema
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core import checks
from poverty_core.checks import DECLARED, Check, bounded
from poverty_core.model import FieldValueError
from poverty_core.registers.checks import _check_column
from poverty_core.registers.specs import _column_spec, _Spec
from poverty_core.vocabulary import CHECKS

BOUNDED = [c for c in DECLARED.values() if c.minimum is not None or c.maximum is not None]
WITH_COLUMN = [c for c in DECLARED.values() if c.column is not None]
TODAY = dt.date.today()
CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # Han, CJK punctuation


def _column_agrees(check: Check, values: list[Any], arrow_type: pa.DataType) -> None:
    """The column form fails exactly the values the one-value form fails."""
    arr = pa.array(values, arrow_type)
    assert check.column is not None
    column = check.column(arr).tolist()
    one = [
        v is not None and check(tuple(v) if isinstance(v, list) else v) is not None for v in values
    ]
    assert column == one, (check.name, values)
    assert check.failing(arr).tolist() == one


# -- declarations ------------------------------------------------------------------------------


@pytest.mark.parametrize("check", list(DECLARED.values()), ids=list(DECLARED))
def test_messages_in_chinese_and_english(check: Check) -> None:
    assert check.messages
    for message in check.messages:
        assert CHINESE.search(message.zh), message
        assert not CHINESE.search(message.en), message
        assert message.en.strip()


@pytest.mark.parametrize("check", list(DECLARED.values()), ids=list(DECLARED))
def test_unknown_passes(check: Check) -> None:
    assert check(None) is None or check is DECLARED["non_empty_id"]


@pytest.mark.parametrize("check", BOUNDED, ids=[c.name for c in BOUNDED])
def test_json_schema_fragment_says_the_bounds(check: Check) -> None:
    fragment = check.json_schema()
    assert fragment.get("minimum") == check.minimum
    assert fragment.get("maximum") == check.maximum
    edges = [
        b + d
        for b in (check.minimum, check.maximum)
        if b is not None
        for d in (-1, -0.5, 0, 0.5, 1)
    ]
    for value in edges:
        by_schema = jsonschema.Draft202012Validator({"type": "number", **fragment}).is_valid(value)
        assert by_schema == (check(value) is None), (check.name, value)


@pytest.mark.parametrize("check", BOUNDED, ids=[c.name for c in BOUNDED])
def test_bounds_are_allowed(check: Check) -> None:
    """``0–150`` allows 0 and 150: a bound itself passes, just past it fails."""
    for bound, step in ((check.minimum, -1), (check.maximum, 1)):
        if bound is None:
            continue
        assert check(bound) is None
        assert check(bound + step * 1e-9) is not None
        assert check(bound + step) is not None
    _column_agrees(check, [check.minimum, check.maximum, None], pa.float64())


def test_not_a_number_fails_a_bounded_check() -> None:
    for check in BOUNDED:
        assert check(float("nan")) is not None, check.name
        assert check.column is not None
        assert check.column(pa.array([float("nan"), None], pa.float64())).tolist() == [True, False]


def test_schema_constraints_of_other_checks() -> None:
    assert DECLARED["non_empty_id"].json_schema() == {"minLength": 1}
    assert DECLARED["members"].json_schema() == {"minItems": 1}
    assert DECLARED["other_causes"].json_schema() == {"maxItems": 2, "uniqueItems": True}
    pattern = jsonschema.Draft202012Validator(
        {"type": "string", **DECLARED["id_number"].json_schema()}
    )
    assert pattern.is_valid("11010519491231002X")
    assert not pattern.is_valid("1101051949123100")


# -- the one-value and column forms agree ----------------------------------------------------

_NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [-1, -1e-9, 0, 1e-9, 0.5, 1, 1 + 1e-9, 150, 150.5, 151, 1999, 2000, 2100, 2101]
    ),
    st.none(),
)


@pytest.mark.parametrize("check", BOUNDED, ids=[c.name for c in BOUNDED])
@settings(max_examples=60, derandomize=True, deadline=None)
@given(values=st.lists(_NUMBERS, max_size=20))
def test_bounded_forms_agree(check: Check, values: list[Any]) -> None:
    _column_agrees(check, [None if v is None else float(v) for v in values], pa.float64())
    whole = [v for v in values if v is None or (isinstance(v, int) and not isinstance(v, bool))]
    _column_agrees(check, whole, pa.int64())


_DATE_EDGES = [
    checks.EARLIEST_EVENT,
    checks.EARLIEST_EVENT - dt.timedelta(days=1),
    TODAY,
    TODAY + dt.timedelta(days=1),
    dt.date(TODAY.year - 150, 1, 1),
    dt.date(TODAY.year - 151, 12, 31),
]
_DATES = st.one_of(
    st.dates(dt.date(1800, 1, 1), TODAY + dt.timedelta(days=800)), st.sampled_from(_DATE_EDGES)
)


@pytest.mark.parametrize("name", ["event_date", "birth_date"])
@settings(max_examples=60, derandomize=True, deadline=None)
@given(values=st.lists(st.one_of(_DATES, st.none()), max_size=20))
def test_date_forms_agree(name: str, values: list[Any]) -> None:
    _column_agrees(DECLARED[name], values, pa.date32())


@settings(max_examples=60, derandomize=True, deadline=None)
@given(values=st.lists(st.one_of(st.lists(_DATES, max_size=4), st.none()), max_size=12))
def test_date_list_forms_agree(values: list[Any]) -> None:
    _column_agrees(DECLARED["event_dates"], values, pa.list_(pa.date32()))


def test_procedure_dates_check_each_step_as_an_event_date() -> None:
    check = DECLARED["procedure_dates"]
    assert check.item is checks.EVENT_DATE
    for when in _DATE_EDGES:
        inner = check.item(when)
        whole = check({"exit": {"review": when}})
        assert (whole is None) == (inner is None)
        if whole is not None and inner is not None:
            assert whole.en == f"exit.review: {inner.en}"


def _with_check_character(seventeen: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        seventeen
        + "10X98765432"[sum(int(c) * w for c, w in zip(seventeen, weights, strict=True)) % 11]
    )


_SEVENTEEN = st.builds(
    lambda area, day, serial: f"{area}{day:%Y%m%d}{serial:03d}",
    st.sampled_from(["110105", "350122", "350628"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999),
)
_ID_NUMBERS = st.one_of(
    _SEVENTEEN.map(_with_check_character),
    _SEVENTEEN.map(_with_check_character).map(str.lower),
    st.text("0123456789Xx", min_size=16, max_size=19),
    st.builds(lambda s, c: s + c, _SEVENTEEN, st.sampled_from("0123456789Xx")),
    st.builds(
        lambda s, m: s[:10] + m + s[12:],
        _SEVENTEEN.map(_with_check_character),
        st.sampled_from(["00", "13", "02"]),
    ),
    st.sampled_from(["110105194913310021", "11010519491231002X", "abc", ""]),
)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(values=st.lists(st.one_of(_ID_NUMBERS, st.none()), max_size=12))
def test_id_number_forms_agree(values: list[Any]) -> None:
    _column_agrees(DECLARED["id_number"], values, pa.string())


@settings(max_examples=80, derandomize=True, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.lists(st.sampled_from(["illness", "disability", "education"]), max_size=4), st.none()
        ),
        max_size=12,
    )
)
def test_other_causes_forms_agree(values: list[Any]) -> None:
    _column_agrees(DECLARED["other_causes"], values, pa.list_(pa.string()))


def test_checks_without_a_column_form_are_done_by_reading() -> None:
    """The two checks with no column form are those a reader does as part of reading."""
    assert {c.name for c in DECLARED.values() if c.column is None} == {
        "non_empty_id",
        "members",
        "procedure_dates",
    }
    assert {c.name for c in DECLARED.values() if not c.in_registers} == {"non_empty_id", "members"}
    assert DECLARED["non_empty_id"]("  ") is not None
    assert DECLARED["members"](()) is not None


def test_a_pack_bound_is_a_bounded_check() -> None:
    check = bounded(
        "bounds",
        1,
        None,
        pc.Text("必须 ≥ 1（实为 {value}）", "must be ≥ 1 (got {value})"),
    )
    assert check(1) is None
    failed = check(0.5)
    assert failed is not None
    assert failed.en == "must be ≥ 1 (got 0.5)"
    assert check.json_schema() == {"minimum": 1}


# -- one declaration, used everywhere --------------------------------------------------------------


def _model_checks() -> dict[str, Check]:
    out: dict[str, Check] = {}
    for kind in (pc.Person, pc.Household, pc.Village, pc.County, pc.StatusEvent):
        for a in attrs.fields(kind):
            check = a.metadata.get("check")
            if check is not None:
                out[f"{kind.__name__}.{a.name}"] = check
    return out


def test_the_model_uses_the_declared_checks() -> None:
    used = _model_checks()
    assert all(c is DECLARED[c.name] for c in used.values()), used
    # every declared check is used by the model, or offered to packs only
    assert set(DECLARED) == {c.name for c in used.values()} | {"event_dates"}
    assert "event_dates" in CHECKS
    assert used["Person.age"] is checks.AGE
    assert used["Household.other_causes"] is checks.OTHER_CAUSES
    with pytest.raises(FieldValueError, match="age must be 0–150"):
        pc.Person(id="p", age=151)


def test_the_vocabulary_names_declared_checks() -> None:
    assert CHECKS == {
        "event_date": ("date", checks.EVENT_DATE),
        "event_dates": ("date_list", checks.EVENT_DATES),
        "ratio": ("number", checks.RATIO),
    }
    for name, (field_type, check) in CHECKS.items():
        assert check is DECLARED[name]
        assert check.field_type == field_type


def test_the_json_schema_takes_the_declarations() -> None:
    household = pc.json_schema("household")
    props = household["properties"]
    income = props["annual_net_income_per_capita"]["anyOf"][0]
    assert income["minimum"] == checks.NON_NEGATIVE.minimum
    person = household["$defs"]["Person"]["properties"]
    assert person["age"]["anyOf"][0]["maximum"] == checks.AGE.maximum
    assert props["other_causes"]["anyOf"][0]["maxItems"] == 2


@pytest.mark.parametrize("check", WITH_COLUMN, ids=[c.name for c in WITH_COLUMN])
def test_the_reader_runs_the_declared_check(check: Check) -> None:
    """The register readers run a spec's check through its declaration (no lookup by
    function name): a failing value gets the one-value form's message."""
    samples: dict[str, tuple[list[Any], pa.DataType, str]] = {
        "non_negative": ([5.0, -1.0, None], pa.float64(), "float"),
        "age": ([0, 151, None], pa.int64(), "int"),
        "ratio": ([1.0, 1.5, None], pa.float64(), "float"),
        "year": ([2100, 1999, None], pa.int64(), "int"),
        "event_date": ([TODAY, dt.date(2009, 12, 31), None], pa.date32(), "date"),
        "birth_date": ([TODAY, TODAY + dt.timedelta(days=1), None], pa.date32(), "date"),
        "event_dates": (
            [[TODAY], [TODAY, dt.date(2001, 1, 1)], None],
            pa.list_(pa.date32()),
            "list",
        ),
        "id_number": (["11010519491231002X", "110105194913310021", None], pa.string(), "text"),
        "other_causes": (
            [["illness"], ["illness", "illness"], None],
            pa.list_(pa.string()),
            "list",
        ),
    }
    values, arrow_type, kind = samples[check.name]
    spec = _Spec("x", kind, arrow_type, check=check)
    arr = pa.array(values, arrow_type)
    bad = _check_column(arr, spec, np.zeros(len(arr), np.bool_), {})
    value = values[1]
    assert bad == [(1, check(tuple(value) if isinstance(value, list) else value))]


def test_a_procedure_step_column_gets_the_item_check() -> None:
    spec = _column_spec("households", "procedures.exit.review")
    assert spec.check is not None
    assert spec.check.column is checks.EVENT_DATE.column
    arr = pa.array([TODAY, dt.date(2009, 1, 1)], pa.date32())
    [(row, message)] = _check_column(arr, spec, np.zeros(2, np.bool_), {})
    assert row == 1
    assert message.en.startswith("exit.review: date 2009-01-01")


def test_each_validator_carries_its_declared_check() -> None:
    """A field's attrs validator holds the declaration it runs, so the converter's fast
    path leaves the check to it (no check runs twice, none is skipped)."""
    for kind in (pc.Person, pc.Household, pc.Village, pc.County, pc.StatusEvent):
        for a in attrs.fields(kind):
            check = a.metadata.get("check")
            if check is None:
                continue
            # a list of validators is one attrs.validators.and_ (its _validators)
            validators = getattr(a.validator, "_validators", None) or [a.validator]
            assert check in [getattr(v, "check", None) for v in validators], a.name
