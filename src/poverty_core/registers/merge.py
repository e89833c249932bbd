"""Members joined to their households while streaming.

A separate members file comes in the order of its households; :class:`_Merge` completes
each batch of households with all their members, keeps at most :data:`_PENDING_LIMIT`
member rows waiting, and says which row came too late. Rebatching and taking rows of raw
tables are here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import on_command_line
from poverty_core.registers.batch import RegisterBatch, Rejected, _assemble, _Context, _empty_batch
from poverty_core.registers.cells import _clean, _mask, _valid, _whole
from poverty_core.registers.ids import _key_bytes, _positions
from poverty_core.registers.problems import _fatal, _show
from poverty_core.registers.schema import MEMBER_KEY, Rows
from poverty_core.registers.sources import _Ragged, _Raw, _Source


def _rebatch(parts: Iterator[_Raw], size: int | None) -> Iterator[_Raw]:
    """Rows regrouped into batches of exactly ``size`` (the last smaller)."""
    buffer: list[_Raw] = []
    count = 0
    for part in parts:
        while part.table.num_rows:
            room = part.table.num_rows if size is None else size - count
            head = _Raw(part.table.slice(0, room), part.rows[:room])
            part = _Raw(part.table.slice(room), part.rows[room:])
            buffer.append(head)
            count += head.table.num_rows
            if size is not None and count >= size:
                yield _concat(buffer)
                buffer, count = [], 0
    if buffer:
        yield _concat(buffer)


def _concat(parts: Sequence[_Raw]) -> _Raw:
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables(_unify([p.table for p in parts]))
    rows = np.concatenate([p.rows for p in parts])
    subs = [p.sub for p in parts if p.sub is not None]
    sub = np.concatenate(subs) if len(subs) == len(parts) else None
    owners = [p.owner for p in parts if p.owner is not None]
    owner = np.concatenate(owners) if len(owners) == len(parts) else None
    return _Raw(table, rows, sub, owner)


def _unify(tables: list[pa.Table]) -> list[pa.Table]:
    """Tables of one file read partly typed, partly as text (after a cell Arrow could not
    type): the differing columns as text, to be judged as text."""
    first = tables[0].schema
    if all(t.schema.equals(first) for t in tables[1:]):
        return tables
    text = {
        name
        for t in tables
        for name, f in zip(t.column_names, t.schema, strict=True)
        if f.type != first.field(name).type
    }
    out = []
    for t in tables:
        for name in text:
            i = t.schema.get_field_index(name)
            if t.schema.field(i).type != pa.string():
                t = t.set_column(i, name, pc.cast(t.column(name), pa.string()))
        out.append(t)
    return out


_PENDING_LIMIT = 100_000


@attrs.define
class _Chunk:
    raw: _Raw
    keys: pa.Array  # cleaned ids (null where none)
    parts: list[_Raw] = attrs.field(factory=list)
    next: int = 0  # households matched in order so far (for the fast path)


def _clean_keys(raw: _Raw, column: str) -> pa.Array:
    if column not in raw.table.column_names:
        return pa.nulls(raw.table.num_rows, pa.string())
    col = _whole(raw.table.column(column))
    if not pa.types.is_string(col.type):
        col = col.cast(pa.string()) if pa.types.is_integer(col.type) else pa.nulls(len(col))
        if pa.types.is_null(col.type):
            return pa.nulls(raw.table.num_rows, pa.string())
    return _clean(col)


class _Merge:
    """Pairs each batch of households with its members from a separate members stream.

    Members must come in the households' order: the batch being filled is finished at
    the first member of the next batch, and a member whose batch is finished already is
    an error. Members of no loaded batch wait (at most ``_PENDING_LIMIT`` rows) for a
    later batch or the end, where they are members of no household.
    """

    def __init__(
        self,
        ctx: _Context,
        households: Iterator[_Raw],
        members: Iterator[_Raw],
        hsource: _Source,
        msource: _Source,
    ) -> None:
        self.ctx = ctx
        self.households, self.members = households, members
        self.hsource, self.msource = hsource, msource
        self.buffer: list[_Raw] = []
        self.pending: list[_Raw] = []
        self.pending_rows = 0
        self.member_rows = 0
        self.hh_ragged: list[_Ragged] = []

    def _collect_ragged(self) -> None:
        for r in self.hsource.take_ragged():
            if r.key:
                self.ctx.dropped_keys.setdefault(r.key, (self.ctx.files["households"], r.row))
            self.hh_ragged.append(r)

    def _chunk(self) -> _Chunk | None:
        raw = next(self.households, None)
        self._collect_ragged()
        if raw is None:
            return None
        return _Chunk(raw, _clean_keys(raw, "id"))

    def _next_part(self) -> _Raw | None:
        if self.buffer:
            return self.buffer.pop(0)
        part = next(self.members, None)
        if part is not None:
            self.member_rows += part.table.num_rows
        return part

    def _extra(self) -> list[Rejected]:
        """The ragged rows of both files noted so far, as rejected rows."""
        self._collect_ragged()
        out = []
        for role, found in (
            ("households", self.hh_ragged),
            ("members", self.msource.take_ragged()),
        ):
            file = self.ctx.files[role]
            for r in found:
                if role == "members" and r.key:
                    self.ctx.bad_member_keys.setdefault(r.key, (file, r.row))
                out.append(Rejected(file, r.row, r.key, (r.problem(file),)))
        self.hh_ragged = []
        return out

    def __iter__(self) -> Iterator[RegisterBatch]:
        current = self._chunk()
        ahead = self._chunk() if current is not None else None
        first = True
        while current is not None:
            self._fill(current, ahead)
            if ahead is None:
                self._finish(current)
            if first and not self.member_rows and not self.pending and not self.msource.rows_read:
                raise _fatal(
                    self.ctx.files["members"],
                    "成员表没有数据行",
                    "the members file has no data rows",
                )
            first = False
            members = _concat(current.parts) if current.parts else _no_members()
            batch = _assemble(self.ctx, current.raw, members, self._extra())
            self._remember(current)
            yield batch
            current, ahead = ahead, (self._chunk() if ahead is not None else None)
            if ahead is not None:
                self._claim(ahead)
        rest = self._extra()
        if rest:
            yield _empty_batch(self.ctx.entity, self.ctx.flat, rest, self.ctx.aliases.vocabulary)

    def _remember(self, chunk: _Chunk) -> None:
        good = _valid(chunk.keys)
        self.ctx.seen.add(_key_bytes(chunk.keys.filter(pa.array(good))), chunk.raw.rows[good])

    def _fill(self, current: _Chunk, ahead: _Chunk | None) -> None:
        """Read members until one belongs to the next batch (or none are left)."""
        while True:
            part = self._next_part()
            if part is None:
                return
            if ahead is None:  # the last batch takes every member left: look up once
                rest = [part]
                while (more := self._next_part()) is not None:
                    rest.append(more)
                part = _concat(rest)
            keys = _clean_keys(part, MEMBER_KEY)
            pos = _in_order(keys, current, ahead)
            if pos is None:
                both = current.keys
                if ahead is not None:
                    both = pa.concat_arrays([current.keys, ahead.keys])
                pos = _positions(keys, both)
                mine_pos = pos[(pos >= 0) & (pos < len(current.keys))]
                if len(mine_pos):
                    current.next = max(current.next, int(mine_pos[-1]) + 1)
            here = (pos >= 0) & (pos < len(current.keys))
            later = pos >= len(current.keys)
            cut = int(np.argmax(later)) if later.any() else len(keys)
            if here[cut:].any():
                i = cut + int(np.argmax(here[cut:]))
                self._order_error(part, i, keys, None)
            head = _take(part, slice(0, cut))
            mine = here[:cut]
            if mine.any():
                current.parts.append(_take(head, mine, pos[:cut]))
            # A row without a household id belongs to no household: it joins this batch
            # as such (and is rejected there) instead of waiting for a household.
            keyless = ~_valid(keys.slice(0, cut)) & ~mine
            if keyless.any():
                current.parts.append(_take(head, keyless, np.full(cut, -1, np.int64)))
            others = ~mine & ~keyless
            if others.any():
                self._unplaced(_take(head, others))
            if cut < len(keys):
                self.buffer.insert(0, _take(part, slice(cut, None)))
                return

    def _unplaced(self, part: _Raw) -> None:
        """Rows of no loaded batch: of a finished batch (out of order), or pending."""
        keys = _clean_keys(part, MEMBER_KEY)
        found = self.ctx.seen.find(_key_bytes(keys))
        found[~_valid(keys)] = -1
        dropped = np.array(
            [k is not None and k in self.ctx.dropped_keys for k in keys.to_pylist()], np.bool_
        )
        late = (found >= 0) & ~dropped
        if late.any():
            i = int(np.argmax(late))
            self._order_error(part, i, keys, int(found[i]))
        self.pending.append(part)
        self.pending_rows += part.table.num_rows
        if self.pending_rows > _PENDING_LIMIT:
            head = self.pending[0]
            key = _clean_keys(head, MEMBER_KEY)[0].as_py()
            raise _fatal(
                f"{self.ctx.files['members']}:{int(head.rows[0])}",
                f"超过 {_PENDING_LIMIT} 个成员行所属的户（如 {_show(key)}）在户表此处附近找不到："
                f"成员表须按户表的顺序排列（两表都按户编号排序），且只列户表中的户",
                f"more than {_PENDING_LIMIT} member rows name households (e.g. {_show(key)}) "
                f"not found near this point of the households file: members must come in the "
                f"households' order (sort both files by household id) and belong to "
                f"households of the file",
            )

    def _order_error(self, part: _Raw, i: int, keys: pa.Array, household_row: int | None) -> None:
        key = keys[i].as_py()
        hfile = self.ctx.files["households"]
        where = f"（{hfile}:{household_row}）" if household_row else ""
        where_en = f" ({hfile}:{household_row})" if household_row else ""
        at_once = Text(
            "，或用 read_all() 一次读入", ", or read the register at once with read_all()"
        )
        raise _fatal(
            f"{self.ctx.files['members']}:{int(part.rows[i])}",
            f"户 {_show(key)}{where} 的成员排在后面批次的户的成员之后：成员表须按户表的顺序排列"
            f"（两表都按户编号排序）{'' if on_command_line() else at_once.zh}",
            f"a member of household {_show(key)}{where_en} comes after members of households "
            f"of a later batch: list members in the households file's order (sort both files "
            f"by household id){'' if on_command_line() else at_once.en}",
        )

    def _claim(self, chunk: _Chunk) -> None:
        """Pending rows that belong to a newly loaded batch join it."""
        if not self.pending:
            return
        kept = []
        rows = 0
        for part in self.pending:
            keys = _clean_keys(part, MEMBER_KEY)
            pos = _positions(keys, chunk.keys)
            here = pos >= 0
            if here.any():
                chunk.parts.append(_take(part, here, pos))
            if (~here).any():
                rest = _take(part, ~here)
                kept.append(rest)
                rows += rest.table.num_rows
        self.pending, self.pending_rows = kept, rows

    def _finish(self, current: _Chunk) -> None:
        """The last batch: members still pending belong to no household; its linking
        names them."""
        self._claim(current)
        for part in self.pending:
            none = np.full(part.table.num_rows, -1, np.int64)
            current.parts.append(_Raw(part.table, part.rows, part.sub, none))
        self.pending, self.pending_rows = [], 0


def _no_members() -> _Raw:
    none = np.zeros(0, np.int64)
    return _Raw(pa.table({MEMBER_KEY: pa.array([], pa.string())}), none, None, none)


def _in_order(keys: pa.Array, current: _Chunk, ahead: _Chunk | None) -> Rows | None:
    """Positions of member keys among the batch's households (then the next batch's)
    when the members simply follow the households, one run per household, in order;
    ``None`` when they do not (then a hash lookup decides)."""
    n = len(keys)
    if n == 0 or keys.null_count:
        return None
    start = np.ones(n, np.bool_)
    if n > 1:
        start[1:] = _mask(pc.not_equal(keys.slice(1), keys.slice(0, n - 1)))
    starts = np.flatnonzero(start)
    runs = pc.take(keys, pa.array(starts))
    nc = len(current.keys)
    base = current.next
    if base > 0 and runs[0].as_py() == current.keys[base - 1].as_py():
        base -= 1
    k = min(len(runs), nc - base)
    if k > 0 and not _mask(pc.equal(runs.slice(0, k), current.keys.slice(base, k))).all():
        return None
    run_pos = base + np.arange(len(runs), dtype=np.int64)
    if len(runs) > k:
        if ahead is None or not len(ahead.keys) or runs[k].as_py() != ahead.keys[0].as_py():
            return None
        run_pos[k:] = nc  # the next batch starts here: the rows from it on wait for it
    current.next = base + k
    out: Rows = run_pos[np.cumsum(start) - 1]
    return out


def _take(raw: _Raw, which: slice | npt.NDArray[np.bool_], owner: Rows | None = None) -> _Raw:
    """Some rows of ``raw`` (a slice or a mask), with their households' rows."""
    if isinstance(which, slice):
        start = which.start or 0
        stop = raw.table.num_rows if which.stop is None else which.stop
        table = raw.table.slice(start, stop - start)
    elif which.all():
        table = raw.table
    else:
        table = raw.table.filter(pa.array(which))
    return _Raw(
        table,
        raw.rows[which],
        None if raw.sub is None else raw.sub[which],
        owner[which] if owner is not None else None,
    )
