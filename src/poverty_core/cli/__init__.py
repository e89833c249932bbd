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

This module parses the command line and prints; the job ``assess`` runs is
:func:`poverty_core.jobs.assess_register`, and the text it prints is laid out by
:mod:`poverty_core.console`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from poverty_core import service
from poverty_core._text import Language, Text
from poverty_core._version import __version__
from poverty_core.aliases import command_line_options
from poverty_core.cli import diff as diff_command
from poverty_core.cli import records as record_commands
from poverty_core.cli import transitions as transition_commands
from poverty_core.columnar import LAYOUTS, open_register, records_from_tables
from poverty_core.console import (
    Progress,
    plans,
    plans_data,
    write_interpretations,
    write_pack,
    write_packs,
    write_plans,
    write_summary,
)
from poverty_core.convert import RECORD_TYPES, json_schema
from poverty_core.errors import (
    InputError,
    NotInForce,
    PackError,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.io import OutputClash, OutputError, Outputs, json_text
from poverty_core.jobs import (
    NotReady,
    UsageError,
    assess_register,
    assess_source,
    check_options,
)
from poverty_core.model import County, Village
from poverty_core.packs import Pack, coerce_parameter
from poverty_core.parameters import value_problem
from poverty_core.plugins import default_registry
from poverty_core.privacy import mask_if_id_number, redact, redact_data, showing_id_numbers
from poverty_core.read_options import ReadOptions
from poverty_core.register_form import register_template
from poverty_core.samples import SAMPLES
from poverty_core.sources import RegisterSource, assessment_date, open_source, read_records

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_PACK, EXIT_OUTPUT = 0, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

_DEFAULT_DECISION = {
    "household": "household_exit",
    "village": "village_exit",
    "county": "county_exit",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _parser() -> argparse.ArgumentParser:
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
            type=_setting,
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="override a parameter for this run (recorded in the results)",
        )
        p.add_argument(
            "--period",
            dest="periods",
            type=_setting,
            action="append",
            default=[],
            metavar="RULE=START..END",
            help="set the period a rule is in force for this run ([kind:]id; END may be "
            "empty; recorded in the results)",
        )
        p.add_argument(
            "--reference",
            dest="references",
            type=_setting,
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
        type=_date,
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
            type=_setting,
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
            type=_setting,
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
            "--as-of", type=_date, help="assessment date YYYY-MM-DD (default: the file's as_of)"
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
    p.add_argument(
        "--on-error",
        choices=("fail", "skip"),
        default="fail",
        help="fail: write nothing if any record is bad (default); skip: leave bad "
        "households out and list them in --rejects",
    )
    p.add_argument("--rejects", help="with --on-error skip: the rejected rows (.csv or .json)")
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
        type=_date,
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


_INTERRUPTED = Text("已中断：未写入任何文件", "interrupted: nothing was written")


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (see the module notes). Everything
    it prints, to ``stdout`` and standard error, has ID numbers masked unless
    ``--show-id-numbers``."""
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
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
    handler = {
        "packs": _packs,
        "show": _show,
        "assess": _assess,
        "compare": _compare,
        "explain": _explain,
        "validate": _validate,
        "schema": _schema,
        "template": _template,
        "diff": diff_command.run_command,
        "transitions": transition_commands.run_command,
        "record": record_commands.run_record,
        "verify": record_commands.run_verify,
        "serve": service.command,
    }[args.command]
    return handler(args, out)


def _dump(data: Any, out: TextIO) -> None:
    out.write(json_text(redact_data(data), "standard output") + "\n")


# -- packs / show ------------------------------------------------------------------------


def _packs(args: argparse.Namespace, out: TextIO) -> int:
    registry = default_registry()
    status = registry.check_all()
    rows: list[dict[str, Any]] = []
    for name in registry.names():
        d = registry.definitions[name]
        err = status[name]
        rows.append(
            {
                "name": name,
                "parent": d.parent,
                "version": d.version,
                "title": d.title.to_dict(),
                "plugin": d.plugin,
                "chain": list(registry.load(name).chain) if err is None else None,
                "error": None if err is None else err.text.to_dict(),
            }
        )
    problems = [p.text.to_dict() for p in registry.problems]
    if args.format == "json":
        _dump({"packs": rows, "problems": problems}, out)
        return EXIT_OK
    write_packs(rows, problems, args.lang, out)
    return EXIT_OK


def _show(args: argparse.Namespace, out: TextIO) -> int:
    pack, overrides = _policy(args)
    if args.as_of is not None:
        found = plans(pack, args.as_of, overrides)
        if args.format == "json":
            _dump(plans_data(pack, args.as_of, found), out)
        else:
            write_plans(pack, args.as_of, overrides, found, args.lang, out)
    elif args.format == "json":
        _dump(pack.describe(), out)
    else:
        write_pack(pack, args.lang, out)
    return EXIT_OK


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
                raise _usage(
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
    from poverty_core.references import read_reference_file

    data = {}
    for name, file in given:
        spec = pack.references.get(name)
        if spec is None:
            raise UnknownName(Text("参考数据", "reference"), name, list(pack.references))
        data[name] = read_reference_file(spec, Path(file))
    return pack.with_references(data)


# -- assess / explain / validate ------------------------------------------------------------


def _usage(zh: str, en: str) -> UsageError:
    return UsageError(Text(zh, en))


def _check_usage(args: argparse.Namespace) -> None:
    """What is wrong with the command line itself, before anything is read or written
    (exit 2, one line): see :func:`poverty_core.jobs.check_options`."""
    check_options(
        {
            "FILE": args.file,
            "--members": args.members,
            "--villages": args.villages,
            "--counties": args.counties,
        },
        getattr(args, "output", None),
        getattr(args, "report", None),
        getattr(args, "rejects", None),
        getattr(args, "on_error", "fail"),
        args.batch_size,
    )


def _read(args: argparse.Namespace) -> ReadOptions:
    """How a command reads its register, from its options."""
    return ReadOptions(
        on_error="skip" if getattr(args, "on_error", "fail") == "skip" else "fail",
        encoding=args.encoding,
        aliases=dict(args.aliases),
        ignore_columns=args.ignore_columns,
        batch_size=args.batch_size,
        layout=args.layout,
        interpretations=dict(args.interpretations),
    )


def _open(args: argparse.Namespace, pack: Pack | None = None) -> RegisterSource:
    """The source a command reads, from its options."""
    return open_source(
        args.file,
        args.members,
        sample=args.sample,
        villages=args.villages,
        counties=args.counties,
        pack=pack,
        as_of=args.as_of,
        **_read(args).keywords(),
    )


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    lang: Language = args.lang
    _check_usage(args)
    pack, overrides = _policy(args)
    output = args.output
    keep = args.format == "json" and (output is None or output.lower().endswith(".json"))
    progress = Progress(sys.stderr.isatty() and not args.quiet)

    def note(text: Text) -> None:
        print(redact(text[lang]), file=sys.stderr)

    try:
        assessment = assess_register(
            args.file,
            args.members,
            pack=pack,
            decision=args.decision or "household_exit",
            as_of=args.as_of,
            overrides=overrides,
            sample=args.sample,
            villages=args.villages,
            counties=args.counties,
            read=_read(args),
            allow_undetermined=args.allow_undetermined,
            output=output,
            report=args.report,
            rejects=args.rejects,
            language=lang,
            keep_results=keep,
            progress=progress,
            notify=note,
        )
    finally:
        progress.done()
    report = assessment.to_dict()
    if args.format == "json":
        _dump(report, out)
    elif not args.quiet:
        write_summary(pack, overrides, assessment, report, lang, out)
        write_interpretations(report, lang, out)
        for path in (output, assessment.outputs.record, args.rejects, args.report):
            if path:
                out.write(f"{'已写入' if lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    _check_usage(args)
    pack, overrides = _policy(args)
    source = _open(args, pack)
    as_of = assessment_date(source, args.as_of)
    kind: str | None = None
    record: Any = None
    if source.dataset is not None:
        record = next((h for h in source.dataset.households if h.id == args.id), None)
    elif source.register is not None:
        batch = source.register.read_all()
        found = records_from_tables(batch.households, batch.members, ids=[args.id])
        record = found[0] if found else None
    if record is not None:
        kind = "household"
    else:
        for name, records in (("village", source.villages), ("county", source.counties)):
            if any(r.id == args.id for r in records):
                kind = name
    if kind is None:
        raise UnknownName(_RECORD, mask_if_id_number(args.id), [])
    decision = args.decision or _DEFAULT_DECISION[kind]
    if kind != "household":
        run = assess_source(pack, source, as_of=as_of, overrides=overrides)
        decided = run.village_records if kind == "village" else run.county_records
        record = next(r for r in decided if r.id == args.id)
    result = pack.decide(decision, record, as_of=as_of, overrides=overrides)
    if args.format == "json":
        _dump(result.to_dict(), out)
    else:
        out.write(result.explain(args.lang) + "\n")
    return EXIT_OK


_RECORD = Text("记录", "record")


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    lang: Language = args.lang
    _check_usage(args)
    if args.sample or (args.file and args.file.lower().endswith(".json")):
        source = _open(args)
        assert source.dataset is not None
        counts = (len(source.dataset.households), len(source.villages), len(source.counties))
    else:
        args.on_error = "fail"
        register = open_register(
            args.file,
            args.members,
            encoding=args.encoding,
            aliases=dict(args.aliases) or None,
            ignore_columns=args.ignore_columns,
            batch_size=args.batch_size,
            max_problems=None,
            as_of=args.as_of,
            layout=args.layout,
            interpretations=dict(args.interpretations) or None,
        )
        problems = register.validate()
        if problems:
            raise register.error(problems)
        villages = (
            read_records(args.villages, Village, "villages", False)[0] if args.villages else []
        )
        counties = (
            read_records(args.counties, County, "counties", False)[0] if args.counties else []
        )
        counts = (register.households_read, len(villages), len(counties))
    if lang == "zh":
        out.write("有效：{} 户，{} 个村，{} 个县\n".format(*counts))
    else:
        out.write(f"valid: {counts[0]} households, {counts[1]} villages, {counts[2]} counties\n")
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    pack = None if args.pack is None else _load_pack(args.pack)
    _dump(json_schema(args.kind, pack=pack), out)
    return EXIT_OK


def _template(args: argparse.Namespace, out: TextIO) -> int:
    """An empty register with exactly the columns the pack's household decisions read,
    headed in the national form's words where they exist, and the allowed values."""
    output = args.output
    fmt = args.format
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    if fmt is None:
        fmt = suffix if suffix in ("csv", "xlsx") else "csv"
    elif output and suffix in ("csv", "xlsx") and suffix != fmt:
        raise _usage(
            f"--format {fmt} 与 -o {output} 的扩展名不符",
            f"--format {fmt} does not match the name -o {output}",
        )
    if output is None:
        output = f"{args.pack}-register.{fmt}"
    Outputs.check(output)
    pack = _load_pack(args.pack)
    template = register_template(pack, decisions=args.decisions)
    written = template.write(output, layout=args.layout, format=fmt, language=args.lang)
    for path in written:
        out.write(f"{'已写入' if args.lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# -- compare (the job is poverty_core.compare.compare_register) ----------------------------


def _compare_args(p: argparse.ArgumentParser, run_args: Any) -> None:
    run_args(p)  # the register, and side A: --pack, --as-of, --set (as assess takes them)
    p.add_argument("--pack-b", help="side B's pack (default: --pack)")
    p.add_argument("--as-of-b", type=_date, help="side B's date (default: --as-of)")
    p.add_argument(
        "--set-b",
        dest="settings_b",
        type=_setting,
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
    p.add_argument("--on-error", choices=("fail", "skip"), default="fail")
    p.add_argument("--rejects", help="with --on-error skip: the rejected rows (.csv or .json)")
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


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from poverty_core.compare import Policy, compare_register
    from poverty_core.compare_report import render_text

    lang: Language = args.lang
    _check_usage(args)
    pack, overrides = _policy(args)
    pack_b = pack
    if args.pack_b and args.pack_b != args.pack:
        pack_b = _load_pack(args.pack_b)
        if args.periods:
            pack_b = pack_b.with_periods(
                {rule: (span.partition("..")[0], span.partition("..")[2] or None)
                 for rule, span in args.periods}
            )  # fmt: skip
    overrides_b = _settings(pack_b, args.settings_b)
    progress = Progress(sys.stderr.isatty() and not args.quiet)

    def note(text: Text) -> None:
        print(redact(text[lang]), file=sys.stderr)

    try:
        comparison = compare_register(
            args.file,
            args.members,
            a=Policy(pack, args.as_of, overrides),
            b=Policy(pack_b, args.as_of_b or args.as_of, overrides_b),
            decision=args.decision or "household_exit",
            sample=args.sample,
            villages=args.villages,
            counties=args.counties,
            read=_read(args),
            allow_undetermined=args.allow_undetermined,
            output=args.output,
            report=args.report,
            rejects=args.rejects,
            language=lang,
            limit=None if args.format == "json" else 1000,
            progress=progress,
            notify=note,
        )
    finally:
        progress.done()
    if args.format == "json":
        _dump(comparison.to_dict(), out)
    elif not args.quiet:
        out.write(render_text(comparison.to_dict(), lang, max(args.limit, 0)))
        for path in (args.output, args.rejects, args.report):
            if path:
                out.write(f"{'已写入' if lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK
