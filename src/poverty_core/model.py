"""The domain model: persons, households, villages and counties.

Every class is a frozen attrs class. A field left ``None`` is *unknown* — never a
default: a rule that needs it gives an *unknown* finding and names the field.
Build records from JSON-compatible dicts with :meth:`Household.from_dict` (and the
like), which report every bad field with its path; the plain constructors validate
too, for code that builds records directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self

import attrs

from poverty_core._text import Text
from poverty_core.codes import (
    HealthStatus,
    HouseGrade,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    LabourCapacity,
    Pathway,
    PovertyCause,
    Region,
    Relation,
    SchoolingStage,
    SchoolingStatus,
    StatusEventKind,
)
from poverty_core.privacy import id_number_problem

__all__ = [
    "County",
    "FieldValueError",
    "Household",
    "Person",
    "StatusEvent",
    "Village",
    "age_contradiction",
    "age_on",
    "duplicate_ids",
    "part_whole_problems",
]

Check = Callable[[Any], Text | None]


class FieldValueError(ValueError):
    """A field's value is out of range; carries a bilingual message (and a field name)."""

    def __init__(self, message: Text, field: str | None = None) -> None:
        super().__init__(message.en)
        self.text = message
        self.field = field


def _non_negative(value: Any) -> Text | None:
    if value is not None and value < 0:
        return Text(f"必须 ≥ 0（实为 {value}）", f"must be ≥ 0 (got {value})")
    return None


def _age(value: Any) -> Text | None:
    if value is not None and not 0 <= value <= 150:
        return Text(f"年龄必须在 0–150 之间（实为 {value}）", f"age must be 0–150 (got {value})")
    return None


def _ratio(value: Any) -> Text | None:
    if value is not None and not 0 <= value <= 1:
        return Text(
            f"比率必须在 0–1 之间（实为 {value}；2% 写作 0.02）",
            f"ratio must be 0–1 (got {value}; write 2% as 0.02)",
        )
    return None


EARLIEST_EVENT = dt.date(2010, 1, 1)
"""Register events (identification, exits, visits, procedure steps) before this date are
errors: the register and its rules start in the 2010s."""


def _event_date_problem(value: dt.date) -> Text | None:
    today = dt.date.today()
    if value < EARLIEST_EVENT:
        return Text(
            f"日期 {value} 早于 {EARLIEST_EVENT}（登记工作开始前）",
            f"date {value} is before {EARLIEST_EVENT}, when the register begins",
        )
    if value > today:
        return Text(
            f"日期 {value} 在未来（今天是 {today}）",
            f"date {value} is in the future (today is {today})",
        )
    return None


def _event_date(value: Any) -> Text | None:
    return None if not isinstance(value, dt.date) else _event_date_problem(value)


def _event_dates(value: Any) -> Text | None:
    for i, item in enumerate(value or ()):
        problem = _event_date(item)
        if problem is not None:
            return Text(f"第 {i + 1} 个{problem.zh}", f"item {i}: {problem.en}")
    return None


def _procedure_dates(value: Any) -> Text | None:
    for procedure, steps in (value or {}).items():
        for step, when in steps.items():
            problem = _event_date(when)
            if problem is not None:
                return Text(
                    f"{procedure}.{step}：{problem.zh}", f"{procedure}.{step}: {problem.en}"
                )
    return None


def _birth_date(value: Any) -> Text | None:
    if not isinstance(value, dt.date):
        return None
    today = dt.date.today()
    if value > today:
        return Text(f"出生日期 {value} 在未来", f"birth date {value} is in the future")
    if today.year - value.year > 150:
        return Text(
            f"出生日期 {value} 早于 150 年前", f"birth date {value} is more than 150 years ago"
        )
    return None


def _id_number(value: Any) -> Text | None:
    if value is None or not isinstance(value, str):
        return None
    problem = id_number_problem(value)
    return None if problem is None else Text(*problem)


def _year(value: Any) -> Text | None:
    if value is not None and not 2000 <= value <= 2100:
        return Text(
            f"年份必须在 2000–2100 之间（实为 {value}）", f"year must be 2000–2100 (got {value})"
        )
    return None


def _non_empty_id(value: Any) -> Text | None:
    if not isinstance(value, str) or not value.strip():
        return Text("编号不能为空", "id must be a non-empty string")
    return None


def _validator(check: Check) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        message = check(value)
        if message is not None:
            raise FieldValueError(message, attribute.name)

    validate.check = check  # type: ignore[attr-defined]  # read by the converter
    return validate


