"""What a plugin registers: :class:`PackDefinition`, the kinds of item a pack holds
(:data:`RULE_KINDS`) and the rules of the inventory it does not encode (:class:`NotEncoded`)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core.parameters import (
    Citation,
)
from poverty_core.rules import (
    Classifier,
    Criterion,
    Decision,
    DecisionExtension,
    Entitlement,
    Indicator,
)

Rule = Criterion | Decision | DecisionExtension | Classifier | Entitlement | Indicator
"""Anything a pack registers in ``rules=`` or ``overrides=``."""


@attrs.frozen
class RuleKind:
    """One kind of item a pack holds: how it is defined, merged along the parent chain,
    removed, dated and looked up. :data:`RULE_KINDS` is the one table of them that
    assembly, removal, periods and the accessors iterate."""

    name: str
    """The kind as written in ``removes`` and ``periods.toml`` (``criterion``)."""
    attr: str
    """The :class:`Pack` attribute holding them (``criteria``)."""
    label: Text
    cls: type[Any] | None = None
    """The class a plugin registers in ``rules=`` / ``overrides=`` (Python-defined kinds)."""
    data: str | None = None
    """The :class:`PackData` attribute they are read into (data-file kinds)."""
    dated: bool = True
    """True when each item governs for a period."""

    def key(self, item: Any) -> str:
        """The item's id (a parameter's name)."""
        return str(item.name if self.name == "parameter" else item.id)


RULE_KINDS: tuple[RuleKind, ...] = (
    RuleKind("parameter", "parameters", Text("参数", "parameter"), data="parameters", dated=False),
    RuleKind("taxonomy", "taxonomies", Text("分类", "taxonomy"), data="taxonomies", dated=False),
    RuleKind("procedure", "procedures", Text("程序", "procedure"), data="procedures"),
    RuleKind("checklist", "checklists", Text("核查清单", "checklist"), data="checklists"),
    RuleKind(
        "reference",
        "references",
        Text("参考数据", "reference data"),
        data="references",
        dated=False,
    ),
    RuleKind("criterion", "criteria", Text("判定标准", "criterion"), cls=Criterion),
    RuleKind("decision", "decisions", Text("决策", "decision"), cls=Decision),
    RuleKind("classifier", "classifiers", Text("分类器", "classifier"), cls=Classifier),
    RuleKind("entitlement", "entitlements", Text("补助项目", "entitlement"), cls=Entitlement),
    RuleKind("indicator", "indicators", Text("指标", "indicator"), cls=Indicator),
)
"""Every kind of item a pack holds, in the order they are assembled."""


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class PackDefinition:
    """What a plugin registers: one pack's own data and rules (not its parent's).

    :param name: the pack's name (lower-case snake_case), unique among installed packs.
    :param parent: the pack it extends (``None`` only for the root ``national``).
    :param data: folder with ``sources.toml``, ``parameters/``, ``taxonomies/``,
        ``procedures/`` and ``not_encoded.toml`` (see :doc:`/pack-data-format`).
    :param rules: new criteria and decisions.
    :param overrides: criteria and decisions replacing an ancestor's of the same id.
    :param removes: ids of inherited rules, parameters, procedures, checklists or
        taxonomies to drop; ``kind:id`` (``procedure:county_exit``) where an id names
        more than one kind.
    """

    name: str
    title: Text
    version: str
    parent: str | None = "national"
    data: Traversable | None = None
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    overrides: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    removes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    description: Text | None = None
    plugin: str = ""
    """The plugin that registered the definition (filled in by the registry)."""


@attrs.frozen
class NotEncoded:
    """A rule of the inventory the pack does not encode, and why."""

    rule: Text
    reason: Text
    citation: Citation
    pack: str = ""
