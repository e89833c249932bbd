"""The decision record itself (:class:`DecisionRecord`): what decided a result, as a
frozen value with its JSON form (a private cattrs converter), and where a register job
writes it (:func:`record_path`). See :mod:`poverty_core.records` for the whole API."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

import attrs
import cattrs

from poverty_core._text import Text
from poverty_core.errors import InputError, Problem

if TYPE_CHECKING:
    pass


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


def jsonable(value: Any) -> Any:
    """``value`` as JSON holds it: tuples as lists, dates as ISO text."""
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
    conv.register_unstructure_hook_func(lambda t: t is Any, jsonable)
    conv.register_structure_hook_func(lambda t: t is Any, lambda v, _: v)
    return conv


_CONVERTER = _make_converter()
