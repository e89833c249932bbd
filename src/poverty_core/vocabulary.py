"""Input fields a pack declares (``data/fields.toml``) and the record classes that hold them.

A pack adds input fields to the records without a core release: each ``[[fields]]``
entry of its ``fields.toml`` names a field, its record (household, member, village,
county), its type (boolean, number, integer, text, date, or code with a taxonomy of
the pack or its ancestors as the code list), its bilingual title, the Chinese register
headers that name it, whether it is personal data, optional bounds, and the source
that asks for it. Children inherit their parent's fields.

Each pack gets its own record classes, built with :func:`attrs.make_class` as frozen
subclasses of the core classes, the declared fields carrying the same metadata as the
core model's fields (label, personal, check), so the converter, the JSON Schema, the
Arrow frame and the masking of personal fields treat them as core fields.
:meth:`~poverty_core.packs.Pack.record_type` gives them;
``Household.from_dict`` stays core-only.

A pack's fields are known to that pack and its children only: the register readers,
the alias map, the Arrow frame, the JSON Schema, the type check and the masking of
personal fields take them from the pack being applied (its :class:`Vocabulary`, from
:func:`of`), never from a table shared by the process, so two packs loaded in one
process never see each other's fields, and a read with no pack knows the core model
only. A declared header that already names a core column is a load error
(:func:`poverty_core.aliases.header_problems`).
"""

from __future__ import annotations

import builtins
import datetime as dt
import typing
from collections.abc import Iterable, Mapping
from typing import Any, cast

import attrs

from poverty_core._text import Text
from poverty_core.checks import DECLARED, Check, bounded
from poverty_core.codes import Code
from poverty_core.convert import register_code_list, register_record_class
from poverty_core.model import (
    County,
    Household,
    Person,
    Village,
    _members,
    _tuple,
    _validator,
)
from poverty_core.parameters import Citation

__all__ = [
    "CHECKS",
    "CORE",
    "ENTITY_SUBJECTS",
    "FIELD_TYPES",
    "SUBJECTS",
    "PackField",
    "Vocabulary",
    "code_class",
    "declared",
    "of",
    "record_classes",
]

SUBJECTS: dict[str, type[Any]] = {
    "household": Household,
    "member": Person,
    "village": Village,
    "county": County,
}
"""A field's ``subject`` in ``fields.toml`` → the core record class it extends."""

CHECKS: dict[str, tuple[str, Check]] = {
    c.name: (c.field_type, c) for c in DECLARED.values() if c.field_type is not None
}
"""A field's ``check`` in ``fields.toml`` → the field type it applies to and the core
model's check, as declared in :mod:`poverty_core.checks` (``event_date``: a register
event, not before 2010 nor in the future; ``event_dates``: each date of a list so;
``ratio``: a share between 0 and 1, 2% written 0.02)."""

FIELD_TYPES: dict[str, Any] = {
    "boolean": bool,
    "number": float,
    "integer": int,
    "text": str,
    "date": dt.date,
    "date_list": tuple[dt.date, ...],
    "text_list": tuple[str, ...],
}
"""A field's ``type`` in ``fields.toml`` → its Python type (``code`` takes a code list).
A list (``date_list``, ``text_list``) is a JSON array, a register cell of items
separated by ``;`` ``；`` ``、``, and to rules its length, as the core model's lists."""


