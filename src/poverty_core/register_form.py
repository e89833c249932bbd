"""The national register form, 《贫困户登记表》 (2014), as poverty_core reads it.

A county office's register comes out of the national information system (扶贫开发信息
系统, 建档立卡) in the words of its household form: columns headed ``A10在校生状况`` or
``是否参加新型农村合作医疗``, cells reading ``非在校生`` or ``五保户``. This module holds
that vocabulary — the bundled ``data/national_form.toml``, read once by
:func:`national_form` — and the readings that turn it into the model's fields:

* every field the model has a column for is found under its printed label, with and
  without its A-code (``A10在校生状况``, ``A10 在校生状况``, ``在校生状况``), with and
  without 是否 for a yes/no field, with and without a bracketed note (``（元）``);
* a field the model has no column for (``A8民族``, ``A9文化程度`` …), the address above the
  form and its bank details are *known and not read* — never an "unknown column";
* where a printed option needs a reading to become a field the rules read, the reading
  is an :class:`Interpretation`: documented (its basis says where it comes from),
  overridable (``open_register(interpretations={"non_student": "unknown"})``, on the
  command line ``--interpret non_student=unknown``) and named, with the number of cells
  it read, in :attr:`poverty_core.columnar.Register.interpretations` and the provenance of
  a command-line run.

>>> form = national_form()
>>> form.field("A10").label.zh, form.field("A10").supplies
('在校生状况', ('schooling_stage', 'schooling_status'))
>>> sorted(form.interpretations)  # doctest: +NORMALIZE_WHITESPACE
['attribute_2014', 'birth_date_from_id', 'disability_in_health', 'ncms', 'no_house_area',
 'non_student']
>>> form.readings({"non_student": "unknown"})["non_student"]
'unknown'

The readings are a few vectorised column operations on Arrow arrays, written here: they
are this form's own, and no library knows the form.
"""

from __future__ import annotations

import collections
import functools
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Language, Text
from poverty_core._wording import normalize, on_command_line
from poverty_core.codes import Code, SchoolingStage, SchoolingStatus
from poverty_core.errors import InputError, Problem
from poverty_core.model import Household, Person

__all__ = [
    "FormField",
    "FormReading",
    "Interpretation",
    "NationalForm",
    "RegisterTemplate",
    "TemplateColumn",
    "national_form",
    "register_template",
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


# -- reading ---------------------------------------------------------------------------

Bad = list[tuple[int, str, Text]]
"""Problems found while reading: (row in the batch, column as in the table, message)."""


def _as_text(arr: Any) -> pa.Array:
    """A column as text (trimmed; empty cells null), whatever it was read as."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(pc.binary_length(arr), 0), pa.scalar(None, pa.string()), arr)


def _words(text: pa.Array) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The distinct words of a text column, each row's index among them, and which rows
    have one."""
    encoded = pc.dictionary_encode(text)
    words = [str(w) for w in encoded.dictionary.to_pylist()]
    index = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False), np.int64)
    valid = np.asarray(text.is_valid().to_numpy(zero_copy_only=False), np.bool_)
    return words, index, valid


def _lookup(values: Sequence[str | None], index: npt.NDArray[np.int64], valid: Any) -> pa.Array:
    lut = pa.array(list(values) or [None], pa.string())
    out = pc.take(lut, pa.array(index))
    return pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))


def _fill(explicit: Any, derived: pa.Array) -> pa.Array:
    """An explicit column's values where it has one, else the derived ones."""
    if explicit is None:
        return derived
    if isinstance(explicit, pa.ChunkedArray):
        explicit = explicit.combine_chunks()
    if pa.types.is_string(explicit.type) or pa.types.is_dictionary(explicit.type):
        return pc.coalesce(_as_text(explicit), derived)
    try:
        return pc.coalesce(explicit, derived.cast(explicit.type))
    except pa.ArrowException:  # no cast between the two types: compare as text
        return pc.coalesce(_as_text(explicit), derived)


def _options(field: FormField) -> str:
    return "、".join(field.options)


