"""The ``poverty-core`` command.

Exit codes:

* ``0`` — success
* ``2`` — bad command-line usage (one line; nothing read or written): an output that is
  an input or another output, an unknown results format, ``--batch-size 0``,
  ``--rejects`` without ``--on-error skip``
* ``3`` — the input is invalid (every problem is listed; nothing was written)
* ``4`` — a pack, decision or parameter is unknown or broken (a plugin that failed to
  import is named)
* ``5`` — the output could not be written (the file is named; no partial file is left)
* ``130`` — interrupted (Ctrl-C; nothing written)

The register job (``assess``) loses no row and leaks no personal data: every row of
every input file is assessed or, with ``--on-error skip``, rejected with its reasons
(the counts per file are printed and reported); ID numbers — a household id that is
one included — are masked in every output unless ``--show-id-numbers``.

This package parses the command line and prints; the job ``assess`` runs is
:func:`poverty_core.jobs.assess_register`, and the text it prints is laid out by
:mod:`poverty_core.console`. Here: :func:`main`, the exit code of each error, and the
pack a command runs under (``--pack``, ``--period``, ``--set``, ``--reference``), which
every command is given as a :class:`~poverty_core.cli.common.PackLoader` of this
module's ``_load_pack``, ``_policy`` and ``_settings`` (one place, looked up as a
command is run, so a test can substitute it). One module per command group:
:mod:`~poverty_core.cli.parser` (the options), :mod:`~poverty_core.cli.packs`,
:mod:`~poverty_core.cli.register` (``assess``, ``explain``, ``validate``),
:mod:`~poverty_core.cli.compare`, :mod:`~poverty_core.cli.diff`,
:mod:`~poverty_core.cli.transitions`, :mod:`~poverty_core.cli.records` (``record``,
``verify``); ``serve`` is :mod:`poverty_core.service`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from poverty_core import service
from poverty_core._text import Language, Text
from poverty_core.aliases import command_line_options
from poverty_core.cli import compare as compare_command
from poverty_core.cli import diff as diff_command
from poverty_core.cli import packs as pack_commands
from poverty_core.cli import records as record_commands
from poverty_core.cli import register as register_commands
from poverty_core.cli import transitions as transition_commands
from poverty_core.cli.common import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_PACK,
    EXIT_USAGE,
    PackLoader,
    usage,
    use_command_memory_pool,
)
from poverty_core.cli.parser import build_parser
from poverty_core.errors import (
    InputError,
    NotInForce,
    PackError,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.io import OutputClash, OutputError
from poverty_core.jobs import NotReady, UsageError
from poverty_core.packs import Pack, coerce_parameter
from poverty_core.parameters import value_problem
from poverty_core.plugins import default_registry
from poverty_core.privacy import redact, showing_id_numbers
from poverty_core.references import read_reference_file

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PACK",
    "EXIT_USAGE",
    "main",
]

_parser = build_parser
"""The command line's parser (the docs' command reference reads it)."""

_INTERRUPTED = Text("已中断：未写入任何文件", "interrupted: nothing was written")


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (see the module notes). Everything
    it prints, to ``stdout`` and standard error, has ID numbers masked unless
    ``--show-id-numbers``."""
    out = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    use_command_memory_pool()
    lang: Language = getattr(args, "lang", "en")
    with showing_id_numbers(args.show_id_numbers), command_line_options():
        return _run(args, out, lang)


