"""What the ``poverty-core`` command prints as text: aligned tables, a pack and what
each decision needs on a date, the summary of an ``assess`` run, and the progress count
of a long run (on standard error). Everything else here writes to a text stream the
command gives (which masks ID numbers); nothing reads arguments or files.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from poverty_core._text import Language, grid, width
from poverty_core._version import __version__
from poverty_core.errors import NotInForce
from poverty_core.expressions import subject_of
from poverty_core.jobs import Assessment
from poverty_core.packs import Pack
from poverty_core.parameters import format_value, period_lines
from poverty_core.rules import Outcome, versions_of

__all__ = [
    "Progress",
    "grid",
    "origin",
    "periods_of",
    "plans",
    "plans_data",
    "table",
    "width",
    "write_interpretations",
    "write_pack",
    "write_packs",
    "write_plans",
    "write_summary",
]


def table(rows: list[list[str]], out: TextIO) -> None:
    """Write :func:`grid` of ``rows``, a line each."""
    for line in grid(rows):
        out.write(line + "\n")


def write_packs(
    rows: Sequence[Mapping[str, Any]],
    problems: Sequence[Mapping[str, str]],
    lang: Language,
    out: TextIO,
) -> None:
    """The installed packs, their parents and chains, and the plugins that failed."""
    found = [["pack", "parent", "version", "title", "chain / error"]]
    for r in rows:
        tail = " → ".join(r["chain"]) if r["chain"] else "BROKEN: " + r["error"][lang]
        found.append([r["name"], r["parent"] or "—", r["version"], r["title"][lang], tail])
    table(found, out)
    for p in problems:
        out.write(f"problem: {p[lang]}\n")


def plans(pack: Pack, as_of: dt.date, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """For every decision: what it needs on ``as_of`` (or why it does not govern then)."""
    plans: dict[str, Any] = {}
    for d in pack.decisions.values():
        try:
            plans[d.id] = pack.readiness(d.id, as_of=as_of, overrides=dict(overrides))
        except NotInForce as err:
            plans[d.id] = err
    return plans


def plans_data(pack: Pack, as_of: dt.date, found: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON form of :func:`plans` (``show --as-of --format json``)."""
    return {
        "pack": pack.name,
        "as_of": as_of.isoformat(),
        "decisions": {
            k: (
                {"not_in_force": v.message("en"), "periods": list(v.periods)}
                if isinstance(v, NotInForce)
                else v.to_dict()
            )
            for k, v in found.items()
        },
    }


def write_plans(
    pack: Pack,
    as_of: dt.date,
    overrides: Mapping[str, Any],
    found: Mapping[str, Any],
    lang: Language,
    out: TextIO,
) -> None:
    """What each decision needs on ``as_of`` (``show --as-of``)."""
    w = out.write
    zh = lang == "zh"
    w(f"{pack.name} {pack.version} — {pack.title[lang]}, ")
    w(f"{'评估日' if zh else 'as of'} {as_of}\n")
    if overrides:
        w(f"{'参数覆盖' if zh else 'overrides'}: {dict(overrides)}\n")
    for plan in found.values():
        w("\n")
        if isinstance(plan, NotInForce):
            w(plan.message(lang) + "\n")
            continue
        w(plan.explain(lang) + "\n")


