"""The main job at register scale: decide every household of a register, batch by
batch, write the per-household results, and aggregate them by village and county.

:func:`assess` takes an iterable of ``(households, members)`` Arrow table pairs — one
in-memory register or a stream of record batches from
:func:`poverty_core.columnar.open_register` — so peak memory follows the batch size,
not the file size, and the aggregates are exact: they are sums over batches.
Results are written through a :class:`ResultWriter`, atomically: a run that fails
leaves no partial file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from poverty_core.engine import BatchResult
from poverty_core.frame import frame_from_arrow
from poverty_core.indicators import GroupTotals
from poverty_core.io import temp_beside
from poverty_core.rules import Outcome, Status

__all__ = [
    "ResultWriter",
    "RunSummary",
    "TableSink",
    "assess",
    "iter_tables",
    "neutralise_formulas",
    "plain_columns",
    "result_table",
]

_STATUS_NAMES = np.array(
    [s.value for s in (Status.FAILED, Status.PASSED, Status.UNKNOWN, Status.NOT_IN_FORCE)]
)
_OUTCOME_NAMES = np.array(
    [o.value for o in (Outcome.NOT_ELIGIBLE, Outcome.ELIGIBLE, Outcome.UNDETERMINED)]
)


_STATUS_TEXTS = pa.array(_STATUS_NAMES.tolist(), pa.string())
_OUTCOME_TEXTS = pa.array(_OUTCOME_NAMES.tolist(), pa.string())
"""The names as Arrow texts: a column of names is one ``take`` by the codes (no
million-element array of Python or NumPy strings)."""


def result_table(result: BatchResult, *, extra: Mapping[str, Any] | None = None) -> pa.Table:
    """One row per record: ``id``, ``outcome``, one status column per criterion, the
    failed criteria and the missing inputs (``;``-separated), plus ``extra`` columns."""
    n = len(result)
    columns: dict[str, Any] = {"id": result.id_column()}
    for name, values in (extra or {}).items():
        columns[name] = values
    columns["outcome"] = pc.take(_OUTCOME_TEXTS, pa.array(result.outcome))
    failed: list[tuple[npt.NDArray[np.bool_], str]] = []
    missing: list[tuple[npt.NDArray[np.bool_], str]] = []
    seen: dict[str, npt.NDArray[np.bool_]] = {}
    undetermined = result.outcome == 2
    for c in result.criteria:
        columns[c.rule.id] = _status_column(c.status)
        hit = c.status == 0
        if hit.any():
            failed.append((hit, c.rule.id))
        if not c.missing:
            continue
        unknown = (c.status == 2) & undetermined
        for label, mask in c.missing.items():
            # as DecisionResult.missing: named only where the outcome is undetermined,
            # each input once per record, in the order the criteria first name it
            rows = mask & unknown
            before = seen.get(label)
            new = rows if before is None else rows & ~before
            if new.any():
                missing.append((new, label))
                seen[label] = new if before is None else before | new
    columns["failed"] = _names(failed, n)
    columns["missing"] = _names(missing, n)
    return pa.table(columns)


def _status_column(status: npt.NDArray[Any]) -> pa.DictionaryArray:
    """The statuses' names, dictionary-encoded: what ``take`` of the names and
    ``dictionary_encode`` give (the names in order of first appearance, ``int32``
    indices), from the codes directly — no column of texts made and hashed again."""
    counts = np.bincount(status, minlength=len(_STATUS_NAMES))
    present = np.flatnonzero(counts)
    first = [int(np.argmax(status == code)) for code in present]
    order = present[np.argsort(first, kind="stable")]
    index = np.zeros(len(counts), np.int32)
    index[order] = np.arange(len(order), dtype=np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(index[status], pa.int32()), _STATUS_TEXTS.take(pa.array(order, pa.int64()))
    )


_LOOKUP_BITS = 16
"""Up to this many names, each row's set of names is an index into a table of all sets;
more (up to 63), a sorted list of the sets that occur."""


def _names(parts: Sequence[tuple[npt.NDArray[np.bool_], str]], n: int) -> pa.Array:
    """The ``;``-separated names of each row, ``parts`` being the rows each name is
    for, in order. Each distinct set of names is written once, as text, and the rows
    take theirs by index: the same texts as joining ``name;`` parts row by row and
    trimming the last ``;`` (:func:`_joined`, still used past 63 names)."""
    if not parts or len(parts) > 63:
        return _joined([_named(rows, name) for rows, name in parts], n)
    code = np.zeros(n, np.int64)
    for bit, (rows, _) in enumerate(parts):
        code |= rows.astype(np.int64) << bit
    if len(parts) <= _LOOKUP_BITS:
        sets = np.flatnonzero(np.bincount(code, minlength=1 << len(parts)))
        position = np.zeros(1 << len(parts), np.int32)
        position[sets] = np.arange(len(sets), dtype=np.int32)
        index = position[code]
    else:
        sets, inverse = np.unique(code, return_inverse=True)
        index = inverse.astype(np.int32)
    texts = [
        "".join(name + ";" for bit, (_, name) in enumerate(parts) if int(s) >> bit & 1).rstrip(";")
        for s in sets.tolist()
    ]
    return pc.take(pa.array(texts, pa.string()), pa.array(index, pa.int32()))


def _named(rows: npt.NDArray[np.bool_], name: str) -> pa.Array:
    """``name;`` where ``rows``, else an empty text (an Arrow kernel, no Python loop)."""
    return pc.if_else(pa.array(rows), pa.scalar(name + ";"), pa.scalar(""))


def _joined(parts: Sequence[pa.Array], n: int) -> pa.Array:
    """The ``;``-separated names of each row (``parts`` from :func:`_named`)."""
    if not parts:
        return pc.fill_null(pa.nulls(n, pa.string()), "")
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    return pc.utf8_rtrim(joined, characters=";")


@attrs.define
class RunSummary:
    """What :func:`assess` did: counts, per-criterion failures, totals by group."""

    decision: str
    records: int = 0
    outcomes: npt.NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(3, np.int64))
    people: npt.NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(3, np.int64))
    criteria: dict[str, npt.NDArray[np.int64]] = attrs.field(factory=dict)
    """Per criterion: records failed, passed, unknown."""
    missing: dict[str, int] = attrs.field(factory=dict)
    """Per input: undetermined records that lack it (each record counted once)."""
    groups: dict[str, GroupTotals] = attrs.field(factory=dict)
    provenance: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        """Records per outcome."""
        return {str(name): int(v) for name, v in zip(_OUTCOME_NAMES, self.outcomes, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "decision": self.decision,
            "records": self.records,
            "outcomes": self.counts(),
            "people": {
                str(name): int(v) for name, v in zip(_OUTCOME_NAMES, self.people, strict=True)
            },
            "criteria": {
                k: dict(zip(_STATUS_NAMES.tolist(), map(int, v), strict=True))
                for k, v in self.criteria.items()
            },
            "missing": dict(self.missing),
            "groups": {by: totals.rows(by) for by, totals in self.groups.items()},
            "provenance": self.provenance,
        }


def assess(
    pack: Any,
    decision: str,
    batches: Iterable[tuple[pa.Table, pa.Table | None]],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    by: Sequence[str] = ("village_id", "county_id"),
    writer: TableSink | None = None,
) -> RunSummary:
    """Decide ``decision`` for every household of every batch; write each batch's
    :func:`result_table` to ``writer``; return the summary with totals ``by`` group."""
    summary = RunSummary(decision, groups={b: GroupTotals() for b in by})
    for households, members in batches:
        frame = frame_from_arrow(households, members)
        result = pack.decide_batch(decision, frame, as_of=as_of, overrides=overrides)
        if summary.provenance is None:
            summary.provenance = result.provenance.to_dict()
        sizes = (
            np.bincount(frame.members.owner, minlength=frame.n)
            if frame.members is not None and frame.members.owner is not None
            else np.zeros(frame.n, dtype=np.int64)
        )
        summary.records += len(result)
        summary.outcomes += np.bincount(result.outcome, minlength=3)
        summary.people += np.bincount(result.outcome, weights=sizes, minlength=3).astype(np.int64)
        undetermined = result.outcome == 2
        missing_rows: dict[str, npt.NDArray[np.bool_]] = {}
        for c in result.criteria:
            counts = np.bincount(c.status, minlength=4).astype(np.int64)
            previous = summary.criteria.get(c.rule.id, np.zeros(4, np.int64))
            summary.criteria[c.rule.id] = previous + counts
            for label, mask in c.missing.items():
                rows = mask & (c.status == 2) & undetermined
                missing_rows[label] = missing_rows[label] | rows if label in missing_rows else rows
        for label, rows in missing_rows.items():  # each record counted once per input
            n_missing = int(rows.sum())
            if n_missing:
                summary.missing[label] = summary.missing.get(label, 0) + n_missing
        for b in by:
            if b in households.column_names:
                summary.groups[b].add(households.column(b), result.outcome, sizes)
        if writer is not None:
            writer.write(result_table(result))
    return summary


class TableSink(Protocol):
    """Anything that takes result tables batch by batch (a :class:`ResultWriter`)."""

    def write(self, table: pa.Table) -> None: ...


class ResultWriter:
    """Writes result tables to CSV, Parquet or JSON Lines (by the file's suffix),
    atomically: into a temporary file beside the target, renamed into place by
    :meth:`close`; :meth:`abort` (or leaving the ``with`` block by an exception)
    removes it, so no partial file is ever left."""

    FORMATS = (".csv", ".parquet", ".jsonl")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.format = self.path.suffix.lower()
        if self.format not in self.FORMATS:
            raise ValueError(f"results file must end in {', '.join(self.FORMATS)}: {self.path}")
        fd, tmp = temp_beside(self.path)
        os.close(fd)
        self.tmp = Path(tmp)
        self._writer: Any = None
        self._as_given = False
        self._text: Any = None
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Append one batch of results."""
        if self.format == ".parquet":
            if self._writer is None:
                self._writer, self._as_given = _parquet_writer(self.tmp, table.schema)
            self._writer.write_table(table if self._as_given else plain_columns(table))
            self.rows += table.num_rows
            return
        table = plain_columns(table)
        if self.format == ".csv":
            table = neutralise_formulas(table)
            if self._writer is None:
                self._writer = pacsv.CSVWriter(self.tmp, table.schema)
            self._writer.write_table(table)
        else:
            if self._text is None:
                self._text = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115
            for row in table.to_pylist():
                self._text.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
        self.rows += table.num_rows

    def finish(self) -> Path:
        """Finish the temporary file and return its path, without moving it into place
        (for a run that commits several files together)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._text is not None:
            self._text.close()
            self._text = None
        return self.tmp

    def close(self) -> None:
        """Finish the file and move it into place."""
        os.replace(self.finish(), self.path)

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        with contextlib.suppress(Exception):
            if self._writer is not None:
                self._writer.close()
            if self._text is not None:
                self._text.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _is_text(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind)
        or (pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type))
    )


def _parquet_writer(path: Path, schema: pa.Schema) -> tuple[pq.ParquetWriter, bool]:
    """A Parquet writer for result tables of ``schema``, and whether the tables go to it
    as given. Tables of texts only (the results tables) are written as they come:
    dictionary-encoded columns become Parquet's own dictionary pages (not decoded and
    encoded again), and the file stores no Arrow schema, so it reads back as plain
    texts, as if the columns had been decoded; the ``id`` column, whose values are all
    distinct, is written without a dictionary; the status columns (dictionary-encoded,
    four names) carry no min/max statistics, the others do. Any other table is decoded
    (:func:`plain_columns`) and written with Parquet's defaults."""
    if not all(_is_text(field.type) for field in schema):
        return pq.ParquetWriter(path, plain_columns(schema.empty_table()).schema), False
    names = schema.names
    writer = pq.ParquetWriter(
        path,
        schema,
        store_schema=False,
        use_dictionary=[n for n in names if n != "id"],
        write_statistics=[f.name for f in schema if not pa.types.is_dictionary(f.type)],
    )
    return writer, True


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Text cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return) prefixed with an apostrophe, so an exported CSV
    opened in Excel runs nothing."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, r"^[=+\-@\t\r]")
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def plain_columns(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary columns decoded (CSV and JSON writers, and
    DataFrames, want plain text)."""
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def iter_tables(
    households: pa.Table, members: pa.Table | None, size: int
) -> Iterator[tuple[pa.Table, pa.Table | None]]:
    """Split an in-memory register into batches of ``size`` households, each with its
    members (members may be in any order)."""
    for start in range(0, households.num_rows, size):
        part = households.slice(start, size)
        if members is None:
            yield part, None
            continue
        mask = pc.is_in(members.column("household_id"), value_set=part.column("id"))
        yield part, members.filter(mask)
