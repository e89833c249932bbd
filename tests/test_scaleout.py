"""The Dask adapter gives the same answers as one ``batch.assess`` over the whole register:
row for row (sorted by id) and in every total, on the bundled SYNTHETIC sample and on a
small generated register, on a local Dask cluster. Skipped when Dask is not installed
(``pip install 'poverty-core[dask]'``)."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import poverty_core as pcore
from poverty_core import batch, scaleout
from poverty_core.columnar import MEMBER_KEY, tables_from_records
from poverty_core.frame import frame_from_arrow
from poverty_core.samples import read_sample

AS_OF = dt.date(2016, 12, 31)
DECISION = "household_exit"
GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A local Dask cluster: two single-threaded workers in this process."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def sample() -> tuple[pa.Table, pa.Table]:
    """The bundled SYNTHETIC sample register as Arrow tables."""
    data, _ = read_sample()  # the core model's fields of the (Fujian-shaped) sample
    households, members = tables_from_records(data.households)
    assert members is not None
    return households, members


def _generator() -> ModuleType:
    if not GENERATOR.exists():
        pytest.skip("benchmarks/generate.py is not in this tree")
    spec = importlib.util.spec_from_file_location("_poverty_core_generate", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small generated register (many unknowns) as Parquet, members shuffled."""
    generate = _generator()
    households, members = generate.generate(3000, seed=7, null_rate=0.05)
    shuffled = members.take(pa.array(np.random.default_rng(3).permutation(members.num_rows)))
    folder = tmp_path_factory.mktemp("register")
    pq.write_table(households, folder / "households.parquet")
    pq.write_table(shuffled, folder / "members.parquet", row_group_size=2000)
    return folder / "households.parquet", folder / "members.parquet"


# -- helpers ------------------------------------------------------------------------------


def whole(households: pa.Table, members: pa.Table) -> tuple[pa.Table, dict[str, Any]]:
    """The result table and summary of one run over the whole register."""
    pack = pcore.load_pack("national")
    table = batch.result_table(
        pack.decide_batch(DECISION, frame_from_arrow(households, members), as_of=AS_OF)
    )
    summary = batch.assess(pack, DECISION, [(households, members)], as_of=AS_OF)
    return table, summary.to_dict()