@attrs.define
class FormReading:
    """The readings in effect for one register, and how many cells each has read."""

    readings: dict[str, str] = attrs.field(factory=lambda: national_form().readings())
    applied: collections.Counter[str] = attrs.field(factory=collections.Counter)
    """Cells read through each interpretation so far."""

    def reading(self, interpretation: str) -> str:
        """The reading in effect for an interpretation."""
        return self.readings[interpretation]

    def active(self, table: str, column: str) -> bool:
        """Whether the form's column ``column`` (``A15``) is read at all."""
        field = national_form().derived(table).get(column)
        if field is None or field.interpretation is None:
            return field is not None
        return self.reading(field.interpretation) not in ("off",)

    def supplied(self, table: str, present: Sequence[str]) -> dict[str, str]:
        """The model's columns a table whose columns are ``present`` gets values for
        through the form's readings (not given themselves), each with the column it
        comes from: ``{"schooling_status": "A10", "birth_date": "id_number"}``."""
        out: dict[str, str] = {}
        for name, field in national_form().derived(table).items():
            if name in present and self.active(table, name):
                for column in field.supplies:
                    if column not in present:
                        out.setdefault(column, name)
        if table == "members":
            if (
                "id_number" in present
                and "birth_date" not in present
                and "age" not in present
                and self.reading("birth_date_from_id") == "on"
            ):
                out["birth_date"] = "id_number"
            if (
                "health" in present
                and "disabled" not in present
                and self.reading("disability_in_health") == "disabled"
            ):
                out["disabled"] = "health"
        return out

    def interpret(
        self, table: str, columns: dict[str, Any], aliases: Any
    ) -> tuple[dict[str, Any], Bad]:
        """A batch's columns as read (text or typed) with the form's own columns read into
        the model's: those removed, the columns they supply filled where the table does
        not give them, and the options needing an interpretation read. Returns the new
        columns and the problems of cells no option matches."""
        form = national_form()
        out = dict(columns)
        bad: Bad = []
        for name, field in form.derived(table).items():
            if name not in out:
                continue
            raw = out.pop(name)
            if not self.active(table, name):
                continue
            derived, problems = getattr(self, f"_{name.lower()}")(field, _as_text(raw), aliases)
            bad += [(i, name, text) for i, text in problems]
            for column, values in derived.items():
                out[column] = _fill(out.get(column), values)
        if table == "members" and "health" in out:
            self._health(out)
        if table == "households" and "attribute" in out:
            self._attribute(out)
        bad.sort(key=lambda b: b[0])
        return out, bad

    # A10 -------------------------------------------------------------------------------

    def _a10(
        self, field: FormField, text: pa.Array, aliases: Any
    ) -> tuple[dict[str, pa.Array], list[tuple[int, Text]]]:
        words, index, valid = _words(text)
        table = schooling_words()
        stage: list[str | None] = []
        status: list[str | None] = []
        known: list[bool] = []
        non_student: list[bool] = []
        out_of_school = self.reading("non_student") == "out_of_school"
        for word in words:
            key = normalize(word)
            found_stage: Code | None = None
            if key in table:
                found_stage = SchoolingStage(table[key])
            elif key != normalize(NON_STUDENT):
                found_stage = aliases.code(SchoolingStage, word)
            found_status = None if found_stage else aliases.code(SchoolingStatus, word)
            is_non_student = key == normalize(NON_STUDENT)
            non_student.append(is_non_student)
            if is_non_student:
                stage.append(None)
                status.append(SchoolingStatus.OUT_OF_SCHOOL.value if out_of_school else None)
                known.append(True)
            elif found_stage is not None:
                stage.append(found_stage.value)
                status.append(SchoolingStatus.IN_SCHOOL.value)
                known.append(True)
            elif found_status is not None:
                stage.append(None)
                status.append(found_status.value)
                known.append(True)
            else:
                stage.append(None)
                status.append(None)
                known.append(False)
        hit = np.asarray(non_student or [False], np.bool_)[index] & valid
        self.applied["non_student"] += int(hit.sum())
        problems = []
        ok = np.asarray(known or [True], np.bool_)[index]
        for i in np.flatnonzero(valid & ~ok):
            word = words[int(index[i])]
            problems.append(
                (
                    int(i),
                    Text(
                        f"{word!r} 不是 {field.code}{field.label.zh}的选项：应为年级"
                        f"（如 小学三年级、七年级、高中一年级）、学前教育或{NON_STUDENT}",
                        f"{word!r} is not an option of {field.code} {field.label.zh}: expected "
                        f"a grade (such as 小学三年级, 七年级, 高中一年级), 学前教育 or "
                        f"{NON_STUDENT}",
                    ),
                )
            )
        return {
            "schooling_stage": _lookup(stage, index, valid),
            "schooling_status": _lookup(status, index, valid),
        }, problems

    # A15 -------------------------------------------------------------------------------

    def _a15(
        self, field: FormField, text: pa.Array, aliases: Any
    ) -> tuple[dict[str, pa.Array], list[tuple[int, Text]]]:
        words, index, valid = _words(text)
        values = [aliases.boolean(w) for w in words]
        lut = [None if v is None else ("true" if v else "false") for v in values]
        ok = np.asarray([v is not None for v in values] or [True], np.bool_)[index]
        self.applied["ncms"] += int((valid & ok).sum())
        problems = [
            (int(i), _not_yes_no(words[int(index[i])], field)) for i in np.flatnonzero(valid & ~ok)
        ]
        return {"basic_medical_insurance": _lookup(lut, index, valid)}, problems

    # A21 -------------------------------------------------------------------------------

    def _a21(
        self, field: FormField, text: pa.Array, aliases: Any
    ) -> tuple[dict[str, pa.Array], list[tuple[int, Text]]]:
        words, index, valid = _words(text)
        lut: list[str | None] = []
        for word in words:
            area = _area(word)
            lut.append(None if area is None else ("true" if area == 0 else "false"))
        ok = np.asarray([v is not None for v in lut] or [True], np.bool_)[index]
        self.applied["no_house_area"] += int((valid & ok).sum())
        problems = []
        for i in np.flatnonzero(valid & ~ok):
            word = words[int(index[i])]
            problems.append(
                (
                    int(i),
                    Text(
                        f"应为住房面积（平方米，≥ 0；无房户填0），实为 {word!r}",
                        f"expected a floor area (square metres, ≥ 0; 0 for no house), got {word!r}",
                    ),
                )
            )
        return {"without_house": _lookup(lut, index, valid)}, problems

    # A35 -------------------------------------------------------------------------------

    def _a35(
        self, field: FormField, text: pa.Array, aliases: Any
    ) -> tuple[dict[str, pa.Array], list[tuple[int, Text]]]:
        words, index, valid = _words(text)
        printed = {normalize("已通电"): True, normalize("未通电"): False}
        values = [printed.get(normalize(w), aliases.boolean(w)) for w in words]
        lut = [None if v is None else ("true" if v else "false") for v in values]
        ok = np.asarray([v is not None for v in values] or [True], np.bool_)[index]
        problems = []
        for i in np.flatnonzero(valid & ~ok):
            word = words[int(index[i])]
            problems.append(
                (
                    int(i),
                    Text(
                        f"{word!r} 不是 {field.code}{field.label.zh}的选项（{_options(field)}）",
                        f"{word!r} is not an option of {field.code} {field.label.zh} "
                        f"({_options(field)})",
                    ),
                )
            )
        return {"electricity_connected": _lookup(lut, index, valid)}, problems

    # options of model columns -------------------------------------------------------------

    def _health(self, out: dict[str, Any]) -> None:
        """A11 残疾: not a health status; the member is disabled (the default reading)."""
        health = out["health"]
        if isinstance(health, pa.ChunkedArray):
            health = health.combine_chunks()
        if not (pa.types.is_string(health.type) or pa.types.is_dictionary(health.type)):
            return
        text = _as_text(health)
        words, index, valid = _words(text)
        marked = np.asarray([normalize(w) == "残疾" for w in words] or [False], np.bool_)[index]
        hit = marked & valid
        if not hit.any():
            return
        self.applied["disability_in_health"] += int(hit.sum())
        out["health"] = pc.if_else(pa.array(hit), pa.scalar(None, pa.string()), text)
        if self.reading("disability_in_health") == "disabled":
            derived = pc.if_else(pa.array(hit), "true", pa.scalar(None, pa.string()))
            out["disabled"] = _fill(out.get("disabled"), derived)

    def _attribute(self, out: dict[str, Any]) -> None:
        """A2 低保户 and 五保户: the 2016 attributes (the default reading)."""
        column = out["attribute"]
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if not (pa.types.is_string(column.type) or pa.types.is_dictionary(column.type)):
            return
        text = _as_text(column)
        words, index, valid = _words(text)
        keep = self.reading("attribute_2014") == "2016_codes"
        table = {normalize(w): code for w, code in _ATTRIBUTE_2014.items()}
        found = [table.get(normalize(w)) for w in words]
        hit = np.asarray([f is not None for f in found] or [False], np.bool_)[index] & valid
        if not hit.any():
            return
        self.applied["attribute_2014"] += int(hit.sum())
        lut = [f if keep else None for f in found]
        out["attribute"] = pc.if_else(pa.array(hit), _lookup(lut, index, valid), text)

    # the date of birth in an ID number ---------------------------------------------------

    def birth_dates(
        self, id_numbers: pa.Array, usable: npt.NDArray[np.bool_]
    ) -> tuple[pa.Array, npt.NDArray[np.bool_]]:
        """Dates of birth from valid 18-character ID numbers (characters 7–14) on the
        ``usable`` rows, and which rows got one (counted as applied)."""
        n = len(id_numbers)
        if self.reading("birth_date_from_id") != "on" or not usable.any():
            return pa.nulls(n, pa.date32()), np.zeros(n, np.bool_)
        digits = pc.utf8_slice_codeunits(pc.fill_null(id_numbers, ""), 6, 14)
        shaped = np.asarray(
            pc.fill_null(pc.match_substring_regex(digits, r"^\d{8}$"), False).to_numpy(
                zero_copy_only=False
            ),
            np.bool_,
        )
        take = usable & shaped
        number = np.asarray(
            pc.cast(pc.if_else(pa.array(take), digits, "19700101"), pa.int64()).to_numpy(
                zero_copy_only=False
            ),
            np.int64,
        )
        y, m, d = number // 10000, number // 100 % 100, number % 100
        ok = take & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1800)
        y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
        months = ((y - 1970) * 12 + (m - 1)).astype("timedelta64[M]") + np.datetime64(
            "1970-01", "M"
        )
        days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
        ok &= days.astype("datetime64[M]") == months
        since = (days - np.datetime64("1970-01-01", "D")).astype(np.int32)
        self.applied["birth_date_from_id"] += int(ok.sum())
        return pa.array(since, pa.int32(), mask=~ok).cast(pa.date32()), ok

    def report(self) -> list[dict[str, Any]]:
        """The interpretations that read at least one cell: id, reading, cells, title."""
        form = national_form()
        out = []
        for key, interpretation in form.interpretations.items():
            cells = self.applied.get(key, 0)
            if cells:
                out.append(
                    {
                        "id": key,
                        "reading": self.readings[key],
                        "cells": cells,
                        "title": interpretation.title.to_dict(),
                    }
                )
        return out


