"""Policy packs: definitions, inheritance, load-time validation and lookup.

A plugin registers a :class:`PackDefinition` — a name, a parent, a data folder of
TOML files (sources, parameters, taxonomies, procedures) and the rules written in
Python. :func:`load_pack` assembles the effective :class:`Pack` by walking the parent
chain: a child overrides a parameter or rule by id (explicitly), adds new ones, or
removes one explicitly; every item keeps the pack it came from. Assembly checks that
every rule reads fields that exist and parameters the pack defines, that every
citation names a known source, and that parents exist without cycles — each problem a
:class:`~poverty_core.errors.PackError` naming the pack (and plugin, file and key).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import attrs

from poverty_core._text import Language, Text
from poverty_core.codes import CODE_LISTS
from poverty_core.engine import (
    BatchResult,
    Classification,
    ClassificationBatch,
    DecisionResult,
    EntitlementBatch,
    EntitlementResult,
    classify,
    classify_batch,
    decide,
    decide_batch,
    entitle,
    entitle_batch,
)
from poverty_core.errors import PackError, UnknownName
from poverty_core.expressions import subject_of
from poverty_core.frame import Frame
from poverty_core.model import County, Household, Person, Village
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
from poverty_core.parameters import (
    Citation,
    Parameter,
    Period,
    Source,
    citation_of,
    format_value,
    load_parameters,
    load_sources,
    period_of,
)
from poverty_core.references import ReferenceData, ReferenceSpec
from poverty_core.rules import (
    Checklist,
    ChecklistEntry,
    Classifier,
    Criterion,
    Decision,
    DecisionExtension,
    Entitlement,
    Indicator,
    Procedure,
    Step,
    Taxonomy,
    TaxonomyItem,
    versions_of,
)
from poverty_core.vocabulary import (
    CHECKS,
    FIELD_TYPES,
    SUBJECTS,
    PackField,
    Vocabulary,
    code_class,
    header_problems,
    record_classes,
)

if TYPE_CHECKING:
    # the names that moved to poverty_core.plugins, for type checkers (see __getattr__)
    from poverty_core.plugins import BLOCK_ENV as BLOCK_ENV
    from poverty_core.plugins import PackRegistry as PackRegistry
    from poverty_core.plugins import available_packs as available_packs
    from poverty_core.plugins import default_registry as default_registry
    from poverty_core.plugins import get_plugin_manager as get_plugin_manager
    from poverty_core.plugins import load_pack as load_pack
    from poverty_core.readiness import Readiness

__all__ = [
    "RULE_KINDS",
    "NotEncoded",
    "Pack",
    "PackDefinition",
    "Rule",
    "RuleKind",
    "assemble",
]

Rule = Criterion | Decision | DecisionExtension | Classifier | Entitlement | Indicator
"""Anything a pack registers in ``rules=`` or ``overrides=``."""


@attrs.frozen
class RuleKind:
    """One kind of item a pack holds: how it is defined, merged along the parent chain,
    removed, dated and looked up. :data:`RULE_KINDS` is the one table of them that
    assembly, removal, periods and the accessors iterate."""

    name: str
    """The kind as written in ``removes`` and ``periods.toml`` (``criterion``)."""
    attr: str
    """The :class:`Pack` attribute holding them (``criteria``)."""
    label: Text
    cls: type[Any] | None = None
    """The class a plugin registers in ``rules=`` / ``overrides=`` (Python-defined kinds)."""
    data: str | None = None
    """The :class:`PackData` attribute they are read into (data-file kinds)."""
    dated: bool = True
    """True when each item governs for a period."""

    def key(self, item: Any) -> str:
        """The item's id (a parameter's name)."""
        return str(item.name if self.name == "parameter" else item.id)


RULE_KINDS: tuple[RuleKind, ...] = (
    RuleKind("parameter", "parameters", Text("参数", "parameter"), data="parameters", dated=False),
    RuleKind("taxonomy", "taxonomies", Text("分类", "taxonomy"), data="taxonomies", dated=False),
    RuleKind("procedure", "procedures", Text("程序", "procedure"), data="procedures"),
    RuleKind("checklist", "checklists", Text("核查清单", "checklist"), data="checklists"),
    RuleKind(
        "reference",
        "references",
        Text("参考数据", "reference data"),
        data="references",
        dated=False,
    ),
    RuleKind("criterion", "criteria", Text("判定标准", "criterion"), cls=Criterion),
    RuleKind("decision", "decisions", Text("决策", "decision"), cls=Decision),
    RuleKind("classifier", "classifiers", Text("分类器", "classifier"), cls=Classifier),
    RuleKind("entitlement", "entitlements", Text("补助项目", "entitlement"), cls=Entitlement),
    RuleKind("indicator", "indicators", Text("指标", "indicator"), cls=Indicator),
)
"""Every kind of item a pack holds, in the order they are assembled."""


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class PackDefinition:
    """What a plugin registers: one pack's own data and rules (not its parent's).

    :param name: the pack's name (lower-case snake_case), unique among installed packs.
    :param parent: the pack it extends (``None`` only for the root ``national``).
    :param data: folder with ``sources.toml``, ``parameters/``, ``taxonomies/``,
        ``procedures/`` and ``not_encoded.toml`` (see :doc:`/pack-data-format`).
    :param rules: new criteria and decisions.
    :param overrides: criteria and decisions replacing an ancestor's of the same id.
    :param removes: ids of inherited rules, parameters, procedures, checklists or
        taxonomies to drop; ``kind:id`` (``procedure:county_exit``) where an id names
        more than one kind.
    """

    name: str
    title: Text
    version: str
    parent: str | None = "national"
    data: Traversable | None = None
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    overrides: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    removes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    description: Text | None = None
    plugin: str = ""
    """The plugin that registered the definition (filled in by the registry)."""


@attrs.frozen
class NotEncoded:
    """A rule of the inventory the pack does not encode, and why."""

    rule: Text
    reason: Text
    citation: Citation
    pack: str = ""


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


def _load_procedure(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[Procedure, bool] | None:
    path = f"procedures/{resource.name}"
    f, found = read_file(resource, path, ProcedureFile, problems)
    if f is None:
        return None
    procedure = Procedure(
        id=resource.name.removesuffix(".toml"),
        subject=f.subject,
        title=f.title.text(),
        citation=citation_of(f.source, f.locator, None, found, ""),
        steps=tuple(Step(i, label) for i, label in _steps(f.steps, found, "steps")),
        pack=pack,
        file=path,
        in_force=period_of(f.in_force, pack, found, "in_force") if f.in_force else None,
    )
    return procedure, f.override


def _load_checklist(
    pack: str, resource: Traversable, problems: list[FileProblems]
) -> tuple[Checklist, bool] | None:
    path = f"checklists/{resource.name}"
    f, found = read_file(resource, path, ChecklistFile, problems)
    if f is None:
        return None
    checklist = Checklist(
        id=resource.name.removesuffix(".toml"),
        subject=f.subject,
        title=f.title.text(),
        citation=citation_of(f.source, f.locator, None, found, ""),
        items=tuple(ChecklistEntry(i, label) for i, label in _steps(f.items, found, "items")),
        description=f.description.text() if f.description else None,
        interpretation=f.interpretation,
        pack=pack,
        file=path,
        in_force=period_of(f.in_force, pack, found, "in_force") if f.in_force else None,
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


@attrs.define
class _Namer:
    pack: Pack

    def field(self, subject: type[Any], name: str, language: Language) -> str:
        # the pack's record class of the subject: its declared fields have labels too
        for cls in self.pack.record_types.values():
            if isinstance(subject, type) and issubclass(cls, subject):
                subject = cls
                break
        labels = subject.field_labels() if hasattr(subject, "field_labels") else {}
        if name == "age" and subject is Person:
            return "年龄" if language == "zh" else "age"
        label = labels.get(name)
        return label[language] if label else name

    def param(self, name: str, language: Language) -> str:
        p = self.pack.parameters.get(name)
        return p.title[language] if p else name

    def checklist(self, name: str, language: Language) -> str:
        c = self.pack.checklists.get(name)
        return c.title[language] if c else name

    def procedure(self, name: str, language: Language) -> str:
        p = self.pack.procedures.get(name)
        return p.title[language] if p else name

    def reference(self, name: str, language: Language) -> str:
        r = self.pack.references.get(name)
        return r.title[language] if r else name


@attrs.frozen(eq=False)
class Pack:
    """An assembled, effective pack: its own items and everything it inherits.

    Every parameter, criterion, decision, procedure, taxonomy and source records the
    pack it comes from (``.pack``) and, when it replaces an ancestor's, which one
    (``.overrides``).

    A pack is frozen once assembled (registries cache and share it): the methods that
    change something — :meth:`with_periods`, :meth:`with_references` — return a new pack.
    """

    name: str
    title: Text
    version: str
    chain: tuple[str, ...]
    """This pack, its parent, … up to ``national``."""
    versions: dict[str, str]
    definition: PackDefinition
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    criteria: dict[str, Criterion]
    decisions: dict[str, Decision]
    procedures: dict[str, Procedure]
    checklists: dict[str, Checklist]
    classifiers: dict[str, Classifier]
    entitlements: dict[str, Entitlement]
    indicators: dict[str, Indicator]
    taxonomies: dict[str, Taxonomy]
    references: dict[str, ReferenceSpec]
    """Reference data a run supplies (:func:`poverty_core.blocks.reference`), declared by
    the pack and its ancestors."""
    not_encoded: list[NotEncoded]
    removed: dict[str, str]
    """Inherited ids this pack (or an ancestor) removed, with the pack that removed them."""
    run_periods: dict[str, Period] = attrs.Factory(dict)
    """Periods the caller set for its runs (:meth:`with_periods`); results record them."""
    fields: dict[str, PackField] = attrs.Factory(dict)
    """Input fields the pack and its ancestors declare (``fields.toml``)."""
    run_references: dict[str, ReferenceData] = attrs.field(factory=dict, repr=False)
    """Reference data the caller supplied for its runs (:meth:`with_references`)."""
    record_types: dict[str, type[Any]] = attrs.Factory(
        lambda: {"household": Household, "person": Person, "village": Village, "county": County}
    )
    """The pack's record classes (:mod:`poverty_core.vocabulary`), by kind."""

    def record_type(self, kind: str) -> type[Any]:
        """The pack's record class of ``kind`` (``household``, ``person``/``member``,
        ``village``, ``county``): the core class with the fields the pack declares."""
        key = "person" if kind == "member" else kind
        try:
            return self.record_types[key]
        except KeyError:
            raise UnknownName(
                Text("记录类型", "record kind"), kind, list(self.record_types)
            ) from None

    def structure(self, data: Any, kind: str = "household") -> Any:
        """Build one record of the pack's class of ``kind`` from a JSON-compatible dict
        (its declared fields included); raises :class:`~poverty_core.errors.InputError`
        listing every bad field."""
        from poverty_core.convert import structure

        return structure(data, self.record_type(kind))

    @property
    def parent(self) -> str | None:
        """The parent pack's name."""
        return self.definition.parent

    def decision(self, id: str) -> Decision:
        """A decision (or procedure, checklist) by id."""
        try:
            return self.decisions[id]
        except KeyError:
            raise UnknownName(Text("决策", "decision"), id, list(self.decisions)) from None

    def parameter(self, name: str) -> Parameter:
        """A parameter by name."""
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownName(Text("参数", "parameter"), name, list(self.parameters)) from None

    def value(self, name: str, on: dt.date) -> Any:
        """A parameter's value on a date.

        Raises :class:`~poverty_core.errors.ParameterNotDefined` when no value covers it.
        """
        from poverty_core.errors import ParameterNotDefined

        v = self.parameter(name).value_on(on)
        if v is None:
            raise ParameterNotDefined(self.name, name, on)
        return v.value

    def with_periods(self, periods: Mapping[str, Period | tuple[Any, Any]]) -> Pack:
        """A copy of the pack in which the caller sets the period of some rules, by
        ``[kind:]id`` (as in ``periods.toml``), for its own runs; every result of the copy
        records them in its provenance.

        A value is a :class:`~poverty_core.parameters.Period` or a ``(start, end)`` pair of
        dates or ISO strings (``end`` may be ``None``). Setting a decision's period sets it
        on the criteria that shared the decision's period too.

        >>> import datetime as dt, poverty_core as pc
        >>> national = pc.load_pack("national")
        >>> pack = national.with_periods({"decision:household_exit": ("2016-04-29", None)})
        >>> pack.decisions["household_exit"].in_force.format("en")
        'from 2016-04-29'
        >>> household = pc.Household(id="h", members=[pc.Person(id="1")])
        >>> pack.decide("household_exit", household, as_of=dt.date(2021, 6, 30)).outcome
        <Outcome.UNDETERMINED: 'undetermined'>
        """
        tables = self._period_tables()
        copies = {kind: dict(table) for kind, table in tables.items()}
        chosen: dict[str, Period] = {}
        for entry, value in periods.items():
            period = value if isinstance(value, Period) else _period_of(value)
            chosen[entry] = attrs.evolve(period, origin="caller")
        try:
            _set_periods(self.name, chosen, copies, file=None)
        except PackError as err:
            from poverty_core.errors import InputError, Problem

            raise InputError([Problem("periods", err.text)], what="periods") from None
        # steps and items follow their procedure's or checklist's period
        criteria, decisions = copies["criterion"], copies["decision"]
        for procedure in copies["procedure"].values():
            for step in procedure.step_criteria():
                criteria[step.id] = step
            decisions[procedure.as_decision().id] = procedure.as_decision()
        for checklist in copies["checklist"].values():
            for item in checklist.item_criteria():
                criteria[item.id] = item
            decisions[checklist.id] = checklist.as_decision()
        changes: dict[str, Any] = {attr: copies[kind] for kind, attr in _PERIOD_KINDS.items()}
        return attrs.evolve(self, run_periods={**self.run_periods, **chosen}, **changes)

    def with_references(self, references: Mapping[str, Any]) -> Pack:
        """A copy of the pack whose runs use the given reference data (by name, as
        :meth:`check_references` takes them) unless a call supplies its own; every result
        records each by name, row count and hash.

        >>> import poverty_core as pc
        >>> pack = pc.load_pack("zhangzhou").with_references(
        ...     {"identification_matches": [{"id_number": "35062319800101007x",
        ...                                  "data_set": "social_insurance"}]})
        >>> pack.run_references["identification_matches"].summary()["rows"]
        1
        """
        checked = self.check_references(references)
        return attrs.evolve(self, run_references={**self.run_references, **checked})

    def check_references(self, references: Mapping[str, Any] | None) -> dict[str, ReferenceData]:
        """The caller's reference data for a run, checked against the pack's declarations
        (:class:`~poverty_core.references.ReferenceSpec`) and normalised, on top of those
        of :meth:`with_references`. An undeclared name or bad data is an
        :class:`~poverty_core.errors.InputError` naming it (never echoing a value)."""
        from poverty_core.errors import InputError, Problem

        out = dict(self.run_references)
        problems: list[Problem] = []
        for name, value in (references or {}).items():
            spec = self.references.get(name)
            if spec is None:
                known = ", ".join(sorted(self.references)) or "—"
                problems.append(
                    Problem(
                        f"references.{name}",
                        Text(
                            f"策略包 {self.name} 没有声明参考数据 {name}（已声明：{known}）",
                            f"pack {self.name} declares no reference {name} (declared: {known})",
                        ),
                    )
                )
                continue
            try:
                out[name] = spec.data(value)
            except InputError as err:
                problems += err.problems
        if problems:
            raise InputError(problems, what="references")
        return out

    def _period_tables(self) -> dict[str, dict[str, Any]]:
        return {kind: getattr(self, attr) for kind, attr in _PERIOD_KINDS.items()}

    def namer(self) -> _Namer:
        """Names fields and parameters for rule texts."""
        return _Namer(self)

    def rule_text(self, rule: Criterion, language: Language = "en") -> str:
        """A criterion's test as readable text."""
        return rule.test.text(language, self.namer(), subject_of(rule.subject))

    def check_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Validate caller-supplied parameter values (name and type) for one run."""
        from poverty_core.errors import InputError, Problem

        problems: list[Problem] = []
        out: dict[str, Any] = {}
        for name, value in overrides.items():
            p = self.parameters.get(name)
            if p is None:
                problems.append(
                    Problem(
                        name,
                        Text(
                            f"策略包 {self.name} 没有参数 {name}",
                            f"pack {self.name} has no parameter {name}",
                        ),
                    )
                )
                continue
            try:
                out[name] = coerce_parameter(p, value)
            except ValueError as exc:
                problems.append(Problem(name, Text(f"取值无效：{exc}", f"invalid value: {exc}")))
        if problems:
            raise InputError(problems, what="overrides")
        return out

    def decide(
        self,
        decision: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> DecisionResult:
        """Evaluate a decision on one record (see :func:`poverty_core.engine.decide`).

        ``overrides``: parameter values for this run (:meth:`check_overrides`);
        ``references``: reference data by name, on top of those of
        :meth:`with_references` (:meth:`check_references`)."""
        return decide(
            self,
            decision,
            record,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def readiness(
        self,
        decision: str,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> Readiness:
        """What a decision needs on a date, before any record is read (rules in force,
        gaps, inputs read; see :func:`poverty_core.readiness.readiness`)."""
        from poverty_core.readiness import readiness

        return readiness(
            self,
            decision,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def decide_batch(
        self,
        decision: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """Evaluate a decision over many records, vectorised (``overrides`` and
        ``references`` as for :meth:`decide`)."""
        return decide_batch(
            self,
            decision,
            records,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def _get(self, table: Mapping[str, Any], kind: Text, id: str) -> Any:
        try:
            return table[id]
        except KeyError:
            raise UnknownName(kind, id, list(table)) from None

    def classify(
        self,
        classifier: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> Classification:
        """Put one record in a class of a classifier."""
        c = self._get(self.classifiers, Text("分类器", "classifier"), classifier)
        return classify(
            self,
            c,
            record,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def classify_batch(
        self,
        classifier: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> ClassificationBatch:
        """Classify many records, vectorised."""
        c = self._get(self.classifiers, Text("分类器", "classifier"), classifier)
        return classify_batch(
            self,
            c,
            records,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def entitle(
        self,
        entitlement: str,
        record: Any,
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> EntitlementResult:
        """What one household is due under an entitlement."""
        e = self._get(self.entitlements, Text("补助项目", "entitlement"), entitlement)
        return entitle(
            self,
            e,
            record,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def entitle_batch(
        self,
        entitlement: str,
        records: Frame | Sequence[Any],
        *,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> EntitlementBatch:
        """Entitlement totals over many households, vectorised."""
        e = self._get(self.entitlements, Text("补助项目", "entitlement"), entitlement)
        return entitle_batch(
            self,
            e,
            records,
            as_of=as_of,
            overrides=overrides,
            references=self.check_references(references),
        )

    def indicator(
        self,
        indicator: str,
        records: Frame | Sequence[Any],
        *,
        by: str | None = None,
        as_of: dt.date,
        overrides: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Compute an indicator per group (``by``: a field such as ``village_id``)."""
        from poverty_core.indicators import compute

        i = self._get(self.indicators, Text("指标", "indicator"), indicator)
        pack = self.with_references(references) if references else self
        return compute(pack, i, records, by=by, as_of=as_of, overrides=overrides)

    def describe(self) -> dict[str, Any]:
        """A JSON-compatible description of the effective pack, with the origin of every
        item (``pack``) and what it overrides (``overrides``)."""
        pack = self
        return {
            "name": pack.name,
            "version": pack.version,
            "title": pack.title.to_dict(),
            "chain": list(pack.chain),
            "versions": pack.versions,
            "decisions": [
                {
                    "id": d.id,
                    "subject": d.subject,
                    "kind": d.kind,
                    "title": d.title.to_dict(),
                    "pack": d.pack,
                    "overrides": d.overrides,
                    **_periods_info(d),
                    "criteria": list(d.criteria),
                    "citations": [c.to_dict() for c in d.citations],
                }
                for d in pack.decisions.values()
            ],
            "criteria": [
                {
                    "id": r.id,
                    "subject": r.subject,
                    "title": r.title.to_dict(),
                    "test": {"zh": pack.rule_text(r, "zh"), "en": pack.rule_text(r, "en")},
                    "reads": [ref.label() for ref in r.refs()],
                    "interpretation": r.interpretation,
                    "pack": r.pack,
                    "overrides": r.overrides,
                    **_periods_info(r),
                    "citations": [c.to_dict() for c in r.citations],
                }
                for r in pack.criteria.values()
            ],
            "parameters": [p.to_dict() for p in pack.parameters.values()],
            "fields": [f.to_dict() for f in pack.fields.values()],
            "taxonomies": [
                {
                    "id": t.id,
                    "title": t.title.to_dict(),
                    "pack": t.pack,
                    "items": [{"code": i.code, "label": i.label.to_dict()} for i in t.items],
                    "citation": t.citation.to_dict(),
                }
                for t in pack.taxonomies.values()
            ],
            "checklists": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "title": c.title.to_dict(),
                    "pack": c.pack,
                    "overrides": c.overrides,
                    "interpretation": c.interpretation,
                    **_periods_info(c),
                    "items": [{"id": i.id, "label": i.label.to_dict()} for i in c.items],
                    "citation": c.citation.to_dict(),
                }
                for c in pack.checklists.values()
            ],
            "classifiers": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "title": c.title.to_dict(),
                    "pack": c.pack,
                    "overrides": c.overrides,
                    "interpretation": c.interpretation,
                    **_periods_info(c),
                    "classes": [
                        {
                            "code": k.code,
                            "label": k.label.to_dict(),
                            "test": {
                                lang: k.test.text(lang, pack.namer(), subject_of(c.subject))
                                for lang in ("zh", "en")
                            },
                        }
                        for k in c.classes
                    ],
                    "otherwise": None
                    if c.otherwise is None
                    else {"code": c.otherwise.code, "label": c.otherwise.label.to_dict()},
                    "citations": [x.to_dict() for x in c.citations],
                }
                for c in pack.classifiers.values()
            ],
            "entitlements": [
                {
                    "id": e.id,
                    "subject": e.subject,
                    "title": e.title.to_dict(),
                    "pack": e.pack,
                    "overrides": e.overrides,
                    **_periods_info(e),
                    "lines": [
                        {
                            "id": ln.id,
                            "title": ln.title.to_dict(),
                            "per": ln.per,
                            "kind": ln.kind,
                            "in_force": ln.in_force.to_dict() if ln.in_force else None,
                            "reads": [r.label() for r in (*ln.condition.refs(), *ln.amount.refs())],
                            "citation": ln.citation.to_dict(),
                        }
                        for ln in e.lines
                    ],
                    "citations": [x.to_dict() for x in e.citations],
                }
                for e in pack.entitlements.values()
            ],
            "indicators": [
                {
                    "id": i.id,
                    "subject": i.subject,
                    "kind": i.kind,
                    "weight": i.weight,
                    "title": i.title.to_dict(),
                    "pack": i.pack,
                    "overrides": i.overrides,
                    **_periods_info(i),
                    "reads": [r.label() for e in i.expressions() for r in e.refs()],
                    "citations": [x.to_dict() for x in i.citations],
                }
                for i in pack.indicators.values()
            ],
            "references": [
                {**r.to_dict(), "read_by": _reference_readers(pack, r.id)}
                for r in pack.references.values()
            ],
            "sources": [s.to_dict() for s in pack.sources.values()],
            "removed": pack.removed,
            "not_encoded": [
                {
                    "pack": n.pack,
                    "rule": n.rule.to_dict(),
                    "reason": n.reason.to_dict(),
                    "citation": n.citation.to_dict(),
                }
                for n in pack.not_encoded
            ],
        }

    def decisions_for(self, subject: str) -> list[Decision]:
        """The decisions about one kind of record."""
        return [d for d in self.decisions.values() if d.subject == subject]


