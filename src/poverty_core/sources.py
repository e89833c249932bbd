"""The records a register job reads, with every row accounted for.

:func:`open_source` opens a household register — a JSON document (or a bundled
SYNTHETIC sample), or a columnar register (CSV, JSON Lines, Parquet, Arrow, xlsx; flat,
two-file or nested) read in batches — and the villages and counties files beside it.
The :class:`RegisterSource` it returns yields the households batch by batch and counts, for
every input file, the rows read, assessed and rejected (:meth:`RegisterSource.counts`): no row
is ever dropped. :func:`absent_inputs` names the inputs a decision reads that a
register does not have at all.

This is the reading half of :func:`poverty_core.jobs.assess_register`; the deciding and
rolling up is in :mod:`poverty_core.jobs`.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.batch import iter_tables
from poverty_core.columnar import (
    FileCount,
    Register,
    RegisterBatch,
    Rejected,
    open_register,
    read_table,
    tables_from_records,
)
from poverty_core.convert import loads_json, structure
from poverty_core.errors import InputError, PovertyCoreError, Problem
from poverty_core.io import Dataset, read_dataset
from poverty_core.model import County, Household, Village
from poverty_core.readiness import Readiness
from poverty_core.samples import read_sample

__all__ = [
    "OnError",
    "RegisterSource",
    "UsageError",
    "absent_inputs",
    "assessment_date",
    "open_source",
    "read_records",
]


class UsageError(PovertyCoreError, ValueError):
    """The job was asked for something impossible before anything is read: a bad batch
    size, results format or rejects option, no register or two (``poverty-core`` exit
    code 2)."""


OnError = Literal["fail", "skip"]
"""What a bad row does: ``fail`` (nothing is assessed) or ``skip`` (it is rejected)."""


@attrs.define
class RegisterSource:
    """The records a command reads — a JSON document or a columnar register, and the
    villages and counties files — with every row accounted for: assessed or rejected
    (:meth:`counts`). With ``skip``, a household in a village (county) the villages
    (counties) file does not list, or whose row there was rejected, is rejected too."""

    name: str
    synthetic: bool = False
    as_of: dt.date | None = None
    dataset: Dataset | None = None
    register: Register | None = None
    villages: list[Village] = attrs.field(factory=list)
    counties: list[County] = attrs.field(factory=list)
    rejected: list[Rejected] = attrs.field(factory=list)
    skip: bool = False
    files: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Each input (besides the register's own files): its kind and rows read."""
    assessed: collections.Counter[str] = attrs.field(factory=collections.Counter)
    listed: dict[str, set[str] | None] = attrs.field(factory=dict)
    """``village_id``/``county_id``: the ids a household may name (``None``: any)."""
    _rejected_ids: dict[str, dict[str, str]] | None = attrs.field(default=None, init=False)

    @property
    def households_file(self) -> str:
        """The name rows of the households file go by (in rejects and counts)."""
        if self.register is not None:
            return self.register.files[0]
        assert self.dataset is not None
        return self.dataset.file_of("households")

    @property
    def members_file(self) -> str | None:
        """The separate members file (sheet), if there is one."""
        if self.register is not None and len(self.register.files) > 1:
            return self.register.files[1]
        return None

    def rejected_households(self) -> set[int]:
        """The rows of the households file left out (``--on-error skip``)."""
        first = self.households_file
        return {r.row for r in self.rejected if r.file == first}

    def counts(self) -> list[FileCount]:
        """Rows read, assessed and rejected, per input file."""
        rejected = collections.Counter(r.file for r in self.rejected)
        files: list[tuple[str, str, int]] = []
        if self.register is not None:
            for i, file in enumerate(self.register.files):
                kind = "households" if i == 0 and self.register.layout != "flat" else "members"
                files.append((file, kind, self.register.rows_read[file]))
        files += [(file, kind, read) for file, (kind, read) in self.files.items()]
        return [
            FileCount(file, kind, read, self.assessed[file], rejected[file])
            for file, kind, read in files
        ]

    def household_tables(
        self, progress: Callable[[int], None] | None = None, size: int | None = None
    ) -> Iterator[tuple[Any, Any]]:
        """``(households, members)`` Arrow tables, batch by batch (a batch read split
        into batches of ``size`` households, when given); ``progress`` is told the
        number of households of each batch read."""
        if self.dataset is not None:
            households = self._listed_records()
            self.assessed[self.households_file] += len(households)
            if households:
                yield tables_from_records(households)
            return
        assert self.register is not None
        # Read once: with --on-error fail the outputs of a run that meets a bad row are
        # discarded, so the batches need not wait for the whole file to be checked. Each
        # batch is read while the one before is decided.
        flat = self.register.layout == "flat"
        for batch in self.register.batches(validate_first=False, ahead=True):
            self.rejected.extend(batch.rejected)
            batch = self._listed_batch(batch)
            if flat:  # a flat file's rows are its people
                rows = batch.members.num_rows if batch.members is not None else 0
                self.assessed[self.households_file] += rows
            else:
                self.assessed[self.households_file] += batch.households.num_rows
            if self.members_file is not None and batch.members is not None:
                self.assessed[self.members_file] += batch.members.num_rows
            if progress is not None:
                progress(batch.households.num_rows)
            if size is not None and batch.households.num_rows > size:
                yield from iter_tables(batch.households, batch.members, size)
            else:
                yield batch.households, batch.members

    def _unlisted(self, by: str, value: Any) -> Text | None:
        known = self.listed.get(by)
        if not self.skip or known is None or value is None or value in known:
            return None
        kind = "villages" if by == "village_id" else "counties"
        noun = ("村", "village") if by == "village_id" else ("县", "county")
        shown = repr(value)
        if self._rejected_ids is None:  # once: the rows of villages and counties rejected
            self._rejected_ids = {"villages": {}, "counties": {}}
            for r in self.rejected:
                role = self.files.get(r.file, ("",))[0]
                if role in self._rejected_ids and r.household_id is not None:
                    self._rejected_ids[role].setdefault(r.household_id, f"{r.file}:{r.row}")
        where = self._rejected_ids[kind].get(value)
        if where is not None:
            return Text(
                f"{noun[0]} {shown}（{where}）已被剔除", f"{noun[1]} {shown} ({where}) was rejected"
            )
        return Text(
            f"{noun[0]} {shown} 不在{noun[0]}文件中",
            f"{noun[1]} {shown} is not in the {kind} file",
        )

    def _listed_records(self) -> list[Household]:
        """The JSON document's households, less those in an unlisted village or county."""
        assert self.dataset is not None
        rows = self.dataset.rows.get("households") or tuple(range(len(self.dataset.households)))
        kept = []
        for row, household in zip(rows, self.dataset.households, strict=True):
            for by in ("village_id", "county_id"):
                text = self._unlisted(by, getattr(household, by))
                if text is not None:
                    problem = Problem(f"households[{row}].{by}", text)
                    self.rejected.append(
                        Rejected(self.households_file, row, household.id, (problem,))
                    )
                    break
            else:
                kept.append(household)
        return kept

    def _listed_batch(self, batch: RegisterBatch) -> RegisterBatch:
        """A register batch less the households in an unlisted village or county (and
        their member rows), which are rejected."""
        table = batch.households
        if not self.skip or not table.num_rows or all(v is None for v in self.listed.values()):
            return batch
        assert self.register is not None
        drop = np.zeros(table.num_rows, np.bool_)
        why: dict[int, Problem] = {}
        hfile = self.households_file
        headers = self.register.columns.get(hfile, {})
        for by in ("village_id", "county_id"):
            known = self.listed.get(by)
            if known is None or by not in table.column_names:
                continue
            values = table.column(by)
            hit = pc.fill_null(
                pc.invert(pc.is_in(values, value_set=pa.array(sorted(known), pa.string()))), False
            )
            for k in np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), np.bool_)):
                i = int(k)
                if drop[i]:
                    continue
                text = self._unlisted(by, values[i].as_py())
                if text is not None:
                    drop[i] = True
                    where = f"{hfile}:{int(batch.rows[i])}:{headers.get(by, by)}"
                    why[i] = Problem(where, text)
        if not drop.any():
            return batch
        ids = table.column("id").to_pylist()
        dropped: dict[str, int] = {}
        flat = self.register.layout == "flat"
        for i in sorted(why):
            row = int(batch.rows[i])
            if not flat:  # a flat file's household is its members' rows, listed below
                self.rejected.append(Rejected(hfile, row, ids[i], (why[i],)))
            dropped[ids[i]] = row
        members, member_rows = batch.members, batch.member_rows
        mfile = self.members_file
        if flat and members is not None and member_rows is not None:
            owners = members.column("household_id").to_pylist()
            problem_of = {ids[i]: why[i] for i in why}
            for row, owner in zip(member_rows.tolist(), owners, strict=True):
                if owner in dropped:
                    self.rejected.append(Rejected(hfile, int(row), owner, (problem_of[owner],)))
        if members is not None and member_rows is not None:
            owners = members.column("household_id").to_pylist()
            gone = np.array([o in dropped for o in owners], np.bool_)
            if mfile is not None:
                header = self.register.columns.get(mfile, {}).get("household_id", "household_id")
                for j in np.flatnonzero(gone):
                    owner = owners[int(j)]
                    text = Text(
                        f"所属户 {owner!r}（{hfile}:{dropped[owner]}）已被剔除",
                        f"its household {owner!r} ({hfile}:{dropped[owner]}) was rejected",
                    )
                    mrow = int(member_rows[int(j)])
                    problem = Problem(f"{mfile}:{mrow}:{header}", text)
                    self.rejected.append(Rejected(mfile, mrow, owner, (problem,)))
            members = members.filter(pa.array(~gone))
            member_rows = member_rows[~gone]
        keep = ~drop
        return RegisterBatch(
            table.filter(pa.array(keep)), members, batch.rows[keep], [], member_rows
        )


def read_records(
    path: str, cls: type[Any], name: str, skip: bool
) -> tuple[list[Any], list[Rejected], int]:
    """Villages or counties (``cls``) from a JSON file (a list, or an object with
    ``name``: ``villages`` or ``counties``) or a columnar file: the records, the rows
    rejected (``skip``; else an :class:`~poverty_core.errors.InputError` listing every
    problem) and the rows read."""
    if path.lower().endswith(".json"):
        try:
            data = loads_json(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError, RecursionError) as exc:
            raise InputError(
                [Problem(path, Text(f"无法读取：{exc}", f"cannot read: {exc}"))], what=path
            ) from None
        repeated = getattr(data, "repeated", ())
        if repeated:
            keys = ", ".join(repeated)
            raise InputError(
                [Problem(path, Text(f"字段重复：{keys}", f"key(s) given more than once: {keys}"))],
                what=path,
            )
        if isinstance(data, dict) and name in data:
            data = data[name]
        items = data if isinstance(data, list) else [data]
        records: list[Any] = []
        rejected: list[Rejected] = []
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            where = f"{name}[{i}]"
            mine: list[Problem] = []
            record = None
            try:
                record = structure(item, cls, path=where)
            except InputError as err:
                mine += err.problems
            if record is not None and record.id in seen:
                mine.append(
                    Problem(
                        f"{where}.id",
                        Text(
                            f"编号 {record.id!r} 与 {name}[{seen[record.id]}] 重复",
                            f"id {record.id!r} repeats {name}[{seen[record.id]}]",
                        ),
                    )
                )
            elif record is not None:
                seen[record.id] = i
            if mine:
                problems += mine
                rid = item.get("id") if isinstance(item, dict) else None
                rejected.append(
                    Rejected(path, i, rid if isinstance(rid, str) else None, tuple(mine))
                )
            else:
                records.append(record)
        if problems and not skip:
            raise InputError(problems, what=name)
        return records, rejected, len(items)
    batch = read_table(path, cls, on_error="skip" if skip else "fail")
    records = _records_from_table(batch.households, cls, name)
    return records, list(batch.rejected), len(records) + len(batch.rejected)