_ATTRIBUTE_2014 = {"低保户": "dibao", "五保户": "tekun", "五保贫困户": "tekun"}
"""A2's 2014 options that are no code of the model's 2016 list, and their reading."""


def _not_yes_no(word: str, field: FormField) -> Text:
    return Text(
        f"{word!r} 不是 {field.code}{field.label.zh}的选项（是、否）",
        f"{word!r} is not an option of {field.code} {field.label.zh} (是 yes, 否 no)",
    )


def _area(word: str) -> float | None:
    import unicodedata

    text = unicodedata.normalize("NFKC", word).strip()
    for unit in ("平方米", "㎡", "m2", "m²"):
        text = text.removesuffix(unit).strip()
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value < 0 or value == float("inf"):
        return None
    return value


# -- templates: an empty register with the columns a pack reads ---------------------------


@attrs.frozen
class TemplateColumn:
    """One column of a register template."""

    table: str
    """``households`` or ``members``."""
    column: str
    """The register column it is read as (a model field, the form's ``A10``, a
    flattened ``procedures.<id>.<step>``)."""
    header: Text
    """Its header, in the national form's words where they exist."""
    values: Text
    """What may be written in it."""
    reads: tuple[str, ...] = ()
    """The inputs of the pack it gives values to (``members[].schooling_status`` …);
    empty for the keys."""


