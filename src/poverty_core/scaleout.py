"""Scale-out on Dask: the same batch function per partition, totals combined exactly.

A register too large for one machine is split into partitions — households *with
their members* — and each partition is assessed by :func:`poverty_core.batch.assess`,
the function a single machine runs, in a Dask task; the merged totals are concluded on
the caller's side by :func:`poverty_core.jobs.conclude`, as
:func:`poverty_core.jobs.assess_register` concludes a run (villages and counties
decided, roll-ups, every row accounted for). The per-partition totals are sums
(households and people per outcome, per criterion, per village and county), so adding
them gives exactly the totals of one run over the whole register; the per-household
results are the same rows. There is no scheduler here: the tasks are
:func:`dask.delayed` calls run on the caller's ``distributed.Client``, or on Dask's
local threaded scheduler when none is given.

Dask is an optional dependency (``pip install 'poverty-core[dask]'``); it is imported
only when :func:`assess_partitions` runs. The partitioning helpers need only Arrow.

A partition is one of:

* a pair of Parquet paths ``(households, members)``, read and checked on the worker
  as :func:`poverty_core.jobs.assess_register` reads a register;
* a callable returning ``(households, members)`` Arrow tables (for other formats:
  wrap a reader), called on the worker;
* a pair of Arrow tables ``(households, members)``, shipped to the worker.

Tasks receive plain data — the pack's *name*, the decision id, the date, the overrides —
and load the pack on the worker, so every worker must have the same packs installed;
a difference in pack versions between workers is an error when the totals are combined.

The run carries a decision record (:attr:`PartitionedRun.assessment`'s ``record``,
:mod:`poverty_core.records`) whose input hash does not depend on how the register was
partitioned (:class:`RowsMultiset`): each task hashes each household row and each
member row of its partition (SHA-256 of the row's canonical JSON, keys sorted), and
the hashes are *added* modulo 2²⁵⁶ — a sum is the same in any order and over any split,
so partitions of consecutive households, partitions by bucket, or one partition give
the same digest. Hand-written on :mod:`hashlib`: an order-independent (multiset) hash
is what combining per-partition digests needs, and no package gives one. It costs a
Python loop per row on the workers (one ``json.dumps`` and one SHA-256 per household
and per member), and it is not the hash a single-machine run records (that one,
:class:`~poverty_core.records.RowsDigest`, follows the row order column by column):
compare partitioned runs with partitioned runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from poverty_core.batch import ResultWriter, RunSummary, assess, iter_tables
from poverty_core.indicators import GroupTotals
from poverty_core.jobs import Assessment, assess_source, conclude
from poverty_core.packs import load_pack
from poverty_core.records import InputDigest, job_record
from poverty_core.registers.batch import FileCount
from poverty_core.registers.schema import MEMBER_KEY
from poverty_core.sources import open_source, read_records

__all__ = [
    "Partition",
    "PartitionedRun",
    "RowsMultiset",
    "assess_partition",
    "assess_partitions",
    "merge_summaries",
    "partition_parquet",
    "partition_tables",
]

Tables: TypeAlias = tuple[pa.Table, "pa.Table | None"]
Partition: TypeAlias = (
    "tuple[str | os.PathLike[str], str | os.PathLike[str]] | Callable[[], Tables] | Tables"
)
"""A partition: Parquet paths ``(households, members)``, a callable returning the two
tables, or the two tables."""

EXTRA = "poverty-core[dask]"
"""The extra that installs Dask for this module."""

_PACK_LOCK = threading.Lock()


def _import_dask() -> Any:
    """The ``dask`` module, or an ImportError naming the extra to install."""
    try:
        return importlib.import_module("dask")
    except ImportError as exc:
        raise ImportError(
            f"poverty_core.scaleout needs Dask, an optional dependency: pip install '{EXTRA}'"
        ) from exc


# -- one partition (runs on a worker) ------------------------------------------------------


class _Collect(ResultWriter):
    """Keeps the result tables in memory instead of writing a file."""

    def __init__(self) -> None:  # no file: ResultWriter's temporary file is not wanted
        self.tables: list[pa.Table] = []
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Keep one batch of results."""
        self.tables.append(table)
        self.rows += table.num_rows


