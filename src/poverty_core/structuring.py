"""One record class's fast builder: a dict in, the record out, in one generated function.

:func:`poverty_core.convert.structure` first tries a fast path that builds a good
record without collecting problems; anything that path refuses is read again by the
detailed converter, which reports every problem with its path (so every message still
comes from one place). This module writes that fast path for a record class as the
source of one Python function, compiled once per class, the way attrs writes
``__init__`` and cattrs its structure functions. Why by hand: cattrs' generated
function calls one hook per field and then the class's attrs ``__init__``, which calls
a validator per field (``None`` included) — two layers of calls that cost more than the
record's values (about half of reading a household). The generated function reads each
field once, tests the common good value inline (a ``str``, an ``int``, ``True`` /
``False``, a finite ``float``, a code's exact text), hands anything else to the same
hook the converter uses (which accepts or refuses it as that path does), runs each
declared check only on a known value, and sets the fields of a new instance as attrs'
``__init__`` does; converters, other validators and ``__attrs_post_init__`` run as in
``__init__``. Any exception means "refused": the caller reads the record again on the
detailed path. ``tests/test_structure_fast_path.py`` holds the two paths to the same
records and the same problems.

A class the generator does not know how to build exactly (an ``init=False`` or
aliased field, a default that takes ``self``, a cached hash, an ``__attrs_pre_init__``)
gets no builder (:func:`compile_builder` returns ``None``) and keeps the converter's
fast path.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from poverty_core.checks import Check
from poverty_core.codes import Code, _lookup
from poverty_core.model import Household, _Record, _unique_member_ids, _Validator

__all__ = ["Builder", "checks_across_fields", "compile_builder"]

Builder = Callable[[Any], Any]
"""A record class's fast builder: a plain dict in, the record out; any exception means
the dict takes the detailed path."""

Hook = Callable[[Any, Any], Any]


_FACTORY: type[Any] = type(attrs.Factory(list))
"""attrs' class of a default made by a factory (``attrs.Factory`` is typed as a function)."""


class _Refused(ValueError):
    """A value the fast builder does not accept (the detailed path says why)."""


def _refuse(*_: Any) -> Any:
    raise _Refused


def _buildable(cls: type[Any]) -> bool:
    if not attrs.has(cls) or hasattr(cls, "__attrs_pre_init__"):
        return False
    slots = {s for k in cls.__mro__ for s in getattr(k, "__slots__", ())}
    if "__attrs_cached_hash" in slots or "_attrs_cached_hash" in slots:
        return False
    for a in attrs.fields(cls):
        alias = getattr(a, "alias", a.name)
        if not a.init or alias != a.name or a.name.startswith("_"):
            return False
        if isinstance(a.default, _FACTORY) and a.default.takes_self:
            return False
    return True


def _validators(a: attrs.Attribute[Any]) -> list[Any]:
    v = a.validator
    if v is None:
        return []
    inner = getattr(v, "_validators", None)  # attrs.validators.and_(...), a list given
    return list(inner) if inner is not None else [v]


def compile_builder(
    cls: type[Any],
    field_hook: Callable[[attrs.Attribute[Any]], tuple[Any, bool, Hook, Hook]],
    strict: dict[type[Any], Hook],
    builder_of: Callable[[type[Any]], Builder | None],
) -> Builder | None:
    """The fast builder of record class ``cls``, or ``None`` when it cannot be built
    exactly as ``__init__`` builds it (the caller keeps its own fast path then).

    ``field_hook(a)`` gives field ``a``'s base type (``Optional`` removed), whether
    ``None`` is allowed, the converter's hook of the base type and its fast-path hook of
    the field (the field's check included when no validator runs it); ``strict`` the
    converter's hooks of ``str``, ``bool``, ``int``, ``float`` and :class:`Code` lists:
    a value is tested inline only where the base type's hook is that one (what the
    inline test does is what that hook accepts unchanged). ``builder_of(item_class)``
    is the builder of a record class held in a tuple field."""
    if not _buildable(cls):
        return None
    env: dict[str, Any] = {
        "_CLS": cls,
        "_new": object.__new__,
        "_setattr": object.__setattr__,
        "_Refused": _Refused,
        "_isfinite": math.isfinite,
        "_tuple": tuple,
        "_list": list,
        "_dict": dict,
        "_str": str,
        "_int": int,
        "_float": float,
    }
    names = [a.name for a in attrs.fields(cls)]
    env["_KEYS"] = frozenset(names)
    lines = [
        "def build(d):",
        "    if type(d) is not _dict or not d.keys() <= _KEYS:",
        "        raise _Refused",
        "    get = d.get",
        "    self = _new(_CLS)",
        "    _set = _setattr.__get__(self)",
    ]
    late: list[str] = []  # validators that run once every field is set, as in __init__
    for i, a in enumerate(attrs.fields(cls)):
        base_type, optional, base_hook, hook = field_hook(a)
        env[f"_H{i}"] = hook
        env[f"_T{i}"] = base_type
        value_lines = _value_lines(i, a, base_type, base_hook, strict, env, builder_of)
        if a.default is attrs.NOTHING:
            lines.append(f"    v = d[{a.name!r}]")
            lines += [f"    {line}" for line in value_lines]
        elif a.default is None and optional:
            # Missing and null are the same: None (a converter and checks run on it below).
            lines.append(f"    v = get({a.name!r})")
            lines.append("    if v is not None:")
            lines += [f"        {line}" for line in value_lines]
        else:
            if isinstance(a.default, _FACTORY):
                env[f"_D{i}"] = a.default.factory
                default = f"_D{i}()"
            else:
                env[f"_D{i}"] = a.default
                default = f"_D{i}"
            env["_MISSING"] = _MISSING
            lines.append(f"    v = get({a.name!r}, _MISSING)")
            lines.append("    if v is _MISSING:")
            lines.append(f"        v = {default}")
            lines.append("    else:")
            lines += [f"        {line}" for line in value_lines]
        if a.converter is not None:
            env[f"_C{i}"] = a.converter
            lines.append(f"    v = _C{i}(v)")
        for j, validator in enumerate(_validators(a)):
            if isinstance(validator, _Validator):
                # A declared Check's one-value function itself (its __call__ only calls it).
                check = validator.check
                env[f"_K{i}_{j}"] = check.scalar if type(check) is Check else check
                if _passes_none(validator.check):
                    lines.append(f"    if v is not None and _K{i}_{j}(v) is not None:")
                else:
                    lines.append(f"    if _K{i}_{j}(v) is not None:")
                lines.append("        raise _Refused")
            else:
                env[f"_V{i}_{j}"] = validator
                env[f"_A{i}"] = a
                late.append(f"    _V{i}_{j}(self, _A{i}, self.{a.name})")
        slot = _slot(cls, a.name)
        if slot is not None:  # the slot's own setter: no attribute lookup by name
            env[f"_S{i}"] = slot.__set__
            lines.append(f"    _S{i}(self, v)")
        else:
            lines.append(f"    _set({a.name!r}, v)")
    lines += late
    post_init = getattr(cls, "__attrs_post_init__", None)
    if post_init is _Record.__attrs_post_init__ and not cls.PARTS:
        post_init = None  # checks the parts of PARTS: none to check
    if post_init is not None:
        env["_post"] = post_init
        lines.append("    _post(self)")
    lines.append("    return self")
    source = "\n".join(lines)
    code = compile(
        source, f"<poverty_core fast builder {cls.__module__}.{cls.__qualname__}>", "exec"
    )
    exec(code, env)  # the source generated above from the class's own fields
    build: Builder = env["build"]
    return build


