"""Policy packs: definitions, inheritance, load-time validation and lookup.

A plugin registers a :class:`PackDefinition` — a name, a parent, a data folder of
TOML files (sources, parameters, taxonomies, procedures) and the rules written in
Python. :func:`load_pack` assembles the effective :class:`Pack` by walking the parent
chain: a child overrides a parameter or rule by id (explicitly), adds new ones, or
removes one explicitly; every item keeps the pack it came from. Assembly checks that
every rule reads fields that exist and parameters the pack defines, that every
citation names a known source, and that parents exist without cycles — each problem a
:class:`~poverty_core.errors.PackError` naming the pack (and plugin, file and key).

The package's modules, from the bottom up: :mod:`~poverty_core.packs.definition` (what a
plugin registers), :mod:`~poverty_core.packs.data` (reading a data folder),
:mod:`~poverty_core.packs.periods` (when each rule governs),
:mod:`~poverty_core.packs.pack` (the assembled :class:`Pack`),
:mod:`~poverty_core.packs.validation` and :mod:`~poverty_core.packs.assembly`. Plugin
loading and the registry are :mod:`poverty_core.plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The registry is built on the modules below (poverty_core.plugins imports them, never
# this package's names); its old names here are looked up on it when first used.
from poverty_core import plugins
from poverty_core.packs.assembly import assemble, render_texts
from poverty_core.packs.data import PackData, load_data
from poverty_core.packs.definition import RULE_KINDS, NotEncoded, PackDefinition, Rule, RuleKind
from poverty_core.packs.pack import Pack, coerce_parameter

if TYPE_CHECKING:
    # the names that moved to poverty_core.plugins, for type checkers (see __getattr__)
    from poverty_core.plugins import BLOCK_ENV as BLOCK_ENV
    from poverty_core.plugins import PackRegistry as PackRegistry
    from poverty_core.plugins import available_packs as available_packs
    from poverty_core.plugins import default_registry as default_registry
    from poverty_core.plugins import get_plugin_manager as get_plugin_manager
    from poverty_core.plugins import load_pack as load_pack

__all__ = [
    "RULE_KINDS",
    "NotEncoded",
    "Pack",
    "PackData",
    "PackDefinition",
    "Rule",
    "RuleKind",
    "assemble",
    "coerce_parameter",
    "load_data",
    "render_texts",
]

# -- the registry moved to poverty_core.plugins ----------------------------------------

_MOVED = frozenset(
    {
        "BLOCK_ENV",
        "PackRegistry",
        "available_packs",
        "default_registry",
        "get_plugin_manager",
        "load_pack",
    }
)


def __getattr__(name: str) -> Any:
    # Plugin loading and the registry live in poverty_core.plugins; these names stay
    # importable from here for code written against earlier releases.
    if name in _MOVED:
        return getattr(plugins, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