@attrs.frozen
class PackField:
    """An input field a pack declares."""

    name: str
    subject: str
    type: str
    title: Text
    citation: Citation
    pack: str
    codes: str | None = None
    """For type ``code``: the taxonomy whose codes are the allowed values."""
    code_list: builtins.type[Code] | None = None
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    """Register headers (Chinese) that name the field, besides its title."""
    personal: bool = False
    minimum: float | None = None
    maximum: float | None = None
    description: Text | None = None
    check_name: str | None = None
    """A named check of the core model (:data:`CHECKS`), as ``check`` in ``fields.toml``."""
    part_of: str | None = None
    """A count that is part of another number field of the record (``poor_villages_exited``
    of ``poor_villages``): a value above the whole is a problem of the record."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible description (``describe``, the docs pages)."""
        return {
            "name": self.name,
            "subject": self.subject,
            "type": self.type,
            "codes": self.codes,
            "unit": self.unit,
            "title": self.title.to_dict(),
            "aliases": list(self.aliases),
            "personal": self.personal,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "check": self.check_name,
            "part_of": self.part_of,
            "pack": self.pack,
            "citation": self.citation.to_dict(),
        }

    def describe(self, language: str) -> str:
        """One line: name, record, type (code list, unit, bounds), title, headers."""
        kind = f"code:{self.codes}" if self.codes else self.type
        if self.unit:
            kind += f", {self.unit}"
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            kind += f", {low}–{high}"
        if self.personal:
            kind += ", 个人信息" if language == "zh" else ", personal"
        title = self.title.zh if language == "zh" else self.title.en
        heads = "、".join(self.aliases) if self.aliases else ""
        line = f"{self.name} [{self.subject}, {kind}] {title}"
        return f"{line} ({heads})" if heads else line

    def python_type(self) -> Any:
        """The field's Python type (a code field: its code list)."""
        if self.type == "code":
            assert self.code_list is not None
            return self.code_list
        return FIELD_TYPES[self.type]

    def check(self) -> Check | None:
        """The field's check: its named core check, else the range check of its bounds
        (a bound itself allowed; ``None`` without either)."""
        low, high = self.minimum, self.maximum
        if self.check_name is not None:
            return CHECKS[self.check_name][1]
        above = None
        if high is not None:
            above = Text(
                f"必须 ≤ {high:g}（实为 {{value}}）", f"must be ≤ {high:g} (got {{value}})"
            )
        if low is not None:
            below = Text(f"必须 ≥ {low:g}（实为 {{value}}）", f"must be ≥ {low:g} (got {{value}})")
            return bounded("bounds", low, high, below, above)
        return None if above is None else bounded("bounds", None, high, above)

    def attribute(self) -> Any:
        """The attrs field of a record class: optional (unknown is ``None``), with the
        model's metadata (label, personal, check, unit)."""
        metadata: dict[str, Any] = {
            "label": self.title,
            "personal": self.personal,
            "pack": self.pack,
            "pack_field": self,
        }
        if self.unit:
            metadata["unit"] = self.unit
        check = self.check()
        kwargs: dict[str, Any] = {"metadata": metadata, "default": None}
        if self.type.endswith("_list"):
            kwargs["converter"] = _tuple
        if check is not None:
            metadata["check"] = check
            kwargs["validator"] = _validator(check)
        return attrs.field(type=self.python_type() | None, **kwargs)


_CODE_LISTS: dict[tuple[str, str, tuple[tuple[str, str, str], ...]], type[Code]] = {}


def code_class(pack: str, taxonomy: str, items: Iterable[tuple[str, Text]]) -> type[Code]:
    """The code list (a :class:`~poverty_core.codes.Code` enum) of a pack's taxonomy,
    made once per pack, taxonomy and items; its ``list_name()`` is the taxonomy id."""
    entries = tuple((code, label.zh, label.en) for code, label in items)
    key = (pack, taxonomy, entries)
    found = _CODE_LISTS.get(key)
    if found is None:
        name = "".join(part.capitalize() for part in taxonomy.split("_"))
        members = [(code.upper(), (code, zh, en)) for code, zh, en in entries]
        made: type[Code] = cast(Any, Code)(name, members)
        made.__module__ = __name__
        register_code_list(made)
        found = _CODE_LISTS[key] = made
    return found


# -- the vocabulary in effect -------------------------------------------------------

ENTITY_SUBJECTS: dict[str, str] = {
    "households": "household",
    "members": "member",
    "villages": "village",
    "counties": "county",
}
"""A register table's kind (``households``, ``members`` …) → a field's ``subject``."""

_CORE_RECORDS: dict[str, type[Any]] = {
    "household": Household,
    "person": Person,
    "village": Village,
    "county": County,
}


