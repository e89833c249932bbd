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
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO, cast

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core import __version__, indicators
from poverty_core._text import Language, Text
from poverty_core.aliases import command_line_options
from poverty_core.batch import ResultWriter, assess
from poverty_core.columnar import (
    LAYOUTS,
    FileCount,
    Register,
    RegisterBatch,
    Rejected,
    open_register,
    read_table,
    records_from_tables,
    tables_from_records,
)
from poverty_core.convert import RECORD_TYPES, json_schema, loads_json, structure
from poverty_core.engine import BatchResult, Finding
from poverty_core.errors import (
    InputError,
    NotInForce,
    PackError,
    PovertyCoreError,
    Problem,
    UnknownName,
)
from poverty_core.expressions import subject_of
from poverty_core.io import (
    Dataset,
    OutputClash,
    OutputError,
    Outputs,
    check_outputs,
    json_text,
    read_dataset,
    remove_stale_temps,
    safe_cell,
    writing,
)
from poverty_core.model import County, Household, Village
from poverty_core.packs import Pack, coerce_parameter, default_registry
from poverty_core.parameters import format_value, value_problem
from poverty_core.privacy import (
    mask_ids,
    mask_if_id_number,
    redact,
    redact_data,
    showing_id_numbers,
)
from poverty_core.readiness import Readiness
from poverty_core.report import render
from poverty_core.rules import Outcome, Status, in_force_on
from poverty_core.samples import SAMPLES

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
        epilog="Exit codes: 0 ok, 2 usage, 3 invalid input, 4 pack error or nothing to decide "
        "on the date (a decision not in force, a parameter without a value), 5 output error, "
        "130 interrupted.",
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
    return parser


class _Usage(PovertyCoreError):
    """Bad command-line usage found before anything is read (exit 2, one line)."""


class _NotReady(PovertyCoreError):
    """The pack cannot decide on the date: a parameter every eligible record needs has no
    value (exit 4, before any row is read)."""


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
    except (_Usage, OutputClash) as err:
        return fail(err.message(lang), EXIT_USAGE)
    except InputError as err:
        return fail(err.format(lang), EXIT_INPUT)
    except (PackError, UnknownName, NotInForce, _NotReady) as err:
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
        "explain": _explain,
        "validate": _validate,
        "schema": _schema,
        "template": _template,
    }[args.command]
    return handler(args, out)


def _dump(data: Any, out: TextIO) -> None:
    out.write(json_text(redact_data(data), "standard output") + "\n")


def _table(rows: list[list[str]], out: TextIO) -> None:
    if not rows:
        return
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")
        if j == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


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
    lang: Language = args.lang
    table = [["pack", "parent", "version", "title", "chain / error"]]
    for r in rows:
        tail = " → ".join(r["chain"]) if r["chain"] else "BROKEN: " + r["error"][lang]
        table.append([r["name"], r["parent"] or "—", r["version"], r["title"][lang], tail])
    _table(table, out)
    for p in problems:
        out.write(f"problem: {p[lang]}\n")
    return EXIT_OK


def _plans(pack: Pack, as_of: dt.date, overrides: dict[str, Any]) -> dict[str, Any]:
    """For every decision: what it needs on ``as_of`` (or why it does not govern then)."""
    plans: dict[str, Any] = {}
    for d in pack.decisions.values():
        try:
            plans[d.id] = pack.readiness(d.id, as_of=as_of, overrides=overrides)
        except NotInForce as err:
            plans[d.id] = err
    return plans


def _show_as_of(
    pack: Pack, args: argparse.Namespace, overrides: dict[str, Any], out: TextIO
) -> int:
    lang: Language = args.lang
    plans = _plans(pack, args.as_of, overrides)
    if args.format == "json":
        _dump(
            {
                "pack": pack.name,
                "as_of": args.as_of.isoformat(),
                "decisions": {
                    k: (
                        {"not_in_force": v.message("en"), "periods": list(v.periods)}
                        if isinstance(v, NotInForce)
                        else v.to_dict()
                    )
                    for k, v in plans.items()
                },
            },
            out,
        )
        return EXIT_OK
    w = out.write
    zh = lang == "zh"
    w(f"{pack.name} {pack.version} — {pack.title[lang]}, ")
    w(f"{'评估日' if zh else 'as of'} {args.as_of}\n")
    if overrides:
        w(f"{'参数覆盖' if zh else 'overrides'}: {overrides}\n")
    for plan in plans.values():
        w("\n")
        if isinstance(plan, NotInForce):
            w(plan.message(lang) + "\n")
            continue
        w(plan.explain(lang) + "\n")
    return EXIT_OK


