"""A worksheet read through fastexcel, where it gives exactly what python-calamine gives.

fastexcel (Rust, on calamine like python-calamine) parses a worksheet about 40 % faster
than python-calamine's ``get_sheet_by_name`` and hands its columns over as Arrow, typed
per column; python-calamine stays the reader of everything else. fastexcel gives no
merged ranges and no sheet origin, and renders numbers and dates as text its own way, so
this module takes a sheet through it only where the outcome is provably the one
:class:`~poverty_core.registers.xlsx.Sheet` gives through python-calamine, and answers
``None`` (read it through python-calamine) otherwise:

* the sheet has no merged range: its XML is looked through for ``mergeCell`` (a
  streamed inflate, a fraction of the parse; any occurrence, even in a cell's text,
  sends the sheet to python-calamine);
* the header is row 1 (``header_row=0, skip_rows=0``: fastexcel then numbers rows from
  the sheet's first, so data row ``i`` is row ``i + 2``), every header cell plain text
  (not one fastexcel could have renamed or rendered: no number, date, ``true``/``false``
  or ``name_1``);
* every column one kind of cell throughout (``dtype_coercion="strict"`` over all rows):
  text, numbers, booleans, or dates and times from 1900-03-01 on with whole seconds;
  the texts are then made as :func:`~poverty_core.registers.xlsx.cell_text` makes them.

Hand-written (the zip and XML look-up): neither fastexcel nor python-calamine says
whether a sheet has merged ranges without parsing the whole sheet.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_PLAIN_NOT = re.compile(r"[\s\d.:+\-eE]*|true|false|inf|-?nan|.*_\d+|.*\d{4}-\d\d-\d\d.*", re.I)
"""Header texts fastexcel could have made from a cell that is not text, or renamed."""

_EARLIEST = dt.datetime(1900, 3, 1)
"""Dates before this (Excel's 1900 leap day, times of day alone) go to python-calamine."""


class _Quiet(logging.Filter):
    """fastexcel's note on an empty column ("falling back to string"), which is read as
    empty texts all the same, kept out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "falling back to string" not in record.getMessage()


logging.getLogger("fastexcel.types.dtype").addFilter(_Quiet())


def _sheet_part(book: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the worksheet ``name`` (``None``: not found)."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG}Relationship")}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        if sheet.get("name") == name:
            target = targets.get(sheet.get(f"{_REL}id"))
            if not target:
                return None
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def may_have_merged(path: Path, name: str) -> bool:
    """Whether the worksheet ``name``'s XML mentions ``mergeCell`` (or cannot be found)."""
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, name)
        if part is None:
            return True
        with book.open(part) as xml:
            tail = b""
            while chunk := xml.read(1 << 22):
                if b"mergeCell" in tail + chunk[:16] or b"mergeCell" in chunk:
                    return True
                tail = chunk[-16:]
    return False


def _float_texts(values: pa.Array) -> pa.Array:
    """Numbers as :func:`~poverty_core.registers.xlsx.cell_text` writes them."""
    floats = values.to_numpy(zero_copy_only=False)
    valid = ~np.asarray(values.is_null(), np.bool_)
    filled = np.where(valid, floats, 0.0)
    whole = valid & np.isfinite(filled) & (filled == np.floor(filled)) & (np.abs(filled) < 1e15)
    out = np.asarray(
        pc.cast(pa.array(np.where(whole, filled, 0.0).astype(np.int64)), pa.string()),
        dtype=object,
    )
    rest = np.flatnonzero(valid & ~whole)
    if len(rest):
        texts: dict[float, str] = {}
        for i in rest:
            v = float(filled[i])
            out[i] = texts.get(v) or texts.setdefault(v, repr(v))
    out[~valid] = ""
    return pa.array(out, pa.string())


def _datetime_texts(values: pa.Array) -> pa.Array | None:
    """Dates as ``YYYY-MM-DD``, with a time of day as ``YYYY-MM-DD HH:MM:SS``; ``None``
    where a value is before 1900-03-01 or has a fraction of a second."""
    stamps = values.cast(pa.timestamp("us"))
    valid = stamps.drop_null()
    if len(valid):
        if pc.min(valid).as_py() < _EARLIEST:
            return None
        if (
            pc.any(pc.not_equal(pc.microsecond(valid), 0)).as_py()
            or pc.any(pc.not_equal(pc.millisecond(valid), 0)).as_py()
        ):
            return None
    stamps = stamps.cast(pa.timestamp("s"))  # whole seconds: %S without a fraction
    days = pc.strftime(stamps, "%Y-%m-%d")
    full = pc.strftime(stamps, "%Y-%m-%d %H:%M:%S")
    is_midnight = pc.and_(
        pc.and_(pc.equal(pc.hour(stamps), 0), pc.equal(pc.minute(stamps), 0)),
        pc.equal(pc.second(stamps), 0),
    )
    return pc.fill_null(pc.if_else(is_midnight, days, full), "")


def _texts(values: pa.Array, dtype: str) -> pa.Array | None:
    """A typed column as texts (``None``: a kind this module does not render)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if dtype == "string" and pa.types.is_string(values.type):
        return pc.fill_null(values, "")
    if dtype == "float" and pa.types.is_floating(values.type):
        return _float_texts(values)
    if dtype == "boolean" and pa.types.is_boolean(values.type):
        return pc.fill_null(pc.if_else(values, "true", "false"), "")
    if dtype == "datetime" and pa.types.is_timestamp(values.type):
        return _datetime_texts(values)
    return None


class FastSheet:
    """A worksheet's header (row 1) and its columns below it, as texts."""

    def __init__(self, skip: int, header: list[str], columns: list[pa.Array]) -> None:
        self.skip, self.header, self.columns = skip, header, columns
        self.height = len(columns[0]) if columns else 0


def load(path: Path, name: str) -> FastSheet | None:
    """The worksheet ``name`` through fastexcel, where that gives exactly what
    python-calamine gives (see the module); ``None`` otherwise, or without fastexcel."""
    try:
        fastexcel: Any = importlib.import_module("fastexcel")
    except ImportError:
        return None
    try:
        if may_have_merged(path, name):
            return None
        sheet = fastexcel.read_excel(str(path)).load_sheet_by_name(
            name,
            header_row=0,
            skip_rows=0,
            schema_sample_rows=None,
            dtype_coercion="strict",
        )
        infos = sheet.available_columns()
        table = sheet.to_arrow()
    except Exception:  # a sheet fastexcel cannot type, or cannot read: python-calamine's
        return None
    if not infos or table.num_columns != len(infos):
        return None
    first = int(infos[0].absolute_index)
    header: list[str] = []
    columns: list[pa.Array] = []
    for k, info in enumerate(infos):
        if int(info.absolute_index) != first + k:
            return None
        looked_up = str(info.column_name_from) == "looked_up"
        text = str(info.name) if looked_up else ""
        if text and _PLAIN_NOT.fullmatch(text):
            return None
        texts = _texts(table.column(k), str(info.dtype))
        if texts is None:
            return None
        header.append(text)
        columns.append(texts)
    if not any(header):
        return None
    return FastSheet(first, header, columns)
