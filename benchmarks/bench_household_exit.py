"""Benchmark: the national household-exit decision at register scale (issue 4 targets).

In one run, on a SYNTHETIC register from ``generate.py``, this measures:

* **in memory** (1M households): the library's
  ``pack.decide_batch("household_exit", frame, as_of=2016-12-31)`` with every finding
  kept, and a hand-written numpy expression of the same national rule with the same
  three-valued handling of unknowns, on the SAME arrays (the frame's converted
  columns). The two must give the same status for every criterion and household and
  so the same eligible / not eligible / undetermined counts, or the run stops. Both
  are also timed from the Arrow tables (conversion included: ``frame_from_arrow`` for
  the library, hand-written Arrow kernels for numpy);
* **end to end** from Parquet and from CSV to a results file plus village and county
  summaries (``batch.assess`` + ``ResultWriter``);
* the **single-record API**: ``Household.from_dict`` + ``pack.decide`` per household;
* (opt-in, ``--stream``) **streaming** a 10M-household Parquet file batch by batch.

Every measurement runs in a fresh subprocess, so its peak resident memory
(``VmHWM``) is its own. Times are the best of ``--repeat`` runs.

Usage::

    python benchmarks/bench_household_exit.py [--households 1000000] [--repeat 5]
        [--workdir DIR] [--stream [--stream-households 10000000]] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

import poverty_core as pcore  # noqa: E402
from poverty_core import batch, columnar  # noqa: E402
from poverty_core.codes import HouseGrade, SchoolingStatus  # noqa: E402
from poverty_core.frame import Frame, code_index, frame_from_arrow  # noqa: E402
from poverty_core.model import Household, Person  # noqa: E402

AS_OF = dt.date(2016, 12, 31)
DECISION = "household_exit"
CRITERIA = (
    "income_above_line",
    "food_secure",
    "clothing_secure",
    "compulsory_education",
    "basic_medical",
    "safe_housing",
)
TARGETS = {
    "inmemory_seconds": 1.0,
    "ratio_to_numpy": 3.0,
    "parquet_seconds": 5.0,
    "csv_seconds": 10.0,
    "single_per_second": 20_000.0,
    "decide_per_second": 50_000.0,
    "inmemory_peak_mb": 1500.0,
    "stream_peak_mb": 2000.0,
}
"""Issue 4's targets (2 cores), with issue 12's for one record (20,000 households a
second from a dict, 50,000 decisions a second on built records); memory in MB of 10^6
bytes."""

Array = np.ndarray[Any, Any]


# -- the hand-written numpy expression ------------------------------------------------


def _any_member(owner: Array, n: int, hit: Array) -> Array:
    """Households with at least one member where ``hit`` (a scatter, not a loop)."""
    out = np.zeros(n, dtype=np.bool_)
    out[owner[hit]] = True
    return out


def numpy_household_exit(a: dict[str, Array], n: int, line: float, lo: float, hi: float) -> Any:
    """The national household-exit rule written by hand in numpy, three-valued.

    ``a`` holds, for households, ``income``/``food``/``clothing``/``grade_ab``/
    ``relocated``/``keys`` values and ``*_k`` known-masks; for members ``owner``,
    ``age``/``out``/``basic``/``serious``/``assist`` values and known-masks. Each
    criterion is (passed, failed) masks; neither means unknown. Returns the status
    codes per criterion (0 failed, 1 passed, 2 unknown) and the outcome codes
    (0 not eligible, 1 eligible, 2 undetermined), the library's encodings.
    """
    owner = a["owner"]
    crit: dict[str, tuple[Array, Array]] = {}
    # income > line: unknown where income is.
    above = a["income"] > line
    crit["income_above_line"] = (a["income_k"] & above, a["income_k"] & ~above)
    for name, key in (("food_secure", "food"), ("clothing_secure", "clothing")):
        crit[name] = (a[f"{key}_k"] & a[key], a[f"{key}_k"] & ~a[key])
    # No member aged lo..hi out of school. A member's test is true when both are known
    # and true, false when either is known false, else unknown (Kleene AND).
    in_age = (a["age"] >= lo) & (a["age"] <= hi)
    m_true = a["age_k"] & in_age & a["out_k"] & a["out"]
    m_false = (a["age_k"] & ~in_age) | (a["out_k"] & ~a["out"])
    some_out = _any_member(owner, n, m_true)
    some_unknown = _any_member(owner, n, ~(m_true | m_false))
    crit["compulsory_education"] = (~some_out & ~some_unknown, some_out)
    # Every member in all three schemes (Kleene AND per member, then ALL over members).
    schemes = [(a[s], a[f"{s}_k"]) for s in ("basic", "serious", "assist")]
    ins_false = np.zeros(len(owner), dtype=np.bool_)
    ins_known_true = np.ones(len(owner), dtype=np.bool_)
    for value, known in schemes:
        ins_false |= known & ~value
        ins_known_true &= known & value
    some_uninsured = _any_member(owner, n, ins_false)
    some_unsure = _any_member(owner, n, ~ins_false & ~ins_known_true)
    crit["basic_medical"] = (~some_uninsured & ~some_unsure, some_uninsured)
    # House graded A/B, or relocated with keys (Kleene OR of a code test and an AND).
    ab_true = a["grade_ab_k"] & a["grade_ab"]
    ab_false = a["grade_ab_k"] & ~a["grade_ab"]
    rk_true = a["relocated_k"] & a["relocated"] & a["keys_k"] & a["keys"]
    rk_false = (a["relocated_k"] & ~a["relocated"]) | (a["keys_k"] & ~a["keys"])
    crit["safe_housing"] = (ab_true | rk_true, ab_false & rk_false)

    statuses: dict[str, Array] = {}
    any_failed = np.zeros(n, dtype=np.bool_)
    all_passed = np.ones(n, dtype=np.bool_)
    for name, (passed, failed) in crit.items():
        status = np.full(n, 2, dtype=np.int8)
        status[passed] = 1
        status[failed] = 0
        statuses[name] = status
        any_failed |= failed
        all_passed &= passed
    outcome = np.full(n, 2, dtype=np.int8)
    outcome[all_passed] = 1
    outcome[any_failed] = 0
    return statuses, outcome


def arrays_from_frame(frame: Frame) -> dict[str, Array]:
    """The numpy arrays of the library's frame (converted columns): the SAME arrays."""
    members = frame.members
    assert members is not None
    assert members.owner is not None
    grade = frame.column("house_grade")
    ab = [code_index(HouseGrade)[g] for g in (HouseGrade.A, HouseGrade.B)]
    status = members.column("schooling_status")
    out_code = code_index(SchoolingStatus)[SchoolingStatus.OUT_OF_SCHOOL]
    a: dict[str, Array] = {"owner": members.owner}
    for key, name in (
        ("income", "annual_net_income_per_capita"),
        ("food", "food_secure"),
        ("clothing", "clothing_secure"),
        ("relocated", "relocated"),
        ("keys", "relocation_keys_received"),
    ):
        v = frame.column(name)
        a[key], a[f"{key}_k"] = v.values, v.known
    a["grade_ab"] = (grade.values == ab[0]) | (grade.values == ab[1])
    a["grade_ab_k"] = grade.known
    age = members.column("age")
    if members.has_column("birth_year"):
        y, mo, d = (members.column(f"birth_{p}") for p in ("year", "month", "day"))
        later = (mo.values > AS_OF.month) | ((mo.values == AS_OF.month) & (d.values > AS_OF.day))
        a["age"] = np.where(y.known, AS_OF.year - y.values - later, age.values)
        a["age_k"] = y.known | age.known
    else:
        a["age"], a["age_k"] = age.values, age.known
    a["out"], a["out_k"] = status.values == out_code, status.known
    for key, name in (
        ("basic", "basic_medical_insurance"),
        ("serious", "serious_illness_insurance"),
        ("assist", "medical_assistance"),
    ):
        v = members.column(name)
        a[key], a[f"{key}_k"] = v.values, v.known
    return a


