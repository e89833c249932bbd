"""Worksheets through python-calamine: rows numbered as the spreadsheet shows them,
columns in place however far right the data starts, cells as CSV text, merged ranges."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from pathlib import Path

import pytest

from poverty_core.aliases import AliasMap
from poverty_core.errors import InputError
from poverty_core.registers import xlsx
from poverty_core.registers.opening import open_register
from poverty_core.registers.xlsx import Sheet, _no_cycles, cell_text, column_texts, sheet_names

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")


def test_rows_columns_texts_and_merged_ranges(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "户"
    sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = "id", "age", "when", "flag"
    sheet["C5"], sheet["D5"], sheet["E5"], sheet["F5"] = "H1", 36, dt.date(2016, 1, 2), True
    sheet["C6"], sheet["D6"], sheet["E6"] = "0012", 36.5, dt.datetime(2016, 1, 2, 10, 30)
    sheet["C7"] = "110105194912310021"  # an ID number kept as text
    sheet.merge_cells("C9:C11")
    sheet["C9"] = "M"
    book.create_sheet("成员")
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert sheet_names(path, "r.xlsx") == ["户", "成员"]
    loaded = Sheet(path, "r.xlsx", "户")
    assert loaded.header() == (3, ["", "", "id", "age", "when", "flag"])
    rows = {n: texts for n, texts in loaded.rows() if any(texts)}
    assert rows[5] == ["", "", "H1", "36", "2016-01-02", "true"]
    assert rows[6] == ["", "", "0012", "36.5", "2016-01-02 10:30:00", ""]
    assert rows[7][2] == "110105194912310021"
    assert rows[9][2] == "M"
    assert loaded.merged == [(9, 3, 11, 3, "C9:C11")]
    assert Sheet(path, "r.xlsx", "成员").header() == (0, [])


def test_a_broken_workbook_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="not a readable xlsx workbook"):
        sheet_names(path, "r.xlsx")


def _workbook(tmp_path: Path, start_col: int = 1) -> Path:
    """SYNTHETIC rows of every kind the reader tells apart: numbers, booleans, dates,
    mixed kinds in one column (``1``, ``True``, ``1.0``), blank rows, a short row, a row
    with a value beyond the header, no id, ids out of order, an unknown code."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "households"
    header = ["id", "village_id", "county_id", "annual_net_income_per_capita", "relocated"]
    header += ["house_grade", "attribute"]

    def put(row: int, values: list[object]) -> None:
        for i, v in enumerate(values):
            if v is not None:
                sheet.cell(row=row, column=start_col + i, value=v)

    put(2, header)
    rows: list[list[object]] = [
        ["H3", "V1", "C1", 4497.12, True, "B", "general"],
        ["H1", "V1", "C1", 36, False, "X", "general"],  # an unknown code, ids out of order
        [None, "V1", "C1", 1e16, 1, "A", None],  # no id
        [],  # blank
        ["H2", "V2", None, 36.0, 1.0, "A", "general"],
        ["H4", "V2", "C1", dt.date(2016, 1, 2), "yes", None, None, "beyond"],
        ["H5", "V2", "C1", dt.datetime(2016, 1, 2, 10, 30)],  # a short row
        [None, None, None, None, None, None, None, "beyond, no id"],
        ["H6", "V3", "C2", -0.0, True, "C", "general"],
    ]
    for k, values in enumerate(rows):
        put(4 + k, values)
    put(20, ["H7", "V3", "C2", 12.5, False, "B", "general"])  # after blank rows
    path = tmp_path / "r.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("start_col", [1, 3])
