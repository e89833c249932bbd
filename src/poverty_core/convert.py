"""JSON-compatible dicts in and out of the model (cattrs at the edges).

A private :class:`cattrs.Converter` with ``forbid_extra_keys`` and detailed
validation turns dicts into records. Shape and type checks live in structure hooks
(strict: ``"12"`` is not an integer, ``"false"`` is not a boolean), range checks run
per field, and every problem of a record is reported at once, each with its path::

    members[1].age: must be 0–150 (got -3)

Collecting every problem costs time a good record does not need, so :func:`structure`
first tries a **fast path**: a second converter, generated once per record class by
cattrs (``make_dict_structure_fn`` without detailed validation), with the same type
hooks and each field's check left to the class's own attrs validator, accepting only
plain dicts (an object with a repeated key is a ``_Object``). A record it builds is
the record; anything it refuses is read again by the detailed converter, so every
message still comes from one place. ``tests/test_structure_fast_path.py`` holds the two
to the same answers on good and mutated bad records.

:func:`json_schema` publishes the same format as a JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from poverty_core._text import Text
from poverty_core.checks import Check
from poverty_core.codes import CODE_LISTS, Code
from poverty_core.errors import InputError, Problem, UnknownName
from poverty_core.model import (
    County,
    FieldValueError,
    Household,
    Person,
    StatusEvent,
    Village,
    age_contradiction,
    duplicate_ids,
    duplicate_member_message,
    part_whole_problems,
)
from poverty_core.privacy import mask_id_number
from poverty_core.structuring import Builder, checks_across_fields, compile_builder

__all__ = [
    "RECORD_TYPES",
    "age_problem",
    "json_schema",
    "loads_json",
    "register_code_list",
    "register_record_class",
    "repeated_keys",
    "structure",
    "structure_many",
    "unstructure",
]

R = TypeVar("R")

RECORD_TYPES: dict[str, type[Any]] = {
    "household": Household,
    "village": Village,
    "county": County,
}
"""The record kinds a caller can submit, by name."""

_MODEL_CLASSES = (Person, StatusEvent, Household, Village, County)


class _BadValue(ValueError):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.text = message


_ID_LIKE = re.compile(r"\d{14,17}[\dXx]")


def _show(value: Any) -> str:
    """A value for an error message: short, and never an ID number in full."""
    text = _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _expect(kind_zh: str, kind_en: str, value: Any) -> _BadValue:
    return _BadValue(
        Text(f"应为{kind_zh}（实为 {_show(value)}）", f"expected {kind_en} (got {_show(value)})")
    )


def _str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _expect("文本", "text", value)
    return value


def _int(value: Any, _: Any) -> int:
    if isinstance(value, bool):
        raise _expect("整数", "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _expect("整数", "an integer", value)


def _float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expect("数值", "a number", value)
    if not math.isfinite(value):
        raise _expect("有限数值", "a finite number", value)
    return float(value)


def _bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _expect("true 或 false", "true or false", value)
    return value


def _date(value: Any, _: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _expect("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)", value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _expect("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)", value)


def _code(value: Any, cls: type[Code]) -> Code:
    try:
        return cls.parse(value)
    except ValueError:
        codes = ", ".join(f"{m.value}/{m.label.zh}" for m in cls)
        raise _BadValue(
            Text(
                f"{_show(value)} 不是{cls.list_name()}的代码；可用：{codes}",
                f"{_show(value)} is not a {cls.list_name()} code; expected one of: {codes}",
            )
        ) from None


def _is_tuple_type(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _tuple_hook(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Lists become tuples; anything else (a string, a number) is one problem, not one
    per character."""

    def hook(value: Any, tp: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise _expect("列表", "a list", value)
        item_type = typing.get_args(tp)[0]
        item_hook = conv.get_structure_hook(item_type)
        errors: list[Exception] = []
        out = []
        for i, item in enumerate(value):
            try:
                out.append(item_hook(item, item_type))
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"@ index {i}", i, item_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"while structuring {tp!r}", errors, tp)
        return tuple(out)

    return hook