def _show(args: argparse.Namespace, out: TextIO) -> int:
    pack, overrides = _policy(args)
    lang: Language = args.lang
    if args.as_of is not None:
        return _show_as_of(pack, args, overrides, out)
    if args.format == "json":
        _dump(pack.describe(), out)
        return EXIT_OK
    w = out.write
    w(f"{pack.name} {pack.version} — {pack.title[lang]}\n")
    w(f"chain: {' → '.join(pack.chain)}\n\n")
    w("DECISIONS / 决策\n")
    for d in pack.decisions.values():
        w(f"  {d.id} [{d.subject}, {d.kind}] {d.title[lang]}  (from {_origin(d)})\n")
        w(f"      in force / 生效期: {_periods_of(d, lang)}\n")
        for cid in d.criteria:
            rule = pack.criteria[cid]
            w(f"    - {rule.id}: {rule.title.zh} / {rule.title.en}  (from {_origin(rule)})\n")
            if d.kind != "procedure":
                w(f"        test: {pack.rule_text(rule, lang)}\n")
            w(f"        source: {rule.citation.format(lang)}\n")
            w(f"        in force / 生效期: {_periods_of(rule, lang)}\n")
    w("\nPARAMETERS / 参数\n")
    for p in sorted(pack.parameters.values(), key=lambda p: p.name):
        flag = " [interpretation]" if p.interpretation else ""
        w(f"  {p.name}: {p.title[lang]} ({p.unit}){flag}  (from {_origin(p)})\n")
        for start, end, v in p.covering():
            span = f"{start} – {end or '…'}"
            w(f"    {span}: {format_value(v.value, p.unit)}  ← {v.citation.format(lang)}\n")
        if not p.values:
            w("    (no values)\n")
    if pack.classifiers:
        w("\nCLASSIFIERS / 分类器\n")
        for cf in pack.classifiers.values():
            w(f"  {cf.id} [{cf.subject}] {cf.title[lang]}  (from {_origin(cf)})\n")
            for c in cf.classes:
                text = c.test.text(lang, pack.namer(), subject_of(cf.subject))
                w(f"    - {c.code}: {c.label.zh} / {c.label.en}: {text}\n")
            if cf.otherwise is not None:
                w(f"    - {cf.otherwise.code}: {cf.otherwise.label[lang]} (otherwise)\n")
    if pack.entitlements:
        w("\nENTITLEMENTS / 补助\n")
        for en in pack.entitlements.values():
            w(f"  {en.id} [{en.subject}] {en.title[lang]}  (from {_origin(en)})\n")
            for ln in en.lines:
                amount = ln.amount.text(lang, pack.namer(), subject_of(en.subject))
                title = f"{ln.title.zh} / {ln.title.en}"
                w(f"    - {ln.id}: {title}: {amount} ({ln.kind}, per {ln.per})\n")
    if pack.indicators:
        w("\nINDICATORS / 指标\n")
        for ind in pack.indicators.values():
            title = f"{ind.title.zh} / {ind.title.en}"
            w(f"  {ind.id} [{ind.subject}, {ind.kind}] {title}  (from {_origin(ind)})\n")
    if pack.fields:
        w("\nFIELDS / 字段\n")
        for f in pack.fields.values():
            w(f"  {f.describe(lang)}  (from {f.pack})\n")
            w(f"      source / 来源: {f.citation.format(lang)}\n")
    w("\nTAXONOMIES / 分类\n")
    for t in pack.taxonomies.values():
        items = ", ".join(i.label[lang] for i in t.items)
        w(f"  {t.id}: {t.title[lang]} (from {_origin(t)}): {items}\n")
    if pack.removed:
        w("\nREMOVED / 已移除\n")
        for rid, by in pack.removed.items():
            w(f"  {rid} (by {by})\n")
    w("\nNOT ENCODED / 未编码\n")
    for n in pack.not_encoded:
        w(f"  [{n.pack}] {n.rule[lang]}: {n.reason[lang]}\n")
    return EXIT_OK


def _origin(item: Any) -> str:
    over = getattr(item, "overrides", None)
    return f"{item.pack}, overrides {over}" if over else item.pack


def _periods_of(item: Any, lang: Language) -> str:
    """A rule's period, who set it, and the inherited versions that govern outside it."""
    from poverty_core.rules import versions_of

    parts = []
    for version in versions_of(item):
        period = version.in_force
        if period is None:
            parts.append("始终" if lang == "zh" else "always")
            continue
        who = period.origin.replace("source:", "来源 " if lang == "zh" else "source ")
        parts.append(f"{period.format(lang)} ({who}; {version.pack})")
    joiner = "；其外：" if lang == "zh" else "; outside it: "
    return joiner.join(parts)


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
    return pack, _settings(pack, args.settings)


def _precheck(
    pack: Pack,
    decision: str,
    as_of: dt.date,
    overrides: dict[str, Any],
    allow: bool,
    lang: Language,
) -> Readiness:
    """Before any row is read: the decision must govern on the date (else exit 4) and no
    parameter every eligible record needs may lack a value (else exit 4, naming it and how
    to supply it, unless ``--allow-undetermined``)."""
    plan = pack.readiness(decision, as_of=as_of, overrides=overrides)
    if plan.blocking:
        lines = [g.explain(lang) for g in plan.blocking]
        if not allow:
            zh = "；".join(g.explain("zh") for g in plan.blocking)
            en = "; ".join(g.explain("en") for g in plan.blocking)
            hint_zh = "（或用 --allow-undetermined 照常运行，这些户将为「无法判定」）"
            hint_en = " (or run anyway with --allow-undetermined: those rows come out undetermined)"
            raise _NotReady(
                Text(
                    f"策略包 {pack.name} 在 {as_of} 无法判定 {decision}：{zh}{hint_zh}",
                    f"pack {pack.name} cannot decide {decision} on {as_of}: {en}{hint_en}",
                )
            )
        for line in lines:
            print(redact(line), file=sys.stderr)
    return plan


