"""Verifying a results file (:func:`verify`): re-run it against its inputs — a
decision's results file, or a register job's beside its record — and name every
difference with its cause (:class:`Difference`, :class:`Verification`)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from poverty_core._text import Language, Text
from poverty_core.batch import neutralise_formulas, plain_columns
from poverty_core.columnar import open_register, records_from_tables
from poverty_core.convert import loads_json
from poverty_core.errors import InputError, Problem
from poverty_core.io import read_dataset
from poverty_core.jobs import assess_register
from poverty_core.plugins import default_registry
from poverty_core.privacy import mask_if_id_number
from poverty_core.read_options import ReadOptions
from poverty_core.record_model import (
    FORMAT,
    RECORD_FORMAT,
    DecisionRecord,
    ParameterRecord,
    ReferenceRecord,
    jsonable,
    record_path,
)
from poverty_core.recording import decision_record
from poverty_core.references import read_reference_file
from poverty_core.rules import Outcome, Status

if TYPE_CHECKING:
    from poverty_core.packs import Pack
    from poverty_core.plugins import PackRegistry


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
            "recorded": jsonable(self.recorded),
            "now": jsonable(self.now),
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
    differences = _record_differences(record, rerun.record, source)
    rows = _result_rows(results)
    if rerun.results is not None and len(rows) == rerun.results.num_rows:
        differences += _job_row_differences(pack, rerun.results, rows, results, differences)
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


def _job_row_differences(
    pack: Pack,
    table: pa.Table,
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    found: Sequence[Difference],
) -> list[Difference]:
    """Each household whose outcome or criterion status differs from the results file's,
    with the record-level causes behind it."""

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
            values = (f.status.value, jsonable(f.observed), jsonable(f.required))
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
