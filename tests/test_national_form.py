"""The national register form's vocabulary (issue 16): every field the model has a column
for is found under its printed label (with and without its A-code, with and without
是否), every printed option of A1, A2, A3a/b, A10, A11 and A12 is read, and each option
that needs an interpretation is read by a documented, overridable one."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import attrs
import pytest

import poverty_core as pc
from poverty_core.aliases import AliasMap, entity_columns
from poverty_core.codes import (
    HealthStatus,
    IdentificationStandard,
    LabourCapacity,
    PovertyCause,
)
from poverty_core.columnar import open_register
from poverty_core.frame import frame_from_arrow
from poverty_core.model import Household, Person
from poverty_core.register_form import NON_STUDENT, national_form, schooling_words

AS_OF = dt.date(2016, 12, 31)
DOCS = Path(__file__).parent.parent / "docs" / "register-layouts.md"
FORM = national_form()


def flat(tmp_path: Path, header: list[str], rows: list[list[str]], **kw: Any) -> Any:
    """A flat register (a row per person) read at once."""
    path = tmp_path / "f.csv"
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return open_register(path, layout="flat", **kw).read_all()


def read_option(tmp_path: Path, header: str, options: list[str], **kw: Any) -> Any:
    """A register with a household (of one member) per option, in column ``header``."""
    rows = [[f"H{i}", "1", option] for i, option in enumerate(options)]
    return flat(tmp_path, ["户编号", "成员编号", header], rows, **kw)


# -- the data file --------------------------------------------------------------------------


def test_the_form_is_cited_and_its_columns_exist(national: pc.Pack) -> None:
    assert FORM.source in national.sources  # register-guide-2014
    for field in FORM.fields:
        assert field.table in ("households", "members")
        assert re.fullmatch(r"A\d+[a-d]?", field.code), field.code
        columns = entity_columns(field.table)
        if field.column is not None:
            assert field.column in columns, field.code
        for column in field.supplies:
            assert column in columns, field.code
        if field.interpretation is not None:
            assert field.interpretation in FORM.interpretations, field.code
        assert field.unused or field.target is not None, field.code
        assert field.basis in ("guide", "form", "labels"), field.code
    for interpretation in FORM.interpretations.values():
        assert interpretation.default in interpretation.readings


def test_printed_options_that_are_codes_are_the_models_labels() -> None:
    """Where a field is read as a code column, its printed options are that code list's
    own labels, except those an interpretation reads."""
    lists = {"A1": IdentificationStandard, "A3a": PovertyCause, "A3b": PovertyCause}
    lists |= {"A12": LabourCapacity, "A11": HealthStatus}
    for code, cls in lists.items():
        labels = {m.label.zh for m in cls}
        extra = set(FORM.field(code).options) - labels
        assert extra == ({"残疾"} if code == "A11" else set()), code
        assert len(FORM.field(code).options) == len(set(FORM.field(code).options))
    a2 = FORM.field("A2").options
    assert a2 == ("一般贫困户", "低保户", "五保户", "低保贫困户")


# -- headers --------------------------------------------------------------------------------


def _variants(code: str, label: str) -> list[str]:
    wide = unicodedata.normalize("NFKC", code).translate(
        {ord(c): ord(c) + 0xFEE0 for c in code}  # full-width letters and digits
    )
    return [label, f"{code}{label}", f"{code} {label}", f"{code}.{label}", f"{wide}{label}"]


@pytest.mark.parametrize("field", FORM.fields, ids=lambda f: f.code)
def test_every_field_is_found_under_its_printed_label(field: Any) -> None:
    aliases = AliasMap.default()
    labels = [field.label.zh, *field.also, field.label.en]
    if field.yes_no:
        labels += [f"是否{field.label.zh}"]
    for label in labels:
        for header in _variants(field.code, label):
            if field.unused:
                assert aliases.unused_column(field.table, header) == field.code, header
            else:
                assert aliases.column(field.table, header) == field.target, header
    # With the bracketed note the form prints after a label.
    if not field.unused:
        assert aliases.column(field.table, f"{field.code}{field.label.zh}（单选）") == field.target


def test_the_forms_headers_name_no_other_column() -> None:
    """Where the form prints a label of the model's (健康状况, 贫困户属性 …) it names the
    same column; the project's other register headers keep theirs."""
    aliases = AliasMap.default()
    for field in FORM.fields:
        for header in field.headers():
            found = aliases.column(field.table, header)
            if field.unused:
                assert found is None, header
            else:
                assert found == field.target, header