def _load(partition: Tables | Callable[[], Tables]) -> Tables:
    """The partition's two tables (given, or from its callable)."""
    if callable(partition):
        households, members = partition()
        return households, members
    return partition


def _pack(name: str) -> Any:
    with _PACK_LOCK:  # threads of one worker share the plugin registry being built
        return load_pack(name)


def assess_partition(
    pack_name: str,
    decision: str,
    partition: Partition,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    by: Sequence[str] = ("village_id", "county_id"),
    batch_size: int | None = None,
    results_path: str | os.PathLike[str] | None = None,
) -> tuple[pa.Table | None, RunSummary]:
    """Assess one partition — the task each worker runs. Returns the result table
    (``None`` when written to ``results_path``, atomically) and the partition's
    :class:`~poverty_core.batch.RunSummary`.

    A partition of Parquet files is read and assessed by the register job's own steps
    (:func:`poverty_core.sources.open_source`, :func:`poverty_core.jobs.assess_source`,
    as :func:`~poverty_core.jobs.assess_register` on a single machine): read whole
    (members in any order), checked as any register is — a bad row is an
    :class:`~poverty_core.errors.InputError` naming its file, row and column — and
    decided in batches of ``batch_size`` households; ID numbers are masked in the
    results. Arrow tables (given, or returned by a callable) are taken as typed and
    decided by :func:`poverty_core.batch.assess`, whole or in batches of
    ``batch_size``."""
    pack = _pack(pack_name)
    if not callable(partition) and not isinstance(partition[0], pa.Table):
        first, second = partition
        # the partition read as one batch (its members may come in any order), decided
        # in batches of batch_size
        source = open_source(
            first,
            second,
            pack=pack,
            as_of=as_of,
            layout="two-file",
            batch_size=max(pq.ParquetFile(first).metadata.num_rows, 1),
        )
        writer = ResultWriter(results_path) if results_path is not None else None
        try:
            assessment = assess_source(
                pack,
                source,
                as_of=as_of,
                overrides=overrides,
                decision=decision,
                by=by,
                batch_size=batch_size,
                sink=writer,
                sink_name=os.fspath(results_path or "results"),
                keep_results=writer is None,
            )
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if writer is not None:
            writer.close()
        assert assessment.totals is not None
        return assessment.results, assessment.totals
    households, members = _load(cast("Tables | Callable[[], Tables]", partition))
    batches: Iterable[Tables] = (
        iter_tables(households, members, batch_size) if batch_size else [(households, members)]
    )
    if results_path is not None:
        with ResultWriter(results_path) as writer:
            summary = assess(
                pack, decision, batches, as_of=as_of, overrides=overrides, by=by, writer=writer
            )
        return None, summary
    collect = _Collect()
    summary = assess(
        pack, decision, batches, as_of=as_of, overrides=overrides, by=by, writer=collect
    )
    table = pa.concat_tables(collect.tables) if collect.tables else None
    return table, summary


_MODULUS = 1 << 256


def _row_sum(rows: Iterable[Mapping[str, Any]]) -> int:
    total = 0
    for row in rows:
        line = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        total += int.from_bytes(hashlib.sha256(line.encode("utf-8")).digest(), "big")
    return total % _MODULUS


