"""A pack owns its vocabulary (issue 11, done-when): a county pack built in a temporary
directory declares a household field with a Chinese register header and a code list of
its own, extends Fujian's household exit by one criterion on that field without
restating Fujian's list, and overrides one parameter. A CSV register with the Chinese
header is read, decided one by one and in batch with identical results; ``schema --pack``
shows the field; a change to the parent's list reaches the child.

All data here is SYNTHETIC (a throw-away source, made-up households and values).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace

import pytest

import poverty_core as pc
from poverty_core.blocks import taxonomy
from poverty_core.columnar import open_register, records_from_tables
from poverty_core.convert import json_schema
from poverty_core.expressions import field
from poverty_core.frame import frame_from_arrow
from poverty_core.rules import DecisionExtension

DAY = dt.date(2016, 12, 31)
CITE = pc.cite("tmp-src", "§1")

SOURCES = """\
[tmp-src]
title = { zh = "临时测试来源（虚构）", en = "throw-away test source (SYNTHETIC)" }
governs = { start = 2016-04-29, end = 2020-12-31 }
"""

FIELDS = """\
[[fields]]
name = "water_source"
subject = "household"
type = "code"
codes = "water_sources"
title = { zh = "饮水来源", en = "drinking-water source" }
aliases = ["饮用水来源"]
source = "tmp-src"
locator = "§1"

[[fields]]
name = "water_distance_km"
subject = "household"
type = "number"
unit = "km"
minimum = 0
maximum = 50
title = { zh = "取水距离（公里）", en = "distance to water (km)" }
source = "tmp-src"
locator = "§1"
"""

TAXONOMY = """\
title = { zh = "饮水来源（虚构）", en = "Drinking-water sources (SYNTHETIC)" }
source = "tmp-src"
locator = "§1"

[[items]]
code = "piped"
label = { zh = "自来水", en = "piped water" }

[[items]]
code = "well"
label = { zh = "水井", en = "well" }

