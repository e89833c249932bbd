"""The ``compare`` command: one register under two rule sets
(:func:`poverty_core.compare.compare_register`), what changes printed or written."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from poverty_core._text import Language, Text
from poverty_core.cli.common import EXIT_OK, PackLoader, dump
from poverty_core.cli.register import check_usage, reading
from poverty_core.compare import Policy, compare_register
from poverty_core.compare_report import render_text
from poverty_core.console import Progress
from poverty_core.privacy import redact


def run_compare(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """``poverty-core compare``: decide one register under two rule sets and print
    what changes (or the JSON comparison)."""
    lang: Language = args.lang
    check_usage(args)
    pack, overrides = packs.policy(args)
    pack_b = pack
    if args.pack_b and args.pack_b != args.pack:
        pack_b = packs.load(args.pack_b)
        if args.periods:
            pack_b = pack_b.with_periods(
                {rule: (span.partition("..")[0], span.partition("..")[2] or None)
                 for rule, span in args.periods}
            )  # fmt: skip
    overrides_b = packs.settings(pack_b, args.settings_b)
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
            read=reading(args),
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
        dump(comparison.to_dict(), out)
    elif not args.quiet:
        out.write(render_text(comparison.to_dict(), lang, max(args.limit, 0)))
        for path in (args.output, args.rejects, args.report):
            if path:
                out.write(f"{'已写入' if lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK
