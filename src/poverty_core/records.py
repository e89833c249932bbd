"""Reproducible decision records: exactly what decided a result, and checking it again.

A :class:`DecisionRecord` says what decided a result: the library's version, each pack of
the chain with its version and a content hash of its data folder, the decision and the
date, every parameter value the criteria in force read (its value, dates, source, the
pack it comes from, and whether the caller overrode it), the periods the caller set, and
a hash of the input rows. It is small and holds no personal data and no copy of the
inputs: the rows are hashed, never stored.

:func:`decide_recorded` (one record) and :func:`decide_batch_recorded` (many) return the
result with its record attached (:class:`Recorded`); :func:`decide_transitions_recorded`
does the same for a register's dynamic-management run. :func:`write_results` writes a
results file (outcomes, each finding's status and values, the record); :func:`verify`
re-runs it against its inputs and names every difference with its cause — the pack's
data or version changed, a parameter's value changed (named), an override, or the input.

The hashes are SHA-256 (:mod:`hashlib`): of each data file's path and bytes in path
order, as the files are when the record is made, and of each input row's canonical JSON
(keys sorted) in row order. A register job (:func:`poverty_core.jobs.assess_register`)
hashes its rows as the register reader gives them, column by column
(:class:`RowsDigest`: vectorised, the same whatever the batch size), and records how the
register was read (:attr:`DecisionRecord.reading`) so that :func:`verify` reads it again
the same way; its results file carries the record beside it (:func:`record_path`).
Python rules are identified by their pack's version (their code is not hashed: a rule
may hold a function). Hand-written on :mod:`hashlib` and
:mod:`json` because the record is this library's own: no package records pack data.

>>> import datetime as dt, poverty_core as pc
>>> from poverty_core.records import decide_recorded
>>> h = pc.Household.from_dict({"id": "SYN-1", "annual_net_income_per_capita": 3100,
...     "food_secure": True, "clothing_secure": True, "house_grade": "B",
...     "members": [{"id": "1", "age": 40, "basic_medical_insurance": True,
...                  "serious_illness_insurance": True, "medical_assistance": True}]})
>>> r = decide_recorded(pc.load_pack("national"), "household_exit", h, as_of=dt.date(2016, 12, 31))
>>> r.result.outcome.value, r.record.inputs.rows
('eligible', 1)
>>> [p.name for p in r.record.parameters]
['poverty_line', 'compulsory_school_age_min', 'compulsory_school_age_max']
>>> line = r.record.parameter("poverty_line")
>>> line.value, line.start, line.source, line.overridden
(2952.0, datetime.date(2016, 1, 1), 'nbs-yearbook-notes', False)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

import attrs
import cattrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Language, Text
from poverty_core.engine import DecisionResult
from poverty_core.errors import InputError, Problem
from poverty_core.rules import Outcome, Status

if TYPE_CHECKING:
    from poverty_core.packs import Pack
    from poverty_core.plugins import PackRegistry

__all__ = [
    "FORMAT",
    "RECORD_FORMAT",
    "DecisionRecord",
    "Difference",
    "InputDigest",
    "ParameterRecord",
    "Recorded",
    "ReferenceRecord",
    "RowsDigest",
    "Verification",
    "data_hash",
    "decide_batch_recorded",
    "decide_recorded",
    "decide_transitions_recorded",
    "decision_record",
    "input_digest",
    "job_record",
    "pack_data_hashes",
    "record_path",
    "record_view",
    "verify",
    "write_results",
]

FORMAT = "poverty-core-results/1"
"""The ``format`` of a results file :func:`write_results` writes."""

RECORD_FORMAT = "poverty-core-record/1"
"""The ``format`` of the record a register job writes beside a row-per-household results
file (:func:`record_path`)."""


def record_path(results: str | os.PathLike[str]) -> str:
    """Where the register job writes the decision record of a ``.csv``, ``.parquet`` or
    ``.jsonl`` results file: beside it, the same name with ``.record.json`` added (the
    results file stays a plain table a clerk opens in a spreadsheet; a ``.json`` results
    document carries its record inside, under ``record``)."""
    return os.fspath(results) + ".record.json"


@attrs.frozen
class ParameterRecord:
    """One parameter value a decision used: value, dates, source, origin, overridden."""

    name: str
    value: Any
    unit: str
    pack: str
    """The pack the value comes from (``caller`` when overridden)."""
    start: dt.date | None
    end: dt.date | None
    source: str | None
    locator: str | None
    overridden: bool = False


@attrs.frozen
class ReferenceRecord:
    """Reference data a decision read (:mod:`poverty_core.references`): its name, kind,
    row count and the SHA-256 of its content — never the data (they may hold ID
    numbers) — and the file it was read from, as the caller named it, so that
    :func:`verify` reads it again (``None``: given in memory). ``rows`` and ``sha256``
    are ``None`` when the run did not supply it (the rules reading it came out
    unknown)."""

    name: str
    kind: str
    rows: int | None
    sha256: str | None
    file: str | None = None


@attrs.frozen
class InputDigest:
    """The input rows by hash: how many, and the SHA-256 of their canonical JSON."""

    rows: int
    sha256: str
    source: str | None = None
    """The input file as the caller named it (``None`` for records in memory)."""


@attrs.frozen
class DecisionRecord:
    """What decided a result (see the module notes). No personal data, no inputs."""

    library: str
    pack: str
    chain: tuple[str, ...]
    versions: dict[str, str]
    data: dict[str, str]
    """Each pack of the chain → the SHA-256 of its data folder."""
    decision: str
    as_of: dt.date
    overrides: dict[str, Any]
    periods: dict[str, tuple[dt.date, dt.date | None]]
    """Periods the caller set for the run (:meth:`~poverty_core.packs.Pack.with_periods`)."""
    parameters: tuple[ParameterRecord, ...]
    inputs: InputDigest
    reading: dict[str, Any] = attrs.field(factory=dict)
    """How a register job read its input (files as the caller named them, layout,
    encoding, aliases …), so :func:`verify` reads it again the same way; empty for
    records in memory."""
    references: tuple[ReferenceRecord, ...] = ()
    """The reference data the criteria in force read, by name, kind, rows and hash."""

    def reference(self, name: str) -> ReferenceRecord | None:
        """The record of one reference the decision read, if it read it."""
        return next((r for r in self.references if r.name == name), None)

    def parameter(self, name: str) -> ParameterRecord | None:
        """The record of one parameter, if the decision used it."""
        return next((p for p in self.parameters if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (read back by :meth:`from_dict`)."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> DecisionRecord:
        """Read a record back; raises :class:`~poverty_core.errors.InputError` naming
        each bad field."""
        try:
            return _CONVERTER.structure(data, cls)
        except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
            lines = (
                cattrs.transform_error(exc, path="$.record")
                if isinstance(exc, cattrs.BaseValidationError)
                else [str(exc)]
            )
            raise InputError(
                [
                    Problem("record", Text(f"决策记录无效：{line}", f"invalid record: {line}"))
                    for line in lines
                ],
                what="results",
            ) from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
    conv.register_unstructure_hook_func(lambda t: t is Any, _jsonable)
    conv.register_structure_hook_func(lambda t: t is Any, lambda v, _: v)
    return conv


_CONVERTER = _make_converter()


# -- hashes -----------------------------------------------------------------------------------


def _files(root: Traversable, prefix: str = "") -> Iterable[tuple[str, Traversable]]:
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        path = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                yield from _files(item, path + "/")
        elif item.is_file():
            yield path, item


def data_hash(root: Traversable | None) -> str:
    """The SHA-256 of a pack's data folder: each file's path and bytes, in path order
    (an empty folder, or none, hashes the empty input)."""
    digest = hashlib.sha256()
    if root is not None and root.is_dir():
        for path, item in _files(root):
            digest.update(path.encode("utf-8") + b"\0")
            content = item.read_bytes()
            digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def pack_data_hashes(pack: Pack, registry: PackRegistry | None = None) -> dict[str, str]:
    """The data hash of each pack of ``pack``'s chain."""
    from poverty_core.plugins import default_registry

    out: dict[str, str] = {}
    for name in pack.chain:
        if name == pack.name:
            definition = pack.definition
        else:
            definition = (registry or default_registry()).definitions[name]
        out[name] = data_hash(definition.data)
    return out


