"""THE property (DESIGN principle 1): one rule gives the same answer on one record and in
a batch. For random records — every field the national rules read randomly unknown or
known, values clustered at the thresholds — ``pack.decide`` equals
``pack.decide_batch(...).result(i)`` row for row: outcome, missing, and every finding's
status, observed and required values and missing fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc

SETTINGS = settings(
    max_examples=200,
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_NATIONAL = pc.load_pack("national")  # assembled once; hypothesis tests take no fixtures


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value unknown (``None``) or drawn from ``strategy``."""
    return st.one_of(st.none(), strategy)


def codes(cls: type[pc.Code]) -> st.SearchStrategy[Any]:
    return maybe(st.sampled_from(list(cls)))


def dates(start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=start, max_value=end)


AS_OF = st.one_of(
    dates(dt.date(2015, 1, 1), dt.date(2019, 12, 31)),
    # the edges where parameters start and stop
    st.sampled_from(
        [
            dt.date(2015, 12, 31),
            dt.date(2016, 1, 1),
            dt.date(2016, 12, 31),
            dt.date(2017, 1, 1),
            dt.date(2018, 12, 31),
            dt.date(2019, 1, 1),
        ]
    ),
)

BOOL = maybe(st.booleans())

# Incomes around the 2015 (2855) and 2016 (2952) lines, exact values included.
INCOME = maybe(
    st.one_of(
        st.sampled_from([0, 2855, 2855.01, 2951.99, 2952, 2952.0, 2952.01, 3200]),
        st.integers(2800, 3050),
        st.floats(2800, 3050, allow_nan=False),
    )
)

# Ages around the compulsory-school bounds (6 and 15), and adults.
AGE = maybe(st.one_of(st.integers(4, 17), st.integers(0, 100)))
# Birth dates that make a child 5–17 somewhere in 2015–2019, birthdays on the as_of dates.
BIRTH = maybe(
    st.one_of(
        dates(dt.date(1997, 1, 1), dt.date(2014, 12, 31)),
        st.sampled_from(
            [dt.date(2001, 1, 1), dt.date(2000, 12, 31), dt.date(2010, 1, 1), dt.date(2000, 2, 29)]
        ),
    )
)

STEP_DATE = maybe(
    st.one_of(
        dates(dt.date(2015, 1, 1), dt.date(2020, 6, 30)),
        st.sampled_from([dt.date(2016, 12, 31), dt.date(2017, 1, 1)]),
    )
)


