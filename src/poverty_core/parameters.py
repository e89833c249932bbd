"""Sources, citations and dated parameters of a pack.

A :class:`Parameter` is a named list of :class:`ParameterValue` — each with a start
date, an optional end date, a value and a :class:`Citation`. :meth:`Parameter.value_on`
answers for one date and never reuses a value outside its range: a date no value
covers has no value (``None``), which rules turn into an *unknown* finding.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from importlib.resources.abc import Traversable
from typing import Any, Literal

import attrs

from poverty_core._text import Text
from poverty_core.packfiles import (
    NAME,
    SOURCE_ID,
    FileProblems,
    ParameterFile,
    PeriodTable,
    SourceFile,
    TextTable,
    list_toml,
    raise_problems,
    read_file,
    structure_table,
)

__all__ = [
    "UNITS",
    "Citation",
    "Parameter",
    "ParameterValue",
    "Period",
    "Source",
    "cite",
    "format_period",
    "format_value",
    "load_parameters",
    "load_sources",
    "period_lines",
    "period_of",
    "period_setter",
    "value_problem",
]

Confidence = Literal["high", "medium", "low"]
ParameterType = Literal["number", "integer", "boolean", "text", "text_list"]

UNITS: frozenset[str] = frozenset(
    {
        "yuan", "yuan/person/year", "yuan/person/school_year", "yuan/year", "ratio", "people",
        "households", "count",
        "years", "days", "days/year", "minutes", "metres", "litres/person/day", "per_year",
        "per_quarter", "per_month", "working_days/month", "none",
    }
)  # fmt: skip
"""The units a parameter may declare."""

_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@attrs.frozen
class Period:
    """The dates a rule governs: from ``start`` to ``end``, both inclusive.

    A rule takes the period of the source it cites first (``governs`` in the pack's
    ``sources.toml``) unless it states its own; a child pack (``periods.toml``) or a
    caller (:meth:`poverty_core.packs.Pack.with_periods`) may set it, with a citation.
    ``origin`` says who set it: ``source:<id>``, a pack's name, or ``caller``.

    >>> import datetime as dt
    >>> p = Period(dt.date(2018, 10, 24), dt.date(2020, 12, 31))
    >>> p.covers(dt.date(2016, 12, 31)), p.covers(dt.date(2020, 12, 31))
    (False, True)
    >>> p.format("en")
    '2018-10-24 – 2020-12-31'
    """

    start: dt.date
    end: dt.date | None = None
    """Inclusive; ``None``: open-ended (the sources name no end)."""
    citation: Citation | None = None
    """Where the period comes from, when it is not the rule's own first source."""
    note: Text | None = None
    origin: str = ""

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def covers(self, on: dt.date) -> bool:
        """True when ``on`` falls in the period."""
        return self.start <= on and (self.end is None or on <= self.end)

    def format(self, language: Literal["zh", "en"] = "en") -> str:
        """``2018-10-24 – 2020-12-31``, or ``2019-01-01 起`` / ``from 2019-01-01``."""
        if self.end is None:
            return f"{self.start} 起" if language == "zh" else f"from {self.start}"
        return f"{self.start} – {self.end}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "origin": self.origin,
            "citation": self.citation.to_dict() if self.citation else None,
            "note": self.note.to_dict() if self.note else None,
        }


@attrs.frozen
class Source:
    """A publication a pack cites."""

    id: str
    """Short id used by citations (``zbf-2016-16``)."""
    title: Text
    issuer: Text | None = None
    published: str | None = None
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: as precise as known, no more."""
    confidence: Confidence = "high"
    """How sure the pack is of its reading of the source."""
    note: Text | None = None
    pack: str = ""
    """The pack that declares the source."""
    governs: Period | None = None
    """The dates its rules govern (``governs`` in ``sources.toml``): the default period
    of every rule that cites it first."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "id": self.id,
            "governs": self.governs.to_dict() if self.governs else None,
            "title": self.title.to_dict(),
            "issuer": self.issuer.to_dict() if self.issuer else None,
            "published": self.published,
            "confidence": self.confidence,
            "note": self.note.to_dict() if self.note else None,
            "pack": self.pack,
        }


