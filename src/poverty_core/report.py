"""The report of an ``assess`` run that a person reads and circulates: HTML or Markdown,
wholly in Chinese or in English.

It gives, in this order: the run (input file, pack and its chain, date, overrides, the
periods set for the run; a SYNTHETIC banner when the input says so); the outcomes by
households and people; each criterion's failures, unknowns and not-in-force findings;
why records are undetermined — the inputs and parameters missing, with counts and how
to supply each; decisions not in force on the date; the villages (their decision, their
poverty incidence against the threshold) and the counties (their decision, and what
failed or was missing); the rows of every input file (read = assessed + rejected); and a
provenance line. The HTML report carries inline SVG charts (no script, no external file)
and prints on A4.

The text is laid out by Jinja2 templates (``templates/report.html.jinja``,
``templates/report.md.jinja``; HTML is autoescaped) from a view this module builds, in
which every label is already in the chosen language. File names are shown without their
folders (no absolute path leaves the machine in a report). Cells are neutralised as the
CSV outputs are (a spreadsheet opens an HTML file as cells): a text starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path, PureWindowsPath
from typing import Any, Protocol, TypeAlias

from poverty_core._pictures import value_text
from poverty_core._svg import COLOURS, Bar, Segment, bar_chart
from poverty_core._text import Language, Text
from poverty_core._version import __version__
from poverty_core._wording import option
from poverty_core.dynamic_report import transitions_view
from poverty_core.io import atomic_writer, safe_cell
from poverty_core.model import County, Household, Person, Village
from poverty_core.packs import load_pack
from poverty_core.parameters import Period, format_period, format_value
from poverty_core.recording import record_view
from poverty_core.rendering import environment, render_template
from poverty_core.rules import Outcome

__all__ = [
    "Report",
    "Reportable",
    "render",
    "render_html",
    "render_markdown",
    "render_template",
    "report_view",
    "write_report",
]

_L: dict[str, tuple[str, str]] = {
    "title": ("评估报告", "Assessment report"),
    "synthetic": (
        "合成数据：本输入不是真实登记，仅用于演示与测试。",
        "SYNTHETIC DATA: this input is not a real register; for demonstration and tests.",
    ),
    "run": ("本次评估", "The run"),
    "input": ("输入文件", "Input file"),
    "pack": ("策略包", "Pack"),
    "chain": ("继承链", "Parent chain"),
    "as_of": ("评估日", "Assessment date"),
    "overrides": ("参数覆盖（本次运行）", "Parameters overridden for this run"),
    "periods": ("本次设定的生效期", "Periods set for this run"),
    "interpretations": (
        "按国家登记表的解释读取",
        "Read under interpretations of the national form",
    ),
    "none": ("无", "none"),
    "rejected": ("被拒绝的户记录", "Household rows rejected"),
    "outcomes": ("判定结果", "Outcomes"),
    "outcomes_chart": ("判定结果（户、人）", "Outcomes (households, people)"),
    "outcome": ("结果", "outcome"),
    "households": ("户数", "households"),
    "people": ("人数", "people"),
    "share": ("占比", "share"),
    "hh": ("户", "households"),
    "pp": ("人", "people"),
    "criteria": ("各项标准", "Criteria"),
    "criteria_intro": (
        "每项标准在全部记录中的检验结果（记录数）。",
        "What each criterion found over all records (number of records).",
    ),
    "criteria_chart": (
        "各项标准：未通过、未知、未生效（占记录的比例）",
        "Criteria: failed, unknown, not in force (share of records)",
    ),
    "criterion": ("标准", "criterion"),
    "id": ("编号", "id"),
    "failed": ("未通过", "failed"),
    "unknown": ("未知（缺数据）", "unknown (data missing)"),
    "not_in_force": ("未生效（不适用）", "not in force"),
    "passed": ("通过", "passed"),
    "why": ("无法判定的原因", "Why records are undetermined"),
    "why_none": (
        "没有无法判定的户：每户都已判定。",
        "No household is undetermined: every one was decided.",
    ),
    "why_intro": (
        "缺少下列数据或参数的户无法判定（一户可能同时缺几项）。补上后重新评估即可。",
        "Households missing these inputs or parameters are undetermined (one household "
        "may miss several). Supply them and run again.",
    ),
    "why_chart": ("无法判定的主要原因（户数）", "Top reasons households are undetermined"),
    "input_item": ("缺少的数据或参数", "missing input or parameter"),
    "kind": ("类别", "kind"),
    "records": ("户数", "households"),
    "how": ("如何补上", "how to supply it"),
    "absent_flag": ("（文件中没有这一列）", " (absent from the file)"),
    "parameter": ("参数", "parameter"),
    "household_field": ("户字段", "household field"),
    "member_field": ("成员字段", "member field"),
    "procedure": ("程序记录", "procedure record"),
    "checklist": ("核查清单记录", "checklist record"),
    "village_field": ("村字段", "village field"),
    "county_field": ("县字段", "county field"),
    "decisions_not_in_force": ("在评估日未生效的决策", "Decisions not in force on the date"),
    "villages": ("村", "Villages"),
    "village_decision": ("贫困村退出判定", "Village exit decisions"),
    "village": ("村", "village"),
    "counties": ("县", "Counties"),
    "county_decision": ("贫困县退出判定", "County exit decisions"),
    "county": ("县", "county"),
    "incidence": ("贫困发生率", "poverty incidence"),
    "incidence_chart": (
        "各村贫困发生率与阈值",
        "Village poverty incidence against the threshold",
    ),
    "incidence_more": (
        "图中为贫困发生率最高的 {shown} 个村（共 {total} 个）。",
        "The chart shows the {shown} villages with the highest incidence (of {total}).",
    ),
    "incidence_unknown": (
        "{n} 个村的贫困发生率未知（见下表的原因）。",
        "{n} villages have an unknown incidence (see the reasons in the table below).",
    ),
    "threshold": ("阈值", "threshold"),
    "threshold_mixed": (
        "各村按其本身的阈值判定（如西部地区的村）；图中虚线为多数村的阈值。",
        "Each village is judged against its own threshold (western villages, for instance); "
        "the dashed line is the threshold of most villages.",
    ),
    "eligible_households": ("符合退出户数", "households eligible"),
    "rate_households": ("退出率（户）", "exit rate (households)"),
    "rate_people": ("退出率（人）", "exit rate (people)"),
    "undetermined_households": ("无法判定户数", "households undetermined"),
    "decision": ("判定", "decision"),
    "reasons": ("未通过或缺少", "failed or missing"),
    "group_why": ("村、县无法判定的原因", "Why villages and counties are undetermined"),
    "rows": (
        "各输入文件的行数（读入 = 已评估 + 被拒绝）",
        "Rows of each input file (read = assessed + rejected)",
    ),
    "file": ("文件", "file"),
    "rows_of": ("内容", "rows of"),
    "read": ("读入", "read"),
    "assessed": ("已评估", "assessed"),
    "rejected_rows": ("被拒绝", "rejected"),
    "households_kind": ("户", "households"),
    "members_kind": ("成员", "members"),
    "villages_kind": ("村", "villages"),
    "counties_kind": ("县", "counties"),
    "provenance": ("出处", "Provenance"),
    "made_by": ("由 poverty-core {version} 生成", "made by poverty-core {version}"),
}


def _t(key: str, language: Language) -> str:
    zh, en = _L[key]
    return zh if language == "zh" else en


def _sep(language: Language) -> str:
    return "；" if language == "zh" else "; "


def _comma(language: Language) -> str:
    return "、" if language == "zh" else ", "


def _file_name(path: str) -> str:
    """A file as the report shows it: its name without folders, on any system.

    >>> _file_name("/home/x/register/households.csv"), _file_name(r"C:\\data\\in.json[households]")
    ('households.csv', 'in.json[households]')
    """
    return PureWindowsPath(path).name if "\\" in path else Path(path).name or path


def _outcome_label(value: str, language: Language) -> str:
    try:
        return str(Outcome(value).label[language])
    except ValueError:
        return value


def _load_pack(report: Mapping[str, Any]) -> Any:
    """The pack the run used, for the titles of rules and parameters; ``None`` when it is
    not installed here (the report then shows ids)."""
    name = (report.get("provenance") or {}).get("pack")
    if not name:
        return None
    try:
        return load_pack(name)
    except Exception:  # a report read elsewhere: the pack may not be installed
        return None


class _Names:
    """Readable names of rules, fields and parameters in one language."""

    def __init__(self, report: Mapping[str, Any], language: Language) -> None:
        self.language = language
        self.pack = _load_pack(report)
        self.titles: Mapping[str, Mapping[str, str]] = report.get("titles") or {}

    def rule(self, cid: str) -> str:
        title = self.titles.get(cid)
        if title:
            return str(title.get(self.language, cid))
        if self.pack is not None and cid in self.pack.criteria:
            return str(self.pack.criteria[cid].title[self.language])
        return cid

    def parameter(self, name: str) -> tuple[str, str]:
        """The parameter's title and unit."""
        if self.pack is not None and name in self.pack.parameters:
            p = self.pack.parameters[name]
            return str(p.title[self.language]), str(p.unit)
        return name, "none"

    def field(self, subject: str, name: str) -> str:
        cls: Any = {"household": Household, "member": Person, "village": Village}.get(
            subject, County
        )
        if self.pack is not None:  # the pack's declared fields have labels too
            cls = self.pack.record_type(subject)
        label: Text | None = cls.field_labels().get(name)
        return label[self.language] if label is not None else name

    def procedure(self, name: str) -> str:
        if self.pack is not None and name in self.pack.procedures:
            return str(self.pack.procedures[name].title[self.language])
        return name

    def checklist(self, name: str) -> str:
        if self.pack is not None and name in self.pack.checklists:
            return str(self.pack.checklists[name].title[self.language])
        return name


