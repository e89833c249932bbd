"""The "what changes" section of a pack's reference page: what a pack changes from its
parent, or — for the root pack — what enters or leaves force over the dates its rules
govern, as ``poverty-core diff`` reports it (:mod:`poverty_core.diff`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poverty_core.diff import (
    CHANGE_LABELS,
    KIND_LABELS,
    diff_dates,
    diff_packs,
    format_items,
    format_values,
    format_version,
    parameter_change_label,
)
from poverty_core.packs import Pack
from poverty_core.plugins import load_pack
from poverty_core.rules import versions_of
from poverty_core.sphinxext.rst import _bullets, _cell, _esc, _lit, _para, _strong, _table, heading

__all__: list[str] = []


def _change_rows(diff: Any) -> list[list[str]]:
    rows = []
    for c in diff.rules:
        version = c.after or c.before
        label = CHANGE_LABELS[c.change]
        kind = KIND_LABELS[c.kind]
        rows.append(
            [
                _cell(
                    [
                        _strong(f"{label.zh}：{version.title.zh}"),
                        _para(_esc(kind.zh), _lit(c.id), f"（由 {_esc(c.by)}）"),
                        _esc(format_items(c.items, "zh")),
                    ]
                ),
                _cell(
                    [
                        "之前：" + _esc(format_version(c.before, "zh")),
                        "之后：" + _esc(format_version(c.after, "zh")),
                        _bullets(_esc(x.format("zh")) for x in dict.fromkeys(c.citations)),
                    ]
                ),
                _cell(
                    [
                        _strong(f"{label.en}: {version.title.en}"),
                        _para(_esc(kind.en), _lit(c.id), f"(by {_esc(c.by)})"),
                        _esc(format_items(c.items, "en")),
                        "Before: " + _esc(format_version(c.before, "en")),
                        "After: " + _esc(format_version(c.after, "en")),
                    ]
                ),
            ]
        )
    return rows


def _parameter_rows(diff: Any) -> list[list[str]]:
    rows = []
    for p in diff.parameters:
        label = parameter_change_label(p, diff.mode)
        when = f"{p.date}：" if p.date else ""
        rows.append(
            [
                _cell(
                    [
                        _strong(f"{when}{label.zh}：{p.title.zh}"),
                        _para(_lit(p.name), f"（由 {_esc(p.by)}）"),
                    ]
                ),
                _cell(
                    [
                        "之前：" + _esc(format_values(p.before, p.unit, "zh")),
                        "之后：" + _esc(format_values(p.after, p.unit, "zh")),
                    ]
                ),
                _cell(
                    [
                        _strong(f"{p.date or ''} {label.en}: {p.title.en}".strip()),
                        "Before: " + _esc(format_values(p.before, p.unit, "en", full=False)),
                        "After: " + _esc(format_values(p.after, p.unit, "en", full=False)),
                    ]
                ),
            ]
        )
    return rows


def _force_rows(diff: Any) -> list[list[str]]:
    rows = []
    for f in diff.force:
        version = f.after or f.before
        label, kind = CHANGE_LABELS[f.change], KIND_LABELS[f.kind]
        when = f"{f.date}：" if f.date else ""
        rows.append(
            [
                _cell(
                    [
                        _strong(f"{when}{label.zh}：{version.title.zh}"),
                        _para(_esc(kind.zh), _lit(f.id)),
                    ]
                ),
                _cell(
                    [
                        "之前：" + _esc(format_version(f.before, "zh")),
                        "之后：" + _esc(format_version(f.after, "zh")),
                    ]
                ),
                _cell(
                    [
                        _strong(f"{f.date or ''} {label.en}: {version.title.en}".strip()),
                        "Before: " + _esc(format_version(f.before, "en")),
                        "After: " + _esc(format_version(f.after, "en")),
                    ]
                ),
            ]
        )
    return rows


def _changes(pack: Pack) -> list[str]:
    """What the pack changes from its parent; for the root pack, what enters or leaves
    force over the dates its rules govern (:mod:`poverty_core.diff`)."""
    if pack.parent is not None:
        diff = diff_packs(pack, load_pack(pack.parent))
        lines = heading(
            _esc(f"本包相对 {pack.parent} 的变化 · What {pack.name} changes from {pack.parent}"),
            "=",
        )
        lines += [
            f"由 ``poverty-core diff {pack.name} {pack.parent}`` 生成：新增、移除、替换或扩展的"
            "规则，取值不同的参数（两边的取值、日期与出处），以及本包另定生效期的规则。 "
            f"Generated as ``poverty-core diff {pack.name} {pack.parent}``: rules added, "
            "removed, replaced or extended, parameters whose values differ (both sides' "
            "values, dates and sources), and rules whose period the pack sets differently.",
            "",
        ]
    else:
        starts = [
            v.in_force
            for attr in ("criteria", "decisions", "procedures", "checklists", "indicators")
            for item in getattr(pack, attr).values()
            for v in versions_of(item)
            if v.in_force is not None
        ]
        if not starts:
            return []
        first = min(p.start for p in starts) - dt.timedelta(days=1)
        last = max(p.end + dt.timedelta(days=1) for p in starts if p.end is not None)
        diff = diff_dates(pack, first, last)
        lines = heading("生效期的变化 · What changes over time", "=")
        lines += [
            f"由 ``poverty-core diff {pack.name} --from {first} --to {last}`` 生成：规则开始"
            "生效或失效、参数取值改变的日期。 "
            f"Generated as ``poverty-core diff {pack.name} --from {first} --to {last}``: the "
            "days on which rules enter or leave force and parameter values change.",
            "",
        ]
    if diff.empty:
        return [*lines, "无变化。 No changes.", ""]
    if diff.rules:
        lines += heading("规则 · Rules", "-")
        lines += _table(["变化", "之前、之后与出处", "English"], _change_rows(diff))
    if diff.parameters:
        lines += heading("参数 · Parameters", "-")
        lines += _table(["参数", "取值、日期与出处", "English"], _parameter_rows(diff))
    if diff.force:
        lines += heading("生效期 · Periods in force", "-")
        lines += _table(["规则", "之前与之后", "English"], _force_rows(diff))
    return lines
