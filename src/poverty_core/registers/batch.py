"""A batch of a register: typed tables, the rows rejected, and the counts per file.

:class:`RegisterBatch`, :class:`Rejected` and :class:`FileCount` are what readers give;
:func:`_assemble` turns raw tables into typed ones, checking every cell, id and link, and
turns the problems into rejections (``skip``) or collects them (``fail``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.aliases import AliasMap
from poverty_core.codes import StatusEventKind
from poverty_core.convert import age_problem
from poverty_core.errors import Problem
from poverty_core.form_reading import FormReading
from poverty_core.model import part_whole_problems
from poverty_core.registers.cells import _convert, _mask, _valid, _whole
from poverty_core.registers.checks import Memo, _check_column
from poverty_core.registers.history import _HISTORY, HISTORY_TYPE, _clean_history, _event_date_of
from poverty_core.registers.ids import _key_bytes, _positions, _Seen
from poverty_core.registers.problems import _show
from poverty_core.registers.schema import FLAT, MEMBER_KEY, Rows
from poverty_core.registers.sources import _Raw
from poverty_core.registers.specs import _column_spec, _schema, _specs
from poverty_core.vocabulary import CORE, Vocabulary

__all__ = ["FileCount", "RegisterBatch", "Rejected"]


def _read_history(
    ctx: _Context, hh: _Raw, column: pa.ChunkedArray | pa.Array
) -> tuple[pa.Array, list[tuple[int, Problem]]]:
    """The households' histories as :data:`HISTORY_TYPE`, each event checked as
    :class:`~poverty_core.model.StatusEvent` is (its kind from the code list, its date a
    valid date on or after the register began); a bad event is a problem at
    ``FILE:ROW:history[I].FIELD``."""
    fast = _clean_history(column)
    if fast is not None:
        return fast, []
    header = ctx.headers["households"].get("history", "history")
    file = ctx.files["households"]
    values = column.to_pylist()
    out: list[list[dict[str, Any]] | None] = []
    problems: list[tuple[int, Problem]] = []
    for i, events in enumerate(values):
        row = int(hh.rows[i])
        kept: list[dict[str, Any]] = []
        for k, event in enumerate(events or ()):
            where = f"{file}:{row}:{header}[{k}]"
            if event is None:
                problems.append((i, Problem(where, Text("事件为空", "empty event"))))
                continue
            raw_kind = event.get("kind")
            try:
                kind = StatusEventKind.parse(raw_kind)
            except (ValueError, TypeError):
                known = ", ".join(c.value for c in StatusEventKind)
                problems.append(
                    (
                        i,
                        Problem(
                            f"{where}.kind",
                            Text(
                                f"未知的事件：{_show(raw_kind)}（可用：{known}）",
                                f"unknown event: {_show(raw_kind)} (one of: {known})",
                            ),
                        ),
                    )
                )
                kind = None
            date, why = _event_date_of(event.get("date"))
            if why is not None:
                problems.append((i, Problem(f"{where}.date", why)))
            if kind is not None and date is not None and why is None:
                kept.append({"kind": kind.value, "date": date})
        out.append(kept)
    return pa.array(out, type=HISTORY_TYPE), problems


_FLAT_PREFIXES = ("procedures.", "checklists.")


@attrs.frozen(eq=False)
class Rejected:
    """One input row left out of the results (``on_error="skip"``), and why."""

    file: str
    """The file (as given; an xlsx sheet as ``file[sheet]``)."""
    row: int
    """The row number, as in problem paths."""
    household_id: str | None
    """The household the row is (or belongs to), when known."""
    problems: tuple[Problem, ...]
    """Why: the row's own problems, or those of its household and its other members."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (messages in both languages)."""
        return {
            "file": self.file,
            "row": self.row,
            "household_id": self.household_id,
            "problems": [p.to_dict() for p in self.problems],
        }


