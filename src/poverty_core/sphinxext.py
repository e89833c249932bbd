"""A Sphinx extension that documents packs and the command line from the code itself.

Add ``"poverty_core.sphinxext"`` to ``extensions``; then, in a reST or MyST page::

    .. poverty-pack:: fujian

    .. poverty-picture:: inheritance
    .. poverty-picture:: decision national household_exit
    .. poverty-picture:: rollup fujian

    .. poverty-cli::

``poverty-pack`` writes a pack's reference: its inheritance path and roll-up as pictures,
then every decision (a picture of its criteria, and a table leading with each
criterion's Chinese title and test, its threshold — the parameter's values over the
criterion's period in force —, the period and who set it, the source, then the
English), classifiers, entitlements, indicators, checklists, procedures, taxonomies,
parameters, what the pack does not encode and its sources. A third-party pack gets the
same page for free; nothing is written by hand twice.

``poverty-cli`` writes the reference of every command and option from the argument
parser, so the page cannot drift from the program.

The reference is generated as reStructuredText (:func:`pack_rst`, :func:`cli_rst`) and
parsed with docutils' reST parser whatever the page's own markup is (a MyST page would
otherwise read it as Markdown). Inline markup is recognised next to Chinese characters
(docutils' ``character_level_inline_markup``), and title underlines are as long as the
title's display width (a Chinese character takes two columns).
"""

from __future__ import annotations

import argparse
import copy
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docutils import nodes
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from poverty_core._pictures import (
    chain_picture,
    decision_picture,
    inheritance_picture,
    rollup_picture,
    rule_parameters,
    threshold_lines,
    unit_label,
)
from poverty_core._svg import display_width
from poverty_core._text import Language
from poverty_core.expressions import subject_of
from poverty_core.packs import Pack
from poverty_core.plugins import default_registry, load_pack

__all__ = [
    "CliDirective",
    "PackDirective",
    "PictureDirective",
    "cli_rst",
    "heading",
    "pack_rst",
    "setup",
]

# -- reST building blocks ----------------------------------------------------------------

_LINE_START = re.compile(r"^(\s*)([-+*•]\s|\d+[.)]\s|[#a-zA-Z][.)]\s|\(\d+\)\s|\.\.\s)")


def _esc(text: str) -> str:
    r"""Plain text made safe for reST with character-level inline markup: markup
    characters are escaped, and a line that would start a list or a comment too.

    >>> _esc("poverty_line *x* `y` a|b")
    'poverty\\_line \\*x\\* \\`y\\` a\\|b'
    >>> _esc("1. first")
    '\\1. first'
    """
    text = text.replace("\\", "\\\\")
    for c in "*`|_[]<>":
        text = text.replace(c, "\\" + c)
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in text.split("\n"))


def _lit(text: str) -> str:
    """Inline code (an id, a command)."""
    return f"``{text}``" if "`" not in text else _esc(text)


def _strong(text: str) -> str:
    return f"**{_esc(text)}**" if text.strip() else ""


def _para(*parts: str) -> str:
    """Parts joined as one paragraph, empty parts left out."""
    return " ".join(p for p in parts if p)


def heading(title: str, char: str) -> list[str]:
    """A section title with its underline as long as the title's display width.

    >>> heading("决策", "-")
    ['', '决策', '----', '']
    """
    return ["", title, char * display_width(title), ""]


def _cell(blocks: Iterable[str]) -> str:
    """A table cell: the non-empty blocks as paragraphs."""
    return "\n\n".join(b for b in blocks if b) or "—"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> list[str]:
    out = [".. list-table::", "   :header-rows: 1"]
    if css:
        out.append(f"   :class: {css}")
    out.append("")
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            lines = (cell or "—").split("\n")
            out.append(("   * - " if i == 0 else "     - ") + lines[0])
            out += [("       " + ln) if ln else "" for ln in lines[1:]]
    out.append("")
    return out


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items if item)


def _figure(svg: str, caption: str) -> list[str]:
    """An inline SVG picture for HTML builders (other builders skip it)."""
    html = f'<figure class="poverty-picture">{svg}<figcaption>{caption}</figcaption></figure>'
    return [".. raw:: html", "", "   " + html.replace("\n", " "), ""]


# -- a pack's reference ------------------------------------------------------------------

_SUBJECT = {
    "household": ("户", "household"),
    "village": ("村", "village"),
    "county": ("县", "county"),
}