def _reference_readers(pack: Pack, name: str) -> dict[str, list[str]]:
    """The criteria (any version) that read reference ``name``, and the decisions made
    of them: what needs the data a run supplies."""
    criteria = [
        c.id
        for c in pack.criteria.values()
        if any(
            ref.kind == "reference" and ref.name == name
            for version in versions_of(c)
            for ref in version.refs()
        )
    ]
    decisions = [
        d.id
        for d in pack.decisions.values()
        if any(cid in criteria for version in versions_of(d) for cid in version.criteria)
    ]
    return {"criteria": criteria, "decisions": decisions}


def _periods_info(item: Any) -> dict[str, Any]:
    """``in_force`` of a rule, and ``earlier``: the inherited versions it overrides,
    which still govern outside its period."""
    return {
        "in_force": item.in_force.to_dict() if item.in_force else None,
        "earlier": [
            {"pack": v.pack, "in_force": v.in_force.to_dict() if v.in_force else None}
            for v in versions_of(item)[1:]
        ],
    }


_PERIOD_KINDS = {kind.name: kind.attr for kind in RULE_KINDS if kind.dated}
"""The kinds of rule that have a period in force, and the pack's table of each."""


def _period_of(value: tuple[Any, Any]) -> Period:
    def day(v: Any) -> dt.date | None:
        if v is None or isinstance(v, dt.date):
            return v
        return dt.date.fromisoformat(str(v))

    try:
        start, end = value
        first = day(start)
        if first is None:
            raise ValueError("a period needs a start date")
        return Period(first, day(end))
    except (TypeError, ValueError) as exc:
        from poverty_core.errors import InputError, Problem

        raise InputError(
            [Problem("periods", Text(f"生效期无效：{exc}", f"invalid period: {exc}"))],
            what="periods",
        ) from None


