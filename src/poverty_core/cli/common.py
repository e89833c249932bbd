"""What every command shares: the exit codes, the argument types for dates and
``NAME=VALUE`` settings, JSON output with ID numbers masked, and a usage error."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs
import pyarrow as pa

from poverty_core._text import Text
from poverty_core.io import json_text
from poverty_core.jobs import UsageError
from poverty_core.privacy import redact_data

if TYPE_CHECKING:
    from poverty_core.packs import Pack

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_PACK, EXIT_OUTPUT = 0, 2, 3, 4, 5
EXIT_INTERRUPTED = 130


def use_command_memory_pool() -> str:
    """Make Arrow's jemalloc pool the default memory pool of this process, where Arrow
    has it and the user chose no pool (the environment variable
    ``ARROW_DEFAULT_MEMORY_POOL``); returns the pool's name. jemalloc hands memory a
    finished batch freed back to the system sooner than Arrow's default, mimalloc: a
    10M-household register streamed from Parquet peaks at about 830–870 MB with it,
    950–1,020 MB without, at the same speed (``docs/benchmarks.md``). The
    ``poverty-core`` command does this at start; a library never changes a process-wide
    setting on its own, so a program that embeds the library may call this itself."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        # An Arrow built without jemalloc raises: the default pool stays.
        with contextlib.suppress(Exception):
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return str(pa.default_memory_pool().backend_name)


def date_arg(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` option value as a date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"不是 YYYY-MM-DD 格式的日期 / not a date YYYY-MM-DD: {text!r}"
        ) from None


def setting(text: str) -> tuple[str, str]:
    """A ``NAME=VALUE`` option value as its two parts."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(
            f"应为 NAME=VALUE（名称=值） / expected NAME=VALUE, got {text!r}"
        )
    return name.strip(), value.strip()


def dump(data: Any, out: TextIO) -> None:
    """Write ``data`` as JSON to ``out``, ID numbers masked."""
    out.write(json_text(redact_data(data), "standard output") + "\n")


def usage(zh: str, en: str) -> UsageError:
    """A usage error (exit 2) with its Chinese and English text."""
    return UsageError(Text(zh, en))


@attrs.frozen
class PackLoader:
    """How a command gets the pack it runs under: by name (``load``), with the run's
    ``--period``, ``--reference`` and ``--set`` options (``policy``, which gives the
    overrides too), and a pack's ``--set``-style settings (``settings``). The command line
    passes its own (:mod:`poverty_core.cli`); a test or an embedding program may pass
    another."""

    load: Callable[[str], Pack]
    policy: Callable[[argparse.Namespace], tuple[Pack, dict[str, Any]]]
    settings: Callable[[Pack, Sequence[tuple[str, str]]], dict[str, Any]]