def _subject(subject: str) -> tuple[str, str]:
    return _SUBJECT.get(subject, (subject, subject))


def _origin_zh(item: Any) -> str:
    over = getattr(item, "overrides", None)
    return f"{item.pack}（覆盖 {over}）" if over else str(item.pack)


def _origin_en(item: Any) -> str:
    over = getattr(item, "overrides", None)
    return f"{item.pack} (overrides {over})" if over else str(item.pack)


def _setter(origin: str, zh: bool) -> str:
    if origin.startswith("source:"):
        return ("来源 " if zh else "source ") + origin.split(":", 1)[1]
    if origin == "caller":
        return "调用方设定" if zh else "set by the caller"
    if origin:
        return f"由 {origin} 设定" if zh else f"set by {origin}"
    return ""


def _period_lines(item: Any, zh: bool) -> list[str]:
    """The period a rule governs and who set it, then the inherited versions outside it."""
    from poverty_core.rules import versions_of

    language: Language = "zh" if zh else "en"
    out = []
    for i, version in enumerate(versions_of(item)):
        period = version.in_force
        if period is None:
            text = "始终" if zh else "always"
        else:
            who = _setter(period.origin, zh)
            text = period.format(language) + (f"（{who}）" if zh and who else "")
            text += f" ({who})" if who and not zh else ""
        if i:
            text = (f"其外：{version.pack} " if zh else f"outside it: {version.pack} ") + text
        out.append(_esc(text))
    return out


def _thresholds(pack: Pack, item: Any, zh: bool) -> str:
    language: Language = "zh" if zh else "en"
    blocks = []
    for p in rule_parameters(pack, item):
        lines = threshold_lines(p, getattr(item, "in_force", None), language, sources=False)
        blocks.append(_strong(p.title[language]) + " " + _lit(p.name))
        blocks.append(_bullets(_esc(line) for line in lines))
    return _cell(blocks)


def _test_text(rule: Any, language: Language, namer: Any, subject: Any) -> str:
    """A criterion's test as text, left out when it only repeats the title (a yes/no
    field such as 不愁吃)."""
    text = rule.test.text(language, namer, subject)
    return "" if text.strip().lower() == rule.title[language].strip().lower() else _esc(text)


def _when_where(pack: Pack, item: Any, citations: Iterable[Any], owner: Any = None) -> str:
    """The middle column: threshold, period in force, sources and the pack it comes from
    (``owner``'s, for a part such as an entitlement line), in Chinese."""
    thresholds = _thresholds(pack, item, True) if rule_parameters(pack, item) else ""
    return _cell(
        [
            "阈值：" if thresholds else "",
            thresholds,
            "生效期：" + "；".join(_period_lines(item, True)),
            "出处：" + "；".join(_esc(c.format("zh")) for c in citations),
            f"来源包：{_esc(_origin_zh(owner or item))}",
        ]
    )


def _flag(item: Any, zh: bool) -> str:
    if not getattr(item, "interpretation", False):
        return ""
    return "*（解释：本包的读法）*" if zh else "*(interpretation: the pack's reading)*"


def _description(item: Any, language: str) -> str:
    d = getattr(item, "description", None)
    return _esc(d[language]) if d is not None else ""


def _intro(item: Any) -> list[str]:
    """The lines under a rule's heading: subject, origin, period and sources, zh then en."""
    zh_subject, en_subject = _subject(getattr(item, "subject", ""))
    cites = getattr(item, "citations", None) or (item.citation,)
    lines = [
        _para(
            _strong(item.title.zh),
            f"对象：{zh_subject}；来源包：{_esc(_origin_zh(item))}。"
            if getattr(item, "subject", None)
            else f"来源包：{_esc(_origin_zh(item))}。",
            _flag(item, True),
        ),
        "",
        "生效期：" + "；".join(_period_lines(item, True)),
        "",
        "出处：" + "；".join(_esc(c.format("zh")) for c in cites),
        "",
    ]
    if _description(item, "zh"):
        lines += [_description(item, "zh"), ""]
    en = _para(
        _strong(item.title.en),
        f"Subject: {en_subject}; from {_esc(_origin_en(item))}."
        if getattr(item, "subject", None)
        else f"From {_esc(_origin_en(item))}.",
        "In force: " + "; ".join(_period_lines(item, False)) + ".",
        "Source: " + "; ".join(_esc(c.format("en")) for c in cites) + ".",
        _flag(item, False),
    )
    lines += [en, ""]
    if _description(item, "en"):
        lines += [_description(item, "en"), ""]
    return lines


