"""Reproducible decision records (issue 14): what decided a result, attached to one-record,
batch and dynamic-management register results; a results file that ``verify`` re-runs
against its inputs, passing when fresh and naming the parameter after a pack value
changes, the override, the input or the pack's data otherwise."""

from __future__ import annotations

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
from poverty_core.io import read_dataset
from poverty_core.records import (
    DecisionRecord,
    decide_batch_recorded,
    decide_recorded,
    decide_transitions_recorded,
    decision_record,
    input_digest,
    verify,
    write_results,
)
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
    """A small SYNTHETIC register (the dynamic-management sample) copied beside the
    results."""
    target = tmp_path / "register.json"
    with sample_path(SAMPLE) as path:
        shutil.copy(path, target)
    return target


def test_the_record_has_what_decided_and_no_personal_data() -> None:
    national = pc.load_pack("national")
    named = pc.Household.from_dict(
        {
            "id": "SYN-1",
            "annual_net_income_per_capita": 3100,
            "food_secure": True,
            "clothing_secure": True,
            "house_grade": "B",
            "members": [
                {
                    "id": "1",
                    "age": 40,
                    "name": "张三",
                    "id_number": "11010519491231002X",
                    "basic_medical_insurance": True,
                    "serious_illness_insurance": True,
                    "medical_assistance": True,
                }
            ],
        }
    )
    recorded = decide_recorded(
        national, "household_exit", named, as_of=AS_OF, overrides={"poverty_line": 3000}
    )
    record = recorded.record
    assert recorded.result.outcome is pc.Outcome.ELIGIBLE
    assert record.library == pc.__version__
    assert record.versions == {"national": national.version}
    assert set(record.data) == {"national"}
    assert len(record.data["national"]) == 64
    line = record.parameter("poverty_line")
    assert line is not None
    assert (line.value, line.pack, line.overridden, line.source) == (3000.0, "caller", True, None)
    age = record.parameter("compulsory_school_age_max")
    assert age is not None
    assert (age.value, age.source, age.overridden) == (15, "guidance-2019-three-guarantees", False)
    assert record.inputs.rows == 1
    text = json.dumps(record.to_dict(), ensure_ascii=False)
    assert "张三" not in text
    assert "11010519491231002X" not in text
    assert len(text) < 4000  # small: no copy of the inputs
    assert DecisionRecord.from_dict(json.loads(text)) == record
    with pytest.raises(pc.InputError, match="record"):
        DecisionRecord.from_dict({**record.to_dict(), "unknown": 1})


def test_batch_and_register_results_carry_records() -> None:
    national = pc.load_pack("national")
    with sample_path(SAMPLE) as path:
        households = read_dataset(path).households
    batch = decide_batch_recorded(national, "household_exit", households, as_of=AS_OF)
    one = decide_recorded(national, "household_exit", households[0], as_of=AS_OF)
    assert batch.record.parameters == one.record.parameters
    assert batch.record.inputs.rows == len(households)
    assert batch.record.inputs == input_digest(households)
    assert input_digest(households[::-1]) != batch.record.inputs  # row order counts
    register = decide_transitions_recorded(national, households, as_of=AS_OF)
    assert register.record == batch.record
    assert register.result.counts()["exit"] == 3  # SYN-06 too, with no removal finding


