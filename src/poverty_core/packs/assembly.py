"""Assembly of a pack on its parent: merge by id (explicit overrides), removals,
decision extensions, bound blocks, the pack's vocabulary and the ``{parameter}``
placeholders of its texts rendered from its own parameters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from poverty_core._text import Language, Text
from poverty_core.aliases import header_problems
from poverty_core.blocks import bind
from poverty_core.codes import CODE_LISTS
from poverty_core.errors import PackError
from poverty_core.packs.data import PackData, load_data
from poverty_core.packs.definition import RULE_KINDS, PackDefinition, RuleKind
from poverty_core.packs.pack import Pack
from poverty_core.packs.periods import _date_rules, _set_periods
from poverty_core.packs.validation import _resolve_citations, _validate
from poverty_core.parameters import (
    Parameter,
    Period,
    format_value,
)
from poverty_core.rules import (
    Classifier,
    Criterion,
    Decision,
    DecisionExtension,
    Entitlement,
    Indicator,
    Taxonomy,
)
from poverty_core.vocabulary import (
    PackField,
    Vocabulary,
    code_class,
    record_classes,
)


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
