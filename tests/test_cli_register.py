"""The main job on columnar registers: CSV and Parquet in, results, report and rejects
out; nothing half-written; every input row accounted for."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from poverty_core.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from poverty_core.columnar import csv_ready, tables_from_records
from poverty_core.samples import read_sample


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("register")
    data, _ = read_sample()  # the core model's fields of the sample: a national register
    households, members = tables_from_records(data.households)
    assert members is not None
    pacsv.write_csv(csv_ready(households), folder / "households.csv")
    pacsv.write_csv(csv_ready(members), folder / "members.csv")
    pq.write_table(households, folder / "households.parquet")
    pq.write_table(members, folder / "members.parquet")
    villages, _ = tables_from_records(data.villages)
    pacsv.write_csv(csv_ready(villages), folder / "villages.csv")
    return folder


def broken_copy(register: Path, target: Path) -> Path:
    rows = list(csv.reader(io.StringIO((register / "households.csv").read_text("utf-8"))))
    header = rows[0]
    rows[3][header.index("annual_net_income_per_capita")] = "about 3000"
    rows[5][header.index("house_grade")] = "E"
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_assess_register_files(register: Path, tmp_path: Path, suffix: str) -> None:
    results = tmp_path / "results.csv"
    code, out = run(
        "assess", str(register / f"households.{suffix}"),
        "--members", str(register / f"members.{suffix}"),
        "--villages", str(register / "villages.csv"),
        "--as-of", "2016-12-31", "-o", str(results), "--report", str(tmp_path / "report.md"),
    )  # fmt: skip
    assert code == EXIT_OK
    assert "79.29% of people" in out
    rows = list(csv.DictReader(io.StringIO(results.read_text("utf-8"))))
    assert len(rows) == 745
    assert sum(r["outcome"] == "eligible" for r in rows) == 586
    report = (tmp_path / "report.md").read_text("utf-8")
    assert "| eligible | 586 |" in report
    assert "350122-V01" in report


def test_json_summary_of_a_register(register: Path) -> None:
    code, out = run(
        "assess", str(register / "households.parquet"),
        "--members", str(register / "members.parquet"), "--as-of", "2016-12-31", "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    report = json.loads(out)
    assert report["summary"]["households"] == {
        "not_eligible": 159,
        "eligible": 586,
        "undetermined": 0,
    }
    assert report["rows"] == {"in": 745, "assessed": 745, "rejected": 0, "member_rows_rejected": 0}


def test_bad_rows_fail_the_run_and_nothing_is_written(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = broken_copy(register, tmp_path / "bad.csv")
    code, _ = run(
        "assess", str(bad), "--members", str(register / "members.csv"), "--as-of", "2016-12-31",
        "-o", str(tmp_path / "results.parquet"), "--report", str(tmp_path / "report.html"),
    )  # fmt: skip
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "bad.csv:4:annual_net_income_per_capita" in err
    assert "bad.csv:6:house_grade" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_skip_mode_accounts_for_every_row(register: Path, tmp_path: Path) -> None:
    bad = broken_copy(register, tmp_path / "bad.csv")
    results, rejects = tmp_path / "results.csv", tmp_path / "rejects.csv"
    code, out = run(
        "assess", str(bad), "--members", str(register / "members.csv"), "--as-of", "2016-12-31",
        "-o", str(results), "--on-error", "skip", "--rejects", str(rejects), "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    summary = json.loads(out)
    assert summary["households"] is None  # the rows went to -o, not to standard output
    assert summary["rows"] == {"in": 745, "assessed": 743, "rejected": 2, "member_rows_rejected": 8}
    rows_out = list(csv.DictReader(io.StringIO(results.read_text("utf-8"))))
    rejected = list(csv.DictReader(io.StringIO(rejects.read_text("utf-8"))))
    rejected_households = {r["household_id"] for r in rejected if r["file"].endswith("bad.csv")}
    assert rejected_households == {"350122-0003", "350122-0005"}
    assert len(rows_out) + len(rejected_households) == 745
    assert all(r["id"] not in rejected_households for r in rows_out)


def test_rejects_need_skip_mode(register: Path, tmp_path: Path) -> None:
    code, _ = run(
        "assess", str(register / "households.csv"), "--members", str(register / "members.csv"),
        "--as-of", "2016-12-31", "--rejects", str(tmp_path / "r.csv"),
    )  # fmt: skip
    assert code == EXIT_USAGE
    assert not (tmp_path / "r.csv").exists()


def test_explain_one_household_of_a_register(register: Path) -> None:
    code, out = run(
        "explain", str(register / "households.csv"), "--members", str(register / "members.csv"),
        "--id", "350122-0004", "--as-of", "2016-12-31", "--lang", "zh",
    )  # fmt: skip
    assert code == EXIT_OK
    assert out.startswith("350122-0004: 贫困户退出")


def test_validate_register(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        "validate", str(register / "households.csv"), "--members", str(register / "members.csv")
    )
    assert code == EXIT_OK
    assert "745 households" in out
    bad = broken_copy(register, tmp_path / "bad.csv")
    code, _ = run("validate", str(bad), "--members", str(register / "members.csv"))
    assert code == EXIT_INPUT
    assert "bad.csv has 2 problems" in capsys.readouterr().err


def test_html_report(register: Path, tmp_path: Path) -> None:
    code, _ = run(
        "assess", str(register / "households.csv"), "--members", str(register / "members.csv"),
        "--as-of", "2016-12-31", "--report", str(tmp_path / "report.html"), "-q",
    )  # fmt: skip
    assert code == EXIT_OK
    html = (tmp_path / "report.html").read_text("utf-8")
    assert html.startswith("<!doctype html>")
    assert "<td>eligible</td><td>586</td>" in html
