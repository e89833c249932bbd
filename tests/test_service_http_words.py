"""Problem bodies of the HTTP service tell the caller how to supply what is missing in the
request's own terms — the query parameter ``set`` (``set_b`` for side B of a comparison),
the body's ``references`` member, the query parameter ``allow_undetermined`` — in Chinese
and English, never the command line's options; a Python caller and the command line are
told their own ways. The households are SYNTHETIC (the bundled
lianjiang sample and invented rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from poverty_core._wording import command_line_options, http_options
from poverty_core.errors import ParameterNotDefined
from poverty_core.jobs import NotReady, assess_register
from poverty_core.samples import sample_resource
from poverty_core.service import Settings, create_app
from poverty_core.service.problems import problem_from_error

CLI_OPTIONS = ("--set", "--reference", "--allow-undetermined", "=FILE", "文件（CSV/JSON）")
HOUSEHOLDS = [{"id": "h1", "members": [{"id": "1", "id_number": "350628198001010020"}]}]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(packs=("fujian", "national", "zhangzhou"))))


def no_cli_option(messages: dict[str, str]) -> None:
    for language in ("zh", "en"):
        for option in CLI_OPTIONS:
            assert option not in messages[language], (language, option, messages[language])


def test_a_side_b_without_a_parameter_names_set_b_and_allow_undetermined(
    client: TestClient,
) -> None:
    sample = sample_resource("lianjiang_synthetic.json").read_bytes()
    response = client.post(
        "/packs/fujian/compare/household_exit?as_of=2016-12-31&as_of_b=2017-12-31",
        content=sample,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    messages = response.json()["messages"]
    assert messages["en"].startswith("side b of the comparison")
    assert "supply it with the query parameter set_b=poverty_line=VALUE" in messages["en"]
    assert "run anyway with the query parameter allow_undetermined=true" in messages["en"]
    assert "用 查询参数 set_b=poverty_line=值 提供" in messages["zh"]
    assert "或用 查询参数 allow_undetermined=true 照常运行" in messages["zh"]
    no_cli_option(messages)


def test_missing_reference_data_names_the_references_member(client: TestClient) -> None:
    response = client.post(
        "/packs/zhangzhou/compare/identification?as_of_b=2016-12-31&lang=zh",
        json={"as_of": "2016-03-01", "households": HOUSEHOLDS},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    messages = problem["messages"]
    assert problem["detail"] == messages["zh"]
    assert (
        "supply it with the body's references member (references.identification_matches)"
        in messages["en"]
    )
    assert "用 请求体的 references 成员（references.identification_matches） 提供" in messages["zh"]
    no_cli_option(messages)


def test_a_parameter_without_a_value_names_the_query_parameter_set() -> None:
    with http_options():
        err = ParameterNotDefined("national", "poverty_line", "2021-01-01")
    problem = problem_from_error(err)
    assert problem.status == 422
    messages = problem.body("en", "/packs/national")["messages"]
    assert messages["en"].endswith("supply one with the query parameter set=poverty_line=VALUE")
    assert messages["zh"].endswith("可用 查询参数 set=poverty_line=值 提供")
    no_cli_option(messages)


def test_each_caller_is_told_its_own_way_to_supply_a_parameter() -> None:
    """The same missing value, told to a Python caller, on the command line and over
    HTTP; side B of a comparison has its own option."""
    python = ParameterNotDefined("national", "poverty_line", "2021-01-01")
    assert python.text.en.endswith("supply one with overrides={'poverty_line': …}")
    assert "--set" not in python.text.zh
    with command_line_options():
        cli = ParameterNotDefined("national", "poverty_line", "2021-01-01")
    assert cli.text.en.endswith("supply one with --set poverty_line=VALUE")
    assert cli.text.zh.endswith("可用 --set poverty_line=值 提供")


def test_a_python_caller_is_told_the_keywords_of_the_job(tmp_path: Path) -> None:
    """assess_register, called from Python on a date the sample's pack lacks a value,
    names ``overrides=`` and ``allow_undetermined=True`` (never an option it cannot
    pass)."""
    with sample_resource("lianjiang_synthetic.json").open("rb") as handle:
        (tmp_path / "h.json").write_bytes(handle.read())
    with pytest.raises(NotReady) as caught:
        assess_register(tmp_path / "h.json", pack="fujian", as_of=dt.date(2017, 12, 31))
    text = caught.value.text
    assert "overrides={'poverty_line': …}" in text.en
    assert "allow_undetermined=True" in text.en
    assert "--set" not in text.en + text.zh
    assert "--allow-undetermined" not in text.en + text.zh