def _absent_inputs(plan: Readiness, source: Source) -> list[str]:
    """The inputs the decision reads that the register does not have at all (no column;
    in a JSON file, no record with a value)."""
    if source.register is not None:
        columns = list(source.register.columns.values())
        households = set(columns[0])
        members = set(columns[1]) if len(columns) > 1 else set()
        members |= {c.removeprefix("members.") for c in households if c.startswith("members.")}

        def has(label: str) -> bool:
            if label.startswith("members[]."):
                name = label.removeprefix("members[].")
                return name in members or (name == "age" and "birth_date" in members)
            if label.startswith(("procedures.", "checklists.")):
                return any(c == label or c.startswith(label + ".") for c in households)
            return label in households

    elif source.dataset is not None:
        records = list(source.dataset.households)

        def has(label: str) -> bool:
            if label.startswith("members[]."):
                name = label.removeprefix("members[].")
                names = (name, "birth_date") if name == "age" else (name,)
                return any(
                    getattr(m, n, None) is not None
                    for r in records
                    for m in r.members
                    for n in names
                )
            if label.startswith(("procedures.", "checklists.")):
                kind, _, rest = label.partition(".")
                name, _, item = rest.partition(".")
                return any(
                    name in getattr(r, kind) and (not item or item in getattr(r, kind)[name])
                    for r in records
                )
            return any(getattr(r, label, None) is not None for r in records)

    else:
        return []
    return [label for label in plan.fields if not has(label)]


# -- assess / explain / validate ------------------------------------------------------------

_RESULT_SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")


def _usage(zh: str, en: str) -> _Usage:
    return _Usage(Text(zh, en))


def _check_usage(args: argparse.Namespace) -> None:
    """What is wrong with the command line itself, before anything is read or written
    (exit 2, one line): a bad ``--batch-size``, results format or ``--rejects``, and an
    output that would replace an input or another output."""
    if args.batch_size < 1:
        raise _usage(
            f"--batch-size 须为正整数（实为 {args.batch_size}）",
            f"--batch-size must be a positive whole number (got {args.batch_size})",
        )
    output = getattr(args, "output", None)
    if output is not None and not output.lower().endswith(_RESULT_SUFFIXES):
        formats = ", ".join(_RESULT_SUFFIXES)
        raise _usage(
            f"-o {output}：结果文件须以 {formats} 结尾",
            f"-o {output}: a results file ends in {formats}",
        )
    if getattr(args, "rejects", None) and getattr(args, "on_error", "fail") != "skip":
        raise _usage("--rejects 需配合 --on-error skip", "--rejects needs --on-error skip")
    check_outputs(
        {
            "FILE": args.file,
            "--members": args.members,
            "--villages": args.villages,
            "--counties": args.counties,
        },
        {
            "-o": output,
            "--report": getattr(args, "report", None),
            "--rejects": getattr(args, "rejects", None),
        },
    )


def _remove_stale(paths: Sequence[str | None], lang: Language) -> None:
    """Temporary files that killed runs left beside these outputs: removed, with a note."""
    folders = {os.path.dirname(os.path.abspath(p)) for p in paths if p}
    for folder in sorted(folders):
        for path in remove_stale_temps(folder):
            note = Text(
                f"已删除此前被中断的运行留下的临时文件：{path}",
                f"removed a temporary file an interrupted run left: {path}",
            )
            print(note[lang], file=sys.stderr)


_KIND_ZH = {"households": "户", "members": "成员", "villages": "村", "counties": "县"}


