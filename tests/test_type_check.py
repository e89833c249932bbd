"""Every comparison is type-checked when a pack loads: kind of value, unit (where the
inputs state one — parameters do; the model's fields do not yet), code list. A mismatch
is a :class:`~poverty_core.PackError` naming the pack, the rule and both sides, in
Chinese and English; every installed pack loads."""

from __future__ import annotations

from typing import Any

import pytest

import poverty_core as pc
from poverty_core.codes import HouseGrade, PovertyCause, Region
from poverty_core.expressions import (
    Expr,
    any_member,
    as_of,
    check_types,
    coalesce,
    count_members,
    field,
    length,
    member,
    param,
    static_type,
    type_problems,
    where,
)
from poverty_core.packs import assemble
from poverty_core.plugins import PackRegistry, get_plugin_manager


@pytest.fixture(scope="module")
def national() -> pc.Pack:
    return pc.load_pack("national")


@pytest.mark.parametrize("name", PackRegistry(get_plugin_manager()).names())
def test_every_installed_pack_is_well_typed(name: str) -> None:
    assert type_problems(pc.load_pack(name)) == []


ILL_TYPED = [
    # (test, words the problem must contain)
    (field("main_cause").eq(HouseGrade.A), ["poverty_cause", "house_grade", "two different"]),
    (field("house_grade").isin(("C", "D级")), ["'D级' is not a code of house_grade"]),
    (field("main_cause").eq("因病"), ["'因病'", "write its code, 'illness'"]),
    (field("house_grade") < HouseGrade.C, ["'<' orders numbers and dates only"]),
    (field("responsible_unit").eq(HouseGrade.A), ["free text compared with codes"]),
    (field("food_secure").eq(1), ["a yes/no value", "a number", "different kinds"]),
    (
        coalesce(field("annual_net_income_per_capita"), param("poverty_line"))
        > param("village_incidence_max"),
        ["different units (yuan/person/year, ratio)"],
    ),
    (param("poverty_line") > param("village_incidence_max"), ["yuan/person/year", "ratio"]),
    (member("age") > 5, ['member("age")', "member aggregation"]),
    (field("members") > 2, ["nested records"]),
    (length("history") > 0, ["nested records"]),
    (where(field("food_secure"), field("region"), HouseGrade.A).eq(Region.WEST), ["region"]),
    ((field("food_secure") + 1) > 1, ["arithmetic takes numbers and dates only"]),
    (field("annual_net_income_per_capita"), ["must be a yes/no value"]),
]


@pytest.mark.parametrize(("test", "words"), ILL_TYPED)
def test_ill_typed_comparisons_are_named(national: pc.Pack, test: Expr, words: list[str]) -> None:
    problems = check_types(test, "household", national, expect="bool")
    assert problems, test
    text = " ".join(p.en for p in problems)
    for word in words:
        assert word in text


WELL_TYPED = [
    field("house_grade").isin((HouseGrade.A, "B")),
    coalesce(field("main_cause"), PovertyCause.ILLNESS).eq("illness"),
    field("annual_net_income_per_capita") > param("poverty_line"),
    any_member((member("age") >= 6) & field("food_secure")),
    count_members(member("age") < 16) >= 2,
    where(field("region").eq(Region.WEST), param("poverty_line"), 3000) < 4000,
    field("responsible_unit").isin(("合成帮扶单位01", "x")),
    where(where(field("food_secure"), True, False), field("clothing_secure"), False),
]


@pytest.mark.parametrize("test", WELL_TYPED)
def test_well_typed_rules_pass(national: pc.Pack, test: Expr) -> None:
    assert check_types(test, "household", national, expect="bool") == []


def test_a_packs_declared_fields_are_typed_under_that_pack_only(national: pc.Pack) -> None:
    zhangzhou = pc.load_pack("zhangzhou")
    moved_in = (as_of() - field("housing_moved_in_on")) <= 30  # zhangzhou's date field
    assert check_types(moved_in, "household", zhangzhou, expect="bool") == []
    assert static_type(field("housing_moved_in_on"), "household", zhangzhou).kind == "date"
    # fujian's free-text housing_form (zhangzhou inherits it) compared with codes
    problems = check_types(field("housing_form").eq(HouseGrade.A), "household", zhangzhou)
    assert "free text compared with codes" in " ".join(p.en for p in problems)
    # under the national pack (and another pack) the field is not typed: no such field
    assert static_type(field("housing_moved_in_on"), "household", national).kind == "any"
    gansu = pc.load_pack("gansu_tianshui")
    assert static_type(field("housing_moved_in_on"), "household", gansu).kind == "any"
    assert static_type(field("microcredit_amount"), "household", gansu).unit == "yuan"


def test_static_types_carry_code_lists_and_units(national: pc.Pack) -> None:
    assert static_type(coalesce(field("main_cause"), "other"), "household").code is PovertyCause
    assert static_type(param("poverty_line"), "household", national).unit == "yuan/person/year"
    assert static_type(as_of() - as_of(), "household").unit == "days"


def test_a_load_error_names_pack_rule_and_both_sides(packs: Any, national: pc.Pack) -> None:
    rule = pc.Criterion(
        id="income_vs_rate",
        subject="household",
        title=pc.T("收入与比率", "income against a rate"),
        citations=pc.cite("zbf-2016-16"),
        test=coalesce(field("annual_net_income_per_capita"), param("poverty_line"))
        > param("village_incidence_max"),
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition("county_units", rules=[rule]), national)
    for language in ("zh", "en"):
        text = info.value.text[language]
        for name in (
            "county_units",
            "income_vs_rate",
            'field("annual_net_income_per_capita")',
            'param("village_incidence_max")',
            "ratio",
        ):
            assert name in text, (language, name)
    assert "单位不同" in info.value.text.zh
