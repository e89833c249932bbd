"""The library's own exceptions.

Every error a caller can meet is a :class:`PovertyCoreError`; each carries a
Chinese and an English message. Input errors list *every* problem found, each with
the path of the field (``households[3].members[1].age``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from poverty_core._text import Language, Text
from poverty_core._wording import option

__all__ = [
    "InputError",
    "NotInForce",
    "PackError",
    "ParameterNotDefined",
    "PovertyCoreError",
    "Problem",
    "UnknownName",
]


class PovertyCoreError(Exception):
    """Base class of every error raised by poverty_core on purpose."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.text = message

    def message(self, language: Language = "en") -> str:
        """The message in one language."""
        return self.text[language]

    def __str__(self) -> str:
        return self.text.en


@attrs.frozen
class Problem:
    """One bad field of an input record: where it is and what is wrong."""

    path: str
    """Where the field is, e.g. ``households[3].members[1].age`` (``$`` is the record)."""
    message: Text
    """What is wrong, in Chinese and English."""

    def format(self, language: Language = "en") -> str:
        """``path: message`` in one language."""
        return f"{self.path}: {self.message[language]}"

    def to_dict(self) -> dict[str, str]:
        """A JSON-compatible form."""
        return {"path": self.path, "zh": self.message.zh, "en": self.message.en}


class InputError(PovertyCoreError, ValueError):
    """An input record (or many) is malformed; ``problems`` lists every bad field."""

    def __init__(self, problems: Iterable[Problem], *, what: str = "input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = Text(f"{what} 有 {n} 处错误", f"{what} has {n} problem{'s' if n != 1 else ''}")
        super().__init__(head)
        self.what = what

    def format(self, language: Language = "en") -> str:
        """The heading and one line per problem."""
        lines = [self.text[language] + (":" if language == "en" else "：")]
        lines += ["  " + p.format(language) for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format("en")


class PackError(PovertyCoreError):
    """A policy pack is broken: bad data file, unknown parent, cyclic inheritance …

    The message names the pack (and the file and key where there is one).
    """

    def __init__(self, pack: str, message: Text, *, file: str | None = None) -> None:
        where = f"{pack}" + (f" ({file})" if file else "")
        super().__init__(Text(f"策略包 {where}：{message.zh}", f"pack {where}: {message.en}"))
        self.pack = pack
        self.file = file
        self.detail = message
        """The message without the pack and file prefix."""


class UnknownName(PovertyCoreError, KeyError):
    """A pack, rule, parameter or code that does not exist was asked for."""

    def __init__(self, kind: Text, name: str, known: Sequence[str]) -> None:
        known_list = ", ".join(sorted(known)) or "—"
        super().__init__(
            Text(
                f"未知{kind.zh} {name!r}；已有：{known_list}",
                f"unknown {kind.en} {name!r}; known: {known_list}",
            )
        )
        self.name = name

    def __str__(self) -> str:
        return self.text.en


class ParameterNotDefined(PovertyCoreError, LookupError):
    """A parameter has no value for the date asked (never silently reused)."""

    def __init__(self, pack: str, name: str, on: object) -> None:
        super().__init__(
            Text(
                f"参数 {name}（策略包 {pack}）在 {on} 没有取值；"
                f"可用 {option('set', 'zh', name=name)} 提供",
                f"parameter {name} (pack {pack}) has no value on {on}; "
                f"supply one with {option('set', name=name)}",
            )
        )
        self.pack = pack
        self.name = name
        self.on = on


class NotInForce(PovertyCoreError, LookupError):
    """A decision (classifier, entitlement, indicator) was asked on a date none of its
    rules governs; ``periods`` are the periods it covers, each a :class:`Text` (zh and en)
    or a plain string used in both."""

    def __init__(
        self, pack: str, kind: Text, id: str, on: object, periods: Sequence[Text | str]
    ) -> None:
        texts = [p if isinstance(p, Text) else Text(p, p) for p in periods]
        covered_en = "; ".join(t.en for t in texts) or "no period"
        covered_zh = "；".join(t.zh for t in texts) or "无"
        super().__init__(
            Text(
                f"{kind.zh} {id}（策略包 {pack}）在 {on} 没有生效的规则；其生效期：{covered_zh}",
                f"{kind.en} {id} (pack {pack}) has no rule in force on {on}; "
                f"it covers: {covered_en}",
            )
        )
        self.pack = pack
        self.id = id
        self.on = on
        self.periods = tuple(t.en for t in texts)
        """The periods covered, in English (the message has them in both languages)."""
