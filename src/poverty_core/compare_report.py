"""The report of a comparison (:mod:`poverty_core.compare`) that a person reads: HTML or
Markdown, wholly in Chinese or in English.

It gives the two sides (pack, date, overrides), the rows read (read = assessed +
rejected, the same for both sides), the households by outcome on each side, the
households whose outcome changes in each direction with the criteria responsible, the
changes by village and by county, and the villages and counties whose own decision
changes. It is laid out by the templates ``templates/compare.html.jinja`` and
``templates/compare.md.jinja`` through :func:`poverty_core.report.render_template`, with
the assess report's filters (cells neutralised, HTML escaped, no folder of a file shown).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from poverty_core._text import Language
from poverty_core._version import __version__
from poverty_core.report import render_template
from poverty_core.rules import Outcome, Status

__all__ = [
    "comparison_view",
    "render",
    "render_html",
    "render_markdown",
    "render_text",
    "shown_value",
]

_L: dict[str, tuple[str, str]] = {
    "title": ("比较报告：同一登记表，两套规则", "Comparison report: one register, two rule sets"),
    "synthetic": (
        "合成数据：本输入不是真实登记，仅用于演示与测试。",
        "SYNTHETIC DATA: this input is not a real register; for demonstration and tests.",
    ),
    "sides": ("比较的两方", "The two sides"),
    "side": ("方", "side"),
    "pack": ("策略包", "pack"),
    "as_of": ("评估日", "date"),
    "overrides": ("参数覆盖", "overrides"),
    "none": ("无", "none"),
    "input": ("输入文件", "Input file"),
    "decision": ("比较的决策", "Decision compared"),
    "rows": ("行数", "Rows"),
    "rows_text": (
        "读入 {read} 行 = 已评估 {assessed} + 被拒绝 {rejected}"
        "（两方相同：登记表只读一次，被拒绝的行对两方都被拒绝）。",
        "{read} rows read = {assessed} assessed + {rejected} rejected (the same for both "
        "sides: the register is read once, and a row rejected is rejected for both).",
    ),
    "outcomes": ("各方的判定结果（户）", "Outcomes on each side (households)"),
    "outcome": ("结果", "outcome"),
    "difference": ("差额", "difference"),
    "households": ("户的变化", "Households that change"),
    "households_none": (
        "没有户的判定结果发生变化。",
        "No household's outcome changes.",
    ),
    "households_summary": (
        "共比较 {compared} 户：{changed} 户判定结果变化；"
        "{differing} 户至少一项标准的检验结果不同。",
        "{compared} households compared: {changed} change outcome; {differing} have at least "
        "one criterion whose finding differs.",
    ),
    "direction": ("变化方向", "direction"),
    "count": ("户数", "households"),
    "responsible": ("导致变化的标准", "Criteria responsible"),
    "responsible_intro": (
        "结果变化的户中，该项标准检验结果两方不同的户数（一户可能涉及几项）。某方没有的标准视为「未生效（不适用）」。",
        "Among the households whose outcome changes, how many have this criterion's finding "
        "differ (one household may have several). A criterion one side lacks counts as not "
        "in force there.",
    ),
    "criterion": ("标准", "criterion"),
    "id": ("编号", "id"),
    "listed": ("结果变化的户", "Households whose outcome changes"),
    "unlisted": (
        "另有 {n} 户未列出，见结果文件。",
        "{n} more are not listed here: see the results file.",
    ),
    "more": ("另有 {n} 个未列出。", "{n} more are not listed here."),
    "household": ("户", "household"),
    "village": ("村", "village"),
    "county": ("县", "county"),
    "why": ("原因（标准：{a} → {b}）", "why (criterion: {a} → {b})"),
    "others": (
        "（另有 {n} 项标准结果不同，未决定变化）",
        " (and {n} other criteria differ without deciding it)",
    ),
    "by_village": ("按村统计的户变化", "Household changes by village"),
    "by_county": ("按县统计的户变化", "Household changes by county"),
    "group_households": ("户数", "households"),
    "changed": ("结果变化户数", "changed"),
    "groups_unchanged": (
        "其余 {n} 个{noun}没有户的结果变化。",
        "{n} other {noun}(s) have no household whose outcome changes.",
    ),
    "villages": ("村的退出判定变化", "Village decisions that change"),
    "counties": ("县的退出判定变化", "County decisions that change"),
    "decisions_none": ("没有{noun}的判定结果变化。", "No {noun} decision changes."),
    "not_in_force": ("未生效的决策", "Decisions not in force"),
    "made_by": ("由 poverty-core {version} 生成", "made by poverty-core {version}"),
}


def _t(key: str, language: Language) -> str:
    zh, en = _L[key]
    return zh if language == "zh" else en


def _outcome(value: str, language: Language) -> str:
    try:
        return str(Outcome(value).label[language])
    except ValueError:
        return value


def _status(value: str, language: Language) -> str:
    try:
        return str(Status(value).label[language])
    except ValueError:
        return value


def shown_value(value: Any) -> str:
    """An override's value as a person writes it (``150000``, not ``150000.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _signed(n: int) -> str:
    """A difference with a true minus sign (U+2212; a spreadsheet runs no formula)."""
    return f"\u2212{-n}" if n < 0 else str(n)


