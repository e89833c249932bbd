"""The register job's results carry their decision record (issue 14): the
:class:`~poverty_core.jobs.Assessment` holds it, ``assess -o`` writes it beside a
row-per-household file (or inside a ``.json`` document), and ``verify`` re-runs such a
file — passing when fresh, naming the parameter after a pack value changes, the input
rows, the override and the pack's data otherwise."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.dynamic import SAMPLE
from poverty_core.jobs import ReadOptions, assess_register
from poverty_core.records import RECORD_FORMAT, RowsDigest, record_path, verify
from poverty_core.samples import sample_path

AS_OF = dt.date(2016, 12, 31)
SOURCES = """\
[tmp-src]
title = { zh = "临时测试来源", en = "throw-away test source" }
governs = { start = 2016-01-01, end = 2020-12-31 }
"""


def _line(value: float) -> str:
    return (
        'title = { zh = "扶贫标准", en = "poverty line" }\nunit = "yuan/person/year"\n'
        f'type = "number"\noverride = true\n\n[[values]]\nstart = 2016-01-01\n'
        f'end = 2016-12-31\nvalue = {value}\nsource = "tmp-src"\nlocator = "表1"\n'
    )


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """The SYNTHETIC dynamic-management register, with a name and an ID number added to
    one member (they must reach no record)."""
    target = tmp_path / "register.json"
    with sample_path(SAMPLE) as path:
        shutil.copy(path, target)
    data = json.loads(target.read_text("utf-8"))
    data["households"][0]["members"][0].update(name="张三", id_number="11010519491231002X")
    target.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return target


def _edit(register: Path, row: int, **values: object) -> None:
    data = json.loads(register.read_text("utf-8"))
    data["households"][row].update(values)
    register.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_the_assessment_and_its_results_file_carry_the_record(
    register: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    run = assess_register(register, as_of=AS_OF, overrides={"poverty_line": 3000}, output=out)
    record = run.record
    assert record is not None
    national = pc.load_pack("national")
    assert (record.library, record.pack, record.decision) == (
        pc.__version__,
        "national",
        "household_exit",
    )
    assert record.versions == {"national": national.version}
    assert len(record.data["national"]) == 64
    assert record.as_of == AS_OF
    line = record.parameter("poverty_line")
    assert line is not None
    assert (line.value, line.overridden, line.pack) == (3000.0, True, "caller")
    age = record.parameter("compulsory_school_age_max")
    assert age is not None
    assert age.source
    assert not age.overridden
    assert (record.inputs.rows, record.inputs.source) == (11, str(register))
    assert record.reading["households"] == str(register)
    # beside the CSV, which stays a plain table: its first line is the header
    assert run.outputs.record == record_path(out)
    with open(out, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:2] == ["id", "outcome"]
    side = json.loads(Path(record_path(out)).read_text("utf-8"))
    assert side["format"] == RECORD_FORMAT
    assert side["results"] == "results.csv"
    assert side["record"] == record.to_dict()
    text = json.dumps(side, ensure_ascii=False)
    assert "张三" not in text
    assert "11010519491231002X" not in text
    assert len(text) < 8000  # small: no copy of the input
    # inside a .json document, and in the JSON form of the assessment
    whole = tmp_path / "whole.json"
    assess_register(register, as_of=AS_OF, overrides={"poverty_line": 3000}, output=whole)
    assert json.loads(whole.read_text("utf-8"))["record"]["inputs"] == side["record"]["inputs"]
    assert run.to_dict()["record"]["parameters"][0]["name"] == "poverty_line"


def test_the_rows_hash_does_not_depend_on_the_batch_size(register: Path) -> None:
    one = assess_register(register, as_of=AS_OF).record
    small = assess_register(register, as_of=AS_OF, read=ReadOptions(batch_size=2)).record
    assert one is not None
    assert small is not None
    assert one.inputs == small.inputs
    _edit(register, 3, annual_net_income_per_capita=9999)
    changed = assess_register(register, as_of=AS_OF).record
    assert changed is not None
    assert changed.inputs.sha256 != one.inputs.sha256


def test_rows_digest_covers_nulls_lists_and_structs() -> None:
    import pyarrow as pa

    table = pa.table({"a": [1, None, 3], "b": [["x"], None, []], "c": [{"d": 1}, None, {"d": 2}]})
    whole, parts = RowsDigest(), RowsDigest()
    whole.update(table)
    parts.update(table.slice(0, 1))
    parts.update(table.slice(1))
    assert whole.digest() == parts.digest()
    other = RowsDigest()
    other.update(pa.table({"a": [1, 2, 3], "b": table["b"], "c": table["c"]}))
    assert other.digest() != whole.digest()  # a null is not a value


def test_verify_an_assess_results_file_fresh_then_after_a_pack_value_changes(
    packs: SimpleNamespace, pack_dir: Callable[..., Path], register: Path, tmp_path: Path
) -> None:
    root = pack_dir(parameters={"poverty_line": _line(3000)}, sources=SOURCES)
    registry = packs.registry(packs.Plugin(packs.definition(data=root)))
    results = tmp_path / "results.csv"
    assess_register(register, pack="tmp", as_of=AS_OF, output=results, registry=registry)
    fresh = verify(results, registry=registry)
    assert fresh.reproduced, fresh.explain()
    assert fresh.results == 11
    # the pack's value changes: 3000 → 3400 (SYN-01's income is 3100)
    (root / "parameters" / "poverty_line.toml").write_text(_line(3400), "utf-8")
    changed = verify(results, registry=packs.registry(packs.Plugin(packs.definition(data=root))))
    assert not changed.reproduced
    kinds = {(d.kind, d.what) for d in changed.differences}
    assert ("pack_data", "tmp") in kinds
    assert ("parameter", "poverty_line") in kinds
    assert not any(d.kind == "input" for d in changed.differences)
    line = next(d for d in changed.differences if d.what == "poverty_line")
    assert (line.recorded, line.now) == (3000.0, 3400.0)
    outcome = next(d for d in changed.differences if d.kind == "outcome")
    assert outcome.what == "SYN-01"
    assert (outcome.recorded, outcome.now) == ("eligible", "not_eligible")
    assert "poverty_line" in outcome.cause.en
    finding = next(d for d in changed.differences if d.what == "SYN-01/income_above_line")
    assert (finding.recorded, finding.now) == ("passed", "failed")
    assert "poverty_line: 3000.0" in finding.cause.en
    assert "3400.0" in finding.cause.en
    assert "poverty_line" in changed.explain("zh")


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".json"])
def test_verify_names_changed_input_rows_and_an_override(
    register: Path, tmp_path: Path, suffix: str
) -> None:
    results = tmp_path / f"results{suffix}"
    assess_register(register, as_of=AS_OF, overrides={"poverty_line": 3000}, output=results)
    assert verify(results).reproduced
    _edit(register, 0, annual_net_income_per_capita=2000)
    changed = verify(results)
    inputs = [d for d in changed.differences if d.kind == "input"]
    assert [d.what for d in inputs] == [str(register)]
    outcome = next(d for d in changed.differences if d.kind == "outcome")
    assert (outcome.what, outcome.recorded, outcome.now) == ("SYN-01", "eligible", "not_eligible")
    assert "input" in outcome.cause.en
    assert [d.what for d in changed.differences if d.kind == "outcome"] == ["SYN-01"]
    # an edited record: the override differs from what re-runs
    holder = results if suffix == ".json" else Path(record_path(results))
    stored = json.loads(holder.read_text("utf-8"))
    stored["record"]["parameters"][0]["value"] = 2800.0
    holder.write_text(json.dumps(stored, ensure_ascii=False), "utf-8")
    edited = verify(results)
    override = next(d for d in edited.differences if d.what == "poverty_line")
    assert override.kind == "override"
    assert "overridden" in override.cause.en


def test_verify_names_a_changed_pack_version(register: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    assess_register(register, as_of=AS_OF, output=results)
    side = Path(record_path(results))
    stored = json.loads(side.read_text("utf-8"))
    stored["record"]["versions"]["national"] = "0.0.1"
    stored["record"]["data"]["national"] = "0" * 64
    side.write_text(json.dumps(stored), "utf-8")
    found = {(d.kind, d.what) for d in verify(results).differences}
    assert {("pack_version", "national"), ("pack_data", "national")} <= found


def test_cli_assess_then_verify(register: Path, tmp_path: Path) -> None:
    results = tmp_path / "out.csv"
    out = io.StringIO()
    args = ["assess", str(register), "--as-of", "2016-12-31", "-o", str(results)]
    assert main(args, stdout=out) == 0
    assert record_path(results) in out.getvalue()
    out = io.StringIO()
    assert main(["verify", str(results)], stdout=out) == 0
    assert out.getvalue().startswith("reproduced: all 11 results")
    out = io.StringIO()  # the record itself may be given
    assert main(["verify", record_path(results), "--format", "json"], stdout=out) == 0
    assert json.loads(out.getvalue())["reproduced"] is True
    data = json.loads(register.read_text("utf-8"))
    data["households"][1]["annual_net_income_per_capita"] = 5000
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    out = io.StringIO()
    assert main(["verify", str(results), "--input", str(other), "--lang", "zh"], stdout=out) == 1
    text = out.getvalue()
    assert text.startswith("未能复现")
    assert "输入不同" in text
    assert "SYN-02" in text


def test_verify_without_the_record_beside_is_exit_3(
    register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "out.csv"
    assess_register(register, as_of=AS_OF, output=results)
    Path(record_path(results)).unlink()
    with pytest.raises(pc.InputError, match="record"):
        verify(results)
    assert main(["verify", str(results), "--lang", "zh"], stdout=io.StringIO()) == 3
    assert "决策记录" in capsys.readouterr().err


def test_the_record_beside_may_not_replace_an_input(register: Path, tmp_path: Path) -> None:
    clash = tmp_path / "r.csv.record.json"
    shutil.copy(register, clash)
    with pytest.raises(pc.errors.PovertyCoreError, match="record"):
        assess_register(clash, as_of=AS_OF, output=tmp_path / "r.csv")


def test_verify_a_sample_run_and_the_same_rows_under_another_name(tmp_path: Path) -> None:
    from poverty_core.samples import sample_file

    results = tmp_path / "r.jsonl"
    assess_register(sample="zhangzhou", pack="zhangzhou", output=results)
    assert verify(results).reproduced
    copy = tmp_path / "copy.json"
    with sample_path(sample_file("zhangzhou")) as path:
        shutil.copy(path, copy)
    again = verify(results, copy)
    assert again.reproduced, again.explain()  # the rows, not their file's name, are hashed