def coerce_parameter(p: Parameter, value: Any) -> Any:
    """Turn a caller's value (possibly a string from the command line) into the
    parameter's type; raises :class:`ValueError`, also for a value impossible for the
    parameter's unit (NaN, infinite, negative, a ratio above 1:
    :func:`poverty_core.parameters.value_problem`)."""
    from poverty_core.parameters import value_problem

    if p.type in ("number", "integer"):
        if p.type == "number":
            if isinstance(value, str):
                value = float(value)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{value!r} is not a number")
            value = float(value)
        else:
            if isinstance(value, str):
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{value!r} is not an integer")
        problem = value_problem(p.unit, p.type, value)
        if problem is not None:
            raise ValueError(problem.en)
        return value
    if p.type == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not true or false")
        return value
    if p.type == "text_list":
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        if not isinstance(value, list | tuple):
            raise ValueError(f"{value!r} is not a list of text")
        return tuple(str(v) for v in value)
    return str(value)


# -- assembly ------------------------------------------------------------------------


def _merge(
    pack: str,
    kind: Text,
    inherited: dict[str, Any],
    own: Iterable[tuple[Any, bool]],
    key: Callable[[Any], str],
) -> dict[str, Any]:
    result = dict(inherited)
    seen: set[str] = set()
    for item, override in own:
        k = key(item)
        if k in seen:
            raise PackError(
                pack,
                Text(
                    f"{kind.zh} {k} 在本包中定义了两次",
                    f"{kind.en} {k} is given twice in this pack",
                ),
                file=getattr(item, "file", "") or None,
            )
        seen.add(k)
        file = getattr(item, "file", "") or None
        if k in inherited and not override:
            raise PackError(
                pack,
                Text(
                    f"{kind.zh} {k} 已由 {inherited[k].pack} 定义；如要替换，请声明 override",
                    f"{kind.en} {k} is already defined by {inherited[k].pack}; "
                    f"declare it as an override to replace it",
                ),
                file=file,
            )
        if k not in inherited and override:
            raise PackError(
                pack,
                Text(
                    f"{kind.zh} {k} 声明为 override，但上级包中没有",
                    f"{kind.en} {k} is declared an override but no ancestor defines it",
                ),
                file=file,
            )
        if k in result and not override:
            raise PackError(
                pack, Text(f"{kind.zh} {k} 重复定义", f"{kind.en} {k} is defined twice")
            )
        if override:
            changes: dict[str, Any] = {"overrides": inherited[k].pack}
            if hasattr(item, "supersedes"):
                changes["supersedes"] = inherited[k]
            item = attrs.evolve(item, **changes)
        result[k] = item
    return result