def _decisions(pack: Pack) -> list[str]:
    lines = heading("决策与判定标准 · Decisions and criteria", "=")
    lines += [
        "每项决策：全部标准通过为「符合」，任一未通过为「不符合」，其余（缺数据）为「无法判定」；"
        "不在生效期内的标准不适用（未生效）。",
        "",
        "Each decision: eligible when every criterion passes, not eligible when one fails, "
        "undetermined otherwise (data missing); a criterion outside its period does not "
        "apply (not in force).",
        "",
    ]
    namer = pack.namer()
    for d in pack.decisions.values():
        if d.kind != "decision":
            continue
        lines += heading(f"{_esc(d.title.zh)} {_lit(d.id)}", "-")
        lines += _intro(d)
        lines += _figure(
            decision_picture(pack, d.id),
            f"{_xml(d.title.zh)} 的判定标准及阈值 · the criteria of {_xml(d.title.en)} "
            "and their thresholds",
        )
        rows = []
        for cid in d.criteria:
            r = pack.criteria[cid]
            subject = subject_of(r.subject)
            reads = ", ".join(_lit(ref.label()) for ref in r.refs())
            rows.append(
                [
                    _cell(
                        [
                            _strong(r.title.zh),
                            _test_text(r, "zh", namer, subject),
                            _description(r, "zh"),
                            _para(_lit(r.id), _flag(r, True)),
                        ]
                    ),
                    _when_where(pack, r, r.citations),
                    _cell(
                        [
                            _strong(r.title.en),
                            _test_text(r, "en", namer, subject),
                            _description(r, "en"),
                            _cell(["Threshold:", _thresholds(pack, r, False)])
                            if rule_parameters(pack, r)
                            else "",
                            "In force: " + "; ".join(_period_lines(r, False)),
                            f"Reads: {reads}" if reads else "",
                            f"From {_esc(_origin_en(r))}. {_flag(r, False)}",
                        ]
                    ),
                ]
            )
        lines += _table(["判定标准", "阈值、生效期与出处", "English"], rows, css="poverty-rules")
    return lines


def _classifiers(pack: Pack) -> list[str]:
    namer = pack.namer()
    lines = heading("分类器 · Classifiers", "=")
    for cf in pack.classifiers.values():
        lines += heading(f"{_esc(cf.title.zh)} {_lit(cf.id)}", "-")
        lines += _intro(cf)
        subject = subject_of(cf.subject)
        rows = [
            [
                _cell([_strong(c.label.zh), _esc(c.test.text("zh", namer, subject))]),
                _lit(c.code),
                _cell([_strong(c.label.en), _esc(c.test.text("en", namer, subject))]),
            ]
            for c in cf.classes
        ]
        if cf.otherwise is not None:
            o = cf.otherwise
            rows.append(
                [
                    _cell([_strong(o.label.zh), "其余"]),
                    _lit(o.code),
                    _cell([_strong(o.label.en), "otherwise"]),
                ]
            )
        lines += ["依次检验，归入第一个通过的类别。 Tested in order; the first class that "
                  "passes is the class.", ""]  # fmt: skip
        lines += _table(["类别与检验", "代码", "English"], rows)
    return lines


def _entitlements(pack: Pack) -> list[str]:
    namer = pack.namer()
    per = {"member": ("每人", "per member"), "household": ("每户", "per household")}
    kinds = {
        "grant": ("补助", "grant"),
        "loan": ("贷款", "loan"),
        "waiver": ("减免", "waiver"),
        "subsidy": ("补贴", "subsidy"),
    }
    lines = heading("补助 · Entitlements", "=")
    for en in pack.entitlements.values():
        lines += heading(f"{_esc(en.title.zh)} {_lit(en.id)}", "-")
        lines += _intro(en)
        subject = subject_of(en.subject)
        rows = []
        for ln in en.lines:
            rows.append(
                [
                    _cell(
                        [
                            _strong(ln.title.zh),
                            "条件：" + _esc(ln.condition.text("zh", namer, subject)),
                            f"{kinds[ln.kind][0]}，{per[ln.per][0]}",
                            _lit(ln.id),
                        ]
                    ),
                    _cell(
                        [
                            "金额：" + _esc(ln.amount.text("zh", namer, subject)),
                            _when_where(pack, ln, [ln.citation], owner=en),
                        ]
                    ),
                    _cell(
                        [
                            _strong(ln.title.en),
                            "Condition: " + _esc(ln.condition.text("en", namer, subject)),
                            "Amount: " + _esc(ln.amount.text("en", namer, subject)),
                            f"{kinds[ln.kind][1]}, {per[ln.per][1]}",
                            "In force: " + "; ".join(_period_lines(ln, False)),
                        ]
                    ),
                ]
            )
        lines += _table(
            ["补助项目", "金额、阈值、生效期与出处", "English"], rows, css="poverty-rules"
        )
    return lines