def _missing_input(label: str, subject: str, names: _Names) -> tuple[str, str, str]:
    """A missing input as (what it is, its kind, how to supply it)."""
    zh = names.language == "zh"
    if label.startswith("param:"):
        name = label.split(":", 1)[1]
        title, _ = names.parameter(name)
        how = (
            f"运行时用 {option('set', 'zh', name=name)} 提供（或由子策略包附出处设定）"
            if zh
            else f"supply it with {option('set', name=name)} (or a child pack, with a citation)"
        )
        return f"{title}（{name}）" if zh else f"{title} ({name})", "parameter", how
    if label.startswith("members[]."):
        name = label.split(".", 1)[1]
        text = names.field("member", name)
        how = f"在成员表中填写「{text}」列（{name}）" if zh else f"fill the members column {name}"
        return text, "member_field", how
    for prefix, kind in (("procedures.", "procedure"), ("checklists.", "checklist")):
        if label.startswith(prefix):
            name = label[len(prefix) :]
            title = names.procedure(name) if kind == "procedure" else names.checklist(name)
            what = "各步骤的完成日期" if kind == "procedure" else "各项是否具备"
            each = "each step with its date" if kind == "procedure" else "each item"
            how = f"在记录中填写「{title}」{what}（{label}）" if zh else f"record {label} ({each})"
            return title, kind, how
    text = names.field(subject, label)
    if subject == "village" and label == "poor_population":
        how = (
            "由本村各户的结果计得：先使本村无法判定的户可判定，或在村表中填写贫困人口（poor_population）"
            if zh
            else "counted from the village's households: resolve its undetermined households, "
            "or give poor_population in the villages file"
        )
    elif subject == "county" and label == "poor_population":
        how = (
            "由本县各户的结果计得：先使无法判定的户可判定，或在县表中填写贫困人口（poor_population）"
            if zh
            else "counted from the county's households: resolve its undetermined households, "
            "or give poor_population in the counties file"
        )
    else:
        table = {"household": "户表", "village": "村表", "county": "县表"}.get(subject, "户表")
        file = {"household": "households", "village": "villages", "county": "counties"}.get(
            subject, "households"
        )
        how = f"在{table}中填写「{text}」列（{label}）" if zh else f"fill the {file} column {label}"
    return text, f"{subject}_field", how