@attrs.frozen
class FileCount:
    """How the rows of one input file were accounted for: every row read was assessed
    (used in the run) or rejected, never dropped."""

    file: str
    """The file as given (an xlsx sheet as ``file[sheet]``, a list of a JSON document
    as ``file[villages]``)."""
    kind: str
    """What its rows are: ``households``, ``members``, ``villages`` or ``counties``."""
    read: int
    assessed: int
    rejected: int

    @property
    def balanced(self) -> bool:
        """Rows read = rows assessed + rows rejected."""
        return self.read == self.assessed + self.rejected

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "file": self.file,
            "kind": self.kind,
            "read": self.read,
            "assessed": self.assessed,
            "rejected": self.rejected,
        }


@attrs.frozen(eq=False)
class RegisterBatch:
    """Some households of a register with all their members, as typed Arrow tables.

    ``households`` matches ``arrow_schema(Household)`` plus the flattened procedure and
    checklist columns; ``members`` matches ``arrow_schema(Person, member_table=True)``
    (``None`` for tables without members: villages, counties).
    """

    households: pa.Table
    members: pa.Table | None
    rows: Rows
    """The source row of each household (or village, county) row."""
    problems: list[Problem]
    """Every problem found in this batch's rows (empty when ``on_error="fail"``)."""
    member_rows: Rows | None = None
    """The source row of each member row (for nested members: their household's)."""
    rejected: tuple[Rejected, ...] = ()
    """Every input row left out (``on_error="skip"``): rows read = rows kept + rejected."""

    @property
    def tables(self) -> tuple[pa.Table, pa.Table | None]:
        """``(households, members)``, as :func:`poverty_core.batch.assess` takes them."""
        return self.households, self.members

    def __len__(self) -> int:
        return int(self.households.num_rows)


@attrs.define
class _Context:
    entity: str
    aliases: AliasMap
    seen: _Seen
    files: dict[str, str]  # "households"/"members" -> file name
    headers: dict[str, dict[str, str]]  # role -> column -> header as in the file
    nested: bool = False
    flat: tuple[str, ...] = ()
    memo: Memo = attrs.field(factory=dict)
    dropped_keys: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Household ids of rows rejected outside a batch (ragged): their members go too."""
    bad_member_keys: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Household ids of member rows rejected outside a batch (ragged): their household
    goes too (it is never decided without one of its members)."""
    as_of: dt.date | None = None
    """The assessment date: ages are compared with dates of birth on it."""
    layout: str = "two-file"
    """``flat``, ``two-file`` or ``nested``."""
    form: FormReading = attrs.field(factory=FormReading)
    """The national form's readings in effect, and what they read."""


def _where(ctx: _Context, role: str, row: int, column: str | None, sub: int | None = None) -> str:
    file = ctx.files[role]
    if column is None:
        return f"{file}:{row}"
    header = ctx.headers[role].get(column, column)
    if sub is not None:
        return f"{file}:{row}:members[{sub}].{header}"
    return f"{file}:{row}:{header}"