def write_pack(pack: Pack, lang: Language, out: TextIO) -> None:
    """A pack's effective rules and parameters with their origins (``show``)."""
    w = out.write
    w(f"{pack.name} {pack.version} — {pack.title[lang]}\n")
    w(f"chain: {' → '.join(pack.chain)}\n\n")
    w("DECISIONS / 决策\n")
    for d in pack.decisions.values():
        w(f"  {d.id} [{d.subject}, {d.kind}] {d.title[lang]}  (from {origin(d)})\n")
        w(f"      in force / 生效期: {periods_of(d, lang)}\n")
        for cid in d.criteria:
            rule = pack.criteria[cid]
            w(f"    - {rule.id}: {rule.title.zh} / {rule.title.en}  (from {origin(rule)})\n")
            if d.kind != "procedure":
                w(f"        test: {pack.rule_text(rule, lang)}\n")
            w(f"        source: {rule.citation.format(lang)}\n")
            w(f"        in force / 生效期: {periods_of(rule, lang)}\n")
    w("\nPARAMETERS / 参数\n")
    for p in sorted(pack.parameters.values(), key=lambda p: p.name):
        flag = " [interpretation]" if p.interpretation else ""
        w(f"  {p.name}: {p.title[lang]} ({p.unit}){flag}  (from {origin(p)})\n")
        for start, end, v in p.covering():
            span = f"{start} – {end or '…'}"
            w(f"    {span}: {format_value(v.value, p.unit)}  ← {v.citation.format(lang)}\n")
        if not p.values:
            w("    (no values)\n")
    if pack.classifiers:
        w("\nCLASSIFIERS / 分类器\n")
        for cf in pack.classifiers.values():
            w(f"  {cf.id} [{cf.subject}] {cf.title[lang]}  (from {origin(cf)})\n")
            for c in cf.classes:
                text = c.test.text(lang, pack.namer(), subject_of(cf.subject))
                w(f"    - {c.code}: {c.label.zh} / {c.label.en}: {text}\n")
            if cf.otherwise is not None:
                w(f"    - {cf.otherwise.code}: {cf.otherwise.label[lang]} (otherwise)\n")
    if pack.entitlements:
        w("\nENTITLEMENTS / 补助\n")
        for en in pack.entitlements.values():
            w(f"  {en.id} [{en.subject}] {en.title[lang]}  (from {origin(en)})\n")
            for ln in en.lines:
                amount = ln.amount.text(lang, pack.namer(), subject_of(en.subject))
                title = f"{ln.title.zh} / {ln.title.en}"
                w(f"    - {ln.id}: {title}: {amount} ({ln.kind}, per {ln.per})\n")
    if pack.indicators:
        w("\nINDICATORS / 指标\n")
        for ind in pack.indicators.values():
            title = f"{ind.title.zh} / {ind.title.en}"
            w(f"  {ind.id} [{ind.subject}, {ind.kind}] {title}  (from {origin(ind)})\n")
    if pack.fields:
        w("\nFIELDS / 字段\n")
        for f in pack.fields.values():
            w(f"  {f.describe(lang)}  (from {f.pack})\n")
            w(f"      source / 来源: {f.citation.format(lang)}\n")
    w("\nTAXONOMIES / 分类\n")
    for t in pack.taxonomies.values():
        items = ", ".join(i.label[lang] for i in t.items)
        w(f"  {t.id}: {t.title[lang]} (from {origin(t)}): {items}\n")
    if pack.removed:
        w("\nREMOVED / 已移除\n")
        for rid, by in pack.removed.items():
            w(f"  {rid} (by {by})\n")
    w("\nNOT ENCODED / 未编码\n")
    for n in pack.not_encoded:
        w(f"  [{n.pack}] {n.rule[lang]}: {n.reason[lang]}\n")


def origin(item: Any) -> str:
    """Which pack an item comes from (and what it overrides)."""
    over = getattr(item, "overrides", None)
    return f"{item.pack}, overrides {over}" if over else item.pack


def periods_of(item: Any, lang: Language) -> str:
    """A rule's period, who set it, and the inherited versions that govern outside it
    (:func:`poverty_core.parameters.period_lines`, on one line)."""
    return ("；" if lang == "zh" else "; ").join(period_lines(versions_of(item), lang))


def write_interpretations(report: Mapping[str, Any], lang: Language, out: TextIO) -> None:
    """The national form's interpretations a register was read under."""
    applied = (report.get("provenance") or {}).get("interpretations") or []
    if not applied:
        return
    zh = lang == "zh"
    out.write(
        "\n按国家登记表的解释读取（说明见文档 register-layouts；用 --interpret 编号=读法 改变）：\n"
        if zh
        else "\nread under interpretations of the national form (see the docs page "
        "register-layouts; change one with --interpret ID=READING):\n"
    )
    for item in applied:
        cells = f"{item['cells']} 格" if zh else f"{item['cells']} cells"
        out.write(f"  {item['id']} [{item['reading']}]: {item['title'][lang]} — {cells}\n")


_KIND_ZH = {"households": "户", "members": "成员", "villages": "村", "counties": "县"}


