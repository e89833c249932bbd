"""Worksheets through python-calamine: rows numbered as the spreadsheet shows them,
columns in place however far right the data starts, cells as CSV text, merged ranges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from poverty_core.errors import InputError
from poverty_core.registers.xlsx import Sheet, sheet_names

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