@attrs.frozen
class Citation:
    """A reference to a source and the place in it (``locator``: section, table, item).

    >>> Citation("zbf-2016-16", "二(一)")
    Citation(source='zbf-2016-16', locator='二(一)', note=None, resolved=None)
    """

    source: str
    locator: str = ""
    note: Text | None = None
    resolved: Source | None = attrs.field(default=None, eq=False)
    """The :class:`Source`, filled in when the pack is assembled."""

    def format(self, language: Literal["zh", "en"] = "zh") -> str:
        """The source's title and the locator, in one language."""
        title = self.resolved.title[language] if self.resolved else self.source
        return f"{title} {self.locator}".strip()

    def __str__(self) -> str:
        return self.format("zh")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        out: dict[str, Any] = {"source": self.source, "locator": self.locator}
        if self.resolved is not None:
            out["title"] = self.resolved.title.to_dict()
            out["confidence"] = self.resolved.confidence
        if self.note is not None:
            out["note"] = self.note.to_dict()
        return out


def cite(source: str, locator: str = "", note: Text | None = None) -> Citation:
    """Shorthand for :class:`Citation` used in pack rule modules."""
    return Citation(source, locator, note)


@attrs.frozen
class ParameterValue:
    """One dated, cited value of a parameter."""

    start: dt.date
    end: dt.date | None
    """Inclusive; ``None``: until the next value's start (or open-ended)."""
    value: Any
    citation: Citation
    note: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "citation": self.citation.to_dict(),
            "note": self.note.to_dict() if self.note else None,
        }


@attrs.frozen
class Parameter:
    """A named, dated, cited parameter (a threshold, amount, count or list)."""

    name: str
    title: Text
    unit: str
    type: ParameterType
    values: tuple[ParameterValue, ...]
    description: Text | None = None
    interpretation: bool = False
    """True when the value is the pack's reading of a stated goal, not a stated test."""
    pack: str = ""
    """The pack that defines (or last overrode) this parameter."""
    overrides: str | None = None
    """The ancestor pack whose parameter of the same name this one replaces."""
    file: str = attrs.field(default="", eq=False)
    """The data file the parameter was read from (for messages)."""

    def covering(self) -> Iterator[tuple[dt.date, dt.date | None, ParameterValue]]:
        """Each value with the inclusive date range it actually covers."""
        for i, v in enumerate(self.values):
            end = v.end
            if end is None and i + 1 < len(self.values):
                end = self.values[i + 1].start - dt.timedelta(days=1)
            yield v.start, end, v

    def value_on(self, on: dt.date) -> ParameterValue | None:
        """The value in force on ``on``, or ``None`` when no value covers that date."""
        for start, end, v in self.covering():
            if start <= on and (end is None or on <= end):
                return v
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "name": self.name,
            "title": self.title.to_dict(),
            "description": self.description.to_dict() if self.description else None,
            "unit": self.unit,
            "type": self.type,
            "interpretation": self.interpretation,
            "pack": self.pack,
            "overrides": self.overrides,
            "values": [v.to_dict() for v in self.values],
        }


