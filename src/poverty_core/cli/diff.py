"""The ``diff`` command: what a pack changes from its parent (or ``--base``), or between
two dates, as a table (zh or en) or JSON (:mod:`poverty_core.diff`)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from poverty_core._text import Language, Text
from poverty_core.cli.common import date_arg
from poverty_core.diff.compute import diff_dates, diff_packs
from poverty_core.diff.render import format_table, to_json_data
from poverty_core.io import json_text
from poverty_core.plugins import load_pack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core diff``."""
    parser.add_argument("pack", help="the pack whose changes to show / 要比较的策略包")
    parser.add_argument(
        "base",
        nargs="?",
        help="the pack to compare it with (default: its parent) / 与之比较的策略包（默认：上级包）",
    )
    parser.add_argument(
        "--from",
        dest="from_date",
        type=date_arg,
        metavar="DATE",
        help="compare the pack with itself: from this date … / 比较同一策略包：自该日 …",
    )
    parser.add_argument(
        "--to", dest="to_date", type=date_arg, metavar="DATE", help="… to this date / … 至该日"
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


_USAGE_DATES = Text(
    "请同时给出 --from 和 --to，或给出要比较的策略包，不能两者都给",
    "give both --from and --to, or a pack to compare with, not both",
)
_USAGE_ROOT = Text(
    "{pack} 没有上级包：请给出要比较的策略包，或 --from 与 --to",
    "{pack} has no parent: give a pack to compare with, or --from and --to",
)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core diff``: print the diff as a table or JSON; 0, or 2 on bad usage."""

    language: Language = args.lang
    dates = (args.from_date, args.to_date)
    pack = load_pack(args.pack)
    if any(d is not None for d in dates):
        if args.base is not None or None in dates:
            print(_USAGE_DATES[language], file=sys.stderr)
            return 2
        diff = diff_dates(pack, args.from_date, args.to_date)
    else:
        base_name = args.base or pack.parent
        if base_name is None:
            print(_USAGE_ROOT[language].format(pack=pack.name), file=sys.stderr)
            return 2
        diff = diff_packs(pack, load_pack(base_name))
    if args.format == "json":
        out.write(json_text(to_json_data(diff), "standard output") + "\n")
    else:
        out.write(format_table(diff, language))
    return 0
