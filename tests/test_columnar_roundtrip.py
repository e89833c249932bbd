"""Register files in every format read back to the typed tables, frames and decisions of
the JSON path (DESIGN principle 1: one answer however the register arrives), batch by
batch with every household's members in its batch."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pac
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import poverty_core as pc
from poverty_core.batch import assess
from poverty_core.columnar import (
    MEMBER_KEY,
    Register,
    RegisterBatch,
    csv_ready,
    open_register,
    read_table,
    tables_from_records,
)
from poverty_core.frame import frame_from_arrow
from poverty_core.io import Dataset
from poverty_core.samples import read_sample

AS_OF = dt.date(2016, 12, 31)
DATA = Path(__file__).parent / "data" / "columnar"


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return read_sample()[0]  # the core model's fields of the (Fujian-shaped) sample


@pytest.fixture(scope="module")
def tables(sample: Dataset) -> tuple[pa.Table, pa.Table]:
    households, members = tables_from_records(sample.households)
    assert members is not None
    return households, members


@pytest.fixture(scope="module")
def reference(national: pc.Pack, sample: Dataset) -> Any:
    """The JSON path: records straight from the sample file."""
    return national.decide_batch("household_exit", sample.households, as_of=AS_OF)


def decide(pack: pc.Pack, households: pa.Table, members: pa.Table | None) -> Any:
    return pack.decide_batch("household_exit", frame_from_arrow(households, members), as_of=AS_OF)


def assert_same_results(result: Any, reference: Any) -> None:
    assert list(result.ids) == list(reference.ids)
    assert np.array_equal(result.outcome, reference.outcome)
    assert [c.rule.id for c in result.criteria] == [c.rule.id for c in reference.criteria]
    for ours, theirs in zip(result.criteria, reference.criteria, strict=True):
        assert np.array_equal(ours.status, theirs.status), ours.rule.id


def write_csv(
    directory: Path, households: pa.Table, members: pa.Table, *, encoding: str = "utf-8"
) -> tuple[Path, Path]:
    """The register as two CSV files in ``encoding`` (``utf-8-sig``: with a BOM)."""
    paths = []
    for name, table in (("households.csv", households), ("members.csv", members)):
        path = directory / name
        pacsv.write_csv(csv_ready(table), path)
        if encoding != "utf-8":
            path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
        paths.append(path)
    return paths[0], paths[1]


def nested(households: pa.Table, members: pa.Table) -> pa.Table:
    """Households with their members as a ``members: list<struct>`` column."""
    owner = pac.index_in(members.column(MEMBER_KEY), value_set=households.column("id"))
    order = np.argsort(owner.to_numpy(), kind="stable")
    people = members.take(pa.array(order)).drop_columns([MEMBER_KEY])
    counts = np.bincount(owner.to_numpy(), minlength=households.num_rows)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    struct = pa.StructArray.from_arrays(
        [c.combine_chunks() for c in people.columns], names=people.column_names
    )
    return households.append_column("members", pa.ListArray.from_arrays(offsets, struct))


def concat(batches: list[RegisterBatch]) -> tuple[pa.Table, pa.Table]:
    households = pa.concat_tables([b.households for b in batches])
    members = pa.concat_tables([b.members for b in batches if b.members is not None])
    return households, members


def assert_grouped(batches: list[RegisterBatch]) -> None:
    """Every member is in the batch of its household."""
    for b in batches:
        assert b.members is not None
        ids = set(b.households.column("id").to_pylist())
        assert set(b.members.column(MEMBER_KEY).to_pylist()) <= ids
        assert len(b.rows) == b.households.num_rows
        assert b.member_rows is not None
        assert len(b.member_rows) == b.members.num_rows


# -- every format ------------------------------------------------------------------------


def open_as(
    kind: str, directory: Path, households: pa.Table, members: pa.Table, sample: Any, **kw: Any
) -> Register:
    if kind == "csv":
        return open_register(*write_csv(directory, households, members), **kw)
    if kind == "parquet":
        pq.write_table(households, directory / "h.parquet", row_group_size=100)
        pq.write_table(members, directory / "m.parquet", row_group_size=250)
        return open_register(directory / "h.parquet", directory / "m.parquet", **kw)
    if kind == "parquet-nested":
        pq.write_table(nested(households, members), directory / "h.parquet", row_group_size=100)
        return open_register(directory / "h.parquet", **kw)
    if kind == "arrow-file":
        for name, table in (("h.arrow", households), ("m.arrow", members)):
            with (
                pa.OSFile(str(directory / name), "wb") as sink,
                pa.ipc.new_file(sink, table.schema) as writer,
            ):
                for batch in table.to_batches(max_chunksize=128):
                    writer.write_batch(batch)
        return open_register(directory / "h.arrow", directory / "m.arrow", **kw)
    if kind == "arrow-stream":
        table = nested(households, members)
        with (
            pa.OSFile(str(directory / "h.arrows"), "wb") as sink,
            pa.ipc.new_stream(sink, table.schema) as writer,
        ):
            writer.write_table(table, max_chunksize=64)
        return open_register(directory / "h.arrows", **kw)
    if kind == "jsonl":
        path = directory / "households.jsonl"
        lines = [json.dumps(h.to_dict(), ensure_ascii=False) for h in sample.households]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return open_register(path, **kw)
    raise AssertionError(kind)


FORMATS = ["csv", "parquet", "parquet-nested", "arrow-file", "arrow-stream", "jsonl"]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_reads_back_the_records_tables_and_decisions(
    kind: str,
    tmp_path: Path,
    tables: tuple[pa.Table, pa.Table],
    sample: Dataset,
    national: pc.Pack,
    reference: Any,
) -> None:
    households, members = tables
    register = open_as(kind, tmp_path, households, members, sample)
    batch = register.read_all()
    assert batch.problems == []
    assert batch.rejected == ()
    if kind == "jsonl":  # a JSON Lines register carries its histories too
        households = tables_from_records(sample.households, history=True)[0]
    assert batch.households.equals(households)
    assert batch.members is not None
    assert batch.members.equals(members)
    assert_same_results(decide(national, batch.households, batch.members), reference)
    assert register.rows_read[register.files[0]] == households.num_rows


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("on_error", ["fail", "skip"])
def test_small_batches_keep_members_with_their_household_and_equal_read_all(
    kind: str,
    on_error: Any,
    tmp_path: Path,
    tables: tuple[pa.Table, pa.Table],
    sample: Dataset,
) -> None:
    households, members = tables
    register = open_as(
        kind, tmp_path, households, members, sample, batch_size=50, on_error=on_error
    )
    batches = list(register.batches())
    assert [len(b) for b in batches[:-1]] == [50] * (len(batches) - 1)
    assert len(batches) == -(-households.num_rows // 50)
    assert_grouped(batches)
    got_h, got_m = concat(batches)
    if kind == "jsonl":  # a JSON Lines register carries its histories too
        households = tables_from_records(sample.households, history=True)[0]
    assert got_h.equals(households)
    assert got_m.equals(members)
    rows = np.concatenate([b.rows for b in batches])
    assert list(rows) == list(register.read_all().rows)


def test_rows_are_spreadsheet_rows(tmp_path: Path, tables: tuple[pa.Table, pa.Table]) -> None:
    households, members = tables
    register = open_register(*write_csv(tmp_path, households, members))
    batch = register.read_all()
    assert list(batch.rows[:3]) == [2, 3, 4]  # the header is row 1
    assert batch.member_rows is not None
    assert list(batch.member_rows[:2]) == [2, 3]


def test_assess_takes_the_register_tables(
    tmp_path: Path, tables: tuple[pa.Table, pa.Table], national: pc.Pack
) -> None:
    households, members = tables
    register = open_register(*write_csv(tmp_path, households, members), batch_size=64)
    streamed = assess(national, "household_exit", register.tables(), as_of=AS_OF)
    whole = assess(national, "household_exit", [(households, members)], as_of=AS_OF)
    assert streamed.to_dict() == whole.to_dict()


def test_xlsx_workbook_with_two_sheets(
    tmp_path: Path, tables: tuple[pa.Table, pa.Table], national: pc.Pack, reference: Any
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    households, members = tables
    workbook = openpyxl.Workbook()
    for sheet, table in zip(
        (workbook.active, workbook.create_sheet()), (households, members), strict=True
    ):
        sheet.title = "户信息" if table is households else "成员信息"
        ready = csv_ready(table)
        sheet.append(ready.column_names)
        for row in ready.to_pylist():
            sheet.append(list(row.values()))
    workbook.save(tmp_path / "register.xlsx")
    register = open_register(tmp_path / "register.xlsx", batch_size=100)
    assert register.format == "xlsx"
    assert register.files == (
        f"{tmp_path / 'register.xlsx'}[户信息]",
        f"{tmp_path / 'register.xlsx'}[成员信息]",
    )
    batches = list(register.batches())
    assert_grouped(batches)
    got_h, got_m = concat(batches)
    assert got_h.equals(households)
    assert got_m.equals(members)
    assert_same_results(decide(national, got_h, got_m), reference)


# -- encodings and headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected_and_reported(
    encoding: str, detected: str, tmp_path: Path, tables: tuple[pa.Table, pa.Table]
) -> None:
    households, members = tables
    # Chinese cells, so that the encoding matters.
    households = households.set_column(
        households.schema.get_field_index("main_cause"),
        "main_cause",
        pac.if_else(
            pac.equal(households.column("main_cause"), "illness"),
            "因病",
            households.column("main_cause"),
        ),
    )
    register = open_register(*write_csv(tmp_path, households, members, encoding=encoding))
    assert register.encoding == detected
    # The members file is plain ASCII here: UTF-8 for GBK as well.
    assert set(register.encodings.values()) <= {detected, "utf-8"}
    batch = register.read_all()
    assert batch.households.column("main_cause").equals(tables[0].column("main_cause"))
    assert batch.members is not None
    assert batch.members.equals(members)


def test_encoding_can_be_given(tmp_path: Path, tables: tuple[pa.Table, pa.Table]) -> None:
    h, m = write_csv(tmp_path, *tables, encoding="gbk")
    register = open_register(h, m, encoding="gbk")
    assert register.encoding == codecs.lookup("gbk").name
    assert register.read_all().households.equals(tables[0])


def test_excel_export_with_chinese_headers_in_gbk() -> None:
    """The fixture is what Excel on Chinese Windows writes: GBK, CRLF, Chinese headers,
    codes as Chinese labels or synonyms, dates as 2016/1/5 or 2016年1月5日, "3,100" and
    full-width digits."""
    register = open_register(DATA / "households_gbk.csv", DATA / "members_gbk.csv")
    assert register.encoding == "gb18030"
    assert (
        register.columns[str(DATA / "households_gbk.csv")]["annual_net_income_per_capita"]
        == "年人均纯收入"
    )
    assert register.columns[str(DATA / "members_gbk.csv")][MEMBER_KEY] == "户编号"
    batch = register.read_all()
    h = batch.households.to_pylist()
    assert [r["annual_net_income_per_capita"] for r in h] == [3100.0, 2800.5, 4500.0]
    assert [r["house_grade"] for r in h] == ["B", "C", "A"]
    assert [r["attribute"] for r in h] == ["general", "dibao", "tekun"]
    assert h[0]["other_causes"] == ["schooling", "lack_of_funds"]
    assert [r["food_secure"] for r in h] == [True, True, True]
    assert [r["clothing_secure"] for r in h] == [True, False, True]
    m = batch.members.to_pylist() if batch.members is not None else []
    assert [r["relation"] for r in m] == ["head", "spouse", "child", "head", "head"]
    assert [r["birth_date"] for r in m][:3] == [
        dt.date(1970, 3, 1),
        dt.date(1972, 5, 6),
        dt.date(2004, 9, 1),
    ]
    assert m[2]["schooling_stage"] == "junior_secondary"
    assert m[2]["schooling_status"] == "in_school"
    assert m[3]["health"] == "serious_illness"
    assert m[0]["name"] == "张三"


def test_chinese_label_headers_read_as_the_fields(
    tmp_path: Path, tables: tuple[pa.Table, pa.Table]
) -> None:
    households, members = tables
    labels = {**pc.Household.field_labels(), "household_id": pc.Household.field_labels()["id"]}
    person = pc.Person.field_labels()

    def zh(table: pa.Table, names: dict[str, Any]) -> pa.Table:
        return table.rename_columns([names[c].zh if c in names else c for c in table.column_names])

    h, m = write_csv(
        tmp_path,
        zh(households, labels),
        zh(members, {**person, MEMBER_KEY: labels["household_id"]}),
    )
    batch = open_register(h, m).read_all()
    assert batch.households.equals(households)
    assert batch.members is not None
    assert batch.members.equals(members)


def test_caller_aliases_and_ignored_columns(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("户主编号,村,备注\nH1,V1,x\n", encoding="utf-8")
    (tmp_path / "m.csv").write_text("户编号,成员编号,性别\nH1,01,男\n", encoding="utf-8")
    register = open_register(
        tmp_path / "h.csv",
        tmp_path / "m.csv",
        aliases={"户主编号": "id", "households": {"村": "village_id"}},
        ignore_columns=["备注", "性别"],
    )
    batch = register.read_all()
    assert batch.households.column("id").to_pylist() == ["H1"]
    assert batch.households.column("village_id").to_pylist() == ["V1"]


def test_tab_separated(tmp_path: Path) -> None:
    (tmp_path / "h.tsv").write_text(
        "id\tannual_net_income_per_capita\nH1\t3,100\n", encoding="utf-8"
    )
    (tmp_path / "m.tsv").write_text("household_id\tid\tage\nH1\t01\t40\n", encoding="utf-8")
    batch = open_register(tmp_path / "h.tsv", tmp_path / "m.tsv").read_all()
    assert batch.households.column("annual_net_income_per_capita").to_pylist() == [3100.0]


def test_typed_parquet_columns_of_other_widths_are_taken(tmp_path: Path) -> None:
    households = pa.table(
        {
            "id": pa.array([1001, 1002], pa.int32()),  # integer ids read as text
            "annual_net_income_per_capita": pa.array([3100, 2800], pa.int16()),
            "planned_exit_year": pa.array([2016.0, None], pa.float32()),
            "food_secure": pa.array([1, 0], pa.int8()),
            "main_cause": pa.array(["因病", "illness"]).dictionary_encode(),
            "procedures.household_exit.verification": pa.array(
                [dt.datetime(2016, 11, 17), None], pa.timestamp("ms")
            ),
        }
    )
    members = pa.table({"household_id": pa.array(["1001", "1002"]), "id": ["01", "01"]})
    pq.write_table(households, tmp_path / "h.parquet")
    pq.write_table(members, tmp_path / "m.parquet")
    got = open_register(tmp_path / "h.parquet", tmp_path / "m.parquet").read_all().households
    assert got.column("id").to_pylist() == ["1001", "1002"]
    assert got.column("annual_net_income_per_capita").to_pylist() == [3100.0, 2800.0]
    assert got.column("planned_exit_year").to_pylist() == [2016, None]
    assert got.column("food_secure").to_pylist() == [True, False]
    assert got.column("main_cause").to_pylist() == ["illness", "illness"]
    assert got.column("procedures.household_exit.verification").to_pylist() == [
        dt.date(2016, 11, 17),
        None,
    ]


def test_pack_steps_by_their_labels(tmp_path: Path, national: pc.Pack) -> None:
    header = "户编号,村“两委”组织民主评议后提出"
    (tmp_path / "h.csv").write_text(f"{header}\nH1,2016-11-13\n", encoding="utf-8")
    (tmp_path / "m.csv").write_text("户编号,成员编号\nH1,01\n", encoding="utf-8")
    batch = open_register(tmp_path / "h.csv", tmp_path / "m.csv", pack=national).read_all()
    column = "procedures.household_exit.democratic_appraisal"
    assert batch.households.column(column).to_pylist() == [dt.date(2016, 11, 13)]


def test_csv_ready_joins_lists() -> None:
    table = pa.table({"cadre_visits": pa.array([[dt.date(2016, 1, 2), dt.date(2016, 3, 4)], []])})
    assert csv_ready(table).column(0).to_pylist() == ["2016-01-02;2016-03-04", "[]"]


@pytest.mark.parametrize("kind", [pc.Village, pc.County])
def test_villages_and_counties_tables(kind: type[Any], tmp_path: Path, sample: Dataset) -> None:
    records = sample.villages if kind is pc.Village else sample.counties
    table, _ = tables_from_records(records)
    pacsv.write_csv(csv_ready(table), tmp_path / "t.csv")
    batch = read_table(tmp_path / "t.csv", kind)
    assert batch.members is None
    assert batch.households.equals(table)
    pq.write_table(table, tmp_path / "t.parquet")
    assert read_table(tmp_path / "t.parquet", kind).households.equals(table)