def input_digest(records: Iterable[Any], *, source: str | None = None) -> InputDigest:
    """The rows by hash: each record's canonical JSON (``to_dict``, keys sorted), in
    order. Only the hash is kept."""
    digest = hashlib.sha256()
    rows = 0
    for record in records:
        line = json.dumps(record.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        digest.update(line.encode("utf-8") + b"\n")
        rows += 1
    return InputDigest(rows, digest.hexdigest(), source)


def _fixed_width(kind: pa.DataType) -> pa.DataType | None:
    """The type whose values' bytes stand for ``kind``'s (itself for numbers and
    booleans, the integer underneath for dates and times), or ``None`` (hashed as text)."""
    found: pa.DataType | None = None
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        found = kind
    elif pa.types.is_date32(kind) or pa.types.is_time32(kind):
        found = pa.int32()
    elif (
        pa.types.is_date64(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_time64(kind)
        or pa.types.is_duration(kind)
    ):
        found = pa.int64()
    return found


class RowsDigest:
    """The SHA-256 of a register's rows as the register reader gives them (Arrow tables
    of households and members), fed batch by batch.

    Each column — and each part of a nested one: validity, list lengths, struct fields —
    has its own running hash: of its values' bytes for numbers, booleans and dates (a
    null as 0, its validity hashed apart), else of its values as text (Arrow's cast):
    their lengths and their bytes, so the digest is the same however the rows are split
    into batches, and costs Arrow kernels, not a Python loop per row (about a quarter
    of a second for 200,000 households and their 710,000 members). The digest of the
    whole is the hash of the columns' hashes in name order. Only hashes are kept.
    """

    def __init__(self) -> None:
        self.rows = 0
        self._parts: dict[str, Any] = {}

    def update(self, households: pa.Table, members: pa.Table | None = None) -> None:
        """Feed one batch: its households and their members."""
        self.rows += households.num_rows
        for part, table in (("households", households), ("members", members)):
            if table is None:
                continue
            for name in table.column_names:
                for chunk in table.column(name).chunks:
                    self._feed(f"{part}.{name}", chunk)

    def _hash(self, key: str) -> Any:
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = hashlib.sha256()
        return found

    def _feed(self, key: str, array: pa.Array) -> None:
        kind = array.type
        if pa.types.is_dictionary(kind):
            array = array.dictionary_decode()
            kind = array.type
        self._hash(key + "#valid").update(
            np.ascontiguousarray(array.is_valid().to_numpy(zero_copy_only=False)).tobytes()
        )
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            lengths = pc.fill_null(pc.list_value_length(array), 0).cast(pa.int64())
            self._hash(key + "#len").update(lengths.to_numpy(zero_copy_only=False).tobytes())
            self._feed(key + "[]", array.flatten())
            return
        if pa.types.is_struct(kind):
            for field, child in zip(kind, array.flatten(), strict=True):
                self._feed(f"{key}.{field.name}", child)
            return
        fixed = _fixed_width(kind)
        if fixed is not None:  # numbers, booleans, dates: their values' bytes (nulls as 0)
            plain = array if fixed == kind else array.view(fixed)
            values = pc.fill_null(plain, pa.scalar(False if fixed == pa.bool_() else 0, fixed))
            self._hash(key + "#data").update(
                np.ascontiguousarray(values.to_numpy(zero_copy_only=False)).tobytes()
            )
            return
        try:
            text = array if pa.types.is_large_string(kind) else array.cast(pa.large_string())
        except pa.ArrowException:  # no cast to text for this type: its values as JSON
            text = pa.array(
                [json.dumps(v, sort_keys=True, default=str) for v in array.to_pylist()],
                pa.large_string(),
            )
        filled = pc.fill_null(text, "")
        lengths = pc.binary_length(filled).cast(pa.int64()).to_numpy(zero_copy_only=False)
        self._hash(key + "#len").update(lengths.tobytes())
        buffers = filled.buffers()
        if len(filled) and buffers[2] is not None:
            offsets = np.frombuffer(buffers[1], dtype=np.int64)
            start, end = offsets[filled.offset], offsets[filled.offset + len(filled)]
            self._hash(key + "#data").update(
                memoryview(buffers[2].slice(int(start), int(end - start)))
            )

    def digest(self, source: str | None = None) -> InputDigest:
        """The rows' count and hash (``source``: the input, as the caller names it)."""
        total = hashlib.sha256()
        for key in sorted(self._parts):
            total.update(key.encode("utf-8") + b"\0" + self._parts[key].digest())
        return InputDigest(self.rows, total.hexdigest(), source)


def _parameter_records(
    pack: Pack,
    decision: str,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    also: Sequence[str] = (),
) -> tuple[ParameterRecord, ...]:
    """Every parameter the decision's criteria in force read on the date (then those of
    the decisions ``also`` decided), with its value (or the caller's), in the order the
    criteria read them."""
    from poverty_core.engine import Params

    params = Params(pack, as_of, pack.check_overrides(overrides))
    names: dict[str, None] = {}
    for which in (decision, *also):
        plan = pack.readiness(which, as_of=as_of, overrides=overrides)
        names.update(
            dict.fromkeys(
                r.name for rule in plan.in_force for r in rule.refs() if r.kind == "param"
            )
        )
    out = []
    for name in names:
        use = params.use(name)
        parameter = pack.parameters[name]
        if use is None:  # a gap: recorded as no value
            out.append(
                ParameterRecord(name, None, parameter.unit, parameter.pack, None, None, None, None)
            )
            continue
        out.append(
            ParameterRecord(
                name,
                _jsonable(use.value),
                use.unit,
                use.pack,
                use.start,
                use.end,
                use.citation.source if use.citation else None,
                use.citation.locator if use.citation else None,
                use.overridden,
            )
        )
    return tuple(out)


def _reference_records(
    pack: Pack,
    decision: str,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    supplied: Mapping[str, Any],
    also: Sequence[str] = (),
) -> tuple[ReferenceRecord, ...]:
    """Every reference the decision's criteria in force read on the date (then those of
    ``also``), with the summary of the data supplied for it (none: not supplied)."""
    names: dict[str, None] = {}
    for which in (decision, *also):
        plan = pack.readiness(which, as_of=as_of, overrides=overrides)
        names.update(
            dict.fromkeys(
                r.name for rule in plan.in_force for r in rule.refs() if r.kind == "reference"
            )
        )
    out = []
    for name in names:
        data = supplied.get(name)
        spec = pack.references.get(name)
        kind = spec.kind if spec is not None else (data.kind if data is not None else "")
        if data is None:
            out.append(ReferenceRecord(name, kind, None, None))
        else:
            out.append(ReferenceRecord(name, kind, len(data), data.sha256, data.file))
    return tuple(out)


def decision_record(
    pack: Pack,
    decision: str,
    records: Iterable[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    registry: PackRegistry | None = None,
    references: Mapping[str, Any] | None = None,
) -> DecisionRecord:
    """The record of deciding ``decision`` of ``pack`` on ``records`` on ``as_of``
    (``references``: the reference data supplied for the run, on top of the pack's
    :meth:`~poverty_core.packs.Pack.with_references`)."""
    return _record(
        pack,
        decision,
        input_digest(records, source=source),
        as_of=as_of,
        overrides=overrides,
        registry=registry,
        references=references,
    )


def job_record(
    pack: Pack,
    decision: str,
    inputs: InputDigest,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    also: Sequence[str] = (),
    reading: Mapping[str, Any] | None = None,
    registry: PackRegistry | None = None,
) -> DecisionRecord:
    """The record of a register job (:func:`poverty_core.jobs.assess_register`): its
    household ``decision`` and the village and county decisions it also decided
    (``also``; their parameters are recorded too), the rows by their
    :class:`RowsDigest`, and how the register was read (``reading``); the reference
    data are those the pack carries (:meth:`~poverty_core.packs.Pack.with_references`)."""
    return _record(
        pack,
        decision,
        inputs,
        as_of=as_of,
        overrides=overrides,
        also=also,
        reading=reading,
        registry=registry,
    )


def _record(
    pack: Pack,
    decision: str,
    inputs: InputDigest,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None,
    also: Sequence[str] = (),
    reading: Mapping[str, Any] | None = None,
    registry: PackRegistry | None,
    references: Mapping[str, Any] | None = None,
) -> DecisionRecord:
    """The record both :func:`decision_record` and :func:`job_record` make."""
    from poverty_core import __version__

    overrides = dict(overrides or {})
    supplied = pack.check_references(references)
    return DecisionRecord(
        library=__version__,
        pack=pack.name,
        chain=tuple(pack.chain),
        versions=dict(pack.versions),
        data=pack_data_hashes(pack, registry),
        decision=decision,
        as_of=as_of,
        overrides={k: _jsonable(v) for k, v in pack.check_overrides(overrides).items()},
        periods={k: (p.start, p.end) for k, p in pack.run_periods.items()},
        parameters=_parameter_records(pack, decision, as_of, overrides, also),
        inputs=inputs,
        reading={k: _jsonable(v) for k, v in (reading or {}).items()},
        references=_reference_records(pack, decision, as_of, overrides, supplied, also),
    )


@attrs.frozen
class Recorded:
    """A result with the record of what decided it: a
    :class:`~poverty_core.DecisionResult`, a :class:`~poverty_core.BatchResult` or a
    :class:`~poverty_core.TransitionBatch`."""

    result: Any
    record: DecisionRecord


def decide_recorded(
    pack: Pack,
    decision: str,
    record: Any,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    references: Mapping[str, Any] | None = None,
) -> Recorded:
    """:meth:`Pack.decide <poverty_core.packs.Pack.decide>` with its decision record
    (``references``: reference data for the run, recorded by name, rows and hash)."""
    result = pack.decide(decision, record, as_of=as_of, overrides=overrides, references=references)
    return Recorded(
        result,
        decision_record(
            pack, decision, [record], as_of=as_of, overrides=overrides, references=references
        ),
    )


def decide_batch_recorded(
    pack: Pack,
    decision: str,
    records: Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    references: Mapping[str, Any] | None = None,
) -> Recorded:
    """:meth:`Pack.decide_batch <poverty_core.packs.Pack.decide_batch>` with its decision
    record (``source``: the input file, as the caller names it; ``references``: reference
    data for the run, recorded by name, rows, hash and the file they were read from)."""
    result = pack.decide_batch(
        decision, records, as_of=as_of, overrides=overrides, references=references
    )
    return Recorded(
        result,
        decision_record(
            pack,
            decision,
            records,
            as_of=as_of,
            overrides=overrides,
            source=source,
            references=references,
        ),
    )


def decide_transitions_recorded(
    pack: Pack,
    households: Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    references: Mapping[str, Any] | None = None,
    **options: Any,
) -> Recorded:
    """:func:`~poverty_core.decide_transitions` over a register with its decision
    record (of the exit decision the transitions rest on; ``references`` as for
    :func:`decide_batch_recorded`)."""
    from poverty_core.dynamic import EXIT_DECISION, decide_transitions

    if references:
        pack = pack.with_references(references)
    result = decide_transitions(pack, households, as_of=as_of, overrides=overrides, **options)
    return Recorded(
        result,
        decision_record(
            pack, EXIT_DECISION, households, as_of=as_of, overrides=overrides, source=source
        ),
    )


# -- in the report ---------------------------------------------------------------------------

_VIEW: dict[str, tuple[str, str]] = {
    "heading": ("决策记录", "Decision record"),
    "intro": (
        "本次评估由以下内容决定；凭结果文件可用 poverty-core verify 复核。记录不含个人信息，"
        "也不含输入的副本（输入只以哈希值记录）。",
        "What decided this run; poverty-core verify checks a results file against it. The "
        "record holds no personal data and no copy of the input (the rows only as a hash).",
    ),
    "library": ("程序版本", "Library version"),
    "versions": ("策略包版本", "Pack versions"),
    "data": ("策略包数据的哈希值", "Hash of each pack's data"),
    "as_of": ("评估日", "Date"),
    "parameters": ("使用的参数", "Parameters used"),
    "overridden": ("覆盖的参数（本次运行）", "Parameters overridden for this run"),
    "inputs": ("输入行的哈希值", "Hash of the input rows"),
    "references": ("参考数据（行数与哈希值）", "Reference data (rows and hash)"),
    "not_supplied": ("未提供", "not supplied"),
    "none": ("无", "none"),
    "count": (
        "{n} 个（各自的取值、日期与出处见决策记录）",
        "{n} (each one's value, dates and source are in the record)",
    ),
    "rows": ("{n} 行：{hash}", "{n} rows: {hash}"),
}


def record_view(
    record: Mapping[str, Any] | None,
    language: Language,
    parameter: Callable[[str], tuple[str, str]] | None = None,
) -> dict[str, Any] | None:
    """The record's summary as the report shows it (``record``: the JSON form of a
    :class:`DecisionRecord`): versions, each pack's data hash (its first 16 hex digits),
    the date, how many parameters were used, those overridden (``parameter`` gives a
    name's title and unit), the input rows' hash, the reference data read (rows and
    hash) — every label in ``language``."""
    from poverty_core._pictures import value_text

    if not record:
        return None
    zh = language == "zh"

    def t(key: str) -> str:
        return _VIEW[key][0 if zh else 1]

    sep = "；" if zh else "; "
    overridden = []
    for p in record.get("parameters") or []:
        if p.get("overridden"):
            title, unit = parameter(p["name"]) if parameter else (p["name"], p.get("unit", ""))
            shown = value_text(p.get("value"), unit, language)
            overridden.append(
                f"{title}（{p['name']}）= {shown}" if zh else f"{title} ({p['name']}) = {shown}"
            )
    versions = record.get("versions") or {}
    inputs = record.get("inputs") or {}
    rows = [
        (t("library"), f"poverty-core {record.get('library', '')}"),
        (
            t("versions"),
            " → ".join(f"{n} {versions.get(n, '')}".strip() for n in record.get("chain") or []),
        ),
        (t("data"), sep.join(f"{n} {h[:16]}" for n, h in (record.get("data") or {}).items())),
        (t("as_of"), str(record.get("as_of") or "")),
        (t("parameters"), t("count").format(n=len(record.get("parameters") or []))),
        (t("overridden"), sep.join(overridden) or t("none")),
        (
            t("inputs"),
            t("rows").format(n=inputs.get("rows", 0), hash=str(inputs.get("sha256", ""))[:16]),
        ),
    ]
    references = [
        f"{r.get('name', '')} "
        + (
            t("not_supplied")
            if r.get("sha256") is None
            else t("rows").format(n=r.get("rows", 0), hash=str(r["sha256"])[:16])
        )
        for r in record.get("references") or []
    ]
    if references:
        rows.append((t("references"), sep.join(references)))
    return {"heading": t("heading"), "intro": t("intro"), "rows": rows}


# -- results files ---------------------------------------------------------------------------


def _row(result: DecisionResult) -> dict[str, Any]:
    from poverty_core.privacy import mask_if_id_number

    return {
        "id": mask_if_id_number(result.subject_id),
        "outcome": result.outcome.value,
        "findings": [
            {
                "rule": f.rule.id,
                "status": f.status.value,
                "observed": _jsonable(f.observed),
                "required": _jsonable(f.required),
            }
            for f in result.findings
        ],
    }


def write_results(path: str | Path, recorded: Recorded) -> None:
    """Write a results file: the record, then each row's outcome and findings (status,
    observed and required values; ID numbers masked), atomically."""
    from poverty_core.io import write_json

    batch = recorded.result
    write_json(
        path,
        {
            "format": FORMAT,
            "record": recorded.record.to_dict(),
            "results": [_row(batch.result(i)) for i in range(len(batch))],
        },
    )


# -- verifying -------------------------------------------------------------------------------

Cause = Literal[
    "pack_version",
    "pack_data",
    "parameter",
    "override",
    "reference",
    "input",
    "outcome",
    "finding",
]

_CAUSES: dict[str, Text] = {
    "pack_version": Text("策略包版本不同", "a different pack version"),
    "pack_data": Text("策略包数据不同", "different pack data"),
    "parameter": Text("参数取值不同", "a parameter's value differs"),
    "override": Text("调用方覆盖的参数", "a parameter the caller overrode"),
    "reference": Text("参考数据不同", "different reference data"),
    "input": Text("输入不同", "different input"),
    "outcome": Text("判定结果不同", "a different outcome"),
    "finding": Text("判定依据不同", "a different finding"),
}


_STATUS_WORDS: dict[str, Text] = {
    code.value: code.label for code in (*Status, *Outcome) if code.value is not None
}
"""Outcome and finding status codes, as their labels (``'failed'`` → 未通过)."""


def _shown(value: Any, language: Language) -> str:
    """A recorded or re-run value in ``language``: a status or outcome by its label."""
    if isinstance(value, str) and value in _STATUS_WORDS:
        return _STATUS_WORDS[value][language]
    return repr(value)


@attrs.frozen
class Difference:
    """One thing that is not as the results file recorded it, and its cause."""

    kind: Cause
    what: str
    """The pack, parameter, row or ``row/criterion`` concerned."""
    recorded: Any
    now: Any
    cause: Text
    """Why, in both languages (for an outcome: the record-level differences behind it)."""

    def explain(self, language: Language = "en") -> str:
        """One line."""
        change = f"{_shown(self.recorded, language)} → {_shown(self.now, language)}"
        return f"{_CAUSES[self.kind][language]}: {self.what}: {change} ({self.cause[language]})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "kind": self.kind,
            "what": self.what,
            "recorded": _jsonable(self.recorded),
            "now": _jsonable(self.now),
            "cause": self.cause.to_dict(),
        }


@attrs.frozen
class Verification:
    """The result of :func:`verify`."""

    results: int
    """Rows re-run."""
    differences: tuple[Difference, ...]

    @property
    def reproduced(self) -> bool:
        """True when every outcome and finding is reproduced and nothing that decided
        them differs."""
        return not self.differences

    def explain(self, language: Language = "en") -> str:
        """A readable account."""
        zh = language == "zh"
        if self.reproduced:
            return (
                f"已复现：{self.results} 条结果与判定依据全部一致"
                if zh
                else f"reproduced: all {self.results} results and their findings agree"
            )
        head = (
            f"未能复现：{len(self.differences)} 处不同"
            if zh
            else f"not reproduced: {len(self.differences)} difference(s)"
        )
        return "\n".join([head, *("  " + d.explain(language) for d in self.differences)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "reproduced": self.reproduced,
            "results": self.results,
            "differences": [d.to_dict() for d in self.differences],
        }


def _read_inputs(path: str | Path, pack: Pack, as_of: dt.date) -> list[Any]:
    from poverty_core.io import read_dataset

    p = Path(path)
    if p.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        return list(read_dataset(p, pack=pack, as_of=as_of).households)
    from poverty_core.columnar import open_register, records_from_tables

    batch = open_register(p, pack=pack, as_of=as_of).read_all()
    return records_from_tables(batch.households, batch.members, cls=pack.record_type("household"))


def verify(
    results: str | Path,
    inputs: str | Path | None = None,
    *,
    references: Mapping[str, Any] | None = None,
    registry: PackRegistry | None = None,
) -> Verification:
    """Re-run a results file (:func:`write_results`) against its inputs (by default the
    file its record names, relative to the results file's folder when not found as
    given) and name every difference with its cause: the pack's version or data, a
    parameter's value (named), an override, reference data (named), the input — and
    each outcome and finding that changed, with the record-level differences that
    explain it.

    The reference data the record names are read again from the files it records;
    ``references`` (name → a file, or the data as
    :meth:`~poverty_core.packs.Pack.with_references` takes them) replaces one, as
    ``inputs`` replaces the recorded input; a reference given in memory must be given
    again here."""
    from poverty_core.convert import loads_json
    from poverty_core.plugins import default_registry

    path = Path(results)
    if path.suffix.lower() in (".csv", ".parquet", ".jsonl"):
        return _verify_beside(path, inputs, registry, references)
    try:
        data = loads_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    Text(f"无法读取结果文件：{exc}", f"cannot read the results file: {exc}"),
                )
            ],
            what="results",
        ) from None
    if isinstance(data, dict) and data.get("format") == RECORD_FORMAT and "record" in data:
        # the record beside a register job's results file, given instead of the file
        target = path.parent / str(data.get("results") or "")
        record = DecisionRecord.from_dict(data["record"])
        return _verify_job(target, record, inputs, registry, references)
    if isinstance(data, dict) and "households" in data and isinstance(data.get("record"), dict):
        # a register job's whole assessment (assess -o FILE.json)
        record = DecisionRecord.from_dict(data["record"])
        return _verify_job(path, record, inputs, registry, references)
    if not isinstance(data, dict) or data.get("format") != FORMAT or "record" not in data:
        raise InputError(
            [
                Problem(
                    str(path),
                    Text(
                        f"不是结果文件：应由 poverty-core record 写出（{FORMAT}），或由 "
                        "poverty-core assess -o 写出（附决策记录）",
                        f"not a results file: one poverty-core record writes ({FORMAT}), or "
                        "one poverty-core assess -o writes (with its decision record)",
                    ),
                )
            ],
            what="results",
        )
    record = DecisionRecord.from_dict(data["record"])
    source = inputs if inputs is not None else record.inputs.source
    if source is None:
        raise InputError(
            [
                Problem(
                    "inputs",
                    Text(
                        "结果文件未记录输入文件：请给出 --input",
                        "the results file names no input: give --input",
                    ),
                )
            ],
            what="results",
        )
    input_path = _beside(path, source)
    reg = registry or default_registry()
    pack = _resupplied(path, record, reg, references)
    records = _read_inputs(input_path, pack, record.as_of)
    now = decision_record(
        pack,
        record.decision,
        records,
        as_of=record.as_of,
        overrides=record.overrides,
        source=record.inputs.source,
        registry=reg,
    )
    differences = _record_differences(record, now, str(source))
    rows = data.get("results") or []
    differences += _result_differences(pack, record, records, rows, differences)
    return Verification(len(rows), tuple(differences))


