"""The model's field checks over whole columns.

A bounded check runs as one vectorised comparison; the ID number's check character and
birth date are checked over the column's bytes; any other check runs cell by cell,
memoised per distinct value. The messages are the model's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.registers.cells import Bad, _mask, _valid
from poverty_core.registers.specs import _Spec

_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "_non_negative": (0, None),
    "_age": (0, 150),
    "_ratio": (0, 1),
    "_year": (2000, 2100),
}
"""The range checks of :mod:`poverty_core.model` done vectorised (by the check's name;
a test keeps them equal to the model's). Any other check runs cell by cell."""


_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)


_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


Memo = dict[Any, dict[Any, Any]]
"""Check results by check and value, kept for one reading of a register."""


def _check_column(arr: pa.Array, spec: _Spec, skip: npt.NDArray[np.bool_], memo: Memo) -> Bad:
    """The model's check of ``spec`` on every known cell not in ``skip``: vectorised for
    the range checks, else on each distinct value (dates have few), else cell by cell."""
    check = spec.check
    if check is None:
        return []
    name = getattr(check, "__name__", "")
    if name in ("_non_empty_id", "_check_members"):
        return []
    valid = _valid(arr) & ~skip
    if not valid.any():
        return []
    known: dict[Any, Any] = memo.setdefault(check, {})
    if spec.kind != "list" and name not in _BOUNDS and name != "_id_number":
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
    if name in _BOUNDS:
        lo, hi = _BOUNDS[name]
        out = np.zeros(len(arr), np.bool_)
        if lo is not None:
            out |= _mask(pc.less(arr, lo))
        if hi is not None:
            out |= _mask(pc.greater(arr, hi))
        candidates = np.flatnonzero(out & valid)
    elif name == "_id_number":
        candidates = _bad_id_numbers(arr, valid)
    elif name == "_check_other_causes" and pa.types.is_list(arr.type):
        lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(), np.int64)
        two = valid & (lengths == 2)
        same = np.zeros(len(arr), np.bool_)
        if two.any():
            pairs = arr.filter(pa.array(two))
            equal = pc.equal(pc.list_element(pairs, 0), pc.list_element(pairs, 1))
            same[np.flatnonzero(two)] = _mask(equal)
        candidates = np.flatnonzero(valid & ((lengths > 2) | same))
    elif name == "_event_dates":
        # A list of dates fails when one of its dates does: look at each distinct date.
        items = pc.list_flatten(arr)
        parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
        failing = []
        for value in pc.unique(items).to_pylist():
            if value is not None and (value,) not in known:
                known[(value,)] = check((value,))
            if value is not None and known[(value,)] is not None:
                failing.append(value)
        hit_items = _mask(pc.is_in(items, value_set=pa.array(failing, items.type)))
        rows = np.zeros(len(arr), np.bool_)
        rows[parents[hit_items]] = True
        candidates = np.flatnonzero(valid & rows)
    else:
        candidates = np.flatnonzero(valid)
    bad: Bad = []
    for i in candidates:
        value = arr[int(i)].as_py()
        if isinstance(value, list):
            value = tuple(value)
        message = check(value)
        if message is not None:
            bad.append((int(i), message))
    return bad


def _bad_id_numbers(arr: pa.Array, valid: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Rows whose ID number is not 17 digits and a right check character."""
    shaped = _mask(pc.match_substring_regex(arr, r"^\d{17}[\dXx]$")) & valid
    out = valid & ~shaped
    rows = np.flatnonzero(shaped)
    if len(rows):
        chosen = pc.take(arr, pa.array(rows))  # a fresh array: offset 0, 18 bytes each
        offsets = np.frombuffer(chosen.buffers()[1], dtype=np.int32)[: len(chosen) + 1]
        data = np.frombuffer(chosen.buffers()[2], dtype=np.uint8)
        grid = data[offsets[:-1, None] + np.arange(18)]
        total = (grid[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
        last = np.where(grid[:, 17] == ord("x"), ord("X"), grid[:, 17])
        out[rows[_ID_CHECK[total % 11] != last]] = True
        out[rows[~_id_birth_ok(grid)]] = True
    return np.flatnonzero(out)


def _id_birth_ok(grid: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Rows (18 ASCII digits each) whose date of birth (characters 7–14) is a real date:
    the test of python-stdnum's ``stdnum.cn.ric.get_birth_date``, which the model uses
    (see :func:`poverty_core.privacy.valid_id_number`), done over the column at once."""
    digits = grid[:, :14].astype(np.int64) - 48
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    ok: npt.NDArray[np.bool_] = (
        (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (year >= 1)
    )
    return ok
