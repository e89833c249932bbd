"""Blocks a pack author names by id and the pack binds when it is assembled.

* :func:`inherited` — the parent pack's criterion of the same (or another) id, so that
  a child's override can say "the parent's test, and also …" without copying it. It is
  bound when the pack is assembled, so a later change to the parent reaches the child,
  and on each date it evaluates the parent's version that governs then (an override of
  the parent governs in its own period, the version it replaces outside it).
* :func:`taxonomy` — the codes of one of the pack's taxonomies, as an operand of
  ``isin`` (``field("housing_form").isin(taxonomy("housing_forms"))``), so no code list
  is restated in a rule.
* :func:`reference` — reference data the caller supplies per run (a set of keys or a
  table), declared by the pack in ``data/references/<name>.toml``
  (:mod:`poverty_core.references`); evaluated from the run's data, never bound at
  assembly, and unknown (naming ``reference:<name>``) when the run has none.

A pack's assembly replaces these placeholders (:func:`bind`); evaluating one that is not
bound is a programming error with a clear message. The tree rewrite here is generic over
the attrs fields of the expression classes, so a new block needs no change to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np

from poverty_core._text import Language
from poverty_core.expressions import (
    Const,
    Expr,
    Folded,
    Many,
    Namer,
    One,
    OneFn,
    ParamSource,
    Ref,
    Reference,
)
from poverty_core.frame import Vec
from poverty_core.rules import Criterion, in_force_on, versions_of

__all__ = ["Inherited", "Reference", "TaxonomyCodes", "bind", "inherited", "reference", "taxonomy"]

Array = Any


def _unbound(what: str) -> RuntimeError:
    return RuntimeError(
        f"{what} is bound when its pack is assembled; evaluate rules of an assembled pack "
        f"(poverty_core.load_pack)"
    )


@attrs.define(eq=False)
class Inherited(Expr):
    """The test of a criterion the pack inherits, in the version that governs on the
    evaluation date (see :func:`inherited`)."""

    criterion: str
    rule: Criterion | None = attrs.field(default=None, repr=False)
    """The parent's criterion (with the versions it overrides), set at assembly."""

    def _version(self, on: dt.date) -> Criterion | None:
        if self.rule is None:
            raise _unbound(f"inherited({self.criterion!r})")
        version: Criterion | None = in_force_on(self.rule, on)
        return version

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        if self.rule is None:  # raised where it is evaluated, as for a batch
            return self._unbound_fn
        version = self._version(as_of)
        return Folded(None) if version is None else version.test.one_fn(params, as_of)

    def _unbound_fn(self, scope: One) -> Any:
        raise _unbound(f"inherited({self.criterion!r})")

    def _many(self, scope: Many) -> Vec:
        version = self._version(scope.as_of)
        if version is None:
            return Vec(np.zeros(scope.n, dtype=np.bool_), np.zeros(scope.n, dtype=np.bool_))
        return version.test.many(scope)

    def children(self) -> Sequence[Expr]:
        """The tests of every version (what the criterion may read on some date)."""
        if self.rule is None:
            return ()
        return tuple(v.test for v in versions_of(self.rule))

    def blame_one(self, scope: One) -> list[Ref]:
        version = self._version(scope.as_of)
        return [] if version is None else version.test.blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        version = self._version(scope.as_of)
        return {} if version is None else version.test.blame_many(scope, rows)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        if self.rule is None:
            return f"inherited({self.criterion})"
        title = self.rule.title[language]
        return f"上级包的「{title}」" if language == "zh" else f"the parent's '{title}'"

    def value_kind(self, subject: type[Any]) -> str:
        return "bool"