@attrs.frozen
class RegisterTemplate:
    """An empty register: exactly the columns a pack's household decisions read (and the
    keys a register needs: household id, village and county ids, member id), headed in
    the national form's words where they exist, with what each column may hold."""

    pack: str
    decisions: tuple[str, ...]
    columns: tuple[TemplateColumn, ...]

    def table(self, table: str) -> list[TemplateColumn]:
        """The columns of one table, in order."""
        return [c for c in self.columns if c.table == table]

    def headers(self, layout: str = "flat", language: str = "zh") -> dict[str, list[str]]:
        """The header row of each sheet: ``{"register": [...]}`` for a flat register,
        ``{"households": [...], "members": [...]}`` for two files."""
        lang: Language = "zh" if language == "zh" else "en"
        if layout == "flat":
            rows = [c for c in self.columns if not (c.table == "members" and c.column == "")]
            return {"register": [c.header[lang] for c in rows]}
        return {t: [c.header[lang] for c in self.table(t)] for t in TABLES}

    def values_rows(self, language: str = "zh") -> list[list[str]]:
        """The allowed-values sheet: a header row, then one row per column."""
        lang: Language = "zh" if language == "zh" else "en"
        head = ["表", "列", "可填写的值"] if lang == "zh" else ["table", "column", "allowed values"]
        kinds = {"households": ("户", "households"), "members": ("成员", "members")}
        out = [head]
        for c in self.columns:
            if c.column == "":
                continue
            kind = kinds[c.table][0 if lang == "zh" else 1]
            out.append([kind, c.header[lang], c.values[lang]])
        return out

    def write(
        self,
        path: str | Any,
        *,
        layout: str = "flat",
        format: str = "csv",
        language: str = "zh",
    ) -> list[str]:
        """Write the template, atomically: a CSV file per table beside a side file of the
        allowed values (``NAME.csv`` — with two files ``NAME.members.csv`` for the
        members — and ``NAME.values.csv``), or an xlsx workbook with a sheet per table
        and a sheet of the allowed values. Returns the files written. CSV is UTF-8 with a
        byte-order mark, as spreadsheet programs in China open it."""
        import csv
        import io
        import os
        from pathlib import Path

        from poverty_core.io import Outputs, temp_beside, writing

        target = Path(path)
        headers = self.headers(layout, language)
        values = self.values_rows(language)
        outputs = Outputs()
        written: list[str] = []
        try:
            if format == "xlsx":
                workbook = _workbook(headers, values, language)
                fd, tmp = temp_beside(target)
                os.close(fd)
                outputs.add(tmp, target)
                with writing(target):
                    workbook.save(tmp)
                written.append(str(target))
            else:
                stem = target.with_suffix("") if target.suffix.lower() == ".csv" else target
                names = {
                    "register": target,
                    "households": target,
                    "members": Path(f"{stem}.members.csv"),
                    "values": Path(f"{stem}.values.csv"),
                }
                for sheet, row in [*headers.items(), ("values", None)]:
                    handle = io.StringIO()
                    writer = csv.writer(handle)
                    for line in [row] if row is not None else values:
                        writer.writerow(line)
                    outputs.text(names[sheet], "\ufeff" + handle.getvalue())
                    written.append(str(names[sheet]))
            outputs.commit()
        except BaseException:
            outputs.abort()
            raise
        return written


