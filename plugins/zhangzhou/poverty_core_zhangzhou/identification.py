"""Identification by 一核查二比对三清退 (one verification, two comparisons, three removals).

Zhangzhou identified its poor in early 2016 "严格按照'一核查二比对三清退'的要求": verify
the register, compare it with other data, remove those who do not qualify, "not one
household missed, not one wrongly included" (一户不漏，一户不错). Pinghe county's data
comparison "发现有疑问696户" (found 696 doubtful households), which work teams then
identified on site.

:func:`check` does the comparison step (二比对). The caller supplies its reference
data: for each data set a code and the ID numbers (or member ids) found in it — as a
collection, or as a mapping from each entry to the reason the data give (e.g. "财政供养
人员"). It gets back the households to flag, each with the reasons in Chinese and
English:

* ``remove`` (清退): a member matches a data set that the exclusion list names as a
  ground for removal; the reason is the one the caller's data give;
* ``verify`` (核查): a member matches any other data set (a doubt for the work teams to
  check on site, with the data's reason), or has no ID number and could not be compared.

**No source names grounds for removal.** Seed 004 gives the method only; the exclusion
list (the parameter ``identification_exclusion_registries``) is therefore a declared
gap with no value. A caller supplies it for a comparison (``overrides=…``, recorded as
the caller's) or a child pack ships it with a citation; until then no household is
flagged for removal, and every match is flagged for checking. The one list of
comparison data in the project's sources is Fujian's, in force from 2018-10-24 (its
2018 three-year opinions, part 5, item 4: 户籍、教育、健康、就业、社会保险、住房、银行、
农村低保、残疾人): the taxonomy ``identification_registries`` — data to compare with, not
grounds for removal. Other codes (the caller's own data) are accepted too. A flag is a
doubtful household to verify on site, never a removal by itself.

>>> import datetime as dt
>>> from poverty_core import Household
>>> from poverty_core_zhangzhou import identification
>>> def household(hid, number):
...     return Household.from_dict({"id": hid, "members": [{"id": "1", "id_number": number}]})
>>> households = [household("h1", "35062319800101007X"), household("h2", "350623198001010029")]
>>> reference = {"social_insurance": {"35062319800101007x": "城镇职工养老保险在缴"}}
>>> report = identification.check(households, reference, as_of=dt.date(2016, 3, 1))
>>> [(f.household_id, f.action) for f in report]
[('h1', 'verify')]
>>> report.exclusions is None  # the gap: no grounds for removal were supplied
True
>>> report = identification.check(
...     households,
...     reference,
...     as_of=dt.date(2016, 3, 1),
...     overrides={"identification_exclusion_registries": ["social_insurance"]},
... )
>>> [(f.household_id, f.action) for f in report]
[('h1', 'remove')]
>>> reason = report.flags[0].reasons[0]
>>> reason.registry, reason.matched_on, reason.data_reason.zh
('social_insurance', 'id_number', '城镇职工养老保险在缴')
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
    ParameterUse,
    Problem,
    T,
    Text,
    load_pack,
)

__all__ = [
    "EXCLUSION_PARAMETER",
    "REGISTRY_TAXONOMY",
    "Flag",
    "IdentificationReport",
    "Reason",
    "check",
]

EXCLUSION_PARAMETER = "identification_exclusion_registries"
"""The pack parameter listing the reference data whose matches are grounds for removal
(a declared gap: no value unless a caller or a child pack supplies one)."""

REGISTRY_TAXONOMY = "identification_registries"
"""The pack taxonomy of the comparison data named by Fujian's 2018 opinions (part 5,
item 4); other codes are accepted too."""

GAP = T(
    "据以清退的比对数据未提供（参数 identification_exclusion_registries 为缺口：来源没有"
    "列出清退情形）：匹配的户只标为需核查",
    "no grounds for removal supplied (the parameter identification_exclusion_registries is "
    "a gap: no source lists them): matching households are flagged for checking only",
)
"""What a report says when the exclusion list is the gap."""

Action = Literal["remove", "verify"]
MatchedOn = Literal["id_number", "member_id"]
Reference = Mapping[str, Iterable[str] | Mapping[str, str | Text | None]]


@attrs.frozen
class Reason:
    """One reason to flag a household: a member found in a data set (``registry``), with
    the reason the data give (``data_reason``, if any), or a member who could not be
    compared (``registry`` is then ``None``)."""

    member_id: str
    registry: str | None
    matched_on: MatchedOn | None
    text: Text
    data_reason: Text | None = None
    """The reason the caller's data give for the entry, as given."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form (no ID number: the member is named by its id)."""
        return {
            "member_id": self.member_id,
            "registry": self.registry,
            "matched_on": self.matched_on,
            "data_reason": self.data_reason.to_dict() if self.data_reason else None,
            "text": self.text.to_dict(),
        }


