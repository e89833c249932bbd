"""A child extends its parents declaratively (issue 11): a decision extended by id without
restating its criteria, the parent's test named with ``inherited()``, a code list named
with ``taxonomy()``, and texts that state a threshold rendered from the parameter a child
overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import poverty_core as pc
from poverty_core.blocks import inherited, taxonomy
from poverty_core.expressions import all_of, field
from poverty_core.rules import DecisionExtension

DAY = dt.date(2016, 12, 31)
CITE = pc.cite("tmp-src", "§1")


SOURCES = """\
[tmp-src]
title = { zh = "临时测试来源", en = "throw-away test source" }
governs = { start = 2016-04-29, end = 2020-12-31 }
"""


def load(packs: SimpleNamespace, *definitions: pc.PackDefinition, name: str = "tmp") -> pc.Pack:
    """Assemble ``name`` on a fresh manager holding national, fujian and ``definitions``."""
    import poverty_core_fujian

    from poverty_core.plugins import PackRegistry, get_plugin_manager

    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_fujian, name="fujian")
    pm.register(packs.Plugin(*definitions), name="test")
    return PackRegistry(pm).load(name)


def test_extend_a_parent_decision_without_restating_it(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    extra = pc.Criterion(
        id="house_renovated_recorded",
        subject="household",
        title=pc.T("危房改造已登记", "Renovation recorded"),
        citations=CITE,
        test=field("house_renovated"),
    )
    child = packs.definition(
        data=pack_dir(sources=SOURCES),
        parent="fujian",
        rules=[
            extra,
            DecisionExtension("household_exit", citations=CITE, add=["house_renovated_recorded"]),
        ],
    )
    pack = load(packs, child)
    fujian = pc.load_pack("fujian")
    parent = fujian.decisions["household_exit"]
    extended = pack.decisions["household_exit"]
    assert extended.criteria == (*parent.criteria, "house_renovated_recorded")
    assert extended.pack == "tmp"
    assert extended.overrides == "fujian"
    assert extended.in_force == parent.in_force


def test_a_criterion_the_parent_gains_reaches_the_child(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    """The child's list is the parent's list at assembly, changed by id: when the parent
    gains a criterion, the child has it too."""
    new = pc.Criterion(
        id="new_national_test",
        subject="household",
        title=pc.T("新增", "new"),
        citations=CITE,
        test=field("food_secure"),
    )
    parent = packs.definition(
        name="mid",
        data=pack_dir(name="mid", sources=SOURCES),
        rules=[new, DecisionExtension("household_exit", citations=CITE, add=["new_national_test"])],
    )
    child = packs.definition(
        name="tmp",
        parent="mid",
        data=pack_dir(name="child", sources=""),
        rules=[DecisionExtension("household_exit", citations=CITE, remove=["food_secure"])],
    )
    pack = load(packs, parent, child)
    assert "new_national_test" in pack.decisions["household_exit"].criteria
    assert "food_secure" not in pack.decisions["household_exit"].criteria


def test_a_bad_extension_names_what_is_wrong(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    child = packs.definition(
        data=pack_dir(sources=SOURCES),
        rules=[DecisionExtension("household_exit", citations=CITE, remove=["no_such_test"])],
    )
    with pytest.raises(pc.PackError, match="no_such_test"):
        load(packs, child)


def test_inherited_is_the_parent_version_in_force(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    """A child's override that says "the parent's housing test, and a renovated house
    recorded" — the parent's test is Fujian's in 2019 and the national one in 2016."""
    override = pc.Criterion(
        id="safe_housing",
        subject="household",
        title=pc.T("住房安全（子包）", "Safe housing (child)"),
        citations=CITE,
        test=all_of(inherited("safe_housing"), field("without_house").eq(False)),
        in_force=pc.Period(dt.date(2016, 4, 29), dt.date(2020, 12, 31)),
    )
    pack = load(
        packs,
        packs.definition(data=pack_dir(sources=SOURCES), parent="fujian", overrides=[override]),
    )
    house = pack.structure(  # house_renovated is fujian's field (its fields.toml)
        {"id": "h", "members": [{"id": "1"}], "house_grade": "C", "house_renovated": True,
         "without_house": False}
    )  # fmt: skip
    # 2016: the national test governs (grade C, not relocated: fails); 2019: Fujian's
    # accepts a renovated house
    one_2016 = pack.decide("household_exit", house, as_of=DAY, overrides={"poverty_line": 1.0})
    assert one_2016.finding("safe_housing").status is pc.Status.UNKNOWN  # relocation unknown
    line = {"poverty_line": 1.0}
    found_2019 = pack.decide("household_exit", house, as_of=dt.date(2019, 6, 30), overrides=line)
    assert found_2019.finding("safe_housing").status is pc.Status.PASSED
    batch = pack.decide_batch("household_exit", [house], as_of=dt.date(2019, 6, 30), overrides=line)
    assert batch.result(0) == found_2019


def test_taxonomy_as_an_operand(packs: SimpleNamespace, pack_dir: Callable[..., Path]) -> None:
    rule = pc.Criterion(
        id="housed_by_form",
        subject="household",
        title=pc.T("住房保障方式", "Housing form"),
        citations=CITE,
        test=field("housing_form").isin(taxonomy("housing_forms")),
    )
    pack = load(
        packs, packs.definition(data=pack_dir(sources=SOURCES), parent="fujian", rules=[rule])
    )
    test = pack.criteria["housed_by_form"].test
    assert "long_term_lease" in pack.rule_text(pack.criteria["housed_by_form"], "en")
    assert test is not rule.test
    bad = pc.Criterion(
        id="bad", subject="household", title=pc.T("坏", "bad"), citations=CITE,
        test=field("housing_form").isin(taxonomy("no_such_list")),
    )  # fmt: skip
    definition = packs.definition(data=pack_dir(name="d2", sources=SOURCES), rules=[bad])
    with pytest.raises(pc.PackError, match="taxonomy"):
        load(packs, definition)


def test_an_overridden_threshold_changes_every_text_that_states_it(
    packs: SimpleNamespace, pack_dir: Callable[..., Path]
) -> None:
    """No text still says 2% when a child sets 1.5%; the finding cites the child."""
    line = packs.parameter(
        [packs.value("2016-04-29", 0.015)], unit="ratio", extra="override = true\n"
    )
    pack = load(
        packs,
        packs.definition(
            data=pack_dir(parameters={"village_incidence_max": line}, sources=SOURCES)
        ),
    )
    title = pack.criteria["village_incidence"].title
    assert "1.5%" in title.zh
    assert "1.5%" in title.en
    assert "2%" not in title.en.replace("1.5%", "")
    assert "2%" in pc.load_pack("national").criteria["village_incidence"].title.en
    village = pc.Village(id="v", region=pc.Region.EAST, rural_registered_population=1000,
                         poor_population=18)  # fmt: skip
    finding = pack.decide("village_exit", village, as_of=DAY).findings[0]
    assert finding.status is pc.Status.FAILED
    assert finding.parameters[0].pack == "tmp"