def _convert_table(
    ctx: _Context, role: str, raw: _Raw, entity: str
) -> tuple[dict[str, pa.Array], list[tuple[int, Problem]], set[int]]:
    """Every column of ``raw`` typed and checked: columns, problems, rows with one.

    The national form's own columns (``A10`` …) and the options needing an
    interpretation are read first (:meth:`FormReading.interpret`); a member's date of
    birth comes from their ID number where neither it nor an age is given."""
    found: list[tuple[int, int, Problem]] = []
    columns: dict[str, pa.Array] = {}
    bad_rows: set[int] = set()
    subs = raw.sub
    cells: dict[str, Any] = {name: raw.table.column(name) for name in raw.table.column_names}
    order = {name: k for k, name in enumerate(cells)}
    if entity in ("households", "members"):
        cells, read = ctx.form.interpret(entity, cells, ctx.aliases)
        for i, name, text in read:
            sub = None if subs is None else int(subs[i])
            where = _where(ctx, role, int(raw.rows[i]), name, sub)
            found.append((i, order.get(name, len(order)), Problem(where, text)))
            bad_rows.add(i)
    bad_in: dict[str, npt.NDArray[np.bool_]] = {}
    for name, cells_of in cells.items():
        k = order.get(name, len(order))
        spec = _column_spec(entity, name, ctx.aliases.vocabulary)
        typed, bad = _convert(cells_of, spec, ctx.aliases)
        skip = np.zeros(raw.table.num_rows, np.bool_)
        if bad:
            skip[[i for i, _ in bad]] = True
        checked = _check_column(typed, spec, skip, ctx.memo)
        for i, text in [*bad, *checked]:
            sub = None if subs is None else int(subs[i])
            where = _where(ctx, role, int(raw.rows[i]), name, sub)
            found.append((i, k, Problem(where, text)))
            bad_rows.add(i)
        if checked:
            skip[[i for i, _ in checked]] = True
        bad_in[name] = skip
        if spec.kind != "unnamed":
            columns[name] = typed
    given = raw.table.column_names
    if entity == "members" and "id_number" in columns and not {"birth_date", "age"} & set(given):
        _birth_dates(ctx, columns, bad_in["id_number"], raw.table.num_rows)
    found.sort(key=lambda p: (p[0], p[1]))
    return columns, [(i, p) for i, _, p in found], bad_rows


def _birth_dates(
    ctx: _Context, columns: dict[str, pa.Array], bad: npt.NDArray[np.bool_], n: int
) -> None:
    """Dates of birth from valid ID numbers, in a members table with no column of dates
    of birth or ages (the interpretation ``birth_date_from_id``)."""
    ids = columns["id_number"]
    birth = columns.get("birth_date", pa.nulls(n, pa.date32()))
    age = columns.get("age", pa.nulls(n, pa.int64()))
    usable = _valid(ids) & ~bad & ~_valid(birth) & ~_valid(age)
    if not usable.any():
        return
    derived, got = ctx.form.birth_dates(ids, usable)
    if got.any():
        columns["birth_date"] = pc.coalesce(birth, derived)


def _required(
    ctx: _Context, role: str, raw: _Raw, column: str, values: pa.Array, message: Text
) -> list[tuple[int, Problem]]:
    out = []
    subs = raw.sub
    for i in np.flatnonzero(~_valid(values)):
        sub = None if subs is None else int(subs[i])
        out.append((int(i), Problem(_where(ctx, role, int(raw.rows[i]), column, sub), message)))
    return out


