"""The catalogue of bad input, run through the main job: each kind gives exit code 3, a
message naming the file (or record), row and field, and leaves nothing written; an ID
number never appears unmasked in any output. Bad command lines are exit 2 (one line,
nothing read or written), unknown names exit 4; in skip mode every kind of bad row is
rejected and accounted for (rows read = rows assessed + rows rejected, per file)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from poverty_core.cli import EXIT_INPUT, EXIT_OK, EXIT_PACK, EXIT_USAGE, main

HEAD = (
    "id,village_id,annual_net_income_per_capita,food_secure,clothing_secure,house_grade,relocated"
)
ROW = "h{n},v1,3100,true,true,B,false"
MEMBERS_HEAD = "household_id,id,age,id_number,basic_medical_insurance,serious_illness_insurance,medical_assistance"
MEMBER = "h{n},1,40,,true,true,true"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def files(tmp_path: Path, households: str, members: str, encoding: str = "utf-8") -> list[str]:
    (tmp_path / "households.csv").write_bytes(households.encode(encoding))
    (tmp_path / "members.csv").write_bytes(members.encode(encoding))
    return [str(tmp_path / "households.csv"), "--members", str(tmp_path / "members.csv")]


def good_households(n: int = 2) -> list[str]:
    return [HEAD] + [ROW.format(n=i) for i in range(n)]


def good_members(n: int = 2) -> list[str]:
    return [MEMBERS_HEAD] + [MEMBER.format(n=i) for i in range(n)]


def with_cell(lines: list[str], row: int, column: str, value: str) -> str:
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines = [*lines]
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


def members_born(age: int, born: str) -> str:
    """Members with a date of birth column; the first member's age and birth date given."""
    lines = [
        MEMBERS_HEAD + ",birth_date",
        MEMBER.format(n=0) + f",{born}",
        MEMBER.format(n=1) + ",",
    ]
    return with_cell(lines, 1, "age", str(age))


