"""``structure`` builds a good record on a fast path and reads anything else again on the
detailed path: both give the same record, or the same problems with the same paths and
messages in both languages, on the bundled SYNTHETIC samples and on mutated bad records."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core.convert import _FAST, _structure_detailed, loads_json, structure
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
    return fast


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_sample_household_is_built_alike(name: str) -> None:
    cls, households = CASES[name]
    for household in households:
        kind, record = _same(household, cls)
        assert kind == "record"
        assert type(record) is cls
        assert _FAST.structure(household, cls) == record  # built by the fast path itself


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
