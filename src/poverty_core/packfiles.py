"""The shapes of a pack's data files, read with one strict cattrs converter.

Every TOML file of a pack (``sources.toml``, ``parameters/*.toml``, ``taxonomies/*.toml``,
``procedures/*.toml``, ``checklists/*.toml``, ``not_encoded.toml``, ``periods.toml``) is
structured into one of the attrs classes below by a private
``cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)``: an unknown key, a
missing key, a value of the wrong type — every one of them in every file of the pack —
is reported at once, with its path (``parameters/x.toml: values[1].start``), in Chinese and
English (:class:`FileProblems`). What the shapes cannot say (a known unit, values in order,
a source cited that exists) the loaders check afterwards and report the same way.

:func:`pack_file_schema` gives the JSON Schema of each kind of file, for editors.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import typing
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from poverty_core._text import Text
from poverty_core.errors import PackError, UnknownName

__all__ = [
    "ChecklistFile",
    "FieldsFile",
    "FileProblems",
    "NotEncodedFile",
    "ParameterFile",
    "PeriodsFile",
    "ProcedureFile",
    "ReferenceFile",
    "SourceFile",
    "TaxonomyFile",
    "list_toml",
    "pack_file_schema",
    "read_file",
]

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

F = TypeVar("F")


def list_toml(folder: Traversable) -> list[Traversable]:
    """The ``*.toml`` files of a folder, sorted by name (empty if the folder is absent)."""
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


@attrs.frozen
class TextTable:
    """``{ zh = "…", en = "…" }``."""

    zh: str
    en: str

    def text(self) -> Text:
        """As :class:`~poverty_core._text.Text`."""
        return Text(self.zh, self.en)


@attrs.frozen
class Governs:
    """``governs = { start = …, end = …, note = … }`` of a source."""

    start: dt.date
    end: dt.date | None = None
    note: TextTable | None = None


@attrs.frozen
class PeriodTable:
    """A period a pack sets, with the citation that sets it."""

    start: dt.date
    source: str
    locator: str
    end: dt.date | None = None
    note: TextTable | None = None


@attrs.frozen
class SourceFile:
    """One table of ``sources.toml``."""

    title: TextTable
    issuer: TextTable | None = None
    published: str | None = None
    confidence: Literal["high", "medium", "low"] = "high"
    note: TextTable | None = None
    governs: Governs | None = None


@attrs.frozen
class ValueTable:
    """One ``[[values]]`` entry of a parameter."""

    start: dt.date
    value: Any
    source: str
    locator: str
    end: dt.date | None = None
    note: TextTable | None = None


@attrs.frozen
class ParameterFile:
    """``parameters/<name>.toml``."""

    title: TextTable
    unit: str
    type: Literal["number", "integer", "boolean", "text", "text_list"]
    values: list[ValueTable] = attrs.Factory(list)
    description: TextTable | None = None
    interpretation: bool = False
    override: bool = False


@attrs.frozen
class ItemTable:
    """One item of a taxonomy."""

    code: str
    label: TextTable


@attrs.frozen
class TaxonomyFile:
    """``taxonomies/<id>.toml``: ``items`` or the name of a model code list (``codes``)."""

    title: TextTable
    source: str
    locator: str
    items: list[ItemTable] | None = None
    codes: str | None = None
    description: TextTable | None = None
    override: bool = False


@attrs.frozen
class ReferenceFile:
    """``references/<name>.toml``: reference data a run supplies (a set or a table)."""

    kind: Literal["set", "table"]
    key: str
    title: TextTable
    source: str
    locator: str
    key_form: Literal["text", "id_number"] = "text"
    columns: list[str] = attrs.Factory(list)
    description: TextTable | None = None
    override: bool = False


@attrs.frozen
class FieldTable:
    """One ``[[fields]]`` entry of ``fields.toml``: an input field the pack declares."""

    name: str
    subject: str
    type: str
    title: TextTable
    source: str
    locator: str
    codes: str | None = None
    unit: str | None = None
    aliases: list[str] = attrs.Factory(list)
    personal: bool = False
    minimum: float | None = None
    maximum: float | None = None
    description: TextTable | None = None
    check: str | None = None
    part_of: str | None = None


@attrs.frozen
class FieldsFile:
    """``fields.toml``: the input fields a pack adds to the records (``[[fields]]``)."""

    fields: list[FieldTable] = attrs.Factory(list)


@attrs.frozen
class StepTable:
    """One step of a procedure or item of a checklist."""

    id: str
    label: TextTable


@attrs.frozen
class ProcedureFile:
    """``procedures/<id>.toml``."""

    title: TextTable
    subject: Literal["household", "village", "county"]
    source: str
    locator: str
    steps: list[StepTable]
    override: bool = False
    in_force: PeriodTable | None = None


@attrs.frozen
class ChecklistFile:
    """``checklists/<id>.toml``."""

    title: TextTable
    subject: Literal["household", "village", "county"]
    source: str
    locator: str
    items: list[StepTable]
    description: TextTable | None = None
    interpretation: bool = False
    override: bool = False
    in_force: PeriodTable | None = None


@attrs.frozen
class EntryTable:
    """One entry of ``not_encoded.toml``."""

    rule: TextTable
    reason: TextTable
    source: str
    locator: str


@attrs.frozen
class NotEncodedFile:
    """``not_encoded.toml``."""

    entries: list[EntryTable]


@attrs.frozen
class PeriodEntry:
    """One ``[[periods]]`` entry of ``periods.toml``."""

    rule: str
    start: dt.date
    source: str
    locator: str
    end: dt.date | None = None
    note: TextTable | None = None


@attrs.frozen
class PeriodsFile:
    """``periods.toml``."""

    periods: list[PeriodEntry]


class _Bad(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.text = Text(zh, en)


def _date(value: Any, _: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _Bad(
            f"应为 TOML 日期，如 2016-01-01（实为 {value!r}）",
            f"expected a TOML date such as 2016-01-01 (got {value!r})",
        )
    return value


def _text_value(value: Any, _: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("应为非空文本", "expected non-empty text")
    return value


def _boolean(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("应为 true 或 false", "expected true or false")
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(str, _text_value)
    conv.register_structure_hook(bool, _boolean)
    conv.register_structure_hook(Any, lambda v, _: v)
    return conv


_CONVERTER = _make_converter()


@attrs.frozen
class FileProblems:
    """The problems of one data file: ``(path in the file, message)`` pairs."""

    file: str
    problems: list[tuple[str, Text]] = attrs.Factory(list)

    def add(self, where: str, zh: str, en: str) -> None:
        """Record one problem at ``where`` (``values[1].start``; empty: the file)."""
        self.problems.append((where, Text(zh, en)))

    def lines(self) -> Iterator[Text]:
        """One bilingual line per problem, ``file: path: message``."""
        for where, text in self.problems:
            at = f"{self.file}: {where}: " if where else f"{self.file}: "
            yield Text(at + text.zh, at + text.en)


def _walk(exc: BaseException, path: str, out: FileProblems) -> None:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            here = path
            if isinstance(note, AttributeValidationNote):
                here = f"{path}.{note.name}" if path else note.name
            elif isinstance(note, IterableValidationNote):
                here = f"{path}[{note.index}]"
            _walk(inner, here, out)
        for inner in without:
            _walk(inner, path, out)
        return
    if isinstance(exc, ForbiddenExtraKeysError):
        keys = ", ".join(sorted(exc.extra_fields))
        out.add(path, f"未知键 {keys}", f"unknown key(s) {keys}")
    elif isinstance(exc, KeyError):
        out.add(path, "缺少此键", "missing key")
    elif isinstance(exc, _Bad):
        out.add(path, exc.text.zh, exc.text.en)
    elif isinstance(exc, TypeError | ValueError | AttributeError):
        out.add(path, f"取值类型不符（{exc}）", f"wrong kind of value ({exc})")
    else:  # pragma: no cover - cattrs raised something unexpected: still say where
        out.add(path, f"无法读取（{exc}）", f"cannot read ({exc})")


def read_file(
    resource: Traversable, path: str, cls: type[F], problems: list[FileProblems]
) -> tuple[F | None, FileProblems]:
    """Parse and structure one TOML file into ``cls``; its problems go into a
    :class:`FileProblems` appended to ``problems`` (``None`` when it cannot be built)."""
    found = FileProblems(path)
    problems.append(found)
    try:
        data = tomllib.loads(resource.read_bytes().decode("utf-8"))
    except OSError as exc:
        found.add("", f"无法读取：{exc}", f"cannot read: {exc}")
        return None, found
    except UnicodeDecodeError:
        found.add("", "不是 UTF-8 文本", "not UTF-8 text")
        return None, found
    except tomllib.TOMLDecodeError as exc:
        found.add("", f"TOML 语法错误：{exc}", f"TOML error: {exc}")
        return None, found
    try:
        return _CONVERTER.structure(data, cls), found
    except Exception as exc:
        _walk(exc, "", found)
        return None, found


def structure_table(data: Any, cls: type[F], found: FileProblems, where: str) -> F | None:
    """Structure one table of a file (a source in ``sources.toml``), recording problems
    under ``where``."""
    try:
        return _CONVERTER.structure(data, cls)
    except Exception as exc:
        _walk(exc, where, found)
        return None


def raise_problems(pack: str, problems: list[FileProblems]) -> None:
    """One :class:`~poverty_core.errors.PackError` listing every problem of every file."""
    lines = [line for f in problems for line in f.lines()]
    if not lines:
        return
    files = {f.file for f in problems if f.problems}
    raise PackError(
        pack,
        Text(
            f"数据文件有 {len(lines)} 个问题：\n  " + "\n  ".join(t.zh for t in lines),
            f"{len(lines)} problem(s) in its data files:\n  " + "\n  ".join(t.en for t in lines),
        ),
        file=next(iter(files)) if len(files) == 1 else None,
    )


# -- JSON Schema --------------------------------------------------------------------------

_KINDS: dict[str, type[Any]] = {
    "source": SourceFile,
    "parameter": ParameterFile,
    "taxonomy": TaxonomyFile,
    "procedure": ProcedureFile,
    "checklist": ChecklistFile,
    "not_encoded": NotEncodedFile,
    "periods": PeriodsFile,
    "fields": FieldsFile,
    "reference": ReferenceFile,
}


def _schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, __import__("types").UnionType):
        options = [a for a in args if a is not type(None)]
        return _schema_of(options[0], defs) if len(options) == 1 else {}
    if origin is Literal:
        return {"enum": list(args)}
    if origin is list:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    if tp is dt.date:
        return {"type": "string", "format": "date", "description": "a TOML date (2016-01-01)"}
    if tp is str:
        return {"type": "string", "minLength": 1}
    if tp is bool:
        return {"type": "boolean"}
    if tp is Any:
        return {}
    if attrs.has(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}
            hints = typing.get_type_hints(tp)
            fields = attrs.fields(tp)
            defs[tp.__name__] = {
                "type": "object",
                "additionalProperties": False,
                "properties": {a.name: _schema_of(hints[a.name], defs) for a in fields},
                "required": [a.name for a in fields if a.default is attrs.NOTHING],
            }
        return {"$ref": f"#/$defs/{tp.__name__}"}
    return {}


def pack_file_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of pack data file: ``source`` (one table
    of ``sources.toml``), ``parameter``, ``taxonomy``, ``procedure``, ``checklist``,
    ``not_encoded`` or ``periods``. Editors that read TOML with a schema (e.g. Taplo) can
    check a file against it while it is written.

    >>> schema = pack_file_schema("parameter")
    >>> sorted(schema["required"])
    ['title', 'type', 'unit']
    """
    if kind not in _KINDS:
        raise UnknownName(Text("数据文件类型", "data file kind"), kind, list(_KINDS))
    defs: dict[str, Any] = {}
    ref = _schema_of(_KINDS[kind], defs)
    root = defs.pop(ref["$ref"].rsplit("/", 1)[1])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://poverty-core.invalid/schema/pack-{kind}.json",
        **root,
        "$defs": defs,
    }
