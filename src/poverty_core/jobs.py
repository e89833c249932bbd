"""The register job as a library service: read a register, decide every household, its
villages and its counties, roll the results up, account for every row, write the
outputs — and return what was done as one frozen :class:`Assessment`.

:func:`assess_register` is what ``poverty-core assess`` runs, and what a program that
embeds the library calls:

* it reads any supported format, streamed batch by batch (:mod:`poverty_core.sources`),
  or a bundled SYNTHETIC ``sample``;
* checks before any row is read that the decision governs on the date and that no
  parameter every eligible household needs lacks a value (:class:`NotReady`, unless
  ``allow_undetermined``);
* decides every household (:func:`poverty_core.batch.assess`), fills each village's and
  county's poor population from the households, decides the villages and counties;
* accounts for every row of every input file (read = assessed + rejected) and refuses
  an account that does not add up;
* records what decided the run (:attr:`Assessment.record`, a
  :class:`~poverty_core.records.DecisionRecord`: versions, each pack's data hash, every
  parameter used with its source and whether it was overridden, the date, a hash of the
  input rows — no personal data, no copy of the input);
* writes the results (``.csv``, ``.parquet``, ``.jsonl``, or the whole assessment as
  ``.json``) with the record (beside a row-per-household file,
  :func:`~poverty_core.records.record_path`, so the file stays a plain table; inside a
  ``.json`` document), the report (``.md`` or ``.html``) and the rejected rows (``.csv`` or
  ``.json``) together and atomically: a run that fails leaves nothing behind. ID
  numbers are masked in every output (unless
  :func:`poverty_core.privacy.showing_id_numbers`).

:meth:`Assessment.to_dict` is the JSON form (by cattrs): the document ``assess
--format json`` prints and the report renders. The result classes are
:mod:`poverty_core.assessment`, the checks made before reading
:mod:`poverty_core.job_checks`, how the register is read
:mod:`poverty_core.read_options`; all are importable from here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import pyarrow as pa

from poverty_core import indicators
from poverty_core._text import Language, Text
from poverty_core.assessment import Assessment, OutputPaths, RowCounts, Summary
from poverty_core.batch import ResultWriter, RunSummary, TableSink, assess
from poverty_core.digests import DigestThread, RowsDigest
from poverty_core.engine import BatchResult, Finding
from poverty_core.errors import InputError, NotInForce, Problem
from poverty_core.io import Outputs, json_text, safe_cell, writing
from poverty_core.job_checks import (
    RESULT_SUFFIXES,
    NotReady,
    check_options,
    check_ready,
    job_options,
    remove_stale,
)
from poverty_core.model import County, Village
from poverty_core.packs import Pack
from poverty_core.plugins import PackRegistry, default_registry
from poverty_core.privacy import mask_ids, mask_if_id_number, redact, redact_data
from poverty_core.read_options import ReadOptions
from poverty_core.readiness import Readiness
from poverty_core.record_model import RECORD_FORMAT, record_path
from poverty_core.recording import job_record
from poverty_core.registers import FileCount, Rejected
from poverty_core.report import render
from poverty_core.rules import Status, in_force_on
from poverty_core.sources import (
    OnError,
    RegisterSource,
    UsageError,
    absent_inputs,
    assessment_date,
    open_source,
)

__all__ = [
    "RESULT_SUFFIXES",
    "Assessment",
    "NotReady",
    "OutputPaths",
    "ReadOptions",
    "RowCounts",
    "Summary",
    "UsageError",
    "assess_register",
    "assess_source",
    "check_options",
    "check_ready",
    "conclude",
    "rejects_text",
]

# -- deciding ----------------------------------------------------------------------------


class _Collect:
    """Keeps result tables in memory (for a JSON results document, ``keep_results``)."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        self.tables.append(table)

    def table(self) -> pa.Table | None:
        return pa.concat_tables(self.tables) if self.tables else None


class _Masked:
    """The results on their way out: household ids that are ID numbers masked (unless
    shown), and a failed write naming the file."""

    def __init__(self, sinks: Sequence[TableSink], path: str) -> None:
        self.sinks, self.path = sinks, path

    def write(self, table: pa.Table) -> None:
        if "id" in table.column_names:
            table = table.set_column(
                table.column_names.index("id"), "id", mask_ids(table.column("id"))
            )
        with writing(self.path):
            for sink in self.sinks:
                sink.write(table)


