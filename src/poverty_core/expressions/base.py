"""The base of the blocks, :class:`Expr`, and the blocks its operators build: constants,
parameters, reference data, comparisons, ``isin``, arithmetic and the Kleene connectives
(:func:`all_of`, :func:`any_of`, :func:`not_`).

A block's one-record semantics is written once, as :meth:`Expr._compile_one`: given a
run's parameter values and date it returns a closure of the scope (:data:`OneFn`) with
constants, parameters and the date folded in (:class:`Folded`). :meth:`Expr.one` calls
the closure compiled for the scope's run (:meth:`Expr.one_fn`, made once and kept on the
block), so there is no separate tree walk to keep in step with it; the batch semantics is
:meth:`Expr._many`, and the property tests hold the two equal."""

from __future__ import annotations

import abc
import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from poverty_core._text import Language
from poverty_core.codes import Code
from poverty_core.expressions.scope import (
    Folded,
    Many,
    Namer,
    One,
    OneFn,
    ParamSource,
    Ref,
    _align,
    _all_known,
    _as_objects,
    _bools,
    _encode_constant,
    _fold,
    _full,
    _is_number,
    _kleene,
    _known_false,
    _leaf_blame,
    _merge_blame,
    _negated,
    _scalar,
    _show,
    _unknown,
    _wide,
)
from poverty_core.frame import (
    Array,
    Vec,
    string_id,
)


class Expr(abc.ABC):
    """Base class of expression blocks. Combine with ``< <= > >= & | ~ + - * /``,
    :meth:`eq`, :meth:`ne`, :meth:`isin`, :meth:`between`."""

    _one_fns: dict[tuple[int, dt.date], tuple[ParamSource, OneFn]]
    """The evaluators compiled for the last runs, by parameter source and date (an
    instance attribute, made on first use; not an attrs field, so neither compared,
    copied by ``attrs.evolve`` nor pickled)."""

    def one(self, scope: One) -> Any:
        """Value on one record (``None`` when unknown), by the evaluator compiled for the
        scope's parameter values and date (:meth:`one_fn`)."""
        return self.one_fn(scope.params, scope.as_of)(scope)

    def one_fn(self, params: ParamSource, as_of: dt.date) -> OneFn:
        """This block's one-record evaluator for the parameter values ``params`` on
        ``as_of`` (``_compile_one``), compiled once and kept on the block for the
        last few runs: a run's records pay only for what depends on them."""
        key = (id(params), as_of)
        try:
            fns = self._one_fns
        except AttributeError:
            fns = self._one_fns = {}
        hit = fns.get(key)
        if hit is not None and hit[0] is params:
            return hit[1]
        fn = self._compile_one(params, as_of)
        if len(fns) >= _KEPT_RUNS:
            fns.clear()
        fns[key] = (params, fn)
        return fn

    def many(self, scope: Many) -> Vec:
        """Values on a batch, computed once per evaluation."""
        key = (self, scope.on_members)
        cache = scope.cache
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = self._many(scope)
            return value

    @abc.abstractmethod
    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        """The one-record semantics of the block (each block implements it): a closure
        of the scope giving the value on its record, with whatever does not depend on
        the record — constants, ``params``' values, ``as_of`` — read here, once. Children
        are compiled with :meth:`one_fn`; a value independent of the record is returned
        as :class:`Folded` so that parents fold it in turn."""

    @abc.abstractmethod
    def _many(self, scope: Many) -> Vec:
        """Compute :meth:`many` (each block implements it)."""

    @abc.abstractmethod
    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        """Readable text in one language."""

    def children(self) -> Sequence[Expr]:
        """Sub-expressions."""
        return ()

    def refs(self) -> Iterator[Ref]:
        """Everything read, recursively."""
        for child in self.children():
            yield from child.refs()

    def value_kind(self, subject: type[Any]) -> str:
        """``bool``, ``number``, ``code``, ``date``, ``text`` or ``list``."""
        return "bool"

    # blame: which missing inputs left a value unknown -----------------------------
    def blame_one(self, scope: One) -> list[Ref]:
        """The inputs whose absence makes this value unknown on one record (call only
        when :meth:`one` is ``None``). Inputs that could not change the value — the other
        side of a decided ``and``/``or``, a member who cannot qualify — are not named."""
        out: list[Ref] = []
        for child in self.children():
            if child.one(scope) is None:
                out += child.blame_one(scope)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        """For each input, the rows (among ``rows``, where this value is unknown) whose
        unknown value it is to blame for; the batch form of :meth:`blame_one`."""
        out: dict[Ref, Array] = {}
        for child in self.children():
            v = child.many(scope)
            _merge_blame(out, child.blame_many(scope, _known_false(rows, v.known)))
        return out

    # composition -------------------------------------------------------------
    def __lt__(self, other: Any) -> Expr:
        return Compare("<", self, lit(other))

    def __le__(self, other: Any) -> Expr:
        return Compare("<=", self, lit(other))

    def __gt__(self, other: Any) -> Expr:
        return Compare(">", self, lit(other))

    def __ge__(self, other: Any) -> Expr:
        return Compare(">=", self, lit(other))

    def eq(self, other: Any) -> Expr:
        """``self == other`` (three-valued)."""
        return Compare("==", self, lit(other))

    def ne(self, other: Any) -> Expr:
        """``self != other`` (three-valued)."""
        return Compare("!=", self, lit(other))

    def isin(self, values: Any) -> Expr:
        """``self`` is one of ``values`` (a sequence of constants or a list parameter)."""
        return IsIn(self, values if isinstance(values, Expr) else Const(tuple(values)))

    def between(self, low: Any, high: Any) -> Expr:
        """``low <= self <= high``."""
        return all_of(self >= low, self <= high)

    def is_true(self) -> Expr:
        """Alias used for readability: a boolean expression as a test."""
        return self

    def __and__(self, other: Expr) -> Expr:
        return all_of(self, other)

    def __or__(self, other: Expr) -> Expr:
        return any_of(self, other)

    def __invert__(self) -> Expr:
        return Not(self)

    def __add__(self, other: Any) -> Expr:
        return Arith("+", self, lit(other))

    def __sub__(self, other: Any) -> Expr:
        return Arith("-", self, lit(other))

    def __mul__(self, other: Any) -> Expr:
        return Arith("*", self, lit(other))

    def __truediv__(self, other: Any) -> Expr:
        return Arith("/", self, lit(other))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            "an expression has no truth value; combine with & | ~ or all_of/any_of/not_ "
            "instead of and/or/not"
        )


