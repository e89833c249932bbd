"""Registers as county offices have them (issue 16): the flat layout (a row per person,
the household's columns repeated), the national form's words, GBK, A-codes in the headers
— read and decided like the project's own two-file layout — and messages that name the
caller's options and the file a problem is in.

The registers here are SYNTHETIC: built from the bundled synthetic Lianjiang sample, with
invented names and invented ID numbers (a real county's area code, 350121, and each
member's date of birth from the sample, with a valid check character)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv
import pytest

import poverty_core as pc
from poverty_core.cli import EXIT_INPUT, EXIT_OK, main
from poverty_core.codes import (
    HouseGrade,
    HouseholdAttribute,
    PovertyCause,
    SchoolingStage,
    SchoolingStatus,
)
from poverty_core.columnar import csv_ready, open_register, tables_from_records
from poverty_core.frame import frame_from_arrow
from poverty_core.io import Dataset
from poverty_core.samples import read_sample

AS_OF = dt.date(2016, 12, 31)

# -- one synthetic register, two layouts ---------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return read_sample()[0]  # the core model's fields of the (Fujian-shaped) sample


def id_number(born: dt.date, seq: int) -> str:
    """A SYNTHETIC ID number: area 350121, the date of birth, a sequence, its check."""
    body = f"350121{born:%Y%m%d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


_GRADE = {  # a grade as the national form writes it, for each stage
    SchoolingStage.PRESCHOOL: "学前教育",
    SchoolingStage.PRIMARY: "小学三年级",
    SchoolingStage.JUNIOR_SECONDARY: "八年级",
    SchoolingStage.SENIOR_HIGH: "高中一年级",
    SchoolingStage.SECONDARY_VOCATIONAL: "中职二年级",
    SchoolingStage.HIGHER_VOCATIONAL: "高职一年级",
    SchoolingStage.JUNIOR_COLLEGE: "大专",
    SchoolingStage.UNDERGRADUATE: "本科二年级",
    SchoolingStage.POSTGRADUATE: "研究生",
}

FLAT_HEADERS = [
    "户编号",
    "县",
    "行政村",
    "行政村编号",
    "县代码",
    "A1识别标准",
    "A2贫困户属性",
    "A3a主要致贫原因（单选）",
    "A3b 其他致贫原因",
    "A20家庭年人均纯收入（元）",
    "不愁吃",
    "不愁穿",
    "住房安全等级",
    "A21住房面积（平方米）",
    "A24是否易地扶贫搬迁户",
    "搬迁户已拿到新房钥匙",
    "A4姓名",
    "A5性别",
    "A6公民身份号码",
    "A7与户主关系",
    "A8民族",
    "A9文化程度",
    "A10 在校生状况",
    "就学状况",
    "A11健康状况",
    "A12劳动能力",
    "A15是否参加新型农村合作医疗",
    "参加大病保险",
    "纳入医疗救助",
    "开户银行",
    "银行账号",
]


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def national_form_rows(households: list[pc.Household]) -> list[list[str]]:
    """The register in the national form's words, a row per person (SYNTHETIC)."""
    rows = []
    seq = 0
    for n, h in enumerate(households):
        attribute = {
            HouseholdAttribute.GENERAL: "一般贫困户",
            HouseholdAttribute.DIBAO: ("低保户", "低保贫困户")[n % 2],
            HouseholdAttribute.TEKUN: "五保户",
            None: "",
        }[h.attribute]
        causes = "、".join(c.label.zh for c in h.other_causes or ())
        head = [
            h.id,
            "连江县",
            f"合成村{h.village_id[-2:]}",
            h.village_id or "",
            h.county_id or "",
            ("国家标准", "省定标准")[n % 2],
            attribute,
            h.main_cause.label.zh if h.main_cause else "",
            causes,
            f"{h.annual_net_income_per_capita:g}",
            _yes(h.food_secure),
            _yes(h.clothing_secure),
            h.house_grade.label.zh if h.house_grade else "",
            "0" if h.without_house else "85",
            _yes(h.relocated),
            _yes(h.relocation_keys_received),
        ]
        for j, m in enumerate(h.members):
            seq += 1
            assert m.birth_date is not None
            status = m.schooling_status
            grade = (
                _GRADE[m.schooling_stage]
                if status is SchoolingStatus.IN_SCHOOL and m.schooling_stage
                else "非在校生"
            )
            exempt = "因残不能就学" if status is SchoolingStatus.DISABILITY_EXEMPT else ""
            health = (
                "残疾" if m.disabled and n % 3 == 0 else (m.health.label.zh if m.health else "")
            )
            rows.append(
                [
                    *(head if j == 0 or n % 4 else [h.id, *[""] * (len(head) - 1)]),
                    f"合成{seq:04d}",
                    ("男", "女")[seq % 2],
                    id_number(m.birth_date, seq),
                    m.relation.label.zh if m.relation else "",
                    "汉族",
                    "小学",
                    grade,
                    exempt,
                    health,
                    m.labour_capacity.label.zh if m.labour_capacity else "",
                    _yes(m.basic_medical_insurance),
                    _yes(m.serious_illness_insurance),
                    _yes(m.medical_assistance),
                    "合成银行",
                    "6200000000000000",
                ]
            )
    return rows


