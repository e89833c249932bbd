"""Problem bodies of the HTTP service tell the caller how to supply what is missing in the
request's own terms — the query parameter ``set`` (``set_b`` for side B of a comparison),
the body's ``references`` member, the query parameter ``allow_undetermined`` — in Chinese
and English, never the command line's options. The households are SYNTHETIC (the bundled
lianjiang sample and invented rows)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from poverty_core._text import Text
from poverty_core.errors import InputError, ParameterNotDefined, Problem
from poverty_core.samples import sample_resource
from poverty_core.service import Settings, create_app
from poverty_core.service.problems import http_words, problem_from_error

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
    assert "用查询参数 set_b=poverty_line=值 提供" in messages["zh"]
    assert "或用查询参数 allow_undetermined=true 照常运行" in messages["zh"]
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
    assert "用请求体的 references 成员（references.identification_matches）提供" in messages["zh"]
    no_cli_option(messages)


def test_a_parameter_without_a_value_names_the_query_parameter_set() -> None:
    problem = problem_from_error(ParameterNotDefined("national", "poverty_line", "2021-01-01"))
    assert problem.status == 422
    messages = problem.body("en", "/packs/national")["messages"]
    assert messages["en"].endswith("supply one with the query parameter set=poverty_line=VALUE")
    assert messages["zh"].endswith("可用查询参数 set=poverty_line=值 提供")
    no_cli_option(messages)


def test_the_messages_of_each_bad_field_are_translated_too() -> None:
    err = InputError(
        [
            Problem(
                "references.matches",
                Text("请给出 --reference matches=FILE", "give --reference matches=FILE"),
            )
        ],
        what="references",
    )
    problem = problem_from_error(err)
    (field,) = problem.body("zh", "/x")["problems"]
    assert field["en"] == "give the body's references member (references.matches)"
    assert field["zh"] == "请给出请求体的 references 成员（references.matches）"
    no_cli_option(problem.body("zh", "/x")["messages"])


def test_text_without_an_option_is_left_as_it_is() -> None:
    text = Text("参数 a 没有取值", "parameter a has no value")
    assert http_words(text) == text
