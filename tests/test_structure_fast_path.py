"""``structure`` builds a good record on a fast path and reads anything else again on the
detailed path: both give the same record, or the same problems with the same paths and
messages in both languages, on the bundled SYNTHETIC samples and on mutated bad records."""

from __future__ import annotations

import copy
import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core.convert import _FAST, _builder, _structure_detailed, loads_json, structure
from poverty_core.errors import InputError
from poverty_core.samples import SAMPLE_PACKS, SAMPLES, sample_path


def _sample(name: str) -> tuple[type[Any], list[dict[str, Any]]]:
    """The household class of the sample's pack and the sample's household dicts."""
    with sample_path(SAMPLES[name]) as path:
        data = json.loads(path.read_text(encoding="utf-8"))
    cls = pc.load_pack(SAMPLE_PACKS[name]).record_type("household")
    return cls, data["households"]


CASES = {name: _sample(name) for name in SAMPLES}


def _outcome(fn: Any, data: Any, cls: type[Any]) -> Any:
    """The record, or the problems (path, zh, en) and the error's text."""
    try:
        return ("record", fn(data, cls))
    except InputError as err:
        return ("error", [p.to_dict() for p in err.problems], str(err), err.what)


def _same(data: Any, cls: type[Any]) -> Any:
    fast = _outcome(structure, data, cls)
    detailed = _outcome(_structure_detailed, data, cls)
    assert fast == detailed
    # The same values of the same types (``5 == 5.0``, a code equals its text).
    assert _typed(fast) == _typed(detailed)
    # The generated builder accepts only what the cattrs fast path accepts, alike.
    build = _builder(cls)
    assert build is not None
    assert _typed(_attempt(build, data)) == _typed(_attempt(_FAST.structure, data, cls))
    return fast


def _attempt(fn: Any, *args: Any) -> Any:
    """What ``fn`` returns, or ``"refused"`` when it raises."""
    try:
        return fn(*args)
    except Exception:
        return "refused"


