"""一核查二比对三清退 as rules of the pack: the comparison with the caller's reference data.

Seed 004 (闽南日报《漳州市精准扶贫工作综述》, 2016-09-26) gives the method only — "严格按照
'一核查二比对三清退'的要求", Pinghe's comparison "发现有疑问696户" — and no grounds for
removal, so the pack ships no exclusion list (review item I-3): a household with a match is
doubtful (to verify), and whether it is to be removed is unknown until a caller or a child
pack names the grounds. The comparison data are the reference ``identification_matches``
supplied per run. SYNTHETIC test data throughout (invented ID numbers, valid check
characters).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import poverty_core_fujian
import poverty_core_zhangzhou
import pytest
from poverty_core_zhangzhou import identification

import poverty_core as pc
from poverty_core.aliases import command_line_options
from poverty_core.plugins import PackRegistry, get_plugin_manager

DAY = dt.date(2016, 3, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GROUNDS = identification.EXCLUSION_PARAMETER
MATCHES = identification.MATCHES


def _id_number(seventeen: str) -> str:
    """A valid 18-character ID number (GB 11643-1999 check character) for test data."""
    total = sum(int(d) * w for d, w in zip(seventeen, _WEIGHTS, strict=True))
    return seventeen + "10X98765432"[total % 11]


def _seventeen(i: int) -> str:
    """The first 17 characters of distinct test ID numbers with real dates of birth (an
    impossible date, such as month 00, is not an ID number)."""
    return f"3506281980{(i // 28) % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"


def _household(hid: str, *members: dict[str, Any]) -> pc.Household:
    return pc.Household.from_dict(
        {"id": hid, "village_id": "v1", "county_id": "pinghe", "members": list(members)}
    )


@pytest.fixture
def households() -> list[pc.Household]:
    """Five households: in social insurance, clean, no ID number, in bank data, payroll."""
    return [
        _household("h1", {"id": "h1-1", "id_number": "35062319800101007X"}),
        _household("h2", {"id": "h2-1", "id_number": "350628198001010020"}),
        _household("h3", {"id": "h3-1", "id_number": "350628198001010039"}, {"id": "h3-2"}),
        _household("h4", {"id": "h4-1", "id_number": "350628198001010047"}),
        _household("h5", {"id": "h5-1", "id_number": "350628198001010055"}),
    ]


@pytest.fixture
def matches() -> list[dict[str, Any]]:
    """The caller's comparison list (SYNTHETIC): a lower-case check character, spaces, a
    code of the caller's own."""
    return [
        {"id_number": "35062319800101007x", "data_set": "social_insurance", "reason": "在缴"},
        {"id_number": "350628198001010047", "data_set": "bank"},
        {"id_number": " 350628 1980 0101 0055 ", "data_set": "local_payroll", "reason": "供养"},
    ]


def _outcomes(pack: pc.Pack, households: list[pc.Household], **kw: Any) -> dict[str, str]:
    batch = pack.decide_batch("identification", households, as_of=DAY, **kw)
    for i, h in enumerate(households):  # one record and the batch agree
        assert pack.decide("identification", h, as_of=DAY, **kw) == batch.result(i)
    return {h.id: o.value for h, o in zip(households, batch.outcomes(), strict=True)}


def _classes(pack: pc.Pack, households: list[pc.Household], **kw: Any) -> dict[str, str | None]:
    batch = pack.classify_batch("identification_action", households, as_of=DAY, **kw)
    return {h.id: c for h, c in zip(households, batch.codes, strict=True)}


def test_no_default_exclusion_list(
    households: list[pc.Household], matches: list[dict[str, Any]]
) -> None:
    """Regression I-3: the pack ships no grounds for removal, so a match is a doubt to
    check (核查), never a proposed removal (清退).

    Seed 004 names no grounds: "严格按照'一核查二比对三清退'的要求" is all it says. On
    ea439e5 the pack shipped an invented "四不列" list (vehicle, commercial_property,
    public_payroll, village_cadre, business) and flagged a payroll match for removal.
    """
    pack = pc.load_pack("zhangzhou")
    parameter = pack.parameter(GROUNDS)
    assert parameter.values == ()
    assert parameter.description is not None
    assert "缺口" in parameter.description.zh
    assert "gap" in parameter.description.en
    assert not parameter.interpretation
    refs = {MATCHES: matches}
    assert _outcomes(pack, households, references=refs) == {
        "h1": "not_eligible",
        "h2": "eligible",
        "h3": "undetermined",  # a member without an ID number cannot be compared
        "h4": "not_eligible",
        "h5": "not_eligible",
    }
    result = pack.decide("identification", households[0], as_of=DAY, references=refs)
    removal = result.finding("identification_no_removal_ground")
    assert removal.status is pc.Status.UNKNOWN
    assert removal.missing == (f"param:{GROUNDS}",)
    assert "四不列" not in result.explain("zh")
    # nobody is classed for removal: a match cannot be told remove or verify
    assert _classes(pack, households, references=refs) == {
        "h1": None,
        "h2": "confirmed",
        "h3": None,
        "h4": None,
        "h5": None,
    }
    h3 = pack.decide("identification", households[2], as_of=DAY, references=refs)
    assert h3.missing == ("members[].id_number", f"param:{GROUNDS}")