@attrs.frozen
class RowsMultiset:
    """The rows of a register (or a part of one) by an order-independent hash: the
    number of household and member rows, and the sum modulo 2²⁵⁶ of each row's SHA-256
    (of its canonical JSON, keys sorted). Adding the digests of disjoint partitions
    gives the digest of the whole, however it was split (see the module notes); the
    order of the rows, and of a household's members, is not covered. Only the sums are
    kept: no row, no name, no ID number.

    >>> import pyarrow as pa
    >>> h = pa.table({"id": ["a", "b", "c"]})
    >>> m = pa.table({"household_id": ["c", "a", "a"], "id": ["c1", "a1", "a2"]})
    >>> one = RowsMultiset.of(h, m)
    >>> parts = [RowsMultiset.of(p, q) for p, q in partition_tables(h, m, 2)]
    >>> parts[0] + parts[1] == one, one.households, one.members
    (True, 3, 3)
    """

    households: int = 0
    members: int = 0
    household_sum: int = 0
    member_sum: int = 0

    @classmethod
    def of(cls, households: pa.Table, members: pa.Table | None = None) -> RowsMultiset:
        """The digest of one partition's tables."""
        member_rows = members.to_pylist() if members is not None else []
        return cls(
            households.num_rows,
            len(member_rows),
            _row_sum(households.to_pylist()),
            _row_sum(member_rows),
        )

    def __add__(self, other: RowsMultiset) -> RowsMultiset:
        return RowsMultiset(
            self.households + other.households,
            self.members + other.members,
            (self.household_sum + other.household_sum) % _MODULUS,
            (self.member_sum + other.member_sum) % _MODULUS,
        )

    def digest(self, source: str | None = None) -> InputDigest:
        """As a record's :class:`~poverty_core.records.InputDigest`: the households'
        count and the SHA-256 of the counts and sums."""
        text = (
            f"multiset/1 households {self.households} {self.household_sum:064x} "
            f"members {self.members} {self.member_sum:064x}"
        )
        return InputDigest(self.households, hashlib.sha256(text.encode()).hexdigest(), source)


def _assess_hashed(
    pack_name: str, decision: str, partition: Partition, **options: Any
) -> tuple[pa.Table | None, RunSummary, RowsMultiset]:
    """The task :func:`assess_partitions` runs: :func:`assess_partition`, and the
    partition's :class:`RowsMultiset` (a callable is called once; Parquet files are
    read once more for the hash, as stored)."""
    if callable(partition):
        partition = _load(partition)
    if isinstance(partition[0], pa.Table):
        households, members = cast("Tables", partition)
    else:
        first, second = partition
        households, members = pq.read_table(first), pq.read_table(second)
    digest = RowsMultiset.of(households, members)
    table, summary = assess_partition(pack_name, decision, partition, **options)
    return table, summary, digest


# -- combining ---------------------------------------------------------------------------


def _add(into: dict[str, npt.NDArray[np.int64]], more: Mapping[str, npt.NDArray[Any]]) -> None:
    for key, counts in more.items():
        into[key] = into[key] + counts if key in into else np.asarray(counts, np.int64).copy()


def merge_summaries(summaries: Sequence[RunSummary]) -> RunSummary:
    """One :class:`~poverty_core.batch.RunSummary` from the summaries of disjoint
    partitions: every count summed, so exactly the summary of one run over all of them.

    Raises :class:`ValueError` when the partitions were decided under different
    provenance (another pack version on a worker, another date or overrides) or for
    different decisions.
    """
    if not summaries:
        raise ValueError("no summaries to merge")
    decisions = {s.decision for s in summaries}
    if len(decisions) > 1:
        raise ValueError(f"summaries of different decisions: {sorted(decisions)}")
    out = RunSummary(summaries[0].decision)
    for s in summaries:
        if s.provenance is not None:
            if out.provenance is None:
                out.provenance = s.provenance
            elif s.provenance != out.provenance:
                raise ValueError(
                    "partitions were decided under different provenance (pack versions, "
                    f"date or overrides): {out.provenance} != {s.provenance}"
                )
        out.records += s.records
        out.outcomes = out.outcomes + s.outcomes
        out.people = out.people + s.people
        _add(out.criteria, s.criteria)
        for label, count in s.missing.items():
            out.missing[label] = out.missing.get(label, 0) + count
        for by, totals in s.groups.items():
            merged = out.groups.setdefault(by, GroupTotals())
            _add(merged.households, totals.households)
            _add(merged.people, totals.people)
    return out