def _field_hook(
    base: Callable[[Any, Any], Any],
    base_type: Any,
    *,
    optional: bool,
    check: Callable[[Any], Text | None] | None,
) -> Callable[[Any, Any], Any]:
    """The structure hook of one field: ``None`` passes for an optional field, the value
    is structured by the base type's hook, then range-checked."""

    def hook(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        result = base(value, base_type)
        if check is not None:
            message = check(result)
            if message is not None:
                raise _BadValue(message)
        return result

    return hook


def _register(conv: cattrs.Converter, cls: type[Any]) -> None:
    overrides: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for a in attrs.fields(cls):
        # Every field gets a hook resolved once here: cattrs' generic Optional
        # handling would dispatch on the type for every value.
        hint = hints[a.name]
        base_type = _non_none(hint)
        overrides[a.name] = override(
            struct_hook=_field_hook(
                conv.get_structure_hook(base_type),
                base_type,
                optional=base_type is not hint,
                check=a.metadata.get("check"),
            )
        )
    conv.register_structure_hook(
        cls, make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **overrides)
    )
    conv.register_unstructure_hook(
        cls, make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)
    )


def _register_fast(conv: cattrs.Converter, cls: type[Any]) -> None:
    """The fast path's structure function of ``cls``: the same type hooks, no error
    collection, and a field's check left to the class's own attrs validator when it
    runs the same check (as every core field's does), so no check runs twice."""
    hints = typing.get_type_hints(cls)
    overrides: dict[str, Any] = {
        a.name: override(struct_hook=_fast_field(conv, a, hints[a.name])[3])
        for a in attrs.fields(cls)
    }
    build = make_dict_structure_fn(
        cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=False, **overrides
    )

    def hook(value: Any, tp: Any) -> Any:
        # Only a plain dict: a parsed object with a repeated key (``_Object``) takes
        # the detailed path, which reports the key.
        if type(value) is not dict:
            raise _expect("JSON 对象", "a JSON object", value)
        return build(value, tp)

    conv.register_structure_hook(cls, hook)


def _fast_field(conv: cattrs.Converter, a: attrs.Attribute[Any], hint: Any) -> Any:
    """Field ``a``'s base type, whether it may be ``None``, the base type's hook and the
    field's fast-path hook (with the check when no validator runs it)."""
    base_type = _non_none(hint)
    check = a.metadata.get("check")
    base = conv.get_structure_hook(base_type)
    optional = base_type is not hint
    checked = None if _validated(a, check) else check
    return base_type, optional, base, _fast_field_hook(base, base_type, optional, checked)


_BUILDERS: dict[type[Any], Builder | None] = {}
"""Each record class's generated builder (:mod:`poverty_core.structuring`), made on
first use; ``None`` for a class it cannot build (the cattrs fast path builds it)."""

_STRICT: dict[type[Any], Any] = {str: _str, bool: _bool, int: _int, float: _float, Code: _code}


def _builder(cls: type[Any]) -> Builder | None:
    """The fast builder of ``cls`` (compiled once; the registrations below drop them)."""
    try:
        return _BUILDERS[cls]
    except KeyError:
        pass
    build = None
    if isinstance(cls, type) and cls in _FAST_CLASSES:
        hints = typing.get_type_hints(cls)
        build = compile_builder(
            cls, lambda a: _fast_field(_FAST, a, hints[a.name]), _STRICT, _builder
        )
    _BUILDERS[cls] = build
    if build is not None and checks_across_fields(cls):
        _SELF_CHECKED.add(cls)
    return build


_SELF_CHECKED: set[type[Any]] = set()
"""Classes whose builder runs every check of :func:`_cross_field_problems` itself."""


