"""A bounded load test of ``poverty-core serve`` over loopback (issue 15's targets).

The service runs as its own process (``python -m poverty_core serve`` on a free port of
127.0.0.1, the ``national`` pack), so the load generator does not share its interpreter;
the test sends a **fixed number** of requests, then stops the service (SIGTERM, graceful)
and exits by itself. Nothing leaves the machine: every address is 127.0.0.1.

Measured:

* one-household requests (``POST /packs/national/decisions/household_exit``): a fixed
  count over a few keep-alive connections (asyncio, raw HTTP/1.1, so the client costs
  little); throughput and latency percentiles p50/p95/p99. The households are those of the
  bundled SYNTHETIC sample, cycled.
* 100,000 households in one body, Arrow IPC stream and Parquet (members nested), answered
  in the same format: seconds from the first byte sent to the last byte received, best
  of ``--repeat``. The register is SYNTHETIC (``benchmarks/generate.py``).
* with ``--million``: a 1,000,000-household Parquet body streamed to the service and the
  results streamed back; the service process's peak resident memory (``VmHWM``) before
  and after.

Usage::

    python benchmarks/bench_service.py [--requests 5000] [--connections 8] [--million]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pac
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

import poverty_core as pcore  # noqa: E402
from poverty_core.columnar import MEMBER_KEY  # noqa: E402
from poverty_core.samples import sample_resource  # noqa: E402

HOST = "127.0.0.1"
AS_OF = "2016-12-31"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_service(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "poverty_core", "serve", "--host", HOST, "--port", str(port),
        "--pack", "national", "--log-level", "warning", "--timeout", "600",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/ready", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not become ready")


def stop_service(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- one household per request --------------------------------------------------------------


async def _connection(
    port: int, requests: list[bytes], latencies: list[float], failures: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append(status)
    finally:
        writer.close()


def _national_households() -> list[dict[str, Any]]:
    """The sample's households with only the fields the national pack knows: the sample
    is made for fujian and carries its declared fields, which national refuses (422)."""
    import attrs

    pack = pcore.load_pack("national")
    keep = {f.name for f in attrs.fields(pack.record_type("household"))}
    keep_member = {f.name for f in attrs.fields(pack.record_type("person"))}
    households = json.loads(sample_resource().read_text(encoding="utf-8"))["households"]
    return [
        {
            **{k: v for k, v in h.items() if k in keep},
            "members": [
                {k: v for k, v in m.items() if k in keep_member} for m in h.get("members", [])
            ],
        }
        for h in households
    ]


def one_household_requests(port: int, count: int, connections: int) -> dict[str, Any]:
    households = _national_households()
    path = f"/packs/national/decisions/household_exit?as_of={AS_OF}"
    requests = []
    for i in range(count):
        body = json.dumps(households[i % len(households)]).encode()
        requests.append(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    latencies: list[float] = []
    failures: list[int] = []

    async def run() -> None:
        await asyncio.gather(
            *(
                _connection(port, requests[k::connections], latencies, failures)
                for k in range(connections)
            )
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed: {sorted(set(failures))}")
    ms = np.array(latencies) * 1000
    return {
        "requests": count,
        "connections": connections,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


# -- one body of many households -------------------------------------------------------------


def nested(households: pa.Table, members: pa.Table) -> pa.Table:
    """Households with their members as a ``members: list<struct>`` column."""
    owner = pac.index_in(members.column(MEMBER_KEY), value_set=households.column("id"))
    order = np.argsort(owner.to_numpy(), kind="stable")
    people = members.take(pa.array(order)).drop_columns([MEMBER_KEY])
    counts = np.bincount(owner.to_numpy(), minlength=households.num_rows)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    struct = pa.StructArray.from_arrays(
        [c.combine_chunks() for c in people.columns], names=people.column_names
    )
    return households.append_column("members", pa.ListArray.from_arrays(offsets, struct))


def post_file(port: int, path: Path, media: str) -> tuple[float, int]:
    """POST a file as the body (streamed from disk), read the answer to the end:
    seconds, bytes received."""
    connection = http.client.HTTPConnection(HOST, port, timeout=900)
    started = time.perf_counter()
    with path.open("rb") as body:
        connection.request(
            "POST",
            f"/packs/national/decisions/household_exit/batch?as_of={AS_OF}",
            body=body,
            headers={
                "Content-Type": media,
                "Accept": media,
                "Content-Length": str(path.stat().st_size),
            },
        )
        response = connection.getresponse()
        received = 0
        while chunk := response.read(1 << 20):
            received += len(chunk)
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"batch failed: {response.status}")
    return elapsed, received


def write_bodies(folder: Path, households: int) -> dict[str, Path]:
    h, m = generate.generate(households)
    table = nested(h, m)
    arrow = folder / f"register-{households}.arrow"
    with pa.ipc.new_stream(str(arrow), table.schema) as writer:
        writer.write_table(table)
    parquet = folder / f"register-{households}.parquet"
    pq.write_table(table, parquet)
    return {"application/vnd.apache.arrow.stream": arrow, "application/vnd.apache.parquet": parquet}


def write_million(folder: Path) -> Path:
    path = folder / "register-1000000.parquet"
    writer = None
    for h, m in generate.iter_chunks(1_000_000):
        table = nested(h, m)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    return path


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} × {model}, Linux {platform.release()}, Python "
        f"{platform.python_version()}, pyarrow {pa.__version__}; load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also stream 1M households")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"machine": machine()}
    port = free_port()
    process = start_service(port)
    try:
        one_household_requests(port, min(500, args.requests), args.connections)  # warm-up
        results["one_household"] = one_household_requests(port, args.requests, args.connections)
        with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
            bodies = write_bodies(Path(tmp), args.households)
            for media, path in bodies.items():
                times = [post_file(port, path, media) for _ in range(args.repeat)]
                best = min(t for t, _ in times)
                results[media.rsplit(".", 1)[-1]] = {
                    "households": args.households,
                    "body_mb": round(path.stat().st_size / 2**20, 1),
                    "best_seconds": round(best, 3),
                    "all_seconds": [round(t, 3) for t, _ in times],
                    "per_second": round(args.households / best),
                }
            if args.million:
                path = write_million(Path(tmp))
                before = peak_memory_mb(process.pid)
                seconds, received = post_file(port, path, "application/vnd.apache.parquet")
                results["million_parquet"] = {
                    "body_mb": round(path.stat().st_size / 2**20, 1),
                    "seconds": round(seconds, 2),
                    "answer_mb": round(received / 2**20, 1),
                    "service_peak_mb_before": round(before),
                    "service_peak_mb_after": round(peak_memory_mb(process.pid)),
                }
    finally:
        stop_service(process)
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    out = io.StringIO()
    out.write(f"machine: {results['machine']}\n")
    one = results["one_household"]
    out.write(
        f"one household: {one['requests']} requests, {one['connections']} connections: "
        f"{one['per_second']}/s, p50 {one['p50_ms']} ms, p95 {one['p95_ms']} ms, "
        f"p99 {one['p99_ms']} ms\n"
    )
    for key in ("stream", "parquet"):
        r = results[key]
        out.write(
            f"{r['households']} households, {key} ({r['body_mb']} MB): best "
            f"{r['best_seconds']} s of {r['all_seconds']} ({r['per_second']}/s)\n"
        )
    if "million_parquet" in results:
        r = results["million_parquet"]
        out.write(
            f"1M households, Parquet ({r['body_mb']} MB) streamed: {r['seconds']} s; service "
            f"peak memory {r['service_peak_mb_before']} MB before, "
            f"{r['service_peak_mb_after']} MB after\n"
        )
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
