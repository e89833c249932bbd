"""Regression tests for problems a review found: one record and a batch agree on codes
behind wrappers; runs write all or nothing; counts, removals and overrides are exact."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import attrs
import pytest

import poverty_core as pc
from poverty_core.cli import EXIT_OK, EXIT_OUTPUT, main
from poverty_core.codes import HouseGrade
from poverty_core.expressions import coalesce, field, where
from poverty_core.packs import assemble

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def national() -> pc.Pack:
    return pc.load_pack("national")


def with_rule(base: pc.Pack, test: object, observed: object = None) -> pc.Pack:
    rule = pc.Criterion(
        id="x", subject="household", title=pc.T("x", "x"), citations=base.criteria["food_secure"].citations,
        test=test, observed=observed, pack="national",  # type: ignore[arg-type]
    )  # fmt: skip
    decision = pc.Decision(
        id="xd", subject="household", title=pc.T("x", "x"), citations=rule.citations, criteria=["x"]
    )
    return attrs.evolve(
        base, criteria={**base.criteria, "x": rule}, decisions={**base.decisions, "xd": decision}
    )


HOUSEHOLDS = [
    pc.Household.from_dict({"id": "a", "members": [{"id": "1"}], "house_grade": "A", "food_secure": True, "attribute": "dibao"}),
    pc.Household.from_dict({"id": "b", "members": [{"id": "1"}], "food_secure": False, "responsible_unit": "x"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("test", "observed"),
    [
        (coalesce(field("house_grade"), HouseGrade.C).eq(HouseGrade.C), None),
        (where(field("food_secure"), field("house_grade"), HouseGrade.C).eq(HouseGrade.C), None),
        (coalesce(field("responsible_unit"), "x").eq("x"), None),
        (field("attribute").eq("dibao"), None),
        (field("food_secure"), coalesce(field("house_grade"), field("house_grade"))),
    ],
)
def test_codes_behind_wrappers_agree(national: pc.Pack, test: object, observed: object) -> None:
    pack = with_rule(national, test, observed)
    batch = pack.decide_batch("xd", HOUSEHOLDS, as_of=AS_OF)
    for i, household in enumerate(HOUSEHOLDS):
        assert pack.decide("xd", household, as_of=AS_OF) == batch.result(i)


def test_a_code_field_equals_its_text_on_both_paths(national: pc.Pack) -> None:
    pack = with_rule(national, field("attribute").eq("dibao"))
    assert pack.decide_batch("xd", HOUSEHOLDS, as_of=AS_OF).outcomes()[0] is pc.Outcome.ELIGIBLE


def test_a_failed_output_leaves_no_file(tmp_path: Path) -> None:
    args = ["assess", "--sample", "--as-of", "2016-12-31", "-o", str(tmp_path / "r.csv")]
    code = main([*args, "--report", str(tmp_path / "missing" / "report.md")], stdout=io.StringIO())
    assert code == EXIT_OUTPUT
    assert list(tmp_path.iterdir()) == []
    assert (
        main([*args, "--report", str(tmp_path / "report.md"), "-q"], stdout=io.StringIO())
        == EXIT_OK
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.csv.record.json", "report.md"]


def test_results_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    main(
        ["assess", "--sample", "--as-of", "2016-12-31", "-o", str(tmp_path / "r.csv"), "-q"],
        stdout=io.StringIO(),
    )
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "r.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_missing_inputs_counted_once_per_record() -> None:
    import pyarrow as pa

    from poverty_core.batch import assess

    households = pa.table({"id": ["h1"], "food_secure": [True], "village_id": ["v"]})
    members = pa.table({"household_id": ["h1"], "id": ["m"], "age": [30]})
    summary = assess(
        pc.load_pack("national"), "household_exit", [(households, members)], as_of=AS_OF
    )
    assert summary.records == 1
    assert summary.missing["annual_net_income_per_capita"] == 1


def test_removing_an_ambiguous_id_needs_its_kind(national: pc.Pack) -> None:
    base = attrs.evolve(
        national.definition, name="child", parent="national", data=None, rules=(), overrides=()
    )
    with pytest.raises(pc.PackError, match="ambiguous"):
        assemble(attrs.evolve(base, removes=("county_exit",)), national)
    child = assemble(attrs.evolve(base, removes=("procedure:county_exit",)), national)
    assert "county_exit" not in child.procedures
    assert "county_exit_procedure" not in child.decisions
    assert "county_exit.county_proposal" not in child.criteria
    assert "county_exit" in child.decisions


def test_an_override_given_twice_is_an_error(national: pc.Pack) -> None:
    rule = national.criteria["food_secure"]
    definition = attrs.evolve(
        national.definition,
        name="child",
        parent="national",
        data=None,
        rules=(),
        overrides=(rule, rule),
    )
    with pytest.raises(pc.PackError, match="given twice"):
        assemble(definition, national)


def test_empty_batches(national: pc.Pack) -> None:
    for decision in national.decisions.values():
        covered = decision.in_force is None or decision.in_force.covers(AS_OF)
        on = AS_OF if covered else decision.in_force.start
        assert len(national.decide_batch(decision.id, [], as_of=on)) == 0


def test_isin_with_dates_on_both_paths(national: pc.Pack) -> None:
    from poverty_core.expressions import step_date

    day = dt.date(2016, 11, 1)
    pack = with_rule(national, step_date("household_exit", "announcement").isin((day,)))
    households = [
        pc.Household.from_dict({"id": "a", "members": [{"id": "1"}], "procedures": {"household_exit": {"announcement": "2016-11-01"}}}),
        pc.Household.from_dict({"id": "b", "members": [{"id": "1"}], "procedures": {"household_exit": {"announcement": "2016-11-02"}}}),
    ]  # fmt: skip
    batch = pack.decide_batch("xd", households, as_of=AS_OF)
    assert [o.value for o in batch.outcomes()] == ["eligible", "not_eligible"]
    for i, household in enumerate(households):
        assert pack.decide("xd", household, as_of=AS_OF) == batch.result(i)


def test_numeric_group_keys_keep_unknown_as_none() -> None:
    import numpy as np

    from poverty_core.batch import GroupTotals

    totals = GroupTotals()
    totals.add(
        np.array([None, "1"], dtype=object), np.array([1, 0], dtype=np.int8), np.array([2, 3])
    )
    assert [row["village_id"] for row in totals.rows("village_id")] == [None, "1"]
