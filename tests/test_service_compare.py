"""``POST /packs/{pack}/compare/{decision}``: a household batch decided under two rule
sets over HTTP gives exactly what ``poverty-core compare --format json`` prints for the
same register (the SYNTHETIC lianjiang sample; JSON and Parquet bodies); bad queries are
422 naming the parameter, an unknown pack or decision 404; the OpenAPI entry is generated
with the others. The what-if value 150000 is hypothetical, not a policy fact."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

from poverty_core.cli import main
from poverty_core.samples import sample_resource
from poverty_core.service import Settings, create_app, models
from poverty_core.service.models import schema_of

TESTS = Path(__file__).parent
JSON = {"Content-Type": "application/json"}
URL = "/packs/fujian/compare/household_exit"
WHAT_IF = "village_collective_income_min=150000"  # hypothetical (docs/compare.md)


def _module(name: str) -> ModuleType:
    """A sibling test module, for its helpers (the sample's tables, never copied)."""
    spec = importlib.util.spec_from_file_location(f"_compare_{name}", TESTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(packs=("fujian", "national", "zhangzhou"))))


@pytest.fixture(scope="module")
def sample() -> bytes:
    return sample_resource("lianjiang_synthetic.json").read_bytes()


def cli_comparison(register: Path, *options: str) -> dict[str, Any]:
    """``poverty-core compare REGISTER OPTIONS --format json``, the register's path read
    as ``body`` (the name the service gives a request's body)."""
    out = io.StringIO()
    argv = ["compare", str(register), *options, "--format", "json", "-q"]
    assert main(argv, stdout=out) == 0
    data: dict[str, Any] = json.loads(out.getvalue().replace(str(register), "body"))
    return data


