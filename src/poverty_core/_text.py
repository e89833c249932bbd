"""Bilingual text: every label a user sees exists in Chinese and English."""

from __future__ import annotations

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