def _f(
    zh: str,
    en: str,
    *,
    check: Check | None = None,
    default: Any = None,
    factory: Callable[[], Any] | None = None,
    converter: Callable[[Any], Any] | None = None,
    personal: bool = False,
) -> Any:
    """A model field with its bilingual label (and optional range check)."""
    metadata = {"label": Text(zh, en), "personal": personal}
    if check is not None:
        metadata["check"] = check
    kwargs: dict[str, Any] = {"metadata": metadata}
    if check is not None:
        kwargs["validator"] = _validator(check)
    if converter is not None:
        kwargs["converter"] = converter
    if factory is not None:
        kwargs["factory"] = factory
    else:
        kwargs["default"] = default
    return attrs.field(**kwargs)


def _required_id(zh: str, en: str) -> Any:
    return attrs.field(
        validator=_validator(_non_empty_id),
        metadata={"label": Text(zh, en), "personal": False, "check": _non_empty_id},
    )


def _tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return None if value is None else tuple(value)


def _members(value: Iterable[Person]) -> tuple[Person, ...]:
    return tuple(value)


def _mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years between ``birth_date`` and ``on`` (the age on that date).

    >>> age_on(dt.date(2004, 3, 1), dt.date(2016, 2, 29))
    11
    """
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_contradiction(age: int, birth_date: dt.date, on: dt.date) -> int | None:
    """The age ``birth_date`` gives on ``on`` when the stated ``age`` differs from it by
    more than a year (the register's age and date of birth contradict), else ``None``.

    >>> age_contradiction(8, dt.date(1976, 5, 1), dt.date(2016, 12, 31))
    40
    >>> age_contradiction(39, dt.date(1976, 5, 1), dt.date(2016, 12, 31)) is None
    True
    """
    derived = age_on(birth_date, on)
    return derived if abs(derived - age) > 1 else None


class _Record:
    """Shared behaviour of the record classes (JSON in and out)."""

    KIND: ClassVar[str]
    PARTS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Counts that are part of another count of the record (``(part, whole)``): a part
    above its whole is a problem of the record (a pack's class adds its own)."""

    def __attrs_post_init__(self) -> None:
        _check_parts(self)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build a record from a JSON-compatible dict.

        Raises :class:`~poverty_core.errors.InputError` listing every bad field with
        its path.
        """
        return convert.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict that :meth:`from_dict` reads back unchanged."""
        result: dict[str, Any] = convert.unstructure(self)
        return result

    @classmethod
    def field_labels(cls) -> dict[str, Text]:
        """Each field's bilingual label."""
        return {a.name: a.metadata["label"] for a in attrs.fields(cls)}  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class Person(_Record):
    """A member of a household (家庭成员)."""

    KIND: ClassVar[str] = "person"

    id: str = _required_id("成员编号", "member id")
    name: str | None = _f("姓名", "name", personal=True)
    id_number: str | None = _f("身份证号", "ID number", personal=True, check=_id_number)
    relation: Relation | None = _f("与户主关系", "relation to the head")
    birth_date: dt.date | None = _f("出生日期", "date of birth", check=_birth_date)
    age: int | None = _f("年龄", "age", check=_age)
    disabled: bool | None = _f("是否残疾", "has a disability")
    health: HealthStatus | None = _f("健康状况", "health status")
    labour_capacity: LabourCapacity | None = _f("劳动能力", "labour capacity")
    schooling_stage: SchoolingStage | None = _f("在校阶段", "schooling stage")
    schooling_status: SchoolingStatus | None = _f("就学状况", "schooling status")
    basic_medical_insurance: bool | None = _f(
        "参加城乡居民基本医疗保险", "in basic medical insurance"
    )
    serious_illness_insurance: bool | None = _f("参加大病保险", "in serious-illness insurance")
    medical_assistance: bool | None = _f("纳入医疗救助", "covered by medical assistance")
    pension_insurance: bool | None = _f("参加城乡居民养老保险", "in the resident pension insurance")

    def age_on(self, on: dt.date) -> int | None:
        """Age on ``on``: from the birth date when known, else the stated age."""
        if self.birth_date is not None:
            return age_on(self.birth_date, on)
        return self.age


@attrs.frozen(kw_only=True)
class StatusEvent(_Record):
    """A dated event in a household's register history (identified, exited, returned …)."""

    KIND: ClassVar[str] = "status_event"

    kind: StatusEventKind = attrs.field(
        metadata={"label": Text("事件", "event"), "personal": False}
    )
    date: dt.date = attrs.field(
        validator=_validator(_event_date),
        metadata={"label": Text("日期", "date"), "personal": False, "check": _event_date},
    )


def duplicate_ids(ids: Sequence[Any]) -> list[tuple[int, Any, int]]:
    """``(index, id, index of its first use)`` for every repeated id (``None`` ids skipped)."""
    first: dict[Any, int] = {}
    out = []
    for i, value in enumerate(ids):
        if value is None:
            continue
        if value in first:
            out.append((i, value, first[value]))
        else:
            first[value] = i
    return out


def duplicate_member_message(member_id: Any, first: int) -> Text:
    """The message for a repeated member id."""
    return Text(
        f"成员编号 {member_id!r} 与 members[{first}] 重复",
        f"duplicate member id {member_id!r} (also members[{first}])",
    )


def _unique_member_ids(instance: Household, attribute: Any, members: tuple[Person, ...]) -> None:
    for i, member_id, first in duplicate_ids([m.id for m in members]):
        raise FieldValueError(duplicate_member_message(member_id, first), f"members[{i}].id")


def part_whole_problems(kind: type[Any], value: Callable[[str], Any]) -> list[tuple[str, Text]]:
    """Counts that exceed the whole they are part of (``poor_population`` above the
    rural population …), for a record kind with ``PARTS``."""
    out = []
    for part, whole in getattr(kind, "PARTS", ()):
        p, w = value(part), value(whole)
        if _is_number(p) and _is_number(w) and p > w:
            out.append(
                (
                    part,
                    Text(
                        f"{part}（{p}）大于 {whole}（{w}）", f"{part} ({p}) exceeds {whole} ({w})"
                    ),
                )
            )
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_parts(record: Any) -> None:
    for part, message in part_whole_problems(type(record), lambda name: getattr(record, name)):
        raise FieldValueError(message, part)


def _check_members(value: Any) -> Text | None:
    if value is not None and len(value) == 0:
        return Text("一户至少有一名成员", "a household has at least one member")
    return None


def _check_other_causes(value: Any) -> Text | None:
    if value is not None:
        if len(value) > 2:
            return Text("其他致贫原因最多两项", "at most two other poverty causes")
        if len(set(value)) != len(value):
            return Text("其他致贫原因重复", "other poverty causes repeat")
    return None


@attrs.frozen(kw_only=True)
class Household(_Record):
    """A registered poor household (建档立卡贫困户) and its members."""

    KIND: ClassVar[str] = "household"

    id: str = _required_id("户编号", "household id")
    village_id: str | None = _f("村编号", "village id")
    county_id: str | None = _f("县编号", "county id")
    members: tuple[Person, ...] = attrs.field(
        converter=_members,
        validator=[_validator(_check_members), _unique_member_ids],
        metadata={"label": Text("家庭成员", "members"), "personal": False, "check": _check_members},
    )
    annual_net_income_per_capita: float | None = _f(
        "年人均纯收入（元）", "annual net income per capita (yuan)", check=_non_negative
    )
    food_secure: bool | None = _f("不愁吃", "no worry about food")
    clothing_secure: bool | None = _f("不愁穿", "no worry about clothing")
    house_grade: HouseGrade | None = _f("住房安全等级", "house safety grade")
    without_house: bool | None = _f("无房户", "has no house")
    relocated: bool | None = _f("易地扶贫搬迁户", "relocated household")
    relocation_keys_received: bool | None = _f("搬迁户已拿到新房钥匙", "relocated: keys received")
    years_in_town: float | None = _f(
        "进城落户年限（年）", "years settled in a town", check=_non_negative
    )
    relocation_year: int | None = _f("搬迁年度", "year of relocation", check=_year)
    water_litres_per_person_day: float | None = _f(
        "人均日供水量（升）", "water supply (litres/person/day)", check=_non_negative
    )
    water_short_area: bool | None = _f("属缺水地区", "in a water-short area")
    water_trip_minutes: float | None = _f(
        "单次取水往返时间（分钟）", "water trip (minutes)", check=_non_negative
    )
    water_horizontal_distance: float | None = _f(
        "取水水平距离（米）", "water horizontal distance (m)", check=_non_negative
    )
    water_vertical_distance: float | None = _f(
        "取水垂直距离（米）", "water vertical distance (m)", check=_non_negative
    )
    water_days_without: float | None = _f(
        "年缺水天数", "days a year without water", check=_non_negative
    )
    water_quality_passed: bool | None = _f(
        "水质达标（检测报告合格或分散供水简易检测合格）",
        "water quality passed (a test report, or the simple on-site check for dispersed supply)",
    )
    attribute: HouseholdAttribute | None = _f("贫困户属性", "household attribute")
    identification_standard: IdentificationStandard | None = _f(
        "识别标准", "identification standard"
    )
    status: HouseholdStatus | None = _f("脱贫状态", "poverty status")
    main_cause: PovertyCause | None = _f("主要致贫原因", "main poverty cause")
    other_causes: tuple[PovertyCause, ...] | None = _f(
        "其他致贫原因", "other poverty causes", check=_check_other_causes, converter=_tuple
    )
    history: tuple[StatusEvent, ...] = _f("状态变动记录", "status history", factory=tuple)
    pathway: Pathway | None = _f("脱贫路径（五个一批）", "exit pathway (five pathways)")
    pairing_cadre: str | None = _f("挂钩帮扶干部", "pairing cadre", personal=True)
    responsible_unit: str | None = _f("帮扶责任单位", "responsible assisting unit")
    income_projects: tuple[str, ...] | None = _f(
        "增收脱贫项目", "income projects", converter=_tuple
    )
    planned_exit_year: int | None = _f("计划脱贫年度", "planned exit year", check=_year)
    electricity_connected: bool | None = _f("户通电", "the household has electricity")
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=_procedure_dates,
    )
    checklists: dict[str, dict[str, bool]] = _f(
        "核查清单", "checklists", factory=dict, converter=_mapping
    )

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.members)


