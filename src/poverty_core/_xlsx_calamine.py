"""xlsx worksheets read through python-calamine (the optional extra ``poverty-core[xlsx]``).

calamine (Rust) parses a worksheet many times faster than openpyxl's Python reader and
gives the sheet's merged ranges too, so the register reader needs no second library
and no look into the sheet's XML. What this module adds is the register's view of a
sheet:

* every cell as the text a CSV export would hold (:func:`cell_text`): whole numbers
  without ``.0``, dates as ``YYYY-MM-DD``, a date with a time as ``YYYY-MM-DD HH:MM:SS``,
  booleans as ``true``/``false``, an empty cell as ``""``;
* rows numbered as a spreadsheet shows them (calamine yields a sheet's rows from the
  first, its columns from the first one used: the skipped columns are put back, so that
  the n-th cell of a row is column n);
* merged ranges as ``(min_row, min_col, max_row, max_col, "C9:C11")``, 1-based.

calamine loads a whole worksheet when it is opened (its cells, not Python objects): a
:class:`Sheet` holds that until it is dropped; the cells become Python text a row at a
time as they are read.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from poverty_core._text import Text
from poverty_core.errors import InputError, Problem

__all__ = ["Sheet", "cell_text", "column_letter", "open_workbook", "sheet_names"]


def _fatal(where: str, zh: str, en: str) -> InputError:
    return InputError([Problem(where, Text(zh, en))], what=where)


def _calamine() -> Any:
    """The python-calamine module (``ImportError`` without it: the caller names the extra)."""
    return importlib.import_module("python_calamine")


def open_workbook(path: Path, file: str) -> Any:
    """The workbook (a ``CalamineWorkbook``); a file that is no readable workbook is an
    :class:`~poverty_core.errors.InputError` of ``file``; without python-calamine,
    ``ImportError``."""
    calamine = _calamine()
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    except Exception as exc:  # calamine raises its own kinds, and ValueError, on a broken file
        raise _fatal(
            file,
            f"不是可读的 xlsx 工作簿：{type(exc).__name__}",
            f"not a readable xlsx workbook: {type(exc).__name__}",
        ) from None


def sheet_names(path: Path, file: str) -> list[str]:
    """The names of a workbook's sheets, in order."""
    workbook = open_workbook(path, file)
    try:
        return [str(n) for n in workbook.sheet_names]
    finally:
        workbook.close()


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _datetime_text(value: dt.datetime) -> str:
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    bool: lambda v: "true" if v else "false",
    int: str,
    float: _float_text,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
}


def cell_text(value: Any) -> str:
    """A cell of a worksheet as the text a CSV export would hold.

    >>> [cell_text(v) for v in (None, "", True, 36.0, 36.5, 1e16, dt.date(2016, 1, 2))]
    ['', '', 'true', '36', '36.5', '1e+16', '2016-01-02']
    >>> cell_text(dt.datetime(2016, 1, 2, 10, 30))
    '2016-01-02 10:30:00'
    """
    if value is None:
        return ""
    how = _TEXT.get(type(value))
    if how is not None:
        return how(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def column_letter(col: int) -> str:
    """``1`` → ``A``, ``28`` → ``AB``."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class Sheet:
    """One worksheet, loaded: its rows as text and its merged ranges."""

    def __init__(self, path: Path, file: str, name: str) -> None:
        self.file, self.name = file, name
        calamine = _calamine()
        workbook = open_workbook(path, file)
        try:
            self._sheet = workbook.get_sheet_by_name(name)
        except calamine.CalamineError as exc:
            raise _fatal(
                file,
                f"无法读取工作表 {name!r}：{type(exc).__name__}",
                f"cannot read the sheet {name!r}: {type(exc).__name__}",
            ) from None
        finally:
            workbook.close()
        start = self._sheet.start
        self._skip = 0 if start is None else int(start[1])

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row as ``(number, texts)``, numbered from 1, each text the cell of
        column ``i + 1`` (a row ends at its last used column or the sheet's)."""
        pad = [""] * self._skip
        for index, values in enumerate(self._sheet.iter_rows()):
            texts = [v if v.__class__ is str else cell_text(v) for v in values]
            yield index + 1, pad + texts if pad else texts

    def header(self) -> tuple[int, list[str]]:
        """The header row: its number and its cells (the first row with a value;
        trailing empty cells dropped); ``(0, [])`` for an empty sheet."""
        for number, texts in self.rows():
            if any(texts):
                while texts and not texts[-1]:
                    texts.pop()
                return number, texts
        return 0, []

    @property
    def merged(self) -> list[tuple[int, int, int, int, str]]:
        """The merged ranges of more than one cell: ``(min_row, min_col, max_row,
        max_col, ref)``, 1-based, sorted by row."""
        out = []
        for (r0, c0), (r1, c1) in self._sheet.merged_cell_ranges or ():
            if (r0, c0) == (r1, c1):
                continue
            ref = f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
            out.append((int(r0) + 1, int(c0) + 1, int(r1) + 1, int(c1) + 1, ref))
        out.sort()
        return out
