"""The command-line reference as reST (:func:`cli_rst`): the program's options, then
every command with its usage and a table of its options, all read from the argument
parser, so the page cannot drift from the program.
"""

from __future__ import annotations

import argparse

from poverty_core.cli import _parser
from poverty_core.sphinxext.rst import _cell, _esc, _lit, _table, heading

__all__ = ["cli_rst"]


def _option(action: argparse.Action) -> str:
    if action.option_strings:
        return ", ".join(_lit(o) for o in action.option_strings)
    return _lit(action.metavar or action.dest)  # type: ignore[arg-type]


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "—"
    if action.choices is not None and action.metavar is None:
        return " | ".join(_lit(str(c)) for c in action.choices)
    text = _lit(str(action.metavar or action.dest.upper()))
    if action.choices is not None:
        text += "（" + " | ".join(_lit(str(c)) for c in action.choices) + "）"
    return text


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default in (None, [], argparse.SUPPRESS):
        return "—"
    return _lit(str(action.default))


def _options_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        note = []
        if action.required:
            note.append("*required / 必需*")
        if action.__class__.__name__ == "_AppendAction":
            note.append("*repeatable / 可重复*")
        rows.append(
            [
                _option(action),
                _value(action),
                _default(action),
                _cell([_esc(action.help or ""), " ".join(note)]),
            ]
        )
    for group in parser._mutually_exclusive_groups:
        names = " / ".join(_option(a) for a in group._group_actions)
        rows.append(
            [
                names,
                "—",
                "—",
                ("*exactly one of them / 二者必选其一*" if group.required else "*at most one*"),
            ]
        )
    return _table(["option / 选项", "value / 取值", "default / 默认", "what it does / 作用"], rows)


def _usage(parser: argparse.ArgumentParser) -> list[str]:
    usage = parser.format_usage().strip()
    return [".. code-block:: text", "", *("   " + ln for ln in usage.splitlines()), ""]


def cli_rst(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """The reST lines of the command-line reference: the program's own options, then
    every command with its usage and a table of its options, all from ``parser``
    (default: the ``poverty-core`` parser)."""
    if parser is None:
        parser = _parser()
    lines = heading(_lit(parser.prog), "-")
    lines += [_esc(parser.description or ""), "", *_usage(parser), *_options_table(parser)]
    if parser.epilog:
        lines += [_esc(parser.epilog), ""]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, command in sub.choices.items():
        lines += heading(_lit(f"{parser.prog} {name}"), "-")
        lines += [_esc(helps.get(name) or ""), "", *_usage(command), *_options_table(command)]
    return lines
