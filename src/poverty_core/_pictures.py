"""What a person reads about a pack: values with their units, the thresholds a rule reads
over its period in force, and three pictures drawn from the pack itself — the
inheritance tree with what each level adds, each decision as a tree of its criteria with
their thresholds, and the register → village → county roll-up.

The pack pages of the documentation (:mod:`poverty_core.sphinxext`) and the assessment
report (:mod:`poverty_core.report`) use these; the drawing is :mod:`poverty_core._svg`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from poverty_core._svg import COLOURS, Box, shorten, tree
from poverty_core._text import Language, Text
from poverty_core.parameters import Parameter, ParameterValue, Period
from poverty_core.plugins import load_pack

if TYPE_CHECKING:
    from poverty_core.packs import Pack

__all__ = [
    "UNITS",
    "chain_picture",
    "decision_picture",
    "inheritance_picture",
    "latest_value",
    "own_items",
    "rollup_picture",
    "rule_parameters",
    "segments",
    "supply_text",
    "threshold_line",
    "threshold_lines",
    "unit_label",
    "value_text",
]

UNITS: dict[str, tuple[str, str]] = {
    "yuan": ("元", "yuan"),
    "yuan/person/year": ("元/人/年", "yuan/person/year"),
    "yuan/person/school_year": ("元/人/学年", "yuan/person/school year"),
    "yuan/year": ("元/年", "yuan/year"),
    "people": ("人", "people"),
    "households": ("户", "households"),
    "years": ("年", "years"),
    "days": ("天", "days"),
    "days/year": ("天/年", "days/year"),
    "minutes": ("分钟", "minutes"),
    "metres": ("米", "metres"),
    "litres/person/day": ("升/人/日", "litres/person/day"),
    "per_year": ("次/年", "per year"),
    "per_quarter": ("次/季度", "per quarter"),
    "per_month": ("次/月", "per month"),
    "working_days/month": ("个工作日/月", "working days/month"),
}
"""Units as a person reads them (``ratio`` is shown as a percentage, ``none`` bare)."""


def unit_label(unit: str, language: Language) -> str:
    """The unit's name in ``language`` (empty for ``ratio``, ``none`` and ``count``).

    >>> unit_label("yuan/person/year", "zh"), unit_label("ratio", "en")
    ('元/人/年', '')
    """
    zh, en = UNITS.get(unit, ("", ""))
    return zh if language == "zh" else en


def value_text(value: Any, unit: str, language: Language) -> str:
    """A parameter value with its unit, in one language.

    >>> value_text(2952.0, "yuan/person/year", "zh"), value_text(0.02, "ratio", "en")
    ('2952 元/人/年', '2%')
    >>> value_text(True, "none", "zh"), value_text(("A", "B"), "none", "en")
    ('是', 'A, B')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.4g}%"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, tuple | list):
        return ("、" if language == "zh" else ", ").join(str(v) for v in value)
    label = unit_label(unit, language)
    return f"{value} {label}" if label else str(value)


def _overlaps(start: dt.date, end: dt.date | None, period: Period | None) -> bool:
    if period is None:
        return True
    return (period.end is None or start <= period.end) and (end is None or end >= period.start)


def _day_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)


def segments(
    parameter: Parameter, period: Period | None
) -> list[tuple[dt.date | None, dt.date | None, ParameterValue | None]]:
    """The parameter's values over a rule's period, cut to it, and the stretches of the
    period no value covers (value ``None``), in date order."""
    out: list[tuple[dt.date | None, dt.date | None, ParameterValue | None]] = []
    cursor = period.start if period is not None else None
    for start, end, v in parameter.covering():
        if not _overlaps(start, end, period):
            continue
        if cursor is not None and start > cursor:
            out.append((cursor, _day_before(start), None))
        shown_start, shown_end = start, end
        if period is not None:
            shown_start = max(start, period.start)
            if period.end is not None and (end is None or end > period.end):
                shown_end = period.end
        out.append((shown_start, shown_end, v))
        cursor = None if end is None else end + dt.timedelta(days=1)
    if period is None:
        return out or [(None, None, None)]
    if cursor is not None and (period.end is None or cursor <= period.end):
        out.append((cursor, period.end, None))
    return out