def _outcome_chart(summary: Mapping[str, Any], language: Language) -> str:
    bars = []
    for key, noun in (("households", "hh"), ("people", "pp")):
        counts = summary.get(key) or {}
        total = sum(counts.values())
        if not total:
            continue
        segments = [
            Segment(counts.get(o.value, 0) / total, COLOURS[o.value], str(o.label[language]))
            for o in Outcome
        ]
        note = _comma(language).join(
            f"{o.label[language]} {counts.get(o.value, 0)}" for o in Outcome
        )
        bars.append(Bar(_t(noun, language), segments, note))
    return bar_chart(bars, _t("outcomes_chart", language), scale=1.0) if bars else ""


def _criteria_chart(rows: Sequence[dict[str, Any]], total: int, language: Language) -> str:
    if not rows or not total:
        return ""
    bars = []
    for r in rows:
        segments = [
            Segment(r[k] / total, COLOURS[k], _t(k, language))
            for k in ("failed", "unknown", "not_in_force", "passed")
        ]
        note = _comma(language).join(
            f"{_t(k, language).split('（')[0].split(' (')[0]} {r[k]}"
            for k in ("failed", "unknown", "not_in_force")
            if r[k]
        )
        bars.append(Bar(r["title"], segments, note))
    return bar_chart(bars, _t("criteria_chart", language), scale=1.0)


