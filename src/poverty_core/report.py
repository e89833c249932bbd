"""A summary report a person reads: Markdown or HTML, in Chinese or English.

The report of an ``assess`` run gives the input and provenance (pack chain, versions,
date, overrides; a SYNTHETIC banner when the input says so), the rows of every input
file (read = assessed + rejected), the outcome counts by households and people, each
criterion's failures and unknowns, the missing inputs, and tables by village and county
with the village and county decisions.

The HTML report neutralises spreadsheet formulas as the CSV outputs do (a spreadsheet
opens an HTML file as cells): a text starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poverty_core._text import Language
from poverty_core.io import atomic_writer, safe_cell
from poverty_core.parameters import format_value

__all__ = ["render", "render_markdown", "write_report"]

_L = {
    "title": ("评估报告", "Assessment report"),
    "synthetic": (
        "**合成数据：本输入不是真实登记，仅用于演示与测试。**",
        "**SYNTHETIC DATA: this input is not a real register; for demonstration and tests.**",
    ),
    "input": ("输入", "Input"),
    "pack": ("策略包", "Pack"),
    "as_of": ("评估日", "As of"),
    "overrides": ("参数覆盖", "Overrides"),
    "outcomes": ("判定结果", "Outcomes"),
    "households": ("户数", "households"),
    "people": ("人数", "people"),
    "criteria": ("各项标准", "Criteria"),
    "failed": ("未通过", "failed"),
    "unknown": ("未知", "unknown"),
    "not_in_force": ("未生效（不适用）", "not in force"),
    "absent": (
        "文件中没有的输入（因此无法判定的记录数）",
        "Inputs absent from the file (records left undetermined by each)",
    ),
    "decisions_not_in_force": ("在评估日未生效的决策", "Decisions not in force on the date"),
    "missing": ("缺少的数据（记录数）", "Missing inputs (records)"),
    "by": ("按{}汇总", "By {}"),
    "rejected": ("被拒绝的记录", "Rejected records"),
    "rows": (
        "各输入文件的行数（读入 = 已评估 + 被拒绝）",
        "Rows of each input file (read = assessed + rejected)",
    ),
    "file": ("文件", "file"),
    "kind": ("内容", "rows of"),
    "read": ("读入", "read"),
    "assessed": ("已评估", "assessed"),
    "rejected_rows": ("被拒绝", "rejected"),
    "households_kind": ("户", "households"),
    "members_kind": ("成员", "members"),
    "villages_kind": ("村", "villages"),
    "counties_kind": ("县", "counties"),
    "eligible": ("符合", "eligible"),
    "rate_households": ("退出率（户）", "rate (households)"),
    "rate_people": ("退出率（人）", "rate (people)"),
    "undetermined": ("无法判定", "undetermined"),
    "decision": ("判定", "decision"),
    "village": ("村", "village"),
    "county": ("县", "county"),
}


def _t(key: str, language: Language) -> str:
    zh, en = _L[key]
    return zh if language == "zh" else en


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        # Formulas neutralised (the report may be opened in a spreadsheet); a line break
        # would end the table row.
        text = safe_cell(str("—" if v is None else v))
        return text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def _outcome(value: str, language: Language) -> str:
    from poverty_core.rules import Outcome

    try:
        return Outcome(value).label[language]
    except ValueError:
        return value


def _kind(kind: str, language: Language) -> str:
    key = f"{kind}_kind"
    return _t(key, language) if key in _L else kind


def render_markdown(report: dict[str, Any], language: Language = "en") -> str:
    """The report as Markdown. ``report`` is the JSON report ``poverty-core assess``
    builds (``--format json``): ``source``, ``synthetic``, ``provenance``, ``rows``,
    ``summary``, ``titles`` (criterion id → {zh, en}), ``villages``/``counties``
    (decision rows)."""
    lines = [f"# {_t('title', language)}", ""]
    if report.get("synthetic"):
        lines += [_t("synthetic", language), ""]
    prov = report.get("provenance") or {}
    lines += [
        f"- {_t('input', language)}: `{report.get('source', '')}`",
        f"- {_t('pack', language)}: {' → '.join(prov.get('chain', []))} "
        f"({', '.join(f'{k} {v}' for k, v in prov.get('versions', {}).items())})",
        f"- {_t('as_of', language)}: {prov.get('as_of', '')}",
    ]
    if prov.get("overrides"):
        lines.append(f"- {_t('overrides', language)}: {prov['overrides']}")
    rejected = (report.get("rows") or {}).get("rejected")
    if rejected:
        lines.append(f"- {_t('rejected', language)}: {rejected}")
    files = report.get("files") or []
    if files:
        lines += ["", f"## {_t('rows', language)}", ""]
        header = [_t(k, language) for k in ("file", "kind", "read", "assessed", "rejected_rows")]
        rows = [
            [f"`{c['file']}`", _kind(c["kind"], language), c["read"], c["assessed"], c["rejected"]]
            for c in files
        ]
        lines += _md_table(header, rows)
    summary = report["summary"]
    outcomes, people = summary.get("households"), summary.get("people")
    if outcomes:
        lines += ["", f"## {_t('outcomes', language)}", ""]
        total_h = sum(outcomes.values()) or 1
        total_p = sum(people.values()) or 1
        rows = [
            [_outcome(k, language), outcomes[k], format_value(outcomes[k] / total_h, "ratio"),
             people[k], format_value(people[k] / total_p, "ratio")]
            for k in outcomes
        ]  # fmt: skip
        header = ["", _t("households", language), "%", _t("people", language), "%"]
        lines += _md_table(header, rows)
        titles = report.get("titles", {})
        lines += [f"## {_t('criteria', language)}", ""]
        rows = [
            [
                f"`{cid}`",
                titles.get(cid, {}).get(language, cid),
                c["failed"],
                c["unknown"],
                c.get("not_in_force", 0),
            ]
            for cid, c in summary["criteria"].items()
        ]
        header = ["id", "", *(_t(k, language) for k in ("failed", "unknown", "not_in_force"))]
        lines += _md_table(header, rows)
    if summary.get("absent"):
        lines += [f"## {_t('absent', language)}", ""]
        lines += _md_table(
            ["", "n"], [[k, summary.get("missing", {}).get(k, 0)] for k in summary["absent"]]
        )
    if summary.get("not_in_force"):
        lines += [f"## {_t('decisions_not_in_force', language)}", ""]
        lines += [f"- `{d}`: {text}" for d, text in summary["not_in_force"].items()] + [""]
    if summary.get("missing"):
        lines += [f"## {_t('missing', language)}", ""]
        lines += _md_table(["", "n"], sorted(summary["missing"].items()))
    decided = {
        "village_id": {r["id"]: r["outcome"] for r in report.get("villages") or []},
        "county_id": {r["id"]: r["outcome"] for r in report.get("counties") or []},
    }
    for by, key in (("village_id", "by_village"), ("county_id", "by_county")):
        groups = summary.get(key) or []
        if not groups:
            continue
        noun = _t("village" if by == "village_id" else "county", language)
        lines += [f"## {_t('by', language).format(noun)}", ""]
        outcomes_by = decided[by]
        rows = [
            [
                g[by], g["households"], g["people"], g["eligible_households"],
                format_value(g["exit_rate_households"], "ratio"),
                format_value(g["exit_rate_people"], "ratio"),
                g["undetermined_households"],
                _outcome(outcomes_by.get(g[by], "—"), language),
            ]
            for g in groups
        ]  # fmt: skip
        header = [noun, _t("households", language), _t("people", language)] + [
            _t(k, language)
            for k in ("eligible", "rate_households", "rate_people", "undetermined", "decision")
        ]
        lines += _md_table(header, rows)
    return "\n".join(lines)


def _html(markdown: str) -> str:
    """A small, dependency-free Markdown-to-HTML for the report's own constructs."""
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>report</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}</style>",
        "</head><body>",
    ]
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            out.append("<table>")
            for i, row in enumerate(table):
                tag = "th" if i == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}>{_cell(c)}</{tag}>" for c in row) + "</tr>")
            out.append("</table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            if set(line) <= set("|-"):
                continue
            table.append([c.strip() for c in line.strip("|").split(" | ")])
            continue
        flush()
        if line.startswith("## "):
            out.append(f"<h2>{_cell(line[3:])}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{_cell(line[2:])}</h1>")
        elif line.startswith("- "):
            out.append(f"<p>{_cell(line[2:])}</p>")
        elif line.strip():
            out.append(f"<p>{_cell(line)}</p>")
    flush()
    out.append("</body></html>")
    return "\n".join(out)


def _cell(text: str) -> str:
    """One cell (or paragraph) of the HTML report: Markdown's escaped ``|`` undone,
    formulas neutralised, HTML escaped."""
    return html.escape(safe_cell(text.replace("\\|", "|")), quote=False)


def render(path: str | os.PathLike[str], report: dict[str, Any], language: Language = "en") -> str:
    """The report's text for a file: HTML for ``.html``, Markdown otherwise."""
    markdown = render_markdown(report, language)
    return _html(markdown) if Path(path).suffix.lower() in (".html", ".htm") else markdown + "\n"


def write_report(
    path: str | os.PathLike[str], report: dict[str, Any], language: Language = "en"
) -> None:
    """Write the report as Markdown (``.md``) or HTML (``.html``), atomically."""
    text = render(path, report, language)
    with atomic_writer(path) as handle:
        handle.write(text)
