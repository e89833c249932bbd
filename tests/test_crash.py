"""A run killed with SIGKILL while it writes its results (as the OOM killer would), then
another run: no personal data is left under ``$TMPDIR``, the earlier output is intact,
and the partial temporary file beside the output is removed by the next run, which
says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from poverty_core.privacy import valid_id_number

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

KILL_AT_THIRD_BATCH = textwrap.dedent(
    """
    import os, signal, sys
    from poverty_core import batch
    write = batch.ResultWriter.write
    written = []
    def write_then_die(self, table):
        write(self, table)
        written.append(table.num_rows)
        if len(written) == 3:  # mid-write: two more batches to come
            os.kill(os.getpid(), signal.SIGKILL)
    batch.ResultWriter.write = write_then_die
    from poverty_core.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)
RUN = "import sys; from poverty_core.cli import main; sys.exit(main(sys.argv[1:]))"


def id_number(i: int) -> str:
    """A valid ID number (GB 11643 check character) for person ``i``."""
    body = f"350122198001{i % 28 + 1:02}{i:03}"[:17]
    for check in "0123456789X":
        if valid_id_number(body + check):
            return body + check
    raise AssertionError(body)


def register(folder: Path, n: int = 100) -> tuple[list[str], list[bytes]]:
    """A register with names and ID numbers; the arguments, and the personal data as bytes."""
    households = [
        "id,village_id,annual_net_income_per_capita,food_secure,clothing_secure,house_grade,"
        "relocated,relocation_keys_received"
    ]
    members = [
        "household_id,id,name,id_number,age,schooling_status,basic_medical_insurance,"
        "serious_illness_insurance,medical_assistance"
    ]
    personal: list[bytes] = []
    for i in range(n):
        name, number = f"测试姓名{i:03}", id_number(i)
        households.append(f"h{i:03},v1,3100,true,true,B,false,false")
        members.append(f"h{i:03},1,{name},{number},40,graduated,true,true,true")
        personal += [name.encode(), number.encode()]
    (folder / "h.csv").write_text("\n".join(households) + "\n", "utf-8")
    (folder / "m.csv").write_text("\n".join(members) + "\n", "utf-8")
    return [str(folder / "h.csv"), "--members", str(folder / "m.csv")], personal


def test_a_killed_run_leaves_no_personal_data_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    private = tmp_path / "tmp"
    private.mkdir()
    env = {**os.environ, "TMPDIR": str(private)}
    inputs, personal = register(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    results = out / "results.csv"
    args = [
        "assess",
        *inputs,
        "--as-of",
        "2016-12-31",
        "--batch-size",
        "20",
        "-o",
        str(results),
        "-q",
    ]

    def run(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, *args],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    first = run(RUN)
    assert first.returncode == 0, first.stderr
    earlier = results.read_bytes()

    killed = run(KILL_AT_THIRD_BATCH)
    assert killed.returncode == -signal.SIGKILL
    # Nothing personal under $TMPDIR; the earlier output as it was; a partial file beside it.
    for path in private.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(p in data for p in personal), path
    assert results.read_bytes() == earlier
    partial = [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(partial) == 1
    assert partial[0].name.startswith(".results.csv.poverty-core.")

    again = run(RUN)
    assert again.returncode == 0, again.stderr
    assert again.stderr == f"removed a temporary file an interrupted run left: {partial[0]}\n"
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "results.csv.record.json"]
    assert results.read_bytes() == earlier
    for path in private.rglob("*"):
        assert not path.is_file() or not any(p in path.read_bytes() for p in personal)
