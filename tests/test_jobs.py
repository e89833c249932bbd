"""The register job as a library service (``poverty_core.jobs``): the entry point gives
what the CLI gives, its result is frozen and turns into JSON by cattrs, it writes and
accounts for its outputs, and its village and county totals (Arrow group-by) and
failed / missing columns (Arrow kernels) agree with a plain Python reference."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import poverty_core as pcore
from poverty_core import batch, jobs, scaleout
from poverty_core.cli import EXIT_OK, main
from poverty_core.columnar import tables_from_records
from poverty_core.indicators import GroupTotals
from poverty_core.io import read_dataset
from poverty_core.samples import sample_file, sample_path

AS_OF = dt.date(2016, 12, 31)


def cli_json(*argv: str) -> dict[str, Any]:
    out = io.StringIO()
    assert main(["assess", *argv, "--format", "json"], stdout=out) == EXIT_OK
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


@pytest.fixture(scope="module")
def sample() -> Any:
    with sample_path() as path:  # a Fujian-shaped sample: fujian's record classes
        return read_dataset(path, pack=pcore.load_pack("fujian"))


# -- the entry point gives what the CLI gives -----------------------------------------------


@pytest.mark.parametrize("name", ["lianjiang", "tianshui", "zhangzhou"])
def test_library_job_is_the_cli_job_on_every_sample(name: str) -> None:
    pack = {"lianjiang": "fujian", "tianshui": "gansu_tianshui", "zhangzhou": "zhangzhou"}[name]
    expected = cli_json("--sample", name, "--pack", pack)
    assessment = jobs.assess_register(sample=name, pack=pack, keep_results=True)
    got = assessment.to_dict()
    assert got == expected
    assert got["rows"]["in"] == got["rows"]["assessed"] + got["rows"]["rejected"]
    assert got["summary"]["households"] is not None
    assert len(got["households"]) == assessment.records == assessment.results.num_rows


def test_assessment_is_frozen_and_its_json_form_is_plain_data() -> None:
    assessment = jobs.assess_register(sample="lianjiang", pack="fujian")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        assessment.source = "x"  # type: ignore[misc]
    data = assessment.to_dict()
    text = json.dumps(data, allow_nan=False)  # nothing but JSON types
    assert json.loads(text) == data
    assert data["households"] is None  # results not kept unless asked
    assert data["as_of"] == "2016-12-31"
    assert data["decision"] == "household_exit"
    assert data["synthetic"] is True
    assert data["outputs"] == {"results": None, "report": None, "rejects": None, "record": None}
    assert data["record"]["inputs"]["rows"] == assessment.records  # what decided it
    assert "village_records" not in data
    assert "county_records" not in data
    # the village decisions, roll-ups and filled poor population are all there
    assert data["summary"]["villages"] is not None
    assert len(data["villages"]) == len(assessment.village_records) > 0
    assert {r["village_id"] for r in data["summary"]["by_village"]} >= {
        v.id for v in assessment.village_records if v.poor_population is not None
    }
    assert all(isinstance(c, pcore.Village) for c in assessment.village_records)


def test_outputs_written_together_and_recorded(tmp_path: Path) -> None:
    with sample_path(sample_file("lianjiang")) as path:
        data = json.loads(Path(path).read_text("utf-8"))
    data["households"][0]["annual_net_income_per_capita"] = -1  # a bad row, rejected
    register = tmp_path / "register.json"
    register.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    results, report, rejects = (
        tmp_path / "results.parquet",
        tmp_path / "report.html",
        tmp_path / "rejects.csv",
    )
    assessment = jobs.assess_register(
        register,
        pack="fujian",
        read=jobs.ReadOptions(on_error="skip"),
        output=results,
        report=report,
        rejects=rejects,
        language="zh",
        keep_results=True,
    )
    assert assessment.outputs == jobs.OutputPaths(
        str(results), str(report), str(rejects), f"{results}.record.json"
    )
    assert assessment.rows.rejected == 1
    assert len(assessment.rejects) == 1
    written = pq.read_table(results)
    assert written.num_rows == assessment.records
    assert written.column("id").to_pylist() == assessment.results.column("id").to_pylist()
    assert written.column("outcome").to_pylist() == (
        assessment.results.column("outcome").to_pylist()
    )
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["文件", "行", "户编号", "问题"]
    assert len(rows) == 2
    assert "annual_net_income_per_capita" in rows[1][3]
    assert "<html" in report.read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "register.json",
        "rejects.csv",
        "report.html",
        "results.parquet",
        "results.parquet.record.json",
    ]


def test_a_json_results_file_is_the_assessment(tmp_path: Path) -> None:
    target = tmp_path / "all.json"
    assessment = jobs.assess_register(sample="lianjiang", pack="fujian", output=target)
    written = json.loads(target.read_text("utf-8"))
    assert assessment.results is None  # written to the file, not kept
    assert written["rows"] == assessment.to_dict()["rows"]
    assert len(written["households"]) == assessment.records
    assert written["outputs"]["results"] == str(target)


def test_usage_errors_before_anything_is_read(tmp_path: Path) -> None:
    # a Python caller is told the keywords it passes (the command line: its options)
    with pytest.raises(jobs.UsageError, match=r"^batch_size= must be a positive"):
        jobs.assess_register(sample="lianjiang", read=jobs.ReadOptions(batch_size=0))
    with pytest.raises(
        jobs.UsageError, match=r"rejects= needs read=ReadOptions\(on_error='skip'\)"
    ):
        jobs.assess_register(sample="lianjiang", rejects=tmp_path / "r.csv")
    with pytest.raises(jobs.UsageError, match="results file"):
        jobs.assess_register(sample="lianjiang", output=tmp_path / "r.txt")
    with pytest.raises(jobs.UsageError) as caught:
        jobs.assess_register()
    assert caught.value.message("zh") == "须给出一个户文件或一个样例，二者只能有一个"
    assert list(tmp_path.iterdir()) == []


# The national poverty line has no published value for 2019 (see test_cli_policy_in_time).
GAP = dt.date(2019, 6, 30)


def test_not_ready_unless_undetermined_is_allowed() -> None:
    with pytest.raises(jobs.NotReady, match="poverty_line"):
        jobs.assess_register(sample="lianjiang", as_of=GAP)
    supplied = jobs.assess_register(sample="lianjiang", as_of=GAP, overrides={"poverty_line": 3218})
    assert supplied.provenance is not None
    assert supplied.provenance["overrides"] == {"poverty_line": 3218.0}


def test_allow_undetermined_tells_notify() -> None:
    pack = pcore.load_pack("national")
    day = GAP
    notes: list[str] = []
    assessment = jobs.assess_register(
        sample="lianjiang",
        pack=pack,
        as_of=day,
        allow_undetermined=True,
        notify=lambda text: notes.append(text.en),
    )
    assert notes
    assert assessment.summary.households is not None
    assert assessment.summary.households["undetermined"] > 0


def test_progress_counts_every_household() -> None:
    seen: list[int] = []
    assessment = jobs.assess_register(sample="lianjiang", pack="fujian", progress=seen.append)
    # a JSON document is read whole: progress is for streamed registers
    assert sum(seen) in (0, assessment.records)


def test_report_renders_an_assessment_as_its_json_form() -> None:
    from poverty_core.report import render_html, render_markdown

    assessment = jobs.assess_register(sample="lianjiang", pack="fujian")
    assert render_markdown(assessment, "zh") == render_markdown(assessment.to_dict(), "zh")
    assert render_html(assessment) == render_html(assessment.to_dict())


# -- Arrow group-by and Arrow text columns agree with a plain reference -------------------------


def reference_totals(
    keys: list[str | None], outcome: np.ndarray, sizes: np.ndarray
) -> dict[str, tuple[list[int], list[int]]]:
    out: dict[str, tuple[list[int], list[int]]] = {}
    for key, o, size in zip(keys, outcome.tolist(), sizes.tolist(), strict=True):
        h, p = out.setdefault("" if key is None else key, ([0, 0, 0], [0, 0, 0]))
        h[o] += 1
        p[o] += size
    return out


@pytest.mark.parametrize("encoded", [False, True])
def test_group_totals_by_arrow_match_a_python_reference(encoded: bool) -> None:
    rng = np.random.default_rng(7)
    totals = GroupTotals()
    all_keys: list[str | None] = []
    outcomes, all_sizes = [], []
    for _ in range(3):  # several batches add up
        n = 500
        keys: list[str | None] = [
            None if r < 0.1 else "" if r < 0.15 else f"v{int(r * 20)}" for r in rng.random(n)
        ]
        outcome = rng.integers(0, 3, n).astype(np.int8)
        sizes = rng.integers(0, 7, n).astype(np.int64)
        column = pa.array(keys, pa.string())
        totals.add(column.dictionary_encode() if encoded else column, outcome, sizes)
        all_keys += keys
        outcomes.append(outcome)
        all_sizes.append(sizes)
    expected = reference_totals(all_keys, np.concatenate(outcomes), np.concatenate(all_sizes))
    assert set(totals.households) == set(expected)
    for key, (h, p) in expected.items():
        assert totals.households[key].tolist() == h
        assert totals.people[key].tolist() == p
    assert totals.households[""].sum() > 0  # null and "" are the unknown group


def test_group_totals_rows_are_the_same_from_a_list() -> None:
    a, b = GroupTotals(), GroupTotals()
    keys = ["v2", None, "v1", "v2"]
    outcome = np.array([0, 1, 2, 1], np.int8)
    sizes = np.array([1, 2, 3, 4], np.int64)
    a.add(keys, outcome, sizes)
    b.add(pa.array(keys), outcome, sizes)
    assert a.rows("village_id") == b.rows("village_id")
    assert [r["village_id"] for r in a.rows("village_id")] == [None, "v1", "v2"]
    assert a.poor_population() == {"": 0, "v1": None, "v2": 1}


@pytest.mark.parametrize("pack_name", ["national", "fujian"])
def test_failed_and_missing_columns_match_each_decision(sample: Any, pack_name: str) -> None:
    pack = pcore.load_pack(pack_name)
    households = list(sample.households)
    # leave some inputs out so some households come out undetermined
    households = [
        attrs.evolve(h, annual_net_income_per_capita=None) if i % 5 == 0 else h
        for i, h in enumerate(households)
    ]
    result = pack.decide_batch("household_exit", households, as_of=AS_OF)
    table = batch.result_table(result)
    failed = table.column("failed").to_pylist()
    missing = table.column("missing").to_pylist()
    undetermined = 0
    for i, household in enumerate(households):
        one = pack.decide("household_exit", household, as_of=AS_OF)
        assert failed[i] == ";".join(f.rule.id for f in one.failed)
        assert missing[i] == ";".join(one.missing)
        undetermined += one.outcome.value == "undetermined"
    assert undetermined > 0
    assert any(missing)
    assert any(failed)


# -- the Dask adapter concludes with the same code -------------------------------------------


def test_partitions_conclude_as_the_library_job(sample: Any) -> None:
    pytest.importorskip("dask")
    households, members = tables_from_records(sample.households)
    parts = scaleout.partition_tables(households, members, 3)
    run = scaleout.assess_partitions(
        "fujian",
        "household_exit",
        parts,
        as_of=AS_OF,
        villages=sample.villages,
        counties=sample.counties,
    )
    one = jobs.assess_register(sample="lianjiang", pack="fujian")
    got, want = run.assessment.to_dict(), one.to_dict()
    for key in ("provenance", "titles", "villages", "counties"):
        assert got[key] == want[key], key
    for key in ("households", "people", "criteria", "villages", "counties", "by_village"):
        assert got["summary"][key] == want["summary"][key], key
    assert [c["read"] for c in got["files"]] == [p[0].num_rows for p in parts]


def test_a_bad_row_of_a_parquet_partition_is_named(sample: Any, tmp_path: Path) -> None:
    pytest.importorskip("dask")
    households, members = tables_from_records(sample.households)
    incomes = households.column("annual_net_income_per_capita").to_pylist()
    incomes[4] = -1.0
    households = households.set_column(
        households.column_names.index("annual_net_income_per_capita"),
        "annual_net_income_per_capita",
        pa.array(incomes, pa.float64()),
    )
    h, m = tmp_path / "h.parquet", tmp_path / "m.parquet"
    pq.write_table(households, h)
    pq.write_table(members, m)
    with pytest.raises(pcore.InputError) as caught:
        scaleout.assess_partitions("fujian", "household_exit", [(h, m)], as_of=AS_OF)
    assert f"{h}:5:annual_net_income_per_capita" in caught.value.format("en")
    # the same partition, valid, decided in batches: the rows of one run
    pq.write_table(tables_from_records(sample.households)[0], h)
    run = scaleout.assess_partitions(
        "fujian", "household_exit", [(h, m)], as_of=AS_OF, batch_size=100
    )
    one = jobs.assess_register(sample="lianjiang", pack="fujian", keep_results=True)
    assert run.table() is not None
    assert run.table().column("outcome").to_pylist() == (one.results.column("outcome").to_pylist())
    assert run.assessment.summary.households == one.summary.households
