"""JSON Lines registers, read as Arrow tables a block of lines at a time.

A JSON Lines register holds one household object a line, its members nested
(``members``: a list of objects), its status history too (``history``). This module
turns the file's bytes into Arrow tables with :mod:`pyarrow.json` (a C++ parser working
on whole blocks, many times faster than decoding each line in Python), typed by an
explicit schema taken from the record classes of the applied vocabulary, so that the
tables are what a Parquet or Arrow IPC file with a nested ``members`` column gives and
go through the same column conversion and checks (:mod:`poverty_core.registers`);
:class:`_JsonLines` is that source of a register.

What Arrow's reader does not give, this module adds, without a Python loop over the
good lines:

* **line numbers** — the reader counts neither lines nor blank ones: the block's line
  ends are found with numpy, blank lines set aside, and each row of the table is the
  n-th non-blank line;
* **a bad line never fails its block** — invalid JSON, a line that is not an object,
  a key given twice, a value of the wrong JSON type, two objects on one line: Arrow
  refuses the whole block, so the block is halved until the lines at fault stand
  alone, and each of those lines is read by the strict one-record converter
  (:func:`poverty_core.convert.structure`), which names the field and says why, in the
  same words as for one record. A line the converter accepts but Arrow does not (an
  integer written ``36.0``) is written back by the converter and read again;
* **unknown fields** — Arrow infers a column for a key the schema does not have: the
  lines holding such a key (a non-null value, or the key's text on the line) are read
  by the converter, which names the field; the others keep their row.

Arrow builds a column of nulls row by row for every field of the schema a line does
not give, and a register gives few of the vocabulary's fields: after the first block,
each block is read first with the fields (and member fields) seen so far, which gives the
same table once the missing columns are added; a block where Arrow meets a field of the
schema not seen before, or refuses a line, is read again with the whole schema as above.

The mapping fields ``procedures`` and ``checklists`` (objects of objects whose keys are
the pack's procedures and steps) are inferred by Arrow and flattened to
``procedures.<procedure>.<step>`` / ``checklists.<checklist>.<item>`` columns, as a
Parquet file's struct columns are.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from poverty_core._text import Text
from poverty_core.aliases import entity_columns, option
from poverty_core.convert import loads_json, structure, unstructure
from poverty_core.errors import InputError, Problem
from poverty_core.registers.arrow import _NestedMembers
from poverty_core.registers.batch import Rejected
from poverty_core.registers.history import _HISTORY
from poverty_core.registers.problems import _fatal
from poverty_core.registers.schema import MEMBER_KEY
from poverty_core.registers.sniff import _SNIFF_BYTES, _detect_encoding
from poverty_core.registers.sources import _Raw, _Source
from poverty_core.registers.specs import _column_spec
from poverty_core.vocabulary import CORE, Vocabulary

__all__ = ["JsonBlock", "JsonLinesReader", "LineReject", "json_schema"]

_BLOCK_BYTES = 1 << 23
"""Bytes read at a time (a block ends at the last line end in it)."""

_ALONE = 16
"""A failing run of at most this many lines is read line by line."""

_MAPPINGS = ("procedures", "checklists")
_WHITESPACE = b" \t\r\n"

Rows = npt.NDArray[np.int64]
Chunk = bytes | bytearray
"""Lines of the file as UTF-8 (a chunk read as it is, or re-encoded)."""


@attrs.frozen(eq=False)
class LineReject:
    """A line left out before the column checks, with its problems (paths
    ``FILE:LINE[:FIELD]``)."""

    line: int
    household_id: str | None
    """The line's ``id``, when it is a string."""
    problems: tuple[Problem, ...]


@attrs.frozen(eq=False)
class JsonBlock:
    """Some lines of a JSON Lines file as one Arrow table (a row per line read)."""

    table: pa.Table
    """The lines read: the household fields as typed by :func:`json_schema`,
    ``members`` (``list<struct>``), ``history`` and the flattened procedure and
    checklist columns."""
    lines: Rows
    """The line number of each row of :attr:`table`."""
    rejected: tuple[LineReject, ...]
    """The lines left out (in line order)."""
    read: int
    """Non-blank lines in the block (rows + rejected)."""


