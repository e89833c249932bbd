"""Identification by 一核查二比对三清退 (one verification, two comparisons, three removals).

Zhangzhou identified its poor in early 2016 by verifying the register, comparing it
with other data, and removing those who did not qualify, "not one household missed,
not one wrongly included" (一户不漏，一户不错); Pinghe county's comparison alone found
696 doubtful households, which work teams then checked on site.

:func:`check` does the comparison step. The caller supplies whatever reference data it
has — sets of ID numbers (or member ids) found in a vehicle register, a register of
commercial houses, the public payroll (财政供养人员), the roll of village-committee
cadres, a business register — and gets back the households to flag, each with its
reasons in Chinese and English:

* ``remove`` (清退): a member is found in a registry that excludes a household;
* ``verify`` (核查): a member has no ID number and could not be compared.

Which registries exclude a household is the parameter
``identification_exclusion_registries``. **It is an interpretation**: the source gives
the working method, not the exclusion list; the pack ships the common local "four
do-not-lists" (四不列) — a non-productive vehicle or a commercial house in town; a
member on the public payroll; a village-committee cadre; a shop or transport business —
and a caller may override it. A flag is a doubtful household to verify on site, never a
removal by itself.

>>> import datetime as dt
>>> from poverty_core import Household
>>> from poverty_core_zhangzhou import identification
>>> def household(hid, number):
...     return Household.from_dict({"id": hid, "members": [{"id": "1", "id_number": number}]})
>>> households = [household("h1", "35062319800101007X"), household("h2", "350623198001010029")]
>>> report = identification.check(
...     households, {"public_payroll": {"35062319800101007x"}}, as_of=dt.date(2016, 3, 1)
... )
>>> [(f.household_id, f.action) for f in report]
[('h1', 'remove')]
>>> reason = report.flags[0].reasons[0]
>>> reason.registry, reason.matched_on
('public_payroll', 'id_number')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs

from poverty_core import (
    Household,
    InputError,
    Language,
    Pack,
    ParameterNotDefined,
    ParameterUse,
    Problem,
    T,
    Text,
    UnknownName,
    load_pack,
)

__all__ = [
    "CASES",
    "EXCLUSION_PARAMETER",
    "REGISTRY_TAXONOMY",
    "Flag",
    "IdentificationReport",
    "Reason",
    "check",
]

EXCLUSION_PARAMETER = "identification_exclusion_registries"
"""The pack parameter listing the registries that exclude a household (interpretation)."""

REGISTRY_TAXONOMY = "identification_registries"
"""The pack taxonomy of the reference registries a caller may supply."""

CASES: dict[str, Text] = {
    "vehicle": T(
        "“四不列”第一类：拥有非生产经营性车辆或在城镇购买商品房",
        "four do-not-lists case 1, a non-productive vehicle or a commercial house in town",
    ),
    "commercial_property": T(
        "“四不列”第一类：拥有非生产经营性车辆或在城镇购买商品房",
        "four do-not-lists case 1, a non-productive vehicle or a commercial house in town",
    ),
    "public_payroll": T(
        "“四不列”第二类：家庭成员为财政供养人员",
        "four do-not-lists case 2, a member on the public payroll",
    ),
    "village_cadre": T(
        "“四不列”第三类：家庭成员为村委会干部",
        "four do-not-lists case 3, a member who is a village-committee cadre",
    ),
    "business": T(
        "“四不列”第四类：经营商店或从事运输经营",
        "four do-not-lists case 4, a shop or transport business",
    ),
}
"""The 四不列 case (the pack's interpretation) each shipped registry stands for."""

Action = Literal["remove", "verify"]
MatchedOn = Literal["id_number", "member_id"]


@attrs.frozen
class Reason:
    """One reason to flag a household: a member found in a registry, or a member who
    could not be compared (``registry`` is then ``None``)."""

    member_id: str
    registry: str | None
    matched_on: MatchedOn | None
    text: Text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (no ID number: the member is named by its id)."""
        return {
            "member_id": self.member_id,
            "registry": self.registry,
            "matched_on": self.matched_on,
            "text": self.text.to_dict(),
        }


@attrs.frozen
class Flag:
    """A doubtful household: ``remove`` (清退) when a member is in an excluding registry,
    ``verify`` (核查) when a member could not be compared; with every reason."""

    household_id: str
    village_id: str | None
    county_id: str | None
    action: Action
    reasons: tuple[Reason, ...]

    def explain(self, language: Language = "en") -> str:
        """One line per reason, headed by the household and the action."""
        action = {
            "remove": T("建议清退", "flagged for removal"),
            "verify": T("需入户核查", "to verify on site"),
        }[self.action]
        lines = [f"{self.household_id}: {action[language]}"]
        lines += [f"  - {r.text[language]}" for r in self.reasons]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "household_id": self.household_id,
            "village_id": self.village_id,
            "county_id": self.county_id,
            "action": self.action,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@attrs.frozen
class IdentificationReport:
    """The result of a comparison: the flagged households (iterate over it) and what was
    and was not compared."""

    flags: tuple[Flag, ...]
    households: int
    """How many households were compared."""
    compared: tuple[str, ...]
    """Excluding registries the caller supplied: the ones compared."""
    not_supplied: tuple[str, ...]
    """Excluding registries the caller did not supply: nobody was compared with them."""
    ignored: tuple[str, ...]
    """Registries the caller supplied that do not exclude under the parameter."""
    exclusions: ParameterUse
    """The value of ``identification_exclusion_registries`` used, with its origin."""
    as_of: dt.date

    def __iter__(self) -> Iterator[Flag]:
        return iter(self.flags)

    def __len__(self) -> int:
        return len(self.flags)

    @property
    def to_remove(self) -> tuple[Flag, ...]:
        """Households with a member in an excluding registry (清退 after verification)."""
        return tuple(f for f in self.flags if f.action == "remove")

    @property
    def to_verify(self) -> tuple[Flag, ...]:
        """Households that could not be fully compared (核查)."""
        return tuple(f for f in self.flags if f.action == "verify")

    def explain(self, language: Language = "en") -> str:
        """A readable account of the run and every flag."""
        sep = "、" if language == "zh" else ", "
        none = "—"
        if language == "zh":
            head = [
                f"比对 {self.households} 户，疑问户 {len(self.flags)} 户"
                f"（建议清退 {len(self.to_remove)}，需核查 {len(self.to_verify)}）",
                f"已比对：{sep.join(self.compared) or none}",
                f"未提供（未比对）：{sep.join(self.not_supplied) or none}",
                "清退情形为本包的解释（“四不列”），可覆盖参数 " + EXCLUSION_PARAMETER,
            ]
        else:
            head = [
                f"compared {self.households} households; {len(self.flags)} doubtful "
                f"({len(self.to_remove)} flagged for removal, {len(self.to_verify)} to verify)",
                f"compared with: {sep.join(self.compared) or none}",
                f"not supplied (not compared): {sep.join(self.not_supplied) or none}",
                "the exclusion cases are the pack's interpretation ('four do-not-lists'); "
                f"override the parameter {EXCLUSION_PARAMETER}",
            ]
        return "\n".join(head + [f.explain(language) for f in self.flags])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "as_of": self.as_of.isoformat(),
            "households": self.households,
            "compared": list(self.compared),
            "not_supplied": list(self.not_supplied),
            "ignored": list(self.ignored),
            "exclusions": self.exclusions.to_dict(),
            "interpretation": True,
            "flags": [f.to_dict() for f in self.flags],
        }


def _id_number(value: str) -> str:
    # ID numbers compare without spaces and with an upper-case check character (X).
    return "".join(value.split()).upper()


def _exclusions(pack: Pack, as_of: dt.date, overrides: Mapping[str, Any] | None) -> ParameterUse:
    checked = pack.check_overrides(overrides or {})
    parameter = pack.parameter(EXCLUSION_PARAMETER)
    if EXCLUSION_PARAMETER in checked:
        return ParameterUse(
            EXCLUSION_PARAMETER,
            tuple(checked[EXCLUSION_PARAMETER]),
            "caller",
            None,
            None,
            None,
            parameter.unit,
            overridden=True,
        )
    value = parameter.value_on(as_of)
    if value is None:
        raise ParameterNotDefined(pack.name, EXCLUSION_PARAMETER, as_of)
    return ParameterUse(
        EXCLUSION_PARAMETER,
        tuple(value.value),
        parameter.pack,
        value.start,
        value.end,
        value.citation,
        parameter.unit,
    )


def check(
    households: Iterable[Household],
    reference: Mapping[str, Iterable[str]],
    *,
    as_of: dt.date,
    pack: Pack | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> IdentificationReport:
    """Compare households with reference registries and flag the doubtful ones.

    :param households: the registered households (members with ``id_number`` where known).
    :param reference: registry code (see the taxonomy ``identification_registries``) →
        the ID numbers or member ids found in it. An entry matches a member whose ID
        number equals it (ignoring spaces and the case of ``x``) or whose member id
        equals it; member ids match only if they are unique across the register.
    :param as_of: the date of the comparison (selects the parameter's value).
    :param pack: the pack to read the parameter and registries from (default: zhangzhou).
    :param overrides: caller values for parameters, e.g.
        ``{"identification_exclusion_registries": ["vehicle", "public_payroll"]}``.
    :raises UnknownName: a registry code in ``reference`` or in the parameter is unknown.
    :raises InputError: a registry is given as a bare string instead of a collection.
    :raises ParameterNotDefined: the parameter has no value on ``as_of`` (and none given).
    """
    pack = pack if pack is not None else load_pack("zhangzhou")
    taxonomy = pack.taxonomies[REGISTRY_TAXONOMY]
    known = taxonomy.codes()
    for code, entries in reference.items():
        if code not in known:
            raise UnknownName(T("比对登记库", "reference registry"), code, known)
        if isinstance(entries, str):
            raise InputError(
                [
                    Problem(
                        f"reference.{code}",
                        T(
                            "应为身份证号或成员编号的集合，而不是一个字符串",
                            "expected a collection of ID numbers or member ids, not a string",
                        ),
                    )
                ],
                what="reference",
            )
    exclusions = _exclusions(pack, as_of, overrides)
    for code in exclusions.value:
        if code not in known:
            raise UnknownName(T("比对登记库", "reference registry"), code, known)
    compared = tuple(c for c in exclusions.value if c in reference)
    by_number = {c: {_id_number(e) for e in reference[c] if e.strip()} for c in compared}
    by_member = {c: {e.strip() for e in reference[c] if e.strip()} for c in compared}

    flags: list[Flag] = []
    count = 0
    for household in households:
        count += 1
        hits: list[Reason] = []
        unchecked: list[Reason] = []
        for person in household.members:
            number = _id_number(person.id_number) if person.id_number else None
            found = False
            for code in compared:
                matched: MatchedOn | None = None
                if number is not None and number in by_number[code]:
                    matched = "id_number"
                elif person.id in by_member[code]:
                    matched = "member_id"
                if matched is None:
                    continue
                found = True
                hits.append(
                    Reason(person.id, code, matched, _hit_text(person.id, code, matched, pack))
                )
            if number is None and compared and not found:
                unchecked.append(
                    Reason(
                        person.id,
                        None,
                        None,
                        T(
                            f"成员 {person.id} 无身份证号，未能与登记库比对",
                            f"member {person.id} has no ID number and could not be compared",
                        ),
                    )
                )
        if hits or unchecked:
            flags.append(
                Flag(
                    household.id,
                    household.village_id,
                    household.county_id,
                    "remove" if hits else "verify",
                    tuple(hits + unchecked),
                )
            )
    return IdentificationReport(
        flags=tuple(flags),
        households=count,
        compared=compared,
        not_supplied=tuple(c for c in exclusions.value if c not in reference),
        ignored=tuple(c for c in reference if c not in exclusions.value),
        exclusions=exclusions,
        as_of=as_of,
    )


def _hit_text(member_id: str, registry: str, matched: MatchedOn, pack: Pack) -> Text:
    label = pack.taxonomies[REGISTRY_TAXONOMY].label(registry)
    on = {"id_number": T("身份证号", "the ID number"), "member_id": T("成员编号", "the member id")}[
        matched
    ]
    case = CASES.get(registry)
    zh = f"成员 {member_id} 见于{label.zh}（按{on.zh}比对）"
    en = f"member {member_id} is in the {label.en} (matched on {on.en})"
    if case is not None:
        zh += f"：{case.zh}"
        en += f": {case.en}"
    return T(zh, en)
