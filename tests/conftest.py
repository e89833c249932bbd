"""Shared fixtures and record builders for the core's tests.

pytest imports this file as ``tests.conftest``, which the test modules cannot import by
name, so the builders reach the tests as fixtures:

* ``national`` — the built-in pack;
* ``records`` — record dicts that meet every exit criterion, and helpers on results;
* ``pack_dir`` — a throw-away pack data folder under ``tmp_path``;
* ``packs`` — pack definitions, plugin objects and registries on a fresh plugin manager.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import poverty_core as pc
from poverty_core.plugins import PackRegistry, get_plugin_manager

AS_OF = dt.date(2016, 12, 31)
"""The date of most tests: the 2016 poverty line (2952 yuan) is in force."""


@pytest.fixture(scope="session")
def national() -> pc.Pack:
    """The built-in national pack (assembled once; no test mutates it)."""
    return pc.load_pack("national")


# -- records -------------------------------------------------------------------------


def _member(mid: str, **fields: Any) -> dict[str, Any]:
    """A member dict, insured under all three medical schemes, aged 40 unless told."""
    out: dict[str, Any] = {
        "id": mid,
        "age": 40,
        "basic_medical_insurance": True,
        "serious_illness_insurance": True,
        "medical_assistance": True,
    }
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def _household(**fields: Any) -> dict[str, Any]:
    """A household dict that meets every exit criterion on 2016-12-31, with every field
    the exit rules read known.

    A keyword set to ``None`` removes that key (the field becomes unknown).
    """
    out: dict[str, Any] = {
        "id": "350122-0001",
        "annual_net_income_per_capita": 3100,
        "food_secure": True,
        "clothing_secure": True,
        "house_grade": "B",
        "relocated": False,
        "relocation_keys_received": False,
        "members": [
            _member("p1", schooling_status="graduated"),
            _member("p2", age=12, schooling_status="in_school"),
        ],
    }
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def _with_member(base: dict[str, Any], index: int, **fields: Any) -> dict[str, Any]:
    """A copy of ``base`` with member ``index`` changed (``None`` removes a key)."""
    out = copy.deepcopy(base)
    changed = {**out["members"][index], **fields}
    out["members"][index] = {k: v for k, v in changed.items() if v is not None}
    return out


def _statuses(result: pc.DecisionResult) -> dict[str, str]:
    """Each criterion id with its status value."""
    return {f.rule.id: f.status.value for f in result.findings}


def _failed(result: pc.DecisionResult) -> list[str]:
    """The ids of the failed criteria, in order."""
    return [f.rule.id for f in result.failed]


@pytest.fixture(scope="session")
def records() -> SimpleNamespace:
    """Record builders and result helpers."""
    return SimpleNamespace(
        AS_OF=AS_OF,
        LINE_2016=2952,
        member=_member,
        household=_household,
        with_member=_with_member,
        statuses=_statuses,
        failed=_failed,
    )


# -- throw-away packs -------------------------------------------------------------------

SOURCES_TOML = """\
[tmp-src]
title = { zh = "临时测试来源", en = "throw-away test source" }
published = "2020"
"""


def _value(start: str, val: Any, *, end: str | None = None, cited: bool = True) -> dict[str, str]:
    """One ``[[values]]`` table; every entry is a TOML literal written as text."""
    out = {"start": start}
    if end is not None:
        out["end"] = end
    out["value"] = str(val)
    if cited:
        out["source"] = '"tmp-src"'
        out["locator"] = '"§1"'
    return out


def _parameter(
    values: Iterable[dict[str, str]],
    *,
    unit: str = "yuan/person/year",
    type_: str = "number",
    extra: str = "",
) -> str:
    """The text of a parameter file (``extra``: more top-level lines, e.g. ``override``)."""
    head = (
        f'title = {{ zh = "测试参数", en = "test parameter" }}\nunit = "{unit}"\ntype = "{type_}"\n'
    )
    parts = [head + extra]
    for v in values:
        parts.append("\n".join(["[[values]]", *(f"{k} = {val}" for k, val in v.items())]))
    return "\n\n".join(parts) + "\n"


@pytest.fixture
def pack_dir(tmp_path: Path) -> Callable[..., Path]:
    """``pack_dir(parameters={name: text}, sources=..., name=...)`` builds a data folder."""

    def build(
        parameters: dict[str, str] | None = None,
        sources: str = SOURCES_TOML,
        name: str = "data",
    ) -> Path:
        root = tmp_path / name
        (root / "parameters").mkdir(parents=True)
        (root / "sources.toml").write_text(sources, encoding="utf-8")
        for pname, text in (parameters or {}).items():
            (root / "parameters" / f"{pname}.toml").write_text(text, encoding="utf-8")
        return root

    return build


def _definition(name: str = "tmp", parent: str | None = "national", **kw: Any) -> pc.PackDefinition:
    """A pack definition with a throw-away title and version."""
    return pc.PackDefinition(
        name=name, title=pc.T("临时", "throw-away"), version="0.0", parent=parent, **kw
    )


class _Plugin:
    """A plugin object that registers the given definitions."""

    def __init__(self, *definitions: pc.PackDefinition) -> None:
        self.definitions = definitions

    @pc.hookimpl
    def poverty_core_register_packs(self, register: Callable[[pc.PackDefinition], None]) -> None:
        for d in self.definitions:
            register(d)


def _registry(*plugins: object) -> PackRegistry:
    """A registry on a fresh plugin manager: national plus ``plugins`` (no entry points)."""
    pm = get_plugin_manager(entry_points=False)
    for i, plugin in enumerate(plugins):
        pm.register(plugin, name=f"plugin{i}")
    return PackRegistry(pm)


@pytest.fixture(scope="session")
def packs() -> SimpleNamespace:
    """Builders of throw-away packs."""
    return SimpleNamespace(
        value=_value,
        parameter=_parameter,
        definition=_definition,
        Plugin=_Plugin,
        registry=_registry,
    )