_SHEET_NAMES = {
    "register": ("登记表", "register"),
    "households": ("户", "households"),
    "members": ("成员", "members"),
    "values": ("可填写的值", "allowed values"),
}


def _workbook(headers: dict[str, list[str]], values: list[list[str]], language: str) -> Any:
    import importlib

    from poverty_core.columnar import MissingExtra

    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise MissingExtra("xlsx", "openpyxl", "xlsx") from None
    i = 0 if language == "zh" else 1
    workbook = openpyxl.Workbook()
    first = True
    for sheet, row in [*headers.items(), ("values", None)]:
        ws = workbook.active if first else workbook.create_sheet()
        first = False
        ws.title = _SHEET_NAMES[sheet][i]
        for line in [row] if row is not None else values:
            ws.append(line)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, 2 * width))
    return workbook


def register_template(pack: Any, *, decisions: Sequence[str] | None = None) -> RegisterTemplate:
    """The template of a register for ``pack``: the inputs its household decisions read
    (every version of every criterion, whatever its period; ``decisions`` picks some),
    as columns headed in the national form's words where the form has the field.

    >>> import poverty_core as pc
    >>> t = register_template(pc.load_pack("national"), decisions=["household_exit"])
    >>> t.headers("two-file")["members"][:3]
    ['户编号', '成员编号', '年龄']
    >>> [c.header.zh for c in t.table("members") if c.column == "A10"]
    ['A10在校生状况']
    """
    from poverty_core.rules import versions_of

    chosen = [
        d
        for d in pack.decisions.values()
        if d.subject == "household" and (decisions is None or d.id in decisions)
    ]
    if decisions is not None:
        missing = [d for d in decisions if d not in {c.id for c in chosen}]
        if missing:
            from poverty_core.errors import UnknownName

            known = [d.id for d in pack.decisions.values() if d.subject == "household"]
            raise UnknownName(Text("户的判定", "household decision"), missing[0], known)
    fields: dict[str, None] = {}
    members: dict[str, None] = {}
    flattened: dict[str, None] = {}
    for decision in chosen:
        for version in versions_of(decision):
            for cid in version.criteria:
                criterion = pack.criteria.get(cid)
                if criterion is None:
                    continue
                for rule in versions_of(criterion):
                    for ref in rule.refs():
                        if ref.kind == "field":
                            fields.setdefault(ref.name, None)
                        elif ref.kind == "member":
                            members.setdefault(ref.name, None)
                        elif ref.kind in ("procedure", "checklist"):
                            for name in _flattened(pack, ref.kind, ref.name):
                                flattened.setdefault(name, None)
    columns = [*_keys("households"), *_columns("households", list(fields), pack)]
    columns += [_flat_column(pack, name) for name in flattened]
    columns += [*_keys("members"), *_columns("members", list(members), pack)]
    return RegisterTemplate(pack.name, tuple(d.id for d in chosen), tuple(columns))


