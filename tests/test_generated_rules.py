"""THE property over every installed pack: a rule gives the same answer on one record, in
a batch built from records and in a batch built from Arrow tables (the register path).

Rule trees are generated at random from the public blocks: the fields of the records
(every field the pack's vocabulary gives the subject), member fields inside member
aggregations (and record fields seen from there), the pack's parameters with their
types and units, constants, comparisons, ``isin``, ``where``, ``coalesce``, arithmetic,
``all_of`` / ``any_of`` / ``not_``, ``filled``, ``length``, procedure steps and
checklists, and reference data supplied per run (``reference(…)`` as the options of
``isin`` and a table's column looked up by a field — supplied, partly matching, or not
supplied at all). The trees are typed as the pack's load-time check wants, and the test
asserts the check accepts each one: whatever loads must agree.

Each example builds, on one pack, a decision of one to three such criteria (some not in
force on the date, some with an observed value of any kind), a classifier of their
tests and an entitlement with lines per member and per record, and compares the three
paths on random records: the outcome, every finding's status, observed and required
values and missing inputs; the class and what left it undetermined; the totals. A
second test does the same for every decision, classifier and entitlement the installed
packs ship.

The records are random too: every field the rules read is unknown or drawn from values
near the pack's thresholds (its parameters' values), dates near the parameters' start
dates, codes of each list; the rules meet codes as codes and as their texts; some runs
carry a caller's value for a parameter. About 2,000 generated examples a run over all
installed packs (hypothesis, derandomised: the same examples every run).
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core import expressions as ex
from poverty_core.blocks import reference
from poverty_core.codes import Code
from poverty_core.frame import FieldKind, field_kinds
from poverty_core.model import FieldValueError
from poverty_core.parameters import value_problem
from poverty_core.plugins import PackRegistry, get_plugin_manager
from poverty_core.references import ReferenceSpec
from poverty_core.rules import TaxonomyItem

PACKS: dict[str, pc.Pack] = {
    name: pc.load_pack(name) for name in PackRegistry(get_plugin_manager()).names()
}
SUBJECTS: dict[str, type[Any]] = {
    "household": pc.Household,
    "village": pc.Village,
    "county": pc.County,
}
PAIRS = [(pack, subject) for pack in PACKS for subject in SUBJECTS]
EXAMPLES = 2000  # over all installed packs and subjects, per run
PER_PAIR = math.ceil(EXAMPLES / len(PAIRS))


def _settings(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same examples on every run
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the vocabulary a pack gives a subject --------------------------------------------------

NOT_READ = {"id", "members", "history", "procedures", "checklists"}
"""Fields that are not rule inputs (ids, nested records) or have their own blocks."""


def field_table(pack: pc.Pack, subject: type[Any]) -> dict[str, FieldKind]:
    """The fields rules may read on ``subject`` records in ``pack`` (``subject``: one of
    the pack's record classes): the model's fields and the fields the pack declares."""
    table = field_kinds(subject)
    return {name: fk for name, fk in table.items() if name not in NOT_READ}


@attrs.frozen(repr=False)
class Vocabulary:
    """What generated rules and records draw from, for one pack and subject."""

    pack: pc.Pack
    subject: str
    cls: type[Any]
    fields: dict[str, FieldKind]
    person: dict[str, FieldKind]
    params: dict[str, pc.Parameter]
    procedures: dict[str, tuple[str, ...]]
    checklists: dict[str, tuple[str, ...]]
    numbers: tuple[float, ...]
    dates: tuple[dt.date, ...]
    codes: tuple[type[Code], ...]
    references: dict[str, ReferenceSpec]
    """The pack's declared reference data and the two the generated rules read."""
    keys: tuple[str, ...]
    """Keys reference data hold: the texts records hold, codes of the subject's lists."""
    cells: tuple[str, ...]
    """Cells of reference tables: those texts and the pack's taxonomy codes."""

    def __repr__(self) -> str:  # short: hypothesis shows it in its reports
        return f"Vocabulary({self.pack.name!r}, {self.subject!r})"

    def of_kind(self, table: dict[str, FieldKind], *kinds: str) -> list[str]:
        return sorted(name for name, fk in table.items() if fk.kind in kinds)

    def param_names(self, *types: str, unit: str | None = None) -> list[str]:
        out = []
        for name, p in sorted(self.params.items()):
            if p.type in types and (unit is None or p.unit == unit):
                out.append(name)
        return out


TEXTS = ("", " ", "A", "x", "other", "张三", "illness", "因病")
REF_SET, REF_TABLE = "generated_set", "generated_table"
"""Reference data the generated rules read: a set of keys and a table with a column."""


def _generated_references(pack: pc.Pack) -> dict[str, ReferenceSpec]:
    citation = next(iter(pack.criteria.values())).citations[0]
    title = pc.T("生成的参考数据", "generated reference data")
    return {
        REF_SET: ReferenceSpec(REF_SET, "set", title, citation, key="key", pack=pack.name),
        REF_TABLE: ReferenceSpec(
            REF_TABLE, "table", title, citation, key="key", columns=("c",), pack=pack.name
        ),
    }


BASE_NUMBERS = (0, 0.5, 1, 2, 3, 5, 10, 15, 0.02, 0.03, 0.9, 100, 2952, 3000)
BASE_DATES = (
    dt.date(2010, 1, 1),
    dt.date(2015, 12, 31),
    dt.date(2016, 1, 1),
    dt.date(2016, 6, 30),
    dt.date(2016, 12, 31),
    dt.date(2017, 1, 1),
    dt.date(2018, 10, 24),
    dt.date(2019, 6, 30),
    dt.date(2020, 12, 31),
)


def _vocabulary(pack_name: str, subject: str) -> Vocabulary:
    pack = PACKS[pack_name]
    cls = pack.record_type(subject)  # the core class with the pack's declared fields
    fields = field_table(pack, cls)
    person = field_table(pack, pack.record_type("person")) if issubclass(cls, pc.Household) else {}
    numbers: set[float] = set(BASE_NUMBERS)
    dates: set[dt.date] = set(BASE_DATES)
    for p in pack.parameters.values():
        for v in p.values:
            dates.add(v.start)
            if isinstance(v.value, int | float) and not isinstance(v.value, bool):
                x = float(v.value)
                numbers.update((x, x + 1, x - 1, x * 1.01) if x > 2 else (x, x + 0.01, x - 0.01))
    procedures = {
        k: tuple(s.id for s in p.steps) for k, p in pack.procedures.items() if p.subject == subject
    }
    checklists: dict[str, tuple[str, ...]] = {}
    if "checklists" in attrs.fields_dict(cls):
        checklists = {
            k: tuple(i.id for i in c.items)
            for k, c in pack.checklists.items()
            if c.subject == subject
        }
    codes = {fk.code for fk in [*fields.values(), *person.values()] if fk.code is not None}
    keys = {m.value for c in codes for m in c}
    cells = {*TEXTS, *(c for t in pack.taxonomies.values() for c in t.codes())}
    return Vocabulary(
        pack,
        subject,
        cls,
        fields,
        person,
        dict(pack.parameters),
        procedures,
        checklists,
        tuple(sorted(round(x, 6) for x in numbers if x >= 0)),
        tuple(sorted(dates)),
        tuple(sorted(codes, key=lambda c: c.__name__)),
        {**pack.references, **_generated_references(pack)},
        tuple(sorted(keys)),
        tuple(sorted(cells)),
    )


VOCABULARY = {(p, s): _vocabulary(p, s) for p, s in PAIRS}


# -- random rule trees ------------------------------------------------------------------------

Kind = tuple[Any, ...]
"""("bool",), ("number", unit), ("date",), ("code", list), ("text",)."""

Draw = Callable[[st.SearchStrategy[Any]], Any]


BOOLS = st.booleans()
_INTS: dict[tuple[int, int], st.SearchStrategy[int]] = {}


def _int(draw: Draw, low: int, high: int) -> int:
    """An integer in ``low``–``high`` (strategies made once: drawing is the hot path)."""
    strategy = _INTS.get((low, high))
    if strategy is None:
        strategy = _INTS[low, high] = st.integers(low, high)
    return int(draw(strategy))


def _pick(draw: Draw, options: Sequence[Any]) -> Any:
    return options[_int(draw, 0, len(options) - 1)]


def _code_params(v: Vocabulary, code: type[Code], ptype: str) -> list[str]:
    """Text (or text-list) parameters whose every value is a code of ``code``."""
    values = {m.value for m in code}
    out = []
    for name in v.param_names(ptype):
        items = [
            i
            for pv in v.params[name].values
            for i in (pv.value if ptype == "text_list" else (pv.value,))
        ]
        if items and all(i in values for i in items):
            out.append(name)
    return out


def _constant(draw: Draw, v: Vocabulary, kind: Kind) -> Any:
    if kind[0] == "bool":
        return draw(BOOLS)
    if kind[0] == "number":
        return _pick(draw, v.numbers)
    if kind[0] == "date":
        return _pick(draw, v.dates)
    if kind[0] == "code":
        code = _pick(draw, list(kind[1]))
        return code if draw(BOOLS) else code.value  # a code, or its text
    return _pick(draw, TEXTS)


def leaf(draw: Draw, v: Vocabulary, kind: Kind, members: bool) -> ex.Expr:
    """A field, member field, parameter, constant or dated block of ``kind``."""
    options: list[Callable[[], ex.Expr]] = [lambda: ex.lit(_constant(draw, v, kind))]

    def fields(table: dict[str, FieldKind], make: Callable[[str], ex.Expr], *kinds: str) -> None:
        for name in v.of_kind(table, *kinds):
            fk = table[name]
            if kind[0] == "code" and fk.code is not kind[1]:
                continue
            if kind[0] == "number" and fk.unit is not None and fk.unit != kind[1]:
                continue  # a field with a unit (a pack's fields.toml) meets only that unit
            options.append(lambda name=name: make(name))

    name = kind[0]
    person = v.person if members else {}
    if name == "bool":
        fields(v.fields, ex.field, "bool")
        fields(person, ex.member, "bool")
        options += [lambda p=p: ex.param(p) for p in v.param_names("boolean")]
        for text_field in v.of_kind(v.fields, "text"):
            options.append(lambda f=text_field: ex.filled(f))
        for procedure in v.procedures:
            options.append(lambda p=procedure: ex.procedure_complete(p))
        for checklist, items in v.checklists.items():
            options.append(lambda c=checklist: ex.checklist_complete(c))
            for item in items:
                options.append(lambda c=checklist, i=item: ex.checklist_item(c, i))
    elif name == "number":
        unit = kind[1]
        fields(v.fields, ex.field, "number", "list")
        fields(person, ex.member, "number", "list")
        if members:
            options.append(lambda: ex.member("age"))
        for list_field in v.of_kind(v.fields, "list"):
            options.append(lambda f=list_field: ex.length(f))
        options.append(lambda: ex.as_of(year=True))
        params = v.param_names("number", "integer", unit=unit) if unit else []
        options += [lambda p=p: ex.param(p) for p in params]
        if unit is None:  # parameters whose unit does not count
            none = v.param_names("number", "integer", unit="none")
            options += [lambda p=p: ex.param(p) for p in none]
    elif name == "date":
        fields(v.fields, ex.field, "date")
        fields(person, ex.member, "date")
        options.append(lambda: ex.as_of())
        for procedure, steps in v.procedures.items():
            for step in steps:
                options.append(lambda p=procedure, s=step: ex.step_date(p, s))
    elif name == "code":
        fields(v.fields, ex.field, "code")
        fields(person, ex.member, "code")
        options += [lambda p=p: ex.param(p) for p in _code_params(v, kind[1], "text")]
    else:
        fields(v.fields, ex.field, "text")
        fields(person, ex.member, "text")
        options += [lambda p=p: ex.param(p) for p in v.param_names("text")]
        # a column of the run's reference table, looked up by a text or a code
        key_kind = _pick(draw, [("text",), *[("code", c) for c in v.codes]])
        options.append(
            lambda: reference(REF_TABLE).column("c", key=leaf(draw, v, key_kind, members))
        )
    return _pick(draw, options)()


def _units(v: Vocabulary) -> list[str | None]:
    return [None, *sorted({p.unit for p in v.params.values() if p.type in ("number", "integer")})]


def _comparable(draw: Draw, v: Vocabulary) -> Kind:
    kinds: list[Kind] = [("number", _pick(draw, _units(v))), ("date",), ("bool",), ("text",)]
    kinds += [("code", c) for c in v.codes]
    return _pick(draw, kinds)


def _options(draw: Draw, v: Vocabulary, kind: Kind) -> ex.Expr:
    """The options of an ``isin``: constants of ``kind``, or a list parameter."""
    if kind[0] == "code":
        lists = _code_params(v, kind[1], "text_list")
    elif kind[0] == "text":
        lists = v.param_names("text_list")
    else:
        lists = []
    if kind[0] in ("code", "text") and _int(draw, 0, 2) == 0:  # the run's reference data
        return reference(_pick(draw, [REF_SET, REF_TABLE]))
    if lists and draw(BOOLS):
        return ex.param(_pick(draw, lists))
    return ex.Const(tuple(_constant(draw, v, kind) for _ in range(_int(draw, 1, 3))))


def tree(draw: Draw, v: Vocabulary, kind: Kind, depth: int, members: bool = False) -> ex.Expr:
    """A random expression of ``kind`` (``members``: inside a member aggregation)."""
    if depth <= 0 or _int(draw, 0, 2) == 0:
        return leaf(draw, v, kind, members)

    def sub(k: Kind, inner: bool = members) -> ex.Expr:
        return tree(draw, v, k, depth - 1, inner)

    choice = _int(draw, 0, 9)
    if choice == 0:
        return ex.where(sub(("bool",)), sub(kind), sub(kind))
    if choice == 1:
        return ex.coalesce(*(sub(kind) for _ in range(_int(draw, 2, 3))))
    name = kind[0]
    if name == "bool":
        if choice in (2, 3):
            side = _comparable(draw, v)
            ops = ["==", "!="]
            if side[0] in ("number", "date"):
                ops += ["<", "<=", ">", ">="]
            return ex.Compare(_pick(draw, ops), sub(side), sub(side))
        if choice == 4:
            side = _comparable(draw, v)
            return sub(side).isin(_options(draw, v, side))
        if choice == 5:
            parts = [sub(kind) for _ in range(_int(draw, 2, 3))]
            return ex.all_of(*parts) if draw(BOOLS) else ex.any_of(*parts)
        if choice == 6:
            return ex.not_(sub(kind))
        if choice == 7 and issubclass(v.cls, pc.Household):
            make = _pick(draw, [ex.any_member, ex.all_members, ex.no_member])
            return make(sub(kind, inner=True))
        return leaf(draw, v, kind, members)
    if name == "number":
        if choice in (2, 3, 4):
            op = _pick(draw, "+-*/")
            unit = kind[1] if op in "+-" else _pick(draw, _units(v))
            return ex.Arith(op, sub(("number", unit)), sub(("number", unit)))
        if choice == 5 and issubclass(v.cls, pc.Household):
            return ex.count_members(sub(("bool",), inner=True))
        if choice == 6 and kind[1] in (None, "days"):
            return ex.Arith("-", sub(("date",)), sub(("date",)))
        return leaf(draw, v, kind, members)
    if name == "date" and choice == 2:
        return ex.Arith(_pick(draw, "+-"), sub(kind), ex.lit(_pick(draw, (0, 1, 30, 365))))
    return leaf(draw, v, kind, members)


def _period(draw: Draw, v: Vocabulary) -> pc.Period | None:
    """Mostly always in force; sometimes a period that may not cover the date."""
    if _int(draw, 0, 3):
        return None
    start = _pick(draw, v.dates)
    end = _pick(draw, [None, *(d for d in v.dates if d >= start)])
    return pc.Period(start, end)


# -- random records ---------------------------------------------------------------------------


def _hint(cls: type[Any], name: str) -> Any:
    hint = typing.get_type_hints(cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if len(args) == 1 and typing.get_origin(hint) is not tuple else hint


def _accepts(cls: type[Any], name: str) -> Callable[[Any], bool]:
    check = attrs.fields_dict(cls)[name].metadata.get("check")
    return (lambda value: True) if check is None else (lambda value: check(value) is None)


def _value_strategy(v: Vocabulary, cls: type[Any], name: str, fk: FieldKind) -> Any:
    ok = _accepts(cls, name)
    hint = _hint(cls, name)
    if fk.kind == "bool":
        return st.booleans()
    if fk.kind == "number":
        pool = [x for x in v.numbers if ok(x)]
        if hint is int:
            pool = sorted({int(x) for x in pool if ok(int(x))})
        return st.sampled_from(pool) if pool else st.nothing()
    if fk.kind == "code":
        assert fk.code is not None
        return st.sampled_from(list(fk.code))
    if fk.kind == "date":
        pool = [d for d in (*v.dates, dt.date(1950, 6, 15), dt.date(2005, 3, 1)) if ok(d)]
        return st.sampled_from(pool) if pool else st.nothing()
    if fk.kind == "text":
        pool = [t for t in TEXTS if ok(t)]
        return st.sampled_from(pool) if pool else st.nothing()
    if fk.kind == "list":
        (item,) = [a for a in typing.get_args(typing.get_type_hints(cls)[name]) if a is not ...][:1]
        item_type = typing.get_args(item)[0] if typing.get_args(item) else item
        if item_type is dt.date:
            items: Any = st.sampled_from([d for d in v.dates if d <= dt.date.today()])
        elif isinstance(item_type, type) and issubclass(item_type, Code):
            items = st.sampled_from(list(item_type))
        elif item_type is str:
            items = st.sampled_from(["a", "b"])
        else:
            return st.just(())
        return st.lists(items, max_size=3).map(tuple).filter(ok)
    return st.nothing()


_VALUES: dict[tuple[str, str, type[Any], str], Any] = {}
_RECORDS: dict[tuple[str, str, type[Any], frozenset[str]], Any] = {}


def _fields_strategy(
    v: Vocabulary, cls: type[Any], table: dict[str, FieldKind], read: frozenset[str]
) -> Any:
    """The fields rules read, each unknown or drawn from its values (the others stay
    unknown: they cannot change an answer). Strategies are made once: hypothesis
    validates each new one."""
    key = (v.pack.name, v.subject, cls, read)
    if key in _RECORDS:
        return _RECORDS[key]
    out = {}
    for name in sorted(read & table.keys() & attrs.fields_dict(cls).keys()):
        value_key = (v.pack.name, v.subject, cls, name)
        if value_key not in _VALUES:
            _VALUES[value_key] = st.one_of(st.none(), _value_strategy(v, cls, name, table[name]))
        out[name] = _VALUES[value_key]
    strategy = st.fixed_dictionaries(out)
    if issubclass(cls, pc.Person):
        strategy = st.lists(strategy, min_size=1, max_size=4)
    _RECORDS[key] = strategy
    return strategy


def reads(exprs: Sequence[ex.Expr | None]) -> tuple[frozenset[str], frozenset[str]]:
    """The record fields and member fields some expression reads."""
    fields, members = set(), set()
    for e in exprs:
        for ref in e.refs() if e is not None else ():
            (members if ref.kind == "member" else fields).add(ref.name)
    if "age" in members:  # a member's age comes from the stated age or the birth date
        members.add("birth_date")
    return frozenset(fields), frozenset(members)


def _procedures(v: Vocabulary) -> Any:
    """Procedures with some steps dated. (A procedure recorded with no step dated is not
    drawn: ``tables_from_records`` writes no column that says so, so the Arrow path
    cannot see it; ``frame_from_arrow`` reads a ``procedures.<name>`` column where a
    register has one.)"""
    if not v.procedures:
        return st.just({})
    steps = st.one_of(st.none(), st.sampled_from([d for d in v.dates if d <= dt.date.today()]))
    one = {
        proc: st.one_of(st.none(), st.fixed_dictionaries(dict.fromkeys(names, steps)))
        for proc, names in v.procedures.items()
    }
    return st.fixed_dictionaries(one).map(
        lambda d: {
            p: {s: when for s, when in inner.items() if when is not None}
            for p, inner in d.items()
            if inner is not None and any(when is not None for when in inner.values())
        }
    )


def _checklists(v: Vocabulary) -> Any:
    if not v.checklists:
        return st.just({})
    one = {
        c: st.one_of(
            st.none(),
            st.fixed_dictionaries(dict.fromkeys(items, st.one_of(st.none(), st.booleans()))),
        )
        for c, items in v.checklists.items()
    }
    return st.fixed_dictionaries(one).map(
        lambda d: {
            c: {i: b for i, b in inner.items() if b is not None}
            for c, inner in d.items()
            if inner is not None
        }
    )


def _build(cls: type[Any], fields: dict[str, Any]) -> Any:
    """``cls(**fields)``, dropping (making unknown) a field the model rejects in context
    (a part above its whole …)."""
    fields = dict(fields)
    for _ in range(len(fields) + 1):
        try:
            return cls(**fields)
        except FieldValueError as exc:
            name = (exc.field or "").split("[")[0].split(".")[0]
            if name not in fields or fields[name] is None:
                raise
            fields[name] = None
    raise AssertionError("unreachable")


@st.composite
def records(
    draw: Draw,
    key: tuple[str, str],
    read: tuple[frozenset[str], frozenset[str]],
    max_size: int = 4,
) -> list[Any]:
    """1 – ``max_size`` records of the subject, with ids by position (``key``: the pack
    and subject — the vocabulary itself is too large for hypothesis to show; ``read``:
    the record and member fields to draw)."""
    v = VOCABULARY[key]
    out = []
    for i in range(_int(draw, 1, max_size)):
        fields = draw(_fields_strategy(v, v.cls, v.fields, read[0]))
        if "procedures" in attrs.fields_dict(v.cls):
            fields["procedures"] = draw(_procedures(v))
        if "checklists" in attrs.fields_dict(v.cls):
            fields["checklists"] = draw(_checklists(v))
        if issubclass(v.cls, pc.Household):
            people = draw(_fields_strategy(v, v.pack.record_type("person"), v.person, read[1]))
            fields["members"] = [
                _build(v.pack.record_type("person"), {**p, "id": f"r{i}-m{j}"})
                for j, p in enumerate(people)
            ]
        out.append(_build(v.cls, {**fields, "id": f"r{i}"}))
    return out


# -- the three paths --------------------------------------------------------------------------


def finding_view(f: Any) -> dict[str, Any]:
    return {
        "rule": f.rule.id,
        "status": f.status,
        "observed": f.observed,
        "required": f.required,
        "comparison": f.comparison,
        "missing": f.missing,
    }


def decision_view(r: pc.DecisionResult) -> dict[str, Any]:
    return {
        "id": r.subject_id,
        "outcome": r.outcome,
        "missing": r.missing,
        "findings": [finding_view(f) for f in r.findings],
    }


def classification_view(r: Any) -> dict[str, Any]:
    return {
        "id": r.subject_id,
        "class": r.code,
        "missing": r.missing,
        "findings": [finding_view(f) for f in r.findings],
    }


def frames(v: Vocabulary, rows: list[Any]) -> list[Any]:
    """The records as given, and as a frame from Arrow tables (the register path)."""
    tables = pc.tables_from_records(rows)
    return [rows, pc.frame_from_arrow(*tables, kind=v.cls)]


def assert_decision_agrees(
    pack: pc.Pack, decision: str, rows: list[Any], batches: list[Any], when: dict[str, Any]
) -> None:
    try:
        one = [decision_view(pack.decide(decision, r, **when)) for r in rows]
    except pc.NotInForce:  # a date no rule of the decision governs: an error on every path
        for batch in batches:
            with pytest.raises(pc.NotInForce):
                pack.decide_batch(decision, batch, **when)
        return
    for batch in batches:
        result = pack.decide_batch(decision, batch, **when)
        path = "batch from records" if batch is rows else "batch from Arrow"
        for i, want in enumerate(one):
            assert decision_view(result.result(i)) == want, (decision, path, rows[i])
        assert result.outcomes() == [r["outcome"] for r in one]


def assert_classifier_agrees(
    pack: pc.Pack, classifier: str, rows: list[Any], batches: list[Any], when: dict[str, Any]
) -> None:
    try:
        one = [classification_view(pack.classify(classifier, r, **when)) for r in rows]
    except pc.NotInForce:
        for batch in batches:
            with pytest.raises(pc.NotInForce):
                pack.classify_batch(classifier, batch, **when)
        return
    for batch in batches:
        result = pack.classify_batch(classifier, batch, **when)
        path = "batch from records" if batch is rows else "batch from Arrow"
        for i, want in enumerate(one):
            assert classification_view(result.result(i)) == want, (classifier, path, rows[i])
        assert result.codes == [r["class"] for r in one]


def assert_entitlement_agrees(
    pack: pc.Pack, entitlement: str, rows: list[Any], batches: list[Any], when: dict[str, Any]
) -> None:
    try:
        one = [pack.entitle(entitlement, r, **when) for r in rows]
    except pc.NotInForce:
        for batch in batches:
            with pytest.raises(pc.NotInForce):
                pack.entitle_batch(entitlement, batch, **when)
        return
    for batch in batches:
        result = pack.entitle_batch(entitlement, batch, **when)
        path = "batch from records" if batch is rows else "batch from Arrow"
        assert result.totals() == [r.total for r in one], (entitlement, path, rows)
        assert list(result.known_total) == [r.known_total for r in one], (entitlement, path)


# -- generated rules on every pack ----------------------------------------------------------


Check = tuple[ex.Expr, str | None, bool]
"""A generated expression, the kind its role wants, and whether it is read per member."""


class Generated:
    """A pack with generated rules, and the generated expressions; shown as the rules."""

    def __init__(self, pack: pc.Pack, checks: list[Check]) -> None:
        self.pack = pack
        self.checks = checks

    def __repr__(self) -> str:
        return describe(self.pack)


@st.composite
def generated_pack(draw: Draw, key: tuple[str, str]) -> Generated:
    """The pack with a generated decision ``g``, classifier ``gc`` and (households)
    entitlement ``ge``; and every generated expression, for the load-time check."""
    v = VOCABULARY[key]
    pack = v.pack
    citations = next(iter(pack.criteria.values())).citations
    title = pc.T("生成的规则", "generated rule")
    criteria: dict[str, pc.Criterion] = {}
    checks: list[Check] = []
    for i in range(_int(draw, 1, 3)):
        test = tree(draw, v, ("bool",), depth=_int(draw, 1, 4))
        observed = None
        if _int(draw, 0, 2) == 0:
            kind = _pick(draw, [("number", None), ("date",), ("text",), ("bool",)])
            kind = _pick(draw, [kind, *[("code", c) for c in v.codes]])
            observed = tree(draw, v, kind, depth=2)
            checks.append((observed, None, False))
        checks.append((test, "bool", False))
        criteria[f"g{i}"] = pc.Criterion(
            id=f"g{i}",
            subject=v.subject,
            title=title,
            citations=citations,
            test=test,
            observed=observed,
            pack=pack.name,
            in_force=_period(draw, v),
        )
    decision = pc.Decision(
        id="g",
        subject=v.subject,
        title=title,
        citations=citations,
        criteria=list(criteria),
    )
    classifier = pc.Classifier(
        id="gc",
        subject=v.subject,
        title=title,
        citations=citations,
        classes=[pc.ClassRule(f"c{i}", title, c.test) for i, c in enumerate(criteria.values())],
        otherwise=_pick(draw, [None, TaxonomyItem("rest", title)]),
        in_force=_period(draw, v),
    )
    entitlements = dict(pack.entitlements)
    if issubclass(v.cls, pc.Household):
        lines = []
        for i in range(_int(draw, 1, 3)):
            per = _pick(draw, ["member", "household"])
            condition = tree(draw, v, ("bool",), depth=2, members=per == "member")
            amount = tree(draw, v, ("number", None), depth=1, members=per == "member")
            checks += [(condition, "bool", per == "member"), (amount, "number", per == "member")]
            lines.append(
                pc.EntitlementLine(
                    id=f"l{i}",
                    title=title,
                    citation=citations[0],
                    condition=condition,
                    amount=amount,
                    per=per,
                    kind=_pick(draw, ["grant", "loan", "subsidy"]),
                    in_force=_period(draw, v),
                )
            )
        eligibility = tree(draw, v, ("bool",), depth=2) if draw(BOOLS) else None
        if eligibility is not None:
            checks.append((eligibility, "bool", False))
        entitlements["ge"] = pc.Entitlement(
            id="ge",
            subject="household",
            title=title,
            citations=citations,
            lines=lines,
            eligibility=eligibility,
        )
    generated = attrs.evolve(
        pack,
        references=v.references,
        criteria={**pack.criteria, **criteria},
        decisions={**pack.decisions, "g": decision},
        classifiers={**pack.classifiers, "gc": classifier},
        entitlements=entitlements,
    )
    return Generated(generated, checks)


def _as_of(v: Vocabulary) -> Any:
    return st.sampled_from(v.dates)


_OVERRIDES: dict[tuple[str, str], Any] = {}


def _overrides(v: Vocabulary) -> Any:
    """Mostly none; sometimes a caller's value for one number parameter (made once)."""
    key = (v.pack.name, v.subject)
    if key not in _OVERRIDES:
        pairs = [
            {name: x}
            for name in v.param_names("number")
            for x in v.numbers
            if value_problem(v.params[name].unit, "number", x) is None
        ]
        none = st.just({})
        _OVERRIDES[key] = st.one_of(none, none, none, st.sampled_from(pairs or [{}]))
    return _OVERRIDES[key]


_REFERENCES: dict[tuple[str, str, bool], Any] = {}


def _references(v: Vocabulary, generated: bool) -> Any:
    """Reference data for a run: not supplied (``None``), or each declared one drawn from
    the vocabulary's texts — the pack's own, and (``generated``) the generated rules'."""
    key = (v.pack.name, v.subject, generated)
    if key not in _REFERENCES:
        texts = st.sampled_from(TEXTS)  # mostly what records hold, so that keys match
        texts = st.one_of(texts, texts, texts, st.sampled_from(v.keys)) if v.keys else texts
        data: dict[str, Any] = {}
        for name, spec in v.references.items():
            if name in (REF_SET, REF_TABLE) and not generated:
                continue
            keys = st.lists(texts, max_size=4, unique_by=lambda k: k.strip().upper())
            if spec.kind == "set":
                data[name] = st.one_of(st.none(), keys, keys)
            else:
                cells = st.one_of(st.none(), st.sampled_from(v.cells))
                row = st.fixed_dictionaries(dict.fromkeys(spec.columns, cells))
                table = keys.flatmap(
                    lambda ks, row=row, spec=spec: st.tuples(*(row for _ in ks)).map(
                        lambda rows, ks=ks, spec=spec: [
                            {spec.key: k, **r} for k, r in zip(ks, rows, strict=True) if k.strip()
                        ]
                    )
                )
                data[name] = st.one_of(st.none(), table, table)
        supplied = st.fixed_dictionaries(data).map(
            lambda d: {k: x for k, x in d.items() if x is not None}
        )
        _REFERENCES[key] = st.one_of(st.none(), supplied, supplied, supplied)
    return _REFERENCES[key]


@pytest.mark.parametrize(("pack_name", "subject"), PAIRS)
def test_generated_rules_agree_on_three_paths(pack_name: str, subject: str) -> None:
    v = VOCABULARY[pack_name, subject]

    @_settings(PER_PAIR)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        generated = data.draw(generated_pack((pack_name, subject)))
        pack = generated.pack
        # what is generated is what a pack may load: the load-time check accepts it
        for e, expect, members in generated.checks:
            assert ex.check_types(e, subject, pack, expect=expect, members=members) == []
        rows = data.draw(records((pack_name, subject), reads([c[0] for c in generated.checks])))
        as_of = data.draw(_as_of(v))
        batches = frames(v, rows)
        when = {
            "as_of": as_of,
            "overrides": data.draw(_overrides(v)),
            "references": data.draw(_references(v, generated=True)),
        }
        assert_decision_agrees(pack, "g", rows, batches, when)
        assert_classifier_agrees(pack, "gc", rows, batches, when)
        if "ge" in pack.entitlements:
            assert_entitlement_agrees(pack, "ge", rows, batches, when)

    check()


def _rule_exprs(rule: pc.Criterion) -> list[ex.Expr | None]:
    """What a criterion reads, in every version that may govern."""
    out: list[ex.Expr | None] = []
    while rule is not None:
        out += [rule.test, rule.observed, rule.required]
        rule = rule.supersedes
    return out


def describe(pack: pc.Pack) -> str:
    """The generated rules as an author would write them (shown when an example fails)."""
    show = ex._source_of
    lines = []
    for cid in pack.decisions["g"].criteria:
        rule = pack.criteria[cid]
        observed = "" if rule.observed is None else f"  observed={show(rule.observed)}"
        lines.append(f"{cid} [{rule.in_force}]: {show(rule.test)}{observed}")
    lines.append(f"classifier in force: {pack.classifiers['gc'].in_force}")
    entitlement = pack.entitlements.get("ge")
    if entitlement is not None:
        if entitlement.eligibility is not None:
            lines.append(f"eligibility: {show(entitlement.eligibility)}")
        for ln in entitlement.lines:
            lines.append(
                f"line {ln.id} per {ln.per} ({ln.kind}) [{ln.in_force}]: "
                f"{show(ln.condition)} → {show(ln.amount)}"
            )
    return "\n".join(lines)


# -- every pack's own rules -------------------------------------------------------------------


@pytest.mark.parametrize(("pack_name", "subject"), PAIRS)
def test_every_pack_rule_agrees_on_three_paths(pack_name: str, subject: str) -> None:
    v = VOCABULARY[pack_name, subject]
    pack = v.pack
    decisions = sorted(d for d, x in pack.decisions.items() if x.subject == subject)
    classifiers = sorted(c for c, x in pack.classifiers.items() if x.subject == subject)
    entitlements = sorted(e for e, x in pack.entitlements.items() if x.subject == subject)

    exprs: list[ex.Expr | None] = []
    for d in decisions:
        exprs += [e for c in pack.decisions[d].criteria for e in _rule_exprs(pack.criteria[c])]
    for c in classifiers:
        exprs += [k.test for k in pack.classifiers[c].classes]
    for e in entitlements:
        en = pack.entitlements[e]
        exprs += [en.eligibility, *(x for ln in en.lines for x in (ln.condition, ln.amount))]

    @_settings(25)
    @given(
        rows=records((pack_name, subject), reads(exprs)),
        as_of=_as_of(v),
        references=_references(v, generated=False),
    )
    def check(rows: list[Any], as_of: dt.date, references: dict[str, Any] | None) -> None:
        batches = frames(v, rows)
        when = {"as_of": as_of, "references": references}
        for d in decisions:
            assert_decision_agrees(pack, d, rows, batches, when)
        for c in classifiers:
            assert_classifier_agrees(pack, c, rows, batches, when)
        for e in entitlements:
            assert_entitlement_agrees(pack, e, rows, batches, when)

    check()


# -- reference data: the blocks with keys that match ------------------------------------------

KEYS = ("a", "b", " a ", "B", "")
"""Keys of records and of reference data alike, so that lookups hit, miss and blank."""


def _reference_rules() -> list[ex.Expr]:
    """Tests over ``reference(…)``: membership of a field, a member field and a constant
    in a set and in a table's keys; a table's column compared, listed and coalesced; inside
    member aggregations, ``where`` and ``not_``."""
    table, keys = reference(REF_TABLE), reference(REF_SET)
    cell = table.column("c", key=ex.field("village_id"))
    by_member = table.column("c", key=ex.member("name"))
    return [
        ex.field("village_id").isin(keys),
        ex.field("county_id").isin(table),
        ex.lit("a").isin(keys),
        cell.eq("a"),
        ex.not_(cell.isin(("a", "b"))),
        ex.coalesce(cell, ex.field("county_id")).eq("b"),
        ex.where(ex.field("village_id").isin(keys), cell.eq("b"), ex.lit(False)),
        ex.any_member(ex.member("name").isin(keys)),
        ex.no_member(ex.all_of(ex.member("name").isin(table), by_member.isin(("a", "B")))),
        ex.count_members(ex.member("name").isin(keys)) >= 1,
    ]


@st.composite
def _reference_case(draw: Draw) -> tuple[list[Any], dict[str, Any] | None]:
    key = st.sampled_from(KEYS)
    maybe = st.one_of(key, key, st.none())
    rows = []
    for i in range(draw(st.integers(1, 4))):
        people = [
            pc.Person(id=f"r{i}-m{j}", name=draw(maybe)) for j in range(draw(st.integers(1, 3)))
        ]
        rows.append(
            pc.Household(id=f"r{i}", village_id=draw(maybe), county_id=draw(maybe), members=people)
        )
    if draw(st.integers(0, 4)) == 0:
        return rows, None  # not supplied: every test reading them is unknown
    keys = draw(st.lists(key, max_size=4, unique_by=lambda k: k.strip()))
    table = [{"key": k, "c": draw(st.one_of(st.none(), key))} for k in keys if k.strip()]
    return rows, {REF_SET: keys, REF_TABLE: table}


def test_reference_blocks_agree_on_three_paths() -> None:
    v = VOCABULARY["national", "household"]
    citations = next(iter(v.pack.criteria.values())).citations
    title = pc.T("参考数据规则", "reference rule")
    tests = _reference_rules()
    criteria = {
        f"r{i}": pc.Criterion(
            id=f"r{i}", subject="household", title=title, citations=citations, test=test
        )
        for i, test in enumerate(tests)
    }
    pack = attrs.evolve(
        v.pack,
        references=v.references,
        criteria={**v.pack.criteria, **criteria},
        decisions={
            **v.pack.decisions,
            "r": pc.Decision(
                id="r",
                subject="household",
                title=title,
                citations=citations,
                criteria=list(criteria),
            ),
        },
        classifiers={
            **v.pack.classifiers,
            "rc": pc.Classifier(
                id="rc",
                subject="household",
                title=title,
                citations=citations,
                classes=[pc.ClassRule(c, title, r.test) for c, r in criteria.items()],
            ),
        },
    )
    for test in tests:  # what the rules say is what a pack may load
        assert ex.check_types(test, "household", pack, expect="bool") == []
    seen: set[str] = set()

    @_settings(200)
    @given(case=_reference_case())
    def check(case: tuple[list[Any], dict[str, Any] | None]) -> None:
        rows, references = case
        batches = frames(v, rows)
        when = {"as_of": dt.date(2016, 6, 30), "references": references}
        assert_decision_agrees(pack, "r", rows, batches, when)
        assert_classifier_agrees(pack, "rc", rows, batches, when)
        for r in rows:
            for f in pack.decide("r", r, **when).findings:
                seen.add(f.status.value)

    check()
    assert seen == {"passed", "failed", "unknown"}  # every outcome of the blocks was met