def _records_from_table(table: Any, cls: type[Any], name: str) -> list[Any]:
    rows = [{k: v for k, v in row.items() if v is not None} for row in table.to_pylist()]
    return [structure(row, cls, path=f"{name}[{i}]") for i, row in enumerate(rows)]


def absent_inputs(plan: Readiness, source: RegisterSource) -> list[str]:
    """The inputs the decision reads that the register does not have at all (no column;
    in a JSON file, no record with a value)."""
    if source.register is not None:
        columns = list(source.register.columns.values())
        households = set(columns[0])
        members = set(columns[1]) if len(columns) > 1 else set()
        members |= {c.removeprefix("members.") for c in households if c.startswith("members.")}

        def has(label: str) -> bool:
            if label.startswith("members[]."):
                name = label.removeprefix("members[].")
                return name in members or (name == "age" and "birth_date" in members)
            if label.startswith(("procedures.", "checklists.")):
                return any(c == label or c.startswith(label + ".") for c in households)
            return label in households

    elif source.dataset is not None:
        records = list(source.dataset.households)

        def has(label: str) -> bool:
            if label.startswith("members[]."):
                name = label.removeprefix("members[].")
                names = (name, "birth_date") if name == "age" else (name,)
                return any(
                    getattr(m, n, None) is not None
                    for r in records
                    for m in r.members
                    for n in names
                )
            if label.startswith(("procedures.", "checklists.")):
                kind, _, rest = label.partition(".")
                name, _, item = rest.partition(".")
                return any(
                    name in getattr(r, kind) and (not item or item in getattr(r, kind)[name])
                    for r in records
                )
            return any(getattr(r, label, None) is not None for r in records)

    else:
        return []
    return [label for label in plan.fields if not has(label)]


