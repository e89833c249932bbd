"""Blocks that combine or inspect other blocks' values: ``coalesce``, ``where``,
``filled``, ``length``, member aggregations and wrapped Python functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import attrs
import numpy as np

from poverty_core._text import Language, Text
from poverty_core.expressions.base import Expr, Not, _paren
from poverty_core.expressions.leaves import Field
from poverty_core.expressions.members import member_fn
from poverty_core.expressions.scope import (
    Folded,
    Many,
    Namer,
    One,
    OneFn,
    ParamSource,
    Ref,
    RefKind,
    _align,
    _as_objects,
    _common_dtype,
    _fold,
    _full,
    _leaf_blame,
    _merge_blame,
    _negated,
    _record_level,
    _wide,
)
from poverty_core.frame import (
    Array,
    Vec,
)
from poverty_core.model import Person


@attrs.define(eq=False)
class Coalesce(Expr):
    """The first known of several values."""

    options: tuple[Expr, ...]

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        fns: list[OneFn] = []
        last = None  # a constant option that is known ends the options read
        for option in self.options:
            fn = option.one_fn(params, as_of)
            if isinstance(fn, Folded):
                if fn.value is not None:
                    last = fn.value
                    break
                continue
            fns.append(fn)
        options = tuple(fns)

        def coalesce(scope: One) -> Any:
            for option in options:
                value = option(scope)
                if value is not None:
                    return value
            return last

        return coalesce if options else Folded(last)

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        vecs = _align([o.many(scope) for o in self.options], n)
        first = vecs[0]
        values = _wide(first.values, n).astype(_common_dtype(vecs), copy=True)
        known = _wide(first.known, n).copy()
        for other in vecs[1:]:
            take = ~known & _wide(other.known, n)
            values[take] = _wide(other.values, n)[take]
            known |= _wide(other.known, n)
        return Vec(values, known, first.coded)

    def children(self) -> Sequence[Expr]:
        return self.options

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        parts = [o.text(language, namer, subject) for o in self.options]
        return "（缺则）".join(parts) if language == "zh" else " (else) ".join(parts)

    def value_kind(self, subject: type[Any]) -> str:
        return self.options[0].value_kind(subject)


@attrs.define(eq=False)
class Filled(Expr):
    """A text field is filled in (non-blank); unknown when absent. The value itself is
    never reported (it may be a name)."""

    of: Field

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        of = self.of.one_fn(params, as_of)

        def filled(scope: One) -> Any:
            value = of(scope)
            return None if value is None else bool(str(value).strip())

        return _fold(filled, of)

    def _many(self, scope: Many) -> Vec:
        v = _as_objects(self.of.many(scope), scope.n)
        filled = np.fromiter(
            (bool(str(x).strip()) if k else False for x, k in zip(v.values, v.known, strict=True)),
            dtype=np.bool_,
            count=len(v.known),
        )
        return Vec(filled, v.known)

    def children(self) -> Sequence[Expr]:
        return (self.of,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.of.text(language, namer, subject)
        return f"已填写{inner}" if language == "zh" else f"{inner} is filled in"


@attrs.define(eq=False)
class Length(Expr):
    """The number of items of a list field (income projects, visits …)."""

    of: Field

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return self.of.one_fn(params, as_of)  # a list field reads as its number of items

    def _many(self, scope: Many) -> Vec:
        return self.of.many(scope)

    def children(self) -> Sequence[Expr]:
        return (self.of,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.of.text(language, namer, subject)
        return f"{inner}数" if language == "zh" else f"number of {inner}"

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class Where(Expr):
    """``then`` where ``condition`` holds, else ``otherwise`` (unknown condition: the
    value if both branches agree, else unknown)."""

    condition: Expr
    then: Expr
    otherwise: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        condition = self.condition.one_fn(params, as_of)
        then, otherwise = self.then.one_fn(params, as_of), self.otherwise.one_fn(params, as_of)

        def where(scope: One) -> Any:
            c = condition(scope)
            a, b = then(scope), otherwise(scope)
            if c is None:
                return a if a is not None and a == b else None
            return a if c else b

        return _fold(where, condition, then, otherwise)

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        c = self.condition.many(scope)
        a, b = _align([self.then.many(scope), self.otherwise.many(scope)], n)
        dtype = _common_dtype([a, b])
        av = _wide(a.values, n).astype(dtype, copy=False)
        bv = _wide(b.values, n).astype(dtype, copy=False)
        ak, bk = _wide(a.known, n), _wide(b.known, n)
        c_known = _wide(c.known, n)
        pick_a = c_known & _wide(c.values, n).astype(np.bool_, copy=False)
        values = np.where(pick_a, av, bv)
        same = np.asarray(av == bv, dtype=np.bool_)
        known = np.where(c_known, np.where(pick_a, ak, bk), ak & bk & same)
        return Vec(np.where(known, values, np.zeros((), dtype=dtype)), known, a.coded)

    def children(self) -> Sequence[Expr]:
        return (self.condition, self.then, self.otherwise)

    def blame_one(self, scope: One) -> list[Ref]:
        c = self.condition.one(scope)
        if c is None:
            return super().blame_one(scope)
        branch = self.then if c else self.otherwise
        return branch.blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        n = scope.n
        c = self.condition.many(scope)
        known, value = _full(c.known, n), _full(c.values, n)
        out = super().blame_many(scope, rows & ~known)
        for branch, pick in ((self.then, known & value), (self.otherwise, known & ~value)):
            v = branch.many(scope)
            _merge_blame(out, branch.blame_many(scope, rows & pick & ~_full(v.known, n)))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        c = self.condition.text(language, namer, subject)
        a = self.then.text(language, namer, subject)
        b = self.otherwise.text(language, namer, subject)
        if language == "zh":
            return f"{a}（{c}时），否则{b}"
        return f"{a} if {c}, else {b}"

    def value_kind(self, subject: type[Any]) -> str:
        return self.then.value_kind(subject)


# -- member aggregations ---------------------------------------------------------


def _member_values(
    condition: Expr, params: ParamSource, as_of: dt.date
) -> Callable[[One], list[Any]]:
    """Each member's value of ``condition`` on a scope's household, computed once per
    record: kept in the household's cache under the compiled condition (which
    identifies it in the run), so a test and its observed count share it. A negated
    condition's values are its operand's, negated (``all_members(c)`` and
    ``count_members(not_(c))`` evaluate ``c`` once per member)."""
    if isinstance(condition, Not):
        positive = _member_values(condition.part, params, as_of)

        def negated(scope: One) -> list[Any]:
            cache = scope.cache  # kept as the operand's values are
            found: list[Any] | None = cache.get(negated)
            if found is None:
                found = cache[negated] = [_negated(v) for v in positive(scope)]
            return found

        return negated
    fn = member_fn(condition, params, as_of)  # on the member itself: no scope per member

    def values(scope: One) -> list[Any]:
        cache = scope.cache
        found: list[Any] | None = cache.get(fn)
        if found is None:
            found = cache[fn] = [fn(scope, m) for m in scope.record.members]
        return found

    return values


_MEMBERS = object()
"""The key of a record's member scopes in its scope's cache."""


def _member_scopes(scope: One) -> list[One]:
    """The scopes of the members of the scope's household, made once per record. They
    share the household's cache: what is kept there (the member scopes, each member's
    value of a condition) is the household's, whichever member reads it."""
    cache = scope.cache
    found: list[One] | None = cache.get(_MEMBERS)
    if found is None:
        record, as_of, params = scope.record, scope.as_of, scope.params
        found = cache[_MEMBERS] = [
            One(record, as_of, params, person, cache) for person in record.members
        ]
    return found