def _verify_beside(
    path: Path,
    inputs: str | os.PathLike[str] | None,
    registry: PackRegistry | None,
    references: Mapping[str, Any] | None = None,
) -> Verification:
    """Verify a row-per-household results file by the record beside it."""
    from poverty_core.convert import loads_json

    beside = Path(record_path(path))
    if not beside.exists():
        raise InputError(
            [
                Problem(
                    str(beside),
                    Text(
                        "找不到结果文件旁的决策记录（poverty-core assess -o 写出）",
                        "no decision record beside the results file (poverty-core "
                        "assess -o writes one)",
                    ),
                )
            ],
            what="results",
        )
    try:
        side = loads_json(beside.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(
            [Problem(str(beside), Text(f"无法读取：{exc}", f"cannot read: {exc}"))],
            what="results",
        ) from None
    if not isinstance(side, dict) or side.get("format") != RECORD_FORMAT:
        raise InputError(
            [
                Problem(
                    str(beside),
                    Text(f"不是 {RECORD_FORMAT} 格式", f"not a {RECORD_FORMAT} file"),
                )
            ],
            what="results",
        )
    record = DecisionRecord.from_dict(side.get("record"))
    return _verify_job(path, record, inputs, registry, references)


def _resupplied(
    results: Path,
    record: DecisionRecord,
    registry: PackRegistry,
    given: Mapping[str, Any] | None,
) -> Pack:
    """The recorded pack with the recorded periods and the reference data supplied
    again: each one the caller gives (a file, or the data), else read from the file the
    record names (relative to the results file's folder when not found as given). A
    reference the record names with data but no file must be given: an
    :class:`~poverty_core.errors.InputError` says so."""
    from poverty_core.references import read_reference_file

    pack = registry.load(record.pack)
    if record.periods:
        pack = pack.with_periods(dict(record.periods))
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for r in record.references:
        if r.sha256 is None or (given and r.name in given):
            continue
        spec = pack.references.get(r.name)
        if r.file is None or spec is None:
            problems.append(
                Problem(
                    f"references.{r.name}",
                    Text(
                        f"决策记录中的参考数据 {r.name} 未记录文件：请给出 "
                        f"--reference {r.name}=FILE",
                        f"the record's reference {r.name} names no file: give "
                        f"--reference {r.name}=FILE",
                    ),
                )
            )
            continue
        found = read_reference_file(spec, _beside(results, r.file))
        data[r.name] = attrs.evolve(found, file=r.file)
    if problems:
        raise InputError(problems, what="results")
    for name, value in (given or {}).items():
        spec = pack.references.get(name)
        if spec is not None and isinstance(value, str | os.PathLike):
            data[name] = read_reference_file(spec, Path(value))
        else:  # undeclared names and bad data: check_references names them
            data[name] = value
    return pack.with_references(data) if data else pack


def _reference_differences(record: DecisionRecord, now: DecisionRecord) -> list[Difference]:
    """Each reference whose data (rows or content hash) differ from the record's."""
    out = []
    before = {r.name: r for r in record.references}
    after = {r.name: r for r in now.references}
    for name in list(before) + [n for n in after if n not in before]:
        a, b = before.get(name), after.get(name)
        if (a and (a.rows, a.sha256)) == (b and (b.rows, b.sha256)):
            continue
        out.append(
            Difference(
                "reference",
                name,
                None if a is None or a.sha256 is None else a.sha256[:12],
                None if b is None or b.sha256 is None else b.sha256[:12],
                Text(
                    f"参考数据 {name} 的内容已改变：{_reference_text(a, 'zh')} → "
                    f"{_reference_text(b, 'zh')}",
                    f"reference {name}'s data changed: {_reference_text(a)} → {_reference_text(b)}",
                ),
            )
        )
    return out


def _reference_text(r: ReferenceRecord | None, language: Language = "en") -> str:
    if r is None or r.sha256 is None:
        return "未提供" if language == "zh" else "not supplied"
    return f"{r.rows} 行 {r.sha256[:12]}" if language == "zh" else f"{r.rows} rows {r.sha256[:12]}"


def _beside(results: Path, given: str | os.PathLike[str]) -> Path:
    """An input as the record names it, else relative to the results file's folder."""
    found = Path(given)
    if not found.exists() and not found.is_absolute():
        found = results.parent / found
    return found


def _record_differences(
    record: DecisionRecord, now: DecisionRecord, source: str
) -> list[Difference]:
    """What differs between the record and the one a re-run makes: versions, pack data,
    parameters (each named), the input rows."""
    differences: list[Difference] = []
    for name in sorted(set(record.versions) | set(now.versions)):
        a, b = record.versions.get(name), now.versions.get(name)
        if a != b:
            differences.append(
                Difference(
                    "pack_version",
                    name,
                    a,
                    b,
                    Text(f"策略包 {name} 的版本", f"pack {name}'s version"),
                )
            )
    for name in sorted(set(record.data) | set(now.data)):
        a, b = record.data.get(name), now.data.get(name)
        if a != b:
            differences.append(
                Difference(
                    "pack_data",
                    name,
                    a,
                    b,
                    Text(f"策略包 {name} 的数据文件已改变", f"pack {name}'s data files changed"),
                )
            )
    differences += _parameter_differences(record, now)
    differences += _reference_differences(record, now)
    if (record.inputs.rows, record.inputs.sha256) != (now.inputs.rows, now.inputs.sha256):
        differences.append(
            Difference(
                "input",
                source,
                f"{record.inputs.rows} rows {record.inputs.sha256[:12]}",
                f"{now.inputs.rows} rows {now.inputs.sha256[:12]}",
                Text("输入行的哈希不同", "the input rows hash differently"),
            )
        )
    return differences


_READ_AGAIN = (
    "members",
    "sample",
    "villages",
    "counties",
    "on_error",
    "encoding",
    "aliases",
    "ignore_columns",
    "layout",
    "interpretations",
)


def _verify_job(
    results: Path,
    record: DecisionRecord,
    inputs: str | os.PathLike[str] | None,
    registry: PackRegistry | None,
    references: Mapping[str, Any] | None = None,
) -> Verification:
    """Re-run a register job as its record says (the same pack, date, overrides, periods,
    reference data and reading) and compare the record and each household's outcome and criterion
    statuses with the results file's."""
    from poverty_core.jobs import assess_register
    from poverty_core.plugins import default_registry

    reading = dict(record.reading)
    households = inputs if inputs is not None else reading.get("households")
    if households is None and not reading.get("sample"):
        raise InputError(
            [
                Problem(
                    "inputs",
                    Text(
                        "决策记录未记录输入文件：请给出 --input",
                        "the record names no input: give --input",
                    ),
                )
            ],
            what="results",
        )
    options: dict[str, Any] = {k: reading[k] for k in _READ_AGAIN if reading.get(k) is not None}
    if inputs is not None:  # the caller's input replaces the recorded one, a sample too
        options.pop("sample", None)
    for name in ("members", "villages", "counties"):
        if name in options:
            options[name] = _beside(results, str(options[name]))
    reg = registry or default_registry()
    pack = _resupplied(results, record, reg, references)
    rerun = assess_register(
        None if households is None else _beside(results, households),
        pack=pack,
        decision=record.decision,
        as_of=record.as_of,
        overrides=record.overrides,
        allow_undetermined=True,
        keep_results=True,
        registry=reg,
        **options,
    )
    assert rerun.record is not None
    source = str(households if households is not None else reading.get("sample"))
    differences = _record_differences(record, rerun.record, source)
    rows = _result_rows(results)
    if rerun.results is not None and len(rows) == rerun.results.num_rows:
        differences += _job_row_differences(pack, rerun.results, rows, results, differences)
    return Verification(len(rows), tuple(differences))


def _result_rows(path: Path) -> list[dict[str, Any]]:
    """The household rows of a register job's results file, values as text."""
    from poverty_core.convert import loads_json

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import csv

            with open(path, encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_table(path).to_pylist())
        if suffix == ".jsonl":
            with open(path, encoding="utf-8") as handle:
                return [json.loads(line) for line in handle if line.strip()]
        data = loads_json(path.read_bytes())
        return list(data.get("households") or []) if isinstance(data, dict) else []
    except (OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    Text(f"无法读取结果文件：{exc}", f"cannot read the results file: {exc}"),
                )
            ],
            what="results",
        ) from None


