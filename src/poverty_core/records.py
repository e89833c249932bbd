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

This module is the public path of the records API; the code lives in
:mod:`poverty_core.record_model` (the record), :mod:`poverty_core.digests` (the hashes),
:mod:`poverty_core.recording` (making records, results files),
:mod:`poverty_core.verification` (:func:`verify`) and :mod:`poverty_core.differences`
(what differs, and why); the ``record`` and ``verify`` commands are
:mod:`poverty_core.cli.records`.

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

from poverty_core.differences import Difference, Verification
from poverty_core.digests import RowsDigest, data_hash, input_digest, pack_data_hashes
from poverty_core.record_model import (
    FORMAT,
    RECORD_FORMAT,
    DecisionRecord,
    InputDigest,
    ParameterRecord,
    ReferenceRecord,
    record_path,
)
from poverty_core.recording import (
    Recorded,
    decide_batch_recorded,
    decide_recorded,
    decide_transitions_recorded,
    decision_record,
    job_record,
    record_view,
    write_results,
)
from poverty_core.verification import verify

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
