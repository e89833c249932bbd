"""Register templates: an empty register with exactly the columns a pack reads.

:func:`register_template` lists the inputs a pack's household decisions read (every
version of every criterion) as columns headed in the national form's words where the
form has the field (:mod:`poverty_core.form`), with what each column may hold;
:meth:`RegisterTemplate.write` writes it as CSV files or an xlsx workbook
(``poverty-core template``).
"""

from __future__ import annotations

import csv
import importlib
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from poverty_core._text import Language, Text
from poverty_core.codes import Code
from poverty_core.errors import UnknownName
from poverty_core.form import NON_STUDENT, TABLES, FormField, national_form
from poverty_core.io import Outputs, temp_beside, writing
from poverty_core.model import Household, Person
from poverty_core.registers.problems import MissingExtra
from poverty_core.registers.specs import _column_spec
from poverty_core.rules import versions_of
from poverty_core.vocabulary import of

__all__ = ["RegisterTemplate", "TemplateColumn", "register_template"]


@attrs.frozen
class TemplateColumn:
    """One column of a register template."""

    table: str
    """``households`` or ``members``."""
    column: str
    """The register column it is read as (a model field, the form's ``A10``, a
    flattened ``procedures.<id>.<step>``)."""
    header: Text
    """Its header, in the national form's words where they exist."""
    values: Text
    """What may be written in it."""
    reads: tuple[str, ...] = ()
    """The inputs of the pack it gives values to (``members[].schooling_status`` …);
    empty for the keys."""


@attrs.frozen
class RegisterTemplate:
    """An empty register: exactly the columns a pack's household decisions read (and the
    keys a register needs: household id, village and county ids, member id), headed in
    the national form's words where they exist, with what each column may hold."""

    pack: str
    decisions: tuple[str, ...]
    columns: tuple[TemplateColumn, ...]

    def table(self, table: str) -> list[TemplateColumn]:
        """The columns of one table, in order."""
        return [c for c in self.columns if c.table == table]

    def headers(self, layout: str = "flat", language: str = "zh") -> dict[str, list[str]]:
        """The header row of each sheet: ``{"register": [...]}`` for a flat register,
        ``{"households": [...], "members": [...]}`` for two files."""
        lang: Language = "zh" if language == "zh" else "en"
        if layout == "flat":
            rows = [c for c in self.columns if not (c.table == "members" and c.column == "")]
            return {"register": [c.header[lang] for c in rows]}
        return {t: [c.header[lang] for c in self.table(t)] for t in TABLES}

    def values_rows(self, language: str = "zh") -> list[list[str]]:
        """The allowed-values sheet: a header row, then one row per column."""
        lang: Language = "zh" if language == "zh" else "en"
        head = ["表", "列", "可填写的值"] if lang == "zh" else ["table", "column", "allowed values"]
        kinds = {"households": ("户", "households"), "members": ("成员", "members")}
        out = [head]
        for c in self.columns:
            if c.column == "":
                continue
            kind = kinds[c.table][0 if lang == "zh" else 1]
            out.append([kind, c.header[lang], c.values[lang]])
        return out

    def write(
        self,
        path: str | Any,
        *,
        layout: str = "flat",
        format: str = "csv",
        language: str = "zh",
    ) -> list[str]:
        """Write the template, atomically: a CSV file per table beside a side file of the
        allowed values (``NAME.csv`` — with two files ``NAME.members.csv`` for the
        members — and ``NAME.values.csv``), or an xlsx workbook with a sheet per table
        and a sheet of the allowed values. Returns the files written. CSV is UTF-8 with a
        byte-order mark, as spreadsheet programs in China open it."""
        target = Path(path)
        headers = self.headers(layout, language)
        values = self.values_rows(language)
        outputs = Outputs()
        written: list[str] = []
        try:
            if format == "xlsx":
                workbook = _workbook(headers, values, language)
                fd, tmp = temp_beside(target)
                os.close(fd)
                outputs.add(tmp, target)
                with writing(target):
                    workbook.save(tmp)
                written.append(str(target))
            else:
                stem = target.with_suffix("") if target.suffix.lower() == ".csv" else target
                names = {
                    "register": target,
                    "households": target,
                    "members": Path(f"{stem}.members.csv"),
                    "values": Path(f"{stem}.values.csv"),
                }
                for sheet, row in [*headers.items(), ("values", None)]:
                    handle = io.StringIO()
                    writer = csv.writer(handle)
                    for line in [row] if row is not None else values:
                        writer.writerow(line)
                    outputs.text(names[sheet], "\ufeff" + handle.getvalue())
                    written.append(str(names[sheet]))
            outputs.commit()
        except BaseException:
            outputs.abort()
            raise
        return written