def _job_row_differences(
    pack: Pack,
    table: pa.Table,
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    found: Sequence[Difference],
) -> list[Difference]:
    """Each household whose outcome or criterion status differs from the results file's,
    with the record-level causes behind it."""
    from poverty_core.batch import neutralise_formulas, plain_columns

    table = plain_columns(table)
    if path.suffix.lower() == ".csv":  # as the CSV writer wrote it
        table = neutralise_formulas(table)
    criteria = [c for c in table.column_names if c in pack.criteria]
    reads = {cid: _reads(pack.criteria[cid]) for cid in criteria}
    record_causes = [d for d in found if d.kind in ("pack_version", "pack_data", "input")]
    out: list[Difference] = []
    for i, (now, was) in enumerate(zip(table.to_pylist(), rows, strict=True)):
        rid = str(now["id"])
        if str(was.get("id")) != rid:
            out.append(
                Difference(
                    "input",
                    f"row {i}",
                    was.get("id"),
                    rid,
                    Text("行的编号不同", "the row's id differs"),
                )
            )
            continue
        blamed: list[Difference] = []
        for cid in criteria:
            before, after = was.get(cid), now.get(cid)
            if (before or None) == (after or None):
                continue
            params = [d for d in found if _blames(d, reads[cid])]
            blamed.append(
                Difference(
                    "finding", f"{rid}/{cid}", before, after, _joined(params or record_causes)
                )
            )
        if was.get("outcome") != now["outcome"]:
            cause = _joined_findings(blamed) if blamed else _joined(record_causes)
            out.append(Difference("outcome", rid, was.get("outcome"), now["outcome"], cause))
        out += blamed
    return out


