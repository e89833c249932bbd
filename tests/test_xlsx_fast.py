"""Worksheets through fastexcel give exactly what python-calamine gives: the same header,
rows, batches, row numbers, ragged rows and counts; a sheet fastexcel could read
differently (merged ranges, the header below row 1, a column of mixed kinds, times of
day, durations, a number or date as a header) is read through python-calamine."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from poverty_core.aliases import AliasMap
from poverty_core.registers import xlsx
from poverty_core.registers.xlsx import Sheet

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")
pytest.importorskip("fastexcel")

IGNORE = {"notes", "born", "when", "age", "flag", "took", "2016", "id_1"}
"""Columns of the crafted sheets that are no register's (read all the same, unused)."""
GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _read(path: Path, sheet: str, entity: str, fast: bool, batch_rows: int) -> list[Any]:
    """Everything a reading of ``sheet`` gives, through fastexcel or python-calamine."""
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(xlsx, "_load_fast", lambda path, name: None)
        loaded = Sheet(path, "r.xlsx", sheet)
        out: list[Any] = [loaded.header(), list(loaded.rows()), loaded.merged]
        source = xlsx._XlsxSource(
            path, "r.xlsx", sheet, entity, AliasMap.default(), set(IGNORE), None
        )
        out.append((source.header_row, source.headers, source.resolved, source.unused))
        for raws in (source.raw(batch_rows), source._raw_rows(batch_rows, [])):
            source.reset()
            for raw in raws:
                ragged = [(r.row, str(r.message), r.key, r.column) for r in source.take_ragged()]
                out.append((raw.table.to_pydict(), raw.rows.tolist(), ragged, source.rows_read))
            out.append(([(r.row, r.key) for r in source.take_ragged()], source.rows_read))
    return out


def _both(path: Path, sheet: str, entity: str, batch_rows: int = 3) -> bool:
    """Whether fastexcel reads the sheet; either way, that both readings are the same."""
    taken = Sheet(path, "r.xlsx", sheet)._fast is not None
    assert _read(path, sheet, entity, True, batch_rows) == _read(
        path, sheet, entity, False, batch_rows
    )
    return taken


def _book(tmp_path: Path, rows: list[list[object]], start_col: int = 1) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "households"
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            if v is not None:
                sheet.cell(row=r + 1, column=start_col + c, value=v)
    path = tmp_path / "r.xlsx"
    book.save(path)
    return path


HEADER = ["id", "village_id", "county_id", "annual_net_income_per_capita", "relocated"]
HEADER += ["house_grade", "attribute", "", "notes"]
TYPED: list[list[object]] = [  # SYNTHETIC; every column one kind of cell
    HEADER,
    ["H3", "V1", "C1", 4497.12, True, "B", "general", None, " text with spaces "],
    ["H1", "V1", None, 3100.0, False, "X", "general", None, "0012"],
    [None, "V1", "C1", 1e16, None, "A", None, None, "110105194912310021"],
    [],
    ["H2", "V2", "C1", -0.0, True, "A", "general"],
    ["H4", "V2", "C1", 123456789012345.0, False, None, None, None, "x", "beyond"],
    ["H5", "V2", "C1", 1234567890123456.0],
    [None, None, None, None, None, None, None, None, None, "beyond, no id"],
    ["H6", "V3", "C2", 0.1, True, "C", "general", None, "#DIV/0!"],
    ["H8", "V3", "C2", 1e-7, True, "", "", None, ""],
    [],
    [],
    ["H7", "V3", "C2", 36.5, False, "B", "general"],
]


@pytest.mark.parametrize("start_col", [1, 3])
@pytest.mark.parametrize("batch_rows", [1, 2, 4, 1000])
def test_typed_columns_read_the_same(tmp_path: Path, start_col: int, batch_rows: int) -> None:
    path = _book(tmp_path, TYPED, start_col)
    assert _both(path, "households", "households", batch_rows)
    header, rows = (
        Sheet(path, "r.xlsx", "households").header(),
        _read(path, "households", "households", True, batch_rows)[1],
    )
    pad = [""] * (start_col - 1)
    assert header == (1, pad + HEADER[:-2] + ["", "notes"])
    texts = dict(rows)
    assert texts[3][start_col - 1 : start_col + 4] == ["H1", "V1", "", "3100", "false"]
    assert texts[4][start_col + 2] == "1e+16"
    assert texts[8][start_col + 2] == "1234567890123456.0"
    assert texts[11][start_col + 2] == "1e-07"


def test_dates_read_the_same(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", "born", "when"]]
    rows += [["H1", dt.date(2016, 1, 2), dt.datetime(2016, 1, 2, 10, 30)]]
    rows += [["H2", dt.datetime(1949, 12, 31), None], [None, None, dt.datetime(2020, 2, 29, 23)]]
    path = _book(tmp_path, rows)
    assert _both(path, "households", "households")
    texts = dict(Sheet(path, "r.xlsx", "households").rows())
    assert texts[2] == ["H1", "2016-01-02", "2016-01-02 10:30:00"]
    assert texts[4] == ["", "", "2020-02-29 23:00:00"]


@pytest.mark.parametrize(
    "rows",
    [
        [["id", "age"], ["H1", 36], ["H2", "thirty"]],  # a number and a text in one column
        [["id", "flag"], ["H1", True], ["H2", 1.0]],  # booleans and numbers
        [["id", "when"], ["H1", dt.time(10, 30)], ["H2", dt.time(11, 0)]],  # times of day
        [["id", "took"], ["H1", dt.timedelta(hours=30)]],  # durations
        [["id", "when"], ["H1", dt.datetime(1900, 1, 2)]],  # before 1900-03-01
        [["id", "when"], ["H1", dt.datetime(2016, 1, 2, 10, 30, 0, 500000)]],
        [["id", 2016], ["H1", 3]],  # a number as a header
        [["id", "id_1"], ["H1", 3]],  # a header fastexcel could have renamed
        [[], ["id", "age"], ["H1", 36]],  # the header below row 1
        [[None, None], [None, "id"], [None, "H1"]],
    ],
)
def test_what_fastexcel_could_read_otherwise_goes_to_calamine(
    tmp_path: Path, rows: list[list[object]]
) -> None:
    path = _book(tmp_path, rows)
    assert not _both(path, "households", "households")


def test_merged_ranges_go_to_calamine(tmp_path: Path) -> None:
    path = _book(tmp_path, TYPED)
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("B2:B4")
    book.save(path)
    assert not _both(path, "households", "households")
    assert Sheet(path, "r.xlsx", "households").merged == [(2, 2, 4, 2, "B2:B4")]


def _generator() -> Any:
    if not GENERATOR.exists():
        pytest.skip("benchmarks/generate.py is not in this tree")
    spec = importlib.util.spec_from_file_location("_poverty_core_generate_xlsx", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_register_reads_the_same(tmp_path: Path) -> None:
    """The benchmark's SYNTHETIC register (2,000 households, seed 1), written as
    bench_register.py writes it, both sheets read the same both ways."""
    households, members = _generator().generate(2000, seed=1)
    book = openpyxl.Workbook(write_only=True)
    for name, table in (("households", households), ("members", members)):
        sheet = book.create_sheet(name)
        sheet.append(table.column_names)
        for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
            sheet.append(list(row))
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert _both(path, "households", "households", 512)
    assert _both(path, "members", "members", 512)
