"""Plugin loading and the registry of packs, apart from pack assembly.

Packs reach the core through pluggy, as in pytest, tox and llm: a plugin module with a
``poverty_core_register_packs(register)`` hook (:mod:`poverty_core.hookspecs`), found
through the ``poverty_core`` entry-point group or registered by hand. This module owns

* :func:`get_plugin_manager` — a new manager per call (never one built at import): the
  hook specs, the built-in ``national`` pack registered through the same hook as any
  plugin, and the installed plugins except those named in ``$POVERTY_CORE_BLOCK_PLUGINS``;
  ``check_pending()`` catches a misspelt hook name;
* :class:`PluginManager` — pluggy's manager with the plugins that failed to import
  (:attr:`PluginManager.load_problems`), so the problems travel with the manager;
* :class:`PackRegistry` — the definitions the plugins of one manager register, their
  problems (a broken plugin, a bad or duplicate name) and the packs assembled from them
  (assembly itself is :func:`poverty_core.packs.assemble`);
* :func:`load_pack`, :func:`available_packs`, :func:`default_registry` — the installed
  plugins' registry, built on first use.

>>> import poverty_core as pc
>>> "national" in pc.available_packs()
True
>>> registry = PackRegistry(get_plugin_manager(entry_points=False))
>>> registry.names(), registry.problems
(['national'], [])
"""

from __future__ import annotations

import os
from importlib import metadata

import attrs
import pluggy

from poverty_core import hookspecs, national
from poverty_core._text import Text
from poverty_core.errors import PackError, UnknownName
from poverty_core.packfiles import NAME
from poverty_core.packs.assembly import assemble
from poverty_core.packs.definition import PackDefinition
from poverty_core.packs.pack import Pack

__all__ = [
    "BLOCK_ENV",
    "LoadProblem",
    "PackRegistry",
    "PluginManager",
    "available_packs",
    "default_registry",
    "get_plugin_manager",
    "load_pack",
]

BLOCK_ENV = "POVERTY_CORE_BLOCK_PLUGINS"
"""Comma-separated entry-point names of plugins not to load."""


@attrs.frozen
class LoadProblem:
    """An installed plugin that could not be loaded: its entry-point name and why."""

    plugin: str
    error: str

    def as_pack_error(self) -> PackError:
        """The problem as the registry reports it (naming the plugin)."""
        return PackError(
            self.plugin,
            Text(f"插件加载失败：{self.error}", f"plugin failed to load: {self.error}"),
        )


class PluginManager(pluggy.PluginManager):
    """pluggy's plugin manager, with the plugins of the entry-point group that failed to
    load (a broken plugin is reported, never fatal to the others)."""

    def __init__(self, project_name: str = hookspecs.NAME) -> None:
        super().__init__(project_name)
        self.load_problems: list[LoadProblem] = []
        """Entry points that raised when loaded or registered."""

    def load_entry_points(self, blocked: frozenset[str] = frozenset()) -> None:
        """Register every plugin of the ``poverty_core`` entry-point group, except the
        ``blocked`` names and those already registered; record the ones that fail."""
        for ep in metadata.entry_points(group=hookspecs.NAME):
            if ep.name in blocked or self.has_plugin(ep.name):
                continue
            try:
                self.register(ep.load(), name=ep.name)
            except Exception as exc:  # a broken plugin is reported, never fatal to others
                self.load_problems.append(LoadProblem(ep.name, f"{type(exc).__name__}: {exc}"))


def blocked_plugins() -> frozenset[str]:
    """The entry-point names ``$POVERTY_CORE_BLOCK_PLUGINS`` keeps out."""
    return frozenset(b.strip() for b in os.environ.get(BLOCK_ENV, "").split(",") if b.strip())


def get_plugin_manager(*, entry_points: bool = True) -> PluginManager:
    """A new plugin manager with the hook specs, the built-in packs and (unless
    ``entry_points=False``) every installed plugin of the ``poverty_core`` entry-point
    group, except those named in ``$POVERTY_CORE_BLOCK_PLUGINS``.

    A plugin that fails to import is skipped and listed in
    :attr:`PluginManager.load_problems` (and so in :attr:`PackRegistry.problems`); it
    never stops the others.
    """
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    pm.register(national, name="national")
    if entry_points:
        pm.load_entry_points(blocked_plugins())
    pm.check_pending()
    return pm


