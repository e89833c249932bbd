"""Personal data: resident ID numbers (身份证号) checked and masked.

Registers carry ID numbers and names. poverty_core never prints an ID number in full in
a report, an explanation, a log line or an error message: :func:`mask_id_number` keeps
the first six characters (the area code) and the last four, e.g. ``350122********1234``.
An 18-character ID number is checked (GB 11643-1999: a real date of birth and the check
character) with python-stdnum's ``stdnum.cn.ric``.

A household id is often the head's ID number (户编号 = 户主身份证号). Such an id is masked
like any ID number in every output of the command line — results, rejects, reports,
explanations and messages — unless ``--show-id-numbers`` is given:
:func:`looks_like_id_number` decides what counts (a valid check character, or the
shape of an ID number with a real date of birth: a mistyped ID number is still one),
:func:`mask_if_id_number` masks one value, :func:`mask_ids` a column and :func:`redact`
every ID number inside a text.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import ric

__all__ = [
    "id_number_problem",
    "looks_like_id_number",
    "mask_id_number",
    "mask_ids",
    "mask_if_id_number",
    "redact",
    "redact_data",
    "showing_id_numbers",
    "shows_id_numbers",
    "valid_id_number",
]

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


def shows_id_numbers() -> bool:
    """True inside :func:`showing_id_numbers` (ID numbers are shown in full)."""
    return _SHOW.get()


_SHAPE = re.compile(r"^\d{17}[\dX]$")
# The check-character weights, kept only for the vectorised screen of id columns in
# mask_ids (what must be masked); validation itself is stdnum's.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID number (GB 11643-1999) with a real date of
    birth and the right check character — checked with python-stdnum's ``stdnum.cn.ric``
    (``calc_check_digit``, ``get_birth_date``), a maintained validator, not by hand.

    The area code is not checked against stdnum's table of counties: that table ties a
    code to the years the county held it and compares them with the year of *birth*, so
    it refuses real numbers (连江县 350122 from 1983, a resident born in 1980) — the code is
    where the number was issued, not where the holder was born that year.

    >>> valid_id_number("11010519491231002X")
    True
    >>> valid_id_number("110105194912310021")  # wrong check character
    False
    >>> valid_id_number("110105194913310021")  # month 13, right check character
    False
    """
    text = value.strip().upper()
    if not _SHAPE.match(text) or ric.calc_check_digit(text) != text[17]:
        return False
    try:
        ric.get_birth_date(text)
    except ValueError:  # stdnum's InvalidComponent: no such date
        return False
    return True


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


def _birth_date_in(text: str) -> bool:
    """Characters 7–14 of an ID-number-shaped text are a real date from 1900 on."""
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    if not 1900 <= year <= dt.date.today().year or not 1 <= month <= 12:
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def looks_like_id_number(value: str) -> bool:
    """True for an ID number: 18 characters (17 digits and a digit or ``X``) with a
    right check character, or with a real date of birth in characters 7–14 (an ID
    number with a typo in it is still personal data).

    >>> looks_like_id_number("11010519491231002X"), looks_like_id_number("110105194912310021")
    (True, True)
    >>> looks_like_id_number("350122-0001"), looks_like_id_number("350122201613990001")
    (False, False)
    """
    text = value.strip().upper()
    if not _SHAPE.match(text):
        return False
    return valid_id_number(text) or _birth_date_in(text)


def mask_if_id_number(value: Any) -> Any:
    """``value`` masked when it is a text that :func:`looks_like_id_number` (unless
    ID numbers are being shown), else unchanged.

    >>> mask_if_id_number("11010519491231002X"), mask_if_id_number("350122-0001")
    ('110105********002X', '350122-0001')
    """
    if isinstance(value, str) and not _SHOW.get() and looks_like_id_number(value):
        return mask_id_number(value)
    return value


_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    """``text`` with every ID number in it masked (unless ID numbers are being shown).

    >>> redact("household 11010519491231002X: no members")
    'household 110105********002X: no members'
    """
    if _SHOW.get():
        return text
    return _IN_TEXT.sub(lambda m: mask_if_id_number(m.group(0)), text)


def redact_data(data: Any) -> Any:
    """A JSON-compatible value with :func:`redact` applied to every text in it (keys
    included); numbers and the structure are left as they are."""
    if _SHOW.get():
        return data
    return _redacted(data)


def _redacted(data: Any) -> Any:
    # A text shorter than an ID number (18 characters) holds none: left without a search.
    if isinstance(data, str):
        return data if len(data) < 18 else redact(data)
    if isinstance(data, dict):
        return {_redacted(k): _redacted(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_redacted(v) for v in data]
    return data


def mask_ids(values: Any) -> Any:
    """An Arrow string array (or chunked array) with every value that
    :func:`looks_like_id_number` masked, vectorised (unless ID numbers are being
    shown). Other values, and nulls, are left as they are."""
    if _SHOW.get():
        return values
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    if (pc.max(pc.binary_length(values)).as_py() or 0) < 18:
        return values  # nothing long enough to be an ID number (18 characters)
    shaped = pc.fill_null(pc.match_substring_regex(values, r"^\s*[0-9]{17}[0-9Xx]\s*$"), False)
    if not pc.any(shaped).as_py():
        return values
    where = np.flatnonzero(np.asarray(shaped.to_numpy(zero_copy_only=False), np.bool_))
    texts = pc.utf8_upper(pc.utf8_trim_whitespace(pc.take(values, pa.array(where))))
    raw = np.array(texts.to_pylist(), dtype="S18").view(np.uint8).reshape(-1, 18)
    digits = raw.astype(np.int64) - ord("0")
    total = (digits[:, :17] * np.array(_WEIGHTS, np.int64)).sum(axis=1) % 11
    expected = np.frombuffer(_CHECK.encode(), np.uint8)[total]
    valid = expected == raw[:, 17]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)
    month_days = lengths[np.clip(month, 0, 12)] + ((month == 2) & leap)
    dated = (
        (year >= 1900) & (year <= dt.date.today().year) & (month >= 1) & (month <= 12)
        & (day >= 1) & (day <= month_days)
    )  # fmt: skip
    hide = np.zeros(len(values), np.bool_)
    hide[where[valid | dated]] = True
    if not hide.any():
        return values
    trimmed = pc.utf8_trim_whitespace(values)
    masked = pc.utf8_replace_slice(trimmed, start=6, stop=14, replacement="*" * 8)
    return pc.if_else(pa.array(hide), masked, values)
