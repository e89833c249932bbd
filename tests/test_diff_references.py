"""The pack diff lists reference data (issue 11 meets issue 14): declarations added,
removed or changed (by content) between two packs, and references the rules in force start
or stop reading between two dates — as data, as the table in both languages, as JSON, on
the command line and over HTTP. Declarations only: no reference data appear anywhere."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

import poverty_core as pc
from poverty_core.blocks import reference
from poverty_core.cli import main
from poverty_core.diff import diff_dates, diff_packs, format_table, to_json_data
from poverty_core.expressions import field
from poverty_core.service import Settings, create_app

SOURCES = """\
[tmp-src]
title = { zh = "临时测试来源", en = "throw-away test source" }
governs = { start = 2016-04-29, end = 2020-12-31 }
"""
UNITS = """\
kind = "table"
key = "unit_id"
columns = [{columns}]
title = {{ zh = "帮扶单位表（测试）", en = "Assisting units (test)" }}
source = "tmp-src"
locator = "{locator}"
"""


def _pack(
    packs: SimpleNamespace, pack_dir: Callable[..., Path], units: str | None, name: str = "data"
) -> pc.Pack:
    data = pack_dir(sources=SOURCES, name=name)
    rules: list[object] = []
    if units is not None:
        (data / "references").mkdir()
        (data / "references" / "units.toml").write_text(units, encoding="utf-8")
        rules = [
            pc.Criterion(
                id="unit_listed",
                subject="household",
                title=pc.T("帮扶单位在表中", "Assisting unit listed"),
                citations=[pc.cite("tmp-src", "§1")],
                test=field("pairing_cadre").isin(reference("units")),
                in_force=pc.Period(dt.date(2016, 6, 1), dt.date(2018, 12, 31)),
            )
        ]
    definition = packs.definition(data=data, rules=rules)
    pack: pc.Pack = packs.registry(packs.Plugin(definition)).load("tmp")
    return pack


def test_zhangzhou_adds_its_two_references_and_fujian_lacks_them() -> None:
    zhangzhou, fujian = pc.load_pack("zhangzhou"), pc.load_pack("fujian")
    added = {r.id: r for r in diff_packs(zhangzhou, fujian).references}
    assert set(added) == {"identification_matches", "pairing_table"}
    matches = added["identification_matches"]
    assert matches.change == "added"
    assert matches.by == "zhangzhou"
    assert matches.before is None
    assert matches.after is not None
    assert matches.after.key_form == "id_number"
    assert matches.after.columns == ("data_set", "reason")
    assert matches.after.read_by == ("identification_no_match", "identification_no_removal_ground")
    removed = {r.id: r.change for r in diff_packs(fujian, zhangzhou).references}
    assert removed == {"identification_matches": "removed", "pairing_table": "removed"}
    assert diff_packs(fujian, pc.load_pack("national")).references == ()


def test_a_declaration_changed_by_content(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    old = _pack(packs, pack_dir, UNITS.format(columns='"level"', locator="§2"))
    same = _pack(packs, pack_dir, UNITS.format(columns='"level"', locator="§2"), "same")
    new = _pack(packs, pack_dir, UNITS.format(columns='"level", "county"', locator="§3"), "new")
    assert diff_packs(same, old).references == ()
    (change,) = diff_packs(new, old).references
    assert change.change == "changed"
    assert change.differs == ("columns", "citation")
    assert change.before is not None
    assert change.after is not None
    assert change.before.columns == ("level",)
    assert change.after.columns == ("level", "county")
    en, zh = format_table(diff_packs(new, old), "en"), format_table(diff_packs(new, old), "zh")
    assert "Reference data (supplied by a run)" in en
    assert "declaration changed" in en
    assert "columns, source" in en
    assert "table unit_id; [level, county]; read by unit_listed" in en
    assert "参考数据（运行时提供）" in zh
    assert "声明改变" in zh
    assert "列、出处" in zh
    for word in ("declaration", "columns", "read by", "table ", "source"):
        assert word not in zh
    none = _pack(packs, pack_dir, None, "none")
    assert [r.change for r in diff_packs(none, old).references] == ["removed"]
    assert [r.change for r in diff_packs(old, none).references] == ["added"]


def test_between_dates_a_reference_is_read_while_its_rules_are_in_force(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    pack = _pack(packs, pack_dir, UNITS.format(columns='"level"', locator="§2"))
    d = diff_dates(pack, dt.date(2016, 1, 1), dt.date(2020, 1, 1))
    assert [(r.date, r.change, r.id) for r in d.references] == [
        (dt.date(2016, 6, 1), "read", "units"),
        (dt.date(2019, 1, 1), "unread", "units"),
    ]
    assert diff_dates(pack, dt.date(2016, 7, 1), dt.date(2018, 1, 1)).references == ()
    table = format_table(d, "en")
    assert "2016-06-01  read from this day" in table
    assert "2019-01-01  no longer read" in table
    assert "不再读取" in format_table(d, "zh")


def test_json_and_the_command_line() -> None:
    d = diff_packs(pc.load_pack("zhangzhou"), pc.load_pack("fujian"))
    data = to_json_data(d)
    assert json.loads(json.dumps(data)) == data
    refs = {r["id"]: r for r in data["references"]}
    assert refs["pairing_table"]["after"]["columns"] == ["rank", "county"]
    assert refs["pairing_table"]["after"]["citation"]["source"] == "zhangzhou-2016-review"
    assert "title" in refs["pairing_table"]["after"]["citation"]
    out = io.StringIO()
    assert main(["diff", "zhangzhou", "--format", "json"], stdout=out) == 0
    assert json.loads(out.getvalue())["references"] == data["references"]
    out = io.StringIO()
    assert main(["diff", "zhangzhou", "--lang", "zh"], stdout=out) == 0
    assert "参考数据（运行时提供）" in out.getvalue()
    assert "identification_matches" in out.getvalue()


@pytest.mark.parametrize("query", ["", "?from=2015-12-31&to=2017-06-30"], ids=["parent", "dates"])
def test_the_service_diff_lists_references(query: str) -> None:
    client = TestClient(create_app(Settings(packs=("national", "fujian", "zhangzhou"))))
    response = client.get(f"/packs/zhangzhou/diff{query}")
    assert response.status_code == 200, response.text
    changes = {(r["id"], r["change"]) for r in response.json()["references"]}
    if query:
        assert ("identification_matches", "read") in changes
        assert ("identification_matches", "unread") in changes
    else:
        assert changes == {("identification_matches", "added"), ("pairing_table", "added")}