def _json_type(spec: Any) -> pa.DataType:
    """The Arrow type a JSON value of a column's kind is read as: whole numbers as
    doubles (``36.0`` is a whole number in JSON; the column check takes whole numbers
    only), dates and codes as text (the column conversion parses them)."""
    kind = spec.kind
    if kind == "list":
        return pa.list_(_json_type(spec.item))
    if kind in ("int", "float"):
        return pa.float64()
    if kind == "bool":
        return pa.bool_()
    return pa.string()


def json_schema(vocabulary: Vocabulary = CORE) -> pa.Schema:
    """The explicit schema JSON Lines households are read with: the households' columns
    of ``vocabulary`` (a pack's fields too), ``members`` as a list of the members'
    columns, ``history`` as a list of ``kind``/``date`` (the mapping fields are inferred).
    """

    def fields(entity: str) -> list[pa.Field]:
        return [
            pa.field(name, _json_type(_column_spec(entity, name, vocabulary)))
            for name in entity_columns(entity, vocabulary)
            if not (entity == "members" and name == MEMBER_KEY)
        ]

    return pa.schema(
        [
            *fields("households"),
            pa.field("members", pa.list_(pa.struct(fields("members")))),
            pa.field(
                "history", pa.list_(pa.struct([("kind", pa.string()), ("date", pa.string())]))
            ),
        ]
    )


