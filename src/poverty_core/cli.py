"""The ``poverty-core`` command.

Exit codes:

* ``0`` — success
* ``2`` — bad command-line usage
* ``3`` — the input is invalid (every problem is listed; nothing was written)
* ``4`` — a pack, decision or parameter is unknown or broken
* ``5`` — the output could not be written (no partial file is left)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from poverty_core import __version__, indicators
from poverty_core._text import Language, Text
from poverty_core.convert import RECORD_TYPES, json_schema
from poverty_core.engine import BatchResult
from poverty_core.errors import InputError, PackError, PovertyCoreError, Problem, UnknownName
from poverty_core.expressions import subject_of
from poverty_core.io import Dataset, read_dataset, write_json
from poverty_core.packs import Pack, default_registry, load_pack
from poverty_core.parameters import format_value
from poverty_core.rules import Outcome

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_PACK, EXIT_OUTPUT = 0, 2, 3, 4, 5

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
        epilog="Exit codes: 0 ok, 2 usage, 3 invalid input, 4 pack error, 5 output error.",
    )
    parser.add_argument("--version", action="version", version=f"poverty-core {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the output")
        p.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    p = sub.add_parser("packs", help="list installed packs and their parents / 列出已安装的策略包")
    common(p)

    p = sub.add_parser("show", help="a pack's effective rules and parameters with origins")
    p.add_argument("pack")
    common(p)

    def run_args(p: argparse.ArgumentParser) -> None:
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("file", nargs="?", help="input JSON / JSON Lines file")
        src.add_argument(
            "--sample", action="store_true", help="use the bundled SYNTHETIC sample register"
        )
        p.add_argument("--pack", default="national", help="pack name (default: national)")
        p.add_argument(
            "--as-of", type=_date, help="assessment date YYYY-MM-DD (default: the file's as_of)"
        )
        p.add_argument(
            "--set",
            dest="settings",
            type=_setting,
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="override a parameter for this run (recorded in the results)",
        )
        common(p)

    p = sub.add_parser("assess", help="decide every record of a file / 评估文件中的全部记录")
    run_args(p)
    p.add_argument("--decision", help="household decision (default: household_exit)")
    p.add_argument("-o", "--output", help="write the full results as JSON to this file")

    p = sub.add_parser("explain", help="one record's findings / 解释单条记录的判定")
    run_args(p)
    p.add_argument("--id", required=True, help="household, village or county id")
    p.add_argument("--decision", help="decision id (default: by record kind)")

    p = sub.add_parser("validate", help="check an input file, list every problem, write nothing")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?")
    src.add_argument("--sample", action="store_true")
    p.add_argument("--lang", choices=("zh", "en"), default="en")

    p = sub.add_parser("schema", help="print the JSON Schema of a record kind")
    p.add_argument("--kind", choices=sorted(RECORD_TYPES), default="household")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    lang: Language = getattr(args, "lang", "en")
    try:
        handler = {
            "packs": _packs,
            "show": _show,
            "assess": _assess,
            "explain": _explain,
            "validate": _validate,
            "schema": _schema,
        }[args.command]
        return handler(args, out)
    except InputError as err:
        print(err.format(lang), file=sys.stderr)
        return EXIT_INPUT
    except (PackError, UnknownName) as err:
        print(err.message(lang), file=sys.stderr)
        return EXIT_PACK
    except PovertyCoreError as err:
        print(err.message(lang), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # the reader (e.g. `head`) went away: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except OSError as err:
        print(f"cannot write output: {err}", file=sys.stderr)
        return EXIT_OUTPUT


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=1)
    out.write("\n")


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


def _show(args: argparse.Namespace, out: TextIO) -> int:
    pack = load_pack(args.pack)
    lang: Language = args.lang
    if args.format == "json":
        _dump(pack.describe(), out)
        return EXIT_OK
    w = out.write
    w(f"{pack.name} {pack.version} — {pack.title[lang]}\n")
    w(f"chain: {' → '.join(pack.chain)}\n\n")
    w("DECISIONS / 决策\n")
    for d in pack.decisions.values():
        w(f"  {d.id} [{d.subject}, {d.kind}] {d.title[lang]}  (from {_origin(d)})\n")
        for cid in d.criteria:
            rule = pack.criteria[cid]
            w(f"    - {rule.id}: {rule.title.zh} / {rule.title.en}  (from {_origin(rule)})\n")
            if d.kind != "procedure":
                w(f"        test: {pack.rule_text(rule, lang)}\n")
            w(f"        source: {rule.citation.format(lang)}\n")
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


# -- assess / explain / validate ------------------------------------------------------------


def _load_input(args: argparse.Namespace) -> Dataset:
    if args.sample:
        from poverty_core.samples import sample_path

        with sample_path() as path:
            return read_dataset(path)
    return read_dataset(args.file)


def _as_of(args: argparse.Namespace, data: Dataset) -> dt.date:
    as_of = args.as_of or data.as_of
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


class Run:
    """Everything ``assess`` computes on one dataset."""

    def __init__(
        self, pack: Pack, data: Dataset, as_of: dt.date, overrides: dict[str, Any], decision: str
    ) -> None:
        self.pack, self.data, self.as_of, self.overrides = pack, data, as_of, overrides
        self.households: BatchResult | None = None
        self.villages: BatchResult | None = None
        self.counties: BatchResult | None = None
        self.village_records = list(data.villages)
        self.county_records = list(data.counties)
        if data.households:
            self.households = pack.decide_batch(
                decision, data.households, as_of=as_of, overrides=overrides
            )
            if decision == "household_exit":
                by_village = indicators.poor_population_by(
                    self.households, data.households, by="village_id"
                )
                by_county = indicators.poor_population_by(
                    self.households, data.households, by="county_id"
                )
                self.village_records = indicators.with_poor_population(
                    self.village_records, by_village
                )
                self.county_records = indicators.with_poor_population(
                    self.county_records, by_county
                )
        if self.village_records and "village_exit" in pack.decisions:
            self.villages = pack.decide_batch(
                "village_exit", self.village_records, as_of=as_of, overrides=overrides
            )
        if self.county_records and "county_exit" in pack.decisions:
            self.counties = pack.decide_batch(
                "county_exit", self.county_records, as_of=as_of, overrides=overrides
            )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return dict(args.settings)


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    data = _load_input(args)
    pack = load_pack(args.pack)
    as_of = _as_of(args, data)
    decision = args.decision or "household_exit"
    pack.decision(decision)
    run = Run(pack, data, as_of, pack.check_overrides(_overrides(args)), decision)
    lang: Language = args.lang
    report = _report(run)
    if args.output:
        write_json(args.output, report)
    if args.format == "json" and not args.output:
        _dump(report, out)
        return EXIT_OK
    _print_summary(run, lang, out)
    if args.output:
        out.write(f"\nresults written to {args.output}\n")
    return EXIT_OK


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
            }
        )
    return rows


def _report(run: Run) -> dict[str, Any]:
    hh = run.households
    provenance = hh or run.villages or run.counties
    return {
        "synthetic": run.data.synthetic,
        "source": run.data.source,
        "provenance": provenance.provenance.to_dict() if provenance else None,
        "summary": {
            "households": hh.counts() if hh else None,
            "villages": run.villages.counts() if run.villages else None,
            "counties": run.counties.counts() if run.counties else None,
            "by_village": indicators.exit_summary(hh, run.data.households, by="village_id")
            if hh
            else [],
        },
        "households": _rows(hh),
        "villages": _rows(run.villages),
        "counties": _rows(run.counties),
    }


def _print_summary(run: Run, lang: Language, out: TextIO) -> None:
    w = out.write
    zh = lang == "zh"
    w(f"poverty-core {__version__} — {run.pack.name} ({' → '.join(run.pack.chain)}), ")
    w(f"{'评估日' if zh else 'as of'} {run.as_of}\n")
    w(f"{'输入' if zh else 'input'}: {run.data.source}")
    if run.data.synthetic:
        w("  [合成数据 SYNTHETIC — 不是真实登记 / not a real register]")
    w("\n")
    if run.overrides:
        w(f"{'参数覆盖' if zh else 'overrides'}: {run.overrides}\n")
    for label, result, records in (
        ("households", run.households, run.data.households),
        ("villages", run.villages, run.village_records),
        ("counties", run.counties, run.county_records),
    ):
        if result is None:
            continue
        w(f"\n{result.decision.title[lang]} — {len(result)} {label}\n")
        counts = result.counts()
        sizes = [len(getattr(r, "members", ())) for r in records]
        table = [["outcome", label] + (["people"] if label == "households" else [])]
        for outcome in Outcome:
            row = [outcome.label[lang], str(counts[outcome.value])]
            if label == "households":
                row.append(
                    str(
                        sum(
                            s for s, o in zip(sizes, result.outcomes(), strict=True) if o is outcome
                        )
                    )
                )
            table.append(row)
        _table(table, out)
        if label == "households":
            eligible = counts[Outcome.ELIGIBLE.value]
            people = sum(sizes)
            eligible_people = sum(
                s for s, o in zip(sizes, result.outcomes(), strict=True) if o is Outcome.ELIGIBLE
            )
            w(
                f"{'符合退出条件的比例' if zh else 'share eligible'}: "
                f"{format_value(eligible / len(result), 'ratio')} "
                f"{'（户）' if zh else 'of households'}, "
                f"{format_value(eligible_people / people if people else None, 'ratio')} "
                f"{'（人）' if zh else 'of people'}\n"
            )
        missing: dict[str, int] = {}
        for c in result.criteria:
            undecided = c.status == 2
            for field_name, mask in c.missing.items():
                n_missing = int((mask & undecided).sum())
                if n_missing:
                    missing[field_name] = max(missing.get(field_name, 0), n_missing)
        if missing:
            w(f"{'缺少数据（记录数）' if zh else 'missing data (records)'}: ")
            w(", ".join(f"{k} {v}" for k, v in sorted(missing.items())) + "\n")
        failed = [
            (c.rule.title[lang], int((c.status == 0).sum()), int((c.status == 2).sum()))
            for c in result.criteria
        ]
        w(f"{'各项标准（未通过 / 未知）' if zh else 'criteria (failed / unknown)'}:\n")
        for title, n_failed, n_unknown in failed:
            w(f"  {n_failed:>6} / {n_unknown:<6} {title}\n")
    if run.households is not None and run.villages is not None:
        w(f"\n{'按村' if zh else 'by village'}:\n")
        summary = indicators.exit_summary(run.households, run.data.households, by="village_id")
        outcomes = {run.villages.ids[i]: o for i, o in enumerate(run.villages.outcomes())}
        population = {v.id: v for v in run.village_records}
        vtable = [
            [
                "village",
                "households",
                "exited",
                "rate",
                "poor people",
                "population",
                "incidence",
                "village exit",
            ]
        ]
        for srow in summary:
            v = population.get(srow["village_id"])
            incidence = v.incidence if v else None
            vtable.append(
                [
                    str(srow["village_id"]),
                    str(srow["households"]),
                    str(srow["eligible_households"]),
                    format_value(srow["exit_rate"], "ratio"),
                    str(v.poor_population if v and v.poor_population is not None else "—"),
                    str(
                        v.rural_registered_population
                        if v and v.rural_registered_population is not None
                        else "—"
                    ),
                    format_value(incidence, "ratio"),
                    outcomes[srow["village_id"]].label[lang]
                    if srow["village_id"] in outcomes
                    else "—",
                ]
            )
        _table(vtable, out)


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    data = _load_input(args)
    pack = load_pack(args.pack)
    as_of = _as_of(args, data)
    overrides = pack.check_overrides(_overrides(args))
    kind = next(
        (
            k
            for k, records in (
                ("household", data.households),
                ("village", data.villages),
                ("county", data.counties),
            )
            if any(r.id == args.id for r in records)
        ),
        None,
    )
    if kind is None:
        raise UnknownName(_RECORD, args.id, [])
    decision = args.decision or _DEFAULT_DECISION[kind]
    run = Run(pack, data, as_of, overrides, "household_exit") if kind != "household" else None
    records: Sequence[Any] = data.households
    if run is not None:
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
    data = _load_input(args)
    lang: Language = args.lang
    if lang == "zh":
        counts = (len(data.households), len(data.villages), len(data.counties))
        out.write("有效：{} 户，{} 个村，{} 个县\n".format(*counts))
    else:
        out.write(
            f"valid: {len(data.households)} households, {len(data.villages)} villages, "
            f"{len(data.counties)} counties\n"
        )
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    _dump(json_schema(args.kind), out)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