def _check_groups(
    summary: RunSummary, villages: Sequence[Village], counties: Sequence[County]
) -> None:
    """Households in a village (county) the villages (counties) file does not list."""
    problems: list[Problem] = []
    for by, records, kind in (
        ("village_id", villages, "village"),
        ("county_id", counties, "county"),
    ):
        if not records:
            continue
        known = {r.id for r in records}
        for key, counts in summary.groups[by].households.items():
            if key and key not in known:
                n = int(counts.sum())
                problems.append(
                    Problem(
                        f"households.{by}={key}",
                        Text(
                            f"{n} 户属于{kind}文件中没有的 {key!r}",
                            f"{n} household(s) in {kind} {key!r}, which the {kind} file "
                            f"does not list",
                        ),
                    )
                )
    if problems:
        raise InputError(problems, what="register")


def _compared(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    return {k: data[k] for k in ("observed", "comparison", "required")}


def _decided(result: BatchResult | None) -> tuple[dict[str, Any], ...]:
    if result is None:
        return ()
    rows = []
    for i in range(len(result)):
        r = result.result(i)
        rows.append(
            {
                "id": r.subject_id,
                "outcome": r.outcome.value,
                "failed": [f.rule.id for f in r.failed],
                "missing": list(r.missing),
                "findings": {f.rule.id: f.status.value for f in r.findings},
                # What each finding compared (a village's incidence and its threshold …),
                # for the report's charts.
                "values": {
                    f.rule.id: _compared(f)
                    for f in r.findings
                    if f.status is not Status.NOT_IN_FORCE
                },
            }
        )
    return tuple(rows)


def assess_source(
    pack: Pack,
    source: RegisterSource,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    decision: str = "household_exit",
    by: Sequence[str] = ("village_id", "county_id"),
    batch_size: int | None = None,
    sink: TableSink | None = None,
    sink_name: str = "results",
    keep_results: bool = False,
    absent: Sequence[str] = (),
    plan: Readiness | None = None,
    outputs: OutputPaths | None = None,
    progress: Callable[[int], None] | None = None,
    reading: Mapping[str, Any] | None = None,
    registry: PackRegistry | None = None,
) -> Assessment:
    """Decide an opened :class:`~poverty_core.sources.RegisterSource` (see
    :func:`assess_register`, which opens it, checks the job and writes the outputs):
    every household (its results to ``sink``, batch by batch, ids masked; a failed
    write names ``sink_name``; totals ``by`` these household columns; a batch read
    larger than ``batch_size`` households decided in parts), then
    :func:`conclude`: villages, counties, roll-ups, every row accounted for (``absent``:
    inputs the register lacks altogether; with ``plan``, the decision's
    :class:`~poverty_core.readiness.Readiness`, also those
    :func:`~poverty_core.sources.absent_inputs` finds once the register is read) — and its
    :attr:`~Assessment.record` (the rows hashed as they are read; ``reading``: how the
    register was read, for ``verify``; ``registry``: where the pack's parents are)."""
    checked = dict(overrides or {})
    collect = _Collect() if keep_results else None
    sinks = [s for s in (sink, collect) if s is not None]
    digest = RowsDigest()
    # The rows are hashed in a worker thread while this one decides (the same digest,
    # fed in the same order; SHA-256 releases the GIL).
    with DigestThread(digest, depth=1) as feed:

        def hashed(
            tables: Iterable[tuple[pa.Table, pa.Table | None]],
        ) -> Iterator[tuple[pa.Table, pa.Table | None]]:
            for households, members in tables:
                feed.update(households, members)
                yield households, members

        summary = assess(
            pack,
            decision,
            hashed(source.household_tables(progress, batch_size)),
            as_of=as_of,
            overrides=checked,
            by=by,
            writer=_Masked(sinks, sink_name) if sinks else None,
        )
    done = conclude(
        pack,
        summary,
        as_of=as_of,
        overrides=checked,
        villages=source.villages,
        counties=source.counties,
        files=source.counts(),
        households_file=source.households_file,
        members_file=source.members_file,
        source=source.name,
        synthetic=source.synthetic,
        interpretations=source.register.interpretations if source.register is not None else (),
        rejects=source.rejected,
        results=collect.table() if collect is not None else None,
        # Inputs the register lacks altogether head the summary and the report, each
        # with the number of records it left undetermined: known once it is read (a JSON
        # Lines file's fields are those some line gives).
        absent=[*absent, *(a for a in absent_inputs(plan, source) if a not in absent)]
        if plan is not None
        else absent,
        outputs=outputs,
    )
    also = [
        which
        for which, decided in (
            ("village_exit", done.summary.villages),
            ("county_exit", done.summary.counties),
        )
        if decided is not None
    ]
    record = job_record(
        pack,
        decision,
        digest.digest(_named(source.name, reading)),
        as_of=as_of,
        overrides=checked,
        also=also,
        reading=reading,
        registry=registry,
    )
    return attrs.evolve(done, record=record)


def _named(name: str, reading: Mapping[str, Any] | None) -> str:
    """The input as the caller named it (the households file, or the sample)."""
    given = (reading or {}).get("households") or (reading or {}).get("sample")
    return str(given) if given else name


def conclude(
    pack: Pack,
    summary: RunSummary,
    *,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    villages: Sequence[Any] = (),
    counties: Sequence[Any] = (),
    files: Sequence[FileCount] = (),
    households_file: str = "",
    members_file: str | None = None,
    source: str = "",
    synthetic: bool = False,
    interpretations: Sequence[Mapping[str, Any]] = (),
    rejects: Sequence[Rejected] = (),
    results: pa.Table | None = None,
    absent: Sequence[str] = (),
    outputs: OutputPaths | None = None,
    village_decision: str = "village_exit",
    county_decision: str = "county_exit",
) -> Assessment:
    """The second half of the register job, after every household was decided into
    ``summary`` (by one :func:`~poverty_core.batch.assess`, or by partitions merged —
    :mod:`poverty_core.scaleout`): every household's village and county must be listed
    (when ``villages``/``counties`` are given); their poor population is filled from
    the households (a ``household_exit`` run); the villages and counties are decided
    (a decision not in force on the date is said, not raised); and every input file of
    ``files`` must balance (read = assessed + rejected)."""
    checked = dict(overrides or {})
    village_records: list[Any] = list(villages)
    county_records: list[Any] = list(counties)
    _check_groups(summary, village_records, county_records)
    if summary.decision == "household_exit":
        groups = summary.groups
        if "village_id" in groups:
            village_records = indicators.with_poor_population(
                village_records, dict(groups["village_id"].poor_population())
            )
        if "county_id" in groups:
            county_records = indicators.with_poor_population(
                county_records, dict(groups["county_id"].poor_population())
            )
    not_in_force: dict[str, NotInForce] = {}

    def decide(which: str, records: list[Any]) -> BatchResult | None:
        if not records or which not in pack.decisions:
            return None
        try:
            return pack.decide_batch(which, records, as_of=as_of, overrides=checked)
        except NotInForce as err:  # said in the summary and the report, not an error
            not_in_force[which] = err
            return None

    decided_villages = decide(village_decision, village_records)
    decided_counties = decide(county_decision, county_records)
    for c in files:
        if not c.balanced:  # a bug, never data: refuse to write an incomplete account
            raise RuntimeError(
                f"rows of {c.file} do not add up: {c.read} read, {c.assessed} assessed, "
                f"{c.rejected} rejected"
            )
    data = summary.to_dict()
    groups_done = decided_villages or decided_counties
    provenance = data["provenance"] or (
        groups_done.provenance.to_dict() if groups_done is not None else None
    )
    if interpretations:
        provenance = {**(provenance or {}), "interpretations": list(interpretations)}
    titles = {  # the version that governed on the date
        cid: (in_force_on(pack.criteria[cid], as_of) or pack.criteria[cid]).title.to_dict()
        for cid in data["criteria"]
        if cid in pack.criteria
    }
    by_file = {c.file: c for c in files}
    households = by_file.get(households_file)
    members = by_file.get(members_file or "")
    decided = summary.records > 0
    return Assessment(
        synthetic=synthetic,
        source=source,
        provenance=provenance,
        rows=RowCounts(
            households.read if households else summary.records,
            summary.records,
            households.rejected if households else 0,
            members.rejected if members else 0,
        ),
        files=tuple(files),
        summary=Summary(
            households=data["outcomes"] if decided else None,
            people=data["people"] if decided else None,
            criteria=data["criteria"],
            missing=data["missing"],
            absent=tuple(absent),
            not_in_force={
                d: {"zh": e.message("zh"), "en": e.message("en")} for d, e in not_in_force.items()
            },
            villages=decided_villages.counts() if decided_villages else None,
            counties=decided_counties.counts() if decided_counties else None,
            by_village=tuple(data["groups"].get("village_id", [])),
            by_county=tuple(data["groups"].get("county_id", [])),
        ),
        titles=titles,
        results=results,
        villages=_decided(decided_villages),
        counties=_decided(decided_counties),
        rejects=tuple(rejects),
        outputs=outputs or OutputPaths(),
        as_of=as_of,
        decision=summary.decision,
        village_records=tuple(village_records),
        county_records=tuple(county_records),
        totals=summary,
    )


# -- the whole job -----------------------------------------------------------------------


def assess_register(
    households: str | os.PathLike[str] | None = None,
    members: str | os.PathLike[str] | None = None,
    *,
    pack: Pack | str = "national",
    decision: str = "household_exit",
    as_of: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    by: Sequence[str] = ("village_id", "county_id"),
    sample: str | None = None,
    villages: str | os.PathLike[str] | None = None,
    counties: str | os.PathLike[str] | None = None,
    read: ReadOptions | None = None,
    allow_undetermined: bool = False,
    output: str | os.PathLike[str] | None = None,
    report: str | os.PathLike[str] | None = None,
    rejects: str | os.PathLike[str] | None = None,
    language: Language = "en",
    keep_results: bool = False,
    progress: Callable[[int], None] | None = None,
    notify: Callable[[Text], None] | None = None,
    registry: PackRegistry | None = None,
    on_error: OnError | None = None,
    encoding: str | None = None,
    aliases: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] | None = None,
    batch_size: int | None = None,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> Assessment:
    """Run the register job: read, check, decide households, villages and counties,
    roll up, account for every row, write the outputs (see the module notes).

    :param households: the households file — JSON, JSON Lines, CSV, Parquet, Arrow or
        xlsx; flat, two-file or nested (``layout``) — or ``None`` with ``sample``.
    :param members: the members file of a two-file register.
    :param pack: a loaded pack or the name of an installed one.
    :param decision: the household decision (``household_exit`` by default); villages
        and counties are decided by ``village_exit`` and ``county_exit``.
    :param as_of: the date of the assessment (default: the file's ``as_of``).
    :param overrides: parameter values for this run (recorded in the provenance).
    :param by: the household columns the totals are kept by (the villages' and
        counties' roll-ups need the default).
    :param sample: a bundled SYNTHETIC sample register: ``lianjiang``, ``tianshui``,
        ``zhangzhou``.
    :param villages: a villages file (JSON, CSV, Parquet …); ``counties`` likewise.
    :param read: how the register is read (:class:`~poverty_core.read_options.ReadOptions`:
        ``on_error`` — ``fail``, a bad row stops the run, every problem listed, or
        ``skip``, bad rows are rejected: :attr:`Assessment.rejects` — the encoding,
        aliases, ignored columns, batch size, layout and interpretations; default: as
        the command line reads by default).
    :param allow_undetermined: run even when a parameter every eligible household needs
        has no value on the date (they come out undetermined) instead of
        :class:`NotReady`.
    :param output: the results file: ``.csv``, ``.parquet``, ``.jsonl`` (a row per
        household) or ``.json`` (the whole assessment).
    :param report: a report a person reads, ``.md`` or ``.html``, in ``language``.
    :param rejects: with ``on_error="skip"``, the rejected rows, ``.csv`` or ``.json``.
    :param keep_results: keep the household results in memory
        (:attr:`Assessment.results`; mind the memory of a large register).
    :param progress: told the number of households of each batch read.
    :param notify: told notes on the way (a parameter without a value, with
        ``allow_undetermined``; a temporary file an interrupted run left, removed).
    :param registry: where packs are found (default: the installed ones), for ``pack``
        by name and the data hashes of its parents in the record.
    :param on_error: deprecated since 0.2, with ``encoding``, ``aliases``,
        ``ignore_columns``, ``batch_size``, ``layout`` and ``interpretations``: the
        fields of ``read`` as separate keywords (they warn with a
        :class:`DeprecationWarning`; giving one and ``read`` is a :class:`UsageError`).
    :raises UsageError: a bad option, an output that is an input or another output.
    :raises ~poverty_core.errors.InputError: invalid input (every problem listed).
    :raises NotReady: see ``allow_undetermined``.
    :raises ~poverty_core.io.OutputError: an output could not be written (nothing is
        left behind).
    """
    out = None if output is None else os.fspath(output)
    report_path = None if report is None else os.fspath(report)
    rejects_path = None if rejects is None else os.fspath(rejects)
    read = job_options(
        "assess_register",
        read,
        {
            "on_error": on_error,
            "encoding": encoding,
            "aliases": aliases,
            "ignore_columns": ignore_columns,
            "batch_size": batch_size,
            "layout": layout,
            "interpretations": interpretations,
        },
        households=households,
        members=members,
        villages=villages,
        counties=counties,
        output=out,
        report=report_path,
        rejects=rejects_path,
    )
    if isinstance(pack, str):
        pack = (registry or default_registry()).load(pack)
    checked = pack.check_overrides(dict(overrides or {}))
    pack.decision(decision)
    Outputs.check(out, report_path, rejects_path)
    plan = None
    if as_of is not None:  # known before the register is opened: check it first
        plan = check_ready(
            pack, decision, as_of, checked, allow_undetermined=allow_undetermined, notify=notify
        )
    remove_stale([out, report_path, rejects_path], notify)
    source = open_source(
        households,
        members,
        sample=sample,
        villages=villages,
        counties=counties,
        pack=pack,
        as_of=as_of,
        **read.keywords(),
    )
    day = assessment_date(source, as_of)
    if plan is None:
        plan = check_ready(
            pack, decision, day, checked, allow_undetermined=allow_undetermined, notify=notify
        )
    whole = out is not None and out.lower().endswith(".json")
    writer = ResultWriter(out) if out is not None and not whole else None
    beside = record_path(out) if writer is not None and out is not None else None
    reading = {
        "households": None if households is None else os.fspath(households),
        "members": None if members is None else os.fspath(members),
        "sample": sample,
        "villages": None if villages is None else os.fspath(villages),
        "counties": None if counties is None else os.fspath(counties),
        **read.recorded(),
    }
    files = Outputs()
    try:
        assessment = assess_source(
            pack,
            source,
            as_of=day,
            overrides=checked,
            decision=decision,
            by=by,
            sink=writer,
            sink_name=out or "standard output",
            keep_results=keep_results or whole,
            plan=plan,
            outputs=OutputPaths(out, report_path, rejects_path, beside),
            progress=progress,
            reading={k: v for k, v in reading.items() if v not in (None, {}, [])},
            registry=registry,
        )
        # The JSON form only where an output needs it (a .json document, a report).
        public = assessment.to_dict() if whole or report_path else {}
        # Every output is prepared beside its target and moved into place together,
        # only when all of them are ready: a failed run leaves nothing behind.
        if writer is not None:
            with writing(writer.path):
                files.add(writer.finish(), writer.path)
            if beside is not None and assessment.record is not None:
                side = {
                    "format": RECORD_FORMAT,
                    "results": os.path.basename(writer.path),
                    "record": assessment.record.to_dict(),
                }
                files.text(beside, json_text(side, beside) + "\n")
        elif out is not None:
            files.text(out, json_text(public, out) + "\n")
        if rejects_path:
            files.text(rejects_path, rejects_text(rejects_path, source.rejected, language))
        if report_path:
            files.text(report_path, render(report_path, public, language))
        files.commit()
    except BaseException:
        if writer is not None:
            writer.abort()
        files.abort()
        raise
    if whole and not keep_results:
        assessment = attrs.evolve(assessment, results=None)
    return assessment


def rejects_text(path: str, rejected: Sequence[Rejected], language: Language = "en") -> str:
    """The rejects file: JSON for ``.json``, else CSV (formula-safe); ID numbers masked,
    a household id that is one included."""
    rows = [{**r.to_dict(), "household_id": mask_if_id_number(r.household_id)} for r in rejected]
    if path.lower().endswith(".json"):
        return json_text(redact_data(rows), path) + "\n"
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(
        ["文件", "行", "户编号", "问题"]
        if language == "zh"
        else ["file", "row", "household_id", "problems"]
    )
    for row in rows:
        problems = "; ".join(f"{p['path']}: {p[language]}" for p in row["problems"])
        writer.writerow(
            [
                safe_cell(redact(str(row["file"]))),
                row["row"],
                safe_cell(str(row["household_id"] or "")),
                safe_cell(redact(problems)),
            ]
        )
    return handle.getvalue()