def assemble(definition: PackDefinition, parent: Pack | None) -> Pack:
    """Build the effective pack of ``definition`` on top of its assembled ``parent``."""
    name = definition.name
    data = load_data(name, definition.data)
    sources = dict(parent.sources) if parent else {}
    for sid, source in data.sources.items():
        if sid in sources:
            raise PackError(
                name,
                Text(
                    f"来源 {sid} 已由 {sources[sid].pack} 定义",
                    f"source {sid} is already defined by {sources[sid].pack}",
                ),
                file="sources.toml",
            )
        sources[sid] = source

    def own(kind: RuleKind) -> list[tuple[Any, bool]]:
        if kind.data is not None:
            items: list[tuple[Any, bool]] = getattr(data, kind.data)
            return items
        assert kind.cls is not None
        new = [
            (attrs.evolve(r, pack=name), False) for r in definition.rules if isinstance(r, kind.cls)
        ]
        replaced = [
            (attrs.evolve(r, pack=name), True)
            for r in definition.overrides
            if isinstance(r, kind.cls)
        ]
        return new + replaced

    merged: dict[str, dict[str, Any]] = {
        kind.name: _merge(
            name,
            kind.label,
            getattr(parent, kind.attr) if parent else {},
            own(kind),
            kind.key,
        )
        for kind in RULE_KINDS
    }
    taxonomies = merged["taxonomy"]
    procedures, checklists = merged["procedure"], merged["checklist"]
    criteria, decisions = merged["criterion"], merged["decision"]
    classifiers, entitlements = merged["classifier"], merged["entitlement"]
    indicators = merged["indicator"]
    _extend_decisions(name, definition, parent, decisions)
    _bind_blocks(name, parent, taxonomies, criteria, classifiers, entitlements, indicators)
    dated = {kind.name: merged[kind.name] for kind in RULE_KINDS if kind.dated}
    _date_rules(name, sources, dated)
    _set_periods(name, data.periods, dated)
    # Procedures and checklists become decisions over their steps and items,
    # regenerated so an override applies.
    for procedure in procedures.values():
        for step in procedure.step_criteria():
            criteria[step.id] = step
        as_decision = procedure.as_decision()
        decisions[as_decision.id] = as_decision
    for checklist in checklists.values():
        for item in checklist.item_criteria():
            criteria[item.id] = item
        decisions[checklist.id] = checklist.as_decision()

    removed = dict(parent.removed) if parent else {}
    tables = merged
    for entry in definition.removes:
        kind, _, rid = entry.rpartition(":")
        if kind and kind not in tables:
            raise PackError(
                name,
                Text(
                    f"移除项 {entry!r} 的类别未知（可用：{', '.join(tables)}）",
                    f"remove {entry!r}: unknown kind (known: {', '.join(tables)})",
                ),
            )
        found = [k for k in ((kind,) if kind else tables) if rid in tables[k]]
        generated = {k for k in found if k == "decision" and decisions[rid].kind != "decision"}
        found = [k for k in found if k not in generated] or found
        if not found:
            raise PackError(
                name,
                Text(
                    f"要移除的 {entry} 不存在于上级包",
                    f"cannot remove {entry}: no ancestor defines it",
                ),
            )
        if len(found) > 1:
            choices = ", ".join(f"{k}:{rid}" for k in found)
            raise PackError(
                name,
                Text(
                    f"移除项 {rid!r} 有多个含义，请写明：{choices}",
                    f"remove {rid!r} is ambiguous; write one of {choices}",
                ),
            )
        item = tables[found[0]].pop(rid)
        removed[entry] = name
        # A procedure or checklist takes the decision and criteria made from it along.
        if found[0] == "procedure":
            decisions.pop(item.as_decision().id, None)
            for step in item.step_criteria():
                criteria.pop(step.id, None)
        elif found[0] == "checklist":
            decisions.pop(item.id, None)
            for criterion in item.item_criteria():
                criteria.pop(criterion.id, None)

    chain = (name, *(parent.chain if parent else ()))
    versions = {name: definition.version, **(parent.versions if parent else {})}
    fields, record_types = _vocabulary(name, data, parent, taxonomies)
    pack = Pack(
        name=name,
        title=definition.title,
        version=definition.version,
        chain=chain,
        versions=versions,
        definition=definition,
        sources=sources,
        **{kind.attr: merged[kind.name] for kind in RULE_KINDS},
        not_encoded=[*(parent.not_encoded if parent else []), *data.not_encoded],
        removed=removed,
        fields=fields,
        record_types=record_types,
    )
    render_texts(pack)
    _validate(pack)
    _resolve_citations(pack)
    return pack