[[items]]
code = "none"
label = { zh = "无", en = "none" }
"""

SAFE_WATER = pc.Criterion(
    id="safe_water",
    subject="household",
    title=pc.T("饮水安全", "Safe drinking water"),
    citations=CITE,
    test=field("water_source").isin(taxonomy("water_sources"))
    & field("water_source").isin(("piped", "well")),
)


def county_dir(root: Path, name: str = "county") -> Path:
    data = root / name
    (data / "parameters").mkdir(parents=True)
    (data / "taxonomies").mkdir()
    (data / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (data / "fields.toml").write_text(FIELDS, encoding="utf-8")
    (data / "taxonomies" / "water_sources.toml").write_text(TAXONOMY, encoding="utf-8")
    return data


def load(packs: SimpleNamespace, *definitions: pc.PackDefinition, name: str) -> pc.Pack:
    import poverty_core_fujian

    from poverty_core.plugins import PackRegistry, get_plugin_manager

    pm = get_plugin_manager(entry_points=False)
    pm.register(poverty_core_fujian, name="fujian")
    pm.register(packs.Plugin(*definitions), name="test")
    return PackRegistry(pm).load(name)


def county(
    packs: SimpleNamespace, root: Path, *, name: str = "county", parent: str = "fujian"
) -> pc.PackDefinition:
    data = county_dir(root, name)
    line = packs.parameter(
        [packs.value("2016-01-01", 3500)], unit="yuan/person/year", extra="override = true\n"
    )
    (data / "parameters" / "poverty_line.toml").write_text(line, encoding="utf-8")
    return packs.definition(
        name=name,
        parent=parent,
        data=data,
        rules=[SAFE_WATER, DecisionExtension("household_exit", citations=CITE, add=["safe_water"])],
    )


HOUSEHOLDS = """\
户编号,年人均纯收入（元）,不愁吃,不愁穿,住房安全等级,饮用水来源,取水距离（公里）
h1,5000,是,是,A,自来水,0.5
h2,5000,是,是,A,无,3
h3,3400,是,是,A,well,
h4,5000,是,是,A,,
"""

MEMBERS = """\
户编号,成员编号,年龄,基本医疗保险,大病保险,医疗救助
h1,p1,40,是,是,是
h2,p2,40,是,是,是
h3,p3,40,是,是,是
h4,p4,40,是,是,是
"""


def test_a_county_pack_declares_a_field_and_extends_fujian(
    packs: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load(packs, county(packs, tmp_path), name="county")
    fujian = pc.load_pack("fujian")
    exit_ = pack.decisions["household_exit"]
    assert exit_.criteria == (*fujian.decisions["household_exit"].criteria, "safe_water")
    assert pack.parameters["poverty_line"].pack == "county"
    cls = pack.record_type("household")
    assert cls is not pc.Household
    assert issubclass(cls, pc.Household)
    assert pack.fields["water_source"].code_list is not None
    # core records stay core: the field is the pack's
    with pytest.raises(pc.InputError, match="water_source"):
        pc.Household.from_dict({"id": "x", "members": [{"id": "p"}], "water_source": "well"})
    record = cls.from_dict({"id": "x", "members": [{"id": "p"}], "water_source": "水井"})
    assert record.water_source == "well"
    with pytest.raises(pc.InputError, match="water_distance_km"):
        pack.structure({"id": "x", "members": [{"id": "p"}], "water_distance_km": 80})

    households, members = tmp_path / "h.csv", tmp_path / "m.csv"
    households.write_text(HOUSEHOLDS, encoding="utf-8")
    members.write_text(MEMBERS, encoding="utf-8")
    batch = open_register(households, members, pack=pack).read_all()
    assert batch.households.column("water_source").to_pylist() == ["piped", "none", "well", None]
    assert batch.households.column("water_distance_km").to_pylist() == [0.5, 3.0, None, None]
    records = records_from_tables(batch.households, batch.members, cls=cls)
    one = [pack.decide("household_exit", r, as_of=DAY) for r in records]
    many = pack.decide_batch(
        "household_exit", frame_from_arrow(batch.households, batch.members), as_of=DAY
    )
    from_records = pack.decide_batch("household_exit", records, as_of=DAY)
    outcomes = [r.outcome for r in one]
    assert outcomes == many.outcomes() == from_records.outcomes()
    assert outcomes[1] is pc.Outcome.NOT_ELIGIBLE  # no safe water
    water = [next(f for f in r.findings if f.rule.id == "safe_water") for r in one]
    assert [f.status for f in water] == [
        pc.Status.PASSED,
        pc.Status.FAILED,
        pc.Status.PASSED,
        pc.Status.UNKNOWN,
    ]
    for i, r in enumerate(one):
        assert many.result(i).outcome is r.outcome
        assert [f.status for f in many.result(i).findings] == [f.status for f in r.findings]
    # the overridden line (3500) decides h3 (3400) against the county's value
    income = next(f for f in one[2].findings if f.rule.id == "income_above_line")
    assert income.status is pc.Status.FAILED

    # schema --pack shows the field (the CLI loads the pack from this registry)
    from poverty_core import cli

    monkeypatch.setattr(cli, "_load_pack", lambda name: pack)
    out = io.StringIO()
    assert cli.main(["schema", "--pack", "county"], stdout=out) == 0
    schema = json.loads(out.getvalue())
    prop = schema["properties"]["water_source"]
    assert prop["title"] == "饮水来源"
    assert "piped" in json.dumps(prop)
    assert schema["properties"]["water_distance_km"]["anyOf"][0]["maximum"] == 50
    assert "water_source" not in json_schema("household")["properties"]


def test_a_change_to_the_parent_list_reaches_the_child(
    packs: SimpleNamespace, tmp_path: Path, pack_dir: Callable[..., Path]
) -> None:
    """A middle pack adds to Fujian's list; the county (a child of it) gets it without
    restating anything, and inherits nothing it would have to copy."""
    extra = pc.Criterion(
        id="renovation_recorded",
        subject="household",
        title=pc.T("危房改造已登记", "Renovation recorded"),
        citations=pc.cite("mid-src", "§1"),
        test=field("house_renovated"),
    )
    mid = packs.definition(
        name="mid",
        parent="fujian",
        data=pack_dir(name="mid", sources=SOURCES.replace("tmp-src", "mid-src")),
        rules=[
            extra,
            DecisionExtension(
                "household_exit",
                citations=pc.cite("mid-src", "§1"),
                add=["renovation_recorded"],
            ),
        ],
    )
    child = county(packs, tmp_path, name="county", parent="mid")
    pack = load(packs, mid, child, name="county")
    fujian = pc.load_pack("fujian").decisions["household_exit"].criteria
    assert pack.decisions["household_exit"].criteria == (
        *fujian,
        "renovation_recorded",
        "safe_water",
    )


def test_a_child_inherits_its_parents_fields(
    packs: SimpleNamespace, tmp_path: Path, pack_dir: Callable[..., Path]
) -> None:
    parent = county(packs, tmp_path)
    child = packs.definition(
        name="county_b",
        parent="county",
        data=pack_dir(name="b", sources=SOURCES.replace("tmp-src", "b-src")),
        rules=[
            pc.Criterion(
                id="water_near",
                subject="household",
                title=pc.T("取水近", "Water nearby"),
                citations=pc.cite("b-src", "§1"),
                test=field("water_distance_km") <= 1,
            ),
            DecisionExtension(
                "household_exit", citations=pc.cite("b-src", "§1"), add=["water_near"]
            ),
        ],
    )
    pack = load(packs, parent, child, name="county_b")
    fujian = set(pc.load_pack("fujian").fields)  # the grandparent's declared fields
    assert set(pack.fields) == {"water_source", "water_distance_km"} | fujian
    assert {pack.fields[n].pack for n in ("water_source", "water_distance_km")} == {"county"}
    record = pack.structure({"id": "x", "members": [{"id": "p"}], "water_distance_km": 0.2})
    findings = pack.decide("household_exit", record, as_of=DAY).findings
    near = next(f for f in findings if f.rule.id == "water_near")
    assert near.status is pc.Status.PASSED
    assert near.observed == 0.2


def test_bad_field_declarations_are_load_errors(packs: SimpleNamespace, tmp_path: Path) -> None:
    data = county_dir(tmp_path)
    (data / "fields.toml").write_text(
        FIELDS.replace('codes = "water_sources"', 'codes = "no_such_list"').replace(
            'name = "water_distance_km"', 'name = "house_grade"'
        ),
        encoding="utf-8",
    )
    definition = packs.definition(name="county", parent="fujian", data=data)
    with pytest.raises(pc.PackError, match="core model"):
        load(packs, definition, name="county")
    (data / "fields.toml").write_text(
        FIELDS.replace('codes = "water_sources"', 'codes = "no_such_list"'), encoding="utf-8"
    )
    with pytest.raises(pc.PackError, match="no_such_list"):
        load(packs, definition, name="county")
    rule = pc.Criterion(
        id="bad", subject="household", title=pc.T("坏", "bad"), citations=CITE,
        test=field("water_source").eq("水井"),
    )  # fmt: skip
    (data / "fields.toml").write_text(FIELDS, encoding="utf-8")
    with pytest.raises(pc.PackError, match="write its code, 'well'"):
        load(packs, packs.definition(name="county", parent="fujian", data=data, rules=[rule]),
             name="county")  # fmt: skip


PERSONAL = """
[[fields]]
name = "caretaker_name"
subject = "member"
type = "text"
personal = true
title = { zh = "监护人姓名", en = "caretaker's name" }
source = "tmp-src"
locator = "§1"
"""


def test_personal_fields_never_reach_findings(packs: SimpleNamespace, tmp_path: Path) -> None:
    """A declared personal field is personal as a core one is: a rule reading its value
    is a load error (the value would be reported in findings)."""
    from poverty_core.expressions import count_members, member

    data = county_dir(tmp_path)
    (data / "fields.toml").write_text(FIELDS + PERSONAL, encoding="utf-8")
    rule = pc.Criterion(
        id="named", subject="household", title=pc.T("有监护人", "has a caretaker"),
        citations=CITE, test=count_members(member("caretaker_name").eq("x")) >= 1,
    )  # fmt: skip
    definition = packs.definition(name="county", parent="fujian", data=data, rules=[rule])
    with pytest.raises(pc.PackError, match="personal field 'caretaker_name'"):
        load(packs, definition, name="county")
    pack = load(packs, packs.definition(name="county", parent="fujian", data=data), name="county")
    person = pack.record_type("member")
    assert person is not pc.Person
    assert attrs_metadata(person, "caretaker_name")["personal"] is True
    record = pack.structure({"id": "h", "members": [{"id": "p", "caretaker_name": "SYNTHETIC"}]})
    assert isinstance(record.members[0], person)
    assert record.to_dict()["members"][0]["caretaker_name"] == "SYNTHETIC"


def attrs_metadata(cls: type, name: str) -> Mapping[str, object]:
    import attrs

    return attrs.fields_dict(cls)[name].metadata


def test_show_and_the_docs_page_list_the_fields(
    packs: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from poverty_core import cli
    from poverty_core.sphinxext import pack_rst

    pack = load(packs, county(packs, tmp_path), name="county")
    monkeypatch.setattr(cli, "_policy", lambda args: (pack, {}))
    for lang, title in (("zh", "饮水来源"), ("en", "drinking-water source")):
        out = io.StringIO()
        assert cli.main(["show", "county", "--lang", lang], stdout=out) == 0
        text = out.getvalue()
        assert "FIELDS / 字段" in text
        assert f"water_source [household, code:water_sources] {title} (饮用水来源)" in text
    page = "\n".join(pack_rst(pack))
    assert "输入字段 · Input fields" in page
    assert "饮用水来源" in page
    described = pack.describe()["fields"]
    fujian = list(pc.load_pack("fujian").fields)  # inherited first, then its own
    assert [f["name"] for f in described] == [*fujian, "water_source", "water_distance_km"]
    # rule texts name the field by its title
    assert "饮水来源" in pack.rule_text(pack.criteria["safe_water"], "zh")


def test_the_command_line_reads_the_pack_fields(
    packs: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``assess --pack county`` reads the Chinese header of a CSV register and the field
    in a JSON file, with the same outcomes as the library."""
    from poverty_core import cli

    pack = load(packs, county(packs, tmp_path), name="county")
    monkeypatch.setattr(cli, "_load_pack", lambda name: pack)
    households, members = tmp_path / "h.csv", tmp_path / "m.csv"
    households.write_text(HOUSEHOLDS, encoding="utf-8")
    members.write_text(MEMBERS, encoding="utf-8")
    common = ["--pack", "county", "--as-of", "2016-12-31", "--allow-undetermined"]
    out = io.StringIO()
    code = cli.main(
        ["assess", str(households), "--members", str(members), *common, "-o",
         str(tmp_path / "r.csv")],
        stdout=out,
    )  # fmt: skip
    assert code in (0, 1), out.getvalue()
    import csv

    with (tmp_path / "r.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    batch = open_register(households, members, pack=pack).read_all()
    library = pack.decide_batch(
        "household_exit", frame_from_arrow(batch.households, batch.members), as_of=DAY
    )
    assert [r["outcome"] for r in rows] == [o.value for o in library.outcomes()]
    assert [r["safe_water"] for r in rows] == ["passed", "failed", "passed", "unknown"]
    record = {"id": "j1", "members": [{"id": "p", "age": 40}], "water_source": "自来水"}
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"households": [record]}, ensure_ascii=False), "utf-8")
    out = io.StringIO()
    code = cli.main(["assess", str(path), *common, "--format", "json"], stdout=out)
    assert code in (0, 1), out.getvalue()
    result = json.loads(out.getvalue())["households"][0]
    assert result["safe_water"] == "passed"