def write_flat(path: Path, rows: list[list[str]], encoding: str = "gbk") -> Path:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(FLAT_HEADERS)
    writer.writerows(rows)
    path.write_bytes(handle.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def registers(sample: Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("layouts")
    households, members = tables_from_records(sample.households)
    assert members is not None
    pacsv.write_csv(csv_ready(households), folder / "households.csv")
    pacsv.write_csv(csv_ready(members), folder / "members.csv")
    flat = write_flat(folder / "登记表.csv", national_form_rows(sample.households))
    return {
        "households": folder / "households.csv",
        "members": folder / "members.csv",
        "flat": flat,
    }


def decided(pack: pc.Pack, register: Any) -> Any:
    batch = register.read_all()
    return pack.decide_batch(
        "household_exit", frame_from_arrow(batch.households, batch.members), as_of=AS_OF
    )


def test_national_form_flat_gbk_decides_as_the_two_file_layout(
    national: pc.Pack, registers: dict[str, Any]
) -> None:
    flat = open_register(registers["flat"], pack=national, as_of=AS_OF)
    assert (flat.layout, flat.encoding) == ("flat", "gb18030")
    own = open_register(registers["households"], registers["members"], pack=national)
    assert own.layout == "two-file"
    ours, theirs = decided(national, flat), decided(national, own)
    assert list(ours.ids) == list(theirs.ids)
    assert np.array_equal(ours.outcome, theirs.outcome)
    for a, b in zip(ours.criteria, theirs.criteria, strict=True):
        assert a.rule.id == b.rule.id
        assert np.array_equal(a.status, b.status), a.rule.id
    # The published figures of the sample (586 exited / 159 not) come out of both.
    assert ours.outcomes().count(pc.Outcome.ELIGIBLE) == 586
    # Every row of the flat file was a person; every household read.
    assert flat.rows_read == {str(registers["flat"]): 2352}
    assert flat.households_read == 745
    # The form's columns the model does not use were known, not errors.
    assert set(flat.unused[str(registers["flat"])]) == {
        "县",
        "行政村",
        "A5性别",
        "A8民族",
        "A9文化程度",
        "开户银行",
        "银行账号",
    }
    applied = {i["id"]: i for i in flat.interpretations}
    assert set(applied) == {
        "non_student",
        "attribute_2014",
        "disability_in_health",
        "ncms",
        "no_house_area",
        "birth_date_from_id",
    }
    assert applied["birth_date_from_id"]["cells"] == 2352
    assert applied["ncms"]["cells"] == 2352


def test_the_form_reads_the_same_fields(
    national: pc.Pack, sample: Dataset, registers: dict[str, Any]
) -> None:
    batch = open_register(registers["flat"], pack=national).read_all()
    h = {r["id"]: r for r in batch.households.to_pylist()}
    for record in sample.households:
        row = h[record.id]
        assert row["attribute"] == (record.attribute.value if record.attribute else None)
        assert row["main_cause"] == (record.main_cause.value if record.main_cause else None)
        assert row["other_causes"] == (
            [c.value for c in record.other_causes] if record.other_causes else None
        )
        assert row["without_house"] == record.without_house
        assert row["village_id"] == record.village_id
    people = batch.members.to_pylist()
    born = [p["birth_date"] for p in people]
    assert born == [m.birth_date for r in sample.households for m in r.members]
    stages = [p["schooling_stage"] for p in people]
    assert stages == [
        (m.schooling_stage.value if m.schooling_status is SchoolingStatus.IN_SCHOOL else None)
        for r in sample.households
        for m in r.members
    ]


def test_the_cli_reads_a_flat_national_form_register(
    registers: dict[str, Any], tmp_path: Path
) -> None:
    out = io.StringIO()
    code = main(
        [
            "assess",
            str(registers["flat"]),
            "--as-of",
            "2016-12-31",
            "--format",
            "json",
            "--interpret",
            "attribute_2014=2016_codes",
        ],
        stdout=out,
    )
    assert code == EXIT_OK
    report = json.loads(out.getvalue())
    assert report["summary"]["households"]["eligible"] == 586
    [count] = report["files"]
    assert (count["read"], count["assessed"], count["rejected"]) == (2352, 2352, 0)
    applied = {i["id"] for i in report["provenance"]["interpretations"]}
    assert {"non_student", "ncms", "birth_date_from_id"} <= applied
    # The printed summary names the interpretations too.
    out = io.StringIO()
    assert main(["assess", str(registers["flat"]), "--as-of", "2016-12-31"], stdout=out) == 0
    assert "non_student [out_of_school]" in out.getvalue()


# -- the flat layout --------------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


FLAT = """户编号,年人均纯收入,不愁吃,不愁穿,住房安全等级,成员编号,年龄,\
参加城乡居民基本医疗保险,参加大病保险,纳入医疗救助,A10在校生状况
H1,3100,是,是,B,1,40,是,是,是,非在校生
H1,3100,是,是,B,2,12,是,是,是,七年级
H2,3100,是,是,B,1,40,是,是,是,非在校生
H3,2000,是,是,A,1,40,是,是,是,非在校生
H3,,,,,2,10,是,是,是,非在校生
"""


def test_a_flat_file_is_told_from_its_columns_or_chosen(tmp_path: Path, national: pc.Pack) -> None:
    f = write(tmp_path / "f.csv", FLAT)
    register = open_register(f)
    assert register.layout == "flat"
    assert open_register(f, layout="flat").layout == "flat"
    batch = register.read_all()
    assert batch.households.column("id").to_pylist() == ["H1", "H2", "H3"]
    # A blank in a household column is no disagreement: H3's values are its first row's.
    assert batch.households.column("annual_net_income_per_capita").to_pylist() == [
        3100,
        3100,
        2000,
    ]
    assert batch.members.column("household_id").to_pylist() == ["H1", "H1", "H2", "H3", "H3"]
    result = national.decide_batch(
        "household_exit", frame_from_arrow(batch.households, batch.members), as_of=AS_OF
    )
    # H3 has a 10-year-old who is not a student: out of school, compulsory education fails.
    assert list(result.outcomes()) == [
        pc.Outcome.ELIGIBLE,
        pc.Outcome.ELIGIBLE,
        pc.Outcome.NOT_ELIGIBLE,
    ]
    with pytest.raises(pc.InputError, match="flat register is one file"):
        open_register(f, write(tmp_path / "m.csv", "户编号,成员编号\nH1,1\n"), layout="flat")
    with pytest.raises(pc.InputError, match="layout=: a JSON Lines register"):
        open_register(write(tmp_path / "r.jsonl", '{"id": "H1"}\n'), layout="flat")
    with pytest.raises(ValueError, match="layout must be one of"):
        open_register(f, layout="wide")


def test_a_layout_that_does_not_fit_the_files_says_so(tmp_path: Path) -> None:
    f = write(tmp_path / "f.csv", FLAT)
    with pytest.raises(pc.InputError) as info:
        open_register(f, layout="two-file")
    assert "a two-file register needs the members file (members=)" in str(info.value)
    h = write(tmp_path / "h.csv", "户编号,年龄\nH1,40\n")
    m = write(tmp_path / "m.csv", "户编号,成员编号\nH1,1\n")
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    [problem] = info.value.problems
    assert problem.message.en.startswith("member columns in a households file: '年龄'")
    assert "layout= flat" in problem.message.en


def test_rows_that_disagree_name_the_rows_and_columns(tmp_path: Path) -> None:
    f = write(
        tmp_path / "f.csv",
        FLAT.replace("H1,3100,是,是,B,2,12", "H1,3200,是,是,C,2,12"),
    )
    with pytest.raises(pc.InputError) as info:
        open_register(f).read_all()
    paths = [p.path.replace(str(tmp_path) + "/", "") for p in info.value.problems]
    assert paths == ["f.csv:3:年人均纯收入", "f.csv:3:住房安全等级"]
    text = info.value.problems[0].message.en
    assert "household 'H1'" in text
    assert "row 2 3100, row 3 3200" in text
    assert "第 2 行 3100，第 3 行 3200" in info.value.problems[0].message.zh
    assert str(info.value).startswith(f"{f} has 2 problems")
    # Skip mode: the whole household out, every one of its rows listed; rows in = kept +
    # rejected.
    register = open_register(f, on_error="skip", batch_size=1)
    batches = list(register.batches())
    kept = sum(b.members.num_rows for b in batches)
    rejected = [r for b in batches for r in b.rejected]
    assert [(r.row, r.household_id) for r in rejected] == [(2, "H1"), (3, "H1")]
    assert all(len(r.problems) == 2 for r in rejected)
    assert kept + len(rejected) == register.rows_read[str(f)] == 5


def test_rows_of_a_household_that_come_apart(tmp_path: Path) -> None:
    lines = FLAT.splitlines()
    f = write(tmp_path / "f.csv", "\n".join([lines[0], lines[1], lines[3], lines[2]]) + "\n")
    with pytest.raises(pc.InputError) as info:
        list(open_register(f, batch_size=1).batches())
    [problem] = info.value.problems
    assert problem.path.endswith("f.csv:4")
    assert "household 'H1' come apart (from row 2, again at row 4)" in problem.message.en
    assert "read_all()" in problem.message.en
    # Read at once, a household's rows may be anywhere.
    assert len(open_register(f).read_all()) == 2


def test_every_row_of_a_flat_file_is_accounted_for_on_the_command_line(tmp_path: Path) -> None:
    f = write(
        tmp_path / "f.csv",
        FLAT.replace("H1,3100,是,是,B,2,12", "H1,3200,是,是,B,2,12")
        + "H4,3100,是,是,B,1,40,是,是,是,非在校生,extra\n"
        + ",3100,是,是,B,1,40,是,是,是,非在校生\n",
    )
    rejects = tmp_path / "rejects.json"
    out = io.StringIO()
    code = main(
        [
            "assess",
            str(f),
            "--as-of",
            "2016-12-31",
            "--on-error",
            "skip",
            "--rejects",
            str(rejects),
            "--format",
            "json",
        ],
        stdout=out,
    )
    assert code == EXIT_OK
    report = json.loads(out.getvalue())
    [count] = report["files"]
    assert count == {"file": str(f), "kind": "members", "read": 7, "assessed": 3, "rejected": 4}
    rows = json.loads(rejects.read_text(encoding="utf-8"))
    assert [(r["row"], r["household_id"]) for r in rows] == [
        (2, "H1"),
        (3, "H1"),
        (7, "H4"),
        (8, None),
    ]


def test_a_flat_file_with_villages_not_listed_rejects_every_row(tmp_path: Path) -> None:
    f = write(
        tmp_path / "f.csv",
        "户编号,村编号,年人均纯收入,成员编号,年龄\n"
        "H1,V1,3100,1,40\nH1,V1,3100,2,12\nH2,V1,3100,1,40\nH3,V9,2000,1,40\nH3,V9,,2,10\n",
    )
    villages = write(tmp_path / "villages.csv", "村编号,村名\nV1,合成村\n")
    rejects = tmp_path / "rejects.csv"
    out = io.StringIO()
    code = main(
        [
            *("assess", str(f), "--villages", str(villages), "--as-of", "2016-12-31"),
            *("--on-error", "skip", "--rejects", str(rejects), "--format", "json"),
        ],
        stdout=out,
    )
    assert code == EXIT_OK
    report = json.loads(out.getvalue())
    counts = {c["file"]: c for c in report["files"]}
    # Both rows of H3, in the unlisted village V9, are rejected; each row once.
    assert (counts[str(f)]["read"], counts[str(f)]["assessed"]) == (5, 3)
    assert counts[str(f)]["rejected"] == 2
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    assert [(r["row"], r["household_id"]) for r in rows] == [("5", "H3"), ("6", "H3")]


def test_flat_xlsx_with_a_household_merged_over_its_rows(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in csv.reader(io.StringIO(FLAT)):
        sheet.append(line)
    for col in "ABCDE":  # H1's household cells merged over its two rows
        sheet.merge_cells(f"{col}2:{col}3")
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    register = open_register(path)
    assert register.layout == "flat"
    batch = register.read_all()
    assert batch.households.column("id").to_pylist() == ["H1", "H2", "H3"]
    assert batch.members.column("household_id").to_pylist()[:2] == ["H1", "H1"]


def test_member_ids_are_numbered_when_a_register_has_none(tmp_path: Path) -> None:
    f = write(tmp_path / "f.csv", "户编号,年龄\nH1,40\nH1,12\nH2,30\n")
    batch = open_register(f, layout="flat").read_all()
    assert batch.members.column("id").to_pylist() == ["1", "2", "1"]
    h = write(tmp_path / "h.csv", "户编号\nH1\nH2\n")
    m = write(tmp_path / "m.csv", "户编号,年龄\nH1,40\nH1,12\nH2,30\n")
    batch = open_register(h, m).read_all()
    assert batch.members.column("id").to_pylist() == ["1", "2", "1"]


# -- messages -------------------------------------------------------------------------------


def test_messages_name_the_callers_options(tmp_path: Path, capsys: Any) -> None:
    h = write(tmp_path / "h.csv", "户编号,收入\nH1,3100\n")
    m = write(tmp_path / "m.csv", "户编号,成员编号\nH1,1\n")
    with pytest.raises(pc.InputError) as info:
        open_register(h, m)
    message = info.value.problems[0].message
    assert "aliases=" in message.en
    assert "ignore_columns=" in message.en
    code = main(["validate", str(h), "--members", str(m)])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "--alias HEADER=FIELD" in err
    assert "--ignore-column HEADER" in err
    assert "aliases=" not in err
    assert "ignore_columns=" not in err
    assert main(["validate", str(h), "--members", str(m), "--lang", "zh"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "或用 --alias 表头=字段 添加，或用 --ignore-column 表头 忽略" in err
    assert "aliases=" not in err
    assert "HEADER" not in err
    # A bad alias and a bad interpretation, named as given.
    assert main(["validate", str(h), "--members", str(m), "--alias", "收入=incme"]) == EXIT_INPUT
    assert "--alias 收入=incme" in capsys.readouterr().err
    code = main(["validate", str(m), "--interpret", "non_student=maybe"])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "--interpret non_student=maybe: non_student has no reading 'maybe'" in err
    assert "(use: out_of_school, unknown)" in err
    with pytest.raises(pc.InputError) as info:
        open_register(m, interpretations={"non_student": "maybe", "ncms2": "off"})
    assert [p.path for p in info.value.problems] == [
        "interpretations['non_student']",
        "interpretations['ncms2']",
    ]


def test_a_problem_is_announced_under_the_file_it_is_in(tmp_path: Path, capsys: Any) -> None:
    h = write(tmp_path / "h.csv", "户编号,年人均纯收入\nH1,3100\nH2,3100\n")
    m = write(tmp_path / "m.csv", "户编号,成员编号,年龄\nH1,1,abc\nH2,1,-3\n")
    with pytest.raises(pc.InputError) as info:
        open_register(h, m).read_all()
    assert str(info.value).startswith(f"{m} has 2 problems")
    assert main(["validate", str(h), "--members", str(m)]) == EXIT_INPUT
    assert f"{m} has 2 problems" in capsys.readouterr().err
    h = write(tmp_path / "h.csv", "户编号,年人均纯收入\nH1,lots\nH2,3100\n")
    with pytest.raises(pc.InputError) as info:
        list(open_register(h, m).batches())
    assert str(info.value).startswith(f"{h} and {m} have 3 problems")
    assert info.value.format("zh").startswith(f"{h}、{m} 共有 3 处错误")


def test_codes_of_the_model_still_read(tmp_path: Path) -> None:
    # The project's own words next to the form's: codes, labels, synonyms.
    f = write(
        tmp_path / "f.csv",
        "household_id,attribute,house_grade,main_cause,members.id,members.age\n"
        "H1,tekun,C级危房,因病,1,40\nH2,低保,A,lack_of_funds,1,40\n",
    )
    batch = open_register(f).read_all()
    assert batch.households.column("attribute").to_pylist() == [
        HouseholdAttribute.TEKUN.value,
        HouseholdAttribute.DIBAO.value,
    ]
    assert batch.households.column("house_grade").to_pylist() == [HouseGrade.C.value, "A"]
    assert batch.households.column("main_cause").to_pylist() == [
        PovertyCause.ILLNESS.value,
        PovertyCause.LACK_OF_FUNDS.value,
    ]