def format_value(value: Any, unit: str) -> str:
    """A value as a person reads it (``0.02`` in ``ratio`` → ``2%``)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是/yes" if value else "否/no"
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.4g}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


# -- loading ---------------------------------------------------------------------


def period_setter(origin: str, language: Literal["zh", "en"] = "en") -> str:
    """Who set a period, from its ``origin``: ``来源 zbf-2016-16`` /
    ``source zbf-2016-16``, ``调用方设定`` / ``set by the caller``, ``由 fujian 设定`` /
    ``set by fujian``; empty when nobody is named.

    >>> period_setter("source:zbf-2016-16", "zh"), period_setter("caller")
    ('来源 zbf-2016-16', 'set by the caller')
    """
    zh = language == "zh"
    if origin.startswith("source:"):
        return ("来源 " if zh else "source ") + origin.split(":", 1)[1]
    if origin == "caller":
        return "调用方设定" if zh else "set by the caller"
    if origin:
        return f"由 {origin} 设定" if zh else f"set by {origin}"
    return ""


def format_period(
    period: Period | None, language: Literal["zh", "en"] = "en", *, setter: bool = False
) -> str:
    """A period as a reader sees it (:meth:`poverty_core.Period.format`); ``None`` —
    no period, the rule always governs — is 始终 / always. With ``setter``, who set it follows in
    brackets (:func:`period_setter`).

    >>> import datetime as dt
    >>> p = Period(dt.date(2019, 1, 1), origin="caller")
    >>> format_period(p, "zh", setter=True), format_period(None, "en")
    ('2019-01-01 起（调用方设定）', 'always')
    """
    if period is None:
        return "始终" if language == "zh" else "always"
    text = period.format(language)
    who = period_setter(period.origin, language) if setter else ""
    if not who:
        return text
    return f"{text}（{who}）" if language == "zh" else f"{text} ({who})"


def period_lines(versions: Iterable[Any], language: Literal["zh", "en"] = "en") -> list[str]:
    """The periods of a rule's versions, newest first (as
    ``poverty_core.rules.versions_of`` lists them), each with who set it: the rule's
    own, then each inherited version it overrides, governing outside it — ``其外：national
    …`` / ``outside it: national …``. One text for every place that shows a rule's period
    (the pack pages, the command line, a finding)."""
    out = []
    for i, version in enumerate(versions):
        text = format_period(version.in_force, language, setter=True)
        if i:
            text = (
                f"其外：{version.pack} " if language == "zh" else f"outside it: {version.pack} "
            ) + text
        out.append(text)
    return out


def _problems(pack: str, problems: list[FileProblems] | None) -> list[FileProblems]:
    return [] if problems is None else problems


def load_sources(
    pack: str, resource: Traversable, problems: list[FileProblems] | None = None
) -> dict[str, Source]:
    """Read ``sources.toml`` (an absent file means no sources). Problems go into
    ``problems`` when given, else raise at once (all of them)."""
    own = problems is None
    found_all = _problems(pack, problems)
    if not resource.is_file():
        return {}
    found = FileProblems("sources.toml")
    found_all.append(found)
    try:
        data = tomllib.loads(resource.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        found.add("", f"无法读取：{exc}", f"cannot read: {exc}")
        data = {}
    out: dict[str, Source] = {}
    for sid, table in data.items():
        if not SOURCE_ID.match(sid):
            found.add(
                sid,
                "来源编号只能含小写字母、数字与 -",
                "source id: lower-case letters, digits and -",
            )
        if not isinstance(table, dict):
            found.add(sid, "应为表", "expected a table")
            continue
        f = structure_table(table, SourceFile, found, sid)
        if f is None:
            continue
        if f.published is not None and not _PUBLISHED.match(f.published):
            found.add(
                f"{sid}.published",
                '应为 "YYYY"、"YYYY-MM" 或 "YYYY-MM-DD"',
                'expected "YYYY", "YYYY-MM" or "YYYY-MM-DD"',
            )
        governs = None
        if f.governs is not None:
            g = f.governs
            if g.end is not None and g.end < g.start:
                found.add(f"{sid}.governs", "end 早于 start", "end is before start")
            else:
                governs = Period(
                    g.start, g.end, None, g.note.text() if g.note else None, f"source:{sid}"
                )
        out[sid] = Source(
            id=sid,
            title=f.title.text(),
            issuer=f.issuer.text() if f.issuer else None,
            published=f.published,
            confidence=f.confidence,
            note=f.note.text() if f.note else None,
            pack=pack,
            governs=governs,
        )
    if own:
        raise_problems(pack, found_all)
    return out


def period_of(table: PeriodTable, origin: str, found: FileProblems, where: str) -> Period | None:
    """A :class:`Period` from a ``{start, end, source, locator, note}`` table (``None``,
    with a problem, when it ends before it starts or cites a malformed source id)."""
    if table.end is not None and table.end < table.start:
        found.add(where, "end 早于 start", "end is before start")
        return None
    return Period(
        table.start,
        table.end,
        citation_of(table.source, table.locator, None, found, where),
        table.note.text() if table.note else None,
        origin,
    )


def citation_of(
    source: str, locator: str, note: TextTable | None, found: FileProblems, where: str
) -> Citation:
    """A :class:`Citation`; a malformed source id is a problem of the file."""
    if not SOURCE_ID.match(source):
        found.add(
            f"{where}.source" if where else "source",
            f"{source!r} 不是来源编号",
            f"{source!r} is not a source id (lower-case letters, digits and -)",
        )
    return Citation(source, locator, note.text() if note else None)


_TYPE_CHECK: dict[str, Any] = {
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "text": lambda v: isinstance(v, str),
    "text_list": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
}


def value_problem(unit: str, ptype: str, value: Any) -> Text | None:
    """Why a parameter value is impossible for its unit, or ``None``: a number that is
    NaN or infinite, a negative number (no unit in :data:`UNITS` has a meaningful
    negative value: amounts, counts, durations, ratios), or a ``ratio`` above 1 (a
    share: 3% is 0.03). Checked when a pack loads and when a caller overrides a value.

    >>> value_problem("ratio", "number", 3.0).en
    'a ratio is between 0 and 1 (3% is 0.03), not 3.0'
    >>> value_problem("yuan/person/year", "number", 2952.0) is None
    True
    """
    if ptype not in ("number", "integer") or isinstance(value, bool):
        return None
    if not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return Text(f"须为有限数值，不能是 {value}", f"must be a finite number, not {value}")
    if value < 0:
        return Text(f"单位 {unit} 的取值不能为负（{value}）", f"{unit} cannot be negative: {value}")
    if unit == "ratio" and value > 1:
        return Text(
            f"比例须在 0 与 1 之间（3% 写作 0.03），不能是 {value}",
            f"a ratio is between 0 and 1 (3% is 0.03), not {value}",
        )
    return None


def load_parameter(
    pack: str, resource: Traversable, path: str, problems: list[FileProblems] | None = None
) -> tuple[Parameter, bool] | None:
    """Read one parameter file; returns the parameter and its ``override`` flag (``None``
    when the file has problems: they go into ``problems``, or raise when it is not given)."""
    own = problems is None
    found_all = _problems(pack, problems)
    f, found = read_file(resource, path, ParameterFile, found_all)
    name = resource.name.removesuffix(".toml")
    if not NAME.match(name):
        found.add(
            "",
            f"参数名 {name!r} 应为小写 snake_case",
            f"parameter name {name!r} must be lower-case snake_case",
        )
    if f is None:
        if own:
            raise_problems(pack, found_all)
        return None
    if f.unit not in UNITS:
        found.add(
            "unit",
            f"未知单位 {f.unit!r}",
            f"unknown unit {f.unit!r}; known: {', '.join(sorted(UNITS))}",
        )
    if not f.values and f.description is None:
        found.add(
            "values",
            "没有取值的参数须在 description 中说明缺口",
            "a parameter without values must explain the gap in its description",
        )
    values: list[ParameterValue] = []
    for i, v in enumerate(f.values):
        where = f"values[{i}]"
        if v.end is not None and v.end < v.start:
            found.add(where, "end 早于 start", "end is before start")
        value = v.value
        if not _TYPE_CHECK[f.type](value):
            found.add(
                f"{where}.value",
                f"取值 {value!r} 不是 {f.type}",
                f"value {value!r} is not of type {f.type}",
            )
            continue
        problem = value_problem(f.unit, f.type, value)
        if problem is not None:
            found.add(f"{where}.value", problem.zh, problem.en)
        if f.type == "number":
            value = float(value)
        elif f.type == "text_list":
            value = tuple(value)
        values.append(
            ParameterValue(
                v.start,
                v.end,
                value,
                citation_of(v.source, v.locator, None, found, where),
                v.note.text() if v.note else None,
            )
        )
    for prev, cur in itertools.pairwise(values):
        if cur.start <= prev.start:
            found.add(
                "values",
                "取值须按 start 升序且不重复",
                "values must be in increasing order of start",
            )
        if prev.end is not None and prev.end >= cur.start:
            found.add(
                "values",
                f"{prev.start}–{prev.end} 与 {cur.start} 起的取值重叠",
                f"value {prev.start}–{prev.end} overlaps the one starting {cur.start}",
            )
    if own:
        raise_problems(pack, found_all)
    if found.problems:
        return None
    parameter = Parameter(
        name=name,
        title=f.title.text(),
        description=f.description.text() if f.description else None,
        unit=f.unit,
        type=f.type,
        interpretation=f.interpretation,
        values=tuple(values),
        pack=pack,
        file=path,
    )
    return parameter, f.override


def load_parameters(
    pack: str, folder: Traversable, problems: list[FileProblems] | None = None
) -> list[tuple[Parameter, bool]]:
    """Read every ``parameters/*.toml`` file of a pack (every problem of every file)."""
    own = problems is None
    found_all = _problems(pack, problems)
    loaded = [load_parameter(pack, r, f"parameters/{r.name}", found_all) for r in list_toml(folder)]
    if own:
        raise_problems(pack, found_all)
    return [p for p in loaded if p is not None]


def citations_of(parameters: Sequence[Parameter]) -> Iterator[tuple[str, Citation]]:
    """Every citation of every value, with the parameter name."""
    for p in parameters:
        for v in p.values:
            yield p.name, v.citation