_SHEET_NAMES = {
    "register": ("登记表", "register"),
    "households": ("户", "households"),
    "members": ("成员", "members"),
    "values": ("可填写的值", "allowed values"),
}


def _workbook(headers: dict[str, list[str]], values: list[list[str]], language: str) -> Any:
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise MissingExtra("xlsx", "openpyxl", "xlsx") from None
    i = 0 if language == "zh" else 1
    workbook = openpyxl.Workbook()
    first = True
    for sheet, row in [*headers.items(), ("values", None)]:
        ws = workbook.active if first else workbook.create_sheet()
        first = False
        ws.title = _SHEET_NAMES[sheet][i]
        for line in [row] if row is not None else values:
            ws.append(line)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, 2 * width))
    return workbook


def register_template(pack: Any, *, decisions: Sequence[str] | None = None) -> RegisterTemplate:
    """The template of a register for ``pack``: the inputs its household decisions read
    (every version of every criterion, whatever its period; ``decisions`` picks some),
    as columns headed in the national form's words where the form has the field.

    >>> import poverty_core as pc
    >>> t = register_template(pc.load_pack("national"), decisions=["household_exit"])
    >>> t.headers("two-file")["members"][:3]
    ['户编号', '成员编号', '年龄']
    >>> [c.header.zh for c in t.table("members") if c.column == "A10"]
    ['A10在校生状况']
    """
    chosen = [
        d
        for d in pack.decisions.values()
        if d.subject == "household" and (decisions is None or d.id in decisions)
    ]
    if decisions is not None:
        missing = [d for d in decisions if d not in {c.id for c in chosen}]
        if missing:
            known = [d.id for d in pack.decisions.values() if d.subject == "household"]
            raise UnknownName(Text("户的判定", "household decision"), missing[0], known)
    fields: dict[str, None] = {}
    members: dict[str, None] = {}
    flattened: dict[str, None] = {}
    for decision in chosen:
        for version in versions_of(decision):
            for cid in version.criteria:
                criterion = pack.criteria.get(cid)
                if criterion is None:
                    continue
                for rule in versions_of(criterion):
                    for ref in rule.refs():
                        if ref.kind == "field":
                            fields.setdefault(ref.name, None)
                        elif ref.kind == "member":
                            members.setdefault(ref.name, None)
                        elif ref.kind in ("procedure", "checklist"):
                            for name in _flattened(pack, ref.kind, ref.name):
                                flattened.setdefault(name, None)
    columns = [*_keys("households"), *_columns("households", list(fields), pack)]
    columns += [_flat_column(pack, name) for name in flattened]
    columns += [*_keys("members"), *_columns("members", list(members), pack)]
    return RegisterTemplate(pack.name, tuple(d.id for d in chosen), tuple(columns))


def _keys(table: str) -> list[TemplateColumn]:
    key = Text("编号", "an id")
    if table == "households":
        labels = Household.field_labels()
        return [
            TemplateColumn(table, name, labels[name], key)
            for name in ("id", "village_id", "county_id")
        ]
    household = Household.field_labels()["id"]
    return [
        # In a flat register the household's id heads the row once (with the household's
        # columns); "" marks this column as the members table's own key.
        TemplateColumn(table, "", household, key),
        TemplateColumn(
            table,
            "id",
            Person.field_labels()["id"],
            Text(
                "编号（可不填：按户内顺序编为 1、2……）",
                "an id (may be left out: numbered 1, 2, … in the household)",
            ),
        ),
    ]


def _flattened(pack: Any, kind: str, name: str) -> list[str]:
    if kind == "procedure":
        procedure = pack.procedures.get(name)
        return [] if procedure is None else [f"procedures.{name}.{s.id}" for s in procedure.steps]
    checklist_id, _, item = name.partition(".")
    checklist = pack.checklists.get(checklist_id)
    if checklist is None:
        return []
    items = [i.id for i in checklist.items if not item or i.id == item]
    return [f"checklists.{checklist_id}.{i}" for i in items]


