"""Verifying a results file (:func:`verify`): re-run it against its inputs — a
decision's results file, or a register job's beside its record — and name every
difference with its cause (:class:`Difference`, :class:`Verification`)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pyarrow.parquet as pq

from poverty_core._text import Text
from poverty_core._wording import option
from poverty_core.convert import loads_json
from poverty_core.differences import (
    Verification,
    job_row_differences,
    record_differences,
    result_differences,
)
from poverty_core.errors import InputError, Problem
from poverty_core.io import read_dataset
from poverty_core.jobs import assess_register
from poverty_core.plugins import default_registry
from poverty_core.read_options import ReadOptions
from poverty_core.record_model import FORMAT, RECORD_FORMAT, DecisionRecord, record_path
from poverty_core.recording import decision_record
from poverty_core.references import read_reference_file
from poverty_core.registers import open_register, records_from_tables

if TYPE_CHECKING:
    from poverty_core.packs import Pack
    from poverty_core.plugins import PackRegistry


def read_inputs(path: str | Path, pack: Pack, as_of: dt.date) -> list[Any]:
    """The records of an input file (JSON, JSON Lines, or a register file), read with
    ``pack``'s fields on ``as_of``."""
    p = Path(path)
    if p.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        return list(read_dataset(p, pack=pack, as_of=as_of).households)

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
    records = read_inputs(input_path, pack, record.as_of)
    now = decision_record(
        pack,
        record.decision,
        records,
        as_of=record.as_of,
        overrides=record.overrides,
        source=record.inputs.source,
        registry=reg,
    )
    differences = record_differences(record, now, str(source))
    rows = data.get("results") or []
    differences += result_differences(pack, record, records, rows, differences)
    return Verification(len(rows), tuple(differences))


def _verify_beside(
    path: Path,
    inputs: str | os.PathLike[str] | None,
    registry: PackRegistry | None,
    references: Mapping[str, Any] | None = None,
) -> Verification:
    """Verify a row-per-household results file by the record beside it."""

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
                        f"{option('reference', 'zh', name=r.name)}",
                        f"the record's reference {r.name} names no file: give "
                        f"{option('reference', name=r.name)}",
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


def _beside(results: Path, given: str | os.PathLike[str]) -> Path:
    """An input as the record names it, else relative to the results file's folder."""
    found = Path(given)
    if not found.exists() and not found.is_absolute():
        found = results.parent / found
    return found


_READ_AGAIN = ("members", "sample", "villages", "counties")
"""The files a register job's record names beside the households file (how they were
read is :meth:`~poverty_core.read_options.ReadOptions.from_recorded`)."""


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
        read=ReadOptions.from_recorded(reading),
        **options,
    )
    assert rerun.record is not None
    source = str(households if households is not None else reading.get("sample"))
    differences = record_differences(record, rerun.record, source)
    rows = _result_rows(results)
    if rerun.results is not None and len(rows) == rerun.results.num_rows:
        differences += job_row_differences(pack, rerun.results, rows, results, differences)
    return Verification(len(rows), tuple(differences))


def _result_rows(path: Path) -> list[dict[str, Any]]:
    """The household rows of a register job's results file, values as text."""

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))
        if suffix == ".parquet":
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