def threshold_lines(
    parameter: Parameter, period: Period | None, language: Language, *, sources: bool = True
) -> list[str]:
    """The parameter's values over a rule's period, one line each with its dates (and
    source), and the stretches no value covers ("no value: supply one")."""
    zh = language == "zh"
    colon = "：" if zh else ": "
    lines = []
    for start, end, v in segments(parameter, period):
        span = Period(start, end).format(language) + colon if start is not None else ""
        if v is None:
            lines.append(span + supply_text(parameter.name, language))
            continue
        line = span + value_text(v.value, parameter.unit, language)
        if sources:
            line += f"（{v.citation.format('zh')}）" if zh else f" ({v.citation.format('en')})"
        lines.append(line)
    return lines


def supply_text(name: str, language: Language) -> str:
    """What to do about a parameter with no value: supply it for the run."""
    if language == "zh":
        return f"无取值：须由调用方提供（--set {name}=值）"
    return f"no value: supply one (--set {name}=VALUE)"


def latest_value(parameter: Parameter, period: Period | None, language: Language) -> str:
    """The last value a parameter has in a rule's period, with its dates when it does not
    cover the whole period, and whether none follows — the short form pictures show."""
    parts = segments(parameter, period)
    values = [(s, e, v) for s, e, v in parts if v is not None]
    zh = language == "zh"
    if not values:
        return "无取值，须提供" if zh else "no value: supply one"
    start, end, v = values[-1]
    text = value_text(v.value, parameter.unit, language)
    if len(parts) == 1 or start is None:
        return text
    span = Period(start, end).format(language)
    after = parts[-1][2] is None
    if zh:
        return f"{text}（{span}{'，其后无取值' if after else ''}）"
    return f"{text} ({span}{'; none after' if after else ''})"


def threshold_line(parameter: Parameter, period: Period | None, language: Language) -> str:
    """``<parameter title, shortened>: <latest value>`` for a picture."""
    title = shorten(parameter.title[language], 26 if language == "zh" else 40)
    return f"{title}{'：' if language == 'zh' else ': '}{latest_value(parameter, period, language)}"


def _params_of(item: Any) -> list[str]:
    refs: Iterable[Any]
    if hasattr(item, "refs"):
        refs = item.refs()
    else:
        exprs = [getattr(item, n, None) for n in ("condition", "value", "denominator", "where")]
        target = getattr(item, "target", None)
        if target is not None:
            exprs.append(target[1])
        refs = [r for e in exprs if e is not None for r in e.refs()]
    seen: dict[str, None] = {}
    for ref in refs:
        if ref.kind == "param":
            seen.setdefault(ref.name, None)
    return list(seen)


def rule_parameters(pack: Pack, item: Any) -> list[Parameter]:
    """The parameters a rule (criterion, indicator, entitlement line …) reads."""
    return [pack.parameters[n] for n in _params_of(item) if n in pack.parameters]


# -- pictures --------------------------------------------------------------------------

_KINDS = (
    ("decisions", Text("决策", "decisions")),
    ("criteria", Text("标准", "criteria")),
    ("parameters", Text("参数", "parameters")),
    ("procedures", Text("程序", "procedures")),
    ("checklists", Text("核查清单", "checklists")),
    ("classifiers", Text("分类器", "classifiers")),
    ("entitlements", Text("补助", "entitlements")),
    ("indicators", Text("指标", "indicators")),
    ("taxonomies", Text("分类表", "taxonomies")),
)


def own_items(pack: Pack, name: str) -> dict[str, tuple[int, int]]:
    """Per kind of item, how many ``name`` adds and how many of those override an
    ancestor's, as seen in the effective ``pack`` (``name`` is in its chain)."""
    out: dict[str, tuple[int, int]] = {}
    for kind, _ in _KINDS:
        items = [i for i in getattr(pack, kind).values() if i.pack == name]
        if items:
            out[kind] = (len(items), sum(1 for i in items if getattr(i, "overrides", None)))
    return out


def _pack_box(pack: Pack, own: bool) -> Box:
    """A pack's box: its name and title, what it adds (or, for the root, defines) and
    how much of that overrides or removes an ancestor's."""
    counts = own_items(pack, pack.name)
    zh = "、".join(f"{label.zh} {counts[k][0]}" for k, label in _KINDS if k in counts)
    en = ", ".join(f"{counts[k][0]} {label.en}" for k, label in _KINDS if k in counts)
    overrides = sum(o for _, o in counts.values())
    removed = sum(1 for who in pack.removed.values() if who == pack.name)
    root = pack.definition.parent is None
    lines = [
        f"{pack.name} · {pack.title.zh}",
        f"定义：{zh}" if root else f"新增：{zh}",
        f"defines {en}" if root else f"adds {en}",
    ]
    if overrides or removed:
        lines.append(f"其中覆盖上级 {overrides} 项、移除 {removed} 项")
        lines.append(f"of which {overrides} override an ancestor's; {removed} removed")
    return Box([shorten(line, 96) for line in lines], fill=COLOURS["own" if own else "inherited"])


