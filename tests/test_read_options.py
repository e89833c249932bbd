"""ReadOptions: one value for how a register job reads, and the deprecated separate
keywords it replaces (they still work, and warn)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core import compare, jobs
from poverty_core.cli import EXIT_OK, main
from poverty_core.errors import InputError
from poverty_core.read_options import ReadOptions

AS_OF = dt.date(2016, 12, 31)
HOUSEHOLDS = "户编号,人均纯收入,吃穿不愁,住房等级,备注\nSYN-1,4100,true,A,x\nSYN-2,-1,true,A,y\n"
MEMBERS = (
    "household_id,id,age,basic_medical_insurance,serious_illness_insurance,medical_assistance\n"
    "SYN-1,p1,40,true,true,true\n"
    "SYN-2,p2,41,true,true,true\n"
)
READ = ReadOptions(
    aliases={"户编号": "id", "人均纯收入": "annual_net_income_per_capita",
             "吃穿不愁": "food_secure", "住房等级": "house_grade"},
    ignore_columns=["备注"],
    on_error="skip",
    layout="two-file",
    batch_size=1,
)  # fmt: skip


@pytest.fixture
def register(tmp_path: Path) -> tuple[Path, Path]:
    """A SYNTHETIC two-file register with Chinese headers, a column to ignore and a
    household without its income (rejected with ``on_error="skip"``)."""
    households, members = tmp_path / "h.csv", tmp_path / "m.csv"
    households.write_text(HOUSEHOLDS, encoding="utf-8")
    members.write_text(MEMBERS, encoding="utf-8")
    return households, members


def test_the_value_is_frozen_and_round_trips_through_its_json_form() -> None:
    assert READ.ignore_columns == ("备注",)
    data = READ.to_dict()
    assert data["ignore_columns"] == ["备注"]
    assert data["aliases"]["户编号"] == "id"
    assert ReadOptions.from_dict(data) == READ
    assert ReadOptions.from_dict({}) == ReadOptions()
    with pytest.raises(AttributeError):
        READ.batch_size = 2  # type: ignore[misc]
    assert pc.ReadOptions is jobs.ReadOptions is ReadOptions


def test_a_bad_json_form_names_each_field() -> None:
    with pytest.raises(InputError) as caught:
        ReadOptions.from_dict({"batch_size": "many", "encodng": "gbk"})
    text = caught.value.format("en")
    assert "$.batch_size" in text
    assert "encodng" in text
    assert "读取选项无效" in caught.value.format("zh")


def test_the_record_keeps_what_changes_the_reading_and_reads_it_back() -> None:
    recorded = READ.recorded()
    assert "batch_size" not in recorded
    assert recorded["on_error"] == "skip"
    back = ReadOptions.from_recorded({**recorded, "households": "h.csv", "sample": None})
    assert back == ReadOptions(**{**READ.to_dict(), "batch_size": 65536})


def test_assess_register_reads_with_read_options(register: tuple[Path, Path]) -> None:
    households, members = register
    run = jobs.assess_register(households, members, as_of=AS_OF, read=READ, keep_results=True)
    assert run.rows.assessed == 1
    assert run.rows.rejected == 1
    assert run.results is not None
    assert run.results.column("id").to_pylist() == ["SYN-1"]
    assert run.record is not None
    assert run.record.reading["ignore_columns"] == ["备注"]
    assert run.record.reading["on_error"] == "skip"


def test_the_separate_keywords_still_work_and_warn(register: tuple[Path, Path]) -> None:
    households, members = register
    new = jobs.assess_register(households, members, as_of=AS_OF, read=READ)
    with pytest.warns(DeprecationWarning, match="read=ReadOptions") as warned:
        old = jobs.assess_register(
            households,
            members,
            as_of=AS_OF,
            aliases=READ.aliases,
            ignore_columns=list(READ.ignore_columns),
            on_error="skip",
            layout="two-file",
            batch_size=1,
        )
    assert len(warned) == 1
    assert warned[0].filename == __file__  # the warning points at the caller
    assert "aliases" in str(warned[0].message)
    assert old.to_dict() == new.to_dict()


def test_read_and_a_separate_keyword_together_are_a_usage_error() -> None:
    with pytest.raises(jobs.UsageError, match="not both") as caught:
        jobs.assess_register(sample="lianjiang", read=ReadOptions(), batch_size=10)
    assert "不能同时给出" in caught.value.message("zh")
    with pytest.raises(jobs.UsageError, match="not both"):
        compare.compare_register(
            sample="lianjiang",
            a=compare.Policy("national", AS_OF),
            b=compare.Policy("fujian", AS_OF),
            read=ReadOptions(),
            on_error="skip",
        )


def test_compare_register_takes_read_options_and_the_old_keywords(
    register: tuple[Path, Path],
) -> None:
    households, members = register
    sides = {"a": compare.Policy("national", AS_OF), "b": compare.Policy("fujian", AS_OF)}
    new = compare.compare_register(households, members, read=READ, allow_undetermined=True, **sides)
    assert new.rows.rejected == 1
    with pytest.warns(DeprecationWarning, match="compare_register"):
        old = compare.compare_register(
            households,
            members,
            aliases=READ.aliases,
            ignore_columns=READ.ignore_columns,
            on_error="skip",
            layout="two-file",
            allow_undetermined=True,
            **sides,
        )
    assert old.to_dict() == new.to_dict()


def test_the_command_line_reads_as_the_library(register: tuple[Path, Path], tmp_path: Path) -> None:
    households, members = register
    out = tmp_path / "cli.csv"
    args = ["assess", str(households), "--members", str(members), "--as-of", "2016-12-31",
            "--alias", "户编号=id", "--alias", "人均纯收入=annual_net_income_per_capita",
            "--alias", "吃穿不愁=food_secure", "--alias", "住房等级=house_grade",
            "--ignore-column", "备注", "--on-error", "skip", "--layout", "two-file",
            "--batch-size", "1", "-q", "-o", str(out)]  # fmt: skip
    assert main(args) == EXIT_OK
    library = jobs.assess_register(
        households, members, as_of=AS_OF, read=READ, output=tmp_path / "lib.csv"
    )
    assert out.read_text(encoding="utf-8") == (tmp_path / "lib.csv").read_text(encoding="utf-8")
    assert library.rows.rejected == 1
