"""xlsx workbooks (the optional extra ``poverty-core[xlsx]``), read through python-calamine.

Sheets found by name (``households``/``members``, ``户``/``成员`` …) or position;
merged ranges in key columns read as their top-left value on every row, elsewhere a
problem of each row they leave blank.

calamine (Rust) parses a worksheet many times faster than openpyxl's Python reader and
gives its merged ranges too, so no second library and no look into the sheet's XML is
needed. What this module adds is the register's view of a sheet (:class:`Sheet`):

* every cell as the text a CSV export would hold (:func:`cell_text`): whole numbers
  without ``.0``, dates as ``YYYY-MM-DD``, a date with a time as ``YYYY-MM-DD HH:MM:SS``,
  booleans as ``true``/``false``, an empty cell as ``""``;
* rows numbered as a spreadsheet shows them (calamine yields a sheet's rows from the
  first, its columns from the first one used: the skipped columns are put back, so that
  the n-th cell of a row is column n);
* merged ranges as ``(min_row, min_col, max_row, max_col, "C9:C11")``, 1-based.

A sheet fastexcel reads exactly as python-calamine does (no merged range, the header in
row 1, each column one kind of cell: :mod:`poverty_core.registers.xlsx_fast`) is parsed
by fastexcel instead, about 40 % faster, its columns handed over as Arrow texts.

calamine loads a whole worksheet when it is opened (its cells, not Python objects): a
:class:`Sheet` holds that until it is dropped; the cells become Python text a row at a
time as they are read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import AliasMap, normalize
from poverty_core.registers.problems import MissingExtra, _fatal
from poverty_core.registers.schema import _MEMBERS, FLAT, MEMBER_KEY, Rows
from poverty_core.registers.sources import _Ragged, _Raw, _resolve, _Source
from poverty_core.registers.xlsx_fast import FastSheet
from poverty_core.registers.xlsx_fast import load as _load_fast

_T = TypeVar("_T")


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


class _Texts(dict[Any, str]):
    """The texts of one column's cells that are not text, by value, each made once."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = cell_text(value)
        return text


_NO_TEXT = type(None)


def column_texts(values: Sequence[Any]) -> Sequence[str]:
    """The cells of a column as :func:`cell_text` gives them, one by one.

    A column's numbers, booleans or dates repeat (ages, yes/no): each distinct value is
    written once and looked up after. Only where the values of one kind cannot be
    equal to those of another (``True == 1 == 1.0`` in Python): a column mixing two
    kinds other than text is written cell by cell.

    >>> list(column_texts(["H1", 36.0, 36.0, True, ""]))
    ['H1', '36', '36', 'true', '']
    >>> list(column_texts(["a", 36.5, 36.0, None]))
    ['a', '36.5', '36', '']
    """
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    others = kinds - {str, _NO_TEXT}
    if len(others) > 1 or not others <= _KEYED:
        return [v if v.__class__ is str else cell_text(v) for v in values]
    return list(map(_Texts().__getitem__, values))


_KEYED = {bool, int, float, dt.date, dt.datetime, dt.time, dt.timedelta}
"""Kinds of cell value a column's texts are kept by (hashable, equal only if alike)."""


_PAUSES = threading.Lock()
_paused = [0, False]  # blocks inside _no_cycles; whether the first of them disabled it


@contextlib.contextmanager
def _no_cycles() -> Iterator[None]:
    """Python's cycle collector paused (when it runs): a run of a sheet's rows is
    hundreds of thousands of lists (no cycles among them) that would set it off time
    and again, each time walking every object of the process. The pause is the
    process's: blocks in several threads (the two sheets of a workbook) share one, and
    the collector runs again when the last ends — if it ran when the first began."""
    with _PAUSES:
        if not _paused[0]:
            _paused[1] = gc.isenabled()
            if _paused[1]:
                gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _PAUSES:
            _paused[0] -= 1
            if not _paused[0] and _paused[1]:
                gc.enable()