def test_a_core_record_leaves_a_pack_field_unknown(packs: SimpleNamespace, tmp_path: Path) -> None:
    """A core household given to a pack with declared fields: the field is unknown on one
    record and in a batch, named as missing — not an error."""
    pack = load(packs, county(packs, tmp_path), name="county")
    record = pc.Household.from_dict({"id": "h", "members": [{"id": "p", "age": 40}]})
    one = pack.decide("household_exit", record, as_of=DAY)
    water = next(f for f in one.findings if f.rule.id == "safe_water")
    assert water.status is pc.Status.UNKNOWN
    assert "water_source" in water.missing
    many = pack.decide_batch("household_exit", [record], as_of=DAY)
    assert many.outcomes() == [one.outcome]
    assert [f.status for f in many.result(0).findings] == [f.status for f in one.findings]


# -- two packs in one process; the core release without the packs' vocabulary ---------------

GANSU_ONLY = ["microcredit_amount", "microcredit_collateral", "has_skill", "resident_work_team"]
ZHANGZHOU_ONLY = ["housing_moved_in", "housing_moved_in_on", "city_key_village"]


def _columns(pack: pc.Pack | None, kind: str) -> set[str]:
    from poverty_core.frame import kinds_of

    cls = {"household": pc.Household, "person": pc.Person, "village": pc.Village}[kind]
    return set(kinds_of(cls if pack is None else pack.record_type(kind)))