@attrs.frozen(kw_only=True)
class Village(_Record):
    """An administrative village (建制村)."""

    KIND: ClassVar[str] = "village"

    id: str = _required_id("村编号", "village id")
    name: str | None = _f("村名", "name")
    county_id: str | None = _f("县编号", "county id")
    region: Region | None = _f("所在区域", "region")
    poor_village: bool | None = _f("建档立卡贫困村", "registered poor village")
    rural_registered_population: int | None = _f(
        "农村户籍人口", "rural registered population", check=_non_negative
    )
    poor_population: int | None = _f(
        "未脱贫建档立卡贫困人口", "registered poor population not yet exited", check=_non_negative
    )
    bus_conditions_allow: bool | None = _f("具备通客车条件", "conditions allow a bus service")
    industrial_power: bool | None = _f("通动力电", "industrial (three-phase) power")
    leading_industries: tuple[str, ...] | None = _f(
        "主导产业", "leading industries", converter=_tuple
    )
    responsible_unit: str | None = _f("帮扶责任单位", "responsible assisting unit")
    planned_exit_year: int | None = _f("计划退出年度", "planned exit year", check=_year)
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=_procedure_dates,
    )
    checklists: dict[str, dict[str, bool]] = _f(
        "核查清单", "checklists", factory=dict, converter=_mapping
    )

    PARTS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("poor_population", "rural_registered_population"),
    )

    @property
    def incidence(self) -> float | None:
        """Poverty incidence (贫困发生率), the poor population ÷ the rural registered population."""
        if self.poor_population is None or not self.rural_registered_population:
            return None
        return self.poor_population / self.rural_registered_population


