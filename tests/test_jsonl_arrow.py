"""The columnar JSON Lines reader (pyarrow.json on blocks of lines): every non-blank line
ends in the table or in the rejects with its line number and field; a bad line never
fails its block; blocks follow the file however it is cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poverty_core.registers.jsonl import JsonBlock, JsonLinesReader


def good(i: int, **more: object) -> str:
    return json.dumps({"id": f"H{i}", "members": [{"id": "01", "age": 30 + i % 40}], **more})


def read(path: Path, *, block_bytes: int = 1 << 23, batch: int = 1 << 62) -> list[JsonBlock]:
    return list(JsonLinesReader(path, path.name, "utf-8", block_bytes=block_bytes).blocks(batch))


def rows_and_rejects(blocks: list[JsonBlock]) -> tuple[list[int], dict[int, list[str]]]:
    rows = [int(n) for b in blocks for n in b.lines]
    rejects = {r.line: [p.format() for p in r.problems] for b in blocks for r in b.rejected}
    return rows, rejects


def test_a_bad_line_in_the_middle_of_a_block_is_the_only_one_left_out(tmp_path: Path) -> None:
    lines = [good(i) for i in range(1, 201)]
    lines[99] = '{"id": "H100", "members": [{"id": "01"}'  # line 100: cut short
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    blocks = read(path)
    rows, rejects = rows_and_rejects(blocks)
    assert rows == [n for n in range(1, 201) if n != 100]
    assert list(rejects) == [100]
    assert rejects[100][0].startswith("h.jsonl:100: invalid JSON:")
    assert sum(b.read for b in blocks) == 200
    ids = [i for b in blocks for i in b.table.column("id").to_pylist()]
    assert ids == [f"H{n}" for n in range(1, 201) if n != 100]


def test_a_type_that_changes_across_lines_rejects_the_lines_of_the_wrong_type(
    tmp_path: Path,
) -> None:
    lines = [good(i, annual_net_income_per_capita=3000 + i) for i in range(1, 41)]
    lines[9] = good(10, annual_net_income_per_capita="3010")  # text where a number goes
    lines[29] = good(30, food_secure=1)  # a number where true/false goes
    lines[34] = good(35, main_cause=["illness"])  # a list where a code goes
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    rows, rejects = rows_and_rejects(read(path))
    assert rows == [n for n in range(1, 41) if n not in (10, 30, 35)]
    assert rejects[10] == [
        "h.jsonl:10:annual_net_income_per_capita: expected a number (got '3010')"
    ]
    assert rejects[30] == ["h.jsonl:30:food_secure: expected true or false (got 1)"]
    assert rejects[35][0].startswith("h.jsonl:35:main_cause:")


def test_unknown_fields_are_named_on_their_line_only(tmp_path: Path) -> None:
    lines = [good(i) for i in range(1, 11)]
    lines[2] = good(3, income=5)  # an unknown household field
    lines[5] = json.dumps({"id": "H6", "members": [{"id": "01", "年龄": None}]})  # null: no trace
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    blocks = read(path)
    rows, rejects = rows_and_rejects(blocks)
    assert rows == [1, 2, 4, 5, 7, 8, 9, 10]
    assert rejects == {
        3: ["h.jsonl:3: unknown field(s): income"],
        6: ["h.jsonl:6:members[0]: unknown field(s): 年龄"],
    }
    assert "income" not in blocks[0].table.column_names


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[1, 2]", "h.jsonl:2: expected a JSON object (got [1, 2])"),
        ('"text"', "h.jsonl:2: expected a JSON object (got 'text')"),
        ('{"id": "H2"} {"id": "H3"}', "h.jsonl:2: invalid JSON: Extra data"),
        (
            '{"id": "H2", "food_secure": true, "food_secure": false, "members": [{"id": "1"}]}',
            "h.jsonl:2:food_secure: key 'food_secure' is given more than once in this object",
        ),
        (
            '{"id": "H2", "members": [{"id": "1", "age": 3, "age": 4}]}',
            "h.jsonl:2:members[0].age: key 'age' is given more than once in this object",
        ),
    ],
)
def test_a_line_that_is_no_household_object(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(f"{good(1)}\n{line}\n{good(3)}\n", "utf-8")
    rows, rejects = rows_and_rejects(read(path))
    assert rows == [1, 3]
    assert list(rejects) == [2]
    assert rejects[2][0].startswith(expected)


def test_a_whole_number_written_as_a_decimal_is_read(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(good(1) + "\n" + json.dumps({"id": "H2", "relocation_year": 2016.0,
                    "members": [{"id": "01", "age": 36.0}]}) + "\n", "utf-8")  # fmt: skip
    blocks = read(path)
    rows, rejects = rows_and_rejects(blocks)
    assert (rows, rejects) == ([1, 2], {})
    assert blocks[0].table.column("relocation_year").to_pylist() == [None, 2016.0]


def test_a_large_file_in_many_blocks_keeps_every_line_and_its_number(tmp_path: Path) -> None:
    lines = [good(i) for i in range(1, 3001)]
    lines[1499] = "{oops"
    text = "\n".join(lines).replace(good(2000), "\n  \n" + good(2000))  # blank lines
    path = tmp_path / "h.jsonl"
    path.write_text(text, "utf-8")  # and no line end after the last line
    blocks = read(path, block_bytes=4096, batch=500)
    assert len(blocks) > 20
    assert all(b.table.num_rows + len(b.rejected) == b.read <= 500 for b in blocks)
    rows, rejects = rows_and_rejects(blocks)
    shift = {n: n if n < 2000 else n + 2 for n in range(1, 3001)}  # two blank lines
    assert rows == [shift[n] for n in range(1, 3001) if n != 1500]
    assert list(rejects) == [1500]
    ids = [i for b in blocks for i in b.table.column("id").to_pylist()]
    assert ids == [f"H{n}" for n in range(1, 3001) if n != 1500]


def test_procedures_are_flattened_and_histories_typed(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    first = good(1, procedures={"exit": {"verified": "2016-10-01"}},
                 history=[{"kind": "identified", "date": "2014-05-01"}])  # fmt: skip
    path.write_text(first + "\n" + good(2) + "\n", "utf-8")
    (block,) = read(path)
    assert block.rejected == ()
    verified = block.table.column("procedures.exit.verified").to_pylist()
    assert [None if v is None else str(v)[:10] for v in verified] == ["2016-10-01", None]
    history = block.table.column("history").to_pylist()
    assert str(history[0][0]["date"]) == "2014-05-01"
    assert history[1] == []  # no history: none, as a record has


def test_another_encoding_is_read_through_utf8(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes((good(1, pairing_cadre="张三") + "\n").encode("gb18030"))
    (block,) = list(JsonLinesReader(path, "h.jsonl", "gb18030").blocks())
    assert block.table.column("pairing_cadre").to_pylist() == ["张三"]


def _narrow_lines() -> list[str]:
    """SYNTHETIC lines that take the narrow read and lines that leave it: fields and
    member fields first given in a later block, nulls, bad lines, unknown keys (also
    with a null value only), unknown codes, ids out of order, blank lines."""
    lines = [good(i, village_id="V1", relocated=False) for i in range(1, 400)]
    lines[50] = good(51, village_id=None, relocated=None)  # nulls
    lines[120] = good(121, house_grade="Z")  # an unknown code: the column checks' job
    lines[200] = json.dumps({"id": "H201", "members": [{"id": "01", "age": 30, "disabled": True}]})
    lines[260] = good(261, relocation_year="2016")  # a wrong JSON type
    lines[280] = good(281, colour="red")  # an unknown key
    lines[300] = good(301, shade=None)  # an unknown key, null only
    lines[310] = "{oops"
    lines[330] = good(7)  # an id out of order (and repeated: the column checks' job)
    lines[350] = good(351, history=[{"kind": "identified", "date": "2014-05-01"}])
    lines[360] = good(361, procedures={"exit": {"verified": "2016-10-01"}})
    lines[370] = json.dumps({"id": "H371", "members": [{"id": "01", "nickname": "x"}]})
    return [*lines[:100], "", *lines[100:200], "  ", *lines[200:], good(999)]


@pytest.mark.parametrize("block_bytes", [2048, 9000, 1 << 20])
def test_the_narrow_read_gives_what_the_whole_schema_gives(
    tmp_path: Path, block_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks read with the fields seen so far are the blocks read with the whole
    schema: the same tables (types, nulls, member fields), lines and rejects."""
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(_narrow_lines()) + "\n", "utf-8")
    narrow_reads: list[bool] = []
    reader = JsonLinesReader(path, path.name, "utf-8", block_bytes=block_bytes)
    real = reader._narrow_read

    def counted(data: memoryview, lines: int) -> object:
        found = real(data, lines)
        narrow_reads.append(found is not None)
        return found

    monkeypatch.setattr(reader, "_narrow_read", counted)
    fast = list(reader.blocks(64))
    whole = JsonLinesReader(path, path.name, "utf-8", block_bytes=block_bytes)
    monkeypatch.setattr(whole, "_note_seen", lambda table: None)  # never narrow
    slow = list(whole.blocks(64))
    assert whole._narrow is None
    assert any(narrow_reads)
    if block_bytes < 1 << 20:
        assert not all(narrow_reads)  # some blocks left the narrow read
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert a.table.equals(b.table), (a.table.schema, b.table.schema)
        assert a.lines.tolist() == b.lines.tolist()
        assert a.read == b.read
        assert [(r.line, r.household_id, [p.format() for p in r.problems]) for r in a.rejected] == [
            (r.line, r.household_id, [p.format() for p in r.problems]) for r in b.rejected
        ]
    _, rejects = rows_and_rejects(fast)
    assert sorted(rejects) == [263, 283, 303, 313, 373]


@pytest.mark.parametrize("block_bytes", [16, 100, 1 << 20])
def test_chunks_keep_every_byte_whatever_the_block(tmp_path: Path, block_bytes: int) -> None:
    """UTF-8 chunks are whole lines (a line longer than a block carried on), a
    byte-order mark dropped, the last line read without its line end."""
    lines = [good(i, pairing_cadre="张三" * (i % 3)) for i in range(1, 40)]
    path = tmp_path / "h.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8"))
    reader = JsonLinesReader(path, path.name, "utf-8", block_bytes=block_bytes)
    chunks = list(reader._chunks())
    assert b"".join(chunks) == "\n".join(lines).encode("utf-8")
    assert all(c.endswith(b"\n") for c in chunks[:-1])
    rows, rejects = rows_and_rejects(list(reader.blocks()))
    assert (rows, rejects) == (list(range(1, 40)), {})
