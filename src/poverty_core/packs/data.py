"""Reading a pack's data folder (:func:`load_data`): fields, taxonomies, reference data,
procedures, checklists, periods and the not-encoded inventory, every problem of every
file reported at once (the file shapes are :mod:`poverty_core.packfiles`)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core.codes import CODE_LISTS
from poverty_core.errors import PackError
from poverty_core.model import Person
from poverty_core.packfiles import (
    NAME,
    ChecklistFile,
    FieldsFile,
    FileProblems,
    NotEncodedFile,
    PeriodsFile,
    PeriodTable,
    ProcedureFile,
    ReferenceFile,
    StepTable,
    TaxonomyFile,
    list_toml,
    raise_problems,
    read_file,
)
from poverty_core.packs.definition import NotEncoded
from poverty_core.parameters import (
    Parameter,
    Period,
    Source,
    citation_of,
    load_parameters,
    load_sources,
    period_of,
)
from poverty_core.references import ReferenceSpec
from poverty_core.rules import (
    Checklist,
    ChecklistEntry,
    Procedure,
    Step,
    Taxonomy,
    TaxonomyItem,
)
from poverty_core.vocabulary import (
    CHECKS,
    FIELD_TYPES,
    SUBJECTS,
    PackField,
)


@attrs.frozen
class PackData:
    """The contents of a pack's data folder."""

    sources: dict[str, Source]
    parameters: list[tuple[Parameter, bool]]
    taxonomies: list[tuple[Taxonomy, bool]]
    procedures: list[tuple[Procedure, bool]]
    checklists: list[tuple[Checklist, bool]]
    not_encoded: list[NotEncoded]
    periods: dict[str, Period] = attrs.Factory(dict)
    """``periods.toml``: periods this pack sets on rules it inherits (by ``[kind:]id``)."""
    fields: list[PackField] = attrs.Factory(list)
    """``fields.toml``: input fields the pack declares (code lists resolved on assembly)."""
    references: list[tuple[ReferenceSpec, bool]] = attrs.Factory(list)
    """``references/*.toml``: reference data a run supplies."""


def _load_fields(pack: str, resource: Traversable, problems: list[FileProblems]) -> list[PackField]:
    """``fields.toml``: each declared field checked (name, record, type, code list, bounds)."""
    if not resource.is_file():
        return []
    f, found = read_file(resource, "fields.toml", FieldsFile, problems)
    if f is None:
        return []
    out: list[PackField] = []
    seen: set[str] = set()
    for i, e in enumerate(f.fields):
        where = f"fields[{i}]"
        bad = False
        if not NAME.match(e.name):
            found.add(f"{where}.name", "字段名应为 snake_case", "a field name is snake_case")
            bad = True
        if e.name in seen:
            found.add(f"{where}.name", f"字段 {e.name} 重复", f"field {e.name} repeats")
            bad = True
        seen.add(e.name)
        core = SUBJECTS.get(e.subject)
        if core is None:
            found.add(
                f"{where}.subject",
                f"未知记录类型 {e.subject!r}（可用：{', '.join(SUBJECTS)}）",
                f"unknown record {e.subject!r} (one of {', '.join(SUBJECTS)})",
            )
            bad = True
        elif e.name in attrs.fields_dict(core) or (core is Person and e.name == "age"):
            found.add(
                f"{where}.name",
                f"{e.name} 已是核心模型的字段",
                f"{e.name} is already a field of the core model",
            )
            bad = True
        if e.type not in (*FIELD_TYPES, "code"):
            found.add(
                f"{where}.type",
                f"未知类型 {e.type!r}（可用：{', '.join([*FIELD_TYPES, 'code'])}）",
                f"unknown type {e.type!r} (one of {', '.join([*FIELD_TYPES, 'code'])})",
            )
            bad = True
        if (e.type == "code") != (e.codes is not None):
            found.add(
                f"{where}.codes",
                "代码类型的字段须写 codes（分类编号），其他类型不写",
                "a field of type code names its taxonomy in codes; other types do not",
            )
            bad = True
        if (e.minimum is not None or e.maximum is not None) and e.type not in (
            "number",
            "integer",
        ):
            found.add(
                f"{where}.minimum", "只有数值字段可设上下限", "only number fields have bounds"
            )
            bad = True
        if e.check is not None and CHECKS.get(e.check, ("",))[0] != e.type:
            known = ", ".join(f"{k} ({t})" for k, (t, _) in CHECKS.items())
            found.add(
                f"{where}.check",
                f"未知检查 {e.check!r} 或不适用于 {e.type}（可用：{known}）",
                f"unknown check {e.check!r}, or not for type {e.type} (known: {known})",
            )
            bad = True
        if e.part_of is not None and not _is_count(e.part_of, core, f.fields, e.subject):
            found.add(
                f"{where}.part_of",
                f"part_of 应为同一记录的数值字段（实为 {e.part_of!r}）",
                f"part_of names a number field of the same record (not {e.part_of!r})",
            )
            bad = True
        citation = citation_of(e.source, e.locator, None, found, where)
        if bad:
            continue
        out.append(
            PackField(
                name=e.name,
                subject=e.subject,
                type=e.type,
                title=e.title.text(),
                citation=citation,
                pack=pack,
                codes=e.codes,
                unit=e.unit,
                aliases=tuple(e.aliases),
                personal=e.personal,
                minimum=e.minimum,
                maximum=e.maximum,
                description=e.description.text() if e.description else None,
                check_name=e.check,
                part_of=e.part_of,
            )
        )
    return out


def _is_count(name: str, core: Any, declared: Sequence[Any], subject: str) -> bool:
    """Whether ``name`` is a number field of ``subject``'s records (core or declared
    in the same file): what a ``part_of`` may name."""
    if core is not None and name in attrs.fields_dict(core):
        kind = typing.get_type_hints(core)[name]
        return kind in (int | None, float | None)
    return any(
        e.name == name and e.subject == subject and e.type in ("number", "integer")
        for e in declared
    )


def _load_taxonomy(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[Taxonomy, bool] | None:
    path = f"taxonomies/{resource.name}"
    f, found = read_file(resource, path, TaxonomyFile, problems)
    if f is None:
        return None
    if (f.codes is None) == (f.items is None):
        found.add("", "须有 items 或 codes 之一", "needs exactly one of items or codes")
        return None
    if f.codes is not None:
        if f.codes not in CODE_LISTS:
            found.add("codes", f"未知代码表 {f.codes!r}", f"unknown code list {f.codes!r}")
            return None
        items = tuple(TaxonomyItem(m.value, m.label) for m in CODE_LISTS[f.codes])
    else:
        assert f.items is not None
        for i, item in enumerate(f.items):
            if not NAME.match(item.code):
                found.add(f"items[{i}].code", "代码应为 snake_case", "a code is snake_case")
        items = tuple(TaxonomyItem(i.code, i.label.text()) for i in f.items)
        if len({i.code for i in items}) != len(items):
            found.add("items", "代码重复", "codes repeat")
    taxonomy = Taxonomy(
        id=resource.name.removesuffix(".toml"),
        title=f.title.text(),
        citation=citation_of(f.source, f.locator, None, found, ""),
        items=items,
        code_list=f.codes,
        description=f.description.text() if f.description else None,
        pack=pack,
        file=path,
    )
    return taxonomy, f.override


def _load_reference(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[ReferenceSpec, bool] | None:
    path = f"references/{resource.name}"
    f, found = read_file(resource, path, ReferenceFile, problems)
    if f is None:
        return None
    name = resource.name.removesuffix(".toml")
    if not NAME.match(name):
        found.add("", "文件名应为 snake_case", "the file name must be snake_case")
    if f.kind == "set" and f.columns:
        found.add("columns", "集合没有列（只有键）", "a set has no columns (only keys)")
    if f.key in f.columns or len(set(f.columns)) != len(f.columns):
        found.add("columns", "列名重复", "column names repeat")
    for i, c in enumerate(f.columns):
        if not NAME.match(c):
            found.add(f"columns[{i}]", "列名应为 snake_case", "a column name is snake_case")
    spec = ReferenceSpec(
        id=name,
        kind=f.kind,
        key=f.key,
        key_form=f.key_form,
        columns=tuple(f.columns),
        title=f.title.text(),
        citation=citation_of(f.source, f.locator, None, found, ""),
        description=f.description.text() if f.description else None,
        pack=pack,
        file=path,
    )
    return spec, f.override


def _steps(entries: list[StepTable], found: FileProblems, key: str) -> list[tuple[str, Text]]:
    for i, e in enumerate(entries):
        if not NAME.match(e.id):
            found.add(f"{key}[{i}].id", "编号应为 snake_case", "an id is snake_case")
    if len({e.id for e in entries}) != len(entries):
        found.add(key, "编号重复", "ids repeat")
    return [(e.id, e.label.text()) for e in entries]


def _step_file(
    pack: str,
    resource: Traversable,
    folder: str,
    kind: type[ProcedureFile] | type[ChecklistFile],
    problems: list[FileProblems],
) -> tuple[Any, FileProblems, dict[str, Any]] | None:
    """A procedure's or checklist's file, read, with what the two share: id (the file's
    name), subject, title, citation, pack, file and period."""
    path = f"{folder}/{resource.name}"
    f, found = read_file(resource, path, kind, problems)
    if f is None:
        return None
    shared = {
        "id": resource.name.removesuffix(".toml"),
        "subject": f.subject,
        "title": f.title.text(),
        "citation": citation_of(f.source, f.locator, None, found, ""),
        "pack": pack,
        "file": path,
        "in_force": period_of(f.in_force, pack, found, "in_force") if f.in_force else None,
    }
    return f, found, shared


def _load_procedure(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[Procedure, bool] | None:
    read = _step_file(pack, resource, "procedures", ProcedureFile, problems)
    if read is None:
        return None
    f, found, shared = read
    steps = tuple(Step(i, label) for i, label in _steps(f.steps, found, "steps"))
    return Procedure(steps=steps, **shared), f.override


def _load_checklist(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[Checklist, bool] | None:
    read = _step_file(pack, resource, "checklists", ChecklistFile, problems)
    if read is None:
        return None
    f, found, shared = read
    checklist = Checklist(
        items=tuple(ChecklistEntry(i, label) for i, label in _steps(f.items, found, "items")),
        description=f.description.text() if f.description else None,
        interpretation=f.interpretation,
        **shared,
    )
    return checklist, f.override


def _load_not_encoded(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> list[NotEncoded]:
    if not resource.is_file():
        return []
    f, found = read_file(resource, "not_encoded.toml", NotEncodedFile, problems)
    if f is None:
        return []
    return [
        NotEncoded(
            e.rule.text(),
            e.reason.text(),
            citation_of(e.source, e.locator, None, found, f"entries[{i}]"),
            pack,
        )
        for i, e in enumerate(f.entries)
    ]


def _load_periods(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> dict[str, Period]:
    """``periods.toml``: ``[[periods]]`` tables, each a ``rule`` (``[kind:]id``), a
    ``start``, an optional ``end``, the citation that sets it and an optional note."""
    if not resource.is_file():
        return {}
    f, found = read_file(resource, "periods.toml", PeriodsFile, problems)
    if f is None:
        return {}
    out: dict[str, Period] = {}
    for i, e in enumerate(f.periods):
        where = f"periods[{i}]"
        if e.rule in out:
            found.add(where, f"规则 {e.rule} 的生效期给了两次", f"rule {e.rule} is given twice")
            continue
        table = PeriodTable(e.start, e.source, e.locator, e.end, e.note)
        period = period_of(table, pack, found, where)
        if period is not None:
            out[e.rule] = period
    return out


def load_data(pack: str, data: Traversable | None) -> PackData:
    """Read a pack's data folder (strictly; see :doc:`/pack-data-format`): every problem
    of every file is reported at once, in one :class:`~poverty_core.errors.PackError`."""
    if data is None:
        return PackData({}, [], [], [], [], [])
    if not data.is_dir():
        raise PackError(
            pack, Text(f"数据目录不存在：{data}", f"data folder does not exist: {data}")
        )
    known = {
        "sources.toml",
        "parameters",
        "taxonomies",
        "procedures",
        "checklists",
        "not_encoded.toml",
        "periods.toml",
        "fields.toml",
        "references",
    }
    problems: list[FileProblems] = []
    for entry in data.iterdir():
        if entry.name not in known and not entry.name.startswith((".", "_")):
            unknown = FileProblems(entry.name)
            unknown.add("", "数据目录中的未知文件", "unknown entry in the data folder")
            problems.append(unknown)

    def each(
        loader: Callable[[str, Traversable, list[FileProblems]], Any], folder: str
    ) -> list[Any]:
        loaded = [loader(pack, r, problems) for r in list_toml(data / folder)]
        return [x for x in loaded if x is not None]

    result = PackData(
        sources=load_sources(pack, data / "sources.toml", problems),
        parameters=load_parameters(pack, data / "parameters", problems),
        taxonomies=each(_load_taxonomy, "taxonomies"),
        procedures=each(_load_procedure, "procedures"),
        checklists=each(_load_checklist, "checklists"),
        not_encoded=_load_not_encoded(pack, data / "not_encoded.toml", problems),
        periods=_load_periods(pack, data / "periods.toml", problems),
        fields=_load_fields(pack, data / "fields.toml", problems),
        references=each(_load_reference, "references"),
    )
    raise_problems(pack, problems)
    return result
