"""The register reader's quick looks at a column (``registers.cells``): validity and
boolean masks unpacked from Arrow's bitmaps, the first and last byte of each cell, the
lowest and highest byte of a column — each the same answer as the Arrow kernels and
NumPy masks they replaced (kept here as references), on columns that take each shortcut
and columns that do not: nulls, none, all, sliced, chunked, dictionary, nested, empty
cells, spaces, control characters, DEL, non-ASCII text."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from poverty_core.registers.cells import _mask, _may_need_trim, _suspect, _valid


def mask_reference(arr: Any) -> npt.NDArray[np.bool_]:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def trim_reference(arr: pa.Array) -> bool:
    n = len(arr)
    if not n or not pa.types.is_string(arr.type):
        return True
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    if data is None:
        return False
    nonempty = offsets[1:] > offsets[:-1]
    if not nonempty.any():
        return False
    raw = np.frombuffer(data, np.uint8)
    ends = np.concatenate([raw[offsets[:-1][nonempty]], raw[offsets[1:][nonempty] - 1]])
    return bool(((ends <= 0x20) | (ends >= 0x7F)).any())


def suspect_reference(text: pa.Array, limit: int) -> bool:
    n = len(text)
    if not n:
        return False
    if (pc.max(pc.binary_length(text)).as_py() or 0) > limit:
        return True
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return False
    chunk = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]]
    return bool(((chunk < 32) | (chunk == 127)).any())


def _arrays(seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    n = 77
    nulls = rng.random(n) < rng.choice([0.0, 0.1, 0.9, 1.0])
    bools = rng.random(n) < 0.5
    out: list[Any] = [
        pa.array(bools, mask=nulls),
        pa.array(bools),
        pa.nulls(n, pa.bool_()),
        pa.array(rng.integers(0, 9, n), mask=nulls),
        pa.array(rng.normal(size=n), mask=nulls),
        pa.nulls(n),
        pa.array(["a", None, "b"] * 5).dictionary_encode(),
        pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 1]), pa.array(["x", None])),
        pa.array([{"a": 1}, None, {"a": None}] * 4),
        pa.array([[1], None, []] * 4),
        pa.chunked_array([pa.array(bools[:30], mask=nulls[:30]), pa.array(bools[30:])]),
        pa.chunked_array([], pa.bool_()),
        pa.array([], pa.bool_()),
        pa.RunEndEncodedArray.from_arrays([2, 5], pa.array([None, "x"])),
    ]
    return out


@pytest.mark.parametrize("seed", range(6))
def test_masks_from_bitmaps_are_the_kernels_masks(seed: int) -> None:
    for arr in _arrays(seed):
        parts = [arr] if isinstance(arr, pa.ChunkedArray) else [arr, arr.slice(3), arr.slice(9, 20)]
        for part in parts:
            valid = _valid(part)
            assert valid.dtype == np.bool_
            assert valid.tolist() == mask_reference(part.is_valid()).tolist(), part.type
            if pa.types.is_boolean(part.type):
                got = _mask(part)
                assert got.dtype == np.bool_
                assert got.tolist() == mask_reference(part).tolist()


TEXTS = [
    ["H001", "H002", "abc"],
    ["H001", " H002", "abc"],
    ["H001", "H002 ", None],
    ["", "", ""],
    [None, None],
    ["", "x", ""],
    ["户主", "H1"],
    ["H1", "a\tb", "c"],
    ["a\x7fb", "c"],
    ["~", "!", "0"],
    ["x" * 300, "y"],
    ["é", "e"],
    [],
]


@pytest.mark.parametrize("words", TEXTS)
def test_byte_scans_are_the_reference_scans(words: list[str | None]) -> None:
    arr = pa.array(words, pa.string())
    for part in (arr, arr.slice(1), arr.slice(0, max(len(words) - 1, 0)), arr.slice(1, 1)):
        assert _may_need_trim(part) == trim_reference(part), (words, part.offset)
        for limit in (5, 1000):
            assert _suspect(part, limit) == suspect_reference(part, limit), words
    assert _may_need_trim(arr.cast(pa.large_string())) is True  # not looked into


def test_bytes_under_a_null_are_looked_at_as_before() -> None:
    offsets = np.array([0, 2, 4, 5], np.int32)  # a null over " c"
    validity = np.packbits(np.array([1, 0, 1, 0, 0, 0, 0, 0], np.uint8), bitorder="little")
    arr = pa.Array.from_buffers(
        pa.string(),
        3,
        [pa.py_buffer(validity.tobytes()), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"ab cd")],
        null_count=1,
    )
    assert _may_need_trim(arr) == trim_reference(arr)
    assert _suspect(arr, 10) == suspect_reference(arr, 10)