def _table_of(
    entity: str,
    columns: dict[str, pa.Array],
    n: int,
    flat: Sequence[str],
    vocabulary: Vocabulary = CORE,
) -> pa.Table:
    schema = _schema(entity, flat, vocabulary)
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _assemble(
    ctx: _Context,
    hh: _Raw,
    mm: _Raw | None,
    extra_rejected: Sequence[Rejected] = (),
    pre: Sequence[tuple[int, Problem]] = (),
) -> RegisterBatch:
    """Type, check and link one batch; leave out bad households with their members.
    ``pre``: problems of household rows found before (a flat file's rows that disagree)."""
    entity = ctx.entity
    n = hh.table.num_rows
    history = None
    if _HISTORY in hh.table.column_names:
        history = hh.table.column(_HISTORY)
        hh = attrs.evolve(hh, table=hh.table.drop_columns([_HISTORY]))
    columns, h_problems, h_bad = _convert_table(ctx, "households", hh, entity)
    if history is not None:
        history, found_in_history = _read_history(ctx, hh, history)
        for i, p in found_in_history:
            h_problems.append((i, p))
            h_bad.add(i)
    for i, p in pre:
        h_problems.append((i, p))
        h_bad.add(i)
    ids = columns.get("id", pa.nulls(n, pa.string()))
    id_check = _specs(entity)["id"].check
    missing = id_check(None) if id_check is not None else None
    missing = missing or Text("编号不能为空", "id must be a non-empty string")
    for i, p in _required(ctx, "households", hh, "id", ids, missing):
        h_problems.append((i, p))
        h_bad.add(i)
    # Repeated ids: in this batch, then against the batches before.
    keys = _key_bytes(ids)
    valid_id = _valid(ids)
    duplicate = np.zeros(n, np.bool_)
    if n:
        for i, f in [] if _increasing(ids) else _repeats(_codes_of(ids), valid_id):
            duplicate[i] = True
            h_problems.append((i, _repeat_problem(ctx, hh, i, ids, int(hh.rows[f]))))
        earlier = ctx.seen.find(keys)
        for j in np.flatnonzero((earlier >= 0) & valid_id & ~duplicate):
            duplicate[j] = True
            h_problems.append((int(j), _repeat_problem(ctx, hh, int(j), ids, int(earlier[j]))))
    h_bad |= set(np.flatnonzero(duplicate).tolist())
    m_problems: list[tuple[int, Problem]] = []
    m_columns: dict[str, pa.Array] = {}
    owner = np.zeros(0, np.int64)
    m_bad: set[int] = set()
    orphan = np.zeros(0, np.bool_)
    if mm is not None:
        m = mm.table.num_rows
        m_columns, m_problems, m_bad = _convert_table(ctx, "members", mm, "members")
        key = m_columns.get(MEMBER_KEY, pa.nulls(m, pa.string()))
        if mm.owner is not None:
            owner = mm.owner
        else:
            usable = pc.if_else(pa.array(valid_id & ~duplicate), ids, pa.scalar(None, pa.string()))
            owner = _positions(key, usable)
        if "id" not in mm.table.column_names:
            m_columns["id"] = _numbered(owner, mm.rows)
        member_ids = m_columns.get("id", pa.nulls(m, pa.string()))
        for i, p in _required(
            ctx,
            "members",
            mm,
            MEMBER_KEY,
            key,
            Text("成员缺少户编号", "the member has no household id"),
        ):
            m_problems.append((i, p))
            m_bad.add(i)
        for i, p in _required(
            ctx, "members", mm, "id", member_ids, Text("成员编号不能为空", "member id missing")
        ):
            m_problems.append((i, p))
            m_bad.add(i)
        orphan = owner < 0  # a blank household id included: rejected, never dropped
        for k in np.flatnonzero(orphan & _valid(key)):
            i = int(k)
            hid = key[i].as_py()
            dropped = ctx.dropped_keys.get(hid)
            if dropped is not None:
                text = Text(
                    f"所属户 {_show(hid)}（{dropped[0]}:{dropped[1]}）已被剔除",
                    f"its household {_show(hid)} ({dropped[0]}:{dropped[1]}) was rejected",
                )
            else:
                text = Text(
                    f"户编号 {_show(hid)} 不在户表中",
                    f"household {_show(hid)} is not in the households file",
                )
            m_problems.append(
                (int(i), Problem(_where(ctx, "members", int(mm.rows[i]), MEMBER_KEY), text))
            )
            m_bad.add(int(i))
        # Member ids unique within their household.
        if m:
            mvalid = _valid(member_ids) & (owner >= 0)
            if _increasing(member_ids, within=owner):
                member_repeats: list[tuple[int, int]] = []
            else:
                member_codes = _codes_of(member_ids)
                combined = owner * (int(member_codes.max()) + 2) + member_codes
                member_repeats = _repeats(np.where(mvalid, combined, -1), mvalid)
            for i, f in member_repeats:
                mid = member_ids[i].as_py()
                first = _first_member_where(ctx, mm, f)
                m_problems.append(
                    (
                        i,
                        Problem(
                            _where(ctx, "members", int(mm.rows[i]), "id", _sub(mm, i)),
                            Text(
                                f"成员编号 {_show(mid)} 在本户重复（又见 {first}）",
                                f"member id {_show(mid)} repeats in its household (also {first})",
                            ),
                        ),
                    )
                )
                m_bad.add(i)
        for i, p in _age_problems(ctx, mm, m_columns):
            m_problems.append((i, p))
            m_bad.add(i)
        counts = np.bincount(owner[owner >= 0], minlength=n)
    else:
        counts = np.zeros(n, np.int64)
    # A household with a member row that could not be read goes with it.
    if entity == "households" and ctx.bad_member_keys and n:
        hit = _mask(pc.is_in(ids, value_set=pa.array(list(ctx.bad_member_keys), pa.string())))
        for k in np.flatnonzero(hit & valid_id & ~duplicate):
            i = int(k)
            mfile, mrow = ctx.bad_member_keys[ids[i].as_py()]
            h_problems.append(
                (
                    i,
                    Problem(
                        _where(ctx, "households", int(hh.rows[i]), "id"),
                        Text(
                            f"本户的成员行 {mfile}:{mrow} 无法读取，本户一并剔除",
                            f"its member row {mfile}:{mrow} could not be read: the household "
                            f"is left out with it",
                        ),
                    ),
                )
            )
            h_bad.add(i)
    # Every household has a member (tables of villages and counties have none).
    if entity == "households":
        for k in np.flatnonzero((counts == 0) & valid_id & ~duplicate):
            i = int(k)
            where = _where(ctx, "households", int(hh.rows[i]), "id")
            text = Text(
                "一户至少有一名成员（成员表中没有本户）",
                "a household has at least one member (none listed for it)",
            )
            h_problems.append((int(i), Problem(where, text)))
            h_bad.add(int(i))
    for i, p in _part_problems(ctx, hh, entity, columns):
        h_problems.append((i, p))
        h_bad.add(i)
    # Bad members make their household bad.
    bad_h = np.zeros(n, np.bool_)
    bad_h[list(h_bad)] = True
    if mm is not None and m_bad:
        bad_m = np.zeros(mm.table.num_rows, np.bool_)
        bad_m[list(m_bad)] = True
        bad_h[owner[bad_m & (owner >= 0)]] = True
    one_file = ctx.nested or ctx.layout == FLAT
    order = {ctx.files.get("members", ""): 0 if one_file else 1, ctx.files["households"]: 0}
    found = [(order.get(r.file, 2), r.row, p) for r in extra_rejected for p in r.problems]
    found += [(0, int(hh.rows[i]), p) for i, p in h_problems]
    if mm is not None:
        found += [(0 if one_file else 1, int(mm.rows[i]), p) for i, p in m_problems]
    found.sort(key=lambda f: (f[0], f[1]))
    problems = [p for _, _, p in found]
    rejected = list(extra_rejected)
    if bad_h.any() or (mm is not None and orphan.any()):
        rejected += _rejections(ctx, hh, mm, ids, bad_h, owner, h_problems, m_problems)
    rejected.sort(key=lambda r: (order.get(r.file, 2), r.row))
    keep_h = ~bad_h
    flat = ctx.flat
    if ctx.layout == "nested":  # JSON Lines: the procedure and checklist keys its lines give
        flat = tuple(sorted({*flat, *(c for c in columns if c.startswith(_FLAT_PREFIXES))}))
    households = _table_of(entity, columns, n, flat, ctx.aliases.vocabulary)
    if history is not None:
        households = households.append_column("history", history)
    rows = hh.rows
    if bad_h.any():
        households = households.filter(pa.array(keep_h))
        rows = rows[keep_h]
    members = None
    member_rows = None
    if entity == "households":
        m = 0 if mm is None else mm.table.num_rows
        members = _table_of("members", m_columns, m, (), ctx.aliases.vocabulary)
        member_rows = mm.rows if mm is not None else np.zeros(0, np.int64)
        if mm is not None:
            keep_m = owner >= 0
            keep_m[keep_m] = keep_h[owner[keep_m]]
            if not keep_m.all():
                members = members.filter(pa.array(keep_m))
                member_rows = member_rows[keep_m]
    return RegisterBatch(households, members, rows, problems, member_rows, tuple(rejected))


