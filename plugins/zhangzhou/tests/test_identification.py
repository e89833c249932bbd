"""一核查二比对三清退: the comparison against caller-supplied registries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from poverty_core_zhangzhou import identification

import poverty_core as pc

DAY = dt.date(2016, 3, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(seventeen: str) -> str:
    """A valid 18-character ID number (GB 11643-1999 check character) for test data."""
    total = sum(int(d) * w for d, w in zip(seventeen, _WEIGHTS, strict=True))
    return seventeen + "10X98765432"[total % 11]


def _household(hid: str, *members: dict[str, Any]) -> pc.Household:
    return pc.Household.from_dict(
        {"id": hid, "village_id": "v1", "county_id": "pinghe", "members": list(members)}
    )


@pytest.fixture
def households() -> list[pc.Household]:
    """Five households: on the payroll, clean, no ID number, a vehicle, a cadre with a shop."""
    return [
        _household("h1", {"id": "h1-1", "id_number": "35062319800101007X"}),
        _household("h2", {"id": "h2-1", "id_number": "350628198001010020"}),
        _household("h3", {"id": "h3-1", "id_number": "350628198001010039"}, {"id": "h3-2"}),
        _household("h4", {"id": "h4-1", "id_number": "350628198001010047"}),
        _household("h5", {"id": "h5-1", "id_number": "350628198001010055"}),
    ]


@pytest.fixture
def reference() -> dict[str, set[str]]:
    """Registries with a lower-case check character, spaces, and a member id."""
    return {
        "public_payroll": {"35062319800101007x"},
        "vehicle": {"h4-1"},
        "village_cadre": {" 350628 1980 0101 0055 "},
        "business": {"350628198001010055"},
        "commercial_property": set(),
    }


def test_flags_with_reasons(households: list[pc.Household], reference: dict[str, set[str]]) -> None:
    report = identification.check(households, reference, as_of=DAY)
    flags = {f.household_id: f for f in report}
    assert set(flags) == {"h1", "h3", "h4", "h5"}
    assert [f.household_id for f in report.to_remove] == ["h1", "h4", "h5"]
    assert [f.household_id for f in report.to_verify] == ["h3"]

    (payroll,) = flags["h1"].reasons
    assert (payroll.member_id, payroll.registry, payroll.matched_on) == (
        "h1-1",
        "public_payroll",
        "id_number",
    )
    assert "财政供养人员" in payroll.text.zh
    assert "“四不列”第二类" in payroll.text.zh
    assert "public payroll" in payroll.text.en
    assert "case 2" in payroll.text.en

    (vehicle,) = flags["h4"].reasons
    assert (vehicle.registry, vehicle.matched_on) == ("vehicle", "member_id")
    assert "非生产经营性车辆" in vehicle.text.zh

    assert [r.registry for r in flags["h5"].reasons] == ["village_cadre", "business"]
    assert flags["h5"].county_id == "pinghe"

    (unchecked,) = flags["h3"].reasons
    assert (unchecked.member_id, unchecked.registry) == ("h3-2", None)
    assert "无身份证号" in unchecked.text.zh
    assert "no ID number" in unchecked.text.en


def test_report_says_what_was_compared(
    households: list[pc.Household], reference: dict[str, set[str]]
) -> None:
    report = identification.check(households, {"vehicle": {"h4-1"}}, as_of=DAY)
    assert report.households == 5
    assert report.compared == ("vehicle",)
    assert report.not_supplied == (
        "commercial_property",
        "public_payroll",
        "village_cadre",
        "business",
    )
    assert report.exclusions.pack == "zhangzhou"
    assert report.exclusions.citation is not None
    assert "四不列" in report.explain("zh")
    assert "four do-not-lists" in report.explain("en")
    full = identification.check(households, reference, as_of=DAY)
    assert full.not_supplied == ()
    assert full.ignored == ()


def test_the_exclusion_list_is_overridable(
    households: list[pc.Household], reference: dict[str, set[str]]
) -> None:
    report = identification.check(
        households,
        reference,
        as_of=DAY,
        overrides={"identification_exclusion_registries": ["public_payroll"]},
    )
    assert [f.household_id for f in report.to_remove] == ["h1"]
    assert report.exclusions.overridden
    assert set(report.ignored) == {"vehicle", "village_cadre", "business", "commercial_property"}


def test_no_registry_no_flags(households: list[pc.Household]) -> None:
    report = identification.check(households, {}, as_of=DAY)
    assert len(report) == 0
    assert len(report.not_supplied) == 5


def test_unknown_registry_is_an_error(households: list[pc.Household]) -> None:
    with pytest.raises(pc.UnknownName, match="cars"):
        identification.check(households, {"cars": {"x"}}, as_of=DAY)
    with pytest.raises(pc.UnknownName, match="cars"):
        identification.check(
            households,
            {},
            as_of=DAY,
            overrides={"identification_exclusion_registries": ["cars"]},
        )


def test_a_bare_string_is_not_a_registry(households: list[pc.Household]) -> None:
    with pytest.raises(pc.InputError) as info:
        identification.check(households, {"vehicle": "h4-1"}, as_of=DAY)
    assert info.value.problems[0].path == "reference.vehicle"


def test_no_value_outside_2016_unless_supplied(households: list[pc.Household]) -> None:
    later = dt.date(2017, 3, 1)
    with pytest.raises(pc.ParameterNotDefined, match="identification_exclusion_registries"):
        identification.check(households, {}, as_of=later)
    report = identification.check(
        households,
        {"vehicle": {"h4-1"}},
        as_of=later,
        overrides={"identification_exclusion_registries": "vehicle"},
    )
    assert [f.household_id for f in report.to_remove] == ["h4"]
    assert [f.household_id for f in report.to_verify] == ["h3"]


def test_pinghe_696_doubtful_households() -> None:
    """A register where the comparison finds as many doubtful households as Pinghe's."""
    pack = pc.load_pack("zhangzhou")
    doubtful = pack.value("pinghe_doubtful_households", DAY)
    households = [
        _household(f"ph{i:04d}", {"id": "1", "id_number": _id_number(f"350628198{i:08d}")})
        for i in range(2000)
    ]
    payroll = {_id_number(f"350628198{i:08d}") for i in range(0, 2000, 3)}  # 667 households
    vehicles = {_id_number(f"350628198{i:08d}") for i in range(1, 2000, 3)}
    report = identification.check(
        households,
        {"public_payroll": payroll, "vehicle": set(sorted(vehicles)[: doubtful - len(payroll)])},
        as_of=DAY,
    )
    assert len(report.to_remove) == doubtful == 696


def test_json_form_keeps_id_numbers_out(
    households: list[pc.Household], reference: dict[str, set[str]]
) -> None:
    report = identification.check(households, reference, as_of=DAY)
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "35062319800101007" not in text
    data = json.loads(text)
    assert data["interpretation"] is True
    assert data["flags"][0]["reasons"][0]["registry"] == "public_payroll"
    assert report.flags[0].explain("zh").startswith("h1: 建议清退")
