"""Benchmark: the register job, end to end, in each format the reader takes (issue 12).

On a SYNTHETIC register from ``generate.py`` (the same households in every format),
each measurement runs the library's job entry point — what ``poverty-core assess`` and
an embedding program run: ``jobs.assess_register(households, members, pack="national",
as_of=2016-12-31, output=results.parquet)`` with the default reading options
(``on_error="fail"``, batches of 65,536 households; the register read once, its rows
hashed for the decision record, the outputs written atomically) — then writes the
village and county summaries (CSV) from the assessment it returns:

* **parquet** — households.parquet + members.parquet (1M households by default);
* **csv** — households.csv + members.csv;
* **jsonl** — households.jsonl, one household a line, members nested;
* **xlsx** — a workbook with a households and a members sheet (100k households);
* **stream** (opt-in, ``--stream``) — a 10M-household Parquet register, streamed.

The summaries of every format must be the same (same row counts, same totals by
outcome and criterion, same village and county totals) or the run stops. Every
measurement runs in a fresh subprocess, so its peak resident memory (``VmHWM``) is its
own. Times are the best of ``--repeat`` runs.

Usage::

    python benchmarks/bench_register.py [--households 1000000] [--xlsx-households 100000]
        [--only parquet,csv,jsonl,xlsx] [--stream [--stream-households 10000000]]
        [--repeat 2] [--e2e-batch-size N] [--workdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_household_exit as bhe  # noqa: E402
import generate  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

import poverty_core as pcore  # noqa: E402
from poverty_core import jobs  # noqa: E402
from poverty_core.cli.common import use_command_memory_pool  # noqa: E402

AS_OF = dt.date(2016, 12, 31)
DECISION = "household_exit"
TARGETS = {"parquet": 2.5, "csv": 4.0, "jsonl": 8.0, "xlsx": 3.0, "stream_peak_mb": 1000.0}
"""Issue 12's targets (seconds; the stream's peak memory in MB of 10^6 bytes)."""

FILES = {
    "parquet": ("households.parquet", "members.parquet"),
    "csv": ("households.csv", "members.csv"),
    "jsonl": ("households.jsonl", None),
    "xlsx": ("register.xlsx", None),
}


peak_mb = bhe.peak_mb


def _summary_key(assessment: Any) -> str:
    """What must agree between formats: the row counts, the totals by outcome and
    criterion, and the village and county totals (not the file names)."""
    data = assessment.to_dict()
    return json.dumps({k: data[k] for k in ("rows", "summary")}, sort_keys=True, default=str)


def _write_groups(assessment: Any, folder: Path) -> None:
    """The village and county summaries (CSV), from the assessment's roll-ups."""
    for by, rows in (
        ("village_id", assessment.summary.by_village),
        ("county_id", assessment.summary.by_county),
    ):
        pacsv.write_csv(pa.Table.from_pylist(list(rows)), folder / f"summary_{by}.csv")


def measure(args: argparse.Namespace, fmt: str) -> dict[str, Any]:
    """One format, end to end, in this process."""
    use_command_memory_pool()  # as the poverty-core command does
    pack = pcore.load_pack("national")
    folder = Path(args.data)
    households, members = FILES["parquet" if fmt == "stream" else fmt]
    out = Path(tempfile.mkdtemp(prefix=f"bench-register-{fmt}-", dir=args.workdir))
    size = args.batch_size if fmt == "stream" else args.e2e_batch_size

    def run() -> Any:
        assessment = jobs.assess_register(
            folder / households,
            None if members is None else folder / members,
            pack=pack,
            as_of=AS_OF,
            output=out / "results.parquet",
            read=None if size is None else jobs.ReadOptions(batch_size=size),
        )
        _write_groups(assessment, out)
        return assessment

    repeat = 1 if fmt == "stream" else max(1, args.repeat)
    took, assessment = bhe.best_of(repeat, run)
    return {
        "format": fmt,
        "households": assessment.records,
        "seconds": took,
        "throughput_per_s": assessment.records / took,
        "batch_size": size or jobs.ReadOptions().batch_size,
        "peak_mb": peak_mb(),
        "summary": _summary_key(assessment),
    }


