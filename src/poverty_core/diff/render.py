"""Showing a pack diff: the JSON form (:func:`to_json_data`, a private cattrs converter)
and the terminal table in Chinese or English (:func:`format_table`), with the value,
period and citation formatting the docs' pack pages share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import cattrs

from poverty_core._text import Language, Text, grid
from poverty_core.diff.model import (
    CHANGE_LABELS,
    DECLARED_LABELS,
    KIND_LABELS,
    ItemChange,
    PackDiff,
    ParameterChange,
    ReferenceView,
    RuleVersion,
    ValueView,
)
from poverty_core.parameters import Citation, Period, format_period
from poverty_core.parameters import format_value as plain


def _period_json(p: Period) -> dict[str, Any]:
    return {
        "start": p.start.isoformat(),
        "end": p.end.isoformat() if p.end else None,
        "origin": p.origin,
    }


def _citation_json(c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"source": c.source, "locator": c.locator}
    if c.resolved is not None:
        out["title"] = c.resolved.title.to_dict()
    return out


def _any_json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_any_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_unstructure_hook(Period, _period_json)
    conv.register_unstructure_hook(Citation, _citation_json)
    conv.register_unstructure_hook(Text, lambda t: t.to_dict())
    conv.register_unstructure_hook_func(lambda t: t is Any, _any_json)
    return conv


_CONVERTER = _make_converter()


def to_json_data(diff: PackDiff) -> dict[str, Any]:
    """The diff as JSON-compatible data (every text in Chinese and English)."""
    data: dict[str, Any] = _CONVERTER.unstructure(diff)
    data["title"] = {"zh": diff.title("zh"), "en": diff.title("en")}
    for change in data["parameters"]:
        for side in ("before", "after"):
            for v in change[side]:
                v["value"] = _any_json(v["value"])
    return data


def parameter_change_label(change: ParameterChange, mode: str) -> Text:
    """How a parameter change reads: between two dates a value begins or ends (a gap
    after it), between two packs a parameter is added or removed."""
    if mode == "dates" and change.change == "added":
        return Text("开始有取值", "a value begins")
    if mode == "dates" and change.change == "removed":
        return Text("取值结束（此后为缺口）", "the value ends (a gap after it)")
    return CHANGE_LABELS[change.change]


def format_version(v: RuleVersion | None, language: Language) -> str:
    """``pack: period`` of one version, or "—"."""
    if v is None:
        return "—"
    return f"{v.pack}: {format_period(v.in_force, language)}"


def format_citations(citations: Iterable[Citation], language: Language) -> str:
    """The citations, each as its source's title and locator."""
    return "; ".join(dict.fromkeys(c.format(language) for c in citations)) or "—"


def _source_ids(citations: Iterable[Citation]) -> str:
    """The cited sources by id: short enough for a terminal (the titles and places are
    in the JSON and on the pack's docs page)."""
    return ", ".join(dict.fromkeys(c.source for c in citations)) or "—"


def format_value(value: Any, unit: str, language: Language) -> str:
    """A parameter value in one language (``None``: no value, a gap)."""

    if value is None:
        return "无取值" if language == "zh" else "no value"
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    return plain(value, unit)


def format_values(
    values: Sequence[ValueView], unit: str, language: Language, *, full: bool = True
) -> str:
    """Each value with its dates and citation (the source's title and place; only its id
    unless ``full``), or "no value"."""
    if not values:
        return format_value(None, unit, language)
    parts = []
    for v in values:
        span = Period(v.start, v.end).format(language) if v.start else ""
        where = (v.citation.format(language) if full else v.citation.source) if v.citation else ""
        cited = f" [{where}]" if where else ""
        parts.append(f"{span}: {format_value(v.value, unit, language)}{cited}")
    return "; ".join(parts)


def format_items(items: Sequence[ItemChange], language: Language) -> str:
    """``+roof (完整屋顶)``, ``-x``, ``a→b``: what changed inside a rule."""
    out = []
    for i in items:
        label = f" {i.label[language]}" if i.label is not None else ""
        if i.change == "replaced":
            out.append(f"{i.replaces}→{i.id}{label}")
        else:
            out.append(f"{'+' if i.change == 'added' else '-'}{i.id}{label}")
    return "; ".join(out)


