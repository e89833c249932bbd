"""What the SYNTHETIC sample generators (``tools/make_sample*.py``) share: drawing by
weight, the figure checks, and writing a sample only when every check holds."""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import poverty_core as pc


def weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    """One key of ``weights`` drawn by its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class CheckFailed(Exception):
    """A figure of the sample is not what it must be."""


def expect(condition: bool, message: str) -> None:
    """Raise :class:`CheckFailed` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def write_checked(
    tool: str,
    out: Path,
    document: dict[str, Any],
    *,
    max_bytes: int,
    seed: int,
    check: Callable[[Path], list[str]],
) -> int:
    """Write ``document`` beside ``out``, run ``check`` on what was written, and replace
    ``out`` only when every check holds (exit status 0; else 1 and nothing written)."""
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    size = len(text.encode("utf-8"))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        expect(size <= max_bytes, f"file is {size} bytes, more than {max_bytes}")
        summary = check(tmp)
    except (CheckFailed, pc.InputError) as exc:
        tmp.unlink()
        print(f"{tool}: CHECK FAILED, nothing written: {exc}", file=sys.stderr)
        return 1
    os.replace(tmp, out)
    print(f"wrote {out} ({size / 1e6:.2f} MB, SYNTHETIC, seed {seed})")
    for line in summary:
        print("  " + line)
    return 0
