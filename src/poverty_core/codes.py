"""Coded values of the register, each with a Chinese and an English label.

A code list is an enum whose values are stable ASCII codes (used in JSON and in
columns); :attr:`Code.label` gives the bilingual label. Input may use either the
code or the Chinese label (``"illness"`` or ``"因病"``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from poverty_core._text import Text
from poverty_core.errors import UnknownName

__all__ = [
    "CODE_LISTS",
    "Code",
    "HealthStatus",
    "HouseGrade",
    "HouseholdAttribute",
    "HouseholdStatus",
    "IdentificationStandard",
    "LabourCapacity",
    "Pathway",
    "PovertyCause",
    "Region",
    "Relation",
    "SchoolingStage",
    "SchoolingStatus",
    "StatusEventKind",
    "code_list",
]


class Code(StrEnum):
    """Base class of code lists: ``Member("code", "中文", "English")``."""

    label: Text

    def __new__(cls, value: str, zh: str = "", en: str = "") -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = Text(zh or value, en or value)
        return obj

    @classmethod
    def parse(cls, raw: Any) -> Self:
        """The member whose code, Chinese label or English label is exactly ``raw``.

        >>> PovertyCause.parse("因病") is PovertyCause.ILLNESS
        True
        """
        if isinstance(raw, cls):
            return raw
        if isinstance(raw, str):
            found = _lookup(cls).get(raw.strip())
            if found is not None:
                return found  # type: ignore[no-any-return]
        codes = ", ".join(f"{m.value} ({m.label.zh})" for m in cls)
        raise ValueError(f"{raw!r} is not a code of {cls.list_name()}; expected one of: {codes}")

    @classmethod
    def list_name(cls) -> str:
        """The code list's name in data files (``poverty_cause`` for :class:`PovertyCause`)."""
        name = cls.__name__
        return "".join(
            "_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name)
        )


_LOOKUPS: dict[type[Code], dict[str, Any]] = {}


def _lookup(cls: type[Code]) -> dict[str, Any]:
    """Code, Chinese label and English label → member, built once per code list."""
    table = _LOOKUPS.get(cls)
    if table is None:
        table = {}
        for member in cls:
            for key in (member.label.en, member.label.zh, member.value):
                table[key] = member
        _LOOKUPS[cls] = table
    return table


class Region(Code):
    """Region of a county for national thresholds (东部/中部/西部)."""

    EAST = "east", "东部", "east"
    CENTRAL = "central", "中部", "central"
    WEST = "west", "西部", "west"


class HouseGrade(Code):
    """Safety grade of a rural house (《农村危房改造基本安全技术导则》): A, B safe; C, D not."""

    A = "A", "A级", "grade A"
    B = "B", "B级", "grade B"
    C = "C", "C级（局部危房）", "grade C (partly dangerous)"
    D = "D", "D级（整栋危房）", "grade D (dangerous)"


class HouseholdAttribute(Code):
    """Attribute of a registered poor household (贫困户属性)."""

    GENERAL = "general", "一般贫困户", "ordinary poor household"
    DIBAO = "dibao", "低保贫困户", "poor household on the minimum living allowance"
    TEKUN = "tekun", "特困供养贫困户", "poor household under destitute support"


class HouseholdStatus(Code):
    """Poverty status of a registered household (贫困户状态)."""

    NOT_EXITED = "not_exited", "未脱贫", "not exited"
    EXITED_SUPPORTED = "exited_supported", "已脱贫（享受政策）", "exited (still supported)"
    RETURNED = "returned", "返贫", "returned to poverty"
    EXITED = "exited", "已脱贫（不再享受政策）", "exited (support ended)"


class PovertyCause(Code):
    """Poverty cause (致贫原因) of the 2014 register form."""

    ILLNESS = "illness", "因病", "illness"
    DISABILITY = "disability", "因残", "disability"
    SCHOOLING = "schooling", "因学", "schooling costs"
    DISASTER = "disaster", "因灾", "disaster"
    LACK_OF_LAND = "lack_of_land", "缺土地", "lack of land"
    LACK_OF_WATER = "lack_of_water", "缺水", "lack of water"
    LACK_OF_SKILLS = "lack_of_skills", "缺技术", "lack of skills"
    LACK_OF_LABOUR = "lack_of_labour", "缺劳力", "lack of labour"
    LACK_OF_FUNDS = "lack_of_funds", "缺资金", "lack of funds"
    POOR_TRANSPORT = "poor_transport", "交通条件落后", "poor transport"
    LACK_OF_MOTIVATION = "lack_of_motivation", "自身发展动力不足", "lack of own drive"
    OTHER = "other", "其它", "other"