def _vocabulary(
    name: str, data: PackData, parent: Pack | None, taxonomies: Mapping[str, Taxonomy]
) -> tuple[dict[str, PackField], dict[str, type[Any]]]:
    """The pack's fields (inherited and its own, code lists resolved from its taxonomies),
    their headers checked against the core columns', and its record classes."""
    fields = dict(parent.fields) if parent else {}
    problems: list[Text] = []
    for f in data.fields:
        if f.name in fields:
            problems.append(
                Text(
                    f"fields.toml：字段 {f.name} 已由 {fields[f.name].pack} 声明",
                    f"fields.toml: field {f.name} is already declared by {fields[f.name].pack}",
                )
            )
            continue
        if f.codes is not None:
            t = taxonomies.get(f.codes)
            if t is None:
                problems.append(
                    Text(
                        f"fields.toml：字段 {f.name} 的代码表 {f.codes!r} 不是本包或上级包的分类",
                        f"fields.toml: field {f.name}: codes {f.codes!r} is no taxonomy "
                        "of the pack or its ancestors",
                    )
                )
                continue
            codes = code_class(t.pack, t.id, [(i.code, i.label) for i in t.items])
            f = attrs.evolve(f, code_list=codes)
        fields[f.name] = f
    if not problems:
        problems = header_problems(Vocabulary(tuple(fields.values()), name))
    if problems:
        raise PackError(
            name,
            Text("\n".join(p.zh for p in problems), "\n".join(p.en for p in problems)),
            file="fields.toml",
        )
    if parent is not None and not data.fields:
        return fields, parent.record_types
    return fields, record_classes(name, fields.values())


