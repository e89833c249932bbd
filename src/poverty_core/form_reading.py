"""The national form's readings: its own columns (``A10`` …) turned into the model's.

Where a printed option needs a reading to become a field the rules read (A10's grades and
非在校生, A7's 身体健康/残疾, A2's 2014 options …), :class:`FormReading` reads the
column with the reading in effect (its default, or the caller's choice:
``open_register(interpretations={"non_student": "unknown"})``, on the command line
``--interpret non_student=unknown``) and counts the cells each interpretation read, for
:attr:`poverty_core.columnar.Register.interpretations` and the provenance of a run.

The readings are a few vectorised column operations on Arrow arrays, written here: they
are this form's own, and no library knows the form.
"""

from __future__ import annotations

import collections
import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from poverty_core._text import Text
from poverty_core._wording import normalize
from poverty_core.codes import Code, SchoolingStage, SchoolingStatus
from poverty_core.form import NON_STUDENT, FormField, national_form, schooling_words

__all__ = ["Bad", "FormReading"]

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