def _flat_column(pack: Any, name: str) -> TemplateColumn:
    kind, group, item = name.split(".")
    if kind == "procedures":
        steps = {s.id: s.label for s in pack.procedures[group].steps}
        label = steps[item]
        values = Text(
            f"完成日期 YYYY-MM-DD（{label.zh}）", f"the date it was done, YYYY-MM-DD ({label.en})"
        )
    else:
        entries = {i.id: i.label for i in pack.checklists[group].items}
        label = entries[item]
        values = Text(f"是 / 否（{label.zh}）", f"yes / no ({label.en})")
    return TemplateColumn("households", name, Text(name, name), values, (name,))


def _columns(table: str, names: list[str], pack: Any = None) -> list[TemplateColumn]:
    """The template's columns for the inputs ``names`` of a table: one per form field
    that supplies some of them (its words as the header), one per other input."""
    form = national_form()
    out: list[TemplateColumn] = []
    by_field: dict[str, list[str]] = {}
    for name in names:
        field = form.supplier(table, name)
        if field is not None and field.template:
            by_field.setdefault(field.code, []).append(name)
        else:
            out.append(_model_column(table, name, pack))
    prefix = "members[]." if table == "members" else ""
    for code, reads in by_field.items():
        field = form.field(code)
        column = field.derive or field.column or reads[0]
        out.append(
            TemplateColumn(
                table,
                column,
                Text(field.header("zh"), field.header("en")),
                _field_values(field, column, table),
                tuple(prefix + r for r in reads),
            )
        )
    order = {n: i for i, n in enumerate(names)}
    out.sort(key=lambda c: min((order.get(r.split(".")[-1], 0) for r in c.reads), default=0))
    return out


def _model_column(table: str, name: str, pack: Any = None) -> TemplateColumn:
    prefix = "members[]." if table == "members" else ""
    vocabulary = of(pack)  # the pack's declared fields are its columns too
    spec = _column_spec(table, name, vocabulary)
    labels = vocabulary.record_type(table).field_labels()
    label = labels.get(name, Text(name, name))
    return TemplateColumn(table, name, label, _spec_values(spec), (prefix + name,))


def _spec_values(spec: Any) -> Text:
    if spec is None or spec.kind == "unnamed":
        return Text("见策略包文档", "see the pack's documentation")
    if spec.kind == "code":
        return _code_values(spec.code)
    if spec.kind == "bool":
        return Text("是 / 否", "yes / no")
    if spec.kind == "float":
        return Text("数值", "a number")
    if spec.kind == "int":
        return Text("整数", "a whole number")
    if spec.kind == "date":
        return Text("日期 YYYY-MM-DD", "a date, YYYY-MM-DD")
    if spec.kind == "list":
        item = _spec_values(spec.item)
        return Text(
            f"{item.zh}；多项以「；」或「、」分隔", f"{item.en}; several separated by ; or 、"
        )
    return Text("文本", "text")


def _code_values(cls: type[Code]) -> Text:
    return Text(
        " / ".join(m.label.zh for m in cls),
        " / ".join(m.label.en for m in cls),
    )


def _field_values(field: FormField, column: str, table: str) -> Text:
    if field.code == "A10":
        grades = (
            "小学一年级…小学六年级、七年级、八年级、九年级、高中一年级…高中三年级、"
            "中职一年级…、高职一年级…、大专、本科、研究生"
        )
        zh = (
            f"学前教育；年级（{grades}）；{NON_STUDENT}（读作失学辍学：解释 non_student）；"
            "因残不能就学（表上没有此项：登记因残疾不能就学的儿童）"
        )
        en = (
            f"学前教育 (preschool); a grade ({grades}); {NON_STUDENT} (not a student: read as "
            "out of school, interpretation non_student); 因残不能就学 (not on the form: a "
            "child a disability keeps from school)"
        )
        return Text(zh, en)
    if field.options:
        options = " / ".join(field.options)
        if not field.interpretation:
            return Text(options, options)
        return Text(
            f"{options}（解释 {field.interpretation}）",
            f"{options} (interpretation {field.interpretation})",
        )
    return _spec_values(_column_spec(table, column))
