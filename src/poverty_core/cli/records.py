"""The ``record`` and ``verify`` commands: decide a register and write a results file
with its decision record (:func:`poverty_core.records.write_results`), and re-run a
results file against its inputs (:func:`poverty_core.records.verify`; exit 1 naming
each difference)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from poverty_core._text import Language, Text
from poverty_core.cli.common import date_arg
from poverty_core.errors import InputError, Problem
from poverty_core.io import json_text, read_dataset
from poverty_core.packs import coerce_parameter
from poverty_core.plugins import load_pack
from poverty_core.privacy import redact_data
from poverty_core.recording import decide_batch_recorded, write_results
from poverty_core.references import read_reference_file
from poverty_core.verification import read_inputs, verify


def add_record_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core record``."""
    parser.add_argument("input", help="the register (JSON, JSON Lines or a register file) / 登记册")
    parser.add_argument("--pack", default="national", help="pack name (default: national)")
    parser.add_argument(
        "--decision", default="household_exit", help="household decision (default: household_exit)"
    )
    parser.add_argument(
        "--as-of", type=date_arg, metavar="DATE", help="the date (default: the file's as_of)"
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter for this run (recorded as overridden) / 覆盖参数",
    )
    _reference_argument(
        parser,
        "reference data the pack declares, from a CSV or JSON file (recorded by name, rows, "
        "hash and file, never the data) / 参考数据",
    )
    parser.add_argument("-o", "--output", required=True, help="the results file to write (.json)")
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core verify``."""
    parser.add_argument(
        "results",
        help="a results file: one poverty-core record wrote, or one poverty-core assess -o "
        "wrote (its decision record beside it, FILE.record.json, or inside a .json) / 结果文件",
    )
    parser.add_argument(
        "--input",
        help="the inputs to re-run (default: the file the record names) / 输入文件",
    )
    _reference_argument(
        parser,
        "reference data to re-supply instead of the file the record names (needed for "
        "data given in memory) / 替换记录中的参考数据文件",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


def _reference_argument(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument(
        "--reference",
        dest="references",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help=text,
    )


def _references(given: Sequence[str]) -> dict[str, str]:
    """``--reference NAME=FILE`` options as name → file (a malformed one is an
    :class:`~poverty_core.errors.InputError`)."""
    out: dict[str, str] = {}
    problems = []
    for item in given:
        name, sep, file = item.partition("=")
        if not sep or not name.strip() or not file.strip():
            problems.append(
                Problem(
                    "--reference",
                    Text(f"应为 NAME=FILE：{item!r}", f"expected NAME=FILE, got {item!r}"),
                )
            )
            continue
        out[name.strip()] = file.strip()
    if problems:
        raise InputError(problems, what="--reference")
    return out


def run_record(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core record``: decide a register and write a results file with its
    decision record; 0, or 2 when no date is known."""

    language: Language = args.lang
    pack = load_pack(args.pack)
    given = _references(getattr(args, "references", []))
    if given:
        unknown = [
            Problem(
                f"--reference {name}",
                Text(
                    f"策略包 {pack.name} 未声明参考数据 {name}",
                    f"pack {pack.name} declares no reference {name}",
                ),
            )
            for name in given
            if name not in pack.references
        ]
        if unknown:
            raise InputError(unknown, what="--reference")
        pack = pack.with_references(
            {n: read_reference_file(pack.references[n], Path(f)) for n, f in given.items()}
        )
    as_of = args.as_of
    path = Path(args.input)
    if as_of is None and path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        as_of = read_dataset(path, pack=pack).as_of
    if as_of is None:
        print(
            Text("请给出 --as-of（文件未给出日期）", "give --as-of (the file has no as_of)")[
                language
            ],
            file=sys.stderr,
        )
        return 2
    overrides: dict[str, Any] = {}
    problems = []
    for setting in args.settings:
        name, sep, raw = setting.partition("=")
        if not sep:
            problems.append(
                Problem(
                    "--set",
                    Text(f"应为 NAME=值：{setting!r}", f"expected NAME=VALUE, got {setting!r}"),
                )
            )
            continue
        parameter = pack.parameter(name.strip())
        try:
            overrides[parameter.name] = coerce_parameter(parameter, raw.strip())
        except ValueError as exc:
            problems.append(
                Problem(f"--set {name}", Text(f"取值无效：{exc}", f"invalid value: {exc}"))
            )
    if problems:
        raise InputError(problems, what="--set")
    records = read_inputs(path, pack, as_of)
    recorded = decide_batch_recorded(
        pack, args.decision, records, as_of=as_of, overrides=overrides, source=str(args.input)
    )
    write_results(args.output, recorded)
    c = recorded.result.counts()
    n = len(records)
    out.write(
        Text(
            f"已写出 {args.output}：{n} 条结果（符合 {c['eligible']}，不符合 "
            f"{c['not_eligible']}，无法判定 {c['undetermined']}），附决策记录",
            f"wrote {args.output}: {n} results ({c['eligible']} eligible, "
            f"{c['not_eligible']} not eligible, {c['undetermined']} undetermined) with their "
            "decision record",
        )[language]
        + "\n"
    )
    return 0


def run_verify(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core verify``: 0 when reproduced, 1 when not (each difference named),
    for a results file ``record`` or ``assess -o`` wrote."""

    given = _references(getattr(args, "references", []))
    result = verify(args.results, args.input, references=given or None)
    if args.format == "json":
        out.write(json_text(redact_data(result.to_dict()), "standard output") + "\n")
    else:
        out.write(result.explain(args.lang) + "\n")
    return 0 if result.reproduced else 1
