"""One-record evaluation of a member condition, member by member, without a scope per
member.

A member aggregation (``any``/``all``/``count`` over a household's members) evaluates
its condition on each member. Through :meth:`Expr.one_fn
<poverty_core.expressions.Expr.one_fn>` that needs a :class:`One` scope per member;
here the blocks a member condition is usually made of — a member's field, a household
field, a comparison, ``isin``, ``and`` / ``or`` / ``not`` — are compiled into closures
that take the household's scope and the member directly (:data:`MemberFn`). Every
other block is evaluated as before, through its one-record closure on a member scope
made for the call (:func:`_through_scope`). The closures are the blocks'
``_compile_one`` semantics with the person passed in, written alongside them for this
one purpose (hand-written: no library compiles these); ``tests/test_compiled_one.py``
holds them equal to the scope path. A ``between`` (two comparisons of one value) reads
the value once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from poverty_core.expressions.base import _OPS, And, Compare, Expr, IsIn, Not, Or
from poverty_core.expressions.leaves import _PLAIN, Field, Member, _value
from poverty_core.expressions.scope import Folded, One, ParamSource, _negated
from poverty_core.model import Person, age_on

_AGE_ON = Person.age_on

__all__ = ["MemberFn", "member_fn"]

MemberFn = Callable[[One, Any], Any]
"""A condition's value on one member: ``fn(scope, person)`` with ``scope`` the
household's (its record, run and cache) and ``person`` the member; ``None`` when
unknown. A :class:`Folded` (its value whatever the member) is one too."""

_KEPT_RUNS = 8


def member_fn(expr: Expr, params: ParamSource, as_of: dt.date) -> MemberFn:
    """``expr``'s evaluator on one member for the parameter values ``params`` on
    ``as_of``, compiled once and kept on the block for the last few runs (as
    :meth:`Expr.one_fn <poverty_core.expressions.Expr.one_fn>` keeps its own)."""
    key = (id(params), as_of)
    fns: dict[tuple[int, dt.date], tuple[ParamSource, MemberFn]]
    try:
        fns = expr.__dict__["_member_fns"]
    except KeyError:
        fns = expr.__dict__["_member_fns"] = {}
    hit = fns.get(key)
    if hit is not None and hit[0] is params:
        return hit[1]
    compile_ = _COMPILERS.get(type(expr), _through_scope)
    fn = compile_(expr, params, as_of)
    if len(fns) >= _KEPT_RUNS:
        fns.clear()
    fns[key] = (params, fn)
    return fn


def _through_scope(expr: Expr, params: ParamSource, as_of: dt.date) -> MemberFn:
    """Any block: its one-record closure on a member scope sharing the household's cache."""
    fn = expr.one_fn(params, as_of)
    if isinstance(fn, Folded):
        return fn

    def on_member(scope: One, person: Any) -> Any:
        return fn(One(scope.record, scope.as_of, scope.params, person, scope.cache))

    return on_member