def _validated(a: attrs.Attribute[Any], check: Any) -> bool:
    """True when the attrs validator of field ``a`` runs ``check`` itself."""
    if check is None:
        return True
    validators = a.validator if isinstance(a.validator, list | tuple) else [a.validator]
    found = [getattr(v, "check", None) for v in validators]
    inner = getattr(a.validator, "_validators", None)  # attrs.validators.and_(...)
    if inner is not None:
        found += [getattr(v, "check", None) for v in inner]
    return check in found


def _fast_field_hook(
    base: Callable[[Any, Any], Any],
    base_type: Any,
    optional: bool,
    check: Callable[[Any], Text | None] | None,
) -> Callable[[Any, Any], Any]:
    """:func:`_field_hook` for the fast path (the message is the detailed path's job)."""
    if typing.get_origin(base_type) is dict:  # a mapping field: its objects are walked
        inner = base

        def base(value: Any, tp: Any) -> Any:
            if _has_repeats(value):
                raise _expect("JSON 对象", "a JSON object", value)
            return inner(value, tp)

    if check is not None:
        return _field_hook(base, base_type, optional=optional, check=check)
    if not optional:
        return lambda value, _: base(value, base_type)
    if base is _str:
        return _str_or_none
    if base is _bool:
        return _bool_or_none
    if base is _int:
        return _int_or_none
    if base is _float:
        return _float_or_none
    if base is _code:
        parse = base_type.parse
        return lambda value, _: None if value is None else parse(value)

    def hook(value: Any, _: Any) -> Any:
        return None if value is None else base(value, base_type)

    return hook


# The fast path's hooks of optional fields: one call for a good or empty value, the
# strict hook for anything else (which accepts or refuses it as the detailed path does).


def _str_or_none(value: Any, _: Any) -> str | None:
    return value if value is None or isinstance(value, str) else _str(value, _)


def _bool_or_none(value: Any, _: Any) -> bool | None:
    return value if value is None or value is True or value is False else _bool(value, _)


def _int_or_none(value: Any, _: Any) -> int | None:
    return value if value is None or type(value) is int else _int(value, _)


def _float_or_none(value: Any, _: Any) -> float | None:
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):
        return value
    return _float(value, _)


