"""A register being read: :class:`Register`, its batches, and the collection of problems.

Batches are prepared one ahead on a thread (:func:`_prefetch`); in ``fail`` mode the
register is read once to validate it (keeping nothing) before any batch is given.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import queue
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import AliasMap
from poverty_core.errors import InputError, Problem
from poverty_core.form import national_form
from poverty_core.form_reading import FormReading
from poverty_core.registers.batch import (
    RegisterBatch,
    Rejected,
    _assemble,
    _Context,
    _empty_batch,
    _where,
)
from poverty_core.registers.cells import _mask, _valid
from poverty_core.registers.flat import _flat_chunks, _flat_split
from poverty_core.registers.ids import _key_bytes, _Seen
from poverty_core.registers.merge import _clean_keys, _Merge, _rebatch
from poverty_core.registers.problems import _fatal, _files_of, _show, register_error
from poverty_core.registers.schema import _MEMBERS, FLAT, MEMBER_KEY, OnError
from poverty_core.registers.sources import _Raw

__all__ = ["Register"]


_T = TypeVar("_T")


def _prefetch(iterator: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """Run ``iterator`` in a thread, ``depth`` items ahead (files parse in parallel)."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in iterator:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed over to the reading thread
            put(("error", exc))

    # The reading thread runs in the caller's context: messages made there name options
    # as the caller's (poverty_core.aliases.command_line_options) and mask ID numbers so.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(run,), name="poverty-core-reader", daemon=True
    )
    thread.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "item":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                box.get_nowait()
        thread.join(timeout=5)


