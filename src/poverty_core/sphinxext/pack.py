"""A pack's reference page as reST (:func:`pack_rst`): its inheritance path and roll-up
as pictures, what it changes (:mod:`poverty_core.sphinxext.changes`), then every decision,
classifier, entitlement, indicator, checklist, procedure, field, reference, taxonomy and
parameter, what it does not encode and its sources — Chinese first, then English.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from poverty_core._pictures import (
    chain_picture,
    decision_picture,
    rollup_picture,
    rule_parameters,
    threshold_lines,
    unit_label,
)
from poverty_core._text import Language
from poverty_core.expressions import subject_of
from poverty_core.packs import Pack
from poverty_core.parameters import period_lines
from poverty_core.rules import versions_of
from poverty_core.sphinxext.changes import _changes
from poverty_core.sphinxext.rst import (
    _bullets,
    _cell,
    _esc,
    _figure,
    _lit,
    _para,
    _strong,
    _table,
    _xml,
    heading,
)

__all__ = ["pack_rst"]

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


def _period_lines(item: Any, zh: bool) -> list[str]:
    """The period a rule governs and who set it, then the inherited versions outside it."""
    return [_esc(line) for line in period_lines(versions_of(item), "zh" if zh else "en")]


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
