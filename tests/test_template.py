"""``poverty-core template`` (issue 16): an empty register with exactly the columns a
pack's household decisions read, in the national form's words where they exist, with the
allowed values listed — and, filled in, it reads back without an error."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

import poverty_core as pc
from poverty_core.cli import EXIT_OK, EXIT_USAGE, main
from poverty_core.columnar import open_register
from poverty_core.frame import frame_from_arrow
from poverty_core.register_form import RegisterTemplate, TemplateColumn, register_template
from poverty_core.registers.specs import _column_spec
from poverty_core.rules import versions_of

PACKS = ["national", "fujian", "gansu_tianshui", "zhangzhou"]
AS_OF = {"zhangzhou": dt.date(2016, 12, 31), "fujian": dt.date(2019, 6, 30)}


def expected_inputs(pack: pc.Pack) -> set[str]:
    """Every input the pack's household decisions read, in any version."""
    out: set[str] = set()
    for decision in pack.decisions.values():
        if decision.subject != "household":
            continue
        for version in versions_of(decision):
            for cid in version.criteria:
                for rule in versions_of(pack.criteria[cid]):
                    for ref in rule.refs():
                        if ref.kind == "field":
                            out.add(ref.name)
                        elif ref.kind == "member":
                            out.add(f"members[].{ref.name}")
                        elif ref.kind == "procedure":
                            steps = pack.procedures[ref.name].steps
                            out |= {f"procedures.{ref.name}.{s.id}" for s in steps}
                        elif ref.kind == "checklist":
                            name, _, item = ref.name.partition(".")
                            items = [i.id for i in pack.checklists[name].items]
                            out |= {
                                f"checklists.{name}.{i}" for i in items if not item or i == item
                            }
    return out


@pytest.mark.parametrize("name", PACKS)
def test_exactly_the_inputs_the_decisions_read(name: str) -> None:
    pack = pc.load_pack(name)
    template = register_template(pack)
    reads = {r for c in template.columns for r in c.reads}
    assert reads == expected_inputs(pack)
    keys = [c for c in template.columns if not c.reads]
    assert [(c.table, c.column) for c in keys] == [
        ("households", "id"),
        ("households", "village_id"),
        ("households", "county_id"),
        ("members", ""),
        ("members", "id"),
    ]
    for column in template.columns:
        assert column.values.zh
        assert column.values.en


def test_the_national_forms_words_where_they_exist() -> None:
    template = register_template(pc.load_pack("zhangzhou"))
    headers = template.headers("flat", "zh")["register"]
    assert "A10在校生状况" in headers  # schooling status: the form's A10
    assert "A20家庭年人均纯收入（元）" in headers
    assert "A35通电情况" in headers
    assert "A1识别标准" in headers
    assert "参加城乡居民基本医疗保险" in headers  # not A15: the scheme was merged
    assert not any(h.startswith("A15") for h in headers)
    values = {row[1]: row[2] for row in template.values_rows("zh")[1:]}
    assert values["A1识别标准"] == "国家标准 / 省定标准 / 市定标准"
    assert values["A35通电情况"] == "已通电 / 未通电"
    assert "非在校生" in values["A10在校生状况"]
    assert "non_student" in values["A10在校生状况"]
    en = template.headers("two-file", "en")
    assert en["members"][:2] == ["household id", "member id"]
    assert "A10 student status" in en["members"]