H, M = "households.csv", "members.csv"
CATALOGUE: list[tuple[str, str, str, str | tuple[str, ...]]] = [
    # (name, households, members, expected text in the message)
    ("wrong type", with_cell(good_households(), 1, "food_secure", "maybe"), "\n".join(good_members()), f"{H}:2:food_secure"),
    ("negative income", with_cell(good_households(), 2, "annual_net_income_per_capita", "-5"), "\n".join(good_members()), f"{H}:3:annual_net_income_per_capita"),
    ("negative age", "\n".join(good_households()), with_cell(good_members(), 1, "age", "-3"), f"{M}:2:age"),
    ("unknown code", with_cell(good_households(), 1, "house_grade", "E"), "\n".join(good_members()), f"{H}:2:house_grade"),
    ("missing id", with_cell(good_households(), 1, "id", ""), "\n".join(good_members()), f"{H}:2:id"),
    ("duplicate household id", with_cell(good_households(), 2, "id", "h0"), "\n".join(good_members()), f"{H}:3:id"),
    ("duplicate member id", "\n".join(good_households()), "\n".join([*good_members(), MEMBER.format(n=0)]), f"{M}:4:id"),
    ("member of no household", "\n".join(good_households()), "\n".join([*good_members(), MEMBER.format(n=9)]), f"{M}:4"),
    ("unparseable number", with_cell(good_households(), 1, "annual_net_income_per_capita", "约3000"), "\n".join(good_members()), f"{H}:2:annual_net_income_per_capita"),
    ("bad ID number", "\n".join(good_households()), with_cell(good_members(), 1, "id_number", "350122198001010011"), f"{M}:2:id_number"),
    ("ragged row", "\n".join([*good_households(), "h9,v1"]), "\n".join(good_members()), f"{H}:4"),
    ("empty file", "", "\n".join(good_members()), H),
    ("header only", HEAD + "\n", MEMBERS_HEAD + "\n", H),
    ("unknown column", "\n".join([HEAD + ",colour", *(r + ",red" for r in good_households()[1:])]), "\n".join(good_members()), "colour"),
    ("very large field", with_cell(good_households(), 1, "village_id", "v" * 5000), "\n".join(good_members()), f"{H}:2:village_id"),
    ("age contradicts birth date", "\n".join(good_households()), members_born(8, "1976-05-01"), (f"{M}:2:age: age 8 contradicts the date of birth 1976-05-01", f"{M}:2:birth_date): 40 on 2016-12-31")),
    ("blank member household id", "\n".join(good_households()), "\n".join([*good_members(), ",2,12,,true,true,true"]), f"{M}:4:household_id: the member has no household id"),
    ("household id that is an ID number, repeated", with_cell(with_cell(good_households(), 1, "id", "350122198001010017").splitlines(), 2, "id", "350122198001010017"), "\n".join(good_members()).replace("h0", "350122198001010017"), ("350122********0017", f"{H}:3:id")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "households", "members", "expected"), CATALOGUE, ids=[c[0] for c in CATALOGUE]
)
def test_bad_register_fails_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    households: str,
    members: str,
    expected: str | tuple[str, ...],
) -> None:
    inputs = files(tmp_path, households, members)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out = run(
        "assess", *inputs, "--as-of", "2016-12-31",
        "-o", str(tmp_path / "results.csv"), "--report", str(tmp_path / "report.md"),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    for text in (expected,) if isinstance(expected, str) else expected:
        assert text in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "350122198001010011" not in err + out
    assert "350122198001010017" not in err + out


def test_gbk_and_bom_files_are_read(tmp_path: Path) -> None:
    households = "\n".join(good_households()).replace("v1", "连江村") + "\n"
    for encoding in ("gb18030", "utf-8-sig"):
        inputs = files(tmp_path, households, "\n".join(good_members()) + "\n", encoding)
        code, out = run("assess", *inputs, "--as-of", "2016-12-31", "--format", "json")
        assert code == EXIT_OK
        assert json.loads(out)["summary"]["by_village"][0]["village_id"] == "连江村"


def test_households_in_an_unknown_village(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = files(tmp_path, "\n".join(good_households()) + "\n", "\n".join(good_members()) + "\n")
    (tmp_path / "villages.json").write_text(json.dumps([{"id": "v2"}]), "utf-8")
    code, _ = run("assess", *inputs, "--villages", str(tmp_path / "villages.json"), "--as-of", "2016-12-31",
                  "-o", str(tmp_path / "r.csv"))  # fmt: skip
    assert code == EXIT_INPUT
    assert "village 'v1'" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_village_with_more_poor_than_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    households = with_cell(good_households(), 1, "annual_net_income_per_capita", "100")
    inputs = files(tmp_path, households, "\n".join(good_members()) + "\n")
    (tmp_path / "villages.json").write_text(
        json.dumps([{"id": "v1", "rural_registered_population": 0}]), "utf-8"
    )
    code, _ = run(
        "assess", *inputs, "--villages", str(tmp_path / "villages.json"), "--as-of", "2016-12-31"
    )
    assert code == EXIT_INPUT
    assert "villages[v1].poor_population" in capsys.readouterr().err


def test_future_and_too_early_dates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record: dict[str, Any] = {
        "id": "h", "members": [{"id": "1"}],
        "history": [{"kind": "identified", "date": "2009-12-31"}, {"kind": "exited", "date": "2999-01-01"}],
    }  # fmt: skip
    (tmp_path / "in.json").write_text(json.dumps([record]), "utf-8")
    code, _ = run("validate", str(tmp_path / "in.json"))
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert "households[0].history[0].date" in err
    assert "households[0].history[1].date" in err


def test_id_numbers_never_appear_in_outputs(tmp_path: Path) -> None:
    valid = "350122198001010017"
    members = with_cell(good_members(), 1, "id_number", valid)
    inputs = files(tmp_path, "\n".join(good_households()) + "\n", members)
    outputs = [tmp_path / "r.csv", tmp_path / "r.json", tmp_path / "report.html"]
    code, out = run(
        "assess",
        *inputs,
        "--as-of",
        "2016-12-31",
        "-o",
        str(outputs[0]),
        "--report",
        str(outputs[2]),
    )
    assert code == EXIT_OK
    code, out2 = run(
        "assess", *inputs, "--as-of", "2016-12-31", "-o", str(outputs[1]), "--format", "json"
    )
    code, out3 = run("explain", *inputs, "--id", "h0", "--as-of", "2016-12-31")
    for text in [out, out2, out3, *(p.read_text("utf-8") for p in outputs)]:
        assert valid not in text


# -- JSON and JSON Lines: the same, record by record ------------------------------------------

ONE = {"id": "h", "members": [{"id": "1"}]}
JSON_CATALOGUE: list[tuple[str, str, str, str]] = [
    # (name, file name, text, expected text in the message)
    ("repeated key", "in.json", '[{"id": "h", "annual_net_income_per_capita": 100, "annual_net_income_per_capita": 5000, "members": [{"id": "1"}]}]', "households[0].annual_net_income_per_capita: key 'annual_net_income_per_capita' is given more than once"),
    ("repeated key in a member", "in.json", '{"households": [{"id": "h", "members": [{"id": "1", "age": 8, "age": 40}]}]}', "households[0].members[0].age: key 'age' is given more than once"),
    ("repeated key in a line", "in.jsonl", '{"id": "h", "food_secure": true, "food_secure": false, "members": [{"id": "1"}]}\n', "in.jsonl:1:food_secure: key 'food_secure' is given more than once"),
    ("repeated top-level key", "in.json", '{"households": [], "households": [{"id": "h", "members": [{"id": "1"}]}]}', "households: key 'households' is given more than once"),
    ("age contradicts birth date", "in.json", json.dumps([{**ONE, "members": [{"id": "1", "age": 8, "birth_date": "1976-05-01"}]}]), "households[0].members[0].age: age 8 contradicts the date of birth 1976-05-01 (households[0].members[0].birth_date)"),
    ("age contradicts birth date in a line", "in.jsonl", json.dumps({**ONE, "members": [{"id": "1", "age": 8, "birth_date": "1976-05-01"}]}) + "\n", "in.jsonl:1:members[0].age: age 8 contradicts"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "file", "text", "expected"), JSON_CATALOGUE, ids=[c[0] for c in JSON_CATALOGUE]
)
def test_bad_json_fails_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    file: str,
    text: str,
    expected: str,
) -> None:
    (tmp_path / file).write_text(text, "utf-8")
    code, _ = run(
        "assess", str(tmp_path / file), "--as-of", "2016-12-31", "-o", str(tmp_path / "r.csv")
    )
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert expected in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [file]


# -- bad command lines: exit 2 (one line) or 4, nothing read or written -------------------------

USAGE: list[tuple[str, list[str], int, str]] = [
    # (name, arguments after the inputs ({d}: the folder), exit code, expected text)
    ("results file of no known kind", ["-o", "{d}/results.txt"], EXIT_USAGE, "-o {d}/results.txt: a results file ends in .csv"),
    ("batch size zero", ["--batch-size", "0"], EXIT_USAGE, "--batch-size must be a positive whole number (got 0)"),
    ("rejects without skip", ["--rejects", "{d}/r.csv"], EXIT_USAGE, "--rejects needs --on-error skip"),
    ("results over the households", ["-o", "{d}/households.csv"], EXIT_USAGE, "-o {d}/households.csv is the same file as FILE"),
    ("report over the members, spelt with ./", ["--report", "{d}/./members.csv"], EXIT_USAGE, "is the same file as --members"),
    ("results over the villages", ["--villages", "{d}/villages.csv", "-o", "{d}/villages.csv"], EXIT_USAGE, "is the same file as --villages"),
    ("rejects over the results", ["-o", "{d}/same.csv", "--on-error", "skip", "--rejects", "{d}/same.csv"], EXIT_USAGE, "--rejects {d}/same.csv is the same file as -o"),
    ("report over the JSON results", ["-o", "{d}/r.json", "--report", "{d}/r.json"], EXIT_USAGE, "--report {d}/r.json is the same file as -o"),
    ("results through a symbolic link to the members", ["-o", "{d}/link.csv"], EXIT_USAGE, "is the same file as --members"),
    ("results over a hard link of the households", ["-o", "{d}/hard.csv"], EXIT_USAGE, "is the same file as FILE"),
    ("unknown parameter", ["--set", "unknown=1"], EXIT_PACK, "unknown parameter 'unknown'"),
    ("NaN parameter", ["--set", "poverty_line=nan"], EXIT_INPUT, "--set poverty_line: must be a finite number, not nan"),
    ("infinite parameter", ["--set", "poverty_line=1e999"], EXIT_INPUT, "must be a finite number, not inf"),
    ("negative parameter", ["--set", "poverty_line=-1"], EXIT_INPUT, "yuan/person/year cannot be negative"),
    ("ratio above one", ["--set", "village_incidence_max=3"], EXIT_INPUT, "a ratio is between 0 and 1 (3% is 0.03)"),
    ("negative count", ["--set", "compulsory_school_age_max=-15"], EXIT_INPUT, "cannot be negative"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "extra", "code", "expected"), USAGE, ids=[u[0] for u in USAGE])
def test_bad_command_line_reads_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    extra: list[str],
    code: int,
    expected: str,
) -> None:
    inputs = files(tmp_path, "\n".join(good_households()) + "\n", "\n".join(good_members()) + "\n")
    (tmp_path / "villages.csv").write_text("id\nv1\n", "utf-8")
    (tmp_path / "link.csv").symlink_to(tmp_path / "members.csv")
    os.link(tmp_path / "households.csv", tmp_path / "hard.csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    d = str(tmp_path)
    got, _ = run("assess", *inputs, "--as-of", "2016-12-31", *(a.format(d=d) for a in extra))
    err = capsys.readouterr().err
    assert got == code, err
    assert expected.format(d=d) in err
    assert "Traceback" not in err
    if code == EXIT_USAGE:
        assert len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# -- skip mode: every kind of bad row rejected, every row accounted for ---------------------------

VILLAGE_ROWS = "id,rural_registered_population\nv1,100\n"
SKIPPED: list[tuple[str, str, str, set[int], set[int]]] = [
    # (name, households, members, households rows rejected, members rows rejected)
    ("wrong type", with_cell(good_households(), 1, "food_secure", "maybe"), "\n".join(good_members()), {2}, {2}),
    ("negative income", with_cell(good_households(), 2, "annual_net_income_per_capita", "-5"), "\n".join(good_members()), {3}, {3}),
    ("unknown code", with_cell(good_households(), 1, "house_grade", "E"), "\n".join(good_members()), {2}, {2}),
    ("missing id", with_cell(good_households(), 1, "id", ""), "\n".join(good_members()), {2}, {2}),
    ("duplicate household id", with_cell(good_households(), 2, "id", "h0"), "\n".join(good_members()), {3}, {3}),
    ("duplicate member id", "\n".join(good_households()), "\n".join([*good_members(), MEMBER.format(n=0)]), {2}, {2, 4}),
    ("member of no household", "\n".join(good_households()), "\n".join([*good_members(), MEMBER.format(n=9)]), set(), {4}),
    ("blank member household id", "\n".join(good_households()), "\n".join([*good_members(), ",2,12,,true,true,true"]), set(), {4}),
    ("unparseable number", with_cell(good_households(), 1, "annual_net_income_per_capita", "约3000"), "\n".join(good_members()), {2}, {2}),
    ("bad ID number", "\n".join(good_households()), with_cell(good_members(), 1, "id_number", "350122198001010011"), {2}, {2}),
    ("ragged households row", "\n".join([*good_households(), "h9,v1"]), "\n".join(good_members()), {4}, set()),
    ("ragged member row: its household goes too", "\n".join(good_households()), "\n".join([*good_members(), "h1,2,12,,true,true,true,extra"]), {3}, {3, 4}),
    ("household without members", "\n".join(good_households()), "\n".join(good_members(1)), {3}, set()),
    ("age contradicts birth date", "\n".join(good_households()), members_born(8, "1976-05-01"), {2}, {2}),
    ("village not in the villages file", with_cell(good_households(), 2, "village_id", "v9"), "\n".join(good_members()), {3}, {3}),
]  # fmt: skip


def _csv_rows(text: str, key: str) -> dict[int, str]:
    """Row number (header = 1) → the row's key cell."""
    return {i + 2: row[key] for i, row in enumerate(csv.DictReader(io.StringIO(text)))}


@pytest.mark.parametrize(
    ("name", "households", "members", "h_rejected", "m_rejected"),
    SKIPPED,
    ids=[c[0] for c in SKIPPED],
)
def test_skip_mode_accounts_for_every_row(
    tmp_path: Path,
    name: str,
    households: str,
    members: str,
    h_rejected: set[int],
    m_rejected: set[int],
) -> None:
    inputs = files(tmp_path, households + "\n", members + "\n")
    (tmp_path / "villages.csv").write_text(VILLAGE_ROWS, "utf-8")
    results, rejects, report = (
        tmp_path / "results.csv",
        tmp_path / "rejects.json",
        tmp_path / "report.md",
    )
    code, out = run(
        "assess", *inputs, "--villages", str(tmp_path / "villages.csv"), "--as-of", "2016-12-31",
        "--on-error", "skip", "-o", str(results), "--rejects", str(rejects), "--report", str(report),
        "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    rejected = json.loads(rejects.read_text("utf-8"))
    assert all(r["problems"] for r in rejected)
    by_file = {"households.csv": set(), "members.csv": set()}
    for r in rejected:
        by_file[Path(r["file"]).name].add(r["row"])
    assert (by_file["households.csv"], by_file["members.csv"]) == (h_rejected, m_rejected)
    # Every row of each file is in the results or in the rejects, never both.
    kept = {r["id"] for r in csv.DictReader(io.StringIO(results.read_text("utf-8")))}
    h_rows = _csv_rows(households + "\n", "id")
    m_rows = _csv_rows(members + "\n", "household_id")
    h_kept = {row for row, hid in h_rows.items() if hid in kept} - h_rejected
    assert h_kept | h_rejected == set(h_rows)
    assert len(h_kept) == len(kept)
    assert {row for row, hid in m_rows.items() if hid in kept} | m_rejected == set(m_rows)
    # A household is never decided without one of its member rows.
    assert not {m_rows[row] for row in m_rejected} & kept
    # The counts, per file, in the JSON summary and the report.
    counts = {
        Path(c["file"]).name: (c["read"], c["assessed"], c["rejected"])
        for c in json.loads(out)["files"]
    }
    assert counts["households.csv"] == (len(h_rows), len(kept), len(h_rejected))
    assert counts["members.csv"] == (len(m_rows), len(m_rows) - len(m_rejected), len(m_rejected))
    assert counts["villages.csv"] == (1, 1, 0)
    text = report.read_text("utf-8")
    for file, (read, assessed, dropped) in counts.items():
        kind = {"households.csv": "households", "members.csv": "members"}.get(file, "villages")
        # The report names each file without its folders (no absolute path).
        assert f"| `{file}` | {kind} | {read} | {assessed} | {dropped} |" in text
