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
from poverty_core.checks import (
    AGE,
    BIRTH_DATE,
    EVENT_DATE,
    ID_NUMBER,
    MEMBERS,
    NON_EMPTY_ID,
    NON_NEGATIVE,
    OTHER_CAUSES,
    PROCEDURE_DATES,
    RATIO,
    YEAR,
    Check,
)
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


class FieldValueError(ValueError):
    """A field's value is out of range; carries a bilingual message (and a field name)."""

    def __init__(self, message: Text, field: str | None = None) -> None:
        super().__init__(message.en)
        self.text = message
        self.field = field


@attrs.frozen
class _Validator:
    """The attrs validator of a field with a declared check; the converter's fast path
    reads :attr:`check` to leave the check to it."""

    check: Check

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        message = self.check(value)
        if message is not None:
            raise FieldValueError(message, attribute.name)


def _validator(check: Check) -> _Validator:
    return _Validator(check)


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
        validator=_validator(NON_EMPTY_ID),
        metadata={"label": Text(zh, en), "personal": False, "check": NON_EMPTY_ID},
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
    id_number: str | None = _f("身份证号", "ID number", personal=True, check=ID_NUMBER)
    relation: Relation | None = _f("与户主关系", "relation to the head")
    birth_date: dt.date | None = _f("出生日期", "date of birth", check=BIRTH_DATE)
    age: int | None = _f("年龄", "age", check=AGE)
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
        validator=_validator(EVENT_DATE),
        metadata={"label": Text("日期", "date"), "personal": False, "check": EVENT_DATE},
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


@attrs.frozen(kw_only=True)
class Household(_Record):
    """A registered poor household (建档立卡贫困户) and its members."""

    KIND: ClassVar[str] = "household"

    id: str = _required_id("户编号", "household id")
    village_id: str | None = _f("村编号", "village id")
    county_id: str | None = _f("县编号", "county id")
    members: tuple[Person, ...] = attrs.field(
        converter=_members,
        validator=[_validator(MEMBERS), _unique_member_ids],
        metadata={"label": Text("家庭成员", "members"), "personal": False, "check": MEMBERS},
    )
    annual_net_income_per_capita: float | None = _f(
        "年人均纯收入（元）", "annual net income per capita (yuan)", check=NON_NEGATIVE
    )
    food_secure: bool | None = _f("不愁吃", "no worry about food")
    clothing_secure: bool | None = _f("不愁穿", "no worry about clothing")
    house_grade: HouseGrade | None = _f("住房安全等级", "house safety grade")
    without_house: bool | None = _f("无房户", "has no house")
    relocated: bool | None = _f("易地扶贫搬迁户", "relocated household")
    relocation_keys_received: bool | None = _f("搬迁户已拿到新房钥匙", "relocated: keys received")
    years_in_town: float | None = _f(
        "进城落户年限（年）", "years settled in a town", check=NON_NEGATIVE
    )
    relocation_year: int | None = _f("搬迁年度", "year of relocation", check=YEAR)
    water_litres_per_person_day: float | None = _f(
        "人均日供水量（升）", "water supply (litres/person/day)", check=NON_NEGATIVE
    )
    water_short_area: bool | None = _f("属缺水地区", "in a water-short area")
    water_trip_minutes: float | None = _f(
        "单次取水往返时间（分钟）", "water trip (minutes)", check=NON_NEGATIVE
    )
    water_horizontal_distance: float | None = _f(
        "取水水平距离（米）", "water horizontal distance (m)", check=NON_NEGATIVE
    )
    water_vertical_distance: float | None = _f(
        "取水垂直距离（米）", "water vertical distance (m)", check=NON_NEGATIVE
    )
    water_days_without: float | None = _f(
        "年缺水天数", "days a year without water", check=NON_NEGATIVE
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
        "其他致贫原因", "other poverty causes", check=OTHER_CAUSES, converter=_tuple
    )
    history: tuple[StatusEvent, ...] = _f("状态变动记录", "status history", factory=tuple)
    pathway: Pathway | None = _f("脱贫路径（五个一批）", "exit pathway (five pathways)")
    pairing_cadre: str | None = _f("挂钩帮扶干部", "pairing cadre", personal=True)
    responsible_unit: str | None = _f("帮扶责任单位", "responsible assisting unit")
    income_projects: tuple[str, ...] | None = _f(
        "增收脱贫项目", "income projects", converter=_tuple
    )
    planned_exit_year: int | None = _f("计划脱贫年度", "planned exit year", check=YEAR)
    electricity_connected: bool | None = _f("户通电", "the household has electricity")
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=PROCEDURE_DATES,
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
        "农村户籍人口", "rural registered population", check=NON_NEGATIVE
    )
    poor_population: int | None = _f(
        "未脱贫建档立卡贫困人口", "registered poor population not yet exited", check=NON_NEGATIVE
    )
    bus_conditions_allow: bool | None = _f("具备通客车条件", "conditions allow a bus service")
    industrial_power: bool | None = _f("通动力电", "industrial (three-phase) power")
    leading_industries: tuple[str, ...] | None = _f(
        "主导产业", "leading industries", converter=_tuple
    )
    responsible_unit: str | None = _f("帮扶责任单位", "responsible assisting unit")
    planned_exit_year: int | None = _f("计划退出年度", "planned exit year", check=YEAR)
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=PROCEDURE_DATES,
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
        "农村户籍人口", "rural registered population", check=NON_NEGATIVE
    )
    poor_population: int | None = _f(
        "未脱贫建档立卡贫困人口", "registered poor population not yet exited", check=NON_NEGATIVE
    )
    sampled_exited: int | None = _f("抽查已脱贫人口数", "sampled exited people", check=NON_NEGATIVE)
    sampled_wrongly_exited: int | None = _f(
        "抽查错退人口数", "sampled wrongly exited people", check=NON_NEGATIVE
    )
    sampled_non_registered_population: int | None = _f(
        "抽查村非建档立卡农村人口",
        "non-registered rural population of sampled villages",
        check=NON_NEGATIVE,
    )
    verified_omitted: int | None = _f(
        "核实漏评人口数", "verified omitted people", check=NON_NEGATIVE
    )
    surveyed_households: int | None = _f(
        "群众认可度调查户数", "households surveyed for approval", check=NON_NEGATIVE
    )
    approving_households: int | None = _f("认可户数", "approving households", check=NON_NEGATIVE)
    composite_poverty_incidence: float | None = _f(
        "综合贫困发生率", "composite poverty incidence", check=RATIO
    )
    wrong_exit_rate: float | None = _f("错退率", "wrong-exit rate", check=RATIO)
    omission_rate: float | None = _f("漏评率", "omission rate", check=RATIO)
    public_approval: float | None = _f("群众认可度", "public approval", check=RATIO)
    planned_exit_year: int | None = _f("计划摘帽年度", "planned exit year", check=YEAR)
    procedures: dict[str, dict[str, dt.date]] = _f(
        "程序完成日期",
        "procedure step dates",
        factory=dict,
        converter=_mapping,
        check=PROCEDURE_DATES,
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
