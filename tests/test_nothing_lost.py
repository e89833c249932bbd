"""Nothing lost, nothing leaked (issue 10), through the command line: merged xlsx cells,
JSON registers in skip mode, ID numbers as household ids, formulas in the HTML report,
NaN in outputs, full disks, Ctrl-C, broken plugins, bad parameter values in a pack and
temporary files a killed run left."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

import poverty_core as pc
from poverty_core import io as poverty_core_io
from poverty_core import plugins as plugins_module
from poverty_core.batch import ResultWriter
from poverty_core.cli import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_PACK,
    main,
)
from poverty_core.jobs import Assessment
from poverty_core.report import render

AS_OF = ["--as-of", "2016-12-31"]
H_HEAD = ["id", "village_id", "annual_net_income_per_capita", "food_secure", "clothing_secure",
          "house_grade", "relocated", "relocation_keys_received"]  # fmt: skip
M_HEAD = ["household_id", "id", "age", "basic_medical_insurance", "serious_illness_insurance",
          "medical_assistance", "schooling_status"]  # fmt: skip


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def household(hid: str, village: str | None = "v1") -> list[Any]:
    """A household that reads every input of the exit decision (so no run warns of one
    absent from the file)."""
    return [hid, village, 3100, True, True, "B", False, False]


def member(hid: str | None, mid: str, age: int = 40, schooling: str | None = None) -> list[Any]:
    return [hid, mid, age, True, True, True, schooling]


def csv_files(folder: Path, households: list[list[Any]], members: list[list[Any]]) -> list[str]:
    def text(head: list[str], rows: list[list[Any]]) -> str:
        cells = [
            [("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for v in r]
            for r in rows
        ]
        return "\n".join(",".join(r) for r in [head, *cells]) + "\n"

    (folder / "h.csv").write_text(text(H_HEAD, households), "utf-8")
    (folder / "m.csv").write_text(text(M_HEAD, members), "utf-8")
    return [str(folder / "h.csv"), "--members", str(folder / "m.csv")]


# -- xlsx: merged key cells ---------------------------------------------------------------


def workbook(path: Path, merges: dict[str, list[str]]) -> Path:
    """Four households in village v1 (written once, in a merged range when asked), and
    their members; h0's second member, a 12-year-old out of school, under a merged
    household id."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "households"
    sheet.append(H_HEAD)
    merged_village = "B2:B5" in merges.get("households", [])
    for i in range(4):
        sheet.append(household(f"h{i}", "v1" if i == 0 or not merged_village else None))
    members = book.create_sheet("members")
    members.append(M_HEAD)
    members.append(member("h0", "1"))
    merged_key = "A2:A3" in merges.get("members", [])
    members.append(member(None if merged_key else "h0", "2", 12, "out_of_school"))
    for i in range(1, 4):
        members.append(member(f"h{i}", "1"))
    for name, ranges in merges.items():
        for ref in ranges:
            book[name].merge_cells(ref)
    book.save(path)
    return path


def test_xlsx_merged_key_cells_are_read_as_their_top_left_value(tmp_path: Path) -> None:
    book = workbook(tmp_path / "register.xlsx", {"households": ["B2:B5"], "members": ["A2:A3"]})
    code, out = run("assess", str(book), *AS_OF, "--format", "json")
    assert code == EXIT_OK
    report = json.loads(out)
    # Every household stays in its village; h0 keeps its child out of school.
    assert [(g["village_id"], g["households"]) for g in report["summary"]["by_village"]] == [
        ("v1", 4)
    ]
    outcomes = {r["id"]: r["outcome"] for r in report["households"]}
    assert outcomes == {"h0": "not_eligible", "h1": "eligible", "h2": "eligible", "h3": "eligible"}
    assert [(c["read"], c["assessed"], c["rejected"]) for c in report["files"]] == [
        (4, 4, 0),
        (5, 5, 0),
    ]


