"""Entry-point discovery and blocking, tested the way pluggy tests its own
(``importlib.metadata`` monkeypatched): a plugin found through the ``poverty_core`` group
registers its pack; ``POVERTY_CORE_BLOCK_PLUGINS`` keeps a named one out; one that fails
to import is reported on the registry without stopping the others (issue 11)."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import pytest

import poverty_core as pc
from poverty_core import plugins as plugins_module
from poverty_core.hookspecs import hookimpl
from poverty_core.plugins import BLOCK_ENV, PackRegistry, get_plugin_manager


class _EntryPoint:
    """What importlib.metadata gives: a name and a ``load()``."""

    def __init__(self, name: str, load: Callable[[], Any]) -> None:
        self.name = name
        self.load = load


def _plugin(pack: str) -> types.ModuleType:
    module = types.ModuleType(f"plugin_{pack}")

    @hookimpl
    def poverty_core_register_packs(register: Callable[[pc.PackDefinition], None]) -> None:
        register(pc.PackDefinition(name=pack, title=pc.T("测试", "test"), version="0"))

    module.poverty_core_register_packs = poverty_core_register_packs  # type: ignore[attr-defined]
    return module


def _broken() -> Any:
    raise ImportError("no module named 'missing_dependency'")


@pytest.fixture
def entry_points(monkeypatch: pytest.MonkeyPatch) -> list[_EntryPoint]:
    found: list[_EntryPoint] = []

    def fake(*, group: str) -> list[_EntryPoint]:
        assert group == "poverty_core"
        return found

    monkeypatch.setattr(plugins_module.metadata, "entry_points", fake)
    return found


def test_a_plugin_found_by_entry_point_registers_its_pack(
    entry_points: list[_EntryPoint],
) -> None:
    entry_points.append(_EntryPoint("county_a", lambda: _plugin("county_a")))
    registry = PackRegistry(get_plugin_manager())
    assert "county_a" in registry.names()
    assert registry.load("county_a").chain == ("county_a", "national")
    assert registry.problems == []


def test_blocked_plugins_are_not_loaded(
    entry_points: list[_EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_points += [
        _EntryPoint("county_a", lambda: _plugin("county_a")),
        _EntryPoint("county_b", lambda: _plugin("county_b")),
    ]
    monkeypatch.setenv(BLOCK_ENV, " county_b , other")
    names = PackRegistry(get_plugin_manager()).names()
    assert "county_a" in names
    assert "county_b" not in names


def test_a_broken_plugin_is_reported_and_the_others_load(
    entry_points: list[_EntryPoint],
) -> None:
    entry_points += [
        _EntryPoint("broken", _broken),
        _EntryPoint("county_a", lambda: _plugin("county_a")),
    ]
    registry = PackRegistry(get_plugin_manager())
    assert "county_a" in registry.names()
    (problem,) = registry.problems
    assert problem.pack == "broken"
    assert "missing_dependency" in str(problem)
    assert "插件加载失败" in problem.message("zh")


def test_without_entry_points_only_the_built_in_pack(entry_points: list[_EntryPoint]) -> None:
    entry_points.append(_EntryPoint("county_a", lambda: _plugin("county_a")))
    assert PackRegistry(get_plugin_manager(entry_points=False)).names() == ["national"]


def test_load_problems_live_on_the_manager_and_its_registry(
    entry_points: list[_EntryPoint],
) -> None:
    """No module-level table: each manager carries its own load problems, and a registry
    built on it reports them; a new manager starts clean."""
    entry_points.append(_EntryPoint("broken", _broken))
    pm = plugins_module.get_plugin_manager()
    assert isinstance(pm, plugins_module.PluginManager)
    assert [p.plugin for p in pm.load_problems] == ["broken"]
    assert [p.pack for p in PackRegistry(pm).problems] == ["broken"]
    entry_points.clear()
    fresh = plugins_module.get_plugin_manager()
    assert fresh is not pm
    assert fresh.load_problems == []
    assert PackRegistry(fresh).problems == []
    assert not hasattr(pc.packs, "_LOAD_PROBLEMS")


def test_a_plain_pluggy_manager_works_too(entry_points: list[_EntryPoint]) -> None:
    """Embedding code may bring its own pluggy manager (no load problems to report)."""
    import pluggy

    from poverty_core import hookspecs, national

    pm = pluggy.PluginManager(hookspecs.NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(national, name="national")
    pm.register(_plugin("county_c"), name="county_c")
    registry = PackRegistry(pm)
    assert registry.names() == ["county_c", "national"]
    assert registry.problems == []
    assert pc.available_packs(registry=registry) == ["county_c", "national"]
    assert pc.load_pack("county_c", registry=registry).parent == "national"
