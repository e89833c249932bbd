"""Bad JSON input: one InputError listing every bad field with its path, all at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import poverty_core as pc


def good() -> dict[str, Any]:
    return {
        "id": "350122-0001",
        "annual_net_income_per_capita": 3100,
        "food_secure": True,
        "members": [
            {"id": "p1", "age": 44, "basic_medical_insurance": True},
            {"id": "p2", "age": 12, "schooling_status": "in_school"},
        ],
    }


def problems_of(data: Any, cls: type[Any] = pc.Household) -> pc.InputError:
    with pytest.raises(pc.InputError) as info:
        cls.from_dict(data)
    return info.value


def paths(err: pc.InputError) -> list[str]:
    return [p.path for p in err.problems]


def changed(path: tuple[Any, ...], value: Any = ..., *, drop: bool = False) -> dict[str, Any]:
    """good() with the item at ``path`` set to ``value`` (or removed)."""
    data = good()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if drop:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


# Each kind of bad input: the record, the one path expected, and a word the message holds.
KINDS = [
    pytest.param(
        changed(("members", 1, "age"), "12"), "members[1].age", "integer", id="age-string"
    ),
    pytest.param(
        changed(("members", 1, "age"), 12.5), "members[1].age", "integer", id="age-fraction"
    ),
    pytest.param(changed(("members", 1, "age"), True), "members[1].age", "integer", id="age-bool"),
    pytest.param(changed(("members", 1, "age"), -1), "members[1].age", "0–150", id="age-negative"),
    pytest.param(changed(("members", 0, "age"), 151), "members[0].age", "0–150", id="age-over-150"),
    pytest.param(changed(("house_grade",), "E"), "house_grade", "house_grade", id="unknown-code"),
    pytest.param(
        changed(("members", 0, "health"), "sick"),
        "members[0].health",
        "health_status",
        id="unknown-member-code",
    ),
    pytest.param(changed(("id",), drop=True), "id", "required", id="missing-id"),
    pytest.param(changed(("id",), ""), "id", "id", id="empty-id"),
    pytest.param(changed(("id",), 5), "id", "text", id="id-not-text"),
    pytest.param(
        changed(("members", 1, "id"), drop=True),
        "members[1].id",
        "required",
        id="missing-member-id",
    ),
    pytest.param(
        changed(("members", 1, "id"), "p1"), "members[1].id", "duplicate", id="duplicate-member-id"
    ),
    pytest.param(changed(("colour",), "red"), "$", "colour", id="unknown-key"),
    pytest.param(changed(("members", 0, "agee"), 3), "members[0]", "agee", id="unknown-member-key"),
    pytest.param(changed(("food_secure",), "yes"), "food_secure", "true or false", id="bool-yes"),
    pytest.param(changed(("food_secure",), 1), "food_secure", "true or false", id="bool-one"),
    pytest.param(
        changed(("members", 0, "birth_date"), "2016-02-30"),
        "members[0].birth_date",
        "date",
        id="bad-date",
    ),
    pytest.param(
        changed(("members", 0, "birth_date"), "30/01/2016"),
        "members[0].birth_date",
        "date",
        id="date-format",
    ),
    pytest.param(
        changed(("annual_net_income_per_capita",), -1),
        "annual_net_income_per_capita",
        "≥ 0",
        id="negative-income",
    ),
    pytest.param(
        changed(("annual_net_income_per_capita",), "3100"),
        "annual_net_income_per_capita",
        "number",
        id="income-string",
    ),
    pytest.param(
        changed(("other_causes",), ["illness", "disability", "disaster"]),
        "other_causes",
        "two",
        id="three-other-causes",
    ),
    pytest.param(
        changed(("other_causes",), ["illness", "illness"]),
        "other_causes",
        "repeat",
        id="repeated-cause",
    ),
    pytest.param(
        changed(("other_causes",), ["illness", "bad_luck"]),
        "other_causes[1]",
        "poverty_cause",
        id="unknown-cause",
    ),
    pytest.param(changed(("members",), []), "members", "at least one member", id="empty-members"),
    pytest.param(changed(("members",), drop=True), "members", "required", id="no-members"),
    pytest.param(changed(("members", 0), "p1"), "members[0]", "shape", id="member-not-object"),
    pytest.param(
        changed(("planned_exit_year",), 1999), "planned_exit_year", "2000–2100", id="year-range"
    ),
    pytest.param(
        changed(("procedures",), {"household_exit": {"announcement": "soon"}}),
        "procedures.household_exit.announcement",
        "date",
        id="procedure-date",
    ),
]


@pytest.mark.parametrize(("data", "path", "word"), KINDS)
def test_each_kind_of_bad_input(data: dict[str, Any], path: str, word: str) -> None:
    err = problems_of(data)
    assert paths(err) == [path]
    assert word in err.problems[0].message.en
    assert err.problems[0].message.zh  # every message is bilingual
    assert f"{path}: " in str(err)
    assert err.format("zh").count("\n") == 1


def test_chinese_and_english_labels_accepted() -> None:
    data = good()
    data["main_cause"] = "因病"
    data["other_causes"] = ["缺资金", "lack of skills"]
    data["house_grade"] = "C级（局部危房）"
    record = pc.Household.from_dict(data)
    assert record.main_cause is pc.PovertyCause.ILLNESS
    assert record.other_causes == (pc.PovertyCause.LACK_OF_FUNDS, pc.PovertyCause.LACK_OF_SKILLS)
    assert record.house_grade is pc.HouseGrade.C
    assert record.to_dict()["main_cause"] == "illness"


def test_null_is_unknown_not_an_error() -> None:
    data = good()
    data["food_secure"] = None
    data["members"][0]["age"] = None
    record = pc.Household.from_dict(data)
    assert record.food_secure is None
    assert record.members[0].age is None


def test_every_problem_of_a_record_at_once() -> None:
    data = good()
    data["colour"] = "red"
    data["food_secure"] = "yes"
    data["house_grade"] = "E"
    data["annual_net_income_per_capita"] = -5
    data["other_causes"] = ["illness", "disability", "disaster"]
    data["members"][0]["age"] = "12"
    data["members"][1]["age"] = -1
    data["members"][1]["birth_date"] = "2016-13-01"
    data["members"].append({"age": 3})
    err = problems_of(data)
    assert sorted(paths(err)) == sorted(
        [
            "$",
            "food_secure",
            "house_grade",
            "annual_net_income_per_capita",
            "other_causes",
            "members[0].age",
            "members[1].age",
            "members[1].birth_date",
            "members[2].id",
        ]
    )
    text = str(err)
    assert text.startswith("household has 9 problems")
    for p in paths(err):
        assert f"\n  {p}: " in text


def test_duplicate_member_id_reported_with_other_problems() -> None:
    """A duplicate member id is a bad field like any other: reported even when another
    field of the record is bad too."""
    data = good()
    data["food_secure"] = "yes"
    data["members"].append({"id": "p1"})
    err = problems_of(data)
    assert sorted(paths(err)) == ["food_secure", "members[2].id"]


def test_every_duplicate_member_id_reported() -> None:
    data = good()
    data["members"] += [{"id": "p1"}, {"id": "p1"}]
    err = problems_of(data)
    assert paths(err) == ["members[2].id", "members[3].id"]


def test_text_where_a_list_is_expected_is_one_problem() -> None:
    data = good()
    data["other_causes"] = "illness"
    err = problems_of(data)
    assert paths(err) == ["other_causes"]


def test_not_an_object() -> None:
    err = problems_of(["not", "a", "record"])
    assert paths(err) == ["$"]


def test_village_poor_population_above_rural_population() -> None:
    err = problems_of(
        {"id": "v1", "rural_registered_population": 100, "poor_population": 200}, pc.Village
    )
    assert paths(err) == ["poor_population"]
    assert "200" in str(err)
    assert "100" in str(err)


def test_village_cross_field_problem_reported_with_other_problems() -> None:
    err = problems_of(
        {"id": "v1", "region": "north", "rural_registered_population": 100, "poor_population": 200},
        pc.Village,
    )
    assert sorted(paths(err)) == ["poor_population", "region"]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"sampled_exited": 10, "sampled_wrongly_exited": 20}, "sampled_wrongly_exited"),
        ({"surveyed_households": 10, "approving_households": 11}, "approving_households"),
        ({"public_approval": 90}, "public_approval"),  # 90 is not a ratio
        ({"region": "west", "omission_rate": -0.1}, "omission_rate"),
    ],
)
def test_county_inconsistent_figures(fields: dict[str, Any], path: str) -> None:
    err = problems_of({"id": "c1", **fields}, pc.County)
    assert paths(err) == [path]


def test_structure_many_duplicate_ids() -> None:
    one = good()
    with pytest.raises(pc.InputError) as info:
        pc.structure_many([one, copy.deepcopy(one)], pc.Household, name="households")
    assert paths(info.value) == ["households[1].id"]
    assert "households[0]" in info.value.problems[0].message.en


def test_structure_many_lists_problems_of_every_record_with_row() -> None:
    a, b, c = good(), good(), good()
    b["id"] = "h2"
    b["members"][1]["age"] = -3
    c["id"] = "h3"
    c["food_secure"] = "no"
    with pytest.raises(pc.InputError) as info:
        pc.structure_many([a, b, c, copy.deepcopy(a)], pc.Household, name="households")
    assert paths(info.value) == [
        "households[1].members[1].age",
        "households[2].food_secure",
        "households[3].id",
    ]
    assert "households[1].members[1].age: age must be 0–150 (got -3)" in str(info.value)


def test_structure_many_good_records() -> None:
    a, b = good(), good()
    b["id"] = "h2"
    out = pc.structure_many([a, b], pc.Household)
    assert [h.id for h in out] == ["350122-0001", "h2"]


def test_constructor_validates_too() -> None:
    with pytest.raises(ValueError, match="0–150"):
        pc.Person(id="p", age=-1)
    with pytest.raises(ValueError, match="duplicate"):
        pc.Household(id="h", members=[pc.Person(id="p"), pc.Person(id="p")])


def test_problem_to_dict() -> None:
    err = problems_of(changed(("members", 1, "age"), -1))
    (problem,) = err.problems
    assert problem.to_dict()["path"] == "members[1].age"
    assert set(problem.to_dict()) == {"path", "zh", "en"}