@attrs.frozen
class Flag:
    """A doubtful household: ``remove`` (清退) when a member matches data that are
    grounds for removal, ``verify`` (核查) otherwise; with every reason."""

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
    """The reference data the caller supplied (all are compared)."""
    exclusions: ParameterUse | None
    """The grounds for removal used (``identification_exclusion_registries``, with its
    origin), or ``None``: the gap, no grounds supplied, nobody flagged for removal."""
    not_supplied: tuple[str, ...]
    """Data named as grounds for removal for which the caller gave no data."""
    as_of: dt.date

    def __iter__(self) -> Iterator[Flag]:
        return iter(self.flags)

    def __len__(self) -> int:
        return len(self.flags)

    @property
    def to_remove(self) -> tuple[Flag, ...]:
        """Households with a member in data that are grounds for removal (清退 after
        verification)."""
        return tuple(f for f in self.flags if f.action == "remove")

    @property
    def to_verify(self) -> tuple[Flag, ...]:
        """Households to check on site (核查)."""
        return tuple(f for f in self.flags if f.action == "verify")

    def explain(self, language: Language = "en") -> str:
        """A readable account of the run and every flag."""
        sep = "、" if language == "zh" else ", "
        none = "—"
        if self.exclusions is None:
            grounds = GAP[language]
        else:
            by = self.exclusions.pack
            listed = sep.join(self.exclusions.value) or none
            grounds = (
                f"据以清退的比对数据（{by} 提供）：{listed}"
                if language == "zh"
                else f"grounds for removal (supplied by {by}): {listed}"
            )
        if language == "zh":
            head = [
                f"比对 {self.households} 户，疑问户 {len(self.flags)} 户"
                f"（建议清退 {len(self.to_remove)}，需核查 {len(self.to_verify)}）",
                f"已比对：{sep.join(self.compared) or none}",
                grounds,
            ]
            if self.not_supplied:
                head.append(f"清退依据中未提供数据（未比对）：{sep.join(self.not_supplied)}")
        else:
            head = [
                f"compared {self.households} households; {len(self.flags)} doubtful "
                f"({len(self.to_remove)} flagged for removal, {len(self.to_verify)} to verify)",
                f"compared with: {sep.join(self.compared) or none}",
                grounds,
            ]
            if self.not_supplied:
                head.append(
                    f"grounds with no data supplied (not compared): {sep.join(self.not_supplied)}"
                )
        return "\n".join(head + [f.explain(language) for f in self.flags])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form."""
        return {
            "as_of": self.as_of.isoformat(),
            "households": self.households,
            "compared": list(self.compared),
            "exclusions": self.exclusions.to_dict() if self.exclusions else None,
            "exclusions_gap": GAP.to_dict() if self.exclusions is None else None,
            "not_supplied": list(self.not_supplied),
            "flags": [f.to_dict() for f in self.flags],
        }


def _id_number(value: str) -> str:
    # ID numbers compare without spaces and with an upper-case check character (X).
    return "".join(value.split()).upper()


def _exclusions(
    pack: Pack, as_of: dt.date, overrides: Mapping[str, Any] | None
) -> ParameterUse | None:
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
        return None  # the declared gap
    return ParameterUse(
        EXCLUSION_PARAMETER,
        tuple(value.value),
        parameter.pack,
        value.start,
        value.end,
        value.citation,
        parameter.unit,
    )


def _problem(code: str, zh: str, en: str) -> InputError:
    return InputError([Problem(f"reference.{code}", T(zh, en))], what="reference")


def _entries(code: str, entries: Any) -> dict[str, Text | None]:
    """A data set's entries (stripped) → the reason the data give (or ``None``)."""
    if not code.strip():
        raise _problem(code, "比对数据的代码不能为空", "a reference data code cannot be empty")
    if isinstance(entries, str | bytes):
        raise _problem(
            code,
            "应为身份证号或成员编号的集合（或编号→理由的映射），而不是一个字符串",
            "expected a collection of ID numbers or member ids (or a mapping of them to "
            "reasons), not a string",
        )
    out: dict[str, Text | None] = {}
    if isinstance(entries, Mapping):
        for entry, reason in entries.items():
            if not isinstance(entry, str) or not isinstance(reason, str | Text | type(None)):
                raise _problem(
                    code,
                    "映射应为编号（字符串）→理由（字符串或双语文本）",
                    "a mapping must map ids (strings) to reasons (strings or bilingual texts)",
                )
            if entry.strip():
                text = T(reason, reason) if isinstance(reason, str) else reason
                out[entry.strip()] = text
        return out
    for entry in entries:
        if not isinstance(entry, str):
            raise _problem(code, "编号应为字符串", "ids must be strings")
        if entry.strip():
            out[entry.strip()] = None
    return out


