"""Reference data over HTTP: a ``references`` member of a JSON body, or a JSON object at the
head of a JSON Lines, Arrow or Parquet body (``X-References-Length``), giving the library's
and the command line's answers, the same problems (422, with paths), the pack's
declarations and what a request must supply. Every ID number, cadre id and row here is
SYNTHETIC (invented; no real person)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.privacy import redact_data
from poverty_core.service import Settings, create_app

AS_OF = "2016-03-01"
ID_X = "35062319800101007X"  # SYNTHETIC
ID_2 = "350628198001010020"  # SYNTHETIC
HOUSEHOLDS = [  # SYNTHETIC
    {"id": "h1", "members": [{"id": "1", "id_number": ID_X}]},
    {"id": "h2", "members": [{"id": "1", "id_number": ID_2}]},
]
MATCHES = [{"id_number": "35062319800101007x", "data_set": "social_insurance", "reason": "SYN"}]
PAIRING = [  # SYNTHETIC cadres
    {"cadre_id": "za-1", "rank": "division", "county": "zhaoan"},
    {"cadre_id": "yx-2", "rank": "section_chief", "county": "yunxiao"},
]
URL = f"/packs/zhangzhou/decisions/identification/batch?as_of={AS_OF}"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(packs=("zhangzhou",), max_references=4096)))


@pytest.fixture(scope="module")
def zhangzhou() -> pc.Pack:
    return pc.load_pack("zhangzhou")


def cli_answer(tmp_path: Path) -> dict[str, Any]:
    """``poverty-core assess --reference identification_matches=FILE`` on the households."""
    register = tmp_path / "register.json"
    register.write_text(json.dumps({"as_of": AS_OF, "households": HOUSEHOLDS}), "utf-8")
    matches = tmp_path / "matches.json"
    matches.write_text(json.dumps(MATCHES), "utf-8")
    out = io.StringIO()
    argv = ["assess", str(register), "--pack", "zhangzhou", "--decision", "identification",
            "--reference", f"identification_matches={matches}",
            "--format", "json", "-q"]  # fmt: skip
    assert main(argv, stdout=out) == 0
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


# -- one record ----------------------------------------------------------------------------


def test_one_record_with_references_is_the_library(client: TestClient, zhangzhou: pc.Pack) -> None:
    day = dt.date.fromisoformat(AS_OF)
    for household in HOUSEHOLDS:
        response = client.post(
            f"/packs/zhangzhou/decisions/identification?as_of={AS_OF}",
            json={**household, "references": {"identification_matches": MATCHES}},
        )
        assert response.status_code == 200, response.text
        library = zhangzhou.decide(
            "identification",
            zhangzhou.structure(household),
            as_of=day,
            references={"identification_matches": MATCHES},
        )
        assert response.json() == redact_data(library.to_dict())
        assert ID_X not in response.text
        assert ID_2 not in response.text
    summary = response.json()["provenance"]["references"]["identification_matches"]
    assert summary["rows"] == 1
    assert len(summary["sha256"]) == 64
    assert response.json()["outcome"] == "eligible"  # h2: in no data set


def test_one_record_without_references_names_the_reference(client: TestClient) -> None:
    response = client.post(
        f"/packs/zhangzhou/decisions/identification?as_of={AS_OF}", json=HOUSEHOLDS[1]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "undetermined"
    assert "reference:identification_matches" in body["missing"]


def test_pairing_table_for_one_record(client: TestClient, zhangzhou: pc.Pack) -> None:
    url = "/packs/zhangzhou/decisions/pairing_cadre_listed?as_of=2016-09-23"
    outcomes = {}
    for cadre in ("za-1", "ghost"):
        record = {"id": "h1", "pairing_cadre": cadre, "members": [{"id": "1"}]}
        response = client.post(url, json={**record, "references": {"pairing_table": PAIRING}})
        assert response.status_code == 200, response.text
        library = zhangzhou.decide(
            "pairing_cadre_listed",
            zhangzhou.structure(record),
            as_of=dt.date(2016, 9, 23),
            references={"pairing_table": PAIRING},
        )
        assert response.json() == redact_data(library.to_dict())
        outcomes[cadre] = response.json()["outcome"]
    assert outcomes == {"za-1": "eligible", "ghost": "not_eligible"}


# -- batches -------------------------------------------------------------------------------


def _rows(answer: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in answer}


def test_json_batch_with_references_is_the_cli(client: TestClient, tmp_path: Path) -> None:
    cli = cli_answer(tmp_path)
    body = {"as_of": AS_OF, "households": HOUSEHOLDS,
            "references": {"identification_matches": MATCHES}}  # fmt: skip
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["results"] == cli["households"]
    assert _rows(answer["results"]) == {"h1": "not_eligible", "h2": "eligible"}
    assert (
        answer["provenance"]["references"]
        == cli["provenance"]["references"]
        == {"identification_matches": answer["provenance"]["references"]["identification_matches"]}
    )
    assert ID_X not in response.text


def _prelude(references: dict[str, Any]) -> bytes:
    return json.dumps(references).encode()


def test_register_bodies_carry_references_at_their_head(client: TestClient, tmp_path: Path) -> None:
    cli = cli_answer(tmp_path)
    head = _prelude({"identification_matches": MATCHES})
    lines = "".join(json.dumps(h) + "\n" for h in HOUSEHOLDS).encode()
    table = pa.Table.from_pylist(HOUSEHOLDS)
    parquet = io.BytesIO()
    pq.write_table(table, parquet)
    stream = io.BytesIO()
    with pa.ipc.new_stream(stream, table.schema) as writer:
        writer.write_table(table)
    bodies = {
        "application/x-ndjson": lines,
        "application/vnd.apache.parquet": parquet.getvalue(),
        "application/vnd.apache.arrow.stream": stream.getvalue(),
    }
    for media, body in bodies.items():
        response = client.post(
            URL,
            content=head + body,
            headers={"Content-Type": media, "X-References-Length": str(len(head))},
        )
        assert response.status_code == 200, (media, response.text)
        answer = response.json()
        assert _rows(answer["results"]) == _rows(cli["households"]), media
        assert answer["provenance"]["references"] == cli["provenance"]["references"], media
        without = client.post(URL, content=body, headers={"Content-Type": media})
        assert without.status_code == 200, without.text
        assert {r["outcome"] for r in without.json()["results"]} == {"undetermined"}
        assert (
            "references" not in (without.json()["provenance"] or {})
            or not (without.json()["provenance"]["references"])
        )


# -- problems ------------------------------------------------------------------------------


def _paths(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {p["path"]: p["en"] for p in response.json()["problems"]}


def test_bad_reference_data_is_422_with_the_paths_the_cli_gives(
    client: TestClient, zhangzhou: pc.Pack
) -> None:
    bad = {
        "identification_matches": [{"id_number": ID_X, "data_set": "x", "leader": "张三"},
                                    {"data_set": "y"}],
        "nowhere": [ID_2],
    }  # fmt: skip
    with pytest.raises(pc.InputError) as info:
        zhangzhou.check_references(bad)
    library = {p.path for p in info.value.problems}
    one = client.post(
        f"/packs/zhangzhou/decisions/identification?as_of={AS_OF}",
        json={**HOUSEHOLDS[0], "references": bad},
    )
    batch = client.post(URL, json={"households": HOUSEHOLDS, "references": bad})
    head = _prelude(bad)
    lines = "".join(json.dumps(h) + "\n" for h in HOUSEHOLDS).encode()
    register = client.post(
        URL,
        content=head + lines,
        headers={"Content-Type": "application/x-ndjson", "X-References-Length": str(len(head))},
    )
    for response in (one, batch, register):
        paths = _paths(response)
        assert set(paths) == library == {"references.identification_matches[0]",
                                         "references.nowhere"}  # fmt: skip
        assert "undeclared columns: leader" in paths["references.identification_matches[0]"]
        for secret in (ID_X, ID_2, "张三"):
            assert secret not in response.text
    not_object = client.post(URL, json={"households": HOUSEHOLDS, "references": [ID_X]})
    assert set(_paths(not_object)) == {"references"}
    assert ID_X not in not_object.text


def test_the_head_of_a_register_body(client: TestClient) -> None:
    lines = "".join(json.dumps(h) + "\n" for h in HOUSEHOLDS).encode()
    ndjson = {"Content-Type": "application/x-ndjson"}
    too_large = client.post(URL, content=lines, headers={**ndjson, "X-References-Length": "5000"})
    assert too_large.status_code == 413
    short = client.post(URL, content=b"{}", headers={**ndjson, "X-References-Length": "100"})
    assert short.status_code == 400
    assert "X-References-Length" in short.json()["detail"]
    not_number = client.post(URL, content=lines, headers={**ndjson, "X-References-Length": "ten"})
    assert set(_paths(not_number)) == {"X-References-Length"}
    head = b'{"identification_matches": ['
    broken = client.post(
        URL, content=head + lines, headers={**ndjson, "X-References-Length": str(len(head))}
    )
    assert broken.status_code == 400
    on_json = client.post(
        URL, json={"households": HOUSEHOLDS}, headers={"X-References-Length": "2"}
    )
    assert set(_paths(on_json)) == {"X-References-Length"}


def test_reference_content_stays_out_of_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post(URL, json={"households": HOUSEHOLDS,
                           "references": {"identification_matches": MATCHES}})  # fmt: skip
    client.post(URL, json={"households": HOUSEHOLDS, "references": {"nowhere": [ID_2]}})
    text = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "request" in text
    for secret in (ID_X, ID_2, "35062319800101007x", "social_insurance"):
        assert secret not in text


# -- what a pack declares and a request must supply -----------------------------------------


def test_pack_page_lists_the_references_and_what_reads_them(client: TestClient) -> None:
    described = {r["id"]: r for r in client.get("/packs/zhangzhou").json()["references"]}
    assert set(described) == {"identification_matches", "pairing_table"}
    assert described["identification_matches"]["read_by"]["decisions"] == ["identification"]
    assert described["pairing_table"]["read_by"]["criteria"] == ["pairing_cadre_listed"]
    assert described["pairing_table"]["columns"] == ["rank", "county"]


def test_readiness_says_what_a_request_must_supply(client: TestClient) -> None:
    plans = client.get(f"/packs/zhangzhou?as_of={AS_OF}").json()["decisions"]
    plan = plans["identification"]
    assert plan["must_supply"] == ["identification_matches"]
    assert plan["ready"] is False
    need = plan["references"][0]
    assert need["request"] == "references.identification_matches"
    assert need["supplied"] is False
    assert plans["pairing_cadre_listed"]["must_supply"] == ["pairing_table"]


# -- one job ---------------------------------------------------------------------------------


def test_household_batches_run_the_library_register_job(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from poverty_core import jobs
    from poverty_core.service import app as service_app

    calls: list[str] = []

    def spy(pack: pc.Pack, source: Any, **kwargs: Any) -> Any:
        calls.append(source.name)
        return jobs.assess_source(pack, source, **kwargs)

    monkeypatch.setattr(service_app, "assess_source", spy)
    lines = "".join(json.dumps(h) + "\n" for h in HOUSEHOLDS).encode()
    assert client.post(URL, json={"households": HOUSEHOLDS}).status_code == 200
    response = client.post(URL, content=lines, headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    assert calls == ["body", "body"]


def test_a_batch_of_a_pack_from_another_registry(
    packs: Any, pack_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job's record hashes the data of every pack of the chain: the service finds a
    parent where it found the pack, not among the installed packs."""
    middle = packs.definition(name="tmp_middle", data=pack_dir(name="middle"))
    child = packs.definition(
        name="tmp_child", parent="tmp_middle", data=pack_dir(name="child", sources="")
    )
    registry = packs.registry(packs.Plugin(middle, child))
    app = create_app(Settings(packs=("tmp_child",)), registry=registry)
    body = {"as_of": "2016-12-31", "households": HOUSEHOLDS}
    response = TestClient(app).post("/packs/tmp_child/decisions/household_exit/batch", json=body)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 2
