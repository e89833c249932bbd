"""Cadre pairing quotas ("321"): the load check over a pairing table."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from poverty_core_zhangzhou import pairing

import poverty_core as pc

DAY = dt.date(2016, 9, 23)


def _households(*loads: tuple[str | None, int]) -> list[pc.Household]:
    out = []
    for cadre, n in loads:
        for i in range(n):
            out.append(
                pc.Household.from_dict(
                    {"id": f"{cadre}-{i}", "pairing_cadre": cadre, "members": [{"id": "1"}]}
                )
            )
    return out


TABLE: list[dict[str, Any]] = [
    {"cadre_id": "za-1", "rank": "处级", "county": "诏安"},
    {"cadre_id": "za-2", "rank": "正科级干部", "county": "诏安县"},
    {"cadre_id": "za-3", "rank": "副科", "county": "zhaoan"},
    {"cadre_id": "za-4", "rank": "division", "county": "Zhao'an county"},
    {"cadre_id": "yx-1", "rank": "处级干部", "county": "云霄"},
    {"cadre_id": "yx-2", "rank": "正科", "county": "云霄县"},
    {"cadre_id": "yx-3", "rank": "普通干部", "county": "云霄"},
    {"cadre_id": "ph-1", "rank": "处级", "county": "平和"},
    {"cadre_id": "lh-1", "rank": "科级", "county": "龙海"},
]


@pytest.fixture
def report() -> pairing.LoadReport:
    """Zhao'an: 3 meets, 2 meets, 2 over, 1 under; Yunxiao: 3, 2 (a 正科 under 科级), 1."""
    households = _households(
        ("za-1", 3),
        ("za-2", 2),
        ("za-3", 2),
        ("za-4", 1),
        ("yx-1", 3),
        ("yx-2", 2),
        ("yx-3", 1),
        ("ph-1", 4),
        ("lh-1", 2),
        (None, 2),
        ("ghost", 1),
    )
    return pairing.check_load(TABLE, households, as_of=DAY)


def _by_id(report: pairing.LoadReport) -> dict[str, pairing.CadreLoad]:
    return {c.cadre_id: c for c in report.cadres}


def test_zhaoan_321(report: pairing.LoadReport) -> None:
    loads = _by_id(report)
    assert [(loads[c].load, loads[c].quota, loads[c].status) for c in ("za-1", "za-2")] == [
        (3, 3, "meets"),
        (2, 2, "meets"),
    ]
    assert (loads["za-3"].rank, loads["za-3"].quota, loads["za-3"].status) == (
        "deputy_section_chief",
        1,
        "over",
    )
    assert (loads["za-4"].quota, loads["za-4"].status) == (3, "under")
    assert loads["za-1"].quota_parameter == "pairing_quota_zhaoan_division"
    assert "诏安县处级干部挂钩 3 户" in loads["za-1"].reason.zh


def test_yunxiao_quotas(report: pairing.LoadReport) -> None:
    loads = _by_id(report)
    assert [loads[c].status for c in ("yx-1", "yx-2", "yx-3")] == ["meets"] * 3
    # A section chief in Yunxiao falls under the section-level (科级) quota.
    assert loads["yx-2"].rank == "section_chief"
    assert loads["yx-2"].quota_parameter == "pairing_quota_yunxiao_section"
    assert loads["yx-3"].quota == 1


def test_counties_without_quotas(report: pairing.LoadReport) -> None:
    loads = _by_id(report)
    assert (loads["ph-1"].county, loads["ph-1"].status) == ("pinghe", "no_quota")
    assert loads["ph-1"].load == 4
    assert (loads["lh-1"].county, loads["lh-1"].status) == (None, "no_quota")
    assert "龙海" in loads["lh-1"].reason.zh


def test_unpaired_and_unknown_cadres(report: pairing.LoadReport) -> None:
    assert report.unpaired == ("None-0", "None-1")
    assert report.unknown_cadres == {"ghost": ("ghost-0",)}
    assert [c.cadre_id for c in report.problems] == ["za-3", "za-4"]
    assert not report.ok
    assert "ghost" in report.explain("en")
    assert "ghost" in report.explain("zh")


def test_all_quotas_met_is_ok() -> None:
    table = [{"cadre_id": "c", "rank": "副科级", "county": "诏安"}]
    assert pairing.check_load(table, _households(("c", 1)), as_of=DAY).ok


def test_mode_is_an_overridable_interpretation() -> None:
    households = _households(("za-1", 2), ("za-2", 3))
    table = TABLE[:2]
    report = pairing.check_load(
        table, households, as_of=DAY, overrides={"pairing_quota_mode": "at_most"}
    )
    assert report.mode == "at_most"
    assert [c.status for c in report.cadres] == ["meets", "over"]
    at_least = pairing.check_load(
        table, households, as_of=DAY, overrides={"pairing_quota_mode": "at_least"}
    )
    assert [c.status for c in at_least.cadres] == ["under", "meets"]
    with pytest.raises(pc.InputError, match="pairing_quota_mode"):
        pairing.check_load(table, households, as_of=DAY, overrides={"pairing_quota_mode": "x"})


def test_bad_rows_are_all_reported() -> None:
    table = [
        {"cadre_id": "a", "rank": "厅级", "county": "诏安"},
        {"cadre_id": "b", "rank": "处级", "county": "诏安"},
        {"cadre_id": "b", "rank": "处级", "county": "诏安"},
        {"cadre_id": "c", "county": "诏安"},
    ]
    with pytest.raises(pc.InputError) as info:
        pairing.check_load(table, [], as_of=DAY)
    paths = [p.path for p in info.value.problems]
    assert paths == ["table[0].rank", "table[2].cadre_id", "table[3]"]
    assert "missing rank" in info.value.problems[2].message.en


def test_the_rules_govern_2016_a_caller_extends_them() -> None:
    """The quotas are rules of the pack now, dated by their source: RULES.md (zhangzhou,
    "Dates [004]") — "the city overview (综述) describes 2016 ... so its rules and figures
    govern 2016". Outside 2016 the check does not apply (NotInForce, like any rule); a
    caller extends the period and supplies the values for its own run."""
    later = dt.date(2017, 6, 30)
    households = _households(("za-1", 3))
    with pytest.raises(pc.NotInForce, match="pairing_quota"):
        pairing.check_load(TABLE[:1], households, as_of=later)
    pack = pc.load_pack("zhangzhou").with_periods(
        {
            "classifier:pairing_quota": ("2017-01-01", None),
            "decision:pairing_cadre_listed": ("2017-01-01", None),
        }
    )
    report = pairing.check_load(TABLE[:1], households, as_of=later, pack=pack)
    (load,) = report.cadres
    assert load.status == "unknown"
    assert "pairing_quota_zhaoan_division" in load.reason.en
    supplied = pairing.check_load(
        TABLE[:1],
        households,
        as_of=later,
        pack=pack,
        overrides={"pairing_quota_zhaoan_division": 3, "pairing_quota_mode": "exact"},
    )
    assert supplied.cadres[0].status == "meets"


def test_assignment_rows_and_json() -> None:
    table = [pairing.Assignment(cadre_id="c", rank="section_chief", county="zhaoan")]
    report = pairing.check_load(table, _households(("c", 2)), as_of=DAY)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["cadres"][0]["status"] == "meets"
    assert data["interpretation"] is True
    assert data["mode"] == "exact"
