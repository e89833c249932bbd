"""The bundled SYNTHETIC ``tianshui`` sample (``tools/make_sample_tianshui.py``) read
through the library and decided with the gansu_tianshui pack: no undetermined row on
2016-12-31, the generator's (invented) figures, and every field the decisions read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import poverty_core as pc
from poverty_core import indicators
from poverty_core.io import read_dataset
from poverty_core.rules import in_force_on
from poverty_core.samples import sample_file, sample_path

NAME = "gansu_tianshui"


@pytest.fixture(scope="module")
def pack() -> pc.Pack:
    """The installed pack."""
    return pc.load_pack(NAME)


SAMPLE_DATE = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def sample() -> Any:
    """The bundled ``tianshui`` sample, read through the library."""
    with sample_path(sample_file("tianshui")) as path:
        return read_dataset(path, as_of=SAMPLE_DATE, pack=pc.load_pack("gansu_tianshui"))


def test_sample_is_labelled_synthetic(sample: Any) -> None:
    assert sample.synthetic is True
    assert sample.description is not None
    assert "SYNTHETIC" in sample.description["en"]
    assert "合成数据" in sample.description["zh"]
    assert sample.as_of == SAMPLE_DATE


def test_sample_is_the_seven_counties_of_tianshui(pack: pc.Pack, sample: Any) -> None:
    codes = pack.taxonomies["tianshui_counties"].codes()
    assert [c.id for c in sample.counties] == list(codes)
    assert {v.county_id for v in sample.villages} == set(codes)
    assert {h.county_id for h in sample.households} == set(codes)
    assert all(c.name.endswith("（合成）") for c in sample.counties)


def test_sample_decides_every_household_on_2016_12_31(pack: pc.Pack, sample: Any) -> None:
    """The issue's check: --sample tianshui --pack gansu_tianshui --as-of 2016-12-31
    leaves no household undetermined, with the generator's (invented) 162 / 138 mix."""
    households = sample.households
    result = pack.decide_batch("household_exit", households, as_of=SAMPLE_DATE)
    assert result.counts() == {"eligible": 162, "not_eligible": 138, "undetermined": 0}
    people = sum(h.size for h in households)
    exited = sum(
        h.size for h, o in zip(households, result.outcomes(), strict=True) if o.value == "eligible"
    )
    assert (people, exited) == (1122, 587)
    for i in range(0, len(households), 37):  # the one-record path agrees
        one = pack.decide("household_exit", households[i], as_of=SAMPLE_DATE)
        assert one == result.result(i)


def test_sample_villages_and_counties(pack: pc.Pack, sample: Any) -> None:
    result = pack.decide_batch("household_exit", sample.households, as_of=SAMPLE_DATE)
    villages = indicators.with_poor_population(
        sample.villages, indicators.poor_population_by(result, sample.households)
    )
    v = pack.decide_batch("village_exit", villages, as_of=SAMPLE_DATE)
    assert v.counts() == {"eligible": 14, "not_eligible": 7, "undetermined": 0}
    at_three = [x for x in villages if x.poor_population / x.rural_registered_population == 0.03]
    (edge,) = at_three  # W-1: the village at exactly 3% exits
    assert pack.decide("village_exit", edge, as_of=SAMPLE_DATE).outcome is pc.Outcome.ELIGIBLE
    counties = indicators.with_poor_population(
        sample.counties, indicators.poor_population_by(result, sample.households, by="county_id")
    )
    c = pack.decide_batch("county_exit", counties, as_of=SAMPLE_DATE)
    assert c.counts() == {"eligible": 5, "not_eligible": 2, "undetermined": 0}


@pytest.mark.parametrize("subject", ["household", "village", "county"])
def test_sample_carries_every_field_the_decisions_read(
    pack: pc.Pack, sample: Any, subject: str
) -> None:
    """Every decision in force on the sample date decides every record (microcredit
    only for the households with a loan), and household exit also on 2019-12-31 with a
    caller-supplied TEST line (the water fields are there)."""
    result = pack.decide_batch("household_exit", sample.households, as_of=SAMPLE_DATE)
    records = {
        "household": sample.households,
        "village": indicators.with_poor_population(
            sample.villages, indicators.poor_population_by(result, sample.households)
        ),
        "county": indicators.with_poor_population(
            sample.counties,
            indicators.poor_population_by(result, sample.households, by="county_id"),
        ),
    }[subject]
    for decision in pack.decisions_for(subject):
        if in_force_on(decision, SAMPLE_DATE) is None:
            continue
        rows = records
        if decision.id == "microcredit_terms":
            rows = [h for h in records if h.microcredit_amount is not None]
            assert 0 < len(rows) < len(records)
        counts = pack.decide_batch(decision.id, rows, as_of=SAMPLE_DATE).counts()
        assert counts["undetermined"] == 0, decision.id
    if subject == "household":
        later = pack.decide_batch(
            "household_exit", records, as_of=dt.date(2019, 12, 31), overrides={"poverty_line": 3000}
        )
        assert later.counts()["undetermined"] == 0
        failed = {c.rule.id for c in later.criteria if int((c.status == 0).sum())}
        assert {"water_quantity", "water_quality", "water_access", "water_reliability"} <= failed
        for classifier in ("household_class", "household_exit_phase"):
            codes = pack.classify_batch(classifier, records, as_of=SAMPLE_DATE).codes
            assert None not in codes
