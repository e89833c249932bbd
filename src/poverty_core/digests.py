"""The hashes a decision record keeps (SHA-256, :mod:`hashlib`): of each pack's data
folder (:func:`data_hash`), of input records by their canonical JSON
(:func:`input_digest`), and of a register's rows as Arrow tables, column by column
(:class:`RowsDigest`). Hand-written because the record is this library's own."""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterable
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core.plugins import default_registry
from poverty_core.record_model import InputDigest

if TYPE_CHECKING:
    from poverty_core.packs import Pack
    from poverty_core.plugins import PackRegistry


def _files(root: Traversable, prefix: str = "") -> Iterable[tuple[str, Traversable]]:
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        path = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                yield from _files(item, path + "/")
        elif item.is_file():
            yield path, item


def data_hash(root: Traversable | None) -> str:
    """The SHA-256 of a pack's data folder: each file's path and bytes, in path order
    (an empty folder, or none, hashes the empty input)."""
    digest = hashlib.sha256()
    if root is not None and root.is_dir():
        for path, item in _files(root):
            digest.update(path.encode("utf-8") + b"\0")
            content = item.read_bytes()
            digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def pack_data_hashes(pack: Pack, registry: PackRegistry | None = None) -> dict[str, str]:
    """The data hash of each pack of ``pack``'s chain."""

    out: dict[str, str] = {}
    for name in pack.chain:
        if name == pack.name:
            definition = pack.definition
        else:
            definition = (registry or default_registry()).definitions[name]
        out[name] = data_hash(definition.data)
    return out