def plain_sorted(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded, rows sorted by id."""
    columns = [
        c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    return pa.table(columns, names=table.column_names).sort_by("id")


def assert_same(run: scaleout.PartitionedRun, table: pa.Table, summary: dict[str, Any]) -> None:
    got = run.table()
    assert got is not None
    assert got.num_rows == table.num_rows
    assert plain_sorted(got).equals(plain_sorted(table))
    assert run.summary.to_dict() == summary


# -- equal to one run over the whole register --------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 7])
def test_sample_on_a_local_cluster(client: Any, sample: tuple[pa.Table, pa.Table], n: int) -> None:
    households, members = sample
    table, summary = whole(households, members)
    run = scaleout.assess_partitions(
        "national",
        DECISION,
        scaleout.partition_tables(households, members, n),
        as_of=AS_OF,
        client=client,
    )
    assert len(run.partition_summaries) == n
    assert sum(s.records for s in run.partition_summaries) == households.num_rows
    assert_same(run, table, summary)
    # Lianjiang-shaped sample: the totals are the sample's, not an artefact of partitioning.
    assert summary["records"] == 745


def test_generated_parquet_partitions(
    client: Any, generated: tuple[Path, Path], tmp_path: Path
) -> None:
    households_path, members_path = generated
    households, members = pq.read_table(households_path), pq.read_table(members_path)
    table, summary = whole(households, members)
    pairs = scaleout.partition_parquet(
        households_path, members_path, 4, tmp_path / "parts", batch_size=700
    )
    assert sum(pq.read_metadata(h).num_rows for h, _ in pairs) == households.num_rows
    assert sum(pq.read_metadata(m).num_rows for _, m in pairs) == members.num_rows
    run = scaleout.assess_partitions(
        "national", DECISION, pairs, as_of=AS_OF, client=client, batch_size=500
    )
    assert_same(run, table, summary)
    assert summary["outcomes"]["undetermined"] > 0  # unknowns are exercised


def test_callables_on_the_threaded_scheduler(sample: tuple[pa.Table, pa.Table]) -> None:
    pytest.importorskip("dask")
    households, members = sample
    table, summary = whole(households, members)
    parts = scaleout.partition_tables(households, members, 4)
    run = scaleout.assess_partitions(
        "national",
        DECISION,
        [lambda p=p: p for p in parts],  # a callable returning the two tables
        as_of=AS_OF,
    )
    assert_same(run, table, summary)


def test_overrides_reach_the_workers(client: Any, sample: tuple[pa.Table, pa.Table]) -> None:
    households, members = sample
    pack = pcore.load_pack("national")
    overrides = {"poverty_line": 3500}
    expected = batch.assess(
        pack, DECISION, [(households, members)], as_of=AS_OF, overrides=overrides
    )
    run = scaleout.assess_partitions(
        "national",
        DECISION,
        scaleout.partition_tables(households, members, 3),
        as_of=AS_OF,
        overrides=overrides,
        client=client,
    )
    assert run.summary.to_dict() == expected.to_dict()
    assert run.summary.provenance is not None
    assert run.summary.provenance["overrides"] == {"poverty_line": 3500}


def test_results_written_by_the_workers(
    client: Any, sample: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    households, members = sample
    table, summary = whole(households, members)
    run = scaleout.assess_partitions(
        "national",
        DECISION,
        scaleout.partition_tables(households, members, 3),
        as_of=AS_OF,
        client=client,
        results_dir=tmp_path / "results",
    )
    assert run.tables == []
    assert [f.name for f in run.files] == [f"part-0000{i}.parquet" for i in range(3)]
    written = pa.concat_tables([pq.read_table(f) for f in run.files])
    assert plain_sorted(written).equals(plain_sorted(table))
    assert run.summary.to_dict() == summary
    with pytest.raises(ValueError, match="files"):
        run.table()


def test_one_output_file(sample: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    pytest.importorskip("dask")
    households, members = sample
    table, _ = whole(households, members)
    out = tmp_path / "results.csv"
    run = scaleout.assess_partitions(
        "national",
        DECISION,
        scaleout.partition_tables(households, members, 2),
        as_of=AS_OF,
        output=out,
    )
    assert run.files == [out]
    import pyarrow.csv as pacsv

    written = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    assert written.column("id").to_pylist() == table.column("id").to_pylist()
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no temporary file left


# -- partitioning and combining -------------------------------------------------------------


def test_partitions_keep_members_with_their_household(sample: tuple[pa.Table, pa.Table]) -> None:
    households, members = sample
    parts = scaleout.partition_tables(households, members, 5)
    sizes = [p.num_rows for p, _ in parts]
    assert sum(sizes) == households.num_rows
    assert max(sizes) - min(sizes) <= 1
    for h, m in parts:
        assert m is not None
        assert pc.all(pc.is_in(m.column(MEMBER_KEY), value_set=h.column("id"))).as_py()
    assert sum(m.num_rows for _, m in parts if m is not None) == members.num_rows


def test_a_member_of_no_household_is_an_error() -> None:
    h = pa.table({"id": ["a"]})
    m = pa.table({MEMBER_KEY: ["a", "zz"], "id": ["a1", "z1"]})
    with pytest.raises(ValueError, match="1 member row"):
        scaleout.partition_tables(h, m, 2)


def test_buckets_do_not_depend_on_batching() -> None:
    ids = pa.array([f"H{i:07d}" for i in range(5000)] + ["", "户编号-1"])
    whole_array = scaleout.bucket_of(ids, 7)
    pieces = np.concatenate(
        [scaleout.bucket_of(ids.slice(s, 999), 7) for s in range(0, len(ids), 999)]
    )
    assert np.array_equal(whole_array, pieces)
    assert set(np.unique(whole_array)) == set(range(7))
    chunked = pa.chunked_array([ids.slice(0, 10), ids.slice(10)])
    assert np.array_equal(scaleout.bucket_of(chunked, 7), whole_array)


def test_merge_refuses_different_provenance(sample: tuple[pa.Table, pa.Table]) -> None:
    households, members = sample
    pack = pcore.load_pack("national")
    a = batch.assess(pack, DECISION, [(households, members)], as_of=AS_OF)
    b = batch.assess(pack, DECISION, [(households, members)], as_of=dt.date(2016, 6, 30))
    with pytest.raises(ValueError, match="provenance"):
        scaleout.merge_summaries([a, b])
    assert scaleout.merge_summaries([a]).to_dict() == a.to_dict()


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_dask(name: str, package: str | None = None) -> ModuleType:
        if name == "dask" or name.startswith("dask."):
            raise ImportError("No module named 'dask'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_dask)
    with pytest.raises(ImportError, match=r"poverty-core\[dask\]"):
        scaleout.assess_partitions("national", DECISION, [], as_of=AS_OF)


def test_worker_processes_get_plain_data(generated: tuple[Path, Path], tmp_path: Path) -> None:
    """Worker *processes* (not threads): tasks carry only names, dates and paths, and
    load the pack themselves."""
    distributed = pytest.importorskip("distributed")
    households_path, members_path = generated
    households, members = pq.read_table(households_path), pq.read_table(members_path)
    table, summary = whole(households, members)
    pairs = scaleout.partition_parquet(households_path, members_path, 3, tmp_path / "parts")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        run = scaleout.assess_partitions("national", DECISION, pairs, as_of=AS_OF, client=client)
    assert_same(run, table, summary)


# -- the decision record (issue 14) -------------------------------------------------------


def test_the_record_does_not_depend_on_the_partitioning(
    sample: tuple[pa.Table, pa.Table],
) -> None:
    pytest.importorskip("dask")
    households, members = sample
    records = []
    for n in (1, 3, 7):
        parts = scaleout.partition_tables(households, members, n)
        run = scaleout.assess_partitions("national", DECISION, parts, as_of=AS_OF)
        assert run.assessment.record is not None
        records.append(run.assessment.record)
        assert run.assessment.record.reading == {"partitions": n, "rows_hash": "multiset/1"}
    assert records[0].inputs == records[1].inputs == records[2].inputs
    assert records[0].inputs.rows == households.num_rows
    # shuffled households (members too): the same multiset, the same digest
    order = np.random.default_rng(5).permutation(households.num_rows)
    shuffled = households.take(pa.array(order))
    again = scaleout.assess_partitions(
        "national", DECISION, scaleout.partition_tables(shuffled, members, 2), as_of=AS_OF
    )
    assert again.assessment.record is not None
    assert again.assessment.record.inputs == records[0].inputs
    # what decided it is recorded as for a single-machine run of the same decision
    single = pcore.load_pack("national")
    record = records[1]
    assert (record.pack, record.decision, record.as_of) == ("national", DECISION, AS_OF)
    assert record.versions == dict(single.versions)
    line = record.parameter("poverty_line")
    assert line is not None
    assert line.value == 2952.0
    assert not line.overridden


def test_the_record_names_a_changed_row_and_an_override(
    sample: tuple[pa.Table, pa.Table],
) -> None:
    pytest.importorskip("dask")
    households, members = sample
    base = scaleout.assess_partitions(
        "national", DECISION, scaleout.partition_tables(households, members, 3), as_of=AS_OF
    )
    income = households.column("annual_net_income_per_capita").to_pylist()
    income[10] = (income[10] or 0) + 1
    changed = households.set_column(
        households.column_names.index("annual_net_income_per_capita"),
        "annual_net_income_per_capita",
        pa.array(income, households.schema.field("annual_net_income_per_capita").type),
    )
    other = scaleout.assess_partitions(
        "national",
        DECISION,
        scaleout.partition_tables(changed, members, 3),
        as_of=AS_OF,
        overrides={"poverty_line": 3000},
    )
    assert base.assessment.record is not None
    assert other.assessment.record is not None
    assert other.assessment.record.inputs.rows == base.assessment.record.inputs.rows
    assert other.assessment.record.inputs.sha256 != base.assessment.record.inputs.sha256
    line = other.assessment.record.parameter("poverty_line")
    assert line is not None
    assert (line.value, line.overridden) == (3000, True)
    text = json.dumps(other.assessment.record.to_dict())
    ids = households.column("id").to_pylist()
    assert not [i for i in ids if i in text]  # no household id, no row value
    assert str(income[10]) not in text


def test_parquet_buckets_and_consecutive_tables_hash_alike(
    generated: tuple[Path, Path], tmp_path: Path
) -> None:
    pytest.importorskip("dask")
    households_path, members_path = generated
    households, members = pq.read_table(households_path), pq.read_table(members_path)
    pairs = scaleout.partition_parquet(households_path, members_path, 4, tmp_path / "parts")
    by_bucket = scaleout.assess_partitions("national", DECISION, pairs, as_of=AS_OF)
    consecutive = scaleout.assess_partitions(
        "national", DECISION, scaleout.partition_tables(households, members, 2), as_of=AS_OF
    )
    assert by_bucket.assessment.record is not None
    assert consecutive.assessment.record is not None
    assert by_bucket.assessment.record.inputs == consecutive.assessment.record.inputs
    whole = scaleout.RowsMultiset.of(households, members)
    assert (whole.households, whole.members) == (households.num_rows, members.num_rows)
    assert by_bucket.assessment.record.inputs.sha256 == whole.digest("partitions").sha256
