"""The model's field checks over whole columns of a register.

Each check is a declaration of :mod:`poverty_core.checks`: its column form finds the
rows that fail (bounds as one comparison, the ID number's check character over the
column's bytes …), its one-value form gives those rows their messages, the model's own.
A check without a column form runs on each distinct value once (dates have few).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.registers.cells import Bad, _mask, _valid
from poverty_core.registers.specs import _Spec

Memo = dict[Any, dict[Any, Any]]
"""Check results by check and value, kept for one reading of a register."""


def _check_column(arr: pa.Array, spec: _Spec, skip: npt.NDArray[np.bool_], memo: Memo) -> Bad:
    """The check of ``spec`` on every known cell not in ``skip``: the rows its column form
    finds (else each distinct value once), each with the one-value form's message."""
    check = spec.check
    if check is None or not check.in_registers:
        return []
    valid = _valid(arr) & ~skip
    if not valid.any():
        return []
    if check.column is None and spec.kind != "list":
        known: dict[Any, Any] = memo.setdefault(check, {})
        chosen = arr.filter(pa.array(valid))
        failing = []
        for value in pc.unique(chosen).to_pylist():
            if value not in known:
                known[value] = check(value)
            if known[value] is not None:
                failing.append(value)
        if not failing:
            return []
        hit = valid & _mask(pc.is_in(arr, value_set=pa.array(failing, arr.type)))
        return [(int(i), known[arr[int(i)].as_py()]) for i in np.flatnonzero(hit)]
    candidates = valid if check.column is None else valid & check.column(arr)
    bad: Bad = []
    for i in np.flatnonzero(candidates):
        value = arr[int(i)].as_py()
        if isinstance(value, list):
            value = tuple(value)
        message = check(value)
        if message is not None:
            bad.append((int(i), message))
    return bad