def _id_number(seventeen: str) -> str:
    """A SYNTHETIC ID number with a valid check character (GB 11643-1999)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(seventeen, weights, strict=True))
    return seventeen + "10X98765432"[total % 11]


def cell(column: TemplateColumn, household: int, member: int, language: str) -> str:
    """A value a clerk might write in ``column`` (SYNTHETIC)."""
    zh = language == "zh"
    special = {
        "id_number": _id_number(f"35062819800101{household}{member}0"),
        "A10": "七年级" if member else "非在校生",
        "A15": "是",
        "A21": "85",
        "A35": "已通电",
        "id": f"H{household}" if column.table == "households" else str(member + 1),
        "": f"H{household}",
        "village_id": "V1",
        "county_id": "C1",
    }
    if column.column in special:
        return special[column.column]
    if column.column.startswith("procedures."):
        return "2016-11-13"
    if column.column.startswith("checklists."):
        return "是" if zh else "yes"
    spec = _column_spec(column.table, column.column)
    if spec.kind == "code":
        first = next(iter(spec.code))
        return first.label.zh if zh else first.label.en
    if spec.kind == "list":
        kind = spec.item.kind
        return {"date": "2016-03-01；2016-06-01", "text": "合成项目甲、合成项目乙"}.get(kind, "")
    return {
        "bool": "是" if zh else "yes",
        "float": "3100",
        "int": "2016" if "year" in column.column else ("12" if member else "40"),
        "date": "2016-10-01",
        "text": "合成",
    }.get(spec.kind, "")


def fill(template: RegisterTemplate, layout: str, language: str) -> dict[str, list[list[str]]]:
    """Two households of two members each, every column filled."""
    if layout == "flat":
        columns = [c for c in template.columns if not (c.table == "members" and c.column == "")]
        rows = [[cell(c, h, m, language) for c in columns] for h in range(2) for m in range(2)]
        return {"register": rows}
    return {
        "households": [
            [cell(c, h, 0, language) for c in template.table("households")] for h in range(2)
        ],
        "members": [
            [cell(c, h, m, language) for c in template.table("members")]
            for h in range(2)
            for m in range(2)
        ],
    }


def write_filled(
    template: RegisterTemplate, folder: Path, layout: str, fmt: str, language: str
) -> list[str]:
    """The template written as poverty-core writes it, then filled in."""
    target = folder / f"register.{fmt}"
    written = template.write(target, layout=layout, format=fmt, language=language)
    rows = fill(template, layout, language)
    if fmt == "csv":
        for sheet, path in zip(rows, written, strict=False):
            text = Path(path).read_text(encoding="utf-8-sig")
            body = io.StringIO()
            csv.writer(body).writerows(rows[sheet])
            Path(path).write_text(text + body.getvalue(), encoding="utf-8-sig")
        return written
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(target)
    for sheet, values in zip(rows, workbook.worksheets, strict=False):
        for line in rows[sheet]:
            values.append(line)
    workbook.save(target)
    return written


@pytest.mark.parametrize("name", PACKS)
@pytest.mark.parametrize("layout", ["flat", "two-file"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_filled_template_reads_back_without_an_error(
    tmp_path: Path, name: str, layout: str, fmt: str, language: str
) -> None:
    if fmt == "xlsx":
        pytest.importorskip("openpyxl")
    pack = pc.load_pack(name)
    template = register_template(pack)
    written = write_filled(template, tmp_path, layout, fmt, language)
    if fmt == "csv":
        members = written[1] if layout == "two-file" else None
        register = open_register(written[0], members, pack=pack)
    else:
        register = open_register(written[0], pack=pack)
    assert register.layout == layout
    batch = register.read_all()
    assert batch.households.column("id").to_pylist() == ["H0", "H1"]
    assert batch.members.num_rows == 4
    # The allowed values came along: a side file, or a sheet.
    if fmt == "csv":
        values = Path(written[-1]).read_text(encoding="utf-8-sig").splitlines()
        assert len(values) == len([c for c in template.columns if c.column]) + 1
    # And the register decides.
    result = pack.decide_batch(
        "household_exit",
        frame_from_arrow(batch.households, batch.members),
        as_of=AS_OF.get(name, dt.date(2016, 12, 31)),
        overrides={"poverty_line": 3000} if name != "national" else None,
    )
    assert len(result) == 2


def test_the_template_command(tmp_path: Path, capsys: Any) -> None:
    out = io.StringIO()
    target = tmp_path / "t.csv"
    code = main(["template", "--pack", "national", "-o", str(target)], stdout=out)
    assert code == EXIT_OK
    assert out.getvalue().splitlines() == [
        f"已写入: {target}",
        f"已写入: {tmp_path / 't.values.csv'}",
    ]
    header = target.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["户编号", "村编号", "县编号"]
    out = io.StringIO()
    code = main(
        [
            *("template", "--pack", "national", "--layout", "two-file", "--lang", "en"),
            *("--decision", "household_exit", "-o", str(tmp_path / "u.csv")),
        ],
        stdout=out,
    )
    assert code == EXIT_OK
    members = (tmp_path / "u.members.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert members.split(",")[:3] == ["household id", "member id", "age"]
    assert "written:" in out.getvalue()
    code = main(["template", "--format", "xlsx", "-o", str(tmp_path / "v.csv")])
    assert code == EXIT_USAGE
    assert "--format xlsx 与 -o" in capsys.readouterr().err  # the template's language: zh
    assert main(["template", "--decision", "village_exit", "-o", str(tmp_path / "w.csv")]) == 4
