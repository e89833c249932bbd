"""The command line and policy in time (issue 9): samples that fit their packs, a pre-run
check that names what the pack cannot decide, periods shown and set per run."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from poverty_core.cli import EXIT_OK, EXIT_PACK, main
from poverty_core.jobs import assess_register

AS_OF_2016 = dt.date(2016, 12, 31)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def outcomes(*argv: str) -> dict[str, int]:
    code, text = run("assess", *argv, "--format", "json", "-q")
    assert code == EXIT_OK, text
    counts: dict[str, int] = {}
    for h in json.loads(text)["households"]:
        counts[h["outcome"]] = counts.get(h["outcome"], 0) + 1
    return counts


@pytest.mark.parametrize(
    ("sample", "pack"),
    [
        ("lianjiang", "national"),
        ("lianjiang", "fujian"),
        ("tianshui", "gansu_tianshui"),
        ("zhangzhou", "zhangzhou"),
    ],
)
def test_each_pack_decides_its_sample(sample: str, pack: str) -> None:
    """A pack applied to a register of its own region, on a date its rules govern, decides
    every row."""
    counts = outcomes("--sample", sample, "--pack", pack, "--as-of", "2016-12-31")
    assert counts.get("undetermined", 0) == 0
    assert counts.get("eligible", 0) > 0


@pytest.mark.parametrize("pack", ["national", "fujian"])
def test_lianjiang_reproduces_the_published_figures(pack: str) -> None:
    """Seed 002: "2016年已脱贫586户1865人，占脱贫任务的79.3%"."""
    code, text = run(
        "assess", "--sample", "--pack", pack, "--as-of", "2016-12-31", "--format", "json", "-q"
    )
    assert code == EXIT_OK
    people = json.loads(text)["summary"]["people"]
    households = json.loads(text)["summary"]["households"]
    assert households == {"eligible": 586, "not_eligible": 159, "undetermined": 0}
    assert people["eligible"] == 1865
    assert round(people["eligible"] / sum(people.values()), 3) == 0.793


def test_a_date_without_a_line_stops_before_reading(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("assess", "--sample", "--as-of", "2019-06-30")
    err = capsys.readouterr().err
    assert code == EXIT_PACK
    assert "poverty_line" in err
    assert "2019-06-30" in err
    assert "--set poverty_line=" in err
    assert "contradicts" not in err  # stopped before any row was read


def test_the_pre_run_check_speaks_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("assess", "--sample", "--as-of", "2019-06-30", "--lang", "zh")
    err = capsys.readouterr().err
    assert code == EXIT_PACK
    assert "无法判定" in err
    assert "cannot" not in err


def test_a_supplied_line_runs_and_is_recorded() -> None:
    code, text = run(
        "assess", "--sample", "--as-of", "2019-06-30", "--set", "poverty_line=3218",
        "--format", "json", "-q",
    )  # fmt: skip
    assert code == EXIT_OK
    report: dict[str, Any] = json.loads(text)
    assert report["provenance"]["overrides"] == {"poverty_line": 3218.0}
    assert report["summary"]["households"]["undetermined"] == 0


def test_allow_undetermined_runs_anyway(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(
        "assess", "--sample", "--as-of", "2019-06-30", "--allow-undetermined",
        "--format", "json", "-q",
    )  # fmt: skip
    assert code == EXIT_OK
    assert json.loads(text)["summary"]["missing"]["param:poverty_line"] > 0
    assert "poverty_line" in capsys.readouterr().err


def test_a_date_no_rule_governs_is_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("assess", "--sample", "--as-of", "2016-03-01")
    err = capsys.readouterr().err
    assert code == EXIT_PACK
    assert "household_exit" in err
    assert "2016-04-29 – 2020-12-31" in err


def test_a_date_no_rule_governs_is_said_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    # Under --lang zh the periods are Chinese too ("2019-01-01 起", not "from 2019-01-01").
    args = ("--sample", "--as-of", "2015-06-30", "--decision", "drinking_water")
    code, _ = run("assess", *args, "--lang", "zh")
    err = capsys.readouterr().err
    assert code == EXIT_PACK
    assert "2019-01-01 起" in err
    assert not re.search(r"\b(from|until|criteria|always)\b", err)
    run("assess", *args)
    assert "from 2019-01-01" in capsys.readouterr().err


def test_show_as_of_lists_what_each_decision_needs() -> None:
    code, text = run("show", "national", "--as-of", "2019-06-30")
    assert code == EXIT_OK
    assert "poverty_line" in text
    assert "--set poverty_line=VALUE" in text
    assert "county_incidence" in text  # not in force in 2019
    assert "members[].schooling_status" in text
    code, text = run("show", "national", "--as-of", "2019-06-30", "--format", "json")
    plans = json.loads(text)["decisions"]
    assert [g["parameter"] for g in plans["household_exit"]["gaps"]] == ["poverty_line"]
    assert plans["household_exit"]["ready"] is False
    code, text = run("show", "national", "--as-of", "2016-03-01", "--format", "json")
    assert "not_in_force" in json.loads(text)["decisions"]["household_exit"]


def test_show_gives_every_rule_its_period() -> None:
    code, text = run("show", "fujian")
    assert code == EXIT_OK
    assert "2018-10-24 – 2020-12-31" in text
    assert "outside it" in text  # an override with the national version outside it


def test_period_for_one_run_is_recorded(tmp_path: Path) -> None:
    """A caller continues 16号's household exit into 2021 for one run."""
    code, text = run(
        "assess", "--sample", "--as-of", "2021-06-30", "--set", "poverty_line=4000",
        "--period", "decision:household_exit=2016-04-29..", "--format", "json", "-q",
    )  # fmt: skip
    assert code == EXIT_OK, text
    report = json.loads(text)
    assert report["provenance"]["periods"]["decision:household_exit"]["origin"] == "caller"
    assert report["summary"]["households"]["undetermined"] == 0


