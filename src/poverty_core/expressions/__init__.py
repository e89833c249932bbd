"""Building blocks of rules: references, comparisons, three-valued logic, aggregations.

A rule's test is an expression tree built from these blocks. Each block knows how to

* evaluate on **one** record (:meth:`Expr.one`: a Python value, ``None`` = unknown),
* evaluate on a **batch** of columns (:meth:`Expr.many`: a :class:`~poverty_core.frame.Vec`),
* render itself as readable Chinese and English (:meth:`Expr.text`),
* list what it reads (:meth:`Expr.refs`) so packs can be checked at load time.

Both evaluators implement the same three-valued (Kleene) logic — ``False AND unknown``
is ``False``, ``True OR unknown`` is ``True`` — and the property tests hold them equal
(``tests/test_generated_rules.py`` runs random rule trees over every installed pack on
one record, a batch from records and a batch from Arrow). Pack authors compose blocks
and never touch numpy::

    field("annual_net_income_per_capita") > param("poverty_line")
    no_member(member("age").between(param("compulsory_school_age_min"), ...) & ...)

Codes compare by their text on both paths: a batch holds them as string ids
(:func:`~poverty_core.frame.string_id`), and a text constant or parameter meeting codes
takes the same ids, whatever block (``where``, ``coalesce``, ``isin``) brings them
together. :func:`check_types` gives every expression a static :class:`ValueType` and
reports, when a pack loads, comparisons of values of different kinds, units or code
lists (the type checker is hand-written: it walks this package's own blocks).
"""

from __future__ import annotations

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
    all_of,
    any_of,
    lit,
    not_,
)
from poverty_core.expressions.builders import (
    all_members,
    any_member,
    as_of,
    checklist_complete,
    checklist_item,
    coalesce,
    count_members,
    field,
    filled,
    function,
    length,
    member,
    no_member,
    param,
    procedure_complete,
    step_date,
    subject_of,
    where,
)
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
from poverty_core.expressions.scope import Many, Namer, One, ParamSource, Ref, RefKind
from poverty_core.expressions.typecheck import (
    ValueType,
    check_types,
    code_list_of,
    static_type,
    type_problems,
)
from poverty_core.expressions.typecheck import _source_of as _source_of  # tests render rules

__all__ = [
    "And",
    "Arith",
    "AsOf",
    "ChecklistComplete",
    "ChecklistItem",
    "Coalesce",
    "Compare",
    "Const",
    "Expr",
    "Field",
    "Filled",
    "Function",
    "IsIn",
    "Length",
    "Lookup",
    "Many",
    "Member",
    "MemberAggregate",
    "Namer",
    "Not",
    "One",
    "Or",
    "Param",
    "ParamSource",
    "ProcedureComplete",
    "Ref",
    "RefKind",
    "Reference",
    "StepDate",
    "StepDone",
    "ValueType",
    "Where",
    "all_members",
    "all_of",
    "any_member",
    "any_of",
    "as_of",
    "check_types",
    "checklist_complete",
    "checklist_item",
    "coalesce",
    "code_list_of",
    "count_members",
    "field",
    "filled",
    "function",
    "length",
    "lit",
    "member",
    "no_member",
    "not_",
    "param",
    "procedure_complete",
    "static_type",
    "step_date",
    "subject_of",
    "type_problems",
    "where",
]