_INDICATOR_KIND = {
    "share": ("比例", "share"),
    "count": ("计数", "count"),
    "sum": ("合计", "sum"),
    "breakdown": ("构成", "breakdown"),
    "ratio": ("比率", "ratio"),
}


def _indicators(pack: Pack) -> list[str]:
    lines = heading("指标 · Indicators", "=")
    lines += [
        "指标按组（村、县 …）汇总记录；有目标的指标判断各组是否达到。 An indicator aggregates "
        "records per group (village, county …); one with a target says whether each group "
        "meets it.",
        "",
    ]
    rows = []
    for i in pack.indicators.values():
        zh_kind, en_kind = _INDICATOR_KIND.get(i.kind, (i.kind, i.kind))
        weight = "按人" if i.weight == "people" else "按记录"
        target = ""
        if i.target is not None:
            op = i.target[0]
            target = f"目标 {_esc(op)} " + (
                "；".join(_esc(p.title.zh) for p in rule_parameters(pack, i))
            )
        rows.append(
            [
                _cell(
                    [
                        _strong(i.title.zh),
                        f"{zh_kind}，{weight}；对象：{_subject(i.subject)[0]}",
                        target,
                        _description(i, "zh"),
                        _para(_lit(i.id), _flag(i, True)),
                    ]
                ),
                _when_where(pack, i, i.citations),
                _cell(
                    [
                        _strong(i.title.en),
                        f"{en_kind}, by {'people' if i.weight == 'people' else 'records'}; "
                        f"subject: {_subject(i.subject)[1]}",
                        _description(i, "en"),
                        "In force: " + "; ".join(_period_lines(i, False)),
                        f"From {_esc(_origin_en(i))}. {_flag(i, False)}",
                    ]
                ),
            ]
        )
    lines += _table(["指标", "阈值、生效期与出处", "English"], rows, css="poverty-rules")
    return lines


def _checklists(pack: Pack) -> list[str]:
    lines = heading("核查清单 · Checklists", "=")
    for cl in pack.checklists.values():
        lines += heading(f"{_esc(cl.title.zh)} {_lit(cl.id)}", "-")
        lines += _intro(cl)
        lines += [
            "各项均具备为完整；未记录的项为未知。 Complete when every item is ticked; an item "
            "not recorded is unknown.",
            "",
        ]
        rows = [[_esc(i.label.zh), _lit(i.id), _esc(i.label.en)] for i in cl.items]
        lines += _table(["项目", "编号", "English"], rows)
    return lines


def _procedures(pack: Pack) -> list[str]:
    lines = heading("程序 · Procedures", "=")
    for pr in pack.procedures.values():
        lines += heading(f"{_esc(pr.title.zh)} {_lit(pr.id)}", "-")
        lines += _intro(pr)
        lines += [
            "各步骤均有完成日期且按顺序时程序完成。 Complete when every step is dated, in order.",
            "",
        ]
        rows = [
            [str(n), _esc(s.label.zh), _lit(s.id), _esc(s.label.en)]
            for n, s in enumerate(pr.steps, 1)
        ]
        lines += _table(["步骤", "内容", "编号", "English"], rows)
    return lines


def _taxonomies(pack: Pack) -> list[str]:
    lines = heading("分类表 · Taxonomies", "=")
    for t in pack.taxonomies.values():
        lines += heading(f"{_esc(t.title.zh)} {_lit(t.id)}", "-")
        lines += [
            _para(
                f"来源包：{_esc(_origin_zh(t))}；出处：{_esc(t.citation.format('zh'))}。",
                f"From {_esc(_origin_en(t))}; source: {_esc(t.citation.format('en'))}.",
            ),
            "",
        ]
        rows = [[_lit(i.code), _esc(i.label.zh), _esc(i.label.en)] for i in t.items]
        lines += _table(["代码", "名称", "English"], rows)
    return lines