@attrs.frozen(cache_hash=True)
class Vocabulary:
    """The input fields in effect for one read or one evaluation: the core model's, and
    those the pack being applied (with its ancestors) declares — never another pack's.

    Readers, alias maps and column specs are made per vocabulary (it is hashable: equal
    fields make equal vocabularies); :data:`CORE` is the core model's alone. Get a
    pack's with :func:`of`.
    """

    fields: tuple[PackField, ...] = ()
    pack: str | None = None
    """The pack applied (``None``: the core model only)."""
    records: Mapping[str, type[Any]] = attrs.field(
        factory=lambda: dict(_CORE_RECORDS), eq=False, hash=False, repr=False
    )
    """The pack's record classes by kind (``household``, ``person``, ``village``,
    ``county``)."""

    def on(self, entity: str) -> dict[str, PackField]:
        """The declared fields of a register table's kind (``households``, ``members``,
        ``villages``, ``counties``) or a record's subject (``household``, ``member`` …)."""
        subject = ENTITY_SUBJECTS.get(entity, "member" if entity == "person" else entity)
        return {f.name: f for f in self.fields if f.subject == subject}

    def record_type(self, entity: str) -> type[Any]:
        """The record class of a table's kind or a record's subject."""
        subject = ENTITY_SUBJECTS.get(entity, entity)
        return self.records["person" if subject == "member" else subject]


CORE = Vocabulary()
"""The core model's vocabulary (no pack applied)."""


def of(pack: Any) -> Vocabulary:
    """The vocabulary of ``pack`` (its declared fields and record classes; ``None``:
    :data:`CORE`)."""
    if pack is None:
        return CORE
    fields = tuple(getattr(pack, "fields", {}).values())
    if not fields:
        return CORE
    return Vocabulary(fields, pack.name, dict(pack.record_types))


def declared(cls: type[Any]) -> Mapping[str, PackField]:
    """The fields a pack's record class ``cls`` adds to its core class (the core classes
    and other classes: none)."""
    out: dict[str, PackField] = {}
    for a in attrs.fields(cls) if attrs.has(cls) else ():
        f = a.metadata.get("pack_field")
        if isinstance(f, PackField):
            out[a.name] = f
    return out


# -- record classes --------------------------------------------------------------------


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _in_place(core: type[Any], replaced: dict[str, Any]) -> dict[str, Any]:
    """The attributes ``replaced`` (a household's ``members`` of the pack's person class)
    and, copied, every core attribute after the first of them: a subclass's own
    attributes come after its base's, so this keeps the core order (fields, JSON keys,
    problems listed) with the pack's fields last."""
    if not replaced:
        return {}
    names = [a.name for a in attrs.fields(core)]
    first = min(names.index(n) for n in replaced)
    hints = typing.get_type_hints(core)
    out: dict[str, Any] = {}
    for a in attrs.fields(core)[first:]:
        out[a.name] = replaced.get(a.name) or attrs.field(
            default=a.default,
            validator=a.validator,
            converter=a.converter,
            metadata=dict(a.metadata),
            kw_only=a.kw_only,
            type=hints[a.name],
        )
    return out


def record_classes(pack: str, fields: Iterable[PackField]) -> dict[str, type[Any]]:
    """The record classes of a pack whose effective fields are ``fields``: per kind
    (``household``, ``person``, ``village``, ``county``), the core class itself when the
    pack adds nothing to it, else a frozen subclass with the added fields (a household
    class's ``members`` then holds the pack's person class)."""
    by_subject: dict[str, list[PackField]] = {}
    for f in fields:
        by_subject.setdefault(f.subject, []).append(f)

    def make(core: type[Any], subject: str, extra: dict[str, Any]) -> type[Any]:
        own = {f.name: f.attribute() for f in by_subject.get(subject, [])}
        parts = tuple((f.name, f.part_of) for f in by_subject.get(subject, []) if f.part_of)
        if not own and not extra:
            return core
        cls = attrs.make_class(
            f"{_camel(pack)}{core.__name__}",
            {**_in_place(core, extra), **own},
            bases=(core,),
            frozen=True,
            kw_only=True,
            slots=True,  # as the core classes (make_class's default is a dict class)
        )
        cls.__doc__ = f"{(core.__doc__ or '').strip().splitlines()[0]} (pack {pack})"
        if parts:  # checked on the record (model._check_parts) and on register columns
            cls.PARTS = (*core.PARTS, *parts)  # type: ignore[attr-defined]
        cls.__module__ = __name__
        register_record_class(cls)
        return cls

    person = make(Person, "member", {})
    members: dict[str, Any] = {}
    if person is not Person:
        core = attrs.fields_dict(Household)["members"]
        members["members"] = attrs.field(
            type=tuple[person, ...],  # type: ignore[valid-type]
            converter=_members,
            validator=core.validator,
            metadata=dict(core.metadata),
        )
    return {
        "household": make(Household, "household", members),
        "person": person,
        "village": make(Village, "village", {}),
        "county": make(County, "county", {}),
    }