def test_caller_supplies_the_grounds(
    households: list[pc.Household], matches: list[dict[str, Any]]
) -> None:
    """A caller names the data whose matches are grounds for removal, for its run."""
    pack = pc.load_pack("zhangzhou")
    kw: dict[str, Any] = {
        "references": {MATCHES: matches},
        "overrides": {GROUNDS: ["local_payroll", "vehicle_register"]},
    }
    assert _classes(pack, households, **kw) == {
        "h1": "verify",
        "h2": "confirmed",
        "h3": None,
        "h4": "verify",
        "h5": "remove",
    }
    result = pack.decide("identification", households[4], as_of=DAY, **kw)
    removal = result.finding("identification_no_removal_ground")
    assert removal.status is pc.Status.FAILED
    assert removal.observed == 1.0  # members found, never their ID numbers
    (use,) = removal.parameters
    assert use.overridden
    assert use.pack == "caller"


def test_provenance_records_the_data_by_rows_and_hash_never_the_data(
    households: list[pc.Household], matches: list[dict[str, Any]]
) -> None:
    pack = pc.load_pack("zhangzhou")
    result = pack.decide("identification", households[0], as_of=DAY, references={MATCHES: matches})
    summary = result.provenance.references[MATCHES]
    assert (summary["name"], summary["kind"], summary["rows"]) == (MATCHES, "table", 3)
    assert len(summary["sha256"]) == 64
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert "35062319800101007" not in text
    assert "350628" not in text
    assert "在缴" not in text  # the data's reasons are data too
    # the same content written differently (case of x, spaces, order) hashes the same
    same = [
        {"id_number": "3506 2819 8001 0100 55", "data_set": "local_payroll", "reason": "供养"},
        {"id_number": "350628198001010047", "data_set": "bank"},
        {"id_number": "35062319800101007X", "data_set": "social_insurance", "reason": "在缴"},
    ]
    again = pack.decide("identification", households[0], as_of=DAY, references={MATCHES: same})
    assert again.provenance.references[MATCHES]["sha256"] == summary["sha256"]
    other = pack.decide("identification", households[0], as_of=DAY, references={MATCHES: same[:2]})
    assert other.provenance.references[MATCHES]["sha256"] != summary["sha256"]
    assert other.outcome is pc.Outcome.ELIGIBLE
    # the batch records the same
    batch = pack.decide_batch("identification", households, as_of=DAY, references={MATCHES: same})
    assert batch.provenance.references == again.provenance.references


def test_readiness_lists_the_reference_as_an_input_to_supply(
    matches: list[dict[str, Any]],
) -> None:
    pack = pc.load_pack("zhangzhou")
    plan = pack.readiness("identification", as_of=DAY)
    (need,) = plan.references
    assert (need.reference.id, need.supplied, need.blocking) == (MATCHES, False, True)
    assert need in plan.blocking
    # a Python caller is told the keyword; the command line its option
    assert "references={'identification_matches': …}" in need.explain("en")
    with command_line_options():
        assert "--reference identification_matches=FILE" in need.explain("en")
    assert "未提供" in need.explain("zh")
    assert "reference:identification_matches" not in plan.fields
    ready = pack.with_references({MATCHES: matches}).readiness("identification", as_of=DAY)
    assert ready.references[0].supplied
    assert not ready.references[0].blocking
    assert ready.to_dict()["references"][0]["supplied"] is True


def test_bad_reference_data_are_input_errors_naming_the_row_not_the_value(
    households: list[pc.Household],
) -> None:
    pack = pc.load_pack("zhangzhou")

    def problems(value: Any, name: str = MATCHES) -> list[tuple[str, str]]:
        with pytest.raises(pc.InputError) as info:
            pack.decide("identification", households[0], as_of=DAY, references={name: value})
        return [(p.path, p.message.en) for p in info.value.problems]

    assert problems("35062319800101007X")[0][0] == f"references.{MATCHES}"
    assert problems([{"id_number": "", "data_set": "bank"}])[0][0] == (
        f"references.{MATCHES}[0].id_number"
    )
    repeated = problems([{"id_number": "35062319800101007X"}, {"id_number": "35062319800101007x"}])
    assert repeated[0][0] == f"references.{MATCHES}[1].id_number"
    assert "35062319800101007" not in repeated[0][1]
    extra = problems([{"id_number": "35062319800101007X", "name": "张三"}])
    assert "undeclared columns: name" in extra[0][1]
    assert "张三" not in extra[0][1]
    undeclared = problems([], name="public_payroll")
    assert "declares no reference public_payroll" in undeclared[0][1]


