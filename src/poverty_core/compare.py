"""What-if: one register decided under two rule sets, and what changes between them.

:func:`compare_register` runs one register under two packs (``national`` against
``fujian``), two dates of one pack, or one pack with and without overrides, in one pass
over the data: each batch is read once and decided under both policies, so memory
follows the batch size exactly as in :func:`poverty_core.jobs.assess_register`. Each side
is concluded as the register job concludes a run (:func:`poverty_core.jobs.conclude`), so
its counts are those of a separate ``assess`` run; then the two are set side by side:

* the households, villages and counties whose outcome changes, in each direction
  (``eligible`` → ``not_eligible`` …), each with the criteria responsible — the criteria
  whose status differs (a criterion one side lacks counts as not in force there: it
  does not apply);
* the changes counted by village and by county;
* a results file with both outcomes, both statuses of every criterion and the criteria
  that changed, row by row (CSV, Parquet, JSON Lines as ``assess`` writes them, or the
  whole :class:`Comparison` as ``.json``);
* a report (``.md`` or ``.html``, zh or en; :mod:`poverty_core.compare_report`).

Every row is accounted for once: a row rejected (``on_error="skip"``) is rejected for both
sides. ID numbers — a household id that is one included — are masked in every output.

The set differences, directions and group tallies are Arrow and numpy kernels over each
batch (no loop over households); what the two sides share (reading, checking,
concluding) is the register job's own code, not a copy.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import cattrs
import pyarrow as pa

from poverty_core._text import Language, Text
from poverty_core._wording import comparison_side
from poverty_core.batch import ResultWriter, RunSummary, assess
from poverty_core.compare_changes import (
    Change,
    Changes,
    CriterionChange,
    GroupChanges,
    Tally,
    by_direction,
    decided_changes,
    group_changes,
)
from poverty_core.compare_report import render, shown_value
from poverty_core.digests import RowsDigest
from poverty_core.errors import NotInForce
from poverty_core.indicators import GroupTotals
from poverty_core.io import Outputs, json_text, writing
from poverty_core.job_checks import job_options
from poverty_core.jobs import (
    Assessment,
    NotReady,
    RowCounts,
    UsageError,
    check_ready,
    conclude,
    rejects_text,
)
from poverty_core.packs import Pack, load_pack
from poverty_core.privacy import mask_if_id_number, redact_data
from poverty_core.read_options import ReadOptions
from poverty_core.recording import job_record
from poverty_core.registers.batch import FileCount, Rejected
from poverty_core.rules import Status, in_force_on
from poverty_core.scaleout import merge_summaries
from poverty_core.sources import (
    OnError,
    RegisterSource,
    absent_inputs,
    assessment_date,
    open_source,
)

__all__ = [
    "Change",
    "Changes",
    "Comparison",
    "CriterionChange",
    "GroupChanges",
    "Policy",
    "Side",
    "SideNotInForce",
    "SideNotReady",
    "compare_register",
    "compare_source",
]

SIDES = ("a", "b")
"""The two sides of a comparison: ``a`` (the baseline) and ``b`` (the what-if)."""

_ABSENT = Status.NOT_IN_FORCE.value
"""The status a criterion one side lacks has there: it does not apply."""


class SideNotInForce(NotInForce):
    """A decision has no rule in force on one side's date (the side is named;
    ``poverty-core`` exit code 4)."""

    def __init__(self, side: str, label: str, error: NotInForce) -> None:
        NotInForce.__init__(self, error.pack, Text("决策", "decision"), error.id, error.on, [])
        self.text = Text(
            f"比较的 {side} 方（{label}）：{error.message('zh')}",
            f"side {side} of the comparison ({label}): {error.message('en')}",
        )
        self.periods = error.periods
        self.side = side


class SideNotReady(NotReady):
    """One side cannot decide on its date (a parameter without a value; the side is
    named; exit code 4)."""

    def __init__(self, side: str, label: str, error: NotReady) -> None:
        super().__init__(
            Text(
                f"比较的 {side} 方（{label}）：{error.message('zh')}",
                f"side {side} of the comparison ({label}): {error.message('en')}",
            )
        )
        self.side = side


@attrs.frozen
class Policy:
    """One side's rule set: a pack, a date (``None``: the register's date) and the
    parameter overrides of the run."""

    pack: Pack | str
    as_of: dt.date | None = None
    overrides: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Side:
    """One side of a comparison as it was run, and its whole assessment (the counts of
    a separate ``assess`` run with the same pack, date and overrides)."""

    name: str
    """``a`` or ``b``."""
    label: str
    """How the report names the side: the pack, and the date or overrides where the
    sides differ in them (``fujian 2016-12-31``, ``fujian + NAME=VALUE``)."""
    pack: str
    as_of: dt.date
    overrides: dict[str, Any]
    assessment: Assessment


@attrs.frozen
class ComparisonOutputs:
    """The files a comparison wrote (``None``: not asked for)."""

    results: str | None = None
    report: str | None = None
    rejects: str | None = None


@attrs.frozen(eq=False)
class Comparison:
    """One register decided under two rule sets, and what changes between them.

    :meth:`to_dict` is the JSON form (cattrs; ID numbers masked): what ``poverty-core
    compare --format json`` prints and the report renders.
    """

    synthetic: bool
    """The input says it is SYNTHETIC (not a real register)."""
    source: str
    decision: str
    """The household decision compared."""
    rows: RowCounts
    """The rows of the households file: read = assessed + rejected (the same for both
    sides: the register is read once)."""
    files: tuple[FileCount, ...]
    a: Side
    b: Side
    households: Changes
    villages: Changes
    counties: Changes
    by_village: tuple[GroupChanges, ...]
    by_county: tuple[GroupChanges, ...]
    rejects: tuple[Rejected, ...]
    outputs: ComparisonOutputs
    titles: dict[str, dict[str, str]] = attrs.field(factory=dict)
    """Each criterion that changes: its title (zh/en), the version in force on side
    ``a``'s date (else side ``b``'s)."""

    def side(self, name: str) -> Side:
        """Side ``a`` or ``b``."""
        return self.a if name == "a" else self.b

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (ID numbers masked unless shown)."""
        data: dict[str, Any] = redact_data(_CONVERTER.unstructure(self))
        return data


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_unstructure_hook(FileCount, lambda c: c.to_dict())
    conv.register_unstructure_hook(Assessment, lambda a: a.to_dict())
    conv.register_unstructure_hook(RowCounts, lambda r: {"in": r.read, **_rows_rest(r)})
    conv.register_unstructure_hook(
        Rejected, lambda r: {**r.to_dict(), "household_id": mask_if_id_number(r.household_id)}
    )
    return conv


