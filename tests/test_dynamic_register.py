"""Status histories through the register file readers: a Parquet or Arrow IPC register
with a ``history`` column gives the transitions its JSON form gives (the SYNTHETIC
sample register), a bad event is a reject naming its row and field, and a flat file
(CSV) cannot carry a history."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.columnar import HISTORY_TYPE
from poverty_core.dynamic import SAMPLE
from poverty_core.io import read_dataset
from poverty_core.samples import sample_path

AS_OF = dt.date(2016, 12, 31)
REMOVALS = {"SYN-06": [pc.T("核查认定不符合识别条件（SYNTHETIC）", "not eligible (SYNTHETIC)")]}


@pytest.fixture(scope="module")
def sample() -> list[pc.Household]:
    with sample_path(SAMPLE) as path:
        data = read_dataset(path)
    assert data.synthetic
    return data.households


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def nested(households: pa.Table, members: pa.Table) -> pa.Table:
    """One households table with its members nested (``members: list<struct>``)."""
    by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in members.to_pylist():
        by_household[row.pop("household_id")].append(row)
    member_type = pa.struct([f for f in members.schema if f.name != "household_id"])
    lists = pa.array(
        [by_household[h] for h in households.column("id").to_pylist()], pa.list_(member_type)
    )
    return households.append_column("members", lists)


def test_a_parquet_register_gives_the_json_answers(
    sample: list[pc.Household], tmp_path: Path
) -> None:
    national = pc.load_pack("national")
    households, members = pc.tables_from_records(sample, history=True)
    assert members is not None
    pq.write_table(households, tmp_path / "h.parquet")
    pq.write_table(members, tmp_path / "m.parquet")
    register = pc.open_register(tmp_path / "h.parquet", tmp_path / "m.parquet").read_all()
    assert register.households.schema.field("history").type == HISTORY_TYPE
    assert (
        register.households.column("history").to_pylist()
        == households.column("history").to_pylist()
    )
    from_file = pc.decide_transitions(national, register.tables, as_of=AS_OF, removals=REMOVALS)
    from_json = pc.decide_transitions(national, sample, as_of=AS_OF, removals=REMOVALS)
    assert len(from_file) == len(from_json) == len(sample)
    for i in range(len(sample)):
        assert from_file.transition(i) == from_json.transition(i), sample[i].id
    assert from_file.counts() == from_json.counts()
    # the histories decide: without them the since dates and several kinds differ
    assert any(from_json.transition(i).since is not None for i in range(len(sample)))


def test_cli_on_an_arrow_register_equals_cli_on_json(
    sample: list[pc.Household], tmp_path: Path
) -> None:
    households, members = pc.tables_from_records(sample, history=True)
    assert members is not None
    arrow = tmp_path / "register.arrow"
    feather.write_feather(nested(households, members), arrow, compression="uncompressed")
    with sample_path(SAMPLE) as path:
        code_json, out_json = run(
            "transitions", str(path), "--format", "json", "--removal", "SYN-06=x (SYNTHETIC)"
        )
    code_arrow, out_arrow = run(
        "transitions",
        str(arrow),
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--removal",
        "SYN-06=x (SYNTHETIC)",
    )
    assert code_json == code_arrow == 0
    from_json, from_arrow = json.loads(out_json), json.loads(out_arrow)
    assert from_arrow["counts"] == from_json["counts"]
    assert from_arrow["rollup"] == from_json["rollup"]
    assert len(from_arrow["transitions"]) == len(sample)
    for a, b in zip(from_arrow["transitions"], from_json["transitions"], strict=True):
        assert a == b


def _with_bad_event(households: pa.Table, event: dict[str, Any]) -> pa.Table:
    history = households.column("history").to_pylist()
    history[1] = [*history[1], {"kind": "exited", "date": dt.date(2015, 12, 1)}, event]
    loose = pa.list_(pa.struct([("kind", pa.string()), ("date", pa.string())]))
    text = [[{"kind": e["kind"], "date": str(e["date"])} for e in h] for h in history]
    index = households.schema.get_field_index("history")
    return households.set_column(index, "history", pa.array(text, loose))


@pytest.mark.parametrize(
    ("event", "field", "said"),
    [
        ({"kind": "exited", "date": "2015-02-30"}, "date", "not a date"),
        ({"kind": "exited", "date": "2009-01-01"}, "date", "before"),
        ({"kind": "vanished", "date": "2016-01-01"}, "kind", "unknown event"),
    ],
)
def test_a_bad_event_is_a_reject_naming_row_and_field(
    sample: list[pc.Household], tmp_path: Path, event: dict[str, Any], field: str, said: str
) -> None:
    households, members = pc.tables_from_records(sample, history=True)
    assert members is not None
    path = tmp_path / "h.parquet"
    pq.write_table(nested(_with_bad_event(households, event), members), path)
    register = pc.open_register(path, on_error="skip").read_all()
    assert len(register) == len(sample) - 1
    assert sample[1].id not in register.households.column("id").to_pylist()
    (rejected,) = {r.row: r for r in register.rejected}.values()
    assert rejected.row == 2
    paths = [p.path for p in rejected.problems]
    assert len(paths) == 1
    assert paths[0].endswith(f"h.parquet:2:history[2].{field}")
    assert said in rejected.problems[0].message.en
    assert rejected.problems[0].message.zh != rejected.problems[0].message.en


def test_cli_on_a_bad_event_reports_it(
    sample: list[pc.Household], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    households, members = pc.tables_from_records(sample, history=True)
    assert members is not None
    path = tmp_path / "h.parquet"
    bad = _with_bad_event(households, {"kind": "exited", "date": "2015-13-01"})
    pq.write_table(nested(bad, members), path)
    code, _ = run("transitions", str(path), "--as-of", AS_OF.isoformat(), "--lang", "zh")
    err = capsys.readouterr().err
    assert code != 0
    assert "h.parquet:2:history[2].date" in err
    assert "不是日期" in err
    assert "Traceback" not in err


def test_a_null_history_is_an_empty_one(sample: list[pc.Household], tmp_path: Path) -> None:
    households, members = pc.tables_from_records(sample[:1], history=True)
    assert members is not None
    index = households.schema.get_field_index("history")
    households = households.set_column(index, "history", pa.nulls(1, HISTORY_TYPE))
    pq.write_table(nested(households, members), tmp_path / "h.parquet")
    register = pc.open_register(tmp_path / "h.parquet").read_all()
    assert register.households.column("history").to_pylist() == [[]]


def test_json_lines_registers_keep_their_histories(
    sample: list[pc.Household], tmp_path: Path
) -> None:
    path = tmp_path / "register.jsonl"
    path.write_text("\n".join(json.dumps(h.to_dict()) for h in sample) + "\n", "utf-8")
    register = pc.open_register(path).read_all()
    national = pc.load_pack("national")
    from_file = pc.decide_transitions(national, register.tables, as_of=AS_OF)
    from_json = pc.decide_transitions(national, sample, as_of=AS_OF)
    assert from_file.table().equals(from_json.table())


@pytest.mark.parametrize("header", ["history", "状态变动记录"])
def test_a_history_in_a_flat_file_is_a_clear_error(tmp_path: Path, header: str) -> None:
    households = tmp_path / "h.csv"
    members = tmp_path / "m.csv"
    households.write_text(f"id,status,{header}\nSYN-A,exited,identified 2014-10-01\n", "utf-8")
    members.write_text("household_id,id,age\nSYN-A,1,40\n", "utf-8")
    with pytest.raises(pc.InputError) as caught:
        pc.open_register(households, members).read_all()
    (problem,) = caught.value.problems
    assert problem.path.endswith(f"h.csv:1:{header}")
    for name in ("JSON Lines", "Parquet", "Arrow IPC"):
        assert name in problem.message.en
        assert name in problem.message.zh
    assert "单元格" in problem.message.zh


def test_a_history_column_of_text_in_parquet_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.parquet"
    pq.write_table(pa.table({"id": ["SYN-A"], "history": ["identified 2014-10-01"]}), path)
    with pytest.raises(pc.InputError) as caught:
        pc.open_register(path, tmp_path / "h.parquet")
    assert "list<struct<kind, date>>" in caught.value.problems[0].message.en


def test_a_history_in_an_xlsx_sheet_is_a_clear_error(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    households = workbook.active
    households.title = "households"
    households.append(["id", "status", "history"])
    households.append(["SYN-A", "exited", "identified 2014-10-01"])
    members = workbook.create_sheet("members")
    members.append(["household_id", "id", "age"])
    members.append(["SYN-A", "1", 40])
    workbook.save(tmp_path / "register.xlsx")
    with pytest.raises(pc.InputError) as caught:
        pc.open_register(tmp_path / "register.xlsx").read_all()
    (problem,) = caught.value.problems
    assert problem.path.endswith("[households]:1:history")
    assert "Parquet" in problem.message.en
    assert "单元格" in problem.message.zh