# -- options --------------------------------------------------------------------------------

A1 = {"国家标准": "national", "省定标准": "provincial", "市定标准": "municipal"}
A2 = {"一般贫困户": "general", "低保户": "dibao", "五保户": "tekun", "低保贫困户": "dibao"}
A12 = {"普通劳动力": "ordinary", "技能劳动力": "skilled", "丧失劳动力": "lost", "无劳动力": "none"}


@pytest.mark.parametrize(
    ("code", "header", "column", "expected"),
    [
        ("A1", "A1识别标准", "identification_standard", A1),
        ("A2", "A2贫困户属性", "attribute", A2),
        ("A3a", "A3a主要致贫原因", "main_cause", {m.label.zh: m.value for m in PovertyCause}),
    ],
)
def test_every_printed_option_of_a_household_field_is_read(
    tmp_path: Path, code: str, header: str, column: str, expected: dict[str, str]
) -> None:
    options = list(FORM.field(code).options)
    assert set(options) == set(expected)
    batch = read_option(tmp_path, header, options)
    assert batch.households.column(column).to_pylist() == [expected[o] for o in options]


def test_every_printed_option_of_a3b_is_read_up_to_two(tmp_path: Path) -> None:
    options = list(FORM.field("A3b").options)
    pairs = [options[i : i + 2] for i in range(0, len(options), 2)]
    batch = read_option(tmp_path, "A3b其他致贫原因", ["、".join(p) for p in pairs])
    codes = {m.label.zh: m.value for m in PovertyCause}
    assert batch.households.column("other_causes").to_pylist() == [
        [codes[o] for o in p] for p in pairs
    ]


def test_every_printed_option_of_a11_and_a12_is_read(tmp_path: Path) -> None:
    options = list(FORM.field("A11").options)
    batch = read_option(tmp_path, "A11健康状况", options)
    health = batch.members.column("health").to_pylist()
    disabled = batch.members.column("disabled").to_pylist()
    assert list(zip(options, health, disabled, strict=True)) == [
        ("健康", "healthy", None),
        ("长期慢性病", "chronic_illness", None),
        ("患有大病", "serious_illness", None),
        ("残疾", None, True),  # interpretation disability_in_health
    ]
    options = list(FORM.field("A12").options)
    batch = read_option(tmp_path, "A12劳动能力", options)
    assert batch.members.column("labour_capacity").to_pylist() == [A12[o] for o in options]


A10_WORDS = sorted(schooling_words())


def test_every_option_of_a10_is_read(tmp_path: Path) -> None:
    """学前教育, every grade and stage the national system writes, and 非在校生."""
    words = ["学前教育", *A10_WORDS, NON_STUDENT]
    batch = read_option(tmp_path, "A10在校生状况", words)
    stage = batch.members.column("schooling_stage").to_pylist()
    status = batch.members.column("schooling_status").to_pylist()
    table = schooling_words()
    for word, got_stage, got_status in zip(words, stage, status, strict=True):
        if word == NON_STUDENT:
            assert (got_stage, got_status) == (None, "out_of_school")
        else:
            assert (got_stage, got_status) == (table[word], "in_school"), word
    # The grades of each stage that exports write, spot-checked.
    assert table["小学一年级"] == table["小学六年级"] == "primary"
    assert table["七年级"] == table["九年级"] == "junior_secondary"
    assert table["高中三年级"] == "senior_high"


