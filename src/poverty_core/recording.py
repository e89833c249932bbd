"""Making decision records: deciding with the record attached (:func:`decide_recorded`,
:func:`decide_batch_recorded`, :func:`decide_transitions_recorded`), the record of a
register job (:func:`job_record`), the report's summary of a record
(:func:`record_view`) and results files (:func:`write_results`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from poverty_core._pictures import value_text
from poverty_core._text import Language
from poverty_core._version import __version__
from poverty_core.digests import input_digest, pack_data_hashes
from poverty_core.dynamic import EXIT_DECISION, decide_transitions
from poverty_core.engine import DecisionResult, Params
from poverty_core.io import write_json
from poverty_core.privacy import mask_if_id_number
from poverty_core.record_model import (
    FORMAT,
    DecisionRecord,
    InputDigest,
    ParameterRecord,
    ReferenceRecord,
    jsonable,
)

if TYPE_CHECKING:
    from poverty_core.packs import Pack
    from poverty_core.plugins import PackRegistry


def _names_read(
    pack: Pack,
    decisions: Sequence[str],
    as_of: dt.date,
    overrides: Mapping[str, Any],
) -> dict[str, dict[str, None]]:
    """The parameters (``param``) and references (``reference``) the criteria in force of
    ``decisions`` read on the date, each kind in the order the criteria read them."""
    names: dict[str, dict[str, None]] = {"param": {}, "reference": {}}
    for which in decisions:
        plan = pack.readiness(which, as_of=as_of, overrides=overrides)
        for rule in plan.in_force:
            for r in rule.refs():
                if r.kind in names:
                    names[r.kind].setdefault(r.name, None)
    return names


def _parameter_records(
    pack: Pack,
    names: Iterable[str],
    as_of: dt.date,
    overrides: Mapping[str, Any],
) -> tuple[ParameterRecord, ...]:
    """Each parameter of ``names`` (:func:`_names_read`) with its value on the date (or
    the caller's)."""

    params = Params(pack, as_of, pack.check_overrides(overrides))
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
                jsonable(use.value),
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
    pack: Pack, names: Iterable[str], supplied: Mapping[str, Any]
) -> tuple[ReferenceRecord, ...]:
    """Each reference of ``names`` (:func:`_names_read`) with the summary of the data
    supplied for it (none: not supplied)."""
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

    overrides = dict(overrides or {})
    supplied = pack.check_references(references)
    names = _names_read(pack, (decision, *also), as_of, overrides)
    return DecisionRecord(
        library=__version__,
        pack=pack.name,
        chain=tuple(pack.chain),
        versions=dict(pack.versions),
        data=pack_data_hashes(pack, registry),
        decision=decision,
        as_of=as_of,
        overrides={k: jsonable(v) for k, v in pack.check_overrides(overrides).items()},
        periods={k: (p.start, p.end) for k, p in pack.run_periods.items()},
        parameters=_parameter_records(pack, names["param"], as_of, overrides),
        inputs=inputs,
        reading={k: jsonable(v) for k, v in (reading or {}).items()},
        references=_reference_records(pack, names["reference"], supplied),
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
    return {
        "id": mask_if_id_number(result.subject_id),
        "outcome": result.outcome.value,
        "findings": [
            {
                "rule": f.rule.id,
                "status": f.status.value,
                "observed": jsonable(f.observed),
                "required": jsonable(f.required),
            }
            for f in result.findings
        ],
    }


def write_results(path: str | Path, recorded: Recorded) -> None:
    """Write a results file: the record, then each row's outcome and findings (status,
    observed and required values; ID numbers masked), atomically."""

    batch = recorded.result
    write_json(
        path,
        {
            "format": FORMAT,
            "record": recorded.record.to_dict(),
            "results": [_row(batch.result(i)) for i in range(len(batch))],
        },
    )
