"""The register readers check cells as the model does: for random households, the
problems found in CSV equal those the JSON path (``Household.from_dict``) finds, field
for field and message for message; and a clean household reads to the same record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poverty_core as pc
from poverty_core.columnar import csv_ready, open_register, tables_from_records

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# cadre_visits and job_info_pushes are fields fujian declares (its fields.toml): the
# records are fujian's and the register is read with fujian, so a pack's list of dates
# is checked alike on both paths.
FUJIAN = pc.load_pack("fujian")

dates = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2035, 12, 31))
members = st.fixed_dictionaries(
    {},
    optional={
        "age": st.integers(-5, 160),
        "birth_date": dates,
        "id_number": st.sampled_from(
            ["11010519491231002X", "110105194912310021", "350122198001010017", "12345"]
        ),
        "relation": st.sampled_from([c.value for c in pc.Relation]),
        "job_info_pushes": st.lists(dates, max_size=3),
    },
)
households = st.fixed_dictionaries(
    {"members": st.lists(members, min_size=1, max_size=3)},
    optional={
        "annual_net_income_per_capita": st.floats(-10, 10_000, allow_nan=False),
        "planned_exit_year": st.integers(1990, 2110),
        "other_causes": st.lists(st.sampled_from(["illness", "disaster", "schooling"]), max_size=3),
        "cadre_visits": st.lists(dates, max_size=3),
        "procedures": st.fixed_dictionaries(
            {"household_exit": st.fixed_dictionaries({"verification": dates})}
        ),
    },
)


def json_problems(data: dict[str, Any]) -> set[tuple[str, str]]:
    try:
        FUJIAN.structure(data)
    except pc.InputError as err:
        out = set()
        for p in err.problems:
            field = p.path.split(".")[-1] if p.path.startswith("members[") else p.path
            out.add((field.split("[")[0], p.message.en))
        return out
    return set()


def csv_problems(tmp_path: Path, data: dict[str, Any]) -> set[tuple[str, str]]:
    # The same record as CSV: build the tables without the model's checks.
    people = [{"id": f"{i:02}", **m} for i, m in enumerate(data["members"])]
    record = {k: v for k, v in data.items() if k != "members"}
    h_path, m_path = tmp_path / "h.csv", tmp_path / "m.csv"
    household = {"id": "H1", **record}
    procedures = household.pop("procedures", {})
    for proc, steps in procedures.items():
        for step, when in steps.items():
            household[f"procedures.{proc}.{step}"] = when
    _write(h_path, [household])
    _write(m_path, [{"household_id": "H1", **p} for p in people])
    try:
        open_register(h_path, m_path, pack=FUJIAN).read_all()
    except pc.InputError as err:
        out = set()
        for p in err.problems:
            column = p.path.rsplit(":", 1)[-1]
            out.add(("procedures" if column.startswith("procedures.") else column, p.message.en))
        return out
    return set()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value) if value else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    lines = [",".join(columns)] + [",".join(_cell(r.get(c)) for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@SETTINGS
@given(data=households)
def test_csv_finds_the_problems_the_json_path_finds(tmp_path: Path, data: dict[str, Any]) -> None:
    wanted = json_problems(
        {
            "id": "H1",
            **json.loads(json.dumps(data, default=str)),
            "members": [
                {"id": f"{i:02}", **json.loads(json.dumps(m, default=str))}
                for i, m in enumerate(data["members"])
            ],
        }
    )
    assert csv_problems(tmp_path, data) == wanted


@SETTINGS
@given(data=households)
def test_clean_households_read_to_the_same_tables(tmp_path: Path, data: dict[str, Any]) -> None:
    record = {"id": "H1", **json.loads(json.dumps(data, default=str))}
    record["members"] = [
        {"id": f"{i:02}", **json.loads(json.dumps(m, default=str))}
        for i, m in enumerate(data["members"])
    ]
    try:
        household = FUJIAN.structure(record)
    except pc.InputError:
        return
    h, m = tables_from_records([household])
    assert m is not None
    pacsv.write_csv(csv_ready(h), tmp_path / "h.csv")
    pacsv.write_csv(csv_ready(m), tmp_path / "m.csv")
    batch = open_register(tmp_path / "h.csv", tmp_path / "m.csv", pack=FUJIAN).read_all()
    assert batch.households.equals(h)
    assert batch.members is not None
    assert batch.members.equals(m)
