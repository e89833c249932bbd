"""Bad register files (issue 6's catalogue, input side): every problem is reported with
``file:row:column`` and a bilingual message, none as a traceback; ``on_error="fail"``
raises before anything is returned, ``on_error="skip"`` accounts for every row."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core import columnar
from poverty_core.columnar import MissingExtra, RegisterBatch, open_register, read_table
from poverty_core.registers import csv as register_csv
from poverty_core.registers import sniff

H_HEAD = ["id", "village_id", "annual_net_income_per_capita", "food_secure", "main_cause"]
M_HEAD = ["household_id", "id", "age", "relation"]
H_OK = [["H1", "V1", "3100", "true", "illness"], ["H2", "V1", "2800", "false", "因病"]]
M_OK = [["H1", "01", "40", "head"], ["H1", "02", "12", "child"], ["H2", "01", "66", "户主"]]


def csv_text(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "\n".join(",".join(r) for r in [head, *rows]) + "\n"


def files(
    tmp_path: Path,
    households: Sequence[Sequence[str]] = H_OK,
    members: Sequence[Sequence[str]] = M_OK,
    *,
    h_head: Sequence[str] = H_HEAD,
    m_head: Sequence[str] = M_HEAD,
) -> tuple[str, str]:
    h, m = tmp_path / "h.csv", tmp_path / "m.csv"
    h.write_text(csv_text(h_head, households), encoding="utf-8")
    m.write_text(csv_text(m_head, members), encoding="utf-8")
    return str(h), str(m)


def problems(h: str, m: str | None = None, **kw: Any) -> list[tuple[str, str]]:
    """``(path, English message)`` of every problem; fail mode must raise."""
    with pytest.raises(pc.InputError) as info:
        open_register(h, m, **kw).read_all()
    err = info.value
    for p in err.problems:  # every message in both languages
        assert p.message.zh.strip()
        assert p.message.en.strip()
    where = str(Path(h).parent) + "/"
    return [(p.path.replace(where, ""), p.message.en.replace(where, "")) for p in err.problems]


def paths(h: str, m: str | None = None, **kw: Any) -> list[str]:
    return [path for path, _ in problems(h, m, **kw)]


def fatal(h: str, m: str | None = None, **kw: Any) -> list[tuple[str, str]]:
    """A problem of the files as a whole: raised on opening or reading, in both modes."""
    for on_error in ("fail", "skip"):
        with pytest.raises(pc.InputError) as info:
            list(open_register(h, m, on_error=on_error, **kw).batches())
    return [
        (p.path.replace(str(Path(h).parent) + "/", ""), p.message.en) for p in info.value.problems
    ]


# -- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "not a number: 'abc' (write digits only, e.g. 3000)"),
        ("约3000", "an approximate value is not a number"),
        ("3000左右", "an approximate value is not a number"),
        ("3000元", "a number without units, please"),
        ("1,23", "unclear digit grouping"),
        ("nan", "expected a finite number (got 'nan')"),
        ("-5", "must be ≥ 0 (got -5.0)"),
    ],
)
def test_unparseable_or_negative_numbers(tmp_path: Path, cell: str, message: str) -> None:
    h, m = files(tmp_path, [["H1", "V1", f'"{cell}"', "true", "illness"], H_OK[1]])
    [(path, text)] = problems(h, m)
    assert path == "h.csv:2:annual_net_income_per_capita"
    assert message in text


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1,234", 1234.0),
        ("1,234.5", 1234.5),
        ("１２３", 123.0),
        ("１，２３４", 1234.0),
        (" 7 ", 7.0),
    ],
)
def test_accepted_number_forms(tmp_path: Path, cell: str, value: float) -> None:
    h, m = files(tmp_path, [["H1", "V1", f'"{cell}"', "true", "illness"], H_OK[1]])
    batch = open_register(h, m).read_all()
    assert batch.households.column("annual_net_income_per_capita").to_pylist()[0] == value


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("age", "abc", "not a number: 'abc'"),
        ("age", "36.5", "expected an integer (got '36.5')"),
        ("age", "-1", "age must be 0–150 (got -1)"),
        ("age", "151", "age must be 0–150 (got 151)"),
        ("relation", "boss", "'boss' is not a relation code"),
    ],
)
def test_member_cells(tmp_path: Path, column: str, cell: str, message: str) -> None:
    row = {"household_id": "H1", "id": "01", "age": "40", "relation": "head"}
    row[column] = cell
    h, m = files(tmp_path, members=[list(row.values()), *M_OK[1:]])
    [(path, text)] = problems(h, m)
    assert path == f"m.csv:2:{column}"
    assert message in text


@pytest.mark.parametrize(
    ("cell", "ok"),
    [
        *[(w, True) for w in ("true", "FALSE", "是", "否", "1", "0", "Y", "n")],
        ("maybe", False),
        ("对", False),
    ],
)
def test_booleans(tmp_path: Path, cell: str, ok: bool) -> None:
    h, m = files(tmp_path, [["H1", "V1", "3100", cell, "illness"], H_OK[1]])
    if ok:
        open_register(h, m).read_all()
    else:
        assert problems(h, m) == [
            (
                "h.csv:2:food_secure",
                f"not yes/no: '{cell}' (use true/false, 是/否, 1/0 or Y/N)",
            )
        ]


def test_unknown_code(tmp_path: Path) -> None:
    h, m = files(tmp_path, [["H1", "V1", "3100", "true", "因穷"], H_OK[1]])
    [(path, text)] = problems(h, m)
    assert path == "h.csv:2:main_cause"
    assert text.startswith("'因穷' is not a poverty_cause code; expected one of: illness/因病")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2016-02-30", "not a valid date: '2016-02-30'"),
        ("2016-13-01", "not a valid date"),
        ("2016/11/13 08:00", "not a valid date"),
        ("yesterday", "not a valid date"),
    ],
)
def test_bad_dates(tmp_path: Path, cell: str, message: str) -> None:
    h, m = files(
        tmp_path,
        [["H1", cell], ["H2", "2016-11-13"]],
        h_head=["id", "procedures.household_exit.verification"],
    )
    [(path, text)] = problems(h, m)
    assert path == "h.csv:2:procedures.household_exit.verification"
    assert message in text


def test_year_and_list_checks(tmp_path: Path) -> None:
    h, m = files(
        tmp_path,
        [["H1", "1999", "因病;因学;因灾"], ["H2", "2016", "illness、illness"]],
        h_head=["id", "planned_exit_year", "other_causes"],
    )
    assert problems(h, m) == [
        ("h.csv:2:planned_exit_year", "year must be 2000–2100 (got 1999)"),
        ("h.csv:2:other_causes", "at most two other poverty causes"),
        ("h.csv:3:other_causes", "other poverty causes repeat"),
    ]


def test_id_numbers_are_checked_and_masked(tmp_path: Path) -> None:
    h, m = files(
        tmp_path,
        members=[["H1", "01", "11010519491231002X"], ["H2", "01", "110105194912310021"]],
        m_head=["household_id", "id", "id_number"],
    )
    assert problems(h, m) == [
        ("m.csv:3:id_number", "ID number 110105********0021 has a wrong check character")
    ]


def test_line_break_in_a_cell(tmp_path: Path) -> None:
    h, m = files(tmp_path, [["H1", '"V1\nV2"', "3100", "true", "illness"], H_OK[1]])
    [(path, text)] = problems(h, m)
    assert path == "h.csv:2:village_id"
    assert "line break" in text
    # A cell with a line break is one row: the next row keeps its number.
    h, m = files(
        tmp_path,
        [["H1", '"V1\nV2"', "3100", "true", "illness"], ["H2", "V", "x", "true", "illness"]],
    )
    assert paths(h, m)[-1] == "h.csv:3:annual_net_income_per_capita"


def test_very_large_fields(tmp_path: Path) -> None:
    long_name = "x" * (columnar.MAX_CELL_CHARS + 1)
    long_id = "H" * (columnar.MAX_ID_CHARS + 1)
    h, m = files(
        tmp_path,
        [[long_id], ["H2"]],
        [[long_id, "01", "a"], ["H2", "01", long_name]],
        h_head=["id"],
        m_head=["household_id", "id", "name"],
    )
    id_limit, cell_limit = columnar.MAX_ID_CHARS, columnar.MAX_CELL_CHARS
    assert problems(h, m) == [
        ("h.csv:2:id", f"too long ({id_limit + 1} characters; at most {id_limit})"),
        ("m.csv:2:household_id", f"too long ({id_limit + 1} characters; at most {id_limit})"),
        ("m.csv:3:name", f"too long ({cell_limit + 1} characters; at most {cell_limit})"),
    ]


def test_a_row_larger_than_a_block_is_a_clear_error(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(register_csv, "_BLOCK_BYTES", 1 << 16)
    h, m = files(tmp_path, [["H1", "V" * (1 << 17), "1", "true", "illness"], H_OK[1]])
    [(path, text)] = fatal(h, m)
    assert (path, text) == ("h.csv", "a row is larger than 64 KB: not register data")


# -- ids and links ----------------------------------------------------------------------------


def test_missing_ids(tmp_path: Path) -> None:
    h, m = files(
        tmp_path,
        [["H1", "V1", "1", "true", "illness"], ["  ", "V1", "1", "true", "illness"]],
        [["H1", "01", "40", "head"], ["", "01", "40", "head"], ["H1", "", "3", "child"]],
    )
    assert problems(h, m) == [
        ("h.csv:3:id", "id must be a non-empty string"),
        ("m.csv:3:household_id", "the member has no household id"),
        ("m.csv:4:id", "member id missing"),
    ]


@pytest.mark.parametrize("batch_size", [1, 100])
def test_repeated_household_ids(tmp_path: Path, batch_size: int) -> None:
    h, m = files(tmp_path, [*H_OK, ["H1", "V2", "1", "true", "illness"]])
    register = open_register(h, m, batch_size=batch_size)
    with pytest.raises(pc.InputError) as info:
        list(register.batches())
    assert [(p.path.split("/")[-1], p.message.en) for p in info.value.problems] == [
        ("h.csv:4:id", "id 'H1' repeats row 2")
    ]


def test_repeated_member_ids_within_a_household(tmp_path: Path) -> None:
    h, m = files(tmp_path, members=[*M_OK, ["H1", "01", "3", "child"], ["H2", "02", "3", "child"]])
    assert problems(h, m) == [
        ("m.csv:5:id", "member id '01' repeats in its household (also m.csv:2)")
    ]


def test_members_of_no_household_and_households_without_members(tmp_path: Path) -> None:
    h, m = files(
        tmp_path,
        [*H_OK, ["H3", "V1", "1", "true", "illness"]],
        [*M_OK, ["H9", "01", "40", "head"]],
    )
    assert problems(h, m) == [
        ("h.csv:4:id", "a household has at least one member (none listed for it)"),
        ("m.csv:5:household_id", "household 'H9' is not in the households file"),
    ]


def test_members_out_of_order_when_streaming(tmp_path: Path) -> None:
    h, m = files(tmp_path, members=[M_OK[0], M_OK[2], M_OK[1]])
    # At once, any order will do:
    assert len(open_register(h, m).read_all()) == 2
    # In batches of one household, the member of H1 after H2's members comes too late:
    [(path, text)] = fatal(h, m, batch_size=1)
    assert path == "m.csv:4"
    assert text.startswith("a member of household 'H1' (")
    assert "list members in the households file's order" in text


# -- rows and files ---------------------------------------------------------------------------


def test_ragged_rows(tmp_path: Path) -> None:
    h, m = files(
        tmp_path, [H_OK[0], ["H2", "V1"]], [*M_OK[:2], ["H2", "01", "66", "head", "extra"]]
    )
    assert problems(h, m) == [
        ("h.csv:3", "the row has 2 cells; the header has 5 columns"),
        ("m.csv:4", "the row has 5 cells; the header has 4 columns"),
    ]


def test_blank_rows_are_not_rows_and_keep_numbering(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(
        "id,annual_net_income_per_capita\n\nH1,1\n,\nH2,-1\n", encoding="utf-8"
    )
    (tmp_path / "m.csv").write_text("household_id,id\nH1,01\nH2,01\n", encoding="utf-8")
    assert paths(str(tmp_path / "h.csv"), str(tmp_path / "m.csv")) == [
        "h.csv:5:annual_net_income_per_capita"
    ]


def test_unnamed_columns(tmp_path: Path) -> None:
    # Excel leaves empty trailing columns: fine while they are empty.
    h, m = files(tmp_path, [[*r, ""] for r in H_OK], h_head=[*H_HEAD, ""])
    assert len(open_register(h, m).read_all()) == 2
    h, m = files(tmp_path, [[*H_OK[0], "x"], [*H_OK[1], ""]], h_head=[*H_HEAD, ""])
    assert problems(h, m) == [("h.csv:2:(column 6)", "a value in a column without a header")]


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    h, m = files(tmp_path)
    Path(h).write_bytes(content)
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    assert [p.message.en for p in info.value.problems] == ["the file is empty"]


def test_header_only_files(tmp_path: Path) -> None:
    h, m = files(tmp_path, [])
    assert fatal(h, m) == [("h.csv", "the file has no data rows (only a header)")]
    h, m = files(tmp_path, members=[])
    assert fatal(h, m) == [("m.csv", "the members file has no data rows")]


def test_unknown_repeated_and_missing_columns(tmp_path: Path) -> None:
    h, m = files(tmp_path, h_head=["id", "village_idd", "收入", "致贫原因", "主要致贫原因"])
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    [unknown, repeated] = info.value.problems
    assert unknown.path.endswith("h.csv:1")
    assert "unknown column(s): 'village_idd' (→ village_id?), '收入'" in unknown.message.en
    assert "ignore_columns=" in unknown.message.en
    assert repeated.message.en == "repeated column(s): '致贫原因' / '主要致贫原因' → main_cause"
    h, m = files(tmp_path, m_head=["id", "age"], members=[["01", "40"]])
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    assert info.value.problems[0].message.en == "required column(s) missing: household_id"


def test_steps_a_pack_does_not_have(tmp_path: Path, national: pc.Pack) -> None:
    h, m = files(
        tmp_path,
        [["H1", "2016-01-01"], ["H2", ""]],
        h_head=["id", "procedures.household_exit.verificaton"],
    )
    assert len(open_register(h, m).read_all()) == 2  # without a pack: any step name
    with pytest.raises(pc.InputError) as info:
        open_register(h, m, pack=national)
    assert "procedures.household_exit.verificaton" in info.value.problems[0].message.en


def test_encodings_that_cannot_be_read(tmp_path: Path, monkeypatch: Any) -> None:
    h, m = files(tmp_path)
    Path(h).write_bytes(b"id\n\xff\xfe\xfd\xff\n")  # neither UTF-8 nor GB18030 (no BOM)
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    assert "give it with encoding=" in info.value.problems[0].message.en
    with pytest.raises(pc.InputError):
        open_register(h, m, encoding="no-such-encoding")
    # UTF-8 at the start, GBK later: found while reading, with the way out.
    monkeypatch.setattr(sniff, "_SNIFF_BYTES", 16)
    Path(h).write_text("id,village_id\nH1,V1\nH2,村\n", encoding="gbk")
    [(path, text)] = fatal(h, m)
    assert path == "h.csv"
    assert "encoding='gb18030'" in text


def test_missing_files_and_formats(tmp_path: Path) -> None:
    h, m = files(tmp_path)
    with pytest.raises(pc.InputError, match="no such file"):
        open_register(tmp_path / "nope.csv", m)
    with pytest.raises(pc.InputError, match="no members"):
        open_register(h)
    with pytest.raises(pc.InputError, match="unsupported format"):
        open_register(h, m, format="dbf")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(pc.InputError, match="not a readable Parquet file"):
        open_register(broken, m)
    with pytest.raises(ValueError, match="on_error"):
        open_register(h, m, on_error="ignore")  # type: ignore[arg-type]


def test_xlsx_without_calamine_names_the_extra(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingExtra) as info:
        open_register(path)
    assert "poverty-core[xlsx]" in str(info.value)
    assert isinstance(info.value, pc.PovertyCoreError)


def test_jsonl_problems_have_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(
        '{"id": "H1", "members": [{"id": "01"}]}\n'
        "\n"
        "{not json\n"
        '{"id": "H2", "members": [{"id": "01", "age": -3}]}\n'
        '{"id": "H1", "members": [{"id": "01"}]}\n',
        encoding="utf-8",
    )
    assert [p for p, _ in problems(str(path))] == [
        "h.jsonl:3",
        "h.jsonl:4:members[0].age",
        "h.jsonl:5:id",
    ]
    batch = open_register(path, on_error="skip").read_all()
    assert list(batch.rows) == [1]
    assert [r.row for r in batch.rejected] == [3, 4, 5]


def test_nested_member_problems(tmp_path: Path) -> None:
    member = pa.struct([("id", pa.string()), ("age", pa.int64())])
    table = pa.table(
        {
            "id": ["H1", "H2"],
            "members": pa.array(
                [[{"id": "01", "age": 40}, {"id": "02", "age": 200}], []],
                pa.list_(member),
            ),
        }
    )
    pq.write_table(table, tmp_path / "h.parquet")
    assert problems(str(tmp_path / "h.parquet")) == [
        ("h.parquet:1:members[1].age", "age must be 0–150 (got 200)"),
        ("h.parquet:2:id", "a household has at least one member (none listed for it)"),
    ]


def test_villages_part_above_whole(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(
        "村编号,农村户籍人口,未脱贫建档立卡贫困人口,生活污水处理率\nV1,100,120,0.5\nV2,100,10,1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(pc.InputError) as info:  # 生活污水处理率: a ratio fujian declares
        read_table(path, pc.Village, pack=FUJIAN)
    assert [(p.path.split("/")[-1], p.message.en) for p in info.value.problems] == [
        (
            "v.csv:2:未脱贫建档立卡贫困人口",
            "poor_population (120) exceeds rural_registered_population (100)",
        ),
        ("v.csv:3:生活污水处理率", "ratio must be 0–1 (got 1.5; write 2% as 0.02)"),
    ]


# -- fail and skip ----------------------------------------------------------------------------

MIXED_H = [
    ["H1", "V1", "3100", "true", "illness"],
    ["H2", "V1", "-1", "true", "illness"],  # bad cell
    ["H3", "V1", "3100", "true"],  # ragged
    ["H4", "V1", "3100", "true", "illness"],  # bad member
    ["H5", "V1", "3100", "true", "illness"],
    ["H5", "V1", "3100", "true", "illness"],  # repeated
    ["H6", "V1", "3100", "true", "illness"],  # no members
    ["H7", "V2", "3100", "true", "illness"],
]
MIXED_M = [
    ["H1", "01", "40", "head"],
    ["H1", "02", "10", "child"],
    ["H2", "01", "40", "head"],
    ["H3", "01", "40", "head"],
    ["H4", "01", "400", "head"],
    ["H4", "02", "4", "child"],
    ["H5", "01", "40", "head"],
    ["H8", "01", "40", "head"],  # no such household
    ["H7", "01", "40", "head", "x"],  # ragged: its household goes with it
    ["H7", "02", "40", "head"],
]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 100])
def test_skip_accounts_for_every_row(tmp_path: Path, batch_size: int) -> None:
    h, m = files(tmp_path, MIXED_H, MIXED_M)
    register = open_register(h, m, on_error="skip", batch_size=batch_size)
    batches: list[RegisterBatch] = list(register.batches())
    kept = [i for b in batches for i in b.households.column("id").to_pylist()]
    assert kept == ["H1", "H5"]
    kept_members = [
        (hid, mid)
        for b in batches
        if b.members is not None
        for hid, mid in zip(
            b.members.column("household_id").to_pylist(),
            b.members.column("id").to_pylist(),
            strict=True,
        )
    ]
    assert kept_members == [("H1", "01"), ("H1", "02"), ("H5", "01")]
    rejected = [(r.file.split("/")[-1], r.row, r.household_id) for b in batches for r in b.rejected]
    h_rejected = sorted(r for r in rejected if r[0] == "h.csv")
    m_rejected = sorted(r for r in rejected if r[0] == "m.csv")
    assert h_rejected == [
        ("h.csv", 3, "H2"),
        ("h.csv", 4, "H3"),
        ("h.csv", 5, "H4"),
        ("h.csv", 7, "H5"),
        ("h.csv", 8, "H6"),
        ("h.csv", 9, "H7"),  # never decided without its member row 10
    ]
    assert m_rejected == [
        ("m.csv", 4, "H2"),
        ("m.csv", 5, "H3"),
        ("m.csv", 6, "H4"),
        ("m.csv", 7, "H4"),
        ("m.csv", 9, "H8"),
        ("m.csv", 10, "H7"),
        ("m.csv", 11, "H7"),
    ]
    # rows in = rows out + rows rejected, for both files
    assert register.rows_read[h] == len(MIXED_H) == len(kept) + len(h_rejected)
    assert register.rows_read[m] == len(MIXED_M) == len(kept_members) + len(m_rejected)
    assert sum(len(b.rows) for b in batches) == len(kept)
    # Every rejected row says why.
    assert all(r.problems for b in batches for r in b.rejected)
    # The problems are the same as in fail mode.
    found = sorted(p.path for b in batches for p in b.problems)
    with pytest.raises(pc.InputError) as info:
        open_register(h, m, batch_size=batch_size).read_all()
    assert found == sorted(p.path for p in info.value.problems)


def test_fail_raises_before_the_first_batch(tmp_path: Path) -> None:
    rows = [[f"H{i}", "V1", "1", "true", "illness"] for i in range(10)]
    rows[-1][2] = "-1"  # the last household is bad
    members = [[f"H{i}", "01", "40", "head"] for i in range(10)]
    h, m = files(tmp_path, rows, members)
    batches = open_register(h, m, batch_size=2).batches()
    with pytest.raises(pc.InputError) as info:
        next(batches)
    assert [p.path.split("/")[-1] for p in info.value.problems] == [
        "h.csv:11:annual_net_income_per_capita"
    ]


def test_problems_are_capped_and_counted(tmp_path: Path) -> None:
    rows = [[f"H{i}", "V1", "-1", "true", "illness"] for i in range(30)]
    members = [[f"H{i}", "01", "40", "head"] for i in range(30)]
    h, m = files(tmp_path, rows, members)
    with pytest.raises(pc.InputError) as info:
        open_register(h, m, max_problems=5).read_all()
    listed = info.value.problems
    assert len(listed) == 6
    assert listed[-1].message.en.startswith("and 25 more problems not listed")
    assert len(open_register(h, m, max_problems=None).validate()) == 30


def test_validate_lists_everything_without_raising(tmp_path: Path) -> None:
    h, m = files(tmp_path, MIXED_H, MIXED_M)
    assert len(open_register(h, m).validate()) == 9
    h, m = files(tmp_path, members=[M_OK[0], M_OK[2], M_OK[1]])
    [order] = open_register(h, m, batch_size=1).validate()
    assert order.path.endswith("m.csv:4")


# -- fuzz: nothing but the library's own errors ---------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUJIAN = pc.load_pack("fujian")
CELLS = st.one_of(
    st.sampled_from(
        ["", "H1", "H2", "1", "-1", "1,234", "是", "因病", "2016-02-30", '"', "\n", "１２"]
    ),
    st.text(max_size=8),
)


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes_give_a_register_or_an_input_error(tmp_path: Path, content: bytes) -> None:
    h, m = files(tmp_path)
    Path(h).write_bytes(content)
    for on_error in ("fail", "skip"):
        try:
            for _ in open_register(h, m, on_error=on_error, batch_size=1).batches():
                pass
        except pc.InputError:
            pass


@FUZZ
@given(
    households=st.lists(st.lists(CELLS, min_size=4, max_size=6), max_size=5),
    members=st.lists(st.lists(CELLS, min_size=3, max_size=5), max_size=6),
    batch_size=st.sampled_from([1, 2, 100]),
)
def test_random_cells_give_a_register_or_an_input_error(
    tmp_path: Path, households: list[list[str]], members: list[list[str]], batch_size: int
) -> None:
    def row(cells: list[str]) -> list[str]:
        return [
            '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n\r') else c for c in cells
        ]

    h, m = files(
        tmp_path,
        [row(r) for r in households],
        [row(r) for r in members],
        h_head=[
            "id",
            "annual_net_income_per_capita",
            "food_secure",
            "other_causes",
            "cadre_visits",
        ],
        m_head=["household_id", "id", "age", "birth_date"],
    )
    for on_error in ("fail", "skip"):
        try:
            # cadre_visits: a list of dates fujian declares (read with fujian)
            register = open_register(h, m, on_error=on_error, batch_size=batch_size, pack=FUJIAN)
            batches = list(register.batches())
        except pc.InputError:
            continue
        if on_error == "skip":
            out = sum(len(b) for b in batches)
            rejected = sum(1 for b in batches for r in b.rejected if r.file == h)
            assert out + rejected == register.rows_read[h]


def test_xlsx_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    households = workbook.active
    households.title = "户"
    households.append(["户编号", "年人均纯收入"])
    households.append(["H1", 3100])
    households["A4"], households["B4"] = "H2", "约3000"  # row 3 blank: no row, numbering kept
    members = workbook.create_sheet("成员")
    members.append(["户编号", "成员编号", "年龄"])
    members.append(["H1", "01", 40.0])
    members.append(["H2", "01", 36.5])
    members.append(["H2", "02", 3, "beyond the header"])
    workbook.save(tmp_path / "r.xlsx")
    assert problems(str(tmp_path / "r.xlsx")) == [
        (
            "r.xlsx[户]:4:年人均纯收入",
            "an approximate value is not a number: '约3000' (give the number alone, e.g. 3000)",
        ),
        (
            "r.xlsx[户]:4:户编号",
            "its member row r.xlsx[成员]:4 could not be read: the household is left out with it",
        ),
        ("r.xlsx[成员]:3:年龄", "expected an integer (got '36.5')"),
        ("r.xlsx[成员]:4", "values beyond the last headed column"),
    ]
    register = open_register(tmp_path / "r.xlsx", on_error="skip")
    batch = register.read_all()
    assert batch.households.column("id").to_pylist() == ["H1"]
    assert register.rows_read == {
        f"{tmp_path / 'r.xlsx'}[户]": 2,
        f"{tmp_path / 'r.xlsx'}[成员]": 3,
    }
    assert len(batch.rejected) == 1 + 2


@pytest.mark.parametrize("on_error", ["fail", "skip"])
def test_a_bad_cell_deep_in_a_big_file(tmp_path: Path, monkeypatch: Any, on_error: Any) -> None:
    """Typed columns are parsed by Arrow until a cell it cannot read; the file is then
    read again as text from that point: no row is lost, doubled or renumbered."""
    monkeypatch.setattr(register_csv, "_BLOCK_BYTES", 1 << 10)
    rows = [[f"H{i:03}", "V1", str(1000 + i), "true", "illness"] for i in range(300)]
    rows[8] = ["H008", "V1"]  # ragged: row 10
    rows[98] = ["", "", "", "", ""]  # blank: row 100
    rows[248][2] = "约3000"  # row 250
    rows[280][3] = "是"  # Arrow does not read 是 as a boolean: text from here on
    members = [[f"H{i:03}", "01", "40", "head"] for i in range(300) if i != 98]
    h, m = files(tmp_path, rows, members)
    register = open_register(h, m, on_error=on_error, batch_size=64)
    if on_error == "fail":
        with pytest.raises(pc.InputError) as info:
            list(register.batches())
        found = [p.path.split("/")[-1] for p in info.value.problems]
        assert found == [
            "h.csv:10",
            "h.csv:250:annual_net_income_per_capita",
            "m.csv:10:household_id",  # a member of the ragged row's household
        ]
        return
    batches = list(register.batches())
    ids = [i for b in batches for i in b.households.column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == 300 - 3
    rows_out = [int(r) for b in batches for r in b.rows]
    assert rows_out == [i + 2 for i in range(300) if i not in (8, 98, 248)]
    incomes = [
        v for b in batches for v in b.households.column("annual_net_income_per_capita").to_pylist()
    ]
    assert incomes == [1000.0 + i for i in range(300) if i not in (8, 98, 248)]
    assert register.rows_read[h] == 299


def test_a_null_nested_member(tmp_path: Path) -> None:
    member = pa.struct([("id", pa.string()), ("age", pa.int64())])
    table = pa.table(
        {"id": ["H1"], "members": pa.array([[{"id": "01", "age": 40}, None]], pa.list_(member))}
    )
    pq.write_table(table, tmp_path / "h.parquet")
    assert problems(str(tmp_path / "h.parquet")) == [
        ("h.parquet:1:members[1].id", "member id missing")
    ]


def test_cells_are_trimmed(tmp_path: Path) -> None:
    h, m = files(
        tmp_path,
        [[" H1 ", "V1\u3000", " 3100 ", " true", "illness "], ["H2", "V1", "1", "false", " 因病"]],
        [["H1", " 01", "40", "head"], ["\u3000H2", "01 ", " 66 ", " 户主 "]],
    )
    batch = open_register(h, m).read_all()
    assert batch.households.column("id").to_pylist() == ["H1", "H2"]
    assert batch.households.column("village_id").to_pylist() == ["V1", "V1"]
    assert batch.households.column("main_cause").to_pylist() == ["illness", "illness"]
    assert batch.members is not None
    assert batch.members.column("household_id").to_pylist() == ["H1", "H2"]
    assert batch.members.column("relation").to_pylist() == ["head", "head"]