def _typed(value: Any) -> Any:
    """A value with the type of every part spelled out (records field by field)."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple((a.name, _typed(getattr(value, a.name))) for a in fields))
    if isinstance(value, tuple | list):
        return (type(value), tuple(_typed(v) for v in value))
    if isinstance(value, dict):
        return (type(value), tuple((k, _typed(v)) for k, v in value.items()))
    return (type(value), repr(value))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_sample_household_is_built_alike(name: str) -> None:
    cls, households = CASES[name]
    for household in households:
        kind, record = _same(household, cls)
        assert kind == "record"
        assert type(record) is cls
        assert _FAST.structure(household, cls) == record  # built by the fast path itself
        build = _builder(cls)
        assert build is not None
        assert _typed(build(household)) == _typed(record)  # and by the generated builder


BAD_VALUES = [
    None,
    "12",
    "",
    " ",
    -3,
    0,
    200,
    3.5,
    float("inf"),
    float("nan"),
    10**20,
    True,
    False,
    [],
    ["x"],
    {},
    {"a": 1},
    "2016-13-01",
    "2016-05-01",
    "A",
    "不是代码",
    "110105194913310021",
    5,
    5.0,
    7.25,
    " A ",
    "B",
    "因病",
    "illness",
    "general",
    "dibao",
    "head",
    "out_of_school",
    "2016-05-01 ",
    pc.HouseGrade.A,
    [{"kind": "identified", "date": "2016-05-01"}],
    {"exit": {"village_review": "2016-05-01"}},
    {"exit": {"village_review": None}},
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Any, type[Any]]:
    """A sample household with one to three fields set to wrong (or right) values,
    removed, repeated or added, on the household or one of its members."""
    name = draw(st.sampled_from(sorted(CASES)))
    cls, households = CASES[name]
    data = copy.deepcopy(draw(st.sampled_from(households)))
    for _ in range(draw(st.integers(1, 3))):
        target = data
        if data.get("members") and draw(st.booleans()):
            members = data["members"]
            if isinstance(members, list) and members and isinstance(members[0], dict):
                target = members[draw(st.integers(0, len(members) - 1))]
        if not isinstance(target, dict):
            continue
        key = draw(st.sampled_from([*target, "unknown_field", "id", "members"]))
        action = draw(st.sampled_from(["set", "set", "set", "delete", "copy_id"]))
        if action == "delete":
            target.pop(key, None)
        elif action == "copy_id" and isinstance(data.get("members"), list):
            people = [m for m in data["members"] if isinstance(m, dict)]
            if len(people) >= 2:
                people[-1]["id"] = people[0].get("id")
        else:
            target[key] = draw(st.sampled_from(BAD_VALUES))
    return data, cls


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_records_give_the_same_answer_on_both_paths(case: tuple[Any, type[Any]]) -> None:
    data, cls = case
    _same(data, cls)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CASES)), st.data())
def test_a_repeated_key_anywhere_is_reported_on_both_paths(name: str, data: st.DataObject) -> None:
    cls, households = CASES[name]
    household = data.draw(st.sampled_from(households))
    text = json.dumps(household, ensure_ascii=False)
    # Repeat the first key of the household, or of its first member.
    if household.get("members") and data.draw(st.booleans()):
        first = next(iter(household["members"][0]))
        at = text.index('"members": [{') + len('"members": [{')
    else:
        first = next(iter(household))
        at = 1
    repeated = text[:at] + json.dumps(first) + ": null, " + text[at:]
    kind, problems, *_ = _same(loads_json(repeated), cls)
    assert kind == "error"
    assert any("more than once" in p["en"] for p in problems)


def test_a_repeated_key_inside_procedures_is_reported() -> None:
    text = (
        '{"id": "h1", "members": [{"id": "p1"}],'
        ' "procedures": {"exit": {"village_review": "2016-05-01",'
        ' "village_review": "2016-05-02"}}}'
    )
    kind, problems, *_ = _same(loads_json(text), pc.Household)
    assert kind == "error"
    assert problems[0]["path"] == "procedures.exit.village_review"


def test_a_part_above_its_whole_is_reported_on_both_paths() -> None:
    village = {"id": "v1", "poor_population": 30, "rural_registered_population": 20}
    kind, problems, *_ = _same(village, pc.Village)
    assert kind == "error"
    assert [p["path"] for p in problems] == ["poor_population"]


def test_a_dict_subclass_without_repeats_is_built_by_the_detailed_path() -> None:
    class Mapping(dict[str, Any]):
        pass

    kind, record = _same(Mapping({"id": "h1", "members": [{"id": "p1"}]}), pc.Household)
    assert kind == "record"
    assert record.members[0].id == "p1"


def test_good_values_of_every_kind_are_built_alike() -> None:
    """Values the builder takes inline and values it hands to the converter's hooks
    (an int for a float, a float for an int, a code by its Chinese label or with spaces,
    a code member, a date object, a tuple for a list)."""
    base = {
        "id": "h1",
        "members": [
            {"id": "p1", "age": 40.0, "relation": "户主", "birth_date": "1976-05-01"},
            {"id": "p2", "age": 9, "schooling_status": pc.SchoolingStatus.IN_SCHOOL},
        ],
        "annual_net_income_per_capita": 5000,
        "house_grade": " B ",
        "main_cause": "因病",
        "food_secure": True,
        "other_causes": ("illness", "缺资金"),
        "income_projects": ["cattle"],
        "relocation_year": 2017.0,
        "procedures": {"exit": {"village_review": "2016-05-01"}},
        "checklists": {"exit": {"a": True}},
        "history": [{"kind": "identified", "date": "2015-05-01"}],
    }
    kind, record = _same(base, pc.Household)
    assert kind == "record"
    assert type(record.annual_net_income_per_capita) is float
    assert type(record.relocation_year) is int
    for missing in ("history", "procedures", "checklists", "members", "id"):
        _same({k: v for k, v in base.items() if k != missing}, pc.Household)
    for bad in (float("nan"), True, "5000", -1.0, None):
        _same({**base, "annual_net_income_per_capita": bad}, pc.Household)
    _same({**base, "members": []}, pc.Household)
    _same({**base, "members": [{"id": "p1"}, {"id": "p1"}]}, pc.Household)
    _same({**base, "members": ({"id": "p1"},)}, pc.Household)
    _same({**base, "history": None}, pc.Household)