def _numbered(owner: Rows, rows: Rows) -> pa.Array:
    """Member ids for a members table without them: 1, 2, … within each household, in
    the order of the file's rows."""
    n = len(owner)
    if not n:
        return pa.array([], pa.string())
    order = np.lexsort((rows, owner))
    ranked = owner[order]
    starts = np.ones(n, np.bool_)
    starts[1:] = ranked[1:] != ranked[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    number = np.empty(n, np.int64)
    number[order] = np.arange(n) - first + 1
    return pc.cast(pa.array(number), pa.string())


def _age_problems(
    ctx: _Context, mm: _Raw, columns: dict[str, pa.Array]
) -> list[tuple[int, Problem]]:
    """Members whose stated age and date of birth contradict by more than a year on
    the assessment date (both cells named)."""

    on = ctx.as_of
    if on is None or "age" not in columns or "birth_date" not in columns:
        return []
    age, birth = columns["age"], columns["birth_date"]
    age, birth = _whole(age), _whole(birth)
    if not len(age):
        return []
    both = _valid(age) & _valid(birth)
    if not both.any():
        return []
    years = np.asarray(pc.fill_null(pc.year(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    months = np.asarray(pc.fill_null(pc.month(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    days = np.asarray(pc.fill_null(pc.day(birth), 0).to_numpy(zero_copy_only=False), np.int64)
    stated = np.asarray(pc.fill_null(age, 0).to_numpy(zero_copy_only=False), np.int64)
    later = (months > on.month) | ((months == on.month) & (days > on.day))
    derived = on.year - years - later
    out = []
    for k in np.flatnonzero(both & (np.abs(derived - stated) > 1)):
        i = int(k)
        sub = _sub(mm, i)
        row = int(mm.rows[i])
        text = age_problem(
            age[i].as_py(), birth[i].as_py(), on, _where(ctx, "members", row, "birth_date", sub)
        )
        if text is not None:
            out.append((i, Problem(_where(ctx, "members", row, "age", sub), text)))
    return out


def _codes_of(values: pa.Array) -> Rows:
    """Each value's code (equal values, equal codes; null -1)."""
    values = _whole(values)
    if len(values) == 0:
        return np.zeros(0, np.int64)
    indices = pc.dictionary_encode(values).indices
    return np.asarray(pc.fill_null(indices, -1).to_numpy(zero_copy_only=False), np.int64)


def _increasing(values: pa.Array, within: Rows | None = None) -> bool:
    """Whether ``values`` (no nulls) rise strictly from row to row — within each run of
    equal ``within`` when given, those runs in order — so none can repeat. Registers are
    usually exported sorted by id: a comparison of neighbours then replaces hashing every
    id (0.005 s instead of 0.25 s for 1M ids); anything else goes to :func:`_codes_of`."""
    values = _whole(values)
    n = len(values)
    if n < 2 or values.null_count or not pa.types.is_string(values.type):
        return n < 2 and not values.null_count
    rises = _mask(pc.less(values.slice(0, n - 1), values.slice(1)))
    if within is None:
        return bool(rises.all())
    steps = np.diff(within)
    return bool((steps >= 0).all() and (rises | (steps > 0)).all())


def _repeats(keys: Rows, valid: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(row, row of its first occurrence)`` for every valid key seen before."""
    n = len(keys)
    if n < 2:
        return []
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    again = np.zeros(n, np.bool_)
    again[1:] = ordered[1:] == ordered[:-1]
    again &= valid[order]
    if not again.any():
        return []
    first_of = np.maximum.accumulate(np.where(~again, np.arange(n), 0))
    return [(int(order[j]), int(order[first_of[j]])) for j in np.flatnonzero(again)]


def _sub(raw: _Raw, i: int) -> int | None:
    return None if raw.sub is None else int(raw.sub[i])


def _first_member_where(ctx: _Context, mm: _Raw, f: int) -> str:
    if mm.sub is not None:
        return f"members[{int(mm.sub[f])}]"
    return f"{ctx.files['members']}:{int(mm.rows[f])}"


def _repeat_problem(ctx: _Context, hh: _Raw, i: int, ids: pa.Array, first_row: int) -> Problem:
    value = ids[i].as_py()
    return Problem(
        _where(ctx, "households", int(hh.rows[i]), "id"),
        Text(
            f"编号 {_show(value)} 与第 {first_row} 行重复",
            f"id {_show(value)} repeats row {first_row}",
        ),
    )


def _part_problems(
    ctx: _Context, raw: _Raw, entity: str, columns: dict[str, pa.Array]
) -> list[tuple[int, Problem]]:
    """Counts above the whole they are part of (villages, counties; a pack's declared
    counts too)."""
    kind = ctx.aliases.vocabulary.record_type(entity)
    out = []
    for part, whole in getattr(kind, "PARTS", ()):
        if part not in columns or whole not in columns:
            continue
        over = np.flatnonzero(_mask(pc.greater(columns[part], columns[whole])))
        for i in over:
            values = {part: columns[part][int(i)].as_py(), whole: columns[whole][int(i)].as_py()}
            for name, text in part_whole_problems(kind, values.get):
                out.append(
                    (int(i), Problem(_where(ctx, "households", int(raw.rows[i]), name), text))
                )
    return out


def _rejections(
    ctx: _Context,
    hh: _Raw,
    mm: _Raw | None,
    ids: pa.Array,
    bad_h: npt.NDArray[np.bool_],
    owner: Rows,
    h_problems: list[tuple[int, Problem]],
    m_problems: list[tuple[int, Problem]],
) -> list[Rejected]:
    why: dict[int, list[Problem]] = {int(i): [] for i in np.flatnonzero(bad_h)}
    for i, p in h_problems:
        why.setdefault(i, []).append(p)
    orphan_why: dict[int, list[Problem]] = {}
    for j, p in m_problems:
        o = int(owner[j])
        if o >= 0:
            why.setdefault(o, []).append(p)
        else:
            orphan_why.setdefault(j, []).append(p)
    out = []
    hfile = ctx.files["households"]
    if ctx.layout != FLAT:  # a flat file's household is its members' rows, listed below
        for i in sorted(why):
            out.append(Rejected(hfile, int(hh.rows[i]), ids[i].as_py(), tuple(why[i])))
    if mm is not None and not ctx.nested:
        mfile = ctx.files["members"]
        key = mm.table.column(MEMBER_KEY) if MEMBER_KEY in mm.table.column_names else None
        for j in range(mm.table.num_rows):
            o = int(owner[j])
            if o >= 0 and not bad_h[o]:
                continue
            reasons = why[o] if o >= 0 else orphan_why.get(j, [])
            hid = ids[o].as_py() if o >= 0 else (None if key is None else _text_of(key[j]))
            out.append(Rejected(mfile, int(mm.rows[j]), hid, tuple(reasons)))
    return out


def _text_of(value: Any) -> str | None:
    v = value.as_py()
    return None if v is None else str(v).strip() or None


def _empty_batch(
    entity: str,
    flat: Sequence[str],
    rejected: Sequence[Rejected],
    vocabulary: Vocabulary = CORE,
) -> RegisterBatch:
    households = _schema(entity, flat, vocabulary).empty_table()
    members = _schema("members", (), vocabulary).empty_table() if entity == "households" else None
    problems = [p for r in rejected for p in r.problems]
    none = np.zeros(0, np.int64)
    return RegisterBatch(
        households, members, none, problems, none if members else None, tuple(rejected)
    )