class JsonLinesReader:
    """A JSON Lines register file read in blocks of lines (see the module notes).

    ``encoding`` is the file's text encoding as detected or given (UTF-8 files are read
    as they are; another encoding is re-encoded to UTF-8 block by block)."""

    def __init__(
        self,
        path: Path,
        file: str,
        encoding: str,
        *,
        vocabulary: Vocabulary = CORE,
        block_bytes: int = _BLOCK_BYTES,
    ) -> None:
        self.path, self.file, self.encoding = path, file, encoding
        self.vocabulary = vocabulary
        self.schema = json_schema(vocabulary)
        self.block_bytes = block_bytes
        self._record = vocabulary.record_type("households")
        self._members = {f.name for f in self.schema.field("members").type.value_type}
        self._parse = pajson.ParseOptions(
            explicit_schema=self.schema, unexpected_field_behavior="infer"
        )
        self._read = pajson.ReadOptions(use_threads=True, block_size=1 << 20)
        self._seen: set[str] = set()  # fields with a value in a block read so far
        self._seen_members: set[str] = set()
        self._seen_mapped: set[str] = set()  # procedures.<id>.<step> … with a value
        self._narrow: pajson.ParseOptions | None = None

    @property
    def columns(self) -> dict[str, str]:
        """The fields some line read so far gives a value (a JSON Lines file has no
        header: each field is its own; a member's as ``members.<name>``, a procedure's
        step or a checklist's item as ``procedures.<id>.<step>``) — every one of the
        file's once it is read."""
        out = {name: name for name in sorted(self._seen) if name != "members"}
        out.update({f"members.{name}": f"members.{name}" for name in sorted(self._seen_members)})
        out.update({name: name for name in sorted(self._seen_mapped)})
        return out

    # -- bytes ---------------------------------------------------------------------------

    def _chunks(self) -> Iterator[Chunk]:
        """The file as UTF-8 bytes, in chunks of whole lines (the last maybe without its
        line end); a UTF-8 byte-order mark dropped."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below, generator
        except OSError as exc:
            raise _fatal(
                self.file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
            ) from None
        if self.encoding in ("utf-8", "utf_8"):
            with handle:
                yield from self._utf8_chunks(handle)
            return
        decoder = codecs.getincrementaldecoder(self.encoding)()
        carry = b""
        first = True
        with handle:
            while True:
                raw = handle.read(self.block_bytes)
                try:
                    text = decoder.decode(raw, final=not raw)
                except UnicodeDecodeError:
                    raise self._not_encoded() from None
                data = text.removeprefix("\ufeff").encode("utf-8") if first else text.encode()
                first = False
                if not raw:
                    if carry:
                        yield carry
                    return
                data = carry + data
                cut = data.rfind(b"\n")
                if cut < 0:
                    carry = data
                    continue
                carry = data[cut + 1 :]
                yield data[: cut + 1]

    def _utf8_chunks(self, handle: io.BufferedIOBase) -> Iterator[Chunk]:
        """:meth:`_chunks` of a UTF-8 file: each chunk read into a buffer of its own and
        cut at its last line end in place (a chunk is never copied whole)."""
        carry = b""
        first = True
        while True:
            buf = bytearray(len(carry) + self.block_bytes)
            buf[: len(carry)] = carry
            with memoryview(buf) as view, view[len(carry) :] as rest:
                got = handle.readinto(rest)
            del buf[len(carry) + got :]
            if first:
                first = False
                if buf.startswith(codecs.BOM_UTF8):
                    del buf[: len(codecs.BOM_UTF8)]
            if not got:
                if carry:
                    yield carry
                return
            cut = buf.rfind(b"\n")
            if cut < 0:
                carry = bytes(buf)
                continue
            carry = bytes(buf[cut + 1 :])
            del buf[cut + 1 :]
            yield buf

    def _not_encoded(self) -> InputError:
        return _fatal(
            self.file,
            f"文件不是 {self.encoding} 编码；请用 {option('encoding')} 指定",
            f"the file is not {self.encoding} throughout; give the encoding with "
            f"{option('encoding')}",
        )

    # -- blocks --------------------------------------------------------------------------

    def blocks(self, batch_lines: int = 1 << 62) -> Iterator[JsonBlock]:
        """The file's lines as :class:`JsonBlock` s of at most ``batch_lines`` lines read."""
        line0 = 0  # lines before the chunk
        for chunk in self._chunks():
            starts, ends = _lines_of(chunk)
            numbers = np.arange(line0 + 1, line0 + len(starts) + 1, dtype=np.int64)
            line0 += len(starts)
            full = _non_blank(chunk, starts, ends)
            starts, ends, numbers = starts[full], ends[full], numbers[full]
            for a in range(0, len(starts), batch_lines):
                b = min(a + batch_lines, len(starts))
                yield self._block(chunk, starts[a:b], ends[a:b], numbers[a:b])

    def _block(self, chunk: Chunk, starts: Rows, ends: Rows, numbers: Rows) -> JsonBlock:
        narrow = None
        if len(starts):  # Arrow reads the lines where they are, not a copy of them
            narrow = self._narrow_read(memoryview(chunk)[starts[0] : ends[-1]], len(starts))
        if narrow is not None:
            table, lines, more = self._unknown_fields(chunk, starts, ends, numbers, narrow, numbers)
            return JsonBlock(
                self._shape(table), lines, tuple(sorted(more, key=_line_of)), len(starts)
            )
        rejected: list[LineReject] = []
        parts: list[tuple[Rows, pa.Table]] = []
        self._read_run(chunk, starts, ends, numbers, parts, rejected)
        tables = [t for _, t in parts]
        lines = np.concatenate([n for n, _ in parts]) if parts else np.zeros(0, np.int64)
        if tables:
            table = pa.concat_tables(tables, promote_options="permissive")
        else:
            table = self.schema.empty_table()
        self._note_seen(table)
        table, lines, more = self._unknown_fields(chunk, starts, ends, numbers, table, lines)
        rejected += more
        rejected.sort(key=_line_of)
        return JsonBlock(self._shape(table), lines, tuple(rejected), len(starts))

    # -- the narrow schema ----------------------------------------------------------------

    def _note_seen(self, table: pa.Table) -> None:
        """Note the schema's fields (the members' too) with a value in ``table``, read with
        the whole schema; the next blocks are first read with these alone."""
        before = (len(self._seen), len(self._seen_members))
        for field in self.schema:
            name = field.name
            if name in self._seen or name not in table.column_names:
                continue
            column = table.column(name)
            if column.null_count < len(column):
                self._seen.add(name)
        if "members" in table.column_names:
            members = table.column("members").combine_chunks()
            values = pc.list_flatten(members)
            if pa.types.is_struct(values.type):
                for field in values.type:
                    name = field.name
                    if name not in self._members or name in self._seen_members:
                        continue
                    if values.field(name).null_count < len(values):
                        self._seen_members.add(name)
        if self._narrow is None or before != (len(self._seen), len(self._seen_members)):
            self._narrow = pajson.ParseOptions(
                explicit_schema=self._narrow_schema(), unexpected_field_behavior="infer"
            )

    def _narrow_schema(self) -> pa.Schema:
        """The schema's fields seen so far (:meth:`_note_seen`), typed as in the schema."""
        fields = []
        for field in self.schema:
            if field.name == "members":
                inner = [f for f in field.type.value_type if f.name in self._seen_members]
                if "members" in self._seen:
                    fields.append(pa.field("members", pa.list_(pa.struct(inner))))
            elif field.name in self._seen:
                fields.append(field)
        return pa.schema(fields)

    def _narrow_read(self, data: memoryview, lines: int) -> pa.Table | None:
        """The lines ``data`` (``lines`` of them, none blank) read with the fields seen so
        far, when that gives what the whole schema would: every line read (none
        refused) and no field of the schema among those Arrow inferred (a field not
        seen before: the block is read again with the whole schema). A field never
        given is then no column (or member field) at all, where the whole schema makes
        it a column of nulls that Arrow builds row by row: :meth:`_shape` adds it."""
        if self._narrow is None:
            return None
        try:
            table = pajson.read_json(
                pa.py_buffer(data), read_options=self._read, parse_options=self._narrow
            )
        except (pa.ArrowException, UnicodeDecodeError, ValueError):
            return None
        if table.num_rows != lines:
            return None
        for field in table.schema:
            if field.name in self._seen or field.name in _MAPPINGS:
                continue
            if self.schema.get_field_index(field.name) >= 0:
                return None
        if "members" in table.column_names:
            inner = table.schema.field("members").type
            if not (pa.types.is_list(inner) and pa.types.is_struct(inner.value_type)):
                return None
            for field in inner.value_type:
                if field.name in self._members and field.name not in self._seen_members:
                    return None
        return table

    def _arrow(self, data: Chunk | memoryview) -> pa.Table | None:
        try:
            return pajson.read_json(
                pa.py_buffer(data), read_options=self._read, parse_options=self._parse
            )
        except (pa.ArrowException, UnicodeDecodeError, ValueError):
            return None

    def _read_run(
        self,
        chunk: Chunk,
        starts: Rows,
        ends: Rows,
        numbers: Rows,
        parts: list[tuple[Rows, pa.Table]],
        rejected: list[LineReject],
    ) -> None:
        """Lines ``starts``/``ends`` of ``chunk`` (consecutive non-blank lines, blank
        ones between them left to the reader) read as tables into ``parts``; the lines
        the reader refuses halved until they stand alone, then read one by one."""
        n = len(starts)
        if not n:
            return
        table = self._arrow(memoryview(chunk)[starts[0] : ends[-1]])
        if table is not None and table.num_rows == n:
            parts.append((numbers, table))
            return
        if n > _ALONE:
            mid = n // 2
            self._read_run(chunk, starts[:mid], ends[:mid], numbers[:mid], parts, rejected)
            self._read_run(chunk, starts[mid:], ends[mid:], numbers[mid:], parts, rejected)
            return
        for i in range(n):
            line = chunk[starts[i] : ends[i]]
            one = self._arrow(line)
            if one is not None and one.num_rows == 1:
                parts.append((numbers[i : i + 1], one))
                continue
            found = self._one_line(line, int(numbers[i]))
            if isinstance(found, LineReject):
                rejected.append(found)
            else:
                parts.append((numbers[i : i + 1], found))

    def _one_line(self, line: Chunk, number: int) -> LineReject | pa.Table:
        """A line Arrow refused, read by the strict converter: its problems, or (when
        it has none) the line as written back by the converter, read again."""
        where = f"{self.file}:{number}"
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise self._not_encoded() from None
        try:
            data = loads_json(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = getattr(exc, "msg", "too deeply nested")
            problem = Problem(where, Text(f"JSON 语法错误：{message}", f"invalid JSON: {message}"))
            return LineReject(number, None, (problem,))
        raw_id = data.get("id") if isinstance(data, dict) else None
        raw_id = raw_id if isinstance(raw_id, str) else None
        try:
            record = structure(data, self._record)
        except InputError as err:
            return LineReject(
                number,
                raw_id,
                tuple(
                    Problem(where if p.path == "$" else f"{where}:{p.path}", p.message)
                    for p in err.problems
                ),
            )
        except RecursionError:
            return LineReject(
                number, raw_id, (Problem(where, Text("嵌套过深", "too deeply nested")),)
            )
        again = self._arrow(json.dumps(unstructure(record), ensure_ascii=False).encode("utf-8"))
        if again is None or again.num_rows != 1:  # the converter and Arrow disagree
            problem = Problem(where, Text("无法读取此行", "the line cannot be read"))
            return LineReject(number, raw_id, (problem,))
        return again

    # -- unknown fields ------------------------------------------------------------------

    def _unknown_fields(
        self,
        chunk: Chunk,
        starts: Rows,
        ends: Rows,
        numbers: Rows,
        table: pa.Table,
        lines: Rows,
    ) -> tuple[pa.Table, Rows, list[LineReject]]:
        """Lines with a key the schema does not have, read by the converter (which names
        it); the table without the inferred columns of those keys."""
        suspects = np.zeros(table.num_rows, np.bool_)
        keys: list[str] = []
        for field in table.schema:
            if field.name in _MAPPINGS:
                bad = _bad_mapping(table.column(field.name), field.name)
                if bad is not None:
                    suspects |= bad
                continue
            if self.schema.get_field_index(field.name) < 0:
                keys.append(field.name)
                suspects |= _valid(table.column(field.name))
        if "members" in table.column_names:
            members = table.column("members").combine_chunks()
            inner = members.type.value_type
            extra = [f.name for f in inner if f.name not in self._members]
            if extra:
                keys += extra
                flat = pc.list_flatten(members)
                parents = np.asarray(pc.list_parent_indices(members), np.int64)
                for name in extra:
                    hit = _valid(flat.field(name))
                    suspects[parents[hit]] = True
        if not keys and not suspects.any():
            return table, lines, []
        # A key whose every value is null leaves no trace in the table: find its text.
        position = {int(n): k for k, n in enumerate(lines)}
        for key in keys:
            for needle in _spellings(key):
                at = chunk.find(needle)
                while at >= 0:
                    i = int(np.searchsorted(starts, at, side="right")) - 1
                    if 0 <= i < len(starts) and at < ends[i]:
                        k = position.get(int(numbers[i]))
                        if k is not None:
                            suspects[k] = True
                    at = chunk.find(needle, at + 1)
        rejected: list[LineReject] = []
        drop = np.zeros(table.num_rows, np.bool_)
        index = {int(n): i for i, n in enumerate(numbers)}
        for row in np.flatnonzero(suspects):
            i = index[int(lines[row])]
            found = self._one_line(chunk[starts[i] : ends[i]], int(lines[row]))
            if isinstance(found, LineReject):
                rejected.append(found)
                drop[row] = True
        if drop.any():
            table = table.filter(pa.array(~drop))
            lines = lines[~drop]
        return table, lines, rejected

    # -- shape ---------------------------------------------------------------------------

    def _shape(self, table: pa.Table) -> pa.Table:
        """The table as :class:`JsonBlock` holds it: the schema's columns (inferred ones
        dropped), ``members`` with the members' columns only, ``history`` dates typed
        when they all read as dates, the mapping fields flattened."""
        columns: dict[str, pa.Array] = {}
        for field in self.schema:
            if field.name in table.column_names:
                column = table.column(field.name).combine_chunks()
            else:
                column = pa.nulls(table.num_rows, field.type)
            if field.name == "members":
                column = _keep_fields(column, field.type)
            elif field.name == "history":
                column = _typed_history(_keep_fields(column, field.type))
            columns[field.name] = column
        for name in _MAPPINGS:
            if name in table.column_names:
                flat = _flat_mapping(table.column(name).combine_chunks(), name)
                self._seen_mapped.update(c for c, v in flat.items() if v.null_count < len(v))
                columns.update(flat)
        return pa.table(columns)


def _line_of(reject: LineReject) -> int:
    return reject.line


def _valid(arr: Any) -> npt.NDArray[np.bool_]:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        return np.zeros(len(arr), np.bool_)
    return np.asarray(pc.is_valid(arr), np.bool_)


def _spellings(key: str) -> set[bytes]:
    """A key as JSON text may spell it: as it is, and with its non-ASCII characters as
    ``\\u`` escapes (in lower or upper case hexadecimal)."""
    escaped = json.dumps(key)
    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped)
    return {json.dumps(key, ensure_ascii=False).encode("utf-8"), escaped.encode(), upper.encode()}