def test_xlsx_merged_cells_elsewhere_are_refused_naming_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = workbook(tmp_path / "register.xlsx", {"members": ["D4:D5"]})
    code, _ = run("assess", str(book), *AS_OF, "-o", str(tmp_path / "r.csv"))
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    where = "register.xlsx[members]:5:basic_medical_insurance"
    assert f"{where}: cell D5 is part of the merged range D4:D5" in err
    assert not (tmp_path / "r.csv").exists()
    # In skip mode the row and its household are rejected, the rest assessed.
    rejects = tmp_path / "rejects.csv"
    code, out = run(
        "assess",
        str(book),
        *AS_OF,
        "--on-error",
        "skip",
        "--rejects",
        str(rejects),
        "--format",
        "json",
    )
    assert code == EXIT_OK
    rows = {
        (r["file"].rsplit("[", 1)[-1].rstrip("]"), int(r["row"]))
        for r in csv.DictReader(io.StringIO(rejects.read_text("utf-8")))
    }
    assert rows == {("households", 4), ("members", 5)}  # h2, whose member row 5 is refused
    assert {r["id"] for r in json.loads(out)["households"]} == {"h0", "h1", "h3"}


# -- JSON registers in skip mode ----------------------------------------------------------


def test_skip_mode_works_for_json_registers(tmp_path: Path) -> None:
    good = {"id": "h1", "village_id": "v1", "members": [{"id": "1"}]}
    data = {
        "villages": [{"id": "v1"}, {"id": "v2", "rural_registered_population": -1}],
        "households": [
            good,
            {**good, "id": "h2", "food_secure": "maybe"},
            {**good, "id": "h3", "village_id": "v2"},
            {**good, "id": "h4", "village_id": "v9"},
            {**good, "id": "h1"},
        ],
    }
    (tmp_path / "in.json").write_text(json.dumps(data), "utf-8")
    rejects = tmp_path / "rejects.json"
    code, out = run("assess", str(tmp_path / "in.json"), *AS_OF, "--on-error", "skip",
                    "--rejects", str(rejects), "--format", "json")  # fmt: skip
    assert code == EXIT_OK
    report = json.loads(out)
    assert [r["id"] for r in report["households"]] == ["h1"]
    rejected = {(Path(r["file"]).name, r["row"]) for r in json.loads(rejects.read_text("utf-8"))}
    assert rejected == {
        ("in.json[households]", 1),
        ("in.json[households]", 2),
        ("in.json[households]", 3),
        ("in.json[households]", 4),
        ("in.json[villages]", 1),
    }
    counts = {
        Path(c["file"]).name: (c["read"], c["assessed"], c["rejected"]) for c in report["files"]
    }
    assert counts == {"in.json[households]": (5, 1, 4), "in.json[villages]": (2, 1, 1)}


# -- ID numbers as household ids ----------------------------------------------------------

ID = "350122198001010017"  # valid ID numbers
ID2 = "11010519491231002X"
MASKED, MASKED2 = "350122********0017", "110105********002X"