def _reads(criterion: Any) -> set[tuple[str, str]]:
    """The parameters and references a criterion reads, as ``(kind, name)``."""
    return {(r.kind, r.name) for r in criterion.refs() if r.kind in ("param", "reference")}


def _blames(difference: Difference, reads: set[tuple[str, str]]) -> bool:
    """Whether a record-level difference (a parameter, override or reference) is one a
    criterion reading ``reads`` depends on."""
    kind = {"parameter": "param", "override": "param", "reference": "reference"}
    return (kind.get(difference.kind, ""), difference.what) in reads


def _parameter_differences(record: DecisionRecord, now: DecisionRecord) -> list[Difference]:
    out = []
    before = {p.name: p for p in record.parameters}
    after = {p.name: p for p in now.parameters}
    for name in list(before) + [n for n in after if n not in before]:
        a, b = before.get(name), after.get(name)
        if _parameter_key(a) == _parameter_key(b):
            continue
        overridden = bool(a is not None and a.overridden)
        cause = (
            Text(f"参数 {name} 由调用方覆盖", f"parameter {name} was overridden by the caller")
            if overridden
            else Text(
                f"参数 {name}：{_value_text(a)} → {_value_text(b)}",
                f"parameter {name}: {_value_text(a)} → {_value_text(b)}",
            )
        )
        out.append(
            Difference(
                "override" if overridden else "parameter",
                name,
                None if a is None else a.value,
                None if b is None else b.value,
                cause,
            )
        )
    return out