def _lines_of(chunk: Chunk) -> tuple[Rows, Rows]:
    """The start and end (exclusive of the line end) of each line of ``chunk``."""
    data = np.frombuffer(chunk, np.uint8)
    ends = np.flatnonzero(data == 10).astype(np.int64)
    if not len(ends) or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    return starts, ends


def _non_blank(chunk: Chunk, starts: Rows, ends: Rows) -> npt.NDArray[np.bool_]:
    """Lines holding more than JSON whitespace: the first byte is looked at with numpy,
    only a line starting with whitespace is looked at whole."""
    data = np.frombuffer(chunk, np.uint8)
    full = ends > starts
    first = np.zeros(len(starts), np.uint8)
    first[full] = data[starts[full]]
    lead = np.isin(first, np.frombuffer(_WHITESPACE, np.uint8)) & full
    for i in np.flatnonzero(lead):
        full[i] = bool(chunk[starts[i] : ends[i]].strip(_WHITESPACE))
    return full


def _bad_mapping(column: Any, name: str) -> npt.NDArray[np.bool_] | None:
    """Rows of a mapping column that is not an object of objects of dates (procedures)
    or booleans (checklists)."""
    t = column.type
    if pa.types.is_null(t):
        return None
    if name == "procedures":  # Arrow infers an ISO date as a timestamp

        def want(t: pa.DataType) -> bool:
            return bool(pa.types.is_string(t) or pa.types.is_timestamp(t))

    else:
        want = pa.types.is_boolean
    if not pa.types.is_struct(t):
        return _valid(column)
    bad = np.zeros(len(column), np.bool_)
    arr = column.combine_chunks()
    for k in range(t.num_fields):
        inner = arr.field(k)
        it = inner.type
        if pa.types.is_null(it):
            continue
        if not pa.types.is_struct(it):
            bad |= _valid(inner)
            continue
        for j in range(it.num_fields):
            leaf = inner.field(j)
            if not (pa.types.is_null(leaf.type) or want(leaf.type)):
                bad |= _valid(leaf)
    return bad