@attrs.define
class PartitionedRun:
    """What :func:`assess_partitions` returns."""

    summary: RunSummary
    """The exact totals over all partitions (as one :func:`~poverty_core.batch.assess`)."""
    tables: list[pa.Table]
    """Per partition, in order, its result table (empty when results went to files)."""
    files: list[Path]
    """The result files written (one per partition, or the single ``output`` file)."""
    partition_summaries: list[RunSummary]
    """Each partition's own summary, in order."""
    assessment: Assessment
    """The register job's result over all partitions, concluded by
    :func:`poverty_core.jobs.conclude` — the code :func:`~poverty_core.jobs.assess_register`
    runs after its households: villages and counties (when given) with their poor
    population from the households, decided; the roll-ups by village and county; every
    partition's rows accounted for — with its decision record
    (:attr:`~poverty_core.jobs.Assessment.record`: the rows by :class:`RowsMultiset`,
    the same however the register was partitioned)."""

    def table(self) -> pa.Table | None:
        """All partitions' results as one table (partition order; ``None`` if there
        were no partitions)."""
        if self.files:
            raise ValueError("the results were written to files: read them from .files")
        return pa.concat_tables(self.tables) if self.tables else None


# -- many partitions (the client side) ---------------------------------------------------


def assess_partitions(
    pack_name: str,
    decision: str,
    partitions: Sequence[Partition],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    by: Sequence[str] = ("village_id", "county_id"),
    client: Any = None,
    batch_size: int | None = None,
    results_dir: str | os.PathLike[str] | None = None,
    results_format: str = "parquet",
    output: str | os.PathLike[str] | None = None,
    villages: Sequence[Any] | str | os.PathLike[str] = (),
    counties: Sequence[Any] | str | os.PathLike[str] = (),
) -> PartitionedRun:
    """Assess every partition in a Dask task and combine the totals exactly.

    Each task runs :func:`assess_partition` — :func:`poverty_core.batch.assess` on
    one partition, the pack loaded by name on the worker. The tasks run on ``client``
    (a ``distributed.Client``) or, without one, on Dask's local threaded scheduler.

    Results: by default each partition's result table comes back to the caller
    (:attr:`PartitionedRun.tables`); with ``results_dir`` each task writes
    ``part-00000.<results_format>`` … itself (``parquet``, ``csv`` or ``jsonl``) and
    only the totals come back — the way for province-scale registers; with
    ``output`` the caller writes one file (atomically), partition by partition.

    The run is concluded as :func:`poverty_core.jobs.assess_register` concludes one
    (:attr:`PartitionedRun.assessment`): ``villages`` and ``counties`` (records, or a
    file :func:`poverty_core.sources.read_records` reads) get their poor population
    from the households and are decided, on the caller's side.
    """
    if results_dir is not None and output is not None:
        raise ValueError("give results_dir or output, not both")
    dask = _import_dask()
    overrides = dict(overrides or {})
    by = tuple(by)
    paths: list[Path | None] = [None] * len(partitions)
    if results_dir is not None:
        folder = Path(results_dir)
        folder.mkdir(parents=True, exist_ok=True)
        suffix = results_format.lstrip(".")
        paths = [folder / f"part-{i:05d}.{suffix}" for i in range(len(partitions))]
    task = dask.delayed(_assess_hashed, pure=False)
    tasks = [
        task(
            pack_name,
            decision,
            partition,
            as_of=as_of,
            overrides=overrides,
            by=by,
            batch_size=batch_size,
            results_path=path,
        )
        for partition, path in zip(partitions, paths, strict=True)
    ]
    if client is None:
        done: Iterable[tuple[pa.Table | None, RunSummary, RowsMultiset]] = dask.compute(
            *tasks, scheduler="threads"
        )
    else:
        futures = client.compute(tasks)
        done = (future.result() for future in futures)  # in partition order
    tables: list[pa.Table] = []
    summaries: list[RunSummary] = []
    files = [p for p in paths if p is not None]
    writer = ResultWriter(output) if output is not None else None
    rows = RowsMultiset()
    try:
        for table, summary, digest in done:
            summaries.append(summary)
            rows = rows + digest
            if writer is not None and table is not None:
                writer.write(table)
            elif table is not None:
                tables.append(table)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        writer.close()
        files = [writer.path]
    if not summaries:
        merged = RunSummary(decision, groups={b: GroupTotals() for b in by})
    else:
        merged = merge_summaries(summaries)
    pack = _pack(pack_name)
    counts = [
        FileCount(_partition_name(p, i), "households", s.records, s.records, 0)
        for i, (p, s) in enumerate(zip(partitions, summaries, strict=True))
    ]
    assessment = conclude(
        pack,
        merged,
        as_of=as_of,
        overrides=overrides,
        villages=_records(villages, pack.record_type("village"), "villages"),
        counties=_records(counties, pack.record_type("county"), "counties"),
        files=counts,
        source=f"{len(partitions)} partitions",
    )
    also = [
        which
        for which, decided in (
            ("village_exit", assessment.summary.villages),
            ("county_exit", assessment.summary.counties),
        )
        if decided is not None
    ]
    record = job_record(
        pack,
        decision,
        rows.digest("partitions"),
        as_of=as_of,
        overrides=overrides,
        also=also,
        reading={"partitions": len(partitions), "rows_hash": "multiset/1"},
    )
    assessment = attrs.evolve(assessment, record=record)
    return PartitionedRun(merged, tables, files, summaries, assessment)