def test_two_packs_in_one_process_never_see_each_others_fields(tmp_path: Path) -> None:
    """gansu_tianshui and zhangzhou loaded in one process: each reads its own declared
    columns (CSV header, Arrow frame, schema, types, alias map), neither reads the other's,
    and a read with no pack reads neither (SYNTHETIC registers)."""
    from poverty_core.aliases import AliasMap
    from poverty_core.expressions import static_type
    from poverty_core.vocabulary import of

    gansu, zhangzhou = pc.load_pack("gansu_tianshui"), pc.load_pack("zhangzhou")
    members = tmp_path / "m.csv"
    members.write_text("户编号,成员编号\nh1,1\n", encoding="utf-8")
    gansu_csv, zhangzhou_csv = tmp_path / "g.csv", tmp_path / "z.csv"
    gansu_csv.write_text("户编号,小额信贷金额（元）\nh1,50000\n", encoding="utf-8")
    zhangzhou_csv.write_text("户编号,安居工程已搬迁入住\nh1,是\n", encoding="utf-8")

    read = open_register(gansu_csv, members, pack=gansu).read_all()
    assert read.households.column("microcredit_amount").to_pylist() == [50000.0]
    assert "housing_moved_in" not in read.households.column_names
    read = open_register(zhangzhou_csv, members, pack=zhangzhou).read_all()
    assert read.households.column("housing_moved_in").to_pylist() == [True]
    assert "microcredit_amount" not in read.households.column_names
    for csv_file, header, others in (
        (gansu_csv, "小额信贷金额（元）", (zhangzhou, None)),
        (zhangzhou_csv, "安居工程已搬迁入住", (gansu, None)),
    ):
        for other in others:
            with pytest.raises(pc.InputError, match=header):
                open_register(csv_file, members, pack=other)

    cases = ((gansu, GANSU_ONLY, ZHANGZHOU_ONLY), (zhangzhou, ZHANGZHOU_ONLY, GANSU_ONLY))
    for pack, own, foreign in cases:
        columns = set().union(*(_columns(pack, k) for k in ("household", "person", "village")))
        assert set(own) <= columns
        assert not set(foreign) & columns
        schema = pc.json_schema("household", pack=pack)["properties"]
        assert not set(foreign) & set(schema)
        amap = AliasMap.default(of(pack))
        assert amap.column("households", "安居工程已搬迁入住") == (
            "housing_moved_in" if pack is zhangzhou else None
        )
        kind = static_type(field("housing_moved_in_on"), "household", pack).kind
        assert kind == ("date" if pack is zhangzhou else "any")
    core = set().union(*(_columns(None, k) for k in ("household", "person", "village")))
    assert not (set(GANSU_ONLY) | set(ZHANGZHOU_ONLY)) & core
    assert AliasMap.default().column("households", "小额信贷金额（元）") is None

    # the Arrow frame: a pack's decision reads its own column, the core frame does not
    frame = frame_from_arrow(read.households, read.members)
    assert not frame.has_column("housing_moved_in")
    assert frame_from_arrow(read.households, read.members, pack=zhangzhou).has_column(
        "housing_moved_in"
    )
    assert not frame_from_arrow(read.households, read.members, pack=gansu).has_column(
        "housing_moved_in"
    )


