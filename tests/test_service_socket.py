"""The HTTP service over a real socket: uvicorn on a free port of 127.0.0.1, stopped by
the test, called with Python's plain ``urllib`` the way the docs page's ``curl`` lines
and JavaScript client call it — and those very lines and that very client run too (when
``curl`` and Node are installed)."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from poverty_core.cli import main
from poverty_core.samples import sample_resource
from poverty_core.service import Settings, running

DOCS = Path(__file__).parent.parent / "docs"
AS_OF = "2016-12-31"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running(Settings(max_body=4096)) as url:
        yield url


def call(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url, data=data, headers=headers or {}, method="POST" if data is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def cli_rows(sample: str, pack: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    assert main(["assess", "--sample", sample, "--pack", pack, "--format", "json"], stdout=out) == 0
    rows: list[dict[str, Any]] = json.loads(out.getvalue())["households"]
    return rows


def test_it_listens_on_loopback_only(base: str) -> None:
    assert base.startswith("http://127.0.0.1:")
    status, headers, body = call(base + "/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert "server" not in {k.lower() for k in headers}


@pytest.mark.parametrize(
    ("sample", "pack", "file"),
    [
        ("lianjiang", "fujian", "lianjiang_synthetic.json"),
        ("zhangzhou", "zhangzhou", "zhangzhou_synthetic.json"),
    ],
)
def test_the_samples_households_over_a_socket_are_the_cli_result(
    base: str, sample: str, pack: str, file: str
) -> None:
    text = sample_resource(file).read_text(encoding="utf-8")
    status, _headers, body = call(
        f"{base}/packs/{pack}/decisions/household_exit/batch",
        data=text.encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert status == 200, body[:500]
    assert json.loads(body)["results"] == cli_rows(sample, pack)
    # one household at a time, as the JavaScript client does
    expected = {r["id"]: r["outcome"] for r in cli_rows(sample, pack)}
    data = json.loads(text)
    for household in data["households"][:40]:
        status, _, body = call(
            f"{base}/packs/{pack}/decisions/household_exit?as_of={data['as_of']}&lang=en",
            data=json.dumps(household).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        assert status == 200
        answer = json.loads(body)
        assert answer["outcome"] == expected[answer["id"]]


def test_json_lines_in_arrow_out(base: str) -> None:
    households = json.loads(sample_resource("lianjiang_synthetic.json").read_text("utf-8"))
    lines = "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in households["households"])
    status, headers, body = call(
        f"{base}/packs/fujian/decisions/household_exit/batch?as_of={AS_OF}",
        data=lines.encode(),
        headers={
            "Content-Type": "application/x-ndjson",
            "Accept": "application/vnd.apache.arrow.stream",
        },
    )
    assert status == 200
    assert headers["content-type"] == "application/vnd.apache.arrow.stream"
    table = pa.ipc.open_stream(body).read_all()
    expected = cli_rows("lianjiang", "fujian")
    assert table.column("outcome").to_pylist() == [r["outcome"] for r in expected]
    assert table.column("id").to_pylist() == [r["id"] for r in expected]


def test_bad_input_and_oversized_bodies(base: str) -> None:
    status, headers, body = call(
        f"{base}/packs/fujian/decisions/household_exit?as_of={AS_OF}",
        data=json.dumps({"id": "h1", "food_secure": "yes", "members": [{"id": "1", "age": -3}]})
        .encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert status == 422
    assert headers["content-type"] == "application/problem+json"
    assert [p["path"] for p in json.loads(body)["problems"]] == ["members[0].age", "food_secure"]
    big = json.dumps({"id": "h" * 5000, "members": [{"id": "1"}]}).encode()
    status, headers, body = call(
        f"{base}/packs/fujian/decisions/household_exit?as_of={AS_OF}",
        data=big,
        headers={"Content-Type": "application/json"},
    )
    assert status == 413
    assert json.loads(body)["type"] == "urn:poverty-core:problem:content-too-large"


def _curl_lines() -> list[str]:
    text = (DOCS / "service.md").read_text(encoding="utf-8")
    return [line[2:] for line in text.splitlines() if line.startswith("$ curl ")]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_docs_curl_lines_run(base: str, tmp_path: Path) -> None:
    lines = _curl_lines()
    assert len(lines) >= 5
    households = json.loads(sample_resource("lianjiang_synthetic.json").read_text("utf-8"))
    (tmp_path / "households.jsonl").write_text(
        "".join(json.dumps(h) + "\n" for h in households["households"][:20]), "utf-8"
    )
    for line in lines:
        argv = shlex.split(line.replace("http://127.0.0.1:8000", base))
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (line, done.stderr)
        first = done.stdout.splitlines()[0]
        assert json.loads(first), line
        shown = _shown_output(line)
        if shown is not None:  # the page shows the start of what the command prints
            assert first.startswith(shown.split("...")[0].rstrip(" ,")), (line, first[:200])


def _shown_output(command: str) -> str | None:
    text = (DOCS / "service.md").read_text(encoding="utf-8").splitlines()
    i = text.index("$ " + command)
    following = text[i + 1] if i + 1 < len(text) else ""
    if following.startswith(("$", "```")) or not following.strip():
        return None
    return following


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_the_docs_javascript_client_runs(base: str) -> None:
    done = subprocess.run(
        ["node", str(DOCS / "examples" / "service" / "client.mjs"), base],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"^packs: .*fujian", out, re.M)
    assert "h1: eligible" in out
    assert "error 422" in out
    assert "members[0].age: age must be 0–150 (got -3)" in out


def test_stopped_means_stopped() -> None:
    with running(Settings(packs=("national",))) as url:
        assert call(url + "/ready")[0] == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/health", timeout=5)


def test_the_command_logs_json_lines_and_stops_gracefully(tmp_path: Path) -> None:
    import signal
    import socket
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "poverty_core", "serve", "--port", str(port), "--pack", "national"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # the packs load before the port opens
            try:
                if call(url + "/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        record = {"id": "350122198001010017", "members": [{"id": "1", "age": -1}]}
        status, _, _ = call(
            f"{url}/packs/national/decisions/household_exit?as_of={AS_OF}",
            data=json.dumps(record).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert status == 422
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    # uvicorn stops gracefully, then ends by the signal it caught (as `kill` expects)
    assert process.returncode in (0, -signal.SIGTERM), err
    assert f"http://127.0.0.1:{port}/docs" in out
    lines = [json.loads(line) for line in err.splitlines()]
    events = [line["event"] for line in lines if "event" in line]
    assert events[0] == "started"
    assert events[-1] == "stopped"
    requests = [line for line in lines if line.get("event") == "request"]
    assert {"method": "POST", "status": 422, "problem": "invalid-input"}.items() <= requests[
        -1
    ].items()
    assert requests[-1]["path"] == "/packs/national/decisions/household_exit"
    assert "350122198001010017" not in err
    assert "as_of" not in err
