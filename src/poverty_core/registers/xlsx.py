"""xlsx workbooks (the optional extra ``poverty-core[xlsx]``, openpyxl read-only).

Sheets found by name (``households``/``members``, ``户``/``成员`` …) or position;
merged ranges in key columns read as their top-left value on every row, elsewhere a
problem of each row they leave blank.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.aliases import AliasMap, normalize
from poverty_core.registers.problems import MissingExtra, _fatal
from poverty_core.registers.schema import _MEMBERS, FLAT, MEMBER_KEY
from poverty_core.registers.sources import _Ragged, _Raw, _resolve, _Source


def _xlsx_header(path: Path, file: str, sheet: str) -> tuple[int, list[str]]:
    """A worksheet's header row: its number and its cells (the first row with a value)."""
    header: list[str] = []
    row = 0
    workbook = _open_workbook(path, file)
    try:
        for number, values in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            if any(_xlsx_text(v) for v in values):
                header = [_xlsx_text(v) for v in values]
                row = number
                break
    finally:
        workbook.close()
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _fatal(file, "工作表为空", "the sheet is empty")
    return row, header


class _XlsxSource(_Source):
    """A worksheet of an xlsx workbook (openpyxl, read-only), every cell as text."""

    def __init__(
        self,
        path: Path,
        file: str,
        sheet: str,
        entity: str,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.sheet, self.entity = path, sheet, entity
        self.file = f"{file}[{sheet}]"
        self._init_ragged()
        self.header_row, header = _xlsx_header(path, self.file, sheet)
        self.headers = header
        resolved, self.columns, unused = _resolve(
            self.file, entity, header, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        workbook = _open_workbook(self.path, self.file)
        try:
            sheet = workbook[self.sheet]
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        finally:
            workbook.close()

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        width = len(self.headers)
        keep = [(i, c) for i, c in enumerate(self.resolved) if c is not None]
        cells: list[list[str]] = [[] for _ in range(width)]
        rows: list[int] = []
        merged = _Merged(
            _merged_ranges(self.path, self.file, self.sheet),
            self.header_row,
            [c is not None and _mergeable(self.entity, c) for c in self.resolved],
            [c is not None for c in self.resolved],
        )
        key_column = MEMBER_KEY if self.entity == "members" else "id"
        key_index = self.resolved.index(key_column) if key_column in self.resolved else None

        def flush() -> _Raw:
            table = pa.table({c: pa.array(cells[i], pa.string()) for i, c in keep})
            out = _Raw(table, np.asarray(rows, dtype=np.int64))
            for column in cells:
                column.clear()
            rows.clear()
            return out

        for number, values in self._rows():
            if number <= self.header_row:
                continue
            texts = [_xlsx_text(v) for v in values]
            texts += [""] * (width - len(texts))
            blank = not any(texts)
            fault = merged.apply(number, texts)  # a blank row may hold a merge's anchor
            if blank:
                continue
            key = None if key_index is None else texts[key_index].strip() or None
            if fault is not None:
                self.add_ragged(_Ragged(number, fault[1], key, self.headers[fault[0]]))
                continue
            if any(texts[width:]):
                message = Text("表头以外的列中有值", "values beyond the last headed column")
                self.add_ragged(_Ragged(number, message, key))
                continue
            self.rows_read += 1
            for i in range(width):
                cells[i].append(texts[i])
            rows.append(number)
            if len(rows) >= batch_rows:
                yield flush()
        if rows:
            yield flush()


_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "households": ("village_id", "county_id"),
    "members": (MEMBER_KEY,),
    "villages": ("county_id",),
}
"""The key columns whose merged ranges are read as their top-left value."""


def _mergeable(entity: str, column: str) -> bool:
    """Whether a merged range in ``column`` is read as its top-left value on every row it
    covers: the key columns; in a flat sheet every household column (a household's value
    over its members' rows, as such sheets are often laid out)."""
    if entity == FLAT:
        return not column.startswith((_MEMBERS, "\x00"))
    return column in _MERGE_KEYS.get(entity, ())


_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]+(?::[A-Za-z]{1,3}[0-9]+)?)[\"']"
)


