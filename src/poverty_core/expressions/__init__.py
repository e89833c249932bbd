"""Building blocks of rules: references, comparisons, three-valued logic, aggregations.

A rule's test is an expression tree built from these blocks. Each block knows how to

* evaluate on **one** record (:meth:`Expr.one`: a Python value, ``None`` = unknown) —
  written once per block as a closure compiled per run (:meth:`Expr.one_fn`), with
  constants, parameters and the date folded in,
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

from poverty_core.expressions.base import And as And
from poverty_core.expressions.base import Arith as Arith
from poverty_core.expressions.base import Compare as Compare
from poverty_core.expressions.base import Const as Const
from poverty_core.expressions.base import Expr, all_of, any_of, lit, not_
from poverty_core.expressions.base import IsIn as IsIn
from poverty_core.expressions.base import Lookup as Lookup
from poverty_core.expressions.base import Not as Not
from poverty_core.expressions.base import Or as Or
from poverty_core.expressions.base import Param as Param
from poverty_core.expressions.base import Reference as Reference
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
    where,
)
from poverty_core.expressions.builders import subject_of as subject_of
from poverty_core.expressions.combinators import Coalesce as Coalesce
from poverty_core.expressions.combinators import Filled as Filled
from poverty_core.expressions.combinators import Function as Function
from poverty_core.expressions.combinators import Length as Length
from poverty_core.expressions.combinators import MemberAggregate as MemberAggregate
from poverty_core.expressions.combinators import Where as Where
from poverty_core.expressions.leaves import AsOf as AsOf
from poverty_core.expressions.leaves import ChecklistComplete as ChecklistComplete
from poverty_core.expressions.leaves import ChecklistItem as ChecklistItem
from poverty_core.expressions.leaves import Field as Field
from poverty_core.expressions.leaves import Member as Member
from poverty_core.expressions.leaves import ProcedureComplete as ProcedureComplete
from poverty_core.expressions.leaves import StepDate as StepDate
from poverty_core.expressions.leaves import StepDone as StepDone
from poverty_core.expressions.scope import Folded as Folded
from poverty_core.expressions.scope import Many as Many
from poverty_core.expressions.scope import Namer as Namer
from poverty_core.expressions.scope import One as One
from poverty_core.expressions.scope import OneFn as OneFn
from poverty_core.expressions.scope import ParamSource as ParamSource
from poverty_core.expressions.scope import Ref
from poverty_core.expressions.scope import RefKind as RefKind
from poverty_core.expressions.typecheck import ValueType, check_types, static_type, type_problems
from poverty_core.expressions.typecheck import _source_of as _source_of  # tests render rules
from poverty_core.expressions.typecheck import code_list_of as code_list_of

# The blocks' classes and the scopes are importable from here too (the rules of the
# packs, the engine and the blocks of poverty_core.blocks use them); the names below are
# the API pack authors write rules with.
__all__ = [
    "Expr",
    "Ref",
    "ValueType",
    "all_members",
    "all_of",
    "any_member",
    "any_of",
    "as_of",
    "check_types",
    "checklist_complete",
    "checklist_item",
    "coalesce",
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
    "type_problems",
    "where",
]