class Sheet:
    """One worksheet, loaded: its rows as text and its merged ranges."""

    def __init__(self, path: Path, file: str, name: str) -> None:
        self.file, self.name = file, name
        calamine = _calamine()
        self._fast: FastSheet | None = _load_fast(path, name)
        if self._fast is not None:  # read through fastexcel: the same texts, sooner
            self._skip = self._fast.skip
            return
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
        if self._fast is not None:
            yield 1, pad + self._fast.header
            cells = [c.to_pylist() for c in self._fast.columns]
            for index, row in enumerate(zip(*cells, strict=True)):
                yield index + 2, [*pad, *map(str, row)]
            return
        for index, values in enumerate(self._sheet.iter_rows()):
            texts = [v if v.__class__ is str else cell_text(v) for v in values]
            yield index + 1, pad + texts if pad else texts

    def column_chunks(
        self, after: int, size: int
    ) -> Iterator[tuple[int, int, list[Sequence[str] | None]]]:
        """The rows below row ``after`` in runs of at most ``size`` rows, column by
        column: ``(first, count, columns)``, the run's rows numbered ``first`` …
        ``first + count - 1``, ``columns[i]`` the texts of column ``i + 1`` (as
        :meth:`rows` gives them; ``None``: the column has no cell in the run)."""
        if self._fast is not None:
            for first, count, arrays in self.fast_runs(after, size):
                yield first, count, [None if a is None else a.to_pylist() for a in arrays]
            return
        rows = self._sheet.iter_rows()
        for _ in itertools.islice(rows, after):
            pass
        first = after + 1
        while True:
            with _no_cycles():
                run = list(itertools.islice(rows, size))
                count = len(run)
                if not count:
                    return
                if len(set(map(len, run))) == 1:
                    cells: list[Sequence[Any]] = list(map(list, zip(*run, strict=True)))
                else:  # a row ends at its last used column: the others have no cell there
                    cells = list(map(list, itertools.zip_longest(*run, fillvalue="")))
                del run
                columns: list[Sequence[str] | None] = [None] * self._skip
                columns += [column_texts(c) for c in cells]
            yield first, count, columns
            first += count

    def fast_runs(self, after: int, size: int) -> Iterator[tuple[int, int, list[pa.Array | None]]]:
        """:meth:`column_chunks` of a sheet read through fastexcel, the columns as the
        Arrow texts it holds."""
        fast = self._fast
        if fast is None:
            return
        start = max(after - 1, 0)  # row r is index r - 2; the header row 1 is not there
        for at in range(start, fast.height, size):
            count = min(size, fast.height - at)
            arrays: list[pa.Array | None] = [None] * self._skip
            arrays += [c.slice(at, count) for c in fast.columns]
            yield at + 2, count, arrays

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
        if self._fast is not None:
            return []  # read through fastexcel only without merged ranges
        out = []
        for (r0, c0), (r1, c1) in self._sheet.merged_cell_ranges or ():
            if (r0, c0) == (r1, c1):
                continue
            ref = f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
            out.append((int(r0) + 1, int(c0) + 1, int(r1) + 1, int(c1) + 1, ref))
        out.sort()
        return out


class _Loading:
    """A sheet being loaded on a thread of its own (calamine lets go of Python's lock
    while it parses, so that two sheets load at once on two cores)."""

    def __init__(self, path: Path, file: str, name: str) -> None:
        self._done = threading.Event()
        self._sheet: Sheet | None = None
        thread = threading.Thread(
            target=self._load, args=(path, file, name), name="poverty-core-sheet", daemon=True
        )
        thread.start()

    def _load(self, path: Path, file: str, name: str) -> None:
        try:
            self._sheet = Sheet(path, file, name)
        except Exception:  # loaded again where it is needed, which raises the error
            self._sheet = None
        finally:
            self._done.set()

    def sheet(self) -> Sheet | None:
        """The sheet, once loaded (``None``: it could not be)."""
        self._done.wait()
        return self._sheet


_LOADED: dict[tuple[str, str, int, int], Sheet | _Loading] = {}
_LOADED_LOCK = threading.Lock()


def _key(path: Path, name: str) -> tuple[str, str, int, int]:
    stat = path.stat()
    return (str(path.resolve()), name, stat.st_mtime_ns, stat.st_size)


def _keep(key: tuple[str, str, int, int], sheet: Sheet | _Loading) -> None:
    with _LOADED_LOCK:
        _LOADED.pop(key, None)
        while len(_LOADED) >= 2:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = sheet


def _done(found: Sheet | _Loading | None) -> Sheet | None:
    return found.sheet() if isinstance(found, _Loading) else found


def preload_sheets(path: Path, file: str, names: Sequence[str]) -> None:
    """Start loading the sheets ``names`` (two at most), each on a thread, for
    :func:`peek_sheet` and :func:`take_sheet` to take; a sheet that fails to load is
    loaded again by them, which raise the error. :func:`forget_sheets` drops what is not
    taken."""
    for name in names[:2]:
        _keep(_key(path, name), _Loading(path, f"{file}[{name}]", name))


def forget_sheets(path: Path, names: Sequence[str]) -> None:
    """Drop the sheets ``names`` loaded or being loaded for a reading that will not take
    them."""
    for name in names:
        with _LOADED_LOCK:
            _LOADED.pop(_key(path, name), None)


