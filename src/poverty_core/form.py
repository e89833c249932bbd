"""The national register form, 《贫困户登记表》 (2014): its fields, options and interpretations.

The bundled ``data/national_form.toml``, read once by :func:`national_form`, lists each
field of the household form (A1 … A37) with its printed label and the model's column it
is read as (or the form's own column, ``A10``, that :mod:`poverty_core.form_reading`
turns into the model's), the fields the model has no column for (known and not read),
the headers of the address and bank details, and the :class:`Interpretation` of each
printed option that needs a reading. :mod:`poverty_core.register_form` gathers this
module, the readings and the register template under one name.

>>> form = national_form()
>>> form.field("A10").label.zh, form.field("A10").supplies
('在校生状况', ('schooling_stage', 'schooling_status'))
>>> form.readings({"non_student": "unknown"})["non_student"]
'unknown'
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core._wording import normalize, on_command_line
from poverty_core.errors import InputError, Problem

__all__ = [
    "NON_STUDENT",
    "TABLES",
    "FormField",
    "Interpretation",
    "NationalForm",
    "national_form",
    "schooling_words",
]

TABLES = ("households", "members")
"""The register tables the form's fields belong to."""

_SEPARATORS = ("", ".", "、", ":", "：", "-", "_")
"""What may stand between an A-code and its label in a header (spaces are ignored)."""


@attrs.frozen
class Interpretation:
    """A documented, overridable reading of printed options as fields the rules read."""

    id: str
    title: Text
    description: Text
    basis: Text
    """Where the reading comes from (the form, a rule, a standard)."""
    readings: Mapping[str, Text]
    """Each reading the caller may choose, with what it does."""
    default: str
    """The reading applied unless the caller chooses another."""


@attrs.frozen
class FormField:
    """One field (A1, A2 …) of the national form and how poverty_core reads it."""

    code: str
    """The field's code on the form: ``A1`` … ``A37``."""
    table: str
    """``households`` or ``members``."""
    label: Text
    """The printed label (``zh``) and its English."""
    column: str | None = None
    """The model's column the field is read as directly."""
    derive: str | None = None
    """The name of the form's own column (its code), read by :class:`FormReading` into
    the columns in :attr:`supplies`."""
    supplies: tuple[str, ...] = ()
    interpretation: str | None = None
    """The interpretation applied to the field's options, if one is."""
    options: tuple[str, ...] = ()
    """The printed options (empty where the option list was not consulted)."""
    basis: str = "labels"
    """How far the option list is confirmed: ``guide``, ``form`` or ``labels`` (see the
    data file's notes)."""
    yes_no: bool = False
    also: tuple[str, ...] = ()
    unused: bool = False
    """Known and not read: the model has no field for it."""
    template: bool = True
    """Whether ``poverty-core template`` heads the columns this field supplies with it."""
    note: Text | None = None

    @property
    def target(self) -> str | None:
        """The column a header of this field names (``None``: not read)."""
        return None if self.unused else (self.derive or self.column)

    @property
    def reads(self) -> tuple[str, ...]:
        """The model's columns the field gives values to."""
        if self.unused:
            return ()
        return self.supplies if self.derive else ((self.column,) if self.column else ())

    def header(self, language: str = "zh") -> str:
        """The header ``poverty-core template`` writes: ``A10在校生状况`` /
        ``A10 student status``."""
        if language == "zh":
            return f"{self.code}{self.label.zh}"
        return f"{self.code} {self.label.en}"

    def headers(self) -> list[str]:
        """Every header that names the field, as written (compared normalized)."""
        labels = [self.label.zh, *self.also, self.label.en]
        if self.yes_no:
            labels += [f"是否{w}" for w in (self.label.zh, *self.also)]
        out: list[str] = []
        for label in labels:
            out.append(label)
            for sep in _SEPARATORS:
                out.append(f"{self.code}{sep}{label}")
        return out