def open_source(
    households: str | os.PathLike[str] | None = None,
    members: str | os.PathLike[str] | None = None,
    *,
    sample: str | None = None,
    villages: str | os.PathLike[str] | None = None,
    counties: str | os.PathLike[str] | None = None,
    pack: Any = None,
    as_of: dt.date | None = None,
    on_error: OnError = "fail",
    encoding: str | None = None,
    aliases: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] = (),
    batch_size: int = 65536,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> RegisterSource:
    """Open what a register job reads: the households file (a JSON document, or a
    register :func:`~poverty_core.columnar.open_register` reads) or the bundled
    SYNTHETIC ``sample`` (a key of ``poverty_core.samples.SAMPLES``), with its
    ``members`` file, and the ``villages`` and ``counties`` files. ``pack`` (a loaded
    pack) reads its declared fields and procedure labels; the other options are those
    of :func:`~poverty_core.columnar.open_register`. A JSON document is read whole and
    checked here; a columnar register is checked batch by batch as it is read."""
    if (households is None) == (sample is None):
        raise UsageError(
            Text(
                "须给出一个户文件或一个样例，二者只能有一个",
                "give a households file or a sample, not both or neither",
            )
        )
    skip = on_error == "skip"
    if sample is not None or os.fspath(households or "").lower().endswith(".json"):
        if sample is not None:  # the fields of the sample's own pack that ``pack`` lacks: left out
            data, _ = read_sample(sample, pack=pack, on_error=on_error, as_of=as_of)
        else:
            assert households is not None
            data = read_dataset(households, on_error=on_error, as_of=as_of, pack=pack)
        source = RegisterSource(
            data.source,
            synthetic=data.synthetic,
            as_of=data.as_of,
            dataset=data,
            villages=list(data.villages),
            counties=list(data.counties),
            rejected=list(data.rejected),
            skip=skip,
        )
        source.files[data.file_of("households")] = ("households", data.read["households"])
        for kind in ("villages", "counties"):
            if data.read.get(kind):
                source.files[data.file_of(kind)] = (kind, data.read[kind])
                source.assessed[data.file_of(kind)] = len(getattr(data, kind))
        source.listed = {
            "village_id": {v.id for v in data.villages} if data.read.get("villages") else None,
            "county_id": {c.id for c in data.counties} if data.read.get("counties") else None,
        }
    else:
        assert households is not None
        register = open_register(
            households,
            members,
            encoding=encoding,
            aliases=dict(aliases) if aliases else None,
            ignore_columns=ignore_columns,
            on_error=on_error,
            batch_size=batch_size,
            pack=pack,
            as_of=as_of,
            layout=layout,
            interpretations=dict(interpretations) if interpretations else None,
        )
        source = RegisterSource(os.fspath(households), register=register, skip=skip)
    for option, cls, kind in (
        (villages, Village if pack is None else pack.record_type("village"), "villages"),
        (counties, County if pack is None else pack.record_type("county"), "counties"),
    ):
        if not option:
            continue
        name = os.fspath(option)
        records, rejected, read = read_records(name, cls, kind, skip)
        setattr(source, kind, records)
        source.rejected += rejected
        source.files[name] = (kind, read)
        source.assessed[name] = len(records)
        by = "village_id" if kind == "villages" else "county_id"
        source.listed[by] = {r.id for r in records} if read else None
    return source


def assessment_date(source: RegisterSource, given: dt.date | None = None) -> dt.date:
    """The date of the assessment: ``given``, else the one the file states; neither is
    an :class:`~poverty_core.errors.InputError` (pass ``--as-of``)."""
    as_of = given or source.as_of
    if as_of is None:
        raise InputError(
            [
                Problem(
                    "--as-of",
                    Text(
                        "输入文件未给出 as_of，须指定 --as-of",
                        "the file gives no as_of: pass --as-of",
                    ),
                )
            ],
            what="command line",
        )
    return as_of
