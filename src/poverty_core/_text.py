"""Bilingual text: every label a user sees exists in Chinese and English; and text laid
out for a terminal, where a Chinese character takes two columns (:func:`width`,
:func:`grid`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

import attrs

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} text must be a non-empty string")


@attrs.frozen
class Text:
    """A user-facing text in Chinese (``zh``) and English (``en``).

    >>> t = Text("贫困户退出", "household exit")
    >>> t["zh"], t.en
    ('贫困户退出', 'household exit')
    >>> str(t)
    '贫困户退出 / household exit'
    """

    zh: str = attrs.field(validator=_non_empty)
    en: str = attrs.field(validator=_non_empty)

    def __getitem__(self, language: Language) -> str:
        if language == "zh":
            return self.zh
        if language == "en":
            return self.en
        raise KeyError(f"unknown language {language!r}; use 'zh' or 'en'")

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def to_dict(self) -> dict[str, str]:
        """Return ``{"zh": ..., "en": ...}``."""
        return {"zh": self.zh, "en": self.en}


def T(zh: str, en: str) -> Text:  # noqa: N802 - short constructor used throughout pack code
    """Shorthand for :class:`Text`."""
    return Text(zh, en)


def width(text: str) -> int:
    """How many columns ``text`` takes on a terminal (wide and full-width characters
    two).

    >>> width("村 village")
    10
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def grid(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as lines of aligned columns under a ruled header (columns measured by
    :func:`width`); no rows, no lines.

    >>> print("\\n".join(grid([["户", "status"], ["h1", "是"]])))
    户  status
    --  ------
    h1  是
    """
    if not rows:
        return []
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        cells = [c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
