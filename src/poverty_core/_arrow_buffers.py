"""Arrow buffers read in numpy, for the batch conversions of :mod:`poverty_core.frame`.

Hand-written rather than left to Arrow's kernels because, for the shapes registers have,
reading the buffers in place does the same work in fewer passes: validity and boolean
bitmaps unpacked directly (about three times faster than ``is_valid().to_numpy()``);
code cells that all have one byte width matched on their bytes as unsigned integers,
where Arrow would hash every text; keys of one byte width compared with their
neighbours as 8-byte words read in place (about twice as fast as Arrow's comparison of
texts). Every helper falls back to Arrow, or returns ``None`` for its caller to, on
any other layout, so the answers are the same on every road (``tests/
test_batch_fast_paths.py`` compares them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Array = npt.NDArray[Any]


def whole(arr: Any) -> Any:
    """A chunked array as one array: its only chunk as it is (``combine_chunks`` copies
    even that), else its chunks combined; anything else as it is."""
    if not isinstance(arr, pa.ChunkedArray):
        return arr
    if arr.num_chunks == 1:
        return arr.chunk(0)
    return arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)


def _bits(buffer: Any, offset: int, n: int, *, fill: bool) -> Array:
    """An Arrow bitmap (validity or boolean data) as a numpy bool array; ``fill`` where
    there is no buffer (a column without nulls has no validity bitmap). Unpacking the
    bits directly is about three times faster than ``is_valid().to_numpy()``."""
    if buffer is None:
        return np.full(n, fill, dtype=np.bool_)
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), count=offset + n, bitorder="little")
    return bits[offset:].view(np.bool_)


def _data(array: Any) -> Array:
    """The values buffer of a primitive Arrow array as numpy (no copy; the slots of
    nulls hold whatever the buffer holds)."""
    dtype = np.dtype(array.type.to_pandas_dtype())
    buffer = array.buffers()[1]
    if buffer is None or len(array) == 0:
        return np.zeros(len(array), dtype=dtype)
    count = array.offset + len(array)
    return np.frombuffer(buffer, dtype=dtype, count=count)[array.offset :]


def _is_text(tp: Any) -> bool:
    return bool(pa.types.is_string(tp) or pa.types.is_large_string(tp))


def _fixed_width_ids(
    column: Any, known: Array, by_width: dict[int, tuple[Array, Array]]
) -> Array | None:
    """The ids of a text column whose known cells all have the same width in bytes, 1,
    2, 4 or 8, each a spelling of the code list (and whose unknown cells are empty):
    ``by_width`` maps a width to the code list's spellings of that width as
    little-endian unsigned integers and their ids. The texts lie end to end in the data
    buffer and read as unsigned integers, matched without hashing (a chunked column
    chunk by chunk). ``None`` for any other column (another road then reads it)."""
    if isinstance(column, pa.ChunkedArray):
        parts: list[Array] = []
        at = 0
        for chunk in column.chunks:
            part = _fixed_width_ids(chunk, known[at : at + len(chunk)], by_width)
            if part is None:
                return None
            parts.append(part)
            at += len(chunk)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    n = len(column)
    count = int(np.count_nonzero(known))
    if count == 0:  # nothing known: every id 0, as the dictionary gives
        return np.zeros(n, dtype=np.int32)
    large = pa.types.is_large_string(column.type)
    offsets = np.frombuffer(
        column.buffers()[1], dtype=np.int64 if large else np.int32, count=column.offset + n + 1
    )[column.offset :]
    start, total = int(offsets[0]), int(offsets[-1] - offsets[0])
    width = total // count
    if total % count or width not in by_width:
        return None
    lengths = np.diff(offsets)
    if not np.array_equal(lengths, known.view(np.uint8) * lengths.dtype.type(width)):
        return None
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8, count=start + total)[start:]
    cells = data.view(np.dtype(f"<u{width}"))
    keys, ids = by_width[width]
    found: Array
    if width <= 2:  # a table of every possible value
        table = np.full(1 << (8 * width), -1, dtype=np.int32)
        table[keys.astype(np.intp)] = ids
        found = table[cells]
    else:
        found = np.full(count, -1, dtype=np.int32)
        for key, sid in zip(keys, ids, strict=True):
            found[cells == cells.dtype.type(key)] = sid
    if (found < 0).any():  # a cell that is none of the spellings
        return None
    if count == n:
        return found
    values = np.zeros(n, dtype=np.int32)
    values[known] = found
    return values


def _take_rows(column: Any, rows: Array) -> Any:
    """``column.take(rows)`` for rising ``rows``; a chunked column chunk by chunk (Arrow's
    take over chunks costs more than the takes of each chunk's rows)."""
    if not isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(rows))
    bounds = np.cumsum([0, *(len(c) for c in column.chunks)])
    cuts = np.searchsorted(rows, bounds)
    parts = [
        chunk.take(pa.array(rows[cuts[i] : cuts[i + 1]] - bounds[i]))
        for i, chunk in enumerate(column.chunks)
    ]
    return pa.chunked_array(parts, column.type)


def _keys_differ(keys: Any) -> Array:
    """:func:`_neighbours_differ` of an array or of a chunked array chunk by chunk (no
    copy of the keys into one buffer), the keys either side of each cut compared too."""
    if not isinstance(keys, pa.ChunkedArray):
        return _neighbours_differ(keys)
    chunks = [c for c in keys.chunks if len(c)]
    parts: list[Array] = []
    for before, chunk in zip([None, *chunks], chunks, strict=False):
        if before is not None:
            cut = pc.not_equal(before.slice(len(before) - 1), chunk.slice(0, 1))
            parts.append(np.array([cut[0].as_py()], dtype=np.bool_))
        parts.append(_neighbours_differ(chunk))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.bool_)


def _neighbours_differ(keys: Any) -> Array:
    """Whether each key (from the second) differs from the one before it; ``keys`` an
    Arrow array without nulls.

    Text keys all of the same width in bytes (ids are usually written so) are compared
    in numpy as 8-byte words read in place from the data buffer — the words at each
    8 bytes of a key and the one ending it cover every byte — about twice as fast as
    Arrow's comparison of texts; widths 1, 2 and 4 as one word each. Any other keys by
    Arrow (``not_equal``).
    """
    n = len(keys)
    if _is_text(keys.type) and n > 1:
        large = pa.types.is_large_string(keys.type)
        offsets = np.frombuffer(
            keys.buffers()[1], dtype=np.int64 if large else np.int32, count=keys.offset + n + 1
        )[keys.offset :]
        start, total = int(offsets[0]), int(offsets[-1] - offsets[0])
        width = total // n
        if total == width * n and width > 0 and bool((np.diff(offsets) == width).all()):
            data = keys.buffers()[2]
            if width in (1, 2, 4):
                words = np.frombuffer(data, dtype=f"<u{width}", count=n, offset=start)
                return np.asarray(words[1:] != words[:-1])
            if width >= 8:
                differ = np.zeros(n - 1, dtype=np.bool_)
                for at in sorted({*range(0, width - 7, 8), width - 8}):
                    words = np.ndarray(
                        (n,), dtype="<u8", buffer=data, offset=start + at, strides=(width,)
                    )
                    differ |= words[1:] != words[:-1]
                return differ
    changes = pc.not_equal(keys[1:], keys[:-1])
    return _bits(changes.buffers()[1], changes.offset, len(changes), fill=False)