def _reasons_chart(rows: Sequence[dict[str, Any]], language: Language) -> str:
    if not rows:
        return ""
    bars = [
        Bar(r["what"], [Segment(r["count"], COLOURS["undetermined"], _t("records", language))],
            str(r["count"]))
        for r in rows[:10]
    ]  # fmt: skip
    return bar_chart(bars, _t("why_chart", language))


_INCIDENCE = "village_incidence"
"""The village criterion whose observed value is the village's poverty incidence (the
national pack's id, kept by every pack that overrides it)."""
_CHART_VILLAGES = 40


def _incidence(rows: Sequence[Mapping[str, Any]], names: _Names) -> dict[str, Any] | None:
    """Each village's incidence and threshold (from its decision's findings), the chart."""
    language = names.language
    values = {r["id"]: (r.get("values") or {}).get(_INCIDENCE) for r in rows if r.get("values")}
    known = {
        vid: v
        for vid, v in values.items()
        if v and isinstance(v.get("observed"), int | float) and v.get("required") is not None
    }
    if not values:
        return None
    outcomes = {r["id"]: r["outcome"] for r in rows}
    ordered = sorted(known.items(), key=lambda kv: -float(kv[1]["observed"]))
    thresholds = Counter(float(v["required"]) for _, v in ordered)
    chart, notes = "", []
    if ordered:
        line = thresholds.most_common(1)[0][0]
        shown = ordered[:_CHART_VILLAGES]
        full = max([float(v["observed"]) for _, v in shown] + [line]) * 1.15 or 1.0
        bars = [
            Bar(
                safe_cell(str(vid)),
                [
                    Segment(
                        float(v["observed"]),
                        COLOURS[outcomes.get(vid, "undetermined")],
                        _outcome_label(outcomes.get(vid, "undetermined"), language),
                    )
                ],
                format_value(float(v["observed"]), "ratio"),
            )
            for vid, v in shown
        ]
        label = f"{_t('threshold', language)} {_comparison(shown)} {format_value(line, 'ratio')}"
        chart = bar_chart(
            bars,
            f"{_t('incidence_chart', language)}（{names.rule(_INCIDENCE)}）"
            if language == "zh"
            else f"{_t('incidence_chart', language)} ({names.rule(_INCIDENCE)})",
            scale=full,
            threshold=(line, label),
            label_columns=20,
        )
        if len(ordered) > len(shown):
            notes.append(
                _t("incidence_more", language).format(shown=len(shown), total=len(ordered))
            )
        if len(thresholds) > 1:
            notes.append(_t("threshold_mixed", language))
    unknown = len(values) - len(known)
    if unknown:
        notes.append(_t("incidence_unknown", language).format(n=unknown))
    return {
        "chart": chart,
        "notes": notes,
        "by_id": {vid: format_value(float(v["observed"]), "ratio") for vid, v in known.items()},
    }