_KEPT_RUNS = 8
"""How many runs' evaluators a block keeps (a run is one parameter source and date)."""


def lit(value: Any) -> Expr:
    """Wrap a constant (a number, boolean, code, date …) as an expression."""
    return value if isinstance(value, Expr) else Const(value)


@attrs.define(eq=False)
class Const(Expr):
    """A constant."""

    value: Any

    def _encoded(self) -> Any:
        return _encode_constant(self.value)

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return Folded(self._encoded())

    def _many(self, scope: Many) -> Vec:
        return _scalar(self._encoded(), scope.n)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return _show(self.value, language)

    def value_kind(self, subject: type[Any]) -> str:
        v = self.value
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, Code):
            return "code"
        if isinstance(v, dt.date):
            return "date"
        if isinstance(v, int | float):
            return "number"
        if isinstance(v, tuple):
            return "list"
        return "text"


@attrs.define(eq=False)
class Param(Expr):
    """A pack parameter's value on the evaluation date (unknown when it has none)."""

    name: str

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return Folded(params.get(self.name))

    def _many(self, scope: Many) -> Vec:
        value = scope.params.get(self.name)
        if value is None:
            return _unknown(scope.n)
        return _scalar(value, scope.n)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.param(self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("param", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("param", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("param", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class Reference(Expr):
    """The keys of reference data supplied for the run (:func:`poverty_core.blocks.reference`),
    as the options of ``isin``; unknown when the caller did not supply it."""

    name: str

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        data = params.reference(self.name)
        return Folded(None if data is None else data.keys)

    def _many(self, scope: Many) -> Vec:
        data = scope.params.reference(self.name)
        if data is None:
            return _unknown(scope.n)
        cell = np.empty(1, dtype=object)
        cell[0] = data.keys
        return Vec(np.broadcast_to(cell, (scope.n,)), np.broadcast_to(np.bool_(True), (scope.n,)))

    def column(self, column: str, *, key: Any) -> Expr:
        """The ``column`` of the table row whose key is ``key`` (a field, a member field …):
        ``reference("pairing_table").column("rank", key=field("pairing_cadre"))``.
        Unknown when the table is not supplied, the key is unknown or has no row."""
        return Lookup(self.name, lit(key), column)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        return namer.reference(self.name, language)

    def refs(self) -> Iterator[Ref]:
        yield Ref("reference", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        return [Ref("reference", self.name)]

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        return _leaf_blame(Ref("reference", self.name), rows)

    def value_kind(self, subject: type[Any]) -> str:
        return "list"


@attrs.define(eq=False)
class Lookup(Expr):
    """One column of the row of a reference table whose key is ``key`` (text)."""

    name: str
    key: Expr
    column: str

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        data = params.reference(self.name)
        key = self.key.one_fn(params, as_of)
        column = self.column

        def lookup(scope: One) -> Any:
            k = key(scope)
            if data is None or k is None:
                return None
            return data.lookup(_key_text(k), column)

        return _fold(lookup, key)

    def _many(self, scope: Many) -> Vec:
        data = scope.params.reference(self.name)
        n = scope.n
        if data is None:
            return _unknown(n)
        k = _as_objects(self.key.many(scope), n)
        keys, known = _wide(k.values, n), _wide(k.known, n)
        out = np.empty(n, dtype=object)
        found = np.zeros(n, dtype=np.bool_)
        rows = np.flatnonzero(known)
        if rows.size:
            # each distinct key looked up once, then spread to its rows
            texts = np.array([_key_text(x) for x in keys[rows]], dtype=object)
            distinct, inverse = np.unique(texts, return_inverse=True)
            cells = np.array([data.lookup(t, self.column) for t in distinct], dtype=object)
            values = cells[inverse]
            hit = np.array([v is not None for v in cells], dtype=np.bool_)[inverse]
            out[rows], found[rows] = values, hit
        return Vec(out, found)

    def children(self) -> Sequence[Expr]:
        return (self.key,)

    def refs(self) -> Iterator[Ref]:
        yield from self.key.refs()
        yield Ref("reference", self.name)

    def blame_one(self, scope: One) -> list[Ref]:
        if scope.params.reference(self.name) is None:
            return [Ref("reference", self.name)]
        if self.key.one(scope) is None:
            return self.key.blame_one(scope)
        return [Ref("reference", self.name)]  # no row for the key

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        if scope.params.reference(self.name) is None:
            return _leaf_blame(Ref("reference", self.name), rows)
        k = self.key.many(scope)
        key_unknown = rows & ~_full(k.known, scope.n)
        out = self.key.blame_many(scope, key_unknown)
        _merge_blame(out, _leaf_blame(Ref("reference", self.name), rows & ~key_unknown))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        table = namer.reference(self.name, language)
        key = self.key.text(language, namer, subject)
        if language == "zh":
            return f"{table}中{key}所在行的 {self.column}"
        return f"the {self.column} of {key} in {table}"

    def value_kind(self, subject: type[Any]) -> str:
        return "text"


def _key_text(value: Any) -> str:
    """A key as reference data hold it: text, stripped (an ID number as the model keeps
    it: without spaces, upper-case X)."""
    if isinstance(value, Code):
        return str(value.value)
    return str(value).strip()


# -- operators ---------------------------------------------------------------------

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_OP_TEXT = {
    "zh": {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "为", "!=": "不为"},
    "en": {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "is", "!=": "is not"},
}


@attrs.define(eq=False)
class Compare(Expr):
    """``left OP right`` with OP one of ``< <= > >= == !=`` (unknown if a side is)."""

    op: str
    left: Expr
    right: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        op = _OPS[self.op]
        left, right = self.left.one_fn(params, as_of), self.right.one_fn(params, as_of)
        if isinstance(right, Folded) and right.value is not None:  # ``field > param``
            b = right.value

            def compare_to(scope: One) -> Any:
                a = left(scope)
                return None if a is None else bool(op(a, b))

            return _fold(compare_to, left)

        def compare(scope: One) -> Any:
            a, b = left(scope), right(scope)
            if a is None or b is None:
                return None
            return bool(op(a, b))

        return _fold(compare, left, right)

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        a, b = _align([self.left.many(scope), self.right.many(scope)], n)
        # A side always known (a constant, a parameter) leaves the other's mask as is.
        known = b.known if _all_known(a.known) else a.known if _all_known(b.known) else None
        if known is None or known.shape != (n,):
            known = a.known & b.known
        if a.coded and self.op not in ("==", "!="):  # ids do not order as their texts
            a, b = _as_objects(a, n), _as_objects(b, n)
        if a.values.dtype != object and b.values.dtype != object:
            hit = np.asarray(_OPS[self.op](a.values, b.values))
            if hit.shape == (n,) and hit.strides != (0,):
                hit &= known  # a new array: masked in place
                return Vec(hit, known)
            return Vec(hit & known, known)
        # Python objects (free text): compared where both are known, as on one record.
        rows = _wide(known, n)
        out = np.zeros(n, dtype=np.bool_)
        if rows.any():
            left, right = _wide(a.values, n)[rows], _wide(b.values, n)[rows]
            out[rows] = np.asarray(_OPS[self.op](left, right), dtype=np.bool_)
        return Vec(out, known)

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        op = _OP_TEXT[language][self.op]
        sep = "" if language == "zh" and op in ("为", "不为") else " "
        left = self.left.text(language, namer, subject)
        return f"{left}{sep}{op}{sep}{self.right.text(language, namer, subject)}"


@attrs.define(eq=False)
class IsIn(Expr):
    """``value`` is one of a list (constants or a ``text_list`` parameter)."""

    value: Expr
    options: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        value, options = self.value.one_fn(params, as_of), self.options.one_fn(params, as_of)
        if isinstance(options, Folded) and options.value is not None:  # constants, a list
            choices = options.value

            def isin_constants(scope: One) -> Any:
                v = value(scope)
                return None if v is None else v in choices

            return _fold(isin_constants, value)

        def isin(scope: One) -> Any:
            v, choices = value(scope), options(scope)
            if v is None or choices is None:
                return None
            return v in choices

        return _fold(isin, value, options)

    def _many(self, scope: Many) -> Vec:
        v = self.value.many(scope)
        n = scope.n
        if isinstance(self.options, Param):
            options = scope.params.get(self.options.name)
            if options is None:
                return _unknown(n)
        else:
            options = self.options.one(One(None, scope.as_of, scope.params))
            if options is None:  # reference data not supplied for the run
                return _unknown(n)
        options = tuple(options) if not isinstance(options, frozenset) else options
        known = _wide(v.known, n)
        if v.coded:  # codes by their text: the options' texts as string ids
            ids = [string_id(o) for o in options if isinstance(o, str)]
            if len(ids) <= 8:  # a few codes: one comparison each beats a set lookup
                hit: Array = np.zeros(np.shape(v.values), dtype=np.bool_)
                for i in ids:
                    hit |= v.values == i
            else:
                hit = np.isin(v.values, np.asarray(ids, dtype=np.int64))
        elif v.values.dtype != object and all(_is_number(o) for o in options):
            hit = np.isin(v.values, np.asarray(options, dtype=np.float64))
        else:  # free text, or values of mixed kinds: Python's ``in``, as on one record
            hit = np.zeros(n, dtype=np.bool_)
            rows = known.copy()
            if rows.any():
                try:
                    choices: Any = frozenset(options)
                except TypeError:  # unhashable options: compare one by one
                    choices = options
                cells = _as_objects(v, n).values
                hit[rows] = np.fromiter(
                    (c in choices for c in _wide(cells, n)[rows]),
                    dtype=np.bool_,
                    count=int(rows.sum()),
                )
        return Vec(_wide(hit, n) & known, known.copy())

    def children(self) -> Sequence[Expr]:
        return (self.value, self.options)

    def blame_one(self, scope: One) -> list[Ref]:
        out = self.value.blame_one(scope) if self.value.one(scope) is None else []
        if self.options.one(scope) is None:
            out += self.options.blame_one(scope)
        return out

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        v = self.value.many(scope)
        out = self.value.blame_many(scope, rows & ~_full(v.known, scope.n))
        if (isinstance(self.options, Param) and scope.params.get(self.options.name) is None) or (
            isinstance(self.options, Reference)
            and scope.params.reference(self.options.name) is None
        ):
            _merge_blame(out, self.options.blame_many(scope, rows))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        v = self.value.text(language, namer, subject)
        o = self.options.text(language, namer, subject)
        return f"{v}属于（{o}）" if language == "zh" else f"{v} is one of ({o})"


@attrs.define(eq=False)
class Arith(Expr):
    """``left OP right`` with OP one of ``+ - * /`` (division by zero is unknown)."""

    op: str
    left: Expr
    right: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        left, right = self.left.one_fn(params, as_of), self.right.one_fn(params, as_of)
        if self.op == "/":

            def divide(scope: One) -> Any:
                a, b = left(scope), right(scope)
                if a is None or b is None:
                    return None
                return None if b == 0 else float(a) / float(b)

            return _fold(divide, left, right)
        op = {"+": operator.add, "-": operator.sub, "*": operator.mul}[self.op]

        def arith(scope: One) -> Any:
            a, b = left(scope), right(scope)
            if a is None or b is None:
                return None
            return op(float(a), float(b))

        return _fold(arith, left, right)

    def _many(self, scope: Many) -> Vec:
        a, b = self.left.many(scope), self.right.many(scope)
        if a.coded or b.coded:  # as on one record, where float("A") fails
            raise TypeError(f"arithmetic on codes: {self.op}")
        av = a.values.astype(np.float64, copy=False)
        bv = b.values.astype(np.float64, copy=False)
        known = a.known & b.known
        if self.op == "/":
            known = known & (bv != 0)
            out = np.divide(av, bv, out=np.zeros(av.shape, dtype=np.float64), where=known)
            return Vec(out, known)
        fn = {"+": np.add, "-": np.subtract, "*": np.multiply}[self.op]
        return Vec(np.where(known, fn(av, bv), 0.0), known)

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)

    def blame_one(self, scope: One) -> list[Ref]:
        a, b = self.left.one(scope), self.right.one(scope)
        if a is not None and b is not None:  # division by zero: the divisor is to blame
            return list(self.right.refs())
        return super().blame_one(scope)

    def blame_many(self, scope: Many, rows: Array) -> dict[Ref, Array]:
        a, b = self.left.many(scope), self.right.many(scope)
        both = rows & _full(a.known, scope.n) & _full(b.known, scope.n)
        out = super().blame_many(scope, rows & ~both)
        for ref in self.right.refs():
            _merge_blame(out, _leaf_blame(ref, both))
        return out

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        op = {"+": "+", "-": "−", "*": "×", "/": "÷"}[self.op]
        left = self.left.text(language, namer, subject)
        return f"（{left} {op} {self.right.text(language, namer, subject)}）"

    def value_kind(self, subject: type[Any]) -> str:
        return "number"


@attrs.define(eq=False)
class And(Expr):
    """All of several conditions (Kleene: one known False decides)."""

    parts: tuple[Expr, ...]

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return _kleene(self.parts, params, as_of, decisive=False)

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        # Three arrays whatever the number of parts: each part's "known and false" is
        # written into one scratch array, which then holds the result.
        false_seen = np.zeros(n, dtype=np.bool_)
        all_known = np.ones(n, dtype=np.bool_)
        scratch = np.empty(n, dtype=np.bool_)
        for part in self.parts:
            v = part.many(scope)
            false_seen |= np.greater(v.known, _bools(v.values), out=scratch)
            if not _all_known(v.known):
                all_known &= v.known
        passed = np.greater(all_known, false_seen, out=scratch)
        all_known |= false_seen
        return Vec(passed, all_known)

    def children(self) -> Sequence[Expr]:
        return self.parts

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        joiner = "，且" if language == "zh" else " and "
        return joiner.join(_paren(p, language, namer, subject) for p in self.parts)


@attrs.define(eq=False)
class Or(Expr):
    """Any of several conditions (Kleene: one known True decides)."""

    parts: tuple[Expr, ...]

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        return _kleene(self.parts, params, as_of, decisive=True)

    def _many(self, scope: Many) -> Vec:
        n = scope.n
        true_seen = np.zeros(n, dtype=np.bool_)
        all_known = np.ones(n, dtype=np.bool_)
        scratch = np.empty(n, dtype=np.bool_)
        for part in self.parts:
            v = part.many(scope)
            true_seen |= np.logical_and(v.known, _bools(v.values), out=scratch)
            if not _all_known(v.known):
                all_known &= v.known
        all_known |= true_seen
        return Vec(true_seen, all_known)

    def children(self) -> Sequence[Expr]:
        return self.parts

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        joiner = "，或" if language == "zh" else " or "
        return joiner.join(_paren(p, language, namer, subject) for p in self.parts)


def _paren(part: Expr, language: Language, namer: Namer, subject: type[Any]) -> str:
    text = part.text(language, namer, subject)
    if isinstance(part, And | Or):
        return f"（{text}）" if language == "zh" else f"({text})"
    return text


@attrs.define(eq=False)
class Not(Expr):
    """Negation (unknown stays unknown)."""

    part: Expr

    def _compile_one(self, params: ParamSource, as_of: dt.date) -> OneFn:
        part = self.part.one_fn(params, as_of)

        def negate(scope: One) -> Any:
            return _negated(part(scope))

        return _fold(negate, part)

    def _many(self, scope: Many) -> Vec:
        v = self.part.many(scope)
        return Vec(_known_false(v.known, v.values), v.known)

    def children(self) -> Sequence[Expr]:
        return (self.part,)

    def text(self, language: Language, namer: Namer, subject: type[Any]) -> str:
        inner = self.part.text(language, namer, subject)
        return f"并非（{inner}）" if language == "zh" else f"not ({inner})"


def all_of(*parts: Expr) -> Expr:
    """Kleene AND of conditions."""
    flat: list[Expr] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, And) else (p,))
    return And(tuple(flat))


def any_of(*parts: Expr) -> Expr:
    """Kleene OR of conditions."""
    flat: list[Expr] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, Or) else (p,))
    return Or(tuple(flat))


def not_(part: Expr) -> Expr:
    """Kleene NOT."""
    return Not(part)