@pytest.mark.parametrize("batch_rows", [1, 2, 3, 4, 1000])
def test_columns_read_as_rows_are(tmp_path: Path, start_col: int, batch_rows: int) -> None:
    """A sheet without merged ranges is read column by column: the same tables, row
    numbers, ragged rows (with their keys) and counts, batch by batch, as row by row."""
    path = _workbook(tmp_path, start_col)
    assert Sheet(path, "r.xlsx", "households").merged == []

    def read(columns: bool, again: bool = False) -> list[tuple[object, ...]]:
        source = xlsx._XlsxSource(
            path, "r.xlsx", "households", "households", AliasMap.default(), set(), None
        )
        if again:  # the first reading takes the runs made ahead, a second makes its own
            assert source._ahead is not None
            list(source._raw_columns(batch_rows))
            assert source._ahead is None
        source.reset()
        raws = source._raw_columns(batch_rows) if columns else source._raw_rows(batch_rows, [])
        out: list[tuple[object, ...]] = []
        for raw in raws:
            ragged = [(r.row, str(r.message), r.key, r.column) for r in source.take_ragged()]
            out.append((raw.table.to_pydict(), raw.rows.tolist(), ragged, source.rows_read))
        out.append(([(r.row, r.key) for r in source.take_ragged()], source.rows_read))
        return out

    by_columns = read(True)
    assert by_columns == read(False) == read(True, again=True)
    ragged = [r for b in by_columns[:-1] for r in b[2]] + by_columns[-1][0]
    assert [r[0] for r in ragged] == [9, 11]
    tables = [b[0] for b in by_columns[:-1]]
    assert [i for t in tables for i in t["id"]] == ["H3", "H1", "", "H2", "H5", "H6", "H7"]
    assert [i for t in tables for i in t["annual_net_income_per_capita"]][:4] == [
        "4497.12",
        "36",
        "1e+16",
        "36",
    ]


def test_column_texts_as_cell_text() -> None:
    """Columns mixing kinds that Python holds equal (``1``, ``1.0``, ``True``) are
    written cell by cell; each cell as :func:`cell_text` writes it."""
    columns = [
        ["a", "b"],
        [1.0, True, 1, "1", None, ""],
        [36.0, 36.0, 36.5, "", float("nan"), float("nan"), -0.0, 0.0],
        [True, False, True, ""],
        [dt.date(2016, 1, 2), dt.datetime(2016, 1, 2), ""],
        [dt.datetime(2016, 1, 2), dt.datetime(2016, 1, 2, 0, 0, 1), None],
        [dt.timedelta(hours=1), "", dt.timedelta(hours=1)],
        [["not", "hashable"], "x"],  # a kind calamine does not give: cell by cell
    ]
    for values in columns:
        assert list(column_texts(values)) == [cell_text(v) for v in values]


def test_sheets_loaded_ahead_are_not_kept(tmp_path: Path) -> None:
    """A workbook's two sheets load at once; what a failed or flat opening does not
    take is dropped (no sheet of personal data kept in the process)."""
    book = openpyxl.Workbook()
    households = book.active
    households.title = "households"
    households.append(["id", "village_id", "no such column"])
    households.append(["H1", "V1", "x"])
    members = book.create_sheet("members")
    members.append(["household_id", "id", "age"])
    members.append(["H1", "H1-1", 36])
    path = tmp_path / "r.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="no such column"):
        open_register(path)
    assert not [k for k in xlsx._LOADED if k[0] == str(path.resolve())]
    households.delete_cols(3)
    book.save(path)
    register = open_register(path)
    assert register.layout == "two-file"
    assert not [k for k in xlsx._LOADED if k[0] == str(path.resolve())]
    assert len(register.read_all().households) == 1


def test_the_cycle_collector_pause_is_shared_between_threads() -> None:
    """Two sheets converted at once share one pause: the collector runs again when the
    last block ends, and only if it ran when the first began."""
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with _no_cycles():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other)
    worker.start()
    inside.wait(10)
    with _no_cycles():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's block still pauses it
    release.set()
    worker.join(10)
    assert gc.isenabled()
    gc.disable()
    try:
        with _no_cycles():
            pass
        assert not gc.isenabled()  # not switched on by a block that did not switch it off
    finally:
        gc.enable()
