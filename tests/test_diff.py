"""Pack diff (issue 14): what a child changes from its parent, what a pack changes between
two dates — as data, as a terminal table in both languages, as JSON, and as a section of
each pack's docs page (read back from the built HTML)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.diff import diff_dates, diff_packs, format_table, to_json_data
from poverty_core.expressions import field
from poverty_core.rules import DecisionExtension

ROOT = Path(__file__).resolve().parent.parent
CITE = pc.cite("tmp-src", "§1")
SOURCES = """\
[tmp-src]
title = { zh = "临时测试来源", en = "throw-away test source" }
governs = { start = 2016-04-29, end = 2020-12-31 }
"""


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


# -- zhangzhou from fujian -------------------------------------------------------------


def test_zhangzhou_from_fujian_lists_the_eight_haves_and_the_housing_changes() -> None:
    d = diff_packs(pc.load_pack("zhangzhou"), pc.load_pack("fujian"))
    changes = {(c.kind, c.id): c for c in d.rules}
    eight = changes["checklist", "eight_haves"]
    assert eight.change == "added"
    assert eight.by == "zhangzhou"
    assert [i.id for i in eight.items] == [
        "roof", "entrance_door", "windows", "sanitary_fixture",
        "cement_floor", "plastered_walls", "kitchenware", "bedding",
    ]  # fmt: skip
    assert all(i.change == "added" for i in eight.items)
    housing = changes["criterion", "safe_housing"]
    assert housing.change == "replaced"
    assert housing.before is not None
    assert housing.after is not None
    assert housing.before.pack == "fujian"
    assert housing.after.pack == "zhangzhou"
    assert housing.before.in_force is not None
    assert housing.after.in_force is not None
    assert (housing.before.in_force.start, housing.after.in_force.start) == (
        dt.date(2018, 10, 24),
        dt.date(2016, 1, 1),
    )
    assert changes["procedure", "housing"].change == "added"
    assert next(i.id for i in changes["procedure", "housing"].items) == "application"
    assert changes["decision", "housing_guarantee"].change == "added"
    # derived step and item criteria are folded into their procedure and checklist
    assert ("criterion", "eight_haves.roof") not in changes
    assert ("decision", "housing_procedure") not in changes
    # zhangzhou's own parameters, with their values, dates and citations
    params = {p.name: p for p in d.parameters}
    deadline = params["housing_completion_deadline"]
    assert deadline.change == "added"
    assert deadline.before == ()
    assert deadline.after[0].citation is not None
    assert deadline.after[0].citation.source == "zhangzhou-2016-review"
    # nothing fujian keeps unchanged is listed
    assert ("criterion", "income_above_line") not in changes
    assert "poverty_line" not in params


def test_the_cli_table_in_both_languages() -> None:
    code, en = run("diff", "zhangzhou", "fujian")
    assert code == 0
    assert en.startswith("What zhangzhou changes from fujian")
    assert re.search(r"added\s+checklist\s+eight_haves\s+The 'eight haves' housing standard", en)
    assert re.search(r"replaced\s+criterion\s+safe_housing", en)
    assert "+roof " in en
    code, zh = run("diff", "zhangzhou", "--lang", "zh")  # the parent by default
    assert code == 0
    assert zh.startswith("zhangzhou 相对 fujian 的变化")
    assert re.search(r"新增\s+核查清单\s+eight_haves\s+住房“八有”标准", zh)
    assert re.search(r"替换\s+判定标准\s+safe_housing", zh)
    # under --lang zh no English label: only ids, pack names and source ids are Latin
    from poverty_core.diff import CHANGE_LABELS, KIND_LABELS

    for label in [*CHANGE_LABELS.values(), *KIND_LABELS.values()]:
        assert not re.search(rf"(?<![\w.]){re.escape(label.en)}(?![\w.])", zh), label.en
    for english in ("Rules", "Parameters", "before", "after", "from 20", "no value", "always"):
        assert english not in zh


def test_json_has_dates_and_citations() -> None:
    code, text = run("diff", "zhangzhou", "fujian", "--format", "json")
    assert code == 0
    data = json.loads(text)
    assert data["title"]["zh"] == "zhangzhou 相对 fujian 的变化"
    eight = next(c for c in data["rules"] if c["id"] == "eight_haves")
    assert eight["after"]["in_force"] == {
        "start": "2016-01-01",
        "end": "2016-12-31",
        "origin": "source:zhangzhou-2016-review",
    }
    roof = eight["items"][0]
    assert (roof["change"], roof["id"], roof["label"]["zh"]) == ("added", "roof", "有完整屋顶")
    assert eight["citations"][0]["source"] == "zhangzhou-2016-review"
    assert "title" in eight["citations"][0]


def test_a_changed_parameter_has_both_sides(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    national = pc.load_pack("national")
    line = national.parameters["poverty_line"]
    value = packs.value("2017-01-01", 3335.0, end="2017-12-31")
    value["locator"] = '"表1"'
    text = packs.parameter([value], extra="override = true\n")
    child = packs.definition(data=pack_dir(parameters={"poverty_line": text}, sources=SOURCES))
    pack = packs.registry(packs.Plugin(child)).load("tmp")
    d = diff_packs(pack, national)
    (change,) = [p for p in d.parameters if p.name == "poverty_line"]
    assert change.change == "changed"
    assert change.by == "tmp"
    assert [v.value for v in change.before] == [v.value for v in line.values]
    assert [(v.start, v.end, v.value) for v in change.after] == [
        (dt.date(2017, 1, 1), dt.date(2017, 12, 31), 3335.0)
    ]
    assert change.after[0].citation is not None
    assert change.after[0].citation.locator == "表1"
    table = format_table(d, "en")
    assert "2017-01-01 – 2017-12-31: 3335 [tmp-src]" in table


def test_extension_add_remove_replace_and_a_removed_rule(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    new = pc.Criterion(
        id="keys_received_recorded",
        subject="household",
        title=pc.T("搬迁户已拿到钥匙", "Relocation keys received"),
        citations=CITE,
        test=field("relocation_keys_received"),  # a core field (national reads it)
    )
    food = pc.Criterion(
        id="food_secure_local",
        subject="household",
        title=pc.T("不愁吃（本地）", "No worry about food (local)"),
        citations=CITE,
        test=field("food_secure"),
    )
    ext = DecisionExtension(
        "household_exit",
        citations=CITE,
        add=["keys_received_recorded"],
        remove=["clothing_secure"],
        replace={"food_secure": "food_secure_local"},
    )
    child = packs.definition(
        data=pack_dir(sources=SOURCES),
        rules=[new, food, ext],
        removes=["decision:drinking_water"],
    )
    registry = packs.registry(packs.Plugin(child))
    pack = registry.load("tmp")
    d = diff_packs(pack, registry.load("national"), registry=registry)
    changes = {(c.kind, c.id): c for c in d.rules}
    exit_ = changes["decision", "household_exit"]
    assert exit_.change == "extended"
    assert exit_.by == "tmp"
    assert {(i.change, i.id, i.replaces) for i in exit_.items} == {
        ("added", "keys_received_recorded", None),
        ("removed", "clothing_secure", None),
        ("replaced", "food_secure_local", "food_secure"),
    }
    assert [c.source for c in exit_.citations] == ["tmp-src"]
    removed = changes["decision", "drinking_water"]
    assert removed.change == "removed"
    assert removed.by == "tmp"
    assert removed.after is None
    assert changes["criterion", "keys_received_recorded"].change == "added"
    table = format_table(d, "en")
    assert "food_secure→food_secure_local" in table
    assert "-clothing_secure" in table
    assert "+keys_received_recorded" in table


def test_a_period_the_child_sets_differently(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    root = pack_dir(sources=SOURCES)
    (root / "periods.toml").write_text(
        '[[periods]]\nrule = "decision:drinking_water"\nstart = 2019-06-01\n'
        'source = "tmp-src"\nlocator = "§2"\n',
        "utf-8",
    )
    pack = packs.registry(packs.Plugin(packs.definition(data=root))).load("tmp")
    d = diff_packs(pack, pc.load_pack("national"))
    (change,) = [f for f in d.force if f.id == "drinking_water"]
    assert change.change == "period_changed"
    assert change.before is not None
    assert change.after is not None
    assert change.before.in_force is not None
    assert change.after.in_force is not None
    assert change.before.in_force.start == dt.date(2019, 1, 1)
    assert change.after.in_force.start == dt.date(2019, 6, 1)


# -- a pack between two dates ----------------------------------------------------------


def test_national_between_two_dates_lists_what_entered_or_left_force() -> None:
    d = diff_dates(pc.load_pack("national"), dt.date(2016, 12, 31), dt.date(2019, 6, 30))
    force = {(f.id, f.change): f.date for f in d.force}
    assert force["county_incidence", "left"] == dt.date(2017, 9, 30)
    for cid in ("county_wrong_exit_rate", "county_omission_rate", "county_public_approval"):
        assert force[cid, "entered"] == dt.date(2017, 9, 30)
    assert force["drinking_water", "entered"] == dt.date(2019, 1, 1)
    assert force["water_quantity", "entered"] == dt.date(2019, 1, 1)
    # nothing that stays in force all along
    assert not any(f.id == "income_above_line" for f in d.force)
    params = {(p.name, p.change): p for p in d.parameters}
    line = params["poverty_line", "removed"]  # the 2016 value ends: a gap from 2017 on
    assert line.date == dt.date(2017, 1, 1)
    assert [v.value for v in line.before] == [2952]
    assert line.after == ()
    code, zh = run("diff", "national", "--from", "2016-12-31", "--to", "2019-06-30", "--lang", "zh")
    assert code == 0
    assert re.search(r"2017-09-30\s+失效\s+判定标准\s+county_incidence", zh)
    assert re.search(r"2019-01-01\s+开始生效\s+决策\s+drinking_water\s+饮水安全", zh)
    code, text = run(
        "diff", "national", "--from", "2016-12-31", "--to", "2019-06-30", "--format", "json"
    )
    data = json.loads(text)
    left = next(f for f in data["force"] if f["id"] == "county_incidence")
    assert left["date"] == "2017-09-30"
    assert left["change"] == "left"
    assert left["before"]["in_force"]["end"] == "2017-09-29"


def test_a_version_handing_over_is_a_replacement() -> None:
    """Fujian's housing test governs from 2018-10-24; the national one before."""
    d = diff_dates(pc.load_pack("fujian"), dt.date(2018, 1, 1), dt.date(2019, 1, 1))
    (change,) = [f for f in d.force if f.id == "safe_housing"]
    assert change.change == "replaced"
    assert change.date == dt.date(2018, 10, 24)
    assert change.before is not None
    assert change.after is not None
    assert (change.before.pack, change.after.pack) == ("national", "fujian")