def _flat_mapping(arr: pa.Array, name: str) -> dict[str, pa.Array]:
    """A mapping column (``procedures``: struct of structs) as ``name.outer.inner``
    columns (a row without the mapping, or without the outer key: null)."""
    out: dict[str, pa.Array] = {}
    t = arr.type
    if not pa.types.is_struct(t):
        return out
    for k in range(t.num_fields):
        outer = t.field(k)
        inner = arr.field(k)
        if not pa.types.is_struct(outer.type):
            continue
        for j in range(outer.type.num_fields):
            leaf = inner.field(j)
            if pa.types.is_null(leaf.type):
                continue
            # a parent's null is carried into the leaf
            valid = pc.and_kleene(pc.is_valid(arr), pc.is_valid(inner))
            out[f"{name}.{outer.name}.{outer.type.field(j).name}"] = pc.if_else(
                valid, leaf, pa.scalar(None, leaf.type)
            )
    return out


def _keep_fields(column: pa.Array, want: pa.DataType) -> pa.Array:
    """A ``list<struct>`` column with the struct's fields of ``want`` only, in its order
    (an inferred field dropped)."""
    if column.type.equals(want):
        return column
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), want)
    inner = want.value_type
    values = column.values
    fields = [
        values.field(f.name)
        if values.type.get_field_index(f.name) >= 0
        else pa.nulls(len(values), f.type)
        for f in inner
    ]
    struct = pa.StructArray.from_arrays(
        fields, fields=list(inner), mask=pc.invert(pc.is_valid(values))
    )
    offsets = column.offsets
    return pa.ListArray.from_arrays(offsets, struct, type=want, mask=pc.invert(pc.is_valid(column)))


