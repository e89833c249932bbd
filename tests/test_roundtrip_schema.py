"""Records to dicts and back, and the published JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest

import poverty_core as pc

FULL_HOUSEHOLD: dict[str, Any] = {
    "id": "350122-0001",
    "village_id": "350122-101",
    "county_id": "350122",
    "members": [
        {
            "id": "p1",
            "name": "某甲",
            "id_number": "350122198001010017",
            "relation": "head",
            "birth_date": "1980-01-01",
            "age": 36,
            "disabled": False,
            "health": "chronic_illness",
            "labour_capacity": "ordinary",
            "schooling_status": "graduated",
            "basic_medical_insurance": True,
            "serious_illness_insurance": True,
            "medical_assistance": True,
            "pension_insurance": True,
        },
        {
            "id": "p2",
            "relation": "child",
            "age": 12,
            "schooling_stage": "primary",
            "schooling_status": "in_school",
        },
    ],
    "annual_net_income_per_capita": 3100.5,
    "food_secure": True,
    "clothing_secure": True,
    "house_grade": "C",
    "without_house": False,
    "relocated": True,
    "relocation_keys_received": True,
    "water_litres_per_person_day": 60,
    "water_short_area": False,
    "water_trip_minutes": 10,
    "water_horizontal_distance": 100,
    "water_vertical_distance": 5,
    "water_days_without": 0,
    "attribute": "dibao",
    "identification_standard": "national",
    "status": "exited_supported",
    "main_cause": "illness",
    "other_causes": ["lack_of_funds", "lack_of_skills"],
    "history": [
        {"kind": "identified", "date": "2014-05-01"},
        {"kind": "exited", "date": "2016-12-20"},
    ],
    "pathway": "relocation",
    "pairing_cadre": "某乙",
    "income_projects": ["tea", "poultry"],
    "planned_exit_year": 2016,
    "procedures": {
        "household_exit": {"democratic_appraisal": "2016-11-01", "verification": "2016-11-05"}
    },
    "checklists": {"five_clear": {"baseline": True, "problems": False}},
}

FULL_VILLAGE: dict[str, Any] = {
    "id": "350122-101",
    "name": "某村",
    "county_id": "350122",
    "region": "east",
    "poor_village": True,
    "rural_registered_population": 1200,
    "poor_population": 20,
    "leading_industries": ["tea"],
    "planned_exit_year": 2017,
    "procedures": {"village_exit": {"township_proposal": "2017-10-01"}},
    "checklists": {"six_haves": {"road": True}},
}

FULL_COUNTY: dict[str, Any] = {
    "id": "350122",
    "name": "某县",
    "region": "west",
    "key_county": True,
    "rural_registered_population": 100000,
    "poor_population": 1500,
    "sampled_exited": 1000,
    "sampled_wrongly_exited": 5,
    "sampled_non_registered_population": 20000,
    "verified_omitted": 10,
    "surveyed_households": 1000,
    "approving_households": 950,
    "wrong_exit_rate": 0.005,
    "omission_rate": 0.0005,
    "public_approval": 0.95,
    "planned_exit_year": 2018,
    "procedures": {"county_exit": {"county_proposal": "2018-01-01"}},
}


def with_pack_fields(
    record: dict[str, Any], own: dict[str, Any], members: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``record`` with the fields a pack declares (``fields.toml``) added."""
    out = {**record, **own}
    if members is not None:
        out["members"] = [
            {**m, **extra} for m, extra in zip(record["members"], members, strict=True)
        ]
    return out