def _rows_rest(rows: RowCounts) -> dict[str, int]:
    return {
        "assessed": rows.assessed,
        "rejected": rows.rejected,
        "member_rows_rejected": rows.member_rows_rejected,
    }


_CONVERTER = _make_converter()


def _usage(zh: str, en: str) -> UsageError:
    return UsageError(Text(zh, en))


# -- the sides ---------------------------------------------------------------------------


def _labels(
    packs: Sequence[Pack], days: Sequence[dt.date], overrides: Sequence[Mapping[str, Any]]
) -> list[str]:
    labels = []
    for pack, day, values in zip(packs, days, overrides, strict=True):
        label = pack.name
        if days[0] != days[1]:
            label += f" {day.isoformat()}"
        if overrides[0] != overrides[1] and values:
            label += " + " + ", ".join(f"{k}={shown_value(v)}" for k, v in sorted(values.items()))
        labels.append(label)
    if labels[0] == labels[1]:
        labels = [f"{label} ({name})" for label, name in zip(labels, SIDES, strict=True)]
    return labels


def _check_sides(
    packs: Sequence[Pack],
    decision: str,
    days: Sequence[dt.date | None],
    overrides: Sequence[Mapping[str, Any]],
) -> None:
    for name, pack in zip(SIDES, packs, strict=True):
        if decision not in pack.decisions:
            raise _usage(
                f"比较的 {name} 方：策略包 {pack.name} 没有决策 {decision}"
                f"（两方都须有所比较的决策）",
                f"side {name} of the comparison: pack {pack.name} has no decision {decision} "
                f"(both sides need the decision compared)",
            )
    same_pack = packs[0] is packs[1]  # packs are loaded once and cached
    if same_pack and days[0] == days[1] and dict(overrides[0]) == dict(overrides[1]):
        raise _usage(
            "两方的策略包、日期和参数覆盖完全相同：没有可比较的",
            "both sides have the same pack, date and overrides: nothing to compare",
        )


