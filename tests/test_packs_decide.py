"""Every installed pack decides on the dates it governs.

Property: for every installed pack, every household decision and every year in the
decision's period, a household that gives every input the decision reads on that date
is never *undetermined* once every parameter it reads has a value (a parameter the pack
leaves as a gap on that date is given an arbitrary test value here: the point is that
no rule stays unknown with complete data, not the value). And the same holds on one
record and in a batch.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core.frame import field_kind
from poverty_core.plugins import default_registry
from poverty_core.rules import Decision

_REGISTRY = default_registry()
_PACKS = {name: _REGISTRY.load(name) for name in _REGISTRY.names()}


def _dates_in(decision: Decision) -> list[dt.date]:
    """One date in each calendar year of the decision's period (its last day in it)."""
    period = decision.in_force
    assert period is not None, f"{decision.id} has no period"
    last = period.end or dt.date(2020, 12, 31)
    out = []
    for year in range(period.start.year, last.year + 1):
        out.append(min(dt.date(year, 12, 31), last))
    return out


CASES = [
    pytest.param(name, d.id, on, id=f"{name}-{d.id}-{on.year}")
    for name, pack in sorted(_PACKS.items())
    for d in pack.decisions_for("household")
    for on in _dates_in(d)
]


def _test_value(parameter: pc.Parameter) -> Any:
    """An arbitrary value of the parameter's type (for a gap on the date)."""
    return {
        "number": 1.0,
        "integer": 1,
        "boolean": False,
        "text": "test",
        "text_list": ("test",),
    }[parameter.type]


def _scalar(cls: type[Any], name: str, on: dt.date) -> st.SearchStrategy[Any]:
    kind = field_kind(cls, name)
    assert kind is not None, name
    attribute = attrs.fields_dict(cls)[name]
    check = attribute.metadata.get("check")
    hint = typing.get_type_hints(cls)[name]
    if kind.kind == "bool":
        base: st.SearchStrategy[Any] = st.booleans()
    elif kind.kind == "code":
        assert kind.code is not None
        base = st.sampled_from([c.value for c in kind.code])
    elif kind.kind == "date":
        base = st.dates(dt.date(2014, 1, 1), on).map(dt.date.isoformat)
    elif kind.kind == "list":
        base = st.lists(st.dates(dt.date(2014, 1, 1), on).map(dt.date.isoformat), max_size=8)
    elif name == "id_number":  # SYNTHETIC ID numbers with valid check characters
        base = st.sampled_from(["35062319800101007X", "350628198001010020"])
    elif kind.kind == "text":
        base = st.sampled_from(["甲", "test"])
    elif name.endswith("_year"):
        base = st.integers(2014, 2020)
    elif int in typing.get_args(hint) or hint is int:
        base = st.integers(0, 200)
    else:
        base = st.sampled_from([0.0, 0.02, 0.5, 1.0, 3.0, 35.0, 2500.0, 5000.0, 200000.0])
    if check is not None:
        base = base.filter(lambda v: check(v) is None)
    return base


@st.composite
def complete_household(draw: st.DrawFn, pack: pc.Pack, fields: tuple[str, ...], on: dt.date) -> Any:
    top: dict[str, Any] = {"id": "h1"}
    member_fields = [f.removeprefix("members[].") for f in fields if f.startswith("members[].")]
    for label in fields:
        if label.startswith("members[]."):
            continue
        if label.startswith("procedures."):
            name = label.removeprefix("procedures.")
            steps = pack.procedures[name].steps
            dates = draw(st.lists(st.dates(dt.date(2015, 1, 1), on), min_size=len(steps),
                                  max_size=len(steps)))  # fmt: skip
            top.setdefault("procedures", {})[name] = {
                s.id: d.isoformat() for s, d in zip(steps, sorted(dates), strict=True)
            }
        elif label.startswith("checklists."):
            name = label.removeprefix("checklists.").split(".")[0]
            items = pack.checklists[name].items
            top.setdefault("checklists", {})[name] = {i.id: draw(st.booleans()) for i in items}
        else:
            top[label] = draw(_scalar(pack.record_type("household"), label, on))
    n = draw(st.integers(1, 3))
    top["members"] = [
        {
            "id": str(i + 1),
            **{f: draw(_scalar(pack.record_type("person"), f, on)) for f in member_fields},
        }
        for i in range(n)
    ]
    return top


@pytest.mark.parametrize(("pack_name", "decision", "on"), CASES)
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_complete_household_is_never_undetermined(
    pack_name: str, decision: str, on: dt.date, data: st.DataObject
) -> None:
    pack = _PACKS[pack_name]
    plan = pack.readiness(decision, as_of=on)
    overrides = {g.parameter.name: _test_value(g.parameter) for g in plan.gaps}
    # reference data the decision reads are inputs too: supplied (empty) for the run
    references = {r.reference.id: [] for r in plan.references}
    plan = pack.readiness(decision, as_of=on, overrides=overrides, references=references)
    assert plan.gaps == ()
    assert plan.ready
    raw = data.draw(complete_household(pack, plan.fields, on))
    try:
        record = pack.structure(raw)  # the pack's class: its declared fields too
    except pc.InputError:  # values that contradict each other: not this property
        assume(False)
        return
    when: dict[str, Any] = {"as_of": on, "overrides": overrides, "references": references}
    result = pack.decide(decision, record, **when)
    assert result.outcome is not pc.Outcome.UNDETERMINED, result.explain()
    batch = pack.decide_batch(decision, [record], **when)
    assert batch.result(0) == result