def write_summary(
    pack: Pack,
    overrides: Mapping[str, Any],
    run: Assessment,
    report: Mapping[str, Any],
    lang: Language,
    out: TextIO,
) -> None:
    """The summary ``assess`` prints: rows per file, outcomes, criteria, villages."""
    w = out.write
    zh = lang == "zh"
    w(f"poverty-core {__version__} — {pack.name} ({' → '.join(pack.chain)}), ")
    w(f"{'评估日' if zh else 'as of'} {run.as_of}\n")
    w(f"{'输入' if zh else 'input'}: {run.source}")
    if run.synthetic:
        w("  [合成数据 SYNTHETIC — 不是真实登记 / not a real register]")
    w("\n")
    if overrides:
        w(f"{'参数覆盖' if zh else 'overrides'}: {dict(overrides)}\n")
    w(f"{'行数（读入 = 已评估 + 被拒绝）' if zh else 'rows (read = assessed + rejected)'}:\n")
    for c in report["files"]:
        kind = _KIND_ZH.get(c["kind"], c["kind"]) if zh else c["kind"]
        w(
            f"  {c['file']} ({kind}): {c['read']} = {c['assessed']} + {c['rejected']}"
            + (" 行\n" if zh else "\n")
        )
    summary = report["summary"]
    records = run.records
    if summary["households"] is not None:
        title = pack.decision(run.decision).title[lang]
        w(f"\n{title} — {records} {'户' if zh else 'households'}\n")
        shown = [["结果", "户数", "人数"] if zh else ["outcome", "households", "people"]]
        for outcome in Outcome:
            shown.append(
                [
                    outcome.label[lang],
                    str(summary["households"][outcome.value]),
                    str(summary["people"][outcome.value]),
                ]
            )
        table(shown, out)
        total_h = sum(summary["households"].values())
        total_p = sum(summary["people"].values())
        eligible = Outcome.ELIGIBLE.value
        share_h = summary["households"][eligible] / total_h if total_h else None
        share_p = summary["people"][eligible] / total_p if total_p else None
        w(
            f"{'符合退出条件的比例' if zh else 'share eligible'}: "
            f"{format_value(share_h, 'ratio')} {'（户）' if zh else 'of households'}, "
            f"{format_value(share_p, 'ratio')} {'（人）' if zh else 'of people'}\n"
        )
        if run.absent_inputs:
            w(
                "文件中没有的输入（因此无法判定的记录数）: "
                if zh
                else "absent from the file (records left undetermined by it): "
            )
            w(", ".join(f"{k} {summary['missing'].get(k, 0)}" for k in run.absent_inputs) + "\n")
        if summary["missing"]:
            w(f"{'缺少数据（记录数）' if zh else 'missing data (records)'}: ")
            w(", ".join(f"{k} {v}" for k, v in sorted(summary["missing"].items())) + "\n")
        w(f"{'各项标准（未通过 / 未知）' if zh else 'criteria (failed / unknown)'}:\n")
        for cid, c in summary["criteria"].items():
            title = report["titles"].get(cid, {}).get(lang, cid)
            if c.get("not_in_force") == records and records:
                period = periods_of(pack.criteria[cid], lang)
                label = "未生效" if zh else "not in force"
                w(f"  {label:>19} {title} [{period}]\n")
                continue
            w(f"  {c['failed']:>8} / {c['unknown']:<8} {title}\n")
    for message in run.summary.not_in_force.values():
        w(f"\n{message[lang]}\n")
    for label, decision, counts in (
        ("villages", "village_exit", run.summary.villages),
        ("counties", "county_exit", run.summary.counties),
    ):
        if counts is None:
            continue
        noun = _KIND_ZH[label] if zh else label
        w(f"\n{pack.decision(decision).title[lang]} — {sum(counts.values())} {noun}\n")
        head = ["结果" if zh else "outcome", noun]
        table([head] + [[o.label[lang], str(counts[o.value])] for o in Outcome], out)
    if summary["by_village"] and run.summary.villages is not None:
        w(f"\n{'按村' if zh else 'by village'}:\n")
        outcomes = {row["id"]: Outcome(row["outcome"]) for row in run.villages}
        population = {v.id: v for v in run.village_records}
        header = (
            ["村", "户数", "退出户", "退出率", "贫困人口", "人口", "贫困发生率", "村退出"]
            if zh
            else ["village", "households", "exited", "rate", "poor people", "population",
                  "incidence", "village exit"]
        )  # fmt: skip
        vtable = [header]
        for g in summary["by_village"]:
            vid = g["village_id"]
            v = population.get(vid)
            vtable.append(
                [
                    str(vid),
                    str(g["households"]),
                    str(g["eligible_households"]),
                    format_value(g["exit_rate_households"], "ratio"),
                    "—" if v is None or v.poor_population is None else str(v.poor_population),
                    "—"
                    if v is None or v.rural_registered_population is None
                    else str(v.rural_registered_population),
                    format_value(v.incidence if v else None, "ratio"),
                    outcomes[vid].label[lang] if vid in outcomes else "—",
                ]
            )
        table(vtable, out)


class Progress:
    """A one-line progress count on a terminal (standard error), for long runs."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0

    def __call__(self, n: int) -> None:
        """Count ``n`` more households."""
        self.count += n
        if self.enabled:
            sys.stderr.write(f"\r  {self.count:,} households assessed")
            sys.stderr.flush()

    def done(self) -> None:
        """End the line."""
        if self.enabled and self.count:
            sys.stderr.write("\n")
