"""JSON Lines registers through the columnar reader: the same register as JSON Lines and
as Parquet (members nested) gives the same results and the same rejects; a bad line is
one reject naming its line and field, never the end of the file or of its block; every
line read ends in the results or the rejects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import poverty_core as pc
from poverty_core.columnar import RegisterBatch, open_register

ID_NUMBER = "11010519491231002X"


def member(i: int, **more: Any) -> dict[str, Any]:
    return {"id": f"{i:02d}", "relation": "head" if i == 1 else "child", "age": 40 - i, **more}


HOUSEHOLDS: list[dict[str, Any]] = [
    {"id": "H1", "village_id": "V1", "annual_net_income_per_capita": 3100.5,
     "food_secure": True, "main_cause": "illness", "members": [member(1), member(2)]},
    {"id": "H2", "village_id": "V1", "annual_net_income_per_capita": -5.0,  # below 0
     "members": [member(1)]},
    {"id": "H3", "village_id": "V2", "main_cause": "因病", "house_grade": "B",
     "members": [member(1, age=200)]},  # age out of range
    {"id": "H1", "village_id": "V2", "members": [member(1)]},  # a repeated id
    {"id": "H5", "village_id": "V2", "main_cause": "no such cause", "members": [member(1)]},
    {"id": "H6", "village_id": "V3", "members": []},  # no member
    {"id": "H7", "village_id": "V3", "food_secure": False,
     "members": [member(1), member(1)]},  # a member id twice
    {"id": "H8", "county_id": "C1", "relocation_year": 2016, "members": [member(1),
     member(2, id_number=ID_NUMBER)]},
    {"id": "H9", "members": [member(1, birth_date="2016-02-30")]},  # no such date
    {"id": "H10", "other_causes": ["illness", "disaster"], "members": [member(1)],
     "history": [{"kind": "identified", "date": "2014-05-01"}]},
]  # fmt: skip

MEMBER_TYPE = pa.struct(
    [
        ("id", pa.string()),
        ("relation", pa.string()),
        ("age", pa.int64()),
        ("id_number", pa.string()),
        ("birth_date", pa.string()),
    ]
)
PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("village_id", pa.string()),
        ("county_id", pa.string()),
        ("annual_net_income_per_capita", pa.float64()),
        ("food_secure", pa.bool_()),
        ("main_cause", pa.string()),
        ("house_grade", pa.string()),
        ("relocation_year", pa.int64()),
        ("other_causes", pa.list_(pa.string())),
        ("members", pa.list_(MEMBER_TYPE)),
        ("history", pa.list_(pa.struct([("kind", pa.string()), ("date", pa.string())]))),
    ]
)


def write_both(tmp_path: Path, households: list[dict[str, Any]]) -> tuple[Path, Path]:
    jsonl = tmp_path / "register.jsonl"
    jsonl.write_text("".join(json.dumps(h, ensure_ascii=False) + "\n" for h in households))
    parquet = tmp_path / "register.parquet"
    pq.write_table(pa.Table.from_pylist(households, schema=PARQUET_SCHEMA), parquet)
    return jsonl, parquet


def shown(batch: RegisterBatch, name: str) -> dict[str, Any]:
    """What a reader gave, with the file's name made the same."""

    def same(text: str) -> str:
        return text.replace(name, "FILE")

    return {
        "households": batch.households.to_pylist(),
        "members": None if batch.members is None else batch.members.to_pylist(),
        "rows": batch.rows.tolist(),
        "member_rows": None if batch.member_rows is None else batch.member_rows.tolist(),
        "rejected": [
            (same(r.file), r.row, r.household_id, [same(p.format()) for p in r.problems])
            for r in batch.rejected
        ],
    }


def test_jsonl_and_parquet_give_the_same_results_and_rejects(tmp_path: Path) -> None:
    jsonl, parquet = write_both(tmp_path, HOUSEHOLDS)
    as_of = dt.date(2016, 12, 31)
    from_jsonl = open_register(jsonl, on_error="skip", as_of=as_of).read_all()
    from_parquet = open_register(parquet, on_error="skip", as_of=as_of).read_all()
    a, b = shown(from_jsonl, str(jsonl)), shown(from_parquet, str(parquet))
    assert a == b
    assert a["rows"] == [1, 8, 10]
    assert [r[1] for r in a["rejected"]] == [2, 3, 4, 5, 6, 7, 9]
    assert not any(ID_NUMBER in str(r) for r in a["rejected"])
    # and the problems of the whole register, as on_error="fail" lists them
    fail_jsonl = open_register(jsonl).validate()
    fail_parquet = open_register(parquet).validate()
    assert [p.format().replace(str(jsonl), "F") for p in fail_jsonl] == [
        p.format().replace(str(parquet), "F") for p in fail_parquet
    ]