def test_a_change_between_the_dates_is_found_even_if_undone() -> None:
    """A rule in force only between the two dates enters and leaves, each on its day."""
    d = diff_dates(pc.load_pack("zhangzhou"), dt.date(2015, 6, 30), dt.date(2017, 6, 30))
    eight = [(f.change, f.date) for f in d.force if f.id == "eight_haves"]
    assert eight == [("entered", dt.date(2016, 1, 1)), ("left", dt.date(2017, 1, 1))]
    assert diff_dates(pc.load_pack("national"), dt.date(2017, 1, 1), dt.date(2017, 1, 1)).empty


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "national"],
        ["diff", "national", "--from", "2016-12-31"],
        ["diff", "zhangzhou", "fujian", "--from", "2016-12-31", "--to", "2019-06-30"],
    ],
)
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(*argv)
    assert code == 2
    assert out == ""
    assert capsys.readouterr().err.strip()


def test_bad_dates_and_unknown_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("diff", "national", "--from", "2019-01-01", "--to", "2018-01-01", "--lang", "zh")
    assert code == 3
    assert "早于" in capsys.readouterr().err
    code, _ = run("diff", "nowhere")
    assert code == 4


def test_json_round_trips_through_the_library() -> None:
    d = diff_packs(pc.load_pack("fujian"), pc.load_pack("national"))
    data = to_json_data(d)
    assert json.loads(json.dumps(data)) == data
    assert data["mode"] == "packs"
    assert data["base"] == "national"


