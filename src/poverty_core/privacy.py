"""Personal data: resident ID numbers (身份证号) checked and masked.

Registers carry ID numbers and names. poverty_core never prints an ID number in full in
a report, an explanation, a log line or an error message: :func:`mask_id_number` keeps
the first six characters (the area code) and the last four, e.g. ``350122********1234``.
An 18-character ID number is checked with its check character (GB 11643-1999).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator

__all__ = ["id_number_problem", "mask_id_number", "showing_id_numbers", "valid_id_number"]

_SHOW = contextvars.ContextVar("poverty_core_show_id_numbers", default=False)


@contextlib.contextmanager
def showing_id_numbers(show: bool = True) -> Iterator[None]:
    """Within the block, :func:`mask_id_number` shows ID numbers in full — for an
    officer who must find the record to correct it (``--show-id-numbers``). The default,
    everywhere else, is masked.

    >>> with showing_id_numbers():
    ...     mask_id_number("11010519491231002X")
    '11010519491231002X'
    """
    token = _SHOW.set(show)
    try:
        yield
    finally:
        _SHOW.reset(token)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID number whose check character is right.

    >>> valid_id_number("11010519491231002X")
    True
    >>> valid_id_number("110105194912310021")
    False
    """
    text = value.strip().upper()
    if not _SHAPE.match(text):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == text[17]


def mask_id_number(value: str) -> str:
    """The ID number with all but the first six and last four characters hidden.

    >>> mask_id_number("11010519491231002X")
    '110105********002X'
    """
    text = value.strip()
    if _SHOW.get():
        return text
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def id_number_problem(value: str) -> tuple[str, str] | None:
    """``(zh, en)`` messages when ``value`` is not a valid ID number (masked), else ``None``."""
    if valid_id_number(value):
        return None
    shown = mask_id_number(value)
    if not _SHAPE.match(value.strip().upper()):
        return (
            f"身份证号 {shown} 应为 18 位（17 位数字加 1 位校验码）",
            f"ID number {shown} must be 18 characters (17 digits and a check character)",
        )
    return (
        f"身份证号 {shown} 校验码不符",
        f"ID number {shown} has a wrong check character",
    )
