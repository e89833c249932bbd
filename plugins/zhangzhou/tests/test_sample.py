"""The bundled SYNTHETIC ``zhangzhou`` sample decides on its own under the zhangzhou pack.

The sample (``src/poverty_core/samples/zhangzhou_synthetic.json``, made by
``tools/make_sample_zhangzhou.py``) is invented; it is shaped to seed 004 (闽南日报
《漳州市精准扶贫工作综述》, 2016-09-26): "因病致贫的有28310人，占全市建档立卡贫困对象的
43.62%，因残致贫的有9213人，占14.19%，因病因残两项合计占57.81%"; the housing programme
"已竣工827户，占总任务数的84%" on 2016-09-23.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import poverty_core as pc
from poverty_core import indicators
from poverty_core.io import Dataset, read_dataset
from poverty_core.samples import sample_file, sample_path

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def sample() -> Iterator[Dataset]:
    """The bundled zhangzhou sample, read through the library."""
    with sample_path(sample_file("zhangzhou")) as path:
        yield read_dataset(path, pack=pc.load_pack("zhangzhou"))


@pytest.fixture(scope="module")
def pack() -> pc.Pack:
    """The installed zhangzhou pack."""
    return pc.load_pack("zhangzhou")


def test_labelled_synthetic(sample: Dataset) -> None:
    assert sample.synthetic
    assert sample.description is not None
    assert "SYNTHETIC" in sample.description["en"]
    assert "合成数据" in sample.description["zh"]
    assert sample.as_of == AS_OF
    assert (len(sample.households), sum(h.size for h in sample.households)) == (320, 1050)
    assert all(v.name and "合成" in v.name for v in sample.villages)
    assert all(c.name and "合成" in c.name for c in sample.counties)


def test_household_exit_has_no_undetermined_row(sample: Dataset, pack: pc.Pack) -> None:
    """--pack zhangzhou --as-of 2016-12-31 on its own sample: every row decided."""
    result = pack.decide_batch("household_exit", sample.households, as_of=AS_OF)
    assert result.counts() == {"eligible": 232, "not_eligible": 88, "undetermined": 0}
    one_by_one = [pack.decide("household_exit", h, as_of=AS_OF).outcome for h in sample.households]
    assert one_by_one == result.outcomes()
    (fujian_line,) = [c for c in result.criteria if c.rule.id == "income_above_provincial_line"]
    assert {int(s) for s in fujian_line.status} == {3}  # not in force in 2016, every row


def test_villages_and_counties_decide(sample: Dataset, pack: pc.Pack) -> None:
    result = pack.decide_batch("household_exit", sample.households, as_of=AS_OF)
    for kind, records in (("village", sample.villages), ("county", sample.counties)):
        poor = indicators.poor_population_by(result, sample.households, by=f"{kind}_id")
        filled = indicators.with_poor_population(records, poor)
        counts = pack.decide_batch(f"{kind}_exit", filled, as_of=AS_OF).counts()
        assert counts["undetermined"] == 0, kind


def test_cause_shares_reproduce_the_seed(sample: Dataset, pack: pc.Pack) -> None:
    """因病 43.62 %, 因残 14.19 %, together 57.81 % of the registered poor (by people)."""
    rows = pack.indicator("cause_breakdown", sample.households, as_of=AS_OF)
    shares = {row["code"]: row["value"] for row in rows}
    assert round(shares["illness"] * 100, 2) == 43.62
    assert round(shares["disability"] * 100, 2) == 14.19
    (both,) = pack.indicator("illness_disability_share", sample.households, as_of=AS_OF)
    assert round(both["value"] * 100, 2) == 57.81
    causes = set(pack.taxonomies["four_causes_five_lacks"].codes())
    assert {code for code, share in shares.items() if share} == causes


def test_housing_programme_figures(sample: Dataset, pack: pc.Pack) -> None:
    """84 % completed on 2016-09-23; the 2016 schedule decides every programme row."""
    (completed,) = pack.indicator(
        "housing_completed_share", sample.households, as_of=dt.date(2016, 9, 23)
    )
    assert round(completed["value"], 2) == 0.84
    programme = [h for h in sample.households if "housing" in h.procedures]
    assert len(programme) == 25
    assert all("eight_haves" in h.checklists for h in programme)
    assert all(h.housing_form for h in programme)
    schedule = pack.decide_batch("housing_programme_schedule", programme, as_of=AS_OF)
    assert schedule.counts() == {"eligible": 22, "not_eligible": 3, "undetermined": 0}
    (coverage,) = pack.indicator("income_project_coverage", sample.households, as_of=AS_OF)
    assert coverage["value"] == 1.0