def input_digest(records: Iterable[Any], *, source: str | None = None) -> InputDigest:
    """The rows by hash: each record's canonical JSON (``to_dict``, keys sorted), in
    order. Only the hash is kept."""
    digest = hashlib.sha256()
    rows = 0
    for record in records:
        line = json.dumps(record.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        digest.update(line.encode("utf-8") + b"\n")
        rows += 1
    return InputDigest(rows, digest.hexdigest(), source)


def _fixed_width(kind: pa.DataType) -> pa.DataType | None:
    """The type whose values' bytes stand for ``kind``'s (itself for numbers and
    booleans, the integer underneath for dates and times), or ``None`` (hashed as text)."""
    found: pa.DataType | None = None
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        found = kind
    elif pa.types.is_date32(kind) or pa.types.is_time32(kind):
        found = pa.int32()
    elif (
        pa.types.is_date64(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_time64(kind)
        or pa.types.is_duration(kind)
    ):
        found = pa.int64()
    return found


def _validity(array: pa.Array) -> npt.NDArray[np.uint8]:
    """Each value's validity as a byte, 1 or 0 (what ``is_valid().to_numpy()`` gives),
    from the validity bitmap: no Arrow kernel, no boolean array."""
    n = len(array)
    nulls = array.null_count
    if nulls == 0:
        return np.ones(n, np.uint8)
    if nulls == n:
        return np.zeros(n, np.uint8)
    bitmap = np.frombuffer(array.buffers()[0], np.uint8)
    start = array.offset
    return np.unpackbits(bitmap, count=start + n, bitorder="little")[start:]


_TEXT_OFFSETS: dict[pa.DataType, np.dtype[Any]] = {
    pa.string(): np.dtype(np.int32),
    pa.large_string(): np.dtype(np.int64),
}


def _feed_plain(hash_of: Callable[[str], Any], key: str, array: pa.Array) -> bool:
    """Feed a plain column — numbers, booleans, dates and times, text — straight from
    its Arrow buffers, the very bytes :meth:`RowsDigest._feed_general` hashes (a null's
    value as 0, or as an empty text); ``False``, with nothing fed, for any other
    column, and for text whose nulls still hold bytes (Arrow allows it)."""
    kind = array.type
    n = len(array)
    offsets_type = _TEXT_OFFSETS.get(kind)
    fixed = None if offsets_type is not None else _fixed_width(kind)
    if n == 0 or (offsets_type is None and fixed is None):
        return False
    valid = _validity(array)
    some_null = array.null_count > 0
    buffers = array.buffers()
    start = array.offset
    if offsets_type is not None:
        if buffers[2] is None:
            return False
        offsets = np.frombuffer(buffers[1], offsets_type, count=start + n + 1)[start:]
        lengths = np.diff(offsets).astype(np.int64)
        if some_null:
            lengths[valid == 0] = 0
        first, last = int(offsets[0]), int(offsets[-1])
        if some_null and int(lengths.sum()) != last - first:
            return False  # bytes under a null: the general path drops them
        hash_of(key + "#valid").update(valid)
        hash_of(key + "#len").update(lengths)
        hash_of(key + "#data").update(memoryview(buffers[2])[first:last])
        return True
    assert fixed is not None
    if array.null_count == n:
        values: npt.NDArray[Any] = np.zeros(
            n * fixed.byte_width if fixed.bit_width >= 8 else n, np.uint8
        )
    elif fixed == pa.bool_():  # a byte per value, as NumPy's booleans
        bits = np.frombuffer(buffers[1], np.uint8)
        values = np.unpackbits(bits, count=start + n, bitorder="little")[start:]
        if some_null:
            values &= valid
    else:
        values = np.frombuffer(buffers[1], np.dtype(f"u{fixed.byte_width}"), count=start + n)[
            start:
        ]
        if some_null:
            values = values.copy()
            values[valid == 0] = 0
    hash_of(key + "#valid").update(valid)
    hash_of(key + "#data").update(values)
    return True


class RowsDigest:
    """The SHA-256 of a register's rows as the register reader gives them (Arrow tables
    of households and members), fed batch by batch.

    Each column — and each part of a nested one: validity, list lengths, struct fields —
    has its own running hash: of its values' bytes for numbers, booleans and dates (a
    null as 0, its validity hashed apart), else of its values as text (Arrow's cast):
    their lengths and their bytes, so the digest is the same however the rows are split
    into batches. Plain columns are hashed straight from their Arrow buffers, others by
    Arrow kernels, never by a Python loop per row: the cost is SHA-256's own (about
    770 MB for 1M households and their 3.5M members, some 0.6 s on one core), which
    a ``DigestThread`` moves off the thread that decides. The digest of the whole
    is the hash of the columns' hashes in name order. Only hashes are kept.
    """

    def __init__(self) -> None:
        self.rows = 0
        self._parts: dict[str, Any] = {}

    def update(self, households: pa.Table, members: pa.Table | None = None) -> None:
        """Feed one batch: its households and their members."""
        self.rows += households.num_rows
        for part, table in (("households", households), ("members", members)):
            if table is None:
                continue
            for name in table.column_names:
                for chunk in table.column(name).chunks:
                    self._feed(f"{part}.{name}", chunk)

    def _hash(self, key: str) -> Any:
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = hashlib.sha256()
        return found

    def _feed(self, key: str, array: pa.Array) -> None:
        if not _feed_plain(self._hash, key, array):
            self._feed_general(key, array)

    def _feed_general(self, key: str, array: pa.Array) -> None:
        """Any column, by Arrow kernels: the definition of what is hashed (a dictionary
        decoded, a list's lengths and its values, a struct's fields, text by Arrow's
        cast to text); :meth:`_feed` takes a shortcut for plain columns."""
        kind = array.type
        if pa.types.is_dictionary(kind):
            array = array.dictionary_decode()
            kind = array.type
        self._hash(key + "#valid").update(
            np.ascontiguousarray(array.is_valid().to_numpy(zero_copy_only=False)).tobytes()
        )
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            lengths = pc.fill_null(pc.list_value_length(array), 0).cast(pa.int64())
            self._hash(key + "#len").update(lengths.to_numpy(zero_copy_only=False).tobytes())
            self._feed(key + "[]", array.flatten())
            return
        if pa.types.is_struct(kind):
            for field, child in zip(kind, array.flatten(), strict=True):
                self._feed(f"{key}.{field.name}", child)
            return
        fixed = _fixed_width(kind)
        if fixed is not None:  # numbers, booleans, dates: their values' bytes (nulls as 0)
            plain = array if fixed == kind else array.view(fixed)
            values = pc.fill_null(plain, pa.scalar(False if fixed == pa.bool_() else 0, fixed))
            self._hash(key + "#data").update(
                np.ascontiguousarray(values.to_numpy(zero_copy_only=False)).tobytes()
            )
            return
        try:
            text = array if pa.types.is_large_string(kind) else array.cast(pa.large_string())
        except pa.ArrowException:  # no cast to text for this type: its values as JSON
            text = pa.array(
                [json.dumps(v, sort_keys=True, default=str) for v in array.to_pylist()],
                pa.large_string(),
            )
        filled = pc.fill_null(text, "")
        lengths = pc.binary_length(filled).cast(pa.int64()).to_numpy(zero_copy_only=False)
        self._hash(key + "#len").update(lengths.tobytes())
        buffers = filled.buffers()
        if len(filled) and buffers[2] is not None:
            offsets = np.frombuffer(buffers[1], dtype=np.int64)
            start, end = offsets[filled.offset], offsets[filled.offset + len(filled)]
            self._hash(key + "#data").update(
                memoryview(buffers[2].slice(int(start), int(end - start)))
            )

    def digest(self, source: str | None = None) -> InputDigest:
        """The rows' count and hash (``source``: the input, as the caller names it)."""
        total = hashlib.sha256()
        for key in sorted(self._parts):
            total.update(key.encode("utf-8") + b"\0" + self._parts[key].digest())
        return InputDigest(self.rows, total.hexdigest(), source)


class DigestThread:
    """Feeds a :class:`RowsDigest` from a worker thread, batch by batch in the order
    given, so hashing overlaps the work of the thread that reads and decides (SHA-256
    in :mod:`hashlib` and NumPy's copies release the GIL). At most ``depth`` batches
    wait, so memory still follows the batch size. Use it as a context manager: leaving
    the block waits for the batches fed (on an exception, drops them unhashed), and an
    error of the worker is raised there, or by the next :meth:`update`."""

    def __init__(self, digest: RowsDigest, depth: int = 2) -> None:
        self.digest = digest
        self._queue: queue.Queue[tuple[pa.Table, pa.Table | None] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._run, name="poverty-core-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None and not self._dropping:
                try:
                    self.digest.update(*item)
                except BaseException as exc:  # raised in the caller's thread
                    self._error = exc

    def update(self, households: pa.Table, members: pa.Table | None = None) -> None:
        """Queue one batch for hashing (waits while ``depth`` batches wait)."""
        self._raise()
        self._queue.put((households, members))

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def close(self, *, drop: bool = False) -> None:
        """Wait until every batch queued is hashed (``drop``: left unhashed), then stop
        the worker; its error, if any, is raised."""
        self._dropping = self._dropping or drop
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if not drop:
            self._raise()

    def __enter__(self) -> DigestThread:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close(drop=exc_type is not None)
