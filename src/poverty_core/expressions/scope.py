"""What expressions are evaluated in and what they read: :class:`Ref`, the scopes
:class:`One` (one record) and :class:`Many` (a batch of columns), the protocols a pack
answers (:class:`Namer`, :class:`ParamSource`), the one-record evaluators blocks compile
to (:data:`OneFn`, :class:`Folded`) with the helpers that build them (folding, the Kleene
connectives' loop) and the column helpers the blocks share (broadcast
constants, codes aligned with text, blame masks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs
import numpy as np

from poverty_core._text import Language, Text
from poverty_core.codes import Code
from poverty_core.frame import (
    Array,
    Frame,
    Vec,
    string_id,
    strings_of,
)
from poverty_core.model import Person

RefKind = Literal["field", "member", "param", "procedure", "checklist", "reference"]

if TYPE_CHECKING:
    from poverty_core.expressions.base import Expr


@attrs.frozen
class Ref:
    """Something an expression reads: a field, a member field, a parameter …"""

    kind: RefKind
    name: str

    def label(self) -> str:
        """``members[].age``, ``param:poverty_line``, ``procedures.household_exit`` …"""
        return {
            "field": self.name,
            "member": f"members[].{self.name}",
            "param": f"param:{self.name}",
            "procedure": f"procedures.{self.name}",
            "checklist": f"checklists.{self.name}",
            "reference": f"reference:{self.name}",
        }[self.kind]


class Namer(Protocol):
    """Gives readable names to fields and parameters when rendering text."""

    def field(self, subject: type[Any], name: str, language: Language) -> str: ...
    def param(self, name: str, language: Language) -> str: ...
    def checklist(self, name: str, language: Language) -> str: ...
    def procedure(self, name: str, language: Language) -> str: ...
    def reference(self, name: str, language: Language) -> str: ...


class ParamSource(Protocol):
    """Gives a parameter's value on the evaluation date, or ``None`` when it has none,
    and the items of the pack's checklists.

    One-record evaluation reads these once per source and date (:meth:`Expr.one_fn
    <poverty_core.expressions.Expr.one_fn>` folds them into the compiled evaluator), so a
    source gives the same answers for as long as it lives, as the engine's
    :class:`~poverty_core.evaluation.Params` of a run do."""

    def get(self, name: str) -> Any: ...
    def checklist_items(self, checklist: str) -> tuple[str, ...]: ...
    def procedure_steps(self, procedure: str) -> tuple[tuple[str, Text], ...]: ...
    def reference(self, name: str) -> Any: ...


@attrs.define
class One:
    """Scope of a one-record evaluation."""

    record: Any
    as_of: dt.date
    params: ParamSource
    person: Person | None = None
    cache: dict[Any, Any] = attrs.field(factory=dict, repr=False)
    """Values already computed for this record: its members' scopes and, per member
    condition, each member's value (a test and its observed count evaluate the condition
    once). The members' scopes share their household's cache."""


OneFn = Callable[[One], Any]
"""A block's one-record evaluator, compiled once per run (:meth:`Expr.one_fn
<poverty_core.expressions.Expr.one_fn>`): the value on the record (and member) of a
scope, ``None`` when unknown."""


class Folded:
    """The one-record evaluator of a value that does not depend on the record — a
    constant, a parameter's value, the evaluation date, an expression of these only. The
    blocks that read it take :attr:`value` when they compile, so it costs nothing per
    record."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self, scope: One, person: Any = None) -> Any:
        """The value (whatever the record, and the member of a member condition)."""
        return self.value

    def __repr__(self) -> str:
        return f"Folded({self.value!r})"


@attrs.define
class Many:
    """Scope of a batch evaluation (``on_members``: inside a member aggregation)."""

    frame: Frame
    as_of: dt.date
    params: ParamSource
    on_members: bool = False
    cache: dict[tuple[Expr, bool], Vec] = attrs.field(factory=dict, repr=False)
    """Columns already computed in this evaluation, shared with the member scope."""

    def members_scope(self) -> Many:
        """The scope of the members of the records (sharing the cache)."""
        return Many(self.frame, self.as_of, self.params, on_members=True, cache=self.cache)

    @property
    def current(self) -> Frame:
        """The frame the current expression ranges over."""
        if self.on_members:
            assert self.frame.members is not None
            return self.frame.members
        return self.frame

    @property
    def n(self) -> int:
        """Rows of the current frame."""
        return self.current.n


def _fold(fn: OneFn, *children: OneFn) -> OneFn:
    """``fn`` as a :class:`Folded` value when every child it reads is one (its value is
    then the same for every record); unchanged if a child depends on the record, or if
    computing it raises (the error is then raised where the record is evaluated, as it
    would be without folding)."""
    if not all(isinstance(c, Folded) for c in children):
        return fn
    try:
        return Folded(fn(_NO_SCOPE))
    except Exception:  # a constant expression that fails fails per record, as before
        return fn


_NO_SCOPE = One(None, dt.date.min, {})  # type: ignore[arg-type]
"""The scope a folded expression is computed in: a value of constants reads none."""


def _negated(value: Any) -> Any:
    """Kleene NOT of one value (unknown stays unknown)."""
    return None if value is None else not value


def _kleene(parts: Sequence[Expr], params: ParamSource, as_of: dt.date, decisive: bool) -> OneFn:
    """Kleene AND (``decisive`` False: the first known False decides) or OR (``decisive``
    True: the first known True decides) of ``parts``, evaluated in order up to the first
    decisive value; unknown if none is decisive and one is unknown, else not decisive.

    Parts folded to a constant are settled here: a decisive one ends the parts evaluated
    (those before it still are, in order), an unknown one makes the result unknown
    unless another decides, any other changes nothing."""
    live: list[OneFn] = []
    settled: bool | None = not decisive  # the value if no part decides
    decided = False
    for part in parts:
        fn = part.one_fn(params, as_of)
        if not isinstance(fn, Folded):
            live.append(fn)
        elif fn.value is decisive:
            decided = True
            break
        elif fn.value is None:
            settled = None
    if not live:
        return Folded(decisive if decided else settled)
    fns = tuple(live)
    if decided:  # a constant part decides: the parts before it are still evaluated

        def decided_after(scope: One) -> Any:
            for fn in fns:
                if fn(scope) is decisive:
                    break
            return decisive

        return decided_after
    if len(fns) == 1:
        (only,) = fns

        def single(scope: One) -> Any:
            v = only(scope)
            return v if v is decisive or v is None else settled

        return single

    def kleene(scope: One) -> Any:
        result = settled
        for fn in fns:
            v = fn(scope)
            if v is decisive:
                return decisive
            if v is None:
                result = None
        return result

    return kleene


def _scalar(value: Any, n: int, known: bool = True) -> Vec:
    # Read-only broadcast views: a constant costs no memory per row.
    if isinstance(value, Code):  # a code by its string id, as code columns hold it
        ids = np.broadcast_to(np.int32(string_id(value)), (n,))
        return Vec(ids, np.broadcast_to(np.bool_(known), (n,)), coded=True)
    if isinstance(value, bool):
        arr = np.broadcast_to(np.bool_(value), (n,))
    elif isinstance(value, int | float):
        arr = np.broadcast_to(np.float64(value), (n,))
    else:
        cell = np.empty(1, dtype=object)
        cell[0] = value
        arr = np.broadcast_to(cell, (n,))
    return Vec(arr, np.broadcast_to(np.bool_(known), (n,)))


def _wide(a: Array, n: int) -> Array:
    return np.broadcast_to(a, (n,))


def _as_objects(v: Vec, n: int) -> Vec:
    """Values as Python objects (codes as their text): what one record compares."""
    if v.coded:
        return Vec(strings_of(_wide(v.values, n)), v.known)
    if v.values.dtype == object:
        return v
    return Vec(_wide(v.values, n).astype(object), v.known)


def _as_ids(v: Vec, n: int) -> Vec | None:
    """A text constant (a broadcast string) or an all-unknown value as string ids;
    ``None`` for anything else (free text from records is never interned)."""
    values = v.values
    if values.dtype == object:
        if values.ndim != 1 or n == 0 or values.strides[0] != 0:
            return None
        cell = values[0]
        if not isinstance(cell, str):
            return None
        return Vec(np.broadcast_to(np.int32(string_id(cell)), (n,)), v.known, coded=True)
    if not _wide(v.known, n).any():
        return Vec(np.zeros(n, dtype=np.int32), _wide(v.known, n), coded=True)
    return None


def _align(vecs: Sequence[Vec], n: int) -> list[Vec]:
    """Values held alike, so that they compare as on one record: all as string ids when
    codes meet text constants, else all as Python objects when codes meet anything else
    (free text, numbers); unchanged when no code is involved or all are codes."""
    coded = [v.coded for v in vecs]
    if not any(coded) or all(coded):
        return list(vecs)
    out: list[Vec] = []
    for v in vecs:
        ids = v if v.coded else _as_ids(v, n)
        if ids is None:
            return [_as_objects(w, n) for w in vecs]
        out.append(ids)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, bool | int | float)


def _common_dtype(vecs: Sequence[Vec]) -> Any:
    dtypes = [v.values.dtype for v in vecs]
    return object if any(d.kind == "O" for d in dtypes) else np.result_type(*dtypes)


def _record_level(scope: Many, vec: Vec) -> Vec:
    """A value of the records themselves, read inside a member aggregation: each member
    sees its household's value (as on one record, where ``field`` reads the household)."""
    if not scope.on_members:
        return vec
    members = scope.frame.members
    assert members is not None
    assert members.owner is not None
    owner = members.owner
    n = scope.frame.n
    return Vec(_wide(vec.values, n)[owner], _wide(vec.known, n)[owner], vec.coded)


def _unknown(n: int) -> Vec:
    # Boolean zeros: an unknown value must combine under & | ~ as well as compare.
    return Vec(np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_))


def _full(mask: Array, n: int) -> Array:
    return np.broadcast_to(mask, (n,))


def _merge_blame(into: dict[Ref, Array], more: dict[Ref, Array]) -> None:
    for ref, mask in more.items():
        into[ref] = into[ref] | mask if ref in into else mask


def _leaf_blame(ref: Ref, rows: Array) -> dict[Ref, Array]:
    return {ref: rows.copy()} if rows.any() else {}


def _encode_constant(value: Any) -> Any:
    """Dates as ordinals, as records' dates are evaluated (also inside a tuple)."""
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return tuple(_encode_constant(v) for v in value)
    return value


def _show(value: Any, language: Language) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else ("yes" if value else "no")
    if isinstance(value, Code):
        return value.label[language]
    if isinstance(value, tuple):
        return (
            "、".join(_show(v, language) for v in value)
            if language == "zh"
            else ", ".join(_show(v, language) for v in value)
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
