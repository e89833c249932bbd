"""Ids seen: repeated household ids across a whole file in bounded memory.

:class:`_Seen` keeps the ids of earlier batches as sorted runs of fixed-width byte keys
(merged as they grow, log-structured), so a repeat is found across 10⁷ rows without
holding the rows; :func:`_key_bytes` gives those keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.registers.cells import _whole
from poverty_core.registers.schema import MAX_ID_CHARS, Rows


def _key_bytes(arr: pa.Array) -> npt.NDArray[Any]:
    """Ids as fixed-width bytes, for sorting and searching (null, and ids too long to
    be ids, as empty)."""
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype="S1")
    arr = pc.fill_null(_whole(arr), "")
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    lengths = np.diff(offsets)
    width = int(lengths.max()) if n else 0
    if width > 4 * MAX_ID_CHARS:
        arr = pc.if_else(pc.greater(pc.binary_length(arr), 4 * MAX_ID_CHARS), "", arr)
    elif width and int(lengths.min()) == width:
        # Ids of one length (the usual register codes): the bytes as they lie.
        data = np.frombuffer(arr.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
        return data.reshape(n, width).view(f"S{width}").ravel()
    return np.asarray(arr.cast(pa.binary()).to_numpy(zero_copy_only=False).astype("S"))


class _Seen:
    """Ids of the batches already given out, with their rows: sorted runs merged as
    they grow (a log-structured index), so adding and finding stay fast at 10^7 ids."""

    def __init__(self) -> None:
        self.levels: list[tuple[npt.NDArray[Any], npt.NDArray[np.int32]]] = []

    def add(self, keys: npt.NDArray[Any], rows: Rows) -> None:
        """Remember ``keys`` first seen on ``rows``."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.levels.append((keys[order], rows[order].astype(np.int32)))
        while len(self.levels) > 1 and len(self.levels[-2][0]) <= 2 * len(self.levels[-1][0]):
            (k1, r1), (k2, r2) = self.levels[-2], self.levels[-1]
            # Merge two sorted runs in one allocation (older first among equal keys).
            n = len(k1) + len(k2)
            at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
            older = np.ones(n, np.bool_)
            older[at] = False
            keys_all = np.empty(n, dtype=np.result_type(k1.dtype, k2.dtype))
            rows_all = np.empty(n, dtype=np.int32)
            keys_all[at], rows_all[at] = k2, r2
            keys_all[older], rows_all[older] = k1, r1
            self.levels[-2:] = [(keys_all, rows_all)]

    def find(self, keys: npt.NDArray[Any]) -> Rows:
        """The row of each key's first sighting, or -1."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for level_keys, level_rows in self.levels:
            if not len(keys):
                break
            pos = np.searchsorted(level_keys, keys)
            pos = np.minimum(pos, len(level_keys) - 1)
            hit = (level_keys[pos] == keys) & (out < 0)
            out[hit] = level_rows[pos[hit]]
        return out


def _positions(keys: pa.Array, ids: pa.Array) -> Rows:
    """The position of each key among ``ids`` (its first), or -1."""
    found = pc.index_in(keys, value_set=ids, skip_nulls=True)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