@attrs.frozen(kw_only=True)
class County(_Record):
    """A county (县), with the figures of its exit evaluation."""

    KIND: ClassVar[str] = "county"

    id: str = _required_id("县编号", "county id")
    name: str | None = _f("县名", "name")
    region: Region | None = _f("所在区域", "region")
    key_county: bool | None = _f(
        "贫困县（国家扶贫开发工作重点县或集中连片特困地区县）",
        "poverty county (national key county or contiguous poor-area county)",
    )
    rural_registered_population: int | None = _f(
        "农村户籍人口", "rural registered population", check=_non_negative
    )
    poor_population: int | None = _f(
        "未脱贫建档立卡贫困人口", "registered poor population not yet exited", check=_non_negative
    )
    sampled_exited: int | None = _f(
        "抽查已脱贫人口数", "sampled exited people", check=_non_negative
    )
    sampled_wrongly_exited: int | None = _f(
        "抽查错退人口数", "sampled wrongly exited people", check=_non_negative
    )
    sampled_non_registered_population: int | None = _f(
        "抽查村非建档立卡农村人口",
        "non-registered rural population of sampled villages",
        check=_non_negative,
    )
    verified_omitted: int | None = _f(
        "核实漏评人口数", "verified omitted people", check=_non_negative
    )
    surveyed_households: int | None = _f(
        "群众认可度调查户数", "households surveyed for approval", check=_non_negative
    )
    approving_households: int | None = _f("认可户数", "approving households", check=_non_negative)
    composite_poverty_incidence: float | None = _f(
        "综合贫困发生率", "composite poverty incidence", check=_ratio
    )
    wrong_exit_rate: float | None = _f("错退率", "wrong-exit rate", check=_ratio)
    omission_rate: float | None = _f("漏评率", "omission rate", check=_ratio)
    public_approval: float | None = _f("群众认可度", "public approval", check=_ratio)
    planned_exit_year: int | None = _f("计划摘帽年度", "planned exit year", check=_year)
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=_procedure_dates,
    )

    PARTS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("sampled_wrongly_exited", "sampled_exited"),
        ("verified_omitted", "sampled_non_registered_population"),
        ("approving_households", "surveyed_households"),
        ("poor_population", "rural_registered_population"),
    )


# poverty_core.convert builds its structure hooks on the classes above when it is
# imported, and from_dict/to_dict call it: importing it after the classes lets either
# module be imported first (a module-level import, used by attribute at call time).
from poverty_core import convert  # noqa: E402