def _comparison(shown: Sequence[tuple[Any, Mapping[str, Any]]]) -> str:
    """The comparison the incidence criterion makes (``≤``)."""
    ops = {str(v.get("comparison") or "") for _, v in shown} - {""}
    return ops.pop() if len(ops) == 1 else ""


def _group_reasons(row: Mapping[str, Any], subject: str, names: _Names) -> str:
    parts = [names.rule(c) for c in row.get("failed") or []]
    parts += [_missing_input(m, subject, names)[0] for m in row.get("missing") or []]
    return _comma(names.language).join(parts)


def _group_why(
    villages: Sequence[Mapping[str, Any]], counties: Sequence[Mapping[str, Any]], names: _Names
) -> list[dict[str, Any]]:
    """Missing inputs of undetermined villages and counties, with counts and how to
    supply them."""
    out = []
    for subject, rows in (("village", villages), ("county", counties)):
        counts = Counter(
            m for r in rows if r.get("outcome") == "undetermined" for m in r.get("missing") or []
        )
        for label, n in counts.most_common():
            what, kind, how = _missing_input(label, subject, names)
            out.append(
                {
                    "subject": _t(subject, names.language),
                    "what": what,
                    "kind": _t(kind, names.language),
                    "count": n,
                    "how": how,
                }
            )
    return out


def _periods_text(periods: Mapping[str, Any], language: Language) -> list[str]:
    """The periods the run set (the provenance's ``Period.to_dict()`` forms), each as
    every other place shows a period (:func:`poverty_core.parameters.format_period`)."""
    colon = "：" if language == "zh" else ": "
    out = []
    for rule, p in periods.items():
        end = p.get("end")
        period = Period(
            dt.date.fromisoformat(p["start"]),
            dt.date.fromisoformat(end) if end else None,
            origin=p.get("origin") or "",
        )
        out.append(f"{rule}{colon}{format_period(period, language)}")
    return out


