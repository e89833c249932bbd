"""Field checks, each declared once.

A :class:`Check` is one check of a field's value: its name, the bilingual messages it
gives, the function that checks one value, an optional form that checks a whole Arrow
column at once, its bounds and the JSON Schema fragment it implies. Everything that
checks a field takes the declaration from here:

* the model's validators (:mod:`poverty_core.model`: a field's ``check`` metadata) and
  the strict JSON converter call the one-value form;
* a pack's ``fields.toml`` names a check of :data:`poverty_core.vocabulary.CHECKS`, or
  gives bounds that become a :func:`bounded` check;
* the JSON Schema (:func:`poverty_core.convert.json_schema`) takes :meth:`Check.json_schema`;
* the register readers (:mod:`poverty_core.registers.checks`) run the column form over
  each column and the one-value form on the rows it finds, for the message.

So a check can no longer lose its column form or its schema by being renamed. A test
keeps the two forms equal on passing and failing values, bounds included (a bound is
allowed: ``0–150`` accepts 0 and 150).

The column forms are written with Arrow kernels and numpy because they run over 10⁷
rows; the ID number's check character and date of birth are computed over the column's
bytes (the one-value form is python-stdnum's, through :mod:`poverty_core.privacy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core.privacy import id_number_problem

__all__ = [
    "AGE",
    "BIRTH_DATE",
    "DECLARED",
    "EARLIEST_EVENT",
    "EVENT_DATE",
    "EVENT_DATES",
    "ID_NUMBER",
    "MEMBERS",
    "NON_EMPTY_ID",
    "NON_NEGATIVE",
    "OTHER_CAUSES",
    "PROCEDURE_DATES",
    "RATIO",
    "YEAR",
    "Check",
    "bounded",
    "event_date_problem",
]

Rows = npt.NDArray[np.bool_]
ColumnCheck = Callable[[pa.Array], Rows]
"""A check over a whole column: the rows whose value fails (a null never fails)."""


@attrs.frozen(eq=False)
class Check:
    """One check of a field's value, declared once (see the module's text).

    Calling it checks one value: the message when the value fails, ``None`` when it
    passes or is unknown (``None``)."""

    name: str
    """The check's name (``age``, ``event_date`` …): the name a pack's ``fields.toml``
    gives in ``check = "…"`` for the checks :data:`poverty_core.vocabulary.CHECKS` lists."""
    scalar: Callable[[Any], Text | None] = attrs.field(repr=False)
    """The check of one value (the model's validators and the converter call it)."""
    messages: tuple[Text, ...] = attrs.field(repr=False)
    """Every message the check gives, as templates (``{value}`` … filled in)."""
    column: ColumnCheck | None = attrs.field(default=None, repr=False)
    """The same check over a whole Arrow column, when there is one: the rows that fail.
    Without it a reader checks each distinct value with :attr:`scalar`."""
    minimum: float | None = None
    """The least value allowed (the bound itself is allowed)."""
    maximum: float | None = None
    """The greatest value allowed (the bound itself is allowed)."""
    schema: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    """JSON Schema constraints besides the bounds (``minLength``, ``maxItems`` …)."""
    item: Check | None = None
    """For a list or mapping field: the check each item or entry gets (the reader checks
    a flattened ``procedures.<procedure>.<step>`` column with it)."""
    field_type: str | None = None
    """The ``fields.toml`` type a pack may name this check for (``None``: the core
    model's only)."""
    in_registers: bool = True
    """``False`` for a check a register reader does as part of reading (ids present, a
    household with members), so that it is not run again on the column."""

    def __call__(self, value: Any) -> Text | None:
        return self.scalar(value)

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema constraints of the check: its bounds and :attr:`schema`."""
        out: dict[str, Any] = {}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        out.update(self.schema)
        return out

    def failing(self, arr: pa.Array) -> Rows:
        """The rows of ``arr`` whose value fails, with the column form (else value by
        value, each distinct value once)."""
        if self.column is not None:
            return self.column(arr)
        values = arr.to_pylist()
        verdicts: dict[Any, bool] = {}
        out = np.zeros(len(values), np.bool_)
        for i, value in enumerate(values):
            if value is None:
                continue
            key = tuple(value) if isinstance(value, list) else value
            if key not in verdicts:
                verdicts[key] = self.scalar(key) is not None
            out[i] = verdicts[key]
        return out


def _fill(message: Text, **values: Any) -> Text:
    return Text(message.zh.format(**values), message.en.format(**values))


def _mask(arr: Any) -> Rows:
    """A boolean Arrow array (nulls false) as numpy."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


# -- bounds ----------------------------------------------------------------------------


def bounded(
    name: str,
    minimum: float | None,
    maximum: float | None,
    below: Text,
    above: Text | None = None,
    *,
    field_type: str | None = None,
) -> Check:
    """A check that a number lies within ``minimum``–``maximum`` (either may be
    ``None``; a bound itself is allowed): ``below`` is the message of a value under the
    least, ``above`` of one over the greatest (``below`` for both when not given).
    Messages may use ``{value}``. A number that is not a number (NaN) fails."""
    over = below if above is None else above

    def scalar(value: Any) -> Text | None:
        if value is None:
            return None
        if minimum is not None and not value >= minimum:
            return _fill(below, value=value)
        if maximum is not None and not value <= maximum:
            return _fill(over, value=value)
        if value != value:  # NaN, with no bound to fail
            return _fill(below, value=value)
        return None

    def column(arr: pa.Array) -> Rows:
        known = _mask(arr.is_valid())
        inside = known.copy()
        if minimum is not None:
            inside &= _mask(pc.greater_equal(arr, minimum))
        if maximum is not None:
            inside &= _mask(pc.less_equal(arr, maximum))
        if minimum is None and maximum is None and pa.types.is_floating(arr.type):
            inside &= ~_mask(pc.is_nan(arr))
        return known & ~inside

    messages = (below,) if above is None else (below, above)
    return Check(
        name,
        scalar,
        messages,
        column,
        minimum=minimum,
        maximum=maximum,
        field_type=field_type,
    )


NON_NEGATIVE = bounded(
    "non_negative", 0, None, Text("必须 ≥ 0（实为 {value}）", "must be ≥ 0 (got {value})")
)
"""Amounts, counts and distances: 0 or more."""

AGE = bounded(
    "age",
    0,
    150,
    Text("年龄必须在 0–150 之间（实为 {value}）", "age must be 0–150 (got {value})"),
)
"""An age in years, 0–150."""

RATIO = bounded(
    "ratio",
    0,
    1,
    Text(
        "比率必须在 0–1 之间（实为 {value}；2% 写作 0.02）",
        "ratio must be 0–1 (got {value}; write 2% as 0.02)",
    ),
    field_type="number",
)
"""A share between 0 and 1 (2% written 0.02)."""

YEAR = bounded(
    "year",
    2000,
    2100,
    Text("年份必须在 2000–2100 之间（实为 {value}）", "year must be 2000–2100 (got {value})"),
)
"""A year of the register's time, 2000–2100."""


# -- dates -----------------------------------------------------------------------------

EARLIEST_EVENT = dt.date(2010, 1, 1)
"""Register events (identification, exits, visits, procedure steps) before this date are
errors: the register and its rules start in the 2010s."""

_BEFORE_REGISTER = Text(
    "日期 {value} 早于 {earliest}（登记工作开始前）",
    "date {value} is before {earliest}, when the register begins",
)
_IN_FUTURE = Text(
    "日期 {value} 在未来（今天是 {today}）", "date {value} is in the future (today is {today})"
)


def event_date_problem(value: dt.date) -> Text | None:
    """The problem of a register event's date (before :data:`EARLIEST_EVENT`, or after
    today), else ``None``."""
    today = dt.date.today()
    if value < EARLIEST_EVENT:
        return _fill(_BEFORE_REGISTER, value=value, earliest=EARLIEST_EVENT)
    if value > today:
        return _fill(_IN_FUTURE, value=value, today=today)
    return None


def _event_date(value: Any) -> Text | None:
    return None if not isinstance(value, dt.date) else event_date_problem(value)


def _event_date_column(arr: pa.Array) -> Rows:
    early = pc.less(arr, pa.scalar(EARLIEST_EVENT, arr.type))
    late = pc.greater(arr, pa.scalar(dt.date.today(), arr.type))
    return _mask(early) | _mask(late)


EVENT_DATE = Check(
    "event_date",
    _event_date,
    (_BEFORE_REGISTER, _IN_FUTURE),
    _event_date_column,
    field_type="date",
)
"""A register event's date: not before :data:`EARLIEST_EVENT` nor in the future."""

_NTH_ITEM = Text("第 {n} 个{problem}", "item {i}: {problem}")


def _event_dates(value: Any) -> Text | None:
    for i, item in enumerate(value or ()):
        problem = _event_date(item)
        if problem is not None:
            return Text(
                _NTH_ITEM.zh.format(n=i + 1, problem=problem.zh),
                _NTH_ITEM.en.format(i=i, problem=problem.en),
            )
    return None


def _each_item(item: ColumnCheck) -> ColumnCheck:
    """A list column fails where one of its items fails ``item``."""

    def column(arr: pa.Array) -> Rows:
        items = pc.list_flatten(arr)
        parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
        out = np.zeros(len(arr), np.bool_)
        out[parents[item(items)]] = True
        return out

    return column


EVENT_DATES = Check(
    "event_dates",
    _event_dates,
    (_NTH_ITEM, *EVENT_DATE.messages),
    _each_item(_event_date_column),
    item=EVENT_DATE,
    field_type="date_list",
)
"""A list of register event dates, each an :data:`EVENT_DATE`."""

_STEP = Text("{procedure}.{step}：{problem}", "{procedure}.{step}: {problem}")


def _procedure_dates(value: Any) -> Text | None:
    for procedure, steps in (value or {}).items():
        for step, when in steps.items():
            problem = _event_date(when)
            if problem is not None:
                return Text(
                    _STEP.zh.format(procedure=procedure, step=step, problem=problem.zh),
                    _STEP.en.format(procedure=procedure, step=step, problem=problem.en),
                )
    return None


PROCEDURE_DATES = Check(
    "procedure_dates",
    _procedure_dates,
    (_STEP, *EVENT_DATE.messages),
    item=EVENT_DATE,
)
"""The dates of a record's procedure steps (``procedure → step → date``), each an
:data:`EVENT_DATE`; a register has a column per step, checked with the item check."""

_BORN_IN_FUTURE = Text("出生日期 {value} 在未来", "birth date {value} is in the future")
_BORN_LONG_AGO = Text(
    "出生日期 {value} 早于 150 年前", "birth date {value} is more than 150 years ago"
)


def _birth_date(value: Any) -> Text | None:
    if not isinstance(value, dt.date):
        return None
    today = dt.date.today()
    if value > today:
        return _fill(_BORN_IN_FUTURE, value=value)
    if today.year - value.year > 150:
        return _fill(_BORN_LONG_AGO, value=value)
    return None


def _birth_date_column(arr: pa.Array) -> Rows:
    today = dt.date.today()
    future = _mask(pc.greater(arr, pa.scalar(today, arr.type)))
    old = _mask(pc.greater(pc.subtract(today.year, pc.year(arr)), 150))
    return future | old


BIRTH_DATE = Check(
    "birth_date",
    _birth_date,
    (_BORN_IN_FUTURE, _BORN_LONG_AGO),
    _birth_date_column,
)
"""A date of birth: not in the future, nor more than 150 years ago."""


# -- ids -------------------------------------------------------------------------------

_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ID_SHAPE = r"^[0-9]{17}[0-9Xx]$"
_ID_MESSAGES = (
    Text(
        "身份证号 {shown} 应为 18 位（17 位数字加 1 位校验码）",
        "ID number {shown} must be 18 characters (17 digits and a check character)",
    ),
    Text("身份证号 {shown} 校验码不符", "ID number {shown} has a wrong check character"),
)
"""The messages of :func:`poverty_core.privacy.id_number_problem` (the number masked)."""


def _id_number(value: Any) -> Text | None:
    if value is None or not isinstance(value, str):
        return None
    problem = id_number_problem(value)
    return None if problem is None else Text(*problem)


def _bad_id_numbers(arr: pa.Array) -> Rows:
    """Rows whose ID number is not 17 digits and a right check character, or whose date
    of birth is not a real date. The text is taken as a reader gives it (trimmed, ASCII
    digits); the one-value check also trims surrounding spaces itself."""
    known = _mask(arr.is_valid())
    shaped = _mask(pc.match_substring_regex(arr, _ID_SHAPE)) & known
    out = known & ~shaped
    rows = np.flatnonzero(shaped)
    if len(rows):
        chosen = pc.take(arr, pa.array(rows))  # a fresh array: offset 0, 18 bytes each
        offsets = np.frombuffer(chosen.buffers()[1], dtype=np.int32)[: len(chosen) + 1]
        data = np.frombuffer(chosen.buffers()[2], dtype=np.uint8)
        grid = data[offsets[:-1, None] + np.arange(18)]
        total = (grid[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
        last = np.where(grid[:, 17] == ord("x"), ord("X"), grid[:, 17])
        out[rows[_ID_CHECK[total % 11] != last]] = True
        out[rows[~_id_birth_ok(grid)]] = True
    return out


def _id_birth_ok(grid: npt.NDArray[np.uint8]) -> Rows:
    """Rows (18 ASCII digits each) whose date of birth (characters 7–14) is a real date:
    the test of python-stdnum's ``stdnum.cn.ric.get_birth_date``, which the one-value
    check uses (see :func:`poverty_core.privacy.valid_id_number`), over the column."""
    digits = grid[:, :14].astype(np.int64) - 48
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    ok: Rows = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (year >= 1)
    return ok


ID_NUMBER = Check(
    "id_number",
    _id_number,
    _ID_MESSAGES,
    _bad_id_numbers,
    schema={"pattern": _ID_SHAPE},
)
"""A resident ID number (GB 11643-1999): 17 digits, a right check character, a real
date of birth."""

_NO_ID = Text("编号不能为空", "id must be a non-empty string")


def _non_empty_id(value: Any) -> Text | None:
    if not isinstance(value, str) or not value.strip():
        return _NO_ID
    return None


NON_EMPTY_ID = Check(
    "non_empty_id",
    _non_empty_id,
    (_NO_ID,),
    schema={"minLength": 1},
    in_registers=False,  # a register reader reports a blank id as a missing one
)
"""A record's id: a text that is not blank."""


# -- lists -----------------------------------------------------------------------------

_NO_MEMBERS = Text("一户至少有一名成员", "a household has at least one member")


def _members(value: Any) -> Text | None:
    if value is not None and len(value) == 0:
        return _NO_MEMBERS
    return None


MEMBERS = Check(
    "members",
    _members,
    (_NO_MEMBERS,),
    schema={"minItems": 1},
    in_registers=False,  # a register reader links members to households itself
)
"""A household's members: at least one."""

_TOO_MANY_CAUSES = Text("其他致贫原因最多两项", "at most two other poverty causes")
_CAUSES_REPEAT = Text("其他致贫原因重复", "other poverty causes repeat")


def _other_causes(value: Any) -> Text | None:
    if value is not None:
        if len(value) > 2:
            return _TOO_MANY_CAUSES
        if len(set(value)) != len(value):
            return _CAUSES_REPEAT
    return None


def _other_causes_column(arr: pa.Array) -> Rows:
    lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(), np.int64)
    two = lengths == 2
    same = np.zeros(len(arr), np.bool_)
    if two.any():
        pairs = arr.filter(pa.array(two))
        same[np.flatnonzero(two)] = _mask(
            pc.equal(pc.list_element(pairs, 0), pc.list_element(pairs, 1))
        )
    return (lengths > 2) | same


OTHER_CAUSES = Check(
    "other_causes",
    _other_causes,
    (_TOO_MANY_CAUSES, _CAUSES_REPEAT),
    _other_causes_column,
    schema={"maxItems": 2, "uniqueItems": True},
)
"""A household's other poverty causes: at most two, none repeated."""


DECLARED: dict[str, Check] = {
    c.name: c
    for c in (
        NON_NEGATIVE,
        AGE,
        RATIO,
        YEAR,
        EVENT_DATE,
        EVENT_DATES,
        PROCEDURE_DATES,
        BIRTH_DATE,
        ID_NUMBER,
        NON_EMPTY_ID,
        MEMBERS,
        OTHER_CAUSES,
    )
}
"""Every check of the core model, by name."""
