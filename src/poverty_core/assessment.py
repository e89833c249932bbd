"""What a register job returns (:func:`poverty_core.jobs.assess_register`): the frozen
:class:`Assessment` — counts, roll-ups, village and county decisions, rejects,
provenance, output paths — and its parts (:class:`RowCounts`, :class:`Summary`,
:class:`OutputPaths`), with the JSON form a private cattrs converter makes
(:meth:`Assessment.to_dict`, ID numbers masked)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import cattrs
import pyarrow as pa
from cattrs.gen import make_dict_unstructure_fn, override

from poverty_core.batch import RunSummary
from poverty_core.privacy import mask_if_id_number, redact_data
from poverty_core.record_model import DecisionRecord
from poverty_core.registers import FileCount, Rejected


@attrs.frozen
class RowCounts:
    """The rows of the households file: read = assessed + rejected."""

    read: int
    """Rows read (JSON key ``in``)."""
    assessed: int
    """Households decided."""
    rejected: int
    """Rows of the households file rejected (``on_error="skip"``)."""
    member_rows_rejected: int
    """Rows of a separate members file rejected."""


@attrs.frozen
class Summary:
    """The totals of a run: households, people and criteria over the register, its
    village and county decisions, and its roll-ups by village and county."""

    households: dict[str, int] | None
    """Households per outcome (``None`` when none was decided)."""
    people: dict[str, int] | None
    """People per outcome of their household."""
    criteria: dict[str, dict[str, int]]
    """Per criterion: records failed, passed, unknown, not in force."""
    missing: dict[str, int]
    """Per input: undetermined households that lack it."""
    absent: tuple[str, ...]
    """Inputs the decision reads that the register does not have at all."""
    not_in_force: dict[str, dict[str, str]]
    """Village and county decisions that govern on none of the run's dates (why, zh/en)."""
    villages: dict[str, int] | None
    """Villages per outcome of the village decision (``None``: not decided)."""
    counties: dict[str, int] | None
    """Counties per outcome of the county decision."""
    by_village: tuple[dict[str, Any], ...]
    """Per village: households and people by outcome, exit rates."""
    by_county: tuple[dict[str, Any], ...]
    """Per county: as :attr:`by_village`."""


@attrs.frozen
class OutputPaths:
    """The files a run wrote (``None``: not asked for)."""

    results: str | None = None
    report: str | None = None
    rejects: str | None = None
    record: str | None = None
    """The decision record beside a row-per-household results file."""


@attrs.frozen(eq=False)
class Assessment:
    """Everything a register job did: what it read, decided and wrote.

    :meth:`to_dict` gives the JSON form (ID numbers masked); the report renders it.
    """

    synthetic: bool
    """The input says it is SYNTHETIC (not a real register)."""
    source: str
    """The households file (or sample) read."""
    provenance: dict[str, Any] | None
    """Pack, chain and versions, date, overrides, periods, interpretations."""
    rows: RowCounts
    files: tuple[FileCount, ...]
    """Every input file: rows read, assessed, rejected."""
    summary: Summary
    titles: dict[str, dict[str, str]]
    """Each criterion's title (zh/en), the version in force on the date."""
    results: pa.Table | None
    """The household results (a row per household, a column per criterion; a household
    id that is an ID number masked), when kept (``keep_results``); JSON key
    ``households``."""
    villages: tuple[dict[str, Any], ...]
    """Each village's decision: outcome, failed, missing, findings, values compared."""
    counties: tuple[dict[str, Any], ...]
    """Each county's decision, as :attr:`villages`."""
    rejects: tuple[Rejected, ...]
    """The rows rejected (``on_error="skip"``), each with its problems."""
    outputs: OutputPaths
    """The files written."""
    as_of: dt.date
    """The date of the assessment."""
    decision: str
    """The household decision."""
    village_records: tuple[Any, ...] = ()
    """The villages, their poor population filled from the households (not in JSON)."""
    county_records: tuple[Any, ...] = ()
    """The counties, likewise (not in JSON)."""
    totals: RunSummary | None = None
    """The households' running totals (by outcome, criterion, group), which add up
    across partitions (:func:`poverty_core.scaleout.merge_summaries`; not in JSON)."""
    record: DecisionRecord | None = None
    """What decided the run (:func:`assess_source` makes it; ``None`` for totals merged
    from partitions); ``poverty-core verify`` re-runs it."""

    @property
    def records(self) -> int:
        """Households decided."""
        return self.rows.assessed

    @property
    def absent_inputs(self) -> tuple[str, ...]:
        """Inputs the decision reads that the register lacks altogether."""
        return self.summary.absent

    @property
    def interpretations(self) -> list[dict[str, Any]]:
        """The national form's interpretations the register was read under."""
        return list((self.provenance or {}).get("interpretations") or [])

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, by cattrs (ID numbers masked unless shown): the document
        ``poverty-core assess --format json`` prints and :mod:`poverty_core.report`
        renders."""
        data: dict[str, Any] = redact_data(_CONVERTER.unstructure(self))
        return data


def _table_rows(table: pa.Table | None) -> list[dict[str, Any]] | None:
    if table is None:
        return None
    return [
        {**row, "failed": _split(row["failed"]), "missing": _split(row["missing"])}
        for row in table.to_pylist()
    ]


def _split(text: str | None) -> list[str]:
    return [t for t in (text or "").split(";") if t]


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_unstructure_hook(FileCount, lambda c: c.to_dict())
    conv.register_unstructure_hook(DecisionRecord, lambda r: r.to_dict())
    conv.register_unstructure_hook(
        Rejected, lambda r: {**r.to_dict(), "household_id": mask_if_id_number(r.household_id)}
    )
    conv.register_unstructure_hook(
        RowCounts, make_dict_unstructure_fn(RowCounts, conv, read=override(rename="in"))
    )
    conv.register_unstructure_hook(
        Assessment,
        make_dict_unstructure_fn(
            Assessment,
            conv,
            results=override(rename="households", unstruct_hook=_table_rows),
            village_records=override(omit=True),
            county_records=override(omit=True),
            totals=override(omit=True),
        ),
    )
    return conv


_CONVERTER = _make_converter()
