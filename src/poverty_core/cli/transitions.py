"""The ``transitions`` command (dynamic management, :mod:`poverty_core.dynamic`): decide
every household's transition on a date, print them as a table (zh or en) or JSON, and
with ``--report`` write the dynamic-management report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import pyarrow as pa

from poverty_core._text import Language, Text, grid
from poverty_core.cli.common import date_arg
from poverty_core.dynamic.decide import TransitionBatch, decide_transitions, rollup
from poverty_core.dynamic.model import KINDS, SAMPLE, STATE_LABELS
from poverty_core.dynamic_report import write_transitions_report
from poverty_core.errors import InputError, Problem
from poverty_core.io import check_outputs, json_text, read_dataset
from poverty_core.model import Household
from poverty_core.packs import load_pack
from poverty_core.privacy import redact_data
from poverty_core.registers import open_register
from poverty_core.samples import sample_path

if TYPE_CHECKING:
    from poverty_core.packs import Pack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core transitions``."""
    parser.add_argument(
        "input",
        nargs="?",
        help="the register: JSON or JSON Lines (with status histories), or any register "
        "format (status only) / 登记册",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="use the bundled SYNTHETIC register with status histories / 使用内置合成样例",
    )
    parser.add_argument("--pack", default="national", help="pack name (default: national)")
    parser.add_argument(
        "--as-of",
        type=date_arg,
        metavar="DATE",
        help="the date (default: the file's as_of) / 判定日期",
    )
    parser.add_argument(
        "--by",
        choices=("village", "county"),
        default="village",
        help="roll-up level (default: village) / 汇总层级",
    )
    parser.add_argument(
        "--removal",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="the caller's identification finding: household ID does not meet the "
        "identification conditions, because REASON (repeatable) / 调用方的识别核查结论",
    )
    parser.add_argument(
        "--identification",
        metavar="DECISION",
        help="the pack decision that tests the identification conditions / 识别条件的决策",
    )
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="also write the dynamic-management report a person reads (.html or .md, in "
        "--lang): each transition with its procedure, per village and county / 写出报告",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )


def _usage(message: Text, language: Language) -> int:
    print(message[language], file=sys.stderr)
    return 2