def _extend_decisions(
    name: str, definition: PackDefinition, parent: Pack | None, decisions: dict[str, Decision]
) -> None:
    """Apply the pack's :class:`~poverty_core.rules.DecisionExtension` s to the decisions
    it inherits: the parent's current list, changed by id, never restated."""
    problems: list[str] = []
    for ext in definition.rules:
        if not isinstance(ext, DecisionExtension):
            continue
        inherited = parent.decisions.get(ext.id) if parent else None
        if inherited is None:
            problems.append(f"extension of {ext.id!r}: no ancestor defines that decision")
            continue
        if decisions[ext.id] is not inherited:
            problems.append(f"decision {ext.id!r} is both overridden and extended")
            continue
        criteria, wrong = ext.apply(inherited.criteria)
        problems += [f"extension of {ext.id!r}: {w}" for w in wrong]
        decisions[ext.id] = attrs.evolve(
            inherited,
            criteria=criteria,
            citations=[*inherited.citations, *ext.citations],
            title=ext.title or inherited.title,
            description=ext.description or inherited.description,
            in_force=ext.in_force or inherited.in_force,
            pack=name,
            overrides=inherited.pack,
            supersedes=inherited,
        )
    if problems:
        lines = "; ".join(problems)
        raise PackError(name, Text(f"决策扩展无效：{lines}", f"invalid extension: {lines}"))


def _bind_blocks(
    name: str,
    parent: Pack | None,
    taxonomies: Mapping[str, Taxonomy],
    *tables: dict[str, Any],
) -> None:
    """Bind ``inherited(...)`` and ``taxonomy(...)`` in the rules this pack defines."""
    from poverty_core.blocks import bind

    codes: dict[str, tuple[Any, ...]] = {}
    for tid, t in taxonomies.items():
        members = CODE_LISTS.get(t.code_list) if t.code_list else None
        codes[tid] = tuple(members) if members else tuple(t.codes())
    problems: list[str] = []
    parent_criteria = parent.criteria if parent else {}

    def b(expr: Any, where: str) -> Any:
        if expr is None:
            return None
        return bind(
            expr,
            parent_criteria=parent_criteria,
            taxonomies=codes,
            problems=problems,
            where=where,
        )

    for table in tables:
        for key, item in table.items():
            if item.pack != name:
                continue
            where = f"{type(item).__name__.lower()} {item.id}"
            if isinstance(item, Criterion):
                item = attrs.evolve(
                    item,
                    test=b(item.test, where),
                    observed=b(item.observed, where),
                    required=b(item.required, where),
                )
            elif isinstance(item, Classifier):
                item = attrs.evolve(
                    item, classes=[attrs.evolve(c, test=b(c.test, where)) for c in item.classes]
                )
            elif isinstance(item, Entitlement):
                item = attrs.evolve(
                    item,
                    eligibility=b(item.eligibility, where),
                    lines=[
                        attrs.evolve(
                            ln, condition=b(ln.condition, where), amount=b(ln.amount, where)
                        )
                        for ln in item.lines
                    ],
                )
            elif isinstance(item, Indicator):
                item = attrs.evolve(
                    item,
                    condition=b(item.condition, where),
                    value=b(item.value, where),
                    denominator=b(item.denominator, where),
                    where=b(item.where, where),
                    target=None
                    if item.target is None
                    else (item.target[0], b(item.target[1], where)),
                )
            table[key] = item
    if problems:
        lines = "; ".join(problems)
        raise PackError(name, Text(f"无法绑定：{lines}", f"cannot bind: {lines}"))


def _first_citation(item: Any) -> Citation:
    citations = getattr(item, "citations", None)
    return citations[0] if citations else item.citation  # type: ignore[no-any-return]


