"""Parquet and Arrow IPC files (file or stream format), read by row group or record batch.

Columns may be typed or text; a nested ``members`` column (``list<struct>``) is
flattened to a members table; a status history column is taken as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.aliases import AliasMap, normalize
from poverty_core.errors import InputError
from poverty_core.registers.cells import _whole
from poverty_core.registers.history import (
    _HISTORY,
    _HISTORY_HEADERS,
    _history_flat_problem,
    _is_history_type,
)
from poverty_core.registers.problems import _fatal
from poverty_core.registers.schema import MEMBER_KEY
from poverty_core.registers.sources import _Raw, _resolve, _Source
from poverty_core.registers.specs import _spec_in


def _arrow_schema_of(path: Path, file: str, fmt: str) -> pa.Schema:
    """The schema of a Parquet or Arrow IPC file."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path, pre_buffer=False).schema_arrow
        schema: pa.Schema = _ipc_reader(path).schema
        return schema
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise _fatal(
                file,
                f"无法读取文件：{exc.strerror}",
                f"cannot read the file: {exc.strerror}",
            ) from None
        raise _arrow_broken(path, file, fmt, exc) from None
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise _arrow_broken(path, file, fmt, exc) from None


def _ipc_reader(path: Path) -> Any:
    source = pa.memory_map(str(path))
    try:
        return pa.ipc.open_file(source)
    except pa.ArrowInvalid:
        source = pa.memory_map(str(path))
        return pa.ipc.open_stream(source)


def _arrow_broken(path: Path, file: str, fmt: str, exc: BaseException) -> InputError:
    what = "Parquet" if fmt == "parquet" else "Arrow IPC"
    if os.path.getsize(path) == 0:
        return _fatal(file, "文件为空", "the file is empty")
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _fatal(
        file,
        f"不是可读的 {what} 文件：{message}",
        f"not a readable {what} file: {message}",
    )


