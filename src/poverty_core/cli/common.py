"""What every command shares: the exit codes, the argument types for dates and
``NAME=VALUE`` settings, JSON output with ID numbers masked, and a usage error."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from poverty_core._text import Text
from poverty_core.io import json_text
from poverty_core.jobs import UsageError
from poverty_core.privacy import redact_data

if TYPE_CHECKING:
    from poverty_core.packs import Pack

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_PACK, EXIT_OUTPUT = 0, 2, 3, 4, 5
EXIT_INTERRUPTED = 130


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