@attrs.define(eq=False)
class TaxonomyCodes(Expr):
    """The codes of a taxonomy of the pack; replaced by a constant at assembly."""

    taxonomy: str

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        def unbound(scope: One) -> Any:  # raised where it is evaluated, as for a batch
            raise _unbound(f"taxonomy({self.taxonomy!r})")

        return unbound

    def _many(self, scope: Many) -> Vec:
        raise _unbound(f"taxonomy({self.taxonomy!r})")

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return f"taxonomy({self.taxonomy})"

    def value_kind(self, subject: type[Any]) -> str:
        return "list"


def inherited(criterion: str) -> Expr:
    """The parent pack's criterion ``criterion`` as a test, bound when the pack is
    assembled. Use it in an override to extend the parent's test instead of copying it:

    >>> from poverty_core.expressions import all_of, field
    >>> test = all_of(inherited("safe_housing"), field("house_renovated"))
    """
    return Inherited(criterion)


def taxonomy(id: str) -> Expr:
    """The codes of the pack's taxonomy ``id`` (its own or inherited), as an ``isin``
    operand: ``field("housing_form").isin(taxonomy("housing_forms"))``."""
    return TaxonomyCodes(id)


def reference(name: str) -> Reference:
    """Reference data ``name`` that the caller supplies for the run — declared by the pack
    (``data/references/<name>.toml``), passed like an override
    (``pack.decide(..., references={name: ...})``, ``--reference NAME=FILE``).

    A ``set`` (or a table's keys) is an ``isin`` operand; a table's column is read with
    :meth:`~poverty_core.expressions.Reference.column`. A run that does not supply the
    data leaves the test unknown, naming ``reference:<name>`` as missing:

    >>> from poverty_core.expressions import any_member, member, field
    >>> in_payroll = any_member(member("id_number").isin(reference("public_payroll")))
    >>> rank = reference("pairing_table").column("rank", key=field("pairing_cadre"))
    >>> [r.label() for r in rank.refs()]
    ['pairing_cadre', 'reference:pairing_table']
    """
    return Reference(name)


def rewrite(expr: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """``expr`` with every node for which ``fn`` returns a replacement replaced
    (bottom-up over the attrs fields that hold expressions)."""
    replaced = fn(expr)
    if replaced is not None:
        return replaced
    if not attrs.has(type(expr)):
        return expr
    changes: dict[str, Any] = {}
    for a in attrs.fields(cast(Any, type(expr))):
        if not a.init:
            continue
        value = getattr(expr, a.name)
        if isinstance(value, Expr):
            new = rewrite(value, fn)
            if new is not value:
                changes[a.name] = new
        elif isinstance(value, tuple) and value and all(isinstance(v, Expr) for v in value):
            items = tuple(rewrite(v, fn) for v in value)
            if any(n is not o for n, o in zip(items, value, strict=True)):
                changes[a.name] = items
    return cast(Expr, attrs.evolve(cast(Any, expr), **changes)) if changes else expr


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, depth first (through bound inherited tests too)."""
    yield expr
    for child in expr.children():
        yield from walk(child)


def bind(
    expr: Expr,
    *,
    parent_criteria: Mapping[str, Criterion],
    taxonomies: Mapping[str, Sequence[Any]],
    problems: list[str],
    where: str,
) -> Expr:
    """Bind the late blocks of ``expr``: each :class:`Inherited` to the parent's criterion,
    each :class:`TaxonomyCodes` to a constant tuple of codes. What cannot be bound is
    appended to ``problems`` (naming ``where``)."""

    def one(node: Expr) -> Expr | None:
        if isinstance(node, Inherited) and node.rule is None:
            rule = parent_criteria.get(node.criterion)
            if rule is None:
                problems.append(f"{where}: inherited({node.criterion!r}): the parent has none")
                return node
            return Inherited(node.criterion, rule)
        if isinstance(node, TaxonomyCodes):
            codes = taxonomies.get(node.taxonomy)
            if codes is None:
                problems.append(f"{where}: taxonomy({node.taxonomy!r}) is not in the pack")
                return node
            return Const(tuple(codes))
        return None

    return rewrite(expr, one)