def test_the_data_hash_follows_the_data(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    root = pack_dir(parameters={"poverty_line": _line(3000)}, sources=SOURCES)
    first = packs.registry(packs.Plugin(packs.definition(data=root))).load("tmp")
    h1 = decision_record(first, "household_exit", [], as_of=AS_OF).data
    assert decision_record(first, "household_exit", [], as_of=AS_OF).data == h1
    (root / "parameters" / "poverty_line.toml").write_text(_line(3200), "utf-8")
    second = packs.registry(packs.Plugin(packs.definition(data=root))).load("tmp")
    h2 = decision_record(second, "household_exit", [], as_of=AS_OF).data
    assert h1["national"] == h2["national"]
    assert h1["tmp"] != h2["tmp"]


def test_verify_passes_fresh_and_names_the_parameter_after_a_pack_value_changes(
    packs: SimpleNamespace, pack_dir: Callable[..., Path], register: Path, tmp_path: Path
) -> None:
    root = pack_dir(parameters={"poverty_line": _line(3000)}, sources=SOURCES)
    registry = packs.registry(packs.Plugin(packs.definition(data=root)))
    pack = registry.load("tmp")
    households = read_dataset(register).households
    results = tmp_path / "results.json"
    write_results(
        results,
        decide_batch_recorded(
            pack, "household_exit", households, as_of=AS_OF, source=register.name
        ),
    )
    fresh = verify(results, registry=registry)
    assert fresh.reproduced, fresh.explain()
    assert fresh.results == len(households)
    # the pack's value changes: 3000 → 3400 (SYN-10's income is 3300)
    (root / "parameters" / "poverty_line.toml").write_text(_line(3400), "utf-8")
    changed = verify(results, registry=packs.registry(packs.Plugin(packs.definition(data=root))))
    assert not changed.reproduced
    kinds = {(d.kind, d.what) for d in changed.differences}
    assert ("pack_data", "tmp") in kinds
    assert ("parameter", "poverty_line") in kinds
    assert ("input", "register.json") not in kinds
    line = next(d for d in changed.differences if d.what == "poverty_line")
    assert (line.recorded, line.now) == (3000.0, 3400.0)
    outcome = next(d for d in changed.differences if d.kind == "outcome")
    assert outcome.what == "SYN-01"
    assert (outcome.recorded, outcome.now) == ("eligible", "not_eligible")
    assert "poverty_line" in outcome.cause.en
    finding = next(d for d in changed.differences if d.what == "SYN-01/income_above_line")
    assert "poverty_line: 3000.0" in finding.cause.en
    assert "3400.0" in finding.cause.en
    assert "poverty_line" in changed.explain("zh")
    # statuses and outcomes by their labels in either language, never as codes
    assert "符合 → 不符合" in outcome.explain("zh")
    assert "通过 → 未通过" in finding.explain("zh")
    assert "eligible → not eligible" in outcome.explain("en")
    assert "'eligible'" not in changed.explain("zh")


def test_verify_names_a_changed_input_and_an_override(register: Path, tmp_path: Path) -> None:
    national = pc.load_pack("national")
    households = read_dataset(register).households
    results = tmp_path / "results.json"
    write_results(
        results,
        decide_batch_recorded(
            national,
            "household_exit",
            households,
            as_of=AS_OF,
            overrides={"poverty_line": 3000},
            source=register.name,
        ),
    )
    assert verify(results).reproduced
    data = json.loads(register.read_text("utf-8"))
    data["households"][0]["annual_net_income_per_capita"] = 2000
    register.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    changed = verify(results)
    kinds = [d.kind for d in changed.differences]
    assert "input" in kinds
    outcome = next(d for d in changed.differences if d.kind == "outcome")
    assert outcome.what == "SYN-01"
    assert "input" in outcome.cause.en
    # an edited record in the results file: the override differs from what re-runs
    stored = json.loads(results.read_text("utf-8"))
    stored["record"]["parameters"][0]["value"] = 2800.0
    results.write_text(json.dumps(stored, ensure_ascii=False), "utf-8")
    edited = verify(results)
    override = next(d for d in edited.differences if d.what == "poverty_line")
    assert override.kind == "override"
    assert "overridden" in override.cause.en


def test_cli_record_and_verify(register: Path, tmp_path: Path) -> None:
    results = tmp_path / "out.json"
    out = io.StringIO()
    assert main(["record", str(register), "-o", str(results), "--lang", "zh"], stdout=out) == 0
    assert "已写出" in out.getvalue()
    out = io.StringIO()
    assert main(["verify", str(results)], stdout=out) == 0
    assert out.getvalue().startswith("reproduced: all 11 results")
    out = io.StringIO()
    assert main(["verify", str(results), "--format", "json", "--lang", "zh"], stdout=out) == 0
    assert json.loads(out.getvalue())["reproduced"] is True
    # the inputs change: exit 1, naming the difference
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


def test_verify_rejects_what_is_not_a_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"households": []}', "utf-8")
    with pytest.raises(pc.InputError, match="results file"):
        verify(bad)
    assert main(["verify", str(bad)], stdout=io.StringIO()) == 3
    assert "poverty-core record" in capsys.readouterr().err