MOVED = {
    "gansu_tianshui": {
        "household": ["microcredit_amount", "microcredit_term_years", "microcredit_collateral",
                      "microcredit_guarantor", "microcredit_interest_subsidised"],
        "person": ["has_skill"],
        "village": ["resident_work_team", "responsible_person", "poor_natural_resources",
                    "infrastructure_backlog", "harsh_living_conditions"],
        "county": ["poor_villages", "poor_villages_exited"],
    },
    "zhangzhou": {
        "household": ["housing_moved_in", "housing_moved_in_on"],
        "village": ["city_key_village", "city_key_village_funds"],
    },
    "fujian": {
        "household": ["housing_form", "house_renovated", "cadre_visits", "family_doctor_contract"],
        "person": ["job_info_pushes", "boarding", "supplementary_medical_insurance"],
        "village": ["hardened_road", "first_secretary", "old_base_key_village"],
        "county": ["paired_support_funds", "poverty_meetings", "townships"],
    },
}  # fmt: skip
"""Fields the packs declare (their fields.toml) that the core model no longer has
(a sample of fujian's; all of Zhangzhou's and Gansu's)."""


def test_the_core_release_carries_no_pack_vocabulary() -> None:
    import attrs

    from poverty_core import cli

    core = {
        "household": pc.Household,
        "person": pc.Person,
        "village": pc.Village,
        "county": pc.County,
    }
    for pack_name, by_kind in MOVED.items():
        pack = pc.load_pack(pack_name)
        for kind, names in by_kind.items():
            assert not set(names) & set(attrs.fields_dict(core[kind])), (pack_name, kind)
            assert set(names) <= set(attrs.fields_dict(pack.record_type(kind))), (pack_name, kind)
            assert {pack.fields[n].pack for n in names} == {pack_name}
    # the JSON Schema: the core one lacks them, the pack's has them
    for kind in ("household", "village", "county"):
        out = io.StringIO()
        assert cli.main(["schema", "--kind", kind], stdout=out) == 0
        text = out.getvalue()
        for by_kind in MOVED.values():
            for name in by_kind.get(kind, []):
                assert f'"{name}"' not in text, (kind, name)
    for kind, names in MOVED["gansu_tianshui"].items():
        if kind == "person":
            continue
        out = io.StringIO()
        assert cli.main(["schema", "--kind", kind, "--pack", "gansu_tianshui"], stdout=out) == 0
        schema = json.loads(out.getvalue())
        assert set(names) <= set(schema["properties"])
        assert not set(MOVED["zhangzhou"].get(kind, [])) & set(schema["properties"])
    out = io.StringIO()
    assert cli.main(["schema", "--kind", "household", "--pack", "gansu_tianshui"], stdout=out) == 0
    person = json.loads(out.getvalue())["$defs"]
    assert any("has_skill" in d.get("properties", {}) for d in person.values())


