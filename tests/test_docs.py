"""The documentation keeps up with the code: every hook documented, every public name
with a docstring and on the API page, every pack with a reference page, every command
in the command-line reference."""

from __future__ import annotations

import argparse
import inspect
import re
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
def test_every_public_name_is_on_the_api_page(name: str) -> None:
    if name in ("__version__", "Language"):
        return
    page = (DOCS / "api.rst").read_text("utf-8")
    obj = getattr(pc, name)
    module = getattr(obj, "__module__", "")
    assert re.search(
        rf"(poverty_core|{re.escape(module)})\.{name}\b|:class:`~poverty_core\.{name}`"
        rf"|py:data:: {name}\n   :module: poverty_core",
        page,
    ), f"poverty_core.{name} is not on the API page"


@pytest.mark.parametrize("name", sorted(pc.__all__))
def test_every_public_name_has_a_docstring(name: str) -> None:
    obj = getattr(pc, name)
    if isinstance(obj, str) or name in ("Language", "Rule"):
        return
    assert inspect.getdoc(obj), f"poverty_core.{name} has no docstring"


@pytest.mark.parametrize(
    "pack", ["national", "fujian", "gansu_tianshui", "zhangzhou", "lianjiang_example"]
)
def test_every_shipped_pack_has_a_generated_page(pack: str) -> None:
    page = (DOCS / "packs" / f"{pack}.md").read_text("utf-8")
    assert f"{{poverty-pack}} {pack}" in page
    assert f"packs/{pack}" in (DOCS / "index.md").read_text("utf-8")


def test_every_cli_command_and_option_is_in_the_cli_reference() -> None:
    """The CLI page's reference is generated from the parser: every command and every
    option of it is there, and the page uses the generator."""
    pytest.importorskip("sphinx")
    from poverty_core.cli import _parser
    from poverty_core.sphinxext import cli_rst

    assert "```{poverty-cli}" in (DOCS / "cli.md").read_text("utf-8")
    reference = "\n".join(cli_rst())
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert f"``poverty-core {name}``" in reference
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                assert f"``{option}``" in reference, (name, option)
