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

The field *kinds* are also kept in one process-wide table per record kind
(:func:`declared`), read by the Arrow frame and the register readers, so that a batch
read from files knows a pack's columns without the pack being passed through every
call. A name is owned by the pack that declares it: another pack declaring the same
name cannot be loaded in the same process (a load error names both packs); a pack
loaded again replaces its own declarations.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import attrs

from poverty_core._text import Text
from poverty_core.codes import Code
from poverty_core.model import County, Household, Person, Village, _members, _validator
from poverty_core.parameters import Citation

__all__ = [
    "FIELD_TYPES",
    "SUBJECTS",
    "PackField",
    "code_class",
    "declare",
    "declared",
    "forget",
    "on_change",
    "record_classes",
]

SUBJECTS: dict[str, type[Any]] = {
    "household": Household,
    "member": Person,
    "village": Village,
    "county": County,
}
"""A field's ``subject`` in ``fields.toml`` → the core record class it extends."""

FIELD_TYPES: dict[str, Any] = {
    "boolean": bool,
    "number": float,
    "integer": int,
    "text": str,
    "date": dt.date,
}
"""A field's ``type`` in ``fields.toml`` → its Python type (``code`` takes a code list)."""


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
    code_list: builtins.type[Code] | None = attrs.field(default=None, eq=False)
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    """Register headers (Chinese) that name the field, besides its title."""
    personal: bool = False
    minimum: float | None = None
    maximum: float | None = None
    description: Text | None = None

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

    def check(self) -> Callable[[Any], Text | None] | None:
        """The range check of a field with bounds (``None`` without bounds)."""
        low, high = self.minimum, self.maximum
        if low is None and high is None:
            return None

        def _bounds(value: Any) -> Text | None:
            if value is None:
                return None
            if low is not None and value < low:
                return Text(f"必须 ≥ {low:g}（实为 {value}）", f"must be ≥ {low:g} (got {value})")
            if high is not None and value > high:
                return Text(f"必须 ≤ {high:g}（实为 {value}）", f"must be ≤ {high:g} (got {value})")
            return None

        schema: dict[str, Any] = {}
        if low is not None:
            schema["minimum"] = low
        if high is not None:
            schema["maximum"] = high
        _bounds.schema = schema  # type: ignore[attr-defined]  # read by convert.json_schema
        return _bounds

    def attribute(self) -> Any:
        """The attrs field of a record class: optional (unknown is ``None``), with the
        model's metadata (label, personal, check, unit)."""
        metadata: dict[str, Any] = {
            "label": self.title,
            "personal": self.personal,
            "pack": self.pack,
        }
        if self.unit:
            metadata["unit"] = self.unit
        check = self.check()
        kwargs: dict[str, Any] = {"metadata": metadata, "default": None}
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
        from poverty_core.convert import register_code_list

        register_code_list(made)
        found = _CODE_LISTS[key] = made
    return found


# -- the process-wide table ------------------------------------------------------------

_DECLARED: dict[type[Any], dict[str, PackField]] = {cls: {} for cls in SUBJECTS.values()}
_LISTENERS: list[Callable[[], None]] = []
version = 0
"""Bumped on every change of the table (caches built from it compare it)."""


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the declared fields change (to drop caches)."""
    _LISTENERS.append(listener)


def declared(cls: type[Any]) -> Mapping[str, PackField]:
    """The fields packs loaded in this process declare on ``cls`` or its core class."""
    for core in (Person, Household, Village, County):
        if isinstance(cls, type) and issubclass(cls, core):
            return _DECLARED[core]
    return {}


def declare(pack: str, fields: Iterable[PackField]) -> list[Text]:
    """Record the fields of ``pack`` (its own and inherited) in the process-wide table;
    returns the clashes with another pack's declaration (nothing is recorded then)."""
    fields = list(fields)
    problems: list[Text] = []
    for f in fields:
        taken = _DECLARED[SUBJECTS[f.subject]].get(f.name)
        if taken is not None and taken.pack != f.pack:
            problems.append(
                Text(
                    f"字段 {f.name!r} 已由包 {taken.pack} 声明（{pack} 的声明来自 {f.pack}）",
                    f"field {f.name!r} is already declared by pack {taken.pack} "
                    f"({pack}'s comes from {f.pack})",
                )
            )
    if problems:
        return problems
    global version
    changed = False
    for f in fields:
        table = _DECLARED[SUBJECTS[f.subject]]
        if table.get(f.name) != f or (
            f.code_list is not None and table[f.name].code_list is not f.code_list
        ):
            table[f.name] = f
            changed = True
    if changed:
        version += 1
        for listener in _LISTENERS:
            listener()
    return []


def forget(packs: Iterable[str]) -> None:
    """Drop the declarations of the fields ``packs`` declare (for tests and tools that
    load throw-away packs)."""
    names = set(packs)
    global version
    changed = False
    for table in _DECLARED.values():
        for name in [n for n, f in table.items() if f.pack in names]:
            del table[name]
            changed = True
    if changed:
        version += 1
        for listener in _LISTENERS:
            listener()


# -- record classes --------------------------------------------------------------------


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def record_classes(pack: str, fields: Iterable[PackField]) -> dict[str, type[Any]]:
    """The record classes of a pack whose effective fields are ``fields``: per kind
    (``household``, ``person``, ``village``, ``county``), the core class itself when the
    pack adds nothing to it, else a frozen subclass with the added fields (a household
    class's ``members`` then holds the pack's person class)."""
    by_subject: dict[str, list[PackField]] = {}
    for f in fields:
        by_subject.setdefault(f.subject, []).append(f)
    from poverty_core.convert import register_record_class

    def make(core: type[Any], subject: str, extra: dict[str, Any]) -> type[Any]:
        own = {f.name: f.attribute() for f in by_subject.get(subject, [])}
        if not own and not extra:
            return core
        cls = attrs.make_class(
            f"{_camel(pack)}{core.__name__}",
            {**own, **extra},
            bases=(core,),
            frozen=True,
            kw_only=True,
            slots=True,  # as the core classes (make_class's default is a dict class)
        )
        cls.__doc__ = f"{(core.__doc__ or '').strip().splitlines()[0]} (pack {pack})"
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