def _references(pack: Pack) -> list[str]:
    lines = heading("参考数据 · Reference data", "=")
    lines += [
        _para(
            "规则比对的、由调用方每次运行时提供的数据（reference(…)）：本包只声明其形式与出处，"
            "数据不随包发布；结果只记录名称、行数和内容哈希。",
            "Data rules compare records with that the caller supplies for each run "
            "(reference(…)): the pack declares their form and source only; the data never "
            "ship with it, and results record the name, row count and content hash.",
        ),
        "",
    ]
    rows = [
        [
            _lit(r.id),
            _esc(r.kind),
            _lit(r.key) + (f" ({_esc(r.key_form)})" if r.key_form != "text" else ""),
            ", ".join(_lit(c) for c in r.columns) or "—",
            _esc(_origin_zh(r)),
            _esc(r.citation.format("zh")),
            _esc(r.title.zh),
            _esc(r.title.en),
        ]
        for r in pack.references.values()
    ]
    lines += _table(["编号", "类型", "键", "列", "来源包", "出处", "名称", "English"], rows)
    return lines


def _fields(pack: Pack) -> list[str]:
    lines = heading("输入字段 · Input fields", "=")
    lines += [
        _para(
            "本包（或其上级包）在 fields.toml 中声明、核心模型之外的登记字段；"
            "登记表中可用名称或所列表头。",
            "Register fields the pack (or an ancestor) declares in fields.toml, beyond the "
            "core model; a register names them by the name, the title or a listed header.",
        ),
        "",
    ]
    rows = [
        [
            _lit(f.name),
            _esc(f.subject),
            _esc(f.type) + (f" {_lit(f.codes)}" if f.codes else ""),
            _esc(f.unit or "—"),
            _esc(f.title.zh),
            _esc("、".join(f.aliases) or "—"),
            "是 yes" if f.personal else "否 no",
            _esc(f.pack),
            _esc(f.citation.format("zh")),
            _esc(f.title.en),
        ]
        for f in pack.fields.values()
    ]
    lines += _table(  # Chinese first, English last (as every table of the page)
        ["字段", "记录", "类型", "单位", "名称", "表头", "个人信息", "来源包", "出处", "English"],
        rows,
    )
    return lines


_UNITLESS = {"ratio": "比例（百分数）", "count": "个数", "none": "—"}


def _parameters(pack: Pack) -> list[str]:
    lines = heading("参数 · Parameters", "=")
    lines += [
        "每个取值都有起止日期和出处；没有取值的日期即为缺口：用 ``--set NAME=值`` 提供。 "
        "Every value has its dates and source; a date no value covers is a gap: supply "
        "one with ``--set NAME=VALUE``.",
        "",
    ]
    rows = []
    for p in sorted(pack.parameters.values(), key=lambda p: p.name):
        zh_values = threshold_lines(p, None, "zh") if p.values else []
        en_values = threshold_lines(p, None, "en", sources=False) if p.values else []
        rows.append(
            [
                _cell(
                    [
                        _strong(p.title.zh),
                        _description(p, "zh"),
                        _para(_lit(p.name), _flag(p, True)),
                        "单位：" + _esc(unit_label(p.unit, "zh") or _UNITLESS.get(p.unit, "—")),
                        f"来源包：{_esc(_origin_zh(p))}",
                    ]
                ),
                _bullets(_esc(v) for v in zh_values) or "*无取值：须由调用方提供*",
                _cell(
                    [
                        _strong(p.title.en),
                        _bullets(_esc(v) for v in en_values) or "*no value: supply one*",
                        _description(p, "en"),
                        _flag(p, False),
                    ]
                ),
            ]
        )
    lines += _table(["参数", "取值与出处", "English"], rows, css="poverty-rules")
    return lines


def _not_encoded(pack: Pack) -> list[str]:
    lines = heading("未编码 · Not encoded", "=")
    if not pack.not_encoded:
        return [*lines, "无。 None.", ""]
    rows = [
        [
            _cell([_strong(n.rule.zh), _esc(n.reason.zh)]),
            _esc(n.citation.format("zh")),
            _esc(n.pack),
            _cell([_strong(n.rule.en), _esc(n.reason.en)]),
        ]
        for n in pack.not_encoded
    ]
    return lines + _table(["规则与原因", "出处", "策略包", "English"], rows)


