"""A Sphinx extension that documents a pack from the pack itself.

Add ``"poverty_core.sphinxext"`` to ``extensions`` and write::

    .. poverty-pack:: fujian

The page lists the parent chain, every decision with its criteria (zh and en titles,
what each reads, its citation, where it comes from and what it overrides), the
classifiers, entitlements, indicators, checklists, procedures and taxonomies, every
parameter with its dated values and sources, and what the pack does not encode. A
third-party pack gets the same page for free; nothing is written by hand twice.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from poverty_core.packs import Pack, load_pack
from poverty_core.parameters import format_value

__all__ = ["CliHelpDirective", "PackDirective", "pack_rst", "setup"]


def _esc(text: str) -> str:
    return text.replace("*", r"\*").replace("`", r"\`").replace("|", r"\|").replace("_", r"\_")


def _origin(item: Any) -> str:
    over = getattr(item, "overrides", None)
    if over:
        return f"**{item.pack}** (overrides / 覆盖 {over})"
    return str(item.pack)


def _period(item: Any) -> str:
    """The period a rule governs, who set it, and the inherited versions outside it."""
    from poverty_core.rules import versions_of

    def one(version: Any) -> str:
        period = version.in_force
        if period is None:
            return "always / 始终"
        origin = period.origin.replace("source:", "source / 来源 ")
        return f"{period.format('en')} ({_esc(origin)})"

    versions = versions_of(item)
    text = one(versions[0])
    for older in versions[1:]:
        text += f"\n\noutside it / 其外: {_esc(older.pack)} {one(older)}"
    return text


def _heading(item: Any, tail: str) -> list[str]:
    title = f"{_esc(item.title.zh)} / {_esc(item.title.en)}"
    where = f"from {_origin(item)}"
    if hasattr(item, "in_force"):
        where += "; in force / 生效期 " + _period(item).replace("\n\n", "; ")
    return [f"``{item.id}`` — {title} ({where}): {tail}", ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        first = True
        for cell in row:
            lines = (cell or "—").splitlines() or ["—"]
            prefix = "   * - " if first else "     - "
            out.append(prefix + lines[0])
            out += ["       " + ln for ln in lines[1:]]
            first = False
    out.append("")
    return out


def pack_rst(pack: Pack) -> list[str]:
    """The reST lines of a pack's reference page."""
    namer = pack.namer()
    from poverty_core.expressions import subject_of

    lines: list[str] = []

    def section(title: str, char: str) -> None:
        lines.extend(["", title, char * (len(title) * 2), ""])

    lines += [
        f"**{_esc(pack.title.zh)} / {_esc(pack.title.en)}** — version {pack.version}",
        "",
        f"Parent chain / 继承链: {' → '.join(pack.chain)}",
        "",
    ]
    if pack.definition.description is not None:
        lines += [
            _esc(pack.definition.description.zh),
            "",
            _esc(pack.definition.description.en),
            "",
        ]

    section("Decisions and criteria / 决策与判定标准", "-")
    for d in pack.decisions.values():
        lines += [
            f"``{d.id}`` — {_esc(d.title.zh)} / {_esc(d.title.en)}",
            "~" * 60,
            "",
            f"Subject / 对象: {d.subject}; kind / 类型: {d.kind}; from / 来源包: {_origin(d)}",
            "",
            "In force / 生效期: " + _period(d).replace("\n\n", "; "),
            "",
            "Source / 出处: " + "; ".join(_esc(c.format("zh")) for c in d.citations),
            "",
        ]
        rows = []
        for cid in d.criteria:
            r = pack.criteria[cid]
            test = "" if d.kind in ("procedure", "checklist") else pack.rule_text(r, "en")
            test_zh = "" if d.kind in ("procedure", "checklist") else pack.rule_text(r, "zh")
            reads = ", ".join(f"``{ref.label()}``" for ref in r.refs())
            flag = " *(interpretation / 解释)*" if r.interpretation else ""
            rows.append(
                [
                    f"``{r.id}``",
                    f"{_esc(r.title.zh)}\n\n{_esc(r.title.en)}{flag}",
                    f"{_esc(test_zh)}\n\n{_esc(test)}" if test else "—",
                    reads or "—",
                    "\n\n".join(_esc(c.format("zh")) for c in r.citations),
                    _period(r),
                    _origin(r),
                ]
            )
        lines += _table(
            [
                "id",
                "title / 标题",
                "test / 检验",
                "reads / 读取",
                "source / 出处",
                "in force / 生效期",
                "from",
            ],
            rows,
        )

    if pack.classifiers:
        section("Classifiers / 分类器", "-")
        for cf in pack.classifiers.values():
            lines += [
                f"``{cf.id}`` — {_esc(cf.title.zh)} / {_esc(cf.title.en)} (from {_origin(cf)})",
                "",
                "In force / 生效期: " + _period(cf).replace("\n\n", "; "),
                "",
            ]
            rows = [
                [
                    f"``{c.code}``",
                    f"{_esc(c.label.zh)} / {_esc(c.label.en)}",
                    _esc(c.test.text("zh", namer, subject_of(cf.subject)))
                    + "\n\n"
                    + _esc(c.test.text("en", namer, subject_of(cf.subject))),
                ]
                for c in cf.classes
            ]
            if cf.otherwise is not None:
                rows.append(
                    [
                        f"``{cf.otherwise.code}``",
                        f"{_esc(cf.otherwise.label.zh)} / {_esc(cf.otherwise.label.en)}",
                        "otherwise / 其余",
                    ]
                )
            lines += _table(["class / 类", "label / 名称", "test / 检验"], rows)
            lines += ["Source / 出处: " + "; ".join(_esc(c.format("zh")) for c in cf.citations), ""]

    if pack.entitlements:
        section("Entitlements / 补助", "-")
        for en in pack.entitlements.values():
            lines += [
                f"``{en.id}`` — {_esc(en.title.zh)} / {_esc(en.title.en)} (from {_origin(en)})",
                "",
                "In force / 生效期: " + _period(en).replace("\n\n", "; "),
                "",
            ]
            rows = [
                [
                    f"``{ln.id}``",
                    f"{_esc(ln.title.zh)}\n\n{_esc(ln.title.en)}",
                    _esc(ln.amount.text("en", namer, subject_of(en.subject))),
                    f"{ln.kind}, per {ln.per}",
                    _esc(ln.citation.format("zh")),
                    _period(ln),
                ]
                for ln in en.lines
            ]
            lines += _table(
                [
                    "line",
                    "title / 标题",
                    "amount / 金额",
                    "kind / 类型",
                    "source / 出处",
                    "in force / 生效期",
                ],
                rows,
            )

    if pack.indicators:
        section("Indicators / 指标", "-")
        rows = [
            [
                f"``{i.id}``",
                f"{_esc(i.title.zh)}\n\n{_esc(i.title.en)}",
                f"{i.kind}, weight {i.weight}",
                "\n\n".join(_esc(c.format("zh")) for c in i.citations),
                _period(i),
                _origin(i),
            ]
            for i in pack.indicators.values()
        ]
        lines += _table(
            ["id", "title / 标题", "kind / 类型", "source / 出处", "in force / 生效期", "from"],
            rows,
        )

    if pack.checklists:
        section("Checklists / 核查清单", "-")
        for cl in pack.checklists.values():
            items = "; ".join(f"{_esc(i.label.zh)} ({_esc(i.label.en)})" for i in cl.items)
            lines += _heading(cl, items)

    if pack.procedures:
        section("Procedures / 程序", "-")
        for pr in pack.procedures.values():
            steps = " → ".join(f"{_esc(s.label.zh)} ({_esc(s.label.en)})" for s in pr.steps)
            lines += _heading(pr, steps)

    section("Parameters / 参数", "-")
    rows = []
    for p in sorted(pack.parameters.values(), key=lambda p: p.name):
        values = []
        for start, end, v in p.covering():
            values.append(
                f"{start} – {end or '…'}: **{_esc(format_value(v.value, p.unit))}** "
                f"← {_esc(v.citation.format('zh'))}"
            )
        flag = " *(interpretation / 解释)*" if p.interpretation else ""
        rows.append(
            [
                f"``{p.name}``",
                f"{_esc(p.title.zh)}\n\n{_esc(p.title.en)}{flag}",
                p.unit,
                "\n\n".join(values) or "*no value: supply one / 无取值，须由调用方提供*",
                _origin(p),
            ]
        )
    lines += _table(
        ["name", "title / 标题", "unit", "values and sources / 取值与出处", "from"], rows
    )

    if pack.taxonomies:
        section("Taxonomies / 分类表", "-")
        for t in pack.taxonomies.values():
            items = "; ".join(
                f"``{i.code}`` {_esc(i.label.zh)} ({_esc(i.label.en)})" for i in t.items
            )
            lines += _heading(t, items)

    section("Not encoded / 未编码", "-")
    if pack.not_encoded:
        rows = [
            [
                n.pack,
                f"{_esc(n.rule.zh)}\n\n{_esc(n.rule.en)}",
                f"{_esc(n.reason.zh)}\n\n{_esc(n.reason.en)}",
                _esc(n.citation.format("zh")),
            ]
            for n in pack.not_encoded
        ]
        lines += _table(["pack", "rule / 规则", "why not / 原因", "source / 出处"], rows)
    else:
        lines += ["—", ""]

    section("Sources / 来源", "-")
    rows = [
        [
            f"``{s.id}``",
            f"{_esc(s.title.zh)}\n\n{_esc(s.title.en)}",
            s.published or "—",
            s.governs.format("en") if s.governs else "—",
            s.confidence,
            s.pack,
        ]
        for s in pack.sources.values()
    ]
    lines += _table(
        ["id", "title / 标题", "published", "governs / 所辖期间", "confidence", "pack"], rows
    )
    return lines


class PackDirective(SphinxDirective):
    """``.. poverty-pack:: NAME`` — the reference page of an installed pack."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the pack's reference as nodes."""
        pack = load_pack(self.arguments[0])
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(
            StringList(pack_rst(pack), source=f"<pack {pack.name}>"), 0, container
        )
        return list(container.children)


class CliHelpDirective(SphinxDirective):
    """``.. poverty-cli-help::`` — the command's ``--help`` text, from the parser itself."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the help text as a literal block."""
        from poverty_core.cli import _parser

        text = _parser().format_help()
        return [nodes.literal_block(text, text)]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``poverty-pack`` and ``poverty-cli-help`` directives."""
    app.add_directive("poverty-pack", PackDirective)
    app.add_directive("poverty-cli-help", CliHelpDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