def _date_rules(
    name: str, sources: Mapping[str, Source], tables: Mapping[str, dict[str, Any]]
) -> None:
    """Give every rule this pack defines the period it governs: its own ``in_force``, or
    the ``governs`` period of the source it cites first. A rule for which neither is
    stated is a load error: no rule applies for ever by default."""
    problems: list[str] = []

    def date(kind: str, item: Any) -> Any:
        if item.in_force is not None:
            if item.in_force.origin:
                return item
            return attrs.evolve(item, in_force=attrs.evolve(item.in_force, origin=name))
        citation = _first_citation(item)
        source = sources.get(citation.source)
        if source is None:
            return item  # an unknown source: reported by validation
        if source.governs is None:
            problems.append(
                f"{kind} {item.id}: its first source {citation.source!r} states no period "
                f"(governs) and the rule gives none (in_force)"
            )
            return item
        return attrs.evolve(item, in_force=source.governs)

    for kind, table in tables.items():
        for key, item in table.items():
            if item.pack != name:
                continue
            item = date(kind, item)
            if isinstance(item, Entitlement):
                item = attrs.evolve(
                    item, lines=[date(f"entitlement {item.id} line", ln) for ln in item.lines]
                )
            table[key] = item
    if problems:
        lines = "; ".join(problems)
        raise PackError(name, Text(f"生效期不明：{lines}", f"no period in force: {lines}"))


def _set_periods(
    name: str,
    periods: Mapping[str, Period],
    tables: Mapping[str, dict[str, Any]],
    *,
    file: str | None = "periods.toml",
) -> None:
    """Apply ``periods.toml``: set the period of inherited (or own) rules by id."""
    for entry, period in periods.items():
        kind, _, rid = entry.rpartition(":")
        if kind and kind not in tables:
            raise PackError(
                name,
                Text(
                    f"生效期 {entry!r} 的类别未知（可用：{', '.join(tables)}）",
                    f"period for {entry!r}: unknown kind (known: {', '.join(tables)})",
                ),
                file=file,
            )
        found = [k for k in ((kind,) if kind else tables) if rid in tables[k]]
        if len(found) != 1:
            choices = ", ".join(f"{k}:{rid}" for k in found) or "—"
            raise PackError(
                name,
                Text(
                    f"生效期 {entry!r} 找不到唯一的规则（{choices}）",
                    f"period for {entry!r} names no single rule ({choices})",
                ),
                file=file,
            )
        table = tables[found[0]]
        old = table[rid].in_force
        table[rid] = attrs.evolve(table[rid], in_force=period)
        if found[0] == "decision" and "criterion" in tables:
            # criteria that governed with the decision follow it (a decision's period set
            # without its criteria would leave nothing in force)
            criteria = tables["criterion"]
            for cid in table[rid].criteria:
                rule = criteria.get(cid)
                if rule is not None and _same_dates(rule.in_force, old):
                    criteria[cid] = attrs.evolve(rule, in_force=period)


def _personal_reads(expr: Any, subject: type[Any], persons: type[Any] = Person) -> list[str]:
    """Personal fields (names, ID numbers …) an expression reads as values, not only
    whether they are filled in: their values would be reported in findings."""
    from poverty_core.expressions import (
        Field,
        Filled,
        Function,
        IsIn,
        Length,
        Lookup,
        Member,
        Reference,
    )

    if isinstance(expr, Filled | Length | Function):
        return []
    if isinstance(expr, IsIn) and isinstance(expr.options, Reference):
        return []  # only whether the value is among the supplied keys is reported
    if isinstance(expr, Lookup) and isinstance(expr.key, Field | Member):
        return []  # the key selects a row; the row's cell is reported, not the key
    if isinstance(expr, Field | Member):
        cls = persons if isinstance(expr, Member) else subject
        a = attrs.fields_dict(cls).get(expr.name)
        return [expr.name] if a is not None and a.metadata.get("personal") else []
    return [name for child in expr.children() for name in _personal_reads(child, subject, persons)]


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _rendered_value(parameter: Parameter, period: Period | None, language: Language) -> str:
    """A parameter's value(s) over a rule's period, as a title shows them."""
    shown: list[tuple[dt.date, str]] = []
    for start, end, v in parameter.covering():
        if period is not None and (
            (period.end is not None and start > period.end)
            or (end is not None and end < period.start)
        ):
            continue
        shown.append((start, format_value(v.value, parameter.unit)))
    if not shown:
        return "（无取值）" if language == "zh" else "(no value)"
    if len({text for _, text in shown}) == 1:
        return shown[0][1]
    sep = "／" if language == "zh" else " / "
    word = "起" if language == "zh" else "from "
    return sep.join(
        f"{text}（{day}{word}）" if language == "zh" else f"{text} ({word}{day})"
        for day, text in shown
    )


def render_texts(pack: Pack) -> None:
    """Render the ``{parameter}`` placeholders in the titles and descriptions of every
    rule of ``pack`` from the pack's own parameters, so that a child pack that overrides a
    threshold never shows its parent's number (``降至{village_incidence_max}以下`` reads
    "降至2%以下" in the national pack and the child's value in a child). The text as
    written is kept (``rule.template``) for the packs that inherit it."""

    def render(text: Text | None, period: Period | None) -> Text | None:
        if text is None:
            return None

        def one(language: Language) -> str:
            def value(match: re.Match[str]) -> str:
                parameter = pack.parameters.get(match.group(1))
                if parameter is None:
                    return match.group(0)
                return _rendered_value(parameter, period, language)

            return _PLACEHOLDER.sub(value, text[language])

        return Text(one("zh"), one("en"))

    tables: tuple[dict[str, Any], ...] = (
        pack.criteria,
        pack.decisions,
        pack.classifiers,
        pack.entitlements,
        pack.indicators,
    )
    for table in tables:
        for key, item in table.items():
            template = item.template
            if template is None:
                words = f"{item.title.zh}{item.title.en}"
                if item.description is not None:
                    words += f"{item.description.zh}{item.description.en}"
                if not _PLACEHOLDER.search(words):
                    continue
                template = (item.title, item.description)
            table[key] = attrs.evolve(
                item,
                title=render(template[0], item.in_force) or item.title,
                description=render(template[1], item.in_force),
                template=template,
            )


def _same_dates(a: Period | None, b: Period | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.start, a.end) == (b.start, b.end)


def _resolve_citations(pack: Pack) -> None:
    def bind(c: Citation) -> Citation:
        return attrs.evolve(c, resolved=pack.sources[c.source])

    for k, p in pack.parameters.items():
        pack.parameters[k] = attrs.evolve(
            p, values=tuple(attrs.evolve(v, citation=bind(v.citation)) for v in p.values)
        )
    for k, r in pack.criteria.items():
        pack.criteria[k] = attrs.evolve(r, citations=[bind(c) for c in r.citations])
    for k, d in pack.decisions.items():
        pack.decisions[k] = attrs.evolve(d, citations=[bind(c) for c in d.citations])
    for k, t in pack.taxonomies.items():
        pack.taxonomies[k] = attrs.evolve(t, citation=bind(t.citation))
    for k, rs in pack.references.items():
        pack.references[k] = attrs.evolve(rs, citation=bind(rs.citation))
    for k, pr in pack.procedures.items():
        pack.procedures[k] = attrs.evolve(pr, citation=bind(pr.citation))
    for k, cl in pack.checklists.items():
        pack.checklists[k] = attrs.evolve(cl, citation=bind(cl.citation))
    for k, cf in pack.classifiers.items():
        pack.classifiers[k] = attrs.evolve(cf, citations=[bind(c) for c in cf.citations])
    for k, en in pack.entitlements.items():
        pack.entitlements[k] = attrs.evolve(
            en,
            citations=[bind(c) for c in en.citations],
            lines=[attrs.evolve(ln, citation=bind(ln.citation)) for ln in en.lines],
        )
    for k, ind in pack.indicators.items():
        pack.indicators[k] = attrs.evolve(ind, citations=[bind(c) for c in ind.citations])
    pack.not_encoded[:] = [attrs.evolve(n, citation=bind(n.citation)) for n in pack.not_encoded]


def _validate(pack: Pack) -> None:
    problems: list[str] = []
    files: list[str] = []

    def cited(where: str, citation: Citation, file: str = "") -> None:
        if citation.source not in pack.sources:
            problems.append(f"{where}: cites unknown source {citation.source!r}")
            if file:
                files.append(file)

    for p in pack.parameters.values():
        for v in p.values:
            cited(f"parameter {p.name} (from {p.pack})", v.citation, p.file)
    for t in pack.taxonomies.values():
        cited(f"taxonomy {t.id}", t.citation)
    for pr in pack.procedures.values():
        cited(f"procedure {pr.id}", pr.citation)
    for ref in pack.references.values():
        cited(f"reference {ref.id}", ref.citation, ref.file)
    for n in pack.not_encoded:
        cited(f"not_encoded {n.rule.en!r}", n.citation)

    # Fields resolve through the pack's record classes: its declared fields are known,
    # another pack's are not.
    persons = attrs.fields_dict(pack.record_type("person"))

    def reads(where: str, subject_name: str, exprs: Iterable[Any], members: bool) -> None:
        own_fields = attrs.fields_dict(pack.record_type(subject_name))
        for expr in exprs:
            for ref in expr.refs():
                if ref.kind == "field" and ref.name not in own_fields:
                    problems.append(f"{where} reads unknown {subject_name} field {ref.name!r}")
                elif ref.kind == "member" and (
                    not members or (ref.name != "age" and ref.name not in persons)
                ):
                    problems.append(f"{where} reads unknown member field {ref.name!r}")
                elif ref.kind == "param" and ref.name not in pack.parameters:
                    problems.append(f"{where} reads undefined parameter {ref.name!r}")
                elif ref.kind == "procedure" and ref.name not in pack.procedures:
                    problems.append(f"{where} reads undefined procedure {ref.name!r}")
                elif ref.kind == "checklist":
                    checklist, _, item = ref.name.partition(".")
                    known = pack.checklists.get(checklist)
                    if known is None or (item and item not in {i.id for i in known.items}):
                        problems.append(f"{where} reads undefined checklist item {ref.name!r}")

    for rule in pack.criteria.values():
        for expr in (rule.test, rule.observed, rule.required):
            if expr is None:
                continue
            for name in _personal_reads(
                expr, pack.record_type(rule.subject), pack.record_type("person")
            ):
                problems.append(
                    f"criterion {rule.id} reads the personal field {name!r} itself "
                    f"(its value would reach findings): test filled({name!r}) instead"
                )
        for c in rule.citations:
            cited(f"criterion {rule.id}", c)
        exprs = [e for e in (rule.test, rule.observed, rule.required) if e is not None]
        reads(f"criterion {rule.id}", rule.subject, exprs, rule.subject == "household")
    for cl in pack.checklists.values():
        cited(f"checklist {cl.id}", cl.citation)
    for cf in pack.classifiers.values():
        for c in cf.citations:
            cited(f"classifier {cf.id}", c)
        reads(
            f"classifier {cf.id}",
            cf.subject,
            [c.test for c in cf.classes],
            cf.subject == "household",
        )
    for en in pack.entitlements.values():
        for c in en.citations:
            cited(f"entitlement {en.id}", c)
        if en.eligibility is not None:
            reads(f"entitlement {en.id}", en.subject, [en.eligibility], False)
        for ln in en.lines:
            cited(f"entitlement {en.id} line {ln.id}", ln.citation)
            reads(
                f"entitlement {en.id} line {ln.id}",
                en.subject,
                [ln.condition, ln.amount],
                ln.per == "member",
            )
    for ind in pack.indicators.values():
        for c in ind.citations:
            cited(f"indicator {ind.id}", c)
        reads(f"indicator {ind.id}", ind.subject, ind.expressions(), ind.subject == "household")
    for d in pack.decisions.values():
        for c in d.citations:
            cited(f"decision {d.id}", c)
        if not d.criteria:
            problems.append(f"decision {d.id} has no criteria")
        for cid in d.criteria:
            used = pack.criteria.get(cid)
            if used is None:
                problems.append(f"decision {d.id} uses undefined criterion {cid!r}")
            elif used.subject != d.subject:
                problems.append(
                    f"decision {d.id} ({d.subject}) uses {used.subject} criterion {cid!r}"
                )
    from poverty_core.expressions import type_problems  # kinds, units, code lists compared

    typed = type_problems(pack)
    if typed and not problems:
        zh_lines, en_lines = "；".join(t.zh for t in typed), "; ".join(t.en for t in typed)
        raise PackError(pack.name, Text(f"类型不符：{zh_lines}", f"ill-typed: {en_lines}"))
    problems += [t.en for t in typed]
    if problems:
        lines = "; ".join(problems)
        file = files[0] if files and len(set(files)) == 1 else None
        raise PackError(pack.name, Text(f"校验失败：{lines}", f"invalid: {lines}"), file=file)


# -- the registry moved to poverty_core.plugins ----------------------------------------

_MOVED = frozenset(
    {
        "BLOCK_ENV",
        "PackRegistry",
        "available_packs",
        "default_registry",
        "get_plugin_manager",
        "load_pack",
    }
)


def __getattr__(name: str) -> Any:
    # Plugin loading and the registry live in poverty_core.plugins; these names stay
    # importable from here for code written against earlier releases.
    if name in _MOVED:
        from poverty_core import plugins

        return getattr(plugins, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