def check(
    households: Iterable[Household],
    reference: Reference,
    *,
    as_of: dt.date,
    pack: Pack | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> IdentificationReport:
    """Compare households with the caller's reference data and flag the doubtful ones.

    :param households: the registered households (members with ``id_number`` where known).
    :param reference: data code (a code of the taxonomy ``identification_registries``,
        or the caller's own) → the ID numbers or member ids found in it, either as a
        collection or as a mapping of each to the reason the data give (a string, or a
        bilingual :class:`~poverty_core.Text`). An entry matches a member whose ID
        number equals it (ignoring spaces and the case of ``x``) or whose member id
        equals it. Member ids are matched as given: use them only where they are unique
        across the register (ids such as ``01`` would match in every household).
    :param as_of: the date of the comparison (selects the parameter's value, if any).
    :param pack: the pack to read the parameter and taxonomy from (default: zhangzhou).
    :param overrides: caller values for parameters, e.g.
        ``{"identification_exclusion_registries": ["public_payroll"]}``: the data whose
        matches are grounds for removal (the pack ships none: a declared gap).
    :raises InputError: a data set is given as a bare string, has an empty code, or
        holds something other than strings.
    """
    pack = pack if pack is not None else load_pack("zhangzhou")
    data = {code: _entries(code, entries) for code, entries in reference.items()}
    exclusions = _exclusions(pack, as_of, overrides)
    grounds = set(exclusions.value) if exclusions is not None else set()
    compared = tuple(data)
    by_number = {c: {_id_number(e): r for e, r in data[c].items()} for c in compared}
    by_member = data

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
                    matched, said = "id_number", by_number[code][number]
                elif person.id in by_member[code]:
                    matched, said = "member_id", by_member[code][person.id]
                if matched is None:
                    continue
                found = True
                text = _hit_text(person.id, code, matched, said, code in grounds, pack)
                hits.append(Reason(person.id, code, matched, text, said))
            if number is None and compared and not found:
                unchecked.append(
                    Reason(
                        person.id,
                        None,
                        None,
                        T(
                            f"成员 {person.id} 无身份证号，未能与比对数据比对",
                            f"member {person.id} has no ID number and could not be compared",
                        ),
                    )
                )
        if hits or unchecked:
            remove = any(r.registry in grounds for r in hits)
            flags.append(
                Flag(
                    household.id,
                    household.village_id,
                    household.county_id,
                    "remove" if remove else "verify",
                    tuple(hits + unchecked),
                )
            )
    return IdentificationReport(
        flags=tuple(flags),
        households=count,
        compared=compared,
        exclusions=exclusions,
        not_supplied=tuple(c for c in sorted(grounds) if c not in data),
        as_of=as_of,
    )


def _label(code: str, pack: Pack) -> Text:
    taxonomy = pack.taxonomies[REGISTRY_TAXONOMY]
    if code in taxonomy.codes():
        return taxonomy.label(code)
    return T(f"比对数据 {code}", f"reference data {code}")


def _hit_text(
    member_id: str,
    registry: str,
    matched: MatchedOn,
    said: Text | None,
    ground: bool,
    pack: Pack,
) -> Text:
    label = _label(registry, pack)
    on = {"id_number": T("身份证号", "the ID number"), "member_id": T("成员编号", "the member id")}[
        matched
    ]
    zh = f"成员 {member_id} 见于{label.zh}（按{on.zh}比对）"
    en = f"member {member_id} is in the {label.en} (matched on {on.en})"
    if said is not None:
        zh += f"：{said.zh}"
        en += f": {said.en}"
    if ground:
        zh += "（列为清退依据）"
        en += " (a ground for removal)"
    return T(zh, en)
