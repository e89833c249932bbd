"""What-if (``poverty_core.compare``): one register under two rule sets, in one pass.

Every comparison is reconciled with two separate ``assess`` runs: per side, its counts
are the separate run's, and the households that change are exactly those whose outcome
differs between the two runs' results (by id). The rendered report is parsed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pyarrow.parquet as pq
import pytest

import poverty_core as pc
from poverty_core import compare as cmp
from poverty_core import jobs
from poverty_core.cli import EXIT_OK, EXIT_PACK, EXIT_USAGE, main
from poverty_core.columnar import tables_from_records
from poverty_core.compare_report import render_html, render_markdown
from poverty_core.io import read_dataset
from poverty_core.samples import sample_file, sample_path
from poverty_core.sources import RegisterSource

D2016 = dt.date(2016, 12, 31)
D2017 = dt.date(2017, 12, 31)  # no poverty line in the sources: households undetermined
THRESHOLD = "village_collective_income_min"
WHAT_IF = 150000  # a hypothetical what-if value, not a policy fact


def assess(pack: str, as_of: dt.date | None = None, **kw: Any) -> jobs.Assessment:
    return jobs.assess_register(sample="lianjiang", pack=pack, as_of=as_of, keep_results=True, **kw)


def outcomes(run: jobs.Assessment) -> dict[str, str]:
    assert run.results is not None
    return dict(
        zip(
            run.results.column("id").to_pylist(),
            run.results.column("outcome").to_pylist(),
            strict=True,
        )
    )


def reconcile(comparison: cmp.Comparison, a: jobs.Assessment, b: jobs.Assessment) -> None:
    """Per side, the counts of the separate run; the changed set is the set difference."""
    for side, run in ((comparison.a, a), (comparison.b, b)):
        mine = side.assessment
        assert mine.rows == run.rows
        assert mine.summary.households == run.summary.households
        assert mine.summary.people == run.summary.people
        assert mine.summary.criteria == run.summary.criteria
        assert mine.summary.missing == run.summary.missing
        assert mine.summary.villages == run.summary.villages
        assert mine.summary.counties == run.summary.counties
        assert mine.summary.by_village == run.summary.by_village
        assert mine.summary.by_county == run.summary.by_county
        assert mine.villages == run.villages
        assert mine.counties == run.counties
        # what decided each side: the record a separate run makes (versions, data
        # hashes, parameters used and overridden, date, the rows' hash)
        assert mine.record is not None
        assert mine.record == run.record
    oa, ob = outcomes(a), outcomes(b)
    assert oa.keys() == ob.keys()
    differ = {i for i in oa if oa[i] != ob[i]}
    assert comparison.households.changed == len(differ)
    assert comparison.households.compared == len(oa)
    listed = {c.id for c in comparison.households.listed}
    assert listed == differ  # limit 1000 > the sample's households: all listed
    directions: dict[tuple[str, str], int] = {}
    for i in differ:
        directions[(oa[i], ob[i])] = directions.get((oa[i], ob[i]), 0) + 1
    flat = {
        (x, y): n for x, tos in comparison.households.transitions.items() for y, n in tos.items()
    }
    assert flat == directions
    village_a = {v["id"]: v["outcome"] for v in a.villages}
    village_b = {v["id"]: v["outcome"] for v in b.villages}
    assert {c.id for c in comparison.villages.listed} == {
        v for v in village_a if village_a[v] != village_b[v]
    }


@pytest.fixture(scope="module")
def national_fujian() -> cmp.Comparison:
    return cmp.compare_register(
        sample="lianjiang", a=cmp.Policy("national"), b=cmp.Policy("fujian")
    )


@pytest.fixture(scope="module")
def two_dates() -> cmp.Comparison:
    return cmp.compare_register(
        sample="lianjiang",
        a=cmp.Policy("fujian", D2016),
        b=cmp.Policy("fujian", D2017),
        allow_undetermined=True,
    )


@pytest.fixture(scope="module")
def threshold() -> cmp.Comparison:
    return cmp.compare_register(
        sample="lianjiang",
        a=cmp.Policy("fujian", D2017),
        b=cmp.Policy("fujian", D2017, {THRESHOLD: WHAT_IF}),
        allow_undetermined=True,
    )


# -- reconciliation with two separate runs ---------------------------------------------------


def test_national_against_fujian_reconciles_with_two_assess_runs(
    national_fujian: cmp.Comparison,
) -> None:
    reconcile(national_fujian, assess("national"), assess("fujian"))
    # On 2016-12-31 fujian's own household criterion (the provincial line) is not in
    # force: no household outcome changes, and no finding either (a criterion one side
    # lacks counts as not in force there).
    assert national_fujian.households.changed == 0
    assert national_fujian.households.differing == 0
    assert national_fujian.a.label == "national"
    assert national_fujian.b.label == "fujian"
    assert national_fujian.rows.read == 745


def test_two_dates_of_one_pack_list_households_and_why(two_dates: cmp.Comparison) -> None:
    reconcile(
        two_dates,
        assess("fujian", D2016),
        assess("fujian", D2017, allow_undetermined=True),
    )
    hh = two_dates.households
    assert hh.changed == 670
    assert hh.transitions == {
        "eligible": {"undetermined": 586},
        "not_eligible": {"undetermined": 84},
    }
    # the poverty line has no value for 2017 in the sources: its criterion is why
    assert hh.criteria["income_above_line"] == 670
    first = hh.listed[0]
    assert (first.a, first.b) == ("eligible", "undetermined")
    assert cmp.CriterionChange("income_above_line", "passed", "unknown", True) in first.criteria
    assert first.village_id
    assert first.county_id == "350122"
    assert two_dates.a.label == "fujian 2016-12-31"
    assert two_dates.b.label == "fujian 2017-12-31"
    # counts by village and county add up to the changed households
    assert sum(g.changed for g in two_dates.by_village) == 670
    assert [(g.id, g.changed) for g in two_dates.by_county] == [("350122", 670)]


def test_village_threshold_override_changes_the_villages_in_its_band(
    threshold: cmp.Comparison,
) -> None:
    reconcile(
        threshold,
        assess("fujian", D2017, allow_undetermined=True),
        assess("fujian", D2017, allow_undetermined=True, overrides={THRESHOLD: WHAT_IF}),
    )
    with sample_path() as path:
        villages = json.loads(Path(path).read_text("utf-8"))["villages"]
    income = {v["id"]: v["collective_income"] for v in villages}
    band = {v for v, x in income.items() if 100000 <= x < WHAT_IF}
    assert band  # the sample has villages between the two thresholds
    changed = threshold.villages
    assert {c.id for c in changed.listed} == band
    assert changed.transitions == {"undetermined": {"not_eligible": len(band)}}
    assert changed.criteria == {"village_collective_income": len(band)}
    for c in changed.listed:
        assert c.criteria == (
            cmp.CriterionChange("village_collective_income", "passed", "failed", True),
        )
        assert c.county_id == "350122"
    assert threshold.households.changed == 0
    assert threshold.b.overrides == {THRESHOLD: WHAT_IF}
    assert threshold.b.label == f"fujian + {THRESHOLD}={WHAT_IF}"


def test_criteria_that_decide_a_change_are_told_from_those_that_only_differ(
    two_dates: cmp.Comparison,
) -> None:
    village = two_dates.villages.listed[0]
    assert (village.a, village.b) == ("eligible", "undetermined")
    decisive = [c for c in village.criteria if c.decisive]
    assert decisive == [cmp.CriterionChange("village_incidence", "passed", "unknown", True)]
    # fujian's village criteria enter force on 2017-10-23 and pass: they differ only
    others = {c.id: (c.a, c.b) for c in village.criteria if not c.decisive}
    assert others["village_collective_income"] == ("not_in_force", "passed")
    html = render_html(two_dates.to_dict(), "en")
    row = next(r for r in parse(html).tables[("villages", "changed-groups")][1:])
    assert "passed → unknown" in row[4]
    assert "and 6 other criteria differ without deciding it" in row[4]


# -- one pass, any batch size -----------------------------------------------------------------


def _parquet_register(folder: Path) -> tuple[Path, Path, Path, Path]:
    """The sample as a two-file Parquet register (read in batches) with its villages
    and counties as JSON files."""
    with sample_path() as path:
        raw = json.loads(Path(path).read_text("utf-8"))
        dataset = read_dataset(path, pack=pc.load_pack("fujian"))  # a Fujian-shaped sample
    households, members = tables_from_records(dataset.households)
    files = (
        folder / "households.parquet",
        folder / "members.parquet",
        folder / "villages.json",
        folder / "counties.json",
    )
    pq.write_table(households, files[0])
    pq.write_table(members, files[1])
    for file, key in zip(files[2:], ("villages", "counties"), strict=True):
        file.write_text(json.dumps({key: raw[key]}, ensure_ascii=False), "utf-8")
    return files


def test_each_batch_is_read_once_and_batch_size_changes_nothing(
    two_dates: cmp.Comparison, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read: list[int] = []
    original = RegisterSource.household_tables

    def counted(self: RegisterSource, *args: Any) -> Any:
        for households, members in original(self, *args):
            read.append(households.num_rows)
            yield households, members

    monkeypatch.setattr(RegisterSource, "household_tables", counted)
    households, members, villages, counties = _parquet_register(tmp_path)
    streamed = cmp.compare_register(
        households,
        members,
        villages=villages,
        counties=counties,
        a=cmp.Policy("fujian", D2016),
        b=cmp.Policy("fujian", D2017),
        allow_undetermined=True,
        read=jobs.ReadOptions(batch_size=100),
    )
    assert sum(read) == 745  # each batch read once, not once per side
    assert len(read) > 1
    assert max(read) <= 100
    assert streamed.households == two_dates.households
    assert streamed.by_village == two_dates.by_village
    assert streamed.villages == two_dates.villages
    for side in ("a", "b"):
        mine, other = streamed.side(side).assessment, two_dates.side(side).assessment
        assert mine.summary == other.summary
        assert mine.rows == other.rows
    assert [f.read for f in streamed.files] == [745, 2352, 50, 1]
    assert all(f.balanced for f in streamed.files)


# -- the results file -------------------------------------------------------------------------


def test_results_file_sets_both_sides_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    cmp.compare_register(
        sample="lianjiang",
        a=cmp.Policy("fujian", D2016),
        b=cmp.Policy("fujian", D2017),
        allow_undetermined=True,
        output=out,
    )
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    oa = outcomes(assess("fujian", D2016))
    ob = outcomes(assess("fujian", D2017, allow_undetermined=True))
    assert {r["id"]: r["outcome_a"] for r in rows} == oa
    assert {r["id"]: r["outcome_b"] for r in rows} == ob
    assert {r["id"] for r in rows if r["changed"] == "true"} == {i for i in oa if oa[i] != ob[i]}
    row = rows[0]
    assert row["income_above_line_a"] == "passed"
    assert row["income_above_line_b"] == "unknown"
    assert row["criteria_changed"] == "income_above_line"
    assert row["missing_b"] == "param:poverty_line"
    # fujian's provincial-line criterion, not in force on either date, is a column pair
    assert row["income_above_provincial_line_a"] == "not_in_force"


def test_parquet_results_and_the_json_document(tmp_path: Path) -> None:
    parquet, whole = tmp_path / "c.parquet", tmp_path / "c.json"
    for out in (parquet, whole):
        cmp.compare_register(
            sample="lianjiang",
            a=cmp.Policy("fujian", D2017),
            b=cmp.Policy("fujian", D2017, {THRESHOLD: WHAT_IF}),
            allow_undetermined=True,
            output=out,
        )
    table = pq.read_table(parquet)
    assert table.num_rows == 745
    assert {"outcome_a", "outcome_b", "changed", "criteria_changed"} <= set(table.column_names)
    data = json.loads(whole.read_text("utf-8"))
    assert data["b"]["overrides"] == {THRESHOLD: WHAT_IF}
    assert data["villages"]["transitions"] == {"undetermined": {"not_eligible": 11}}
    assert data["rows"]["in"] == 745
    assert data["a"]["assessment"]["summary"]["households"]["undetermined"] == 670


def test_comparison_is_frozen() -> None:
    assert attrs.has(cmp.Comparison)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cmp.Changes(0, 0, 0, {}, {}, ()).changed = 1  # type: ignore[misc]


# -- rows accounted, personal data masked -------------------------------------------------------


def _register(tmp_path: Path, edit: Any) -> Path:
    with sample_path(sample_file("lianjiang")) as path:
        data = json.loads(Path(path).read_text("utf-8"))
    edit(data)
    register = tmp_path / "register.json"
    register.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return register


def test_a_rejected_row_is_rejected_for_both_sides(tmp_path: Path) -> None:
    def bad(data: dict[str, Any]) -> None:
        data["households"][0]["annual_net_income_per_capita"] = -1

    register = _register(tmp_path, bad)
    rejects = tmp_path / "rejects.csv"
    comparison = cmp.compare_register(
        register,
        a=cmp.Policy("national"),
        b=cmp.Policy("fujian"),
        read=jobs.ReadOptions(on_error="skip"),
        rejects=rejects,
    )
    assert comparison.rows.read == 745
    assert comparison.rows.rejected == 1
    assert comparison.a.assessment.rows == comparison.b.assessment.rows == comparison.rows
    assert comparison.households.compared == 744
    assert len(comparison.rejects) == 1
    assert all(f.balanced for f in comparison.files)
    with rejects.open(encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == 2


ID_NUMBER = "350122198001010017"  # a valid-looking ID number (tests/test_privacy.py)


def test_id_number_household_ids_are_masked_everywhere(tmp_path: Path) -> None:
    def personal(data: dict[str, Any]) -> None:
        old = data["households"][0]["id"]
        data["households"][0]["id"] = ID_NUMBER
        for m in data["households"][0].get("members", []):
            if m.get("household_id") == old:
                m["household_id"] = ID_NUMBER

    register = _register(tmp_path, personal)
    out, report = tmp_path / "c.csv", tmp_path / "c.html"
    comparison = cmp.compare_register(
        register,
        a=cmp.Policy("fujian", D2016),
        b=cmp.Policy("fujian", D2017),
        allow_undetermined=True,
        output=out,
        report=report,
    )
    text = json.dumps(comparison.to_dict(), ensure_ascii=False)
    for written in (out.read_text("utf-8"), report.read_text("utf-8"), text):
        assert ID_NUMBER not in written
    assert ID_NUMBER not in {c.id for c in comparison.households.listed}


# -- errors: per side, bilingual -----------------------------------------------------------------


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["compare", *argv], stdout=out)
    return code, out.getvalue()


def test_a_decision_one_side_lacks_is_a_bilingual_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(jobs.UsageError) as err:
        cmp.compare_register(
            sample="lianjiang",
            a=cmp.Policy("fujian"),
            b=cmp.Policy("national"),
            decision="first_secretary",
        )
    assert "side b" in err.value.message("en")
    assert "national" in err.value.message("en")
    assert "b 方" in err.value.message("zh")
    assert "first_secretary" in err.value.message("zh")
    code, _ = run_cli(
        "--sample", "--pack", "fujian", "--pack-b", "national", "--decision", "first_secretary",
        "--lang", "zh",
    )  # fmt: skip
    assert code == EXIT_USAGE
    assert "比较的 b 方" in capsys.readouterr().err


def test_identical_sides_are_a_usage_error() -> None:
    with pytest.raises(jobs.UsageError, match="nothing to compare"):
        cmp.compare_register(sample="lianjiang", a=cmp.Policy("fujian"), b=cmp.Policy("fujian"))
    with pytest.raises(jobs.UsageError, match="nothing to compare"):  # the file's date
        cmp.compare_register(
            sample="lianjiang", a=cmp.Policy("fujian"), b=cmp.Policy("fujian", D2016)
        )


def test_periods_in_force_apply_per_side(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(cmp.SideNotInForce) as err:
        cmp.compare_register(
            sample="lianjiang",
            a=cmp.Policy("fujian", dt.date(2019, 6, 30)),
            b=cmp.Policy("fujian", D2016),
            decision="drinking_water",
            allow_undetermined=True,
        )
    assert err.value.side == "b"
    assert "side b of the comparison (fujian 2016-12-31)" in err.value.message("en")
    assert "比较的 b 方" in err.value.message("zh")
    code, _ = run_cli(
        "--sample", "--pack", "fujian", "--as-of", "2019-06-30", "--as-of-b", "2016-12-31",
        "--decision", "drinking_water", "--allow-undetermined",
    )  # fmt: skip
    assert code == EXIT_PACK
    assert "side b" in capsys.readouterr().err


def test_a_side_without_a_parameter_value_is_named() -> None:
    with pytest.raises(cmp.SideNotReady) as err:
        cmp.compare_register(
            sample="lianjiang", a=cmp.Policy("fujian", D2016), b=cmp.Policy("fujian", D2017)
        )
    assert err.value.side == "b"
    assert "poverty_line" in err.value.message("en")


# -- the CLI ---------------------------------------------------------------------------------------


def test_cli_json_is_the_library_comparison(two_dates: cmp.Comparison) -> None:
    code, text = run_cli(
        "--sample", "--pack", "fujian", "--as-of", "2016-12-31", "--as-of-b", "2017-12-31",
        "--allow-undetermined", "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    data = json.loads(text)
    assert data["households"] == two_dates.to_dict()["households"]
    assert data["by_village"] == two_dates.to_dict()["by_village"]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("side_a", "side_b"),
    [
        (["--pack", "national"], ["--pack", "fujian"]),
        (
            ["--pack", "fujian", "--as-of", "2016-12-31"],
            ["--pack", "fujian", "--as-of", "2017-12-31"],
        ),
    ],
)
def test_cli_compare_reconciles_with_two_cli_assess_runs(
    tmp_path: Path, side_a: list[str], side_b: list[str]
) -> None:
    runs = []
    for i, side in enumerate((side_a, side_b)):
        out = tmp_path / f"assess{i}.csv"
        argv = ["assess", "--sample", *side, "--allow-undetermined", "-q", "-o", str(out)]
        assert main(argv, stdout=io.StringIO()) == EXIT_OK
        runs.append({r["id"]: r["outcome"] for r in _csv(out)})
    b_options = [{"--pack": "--pack-b", "--as-of": "--as-of-b"}.get(o, o) for o in side_b]
    out = tmp_path / "compare.csv"
    code, _ = run_cli(
        "--sample", *side_a, *b_options, "--allow-undetermined", "-q", "-o", str(out)
    )  # fmt: skip
    assert code == EXIT_OK
    rows = _csv(out)
    assert {r["id"]: r["outcome_a"] for r in rows} == runs[0]
    assert {r["id"]: r["outcome_b"] for r in rows} == runs[1]
    changed = {r["id"] for r in rows if r["changed"] == "true"}
    assert changed == {i for i in runs[0] if runs[0][i] != runs[1][i]}


def test_cli_set_b_overrides_side_b_only(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    code, text = run_cli(
        "--sample", "--pack", "fujian", "--as-of", "2017-12-31",
        "--set-b", f"{THRESHOLD}={WHAT_IF}", "--allow-undetermined", "--report", str(report),
    )  # fmt: skip
    assert code == EXIT_OK
    assert "350122-V01" in text
    assert f"{THRESHOLD}=" in text
    assert "350122-V01" in report.read_text("utf-8")


def test_cli_zh_summary_has_no_english_labels() -> None:
    code, text = run_cli(
        "--sample", "--pack", "fujian", "--as-of", "2017-12-31",
        "--set-b", f"{THRESHOLD}={WHAT_IF}", "--allow-undetermined", "--lang", "zh",
    )  # fmt: skip
    assert code == EXIT_OK
    assert "村的退出判定变化" in text
    assert "无法判定 → 不符合" in text
    body = text.split("\n", 2)[2]  # after the title and the sides' labels (pack ids)
    for english in ("households", "village", "changes", "undetermined", "passed"):
        assert english not in body


# -- the rendered report, parsed ------------------------------------------------------


class _Tables(HTMLParser):
    """The text of every table cell, by table class and section id."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: dict[tuple[str, str], list[list[str]]] = {}
        self.texts: dict[str, list[str]] = {}
        self._table: tuple[str, str] | None = None
        self._cell: list[str] | None = None
        self._p: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        elif tag == "table":
            self._table = (self.sections[-1], a.get("class") or "")
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "p":
            self._p = (a.get("class") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.sections.pop()
        elif tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table is not None and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._p is not None:
            self.texts.setdefault(self._p[0], []).append("".join(self._p[1]).strip())
            self._p = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._p is not None:
            self._p[1].append(data)


def parse(text: str) -> _Tables:
    parser = _Tables()
    parser.feed(text)
    return parser


def test_html_report_shows_the_households_that_change_and_why(
    two_dates: cmp.Comparison,
) -> None:
    page = parse(render_html(two_dates.to_dict(), "en"))
    transitions = page.tables[("households", "transitions")][1:]
    assert transitions == [
        ["eligible → undetermined", "586"],
        ["not eligible → undetermined", "84"],
    ]
    rows = page.tables[("households", "changed-households")]
    assert rows[0][:5] == ["household", "village", "county", "A", "B"]
    listed = rows[1:]
    assert [r[0] for r in listed] == [c.id for c in two_dates.households.listed]
    assert listed[0][3:5] == ["eligible", "undetermined"]
    assert "Income per capita stably above the poverty line: passed → unknown" in listed[0][5]
    responsible = page.tables[("households", "responsible")][1:]
    assert responsible[0][1:] == ["income_above_line", "670"]
    by_village = page.tables[("by-village", "groups")][1:]
    assert sum(int(r[2]) for r in by_village) == 670
    outcomes_table = page.tables[("outcomes", "outcomes")]
    assert outcomes_table[1] == ["eligible", "586", "0", "\u2212586"]
    assert any("SYNTHETIC" in t for t in page.texts["synthetic"])


def test_html_report_in_chinese_shows_the_villages_that_change(
    threshold: cmp.Comparison,
) -> None:
    page = parse(render_html(threshold.to_dict(), "zh"))
    rows = page.tables[("villages", "changed-groups")][1:]
    assert sorted(r[0] for r in rows) == sorted(c.id for c in threshold.villages.listed)
    assert all(r[2:4] == ["无法判定", "不符合"] for r in rows)
    assert all("村集体经济收入" in r[4] and "通过 → 未通过" in r[4] for r in rows)
    sides = page.tables[("sides", "sides")]
    assert sides[2][3] == f"{THRESHOLD} = {WHAT_IF}"
    assert page.texts["none"] == ["没有户的判定结果发生变化。", "没有县的判定结果变化。"]
    body = "".join(c for table in page.tables.values() for row in table for c in row)
    for english in ("eligible", "undetermined", "household", "passed"):
        assert english not in body


def test_markdown_report_lists_the_same_changes(threshold: cmp.Comparison) -> None:
    text = render_markdown(threshold.to_dict(), "en")
    lines = [line for line in text.splitlines() if line.startswith("| 350122-V")]
    assert len(lines) == threshold.villages.changed
    assert all("undetermined | not eligible" in line for line in lines)
