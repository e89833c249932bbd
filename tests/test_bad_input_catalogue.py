"""The catalogue of bad input, run through the main job: each kind gives exit code 3, a
message naming the file (or record), row and field, and leaves nothing written; an ID
number never appears unmasked in any output."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from poverty_core.cli import EXIT_INPUT, EXIT_OK, main

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


H, M = "households.csv", "members.csv"
CATALOGUE: list[tuple[str, str, str, str]] = [
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
    expected: str,
) -> None:
    inputs = files(tmp_path, households, members)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out = run(
        "assess", *inputs, "--as-of", "2016-12-31",
        "-o", str(tmp_path / "results.csv"), "--report", str(tmp_path / "report.md"),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert expected in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "350122198001010011" not in err + out


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