@attrs.define(eq=False)
class MemberAggregate(Expr):
    """``any`` / ``all`` / ``count`` of a condition over a household's members."""

    how: Literal["any", "all", "count"]
    condition: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        values = _member_values(self.condition, params, as_of)

        if self.how == "count":

            def count(scope: One) -> Any:
                n = 0
                for v in values(scope):
                    if v is None:
                        return None
                    if v:
                        n += 1
                return n

            return count
        decisive = self.how == "any"  # any: a True decides; all: a False decides

        def aggregate(scope: One) -> Any:
            result: bool | None = not decisive
            for v in values(scope):
                if v is decisive:
                    return decisive
                if v is None:
                    result = None
            return result

        return aggregate

    def _many(self, scope: Many) -> Vec:
        if scope.frame.members is None or scope.frame.members.owner is None:
            raise TypeError("member aggregation on records without members")
        if scope.on_members:  # nested: the household's members, seen by each member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            return _record_level(scope, self.many(outer))
        inner = scope.members_scope()
        v = self.condition.many(inner)
        owner = scope.frame.members.owner
        n = scope.frame.n
        m = scope.frame.members.n
        known = np.broadcast_to(v.known, (m,))
        values = np.broadcast_to(v.values, (m,)).astype(np.bool_, copy=False)
        # Scatter marks households (cheaper than weighted counts over every member).
        unknown = np.zeros(n, dtype=np.bool_)
        unknown[owner[~known]] = True
        if self.how == "any":
            hit = np.zeros(n, dtype=np.bool_)
            hit[owner[known & values]] = True
            return Vec(hit, hit | ~unknown)
        if self.how == "all":
            miss = np.zeros(n, dtype=np.bool_)
            miss[owner[known & ~values]] = True
            return Vec(~miss & ~unknown, miss | ~unknown)
        count = np.bincount(owner[known & values], minlength=n).astype(np.float64)
        return Vec(np.where(unknown, 0.0, count), ~unknown)

    def children(self) -> Sequence[Expr]:
        return (self.condition,)

    def blame_one(self, scope: One) -> list[Ref]:
        out: list[Ref] = []
        for inner in _member_scopes(scope):
            if self.condition.one(inner) is None:
                out += self.condition.blame_one(inner)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        members = scope.frame.members
        assert members is not None
        assert members.owner is not None
        if scope.on_members:  # nested: blame the household's members, per member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            mine = np.zeros(scope.frame.n, dtype=np.bool_)
            mine[members.owner[rows]] = True
            return {
                ref: mask[members.owner] & rows
                for ref, mask in self.blame_many(outer, mine).items()
            }
        inner = scope.members_scope()
        v = self.condition.many(inner)
        member_rows = rows[members.owner] & ~_full(v.known, members.n)
        out: dict[Ref, Array] = {}
        for ref, mask in self.condition.blame_many(inner, member_rows).items():
            hit = np.zeros(scope.frame.n, dtype=np.bool_)
            hit[members.owner[mask]] = True  # a scatter: cheaper than weighted counts
            _merge_blame(out, _leaf_blame(ref, hit & rows))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = _paren(self.condition, language, namer, Person)
        zh = {"any": "有成员满足：", "all": "每名成员都满足：", "count": "满足以下条件的成员数："}
        en = {"any": "some member: ", "all": "every member: ", "count": "number of members with "}
        return (zh if language == "zh" else en)[self.how] + inner

    def value_kind(self, subject: type[Any]) -> str:
        return "number" if self.how == "count" else "bool"