class IdentificationStandard(Code):
    """The poverty standard under which a household was identified (识别标准)."""

    NATIONAL = "national", "国家标准", "national standard"
    PROVINCIAL = "provincial", "省定标准", "provincial standard"
    MUNICIPAL = "municipal", "市定标准", "municipal standard"


class Pathway(Code):
    """The five pathways out of poverty (五个一批)."""

    PRODUCTION = "production", "发展生产脱贫一批", "developing production"
    RELOCATION = "relocation", "易地搬迁脱贫一批", "relocation"
    ECOLOGICAL = "ecological", "生态补偿脱贫一批", "ecological compensation"
    EDUCATION = "education", "发展教育脱贫一批", "education"
    SAFETY_NET = "safety_net", "社会保障兜底一批", "social-security safety net"


class Relation(Code):
    """A member's relation to the head of household (与户主关系)."""

    HEAD = "head", "户主", "head of household"
    SPOUSE = "spouse", "配偶", "spouse"
    CHILD = "child", "子女", "child"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿", "child-in-law"
    GRANDCHILD = "grandchild", "孙子女", "grandchild"
    PARENT = "parent", "父母", "parent"
    GRANDPARENT = "grandparent", "祖父母", "grandparent"
    SIBLING = "sibling", "兄弟姐妹", "sibling"
    OTHER = "other", "其他", "other"


class HealthStatus(Code):
    """Health status of a person (健康状况)."""

    HEALTHY = "healthy", "健康", "healthy"
    CHRONIC_ILLNESS = "chronic_illness", "长期慢性病", "chronic illness"
    SERIOUS_ILLNESS = "serious_illness", "患有大病", "serious illness"


class LabourCapacity(Code):
    """Labour capacity of a person (劳动能力)."""

    ORDINARY = "ordinary", "普通劳动力", "ordinary labour"
    SKILLED = "skilled", "技能劳动力", "skilled labour"
    LOST = "lost", "丧失劳动力", "lost labour capacity"
    NONE = "none", "无劳动力", "no labour capacity"


class SchoolingStage(Code):
    """The stage a student is in (在校阶段)."""

    PRESCHOOL = "preschool", "学前教育（在园）", "preschool"
    PRIMARY = "primary", "小学", "primary school"
    JUNIOR_SECONDARY = "junior_secondary", "初中", "junior secondary school"
    SENIOR_HIGH = "senior_high", "普通高中", "senior high school"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中等职业教育", "secondary vocational school"
    HIGHER_VOCATIONAL = "higher_vocational", "高等职业教育", "higher vocational college"
    JUNIOR_COLLEGE = "junior_college", "大专", "junior college"
    UNDERGRADUATE = "undergraduate", "本科", "undergraduate"
    POSTGRADUATE = "postgraduate", "研究生", "postgraduate"


class SchoolingStatus(Code):
    """Whether a person is in school (就学状况)."""

    IN_SCHOOL = "in_school", "在校（含送教上门）", "in school (incl. home teaching)"
    OUT_OF_SCHOOL = "out_of_school", "失学辍学", "out of school"
    DISABILITY_EXEMPT = "disability_exempt", "因残不能就学", "cannot study because of a disability"
    GRADUATED = "graduated", "已毕业", "graduated"
    NOT_OF_SCHOOL_AGE = "not_of_school_age", "非就学年龄", "not of school age"


class StatusEventKind(Code):
    """An event in a household's register history."""

    IDENTIFIED = "identified", "识别纳入", "identified"
    EXITED = "exited", "脱贫退出", "exited"
    RETURNED = "returned", "返贫", "returned to poverty"
    REMOVED = "removed", "清退", "removed as wrongly identified"


CODE_LISTS: dict[str, type[Code]] = {
    cls.list_name(): cls
    for cls in (
        Region,
        HouseGrade,
        HouseholdAttribute,
        HouseholdStatus,
        PovertyCause,
        IdentificationStandard,
        Pathway,
        Relation,
        HealthStatus,
        LabourCapacity,
        SchoolingStage,
        SchoolingStatus,
        StatusEventKind,
    )
}
"""Every code list of the model by its data-file name."""


def code_list(name: str) -> type[Code]:
    """The code list called ``name`` (e.g. ``"poverty_cause"``)."""
    try:
        return CODE_LISTS[name]
    except KeyError:
        raise UnknownName(Text("代码表", "code list"), name, list(CODE_LISTS)) from None