def _removals(settings: Sequence[str]) -> dict[str, list[Text | str]]:
    out: dict[str, list[Text | str]] = {}
    for setting in settings:
        hid, sep, reason = setting.partition("=")
        if not sep or not hid.strip():
            raise InputError(
                [
                    Problem(
                        "--removal",
                        Text(f"应为 ID=原因：{setting!r}", f"expected ID=REASON, got {setting!r}"),
                    )
                ],
                what="options",
            )
        out.setdefault(hid.strip(), []).append(
            reason.strip() or Text("调用方的识别核查结论", "the caller's identification finding")
        )
    return out


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core transitions``: decide and print every household's transition (and,
    with ``--report``, write the dynamic-management report)."""

    language: Language = args.lang
    if (args.input is None) == (not args.sample):
        return _usage(
            Text(
                "请给出登记册文件或 --sample（二选一）",
                "give a register file or --sample, not both",
            ),
            language,
        )
    if args.report:
        check_outputs({"input": args.input}, {"--report": args.report})
    pack = load_pack(args.pack)
    synthetic = args.sample
    as_of = args.as_of
    households: Sequence[Household] | tuple[pa.Table, pa.Table | None]
    path = args.input
    if args.sample or str(path).lower().endswith((".json", ".jsonl", ".ndjson")):
        if args.sample:
            with sample_path(SAMPLE) as sample:
                data = read_dataset(sample, pack=pack, as_of=as_of)
        else:
            data = read_dataset(path, pack=pack, as_of=as_of)
        synthetic = data.synthetic
        as_of = as_of or data.as_of
        households = data.households
    else:
        batch = open_register(path, pack=pack, as_of=as_of).read_all()
        households = (batch.households, batch.members)
    if as_of is None:
        return _usage(
            Text("请给出 --as-of（文件未给出日期）", "give --as-of (the file has no as_of)"),
            language,
        )
    if isinstance(households, list) and not households:
        return _usage(Text("登记册中没有户", "the register has no households"), language)
    batch_result = decide_transitions(
        pack,
        households,
        as_of=as_of,
        identification=args.identification,
        removals=_removals(args.removal),
    )
    level = f"{args.by}_id"
    groups = rollup(batch_result, level)
    if args.report:
        write_transitions_report(args.report, batch_result, language, synthetic=synthetic)
    if args.format == "json":
        data_out = {
            "synthetic": synthetic,
            "pack": pack.name,
            "versions": dict(pack.versions),
            "as_of": as_of.isoformat(),
            "counts": batch_result.counts(),
            "rollup": {"by": level, "groups": groups},
            "transitions": [batch_result.transition(i).to_dict() for i in range(len(batch_result))],
        }
        out.write(json_text(redact_data(data_out), "standard output") + "\n")
        return 0
    out.write(_format(batch_result, groups, level, synthetic, language))
    return 0


def _name_of(pack: Pack, name: str, language: Language) -> str:
    """A missing field or parameter as a reader knows it (its label), else as named."""
    if name in pack.parameters:
        return pack.parameters[name].title[language]
    kind, _, field = name.rpartition(".")
    record = pack.record_type("person" if kind == "members" else "household")
    labels = record.field_labels()
    if field in labels and kind in ("", "members"):
        return str(labels[field][language])
    if name in ("status", "history"):
        return str(Household.field_labels()[name][language])
    return name


def _format(
    batch: TransitionBatch,
    groups: Sequence[Mapping[str, Any]],
    level: str,
    synthetic: bool,
    language: Language,
) -> str:
    zh = language == "zh"
    lines = []
    if synthetic:
        lines.append(
            "合成数据（SYNTHETIC），不是真实登记册" if zh else "SYNTHETIC data, not a real register"
        )
    lines.append(
        f"动态管理（脱贫即出、返贫即入）：{batch.pack.name}，{batch.as_of}"
        if zh
        else "Dynamic management (exit when out, re-enter on return): "
        f"{batch.pack.name}, {batch.as_of}"
    )
    counts = batch.counts()
    lines.append(
        ("；" if zh else "; ").join(f"{k.label[language]} {counts[k.value]}" for k in KINDS)
    )
    lines.append("")
    head = (
        ["户编号", "村", "状态", "变动", "原因", "未通过的标准", "启动程序"]
        if zh
        else ["household", "village", "state", "transition", "reason", "failed criteria", "starts"]
    )
    rows = [head]
    for i in range(len(batch)):
        t = batch.transition(i)
        failed = ", ".join(f.rule.title[language] for f in t.failed) or "—"
        if t.missing:
            names = ", ".join(_name_of(batch.pack, m, language) for m in t.missing)
            failed = ("缺：" if zh else "missing: ") + names
        rows.append(
            [
                t.household_id,
                t.village_id or "—",
                STATE_LABELS[t.state][language],
                t.kind.label[language],
                t.reason_text[language],
                failed,
                t.procedure.title[language] if t.procedure else "—",
            ]
        )
    lines += grid(rows)
    lines.append("")
    by = "村" if level == "village_id" and zh else "县" if zh else level.removesuffix("_id")
    head = [by, *(k.label[language] for k in KINDS)]
    rows = [head]
    for g in groups:
        rows.append(
            [str(g[level] or "—")] + [f"{g[k.value]} ({g[k.value + '_people']})" for k in KINDS]
        )
    lines.append("各组户数（人数）" if zh else "Households (people) per group")
    lines += grid(rows)
    gaps = {g for i in range(len(batch)) for g in batch.transition(i).gaps}
    if gaps:
        lines.append("")
        lines.append("缺口" if zh else "Gaps")
        lines += [f"- {g[language]}" for g in sorted(gaps, key=lambda g: g.en)]
    return "\n".join(lines) + "\n"