def test_household_ids_that_are_id_numbers_are_masked_in_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = tmp_path / "register"
    register.mkdir()
    inputs = csv_files(
        register,
        [household(ID), household(ID2), household("h3")],
        [member(ID, "1"), member(ID2, "1", age=-1), member("h3", "1")],
    )
    names = (
        "r.csv",
        "r.jsonl",
        "r.json",
        "report.html",
        "report.md",
        "rejects.csv",
        "rejects.json",
    )
    outputs = {name: tmp_path / name for name in names}
    texts = []
    for results, report, rejects in (
        ("r.csv", "report.html", "rejects.csv"),
        ("r.jsonl", "report.md", "rejects.json"),
    ):
        code, out = run("assess", *inputs, *AS_OF, "--on-error", "skip",
                        "-o", str(outputs[results]), "--report", str(outputs[report]),
                        "--rejects", str(outputs[rejects]))  # fmt: skip
        assert code == EXIT_OK
        texts.append(out)
    code, out = run("assess", *inputs, *AS_OF, "--on-error", "skip",
                    "-o", str(outputs["r.json"]), "--format", "json")  # fmt: skip
    assert code == EXIT_OK
    texts.append(out)
    # An explanation, an unknown record, a run that fails on the household's bad member.
    good = csv_files(tmp_path, [household(ID)], [member(ID, "1")])
    code, explanation = run("explain", *good, *AS_OF, "--id", ID)
    assert code == EXIT_OK
    assert MASKED in explanation
    code, _ = run("explain", *good, *AS_OF, "--id", "350122198001010025")
    assert code == EXIT_PACK
    code, _ = run("assess", *inputs, *AS_OF)
    assert code == EXIT_INPUT
    everything = "\n".join(
        [
            *texts,
            explanation,
            capsys.readouterr().err,
            *(p.read_text("utf-8") for p in outputs.values()),
        ]
    )
    assert ID not in everything
    assert ID2 not in everything
    assert "350122198001010025" not in everything
    for name in ("r.csv", "r.jsonl", "r.json"):
        assert MASKED in outputs[name].read_text("utf-8")
    for name in ("rejects.csv", "rejects.json"):
        assert MASKED2 in outputs[name].read_text("utf-8")
    # Shown in full only when asked.
    code, _ = run("--show-id-numbers", "assess", *good, *AS_OF, "-o", str(tmp_path / "full.csv"))
    assert code == EXIT_OK
    assert ID in (tmp_path / "full.csv").read_text("utf-8")


def test_html_report_neutralises_formulas(tmp_path: Path) -> None:
    villages = ["=HYPERLINK(1)", "+1", "-2", "@SUM(1)"]
    inputs = csv_files(
        tmp_path,
        [household(f"h{i}", v) for i, v in enumerate(villages)],
        [member(f"h{i}", "1") for i in range(len(villages))],
    )
    code, _ = run("assess", *inputs, *AS_OF, "--report", str(tmp_path / "report.html"), "-q")
    assert code == EXIT_OK
    html = (tmp_path / "report.html").read_text("utf-8")
    for cell in ("'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(1)"):
        assert f"<td>{cell}</td>" in html
    for risky in ("=", "+", "@", "-2"):
        assert f"<td>{risky}" not in html
    # A tab or carriage return (no register reader lets one through) is neutralised too.
    report = {"summary": {"by_village": [{"village_id": v, "households": 1, "people": 1,
              "eligible_households": 1, "exit_rate_households": 1.0, "exit_rate_people": 1.0,
              "undetermined_households": 0} for v in ("\tx", "\rx")]}}  # fmt: skip
    html = render("report.html", report)
    assert "<td>'\tx</td>" in html
    assert "<td>' x</td>" in html  # the line break would end the row: a space
    with ResultWriter(tmp_path / "r.csv") as writer:
        writer.write(pa.table({"id": ["\tx", "\rx", "x"]}))
    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)][1:] == ["'\tx", "'\rx", "x"]


# -- outputs that cannot be written ----------------------------------------------------------


def small_register(folder: Path, n: int = 40) -> list[str]:
    return csv_files(
        folder,
        [household(f"h{i:03}") for i in range(n)],
        [member(f"h{i:03}", "1") for i in range(n)],
    )


def test_json_output_never_holds_nan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = small_register(tmp_path, 2)
    report = Assessment.to_dict

    def with_nan(self: Assessment) -> dict[str, Any]:
        out = report(self)
        out["summary"]["households"]["eligible"] = float("nan")
        return out

    monkeypatch.setattr(Assessment, "to_dict", with_nan)
    target = tmp_path / "r.json"
    code, _ = run("assess", *inputs, *AS_OF, "-o", str(target))
    err = capsys.readouterr().err
    assert code == EXIT_OUTPUT
    assert f"cannot write {target}: $.summary.households.eligible is not a finite number" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.csv"]