def _np(column: Any, fill: Any) -> tuple[Array, Array]:
    """Values (nulls filled) and known-mask of an Arrow column, by Arrow kernels."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    known = column.is_valid().to_numpy(zero_copy_only=False)
    return pc.fill_null(column, fill).to_numpy(zero_copy_only=False), known


def arrays_from_arrow(h: pa.Table, m: pa.Table) -> dict[str, Array]:
    """The same inputs built by hand from the Arrow tables (the numpy path's conversion).
    Assumes ages are given (no birth dates), as ``generate.py`` writes by default."""
    owner = pc.index_in(m.column(columnar.MEMBER_KEY), value_set=h.column("id"))
    a: dict[str, Array] = {"owner": owner.to_numpy(zero_copy_only=False).astype(np.int64)}
    a["income"], a["income_k"] = _np(h.column("annual_net_income_per_capita"), 0.0)
    for key, name in (
        ("food", "food_secure"),
        ("clothing", "clothing_secure"),
        ("relocated", "relocated"),
        ("keys", "relocation_keys_received"),
    ):
        a[key], a[f"{key}_k"] = _np(h.column(name), False)
    a["grade_ab"], a["grade_ab_k"] = _np(
        pc.is_in(h.column("house_grade"), value_set=pa.array(["A", "B"])), False
    )
    a["grade_ab_k"] = h.column("house_grade").is_valid().to_numpy(zero_copy_only=False)
    a["age"], a["age_k"] = _np(m.column("age"), 0)
    a["out"], a["out_k"] = _np(pc.equal(m.column("schooling_status"), "out_of_school"), False)
    for key, name in (
        ("basic", "basic_medical_insurance"),
        ("serious", "serious_illness_insurance"),
        ("assist", "medical_assistance"),
    ):
        a[key], a[f"{key}_k"] = _np(m.column(name), False)
    return a


# -- helpers ---------------------------------------------------------------------------


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of ``repeat`` timed calls, and the last call's value."""
    best, value = float("inf"), None
    for _ in range(repeat):
        value = None
        gc.collect()
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def best_of_both(repeat: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """The shortest wall time and the shortest CPU time of this process (every thread)
    over ``repeat`` calls, and the last call's value. On a shared, loaded machine the
    CPU time is the steadier of the two."""
    wall, cpu, value = float("inf"), float("inf"), None
    for _ in range(repeat):
        value = None
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        value = fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
    return wall, cpu, value


def peak_mb() -> float:
    """This process's peak resident set so far, in MB: ``VmHWM`` of
    ``/proc/self/status``, which starts afresh at ``exec`` — unlike ``ru_maxrss``, which
    a child started by ``subprocess`` inherits from its parent's memory at the fork (so
    a child of a parent that generated the register would report the parent's peak).
    ``ru_maxrss`` (KiB on Linux) where there is no ``/proc``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def rss_mb() -> float:
    """This process's current resident set, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _params(pack: Any) -> tuple[float, float, float]:
    values = [
        pack.parameters[p].value_on(AS_OF).value
        for p in ("poverty_line", "compulsory_school_age_min", "compulsory_school_age_max")
    ]
    return float(values[0]), float(values[1]), float(values[2])


def _check_same(result: Any, statuses: dict[str, Array], outcome: Array) -> dict[str, int]:
    """Stop the run loudly unless the library and numpy agree on every status."""
    lib = {c.rule.id: c.status for c in result.criteria}
    if list(lib) != list(CRITERIA):
        raise SystemExit(f"MISMATCH: library criteria {list(lib)} != {list(CRITERIA)}")
    for name in CRITERIA:
        diff = np.flatnonzero(lib[name] != statuses[name])
        if len(diff):
            i = int(diff[0])
            raise SystemExit(
                f"MISMATCH in {name}: {len(diff)} households differ, first row {i} "
                f"({result.ids[i]}): library {lib[name][i]}, numpy {statuses[name][i]}"
            )
    lib_counts: dict[str, int] = result.counts()
    np_counts = {
        k: int(v)
        for k, v in zip(
            ("not_eligible", "eligible", "undetermined"),
            np.bincount(outcome, minlength=3),
            strict=True,
        )
    }
    if lib_counts != np_counts or not np.array_equal(result.outcome, outcome):
        raise SystemExit(f"MISMATCH in outcomes: library {lib_counts}, numpy {np_counts}")
    return lib_counts


def _read_parquet(folder: Path) -> tuple[pa.Table, pa.Table]:
    import pyarrow.parquet as pq

    return pq.read_table(folder / "households.parquet"), pq.read_table(folder / "members.parquet")


# -- fallback readers (used when columnar.open_register is absent) ------------------------


def _schema_types(kind: str) -> dict[str, pa.DataType]:
    schema = (
        columnar.arrow_schema(Household)
        if kind == "households"
        else columnar.arrow_schema(Person, member_table=True)
    )
    return {f.name: f.type for f in schema}


def read_csv_pair(folder: Path) -> tuple[pa.Table, pa.Table]:
    """Both CSV files, typed by ``arrow_schema`` (multi-threaded Arrow reader)."""
    import pyarrow.csv as pacsv

    out = []
    for kind in ("households", "members"):
        options = pacsv.ConvertOptions(column_types=_schema_types(kind), strings_can_be_null=True)
        out.append(pacsv.read_csv(folder / f"{kind}.csv", convert_options=options))
    return out[0], out[1]


def stream_parquet_pair(
    folder: Path, batch_size: int
) -> Iterator[tuple[pa.Table, pa.Table | None]]:
    """Households in batches of ``batch_size``, each with its members, reading both
    Parquet files once, batch by batch (bounded memory). Needs the members file in
    household order, as ``generate.py`` writes it (checked)."""
    import pyarrow.parquet as pq

    # pre_buffer=False: pyarrow's default read-ahead keeps column chunks of the whole
    # file, so peak memory would grow with the file.
    households = pq.ParquetFile(folder / "households.parquet", pre_buffer=False)
    members = pq.ParquetFile(folder / "members.parquet", pre_buffer=False)
    member_batches = members.iter_batches(batch_size=batch_size * 4)
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    exhausted = False
    for h_batch in households.iter_batches(batch_size=batch_size):
        h = pa.Table.from_batches([h_batch])
        last = h.column("id")[-1]
        # Read members until one belongs to a later household (or the file ends).
        while not exhausted and (
            not pending or pc.less_equal(pending[-1].column(columnar.MEMBER_KEY)[-1], last).as_py()
        ):
            try:
                batch_ = next(member_batches)
            except StopIteration:
                exhausted = True
                break
            pending.append(batch_)
            pending_rows += batch_.num_rows
        buffered = pa.Table.from_batches(pending, schema=members.schema_arrow)
        keys = buffered.column(columnar.MEMBER_KEY)
        take = int(pc.sum(pc.less_equal(keys, last)).as_py() or 0)
        mine, rest = buffered.slice(0, take), buffered.slice(take)
        if take and pc.any(pc.greater(mine.column(columnar.MEMBER_KEY), last)).as_py():
            raise ValueError("members file is not in household order")
        pending = rest.to_batches()
        pending_rows = rest.num_rows
        yield h, mine
    if pending_rows:
        raise ValueError(f"{pending_rows} member rows after the last household")


def _write_summary(summary: Any, folder: Path) -> None:
    """The village and county tables (CSV) and the whole summary (JSON)."""
    import pyarrow.csv as pacsv

    for by, totals in summary.groups.items():
        rows = totals.rows(by)
        pacsv.write_csv(pa.Table.from_pylist(rows), folder / f"summary_{by}.csv")
    with open(folder / "summary.json", "w", encoding="utf-8") as f:
        json.dump(summary.to_dict(), f, ensure_ascii=False)


# -- measurements, each run in its own subprocess ----------------------------------------------


def measure_inmemory(args: argparse.Namespace) -> dict[str, Any]:
    """Library and numpy on 1M households in memory, on the same arrays."""
    pack = pcore.load_pack("national")
    line, lo, hi = _params(pack)
    h, m = _read_parquet(Path(args.data))
    n = h.num_rows
    rss_tables = rss_mb()

    def library_cold() -> Any:
        return pack.decide_batch(DECISION, frame_from_arrow(h, m), as_of=AS_OF)

    cold, result = best_of(args.repeat, library_cold)
    peak_library = peak_mb()
    del result
    frame = frame_from_arrow(h, m)
    pack.decide_batch(DECISION, frame, as_of=AS_OF)  # converts the columns it reads, once
    warm, result = best_of(args.repeat, lambda: pack.decide_batch(DECISION, frame, as_of=AS_OF))
    same = arrays_from_frame(frame)
    np_warm, (statuses, outcome) = best_of(
        args.repeat, lambda: numpy_household_exit(same, n, line, lo, hi)
    )
    counts = _check_same(result, statuses, outcome)

    def numpy_cold() -> Any:
        return numpy_household_exit(arrays_from_arrow(h, m), n, line, lo, hi)

    np_cold, (statuses2, outcome2) = best_of(args.repeat, numpy_cold)
    _check_same(result, statuses2, outcome2)
    return {
        "households": n,
        "members": m.num_rows,
        "counts": counts,
        "library_from_arrow_s": cold,
        "library_same_arrays_s": warm,
        "numpy_same_arrays_s": np_warm,
        "numpy_from_arrow_s": np_cold,
        "ratio_same_arrays": warm / np_warm,
        "ratio_from_arrow": cold / np_cold,
        "throughput_per_s": n / cold,
        "rss_tables_mb": rss_tables,
        "peak_library_mb": peak_library,
        "peak_mb": peak_mb(),
    }


def _register_batches(
    folder: Path, fmt: str, batch_size: int
) -> tuple[str, Iterator[tuple[pa.Table, pa.Table | None]]]:
    """The library's reader when there is one (``columnar.open_register``, default
    ``on_error="fail"``: every row checked before the first batch), else the bench's
    own pyarrow reader; ``(name, batches)``."""
    open_register = getattr(columnar, "open_register", None)
    h, m = folder / f"households.{fmt}", folder / f"members.{fmt}"
    if open_register is not None:
        register = open_register(h, m, batch_size=batch_size)
        return "open_register", (b.tables for b in register.batches())
    if fmt == "csv":
        return "pyarrow.csv.read_csv (bench)", iter([read_csv_pair(folder)])
    return "pyarrow.parquet iter_batches (bench)", stream_parquet_pair(folder, batch_size)


def _end_to_end(args: argparse.Namespace, fmt: str) -> dict[str, Any]:
    pack = pcore.load_pack("national")
    folder = Path(args.data)
    out = Path(tempfile.mkdtemp(prefix=f"bench-{fmt}-", dir=args.workdir))
    names: list[str] = []

    def library() -> Any:
        name, batches = _register_batches(folder, fmt, args.e2e_batch_size)
        names.append(name)
        with batch.ResultWriter(out / f"results.{fmt}") as writer:
            summary = batch.assess(pack, DECISION, batches, as_of=AS_OF, writer=writer)
        _write_summary(summary, out)
        return summary

    def direct() -> Any:
        # Reference: the whole file read by pyarrow (typed, no checks), one batch.
        h, m = read_csv_pair(folder) if fmt == "csv" else _read_parquet(folder)
        with batch.ResultWriter(out / f"direct.{fmt}") as writer:
            summary = batch.assess(pack, DECISION, [(h, m)], as_of=AS_OF, writer=writer)
        _write_summary(summary, out)
        return summary

    repeat = max(1, min(args.repeat, 3))
    took, summary = best_of(repeat, library)
    peak = peak_mb()
    took_direct, direct_summary = best_of(repeat, direct)
    if direct_summary.to_dict() != summary.to_dict():
        raise SystemExit(f"MISMATCH: {fmt} read by {names[-1]} and by pyarrow differ")
    return {
        "households": summary.records,
        "seconds": took,
        "reader": names[-1],
        "batch_size": args.e2e_batch_size,
        "direct_pyarrow_seconds": took_direct,
        "results_mb": (out / f"results.{fmt}").stat().st_size / 1e6,
        "peak_mb": peak,
        "out": str(out),
    }


def measure_parquet(args: argparse.Namespace) -> dict[str, Any]:
    """End to end from Parquet: read, decide, write results and summaries."""
    return _end_to_end(args, "parquet")


def measure_csv(args: argparse.Namespace) -> dict[str, Any]:
    """End to end from CSV: read, decide, write results and summaries."""
    return _end_to_end(args, "csv")


def measure_single(args: argparse.Namespace) -> dict[str, Any]:
    """The single-record API: dict → Household → decision with every finding."""
    import pyarrow.parquet as pq

    pack = pcore.load_pack("national")
    count = args.single_count
    h = pq.read_table(Path(args.data) / "households.parquet").slice(0, count)
    m = pq.read_table(Path(args.data) / "members.parquet")
    m = m.filter(pc.is_in(m.column(columnar.MEMBER_KEY), value_set=h.column("id")))
    records = h.to_pylist()
    by_household: dict[str, list[dict[str, Any]]] = {}
    for row in m.to_pylist():
        by_household.setdefault(row.pop(columnar.MEMBER_KEY), []).append(row)
    for record in records:
        record["members"] = by_household[record["id"]]
    households = [Household.from_dict(r) for r in records]

    def from_dicts() -> int:
        for record in records:
            pack.decide(DECISION, Household.from_dict(record), as_of=AS_OF)
        return len(records)

    def decide_only() -> int:
        for household in households:
            pack.decide(DECISION, household, as_of=AS_OF)
        return len(households)

    repeat = max(1, min(args.repeat, 3))
    t_full, cpu_full, _ = best_of_both(repeat, from_dicts)
    t_decide, cpu_decide, _ = best_of_both(repeat, decide_only)
    return {
        "records": count,
        "from_dict_and_decide_per_s": count / t_full,
        "decide_only_per_s": count / t_decide,
        "from_dict_and_decide_per_cpu_s": count / cpu_full,
        "decide_only_per_cpu_s": count / cpu_decide,
        "peak_mb": peak_mb(),
    }


def measure_stream(args: argparse.Namespace) -> dict[str, Any]:
    """Streaming a large Parquet register batch by batch to a results file."""
    pack = pcore.load_pack("national")
    folder = Path(args.data)
    out = Path(tempfile.mkdtemp(prefix="bench-stream-", dir=args.workdir))
    started = time.perf_counter()
    reader, batches = _register_batches(folder, "parquet", args.batch_size)
    with batch.ResultWriter(out / "results.parquet") as writer:
        summary = batch.assess(pack, DECISION, batches, as_of=AS_OF, writer=writer)
    _write_summary(summary, out)
    took = time.perf_counter() - started
    return {
        "households": summary.records,
        "batch_size": args.batch_size,
        "seconds": took,
        "throughput_per_s": summary.records / took,
        "reader": reader,
        "counts": summary.counts(),
        "results_mb": (out / "results.parquet").stat().st_size / 1e6,
        "peak_mb": peak_mb(),
        "out": str(out),
    }


MEASURES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "inmemory": measure_inmemory,
    "parquet": measure_parquet,
    "csv": measure_csv,
    "single": measure_single,
    "stream": measure_stream,
}


def _child(name: str, args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return what it printed (JSON)."""
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--data",
        str(data),
        "--workdir",
        str(args.workdir),
        "--repeat",
        str(args.repeat),
        "--single-count",
        str(args.single_count),
        "--batch-size",
        str(args.batch_size),
        "--e2e-batch-size",
        str(args.e2e_batch_size),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measurement {name} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ensure_register(folder: Path, households: int, seed: int, csv: bool) -> Path:
    """Write the register once per (size, seed); reuse it on later runs."""
    stamp = folder / "register.json"
    want = {"households": households, "seed": seed, "generator": generate.GENERATOR}
    if stamp.exists():
        have = json.loads(stamp.read_text())
        if {k: have.get(k) for k in want} == want and (not csv or have.get("csv")):
            return folder
    print(f"generating {households:,} SYNTHETIC households into {folder} …", file=sys.stderr)
    generate.write_register(folder, households, seed=seed, csv=csv)
    stamp.write_text(json.dumps({**want, "csv": csv}))
    return folder


def machine() -> dict[str, Any]:
    """The machine the numbers come from."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "poverty_core": pcore.__version__,
        "load": _load(),
    }


def _load() -> str:
    """The load average (1, 5, 15 minutes): the machine is shared, so a time is read
    beside it."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _row(label: str, value: str, target: str, met: bool | None) -> list[str]:
    return [label, value, target, "—" if met is None else ("yes" if met else "NO")]


def report_rows(results: dict[str, Any]) -> list[list[str]]:
    """The printed table: measure, value, target, met."""
    rows = []
    t = TARGETS
    if "inmemory" in results:
        r = results["inmemory"]
        n = f"{r['households'] / 1e6:g}M"
        rows += [
            _row(
                f"in memory {n}: library, Arrow tables → results",
                f"{r['library_from_arrow_s']:.3f} s",
                f"≤ {t['inmemory_seconds']:g} s",
                r["library_from_arrow_s"] <= t["inmemory_seconds"],
            ),
            _row(
                "  library on the same arrays (columns converted)",
                f"{r['library_same_arrays_s']:.3f} s",
                "",
                None,
            ),
            _row(
                "  numpy expression, same arrays",
                f"{r['numpy_same_arrays_s']:.3f} s",
                "(≈ 0.1–0.15 s)",
                None,
            ),
            _row(
                "  numpy expression, from Arrow tables",
                f"{r['numpy_from_arrow_s']:.3f} s",
                "",
                None,
            ),
            _row(
                "  ratio library / numpy, same arrays",
                f"{r['ratio_same_arrays']:.1f}×",
                f"≤ {t['ratio_to_numpy']:g}×",
                r["ratio_same_arrays"] <= t["ratio_to_numpy"],
            ),
            _row(
                "  ratio library / numpy, from Arrow tables",
                f"{r['ratio_from_arrow']:.1f}×",
                f"≤ {t['ratio_to_numpy']:g}×",
                r["ratio_from_arrow"] <= t["ratio_to_numpy"],
            ),
            _row("  throughput", f"{r['throughput_per_s']:,.0f} households/s", "", None),
            _row(
                "  peak memory (process)",
                f"{r['peak_library_mb']:,.0f} MB",
                f"≤ {t['inmemory_peak_mb']:,.0f} MB",
                r["peak_library_mb"] <= t["inmemory_peak_mb"],
            ),
        ]
    for key, label, target in (
        ("parquet", "Parquet → results + summaries", "parquet_seconds"),
        ("csv", "CSV → results + summaries", "csv_seconds"),
    ):
        if key in results:
            r = results[key]
            rows.append(
                _row(
                    f"end to end {r['households'] / 1e6:g}M, {label}",
                    f"{r['seconds']:.2f} s (peak {r['peak_mb']:,.0f} MB)",
                    f"≤ {t[target]:g} s",
                    r["seconds"] <= t[target],
                )
            )
            rows.append(
                _row(f"  reader: {r['reader']}, batches of {r['batch_size']:,}", "", "", None)
            )
            rows.append(
                _row(
                    "  same, whole file read by pyarrow (no checks)",
                    f"{r['direct_pyarrow_seconds']:.2f} s",
                    "",
                    None,
                )
            )
    if "single" in results:
        r = results["single"]
        rows.append(
            _row(
                "single record: from_dict + decide",
                f"{r['from_dict_and_decide_per_s']:,.0f} /s "
                f"({r['from_dict_and_decide_per_cpu_s']:,.0f} per CPU s)",
                f"≥ {t['single_per_second']:,.0f} /s",
                r["from_dict_and_decide_per_s"] >= t["single_per_second"],
            )
        )
        rows.append(
            _row(
                "  decide only (record built)",
                f"{r['decide_only_per_s']:,.0f} /s ({r['decide_only_per_cpu_s']:,.0f} per CPU s)",
                f"≥ {t['decide_per_second']:,.0f} /s",
                r["decide_only_per_s"] >= t["decide_per_second"],
            )
        )
    if "stream" in results:
        r = results["stream"]
        rows.append(
            _row(
                f"stream {r['households'] / 1e6:g}M Parquet ({r['reader']}), "
                f"batches of {r['batch_size']:,}",
                f"peak {r['peak_mb']:,.0f} MB, {r['seconds']:.1f} s",
                f"≤ {t['stream_peak_mb']:,.0f} MB",
                r["peak_mb"] <= t["stream_peak_mb"],
            )
        )
    return rows


def print_table(rows: list[list[str]]) -> None:
    """A plain-text table."""
    header = ["measure", "value", "target", "met"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="best of N (default 5)")
    parser.add_argument(
        "--workdir",
        default=os.path.join(tempfile.gettempdir(), "poverty-core-bench"),
        help="where the generated registers and results go (reused between runs)",
    )
    parser.add_argument(
        "--only",
        default="inmemory,parquet,csv,single",
        help="comma-separated measurements (inmemory, parquet, csv, single, stream)",
    )
    parser.add_argument("--single-count", type=int, default=20_000)
    parser.add_argument("--stream", action="store_true", help="also stream a large Parquet file")
    parser.add_argument("--stream-households", type=int, default=10_000_000)
    parser.add_argument(
        "--batch-size", type=int, default=65_536, help="households per batch when streaming"
    )
    parser.add_argument(
        "--e2e-batch-size", type=int, default=65_536, help="households per batch, end to end"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(MEASURES[args.child](args)))
        return 0

    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    wanted = [w for w in args.only.split(",") if w]
    if args.stream and "stream" not in wanted:
        wanted.append("stream")
    results: dict[str, Any] = {"machine": machine(), "targets": TARGETS}
    needs_csv = "csv" in wanted
    if any(w != "stream" for w in wanted):
        data = _ensure_register(
            Path(args.workdir) / f"register-{args.households}-{args.seed}",
            args.households,
            args.seed,
            needs_csv,
        )
    for name in wanted:
        if name == "stream":
            big = _ensure_register(
                Path(args.workdir) / f"register-{args.stream_households}-{args.seed}",
                args.stream_households,
                args.seed,
                False,
            )
            results[name] = _child(name, args, big)
        else:
            results[name] = _child(name, args, data)
        print(f"{name}: done", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        m = results["machine"]
        print(
            f"{m['date']} — {m['nproc']} × {m['cpu']}, {m['ram']} RAM; Python {m['python']}, "
            f"numpy {m['numpy']}, pyarrow {m['pyarrow']}, poverty_core {m['poverty_core']}"
        )
        print_table(report_rows(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