@attrs.define
class Source:
    """The records a command reads — a JSON document or a columnar register, and the
    villages and counties files — with every row accounted for: assessed or rejected
    (:meth:`counts`). With ``skip``, a household in a village (county) the villages
    (counties) file does not list, or whose row there was rejected, is rejected too."""

    name: str
    synthetic: bool = False
    as_of: dt.date | None = None
    dataset: Dataset | None = None
    register: Register | None = None
    villages: list[Village] = attrs.field(factory=list)
    counties: list[County] = attrs.field(factory=list)
    rejected: list[Rejected] = attrs.field(factory=list)
    skip: bool = False
    files: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    """Each input (besides the register's own files): its kind and rows read."""
    assessed: collections.Counter[str] = attrs.field(factory=collections.Counter)
    listed: dict[str, set[str] | None] = attrs.field(factory=dict)
    """``village_id``/``county_id``: the ids a household may name (``None``: any)."""
    _rejected_ids: dict[str, dict[str, str]] | None = attrs.field(default=None, init=False)

    @property
    def households_file(self) -> str:
        """The name rows of the households file go by (in rejects and counts)."""
        if self.register is not None:
            return self.register.files[0]
        assert self.dataset is not None
        return self.dataset.file_of("households")

    @property
    def members_file(self) -> str | None:
        """The separate members file (sheet), if there is one."""
        if self.register is not None and len(self.register.files) > 1:
            return self.register.files[1]
        return None

    def rejected_households(self) -> set[int]:
        """The rows of the households file left out (``--on-error skip``)."""
        first = self.households_file
        return {r.row for r in self.rejected if r.file == first}

    def counts(self) -> list[FileCount]:
        """Rows read, assessed and rejected, per input file."""
        rejected = collections.Counter(r.file for r in self.rejected)
        files: list[tuple[str, str, int]] = []
        if self.register is not None:
            for i, file in enumerate(self.register.files):
                kind = "households" if i == 0 and self.register.layout != "flat" else "members"
                files.append((file, kind, self.register.rows_read[file]))
        files += [(file, kind, read) for file, (kind, read) in self.files.items()]
        return [
            FileCount(file, kind, read, self.assessed[file], rejected[file])
            for file, kind, read in files
        ]

    def household_tables(self, progress: Progress | None = None) -> Iterator[tuple[Any, Any]]:
        """``(households, members)`` Arrow tables, batch by batch."""
        if self.dataset is not None:
            households = self._listed_records()
            self.assessed[self.households_file] += len(households)
            if households:
                yield tables_from_records(households)
            return
        assert self.register is not None
        # Read once: with --on-error fail the outputs of a run that meets a bad row are
        # discarded, so the batches need not wait for the whole file to be checked.
        flat = self.register.layout == "flat"
        for batch in self.register.batches(validate_first=False):
            self.rejected.extend(batch.rejected)
            batch = self._listed_batch(batch)
            if flat:  # a flat file's rows are its people
                rows = batch.members.num_rows if batch.members is not None else 0
                self.assessed[self.households_file] += rows
            else:
                self.assessed[self.households_file] += batch.households.num_rows
            if self.members_file is not None and batch.members is not None:
                self.assessed[self.members_file] += batch.members.num_rows
            if progress is not None:
                progress.add(batch.households.num_rows)
            yield batch.households, batch.members

    def _unlisted(self, by: str, value: Any) -> Text | None:
        known = self.listed.get(by)
        if not self.skip or known is None or value is None or value in known:
            return None
        kind = "villages" if by == "village_id" else "counties"
        noun = ("村", "village") if by == "village_id" else ("县", "county")
        shown = repr(value)
        if self._rejected_ids is None:  # once: the rows of villages and counties rejected
            self._rejected_ids = {"villages": {}, "counties": {}}
            for r in self.rejected:
                role = self.files.get(r.file, ("",))[0]
                if role in self._rejected_ids and r.household_id is not None:
                    self._rejected_ids[role].setdefault(r.household_id, f"{r.file}:{r.row}")
        where = self._rejected_ids[kind].get(value)
        if where is not None:
            return Text(
                f"{noun[0]} {shown}（{where}）已被剔除", f"{noun[1]} {shown} ({where}) was rejected"
            )
        return Text(
            f"{noun[0]} {shown} 不在{noun[0]}文件中",
            f"{noun[1]} {shown} is not in the {kind} file",
        )

    def _listed_records(self) -> list[Household]:
        """The JSON document's households, less those in an unlisted village or county."""
        assert self.dataset is not None
        rows = self.dataset.rows.get("households") or tuple(range(len(self.dataset.households)))
        kept = []
        for row, household in zip(rows, self.dataset.households, strict=True):
            for by in ("village_id", "county_id"):
                text = self._unlisted(by, getattr(household, by))
                if text is not None:
                    problem = Problem(f"households[{row}].{by}", text)
                    self.rejected.append(
                        Rejected(self.households_file, row, household.id, (problem,))
                    )
                    break
            else:
                kept.append(household)
        return kept

    def _listed_batch(self, batch: RegisterBatch) -> RegisterBatch:
        """A register batch less the households in an unlisted village or county (and
        their member rows), which are rejected."""
        table = batch.households
        if not self.skip or not table.num_rows or all(v is None for v in self.listed.values()):
            return batch
        assert self.register is not None
        drop = np.zeros(table.num_rows, np.bool_)
        why: dict[int, Problem] = {}
        hfile = self.households_file
        headers = self.register.columns.get(hfile, {})
        for by in ("village_id", "county_id"):
            known = self.listed.get(by)
            if known is None or by not in table.column_names:
                continue
            values = table.column(by)
            hit = pc.fill_null(
                pc.invert(pc.is_in(values, value_set=pa.array(sorted(known), pa.string()))), False
            )
            for k in np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), np.bool_)):
                i = int(k)
                if drop[i]:
                    continue
                text = self._unlisted(by, values[i].as_py())
                if text is not None:
                    drop[i] = True
                    where = f"{hfile}:{int(batch.rows[i])}:{headers.get(by, by)}"
                    why[i] = Problem(where, text)
        if not drop.any():
            return batch
        ids = table.column("id").to_pylist()
        dropped: dict[str, int] = {}
        flat = self.register.layout == "flat"
        for i in sorted(why):
            row = int(batch.rows[i])
            if not flat:  # a flat file's household is its members' rows, listed below
                self.rejected.append(Rejected(hfile, row, ids[i], (why[i],)))
            dropped[ids[i]] = row
        members, member_rows = batch.members, batch.member_rows
        mfile = self.members_file
        if flat and members is not None and member_rows is not None:
            owners = members.column("household_id").to_pylist()
            problem_of = {ids[i]: why[i] for i in why}
            for row, owner in zip(member_rows.tolist(), owners, strict=True):
                if owner in dropped:
                    self.rejected.append(Rejected(hfile, int(row), owner, (problem_of[owner],)))
        if members is not None and member_rows is not None:
            owners = members.column("household_id").to_pylist()
            gone = np.array([o in dropped for o in owners], np.bool_)
            if mfile is not None:
                header = self.register.columns.get(mfile, {}).get("household_id", "household_id")
                for j in np.flatnonzero(gone):
                    owner = owners[int(j)]
                    text = Text(
                        f"所属户 {owner!r}（{hfile}:{dropped[owner]}）已被剔除",
                        f"its household {owner!r} ({hfile}:{dropped[owner]}) was rejected",
                    )
                    mrow = int(member_rows[int(j)])
                    problem = Problem(f"{mfile}:{mrow}:{header}", text)
                    self.rejected.append(Rejected(mfile, mrow, owner, (problem,)))
            members = members.filter(pa.array(~gone))
            member_rows = member_rows[~gone]
        keep = ~drop
        return RegisterBatch(
            table.filter(pa.array(keep)), members, batch.rows[keep], [], member_rows
        )


