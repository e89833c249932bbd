"""The hooks a poverty_core plugin can implement.

A plugin is a module (or object) with functions marked by :data:`hookimpl`, found
through the ``poverty_core`` entry-point group or registered by hand with
:meth:`pluggy.PluginManager.register`. Hook names are prefixed ``poverty_core_``; an
implementation may accept fewer arguments than its spec, so hooks can grow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from poverty_core.packs import PackDefinition

__all__ = ["NAME", "hookimpl", "hookspec", "poverty_core_register_packs"]

NAME = "poverty_core"
"""The project name, used for the pluggy markers, the manager and the entry-point group."""

hookspec = pluggy.HookspecMarker(NAME)
hookimpl = pluggy.HookimplMarker(NAME)
"""Marker for plugin hook implementations (``@hookimpl``)."""


@hookspec
def poverty_core_register_packs(register: Callable[[PackDefinition], None]) -> None:
    """Register the policy packs a plugin provides.

    Called once when packs are first needed. Call ``register(definition)`` once per
    pack; the core validates each definition when the pack is assembled and reports a
    broken one with the plugin's name, without stopping other plugins. Two packs with
    one name are an error.

    :param register: takes a :class:`~poverty_core.PackDefinition`.

    Example::

        from importlib.resources import files
        from poverty_core import PackDefinition, T, hookimpl

        @hookimpl
        def poverty_core_register_packs(register):
            register(PackDefinition(
                name="lianjiang", parent="fujian", version="1.0",
                title=T("连江县", "Lianjiang county"),
                data=files(__package__) / "data",
            ))
    """