def _merged_ranges(path: Path, file: str, sheet: str) -> list[tuple[int, int, int, int, str]]:
    """The merged ranges of a sheet: ``(min_row, min_col, max_row, max_col, ref)``,
    1-based, sorted by row. openpyxl's read-only mode does not give them (its full mode
    would hold the whole sheet in memory), so the sheet's XML is scanned for its
    ``<mergeCell ref=…>`` elements, streaming."""
    import importlib
    import zipfile

    range_boundaries = importlib.import_module("openpyxl.utils.cell").range_boundaries
    workbook = _open_workbook(path, file)
    try:
        inner = getattr(workbook[sheet], "_worksheet_path", None)
    finally:
        workbook.close()
    refs: list[str] = []
    if isinstance(inner, str):
        with zipfile.ZipFile(path) as archive, archive.open(inner.lstrip("/")) as stream:
            buffer = b""
            while chunk := stream.read(1 << 20):
                buffer += chunk
                last = 0
                for found in _MERGE_CELL.finditer(buffer):
                    refs.append(found.group(1).decode("ascii"))
                    last = found.end()
                buffer = buffer[max(last, len(buffer) - 512) :]
    else:  # another openpyxl: ask its full reader (the whole sheet in memory)
        openpyxl = importlib.import_module("openpyxl")
        full = openpyxl.load_workbook(path, data_only=True)
        try:
            refs = [str(r.coord) for r in full[sheet].merged_cells.ranges]
        finally:
            full.close()
    out = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if (min_row, min_col) != (max_row, max_col):
            out.append((int(min_row), int(min_col), int(max_row), int(max_col), ref.upper()))
    out.sort()
    return out


class _Merged:
    """Merged ranges applied to a sheet's rows as they stream past, in order."""

    def __init__(
        self,
        ranges: list[tuple[int, int, int, int, str]],
        header_row: int,
        key: list[bool],
        read: list[bool],
    ) -> None:
        self.ranges, self.header_row, self.key, self.read = ranges, header_row, key, read
        self.next = 0
        self.active: list[tuple[int, int, int, int, str]] = []
        self.anchor: dict[str, str] = {}

    def apply(self, number: int, texts: list[str]) -> tuple[int, Text] | None:
        """Fill the cells of row ``number`` that a key column's merged range covers with
        its top-left value; the first other covered cell left blank, as ``(column
        index, problem)``."""
        while self.next < len(self.ranges) and self.ranges[self.next][0] <= number:
            self.active.append(self.ranges[self.next])
            self.next += 1
        if not self.active:
            return None
        self.active = [r for r in self.active if r[2] >= number]
        fault: tuple[int, Text] | None = None
        for min_row, min_col, max_row, max_col, ref in self.active:
            if number == min_row:
                self.anchor[ref] = texts[min_col - 1] if min_col <= len(texts) else ""
            for col in range(min_col, min(max_col, len(texts)) + 1):
                i = col - 1
                if (number, col) == (min_row, min_col) or i >= len(self.read) or not self.read[i]:
                    continue
                if texts[i].strip():
                    continue  # a value under the merge (Excel clears them): kept as it is
                if self.key[i] and min_col == max_col and min_row > self.header_row:
                    texts[i] = self.anchor.get(ref, "")
                elif fault is None:
                    cell = f"{_column_letter(col)}{number}"
                    fault = (
                        i,
                        Text(
                            f"单元格 {cell} 属于合并单元格 {ref}：只有键列（户编号、村编号、"
                            f"县编号）的合并按左上角的值读取；请取消合并并逐格填写",
                            f"cell {cell} is part of the merged range {ref}: only key columns "
                            f"(household id, village id, county id) are read as their top-left "
                            f"value; unmerge the range and fill each cell",
                        ),
                    )
            if number == max_row:
                self.anchor.pop(ref, None)
        return fault


def _column_letter(col: int) -> str:
    """``1`` → ``A``, ``28`` → ``AB``."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _xlsx_text(value: Any) -> str:
    """A cell of a worksheet as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path, file: str) -> Any:
    import importlib

    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise MissingExtra("xlsx", "openpyxl", "xlsx") from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise _fatal(
            file,
            f"不是可读的 xlsx 工作簿：{type(exc).__name__}",
            f"not a readable xlsx workbook: {type(exc).__name__}",
        ) from None


_SHEETS = {
    "households": ("households", "household", "户", "户信息", "贫困户", "贫困户信息", "家庭信息"),
    "members": ("members", "member", "成员", "家庭成员", "成员信息", "人员", "人员信息"),
}


def _sheet_named(path: Path, file: str, role: str) -> str:
    """The sheet of a workbook named for ``role`` (``members``, ``成员`` …), else the first."""
    workbook = _open_workbook(path, file)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    return str(next((n for n in names if normalize(n) in _SHEETS[role]), names[0]))


def _pick_sheets(path: Path, file: str) -> tuple[str, str | None]:
    """The households and members sheets of a workbook (by name, else the first two)."""
    workbook = _open_workbook(path, file)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    found: dict[str, str] = {}
    for role, words in _SHEETS.items():
        for name in names:
            if normalize(name) in words:
                found.setdefault(role, name)
    households = found.get("households", names[0])
    members = found.get("members")
    if members is None:
        rest = [n for n in names if n != households]
        members = rest[0] if rest else None
    return households, members
