"""CSV (and tab-separated) files read with Arrow's streaming reader.

A typed pass reads the columns Arrow can type; at the first block Arrow cannot read, the
file is read again as text from that block, so that each bad cell gets its reason and no
row is lost, doubled or renumbered.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.aliases import AliasMap, option
from poverty_core.errors import InputError
from poverty_core.registers import sniff
from poverty_core.registers.problems import _fatal
from poverty_core.registers.schema import MEMBER_KEY
from poverty_core.registers.sniff import _detect_encoding, _encoding_example
from poverty_core.registers.sources import (
    _empty_rows,
    _Ragged,
    _Raw,
    _resolve,
    _row_numbers,
    _Source,
)
from poverty_core.registers.specs import _spec_in

_BLOCK_BYTES = 1 << 22


def _csv_header(path: Path, file: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """A CSV file's encoding (detected unless given), delimiter and header row."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(sniff._SNIFF_BYTES)
    except OSError as exc:
        raise _fatal(
            file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    found = _detect_encoding(head, encoding, file)
    text = head.decode(found, errors="replace")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _fatal(file, "文件为空", "the file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = (
        "\t"
        if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(",")
        else ","
    )
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise _fatal(f"{file}:1", "无法读取表头", "cannot read the header row") from None
    return found, delimiter, header


class _CsvSource(_Source):
    """A CSV (or tab-separated) file, read in blocks by pyarrow, every cell as text."""

    def __init__(
        self,
        path: Path,
        file: str,
        entity: str,
        encoding: str | None,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.file, self.entity = path, file, entity
        self.aliases = aliases
        self._init_ragged()
        self._ragged_numbers: list[int] = []
        self._reported: set[int] = set()
        self.encoding, self.delimiter, header = _csv_header(path, file, encoding)
        self.headers = header
        resolved, self.columns, unused = _resolve(
            file, entity, header, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)
        key = MEMBER_KEY if entity == "members" else "id"
        self.key_index = resolved.index(key)

    def _ragged_row(self, row: Any) -> str:
        number = int(row.number) if row.number is not None else -1
        self._ragged_numbers.append(number)
        if number in self._reported:
            return "skip"  # seen before the file was read again as text
        self._reported.add(number)
        key = None
        # pyarrow decodes the row's text as UTF-8 when asked; a row that is not (in a
        # file of another encoding) still gets its ragged-row problem, without its key.
        with contextlib.suppress(csv.Error, StopIteration, UnicodeDecodeError):
            cells = next(csv.reader(io.StringIO(row.text), delimiter=self.delimiter))
            if self.key_index < len(cells):
                key = cells[self.key_index].strip() or None
        self.add_ragged(
            _Ragged(
                number,
                Text(
                    f"本行有 {row.actual_columns} 格，表头有 {row.expected_columns} 列",
                    f"the row has {row.actual_columns} cells; the header has "
                    f"{row.expected_columns} columns",
                ),
                key,
            )
        )
        return "skip"

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        """The rows in parts of at most ``batch_rows``. Numbers, yes/no and date columns
        are first parsed by Arrow as typed values (fast); at the first cell Arrow cannot
        read that way, the file is read again as text from where it was, and the cell
        is judged (and if bad, reported) like any other text cell."""
        typed = self._typed_columns()
        done = 0
        self._reported = set()
        while True:
            try:
                yield from self._read(batch_rows, typed, done)
                return
            except _Retry as retry:
                typed, done = {}, retry.done

    def _typed_columns(self) -> dict[str, pa.DataType]:
        out = {}
        for i, column in enumerate(self.resolved):
            if column is not None and column[:1] != "\x00":
                spec = _spec_in(self.entity, column, self.aliases.vocabulary)
                if spec.kind in ("float", "int", "bool", "date"):
                    out[f"c{i}"] = spec.type
        return out

    def _read(self, batch_rows: int, typed: dict[str, pa.DataType], done: int) -> Iterator[_Raw]:
        import pyarrow.csv as pacsv

        names = [f"c{i}" for i in range(len(self.headers))]
        encoding = "utf8" if self.encoding == "utf-8" else self.encoding
        self._ragged_numbers = []
        words = [(w, v) for w, v in self.aliases.booleans.items()]
        true = sorted({f(w) for w, v in words if v for f in _CASES})
        false = sorted({f(w) for w, v in words if not v for f in _CASES})
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    use_threads=False,
                    block_size=_BLOCK_BYTES,
                    column_names=names,
                    skip_rows=1,
                    encoding=encoding,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=self._ragged_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: typed.get(n, pa.string()) for n in names},
                    null_values=[""],
                    true_values=true,
                    false_values=false,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                memory_pool=_reader_pool(),
            )
        except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeError, ValueError) as exc:
            raise self._failed(exc, typed, done) from None
        except StopIteration:
            # Arrow reads the first block on open: a header alone reads as no rows.
            return
        parsed = 0
        keep = [(f"c{i}", c) for i, c in enumerate(self.resolved) if c is not None]
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeError, ValueError) as exc:
                raise self._failed(exc, typed, max(done, parsed)) from None
            n = batch.num_rows
            first = parsed
            parsed += n
            if parsed <= done:
                continue  # read before the switch to text
            index = np.arange(first, parsed, dtype=np.int64)
            rows = _row_numbers(index, list(self._ragged_numbers))
            table = pa.Table.from_batches([batch])
            if first < done:
                table, rows = table.slice(done - first), rows[done - first :]
            empty = _empty_rows(table)
            table = table.select([c for c, _ in keep]).rename_columns([c for _, c in keep])
            if empty.any():
                table = table.filter(pa.array(~empty))
                rows = rows[~empty]
            self.rows_read += table.num_rows
            for start in range(0, table.num_rows, batch_rows):
                yield _Raw(table.slice(start, batch_rows), rows[start : start + batch_rows])

    def _failed(self, exc: BaseException, typed: dict[str, pa.DataType], done: int) -> Exception:
        """Arrow stopped while reading typed columns: read again as text from where it
        was (a cell Arrow could not read as a number, yes/no or date is then judged as
        text, like any other); stopped while reading text, a clear error. Whatever
        Arrow's message says: a file that is broken otherwise stops again as text, at
        the same place, and is reported then."""
        if typed:
            return _Retry(done)
        return self._broken(exc)

    def _broken(self, exc: BaseException) -> InputError:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "straddl" in message or "block" in message:
            size = (
                f"{_BLOCK_BYTES >> 20} MB"
                if _BLOCK_BYTES >= 1 << 20
                else f"{_BLOCK_BYTES >> 10} KB"
            )
            return _fatal(
                self.file,
                f"有一行超过 {size}，不是登记表数据",
                f"a row is larger than {size}: not register data",
            )
        if "UTF8" in message or "utf-8" in message.lower() or isinstance(exc, UnicodeError):
            return _fatal(
                self.file,
                f"文件不是 {self.encoding} 编码（按文件开头判断）；请用 {option('encoding')} 指定，"
                f"如 {_encoding_example()}",
                f"the file is not {self.encoding} throughout (guessed from its start); "
                f"give the encoding, e.g. {_encoding_example()}",
            )
        return _fatal(self.file, f"CSV 无法解析：{message}", f"cannot parse the CSV: {message}")


class _Retry(Exception):
    """Read the CSV file again as text, past the ``done`` rows already given out."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


_CASES: tuple[Callable[[str], str], ...] = (str, str.upper, str.capitalize)


@functools.cache
def _reader_pool() -> Any:
    """The memory pool of the reading threads: jemalloc where Arrow has it, which frees
    memory allocated in one thread and released in another far more cheaply (the
    batches are parsed in a reading thread and freed in the caller's)."""
    try:
        return pa.jemalloc_memory_pool()
    except Exception:  # an Arrow build without jemalloc: the default pool is correct too
        return pa.default_memory_pool()