def _transition_rows(
    transitions: Mapping[str, Mapping[str, int]], language: Language
) -> list[dict[str, Any]]:
    return [
        {"direction": f"{_outcome(a, language)} → {_outcome(b, language)}", "count": n}
        for a, tos in transitions.items()
        for b, n in tos.items()
    ]


def _directions(transitions: Mapping[str, Mapping[str, int]], language: Language) -> str:
    sep = "；" if language == "zh" else "; "
    return sep.join(
        f"{_outcome(a, language)} → {_outcome(b, language)}: {n}"
        for a, tos in transitions.items()
        for b, n in tos.items()
    )


class _Titles:
    def __init__(self, data: Mapping[str, Any], language: Language) -> None:
        self.language = language
        self.titles: dict[str, Mapping[str, str]] = {}
        for side in ("b", "a"):  # side a's title wins where both have the criterion
            self.titles.update((data.get(side) or {}).get("assessment", {}).get("titles") or {})
        self.titles.update(data.get("titles") or {})

    def __call__(self, cid: str) -> str:
        title = self.titles.get(cid)
        return str(title.get(self.language, cid)) if title else cid


def _why(criteria: Sequence[Mapping[str, Any]], titles: _Titles, language: Language) -> str:
    sep = "；" if language == "zh" else "; "
    colon = "：" if language == "zh" else ": "
    decisive = [c for c in criteria if c.get("decisive")]
    shown = decisive or list(criteria)
    text = sep.join(
        f"{titles(c['id'])}{colon}{_status(c['a'], language)} → {_status(c['b'], language)}"
        for c in shown
    )
    others = len(criteria) - len(shown)
    if others:
        text += _t("others", language).format(n=others)
    return text


def _groups(rows: Sequence[Mapping[str, Any]], noun: str, language: Language) -> dict[str, Any]:
    changed = [r for r in rows if r.get("changed")]
    return {
        "rows": [
            {
                "id": r["id"],
                "households": r["households"],
                "changed": r["changed"],
                "directions": _directions(r.get("transitions") or {}, language),
            }
            for r in changed
        ],
        "unchanged": _t("groups_unchanged", language).format(
            n=len(rows) - len(changed), noun=_t(noun, language)
        )
        if len(rows) > len(changed)
        else "",
    }


