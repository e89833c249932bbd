"""Benchmark: ``compare`` (one register, two rule sets, one pass) against ``assess``.

On a SYNTHETIC register from ``generate.py`` (two-file Parquet), each in a fresh
subprocess so its peak resident memory (``VmHWM``) is its own, best of ``--repeat``:

* ``assess``: :func:`poverty_core.jobs.assess_register`, national, 2016-12-31, to a
  Parquet results file;
* ``compare``: :func:`poverty_core.compare.compare_register`, national against fujian
  on the same date, to a Parquet side-by-side results file — one pass, each batch
  decided under both packs.

The claim checked: a comparison streams like ``assess`` (peak memory of the same order,
set by the batch size) and takes about the time of two ``assess`` runs' deciding with
one run's reading.

Usage::

    python benchmarks/bench_compare.py [--households 200000] [--repeat 3] [--workdir DIR]
        [--batch-size 65536] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2016, 12, 31)
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_household_exit as bhe  # noqa: E402


def _peak_mb() -> float:
    return bhe.peak_mb()


def _child(kind: str, folder: Path, batch_size: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    from poverty_core.compare import Policy, compare_register
    from poverty_core.jobs import ReadOptions, assess_register

    households, members = folder / "households.parquet", folder / "members.parquet"
    out = folder / f"{kind}.parquet"
    start = time.perf_counter()
    if kind == "assess":
        run = assess_register(
            households,
            members,
            pack="national",
            as_of=AS_OF,
            output=out,
            read=ReadOptions(batch_size=batch_size),
        )
        rows = run.rows.read
    else:
        comparison = compare_register(
            households,
            members,
            a=Policy("national", AS_OF),
            b=Policy("fujian", AS_OF),
            output=out,
            read=ReadOptions(batch_size=batch_size),
        )
        rows = comparison.rows.read
    seconds = time.perf_counter() - start
    return {"kind": kind, "seconds": seconds, "peak_mb": _peak_mb(), "rows": rows}


def _measure(kind: str, folder: Path, batch_size: int, repeat: int) -> dict[str, Any]:
    best: dict[str, Any] | None = None
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--workdir", str(folder),
             "--batch-size", str(batch_size)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(done.stdout)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measurement) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=65536)
    parser.add_argument("--workdir", help="folder for the register (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("assess", "compare"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder = Path(args.workdir or tempfile.mkdtemp(prefix="bench-compare-"))
    if args.child:
        print(json.dumps(_child(args.child, folder, args.batch_size)))
        return 0
    if not (folder / "households.parquet").exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--households", str(args.households),
             "--out", str(folder)],
            check=True,
        )  # fmt: skip
    results = {k: _measure(k, folder, args.batch_size, args.repeat) for k in ("assess", "compare")}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    rows = results["assess"]["rows"]
    print(f"SYNTHETIC register: {rows} households, batches of {args.batch_size}")
    for kind, r in results.items():
        print(f"  {kind:8} {r['seconds']:7.2f} s   peak {r['peak_mb']:7.0f} MB")
    ratio = results["compare"]["seconds"] / results["assess"]["seconds"]
    print(f"  compare / assess: {ratio:.2f} × time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