def _fast_tuple_hook(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Lists become tuples, stopping at the first bad item (the fast path). The item
    hook is looked up on each call, as the detailed path does, so a record class
    registered later (a pack's) is found."""

    def hook(value: Any, tp: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise _expect("列表", "a list", value)
        item_type = typing.get_args(tp)[0]
        item_hook = conv.get_structure_hook(item_type)
        return tuple([item_hook(item, item_type) for item in value])

    return hook


def _make_converter(*, fast: bool = False) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=not fast)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(dt.date, _date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    # Codes are str subclasses: register each list by class so the strict str hook
    # (found by singledispatch for subclasses) does not take them.
    for code_cls in CODE_LISTS.values():
        conv.register_structure_hook(code_cls, _code)
        conv.register_unstructure_hook(code_cls, lambda v: v.value)
    conv.register_structure_hook_func(
        _is_tuple_type, _fast_tuple_hook(conv) if fast else _tuple_hook(conv)
    )
    for cls in _MODEL_CLASSES:
        if fast:
            _register_fast(conv, cls)
        else:
            _register(conv, cls)
    return conv


def _non_none(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


_FAST_CLASSES: set[type[Any]] = set(_MODEL_CLASSES)
"""The classes the fast converter knows (a builder is made only for these)."""
_CONVERTER = _make_converter()
_FAST = _make_converter(fast=True)
"""The fast path of :func:`structure`: a good record is built by it alone; a record it
refuses is read again by ``_CONVERTER``, which reports every problem with its path."""


def register_code_list(cls: type[Code]) -> None:
    """Teach the converter a code list made at run time (a pack's taxonomy)."""
    for conv in (_CONVERTER, _FAST):
        conv.register_structure_hook(cls, _code)
        conv.register_unstructure_hook(cls, lambda v: v.value)
    _BUILDERS.clear()
    _SELF_CHECKED.clear()


def register_record_class(cls: type[Any]) -> None:
    """Teach the converter a record class made at run time (a pack's subclass of a core
    class, :mod:`poverty_core.vocabulary`): its own hooks, so that its added fields are
    read, checked and written as core fields are."""
    _register(_CONVERTER, cls)
    _register_fast(_FAST, cls)
    _FAST_CLASSES.add(cls)
    _BUILDERS.clear()
    _SELF_CHECKED.clear()


def _problems(exc: BaseException, path: str) -> list[Problem]:
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        out: list[Problem] = []
        for sub, note in with_notes:
            index = note.index
            out += _problems(
                sub, _join(path, index) if isinstance(index, str) else f"{path}[{index}]"
            )
        for sub in without:
            out += _problems(sub, path)
        return out
    if isinstance(exc, ClassValidationError):
        with_notes_c, without_c = exc.group_exceptions()
        out = []
        for sub, cnote in with_notes_c:
            out += _problems(sub, _join(path, cnote.name))
        for sub in without_c:
            out += _problems(sub, path)
        return out
    if isinstance(exc, FieldValueError):
        return [Problem(_join(path, exc.field) if exc.field else path or "$", exc.text)]
    if isinstance(exc, _BadValue):
        return [Problem(path or "$", exc.text)]
    if isinstance(exc, ForbiddenExtraKeysError):
        keys = ", ".join(sorted(exc.extra_fields))
        return [Problem(path or "$", Text(f"未知字段：{keys}", f"unknown field(s): {keys}"))]
    if isinstance(exc, KeyError):
        return [Problem(path or "$", Text("缺少必填字段", "required field missing"))]
    if isinstance(exc, TypeError | AttributeError) and not isinstance(exc, _BadValue):
        return [Problem(path or "$", Text("结构不符（应为对象/列表）", f"wrong shape: {exc}"))]
    return [Problem(path or "$", Text(f"无效取值：{exc}", f"invalid value: {exc}"))]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def structure(data: Any, cls: type[R], *, path: str = "") -> R:
    """Build one record of type ``cls`` from a JSON-compatible dict.

    Raises :class:`~poverty_core.errors.InputError` listing every bad field.

    >>> from poverty_core import Household
    >>> structure({"id": "h1", "members": [{"id": "p1", "age": -3}]}, Household)
    Traceback (most recent call last):
    ...
    poverty_core.errors.InputError: household has 1 problem:
      members[0].age: age must be 0–150 (got -3)
    """
    # The fast path: a good record is built once, with no error collection (and no
    # object with a repeated key passes it). Anything it refuses is read again by the
    # detailed path, so every message comes from one place.
    try:
        build = _BUILDERS[cls] if cls in _BUILDERS else _builder(cls)
        record: R = _FAST.structure(data, cls) if build is None else build(data)
    except Exception:  # the detailed path reports it
        return _structure_detailed(data, cls, path)
    # A record that its class's own validators and part checks accepted has no
    # problem across fields (they are the same checks on the values built from data).
    if cls not in _SELF_CHECKED and _cross_field_problems(data, cls, path):
        return _structure_detailed(data, cls, path)
    return record


def _structure_detailed(data: Any, cls: type[R], path: str = "") -> R:
    """:func:`structure` with every problem collected and reported with its path — what
    :func:`structure` does with a record its fast path refuses (and the reference the
    fast path is tested against)."""
    what = getattr(cls, "KIND", cls.__name__)
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    path or "$",
                    Text("应为 JSON 对象", f"expected a JSON object (got {_show(data)})"),
                )
            ],
            what=what,
        )
    # Rules across fields are checked on the raw data too, so that they are reported
    # with every other problem (cattrs builds a record only when all its fields are good).
    problems = repeated_keys(data, path) + _cross_field_problems(data, cls, path)
    try:
        record = _CONVERTER.structure(data, cls)
    except (ClassValidationError, IterableValidationError, FieldValueError, _BadValue) as exc:
        seen = {p.path for p in problems}
        problems += [p for p in _problems(exc, path) if p.path not in seen]
    if problems:
        raise InputError(problems, what=what)
    return record


def age_problem(age: Any, birth_date: Any, on: dt.date, birth_where: str) -> Text | None:
    """The message for a stated ``age`` that contradicts ``birth_date`` by more than a
    year on ``on`` (the register's date), naming the birth date's cell ``birth_where``;
    ``None`` when they agree or one is unknown.

    >>> print(age_problem(8, dt.date(1976, 5, 1), dt.date(2016, 12, 31), "m.csv:4:birth_date").en)
    age 8 contradicts the date of birth 1976-05-01 (m.csv:4:birth_date): 40 on 2016-12-31
    """
    if not isinstance(age, int) or isinstance(age, bool) or not isinstance(birth_date, dt.date):
        return None
    derived = age_contradiction(age, birth_date, on)
    if derived is None:
        return None
    return Text(
        f"年龄 {age} 与出生日期 {birth_date}（{birth_where}）不符：到 {on} 应为 {derived} 岁",
        f"age {age} contradicts the date of birth {birth_date} ({birth_where}): {derived} on {on}",
    )


class _Object(dict[str, Any]):
    """A JSON object in which some keys were given more than once (the last value kept,
    as :func:`json.loads` does; :func:`repeated_keys` reports them)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in out and key not in repeated:
            repeated.append(key)
        out[key] = value
    if not repeated:
        return out
    marked = _Object(out)
    marked.repeated = tuple(repeated)
    return marked


def loads_json(text: str | bytes) -> Any:
    """Parse JSON like :func:`json.loads`, remembering every key given twice in one
    object, for :func:`repeated_keys` (and :func:`structure`, which reports them)."""
    return json.loads(text, object_pairs_hook=_object)


def _has_repeats(data: Any) -> bool:
    """True when an object of ``data`` has a repeated key (:func:`repeated_keys` says
    where): a walk without paths, for the fast path."""
    stack = [data]
    while stack:
        value = stack.pop()
        if type(value) is _Object:
            return True
        for item in value.values() if isinstance(value, dict) else value:
            if isinstance(item, dict | list):
                stack.append(item)
    return False


def repeated_keys(data: Any, path: str = "") -> list[Problem]:
    """A problem for each key given more than once in an object of ``data`` (parsed by
    :func:`loads_json`), at the path of the key: a repeated key is an input error, never
    "the last value wins".

    >>> for p in repeated_keys(loads_json('{"members": [{"age": 1, "age": 9}]}')):
    ...     print(p.format())
    members[0].age: key 'age' is given more than once in this object
    """
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key in getattr(value, "repeated", ()):
                problems.append(
                    Problem(
                        _join(where, key),
                        Text(
                            f"字段 {key!r} 在同一对象中出现了不止一次",
                            f"key {key!r} is given more than once in this object",
                        ),
                    )
                )
            # Only objects and arrays can hold a repeated key: no path for a plain value.
            stack += [
                (_join(where, str(k)), v)
                for k, v in reversed(value.items())
                if isinstance(v, (dict, list))
            ]
        elif isinstance(value, list):
            stack += [
                (f"{where}[{i}]", v)
                for i, v in reversed(list(enumerate(value)))
                if isinstance(v, (dict, list))
            ]
    return problems


def _cross_field_problems(data: dict[str, Any], cls: type[Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    members = data.get("members")
    if isinstance(cls, type) and issubclass(cls, Household) and isinstance(members, list):
        ids = [
            m.get("id") if isinstance(m, dict) and isinstance(m.get("id"), str) else None
            for m in members
        ]
        for i, member_id, first in duplicate_ids(ids):
            problems.append(
                Problem(_join(path, f"members[{i}].id"), duplicate_member_message(member_id, first))
            )
    for part, message in part_whole_problems(cls, data.get):
        problems.append(Problem(_join(path, part), message))
    return problems


def structure_many(items: Iterable[Any], cls: type[R], *, name: str = "records") -> list[R]:
    """Build many records; one :class:`~poverty_core.errors.InputError` lists every problem.

    Paths are prefixed with ``name[i]`` (``households[3].members[1].age``). Two records
    with one id are an error too.
    """
    out: list[R] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        try:
            record = structure(item, cls, path=f"{name}[{i}]")
        except InputError as err:
            problems += err.problems
            continue
        rid = getattr(record, "id", None)
        if isinstance(rid, str):
            if rid in seen:
                problems.append(
                    Problem(
                        f"{name}[{i}].id",
                        Text(
                            f"编号 {_show(rid)} 与 {name}[{seen[rid]}] 重复",
                            f"id {_show(rid)} repeats {name}[{seen[rid]}]",
                        ),
                    )
                )
            else:
                seen[rid] = i
        out.append(record)
    if problems:
        raise InputError(problems, what=name)
    return out


def unstructure(record: Any) -> Any:
    """A JSON-compatible form of a record (fields left unknown are omitted)."""
    return _CONVERTER.unstructure(record)


# -- JSON Schema -----------------------------------------------------------------


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a, defs) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        if type(None) in args:
            return {"anyOf": [schema, {"type": "null"}]}
        return schema
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    if isinstance(tp, type) and attrs.has(tp):
        _class_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if isinstance(tp, type) and issubclass(tp, Code):
        return {
            "type": "string",
            "enum": list(
                dict.fromkeys(
                    [m.value for m in tp] + [m.label.zh for m in tp] + [m.label.en for m in tp]
                )
            ),
            "description": "; ".join(f"{m.value} = {m.label.zh} ({m.label.en})" for m in tp),
        }
    simple: dict[Any, dict[str, Any]] = {
        str: {"type": "string"},
        int: {"type": "integer"},
        float: {"type": "number"},
        bool: {"type": "boolean"},
        dt.date: {"type": "string", "format": "date"},
    }
    return dict(simple[tp])


def _class_schema(cls: type[Any], defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder against recursion
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for a in attrs.fields(cls):
        schema = _type_schema(hints[a.name], defs)
        label: Text = a.metadata["label"]
        check = a.metadata.get("check")
        extra = check.json_schema() if isinstance(check, Check) else {}
        if extra:
            target = (
                schema["anyOf"][0] if "anyOf" in schema and len(schema["anyOf"]) == 2 else schema
            )
            target.update(extra)
        schema["title"] = label.zh
        schema["description"] = label.en + ("; personal data" if a.metadata.get("personal") else "")
        props[a.name] = schema
        if a.default is attrs.NOTHING:
            required.append(a.name)
    defs[cls.__name__] = {
        "type": "object",
        "title": cls.__name__,
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def json_schema(kind: str = "household", *, pack: Any = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record kind: household, village or county;
    with ``pack`` (a loaded :class:`~poverty_core.packs.Pack`), of the pack's record class,
    its declared fields included."""
    if kind not in RECORD_TYPES:
        raise UnknownName(Text("记录类型", "record kind"), kind, list(RECORD_TYPES))
    defs: dict[str, Any] = {}
    cls = RECORD_TYPES[kind] if pack is None else pack.record_type(kind)
    _class_schema(cls, defs)
    root = dict(defs.pop(cls.__name__))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://poverty-core.invalid/schema/{kind}.json"
        if pack is None
        else f"https://poverty-core.invalid/schema/{pack.name}/{kind}.json",
        **root,
        "$defs": defs,
    }
