"""Column names in English or Chinese (the alias map), and the vectorised checks of the
register readers kept equal to the model's own."""

from __future__ import annotations

from pathlib import Path

import attrs
import pyarrow as pa
import pytest

import poverty_core as pc
from poverty_core.aliases import ENTITIES, AliasMap, entity_columns, normalize
from poverty_core.checks import DECLARED, ID_NUMBER, Check
from poverty_core.codes import HouseGrade, PovertyCause, Relation


@pytest.fixture(scope="module")
def aliases() -> AliasMap:
    return AliasMap.default()


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_every_field_is_found_by_name_and_by_both_labels(aliases: AliasMap, entity: str) -> None:
    kind = ENTITIES[entity]
    labels = kind.field_labels()
    for column in entity_columns(entity):
        assert aliases.column(entity, column) == column
        assert aliases.column(entity, column.upper()) == column
        label = labels.get(column)
        if label is not None:
            assert aliases.column(entity, label.zh) == column, label.zh
            assert aliases.column(entity, label.en) == column, label.en


@pytest.mark.parametrize(
    ("entity", "header", "column"),
    [
        ("households", "户编号", "id"),
        ("households", "年人均纯收入", "annual_net_income_per_capita"),
        ("households", "年人均纯收入(元)", "annual_net_income_per_capita"),
        ("households", " 年人均纯收入（元） ", "annual_net_income_per_capita"),
        ("households", "致贫原因", "main_cause"),
        ("households", "主要致贫原因", "main_cause"),
        ("households", "村编号", "village_id"),
        ("households", "脱贫路径", "pathway"),
        ("members", "户编号", "household_id"),
        ("members", "与户主关系", "relation"),
        ("members", "姓名", "name"),
        ("members", "身份证号", "id_number"),
        ("members", "证件号码", "id_number"),
        ("members", "年龄", "age"),
        ("members", "出生日期", "birth_date"),
        ("members", "是否残疾", "disabled"),
        ("members", "健康状况", "health"),
        ("members", "劳动能力", "labour_capacity"),
        ("members", "在校生状况", "A10"),  # the national form's A10 (register_form)
        ("members", "Household ID", "household_id"),
        (
            "households",
            "procedures.household_exit.verification",
            "procedures.household_exit.verification",
        ),
        ("members", "procedures.household_exit.verification", None),
        ("households", "性别", None),
    ],
)
def test_register_export_headers(
    aliases: AliasMap, entity: str, header: str, column: str | None
) -> None:
    assert aliases.column(entity, header) == column


def test_no_header_names_two_columns(aliases: AliasMap) -> None:
    for entity in ENTITIES:
        for column, headers in aliases.headers(entity).items():
            for h in headers:
                assert aliases.columns[entity][h] == column


def test_words_for_codes_and_booleans(aliases: AliasMap) -> None:
    assert aliases.code(Relation, "之子") is Relation.CHILD
    assert aliases.code(Relation, "户主") is Relation.HEAD
    assert aliases.code(Relation, "child") is Relation.CHILD
    assert aliases.code(PovertyCause, "其他") is PovertyCause.OTHER
    assert aliases.code(HouseGrade, "C级(局部危房)") is HouseGrade.C  # half-width brackets
    assert aliases.code(Relation, "boss") is None
    for word in ("true", "TRUE", "True", "是", "1", "y", "Y", "yes"):
        assert aliases.boolean(word) is True
    for word in ("false", "否", "0", "n", "N", "No"):
        assert aliases.boolean(word) is False
    assert aliases.boolean("maybe") is None


def test_callers_extend_the_map(aliases: AliasMap) -> None:
    extended = aliases.extended({"户主编号": "id", "members": {"人码": "id"}})
    assert extended.column("households", "户主编号") == "id"
    assert extended.column("members", "户主编号") == "id"
    assert extended.column("members", "人码") == "id"
    assert aliases.column("households", "户主编号") is None  # the default is unchanged
    with pytest.raises(pc.InputError) as info:
        aliases.extended({"x": "no_such_column", "members": {"y": "nope"}, "z": 3})
    assert len(info.value.problems) == 3


def test_a_custom_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text(
        '[columns.households]\nid = ["户主码"]\n[booleans]\ntrue = ["√"]\nfalse = ["×"]\n'
        '[codes.relation]\nchild = ["儿"]\n',
        encoding="utf-8",
    )
    m = AliasMap.from_toml(path)
    assert m.column("households", "户主码") == "id"
    assert m.boolean("√") is True
    assert m.boolean("×") is False
    assert m.code(Relation, "儿") is Relation.CHILD


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[colums.households]\nid = ["x"]\n', "unknown section"),
        ('[columns.house]\nid = ["x"]\n', "unknown table kind"),
        ('[columns.households]\nidd = ["x"]\n', "is not a column"),
        ('[columns.households]\nid = "x"\n', "expected a list of non-empty strings"),
        ('[booleans]\nmaybe = ["x"]\n', "only true and false"),
        ('[codes.relations]\nchild = ["x"]\n', "unknown code list"),
        ('[codes.relation]\nkid = ["x"]\n', "not a relation code"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_toml_files_name_the_entry(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pc.InputError) as info:
        AliasMap.from_toml(path)
    assert any(where in p.message.en for p in info.value.problems)
    assert all(p.path.startswith(str(path)) for p in info.value.problems)


def test_the_bundled_file_refuses_clashes() -> None:
    base = AliasMap.default()
    with pytest.raises(pc.InputError, match="problem"):
        base._with_data(
            {"columns": {"households": {"village_id": ["户编号"]}}}, "x", override=False
        )
    with pytest.raises(pc.InputError):
        base._with_data({"booleans": {"true": ["否"]}}, "x", override=False)
    with pytest.raises(pc.InputError):
        base._with_data({"codes": {"relation": {"child": ["户主"]}}}, "x", override=False)


def test_normalize() -> None:
    assert normalize("  年人均纯收入（元） ") == "年人均纯收入(元)"
    assert normalize("Member ID") == "memberid"


# -- the vectorised checks equal the model's ---------------------------------------------------


def _checks() -> dict[str, Check]:
    out: dict[str, Check] = {}
    for kind in (pc.Person, pc.Household, pc.Village, pc.County):
        for a in attrs.fields(kind):
            check = a.metadata.get("check")
            if check is not None:
                out[check.name] = check
    return out


_BOUNDED = sorted(n for n, c in DECLARED.items() if c.minimum is not None or c.maximum is not None)


@pytest.mark.parametrize("name", _BOUNDED)
def test_vectorised_bounds_agree_with_the_model(name: str) -> None:
    check = _checks()[name]
    assert check is DECLARED[name]
    assert check.column is not None
    lo, hi = check.minimum, check.maximum
    probes = [-1e9, -1, -0.5, 0, 0.5, 1, 1.5, 2, 99, 150, 151, 1999, 2000, 2100, 2101, 1e9]
    failed = check.column(pa.array(probes, pa.float64())).tolist()
    for value, column_failed in zip(probes, failed, strict=True):
        inside = (lo is None or value >= lo) and (hi is None or value <= hi)
        assert (check(value) is None) == inside, (name, value)
        assert column_failed == (not inside), (name, value)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105194912310021",
        "350122198001010017",
        "35012219800101001",
        "3501221980010100171",
        "35012219800101001A",
        "abc",
    ],
)
def test_id_number_check_agrees_with_the_model(value: str) -> None:
    from poverty_core.privacy import valid_id_number

    assert ID_NUMBER.column is not None
    bad = ID_NUMBER.column(pa.array([value]))
    assert (not bad.any()) == valid_id_number(value)