def _partition_name(partition: Partition, i: int) -> str:
    """A partition's name in the account of rows: its households file, else its number."""
    if not callable(partition) and not isinstance(partition[0], pa.Table):
        return os.fspath(partition[0])
    return f"partition {i}"


def _records(given: Sequence[Any] | str | os.PathLike[str], cls: type[Any], name: str) -> Any:
    """Villages or counties: as given, or read from a file (every problem an error)."""
    if isinstance(given, str | os.PathLike):
        return read_records(os.fspath(given), cls, name, False)[0]
    return list(given)


# -- partitioning -----------------------------------------------------------------------


def _owner(households: pa.Table, members: pa.Table) -> npt.NDArray[np.int64]:
    """The household row of every member (an Arrow hash join, no Python loop)."""
    owner = pc.index_in(members.column(MEMBER_KEY), value_set=households.column("id"))
    if owner.null_count:
        raise ValueError(f"{owner.null_count} member row(s) name a household not in the table")
    return np.asarray(owner.to_numpy(zero_copy_only=False), dtype=np.int64)


def _split(table: pa.Table, part: npt.NDArray[np.int64], n: int) -> list[pa.Table]:
    """``table``'s rows grouped by ``part`` (0 .. n-1), each group in its original order."""
    order = np.argsort(part, kind="stable")
    ordered = table.take(pa.array(order))
    ends = np.cumsum(np.bincount(part, minlength=n))
    starts = ends - np.bincount(part, minlength=n)
    return [ordered.slice(int(s), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def partition_tables(
    households: pa.Table, members: pa.Table | None, n: int
) -> list[tuple[pa.Table, pa.Table | None]]:
    """Split an in-memory register into ``n`` partitions of consecutive households
    (sizes differ by at most one), each with all of its members (members may be in any
    order; a member of no household is an error).

    >>> import pyarrow as pa
    >>> h = pa.table({"id": ["a", "b", "c"]})
    >>> m = pa.table({"household_id": ["c", "a", "a", "b"], "id": ["c1", "a1", "a2", "b1"]})
    >>> [(p.column("id").to_pylist(), q.column("id").to_pylist())
    ...  for p, q in partition_tables(h, m, 2)]
    [(['a', 'b'], ['a1', 'a2', 'b1']), (['c'], ['c1'])]
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    rows = households.num_rows
    bounds = [round(i * rows / n) for i in range(n + 1)]
    parts = [households.slice(bounds[i], bounds[i + 1] - bounds[i]) for i in range(n)]
    if members is None:
        return [(p, None) for p in parts]
    part_of_row = np.searchsorted(np.asarray(bounds[1:]), np.arange(rows), side="right")
    member_parts = _split(members, part_of_row[_owner(households, members)], n)
    return list(zip(parts, member_parts, strict=True))


_PRIME = np.uint64(1099511628211)  # FNV-1a 64-bit prime
_MIX = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3 finaliser


def bucket_of(ids: Any, n: int) -> npt.NDArray[np.int64]:
    """A stable bucket ``0 .. n-1`` for each string of an Arrow string array: the same
    id gives the same bucket in every batch, process and run (a polynomial hash of the
    UTF-8 bytes, vectorised over the array's buffers).

    >>> import pyarrow as pa
    >>> a = bucket_of(pa.array(["h1", "h2", "h3", "h1"]), 4)
    >>> bool(a[0] == a[3]) and all(0 <= b < 4 for b in a)
    True
    """
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if ids.null_count:
        raise ValueError("ids must not be null")
    ids = pc.cast(ids, pa.large_string())  # 64-bit offsets whatever the input
    count = len(ids)
    if not count:
        return np.zeros(0, dtype=np.int64)
    buffers = ids.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64, count=count + 1, offset=ids.offset * 8)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    lengths = np.diff(offsets)
    first = int(offsets[0])
    total = int(offsets[-1]) - first
    row = np.repeat(np.arange(count), lengths)
    position = np.arange(total) - (offsets[:-1] - first)[row]
    powers = np.ones(max(int(lengths.max(initial=0)), 1), dtype=np.uint64)
    if len(powers) > 1:
        powers[1:] = _PRIME
        powers = np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2**64, on purpose
    with np.errstate(over="ignore"):
        terms = (data[first : first + total].astype(np.uint64) + np.uint64(1)) * powers[position]
        hashes = np.zeros(count, dtype=np.uint64)
        filled = lengths > 0
        if total:
            hashes[filled] = np.add.reduceat(terms, (offsets[:-1] - first)[filled])
        hashes ^= hashes >> np.uint64(33)
        hashes *= _MIX
        hashes ^= hashes >> np.uint64(33)
    return (hashes % np.uint64(n)).astype(np.int64)


def partition_parquet(
    households: str | os.PathLike[str],
    members: str | os.PathLike[str],
    n: int,
    out_dir: str | os.PathLike[str],
    *,
    batch_size: int = 1_000_000,
) -> list[tuple[Path, Path]]:
    """Split a Parquet register (a households file and a members file) into ``n``
    partitions under ``out_dir`` (``part-00000/households.parquet`` and
    ``members.parquet`` …), each household with all of its members.

    Both files are streamed in batches of ``batch_size`` rows, so memory does not
    grow with the register; a household goes to the partition ``bucket_of`` its id
    names, and so do its members, whatever their order in the files.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    folder = Path(out_dir)
    pairs = []
    for i in range(n):
        (folder / f"part-{i:05d}").mkdir(parents=True, exist_ok=True)
        pairs.append(
            (
                folder / f"part-{i:05d}" / "households.parquet",
                folder / f"part-{i:05d}" / "members.parquet",
            )
        )
    for source, key, which in ((households, "id", 0), (members, MEMBER_KEY, 1)):
        reader = pq.ParquetFile(source, pre_buffer=False)  # pre-buffering grows with the file
        schema = reader.schema_arrow
        writers = [pq.ParquetWriter(pair[which], schema) for pair in pairs]
        try:
            for record_batch in reader.iter_batches(batch_size=batch_size):
                table = pa.Table.from_batches([record_batch], schema=schema)
                parts = _split(table, bucket_of(table.column(key), n), n)
                for writer, part in zip(writers, parts, strict=True):
                    if part.num_rows:
                        writer.write_table(part)
        finally:
            for writer in writers:
                writer.close()
    return pairs