def inheritance_picture(packs: Mapping[str, Pack], highlight: str | None = None) -> str:
    """The tree of ``packs`` (each an effective pack, keyed by name) from ``national``
    down, each box saying what its pack adds and overrides; ``highlight`` is shaded."""
    boxes = {name: _pack_box(p, name == highlight) for name, p in packs.items()}
    roots = []
    for name, p in sorted(packs.items()):
        parent = p.definition.parent
        if parent in boxes:
            boxes[parent].children.append(boxes[name])
        else:
            roots.append(boxes[name])
    root = roots[0] if len(roots) == 1 else Box(["packs / 策略包"], roots)
    return tree(root, "策略包继承 / pack inheritance", down=True)


def chain_picture(pack: Pack) -> str:
    """The inheritance path of one pack, from ``national`` down to it."""
    packs = {name: (pack if name == pack.name else load_pack(name)) for name in pack.chain}
    return inheritance_picture(packs, highlight=pack.name)


def _criterion_box(pack: Pack, cid: str, kind: str) -> Box:
    rule = pack.criteria[cid]
    lines = [shorten(rule.title.zh, 44), shorten(rule.title.en, 60)]
    if kind == "decision":
        lines += [threshold_line(p, rule.in_force, "zh") for p in rule_parameters(pack, rule)]
        if rule.in_force is not None:
            lines.append(f"生效期 in force: {rule.in_force.format('zh')}")
    fill = COLOURS["own"] if rule.pack == pack.name else COLOURS["inherited"]
    return Box(lines, fill=fill)


def decision_picture(pack: Pack, decision_id: str) -> str:
    """A decision as a tree: the decision, how its criteria combine, each criterion with
    its thresholds (the last value in its period) and its period in force."""
    d = pack.decisions[decision_id]
    how = {
        "decision": ("全部通过才符合；任一未通过即不符合", "all must pass; one failure decides"),
        "checklist": ("各项均具备才完整", "complete when every item is ticked"),
        "procedure": ("各步骤按顺序完成", "every step done, in order"),
    }[d.kind]
    root = Box(
        [shorten(d.title.zh, 40), shorten(d.title.en, 50), how[0], how[1], f"id: {d.id}"],
        [_criterion_box(pack, cid, d.kind) for cid in d.criteria],
        fill=COLOURS["root"],
    )
    return tree(root, f"{d.title.zh} / {d.title.en}")


def _stage(pack: Pack, decision_id: str, lines: list[str]) -> Box:
    d = pack.decisions.get(decision_id)
    if d is None:
        return Box(lines, fill=COLOURS["inherited"])
    out = [*lines, f"{d.title.zh} / {d.title.en} ({decision_id})"]
    for cid in d.criteria:
        rule = pack.criteria[cid]
        out.append(shorten(f"· {rule.title.zh}", 56))
    return Box(out, fill=COLOURS["root"])


def rollup_picture(pack: Pack) -> str:
    """The register → household → village → county roll-up of ``assess`` with this
    pack's decisions and thresholds at each level."""
    register = Box(
        [
            "登记表 / register",
            "户表 + 成员表（CSV、xlsx、Parquet、JSON …）",
            "households + members (CSV, xlsx, Parquet, JSON …)",
        ],
        fill=COLOURS["inherited"],
    )
    household = _stage(pack, "household_exit", ["每户 / each household"])
    village = _stage(
        pack,
        "village_exit",
        [
            "每村 / each village",
            "贫困人口 = 不符合退出条件的户的人数（有无法判定的户则未知）",
            "poor population = members of households not eligible (unknown if any undetermined)",
        ],
    )
    county = _stage(
        pack,
        "county_exit",
        ["每县 / each county", "贫困人口按县汇总 / poor population summed per county"],
    )
    register.children.append(household)
    household.children.append(village)
    village.children.append(county)
    return tree(
        register, "登记表 → 户 → 村 → 县 / register → household → village → county", down=True
    )