def _keys(table: str) -> list[TemplateColumn]:
    key = Text("编号", "an id")
    if table == "households":
        labels = Household.field_labels()
        return [
            TemplateColumn(table, name, labels[name], key)
            for name in ("id", "village_id", "county_id")
        ]
    household = Household.field_labels()["id"]
    return [
        # In a flat register the household's id heads the row once (with the household's
        # columns); "" marks this column as the members table's own key.
        TemplateColumn(table, "", household, key),
        TemplateColumn(
            table,
            "id",
            Person.field_labels()["id"],
            Text(
                "编号（可不填：按户内顺序编为 1、2……）",
                "an id (may be left out: numbered 1, 2, … in the household)",
            ),
        ),
    ]


def _flattened(pack: Any, kind: str, name: str) -> list[str]:
    if kind == "procedure":
        procedure = pack.procedures.get(name)
        return [] if procedure is None else [f"procedures.{name}.{s.id}" for s in procedure.steps]
    checklist_id, _, item = name.partition(".")
    checklist = pack.checklists.get(checklist_id)
    if checklist is None:
        return []
    items = [i.id for i in checklist.items if not item or i.id == item]
    return [f"checklists.{checklist_id}.{i}" for i in items]


def _flat_column(pack: Any, name: str) -> TemplateColumn:
    kind, group, item = name.split(".")
    if kind == "procedures":
        steps = {s.id: s.label for s in pack.procedures[group].steps}
        label = steps[item]
        values = Text(
            f"完成日期 YYYY-MM-DD（{label.zh}）", f"the date it was done, YYYY-MM-DD ({label.en})"
        )
    else:
        entries = {i.id: i.label for i in pack.checklists[group].items}
        label = entries[item]
        values = Text(f"是 / 否（{label.zh}）", f"yes / no ({label.en})")
    return TemplateColumn("households", name, Text(name, name), values, (name,))