def _parameter_key(p: ParameterRecord | None) -> tuple[Any, ...] | None:
    return None if p is None else (p.value, p.start, p.end, p.source, p.locator, p.pack)


def _value_text(p: ParameterRecord | None) -> str:
    if p is None:
        return "—"
    where = f" [{p.source} {p.locator}]".rstrip() if p.source else ""
    dates = f" {p.start}–{p.end or ''}" if p.start else ""
    return f"{p.value}{dates}{where}"


def _result_differences(
    pack: Pack,
    record: DecisionRecord,
    records: Sequence[Any],
    rows: Sequence[Any],
    found: Sequence[Difference],
) -> list[Difference]:
    """Each outcome and finding that changed, with the record-level causes behind it."""
    from poverty_core.privacy import mask_if_id_number

    out: list[Difference] = []
    if len(records) != len(rows):
        return out  # the input difference already says so
    batch = pack.decide_batch(
        record.decision, records, as_of=record.as_of, overrides=record.overrides
    )
    reads = {r.id: _reads(r) for r in pack.criteria.values()}
    record_causes = [d for d in found if d.kind in ("pack_version", "pack_data", "input")]
    for i, row in enumerate(rows):
        result = batch.result(i)
        rid = mask_if_id_number(result.subject_id)
        if row.get("id") != rid:
            out.append(
                Difference(
                    "input",
                    f"row {i}",
                    row.get("id"),
                    rid,
                    Text("行的编号不同", "the row's id differs"),
                )
            )
            continue
        findings = {f["rule"]: f for f in row.get("findings", [])}
        blamed: list[Difference] = []
        for f in result.findings:
            was = findings.get(f.rule.id)
            values = (f.status.value, _jsonable(f.observed), _jsonable(f.required))
            if was is not None and (was["status"], was["observed"], was["required"]) == values:
                continue
            params = [d for d in found if _blames(d, reads.get(f.rule.id, set()))]
            causes = params or record_causes
            blamed.append(
                Difference(
                    "finding",
                    f"{rid}/{f.rule.id}",
                    None if was is None else was["status"],
                    f.status.value,
                    _joined(causes),
                )
            )
        if row.get("outcome") != result.outcome.value:
            cause = _joined_findings(blamed) if blamed else _joined(record_causes)
            out.append(Difference("outcome", rid, row.get("outcome"), result.outcome.value, cause))
        out += blamed
    return out


