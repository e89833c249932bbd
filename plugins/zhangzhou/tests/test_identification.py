"""一核查二比对三清退: the comparison with the caller's reference data.

Seed 004 (闽南日报《漳州市精准扶贫工作综述》, 2016-09-26) gives the method only — "严格按照
'一核查二比对三清退'的要求", Pinghe's comparison "发现有疑问696户" — and no grounds for
removal, so the pack ships no exclusion list (review item I-3): every match is flagged
for checking unless a caller or a child pack names the grounds.
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
from poverty_core.plugins import PackRegistry, get_plugin_manager

DAY = dt.date(2016, 3, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GROUNDS = identification.EXCLUSION_PARAMETER


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
    """Five households: in social insurance, clean, no ID number, in bank data, in two."""
    return [
        _household("h1", {"id": "h1-1", "id_number": "35062319800101007X"}),
        _household("h2", {"id": "h2-1", "id_number": "350628198001010020"}),
        _household("h3", {"id": "h3-1", "id_number": "350628198001010039"}, {"id": "h3-2"}),
        _household("h4", {"id": "h4-1", "id_number": "350628198001010047"}),
        _household("h5", {"id": "h5-1", "id_number": "350628198001010055"}),
    ]


@pytest.fixture
def reference() -> dict[str, Any]:
    """The caller's data (invented test data): reasons as the data give them, a lower-case
    check character, spaces, a member id, and a code of the caller's own."""
    return {
        "social_insurance": {"35062319800101007x": "城镇职工养老保险在缴"},
        "bank": {"h4-1"},
        "housing": {" 350628 1980 0101 0055 ": pc.T("城镇有商品房", "owns a flat in town")},
        "local_payroll": {"350628198001010055": "县财政供养人员"},
        "disability": set(),
    }