def test_a_child_pack_fills_the_gap_with_a_citation(
    tmp_path: Path, households: list[pc.Household], matches: list[dict[str, Any]]
) -> None:
    """A child pack may ship the grounds with a citation (here a TEST source, invented)."""
    data = tmp_path / "data"
    (data / "parameters").mkdir(parents=True)
    (data / "sources.toml").write_text(
        '[test-local-rule]\ntitle = { zh = "测试用文件（虚构）", en = "A test document '
        '(invented)" }\nconfidence = "low"\n',
        encoding="utf-8",
    )
    (data / "parameters" / f"{GROUNDS}.toml").write_text(
        'title = { zh = "测试", en = "test" }\nunit = "none"\ntype = "text_list"\n'
        "override = true\n\n[[values]]\nstart = 2016-01-01\nend = 2016-12-31\n"
        'value = ["local_payroll"]\nsource = "test-local-rule"\nlocator = "第一条"\n',
        encoding="utf-8",
    )

    class Child:
        @pc.hookimpl
        def poverty_core_register_packs(
            self, register: Callable[[pc.PackDefinition], None]
        ) -> None:
            register(
                pc.PackDefinition(
                    name="zz_child",
                    title=pc.T("测试", "test"),
                    version="0.0",
                    parent="zhangzhou",
                    data=data,
                )
            )

    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_fujian, name="fujian")
    pm.register(poverty_core_zhangzhou, name="zhangzhou")
    pm.register(Child(), name="child")
    child = PackRegistry(pm).load("zz_child")
    refs = {MATCHES: matches}
    assert _classes(child, households, references=refs)["h5"] == "remove"
    result = child.decide("identification", households[4], as_of=DAY, references=refs)
    (use,) = result.finding("identification_no_removal_ground").parameters
    assert use.pack == "zz_child"
    assert use.citation is not None
    assert use.citation.source == "test-local-rule"
    # outside the child's value (its rules extended to 2017 by the caller) the gap is back
    later = child.with_periods({"decision:identification": ("2016-01-01", None)})
    result = later.decide(
        "identification", households[4], as_of=dt.date(2017, 3, 1), references=refs
    )
    assert result.finding("identification_no_removal_ground").status is pc.Status.UNKNOWN


def test_comparison_data_are_fujians_list_not_grounds() -> None:
    """003 §5.4 names data to compare with, in force from 2018-10-24; not grounds."""
    pack = pc.load_pack("zhangzhou")
    taxonomy = pack.taxonomies[identification.REGISTRY_TAXONOMY]
    assert [taxonomy.label(c).zh for c in taxonomy.codes()] == [
        "户籍信息",
        "教育信息",
        "健康信息",
        "就业信息",
        "社会保险信息",
        "住房信息",
        "银行信息",
        "农村低保信息",
        "残疾人信息",
    ]
    assert taxonomy.citation.source == "fujian-2018-three-year"
    assert "五、(四)" in taxonomy.citation.locator
    assert taxonomy.description is not None
    assert "不是清退情形" in taxonomy.description.zh
    assert "2018-10-24" in taxonomy.description.zh
    assert "not grounds for removal" in taxonomy.description.en


def test_pinghe_696_doubtful_households() -> None:
    """A comparison finding as many doubtful households as Pinghe's: "在进行数据比对时，
    发现有疑问696户，乡镇、村两级组织工作队进村入户进行实地识别" — doubts to check on
    site, which is what the decision marks them as (not eligible: doubtful)."""
    pack = pc.load_pack("zhangzhou")
    doubtful = pack.value("pinghe_doubtful_households", DAY)
    households = [
        _household(f"ph{i:04d}", {"id": "1", "id_number": _id_number(_seventeen(i))})
        for i in range(2000)
    ]
    found = [
        {"id_number": _id_number(_seventeen(i)), "data_set": "social_insurance"}
        for i in range(0, 2000, 3)
    ][:doubtful]
    found += [
        {"id_number": _id_number(_seventeen(i)), "data_set": "bank"} for i in range(1, 2000, 3)
    ][: doubtful - len(found)]
    batch = pack.decide_batch("identification", households, as_of=DAY, references={MATCHES: found})
    assert batch.counts()["not_eligible"] == doubtful == 696
    assert batch.provenance.references[MATCHES]["rows"] == 696