def format_table(diff: PackDiff, language: Language = "en") -> str:
    """The diff as plain-text tables in one language (every word a reader sees in it)."""
    zh = language == "zh"
    lines = [diff.title(language), ""]
    if diff.empty:
        lines.append("无变化。" if zh else "No changes.")
        return "\n".join(lines) + "\n"
    if diff.rules:
        lines.append("规则" if zh else "Rules")
        rows = [
            ["变化", "类别", "编号", "名称", "由", "之前", "之后", "内部变化", "出处"]
            if zh
            else ["change", "kind", "id", "title", "by", "before", "after", "inside", "source"]
        ]
        for c in diff.rules:
            version = c.after or c.before
            rows.append(
                [
                    CHANGE_LABELS[c.change][language],
                    KIND_LABELS[c.kind][language],
                    c.id,
                    version.title[language] if version else c.id,
                    c.by,
                    format_version(c.before, language),
                    format_version(c.after, language),
                    format_items(c.items, language) or "—",
                    _source_ids(c.citations),
                ]
            )
        lines += [*grid(rows), ""]
    if diff.parameters:
        lines.append("参数" if zh else "Parameters")
        head = ["变化", "参数", "名称", "由", "之前", "之后"]
        head_en = ["change", "parameter", "title", "by", "before", "after"]
        if diff.mode == "dates":
            head, head_en = ["日期", *head], ["date", *head_en]
        rows = [head if zh else head_en]
        for p in diff.parameters:
            row = [
                parameter_change_label(p, diff.mode)[language],
                p.name,
                p.title[language],
                p.by,
                format_values(p.before, p.unit, language, full=False),
                format_values(p.after, p.unit, language, full=False),
            ]
            rows.append([str(p.date), *row] if diff.mode == "dates" else row)
        lines += [*grid(rows), ""]
    if diff.force:
        lines.append("生效变化" if zh else "Entering or leaving force")
        head = ["变化", "类别", "编号", "名称", "之前", "之后", "出处"]
        head_en = ["change", "kind", "id", "title", "before", "after", "source"]
        if diff.mode == "dates":
            head, head_en = ["日期", *head], ["date", *head_en]
        rows = [head if zh else head_en]
        for f in diff.force:
            version = f.after or f.before
            assert version is not None
            row = [
                CHANGE_LABELS[f.change][language],
                KIND_LABELS[f.kind][language],
                f.id,
                version.title[language],
                format_version(f.before, language),
                format_version(f.after, language),
                _source_ids(version.citations),
            ]
            rows.append([str(f.date), *row] if diff.mode == "dates" else row)
        lines += [*grid(rows), ""]
    if diff.references:
        lines.append("参考数据（运行时提供）" if zh else "Reference data (supplied by a run)")
        head = ["变化", "编号", "名称", "由", "之前", "之后", "不同之处", "出处"]
        head_en = ["change", "id", "title", "by", "before", "after", "differs", "source"]
        if diff.mode == "dates":
            head, head_en = ["日期", *head], ["date", *head_en]
        rows = [head if zh else head_en]
        for r in diff.references:
            view = r.after or r.before
            assert view is not None
            label = (
                CHANGE_LABELS["declaration_changed"]
                if r.change == "changed"
                else CHANGE_LABELS[r.change]
            )
            row = [
                label[language],
                r.id,
                view.title[language],
                r.by,
                format_reference(r.before, language),
                format_reference(r.after, language),
                ("、" if zh else ", ").join(DECLARED_LABELS[d][language] for d in r.differs) or "—",
                _source_ids([view.citation]),
            ]
            rows.append([str(r.date), *row] if diff.mode == "dates" else row)
        lines += [*grid(rows), ""]
    return "\n".join(lines)


def format_reference(view: ReferenceView | None, language: Language) -> str:
    """A reference declaration in one line: kind, key (and how it is compared), columns,
    the criteria reading it."""
    if view is None:
        return "—"
    zh = language == "zh"
    kind = {"set": ("集合", "set"), "table": ("表", "table")}[view.kind][0 if zh else 1]
    key = f"{view.key}（身份证号）" if zh and view.key_form == "id_number" else view.key
    if not zh and view.key_form == "id_number":
        key += " (ID number)"
    parts = [f"{kind} {key}"]
    if view.columns:
        parts.append("[" + ", ".join(view.columns) + "]")
    if view.read_by:
        parts.append(("读取：" if zh else "read by ") + ", ".join(view.read_by))
    return ("；" if zh else "; ").join(parts)
