"""The command line's parser: every command and its options (help in English with the
Chinese name; the docs' command reference is generated from it)."""

from __future__ import annotations

import argparse
from typing import Any

from poverty_core import service
from poverty_core._version import __version__
from poverty_core.cli import diff as diff_command
from poverty_core.cli import records as record_commands
from poverty_core.cli import transitions as transition_commands
from poverty_core.cli.common import date_arg, setting
from poverty_core.convert import RECORD_TYPES
from poverty_core.registers import LAYOUTS
from poverty_core.samples import SAMPLES


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and its options."""
    parser = argparse.ArgumentParser(
        prog="poverty-core",
        description=(
            "Decide poverty status under cited policy packs. / 按有出处的策略包判定贫困状态。"
        ),
        epilog="Exit codes: 0 ok, 1 a results file not reproduced (verify; each difference "
        "named), 2 usage, 3 invalid input, 4 pack error or nothing to decide on the date (a "
        "decision not in force, a parameter without a value), 5 output error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"poverty-core {__version__}")
    parser.add_argument(
        "--show-id-numbers",
        action="store_true",
        help="show ID numbers in full in messages (masked by default)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
        p.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    p = sub.add_parser("packs", help="list installed packs and their parents / 列出已安装的策略包")
    common(p)

    def policy_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--set",
            dest="settings",
            type=setting,
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="override a parameter for this run (recorded in the results)",
        )
        p.add_argument(
            "--period",
            dest="periods",
            type=setting,
            action="append",
            default=[],
            metavar="RULE=START..END",
            help="set the period a rule is in force for this run ([kind:]id; END may be "
            "empty; recorded in the results)",
        )
        p.add_argument(
            "--reference",
            dest="references",
            type=setting,
            action="append",
            default=[],
            metavar="NAME=FILE",
            help="reference data the pack declares, from a CSV or JSON file (recorded in the "
            "results by row count and hash, never the data)",
        )

    p = sub.add_parser("show", help="a pack's effective rules and parameters with origins")
    p.add_argument("pack")
    p.add_argument(
        "--as-of",
        type=date_arg,
        help="what each decision needs on this date: rules in force, parameters with no "
        "value, inputs read",
    )
    policy_args(p)
    common(p)

    def source_args(p: argparse.ArgumentParser) -> None:
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument(
            "file",
            nargs="?",
            help="households: JSON, JSON Lines, CSV, Parquet, Arrow or xlsx",
        )
        src.add_argument(
            "--sample",
            nargs="?",
            const="lianjiang",
            choices=sorted(SAMPLES),
            metavar="NAME",
            help="use a bundled SYNTHETIC sample register: lianjiang (the default; for "
            "national and fujian), tianshui (gansu_tianshui) or zhangzhou (zhangzhou)",
        )
        p.add_argument("--members", help="the members file (CSV, Parquet …), keyed by household")
        p.add_argument("--villages", help="a villages file (JSON, CSV, Parquet …)")
        p.add_argument("--counties", help="a counties file (JSON, CSV, Parquet …)")
        p.add_argument("--encoding", help="text encoding of CSV files (default: detected)")
        p.add_argument(
            "--alias",
            dest="aliases",
            type=setting,
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="read a column header as a field",
        )
        p.add_argument(
            "--ignore-column",
            dest="ignore_columns",
            action="append",
            default=[],
            metavar="HEADER",
            help="leave a column unread (otherwise an unknown column is an error)",
        )
        p.add_argument(
            "--batch-size", type=int, default=65536, help="households per batch (memory)"
        )
        p.add_argument(
            "--layout",
            choices=LAYOUTS,
            help="how the register is laid out: flat (one file, a row per person, the "
            "household's columns repeated), two-file (households and --members) or nested "
            "(JSON Lines, or Parquet/Arrow with a members column); default: told from the "
            "files",
        )
        p.add_argument(
            "--interpret",
            dest="interpretations",
            type=setting,
            action="append",
            default=[],
            metavar="ID=READING",
            help="read an option of the national form another way (e.g. non_student=unknown; "
            "see docs/register-layouts.md)",
        )

    def run_args(p: argparse.ArgumentParser) -> None:
        source_args(p)
        p.add_argument("--pack", default="national", help="pack name (default: national)")
        p.add_argument(
            "--as-of", type=date_arg, help="assessment date YYYY-MM-DD (default: the file's as_of)"
        )
        policy_args(p)
        common(p)

    p = sub.add_parser("assess", help="decide every record of a file / 评估文件中的全部记录")
    run_args(p)
    p.add_argument("--decision", help="household decision (default: household_exit)")
    p.add_argument(
        "-o",
        "--output",
        help="results file: .csv, .parquet, .jsonl (one row per household) or .json (all)",
    )
    p.add_argument("--report", help="a summary report a person reads: .md or .html")
    _error_args(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary table")
    p.add_argument(
        "--allow-undetermined",
        action="store_true",
        help="run even when a parameter every eligible record needs has no value on the date "
        "(those records come out undetermined) instead of stopping with exit code 4",
    )

    p = sub.add_parser(
        "compare",
        help="one register under two rule sets: what changes / 同一登记表在两套规则下的差异",
    )
    _compare_args(p, run_args)

    p = sub.add_parser("explain", help="one record's findings / 解释单条记录的判定")
    run_args(p)
    p.add_argument("--id", required=True, help="household, village or county id")
    p.add_argument("--decision", help="decision id (default: by record kind)")

    p = sub.add_parser("validate", help="check an input file, list every problem, write nothing")
    source_args(p)
    p.add_argument(
        "--as-of",
        type=date_arg,
        help="the register's date: ages are checked against dates of birth on it",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="en")

    p = sub.add_parser(
        "diff",
        help="what a pack changes from its parent, or between two dates / 策略包的变化",
    )
    diff_command.add_arguments(p)

    p = sub.add_parser(
        "transitions",
        help="dynamic management: each household's exit, re-entry, removal or stay / 动态管理",
    )
    transition_commands.add_arguments(p)

    p = sub.add_parser(
        "record",
        help="decide a register and write results with their decision record "
        "/ 写出带决策记录的结果",
    )
    record_commands.add_record_arguments(p)

    p = sub.add_parser(
        "verify",
        help="re-run a results file against its inputs; exit 1 naming each difference "
        "/ 复核结果文件",
    )
    record_commands.add_verify_arguments(p)

    p = sub.add_parser("schema", help="print the JSON Schema of a record kind")
    p.add_argument("--kind", choices=sorted(RECORD_TYPES), default="household")
    p.add_argument(
        "--pack",
        default=None,
        help="the pack whose record class to describe, its declared fields included "
        "(default: the core model) / 描述该策略包的记录类型（含其声明的字段；默认：核心模型）",
    )

    p = sub.add_parser(
        "template",
        help="write an empty register with the columns a pack reads / 写出空白登记表",
    )
    p.add_argument("--pack", default="national", help="pack name (default: national)")
    p.add_argument(
        "--decision",
        dest="decisions",
        action="append",
        metavar="DECISION",
        help="only the columns this household decision reads (repeatable; default: all)",
    )
    p.add_argument(
        "--layout",
        choices=("flat", "two-file"),
        default="flat",
        help="flat: one table, a row per person (default); two-file: households and members",
    )
    p.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        help="csv (with a side file of the allowed values) or xlsx (a sheet of them); "
        "default: from -o, else csv",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of the headers and notes (default zh: the national form's words)",
    )
    p.add_argument("-o", "--output", help="the file to write (default: PACK-register.csv)")

    p = sub.add_parser(
        "serve", help="the library over HTTP/JSON (needs the serve extra) / HTTP 服务"
    )
    service.add_arguments(p)
    return parser


def _error_args(p: argparse.ArgumentParser) -> None:
    """What a run does with a bad row: ``--on-error`` and ``--rejects`` (assess, compare)."""
    p.add_argument(
        "--on-error",
        choices=("fail", "skip"),
        default="fail",
        help="fail: write nothing if any record is bad (default); skip: leave bad "
        "households out and list them in --rejects",
    )
    p.add_argument("--rejects", help="with --on-error skip: the rejected rows (.csv or .json)")


def _compare_args(p: argparse.ArgumentParser, run_args: Any) -> None:
    run_args(p)  # the register, and side A: --pack, --as-of, --set (as assess takes them)
    p.add_argument("--pack-b", help="side B's pack (default: --pack)")
    p.add_argument("--as-of-b", type=date_arg, help="side B's date (default: --as-of)")
    p.add_argument(
        "--set-b",
        dest="settings_b",
        type=setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter on side B only (side A takes --set)",
    )
    p.add_argument("--decision", help="household decision (default: household_exit)")
    p.add_argument(
        "-o",
        "--output",
        help="results file: .csv, .parquet, .jsonl (a row per household, both sides) or .json",
    )
    p.add_argument("--report", help="the comparison report: .md or .html")
    _error_args(p)
    p.add_argument(
        "--limit",
        type=int,
        default=20,
        help="changed households, villages and counties printed, each (default 20; the "
        "report lists up to 1000 households, the results file every one)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    p.add_argument(
        "--allow-undetermined",
        action="store_true",
        help="run even when a side lacks a parameter value every eligible household needs",
    )