LISTS_AND_CHECKS = """
[[fields]]
name = "well_visits"
subject = "household"
type = "date_list"
check = "event_dates"
title = { zh = "水井巡查日期", en = "well inspection dates" }
source = "tmp-src"
locator = "§1"

[[fields]]
name = "wells"
subject = "village"
type = "integer"
minimum = 0
title = { zh = "水井数", en = "wells" }
source = "tmp-src"
locator = "§1"

[[fields]]
name = "wells_tested"
subject = "village"
type = "integer"
part_of = "wells"
title = { zh = "已检测水井数", en = "wells tested" }
source = "tmp-src"
locator = "§1"
"""


def test_list_fields_checks_and_parts(packs: SimpleNamespace, tmp_path: Path) -> None:
    """A declared list of dates reads from JSON and a register cell alike, each date
    checked as a register event; a declared count above its whole is a problem of the
    record and of the register row (all SYNTHETIC)."""
    data = county_dir(tmp_path)
    (data / "fields.toml").write_text(FIELDS + LISTS_AND_CHECKS, encoding="utf-8")
    pack = load(packs, packs.definition(name="county", parent="fujian", data=data), name="county")
    record = pack.structure({"id": "h", "members": [{"id": "p"}], "well_visits": ["2016-03-01"]})
    assert record.well_visits == (dt.date(2016, 3, 1),)
    with pytest.raises(pc.InputError, match="well_visits"):
        pack.structure({"id": "h", "members": [{"id": "p"}], "well_visits": ["2001-01-01"]})
    households, members = tmp_path / "h.csv", tmp_path / "m.csv"
    households.write_text("户编号,水井巡查日期\nh1,2016-03-01；2016-04-01\n", encoding="utf-8")
    members.write_text("户编号,成员编号\nh1,1\n", encoding="utf-8")
    batch = open_register(households, members, pack=pack).read_all()
    assert batch.households.column("well_visits").to_pylist() == [
        [dt.date(2016, 3, 1), dt.date(2016, 4, 1)]
    ]
    village = pack.record_type("village")
    assert village(id="v", wells=3, wells_tested=2).wells_tested == 2
    with pytest.raises(ValueError, match="wells_tested"):
        village(id="v", wells=3, wells_tested=4)
    villages = tmp_path / "v.csv"
    villages.write_text("村编号,水井数,已检测水井数\nv1,3,4\nv2,3,3\n", encoding="utf-8")
    from poverty_core.columnar import read_table

    with pytest.raises(pc.InputError) as info:
        read_table(villages, pc.Village, pack=pack)
    assert [p.path.split("/")[-1] for p in info.value.problems] == ["v.csv:2:已检测水井数"]
    # the core model has no such columns
    with pytest.raises(pc.InputError, match="水井数"):
        read_table(villages, pc.Village)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('check = "event_dates"', 'check = "event_date"'), "unknown check"),
        (('part_of = "wells"', 'part_of = "well_visits"'), "part_of"),
        (('name = "wells"\n', 'name = "wells"\naliases = ["村名"]\n'), "core column"),
    ],
)
def test_bad_checks_parts_and_headers_are_load_errors(
    packs: SimpleNamespace, tmp_path: Path, change: tuple[str, str], words: str
) -> None:
    data = county_dir(tmp_path)
    bad = LISTS_AND_CHECKS.replace(*change)
    assert bad != LISTS_AND_CHECKS
    (data / "fields.toml").write_text(FIELDS + bad, encoding="utf-8")
    with pytest.raises(pc.PackError, match=words):
        load(packs, packs.definition(name="county", parent="fujian", data=data), name="county")