class _ArrowSource(_Source):
    """A Parquet file (by row group) or an Arrow IPC file or stream (by record batch)."""

    def __init__(
        self,
        path: Path,
        file: str,
        fmt: str,
        entity: str,
        aliases: AliasMap,
        ignore: set[str],
        allowed_flat: set[str] | None,
    ) -> None:
        self.path, self.file, self.fmt, self.entity = path, file, fmt, entity
        self._init_ragged()
        schema = self._open_schema()
        self.nested: pa.DataType | None = None
        headers = []
        self.history: str | None = None
        for field in schema:
            if entity == "households" and normalize(field.name) in _HISTORY_HEADERS:
                if not _is_history_type(field.type):
                    raise InputError([_history_flat_problem(file, field.name)], what=file)
                self.history = field.name
                continue
            if field.name == "members" and entity == "households":
                t = field.type
                if (pa.types.is_list(t) or pa.types.is_large_list(t)) and pa.types.is_struct(
                    t.value_type
                ):
                    self.nested = t.value_type
                    continue
            headers += _flat_names(field)
        self.headers = headers
        resolved, self.columns, unused = _resolve(
            file, entity, headers, aliases, ignore, allowed_flat
        )
        self.resolved, self.unused = resolved, tuple(unused)
        # Code columns read as dictionaries (Parquet): a few distinct words a column, so
        # the codes are converted once per word (cells._convert), not once per row.
        column_of = {h: c for h, c in zip(headers, resolved, strict=True) if c is not None}
        self.dictionary = [
            f.name
            for f in schema
            if f.name in column_of
            and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
            and _spec_in(entity, column_of[f.name], aliases.vocabulary).kind == "code"
        ]
        self.member_source: _NestedMembers | None = None
        if self.nested is not None:
            member_headers = [f.name for f in self.nested]
            if MEMBER_KEY in member_headers:
                raise _fatal(
                    f"{file}:1",
                    f"嵌套的成员不应有 {MEMBER_KEY} 列（成员属于其所在的户）",
                    f"nested members must not have a {MEMBER_KEY} column (they belong to "
                    f"the household they are in)",
                )
            resolved_m, columns_m, unused_m = _resolve(
                f"{file}:members", "members", [MEMBER_KEY, *member_headers], aliases, ignore, None
            )
            self.member_source = _NestedMembers(file, resolved_m[1:], columns_m)
            self.unused += tuple(unused_m)

    def _open_schema(self) -> pa.Schema:
        return _arrow_schema_of(self.path, self.file, self.fmt)

    def _ipc(self) -> Any:
        return _ipc_reader(self.path)

    def _broken(self, exc: BaseException) -> InputError:
        return _arrow_broken(self.path, self.file, self.fmt, exc)

    def batches_of_file(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        try:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                # pre_buffer=False: Arrow would otherwise buffer column chunks ahead and
                # its peak memory would grow with the file.
                parquet = pq.ParquetFile(
                    self.path, pre_buffer=False, read_dictionary=self.dictionary or None
                )
                yield from parquet.iter_batches(batch_size=batch_rows)
            else:
                reader = self._ipc()
                if hasattr(reader, "num_record_batches"):
                    for i in range(reader.num_record_batches):
                        yield reader.get_batch(i)
                else:
                    yield from reader
        except (OSError, pa.ArrowException) as exc:
            raise self._broken(exc) from None

    def raw(self, batch_rows: int) -> Iterator[_Raw]:
        keep = [(h, c) for h, c in zip(self.headers, self.resolved, strict=True) if c is not None]
        start = 0
        for batch in self.batches_of_file(batch_rows):
            table = pa.Table.from_batches([batch])
            members = table.column("members") if self.nested is not None else None
            history = table.column(self.history) if self.history is not None else None
            aside = [n for n, c in (("members", members), (self.history, history)) if c is not None]
            table = _flatten(table.drop_columns(aside) if aside else table)
            table = table.select([h for h, _ in keep]).rename_columns([c for _, c in keep])
            if members is not None:
                table = table.append_column("\x00members", members)
            if history is not None:
                table = table.append_column(_HISTORY, history)
            n = table.num_rows
            rows = np.arange(start + 1, start + n + 1, dtype=np.int64)
            start += n
            self.rows_read += n
            for offset in range(0, n, batch_rows):
                yield _Raw(table.slice(offset, batch_rows), rows[offset : offset + batch_rows])


def _flat_names(field: pa.Field, prefix: str = "") -> list[str]:
    name = prefix + field.name
    if pa.types.is_struct(field.type):
        return [n for child in field.type for n in _flat_names(child, name + ".")]
    return [name]


def _flatten(table: pa.Table) -> pa.Table:
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table


@attrs.define
class _NestedMembers:
    """The members nested in a households table (``members: list<struct>``)."""

    file: str
    resolved: list[str | None]
    columns: dict[str, str]

    def explode(self, raw: _Raw) -> tuple[_Raw, _Raw]:
        """The households without their nested list, and the members' rows."""
        lists = _whole(raw.table.column("\x00members"))
        households = raw.table.drop_columns(["\x00members"])
        parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), np.int64)
        flat = pc.list_flatten(lists)
        fields = flat.flatten()  # the struct's own nulls carried into its fields
        keep = [(a, c) for a, c in zip(fields, self.resolved, strict=True) if c is not None]
        ids = households.column("id")
        table = pa.table(
            [pc.take(ids, pa.array(parents)), *(a for a, _ in keep)],
            names=[MEMBER_KEY, *(c for _, c in keep)],
        )
        lengths = np.asarray(pc.fill_null(pc.list_value_length(lists), 0).to_numpy(), np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        sub = np.arange(len(parents), dtype=np.int64) - starts[parents] if len(parents) else parents
        members = _Raw(table, raw.rows[parents], sub, parents)
        return _Raw(households, raw.rows), members
