"""The documentation keeps up with the code: every hook documented, every public name
with a docstring, every pack with a reference page."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"
HOOKS = [
    name
    for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("poverty_core_")
]


def test_there_are_hooks() -> None:
    assert HOOKS == ["poverty_core_register_packs"]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    assert hook in (DOCS / "hooks.md").read_text("utf-8")
    doc = getattr(hookspecs, hook).__doc__
    assert doc
    assert ":param" in doc


@pytest.mark.parametrize("name", sorted(pc.__all__))
def test_every_public_name_has_a_docstring(name: str) -> None:
    obj = getattr(pc, name)
    if isinstance(obj, str) or name in ("Language", "Rule"):
        return
    assert inspect.getdoc(obj), f"poverty_core.{name} has no docstring"


@pytest.mark.parametrize("pack", ["national", "fujian", "gansu_tianshui", "zhangzhou"])
def test_every_shipped_pack_has_a_generated_page(pack: str) -> None:
    page = (DOCS / "packs" / f"{pack}.md").read_text("utf-8")
    assert f"{{poverty-pack}} {pack}" in page
    assert f"packs/{pack}" in (DOCS / "index.md").read_text("utf-8")


def test_every_cli_command_is_in_the_cli_page() -> None:
    from poverty_core.cli import _parser

    page = (DOCS / "cli.md").read_text("utf-8")
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command in sub.choices:  # type: ignore[union-attr]
        assert f"poverty-core {command}" in page
