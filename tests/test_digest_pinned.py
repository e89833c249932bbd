"""The hash of a register's rows (:class:`~poverty_core.digests.RowsDigest`, the
``inputs`` of a decision record) is published: records already written must still
verify. These values were taken before the digest was made faster; they hold it to the
bytes, on a table of every kind of column and on the register job over the SYNTHETIC
samples, read from JSON, Parquet and CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from poverty_core import jobs
from poverty_core.columnar import tables_from_records
from poverty_core.digests import DigestThread, RowsDigest, _feed_plain
from poverty_core.samples import read_sample

AS_OF = dt.date(2016, 12, 31)


def _dirty_text() -> pa.Array:
    """Text whose null slots still hold bytes (Arrow allows it; a filter or a reader
    may leave it so): ``["ab", null (over "zz"), "", "c"]``."""
    offsets = np.array([0, 2, 4, 4, 5], np.int32)
    data = b"abzzc"
    validity = np.packbits(np.array([1, 0, 1, 1, 0, 0, 0, 0], np.uint8), bitorder="little")
    return pa.Array.from_buffers(
        pa.string(),
        4,
        [pa.py_buffer(validity.tobytes()), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)],
        null_count=1,
    )


def crafted() -> tuple[pa.Table, pa.Table]:
    """Households and members with a column of every kind the digest tells apart:
    numbers, booleans, dates and times with and without nulls, all null, text (sliced,
    large, dictionary-encoded, with bytes under a null), lists, structs, a map (hashed
    as JSON), and a column of several chunks."""
    n = 6
    words = pa.array(["甲", None, "", "=x", "long text " * 30, "b"])
    households = pa.table(
        {
            "id": pa.array([f"H{i}" for i in range(n)]),
            "int": pa.array([1, None, 3, -4, 2**40, 0], pa.int64()),
            "int_full": pa.array(range(n), pa.int32()),
            "int_none": pa.nulls(n, pa.int64()),
            "float": pa.array([1.5, None, float("nan"), -0.0, 1e300, 2.0]),
            "bool": pa.array([True, None, False, True, False, None]),
            "bool_full": pa.array([True, False] * 3),
            "bool_none": pa.nulls(n, pa.bool_()),
            "date": pa.array([dt.date(2016, 1, i + 1) if i != 2 else None for i in range(n)]),
            "stamp": pa.array(
                [dt.datetime(2016, 5, 4, 3, 2, i) for i in range(n)], pa.timestamp("us")
            ),
            "time": pa.array([dt.time(1, i) for i in range(n)], pa.time64("us")),
            "duration": pa.array([i * 1000 for i in range(n)], pa.duration("ms")),
            "text": words,
            "text_sliced": pa.array(["skip", *words.to_pylist()]).slice(1),
            "text_large": words.cast(pa.large_string()),
            "text_none": pa.nulls(n, pa.string()),
            "text_dirty": pa.concat_arrays([_dirty_text(), pa.array(["d", None])]),
            "code": pa.array(["A", "B", None, "A", "C", "B"]).dictionary_encode(),
            "list": pa.array([["a", "b"], None, [], ["c"], [None, "d"], ["e"]]),
            "list_sliced": pa.array([["z"], ["a"], None, [], ["c"], [], ["e", "f"]]).slice(1),
            "struct": pa.array([{"x": 1, "y": "u"}, None, {"x": None, "y": "v"}] * 2),
            "map": pa.array(
                [[("k", 1)], None, [], [("a", 2), ("b", 3)], [("c", None)], [("d", 4)]],
                pa.map_(pa.string(), pa.int64()),
            ),
        }
    )
    chunked = pa.chunked_array([pa.array(["H0", "H0", "H1"]), pa.array(["H3", None])])
    members = pa.table(
        {
            "household_id": chunked,
            "age": pa.chunked_array([pa.array([30, None, 7]), pa.array([None, 99])]),
            "schooling": pa.chunked_array(
                [pa.array(["in_school", None, "out"]), pa.array(["in_school", "x"])]
            ).cast(pa.dictionary(pa.int8(), pa.string())),
            "insured": pa.chunked_array([pa.array([True, None, False]), pa.array([None, True])]),
        }
    )
    return households, members


CRAFTED = "dff1325145a136895fdecdbffb4b541c487e018521c6c4d81a8bd19b8038ec60"
SAMPLES = {
    "lianjiang": "a7ac3f38357cee2055b9dca0a6588e79373cf82a31e8fbe3472948b15ce79ea7",
    "tianshui": "e08e8ed5c9b6be2a1528718100892d2d877ce83540a429042f63f29896657a59",
    "zhangzhou": "9b296cdde3ab8c24910cc5e4a084058d27cdd42f4821207a7b92400d7b6df676",
}
FILES = {
    "parquet": "fa89d5308faf1aae11d0b0c070d40e9372d369c370593b2b7d9d52791a75dd36",
    "csv": "988b4b4fabb7129344adaf04d4690ae99afab6aa1906b43a33da2e3641fda1ef",
}


def test_the_digest_of_every_kind_of_column_is_the_published_one() -> None:
    households, members = crafted()
    whole = RowsDigest()
    whole.update(households, members)
    assert whole.digest().sha256 == CRAFTED
    split = RowsDigest()  # the same however the rows come in batches
    split.update(households.slice(0, 3), members.slice(0, 2))
    split.update(households.slice(3), members.slice(2))
    assert split.digest() == whole.digest()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_job_on_a_sample_records_the_published_digest(name: str) -> None:
    record = jobs.assess_register(sample=name, as_of=AS_OF).record
    assert record is not None
    assert record.inputs.sha256 == SAMPLES[name]


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_job_on_a_register_file_records_the_published_digest(kind: str, tmp_path: Path) -> None:
    data, _ = read_sample("lianjiang")
    households, members = tables_from_records(data.households)
    assert members is not None
    h, m = tmp_path / f"households.{kind}", tmp_path / f"members.{kind}"
    if kind == "parquet":
        pq.write_table(households, h)
        pq.write_table(members, m)
    else:  # a CSV cell holds no list
        pacsv.write_csv(households.drop_columns(["other_causes", "income_projects"]), h)
        pacsv.write_csv(members, m)
    record = jobs.assess_register(h, m, as_of=AS_OF).record
    assert record is not None
    assert record.inputs.rows == 745
    assert record.inputs.sha256 == FILES[kind]


# -- the shortcut for plain columns hashes what the general path hashes ------------------


class _General(RowsDigest):
    """Every column by the general path (Arrow kernels), as before the shortcut."""

    def _feed(self, key: str, array: pa.Array) -> None:
        self._feed_general(key, array)


def _random_columns(seed: int) -> dict[str, pa.Array]:
    rng = np.random.default_rng(seed)
    n = 300
    nulls = rng.random(n) < rng.choice([0.0, 0.01, 0.5, 1.0])
    ints = rng.integers(-(2**40), 2**40, n)
    words = [None if z else "字" * int(k % 4) + str(k) for z, k in zip(nulls, ints, strict=True)]
    return {
        "int8": pa.array(ints % 100, pa.int8(), mask=nulls),
        "int64": pa.array(ints, pa.int64(), mask=nulls),
        "uint16": pa.array(np.abs(ints) % 60000, pa.uint16(), mask=nulls),
        "float32": pa.array(rng.normal(size=n).astype(np.float32), mask=nulls),
        "float64": pa.array(rng.normal(size=n), mask=nulls),
        "bool": pa.array(rng.random(n) < 0.5, mask=nulls),
        "date32": pa.array(ints % 20000, pa.int32(), mask=nulls).cast(pa.date32()),
        "date64": pa.array(ints % 10**12, pa.int64(), mask=nulls).cast(pa.date64()),
        "time32": pa.array(ints % 86400, pa.int32(), mask=nulls).cast(pa.time32("s")),
        "stamp": pa.array(ints, pa.int64(), mask=nulls).cast(pa.timestamp("ns", "UTC")),
        "string": pa.array(words, pa.string()),
        "large_string": pa.array(words, pa.large_string()),
        "empty_strings": pa.array(["" if w is not None else None for w in words]),
        "dictionary": pa.array(words).dictionary_encode(),
        "list": pa.array([None if w is None else list(w[:3]) for w in words]),
        "decimal": pa.array(ints % 1000, pa.int64(), mask=nulls).cast(pa.decimal128(22, 2)),
    }


@pytest.mark.parametrize("seed", range(8))
def test_the_shortcut_hashes_what_the_general_path_hashes(seed: int) -> None:
    columns = _random_columns(seed)
    households, _ = crafted()
    for name in households.column_names:
        columns[f"crafted_{name}"] = households.column(name).combine_chunks()
    columns["dirty"] = _dirty_text()
    columns["dirty_clean_part"] = _dirty_text().slice(2)
    for name, column in columns.items():
        for start, stop in ((0, len(column)), (1, len(column)), (3, 5), (0, 0)):
            part = column.slice(start, stop - start)
            fast, slow = RowsDigest(), _General()
            fast.update(pa.table({name: part}))
            slow.update(pa.table({name: part}))
            assert fast.digest() == slow.digest(), (name, start, stop)


def test_the_shortcut_leaves_bytes_under_a_null_to_the_general_path() -> None:
    fed: list[str] = []
    assert not _feed_plain(fed.append, "k", _dirty_text())
    assert fed == []  # nothing fed before refusing
    assert not _feed_plain(fed.append, "k", pa.array(["a"]).dictionary_encode())
    assert not _feed_plain(fed.append, "k", pa.array([], pa.string()))


# -- hashing in a worker thread ----------------------------------------------------------


def test_a_digest_fed_from_a_worker_thread_is_the_same() -> None:
    households, members = crafted()
    here = RowsDigest()
    there = RowsDigest()
    with DigestThread(there, depth=1) as feed:
        for start in range(6):
            here.update(households.slice(start, 1), members.slice(start, 1))
            feed.update(households.slice(start, 1), members.slice(start, 1))
    assert there.digest() == here.digest()
    assert there.digest().sha256 == CRAFTED


def test_an_error_in_the_worker_thread_is_raised_in_the_caller() -> None:
    class Broken(RowsDigest):
        def update(self, households: pa.Table, members: pa.Table | None = None) -> None:
            raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"), DigestThread(Broken()) as feed:
        feed.update(*crafted())
    # an error of the caller's own: the batches queued are dropped, the worker stopped
    feeder = DigestThread(RowsDigest())

    def fail_while_feeding() -> None:
        with feeder:
            feeder.update(*crafted())
            raise KeyError("caller")

    with pytest.raises(KeyError):
        fail_while_feeding()
    assert not feeder._thread.is_alive()
