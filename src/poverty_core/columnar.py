"""The register reader's former home, kept so that ``poverty_core.columnar`` imports work.

The reader is the package :mod:`poverty_core.registers`; new code imports from there (the
public names also from :mod:`poverty_core`).
"""

from __future__ import annotations

from poverty_core.registers import (
    FORMATS,
    HISTORY_TYPE,
    LAYOUTS,
    MAX_CELL_CHARS,
    MAX_ID_CHARS,
    MEMBER_KEY,
    FileCount,
    MissingExtra,
    Register,
    RegisterBatch,
    Rejected,
    arrow_schema,
    csv_ready,
    history_column,
    open_register,
    read_table,
    records_from_tables,
    tables_from_records,
)
from poverty_core.registers.specs import _column_spec as _column_spec

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