def _joined(causes: Sequence[Difference]) -> Text:
    if not causes:
        return Text("原因不明：记录中的一切均未改变", "unexplained: nothing in the record changed")
    return Text(
        "；".join(d.cause.zh for d in causes),
        "; ".join(d.cause.en for d in causes),
    )


def _joined_findings(blamed: Sequence[Difference]) -> Text:
    if not blamed:
        return _joined(())
    return Text(
        "；".join(f"{b.what}：{b.cause.zh}" for b in blamed),
        "; ".join(f"{b.what}: {b.cause.en}" for b in blamed),
    )


# -- the command line ------------------------------------------------------------------------


def add_record_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core record``."""
    parser.add_argument("input", help="the register (JSON, JSON Lines or a register file) / 登记册")
    parser.add_argument("--pack", default="national", help="pack name (default: national)")
    parser.add_argument(
        "--decision", default="household_exit", help="household decision (default: household_exit)"
    )
    parser.add_argument(
        "--as-of", type=_date, metavar="DATE", help="the date (default: the file's as_of)"
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter for this run (recorded as overridden) / 覆盖参数",
    )
    _reference_argument(
        parser,
        "reference data the pack declares, from a CSV or JSON file (recorded by name, rows, "
        "hash and file, never the data) / 参考数据",
    )
    parser.add_argument("-o", "--output", required=True, help="the results file to write (.json)")
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core verify``."""
    parser.add_argument(
        "results",
        help="a results file: one poverty-core record wrote, or one poverty-core assess -o "
        "wrote (its decision record beside it, FILE.record.json, or inside a .json) / 结果文件",
    )
    parser.add_argument(
        "--input",
        help="the inputs to re-run (default: the file the record names) / 输入文件",
    )
    _reference_argument(
        parser,
        "reference data to re-supply instead of the file the record names (needed for "
        "data given in memory) / 替换记录中的参考数据文件",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


def _reference_argument(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument(
        "--reference",
        dest="references",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help=text,
    )


def _references(given: Sequence[str]) -> dict[str, str]:
    """``--reference NAME=FILE`` options as name → file (a malformed one is an
    :class:`~poverty_core.errors.InputError`)."""
    out: dict[str, str] = {}
    problems = []
    for item in given:
        name, sep, file = item.partition("=")
        if not sep or not name.strip() or not file.strip():
            problems.append(
                Problem(
                    "--reference",
                    Text(f"应为 NAME=FILE：{item!r}", f"expected NAME=FILE, got {item!r}"),
                )
            )
            continue
        out[name.strip()] = file.strip()
    if problems:
        raise InputError(problems, what="--reference")
    return out


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def run_record(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core record``: decide a register and write a results file with its
    decision record; 0, or 2 when no date is known."""
    from poverty_core.packs import coerce_parameter
    from poverty_core.plugins import load_pack
    from poverty_core.references import read_reference_file

    language: Language = args.lang
    pack = load_pack(args.pack)
    given = _references(getattr(args, "references", []))
    if given:
        unknown = [
            Problem(
                f"--reference {name}",
                Text(
                    f"策略包 {pack.name} 未声明参考数据 {name}",
                    f"pack {pack.name} declares no reference {name}",
                ),
            )
            for name in given
            if name not in pack.references
        ]
        if unknown:
            raise InputError(unknown, what="--reference")
        pack = pack.with_references(
            {n: read_reference_file(pack.references[n], Path(f)) for n, f in given.items()}
        )
    as_of = args.as_of
    path = Path(args.input)
    if as_of is None and path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        from poverty_core.io import read_dataset

        as_of = read_dataset(path, pack=pack).as_of
    if as_of is None:
        print(
            Text("请给出 --as-of（文件未给出日期）", "give --as-of (the file has no as_of)")[
                language
            ],
            file=sys.stderr,
        )
        return 2
    overrides: dict[str, Any] = {}
    problems = []
    for setting in args.settings:
        name, sep, raw = setting.partition("=")
        if not sep:
            problems.append(
                Problem(
                    "--set",
                    Text(f"应为 NAME=值：{setting!r}", f"expected NAME=VALUE, got {setting!r}"),
                )
            )
            continue
        parameter = pack.parameter(name.strip())
        try:
            overrides[parameter.name] = coerce_parameter(parameter, raw.strip())
        except ValueError as exc:
            problems.append(
                Problem(f"--set {name}", Text(f"取值无效：{exc}", f"invalid value: {exc}"))
            )
    if problems:
        raise InputError(problems, what="--set")
    records = _read_inputs(path, pack, as_of)
    recorded = decide_batch_recorded(
        pack, args.decision, records, as_of=as_of, overrides=overrides, source=str(args.input)
    )
    write_results(args.output, recorded)
    c = recorded.result.counts()
    n = len(records)
    out.write(
        Text(
            f"已写出 {args.output}：{n} 条结果（符合 {c['eligible']}，不符合 "
            f"{c['not_eligible']}，无法判定 {c['undetermined']}），附决策记录",
            f"wrote {args.output}: {n} results ({c['eligible']} eligible, "
            f"{c['not_eligible']} not eligible, {c['undetermined']} undetermined) with their "
            "decision record",
        )[language]
        + "\n"
    )
    return 0


def run_verify(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core verify``: 0 when reproduced, 1 when not (each difference named),
    for a results file ``record`` or ``assess -o`` wrote."""
    from poverty_core.io import json_text
    from poverty_core.privacy import redact_data

    given = _references(getattr(args, "references", []))
    result = verify(args.results, args.input, references=given or None)
    if args.format == "json":
        out.write(json_text(redact_data(result.to_dict()), "standard output") + "\n")
    else:
        out.write(result.explain(args.lang) + "\n")
    return 0 if result.reproduced else 1
