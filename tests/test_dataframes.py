"""pandas and polars DataFrames in and out of the register job: the bundled SYNTHETIC
sample decided from DataFrames gives, row for row, the results the library job writes
to a file for the same register; bad cells are named by frame, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import poverty_core as pc
from poverty_core import dataframes, jobs
from poverty_core.batch import plain_columns
from poverty_core.columnar import tables_from_records
from poverty_core.errors import InputError
from poverty_core.io import read_dataset
from poverty_core.read_options import ReadOptions
from poverty_core.samples import sample_path

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def register() -> tuple[Any, pa.Table, pa.Table]:
    """The sample's records and the register's two tables."""
    with sample_path() as path:  # a Fujian-shaped sample, assessed with fujian
        data = read_dataset(path, pack=pc.load_pack("fujian"))
    households, members = tables_from_records(data.households)
    assert members is not None
    return data, households, members


def file_results(tmp_path: Path, households: pa.Table, members: pa.Table) -> pa.Table:
    """What the library job writes to a results file for the register as Parquet files."""
    h, m = tmp_path / "h.parquet", tmp_path / "m.parquet"
    pq.write_table(households, h)
    pq.write_table(members, m)
    out = tmp_path / "results.parquet"
    jobs.assess_register(h, m, pack="fujian", as_of=AS_OF, output=out)
    return plain_columns(pq.read_table(out))


LIBRARIES = ["pandas", "polars"]


def frames(library: str, *tables: pa.Table) -> list[Any]:
    module = pytest.importorskip(library)
    if library == "pandas":
        return [t.to_pandas() for t in tables]
    return [module.from_arrow(t) for t in tables]


@pytest.mark.parametrize("library", LIBRARIES)
def test_round_trip_equals_the_results_file(library: str, register: Any, tmp_path: Path) -> None:
    _, households, members = register
    h, m = frames(library, households, members)
    results = dataframes.decide_frame(h, m, pack="fujian", as_of=AS_OF)
    assert type(results).__module__.split(".")[0] == library
    expected = file_results(tmp_path, households, members)
    got = dataframes.to_arrow(results)
    assert got.column_names == expected.column_names
    assert "income" in " ".join(got.column_names)  # a column per criterion
    for name in expected.column_names:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    assert got.num_rows == households.num_rows


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_whole_job_from_frames(library: str, register: Any) -> None:
    data, households, members = register
    h, m = frames(library, households, members)
    assessment = dataframes.assess_frames(h, m, pack="fujian", as_of=AS_OF)
    one = jobs.assess_register(sample="lianjiang", pack="fujian")
    assert assessment.summary.households == one.summary.households
    assert assessment.summary.criteria == one.summary.criteria
    assert assessment.summary.by_village == one.summary.by_village
    assert [(f.file, f.kind, f.read) for f in assessment.files] == [
        ("households", "households", households.num_rows),
        ("members", "members", members.num_rows),
    ]
    assert assessment.source == "households"
    assert assessment.results is not None
    assert assessment.results.num_rows == len(data.households)


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_bad_cell_names_the_frame_row_and_column(library: str) -> None:
    households = pa.table(
        {
            "id": ["h1", "h2"],
            "annual_net_income_per_capita": [3000.0, -5.0],
            "food_secure": [True, True],
        }
    )
    members = pa.table({"household_id": ["h1", "h2"], "id": ["a", "b"], "age": [40, 30]})
    h, m = frames(library, households, members)
    with pytest.raises(InputError) as caught:
        dataframes.decide_frame(h, m, as_of=AS_OF)
    text = caught.value.format("en")
    assert "households:2:annual_net_income_per_capita" in text
    assert "/proc" not in text
    assert "poverty-core-" not in text
    skipped = dataframes.assess_frames(h, m, as_of=AS_OF, read=ReadOptions(on_error="skip"))
    assert [(r.file, r.row) for r in skipped.rejects] == [
        ("households", 2),
        ("members", 2),
    ]
    assert all("/proc" not in p.path for r in skipped.rejects for p in r.problems)
    assert skipped.records == 1


def test_separate_reading_keywords_warn_and_read_the_same() -> None:
    """The reading keywords of 0.1 still work, with a DeprecationWarning; with ``read=``
    too they are a usage error."""
    households = pa.table({"id": ["h1", "h2"], "annual_net_income_per_capita": [4100.0, -1.0]})
    members = pa.table({"household_id": ["h1", "h2"], "id": ["a", "b"], "age": [40, 30]})
    with pytest.warns(DeprecationWarning, match="on_error"):
        old = dataframes.assess_frames(households, members, as_of=AS_OF, on_error="skip")
    new = dataframes.assess_frames(
        households, members, as_of=AS_OF, read=ReadOptions(on_error="skip")
    )
    assert old.records == new.records == 1
    assert [(r.file, r.row) for r in old.rejects] == [(r.file, r.row) for r in new.rejects]
    with pytest.warns(DeprecationWarning, match="layout"):
        frame = dataframes.decide_frame(
            households.slice(0, 1), members.slice(0, 1), as_of=AS_OF, layout="two-file"
        )
    assert frame.column("id").to_pylist() == ["h1"]
    with pytest.raises(jobs.UsageError):
        dataframes.decide_frame(
            households, members, as_of=AS_OF, read=ReadOptions(), on_error="skip"
        )


def test_arrow_tables_pass_as_they_are() -> None:
    table = pa.table({"id": ["h"]})
    assert dataframes.to_arrow(table) is table
    with pytest.raises(TypeError, match="DataFrame"):
        dataframes.to_arrow([1, 2])