class _Collector:
    """Problems of a whole register, up to a cap; the rest counted by column."""

    def __init__(self, cap: int | None, files: Sequence[str]) -> None:
        self.cap, self.files = cap, list(files)
        self.problems: list[Problem] = []
        self.more: dict[str, int] = {}

    def add(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            if self.cap is None or len(self.problems) < self.cap:
                self.problems.append(p)
            else:
                column = p.path.rsplit(":", 1)[-1] if p.path.count(":") >= 2 else "-"
                self.more[column] = self.more.get(column, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def result(self) -> list[Problem]:
        out = list(self.problems)
        if self.more:
            total = sum(self.more.values())
            by = ", ".join(f"{c} {n}" for c, n in sorted(self.more.items(), key=lambda x: -x[1]))
            out.append(
                Problem(
                    _files_of(self.problems, self.files)[0],
                    Text(
                        f"另有 {total} 处错误未列出（按列：{by}）；请先改正以上各处",
                        f"and {total} more problems not listed (by column: {by}); "
                        f"fix those above first",
                    ),
                )
            )
        return out

    def error(self) -> InputError:
        """The error listing the problems, under the file(s) they are in."""
        return register_error(self.result(), self.files)


class Register:
    """An opened register file (or pair of files); read it with :meth:`batches` or
    :meth:`read_all`. Made by :func:`open_register` (households) or :func:`read_table`."""

    def __init__(
        self,
        *,
        fmt: str,
        entity: str,
        sources: dict[str, Any],
        aliases: AliasMap,
        on_error: OnError,
        batch_size: int,
        max_problems: int | None,
        flat: tuple[str, ...],
        as_of: dt.date | None = None,
        layout: str = "two-file",
        readings: Mapping[str, str] | None = None,
    ) -> None:
        self.as_of = as_of
        """The assessment date (ages are checked against dates of birth on it)."""
        self.format = fmt
        """The file format read (one of :data:`FORMATS`)."""
        self.layout = layout
        """How the register is laid out (one of :data:`LAYOUTS`; ``two-file`` for
        tables of villages and counties)."""
        self.entity = entity
        self.on_error: OnError = on_error
        self.batch_size = batch_size
        self.max_problems = max_problems
        self._sources = sources
        self._aliases = aliases
        self._flat = flat
        self._readings = dict(readings or national_form().readings())
        self._form = FormReading(dict(self._readings))
        self.files: tuple[str, ...] = tuple(s.file for s in sources.values())
        """The files (xlsx: ``file[sheet]``) in problem paths."""
        self.encodings: dict[str, str | None] = {
            s.file: getattr(s, "encoding", None) for s in sources.values()
        }
        """The text encoding used for each file (detected or given; ``None``: binary)."""
        self.unused: dict[str, tuple[str, ...]] = {
            s.file: tuple(getattr(s, "unused", ())) for s in sources.values()
        }
        """For each file, the headers known and not read (the national form's fields the
        model has no column for, its address and bank details)."""
        self.rows_read: dict[str, int] = dict.fromkeys(self.files, 0)
        """Data rows read from each file so far (blank rows are not rows; in a flat file,
        one a person)."""
        self.households_read = 0
        """Households read so far (in a flat file, the households its rows make up)."""

    @property
    def columns(self) -> dict[str, dict[str, str]]:
        """For each file, each register column read and its header in the file (a flat
        file's member columns as ``members.<name>``, a nested file's too; a column the
        national form's readings fill, with the header it is read from). A JSON Lines
        file has no header: its columns are the fields some line read so far gives a
        value — every one of the file's once it is read."""
        return {s.file: self._read_columns(s, role) for role, s in self._sources.items()}

    def _read_columns(self, source: Any, role: str) -> dict[str, str]:
        columns = {c: h for c, h in getattr(source, "columns", {}).items() if c[:1] != "\x00"}
        if self.entity != "households":
            return columns
        form = FormReading(dict(self._readings))
        parts = [("households", ""), ("members", _MEMBERS)] if self.layout == FLAT else [(role, "")]
        out = dict(columns)
        for kind, prefix in parts:
            mine = {
                c[len(prefix) :]: h
                for c, h in columns.items()
                if (c.startswith(prefix) if prefix else not c.startswith(_MEMBERS))
            }
            for column, origin in form.supplied(kind, list(mine)).items():
                out.setdefault(prefix + column, mine[origin])
        return out

    @property
    def encoding(self) -> str | None:
        """The encoding of the (households) file: ``utf-8``, ``gb18030``, ``utf-16`` …"""
        return self.encodings[self.files[0]]

    @property
    def interpretations(self) -> list[dict[str, Any]]:
        """The national form's interpretations the last reading applied, each with the
        reading in effect and the cells it read (:mod:`poverty_core.register_form`)."""
        return self._form.report()

    def error(self, problems: Sequence[Problem]) -> InputError:
        """An :class:`~poverty_core.errors.InputError` of ``problems`` (as
        :meth:`validate` returns them), announced under the file(s) they are in."""
        return register_error(problems, self.files)

    def _context(self) -> _Context:
        main = self._sources["households"]
        files = {"households": main.file}
        own = dict(getattr(main, "columns", {}))
        if getattr(main, "history", None) is not None:
            own["history"] = main.history  # the history column's header, for problem paths
        headers = {"households": own}
        nested = getattr(main, "member_source", None) is not None
        member = self._sources.get("members")
        if self.layout == FLAT:
            files["members"] = main.file
            headers["households"] = {c: h for c, h in own.items() if not c.startswith(_MEMBERS)}
            headers["members"] = {
                c[len(_MEMBERS) :]: h for c, h in own.items() if c.startswith(_MEMBERS)
            }
            headers["members"][MEMBER_KEY] = own.get("id", "id")
        elif nested:
            files["members"] = main.file
            headers["members"] = dict(main.member_source.columns)
        elif member is not None:
            files["members"] = member.file
            headers["members"] = dict(member.columns)
        form = FormReading(dict(self._readings))
        for kind in ("households", "members"):
            if kind in headers:
                mine = headers[kind]
                for column, origin in form.supplied(kind, list(mine)).items():
                    mine.setdefault(column, mine[origin])
        return _Context(
            self.entity,
            self._aliases,
            _Seen(),
            files,
            headers,
            nested=nested,
            flat=self._flat,
            as_of=self.as_of,
            layout=self.layout,
            form=form,
        )

    def _count(self) -> None:
        for source in self._sources.values():
            self.rows_read[source.file] = source.rows_read

    def _stream(self, size: int | None) -> Iterator[RegisterBatch]:
        """Batches with bad rows left out and listed (skip semantics)."""
        for source in self._sources.values():
            source.reset()
        ctx = self._context()
        self._form = ctx.form
        self.households_read = 0
        main = self._sources["households"]
        read = size or (1 << 16)
        if self.layout == FLAT:
            yield from self._stream_flat(ctx, main, size, read)
        elif "members" in self._sources:
            msource = self._sources["members"]
            households = _rebatch(_prefetch(main.raw(read)), size)
            members = _prefetch(msource.raw(4 * read))
            for batch in _Merge(ctx, households, members, main, msource):
                self._count()
                self.households_read = main.rows_read
                yield batch
        else:
            nested = getattr(main, "member_source", None)
            for raw in _rebatch(_prefetch(main.raw(read)), size):
                refused = _refused(main)
                extra = _ragged(main) + refused
                early = _early_repeats(ctx, raw, refused)
                if nested is not None:
                    hh, mm = nested.explode(raw)
                    batch = _assemble(ctx, hh, mm, extra, early)
                else:
                    batch = _assemble(ctx, raw, None, extra, early)
                keys = _clean_keys(raw, "id")
                good = _valid(keys)
                ctx.seen.add(_key_bytes(keys.filter(pa.array(good))), raw.rows[good])
                _remember(ctx, refused)
                self._count()
                self.households_read = main.rows_read
                yield batch
            rest = _ragged(main) + _refused(main)
            if rest:
                self._count()
                yield _empty_batch(self.entity, self._flat, rest, self._aliases.vocabulary)
        self._count()
        if not self.rows_read[self.files[0]]:
            raise _fatal(
                self.files[0],
                "文件没有数据行（只有表头）",
                "the file has no data rows (only a header)",
            )

    def _stream_flat(
        self, ctx: _Context, main: Any, size: int | None, read: int
    ) -> Iterator[RegisterBatch]:
        """A flat file's batches: whole households, their rows checked to agree."""

        def ragged() -> list[Rejected]:
            out = _ragged(main)
            for r in out:  # its household is never decided without it
                if r.household_id is not None:
                    ctx.bad_member_keys.setdefault(r.household_id, (r.file, r.row))
            return out

        for raw in _flat_chunks(ctx, _prefetch(main.raw(read)), size):
            extra = ragged()
            hh, mm, disagree = _flat_split(ctx, raw)
            batch = _assemble(ctx, hh, mm, extra, disagree)
            keys = _clean_keys(hh, "id")
            good = _valid(keys)
            ctx.seen.add(_key_bytes(keys.filter(pa.array(good))), hh.rows[good])
            self.households_read += int(good.sum())
            self._count()
            yield batch
        rest = ragged()
        if rest:
            self._count()
            yield _empty_batch(self.entity, self._flat, rest, self._aliases.vocabulary)

    def batches(
        self, *, validate_first: bool = True, ahead: bool = False
    ) -> Iterator[RegisterBatch]:
        """The register in batches of at most ``batch_size`` households, each with all
        its members (``ahead``: each batch read, typed and checked on a thread while the
        caller works on the one before; the same batches, errors and counts, in the
        same order).

        With ``on_error="fail"`` and ``validate_first`` (the default), every problem of
        the whole register is found first, reading it once and keeping nothing, and
        :class:`~poverty_core.errors.InputError` is raised before the first batch;
        otherwise the register is read again for the batches. No copy of the register
        is ever made (it holds names and ID numbers). With ``validate_first=False`` the
        batches come as they are read, until the first problem; the error listing every
        problem is raised after the last row — for a caller whose output is discarded
        when the run fails (an atomic writer), so that the register is read only once.
        """
        if ahead:
            yield from _prefetch(self.batches(validate_first=validate_first), depth=1)
            return
        if self.on_error == "skip":
            yield from self._stream(self.batch_size)
            return
        if validate_first:
            problems = self.validate()
            if problems:
                raise self.error(problems)
        collector = _Collector(self.max_problems, self.files)
        for batch in self._stream(self.batch_size):
            collector.add(batch.problems)
            if not collector:
                yield batch
        if collector:
            raise collector.error()

    def read_all(self) -> RegisterBatch:
        """The whole register as one batch (members in any order; a flat file's rows of a
        household anywhere in it). With ``on_error="fail"``, raises
        :class:`~poverty_core.errors.InputError` listing every problem instead."""
        batches = list(self._stream(None))
        batch = _merge_batches(batches, self.entity)
        if self.on_error == "fail" and batch.problems:
            collector = _Collector(self.max_problems, self.files)
            collector.add(batch.problems)
            raise collector.error()
        return batch

    def tables(self) -> Iterator[tuple[pa.Table, pa.Table | None]]:
        """``(households, members)`` per batch, as :func:`poverty_core.batch.assess`
        takes them."""
        for batch in self.batches():
            yield batch.tables

    def validate(self) -> list[Problem]:
        """Every problem of the register (rows and file alike), reading it once and
        keeping nothing; an empty list when it is clean (:meth:`error` makes the error
        of what it returns)."""
        collector = _Collector(self.max_problems, self.files)
        try:
            for batch in self._stream(self.batch_size):
                collector.add(batch.problems)
        except InputError as err:
            collector.add(err.problems)
        return collector.result()

    def __repr__(self) -> str:
        return (
            f"<Register {self.format} {self.layout} {', '.join(self.files)} "
            f"encoding={self.encoding}>"
        )


def _ragged(source: Any) -> list[Rejected]:
    return [
        Rejected(source.file, r.row, r.key, (r.problem(source.file),)) for r in source.take_ragged()
    ]


def _refused(source: Any) -> list[Rejected]:
    """JSON Lines: the lines refused before the column checks since the last call."""
    take = getattr(source, "take_rejected", None)
    return [] if take is None else list(take())


def _early_repeats(
    ctx: _Context, raw: _Raw, refused: Sequence[Rejected]
) -> list[tuple[int, Problem]]:
    """Rows of ``raw`` repeating the id of a line refused before the checks that came
    before them (its id counts as seen there, as a bad row's id does in a table)."""
    first: dict[str, int] = {}
    for r in refused:
        if r.household_id is not None and r.household_id.strip():
            first.setdefault(r.household_id.strip(), r.row)
    if not first:
        return []
    names = list(first)
    earlier = ctx.seen.find(_key_bytes(pa.array(names, pa.string())))
    first = {k: v for k, v, e in zip(names, first.values(), earlier, strict=True) if e < 0}
    ids = _clean_keys(raw, "id")
    hit = np.flatnonzero(_mask(pc.is_in(ids, value_set=pa.array(list(first), pa.string()))))
    out = []
    for i in hit:
        key = ids[int(i)].as_py()
        line = first[key]
        if int(raw.rows[i]) > line:
            where = _where(ctx, "households", int(raw.rows[i]), "id")
            text = Text(
                f"编号 {_show(key)} 与第 {line} 行重复", f"id {_show(key)} repeats row {line}"
            )
            out.append((int(i), Problem(where, text)))
    return out


def _remember(ctx: _Context, refused: Sequence[Rejected]) -> None:
    """The ids of lines refused before the checks, as seen on their lines."""
    known = [((r.household_id or "").strip(), r.row) for r in refused]
    known = [(k, row) for k, row in known if k]
    if known:
        keys = pa.array([k for k, _ in known], pa.string())
        ctx.seen.add(_key_bytes(keys), np.asarray([row for _, row in known], np.int64))


def _merge_batches(batches: Sequence[RegisterBatch], entity: str) -> RegisterBatch:
    if len(batches) == 1:
        return batches[0]
    households = pa.concat_tables([b.households for b in batches], promote_options="default")
    members = None
    if entity == "households":
        members = pa.concat_tables([b.members for b in batches if b.members is not None])
    return RegisterBatch(
        households,
        members,
        np.concatenate([b.rows for b in batches]),
        [p for b in batches for p in b.problems],
        None
        if members is None
        else np.concatenate([b.member_rows for b in batches if b.member_rows is not None]),
        tuple(r for b in batches for r in b.rejected),
    )
