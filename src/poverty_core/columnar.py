"""The register reader's former home, kept so that ``poverty_core.columnar`` imports work.

The reader is the package :mod:`poverty_core.registers`; new code imports from there (the
public names also from :mod:`poverty_core`). This module re-exports the package's public
names (its ``__all__``), so the two can never list different names.
"""

from __future__ import annotations

from poverty_core import registers as _registers
from poverty_core.registers import *  # noqa: F403  (the package's __all__, re-exported)
from poverty_core.registers.specs import _column_spec as _column_spec

__all__ = list(_registers.__all__)
