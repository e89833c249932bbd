"""Decision records carry the reference data a decision read (name, kind, rows, SHA-256,
the file — never the data), and ``verify`` supplies them again and names a changed
reference as the cause (issue 14). Zhangzhou's identification decision reads the
reference ``identification_matches``. All data here are SYNTHETIC (invented ID numbers
and households, no real person)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core.aliases import command_line_options
from poverty_core.cli import EXIT_OK, main
from poverty_core.errors import InputError
from poverty_core.io import read_dataset
from poverty_core.jobs import assess_register
from poverty_core.records import decide_batch_recorded, decide_recorded, record_path, verify
from poverty_core.references import read_reference_file

DAY = dt.date(2016, 3, 1)
H1_ID = "35062319800101007X"  # SYNTHETIC
H2_ID = "350628198001010020"  # SYNTHETIC
REGISTER = {
    "as_of": DAY.isoformat(),
    "households": [
        {"id": "h1", "members": [{"id": "1", "id_number": H1_ID}]},
        {"id": "h2", "members": [{"id": "1", "id_number": H2_ID}]},
    ],
}
NAME = "identification_matches"


def _matches(path: Path, id_number: str) -> Path:
    path.write_text(
        f"id_number,data_set,reason\n{id_number},social_insurance,SYNTHETIC\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    register = tmp_path / "register.json"
    register.write_text(json.dumps(REGISTER), encoding="utf-8")
    return register, _matches(tmp_path / "matches.csv", H1_ID)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def test_one_record_carries_the_reference_summary_not_the_data() -> None:
    pack = pc.load_pack("zhangzhou")
    household = (
        pc.load_pack("zhangzhou").record_type("household").from_dict(REGISTER["households"][0])
    )
    rows = [{"id_number": H1_ID, "data_set": "social_insurance", "reason": "SYNTHETIC"}]
    recorded = decide_recorded(
        pack, "identification", household, as_of=DAY, references={NAME: rows}
    )
    assert recorded.result.outcome.value == "not_eligible"
    ref = recorded.record.reference(NAME)
    assert ref is not None
    assert (ref.kind, ref.rows, ref.file) == ("table", 1, None)
    assert ref.sha256 == pack.check_references({NAME: rows})[NAME].sha256
    text = json.dumps(recorded.record.to_dict())
    assert H1_ID not in text
    assert H1_ID[:17] not in text
    # not supplied: recorded as such, the rule comes out unknown
    bare = decide_recorded(pack, "identification", household, as_of=DAY)
    missing = bare.record.reference(NAME)
    assert missing is not None
    assert (missing.rows, missing.sha256) == (None, None)


def test_record_file_reproduced_then_reference_row_changed(files: tuple[Path, Path]) -> None:
    register, matches = files
    results = register.parent / "results.json"
    code, text = run(
        "record", str(register), "--pack", "zhangzhou", "--decision", "identification",
        "--reference", f"{NAME}={matches}", "-o", str(results),
    )  # fmt: skip
    assert code == EXIT_OK, text
    data = json.loads(results.read_text("utf-8"))
    [ref] = data["record"]["references"]
    assert (ref["name"], ref["kind"], ref["rows"], ref["file"]) == (NAME, "table", 1, str(matches))
    assert H1_ID[:17] not in results.read_text("utf-8")
    assert verify(results).reproduced
    code, text = run("verify", str(results))
    assert code == EXIT_OK, text
    assert text.startswith("reproduced"), text

    _matches(matches, H2_ID)  # the row now names h2's member instead of h1's
    result = verify(results)
    assert not result.reproduced
    kinds = {(d.kind, d.what) for d in result.differences}
    assert ("reference", NAME) in kinds
    assert {("outcome", "h1"), ("outcome", "h2")} <= kinds
    assert not any(d.kind in ("input", "parameter", "pack_data") for d in result.differences)
    for d in result.differences:
        if d.kind in ("outcome", "finding"):
            assert f"reference {NAME}" in d.cause.en, d.explain()
            assert f"参考数据 {NAME}" in d.cause.zh
    code, text = run("verify", str(results), "--format", "json")
    assert code == 1
    payload = json.loads(text)
    assert {d["what"] for d in payload["differences"] if d["kind"] == "outcome"} == {"h1", "h2"}
    assert H2_ID[:17] not in text
    code, text = run("verify", str(results), "--lang", "zh")
    assert code == 1
    assert "参考数据不同" in text
    assert "different" not in text
    assert "rows" not in text

    # the original data given to verify replace the recorded file: reproduced again
    original = _matches(register.parent / "original.csv", H1_ID)
    code, text = run("verify", str(results), "--reference", f"{NAME}={original}")
    assert code == EXIT_OK, text


def test_batch_in_memory_reference_must_be_given_again(files: tuple[Path, Path]) -> None:
    register, _ = files
    pack = pc.load_pack("zhangzhou")
    households = read_dataset(register, pack=pack).households
    rows = [{"id_number": H1_ID, "data_set": "social_insurance"}]
    recorded = decide_batch_recorded(
        pack, "identification", households, as_of=DAY, source=str(register),
        references={NAME: rows},
    )  # fmt: skip
    from poverty_core.records import write_results

    results = register.parent / "memory.json"
    write_results(results, recorded)
    with pytest.raises(InputError) as caught:
        verify(results)
    # a Python caller is told the keyword it passes; the command line its option
    assert f"references={{'{NAME}': …}}" in str(caught.value.problems[0].message.en)
    with command_line_options(), pytest.raises(InputError) as caught:
        verify(results)
    assert f"--reference {NAME}=FILE" in str(caught.value.problems[0].message.en)
    assert verify(results, references={NAME: rows}).reproduced
    moved = verify(results, references={NAME: [{"id_number": H2_ID, "data_set": "x"}]})
    assert ("reference", NAME) in {(d.kind, d.what) for d in moved.differences}


def test_register_job_records_and_verifies_references(files: tuple[Path, Path]) -> None:
    register, matches = files
    pack = pc.load_pack("zhangzhou")
    pack = pack.with_references({NAME: read_reference_file(pack.references[NAME], matches)})
    out = register.parent / "assessed.csv"
    run_ = assess_register(register, pack=pack, decision="identification", output=out)
    assert run_.record is not None
    ref = run_.record.reference(NAME)
    assert ref is not None
    assert (ref.rows, ref.file) == (1, str(matches))
    side = json.loads(Path(record_path(out)).read_text("utf-8"))
    assert side["record"]["references"][0]["sha256"] == ref.sha256
    assert verify(out).reproduced

    _matches(matches, H2_ID)
    result = verify(out)
    kinds = {(d.kind, d.what) for d in result.differences}
    assert ("reference", NAME) in kinds
    assert {("outcome", "h1"), ("outcome", "h2")} <= kinds
    assert all(
        f"reference {NAME}" in d.cause.en
        for d in result.differences
        if d.kind in ("outcome", "finding")
    )


def test_register_job_on_the_command_line(files: tuple[Path, Path]) -> None:
    register, matches = files
    out = register.parent / "cli.csv"
    code, text = run(
        "assess", str(register), "--pack", "zhangzhou", "--decision", "identification",
        "--reference", f"{NAME}={matches}", "-o", str(out), "-q",
    )  # fmt: skip
    assert code == EXIT_OK, text
    code, text = run("verify", str(out))
    assert code == EXIT_OK, text
    _matches(matches, H2_ID)
    code, text = run("verify", str(out))
    assert code == 1
    assert f"reference {NAME}" in text
    assert "h1" in text
    assert "h2" in text


def test_report_shows_the_reference_rows_and_hash(files: tuple[Path, Path]) -> None:
    from html.parser import HTMLParser

    register, matches = files
    report = register.parent / "report.html"
    code, text = run(
        "assess", str(register), "--pack", "zhangzhou", "--decision", "identification",
        "--reference", f"{NAME}={matches}", "--report", str(report), "--lang", "zh", "-q",
    )  # fmt: skip
    assert code == EXIT_OK, text

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self._in = False

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self._in = tag in ("td", "th")
            if self._in:
                self.cells.append("")

        def handle_endtag(self, tag: str) -> None:
            self._in = False

        def handle_data(self, data: str) -> None:
            if self._in:
                self.cells[-1] += data

    page = Cells()
    page.feed(report.read_text("utf-8"))
    at = page.cells.index("参考数据（行数与哈希值）")
    assert page.cells[at + 1].startswith(f"{NAME} 1 行：")
    assert H1_ID[:17] not in report.read_text("utf-8")
