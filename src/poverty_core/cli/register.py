"""The register commands: ``assess`` (the register job,
:func:`poverty_core.jobs.assess_register`, and its summary), ``explain`` (one record's
findings) and ``validate`` (every problem of an input, nothing written); how their
register is read (:class:`~poverty_core.read_options.ReadOptions` from the options)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from poverty_core._text import Language, Text
from poverty_core.cli.common import EXIT_OK, PackLoader, dump
from poverty_core.console import Progress, write_interpretations, write_summary
from poverty_core.errors import UnknownName
from poverty_core.jobs import assess_register, assess_source, check_options
from poverty_core.model import County, Village
from poverty_core.packs import Pack
from poverty_core.privacy import mask_if_id_number, redact
from poverty_core.read_options import ReadOptions
from poverty_core.registers import open_register, records_from_tables
from poverty_core.sources import RegisterSource, assessment_date, open_source, read_records

_DEFAULT_DECISION = {
    "household": "household_exit",
    "village": "village_exit",
    "county": "county_exit",
}


def check_usage(args: argparse.Namespace) -> None:
    """What is wrong with the command line itself, before anything is read or written
    (exit 2, one line): see :func:`poverty_core.jobs.check_options`."""
    check_options(
        households=args.file,
        members=args.members,
        villages=args.villages,
        counties=args.counties,
        output=getattr(args, "output", None),
        report=getattr(args, "report", None),
        rejects=getattr(args, "rejects", None),
        on_error=getattr(args, "on_error", "fail"),
        batch_size=args.batch_size,
    )


def reading(args: argparse.Namespace) -> ReadOptions:
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


def source_of(args: argparse.Namespace, pack: Pack | None = None) -> RegisterSource:
    """The source a command reads, from its options."""
    return open_source(
        args.file,
        args.members,
        sample=args.sample,
        villages=args.villages,
        counties=args.counties,
        pack=pack,
        as_of=args.as_of,
        **reading(args).keywords(),
    )


def run_assess(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """``poverty-core assess``: run the register job and print its summary (or the JSON
    assessment); the files written are named."""
    lang: Language = args.lang
    check_usage(args)
    pack, overrides = packs.policy(args)
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
            read=reading(args),
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
        dump(report, out)
    elif not args.quiet:
        write_summary(pack, overrides, assessment, report, lang, out)
        write_interpretations(report, lang, out)
        for path in (output, assessment.outputs.record, args.rejects, args.report):
            if path:
                out.write(f"{'已写入' if lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK


def run_explain(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """``poverty-core explain``: one household's, village's or county's findings under
    its decision."""
    check_usage(args)
    pack, overrides = packs.policy(args)
    source = source_of(args, pack)
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
        dump(result.to_dict(), out)
    else:
        out.write(result.explain(args.lang) + "\n")
    return EXIT_OK


_RECORD = Text("记录", "record")


def run_validate(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core validate``: check an input, list every problem (exit 3), write
    nothing."""
    lang: Language = args.lang
    check_usage(args)
    if args.sample or (args.file and args.file.lower().endswith(".json")):
        source = source_of(args)
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
