"""When each rule of a pack governs: rules dated from their own ``in_force`` or their
first source's ``governs`` period, and periods set by ``periods.toml`` or by the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core.errors import InputError, PackError, Problem
from poverty_core.packs.definition import RULE_KINDS
from poverty_core.parameters import (
    Citation,
    Period,
    Source,
)
from poverty_core.rules import (
    Entitlement,
)

_PERIOD_KINDS = {kind.name: kind.attr for kind in RULE_KINDS if kind.dated}
"""The kinds of rule that have a period in force, and the pack's table of each."""


def _period_of(value: tuple[Any, Any]) -> Period:
    def day(v: Any) -> dt.date | None:
        if v is None or isinstance(v, dt.date):
            return v
        return dt.date.fromisoformat(str(v))

    try:
        start, end = value
        first = day(start)
        if first is None:
            raise ValueError("a period needs a start date")
        return Period(first, day(end))
    except (TypeError, ValueError) as exc:
        raise InputError(
            [Problem("periods", Text(f"生效期无效：{exc}", f"invalid period: {exc}"))],
            what="periods",
        ) from None


def _first_citation(item: Any) -> Citation:
    citations = getattr(item, "citations", None)
    return citations[0] if citations else item.citation  # type: ignore[no-any-return]


def _date_rules(
    name: str, sources: Mapping[str, Source], tables: Mapping[str, dict[str, Any]]
) -> None:
    """Give every rule this pack defines the period it governs: its own ``in_force``, or
    the ``governs`` period of the source it cites first. A rule for which neither is
    stated is a load error: no rule applies for ever by default."""
    problems: list[str] = []

    def date(kind: str, item: Any) -> Any:
        if item.in_force is not None:
            if item.in_force.origin:
                return item
            return attrs.evolve(item, in_force=attrs.evolve(item.in_force, origin=name))
        citation = _first_citation(item)
        source = sources.get(citation.source)
        if source is None:
            return item  # an unknown source: reported by validation
        if source.governs is None:
            problems.append(
                f"{kind} {item.id}: its first source {citation.source!r} states no period "
                f"(governs) and the rule gives none (in_force)"
            )
            return item
        return attrs.evolve(item, in_force=source.governs)

    for kind, table in tables.items():
        for key, item in table.items():
            if item.pack != name:
                continue
            item = date(kind, item)
            if isinstance(item, Entitlement):
                item = attrs.evolve(
                    item, lines=[date(f"entitlement {item.id} line", ln) for ln in item.lines]
                )
            table[key] = item
    if problems:
        lines = "; ".join(problems)
        raise PackError(name, Text(f"生效期不明：{lines}", f"no period in force: {lines}"))


def _set_periods(
    name: str,
    periods: Mapping[str, Period],
    tables: Mapping[str, dict[str, Any]],
    *,
    file: str | None = "periods.toml",
) -> None:
    """Apply ``periods.toml``: set the period of inherited (or own) rules by id."""
    for entry, period in periods.items():
        kind, _, rid = entry.rpartition(":")
        if kind and kind not in tables:
            raise PackError(
                name,
                Text(
                    f"生效期 {entry!r} 的类别未知（可用：{', '.join(tables)}）",
                    f"period for {entry!r}: unknown kind (known: {', '.join(tables)})",
                ),
                file=file,
            )
        found = [k for k in ((kind,) if kind else tables) if rid in tables[k]]
        if len(found) != 1:
            choices = ", ".join(f"{k}:{rid}" for k in found) or "—"
            raise PackError(
                name,
                Text(
                    f"生效期 {entry!r} 找不到唯一的规则（{choices}）",
                    f"period for {entry!r} names no single rule ({choices})",
                ),
                file=file,
            )
        table = tables[found[0]]
        old = table[rid].in_force
        table[rid] = attrs.evolve(table[rid], in_force=period)
        if found[0] == "decision" and "criterion" in tables:
            # criteria that governed with the decision follow it (a decision's period set
            # without its criteria would leave nothing in force)
            criteria = tables["criterion"]
            for cid in table[rid].criteria:
                rule = criteria.get(cid)
                if rule is not None and _same_dates(rule.in_force, old):
                    criteria[cid] = attrs.evolve(rule, in_force=period)


def _same_dates(a: Period | None, b: Period | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.start, a.end) == (b.start, b.end)