def peek_sheet(path: Path, file: str, name: str) -> Sheet:
    """A sheet loaded to look at its header, kept (two at most) for :func:`take_sheet`,
    which the reading of the same sheet calls next: calamine loads a whole sheet at a
    time, and this saves loading it twice."""
    key = _key(path, name)
    with _LOADED_LOCK:
        found = _LOADED.get(key)
    sheet = _done(found)
    if sheet is not None:
        return sheet
    sheet = Sheet(path, file, name)
    _keep(key, sheet)
    return sheet


def take_sheet(path: Path, file: str, name: str) -> Sheet:
    """The sheet :func:`peek_sheet` loaded (no longer kept here), else loaded now."""
    with _LOADED_LOCK:
        found = _LOADED.pop(_key(path, name), None)
    sheet = _done(found)
    return sheet if sheet is not None else Sheet(path, file, name)


def _needs_calamine(load: Callable[[], _T]) -> _T:
    """``load()``, a missing python-calamine named as the extra to install."""
    try:
        return load()
    except ImportError:
        raise MissingExtra("xlsx", "python-calamine", "xlsx") from None


def _sheet_names(path: Path, file: str) -> list[str]:
    return _needs_calamine(lambda: sheet_names(path, file))


def _xlsx_header(path: Path, file: str, sheet: str) -> tuple[int, list[str]]:
    """A worksheet's header row: its number and its cells (the first row with a value)."""
    row, header = _needs_calamine(lambda: peek_sheet(path, file, sheet)).header()
    if not header:
        raise _fatal(file, "工作表为空", "the sheet is empty")
    return row, header


class _XlsxSource(_Source):
    """A worksheet of an xlsx workbook (python-calamine), every cell as text."""

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
        self._sheet = _needs_calamine(lambda: take_sheet(path, self.file, sheet))
        self.headers = header
        resolved, self.columns, unused = _resolve(
            self.file, entity, header, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)
        # A households sheet is turned into text while the members sheet still loads.
        self._ahead: _Ahead | None = None
        if entity == "households" and not self._sheet.merged:
            self._ahead = _Ahead(self._sheet, self.header_row)

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        """The sheet's rows below the header as text tables, ``batch_rows`` at a time
        (a sheet without merged ranges column by column, :meth:`_raw_columns`; else row
        by row, each row's merged cells filled or found at fault)."""
        ranges = self._sheet.merged
        if ranges:
            yield from self._raw_rows(batch_rows, ranges)
        else:
            yield from self._raw_columns(batch_rows)

    def _raw_rows(
        self, batch_rows: int, ranges: list[tuple[int, int, int, int, str]]
    ) -> Iterator[_Raw]:
        """:meth:`raw` row by row, the merged ranges applied as the rows pass."""
        width = len(self.headers)
        keep = [(i, c) for i, c in enumerate(self.resolved) if c is not None]
        block: list[list[str]] = []  # rows, turned into columns by zip at each flush
        rows: list[int] = []
        merged = _Merged(
            ranges,
            self.header_row,
            [c is not None and _mergeable(self.entity, c) for c in self.resolved],
            [c is not None for c in self.resolved],
        )
        key_column = MEMBER_KEY if self.entity == "members" else "id"
        key_index = self.resolved.index(key_column) if key_column in self.resolved else None

        def flush() -> _Raw:
            columns = list(zip(*block, strict=False))
            table = pa.table({c: pa.array(columns[i], pa.string()) for i, c in keep})
            out = _Raw(table, np.asarray(rows, dtype=np.int64))
            block.clear()
            rows.clear()
            return out

        for number, texts in self._sheet.rows():
            if number <= self.header_row:
                continue
            if len(texts) < width:
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
            block.append(texts)
            rows.append(number)
            if len(rows) >= batch_rows:
                yield flush()
        if rows:
            yield flush()

    def _raw_columns(self, batch_rows: int) -> Iterator[_Raw]:
        """:meth:`raw` for a sheet without merged ranges: the rows of a run read column
        by column (:meth:`Sheet.column_chunks`), blank rows and rows with values beyond
        the last headed column found with Arrow; the same tables, rows, ragged rows and
        counts, at the same points, as the row by row reading."""
        width = len(self.headers)
        keep = [(i, c) for i, c in enumerate(self.resolved) if c is not None]
        key_column = MEMBER_KEY if self.entity == "members" else "id"
        key_index = self.resolved.index(key_column) if key_column in self.resolved else None
        message = Text("表头以外的列中有值", "values beyond the last headed column")
        pending: list[tuple[pa.Table, Rows]] = []
        count = 0

        def flush() -> _Raw:
            tables = [t for t, _ in pending]
            table = tables[0] if len(tables) == 1 else pa.concat_tables(tables).combine_chunks()
            out = _Raw(table, np.concatenate([r for _, r in pending]))
            pending.clear()
            return out

        ahead, self._ahead = self._ahead, None
        runs = None if ahead is None else ahead.runs()
        if runs is None:
            runs = _text_runs(self._sheet, self.header_row)
        for first, n, arrays in runs:
            numbers = np.arange(first, first + n, dtype=np.int64)
            filled = [_filled(a) for a in arrays]
            blank = np.ones(n, np.bool_)
            for f in filled:
                if f is not None:
                    blank &= ~f
            beyond = np.zeros(n, np.bool_)
            for f in filled[width:]:
                if f is not None:
                    beyond |= f
            good = np.flatnonzero(~blank & ~beyond)
            keys = None if key_index is None or key_index >= len(arrays) else arrays[key_index]
            ragged = [  # in row order, each noted before the batch its row precedes
                (int(i), _Ragged(int(numbers[i]), message, _key_text(keys, int(i))))
                for i in np.flatnonzero(~blank & beyond)
            ]
            table = pa.table({c: _taken(arrays, i, good) for i, c in keep})
            at = 0
            r = 0
            while count + len(good) - at >= batch_rows:
                take = batch_rows - count
                last = int(good[at + take - 1])
                while r < len(ragged) and ragged[r][0] < last:
                    self.add_ragged(ragged[r][1])
                    r += 1
                self.rows_read += take
                pending.append((table.slice(at, take), numbers[good[at : at + take]]))
                at += take
                count = 0
                yield flush()
            for _, row in ragged[r:]:
                self.add_ragged(row)
            if at < len(good):
                self.rows_read += len(good) - at
                pending.append((table.slice(at), numbers[good[at:]]))
                count += len(good) - at
        if pending:
            yield flush()