@attrs.define(eq=False)
class Function(Expr):
    """A plain Python function of fields and parameters, for the rare rule the blocks
    cannot express.

    It is called as ``fn(*fields, *params)`` — or ``fn(as_of, *fields, *params)`` with
    ``as_of=True`` — with the fields' values (``None`` when unknown; a list field as its
    tuple, ``members`` as the members) and the parameters' values, and returns a value or
    ``None`` (unknown). With ``of_member=True`` the fields are a member's and the block is
    used inside a member aggregation. Batches call it row by row on the records, so prefer
    blocks where they suffice.
    """

    fn: Callable[..., Any]
    fields: tuple[str, ...]
    params: tuple[str, ...]
    description: Text
    with_date: bool = False
    of_member: bool = False

    def _args(self, scope: One) -> list[Any]:
        source = self._source(scope)
        fields = [getattr(source, name) for name in self.fields]
        return fields + [scope.params.get(p) for p in self.params]

    def _source(self, scope: One) -> Any:
        if not self.of_member:
            return scope.record
        if scope.person is None:
            raise TypeError("a member function used outside a member aggregation")
        return scope.person

    def _call(self, as_of: dt.date, args: list[Any]) -> Any:
        return self.fn(as_of, *args) if self.with_date else self.fn(*args)

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        fields, values = self.fields, [params.get(p) for p in self.params]

        def call(scope: One) -> Any:
            source = self._source(scope)
            return self._call(as_of, [getattr(source, name) for name in fields] + values)

        return call

    def _many(self, scope: Many) -> Vec:
        if self.of_member and not scope.on_members:
            raise TypeError("a member function used outside a member aggregation")
        if not self.of_member and scope.on_members:  # the household's value, per member
            outer = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            return _record_level(scope, self.many(outer))
        frame = scope.current
        params = [scope.params.get(p) for p in self.params]
        columns = [frame.python_values(name) for name in self.fields]
        results = (
            [self._call(scope.as_of, [*row, *params]) for row in zip(*columns, strict=True)]
            if columns
            else [self._call(scope.as_of, params) for _ in range(frame.n)]
        )
        n = frame.n
        known = np.fromiter((r is not None for r in results), dtype=np.bool_, count=n)
        if all(isinstance(r, bool) for r in results if r is not None):
            values = np.fromiter((bool(r) for r in results), dtype=np.bool_, count=n)
        else:
            values = np.fromiter(
                (0.0 if r is None else float(r) for r in results), dtype=np.float64, count=n
            )
        return Vec(values, known)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return self.description[language]

    def refs(self) -> Iterator[Ref]:
        kind: RefKind = "member" if self.of_member else "field"
        for name in self.fields:
            yield Ref(kind, name)
        for name in self.params:
            yield Ref("param", name)

    def blame_one(self, scope: One) -> list[Ref]:
        refs = list(self.refs())
        blamed = [r for r, a in zip(refs, self._args(scope), strict=True) if a is None]
        return blamed or refs

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        out: dict[Ref, Array] = {}
        if not self.of_member and scope.on_members:  # the household's, per member
            members = scope.current
            assert members.owner is not None
            outer_scope = Many(scope.frame, scope.as_of, scope.params, cache=scope.cache)
            mine = np.zeros(scope.frame.n, dtype=np.bool_)
            mine[members.owner[rows]] = True
            return {
                ref: mask[members.owner] & rows
                for ref, mask in self.blame_many(outer_scope, mine).items()
            }
        frame = scope.current
        columns = [frame.python_values(name) for name in self.fields]
        params = [scope.params.get(p) for p in self.params]
        refs = list(self.refs())
        for i in np.flatnonzero(rows):
            args = [c[int(i)] for c in columns] + params
            blamed = [r for r, a in zip(refs, args, strict=True) if a is None]
            for ref in blamed or refs:  # as blame_one
                mask = out.setdefault(ref, np.zeros(frame.n, dtype=np.bool_))
                mask[i] = True
        return out