class PackRegistry:
    """The packs the plugins of one plugin manager register, assembled on demand, and
    every problem met on the way (:attr:`problems`)."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else get_plugin_manager()
        self.definitions: dict[str, PackDefinition] = {}
        """The definitions registered, by pack name (``plugin`` filled in)."""
        loaded = self.pm.load_problems if isinstance(self.pm, PluginManager) else []
        self.problems: list[PackError] = [p.as_pack_error() for p in loaded]
        """Plugins that failed to load or register, bad and duplicate pack names."""
        self._packs: dict[str, Pack] = {}
        self._duplicates: set[str] = set()
        self._collect()

    def _collect(self) -> None:
        # Each implementation is called on its own (not through the hook's call loop) so
        # that a definition is attributed to its plugin and one broken plugin does not
        # stop the others.
        for impl in self.pm.hook.poverty_core_register_packs.get_hookimpls():
            plugin_name = impl.plugin_name
            collected: list[PackDefinition] = []

            def register(
                definition: PackDefinition, _into: list[PackDefinition] = collected
            ) -> None:
                if not isinstance(definition, PackDefinition):
                    raise TypeError(
                        f"register() takes a PackDefinition, got {type(definition).__name__}"
                    )
                _into.append(definition)

            try:
                impl.function(register=register) if "register" in impl.argnames else impl.function()
            except Exception as exc:  # one broken plugin must not stop the others
                self.problems.append(
                    PackError(
                        plugin_name,
                        Text(
                            f"插件 {plugin_name} 的 poverty_core_register_packs 出错：{exc}",
                            f"plugin {plugin_name}: poverty_core_register_packs raised "
                            f"{type(exc).__name__}: {exc}",
                        ),
                    )
                )
                continue
            for definition in collected:
                self._add(attrs.evolve(definition, plugin=plugin_name))

    def _add(self, definition: PackDefinition) -> None:
        plugin_name = definition.plugin
        if not NAME.match(definition.name):
            self.problems.append(
                PackError(
                    definition.name,
                    Text("包名应为小写 snake_case", "pack name must be lower-case snake_case"),
                )
            )
        elif definition.name in self.definitions:
            other = self.definitions[definition.name].plugin
            self.problems.append(
                PackError(
                    definition.name,
                    Text(
                        f"插件 {plugin_name} 与 {other} 注册了同名策略包",
                        f"plugins {other} and {plugin_name} both register this pack name",
                    ),
                )
            )
            self.definitions[definition.name] = attrs.evolve(
                self.definitions[definition.name], plugin=f"{other}, {plugin_name}"
            )
            self._duplicates.add(definition.name)
        else:
            self.definitions[definition.name] = definition

    def names(self) -> list[str]:
        """Names of every registered pack."""
        return sorted(self.definitions)

    def load(self, name: str) -> Pack:
        """Assemble pack ``name`` and its ancestors (cached)."""
        return self._load(name, ())

    def _load(self, name: str, seen: tuple[str, ...]) -> Pack:
        if name in self._packs:
            return self._packs[name]
        if name in seen:
            cycle = " → ".join((*seen, name))
            raise PackError(name, Text(f"继承成环：{cycle}", f"cyclic inheritance: {cycle}"))
        definition = self.definitions.get(name)
        if definition is None:
            if seen:
                raise PackError(
                    seen[-1], Text(f"上级包 {name} 未安装", f"parent pack {name} is not installed")
                )
            raise UnknownName(Text("策略包", "pack"), name, self.names())
        if name in self._duplicates:
            raise PackError(
                name,
                Text(
                    f"多个插件注册了该包：{definition.plugin}",
                    f"registered by more than one plugin: {definition.plugin}",
                ),
            )
        parent = self._load(definition.parent, (*seen, name)) if definition.parent else None
        try:
            pack = assemble(definition, parent)
        except PackError as exc:
            if definition.plugin and definition.plugin != name:
                plugin = definition.plugin
                raise PackError(
                    exc.pack,
                    Text(f"（插件 {plugin}）{exc.detail.zh}", f"(plugin {plugin}) {exc.detail.en}"),
                    file=exc.file,
                ) from None
            raise
        self._packs[name] = pack
        return pack

    def check_all(self) -> dict[str, PackError | None]:
        """Try to assemble every pack; each name maps to its error or ``None``."""
        out: dict[str, PackError | None] = {}
        for name in self.names():
            try:
                self.load(name)
                out[name] = None
            except PackError as exc:
                out[name] = exc
        return out


_DEFAULT: list[PackRegistry] = []


def default_registry() -> PackRegistry:
    """The registry of installed plugins, built on first use (not at import)."""
    if not _DEFAULT:
        _DEFAULT.append(PackRegistry())
    return _DEFAULT[0]


def load_pack(name: str, *, registry: PackRegistry | None = None) -> Pack:
    """The assembled pack ``name`` from the installed plugins (or a given registry).

    >>> pack = load_pack("national")
    >>> pack.chain
    ('national',)
    """
    return (registry or default_registry()).load(name)


def available_packs(*, registry: PackRegistry | None = None) -> list[str]:
    """The names of the installed packs (or of a given registry's), sorted."""
    return (registry or default_registry()).names()