def test_no_default_exclusion_list(
    households: list[pc.Household], reference: dict[str, Any]
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
    report = identification.check(households, reference, as_of=DAY)
    assert report.exclusions is None
    assert report.to_remove == ()
    assert [f.household_id for f in report.to_verify] == ["h1", "h3", "h4", "h5"]
    assert "四不列" not in report.explain("zh")
    assert "identification_exclusion_registries" in report.explain("zh")
    assert "gap" in report.explain("en")
    # on any date: the gap has no value in 2016 or later
    later = identification.check(households, reference, as_of=dt.date(2019, 6, 30))
    assert later.exclusions is None
    assert later.to_remove == ()


def test_reasons_are_the_data_reasons(
    households: list[pc.Household], reference: dict[str, Any]
) -> None:
    report = identification.check(households, reference, as_of=DAY)
    flags = {f.household_id: f for f in report}
    (insurance,) = flags["h1"].reasons
    assert (insurance.member_id, insurance.registry, insurance.matched_on) == (
        "h1-1",
        "social_insurance",
        "id_number",
    )
    assert insurance.data_reason == pc.T("城镇职工养老保险在缴", "城镇职工养老保险在缴")
    assert "社会保险信息" in insurance.text.zh
    assert "城镇职工养老保险在缴" in insurance.text.zh
    assert "social insurance data" in insurance.text.en

    (bank,) = flags["h4"].reasons
    assert (bank.registry, bank.matched_on, bank.data_reason) == ("bank", "member_id", None)
    assert "银行信息" in bank.text.zh

    assert [r.registry for r in flags["h5"].reasons] == ["housing", "local_payroll"]
    assert "owns a flat in town" in flags["h5"].reasons[0].text.en
    # a code of the caller's own is labelled by its code
    assert "local_payroll" in flags["h5"].reasons[1].text.en
    assert "县财政供养人员" in flags["h5"].reasons[1].text.zh
    assert flags["h5"].county_id == "pinghe"

    (unchecked,) = flags["h3"].reasons
    assert (unchecked.member_id, unchecked.registry) == ("h3-2", None)
    assert "无身份证号" in unchecked.text.zh
    assert "no ID number" in unchecked.text.en


def test_caller_supplies_the_grounds(
    households: list[pc.Household], reference: dict[str, Any]
) -> None:
    """A caller names the data whose matches are grounds for removal, for its run."""
    report = identification.check(
        households,
        reference,
        as_of=DAY,
        overrides={GROUNDS: ["local_payroll", "vehicle_register"]},
    )
    assert [f.household_id for f in report.to_remove] == ["h5"]
    assert [f.household_id for f in report.to_verify] == ["h1", "h3", "h4"]
    assert report.exclusions is not None
    assert report.exclusions.overridden
    assert report.exclusions.pack == "caller"
    assert report.not_supplied == ("vehicle_register",)
    (flag,) = report.to_remove
    assert "列为清退依据" in flag.reasons[1].text.zh
    assert "列为清退依据" not in flag.reasons[0].text.zh
    assert "caller" in report.explain("en")


def test_a_child_pack_fills_the_gap_with_a_citation(
    tmp_path: Path, households: list[pc.Household], reference: dict[str, Any]
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
    report = identification.check(households, reference, as_of=DAY, pack=child)
    assert [f.household_id for f in report.to_remove] == ["h5"]
    assert report.exclusions is not None
    assert report.exclusions.pack == "zz_child"
    assert report.exclusions.citation is not None
    assert report.exclusions.citation.source == "test-local-rule"
    # outside the child's value the gap is back
    assert (
        identification.check(
            households, reference, as_of=dt.date(2017, 3, 1), pack=child
        ).exclusions
        is None
    )


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


def test_no_reference_no_flags(households: list[pc.Household]) -> None:
    report = identification.check(households, {}, as_of=DAY)
    assert len(report) == 0
    assert report.compared == ()
    assert report.households == 5


def test_bad_reference_data_are_input_errors(households: list[pc.Household]) -> None:
    with pytest.raises(pc.InputError) as info:
        identification.check(households, {"bank": "h4-1"}, as_of=DAY)
    assert info.value.problems[0].path == "reference.bank"
    with pytest.raises(pc.InputError):
        identification.check(households, {" ": {"h4-1"}}, as_of=DAY)
    with pytest.raises(pc.InputError):
        identification.check(households, {"bank": [4]}, as_of=DAY)  # type: ignore[list-item]
    with pytest.raises(pc.InputError):
        identification.check(households, {"bank": {"h4-1": 3}}, as_of=DAY)  # type: ignore[dict-item]


def test_pinghe_696_doubtful_households() -> None:
    """A comparison finding as many doubtful households as Pinghe's: "在进行数据比对时，
    发现有疑问696户，乡镇、村两级组织工作队进村入户进行实地识别" — doubts to check on
    site, which is what the pack flags them for."""
    pack = pc.load_pack("zhangzhou")
    doubtful = pack.value("pinghe_doubtful_households", DAY)
    households = [
        _household(f"ph{i:04d}", {"id": "1", "id_number": _id_number(_seventeen(i))})
        for i in range(2000)
    ]
    insured = {_id_number(_seventeen(i)) for i in range(0, 2000, 3)}  # 667 households
    banked = {_id_number(_seventeen(i)) for i in range(1, 2000, 3)}
    report = identification.check(
        households,
        {"social_insurance": insured, "bank": set(sorted(banked)[: doubtful - len(insured)])},
        as_of=DAY,
    )
    assert len(report.to_verify) == doubtful == 696
    assert report.to_remove == ()


def test_json_form_keeps_id_numbers_out(
    households: list[pc.Household], reference: dict[str, Any]
) -> None:
    report = identification.check(households, reference, as_of=DAY)
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "35062319800101007" not in text
    data = json.loads(text)
    assert data["exclusions"] is None
    assert "identification_exclusion_registries" in data["exclusions_gap"]["en"]
    assert data["flags"][0]["reasons"][0]["registry"] == "social_insurance"
    assert data["flags"][0]["reasons"][0]["data_reason"]["zh"] == "城镇职工养老保险在缴"
    assert report.flags[0].explain("zh").startswith("h1: 需入户核查")
