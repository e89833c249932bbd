"""Dated, cited parameters; pack data files; inheritance; plugins and the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import poverty_core as pc
from poverty_core.expressions import field, member, param
from poverty_core.packs import assemble

ON_2016 = dt.date(2016, 12, 31)


def assemble_with(packs: SimpleNamespace, national: pc.Pack, data: Path, **kw: Any) -> pc.Pack:
    return assemble(packs.definition(data=data, **kw), national)


def pack_error(packs: SimpleNamespace, national: pc.Pack, data: Path, **kw: Any) -> pc.PackError:
    with pytest.raises(pc.PackError) as info:
        assemble_with(packs, national, data, **kw)
    return info.value


# -- bad data files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "word"),
    [
        pytest.param(
            lambda p: p.parameter(
                [
                    p.value("2017-01-01", 3000, end="2017-12-31"),
                    p.value("2017-06-01", 3100),
                ]
            ),
            "[values]",
            "overlaps",
            id="overlapping-values",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000, cited=False)]),
            "[values[0]]",
            "source",
            id="value-without-source",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000)], extra='colour = "red"\n'),
            "",
            "colour",
            id="unknown-key",
        ),
        pytest.param(
            lambda p: p.parameter([{**p.value("2017-01-01", 3000), "colour": '"red"'}]),
            "[values[0]]",
            "colour",
            id="unknown-key-in-value",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01T00:00:00", 3000)]),
            "[values[0].start]",
            "date",
            id="datetime-not-date",
        ),
        pytest.param(
            lambda p: p.parameter([p.value('"2017-01-01"', 3000)]),
            "[values[0].start]",
            "date",
            id="date-as-text",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000)], unit="furlongs"),
            "[unit]",
            "furlongs",
            id="unknown-unit",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000)], type_="decimal"),
            "[type]",
            "decimal",
            id="unknown-type",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", '"lots"')]),
            "[values[0].value]",
            "number",
            id="value-of-wrong-type",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000, end="2016-12-31")]),
            "[values[0]]",
            "before start",
            id="end-before-start",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2018-01-01", 3000), p.value("2017-01-01", 3100)]),
            "[values]",
            "order",
            id="values-out-of-order",
        ),
        pytest.param(
            lambda p: p.parameter([]),
            "[values]",
            "values",
            id="no-values",
        ),
        pytest.param(
            lambda p: p.parameter([p.value("2017-01-01", 3000)], extra='unit = "yuan"\n'),
            "",
            "TOML",
            id="duplicate-key",
        ),
    ],
)
def test_bad_parameter_file_names_pack_and_file(
    packs: SimpleNamespace,
    national: pc.Pack,
    pack_dir: Callable[..., Path],
    text: Callable[[SimpleNamespace], str],
    key: str,
    word: str,
) -> None:
    data = pack_dir(parameters={"my_line": text(packs)})
    err = pack_error(packs, national, data)
    assert err.pack == "tmp"
    assert err.file is not None
    assert err.file.startswith("parameters/my_line.toml")
    if key:  # every problem is listed with its path in the file
        assert f"parameters/my_line.toml: {key[1:-1]}" in str(err)
    assert word in str(err)
    assert str(err).startswith("pack tmp (parameters/my_line.toml")
    assert err.message("zh").startswith("策略包 tmp")


def test_value_citing_unknown_source_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    text = packs.parameter([{**packs.value("2017-01-01", 3000), "source": '"no-such-source"'}])
    err = pack_error(packs, national, pack_dir(parameters={"my_line": text}))
    assert err.pack == "tmp"
    assert "no-such-source" in str(err)
    assert "my_line" in str(err)
    assert err.file is not None  # DESIGN principle 9: the file is named
    assert err.file.startswith("parameters/my_line.toml")


def test_bad_parameter_name_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    text = packs.parameter([packs.value("2017-01-01", 3000)])
    err = pack_error(packs, national, pack_dir(parameters={"My-Line": text}))
    assert err.file == "parameters/My-Line.toml"


def test_unknown_entry_in_data_folder_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    data = pack_dir()
    (data / "paramters").mkdir()
    err = pack_error(packs, national, data)
    assert "paramters" in str(err)


def test_source_redefined_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    sources = '[zbf-2016-16]\ntitle = { zh = "重复", en = "again" }\n'
    err = pack_error(packs, national, pack_dir(sources=sources))
    assert err.file == "sources.toml"
    assert "zbf-2016-16" in str(err)


def test_missing_data_folder_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, tmp_path: Path
) -> None:
    err = pack_error(packs, national, tmp_path / "nowhere")
    assert err.pack == "tmp"


# -- value_on ---------------------------------------------------------------------------------


@pytest.fixture
def gappy(packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]) -> pc.Pack:
    """A pack with ``my_line``: 3000 in 2017, nothing in 2018, 3100 from 2019-01-01 to
    2019-06-30, then 3200 open-ended from 2020-01-01 (after another gap)."""
    text = packs.parameter(
        [
            packs.value("2017-01-01", 3000, end="2017-12-31"),
            packs.value("2019-01-01", 3100, end="2019-06-30"),
            packs.value("2020-01-01", 3200),
        ]
    )
    return assemble_with(packs, national, pack_dir(parameters={"my_line": text}))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2016-12-31", None),  # before the first value
        ("2017-01-01", 3000),
        ("2017-12-31", 3000),
        ("2018-01-01", None),  # gap: 2017's value is not reused
        ("2018-12-31", None),
        ("2019-01-01", 3100),
        ("2019-06-30", 3100),
        ("2019-07-01", None),  # after a closed end
        ("2019-12-31", None),
        ("2020-01-01", 3200),
        ("2099-12-31", 3200),  # open-ended
    ],
)
def test_value_on_never_reuses_a_value_outside_its_range(
    gappy: pc.Pack, on: str, expected: float | None
) -> None:
    date = dt.date.fromisoformat(on)
    found = gappy.parameters["my_line"].value_on(date)
    if expected is None:
        assert found is None
        with pytest.raises(pc.ParameterNotDefined) as info:
            gappy.value("my_line", date)
        assert info.value.name == "my_line"
        assert info.value.pack == "tmp"
        assert on in str(info.value)
    else:
        assert found is not None
        assert found.value == expected
        assert gappy.value("my_line", date) == expected
        assert found.citation.source == "tmp-src"
        assert found.citation.resolved is not None  # bound to the source at assembly


def test_value_without_end_runs_to_the_next_start(national: pc.Pack) -> None:
    line = national.parameters["poverty_line"]
    assert line.value_on(dt.date(2015, 12, 31)).value == 2855  # type: ignore[union-attr]
    assert line.value_on(dt.date(2016, 1, 1)).value == 2952  # type: ignore[union-attr]
    assert line.value_on(dt.date(2017, 1, 1)) is None
    assert line.value_on(dt.date(2010, 12, 31)) is None
    spans = list(line.covering())
    assert spans[0][0] == dt.date(2011, 1, 1)
    assert spans[-1][1] == dt.date(2016, 12, 31)


def test_national_parameters_are_cited(national: pc.Pack) -> None:
    for p in national.parameters.values():
        assert p.values, p.name
        assert p.pack == "national"
        for v in p.values:
            assert v.citation.resolved is not None, p.name
            assert v.citation.source in national.sources


def test_unknown_parameter_name(national: pc.Pack) -> None:
    with pytest.raises(pc.UnknownName):
        national.parameter("poverty_lines")


# -- inheritance ------------------------------------------------------------------------------

LINE_2017 = [{"start": "2017-01-01", "end": "2017-12-31", "value": "3000"}]


def line_values(packs: SimpleNamespace) -> list[dict[str, str]]:
    return [
        packs.value("2016-01-01", 2952, end="2016-12-31"),
        packs.value("2017-01-01", 3000, end="2017-12-31"),
    ]


def test_override_without_flag_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    text = packs.parameter(line_values(packs))
    err = pack_error(packs, national, pack_dir(parameters={"poverty_line": text}))
    assert err.pack == "tmp"
    assert "poverty_line" in str(err)
    assert "national" in str(err)
    assert "override" in str(err)


def test_override_without_flag_names_the_file(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    """DESIGN principle 9: a strict-data error names the pack, the file and the key."""
    text = packs.parameter(line_values(packs))
    err = pack_error(packs, national, pack_dir(parameters={"poverty_line": text}))
    assert err.file is not None
    assert err.file.startswith("parameters/poverty_line.toml")


def test_override_flag_on_new_parameter_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]
) -> None:
    text = packs.parameter(line_values(packs), extra="override = true\n")
    err = pack_error(packs, national, pack_dir(parameters={"my_line": text}))
    assert "my_line" in str(err)
    assert "override" in str(err)


@pytest.fixture
def child(packs: SimpleNamespace, national: pc.Pack, pack_dir: Callable[..., Path]) -> pc.Pack:
    """A throw-away pack extending national whose poverty line is 2952 in 2016 (as in
    national) and 3000 in 2017 (where national has none)."""
    text = packs.parameter(line_values(packs), extra="override = true\n")
    return assemble_with(packs, national, pack_dir(parameters={"poverty_line": text}))


def test_override_with_flag_is_used_and_traced(child: pc.Pack, national: pc.Pack) -> None:
    line = child.parameters["poverty_line"]
    assert line.pack == "tmp"
    assert line.overrides == "national"
    assert child.value("poverty_line", dt.date(2017, 6, 30)) == 3000
    assert child.chain == ("tmp", "national")
    assert child.versions == {"tmp": "0.0", "national": national.version}
    # the parent is untouched
    assert national.parameters["poverty_line"].pack == "national"
    assert national.parameters["poverty_line"].overrides is None
    # everything else is inherited as is
    assert child.parameters["village_incidence_max"] == national.parameters["village_incidence_max"]
    assert child.criteria.keys() == national.criteria.keys()


def test_overridden_parameter_changes_decisions_exactly_there(
    child: pc.Pack, national: pc.Pack, records: SimpleNamespace
) -> None:
    on = dt.date(2017, 6, 30)
    incomes = [2900, 3000, 3000.01, 3100, None]
    variants = [
        records.household(annual_net_income_per_capita=income, id=f"h{i}")
        for i, income in enumerate(incomes)
    ]
    variants.append(records.household(id="h-food", food_secure=False))
    variants.append(records.with_member(records.household(id="h-med"), 0, medical_assistance=None))
    households = [pc.Household.from_dict(v) for v in variants]

    expected_child = [
        "not_eligible",
        "not_eligible",
        "eligible",
        "eligible",
        "undetermined",
        "not_eligible",
        "undetermined",
    ]
    for h, outcome in zip(households, expected_child, strict=True):
        mine = child.decide("household_exit", h, as_of=on)
        theirs = national.decide("household_exit", h, as_of=on)
        assert mine.outcome.value == outcome, h.id
        assert mine.provenance.chain == ("tmp", "national")
        # national has no 2017 line: its income finding is unknown
        assert theirs.finding("income_above_line").status is pc.Status.UNKNOWN
        income = mine.finding("income_above_line")
        if h.annual_net_income_per_capita is not None:
            assert income.required == 3000
            assert income.parameters[0].pack == "tmp"
        # every other finding is identical
        for a, b in zip(mine.findings, theirs.findings, strict=True):
            if a.rule.id != "income_above_line":
                assert (a.status, a.observed, a.required, a.missing) == (
                    b.status,
                    b.observed,
                    b.required,
                    b.missing,
                )

    # 2016: the child's value equals national's, so every result is the same
    for h in households:
        mine = child.decide("household_exit", h, as_of=ON_2016)
        theirs = national.decide("household_exit", h, as_of=ON_2016)
        assert mine.outcome is theirs.outcome
        assert [f.status for f in mine.findings] == [f.status for f in theirs.findings]

    # other decisions are unaffected
    v = pc.Village(
        id="v", region=pc.Region.EAST, rural_registered_population=1000, poor_population=15
    )
    assert child.decide("village_exit", v, as_of=on).outcome is pc.Outcome.ELIGIBLE


def test_child_overrides_and_removes_rules(
    packs: SimpleNamespace, national: pc.Pack, records: SimpleNamespace
) -> None:
    stricter = pc.Criterion(
        id="food_secure",
        subject="household",
        title=pc.T("不愁吃（更严）", "No worry about food (stricter)"),
        citations=pc.cite("zbf-2016-16", "x"),
        test=field("food_secure") & field("clothing_secure"),
    )
    child = assemble(packs.definition(overrides=[stricter], removes=["drinking_water"]), national)
    assert child.criteria["food_secure"].pack == "tmp"
    assert child.criteria["food_secure"].overrides == "national"
    assert "drinking_water" not in child.decisions
    assert child.removed == {"drinking_water": "tmp"}
    assert "drinking_water" in national.decisions
    h = pc.Household.from_dict(records.household(clothing_secure=False))
    result = child.decide("household_exit", h, as_of=ON_2016)
    assert records.failed(result) == ["food_secure", "clothing_secure"]
    assert records.failed(national.decide("household_exit", h, as_of=ON_2016)) == [
        "clothing_secure"
    ]


def test_redefining_a_rule_without_override_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack
) -> None:
    again = pc.Criterion(
        id="food_secure",
        subject="household",
        title=pc.T("不愁吃", "food"),
        citations=pc.cite("zbf-2016-16"),
        test=field("food_secure"),
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition(rules=[again]), national)
    assert "food_secure" in str(info.value)


def test_removing_an_unknown_id_is_pack_error(packs: SimpleNamespace, national: pc.Pack) -> None:
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition(removes=["no_such_rule"]), national)
    assert "no_such_rule" in str(info.value)


@pytest.mark.parametrize(
    ("test", "word"),
    [
        pytest.param(
            field("annual_net_income_per_capita") > param("poverty_lime"),
            "poverty_lime",
            id="undefined-parameter",
        ),
        pytest.param(
            field("annual_income") > param("poverty_line"), "annual_income", id="unknown-field"
        ),
        pytest.param(
            field("food_secure") & field("clothing_secure"),
            "",
            id="known-fields-only",
        ),
    ],
)
def test_rule_reading_unknown_names_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack, test: Any, word: str
) -> None:
    rule = pc.Criterion(
        id="my_rule",
        subject="household",
        title=pc.T("我的规则", "my rule"),
        citations=pc.cite("zbf-2016-16"),
        test=test,
    )
    definition = packs.definition(rules=[rule])
    if not word:  # control: a rule reading only real names assembles
        assert "my_rule" in assemble(definition, national).criteria
        return
    with pytest.raises(pc.PackError) as info:
        assemble(definition, national)
    assert info.value.pack == "tmp"
    assert "my_rule" in str(info.value)
    assert word in str(info.value)


def test_rule_reading_unknown_member_field_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack
) -> None:
    from poverty_core.expressions import any_member

    rule = pc.Criterion(
        id="my_rule",
        subject="household",
        title=pc.T("我的规则", "my rule"),
        citations=pc.cite("zbf-2016-16"),
        test=any_member(member("shoe_size") > 40),
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition(rules=[rule]), national)
    assert "my_rule" in str(info.value)
    assert "shoe_size" in str(info.value)


def test_rule_citing_unknown_source_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack
) -> None:
    rule = pc.Criterion(
        id="my_rule",
        subject="household",
        title=pc.T("我的规则", "my rule"),
        citations=pc.cite("no-such-source"),
        test=field("food_secure"),
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition(rules=[rule]), national)
    assert "my_rule" in str(info.value)
    assert "no-such-source" in str(info.value)


def test_decision_using_undefined_criterion_is_pack_error(
    packs: SimpleNamespace, national: pc.Pack
) -> None:
    decision = pc.Decision(
        id="my_decision",
        subject="household",
        title=pc.T("我的决策", "my decision"),
        citations=pc.cite("zbf-2016-16"),
        criteria=["food_secure", "no_such_criterion"],
    )
    with pytest.raises(pc.PackError) as info:
        assemble(packs.definition(rules=[decision]), national)
    assert "no_such_criterion" in str(info.value)


# -- plugins and the registry ---------------------------------------------------------------


def test_fresh_registry_has_national(packs: SimpleNamespace) -> None:
    reg = packs.registry()
    assert reg.names() == ["national"]
    assert reg.problems == []
    assert reg.load("national").chain == ("national",)
    assert reg.definitions["national"].plugin == "national"


def test_registered_pack_loads(packs: SimpleNamespace) -> None:
    reg = packs.registry(packs.Plugin(packs.definition("alpha")))
    assert reg.names() == ["alpha", "national"]
    alpha = reg.load("alpha")
    assert alpha.chain == ("alpha", "national")
    assert reg.definitions["alpha"].plugin == "plugin0"
    assert reg.load("alpha") is alpha  # cached
    assert pc.load_pack("alpha", registry=reg) is alpha


def test_unknown_parent_is_pack_error(packs: SimpleNamespace) -> None:
    reg = packs.registry(packs.Plugin(packs.definition("orphan", parent="nowhere")))
    with pytest.raises(pc.PackError) as info:
        reg.load("orphan")
    assert info.value.pack == "orphan"
    assert "nowhere" in str(info.value)


def test_cyclic_parents_are_pack_error(packs: SimpleNamespace) -> None:
    reg = packs.registry(
        packs.Plugin(
            packs.definition("alpha", parent="beta"),
            packs.definition("beta", parent="gamma"),
            packs.definition("gamma", parent="alpha"),
        )
    )
    for name in ("alpha", "beta", "gamma"):
        with pytest.raises(pc.PackError) as info:
            reg.load(name)
        assert "cyclic" in str(info.value)
    assert set(reg.check_all()) == {"alpha", "beta", "gamma", "national"}
    assert reg.check_all()["national"] is None


def test_self_parent_is_pack_error(packs: SimpleNamespace) -> None:
    reg = packs.registry(packs.Plugin(packs.definition("alpha", parent="alpha")))
    with pytest.raises(pc.PackError):
        reg.load("alpha")


def test_two_plugins_registering_one_name(packs: SimpleNamespace) -> None:
    reg = packs.registry(
        packs.Plugin(packs.definition("twin")),
        packs.Plugin(packs.definition("twin")),
        packs.Plugin(packs.definition("other")),
    )
    assert len(reg.problems) == 1
    problem = reg.problems[0]
    assert isinstance(problem, pc.PackError)
    assert problem.pack == "twin"
    assert "plugin0" in str(problem)
    assert "plugin1" in str(problem)
    with pytest.raises(pc.PackError) as info:
        reg.load("twin")
    assert "plugin0" in str(info.value)
    assert "plugin1" in str(info.value)
    assert reg.load("other").chain == ("other", "national")


def test_plugin_registering_national_again_is_an_error(packs: SimpleNamespace) -> None:
    reg = packs.registry(packs.Plugin(packs.definition("national", parent=None)))
    assert [p.pack for p in reg.problems] == ["national"]
    with pytest.raises(pc.PackError):
        reg.load("national")


class Exploding:
    @pc.hookimpl
    def poverty_core_register_packs(self, register: Callable[[pc.PackDefinition], None]) -> None:
        raise RuntimeError("boom")


class WrongThing:
    @pc.hookimpl
    def poverty_core_register_packs(self, register: Callable[[Any], None]) -> None:
        register({"name": "dict-pack"})


@pytest.mark.parametrize("broken", [Exploding(), WrongThing()], ids=["raises", "wrong-type"])
def test_broken_plugin_is_reported_and_others_load(packs: SimpleNamespace, broken: object) -> None:
    reg = packs.registry(broken, packs.Plugin(packs.definition("good")))
    assert len(reg.problems) == 1
    assert "plugin0" in str(reg.problems[0])
    assert reg.names() == ["good", "national"]
    assert reg.load("good").chain == ("good", "national")


def test_broken_pack_names_its_plugin(packs: SimpleNamespace) -> None:
    rule = pc.Criterion(
        id="my_rule",
        subject="household",
        title=pc.T("我的规则", "my rule"),
        citations=pc.cite("zbf-2016-16"),
        test=field("no_such_field"),
    )
    reg = packs.registry(packs.Plugin(packs.definition("broken", rules=[rule])))
    with pytest.raises(pc.PackError) as info:
        reg.load("broken")
    assert "plugin0" in str(info.value)
    assert "my_rule" in str(info.value)
    assert str(info.value).count("pack broken") == 1  # said once, not once per layer
    assert isinstance(reg.check_all()["broken"], pc.PackError)


def test_bad_pack_name_is_reported(packs: SimpleNamespace) -> None:
    reg = packs.registry(packs.Plugin(packs.definition("Bad-Name")))
    assert [p.pack for p in reg.problems] == ["Bad-Name"]
    assert "Bad-Name" not in reg.names()


def test_unknown_pack_name(packs: SimpleNamespace) -> None:
    with pytest.raises(pc.UnknownName) as info:
        packs.registry().load("atlantis")
    assert "national" in str(info.value)


def test_misspelt_hook_is_caught() -> None:
    from poverty_core.plugins import get_plugin_manager

    class Misspelt:
        @pc.hookimpl
        def poverty_core_register_pack(self, register: Any) -> None:  # missing "s"
            raise AssertionError("never called")

    pm = get_plugin_manager(entry_points=False)
    pm.register(Misspelt())
    with pytest.raises(Exception, match="poverty_core_register_pack"):
        pm.check_pending()