def test_a10_reads_the_models_statuses_and_says_what_an_option_is(tmp_path: Path) -> None:
    batch = read_option(tmp_path, "A10在校生状况", ["因残不能就学", "已毕业"])
    assert batch.members.column("schooling_status").to_pylist() == [
        "disability_exempt",
        "graduated",
    ]
    with pytest.raises(pc.InputError) as info:
        read_option(tmp_path, "A10在校生状况", ["初四"])
    [problem] = info.value.problems
    assert problem.path.endswith("f.csv:2:A10在校生状况")
    assert "'初四' is not an option of A10 在校生状况" in problem.message.en
    assert "非在校生" in problem.message.zh


def test_a35_and_a21_read_into_the_models_fields(tmp_path: Path) -> None:
    batch = flat(
        tmp_path,
        ["户编号", "成员编号", "A35通电情况", "A21住房面积（平方米）"],
        [["H1", "1", "已通电", "0"], ["H2", "1", "未通电", "62.5"], ["H3", "1", "", ""]],
    )
    assert batch.households.column("electricity_connected").to_pylist() == [True, False, None]
    assert batch.households.column("without_house").to_pylist() == [True, False, None]
    with pytest.raises(pc.InputError) as info:
        flat(
            tmp_path,
            ["户编号", "成员编号", "A35通电情况", "A21住房面积"],
            [["H1", "1", "有", "-3"]],
        )
    assert [p.path.rsplit(":", 1)[1] for p in info.value.problems] == ["A35通电情况", "A21住房面积"]


def test_columns_the_model_does_not_use_are_known(tmp_path: Path) -> None:
    header = [
        "户编号",
        "成员编号",
        "行政村",
        "A5性别",
        "A8民族",
        "A9文化程度",
        "银行账号",
        "A37饮水情况",
    ]
    path = tmp_path / "f.csv"
    path.write_text(",".join(header) + "\nH1,1,合成村,女,汉族,小学,62000000,自来水\n", "utf-8")
    register = open_register(path)
    assert register.unused[str(path)] == tuple(header[2:])
    batch = register.read_all()
    assert "A8" not in batch.members.column_names
    # A caller's alias reads an unused header after all.
    register = open_register(path, aliases={"行政村": "village_id"})
    assert register.read_all().households.column("village_id").to_pylist() == ["合成村"]


# -- interpretations --------------------------------------------------------------------------

FORM_MEMBERS = [
    "户编号",
    "贫困户属性",
    "A21住房面积",
    "A6公民身份号码",
    "A10在校生状况",
    "A11健康状况",
    "A15是否参加新型农村合作医疗",
]
ROW = ["H1", "五保户", "0", "11010519491231002X", NON_STUDENT, "残疾", "是"]