def test_a_full_disk_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = small_register(tmp_path, 2)

    def full(self: ResultWriter, table: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ResultWriter, "write", full)
    target = tmp_path / "r.parquet"
    for lang, text in (
        ("en", f"cannot write {target}: No space left on device"),
        ("zh", f"无法写入 {target}：磁盘空间不足"),
    ):
        code, _ = run("assess", *inputs, *AS_OF, "-o", str(target), "--lang", lang)
        assert code == EXIT_OUTPUT
        assert capsys.readouterr().err.strip() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_file_size_limit_names_the_file(tmp_path: Path) -> None:
    inputs = small_register(tmp_path, 200)
    target = tmp_path / "r.csv"
    script = textwrap.dedent(
        """
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        from poverty_core.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "assess", *inputs, *AS_OF, "-o", str(target), "-q"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_OUTPUT, done.stderr
    assert done.stderr.strip() == f"cannot write {target}: File too large"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.csv"]


def test_ctrl_c_is_exit_130_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = small_register(tmp_path, 2)

    def interrupted(self: ResultWriter, table: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ResultWriter, "write", interrupted)
    code, _ = run("assess", *inputs, *AS_OF, "-o", str(tmp_path / "r.csv"), "--lang", "zh")
    assert code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "已中断：未写入任何文件\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.csv"]


# -- packs ---------------------------------------------------------------------------------


def test_a_plugin_that_fails_to_import_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = metadata.EntryPoint(
        name="lianjiang_county", value="no_such_module_for_a_test:plugin", group="poverty_core"
    )
    monkeypatch.setattr(plugins_module.metadata, "entry_points", lambda group: [broken])
    monkeypatch.setattr(plugins_module, "_DEFAULT", [])
    inputs = small_register(tmp_path, 2)
    code, _ = run("assess", *inputs, *AS_OF, "--pack", "lianjiang_county")
    err = capsys.readouterr().err
    assert code == EXIT_PACK
    assert "pack lianjiang_county: plugin failed to load: ModuleNotFoundError" in err
    assert "unknown pack" not in err


def test_impossible_parameter_values_in_a_pack_or_the_api(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    packs: SimpleNamespace,
    pack_dir: Any,
) -> None:
    for value, word in (("nan", "finite"), ("-inf", "finite"), ("-2952", "negative")):
        data = pack_dir(
            parameters={"my_line": packs.parameter([packs.value("2016-01-01", value)])},
            name=f"data{word}{value}",
        )
        registry = packs.registry(packs.Plugin(packs.definition(data=data)))
        monkeypatch.setattr(plugins_module, "_DEFAULT", [registry])
        code, _ = run("assess", *small_register(tmp_path, 2), *AS_OF, "--pack", "tmp")
        err = capsys.readouterr().err
        assert code == EXIT_PACK
        assert "parameters/my_line.toml: values[0].value" in err
        assert word in err
    national = pc.load_pack("national")
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(pc.InputError, match="poverty_line"):
            national.check_overrides({"poverty_line": bad})
    with pytest.raises(pc.InputError, match=r"0\.03"):
        national.check_overrides({"village_incidence_max": 3})


# -- temporary files a killed run left ------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_are_removed_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = small_register(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = out / f".r.csv.poverty-core.{dead_pid()}.abcd1234.tmp"
        live = out / f".r.csv.poverty-core.{sleeper.pid}.efgh5678.tmp"  # still writing
        reused = out / f".r.csv.poverty-core.{sleeper.pid}.ijkl9012.tmp"  # its id, reused
        other = out / ".r.csv.somebody-else.tmp"
        for path in (stale, live, reused, other):
            path.write_text("partial", "utf-8")
        os.utime(reused, (1_000_000_000, 1_000_000_000))  # before the sleeper started
        # This run started after all of them were last written.
        monkeypatch.setattr(poverty_core_io, "_STARTED", time.time() + 60)
        code, _ = run("assess", *inputs, *AS_OF, "-o", str(out / "r.csv"), "--lang", "zh", "-q")
    finally:
        sleeper.kill()
        sleeper.wait()
    assert code == EXIT_OK
    notes = sorted(capsys.readouterr().err.splitlines())
    assert notes == sorted(f"已删除此前被中断的运行留下的临时文件：{p}" for p in (stale, reused))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["r.csv", "r.csv.record.json", live.name, other.name]
    )


def test_temporary_files_of_a_run_still_going_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A temporary file younger than this process may be another run's: kept."""
    inputs = small_register(tmp_path, 2)
    young = tmp_path / f".r.csv.poverty-core.{dead_pid()}.abcd1234.tmp"
    young.write_text("partial", "utf-8")
    assert run("assess", *inputs, *AS_OF, "-o", str(tmp_path / "r.csv"), "-q")[0] == EXIT_OK
    assert young.exists()
    assert capsys.readouterr().err == ""


def test_a_run_writes_its_temporary_file_under_its_own_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = small_register(tmp_path, 2)
    seen: list[str] = []

    def look(self: ResultWriter, table: Any) -> None:
        seen.extend(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        raise KeyboardInterrupt

    monkeypatch.setattr(ResultWriter, "write", look)
    assert run("assess", *inputs, *AS_OF, "-o", str(tmp_path / "r.csv"))[0] == EXIT_INTERRUPTED
    assert len(seen) == 1
    assert seen[0].startswith(f".r.csv.poverty-core.{os.getpid()}.")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_no_copy_of_the_register_in_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names and ID numbers are never copied to a temporary file, not even while a run
    writes its results."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    seen: list[str] = []
    write = ResultWriter.write

    def look(self: ResultWriter, table: Any) -> None:
        seen.extend(str(p) for p in private.rglob("*"))
        write(self, table)

    monkeypatch.setattr(ResultWriter, "write", look)
    inputs = small_register(tmp_path, 50)
    for mode in ("fail", "skip"):
        code, _ = run("assess", *inputs, *AS_OF, "--batch-size", "7", "--on-error", mode, "-q",
                      "-o", str(tmp_path / f"r-{mode}.csv"))  # fmt: skip
        assert code == EXIT_OK
    assert seen == []
    assert list(private.iterdir()) == []


def test_interrupting_the_process_leaves_nothing(tmp_path: Path) -> None:
    """A real SIGINT to a running process: exit 130, one line, no temporary file."""
    inputs = small_register(tmp_path, 30)
    script = textwrap.dedent(
        """
        import os, signal, sys
        from poverty_core import batch
        write = batch.ResultWriter.write
        def slow(self, table):
            write(self, table)
            os.kill(os.getpid(), signal.SIGINT)
        batch.ResultWriter.write = slow
        from poverty_core.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "assess", *inputs, *AS_OF, "--batch-size", "5",
         "-o", str(tmp_path / "r.csv")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_INTERRUPTED
    assert done.stderr == "interrupted: nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.csv"]


def test_validate_compares_ages_with_birth_dates_on_the_date_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "h.csv").write_text(
        ",".join(H_HEAD) + "\nh0,v1,3100,true,true,B,false,false\n", "utf-8"
    )
    (tmp_path / "m.csv").write_text("household_id,id,age,birth_date\nh0,1,8,1976-05-01\n", "utf-8")
    inputs = [str(tmp_path / "h.csv"), "--members", str(tmp_path / "m.csv")]
    assert run("validate", *inputs)[0] == EXIT_OK  # no date: nothing to compare on
    code, _ = run("validate", *inputs, *AS_OF, "--lang", "zh")
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "m.csv:2:age: 年龄 8 与出生日期 1976-05-01" in err
    assert "m.csv:2:birth_date）不符：到 2016-12-31 应为 40 岁" in err