def comparison_view(data: Mapping[str, Any], language: Language = "en") -> dict[str, Any]:
    """What the comparison templates lay out, every label in ``language``; ``data`` is
    :meth:`poverty_core.compare.Comparison.to_dict`."""
    titles = _Titles(data, language)
    sides = []
    counts: dict[str, Mapping[str, int]] = {}
    not_in_force = []
    for name in ("a", "b"):
        side = data.get(name) or {}
        assessment = side.get("assessment") or {}
        summary = assessment.get("summary") or {}
        counts[name] = summary.get("households") or {}
        overrides = side.get("overrides") or {}
        sides.append(
            {
                "name": name.upper(),
                "label": side.get("label", ""),
                "pack": side.get("pack", ""),
                "as_of": side.get("as_of", ""),
                "overrides": ", ".join(f"{k} = {shown_value(v)}" for k, v in overrides.items())
                or _t("none", language),
            }
        )
        for message in (summary.get("not_in_force") or {}).values():
            not_in_force.append(f"{name.upper()}: {message.get(language, '')}")
    outcomes = [
        {
            "label": _outcome(o.value, language),
            "a": counts["a"].get(o.value, 0),
            "b": counts["b"].get(o.value, 0),
            "difference": _signed(counts["b"].get(o.value, 0) - counts["a"].get(o.value, 0)),
        }
        for o in Outcome
    ]
    hh = data.get("households") or {}
    rows = data.get("rows") or {}
    listed = [
        {
            "id": c["id"],
            "village": c.get("village_id"),
            "county": c.get("county_id"),
            "a": _outcome(c["a"], language),
            "b": _outcome(c["b"], language),
            "why": _why(c.get("criteria") or [], titles, language),
        }
        for c in hh.get("listed") or []
    ]
    decided = []
    for key, noun in (("villages", "village"), ("counties", "county")):
        changes = data.get(key) or {}
        decided.append(
            {
                "heading": _t(key, language),
                "noun": _t(noun, language),
                "directions": _transition_rows(changes.get("transitions") or {}, language),
                "rows": [
                    {
                        "id": c["id"],
                        "county": c.get("county_id"),
                        "a": _outcome(c["a"], language),
                        "b": _outcome(c["b"], language),
                        "why": _why(c.get("criteria") or [], titles, language),
                    }
                    for c in changes.get("listed") or []
                ],
                "none": _t("decisions_none", language).format(noun=_t(noun, language)),
                "compared": changes.get("compared", 0),
            }
        )
    source = str(data.get("source") or "")
    return {
        "lang": language,
        "L": {k: _t(k, language) for k in _L},
        "title": _t("title", language),
        "subtitle": " · ".join(f"{s['name']}: {s['label']}" for s in sides),
        "synthetic": bool(data.get("synthetic")),
        "input": Path(source).name or source,
        "decision": data.get("decision", ""),
        "sides": sides,
        "side_a": sides[0]["label"],
        "side_b": sides[1]["label"],
        "rows_text": _t("rows_text", language).format(
            read=rows.get("in", 0),
            assessed=rows.get("assessed", 0),
            rejected=rows.get("rejected", 0),
        ),
        "outcomes": outcomes,
        "summary": _t("households_summary", language).format(
            compared=hh.get("compared", 0),
            changed=hh.get("changed", 0),
            differing=hh.get("differing", 0),
        ),
        "changed": hh.get("changed", 0),
        "transitions": _transition_rows(hh.get("transitions") or {}, language),
        "responsible": [
            {"id": cid, "title": titles(cid), "count": n}
            for cid, n in sorted((hh.get("criteria") or {}).items(), key=lambda kv: -kv[1])
        ],
        "listed": listed,
        "unlisted": _t("unlisted", language).format(n=hh["unlisted"]) if hh.get("unlisted") else "",
        "by_village": _groups(data.get("by_village") or [], "village", language),
        "by_county": _groups(data.get("by_county") or [], "county", language),
        "decided": decided,
        "not_in_force": not_in_force,
        "made_by": _t("made_by", language).format(version=__version__),
    }


def render_markdown(data: Mapping[str, Any], language: Language = "en") -> str:
    """The comparison report as Markdown."""
    return render_template("compare.md.jinja", comparison_view(data, language))


def render_html(data: Mapping[str, Any], language: Language = "en") -> str:
    """The comparison report as one self-contained HTML page."""
    return render_template("compare.html.jinja", comparison_view(data, language))


def render(path: str | os.PathLike[str], data: Mapping[str, Any], language: Language = "en") -> str:
    """The report's text for a file: HTML for ``.html``/``.htm``, Markdown otherwise."""
    if Path(path).suffix.lower() in (".html", ".htm"):
        return render_html(data, language)
    return render_markdown(data, language)


def render_text(data: Mapping[str, Any], language: Language = "en", limit: int = 20) -> str:
    """The summary ``poverty-core compare`` prints in the terminal: at most ``limit``
    households, villages and counties listed each (the counts are complete)."""
    view = comparison_view(data, language)
    labels = view["L"]
    colon = "：" if language == "zh" else ": "
    lines = [view["title"], view["subtitle"]]
    if view["synthetic"]:
        lines.append(labels["synthetic"])
    lines.append(view["rows_text"])
    lines += view["not_in_force"]
    lines.append("")
    lines.append(f"{labels['outcomes']}{colon}")
    for o in view["outcomes"]:
        lines.append(f"  {o['label']}{colon}A {o['a']}, B {o['b']} ({o['difference']})")
    lines.append("")
    lines.append(view["summary"])
    for t in view["transitions"]:
        lines.append(f"  {t['direction']}{colon}{t['count']}")
    if view["responsible"]:
        lines.append(f"{labels['responsible']}{colon}")
        for c in view["responsible"]:
            lines.append(f"  {c['title']} ({c['id']}){colon}{c['count']}")
    if view["listed"]:
        lines.append(f"{labels['listed']}{colon}")
        for c in view["listed"][:limit]:
            lines.append(
                f"  {c['id']} ({c['village'] or '—'}){colon}{c['a']} → {c['b']} — {c['why']}"
            )
        more = len(view["listed"][limit:]) + int(data.get("households", {}).get("unlisted", 0))
        if more:
            lines.append("  " + _t("unlisted", language).format(n=more))
    for d in view["decided"]:
        lines.append("")
        lines.append(f"{d['heading']}{colon}" if d["rows"] else d["none"])
        for c in d["rows"][:limit]:
            lines.append(f"  {c['id']}{colon}{c['a']} → {c['b']} — {c['why']}")
        if len(d["rows"]) > limit:
            lines.append("  " + _t("more", language).format(n=len(d["rows"]) - limit))
    return "\n".join(lines) + "\n"