def _columns(table: str, names: list[str], pack: Any = None) -> list[TemplateColumn]:
    """The template's columns for the inputs ``names`` of a table: one per form field
    that supplies some of them (its words as the header), one per other input."""
    form = national_form()
    out: list[TemplateColumn] = []
    by_field: dict[str, list[str]] = {}
    for name in names:
        field = form.supplier(table, name)
        if field is not None and field.template:
            by_field.setdefault(field.code, []).append(name)
        else:
            out.append(_model_column(table, name, pack))
    prefix = "members[]." if table == "members" else ""
    for code, reads in by_field.items():
        field = form.field(code)
        column = field.derive or field.column or reads[0]
        out.append(
            TemplateColumn(
                table,
                column,
                Text(field.header("zh"), field.header("en")),
                _field_values(field, column, table),
                tuple(prefix + r for r in reads),
            )
        )
    order = {n: i for i, n in enumerate(names)}
    out.sort(key=lambda c: min((order.get(r.split(".")[-1], 0) for r in c.reads), default=0))
    return out


def _model_column(table: str, name: str, pack: Any = None) -> TemplateColumn:
    from poverty_core.columnar import _column_spec
    from poverty_core.vocabulary import of

    prefix = "members[]." if table == "members" else ""
    vocabulary = of(pack)  # the pack's declared fields are its columns too
    spec = _column_spec(table, name, vocabulary)
    labels = vocabulary.record_type(table).field_labels()
    label = labels.get(name, Text(name, name))
    return TemplateColumn(table, name, label, _spec_values(spec), (prefix + name,))


def _spec_values(spec: Any) -> Text:
    if spec is None or spec.kind == "unnamed":
        return Text("见策略包文档", "see the pack's documentation")
    if spec.kind == "code":
        return _code_values(spec.code)
    if spec.kind == "bool":
        return Text("是 / 否", "yes / no")
    if spec.kind == "float":
        return Text("数值", "a number")
    if spec.kind == "int":
        return Text("整数", "a whole number")
    if spec.kind == "date":
        return Text("日期 YYYY-MM-DD", "a date, YYYY-MM-DD")
    if spec.kind == "list":
        item = _spec_values(spec.item)
        return Text(
            f"{item.zh}；多项以「；」或「、」分隔", f"{item.en}; several separated by ; or 、"
        )
    return Text("文本", "text")


def _code_values(cls: type[Code]) -> Text:
    return Text(
        " / ".join(m.label.zh for m in cls),
        " / ".join(m.label.en for m in cls),
    )


def _field_values(field: FormField, column: str, table: str) -> Text:
    if field.code == "A10":
        grades = (
            "小学一年级…小学六年级、七年级、八年级、九年级、高中一年级…高中三年级、"
            "中职一年级…、高职一年级…、大专、本科、研究生"
        )
        zh = (
            f"学前教育；年级（{grades}）；{NON_STUDENT}（读作失学辍学：解释 non_student）；"
            "因残不能就学（表上没有此项：登记因残疾不能就学的儿童）"
        )
        en = (
            f"学前教育 (preschool); a grade ({grades}); {NON_STUDENT} (not a student: read as "
            "out of school, interpretation non_student); 因残不能就学 (not on the form: a "
            "child a disability keeps from school)"
        )
        return Text(zh, en)
    if field.options:
        options = " / ".join(field.options)
        if not field.interpretation:
            return Text(options, options)
        return Text(
            f"{options}（解释 {field.interpretation}）",
            f"{options} (interpretation {field.interpretation})",
        )
    from poverty_core.columnar import _column_spec

    return _spec_values(_column_spec(table, column))