_CONFIDENCE = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}


def _sources_table(pack: Pack) -> list[str]:
    lines = heading("来源 · Sources", "=")
    rows = [
        [
            _cell([_strong(s.title.zh), _esc(s.note.zh) if s.note else ""]),
            _cell(
                [
                    f"编号：{_lit(s.id)}",
                    f"发布：{_esc(s.published or '—')}",
                    "所辖期间：" + (_esc(s.governs.format("zh")) if s.governs else "—"),
                    f"可信度：{_CONFIDENCE.get(s.confidence, (s.confidence, ''))[0]}",
                    f"策略包：{_esc(s.pack)}",
                ]
            ),
            _cell([_strong(s.title.en), _esc(s.note.en) if s.note else ""]),
        ]
        for s in pack.sources.values()
    ]
    return lines + _table(["来源", "编号、日期与可信度", "English"], rows, css="poverty-rules")


def _change_rows(diff: Any) -> list[list[str]]:
    from poverty_core.diff import CHANGE_LABELS, KIND_LABELS, format_items, format_version

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
    from poverty_core.diff import format_values, parameter_change_label

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
    from poverty_core.diff import CHANGE_LABELS, KIND_LABELS, format_version

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
    import datetime as dt

    from poverty_core.diff import diff_dates, diff_packs
    from poverty_core.rules import versions_of

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


def _xml(text: str) -> str:
    return escape(text)


def pack_rst(pack: Pack) -> list[str]:
    """The reST lines of a pack's reference page (Chinese first, then English)."""
    lines = [
        _para(
            _strong(pack.title.zh),
            f"（{_esc(pack.title.en)}）版本 {_esc(pack.version)}；继承链："
            + " → ".join(_lit(n) for n in pack.chain)
            + "。",
        ),
        "",
    ]
    if pack.definition.description is not None:
        lines += [
            _esc(pack.definition.description.zh),
            "",
            _esc(pack.definition.description.en),
            "",
        ]
    lines += _figure(
        chain_picture(pack),
        "继承链：每一级新增和覆盖的内容 · the inheritance path: what each level adds and "
        "overrides (shaded: this pack)",
    )
    if {"household_exit", "village_exit", "county_exit"} <= set(pack.decisions):
        lines += _figure(
            rollup_picture(pack),
            "由户到村、县的汇总：每级的决策及其判定标准 · the roll-up from households to "
            "villages and counties: the decision and its criteria at each level",
        )
    lines += _changes(pack)
    lines += _decisions(pack)
    for present, part in (
        (pack.classifiers, _classifiers),
        (pack.entitlements, _entitlements),
        (pack.indicators, _indicators),
        (pack.checklists, _checklists),
        (pack.procedures, _procedures),
        (pack.fields, _fields),
        (pack.references, _references),
        (pack.taxonomies, _taxonomies),
    ):
        if present:
            lines += part(pack)
    lines += _parameters(pack)
    lines += _not_encoded(pack)
    lines += _sources_table(pack)
    return lines


# -- the command line ------------------------------------------------------------------


def _option(action: argparse.Action) -> str:
    if action.option_strings:
        return ", ".join(_lit(o) for o in action.option_strings)
    return _lit(action.metavar or action.dest)  # type: ignore[arg-type]


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "—"
    if action.choices is not None and action.metavar is None:
        return " | ".join(_lit(str(c)) for c in action.choices)
    text = _lit(str(action.metavar or action.dest.upper()))
    if action.choices is not None:
        text += "（" + " | ".join(_lit(str(c)) for c in action.choices) + "）"
    return text


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default in (None, [], argparse.SUPPRESS):
        return "—"
    return _lit(str(action.default))


def _options_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        note = []
        if action.required:
            note.append("*required / 必需*")
        if action.__class__.__name__ == "_AppendAction":
            note.append("*repeatable / 可重复*")
        rows.append(
            [
                _option(action),
                _value(action),
                _default(action),
                _cell([_esc(action.help or ""), " ".join(note)]),
            ]
        )
    for group in parser._mutually_exclusive_groups:
        names = " / ".join(_option(a) for a in group._group_actions)
        rows.append(
            [
                names,
                "—",
                "—",
                ("*exactly one of them / 二者必选其一*" if group.required else "*at most one*"),
            ]
        )
    return _table(["option / 选项", "value / 取值", "default / 默认", "what it does / 作用"], rows)


