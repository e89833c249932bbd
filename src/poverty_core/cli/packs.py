"""The pack commands: ``packs`` (installed packs and their parents), ``show`` (a pack's
rules and parameters with their origins, or what each decision needs on a date),
``schema`` (the JSON Schema of a record kind) and ``template`` (an empty register with
the columns a pack reads)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from poverty_core.cli.common import EXIT_OK, PackLoader, dump, usage
from poverty_core.console import plans, plans_data, write_pack, write_packs, write_plans
from poverty_core.convert import json_schema
from poverty_core.io import Outputs
from poverty_core.plugins import default_registry
from poverty_core.register_form import register_template


def run_packs(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core packs``: the installed packs, their parents and load errors."""
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
        dump({"packs": rows, "problems": problems}, out)
        return EXIT_OK
    write_packs(rows, problems, args.lang, out)
    return EXIT_OK


def run_show(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """``poverty-core show``: a pack's rules and parameters with their origins, or with
    ``--as-of`` what each decision needs on that date."""
    pack, overrides = packs.policy(args)
    if args.as_of is not None:
        found = plans(pack, args.as_of, overrides)
        if args.format == "json":
            dump(plans_data(pack, args.as_of, found), out)
        else:
            write_plans(pack, args.as_of, overrides, found, args.lang, out)
    elif args.format == "json":
        dump(pack.describe(), out)
    else:
        write_pack(pack, args.lang, out)
    return EXIT_OK


def run_schema(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """``poverty-core schema``: the JSON Schema of a record kind (a pack's declared
    fields included with ``--pack``)."""
    pack = None if args.pack is None else packs.load(args.pack)
    dump(json_schema(args.kind, pack=pack), out)
    return EXIT_OK


def run_template(args: argparse.Namespace, out: TextIO, packs: PackLoader) -> int:
    """An empty register with exactly the columns the pack's household decisions read,
    headed in the national form's words where they exist, and the allowed values."""
    output = args.output
    fmt = args.format
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    if fmt is None:
        fmt = suffix if suffix in ("csv", "xlsx") else "csv"
    elif output and suffix in ("csv", "xlsx") and suffix != fmt:
        raise usage(
            f"--format {fmt} 与 -o {output} 的扩展名不符",
            f"--format {fmt} does not match the name -o {output}",
        )
    if output is None:
        output = f"{args.pack}-register.{fmt}"
    Outputs.check(output)
    pack = packs.load(args.pack)
    template = register_template(pack, decisions=args.decisions)
    written = template.write(output, layout=args.layout, format=fmt, language=args.lang)
    for path in written:
        out.write(f"{'已写入' if args.lang == 'zh' else 'written'}: {path}\n")
    return EXIT_OK
