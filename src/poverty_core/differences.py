"""What differs between a results file and its re-run, and why: each
:class:`Difference` with its cause (a pack's version or data, a parameter's value, an
override, reference data, the input), the :class:`Verification` that lists them, and the
comparisons of two decision records and of their result rows that find them
(:func:`record_differences`, :func:`result_differences`,
:func:`job_row_differences`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pyarrow as pa

from poverty_core._text import Language, Text
from poverty_core.batch import neutralise_formulas, plain_columns
from poverty_core.privacy import mask_if_id_number
from poverty_core.record_model import DecisionRecord, ParameterRecord, ReferenceRecord, jsonable
from poverty_core.rules import Outcome, Status

if TYPE_CHECKING:
    from poverty_core.packs import Pack


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


def record_differences(
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


def job_row_differences(
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


def result_differences(
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