_MISSING = object()


def _slot(cls: type[Any], name: str) -> Any:
    """The slot of field ``name`` when ``cls`` keeps it in one (a slotted attrs class),
    found as attribute lookup finds it; ``None`` otherwise."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            return found if type(found) is types.MemberDescriptorType else None
    return None


def _passes_none(check: Callable[[Any], Any]) -> bool:
    """True when ``check`` passes an unknown value (every declared check does)."""
    try:
        return check(None) is None
    except Exception:  # a check that cannot take None: it runs on every value
        return False


def _value_lines(
    i: int,
    a: attrs.Attribute[Any],
    base_type: Any,
    base_hook: Hook,
    strict: dict[type[Any], Hook],
    env: dict[str, Any],
    builder_of: Callable[[type[Any]], Builder | None],
) -> list[str]:
    """Lines turning a given (not missing; for an optional field not ``None``) raw
    value ``v`` into the field's value: the good common value inline, anything else
    through the converter's hook ``_H{i}`` (which accepts or refuses it exactly)."""
    fallback = f"v = _H{i}(v, _T{i})"
    if a.metadata.get("check") is not None and not _checked_by_validator(a):
        return [fallback]  # the hook runs the check itself
    if base_type in (str, bool, int, float) and base_hook is not strict[base_type]:
        return [fallback]
    if base_type is str:
        return ["if type(v) is not _str:", f"    {fallback}"]
    if base_type is bool:
        return ["if v is not True and v is not False:", f"    {fallback}"]
    if base_type is int:
        return ["if type(v) is not _int:", f"    {fallback}"]
    if base_type is float:
        return ["if type(v) is not _float or not _isfinite(v):", f"    {fallback}"]
    if base_type is dt.date:
        return [fallback]
    if isinstance(base_type, type) and issubclass(base_type, Code) and base_hook is strict[Code]:
        table = {k: m for k, m in _lookup(base_type).items() if k == k.strip()}
        env[f"_L{i}"] = table
        return [
            f"m = _L{i}.get(v) if type(v) is _str else None",
            "if m is None:",
            f"    {fallback}",
            "else:",
            "    v = m",
        ]
    if typing.get_origin(base_type) is tuple:
        args = typing.get_args(base_type)
        item = args[0] if args else None
        if isinstance(item, type) and attrs.has(item) and builder_of(item) is not None:
            env[f"_B{i}"] = builder_of(item)
            return [
                "if type(v) is _list:",
                f"    v = _tuple([_B{i}(x) for x in v])",
                "else:",
                f"    {fallback}",
            ]
    return [fallback]


def _checked_by_validator(a: attrs.Attribute[Any]) -> bool:
    check = a.metadata.get("check")
    return any(getattr(v, "check", None) is check for v in _validators(a))


def checks_across_fields(cls: type[Any]) -> bool:
    """True when ``cls``'s ``__init__`` (and so its builder) rejects repeated member
    ids and a part above its whole — the core members validator and
    ``__attrs_post_init__`` — so a record it built has no problem across fields."""
    if getattr(cls, "__attrs_post_init__", None) is not _Record.__attrs_post_init__:
        return False
    if not issubclass(cls, Household):
        return True
    members = attrs.fields_dict(cls)["members"].validator
    return _unique_member_ids in getattr(members, "_validators", [members])
