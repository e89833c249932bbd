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
import pytest
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


# Every year 2015–2019 alike (parameters start in 2016, 2017 and 2019; the poverty line
# stops after 2016), with the edges where parameters start and stop.
AS_OF = st.one_of(
    st.builds(
        lambda year, day: dt.date(year, 1, 1) + dt.timedelta(days=day),
        st.sampled_from([2016, 2019, 2015, 2017, 2018]),
        st.integers(0, 364),
    ),
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


def good_or(good: Any, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` half the time, else ``strategy``: criteria are met often enough that
    records passing every criterion are drawn too, not only failures and unknowns."""
    return st.one_of(st.just(good), strategy)


MOSTLY_TRUE = good_or(True, BOOL)

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


def procedure(name: str) -> st.SearchStrategy[dict[str, dict[str, dt.date]]]:
    """No record of procedure ``name``; every step dated in order (complete by some date);
    or some steps dated at random (out of order, missing, after the assessment date)."""
    steps = [s.id for s in _NATIONAL.procedures[name].steps]
    in_order = st.lists(
        dates(dt.date(2015, 1, 1), dt.date(2019, 12, 31)), min_size=len(steps), max_size=len(steps)
    ).map(lambda ds: {name: dict(zip(steps, sorted(ds), strict=True))})
    dated = st.fixed_dictionaries(dict.fromkeys(steps, STEP_DATE)).map(
        lambda d: {name: {k: v for k, v in d.items() if v is not None}}
    )
    return st.one_of(in_order, st.just({}), dated)


PERSON = st.fixed_dictionaries(
    {
        "age": AGE,
        "birth_date": BIRTH,
        "schooling_status": good_or(pc.SchoolingStatus.IN_SCHOOL, codes(pc.SchoolingStatus)),
        "insurance": good_or((True, True, True), st.tuples(BOOL, BOOL, BOOL)),
    }
)


def _person(pid: str, fields: dict[str, Any]) -> pc.Person:
    basic, serious, assistance = fields["insurance"]
    return pc.Person(
        id=pid,
        age=fields["age"],
        birth_date=fields["birth_date"],
        schooling_status=fields["schooling_status"],
        basic_medical_insurance=basic,
        serious_illness_insurance=serious,
        medical_assistance=assistance,
    )


HOUSEHOLD = st.fixed_dictionaries(
    {
        "members": st.lists(PERSON, min_size=1, max_size=6),
        "annual_net_income_per_capita": good_or(3200, INCOME),
        "food_secure": MOSTLY_TRUE,
        "clothing_secure": MOSTLY_TRUE,
        "house_grade": good_or(pc.HouseGrade.B, codes(pc.HouseGrade)),
        "relocated": BOOL,
        "relocation_keys_received": BOOL,
        "water_litres_per_person_day": good_or(
            60, maybe(st.sampled_from([0, 19.9, 20, 34.9, 35, 60]))
        ),
        "water_short_area": BOOL,
        "water_trip_minutes": good_or(10, maybe(st.sampled_from([0, 19, 20, 20.5, 45]))),
        "water_horizontal_distance": maybe(st.sampled_from([0, 799, 800, 801, 2000])),
        "water_vertical_distance": maybe(st.sampled_from([0, 79, 80, 81, 200])),
        "water_days_without": good_or(0, maybe(st.sampled_from([0, 35, 36, 37, 100]))),
        "procedures": procedure("household_exit"),
    }
)


def _household(i: int, fields: dict[str, Any]) -> pc.Household:
    hid = f"h{i}"
    members = [_person(f"{hid}-m{j}", m) for j, m in enumerate(fields["members"])]
    return pc.Household(id=hid, **{**fields, "members": members})


def _count_pair(wholes: list[int], parts: list[int]) -> st.SearchStrategy[tuple[Any, Any]]:
    """A (part, whole) pair of counts, either unknown, with part ≤ whole when both known."""
    whole = maybe(st.one_of(st.sampled_from(wholes), st.integers(0, 3000)))
    part = maybe(st.one_of(st.sampled_from(parts), st.integers(0, 3000)))
    return st.tuples(part, whole).map(
        lambda pw: pw if None in pw or pw[0] <= pw[1] else (pw[1], pw[0])
    )


VILLAGE = st.fixed_dictionaries(
    {
        "region": codes(pc.Region),
        "counts": _count_pair([0, 1000], [0, 15, 19, 20, 25, 29, 30, 31]),
        "procedures": procedure("village_exit"),
    }
)


def _village(i: int, fields: dict[str, Any]) -> pc.Village:
    poor, rural = fields["counts"]
    return pc.Village(
        id=f"v{i}",
        region=fields["region"],
        rural_registered_population=rural,
        poor_population=poor,
        procedures=fields["procedures"],
    )


RATE = maybe(st.one_of(st.sampled_from([0.0, 0.0199, 0.02, 0.0201, 0.5]), st.floats(0, 1)))
APPROVAL = maybe(st.one_of(st.sampled_from([0.8999, 0.9, 0.9001, 1.0]), st.floats(0, 1)))

COUNTY = st.fixed_dictionaries(
    {
        "region": codes(pc.Region),
        "population": _count_pair([0, 1000, 100_000], [0, 19, 20, 29, 30, 2000, 3000]),
        "exited": _count_pair([0, 100, 1000], [0, 1, 2, 3, 20]),
        "omitted": _count_pair([0, 100, 1000], [0, 1, 2, 3, 20]),
        "approval": _count_pair([0, 10, 1000], [0, 9, 900, 901, 1000]),
        "wrong_exit_rate": RATE,
        "omission_rate": RATE,
        "public_approval": APPROVAL,
        "procedures": procedure("county_exit"),
    }
)


def _county(i: int, f: dict[str, Any]) -> pc.County:
    return pc.County(
        id=f"c{i}",
        region=f["region"],
        poor_population=f["population"][0],
        rural_registered_population=f["population"][1],
        sampled_wrongly_exited=f["exited"][0],
        sampled_exited=f["exited"][1],
        verified_omitted=f["omitted"][0],
        sampled_non_registered_population=f["omitted"][1],
        approving_households=f["approval"][0],
        surveyed_households=f["approval"][1],
        wrong_exit_rate=f["wrong_exit_rate"],
        omission_rate=f["omission_rate"],
        public_approval=f["public_approval"],
        procedures=f["procedures"],
    )


def batch_of(fields: st.SearchStrategy[Any], make: Any, max_size: int = 8) -> Any:
    """A list of 1–``max_size`` records with ids by position."""
    return st.lists(fields, min_size=1, max_size=max_size).map(
        lambda rows: [make(i, row) for i, row in enumerate(rows)]
    )


HOUSEHOLDS = batch_of(HOUSEHOLD, _household)
VILLAGES = batch_of(VILLAGE, _village)
COUNTIES = batch_of(COUNTY, _county)


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
                "observed": (type(f.observed), f.observed),
                "required": (type(f.required), f.required),
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
    try:
        batch = _NATIONAL.decide_batch(decision, records, as_of=as_of, overrides=overrides)
    except pc.NotInForce:
        # a date no rule of the decision governs: an error on both paths alike
        for record in records:
            with pytest.raises(pc.NotInForce):
                _NATIONAL.decide(decision, record, as_of=as_of, overrides=overrides)
        return
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
@given(
    records=HOUSEHOLDS,
    as_of=AS_OF,
    line=maybe(st.sampled_from([2952, 3000, 3200.5])),
    water_as_of=st.one_of(dates(dt.date(2019, 1, 1), dt.date(2020, 12, 31)), AS_OF),
)
def test_household_decisions_single_equals_batch(
    records: list[pc.Household], as_of: dt.date, line: float | None, water_as_of: dt.date
) -> None:
    """household_exit (with and without a caller's poverty line), drinking_water and
    household_exit_procedure on the same random register (the water thresholds start
    in 2019, so drinking water is mostly assessed from then on)."""
    overrides = None if line is None else {"poverty_line": line}
    assert_single_equals_batch("household_exit", records, as_of, overrides)
    assert_single_equals_batch("drinking_water", records, water_as_of)
    assert_single_equals_batch("household_exit_procedure", records, as_of)


@SETTINGS
@given(records=VILLAGES, as_of=AS_OF)
def test_village_decisions_single_equals_batch(records: list[pc.Village], as_of: dt.date) -> None:
    assert_single_equals_batch("village_exit", records, as_of)
    assert_single_equals_batch("village_exit_procedure", records, as_of)


@SETTINGS
@given(records=COUNTIES, as_of=AS_OF)
def test_county_decisions_single_equals_batch(records: list[pc.County], as_of: dt.date) -> None:
    assert_single_equals_batch("county_exit", records, as_of)
    assert_single_equals_batch("county_exit_procedure", records, as_of)


# -- the same random records through JSON --------------------------------------------------

VALIDATORS = {
    kind: jsonschema.Draft202012Validator(pc.json_schema(kind))
    for kind in ("household", "village", "county")
}


@settings(max_examples=50, derandomize=True, database=None, deadline=None)
@given(households=HOUSEHOLDS, villages=VILLAGES, counties=COUNTIES)
def test_random_records_round_trip_and_match_the_schema(
    households: list[pc.Household], villages: list[pc.Village], counties: list[pc.County]
) -> None:
    for kind, records in (("household", households), ("village", villages), ("county", counties)):
        for record in records:
            data = record.to_dict()
            assert type(record).from_dict(data) == record
            VALIDATORS[kind].validate(data)