# Fields fujian declares (its fields.toml), on fujian's record classes.
FUJIAN_HOUSEHOLD = with_pack_fields(
    FULL_HOUSEHOLD,
    {"cadre_visits": ["2016-01-10", "2016-04-10"], "family_doctor_contract": True},
    [
        {
            "supplementary_medical_insurance": False,
            "pension_premium_paid_by_county": True,
            "willing_to_work": True,
            "job_info_pushes": ["2016-03-01", "2016-09-01"],
        },
        {"boarding": True},
    ],
)
FUJIAN_VILLAGE = with_pack_fields(
    FULL_VILLAGE,
    {
        "hardened_road": True,
        "network_access": True,
        "broadband": False,
        "electricity_all_natural_villages": True,
        "bus_service": True,
        "compulsory_dropouts": 0,
        "collective_income": 55000.0,
        "first_secretary": True,
        "public_flush_toilets": 2,
        "sewage_treatment_rate": 0.6,
        "elderly_care_facility": False,
        "ethnic_minority": False,
    },
)
# Fields gansu_tianshui declares.
GANSU_HOUSEHOLD = with_pack_fields(FULL_HOUSEHOLD, {}, [{"has_skill": False}, {}])
GANSU_VILLAGE = with_pack_fields(FULL_VILLAGE, {"resident_work_team": True})

_FUJIAN = pc.load_pack("fujian")
_GANSU = pc.load_pack("gansu_tianshui")

CASES = [
    pytest.param(pc.Household, FULL_HOUSEHOLD, "household", None, id="household"),
    pytest.param(pc.Village, FULL_VILLAGE, "village", None, id="village"),
    pytest.param(pc.County, FULL_COUNTY, "county", None, id="county"),
    pytest.param(
        _FUJIAN.record_type("household"), FUJIAN_HOUSEHOLD, "household", _FUJIAN, id="fujian-hh"
    ),
    pytest.param(
        _FUJIAN.record_type("village"), FUJIAN_VILLAGE, "village", _FUJIAN, id="fujian-village"
    ),
    pytest.param(
        _GANSU.record_type("household"), GANSU_HOUSEHOLD, "household", _GANSU, id="gansu-hh"
    ),
    pytest.param(
        _GANSU.record_type("village"), GANSU_VILLAGE, "village", _GANSU, id="gansu-village"
    ),
]


@pytest.mark.parametrize(("cls", "data", "kind", "pack"), CASES)
def test_round_trip(cls: Any, data: dict[str, Any], kind: str, pack: Any) -> None:
    record = cls.from_dict(data)
    out = record.to_dict()
    assert cls.from_dict(out) == record
    # JSON-compatible, and survives a trip through JSON text
    assert cls.from_dict(json.loads(json.dumps(out, ensure_ascii=False))) == record


def test_round_trip_keeps_every_field() -> None:
    record = _FUJIAN.structure(FUJIAN_HOUSEHOLD)
    assert record.members[0].birth_date == dt.date(1980, 1, 1)
    assert record.members[0].job_info_pushes == (dt.date(2016, 3, 1), dt.date(2016, 9, 1))
    assert record.procedures["household_exit"]["verification"] == dt.date(2016, 11, 5)
    assert record.history[1].kind is pc.StatusEventKind.EXITED
    out = record.to_dict()
    assert out["house_grade"] == "C"
    assert out["other_causes"] == ["lack_of_funds", "lack_of_skills"]
    assert out["members"][0]["birth_date"] == "1980-01-01"
    assert out["procedures"]["household_exit"]["verification"] == "2016-11-05"
    assert set(out) == set(FUJIAN_HOUSEHOLD)


def test_to_dict_omits_unknown_fields() -> None:
    record = pc.Household.from_dict({"id": "h", "members": [{"id": "p"}]})
    assert record.to_dict() == {"id": "h", "members": [{"id": "p"}]}


def test_chinese_labels_come_back_as_codes() -> None:
    record = pc.Household.from_dict({"id": "h", "main_cause": "因病", "members": [{"id": "p"}]})
    assert record.to_dict()["main_cause"] == "illness"
    assert pc.Household.from_dict(record.to_dict()) == record


# -- JSON Schema ----------------------------------------------------------------------------


def validator(kind: str, pack: Any = None) -> jsonschema.Draft202012Validator:
    schema = pc.json_schema(kind, pack=pack)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize(("cls", "data", "kind", "pack"), CASES)