class Progress:
    """A one-line progress count on a terminal (standard error), for long runs."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0

    def add(self, n: int) -> None:
        """Count ``n`` more households."""
        self.count += n
        if self.enabled:
            sys.stderr.write(f"\r  {self.count:,} households assessed")
            sys.stderr.flush()

    def done(self) -> None:
        """End the line."""
        if self.enabled and self.count:
            sys.stderr.write("\n")


def _read_records(
    path: str, cls: type[Any], name: str, skip: bool
) -> tuple[list[Any], list[Rejected], int]:
    """Villages or counties from a JSON file (a list, or an object with ``name``) or a
    columnar file: the records, the rows rejected (``skip``; else an error) and the
    rows read."""
    if path.lower().endswith(".json"):
        try:
            data = loads_json(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError, RecursionError) as exc:
            raise InputError(
                [Problem(path, Text(f"无法读取：{exc}", f"cannot read: {exc}"))], what=path
            ) from None
        repeated = getattr(data, "repeated", ())
        if repeated:
            keys = ", ".join(repeated)
            raise InputError(
                [Problem(path, Text(f"字段重复：{keys}", f"key(s) given more than once: {keys}"))],
                what=path,
            )
        if isinstance(data, dict) and name in data:
            data = data[name]
        items = data if isinstance(data, list) else [data]
        records: list[Any] = []
        rejected: list[Rejected] = []
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            where = f"{name}[{i}]"
            mine: list[Problem] = []
            record = None
            try:
                record = structure(item, cls, path=where)
            except InputError as err:
                mine += err.problems
            if record is not None and record.id in seen:
                mine.append(
                    Problem(
                        f"{where}.id",
                        Text(
                            f"编号 {record.id!r} 与 {name}[{seen[record.id]}] 重复",
                            f"id {record.id!r} repeats {name}[{seen[record.id]}]",
                        ),
                    )
                )
            elif record is not None:
                seen[record.id] = i
            if mine:
                problems += mine
                rid = item.get("id") if isinstance(item, dict) else None
                rejected.append(
                    Rejected(path, i, rid if isinstance(rid, str) else None, tuple(mine))
                )
            else:
                records.append(record)
        if problems and not skip:
            raise InputError(problems, what=name)
        return records, rejected, len(items)
    batch = read_table(path, cls, on_error="skip" if skip else "fail")
    records = _records_from_table(batch.households, cls, name)
    return records, list(batch.rejected), len(records) + len(batch.rejected)


def _records_from_table(table: Any, cls: type[Any], name: str) -> list[Any]:
    rows = [{k: v for k, v in row.items() if v is not None} for row in table.to_pylist()]
    return [structure(row, cls, path=f"{name}[{i}]") for i, row in enumerate(rows)]


def _open_source(args: argparse.Namespace, pack: Pack | None = None) -> Source:
    skip = getattr(args, "on_error", "fail") == "skip"
    on_error: Literal["fail", "skip"] = "skip" if skip else "fail"
    if args.sample or (args.file and args.file.lower().endswith(".json")):
        if args.sample:  # the fields of the sample's own pack that ``pack`` lacks: left out
            from poverty_core.samples import read_sample

            data, _ = read_sample(args.sample, pack=pack, on_error=on_error, as_of=args.as_of)
        else:
            data = read_dataset(args.file, on_error=on_error, as_of=args.as_of, pack=pack)
        source = Source(
            data.source,
            synthetic=data.synthetic,
            as_of=data.as_of,
            dataset=data,
            villages=list(data.villages),
            counties=list(data.counties),
            rejected=list(data.rejected),
            skip=skip,
        )
        source.files[data.file_of("households")] = ("households", data.read["households"])
        for kind in ("villages", "counties"):
            if data.read.get(kind):
                source.files[data.file_of(kind)] = (kind, data.read[kind])
                source.assessed[data.file_of(kind)] = len(getattr(data, kind))
        source.listed = {
            "village_id": {v.id for v in data.villages} if data.read.get("villages") else None,
            "county_id": {c.id for c in data.counties} if data.read.get("counties") else None,
        }
    else:
        register = open_register(
            args.file,
            args.members,
            encoding=args.encoding,
            aliases=dict(args.aliases) or None,
            ignore_columns=args.ignore_columns,
            on_error=on_error,
            batch_size=args.batch_size,
            pack=pack,
            as_of=args.as_of,
            layout=args.layout,
            interpretations=dict(args.interpretations) or None,
        )
        source = Source(args.file, register=register, skip=skip)
    for option, cls, kind in (
        (args.villages, Village if pack is None else pack.record_type("village"), "villages"),
        (args.counties, County if pack is None else pack.record_type("county"), "counties"),
    ):
        if not option:
            continue
        records, rejected, read = _read_records(option, cls, kind, skip)
        setattr(source, kind, records)
        source.rejected += rejected
        source.files[option] = (kind, read)
        source.assessed[option] = len(records)
        by = "village_id" if kind == "villages" else "county_id"
        source.listed[by] = {r.id for r in records} if read else None
    return source


def _as_of(args: argparse.Namespace, source: Source) -> dt.date:
    as_of = args.as_of or source.as_of
    if as_of is None:
        raise InputError(
            [
                Problem(
                    "--as-of",
                    Text(
                        "输入文件未给出 as_of，须指定 --as-of",
                        "the file gives no as_of: pass --as-of",
                    ),
                )
            ],
            what="command line",
        )
    return as_of


class _Collect:
    """Keeps result tables in memory (for a JSON results document)."""

    def __init__(self) -> None:
        self.tables: list[Any] = []

    def write(self, table: Any) -> None:
        self.tables.append(table)

    def rows(self) -> list[dict[str, Any]]:
        return [row for t in self.tables for row in _plain_rows(t)]


class _Masked:
    """The results on their way out: household ids that are ID numbers masked (unless
    ``--show-id-numbers``), and a failed write naming the file."""

    def __init__(self, sink: Any, path: str) -> None:
        self.sink, self.path = sink, path

    def write(self, table: Any) -> None:
        if "id" in table.column_names:
            table = table.set_column(
                table.column_names.index("id"), "id", mask_ids(table.column("id"))
            )
        with writing(self.path):
            self.sink.write(table)


def _plain_rows(table: Any) -> list[dict[str, Any]]:
    return [
        {**row, "failed": _split(row["failed"]), "missing": _split(row["missing"])}
        for row in table.to_pylist()
    ]


def _split(text: str | None) -> list[str]:
    return [t for t in (text or "").split(";") if t]


class Run:
    """Everything ``assess`` computes: household totals, village and county decisions."""

    def __init__(
        self,
        pack: Pack,
        source: Source,
        as_of: dt.date,
        overrides: dict[str, Any],
        decision: str,
        sink: Any = None,
        progress: Progress | None = None,
    ) -> None:
        self.pack, self.source, self.as_of, self.overrides = pack, source, as_of, overrides
        self.summary = assess(
            pack,
            decision,
            source.household_tables(progress),
            as_of=as_of,
            overrides=overrides,
            writer=sink,
        )
        self.village_records = list(source.villages)
        self.county_records = list(source.counties)
        _check_groups(self.summary, self.village_records, self.county_records)
        if decision == "household_exit":
            groups = self.summary.groups
            self.village_records = indicators.with_poor_population(
                self.village_records, dict(groups["village_id"].poor_population())
            )
            self.county_records = indicators.with_poor_population(
                self.county_records, dict(groups["county_id"].poor_population())
            )
        self.absent: list[str] = []
        self.not_in_force: dict[str, NotInForce] = {}
        """Village and county decisions that govern on none of the run's dates."""
        self.villages = self._groups("village_exit", self.village_records)
        self.counties = self._groups("county_exit", self.county_records)
        self.counts = source.counts()
        for c in self.counts:
            if not c.balanced:  # a bug, never data: refuse to write an incomplete account
                raise RuntimeError(
                    f"rows of {c.file} do not add up: {c.read} read, {c.assessed} assessed, "
                    f"{c.rejected} rejected"
                )

    def _groups(self, decision: str, records: list[Any]) -> BatchResult | None:
        if not records or decision not in self.pack.decisions:
            return None
        try:
            return self.pack.decide_batch(
                decision, records, as_of=self.as_of, overrides=self.overrides
            )
        except NotInForce as err:  # said in the summary and the report, not an error
            self.not_in_force[decision] = err
            return None

    def report(self, household_rows: list[dict[str, Any]] | None) -> dict[str, Any]:
        """The JSON-compatible report of the run."""
        summary = self.summary.to_dict()
        provenance = summary["provenance"] or (
            (self.villages or self.counties).provenance.to_dict()  # type: ignore[union-attr]
            if (self.villages or self.counties)
            else None
        )
        titles = {  # the version that governed on the date
            cid: (
                in_force_on(self.pack.criteria[cid], self.as_of) or self.pack.criteria[cid]
            ).title.to_dict()
            for cid in summary["criteria"]
            if cid in self.pack.criteria
        }
        by_file = {c.file: c for c in self.counts}
        households = by_file[self.source.households_file]
        members = by_file.get(self.source.members_file or "")
        return {
            "synthetic": self.source.synthetic,
            "source": self.source.name,
            "provenance": provenance,
            "rows": {
                "in": households.read,
                "assessed": self.summary.records,
                "rejected": households.rejected,
                "member_rows_rejected": members.rejected if members else 0,
            },
            "files": [c.to_dict() for c in self.counts],
            "summary": {
                "households": summary["outcomes"] if self.summary.records else None,
                "people": summary["people"] if self.summary.records else None,
                "criteria": summary["criteria"],
                "missing": summary["missing"],
                "absent": list(self.absent),
                "not_in_force": {
                    d: {"zh": e.message("zh"), "en": e.message("en")}
                    for d, e in self.not_in_force.items()
                },
                "villages": self.villages.counts() if self.villages else None,
                "counties": self.counties.counts() if self.counties else None,
                "by_village": summary["groups"].get("village_id", []),
                "by_county": summary["groups"].get("county_id", []),
            },
            "titles": titles,
            "households": household_rows,
            "villages": _rows(self.villages),
            "counties": _rows(self.counties),
        }