@attrs.frozen
class NationalForm:
    """The national form: its fields, the headers of its address and bank details, and
    the interpretations of its options."""

    title: Text
    source: str
    """The national pack's source id of the form's filling guide."""
    fields: tuple[FormField, ...]
    unused_headers: tuple[str, ...]
    interpretations: Mapping[str, Interpretation]

    def field(self, code: str) -> FormField:
        """The field with this code (``A10``)."""
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)

    def derived(self, table: str) -> dict[str, FormField]:
        """The form's own columns of a table (``A10`` …), by name."""
        return {f.derive: f for f in self.fields if f.derive and f.table == table}

    def columns(self, table: str) -> dict[str, str]:
        """Each normalized header of the table's fields with the column it names."""
        out: dict[str, str] = {}
        for f in self.fields:
            target = f.target
            if f.table == table and target is not None:
                for h in f.headers():
                    out.setdefault(normalize(h), target)
        return out

    def unused(self, table: str) -> dict[str, str]:
        """Each normalized header known and not read in a table, with its field's code
        (``""`` for the form's address and bank details)."""
        out: dict[str, str] = {}
        for f in self.fields:
            if f.table == table and f.unused:
                for h in f.headers():
                    out.setdefault(normalize(h), f.code)
        for h in self.unused_headers:
            out.setdefault(normalize(h), "")
        return out

    def supplier(self, table: str, column: str) -> FormField | None:
        """The field that gives ``column`` its values (``A10`` for ``schooling_status``)."""
        for f in self.fields:
            if f.table == table and column in f.reads:
                return f
        return None

    def readings(self, chosen: Mapping[str, str] | None = None) -> dict[str, str]:
        """Each interpretation with the reading in effect: its default unless ``chosen``.

        Raises :class:`~poverty_core.errors.InputError` naming an unknown interpretation
        or reading and the ones there are.
        """
        out = {i.id: i.default for i in self.interpretations.values()}
        problems = []
        for key, value in (chosen or {}).items():
            known = self.interpretations.get(key)
            where = (
                f"--interpret {key}={value}" if on_command_line() else f"interpretations[{key!r}]"
            )
            if known is None:
                names = ", ".join(self.interpretations)
                problems.append(
                    Problem(
                        where,
                        Text(
                            f"没有这项解释（可用：{names}）",
                            f"no such interpretation (use: {names})",
                        ),
                    )
                )
            elif value not in known.readings:
                names = ", ".join(known.readings)
                problems.append(
                    Problem(
                        where,
                        Text(
                            f"{key} 没有读法 {value!r}（可用：{names}）",
                            f"{key} has no reading {value!r} (use: {names})",
                        ),
                    )
                )
            else:
                out[key] = value
        if problems:
            raise InputError(
                problems, what="--interpret" if on_command_line() else "interpretations"
            )
        return out


def _text(value: Any) -> Text:
    return Text(str(value["zh"]), str(value["en"]))


@functools.cache
def national_form() -> NationalForm:
    """The national form as the bundled ``data/national_form.toml`` describes it."""
    resource = files("poverty_core").joinpath("data/national_form.toml")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    fields = []
    for item in data["fields"]:
        fields.append(
            FormField(
                code=item["code"],
                table=item["table"],
                label=_text(item["label"]),
                column=item.get("column"),
                derive=item.get("derive"),
                supplies=tuple(item.get("supplies", ())),
                interpretation=item.get("interpretation"),
                options=tuple(item.get("options", ())),
                basis=item.get("basis", "labels"),
                yes_no=bool(item.get("yes_no", False)),
                also=tuple(item.get("also", ())),
                unused=bool(item.get("unused", False)),
                template=bool(item.get("template", True)),
                note=_text(item["note"]) if "note" in item else None,
            )
        )
    interpretations = {
        key: Interpretation(
            id=key,
            title=_text(value["title"]),
            description=_text(value["description"]),
            basis=_text(value["basis"]),
            readings={name: _text(t) for name, t in value["readings"].items()},
            default=value["default"],
        )
        for key, value in data["interpretations"].items()
    }
    form = data["form"]
    return NationalForm(
        title=_text(form["title"]),
        source=form["source"],
        fields=tuple(fields),
        unused_headers=tuple(data["unused"]["headers"]),
        interpretations=interpretations,
    )


# -- A10: grades, 学前教育, 非在校生 ------------------------------------------------------

_NUMERALS = "一二三四五六"


def _grades(prefixes: Sequence[str], years: int) -> list[str]:
    out = []
    for prefix in prefixes:
        for n in range(1, years + 1):
            out += [f"{prefix}{_NUMERALS[n - 1]}年级", f"{prefix}{n}年级"]
    return out


NON_STUDENT = "非在校生"
"""A10's option for a member who is not a student."""


@functools.cache
def schooling_words() -> dict[str, str]:
    """The words of A10 that name a stage of schooling, by stage code: the grades as
    register exports write them (``小学三年级``, ``七年级``, ``高中一年级`` …), 学前教育, and
    each stage's name. A member with one of them is a student (in school) at that stage;
    :data:`NON_STUDENT` is the one other option.

    >>> schooling_words()["七年级"], schooling_words()["学前教育"]
    ('junior_secondary', 'preschool')
    """
    stages: dict[str, list[str]] = {
        "preschool": ["学前教育", "学前", "幼儿园"],
        "primary": ["小学", *_grades(["小学", ""], 6)],
        "junior_secondary": [
            "初中",
            "七年级",
            "八年级",
            "九年级",
            "7年级",
            "8年级",
            "9年级",
            "初一",
            "初二",
            "初三",
            *_grades(["初中"], 3),
        ],
        "senior_high": ["高中", "普通高中", "高一", "高二", "高三", *_grades(["高中"], 3)],
        "secondary_vocational": ["中职", "中专", "中等职业教育", *_grades(["中职"], 3)],
        "higher_vocational": ["高职", "高等职业教育", *_grades(["高职"], 3)],
        "junior_college": ["大专", "专科", *_grades(["大专"], 3)],
        "undergraduate": ["本科", *_grades(["本科"], 5)],
        "postgraduate": ["研究生", "硕士研究生", "博士研究生"],
    }
    return {word: stage for stage, words in stages.items() for word in words}
