"""Static types: what a pack's rules compare, checked when the pack loads
(:func:`check_types`, :func:`type_problems`). The checker is hand-written: it walks the
blocks of this package, which no type-checking library knows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs

from poverty_core._text import Text
from poverty_core.codes import Code
from poverty_core.expressions.base import (
    And,
    Arith,
    Compare,
    Const,
    Expr,
    IsIn,
    Lookup,
    Not,
    Or,
    Param,
    Reference,
)
from poverty_core.expressions.builders import subject_of
from poverty_core.expressions.combinators import (
    Coalesce,
    Filled,
    Function,
    Length,
    MemberAggregate,
    Where,
)
from poverty_core.expressions.leaves import (
    AsOf,
    ChecklistComplete,
    ChecklistItem,
    Field,
    Member,
    ProcedureComplete,
    StepDate,
    StepDone,
)
from poverty_core.frame import (
    FieldKind,
    field_kind,
    member_type,
)
from poverty_core.model import Household

# -- static types: what a pack's rules compare, checked when the pack loads ----------------

_KIND_TEXT = {
    "bool": Text("是/否值", "a yes/no value"),
    "number": Text("数值", "a number"),
    "code": Text("代码", "a code"),
    "date": Text("日期", "a date"),
    "text": Text("文本", "text"),
    "list": Text("列表", "a list"),
    "any": Text("任意值", "any value"),
}


@attrs.frozen
class ValueType:
    """The static type of an expression: its kind (``bool``, ``number``, ``code``,
    ``date``, ``text``, ``list`` or ``any`` when it cannot be told), the code list of a
    code, the unit of a number where the rule's inputs state one, and the strings a text
    stated in the rule can take (``None`` for free text from records)."""

    kind: str
    code: type[Code] | None = None
    unit: str | None = None
    texts: frozenset[str] | None = None
    items: tuple[Any, ...] | None = None
    """The values of a list the rule states (a tuple constant, a list parameter)."""

    def describe(self) -> Text:
        """A short bilingual description: ``a code of house_grade``, ``a number in yuan``."""
        if self.kind == "code" and self.code is not None:
            name = self.code.list_name()
            return Text(f"代码表 {name} 的代码", f"a code of {name}")
        if self.kind == "number" and self.unit:
            return Text(f"数值（单位 {self.unit}）", f"a number in {self.unit}")
        if self.kind == "text" and self.texts is not None and len(self.texts) == 1:
            (only,) = self.texts
            return Text(f"文本 {only!r}", f"the text {only!r}")
        return _KIND_TEXT.get(self.kind, _KIND_TEXT["any"])


_ANY = ValueType("any")
_BOOL = ValueType("bool")
_NUMBER = ValueType("number")
_DATE = ValueType("date")
_ORDERED = ("<", "<=", ">", ">=")
_NOT_COLUMNS = frozenset({"members", "history"})


def _source(expr: Expr, limit: int = 100) -> str:
    """An expression as an author writes it (``field("main_cause")``), shortened."""
    text = _source_of(expr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _const_source(value: Any) -> str:
    if isinstance(value, Code):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_const_source(v) for v in value) + ")"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _source_of(e: Expr) -> str:
    def args(parts: Sequence[Expr]) -> str:
        return ", ".join(_source_of(p) for p in parts)

    if isinstance(e, Const):
        return _const_source(e.value)
    if isinstance(e, Field | Member | Param):
        return f'{type(e).__name__.lower()}("{e.name}")'
    if isinstance(e, Compare):
        return f"{_source_of(e.left)} {e.op} {_source_of(e.right)}"
    if isinstance(e, Arith):
        return f"({_source_of(e.left)} {e.op} {_source_of(e.right)})"
    if isinstance(e, IsIn):
        return f"{_source_of(e.value)}.isin({_source_of(e.options)})"
    if isinstance(e, Coalesce):
        return f"coalesce({args(e.options)})"
    if isinstance(e, Where):
        return f"where({args((e.condition, e.then, e.otherwise))})"
    if isinstance(e, And | Or):
        return f"{'all_of' if isinstance(e, And) else 'any_of'}({args(e.parts)})"
    if isinstance(e, Not):
        return f"not_({_source_of(e.part)})"
    if isinstance(e, MemberAggregate):
        how = {"any": "any_member", "all": "all_members", "count": "count_members"}[e.how]
        return f"{how}({_source_of(e.condition)})"
    if isinstance(e, Filled | Length):
        return f'{type(e).__name__.lower()}("{e.of.name}")'
    if isinstance(e, AsOf):
        return "as_of(year=True)" if e.year else "as_of()"
    if isinstance(e, StepDate):
        return f'step_date("{e.procedure}", "{e.step}")'
    if isinstance(e, Function):
        return f"function({getattr(e.fn, '__name__', 'fn')})"
    if isinstance(e, Reference):
        return f'reference("{e.name}")'
    if isinstance(e, Lookup):
        return f'reference("{e.name}").column("{e.column}", key={_source_of(e.key)})'
    name = getattr(e, "criterion", None) or getattr(e, "name", None)
    return f"{type(e).__name__}({name!r})" if name else type(e).__name__


def _const_type(value: Any) -> ValueType:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, Code):
        return ValueType("code", type(value))
    if isinstance(value, str):
        return ValueType("text", texts=frozenset((value,)))
    if isinstance(value, int | float):
        return _NUMBER
    if isinstance(value, dt.date):
        return _DATE
    if isinstance(value, tuple):
        return ValueType("list", items=value)
    return _ANY


def _of_field(fk: FieldKind | None) -> ValueType:
    if fk is None or fk.kind == "mapping":
        return _ANY  # an unknown field is reported as such by the pack's checks
    if fk.kind == "list":  # rules see a list field as its length
        return _NUMBER
    return ValueType(fk.kind, fk.code, fk.unit)


class _Checker:
    """Infers the :class:`ValueType` of every node and collects what does not fit."""

    def __init__(
        self, subject: type[Any], parameters: Any, members: bool, references: Any = None
    ) -> None:
        self.subject = subject
        self.parameters = parameters if parameters is not None else {}
        self.references = references
        self.members = members
        self.problems: list[Text] = []

    # problems ------------------------------------------------------------------------
    def problem(self, zh: str, en: str) -> None:
        self.problems.append(Text(zh, en))

    def mismatch(
        self, verb: Text, a: Expr, at: ValueType, b: Expr | str, bt: ValueType, why: Text
    ) -> None:
        left, right = _source(a), b if isinstance(b, str) else _source(b)
        ad, bd = at.describe(), bt.describe()
        self.problem(
            f"{verb.zh} {left}（{ad.zh}）与 {right}（{bd.zh}）：{why.zh}",
            f"{verb.en} {left} ({ad.en}) with {right} ({bd.en}): {why.en}",
        )

    # joining two sides -------------------------------------------------------------
    def join(self, verb: Text, a: Expr, at: ValueType, b: Expr | str, bt: ValueType) -> ValueType:
        """The type of two values that meet (compared, or alternatives of one value)."""
        if at.kind == "any":
            return bt
        if bt.kind == "any":
            return at
        if at.kind == "code" and bt.kind == "code":
            if at.code is not bt.code:
                why = Text(
                    "两个不同代码表的代码，永远不相等",
                    "codes of two different code lists never match",
                )
                self.mismatch(verb, a, at, b, bt, why)
            return at
        if "code" in (at.kind, bt.kind) and "text" in (at.kind, bt.kind):
            code_t, text_t = (at, bt) if at.kind == "code" else (bt, at)
            self.texts_are_codes(verb, a, at, b, bt, code_t, text_t)
            return code_t
        if at.kind != bt.kind:
            why = Text("取值种类不同", "values of different kinds")
            self.mismatch(verb, a, at, b, bt, why)
            return at
        if at.kind == "number":
            if at.unit and bt.unit and at.unit != bt.unit:
                why = Text(
                    f"单位不同（{at.unit} 与 {bt.unit}）", f"different units ({at.unit}, {bt.unit})"
                )
                self.mismatch(verb, a, at, b, bt, why)
            return ValueType("number", unit=at.unit or bt.unit)
        if at.kind == "text":
            texts = None if at.texts is None or bt.texts is None else at.texts | bt.texts
            return ValueType("text", texts=texts)
        return at

    def texts_are_codes(
        self,
        verb: Text,
        a: Expr,
        at: ValueType,
        b: Expr | str,
        bt: ValueType,
        code_t: ValueType,
        text_t: ValueType,
    ) -> None:
        assert code_t.code is not None
        code = code_t.code
        if text_t.texts is None:
            why = Text(
                "自由文本与代码比较（文本字段不是代码表）",
                "free text compared with codes (a text field is not a code list)",
            )
            self.mismatch(verb, a, at, b, bt, why)
            return
        values = {m.value for m in code}
        for text in sorted(text_t.texts - values):
            try:
                hint = code.parse(text).value
            except ValueError:
                hint = None
            zh = f"{text!r} 不是代码表 {code.list_name()} 的代码"
            en = f"{text!r} is not a code of {code.list_name()}"
            if hint is not None:
                zh += f"（应写代码 {hint!r}）"
                en += f" (write its code, {hint!r})"
            self.mismatch(verb, a, at, b, bt, Text(zh, en))

    def expect(self, e: Expr, t: ValueType, kind: str, role: Text) -> None:
        if t.kind not in (kind, "any"):
            want = _KIND_TEXT[kind]
            got = t.describe()
            self.problem(
                f"{role.zh}应为{want.zh}，{_source(e)} 是{got.zh}",
                f"{role.en} must be {want.en}; {_source(e)} is {got.en}",
            )

    # the walk ----------------------------------------------------------------------
    def visit(self, e: Expr) -> ValueType:
        """The type of ``e``; problems of ``e`` and its parts are recorded."""
        if isinstance(e, Const):
            return _const_type(e.value)
        if isinstance(e, Field):
            return self.field(e)
        if isinstance(e, Member):
            if not self.members:
                self.problem(
                    f"{_source(e)} 只能用在成员汇总（any_member 等）之内",
                    f"{_source(e)} is only meaningful inside a member aggregation (any_member …)",
                )
            if e.name == "age":
                return _NUMBER
            return _of_field(field_kind(member_type(self.subject), e.name))
        if isinstance(e, Param):
            return self.param(e.name)
        if isinstance(e, Reference | Lookup):
            return self.reference(e)
        if isinstance(e, AsOf):
            return _NUMBER if e.year else _DATE
        if isinstance(e, StepDate):
            return _DATE
        if isinstance(e, StepDone | ChecklistItem | ChecklistComplete | ProcedureComplete):
            return _BOOL
        if isinstance(e, Compare):
            return self.compare(e)
        if isinstance(e, IsIn):
            return self.isin(e)
        if isinstance(e, Arith):
            return self.arith(e)
        if isinstance(e, Coalesce):
            verb = Text("合并", "combines")
            out = self.visit(e.options[0])
            for option in e.options[1:]:
                out = self.join(verb, e.options[0], out, option, self.visit(option))
            return out
        if isinstance(e, Where):
            condition = self.visit(e.condition)
            self.expect(e.condition, condition, "bool", Text("where 的条件", "a where's condition"))
            then, otherwise = self.visit(e.then), self.visit(e.otherwise)
            return self.join(Text("合并", "combines"), e.then, then, e.otherwise, otherwise)
        if isinstance(e, And | Or | Not):
            parts = e.parts if isinstance(e, And | Or) else (e.part,)
            for part in parts:
                self.expect(
                    part, self.visit(part), "bool", Text("逻辑组合的各项", "a logical part")
                )
            return _BOOL
        if isinstance(e, Filled):
            t = self.visit(e.of)
            if t.kind not in ("text", "code", "any"):
                self.expect(e.of, t, "text", Text("filled 的字段", "a filled() field"))
            return _BOOL
        if isinstance(e, Length):
            fk = field_kind(self.subject, e.of.name)
            if fk is not None and fk.kind != "list":
                self.expect(e.of, _of_field(fk), "list", Text("length 的字段", "a length() field"))
            self.field(e.of)
            return _NUMBER
        if isinstance(e, MemberAggregate):
            return self.aggregate(e)
        if isinstance(e, Function):
            if e.of_member and not self.members:
                self.problem(
                    f"{_source(e)} 读成员字段，只能用在成员汇总之内",
                    f"{_source(e)} reads member fields: use it inside a member aggregation",
                )
            return _ANY
        for child in e.children():  # blocks defined elsewhere: check their parts
            self.visit(child)
        kind = e.value_kind(self.subject)
        return ValueType(kind) if kind in _KIND_TEXT else _ANY

    def field(self, e: Field) -> ValueType:
        if e.name in _NOT_COLUMNS:  # nested records: a batch has no column for them
            self.problem(
                f"{_source(e)}：规则不能直接读取嵌套记录（成员用 count_members 等汇总）",
                f"{_source(e)}: rules cannot read nested records as a field "
                "(aggregate members with count_members and the like)",
            )
            return _ANY
        return _of_field(field_kind(self.subject, e.name))

    def param(self, name: str) -> ValueType:
        p = self.parameters.get(name)
        if p is None:
            return _ANY  # an undefined parameter is reported as such by the pack's checks
        values = [v.value for v in getattr(p, "values", ())]
        ptype = getattr(p, "type", "")
        if ptype in ("number", "integer"):
            unit = getattr(p, "unit", None)
            return ValueType("number", unit=None if unit in (None, "", "none") else unit)
        if ptype == "boolean":
            return _BOOL
        if ptype == "text":
            return ValueType("text", texts=frozenset(str(v) for v in values))
        if ptype == "text_list":
            return ValueType("list", items=tuple(dict.fromkeys(i for v in values for i in v)))
        return _ANY

    def reference(self, e: Reference | Lookup) -> ValueType:
        spec = None if self.references is None else self.references.get(e.name)
        if self.references is not None and spec is None:
            known = ", ".join(sorted(self.references)) or "—"
            self.problem(
                f"{_source(e)}：策略包没有声明参考数据 {e.name}（已声明：{known}）",
                f"{_source(e)}: the pack declares no reference {e.name} (declared: {known})",
            )
        if isinstance(e, Reference):
            return ValueType("list")
        key = self.visit(e.key)
        if key.kind not in ("text", "code", "any"):
            self.expect(e.key, key, "text", Text("参考表的键", "a reference table's key"))
        if spec is not None and spec.kind != "table":
            self.problem(
                f"{_source(e)}：{e.name} 是集合，没有列",
                f"{_source(e)}: {e.name} is a set: no columns",
            )
        elif spec is not None and e.column not in spec.columns:
            self.problem(
                f"{_source(e)}：参考表 {e.name} 没有列 {e.column}（有：{'、'.join(spec.columns)}）",
                f"{_source(e)}: reference table {e.name} has no column {e.column} "
                f"(it has: {', '.join(spec.columns)})",
            )
        return ValueType("text")

    def compare(self, e: Compare) -> ValueType:
        left, right = self.visit(e.left), self.visit(e.right)
        verb = Text("比较", "compares")
        joined = self.join(verb, e.left, left, e.right, right)
        if e.op in _ORDERED and joined.kind not in ("number", "date", "any"):
            why = Text(f"“{e.op}” 只能比较数值和日期", f"'{e.op}' orders numbers and dates only")
            self.mismatch(verb, e.left, left, e.right, right, why)
        return _BOOL

    def isin(self, e: IsIn) -> ValueType:
        value = self.visit(e.value)
        options = self.visit(e.options)
        verb = Text("比较", "compares")
        if options.kind == "any":
            return _BOOL
        if isinstance(e.options, Reference):  # keys are text (ID numbers, cadre ids …)
            if value.kind not in ("text", "code", "any"):
                self.expect(e.value, value, "text", Text("与参考数据比较的值", "a value looked up"))
            return _BOOL
        if options.kind != "list" or not isinstance(e.options, Const | Param):
            self.problem(
                f"{_source(e)}：isin 的选项应为常量列表或列表参数，{_source(e.options)} 不是",
                f"{_source(e)}: isin takes a tuple of constants or a list parameter, "
                f"not {_source(e.options)}",
            )
            return _BOOL
        for item in options.items or ():
            self.join(verb, e.value, value, _const_source(item), _const_type(item))
        return _BOOL

    def arith(self, e: Arith) -> ValueType:
        left, right = self.visit(e.left), self.visit(e.right)
        for t in (left, right):
            if t.kind not in ("number", "date", "any"):
                why = Text("只能对数值和日期做算术", "arithmetic takes numbers and dates only")
                self.mismatch(Text("计算", "computes"), e.left, left, e.right, right, why)
                return _NUMBER
        kinds = (left.kind, right.kind)
        if "date" in kinds:
            if e.op == "-" and kinds == ("date", "date"):
                return ValueType("number", unit="days")
            if e.op in "+-" and "number" in kinds and (e.op == "+" or kinds[0] == "date"):
                return _DATE
            if "any" not in kinds:
                why = Text("日期只能加减天数，或相减", "dates take + and - of days, or - of dates")
                self.mismatch(Text("计算", "computes"), e.left, left, e.right, right, why)
            return _ANY
        if e.op in "+-":
            return self.join(Text("计算", "computes"), e.left, left, e.right, right)
        return _NUMBER  # a product or quotient: its unit is not told (yuan ÷ people …)

    def aggregate(self, e: MemberAggregate) -> ValueType:
        if not issubclass(self.subject, Household):
            self.problem(
                f"{_source(e)}：{self.subject.__name__} 记录没有成员",
                f"{_source(e)}: {self.subject.__name__} records have no members",
            )
            return _ANY
        outer, self.members = self.members, True
        try:
            t = self.visit(e.condition)
            self.expect(e.condition, t, "bool", Text("成员汇总的条件", "a member condition"))
        finally:
            self.members = outer
        return _NUMBER if e.how == "count" else _BOOL


def _subject(subject: type[Any] | str, pack: Any = None) -> type[Any]:
    # a pack's record class: the fields it declares are typed, another pack's are not
    if isinstance(subject, str) and hasattr(pack, "record_type"):
        return pack.record_type(subject)  # type: ignore[no-any-return]
    return subject_of(subject) if isinstance(subject, str) else subject


def static_type(
    expr: Expr, subject: type[Any] | str, pack: Any = None, *, members: bool = False
) -> ValueType:
    """The :class:`ValueType` of ``expr`` about ``subject`` records (``pack``: where its
    parameters' types and units come from; ``members``: evaluated per member)."""
    checker = _Checker(
        _subject(subject, pack),
        getattr(pack, "parameters", None),
        members,
        getattr(pack, "references", None),
    )
    return checker.visit(expr)


def check_types(
    expr: Expr,
    subject: type[Any] | str,
    pack: Any = None,
    *,
    expect: str | None = None,
    role: Text | None = None,
    members: bool = False,
) -> list[Text]:
    """What does not fit in ``expr``: comparisons (and ``isin``, ``where``, ``coalesce``,
    arithmetic) of values of different kinds, units or code lists, text that is not a
    code of the list it meets, member fields outside a member aggregation; and, with
    ``expect`` (``bool``, ``number``, ``code``), an expression of another kind. Each
    problem names both sides, as the author wrote them, with their types.

    >>> from poverty_core.codes import HouseGrade
    >>> from poverty_core.expressions import field
    >>> [p.en for p in check_types(field("main_cause").eq(HouseGrade.A), "household")]
    ['compares field("main_cause") (a code of poverty_cause) with HouseGrade.A (a code of house_grade): codes of two different code lists never match']
    """  # noqa: E501
    checker = _Checker(
        _subject(subject, pack),
        getattr(pack, "parameters", None),
        members,
        getattr(pack, "references", None),
    )
    t = checker.visit(expr)
    if expect is not None:
        checker.expect(expr, t, expect, role or Text("表达式", "the expression"))
    return checker.problems


def type_problems(pack: Any) -> list[Text]:
    """:func:`check_types` over every rule of an assembled pack — criteria (tests must be
    conditions), classifiers, entitlements (conditions, amounts) and indicators — each
    problem prefixed with the rule's kind and id. The pack's loading raises them as one
    :class:`~poverty_core.errors.PackError`."""
    out: list[Text] = []
    test, condition = Text("检验", "the test"), Text("条件", "the condition")

    def run(
        kind: Text,
        rid: str,
        subject: str,
        expr: Expr | None,
        expect: str | None = None,
        role: Text | None = None,
        members: bool = False,
    ) -> None:
        if expr is None:
            return
        for p in check_types(expr, subject, pack, expect=expect, role=role, members=members):
            out.append(Text(f"{kind.zh} {rid}：{p.zh}", f"{kind.en} {rid}: {p.en}"))

    criterion = Text("准则", "criterion")
    for rule in pack.criteria.values():
        run(criterion, rule.id, rule.subject, rule.test, "bool", test)
        run(criterion, rule.id, rule.subject, rule.observed)
        run(criterion, rule.id, rule.subject, rule.required)
    for cf in pack.classifiers.values():
        for c in cf.classes:
            run(Text("分类器", "classifier"), f"{cf.id}.{c.code}", cf.subject, c.test, "bool", test)
    for en in pack.entitlements.values():
        kind = Text("补助项目", "entitlement")
        run(kind, en.id, en.subject, en.eligibility, "bool", Text("资格", "the eligibility"))
        for ln in en.lines:
            per_member = ln.per == "member"
            where = f"{en.id} line {ln.id}"
            run(kind, where, en.subject, ln.condition, "bool", condition, per_member)
            run(
                kind, where, en.subject, ln.amount, "number", Text("金额", "the amount"), per_member
            )
    for ind in pack.indicators.values():
        kind = Text("指标", "indicator")
        run(kind, ind.id, ind.subject, ind.condition, "bool", condition)
        run(kind, ind.id, ind.subject, ind.where, "bool", Text("筛选条件", "the filter"))
        value_kind = "code" if ind.kind == "breakdown" else "number"
        run(kind, ind.id, ind.subject, ind.value, value_kind, Text("取值", "the value"))
        run(kind, ind.id, ind.subject, ind.denominator, "number", Text("分母", "the denominator"))
        if ind.target is not None:
            run(kind, ind.id, ind.subject, ind.target[1], "number", Text("目标", "the target"))
    return out


def code_list_of(expr: Expr, subject: type[Any]) -> type[Code] | None:
    """The code list an expression's values come from (through ``where`` and
    ``coalesce``), or ``None`` when they are not codes."""
    return static_type(expr, subject).code