# -- the docs page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sphinx")
    docs = ROOT / "docs"
    src = tmp_path_factory.mktemp("diff-docs")
    shutil.copy(docs / "conf.py", src / "conf.py")
    shutil.copytree(docs / "_static", src / "_static")
    (src / "packs").mkdir()
    for name in ("national", "zhangzhou"):
        (src / "packs" / f"{name}.md").write_text(
            f"# {name}\n\n```{{poverty-pack}} {name}\n```\n", "utf-8"
        )
    (src / "index.md").write_text(
        "# Packs\n\n```{toctree}\npacks/national\npacks/zhangzhou\n```\n", "utf-8"
    )
    out = tmp_path_factory.mktemp("diff-html")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def _section(html: str, title: str) -> str:
    """The HTML of the level-2 section whose heading starts with ``title``."""
    parts = re.split(r"(?=<section id=\"[^\"]*\">\s*<h2>)", html)
    found = [p for p in parts if re.search(r"<h2>\s*" + re.escape(title), p)]
    assert found, title
    return found[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_pack_page_says_what_zhangzhou_changes_from_fujian(built_pages: Path) -> None:
    html = (built_pages / "packs" / "zhangzhou.html").read_text("utf-8")
    section = _section(html, "本包相对 fujian 的变化")
    text = _text(section)
    assert "What zhangzhou changes from fujian" in text
    assert "<table" in section
    assert "**" not in text
    assert "list-table" not in text
    assert "新增：住房“八有”标准" in text
    assert "+roof 有完整屋顶" in text
    assert "+bedding 有基本卧具" in text
    assert "替换：住房安全有保障" in text
    assert "之前：fujian: 2018-10-24 – 2020-12-31" in text
    assert "之后：zhangzhou: 2016-01-01 – 2016-12-31" in text
    assert "added: The 'eight haves' housing standard" in text
    # the parameters it adds, each with its value, dates and source
    assert "housing_completion_deadline" in text


def test_the_root_pack_page_says_what_changes_over_time(built_pages: Path) -> None:
    html = (built_pages / "packs" / "national.html").read_text("utf-8")
    text = _text(_section(html, "生效期的变化"))
    assert "2017-09-30：失效：贫困发生率降至" in text
    assert "2019-01-01：开始生效：饮水安全" in text
    assert "2017-01-01：取值结束（此后为缺口）：扶贫标准" in text