_HISTORY_TYPED = pa.list_(pa.struct([("kind", pa.string()), ("date", pa.date32())]))


def _typed_history(column: pa.Array) -> pa.Array:
    """Histories with their dates as dates when every one reads as an ISO date (the fast
    path of the history check), else as text, read event by event; a line without a
    history has none (an empty list, not a null)."""
    if column.null_count:
        lengths = np.asarray(pc.fill_null(pc.list_value_length(column), 0), np.int32)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
        column = pa.ListArray.from_arrays(offsets, pc.list_flatten(column), type=column.type)
    try:
        return column.cast(_HISTORY_TYPED)
    except pa.ArrowException:
        return column


class _JsonLines(_Source):
    """A JSON Lines file as a source of a register: its lines in blocks
    (:class:`JsonLinesReader`), shaped as a Parquet file with a nested ``members``
    column is, so that they go through the same conversion and checks; a line refused
    before them is a reject of its own (:meth:`take_rejected`)."""

    def __init__(
        self, path: Path, file: str, encoding: str | None, vocabulary: Vocabulary = CORE
    ) -> None:
        self.path, self.file, self.entity = path, file, "households"
        self._init_ragged()
        try:
            with open(path, "rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError as exc:
            raise _fatal(
                file, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}"
            ) from None
        self.encoding = _detect_encoding(head, encoding, file)
        if not head.decode(self.encoding, errors="replace").removeprefix("\ufeff").strip():
            raise _fatal(file, "文件为空", "the file is empty")
        # No header: the columns are the fields some line read so far gives a value
        # (JsonLinesReader.columns), every one of the file's once it is read.
        self.headers, self.columns, self.resolved = [], {}, []
        self.history: str | None = "history"
        self._reader = JsonLinesReader(path, file, self.encoding, vocabulary=vocabulary)
        members = self._reader.schema.field("members").type.value_type
        self.member_source = _NestedMembers(file, [f.name for f in members], {})
        self._rejected: list[Rejected] = []

    def reset(self) -> None:
        """Forget what an earlier read counted."""
        super().reset()
        with self._ragged_lock:
            self._rejected = []

    def take_rejected(self) -> list[Rejected]:
        """The lines refused before the column checks, since the last call."""
        with self._ragged_lock:
            out, self._rejected = self._rejected, []
        return out

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        """The file's lines as tables of at most ``batch_rows`` lines read."""
        aside = {"members": "\x00members", "history": _HISTORY}
        for block in self._reader.blocks(batch_rows):
            table = block.table.rename_columns([aside.get(n, n) for n in block.table.column_names])
            with self._ragged_lock:
                self._rejected += [
                    Rejected(self.file, r.line, r.household_id, r.problems) for r in block.rejected
                ]
                self.rows_read += block.read
            self.columns = self._reader.columns
            yield _Raw(table, block.lines)