def _check_groups(summary: Any, villages: Sequence[Village], counties: Sequence[County]) -> None:
    """Households in a village (county) the villages (counties) file does not list."""
    problems: list[Problem] = []
    for by, records, kind in (
        ("village_id", villages, "village"),
        ("county_id", counties, "county"),
    ):
        if not records:
            continue
        known = {r.id for r in records}
        for key, counts in summary.groups[by].households.items():
            if key and key not in known:
                n = int(counts.sum())
                problems.append(
                    Problem(
                        f"households.{by}={key}",
                        Text(
                            f"{n} 户属于{kind}文件中没有的 {key!r}",
                            f"{n} household(s) in {kind} {key!r}, which the {kind} file "
                            f"does not list",
                        ),
                    )
                )
    if problems:
        raise InputError(problems, what="register")


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    lang: Language = args.lang
    _check_usage(args)
    pack, overrides = _policy(args)
    decision = args.decision or "household_exit"
    pack.decision(decision)
    Outputs.check(args.output, args.report, args.rejects)
    plan = None
    if args.as_of is not None:  # known before the register is opened: check it first
        plan = _precheck(pack, decision, args.as_of, overrides, args.allow_undetermined, lang)
    _remove_stale([args.output, args.report, args.rejects], lang)
    source = _open_source(args, pack)
    as_of = _as_of(args, source)
    if plan is None:
        plan = _precheck(pack, decision, as_of, overrides, args.allow_undetermined, lang)
    # Inputs the file lacks altogether head the summary and the report, each with the
    # number of records it left undetermined.
    absent = _absent_inputs(plan, source)
    output = args.output
    collect = (
        _Collect()
        if (output is None and args.format == "json")
        or (output is not None and output.lower().endswith(".json"))
        else None
    )
    writer = ResultWriter(output) if output and collect is None else None
    target = collect or writer
    sink = _Masked(target, output or "standard output") if target is not None else None
    progress = Progress(sys.stderr.isatty() and not args.quiet)
    outputs = Outputs()
    try:
        run = Run(pack, source, as_of, overrides, decision, sink, progress)
        run.absent = absent
        report = run.report(collect.rows() if collect is not None else None)
        _add_interpretations(report, source)
        public = redact_data(report)
        # Every output is prepared beside its target and moved into place together,
        # only when all of them are ready: a failed run leaves nothing behind.
        if writer is not None:
            with writing(writer.path):
                outputs.add(writer.finish(), writer.path)
        elif output is not None:
            outputs.text(output, json_text(public, output) + "\n")
        if args.rejects:
            outputs.text(args.rejects, _rejects_text(args.rejects, source.rejected, lang))
        if args.report:
            outputs.text(args.report, render(args.report, public, lang))
        outputs.commit()
    except BaseException:
        if writer is not None:
            writer.abort()
        outputs.abort()
        raise
    finally:
        progress.done()
    if args.format == "json":
        _dump(report, out)
    elif not args.quiet:
        _print_summary(run, report, lang, out)
        _print_interpretations(report, lang, out)
        for path in (output, args.rejects, args.report):
            if path:
                out.write(f"{'已写入' if lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK


def _add_interpretations(report: dict[str, Any], source: Source) -> None:
    """The national form's interpretations the register was read under, in the report's
    provenance (each with its reading and the cells it read)."""
    applied = source.register.interpretations if source.register is not None else []
    if applied:
        report["provenance"] = {**(report.get("provenance") or {}), "interpretations": applied}


def _print_interpretations(report: dict[str, Any], lang: Language, out: TextIO) -> None:
    applied = (report.get("provenance") or {}).get("interpretations") or []
    if not applied:
        return
    zh = lang == "zh"
    out.write(
        "\n按国家登记表的解释读取（说明见文档 register-layouts；用 --interpret 编号=读法 改变）：\n"
        if zh
        else "\nread under interpretations of the national form (see the docs page "
        "register-layouts; change one with --interpret ID=READING):\n"
    )
    for item in applied:
        cells = f"{item['cells']} 格" if zh else f"{item['cells']} cells"
        out.write(f"  {item['id']} [{item['reading']}]: {item['title'][lang]} — {cells}\n")


def _rejects_text(path: str, rejected: Sequence[Rejected], lang: Language = "en") -> str:
    """The rejects file: JSON for ``.json``, else CSV (formula-safe); ID numbers masked,
    a household id that is one included."""
    rows = [{**r.to_dict(), "household_id": mask_if_id_number(r.household_id)} for r in rejected]
    if path.lower().endswith(".json"):
        return json_text(redact_data(rows), path) + "\n"
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(
        ["文件", "行", "户编号", "问题"]
        if lang == "zh"
        else ["file", "row", "household_id", "problems"]
    )
    for row in rows:
        problems = "; ".join(f"{p['path']}: {p[lang]}" for p in row["problems"])
        writer.writerow(
            [
                _safe_cell(redact(str(row["file"]))),
                row["row"],
                _safe_cell(str(row["household_id"] or "")),
                _safe_cell(redact(problems)),
            ]
        )
    return handle.getvalue()


def _safe_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection (see :func:`poverty_core.io.safe_cell`)."""
    return safe_cell(text)


def _compared(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    return {k: data[k] for k in ("observed", "comparison", "required")}


def _rows(result: BatchResult | None) -> list[dict[str, Any]]:
    if result is None:
        return []
    rows = []
    for i in range(len(result)):
        r = result.result(i)
        rows.append(
            {
                "id": r.subject_id,
                "outcome": r.outcome.value,
                "failed": [f.rule.id for f in r.failed],
                "missing": list(r.missing),
                "findings": {f.rule.id: f.status.value for f in r.findings},
                # What each finding compared (a village's incidence and its threshold …),
                # for the report's charts.
                "values": {
                    f.rule.id: _compared(f)
                    for f in r.findings
                    if f.status is not Status.NOT_IN_FORCE
                },
            }
        )
    return rows


def _print_summary(run: Run, report: dict[str, Any], lang: Language, out: TextIO) -> None:
    w = out.write
    zh = lang == "zh"
    w(f"poverty-core {__version__} — {run.pack.name} ({' → '.join(run.pack.chain)}), ")
    w(f"{'评估日' if zh else 'as of'} {run.as_of}\n")
    w(f"{'输入' if zh else 'input'}: {run.source.name}")
    if run.source.synthetic:
        w("  [合成数据 SYNTHETIC — 不是真实登记 / not a real register]")
    w("\n")
    if run.overrides:
        w(f"{'参数覆盖' if zh else 'overrides'}: {run.overrides}\n")
    w(f"{'行数（读入 = 已评估 + 被拒绝）' if zh else 'rows (read = assessed + rejected)'}:\n")
    for c in report["files"]:
        kind = _KIND_ZH.get(c["kind"], c["kind"]) if zh else c["kind"]
        w(
            f"  {c['file']} ({kind}): {c['read']} = {c['assessed']} + {c['rejected']}"
            + (" 行\n" if zh else "\n")
        )
    summary = report["summary"]
    if summary["households"] is not None:
        title = run.pack.decision(run.summary.decision).title[lang]
        w(f"\n{title} — {run.summary.records} {'户' if zh else 'households'}\n")
        table = [["结果", "户数", "人数"] if zh else ["outcome", "households", "people"]]
        for outcome in Outcome:
            table.append(
                [
                    outcome.label[lang],
                    str(summary["households"][outcome.value]),
                    str(summary["people"][outcome.value]),
                ]
            )
        _table(table, out)
        total_h = sum(summary["households"].values())
        total_p = sum(summary["people"].values())
        eligible = Outcome.ELIGIBLE.value
        share_h = summary["households"][eligible] / total_h if total_h else None
        share_p = summary["people"][eligible] / total_p if total_p else None
        w(
            f"{'符合退出条件的比例' if zh else 'share eligible'}: "
            f"{format_value(share_h, 'ratio')} {'（户）' if zh else 'of households'}, "
            f"{format_value(share_p, 'ratio')} {'（人）' if zh else 'of people'}\n"
        )
        if run.absent:
            w(
                "文件中没有的输入（因此无法判定的记录数）: "
                if zh
                else "absent from the file (records left undetermined by it): "
            )
            w(", ".join(f"{k} {summary['missing'].get(k, 0)}" for k in run.absent) + "\n")
        if summary["missing"]:
            w(f"{'缺少数据（记录数）' if zh else 'missing data (records)'}: ")
            w(", ".join(f"{k} {v}" for k, v in sorted(summary["missing"].items())) + "\n")
        w(f"{'各项标准（未通过 / 未知）' if zh else 'criteria (failed / unknown)'}:\n")
        for cid, c in summary["criteria"].items():
            title = report["titles"].get(cid, {}).get(lang, cid)
            if c.get("not_in_force") == run.summary.records and run.summary.records:
                period = _periods_of(run.pack.criteria[cid], lang)
                shown = "未生效" if zh else "not in force"
                w(f"  {shown:>19} {title} [{period}]\n")
                continue
            w(f"  {c['failed']:>8} / {c['unknown']:<8} {title}\n")
    for err in run.not_in_force.values():
        w(f"\n{err.message(lang)}\n")
    for label, result in (("villages", run.villages), ("counties", run.counties)):
        if result is None:
            continue
        noun = _KIND_ZH[label] if zh else label
        w(f"\n{result.decision.title[lang]} — {len(result)} {noun}\n")
        counts = result.counts()
        head = ["结果" if zh else "outcome", noun]
        _table([head] + [[o.label[lang], str(counts[o.value])] for o in Outcome], out)
    if summary["by_village"] and run.villages is not None:
        w(f"\n{'按村' if zh else 'by village'}:\n")
        outcomes = {run.villages.ids[i]: o for i, o in enumerate(run.villages.outcomes())}
        population = {v.id: v for v in run.village_records}
        header = (
            ["村", "户数", "退出户", "退出率", "贫困人口", "人口", "贫困发生率", "村退出"]
            if zh
            else ["village", "households", "exited", "rate", "poor people", "population",
                  "incidence", "village exit"]
        )  # fmt: skip
        vtable = [header]
        for g in summary["by_village"]:
            vid = g["village_id"]
            v = population.get(vid)
            vtable.append(
                [
                    str(vid),
                    str(g["households"]),
                    str(g["eligible_households"]),
                    format_value(g["exit_rate_households"], "ratio"),
                    "—" if v is None or v.poor_population is None else str(v.poor_population),
                    "—"
                    if v is None or v.rural_registered_population is None
                    else str(v.rural_registered_population),
                    format_value(v.incidence if v else None, "ratio"),
                    outcomes[vid].label[lang] if vid in outcomes else "—",
                ]
            )
        _table(vtable, out)


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    _check_usage(args)
    pack, overrides = _policy(args)
    source = _open_source(args, pack)
    as_of = _as_of(args, source)
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
        run = Run(pack, source, as_of, overrides, "household_exit")
        records = run.village_records if kind == "village" else run.county_records
        record = next(r for r in records if r.id == args.id)
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
        source = _open_source(args)
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
            _read_records(args.villages, Village, "villages", False)[0] if args.villages else []
        )
        counties = (
            _read_records(args.counties, County, "counties", False)[0] if args.counties else []
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
    from poverty_core.register_form import register_template

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
