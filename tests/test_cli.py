"""The poverty-core command: every subcommand, its output and its exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from poverty_core.cli import EXIT_INPUT, EXIT_OK, EXIT_PACK, common, main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


def write(tmp_path: Path, data: Any, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


HOUSEHOLD = {
    "id": "350122-0001",
    "annual_net_income_per_capita": 3100,
    "food_secure": True,
    "clothing_secure": True,
    "house_grade": "B",
    "relocated": False,
    "members": [
        {
            "id": "1",
            "age": 40,
            "basic_medical_insurance": True,
            "serious_illness_insurance": True,
            "medical_assistance": True,
        }
    ],
}


def test_packs_lists_national() -> None:
    code, out = run("packs", "--format", "json")
    assert code == EXIT_OK
    rows = {p["name"]: p for p in json.loads(out)["packs"]}
    assert rows["national"]["parent"] is None
    assert rows["national"]["chain"] == ["national"]


def test_show_lists_rules_parameters_and_origins() -> None:
    code, out = run("show", "national")
    assert code == EXIT_OK
    assert "income_above_line" in out
    assert "2016-01-01 – 2016-12-31: 2952" in out
    assert "NOT ENCODED" in out


def test_show_unknown_pack_is_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("show", "nowhere")
    assert code == EXIT_PACK
    assert "unknown pack 'nowhere'" in capsys.readouterr().err


def test_assess_sample_reproduces_lianjiang_totals() -> None:
    code, out = run("assess", "--sample", "--pack", "national", "--format", "json")
    assert code == EXIT_OK
    report = json.loads(out)
    assert report["synthetic"] is True
    assert report["summary"]["households"] == {
        "not_eligible": 159,
        "eligible": 586,
        "undetermined": 0,
    }
    # the per-household rows carry no personal data
    assert all("name" not in row and "id_number" not in row for row in report["households"])


def test_assess_table_names_the_synthetic_input() -> None:
    code, out = run("assess", "--sample", "--pack", "national", "--as-of", "2016-12-31")
    assert code == EXIT_OK
    assert "SYNTHETIC" in out
    assert "79.29% of people" in out


def test_assess_writes_results_file(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    code, _ = run(
        "assess", str(write(tmp_path, [HOUSEHOLD])), "--as-of", "2016-12-31", "-o", str(target)
    )
    assert code == EXIT_OK
    assert json.loads(target.read_text("utf-8"))["households"][0]["outcome"] == "eligible"


def test_assess_set_overrides_a_parameter_and_records_it(tmp_path: Path) -> None:
    path = write(tmp_path, [HOUSEHOLD])
    code, out = run("assess", str(path), "--as-of", "2018-06-30", "--format", "json")
    assert code == EXIT_PACK  # no line in 2018: stopped before reading, naming it
    code, out = run(
        "assess", str(path), "--as-of", "2018-06-30", "--format", "json", "--allow-undetermined"
    )
    assert json.loads(out)["households"][0]["outcome"] == "undetermined"
    code, out = run(
        "assess",
        str(path),
        "--as-of",
        "2018-06-30",
        "--set",
        "poverty_line=3000",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == EXIT_OK
    assert report["households"][0]["outcome"] == "eligible"
    assert report["provenance"]["overrides"] == {"poverty_line": 3000.0}


def test_assess_misspelt_parameter_is_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(
        "assess",
        str(write(tmp_path, [HOUSEHOLD])),
        "--as-of",
        "2016-12-31",
        "--set",
        "povrty_line=1",
    )
    assert code == EXIT_PACK  # an unknown parameter, like an unknown pack (README)
    assert "povrty_line" in capsys.readouterr().err


def test_bad_input_is_exit_3_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [
        {**HOUSEHOLD, "annual_net_income_per_capita": "lots"},
        {**HOUSEHOLD, "id": "x", "house_grade": "E"},
    ]
    target = tmp_path / "results.json"
    code, _ = run("assess", str(write(tmp_path, bad)), "--as-of", "2016-12-31", "-o", str(target))
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "households[0].annual_net_income_per_capita" in err
    assert "households[1].house_grade" in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = [{**HOUSEHOLD, "members": [{"id": "1", "age": -1}, {"id": "1"}]}]
    code, _ = run("validate", str(write(tmp_path, bad)))
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "households[0].members[0].age" in err
    assert "households[0].members[1].id" in err


def test_validate_good_file() -> None:
    code, out = run("validate", "--sample")
    assert code == EXIT_OK
    assert "745 households" in out


def test_explain_in_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, [{**HOUSEHOLD, "house_grade": "D"}])
    code, out = run(
        "explain", str(path), "--id", "350122-0001", "--as-of", "2016-12-31", "--lang", "zh"
    )
    assert code == EXIT_OK
    assert "不符合" in out
    assert "[未通过] 住房安全有保障" in out


def test_explain_unknown_id_is_exit_4(tmp_path: Path) -> None:
    code, _ = run(
        "explain", str(write(tmp_path, [HOUSEHOLD])), "--id", "nope", "--as-of", "2016-12-31"
    )
    assert code == EXIT_PACK


def test_schema_is_json_schema() -> None:
    code, out = run("schema", "--kind", "village")
    assert code == EXIT_OK
    schema = json.loads(out)
    assert schema["title"] == "Village"
    assert "rural_registered_population" in schema["properties"]


def test_missing_as_of_is_a_clear_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("assess", str(write(tmp_path, [HOUSEHOLD])))
    assert code == EXIT_INPUT
    assert "--as-of" in capsys.readouterr().err


def test_usage_error_is_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        run("assess")
    assert exc.value.code == 2


def test_the_command_chooses_a_memory_pool_unless_the_user_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``poverty-core`` makes jemalloc Arrow's pool (it returns freed batches' memory
    sooner) unless ARROW_DEFAULT_MEMORY_POOL names one; the library alone never does."""
    chosen: list[str] = []
    monkeypatch.setattr(pa, "set_memory_pool", lambda pool: chosen.append(pool.backend_name))
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    common.use_command_memory_pool()
    assert chosen == []
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
    try:
        pa.jemalloc_memory_pool()
        expected = ["jemalloc"]
    except Exception:  # an Arrow without jemalloc: nothing to choose
        expected = []
    common.use_command_memory_pool()
    assert chosen == expected
    chosen.clear()
    assert main(["packs"], stdout=io.StringIO()) == EXIT_OK  # the command chooses at start
    assert chosen == expected