def test_every_interpretation_applies_by_default_and_is_named(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(",".join(FORM_MEMBERS) + "\n" + ",".join(ROW) + "\n", encoding="utf-8")
    register = open_register(path)
    batch = register.read_all()
    m = batch.members.to_pylist()[0]
    h = batch.households.to_pylist()[0]
    assert (h["attribute"], h["without_house"]) == ("tekun", True)
    assert m["schooling_status"] == "out_of_school"
    assert (m["health"], m["disabled"]) == (None, True)
    assert m["basic_medical_insurance"] is True
    assert m["birth_date"] == dt.date(1949, 12, 31)
    applied = {i["id"]: (i["reading"], i["cells"]) for i in register.interpretations}
    assert applied == {i: (FORM.interpretations[i].default, 1) for i in FORM.interpretations}
    # What is supplied, and from which header: the pre-run check sees these inputs.
    columns = register.columns[str(path)]
    assert columns["members.schooling_status"] == "A10在校生状况"
    assert columns["members.birth_date"] == "A6公民身份号码"
    assert columns["members.basic_medical_insurance"] == "A15是否参加新型农村合作医疗"


@pytest.mark.parametrize(
    ("interpretation", "reading", "table", "column"),
    [
        ("non_student", "unknown", "members", "schooling_status"),
        ("attribute_2014", "unknown", "households", "attribute"),
        ("disability_in_health", "unknown", "members", "disabled"),
        ("ncms", "off", "members", "basic_medical_insurance"),
        ("no_house_area", "off", "households", "without_house"),
        ("birth_date_from_id", "off", "members", "birth_date"),
    ],
)
def test_every_interpretation_can_be_overridden(
    tmp_path: Path, interpretation: str, reading: str, table: str, column: str
) -> None:
    assert reading in FORM.interpretations[interpretation].readings
    path = tmp_path / "f.csv"
    path.write_text(",".join(FORM_MEMBERS) + "\n" + ",".join(ROW) + "\n", encoding="utf-8")
    register = open_register(path, interpretations={interpretation: reading})
    batch = register.read_all()
    assert getattr(batch, table).column(column).to_pylist() == [None]


def test_a_column_of_the_models_own_wins_over_a_reading(tmp_path: Path) -> None:
    batch = flat(
        tmp_path,
        [
            "户编号",
            "A15参加新型农村合作医疗",
            "参加城乡居民基本医疗保险",
            "A11健康状况",
            "是否残疾",
        ],
        [["H1", "否", "是", "残疾", "否"], ["H2", "是", "", "残疾", ""]],
    )
    assert batch.members.column("basic_medical_insurance").to_pylist() == [True, True]
    assert batch.members.column("disabled").to_pylist() == [False, True]


@pytest.mark.parametrize(
    ("age", "a10", "exempt", "outcome"),
    [
        (10, NON_STUDENT, "", "not_eligible"),  # a child not a student: out of school
        (10, NON_STUDENT, "因残不能就学", "eligible"),  # the exemption recorded
        (10, "因残不能就学", "", "eligible"),  # …or written in A10 itself
        (10, "小学四年级", "", "eligible"),
        (40, NON_STUDENT, "", "eligible"),  # not of compulsory-school age
        (16, NON_STUDENT, "", "eligible"),  # 6–15 in the national pack
    ],
)
def test_non_student_decides_compulsory_education(
    tmp_path: Path, national: pc.Pack, age: int, a10: str, exempt: str, outcome: str
) -> None:
    header = ["户编号", "A20家庭年人均纯收入", "不愁吃", "不愁穿", "住房安全等级", "年龄"]
    header += [
        "A10在校生状况",
        "就学状况",
        "参加城乡居民基本医疗保险",
        "参加大病保险",
        "纳入医疗救助",
    ]
    head = ["H1", "3100", "是", "是", "B"]
    rows = [[*head, "40", NON_STUDENT, "", "是", "是", "是"]]
    rows.append([*head, str(age), a10, exempt, "是", "是", "是"])
    batch = flat(tmp_path, header, rows)
    result = national.decide_batch(
        "household_exit", frame_from_arrow(batch.households, batch.members), as_of=AS_OF
    )
    assert result.outcomes()[0].value == outcome


def test_unknown_interpretations_and_readings_are_named() -> None:
    with pytest.raises(pc.InputError) as info:
        FORM.readings({"non_student": "sometimes", "nope": "on"})
    first, second = info.value.problems
    assert "non_student has no reading 'sometimes' (use: out_of_school, unknown)" in (
        first.message.en
    )
    assert "no such interpretation" in second.message.en


# -- the docs page ------------------------------------------------------------------------------


def test_the_docs_page_gives_every_field_and_interpretation_with_its_source() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert FORM.source in text
    for field in FORM.fields:
        assert re.search(rf"\b{field.code}\b", text), field.code
    for interpretation in FORM.interpretations.values():
        assert f"`{interpretation.id}`" in text, interpretation.id
        for reading in interpretation.readings:
            assert f"`{reading}`" in text, (interpretation.id, reading)


def test_the_model_keeps_no_field_the_form_names_twice() -> None:
    """Each model column is given values by one field of the form at most."""
    seen: dict[tuple[str, str], str] = {}
    for field in FORM.fields:
        for column in field.reads:
            assert (field.table, column) not in seen, (field.code, seen[(field.table, column)])
            seen[(field.table, column)] = field.code
    people = {a.name for a in attrs.fields(Person)}
    households = {a.name for a in attrs.fields(Household)}
    assert all(c in (people if t == "members" else households) for t, c in seen)