def _ready(
    pack: Pack,
    decision: str,
    day: dt.date,
    overrides: Mapping[str, Any],
    side: str,
    label: str,
    allow_undetermined: bool,
    notify: Callable[[Text], None] | None,
) -> Any:
    def note(text: Text) -> None:
        if notify is not None:
            notify(Text(f"{side} 方（{label}）：{text.zh}", f"side {side} ({label}): {text.en}"))

    try:
        with comparison_side(side):
            return check_ready(
                pack, decision, day, overrides, allow_undetermined=allow_undetermined, notify=note
            )
    except NotInForce as err:
        raise SideNotInForce(side, label, err) from None
    except NotReady as err:
        raise SideNotReady(side, label, err) from None


def _reading_pack(packs: Sequence[Pack]) -> Pack:
    """The pack whose record vocabulary the register is read with: side B's when it
    extends side A's (it knows every field A's knows, and its own), else side A's."""
    return packs[1] if packs[0].name in packs[1].chain else packs[0]


class _Grab:
    """The result table of the one batch :func:`assess` is given."""

    def __init__(self) -> None:
        self.table: pa.Table | None = None

    def write(self, table: pa.Table) -> None:
        self.table = table


def compare_source(
    a: Policy,
    b: Policy,
    source: RegisterSource,
    *,
    decision: str = "household_exit",
    by: Sequence[str] = ("village_id", "county_id"),
    batch_size: int | None = None,
    allow_undetermined: bool = False,
    limit: int | None = 1000,
    sink: Any = None,
    sink_name: str = "results",
    outputs: ComparisonOutputs | None = None,
    progress: Callable[[int], None] | None = None,
    notify: Callable[[Text], None] | None = None,
    reading: Mapping[str, Any] | None = None,
) -> Comparison:
    """Compare two policies over an opened
    :class:`~poverty_core.sources.RegisterSource` (see :func:`compare_register`, which
    opens it, checks the job and writes the outputs): each batch is read once and
    decided under both; its side-by-side table goes to ``sink`` (anything with a
    ``write(table)``; a failed write names ``sink_name``). Each side's assessment
    carries its :class:`~poverty_core.records.DecisionRecord`, as a separate ``assess``
    run's does (the rows hashed once, as read; ``reading``: how the register was
    read)."""
    packs = [load_pack(p) if isinstance(p, str) else p for p in (a.pack, b.pack)]
    overrides = [
        pack.check_overrides(dict(p.overrides)) for pack, p in zip(packs, (a, b), strict=True)
    ]
    dates = [assessment_date(source, p.as_of) for p in (a, b)]
    _check_sides(packs, decision, dates, overrides)
    labels = _labels(packs, dates, overrides)
    plans = [
        _ready(pack, decision, day, values, name, label, allow_undetermined, notify)
        for pack, day, values, name, label in zip(
            packs, dates, overrides, SIDES, labels, strict=True
        )
    ]
    summaries: list[RunSummary | None] = [None, None]
    tally = Tally(limit, by)
    digest = RowsDigest()
    for households, members in source.household_tables(progress, batch_size):
        digest.update(households, members)
        tables = []
        for i, (pack, day, values) in enumerate(zip(packs, dates, overrides, strict=True)):
            grab = _Grab()
            part = assess(
                pack,
                decision,
                [(households, members)],
                as_of=day,
                overrides=values,
                by=by,
                writer=grab,
            )
            previous = summaries[i]
            summaries[i] = part if previous is None else merge_summaries([previous, part])
            tables.append(grab.table)
        if tables[0] is None or tables[1] is None:
            continue
        side_by_side = tally.add(households, tables[0], tables[1])
        if sink is not None:
            with writing(sink_name):
                sink.write(side_by_side)
    sides = []
    for i, (pack, day, values, name, label, plan) in enumerate(
        zip(packs, dates, overrides, SIDES, labels, plans, strict=True)
    ):
        summary = summaries[i] or RunSummary(decision, groups={g: GroupTotals() for g in by})
        assessment = conclude(
            pack,
            summary,
            as_of=day,
            overrides=values,
            villages=source.villages,
            counties=source.counties,
            files=source.counts(),
            households_file=source.households_file,
            members_file=source.members_file,
            source=source.name,
            synthetic=source.synthetic,
            interpretations=source.register.interpretations if source.register is not None else (),
            rejects=source.rejected,
            absent=absent_inputs(plan, source),
        )
        also = [
            which
            for which, decided in (
                ("village_exit", assessment.summary.villages),
                ("county_exit", assessment.summary.counties),
            )
            if decided is not None
        ]
        given = (reading or {}).get("households") or (reading or {}).get("sample")
        record = job_record(
            pack,
            decision,
            digest.digest(str(given) if given else source.name),
            as_of=day,
            overrides=values,
            also=also,
            reading=reading,
        )
        assessment = attrs.evolve(assessment, record=record)
        sides.append(Side(name, label, pack.name, day, dict(values), assessment))
    side_a, side_b = sides
    county_of = {
        str(v.id): (None if getattr(v, "county_id", None) is None else str(v.county_id))
        for v in side_a.assessment.village_records
    }
    households_changes = Changes(
        tally.compared,
        tally.changed,
        tally.differing,
        by_direction(tally.transitions),
        {c: n for c, n in tally.criteria.items() if n},
        tuple(tally.listed),
        tally.unlisted,
    )
    village_changes = decided_changes(
        side_a.assessment.villages, side_b.assessment.villages, county_of
    )
    county_changes = decided_changes(side_a.assessment.counties, side_b.assessment.counties)
    named = {
        c.id
        for changes in (households_changes, village_changes, county_changes)
        for change in changes.listed
        for c in change.criteria
    } | set(households_changes.criteria)
    return Comparison(
        synthetic=source.synthetic,
        source=source.name,
        decision=decision,
        rows=side_a.assessment.rows,
        files=side_a.assessment.files,
        a=side_a,
        b=side_b,
        households=households_changes,
        villages=village_changes,
        counties=county_changes,
        by_village=group_changes(tally, "village_id", side_a.assessment.summary.by_village),
        by_county=group_changes(tally, "county_id", side_a.assessment.summary.by_county),
        rejects=tuple(source.rejected),
        outputs=outputs or ComparisonOutputs(),
        titles=_titles(sorted(named), packs, dates),
    )