def _usage(parser: argparse.ArgumentParser) -> list[str]:
    usage = parser.format_usage().strip()
    return [".. code-block:: text", "", *("   " + ln for ln in usage.splitlines()), ""]


def cli_rst(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """The reST lines of the command-line reference: the program's own options, then
    every command with its usage and a table of its options, all from ``parser``
    (default: the ``poverty-core`` parser)."""
    if parser is None:
        from poverty_core.cli import _parser

        parser = _parser()
    lines = heading(_lit(parser.prog), "-")
    lines += [_esc(parser.description or ""), "", *_usage(parser), *_options_table(parser)]
    if parser.epilog:
        lines += [_esc(parser.epilog), ""]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, command in sub.choices.items():
        lines += heading(_lit(f"{parser.prog} {name}"), "-")
        lines += [_esc(helps.get(name) or ""), "", *_usage(command), *_options_table(command)]
    return lines


# -- directives ------------------------------------------------------------------------


class _RstDirective(SphinxDirective):
    """A directive whose output is reST text, parsed as reST whatever the page's markup."""

    def parse_rst(self, lines: list[str], source: str) -> list[nodes.Node]:
        """Parse ``lines`` as reStructuredText into nodes for this page."""
        main = self.state.document
        settings = copy.copy(main.settings)
        settings.character_level_inline_markup = True
        doc = new_document(source, settings)
        doc.reporter = main.reporter
        Parser().parse("\n".join(lines) + "\n", doc)
        # The sections got their ids in the scratch document: give them ids unique in
        # this page instead.
        for section in doc.findall(nodes.section):
            section["ids"] = []
            main.note_implicit_target(section, section)
        return list(doc.children)


class PackDirective(_RstDirective):
    """``.. poverty-pack:: NAME`` — the reference of an installed pack."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the pack's reference as nodes."""
        pack = load_pack(self.arguments[0])
        # The page is read again when a data file of the pack or of an ancestor changes.
        for name in pack.chain:
            data = load_pack(name).definition.data
            if isinstance(data, Path) and data.is_dir():
                for path in sorted(data.rglob("*.toml")):
                    self.env.note_dependency(str(path))
        return self.parse_rst(pack_rst(pack), f"<pack {pack.name}>")


class CliDirective(_RstDirective):
    """``.. poverty-cli::`` — every command and option, from the argument parser."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the command-line reference as nodes."""
        return self.parse_rst(cli_rst(), "<poverty-core --help>")


class PictureDirective(_RstDirective):
    """``.. poverty-picture:: inheritance`` (every installed pack),
    ``.. poverty-picture:: decision PACK DECISION`` or ``.. poverty-picture:: rollup PACK``.
    """

    required_arguments = 1
    optional_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Draw the picture as an inline SVG figure."""
        what, *args = self.arguments
        if what == "inheritance":
            packs = {name: load_pack(name) for name in default_registry().names()}
            svg = inheritance_picture(packs)
            caption = (
                "已安装策略包的继承关系：每个包新增和覆盖的内容 · the installed packs: what each "
                "adds and overrides"
            )
        elif what == "decision" and len(args) == 2:
            pack = load_pack(args[0])
            d = pack.decisions[args[1]]
            svg = decision_picture(pack, d.id)
            caption = f"{_xml(d.title.zh)}（{args[0]}）· {_xml(d.title.en)} ({args[0]})"
        elif what == "rollup" and len(args) == 1:
            svg = rollup_picture(load_pack(args[0]))
            caption = (
                f"由户到村、县的汇总（{args[0]}）· the roll-up from households to villages and "
                f"counties ({args[0]})"
            )
        else:
            raise self.error("poverty-picture: inheritance | decision PACK DECISION | rollup PACK")
        return self.parse_rst(_figure(svg, caption), "<poverty-picture>")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``poverty-pack``, ``poverty-picture`` and ``poverty-cli`` directives."""
    app.add_directive("poverty-pack", PackDirective)
    app.add_directive("poverty-picture", PictureDirective)
    app.add_directive("poverty-cli", CliDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