def _child(fmt: str, args: argparse.Namespace, data: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        fmt,
        "--data",
        str(data),
        "--workdir",
        str(args.workdir),
        "--repeat",
        str(args.repeat),
        "--batch-size",
        str(args.batch_size),
    ]
    if args.e2e_batch_size:
        command += ["--e2e-batch-size", str(args.e2e_batch_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measurement {fmt} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _write_xlsx(folder: Path, households: int, seed: int) -> None:
    """The workbook of the register's first ``households`` households (openpyxl's
    write-only mode: slow, done once)."""
    import openpyxl

    h, m = generate.generate(households, seed=seed)
    book = openpyxl.Workbook(write_only=True)
    for name, table in (("households", h), ("members", m)):
        sheet = book.create_sheet(name)
        sheet.append(table.column_names)
        for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
            sheet.append(list(row))
    book.save(folder / "register.xlsx")


def _ensure(folder: Path, households: int, seed: int, formats: list[str]) -> Path:
    """The register in the formats asked for, each written once per (size, seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "register.json"
    want = {"households": households, "seed": seed, "generator": generate.GENERATOR}
    have = json.loads(stamp.read_text()) if stamp.exists() else {}
    if {k: have.get(k) for k in want} != want:
        have = dict(want)
    need = {"parquet" if f == "stream" else f for f in formats}
    if ("parquet" in need and not have.get("parquet")) or ("csv" in need and not have.get("csv")):
        print(f"generating {households:,} SYNTHETIC households into {folder} …", file=sys.stderr)
        generate.write_register(folder, households, seed=seed, csv="csv" in need)
        have.update(parquet=True, csv="csv" in need)
    if "jsonl" in need and not have.get("jsonl"):
        print(f"writing {households:,} SYNTHETIC households as JSON Lines …", file=sys.stderr)
        generate.write_jsonl(folder, households, seed=seed)
        have["jsonl"] = True
    if "xlsx" in need and not have.get("xlsx"):
        print(f"writing {households:,} SYNTHETIC households as xlsx …", file=sys.stderr)
        _write_xlsx(folder, households, seed)
        have["xlsx"] = True
    stamp.write_text(json.dumps(have))
    return folder


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--xlsx-households", type=int, default=100_000)
    parser.add_argument("--only", default="parquet,csv,jsonl,xlsx")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--stream-households", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=65_536, help="stream batches")
    parser.add_argument(
        "--e2e-batch-size", type=int, default=None, help="default: the job's (65,536)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args, args.child)))
        return 0
    formats = [f for f in args.only.split(",") if f]
    work = Path(args.workdir)
    results: dict[str, Any] = {"machine": bhe.machine(), "load_before": os.getloadavg()}
    big = [f for f in formats if f != "xlsx"]
    if big:
        data = _ensure(work / f"register-{args.households}-{args.seed}", args.households,
                       args.seed, big)  # fmt: skip
        for fmt in big:
            results[fmt] = _child(fmt, args, data)
    if "xlsx" in formats:
        data = _ensure(work / f"register-xlsx-{args.xlsx_households}-{args.seed}",
                       args.xlsx_households, args.seed, ["xlsx"])  # fmt: skip
        results["xlsx"] = _child("xlsx", args, data)
    if args.stream:
        data = _ensure(work / f"register-{args.stream_households}-{args.seed}",
                       args.stream_households, args.seed, ["stream"])  # fmt: skip
        results["stream"] = _child("stream", args, data)
    results["load_after"] = os.getloadavg()
    summaries = {results[f]["summary"] for f in big if f in results}
    if len(summaries) > 1:
        raise SystemExit("MISMATCH: the formats give different summaries")
    for f in [*formats, "stream"]:
        results.get(f, {}).pop("summary", None)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    show: dict[str, Callable[[dict[str, Any]], str]] = {
        "seconds": lambda r: f"{r['seconds']:.2f} s",
        "peak": lambda r: f"{r['peak_mb']:,.0f} MB",
    }
    print(f"machine: {results['machine']}; load {results['load_before']}")
    for f in [*formats, *(["stream"] if args.stream else [])]:
        r = results[f]
        target = TARGETS.get(f)
        print(
            f"{f:8} {r['households']:>10,} households  {show['seconds'](r):>9}  "
            f"{r['throughput_per_s']:>10,.0f}/s  peak {show['peak'](r):>9}"
            + ("" if target is None or f == "stream" else f"  target ≤ {target:g} s")
        )
    print(f"load after: {results['load_after']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