def _titles(
    criteria: Sequence[str], packs: Sequence[Pack], dates: Sequence[dt.date]
) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for cid in criteria:
        for pack, day in zip(packs, dates, strict=True):
            if cid in pack.criteria:
                rule = in_force_on(pack.criteria[cid], day) or pack.criteria[cid]
                out[cid] = rule.title.to_dict()
                break
    return out


def compare_register(
    households: str | os.PathLike[str] | None = None,
    members: str | os.PathLike[str] | None = None,
    *,
    a: Policy,
    b: Policy,
    decision: str = "household_exit",
    sample: str | None = None,
    villages: str | os.PathLike[str] | None = None,
    counties: str | os.PathLike[str] | None = None,
    read: ReadOptions | None = None,
    allow_undetermined: bool = False,
    output: str | os.PathLike[str] | None = None,
    report: str | os.PathLike[str] | None = None,
    rejects: str | os.PathLike[str] | None = None,
    language: Language = "en",
    limit: int | None = 1000,
    progress: Callable[[int], None] | None = None,
    notify: Callable[[Text], None] | None = None,
    on_error: OnError | None = None,
    encoding: str | None = None,
    aliases: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] | None = None,
    batch_size: int | None = None,
    layout: str | None = None,
    interpretations: Mapping[str, str] | None = None,
) -> Comparison:
    """Decide one register under two policies in one pass and say what changes.

    :param households: the register, as :func:`poverty_core.jobs.assess_register` reads
        it (``members``, ``sample``, ``villages``, ``counties`` and ``read``, a
        :class:`~poverty_core.read_options.ReadOptions`, likewise).
    :param a: the baseline: pack, date (default: the register's), overrides.
    :param b: the what-if.
    :param decision: the household decision compared; both packs must have it.
    :param allow_undetermined: run even when a side lacks a parameter value every
        eligible household needs (its rows come out undetermined).
    :param output: the results file: ``.csv``, ``.parquet``, ``.jsonl`` (a row per
        household: both outcomes, both statuses of each criterion, the criteria that
        changed) or ``.json`` (the whole comparison).
    :param report: the report, ``.md`` or ``.html``, in ``language``.
    :param rejects: with ``on_error="skip"``, the rejected rows (``.csv`` or ``.json``).
    :param limit: how many changed households
        :attr:`~poverty_core.compare_changes.Changes.listed` keeps (``None``: all; the
        counts are always complete, and the results file has every household).
    :param on_error: deprecated since 0.2, with ``encoding``, ``aliases``,
        ``ignore_columns``, ``batch_size``, ``layout`` and ``interpretations``: the
        fields of ``read`` as separate keywords (they warn with a
        :class:`DeprecationWarning`; giving one and ``read`` is a
        :class:`~poverty_core.jobs.UsageError`).
    :raises UsageError: a bad option, a decision one side lacks, two identical sides.
    :raises SideNotInForce: the decision has no rule in force on a side's date.
    :raises SideNotReady: a side cannot decide on its date (see ``allow_undetermined``).
    """
    out = None if output is None else os.fspath(output)
    report_path = None if report is None else os.fspath(report)
    rejects_path = None if rejects is None else os.fspath(rejects)
    read = job_options(
        "compare_register",
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
    Outputs.check(out, report_path, rejects_path)
    packs = [load_pack(p.pack) if isinstance(p.pack, str) else p.pack for p in (a, b)]
    a, b = (attrs.evolve(p, pack=pack) for p, pack in zip((a, b), packs, strict=True))
    # before anything is read: a decision a side lacks; identical sides (dates given)
    _check_sides(packs, decision, [a.as_of, b.as_of], [dict(a.overrides), dict(b.overrides)])
    source = open_source(
        households,
        members,
        sample=sample,
        villages=villages,
        counties=counties,
        pack=_reading_pack(packs),
        as_of=a.as_of,
        **read.keywords(),
    )
    whole = out is not None and out.lower().endswith(".json")
    writer = ResultWriter(out) if out is not None and not whole else None
    files = Outputs()
    reading = {  # how the register was read, in each side's record (as assess_register)
        "households": None if households is None else os.fspath(households),
        "members": None if members is None else os.fspath(members),
        "sample": sample,
        "villages": None if villages is None else os.fspath(villages),
        "counties": None if counties is None else os.fspath(counties),
        **read.recorded(),
    }
    try:
        comparison = compare_source(
            a,
            b,
            source,
            decision=decision,
            allow_undetermined=allow_undetermined,
            batch_size=read.batch_size,
            limit=limit,
            sink=writer,
            sink_name=out or "results",
            outputs=ComparisonOutputs(out, report_path, rejects_path),
            progress=progress,
            notify=notify,
            reading={k: v for k, v in reading.items() if v not in (None, {}, [])},
        )
        public = comparison.to_dict()
        if writer is not None:
            with writing(writer.path):
                files.add(writer.finish(), writer.path)
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
    return comparison
