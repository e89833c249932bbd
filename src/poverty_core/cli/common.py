"""What every command shares: the exit codes, the argument types for dates and
``NAME=VALUE`` settings, JSON output with ID numbers masked, and a usage error."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from poverty_core._text import Text
from poverty_core.io import json_text
from poverty_core.jobs import UsageError
from poverty_core.privacy import redact_data

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_PACK, EXIT_OUTPUT = 0, 2, 3, 4, 5
EXIT_INTERRUPTED = 130


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def dump(data: Any, out: TextIO) -> None:
    out.write(json_text(redact_data(data), "standard output") + "\n")


def usage(zh: str, en: str) -> UsageError:
    return UsageError(Text(zh, en))
