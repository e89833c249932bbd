"""Registers as Arrow tables: reading register files, strictly, in bounded memory.

The package's modules, each one part of the reading: :mod:`~poverty_core.registers.schema`
(tables and their types), :mod:`~poverty_core.registers.specs` (column specs),
:mod:`~poverty_core.registers.cells` (cell coercion), :mod:`~poverty_core.registers.checks`
(the model's checks over columns), :mod:`~poverty_core.registers.history`,
:mod:`~poverty_core.registers.ids` (repeated ids), :mod:`~poverty_core.registers.sources`
(headers to columns) with one module per format (``csv``, ``xlsx``, ``arrow``, ``jsonl``),
:mod:`~poverty_core.registers.batch` (typed batches and rejections),
:mod:`~poverty_core.registers.merge` and :mod:`~poverty_core.registers.flat` (members to
households), :mod:`~poverty_core.registers.register` (streaming) and
:mod:`~poverty_core.registers.opening` (:func:`open_register`, :func:`read_table`).

A household register is two tables: households (one row per household, columns named
as :class:`~poverty_core.model.Household` fields, procedure steps and checklist items
flattened to ``procedures.<procedure>.<step>`` / ``checklists.<checklist>.<item>``)
and members (one row per member, a ``household_id`` column and the
:class:`~poverty_core.model.Person` fields). :func:`arrow_schema` gives their types;
:func:`~poverty_core.frame.frame_from_arrow` turns them into a frame for the engine.

Reading files: :func:`open_register`
------------------------------------

``open_register(households, members=None, ...)`` reads

* **CSV** (or tab-separated): a households file and a members file keyed by
  ``household_id`` (header ``户编号`` in a members file);
* **JSON Lines**: one household object per line with its ``members`` nested, read
  in blocks of lines as the columns of a nested Parquet table (values of the JSON type
  of their field; a line refused before the column checks, such as invalid JSON, is
  named by the strict JSON converter, :func:`poverty_core.structure`;
  :mod:`~poverty_core.registers.jsonl`);
* **Parquet** and **Arrow IPC** (file or stream format, ``.arrow`` ``.feather``
  ``.arrows``): a households table and a members table, or one households table with
  a nested ``members`` column (``list<struct>``); columns typed or text;
* **xlsx** (the optional extra ``poverty-core[xlsx]``: python-calamine, and fastexcel
  for plain sheets): a households sheet and a members sheet, in one workbook (sheets
  named ``households``/``members`` or ``户``/``成员`` …, else the first two sheets) or in
  two. A merged range in a key
  column (``village_id``/``村编号``, ``county_id``/``县编号``, and a members sheet's
  ``household_id``/``户编号``) is read as its top-left value on every row it covers;
  a merged range anywhere else is a problem of each row it leaves blank, naming the
  range — never read as blank.

Status histories (``Household.history``) travel as a households ``history`` column of
:data:`HISTORY_TYPE`: read from JSON Lines, and from Parquet and Arrow IPC as
``list<struct<kind, date>>`` (dates typed or ISO text). A well-typed column whose events
are all good is taken with Arrow kernels; otherwise each event is read in Python so a bad
one can be named (``FILE:ROW:history[I].date``), as the one-record ``StatusEvent`` checks
it. A CSV or xlsx cell cannot hold a history: a ``history`` header there is an error
naming the formats that carry one.

:meth:`Register.batches` yields :class:`RegisterBatch` es of at most ``batch_size``
households with **all their members**, as typed tables matching ``arrow_schema``;
:meth:`Register.read_all` returns the whole register as one batch. Tables of villages
and counties (one file per entity kind) are read by :func:`read_table` with the same
rules.

Column names
    A column is found by its field name or any header of the alias map
    (:mod:`poverty_core.aliases`: the model's own Chinese and English labels, the
    register-export headers of ``data/aliases.toml``, and the caller's ``aliases``).
    A column no alias knows is an error listing it — never silently dropped — unless
    named in ``ignore_columns``. Columns may come in any order; a field without a
    column is unknown for every row.

Cells (text formats; typed Parquet/Arrow columns are taken as they are)
    * empty (or only spaces): unknown. Text is trimmed of surrounding spaces.
    * numbers: ``3100``, ``3100.5``, ``-1``, ``1e3``; also **accepted**: thousands
      separators in their exact form (``1,234`` and ``1,234.5``) and full-width digits
      (``１２３``). **Rejected** with a message saying why: approximate values
      (``约3000``, ``3000左右``), units (``3000元``), percentages, a comma as the
      decimal point (``1,5``), ``nan``/``inf``. Integer fields (age, years) take
      whole numbers only (``36`` or ``36.0``).
    * yes/no: ``true``/``false``, ``是``/``否``, ``1``/``0``, ``Y``/``N``, ``yes``/``no``
      (any case; more in ``data/aliases.toml``).
    * codes: the code (``illness``), its Chinese or English label (``因病``) or a
      listed synonym (``之子`` for ``child``).
    * dates: ``2016-11-13``; also ``2016/11/13``, ``2016.11.13``, ``2016年11月13日``
      and ``20161113``. A date with a time of day is rejected.
    * lists (``other_causes``, ``cadre_visits`` …): items separated by ``;`` ``；``
      ``、`` ``|`` (and ``,`` ``，`` for lists of text, codes and dates); ``[]`` is an
      empty list.
    * a text cell longer than :data:`MAX_CELL_CHARS` characters, an id longer than
      :data:`MAX_ID_CHARS`, or a cell holding a line break (the usual sign of an
      unclosed quote) is rejected; a CSV row larger than 4 MB stops the reading with
      an error (it is not register data).

Checks
    Every check of the model (age 0–150, amounts ≥ 0, ratios 0–1, years 2000–2100,
    ID-number check characters, at most two other causes, register dates from 2010 and
    not in the future, …) with the model's own messages; ids present; household ids
    unique in the whole file (in ``"skip"`` mode the first is kept, a repeat rejected);
    member ids unique within their household; every household with at least one
    member; every member in a household of the file (a member row whose household id
    is blank is one of no household); rows with as many cells as the header; with
    ``as_of``, a stated age within a year of the age the date of birth gives on that
    date. An empty file and a file with a header but no rows are errors.

Where a problem is
    Every problem is a :class:`~poverty_core.errors.Problem` whose path is
    ``FILE:ROW:COLUMN`` with the file as given, the column as headed in the file and
    ROW the row number **as a spreadsheet shows it**: in CSV and xlsx the header is row
    1 and the first household row 2 (a cell with a line break does not shift rows);
    in JSON Lines the line number; in Parquet/Arrow the 1-based row of the table.
    A member nested in a household is ``FILE:ROW:members[I].COLUMN``; a problem of a
    whole row (too few or too many cells) is ``FILE:ROW``, of the file ``FILE`` or
    ``FILE:1`` (the header).

``on_error``
    ``"fail"`` (default): every problem of the whole register is collected (up to
    ``max_problems``, then counted) and :class:`~poverty_core.errors.InputError` is
    raised before anything is returned. :meth:`Register.batches` then reads the
    register twice: once to validate it, keeping nothing, once for the batches (no
    copy of the register, which holds names and ID numbers, is ever written).
    ``"skip"``: bad households (and all their members) are left out of the batch and
    listed in :attr:`RegisterBatch.rejected` with their problems, so that households
    read = households returned + households rejected (and likewise member rows). A
    household one of whose member rows is rejected is rejected too: it is never
    decided without a member. Problems of the file as a whole (unreadable, unknown
    columns, members out of order …) raise in both modes.

Streaming
    Peak memory follows ``batch_size``, not the file: CSV and xlsx are read in blocks,
    Parquet by row group, Arrow IPC by record batch. With a separate members file the
    members must come **in the order of their households** (both files sorted by
    household id, as register exports are) so that each batch can be completed; a member
    row that comes after the batch of its household was finished is an error saying so
    (:meth:`Register.read_all` has no such requirement). Household ids seen are kept
    (a few bytes each) to find repeats across the whole file.
"""

from __future__ import annotations

from poverty_core.registers.batch import FileCount, RegisterBatch, Rejected
from poverty_core.registers.history import HISTORY_TYPE, history_column
from poverty_core.registers.opening import open_register, read_table
from poverty_core.registers.problems import MissingExtra
from poverty_core.registers.register import Register
from poverty_core.registers.schema import (
    FORMATS,
    LAYOUTS,
    MAX_CELL_CHARS,
    MAX_ID_CHARS,
    MEMBER_KEY,
    arrow_schema,
    csv_ready,
    records_from_tables,
    tables_from_records,
)

__all__ = [
    "FORMATS",
    "HISTORY_TYPE",
    "LAYOUTS",
    "MAX_CELL_CHARS",
    "MAX_ID_CHARS",
    "MEMBER_KEY",
    "FileCount",
    "MissingExtra",
    "Register",
    "RegisterBatch",
    "Rejected",
    "arrow_schema",
    "csv_ready",
    "history_column",
    "open_register",
    "read_table",
    "records_from_tables",
    "tables_from_records",
]