def test_an_override_on_side_b_is_the_cli_comparison(
    client: TestClient, sample: bytes, tmp_path: Path
) -> None:
    register = tmp_path / "lianjiang.json"
    register.write_bytes(sample)
    expected = cli_comparison(
        register, "--pack", "fujian", "--as-of", "2017-12-31", "--set-b", WHAT_IF,
        "--allow-undetermined",
    )  # fmt: skip
    response = client.post(
        f"{URL}?as_of=2017-12-31&set_b={WHAT_IF}&allow_undetermined=true",
        content=sample,
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == expected
    assert body["source"] == "body"
    assert body["villages"]["transitions"] == {"undetermined": {"not_eligible": 11}}
    assert body["b"]["overrides"] == {"village_collective_income_min": 150000.0}
    jsonschema.validate(body, schema_of(models.ComparisonAnswer))


def test_two_dates_of_a_parquet_body_are_the_cli_comparison(
    client: TestClient, tmp_path: Path
) -> None:
    service = _module("test_service")
    register = tmp_path / "register.parquet"
    pq.write_table(service.nested(*service._sample_tables("lianjiang", "fujian")), register)
    expected = cli_comparison(
        register, "--pack", "fujian", "--as-of", "2016-12-31", "--as-of-b", "2017-12-31",
        "--allow-undetermined",
    )  # fmt: skip
    response = client.post(
        f"{URL}?as_of=2016-12-31&as_of_b=2017-12-31&allow_undetermined=1",
        content=register.read_bytes(),
        headers={"Content-Type": "application/vnd.apache.parquet"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == expected
    assert body["households"]["changed"] == 670
    assert "/tmp" not in response.text
    assert str(tmp_path) not in response.text


def test_two_packs_of_a_json_array_body(client: TestClient, sample: bytes) -> None:
    households = json.loads(sample)["households"]
    response = client.post(
        f"{URL}?as_of=2016-12-31&pack_b=national",
        content=json.dumps(households),
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["a"]["pack"], body["b"]["pack"]) == ("fujian", "national")
    assert body["households"]["compared"] == len(households)
    assert body["rows"]["in"] == len(households)


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("as_of=2017-13-01&as_of_b=2016-12-31", "as_of"),
        ("as_of=2017-12-31&as_of_b=someday", "as_of_b"),
        (f"as_of=2017-12-31&set_b={WHAT_IF}&allow_undetermined=maybe", "allow_undetermined"),
        ("as_of=2017-12-31&set_b=no_equals_sign", "set_b"),
        ("as_of=2017-12-31&set_b=no_such_parameter=1", "set_b.no_such_parameter"),
        ("as_of=2017-12-31&set_b=village_collective_income_min=many",
         "set_b.village_collective_income_min"),
        ("as_of=2017-12-31&set=no_such_parameter=1&as_of_b=2016-12-31", "no_such_parameter"),
        ("as_of=2017-12-31", "pack_b"),
        ("as_of=2016-12-31&set_b=&pack_b=fujian", "set_b"),
    ],
)  # fmt: skip
def test_a_bad_query_is_422_naming_the_parameter(
    client: TestClient, sample: bytes, query: str, path: str
) -> None:
    response = client.post(f"{URL}?{query}", content=sample, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [p["path"] for p in problem["problems"]] == [path]
    assert problem["messages"]["zh"]
    assert problem["messages"]["en"]


def test_a_side_that_cannot_decide_is_422_naming_the_side(
    client: TestClient, sample: bytes
) -> None:
    response = client.post(
        f"{URL}?as_of=2017-12-31&set_b={WHAT_IF}&lang=zh", content=sample, headers=JSON
    )
    assert response.status_code == 422
    problem = response.json()
    assert "poverty_line" in problem["messages"]["en"]
    assert problem["messages"]["en"].startswith("side a of the comparison")
    assert problem["detail"] == problem["messages"]["zh"]


def test_a_village_decision_is_not_compared(client: TestClient, sample: bytes) -> None:
    response = client.post(
        "/packs/fujian/compare/village_exit?as_of=2016-12-31&pack_b=national",
        content=sample,
        headers=JSON,
    )
    assert response.status_code == 422
    assert [p["path"] for p in response.json()["problems"]] == ["decision"]
    assert "判定的是村" in response.json()["messages"]["zh"]


@pytest.mark.parametrize(
    "url",
    [
        "/packs/no_such_pack/compare/household_exit?as_of=2016-12-31",
        "/packs/fujian/compare/no_such_decision?as_of=2016-12-31",
        f"{URL}?as_of=2016-12-31&pack_b=no_such_pack",
    ],
)
def test_an_unknown_pack_or_decision_is_404(client: TestClient, sample: bytes, url: str) -> None:
    response = client.post(url, content=sample, headers=JSON)
    assert response.status_code == 404
    assert response.json()["type"] == "urn:poverty-core:problem:not-found"


def test_other_bodies_are_refused_as_the_batch_refuses_them(client: TestClient) -> None:
    response = client.post(
        f"{URL}?as_of=2016-12-31&pack_b=national",
        content=b"id,members\n",
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 415
    parquet = client.post(
        f"{URL}?pack_b=national",
        content=b"PAR1",
        headers={"Content-Type": "application/vnd.apache.parquet"},
    )
    assert parquet.status_code == 422
    assert [p["path"] for p in parquet.json()["problems"]] == ["as_of"]


def test_the_openapi_entry_is_generated(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/packs/{pack}/compare/{decision}"]["post"]
    assert operation["operationId"] == "compare"
    names = [p["name"] for p in operation["parameters"]]
    for name in ("as_of", "set", "pack_b", "as_of_b", "set_b", "allow_undetermined"):
        assert name in names
    assert set(operation["requestBody"]["content"]) >= {
        "application/json",
        "application/vnd.apache.parquet",
    }
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ComparisonAnswer"}
    assert "ComparisonAnswer" in document["components"]["schemas"]
    assert {"404", "422"} <= set(operation["responses"])


# -- reference data, as the batch endpoint takes them ---------------------------------------

ID_X = "35062319800101007X"  # SYNTHETIC
HOUSEHOLDS = [  # SYNTHETIC
    {"id": "h1", "members": [{"id": "1", "id_number": ID_X}]},
    {"id": "h2", "members": [{"id": "1", "id_number": "350628198001010020"}]},
]
MATCHES = [{"id_number": "35062319800101007x", "data_set": "social_insurance", "reason": "SYN"}]


def test_references_of_a_json_or_json_lines_body_are_the_cli_reference(
    client: TestClient, tmp_path: Path
) -> None:
    register = tmp_path / "register.json"
    register.write_text(json.dumps({"as_of": "2016-03-01", "households": HOUSEHOLDS}), "utf-8")
    matches = tmp_path / "matches.json"
    matches.write_text(json.dumps(MATCHES), "utf-8")
    expected = cli_comparison(
        register, "--pack", "zhangzhou", "--decision", "identification", "--as-of-b",
        "2016-12-31", "--reference", f"identification_matches={matches}",
    )  # fmt: skip
    url = "/packs/zhangzhou/compare/identification?as_of_b=2016-12-31"
    references = {"identification_matches": MATCHES}
    whole = client.post(
        url,
        json={"as_of": "2016-03-01", "households": HOUSEHOLDS, "references": references},
    )
    assert whole.status_code == 200, whole.text
    answer = whole.json()
    for side in ("a", "b"):
        # the command line read the data from a file; a request has none to name
        (cli_reference,) = expected[side]["assessment"]["record"]["references"]
        (reference,) = answer[side]["assessment"]["record"]["references"]
        assert cli_reference.pop("file") == str(matches)
        assert reference.pop("file") is None
    assert answer == expected
    assert ID_X not in whole.text
    head = json.dumps({"identification_matches": MATCHES}).encode()
    lines = b"".join(json.dumps(h).encode() + b"\n" for h in HOUSEHOLDS)
    streamed = client.post(
        f"{url}&as_of=2016-03-01",
        content=head + lines,
        headers={"Content-Type": "application/x-ndjson", "X-References-Length": str(len(head))},
    )
    assert streamed.status_code == 200, streamed.text
    summary = expected["a"]["assessment"]["provenance"]["references"]
    assert streamed.json()["a"]["assessment"]["provenance"]["references"] == summary
    assert summary["identification_matches"]["rows"] == 1
    assert streamed.json()["households"] == expected["households"]


def test_a_side_with_no_rule_in_force_is_422_naming_the_side(client: TestClient) -> None:
    response = client.post(
        "/packs/zhangzhou/compare/identification?as_of=2016-03-01&as_of_b=2017-03-01"
        "&allow_undetermined=true",
        json=HOUSEHOLDS,
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:poverty-core:problem:not-in-force"
    assert problem["messages"]["en"].startswith("side b of the comparison")