def _run(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
    def fail(message: str, code: int) -> int:
        print(redact(message), file=sys.stderr)
        return code

    try:
        return _dispatch(args, cast(TextIO, _Redacting(out)))
    except (UsageError, OutputClash) as err:
        return fail(err.message(lang), EXIT_USAGE)
    except InputError as err:
        return fail(err.format(lang), EXIT_INPUT)
    except (PackError, UnknownName, NotInForce, NotReady) as err:
        return fail(err.message(lang), EXIT_PACK)
    except OutputError as err:
        return fail(err.message(lang), EXIT_OUTPUT)
    except PovertyCoreError as err:
        return fail(err.message(lang), EXIT_INPUT)
    except KeyboardInterrupt:
        return fail(_INTERRUPTED[lang], EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader (e.g. `head`) went away: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except OSError as err:
        reason = err.strerror or str(err)
        where = f" {err.filename}" if err.filename else ""
        text = Text(f"无法写入输出{where}：{reason}", f"cannot write output{where}: {reason}")
        return fail(text[lang], EXIT_OUTPUT)


class _Redacting:
    """A text stream that masks every ID number written to it (unless
    ``--show-id-numbers``): the last guard of standard output."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(redact(text))

    def flush(self) -> None:
        self._out.flush()


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    # the pack-loading functions are looked up now, so that a substitute is honoured
    packs = PackLoader(_load_pack, _policy, _settings)
    with_packs: dict[str, Callable[[argparse.Namespace, TextIO, PackLoader], int]] = {
        "show": pack_commands.run_show,
        "schema": pack_commands.run_schema,
        "template": pack_commands.run_template,
        "assess": register_commands.run_assess,
        "explain": register_commands.run_explain,
        "compare": compare_command.run_compare,
    }
    if args.command in with_packs:
        return with_packs[args.command](args, out, packs)
    handler: Callable[[argparse.Namespace, TextIO], int] = {
        "packs": pack_commands.run_packs,
        "validate": register_commands.run_validate,
        "diff": diff_command.run_command,
        "transitions": transition_commands.run_command,
        "record": record_commands.run_record,
        "verify": record_commands.run_verify,
        "serve": service.command,
    }[args.command]
    return handler(args, out)


# -- packs and parameters for a run ----------------------------------------------------------


def _load_pack(name: str) -> Pack:
    """The pack ``name``; when it is unknown because a plugin failed to import, say so
    (exit 4, naming the plugin and its error) instead of "unknown pack"."""
    registry = default_registry()
    try:
        return registry.load(name)
    except UnknownName:
        failed = [p for p in registry.problems if p.pack == name]
        if failed:
            raise failed[0] from None
        broken = [p for p in registry.problems if "plugin" in p.text.en]
        if broken:
            listed_zh = "；".join(p.text.zh for p in broken)
            listed_en = "; ".join(p.text.en for p in broken)
            raise PackError(
                name,
                Text(
                    f"未安装此策略包，而有插件加载失败，可能就是它：{listed_zh}",
                    f"no such pack is installed, and a plugin that may provide it failed to "
                    f"load: {listed_en}",
                ),
            ) from None
        raise


_TYPES = {
    "number": ("数值", "a number"),
    "integer": ("整数", "a whole number"),
    "boolean": ("true 或 false", "true or false"),
    "text": ("文本", "text"),
    "text_list": ("以逗号分隔的文本", "comma-separated text"),
}


def _settings(pack: Pack, settings: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``--set NAME=VALUE`` for ``pack``: an unknown name is exit 4 (like an unknown
    pack), a value of the wrong type or impossible for the parameter's unit (NaN,
    infinite, negative, a ratio above 1) exit 3, every one listed."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in settings:
        parameter = pack.parameters.get(name)
        if parameter is None:
            raise UnknownName(Text("参数", "parameter"), name, list(pack.parameters))
        try:
            values[name] = coerce_parameter(parameter, raw)
        except ValueError:
            try:
                number: Any = float(raw)
            except ValueError:
                number = None
            text = value_problem(parameter.unit, parameter.type, number)
            if text is None:
                kind = _TYPES.get(parameter.type, (parameter.type, parameter.type))
                text = Text(f"{raw!r} 不是{kind[0]}", f"{raw!r} is not {kind[1]}")
            problems.append(Problem(f"--set {name}", text))
    if problems:
        raise InputError(problems, what="--set")
    return pack.check_overrides(values)


def _policy(args: argparse.Namespace) -> tuple[Pack, dict[str, Any]]:
    """The pack of ``--pack`` with the run's ``--period`` settings, and its ``--set``
    overrides (both recorded in every result's provenance)."""
    pack = _load_pack(args.pack)
    if args.periods:
        periods: dict[str, tuple[str, str | None]] = {}
        for rule, span in args.periods:
            start, sep, end = span.partition("..")
            if not sep or not start:
                raise usage(
                    f"--period {rule}={span}：应为 规则=起始..终止（终止可空）",
                    f"--period {rule}={span}: expected RULE=START..END (END may be empty)",
                )
            periods[rule] = (start, end or None)
        pack = pack.with_periods(periods)
    if getattr(args, "references", None):
        pack = _with_references(pack, args.references)
    return pack, _settings(pack, args.settings)


def _with_references(pack: Pack, given: list[tuple[str, str]]) -> Pack:
    """``--reference NAME=FILE``: the pack carrying the data read from each file (an
    undeclared name is exit 4, like an unknown parameter; a bad file exit 3)."""

    data = {}
    for name, file in given:
        spec = pack.references.get(name)
        if spec is None:
            raise UnknownName(Text("参考数据", "reference"), name, list(pack.references))
        data[name] = read_reference_file(spec, Path(file))
    return pack.with_references(data)