def report_view(report: Report, language: Language = "en") -> dict[str, Any]:
    """What the report templates lay out: every label in ``language``, numbers
    formatted, charts drawn (SVG text). ``report`` is the JSON form of a
    :class:`poverty_core.jobs.Assessment` (:meth:`~poverty_core.jobs.Assessment.to_dict`,
    what ``poverty-core assess --format json`` prints): ``source``, ``synthetic``,
    ``provenance``, ``rows``, ``files``, ``summary``, ``titles``, ``villages``,
    ``counties``; ``record`` (its decision record, shown in summary) and
    ``transitions`` (a :func:`~poverty_core.dynamic_report.transitions_summary`, shown as
    the dynamic-management section) when present; the assessment itself is taken too."""
    report = _data(report)
    names = _Names(report, language)
    zh = language == "zh"
    prov = report.get("provenance") or {}
    summary = report.get("summary") or {}
    versions = prov.get("versions") or {}
    chain = [f"{n} {versions[n]}" if n in versions else n for n in prov.get("chain") or []]
    pack_title = (
        f"{prov.get('pack')}（{names.pack.title[language]}）"
        if zh and names.pack is not None
        else f"{prov.get('pack')} ({names.pack.title[language]})"
        if names.pack is not None
        else str(prov.get("pack") or "")
    )
    overrides = []
    for name, value in (prov.get("overrides") or {}).items():
        title, unit = names.parameter(name)
        shown = value_text(value, unit, language)
        overrides.append(f"{title}（{name}）= {shown}" if zh else f"{title} ({name}) = {shown}")
    periods = _periods_text(prov.get("periods") or {}, language)
    source = _file_name(str(report.get("source") or ""))
    facts = [
        (_t("input", language), source),
        (_t("pack", language), pack_title),
        (_t("chain", language), " → ".join(chain)),
        (_t("as_of", language), str(prov.get("as_of") or "")),
        (_t("overrides", language), _sep(language).join(overrides) or _t("none", language)),
        (_t("periods", language), _sep(language).join(periods) or _t("none", language)),
    ]
    applied = prov.get("interpretations") or []
    if applied:
        cells = "格" if zh else "cells"
        facts.append(
            (
                _t("interpretations", language),
                _sep(language).join(
                    f"{i['title'][language]} [{i['id']}: {i['reading']}] {i['cells']} {cells}"
                    for i in applied
                ),
            )
        )
    rejected = (report.get("rows") or {}).get("rejected")
    if rejected:
        facts.append((_t("rejected", language), str(rejected)))

    households = summary.get("households") or {}
    people = summary.get("people") or {}
    total_h, total_p = sum(households.values()), sum(people.values())
    outcomes = [
        {
            "label": str(o.label[language]),
            "households": households.get(o.value, 0),
            "share_h": format_value(households.get(o.value, 0) / (total_h or 1), "ratio"),
            "people": people.get(o.value, 0),
            "share_p": format_value(people.get(o.value, 0) / (total_p or 1), "ratio"),
        }
        for o in Outcome
    ] if households else []  # fmt: skip

    criteria = [
        {
            "id": cid,
            "title": names.rule(cid),
            "failed": c.get("failed", 0),
            "unknown": c.get("unknown", 0),
            "not_in_force": c.get("not_in_force", 0),
            "passed": c.get("passed", 0),
        }
        for cid, c in (summary.get("criteria") or {}).items()
    ]
    absent = set(summary.get("absent") or [])
    why = []
    for label, n in sorted((summary.get("missing") or {}).items(), key=lambda kv: -kv[1]):
        what, kind, how = _missing_input(label, "household", names)
        if label in absent:
            what += _t("absent_flag", language)
        why.append({"what": what, "kind": _t(kind, language), "count": n, "how": how})

    not_in_force = []
    for decision, message in (summary.get("not_in_force") or {}).items():
        text = message.get(language, "") if isinstance(message, Mapping) else str(message)
        not_in_force.append(text or decision)

    village_rows = report.get("villages") or []
    county_rows = report.get("counties") or []
    incidence = _incidence(village_rows, names)
    decided = {
        "village_id": {r["id"]: r for r in village_rows},
        "county_id": {r["id"]: r for r in county_rows},
    }
    groups = []
    for by, key, subject in (
        ("village_id", "by_village", "village"),
        ("county_id", "by_county", "county"),
    ):
        rows = []
        for g in summary.get(key) or []:
            gid = g.get(by)
            row = decided[by].get(gid)
            rows.append(
                {
                    "id": gid,
                    "households": g.get("households"),
                    "people": g.get("people"),
                    "eligible": g.get("eligible_households"),
                    "rate_h": format_value(g.get("exit_rate_households"), "ratio"),
                    "rate_p": format_value(g.get("exit_rate_people"), "ratio"),
                    "undetermined": g.get("undetermined_households"),
                    "incidence": (incidence or {}).get("by_id", {}).get(gid, "—")
                    if subject == "village"
                    else "—",
                    "decision": _outcome_label(row["outcome"], language) if row else "—",
                    "reasons": _group_reasons(row, subject, names) if row else "",
                }
            )
        counts = summary.get("villages" if subject == "village" else "counties") or {}
        groups.append(
            {
                "heading": _t("villages" if subject == "village" else "counties", language),
                "noun": _t(subject, language),
                "decision_heading": _t(f"{subject}_decision", language),
                "counts": [(str(o.label[language]), counts.get(o.value, 0)) for o in Outcome]
                if counts
                else [],
                "incidence": incidence if subject == "village" else None,
                "rows": rows,
                "show_incidence": subject == "village" and incidence is not None,
            }
        )

    files = [
        {
            "file": _file_name(str(c.get("file", ""))),
            "kind": _t(f"{c.get('kind')}_kind", language)
            if f"{c.get('kind')}_kind" in _L
            else str(c.get("kind")),
            "read": c.get("read"),
            "assessed": c.get("assessed"),
            "rejected": c.get("rejected"),
        }
        for c in report.get("files") or []
    ]
    made_by = _t("made_by", language).format(version=__version__)
    provenance = _sep(language).join(
        part
        for part in (
            made_by,
            f"{_t('pack', language)} {' → '.join(chain)}" if chain else "",
            f"{_t('as_of', language)} {prov.get('as_of')}" if prov.get("as_of") else "",
            ("：" if zh else ": ").join(
                (
                    _t("overrides", language),
                    _comma(language).join(overrides) or _t("none", language),
                )
            ),
            f"{_t('input', language)} {source}" if source else "",
        )
        if part
    )
    return {
        "lang": language,
        "L": {k: _t(k, language) for k in _L},
        "title": _t("title", language),
        "subtitle": " · ".join(
            f"{_t(key, language)} {value}"
            for key, value in (("pack", pack_title), ("as_of", prov.get("as_of")))
            if value
        ),
        "synthetic": bool(report.get("synthetic")),
        "facts": facts,
        "outcomes": outcomes,
        "outcome_chart": _outcome_chart(summary, language),
        "criteria": criteria,
        "criteria_chart": _criteria_chart(criteria, total_h, language),
        "why": why,
        "why_chart": _reasons_chart(why, language),
        "undetermined": households.get("undetermined", 0),
        "not_in_force": not_in_force,
        "groups": [g for g in groups if g["rows"] or g["counts"]],
        "group_why": _group_why(village_rows, county_rows, names),
        "files": files,
        "provenance": provenance,
        "record": record_view(report.get("record"), language, names.parameter),
        "transitions": transitions_view(report["transitions"], language)
        if report.get("transitions")
        else None,
    }