def test_batches_of_both_are_the_same(tmp_path: Path) -> None:
    good = [HOUSEHOLDS[0], HOUSEHOLDS[7], HOUSEHOLDS[9]]
    many = [{**h, "id": f"{h['id']}-{k}"} for k in range(40) for h in good]
    jsonl, parquet = write_both(tmp_path, many)
    one = list(open_register(jsonl, batch_size=7).batches())
    other = list(open_register(parquet, batch_size=7).batches())
    assert [len(b) for b in one] == [len(b) for b in other]
    for x, y in zip(one, other, strict=True):
        assert shown(x, str(jsonl)) == shown(y, str(parquet))


def test_every_line_ends_in_results_or_rejects(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"H{i}", "members": [member(1)]}) for i in range(1, 301)]
    lines[49] = "{not json"
    lines[149] = json.dumps({"id": "H150", "income": 5, "members": [member(1)]})
    lines[199] = json.dumps({"id": "H200", "food_secure": "yes", "members": [member(1)]})
    lines[249] = json.dumps({"id": "H250", "members": [member(1, age="forty")]})
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n\n", "utf-8")
    register = open_register(path, on_error="skip", batch_size=64)
    kept: list[int] = []
    rejected: dict[int, list[str]] = {}
    for batch in register.batches():
        kept += batch.rows.tolist()
        rejected.update(
            {r.row: [p.format().replace(str(path), "h.jsonl") for p in r.problems]
             for r in batch.rejected}
        )  # fmt: skip
    assert register.rows_read[str(path)] == 300
    assert sorted(kept + list(rejected)) == list(range(1, 301))
    assert rejected == {
        50: ["h.jsonl:50: invalid JSON: Expecting property name enclosed in double quotes"],
        150: ["h.jsonl:150: unknown field(s): income"],
        200: ["h.jsonl:200:food_secure: expected true or false (got 'yes')"],
        250: ["h.jsonl:250:members[0].age: expected an integer (got 'forty')"],
    }


def test_a_bad_line_fails_the_read_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(
        json.dumps({"id": "H1", "members": [member(1)]})
        + "\n"
        + json.dumps({"id": "H2", "pairing_cadre": int(ID_NUMBER[:-1]), "members": [member(1)]})
        + "\n",
        "utf-8",
    )
    with pytest.raises(pc.InputError) as info:
        list(open_register(path).batches())
    text = str(info.value)
    assert "h.jsonl:2:pairing_cadre: expected text" in text
    assert ID_NUMBER[:-1] not in text


def test_the_id_of_a_line_refused_before_the_checks_counts_as_seen(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"H{i}", "members": [member(1)]}) for i in range(1, 7)]
    lines[1] = json.dumps({"id": "H5", "food_secure": 1, "members": [member(1)]})  # line 2
    lines[5] = json.dumps({"id": "H2", "members": [member(1)]})  # line 6: H2 is new
    jsonl = tmp_path / "h.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", "utf-8")
    for size in (2, 100):  # the refused line and its repeat in one batch, or not
        batches = list(open_register(jsonl, on_error="skip", batch_size=size).batches())
        rejected = {
            r.row: [p.format().replace(str(jsonl), "F") for p in r.problems]
            for b in batches
            for r in b.rejected
        }
        assert rejected == {
            2: ["F:2:food_secure: expected true or false (got 1)"],
            5: ["F:5:id: id 'H5' repeats row 2"],
        }
        assert [row for b in batches for row in b.rows.tolist()] == [1, 3, 4, 6]


def test_a_file_of_refused_lines_only_rejects_them_all(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text('{"id": "H1", "food_secure": 1, "members": [{"id": "1"}]}\n[]\n', "utf-8")
    register = open_register(path, on_error="skip")
    batches = list(register.batches())
    assert [r.row for b in batches for r in b.rejected] == [1, 2]
    assert sum(len(b) for b in batches) == 0
    assert register.rows_read[str(path)] == 2