_RUN_ROWS = 1 << 16
"""Rows of a sheet turned into columns at a time."""

_Run = tuple[int, int, list[pa.Array | None]]


def _text_runs(sheet: Sheet, after: int) -> Iterator[_Run]:
    """:meth:`Sheet.column_chunks` below row ``after``, the columns as Arrow text."""
    if sheet._fast is not None:
        yield from sheet.fast_runs(after, _RUN_ROWS)
        return
    for first, n, columns in sheet.column_chunks(after, _RUN_ROWS):
        yield first, n, [None if c is None else pa.array(c, pa.string()) for c in columns]


class _Ahead:
    """A sheet's runs of rows turned into text on a thread of its own, for the first
    reading of the sheet: the households sheet's, while calamine (without Python's lock)
    still parses the members sheet, which :func:`open_register` waits for."""

    def __init__(self, sheet: Sheet, after: int) -> None:
        self._done = threading.Event()
        self._runs: list[_Run] | None = None
        thread = threading.Thread(
            target=self._convert, args=(sheet, after), name="poverty-core-sheet", daemon=True
        )
        thread.start()

    def _convert(self, sheet: Sheet, after: int) -> None:
        try:
            self._runs = list(_text_runs(sheet, after))
        except Exception:  # turned into text again by the reading, which raises it there
            self._runs = None
        finally:
            self._done.set()

    def runs(self) -> Iterator[_Run] | None:
        """The runs, once all are made (``None``: they could not be)."""
        self._done.wait()
        runs, self._runs = self._runs, None
        return None if runs is None else iter(runs)


def _key_text(keys: pa.Array | None, i: int) -> str | None:
    return None if keys is None else str(keys[i].as_py()).strip() or None


def _taken(arrays: list[pa.Array | None], i: int, rows: Rows) -> pa.Array:
    """Column ``i``'s texts of ``rows`` (a column without cells: empty texts)."""
    texts = arrays[i] if i < len(arrays) else None
    return pa.array([""] * len(rows), pa.string()) if texts is None else texts.take(rows)


def _filled(texts: pa.Array | None) -> npt.NDArray[np.bool_] | None:
    """Cells holding text (``None``: a column without cells)."""
    if texts is None:
        return None
    return np.asarray(pc.greater(pc.binary_length(texts), 0), np.bool_)


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
                    cell = f"{column_letter(col)}{number}"
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


_SHEETS = {
    "households": ("households", "household", "户", "户信息", "贫困户", "贫困户信息", "家庭信息"),
    "members": ("members", "member", "成员", "家庭成员", "成员信息", "人员", "人员信息"),
}


def _sheet_named(path: Path, file: str, role: str) -> str:
    """The sheet of a workbook named for ``role`` (``members``, ``成员`` …), else the first."""
    names = _sheet_names(path, file)
    return str(next((n for n in names if normalize(n) in _SHEETS[role]), names[0]))


def _pick_sheets(path: Path, file: str) -> tuple[str, str | None]:
    """The households and members sheets of a workbook (by name, else the first two)."""
    names = _sheet_names(path, file)
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