def test_schema_accepts_good_records(cls: Any, data: dict[str, Any], kind: str, pack: Any) -> None:
    v = validator(kind, pack)
    assert list(v.iter_errors(data)) == []
    assert list(v.iter_errors(cls.from_dict(data).to_dict())) == []


def test_schema_accepts_chinese_labels() -> None:
    record = {"id": "h", "main_cause": "因病", "house_grade": "B", "members": [{"id": "p"}]}
    assert list(validator("household").iter_errors(record)) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param({"colour": "red"}, [], id="unknown-key"),
        pytest.param({"house_grade": "E"}, ["house_grade"], id="unknown-code"),
        pytest.param({"food_secure": "yes"}, ["food_secure"], id="bool-as-text"),
        pytest.param(
            {"annual_net_income_per_capita": -1}, ["annual_net_income_per_capita"], id="negative"
        ),
        pytest.param({"members": []}, ["members"], id="no-members"),
        pytest.param(
            {"members": [{"id": "p", "age": -3}]}, ["members", 0, "age"], id="negative-age"
        ),
        pytest.param({"members": [{"id": "p", "age": 151}]}, ["members", 0, "age"], id="age-151"),
        pytest.param({"members": [{"id": "p", "age": "12"}]}, ["members", 0, "age"], id="age-text"),
        pytest.param({"members": [{"age": 3}]}, ["members", 0], id="member-without-id"),
        pytest.param(
            {"members": [{"id": "p", "birth_date": "2016-02-30"}]},
            ["members", 0, "birth_date"],
            id="bad-date",
        ),
        pytest.param(
            {"other_causes": ["illness", "disaster", "disability"]},
            ["other_causes"],
            id="three-causes",
        ),
    ],
)
def test_schema_rejects_bad_records(change: dict[str, Any], where: list[Any]) -> None:
    record = {"id": "h", "members": [{"id": "p"}], **change}
    errors = list(validator("household").iter_errors(record))
    assert errors
    assert [list(e.absolute_path) for e in errors] == [where]
    with pytest.raises(pc.InputError):  # the converter agrees
        pc.Household.from_dict(record)


@pytest.mark.parametrize(
    "label", ["lack_of_skills", "缺技术", "lack of skills", "Lack of skills", "skills"]
)
def test_schema_and_converter_agree_on_code_labels(label: str) -> None:
    """Other software validates with the schema before calling: the schema must accept
    exactly the code spellings the converter accepts."""
    record = {"id": "h", "main_cause": label, "members": [{"id": "p"}]}
    schema_ok = not list(validator("household").iter_errors(record))
    try:
        pc.Household.from_dict(record)
        converter_ok = True
    except pc.InputError:
        converter_ok = False
    assert schema_ok == converter_ok


def test_schema_requires_id() -> None:
    errors = list(validator("household").iter_errors({"members": [{"id": "p"}]}))
    assert any("'id' is a required property" in e.message for e in errors)


def test_a_packs_fields_are_in_its_schema_only() -> None:
    """fujian's fields validate under fujian's schema and are unknown keys under the
    core one and gansu_tianshui's."""
    assert list(validator("household", _FUJIAN).iter_errors(FUJIAN_HOUSEHOLD)) == []
    for pack in (None, _GANSU):
        errors = list(validator("household", pack).iter_errors(FUJIAN_HOUSEHOLD))
        assert errors
    with pytest.raises(pc.InputError, match="family_doctor_contract"):
        pc.Household.from_dict(FUJIAN_HOUSEHOLD)


def test_schema_of_unknown_kind() -> None:
    with pytest.raises(pc.UnknownName):
        pc.json_schema("hamlet")


def test_schema_is_json() -> None:
    for kind in ("household", "village", "county"):
        schema = pc.json_schema(kind)
        assert json.loads(json.dumps(schema, ensure_ascii=False)) == schema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