def test_a_bad_period_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("assess", "--sample", "--period", "household_exit=2016")
    assert code == 2
    assert "RULE=START..END" in capsys.readouterr().err


def test_absent_inputs_are_named_up_front(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(
        "id,annual_net_income_per_capita,food_secure,clothing_secure,relocated\n"
        "h1,3100,true,true,false\n",
        encoding="utf-8",
    )
    (tmp_path / "m.csv").write_text(
        "household_id,id,age,basic_medical_insurance,serious_illness_insurance,"
        "medical_assistance\nh1,1,40,true,true,true\n",
        encoding="utf-8",
    )
    code, text = run(
        "assess", str(tmp_path / "h.csv"), "--members", str(tmp_path / "m.csv"),
        "--as-of", "2016-12-31",
    )  # fmt: skip
    assert code == EXIT_OK
    assert "absent from the file" in text
    assert "house_grade 1" in text
    assert text.index("absent from the file") < text.index("criteria (failed")


def _jsonl(path: Path, households: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(h) + "\n" for h in households), encoding="utf-8")
    return path


def _household(i: int, **fields: Any) -> dict[str, Any]:
    """A SYNTHETIC household of one insured adult, with ``fields``."""
    member = {
        "id": "1",
        "age": 40,
        "basic_medical_insurance": True,
        "serious_illness_insurance": True,
        "medical_assistance": True,
    }
    return {"id": f"h{i}", "members": [member], **fields}


def test_a_json_lines_register_has_the_fields_its_lines_give(tmp_path: Path) -> None:
    """A JSON Lines file has no header: an input is absent when no line gives it a value
    (not, as once, every input because the file has no header row); a field that only a
    later line gives is not absent."""
    base = {"annual_net_income_per_capita": 3100, "food_secure": True, "clothing_secure": True}
    lines = [_household(i, **base, relocated=False) for i in range(3)]
    lines.append(_household(3, **base, relocated=False, house_grade="A"))
    run_ = assess_register(_jsonl(tmp_path / "later.jsonl", lines), as_of=AS_OF_2016)
    assert "house_grade" not in run_.absent_inputs
    assert "members[].medical_assistance" not in run_.absent_inputs
    assert "annual_net_income_per_capita" not in run_.absent_inputs
    none = assess_register(_jsonl(tmp_path / "none.jsonl", lines[:3]), as_of=AS_OF_2016)
    assert "house_grade" in none.absent_inputs
    nulls = [_household(9, **base, relocated=False, house_grade=None)]
    run_ = assess_register(_jsonl(tmp_path / "nulls.jsonl", lines[:3] + nulls), as_of=AS_OF_2016)
    assert "house_grade" in run_.absent_inputs
    member = [_household(5, **base, relocated=False, house_grade="A")]
    del member[0]["members"][0]["medical_assistance"]
    run_ = assess_register(_jsonl(tmp_path / "member.jsonl", member), as_of=AS_OF_2016)
    assert "members[].medical_assistance" in run_.absent_inputs
    assert "house_grade" not in run_.absent_inputs


def test_json_lines_and_csv_of_one_register_name_the_same_absent_inputs(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(
        "id,annual_net_income_per_capita,food_secure,clothing_secure,relocated\n"
        "h1,3100,true,true,false\n",
        encoding="utf-8",
    )
    (tmp_path / "m.csv").write_text(
        "household_id,id,age,basic_medical_insurance,serious_illness_insurance,"
        "medical_assistance\nh1,1,40,true,true,true\n",
        encoding="utf-8",
    )
    from_csv = assess_register(tmp_path / "h.csv", tmp_path / "m.csv", as_of=AS_OF_2016)
    line = _household(
        1, annual_net_income_per_capita=3100, food_secure=True, clothing_secure=True,
        relocated=False,
    )  # fmt: skip
    from_jsonl = assess_register(_jsonl(tmp_path / "h.jsonl", [line]), as_of=AS_OF_2016)
    assert from_csv.absent_inputs == from_jsonl.absent_inputs
    assert "house_grade" in from_jsonl.absent_inputs
    missing = [run.to_dict()["summary"]["missing"] for run in (from_csv, from_jsonl)]
    assert missing[0] == missing[1]
    assert missing[0]["house_grade"] == 1