def procedure(name: str, steps: list[str]) -> st.SearchStrategy[dict[str, dict[str, dt.date]]]:
    """No record of procedure ``name``, or a record with some steps dated (in any order)."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, dict[str, dt.date]]:
        if draw(st.integers(0, 3)) == 0:
            return {}
        dated = {s: draw(STEP_DATE) for s in steps}
        return {name: {s: d for s, d in dated.items() if d is not None}}

    return build()


HOUSEHOLD_STEPS = [s.id for s in _NATIONAL.procedures["household_exit"].steps]
VILLAGE_STEPS = [s.id for s in _NATIONAL.procedures["village_exit"].steps]
COUNTY_STEPS = [s.id for s in _NATIONAL.procedures["county_exit"].steps]


@st.composite
def persons(draw: st.DrawFn, pid: str) -> pc.Person:
    return pc.Person(
        id=pid,
        age=draw(AGE),
        birth_date=draw(BIRTH),
        schooling_status=draw(codes(pc.SchoolingStatus)),
        basic_medical_insurance=draw(BOOL),
        serious_illness_insurance=draw(BOOL),
        medical_assistance=draw(BOOL),
    )


@st.composite
def households(draw: st.DrawFn, hid: str) -> pc.Household:
    n = draw(st.integers(1, 6))
    return pc.Household(
        id=hid,
        members=[draw(persons(f"{hid}-m{i}")) for i in range(n)],
        annual_net_income_per_capita=draw(INCOME),
        food_secure=draw(BOOL),
        clothing_secure=draw(BOOL),
        house_grade=draw(codes(pc.HouseGrade)),
        relocated=draw(BOOL),
        relocation_keys_received=draw(BOOL),
        water_litres_per_person_day=draw(maybe(st.sampled_from([0, 19.9, 20, 34.9, 35, 60]))),
        water_short_area=draw(BOOL),
        water_trip_minutes=draw(maybe(st.sampled_from([0, 19, 20, 20.5, 45]))),
        water_horizontal_distance=draw(maybe(st.sampled_from([0, 799, 800, 801, 2000]))),
        water_vertical_distance=draw(maybe(st.sampled_from([0, 79, 80, 81, 200]))),
        water_days_without=draw(maybe(st.sampled_from([0, 35, 36, 37, 100]))),
        procedures=draw(procedure("household_exit", HOUSEHOLD_STEPS)),
    )


@st.composite
def villages(draw: st.DrawFn, vid: str) -> pc.Village:
    rural = draw(maybe(st.one_of(st.sampled_from([0, 1000]), st.integers(0, 3000))))
    top = 3000 if rural is None else rural
    poor = draw(
        maybe(
            st.one_of(
                st.sampled_from([p for p in (0, 15, 19, 20, 25, 29, 30, 31) if p <= top]),
                st.integers(0, top),
            )
        )
    )
    return pc.Village(
        id=vid,
        region=draw(codes(pc.Region)),
        rural_registered_population=rural,
        poor_population=poor,
        procedures=draw(procedure("village_exit", VILLAGE_STEPS)),
    )


@st.composite
def part_of(draw: st.DrawFn, wholes: list[int], parts: list[int]) -> tuple[Any, Any]:
    """A (part, whole) pair of counts, either unknown, with part ≤ whole."""
    whole = draw(maybe(st.one_of(st.sampled_from(wholes), st.integers(0, 2000))))
    top = 2000 if whole is None else whole
    part = draw(
        maybe(st.one_of(st.sampled_from([p for p in parts if p <= top]), st.integers(0, top)))
    )
    return part, whole


RATE = maybe(st.one_of(st.sampled_from([0.0, 0.0199, 0.02, 0.0201, 0.5]), st.floats(0, 1)))
APPROVAL = maybe(st.one_of(st.sampled_from([0.8999, 0.9, 0.9001, 1.0]), st.floats(0, 1)))


@st.composite
def counties(draw: st.DrawFn, cid: str) -> pc.County:
    poor, rural = draw(part_of([0, 1000, 100_000], [0, 19, 20, 29, 30, 2000, 3000]))
    wrong, exited = draw(part_of([0, 100, 1000], [0, 1, 2, 3, 20]))
    omitted, non_registered = draw(part_of([0, 100, 1000], [0, 1, 2, 3, 20]))
    approving, surveyed = draw(part_of([0, 10, 1000], [0, 9, 900, 901, 1000]))
    return pc.County(
        id=cid,
        region=draw(codes(pc.Region)),
        rural_registered_population=rural,
        poor_population=poor,
        sampled_exited=exited,
        sampled_wrongly_exited=wrong,
        sampled_non_registered_population=non_registered,
        verified_omitted=omitted,
        surveyed_households=surveyed,
        approving_households=approving,
        wrong_exit_rate=draw(RATE),
        omission_rate=draw(RATE),
        public_approval=draw(APPROVAL),
        procedures=draw(procedure("county_exit", COUNTY_STEPS)),
    )


def batch_of(make: Any, prefix: str, max_size: int = 8) -> st.SearchStrategy[list[Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[Any]:
        n = draw(st.integers(1, max_size))
        return [draw(make(f"{prefix}{i}")) for i in range(n)]

    return build()


def comparable(result: pc.DecisionResult) -> dict[str, Any]:
    """Everything a caller can read off a result, as plain values."""
    return {
        "id": result.subject_id,
        "outcome": result.outcome,
        "missing": result.missing,
        "findings": [
            {
                "rule": f.rule.id,
                "status": f.status,
                "observed": f.observed,
                "required": f.required,
                "comparison": f.comparison,
                "missing": f.missing,
                "parameters": [(p.name, p.value, p.pack, p.overridden) for p in f.parameters],
            }
            for f in result.findings
        ],
        "provenance": result.provenance,
    }


def assert_single_equals_batch(
    decision: str, records: list[Any], as_of: dt.date, overrides: dict[str, Any] | None = None
) -> None:
    batch = _NATIONAL.decide_batch(decision, records, as_of=as_of, overrides=overrides)
    assert len(batch) == len(records)
    outcomes = batch.outcomes()
    for i, record in enumerate(records):
        single = _NATIONAL.decide(decision, record, as_of=as_of, overrides=overrides)
        from_batch = batch.result(i)
        assert comparable(from_batch) == comparable(single), (decision, i, record)
        assert outcomes[i] is single.outcome
        assert batch.row_of(record.id) == i
    counts = batch.counts()
    assert sum(counts.values()) == len(records)


@SETTINGS
@given(records=batch_of(households, "h"), as_of=AS_OF)
def test_household_exit_single_equals_batch(records: list[pc.Household], as_of: dt.date) -> None:
    assert_single_equals_batch("household_exit", records, as_of)


@SETTINGS
@given(
    records=batch_of(households, "h"),
    as_of=AS_OF,
    line=maybe(st.sampled_from([2952, 3000, 3200.5])),
)
def test_household_exit_with_override_single_equals_batch(
    records: list[pc.Household], as_of: dt.date, line: float | None
) -> None:
    overrides = None if line is None else {"poverty_line": line}
    assert_single_equals_batch("household_exit", records, as_of, overrides)


@SETTINGS
@given(records=batch_of(households, "h"), as_of=AS_OF)
def test_drinking_water_single_equals_batch(records: list[pc.Household], as_of: dt.date) -> None:
    assert_single_equals_batch("drinking_water", records, as_of)


@SETTINGS
@given(records=batch_of(households, "h"), as_of=AS_OF)
def test_household_exit_procedure_single_equals_batch(
    records: list[pc.Household], as_of: dt.date
) -> None:
    assert_single_equals_batch("household_exit_procedure", records, as_of)


@SETTINGS
@given(records=batch_of(villages, "v"), as_of=AS_OF)
def test_village_exit_single_equals_batch(records: list[pc.Village], as_of: dt.date) -> None:
    assert_single_equals_batch("village_exit", records, as_of)
    assert_single_equals_batch("village_exit_procedure", records, as_of)


@SETTINGS
@given(records=batch_of(counties, "c"), as_of=AS_OF)
def test_county_exit_single_equals_batch(records: list[pc.County], as_of: dt.date) -> None:
    assert_single_equals_batch("county_exit", records, as_of)
    assert_single_equals_batch("county_exit_procedure", records, as_of)


# -- the same random records through JSON --------------------------------------------------


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(record=households("h"))
def test_household_round_trip_and_schema(record: pc.Household) -> None:
    data = record.to_dict()
    assert pc.Household.from_dict(data) == record
    jsonschema.validate(data, pc.json_schema("household"))


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(village=villages("v"), county=counties("c"))
def test_village_county_round_trip_and_schema(village: pc.Village, county: pc.County) -> None:
    assert pc.Village.from_dict(village.to_dict()) == village
    assert pc.County.from_dict(county.to_dict()) == county
    jsonschema.validate(village.to_dict(), pc.json_schema("village"))
    jsonschema.validate(county.to_dict(), pc.json_schema("county"))
