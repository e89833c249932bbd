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
(keys sorted) in row order. Python rules are identified by their pack's version (their
code is not hashed: a rule may hold a function). Hand-written on :mod:`hashlib` and
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
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

import attrs
import cattrs

from poverty_core._text import Language, Text
from poverty_core.engine import DecisionResult
from poverty_core.errors import InputError, Problem

if TYPE_CHECKING:
    from poverty_core.packs import Pack, PackRegistry

__all__ = [
    "FORMAT",
    "DecisionRecord",
    "Difference",
    "InputDigest",
    "ParameterRecord",
    "Recorded",
    "Verification",
    "data_hash",
    "decide_batch_recorded",
    "decide_recorded",
    "decide_transitions_recorded",
    "decision_record",
    "input_digest",
    "pack_data_hashes",
    "verify",
    "write_results",
]

FORMAT = "poverty-core-results/1"
"""The ``format`` of a results file :func:`write_results` writes."""


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
    from poverty_core.packs import default_registry

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


def _parameter_records(
    pack: Pack, decision: str, as_of: dt.date, overrides: Mapping[str, Any]
) -> tuple[ParameterRecord, ...]:
    """Every parameter the decision's criteria in force read on the date, with its value
    (or the caller's), in the order the criteria read them."""
    from poverty_core.engine import Params

    plan = pack.readiness(decision, as_of=as_of, overrides=overrides)
    params = Params(pack, as_of, pack.check_overrides(overrides))
    names = dict.fromkeys(
        r.name for rule in plan.in_force for r in rule.refs() if r.kind == "param"
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


def decision_record(
    pack: Pack,
    decision: str,
    records: Iterable[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    registry: PackRegistry | None = None,
) -> DecisionRecord:
    """The record of deciding ``decision`` of ``pack`` on ``records`` on ``as_of``."""
    from poverty_core import __version__

    overrides = dict(overrides or {})
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
        parameters=_parameter_records(pack, decision, as_of, overrides),
        inputs=input_digest(records, source=source),
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
) -> Recorded:
    """:meth:`Pack.decide <poverty_core.packs.Pack.decide>` with its decision record."""
    result = pack.decide(decision, record, as_of=as_of, overrides=overrides)
    return Recorded(
        result, decision_record(pack, decision, [record], as_of=as_of, overrides=overrides)
    )


def decide_batch_recorded(
    pack: Pack,
    decision: str,
    records: Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> Recorded:
    """:meth:`Pack.decide_batch <poverty_core.packs.Pack.decide_batch>` with its decision
    record (``source``: the input file, as the caller names it)."""
    result = pack.decide_batch(decision, records, as_of=as_of, overrides=overrides)
    return Recorded(
        result,
        decision_record(pack, decision, records, as_of=as_of, overrides=overrides, source=source),
    )


def decide_transitions_recorded(
    pack: Pack,
    households: Sequence[Any],
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    **options: Any,
) -> Recorded:
    """:func:`~poverty_core.decide_transitions` over a register with its decision
    record (of the exit decision the transitions rest on)."""
    from poverty_core.dynamic import EXIT_DECISION, decide_transitions

    result = decide_transitions(pack, households, as_of=as_of, overrides=overrides, **options)
    return Recorded(
        result,
        decision_record(
            pack, EXIT_DECISION, households, as_of=as_of, overrides=overrides, source=source
        ),
    )


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

Cause = Literal["pack_version", "pack_data", "parameter", "override", "input", "outcome", "finding"]

_CAUSES: dict[str, Text] = {
    "pack_version": Text("策略包版本不同", "a different pack version"),
    "pack_data": Text("策略包数据不同", "different pack data"),
    "parameter": Text("参数取值不同", "a parameter's value differs"),
    "override": Text("调用方覆盖的参数", "a parameter the caller overrode"),
    "input": Text("输入不同", "different input"),
    "outcome": Text("判定结果不同", "a different outcome"),
    "finding": Text("判定依据不同", "a different finding"),
}


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
        change = f"{self.recorded!r} → {self.now!r}"
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
    registry: PackRegistry | None = None,
) -> Verification:
    """Re-run a results file (:func:`write_results`) against its inputs (by default the
    file its record names, relative to the results file's folder when not found as
    given) and name every difference with its cause: the pack's version or data, a
    parameter's value (named), an override, the input — and each outcome and finding
    that changed, with the record-level differences that explain it."""
    from poverty_core.convert import loads_json
    from poverty_core.packs import default_registry

    path = Path(results)
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
    if not isinstance(data, dict) or data.get("format") != FORMAT or "record" not in data:
        raise InputError(
            [
                Problem(
                    str(path),
                    Text(
                        f"不是 {FORMAT} 格式的结果文件（由 poverty-core record 写出）",
                        f"not a {FORMAT} results file (as poverty-core record writes)",
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
    input_path = Path(source)
    if not input_path.exists() and not input_path.is_absolute():
        input_path = path.parent / input_path
    reg = registry or default_registry()
    pack = reg.load(record.pack)
    if record.periods:
        pack = pack.with_periods(dict(record.periods))
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
    changed_parameters = _parameter_differences(record, now)
    differences += changed_parameters
    if (record.inputs.rows, record.inputs.sha256) != (now.inputs.rows, now.inputs.sha256):
        differences.append(
            Difference(
                "input",
                str(source),
                f"{record.inputs.rows} rows {record.inputs.sha256[:12]}",
                f"{now.inputs.rows} rows {now.inputs.sha256[:12]}",
                Text("输入行的哈希不同", "the input rows hash differently"),
            )
        )
    rows = data.get("results") or []
    differences += _result_differences(pack, record, records, rows, differences)
    return Verification(len(rows), tuple(differences))


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
    reads = {
        r.id: {ref.name for ref in r.refs() if ref.kind == "param"} for r in pack.criteria.values()
    }
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
            params = [
                d
                for d in found
                if d.kind in ("parameter", "override") and d.what in reads.get(f.rule.id, set())
            ]
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
    parser.add_argument("-o", "--output", required=True, help="the results file to write (.json)")
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core verify``."""
    parser.add_argument("results", help="a results file written by poverty-core record / 结果文件")
    parser.add_argument(
        "--input",
        help="the inputs to re-run (default: the file the record names) / 输入文件",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def run_record(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core record``: decide a register and write a results file with its
    decision record; 0, or 2 when no date is known."""
    from poverty_core.packs import coerce_parameter, load_pack

    language: Language = args.lang
    pack = load_pack(args.pack)
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
    """``poverty-core verify``: 0 when reproduced, 1 when not (each difference named)."""
    from poverty_core.io import json_text
    from poverty_core.privacy import redact_data

    result = verify(args.results, args.input)
    if args.format == "json":
        out.write(json_text(redact_data(result.to_dict()), "standard output") + "\n")
    else:
        out.write(result.explain(args.lang) + "\n")
    return 0 if result.reproduced else 1