class Reportable(Protocol):
    """A run that gives its JSON form: a :class:`poverty_core.jobs.Assessment`."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see :func:`report_view`)."""
        ...


Report: TypeAlias = "Mapping[str, Any] | Reportable"
"""What the report renders: an :class:`~poverty_core.jobs.Assessment` or its JSON form."""


def _data(report: Report) -> Mapping[str, Any]:
    return report if isinstance(report, Mapping) else report.to_dict()


def render_markdown(report: Report, language: Language = "en") -> str:
    """The report as Markdown (charts as inline SVG figures; see :func:`report_view` for
    ``report``)."""
    view = report_view(_data(report), language)
    return environment().get_template("report.md.jinja").render(view)


def render_html(report: Report, language: Language = "en") -> str:
    """The report as one self-contained, printable HTML page with inline SVG charts."""
    view = report_view(_data(report), language)
    return environment().get_template("report.html.jinja").render(view)


def render(path: str | os.PathLike[str], report: Report, language: Language = "en") -> str:
    """The report's text for a file: HTML for ``.html``/``.htm``, Markdown otherwise."""
    if Path(path).suffix.lower() in (".html", ".htm"):
        return render_html(report, language)
    return render_markdown(report, language)


def write_report(path: str | os.PathLike[str], report: Report, language: Language = "en") -> None:
    """Write the report as Markdown (``.md``) or HTML (``.html``), atomically."""
    text = render(path, report, language)
    with atomic_writer(path) as handle:
        handle.write(text)