def _member(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    name = expr.name
    if name == "age":

        def read_age(scope: One, person: Any) -> Any:
            if person.__class__.age_on is not _AGE_ON:  # a class of its own: its method
                return person.age_on(as_of)
            born = person.birth_date  # Person.age_on, inline
            return person.age if born is None else age_on(born, as_of)

        return read_age

    def read_member(scope: One, person: Any) -> Any:
        value = getattr(person, name, None)  # a pack's field on a core person: unknown
        return value if value is None or value.__class__ in _PLAIN else _value(value)

    return read_member


def _field(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    fn = expr.one_fn(params, as_of)  # the household's field: the member does not matter

    def read_field(scope: One, person: Any) -> Any:
        return fn(scope)

    return read_field


def _compare(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    whole = expr.one_fn(params, as_of)
    if isinstance(whole, Folded):
        return whole
    op = _OPS[expr.op]
    left, right = member_fn(expr.left, params, as_of), member_fn(expr.right, params, as_of)
    if isinstance(right, Folded) and right.value is not None:
        b = right.value

        def compare_to(scope: One, person: Any) -> Any:
            a = left(scope, person)
            return None if a is None else bool(op(a, b))

        return compare_to

    def compare(scope: One, person: Any) -> Any:
        a, b = left(scope, person), right(scope, person)
        if a is None or b is None:
            return None
        return bool(op(a, b))

    return compare


def _isin(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    whole = expr.one_fn(params, as_of)
    if isinstance(whole, Folded):
        return whole
    value = member_fn(expr.value, params, as_of)
    options = member_fn(expr.options, params, as_of)
    if isinstance(options, Folded) and options.value is not None:
        choices = options.value

        def isin_constants(scope: One, person: Any) -> Any:
            v = value(scope, person)
            return None if v is None else v in choices

        return isin_constants

    def isin(scope: One, person: Any) -> Any:
        v, c = value(scope, person), options(scope, person)
        if v is None or c is None:
            return None
        return v in c

    return isin


def _not(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    whole = expr.one_fn(params, as_of)
    if isinstance(whole, Folded):
        return whole
    part = member_fn(expr.part, params, as_of)

    def negate(scope: One, person: Any) -> Any:
        return _negated(part(scope, person))

    return negate


def _and(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    return _kleene(expr, params, as_of, decisive=False)


def _or(expr: Any, params: ParamSource, as_of: dt.date) -> MemberFn:
    return _kleene(expr, params, as_of, decisive=True)


def _kleene(expr: Any, params: ParamSource, as_of: dt.date, decisive: bool) -> MemberFn:
    """:func:`~poverty_core.expressions.scope._kleene` member by member. Parts folded to
    a constant are settled by the one-record closure: when it is folded (or any part
    is), the member form falls back to it, so the two never differ."""
    whole = expr.one_fn(params, as_of)
    if isinstance(whole, Folded):
        return whole
    parts: Sequence[Expr] = expr.parts
    if any(isinstance(p.one_fn(params, as_of), Folded) for p in parts):
        return _through_scope(expr, params, as_of)
    settled = not decisive  # the value if no part decides
    if all(type(p) is Member and p.name != "age" for p in parts):
        return _fields(tuple(p.name for p in parts), decisive)  # type: ignore[attr-defined]
    # Consecutive comparisons of one value (a ``between``) read it once: Kleene AND and
    # OR are associative, and every comparison of an unknown value is unknown.
    runs: list[list[Expr]] = []
    for p in parts:
        if runs and _one_value([runs[-1][-1], p], params, as_of) is not None:
            runs[-1].append(p)
        else:
            runs.append([p])
    fns = tuple(
        member_fn(run[0], params, as_of)
        if len(run) == 1
        else _shared_value(_one_value(run, params, as_of), decisive)  # type: ignore[arg-type]
        for run in runs
    )
    if len(runs) == 1 and len(runs[0]) > 1:
        return fns[0]  # one comparison run: its own Kleene value

    def kleene(scope: One, person: Any) -> Any:
        result: bool | None = settled
        for fn in fns:
            v = fn(scope, person)
            if v is decisive:
                return decisive
            if v is None:
                result = None
        return result

    return kleene


def _fields(names: tuple[str, ...], decisive: bool) -> MemberFn:
    """The Kleene AND / OR of fields of the member (``insured``: three schemes)."""
    settled = not decisive

    def fields(scope: One, person: Any) -> Any:
        result: bool | None = settled
        for name in names:
            v = getattr(person, name, None)  # a pack's field on a core person: unknown
            if v is not None and v.__class__ not in _PLAIN:
                v = _value(v)
            if v is decisive:
                return decisive
            if v is None:
                result = None
        return result

    return fields


def _one_value(
    parts: Sequence[Expr], params: ParamSource, as_of: dt.date
) -> tuple[MemberFn, list[tuple[Any, Any]]] | None:
    """For parts that all compare one block (the same object, as ``between`` builds
    them) with known constants: that block's evaluator and each ``(op, constant)``."""
    if len(parts) < 2 or not all(type(p) is Compare for p in parts):
        return None
    compares: list[Any] = list(parts)
    left = compares[0].left
    bounds = []
    for c in compares:
        right = c.right.one_fn(params, as_of)
        if c.left is not left or not isinstance(right, Folded) or right.value is None:
            return None
        bounds.append((_OPS[c.op], right.value))
    return member_fn(left, params, as_of), bounds


def _shared_value(shared: tuple[MemberFn, list[tuple[Any, Any]]], decisive: bool) -> MemberFn:
    """The Kleene AND / OR of comparisons of one value: unknown when the value is (every
    comparison is then), else the comparisons in order up to the first decisive one."""
    read, bounds = shared
    settled = not decisive

    def compare_each(scope: One, person: Any) -> Any:
        a = read(scope, person)
        if a is None:
            return None
        for op, b in bounds:
            if bool(op(a, b)) is decisive:
                return decisive
        return settled

    return compare_each


_COMPILERS: dict[type[Any], Callable[[Any, ParamSource, dt.date], MemberFn]] = {
    Member: _member,
    Field: _field,
    Compare: _compare,
    IsIn: _isin,
    Not: _not,
    And: _and,
    Or: _or,
}
"""The blocks compiled member by member (by exact class: a subclass goes through a
scope, as any other block)."""
