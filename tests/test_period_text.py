"""A rule's period reads the same wherever it is shown — the pack pages, the assessment
report — from one home (``poverty_core.parameters.format_period`` / ``period_lines``), in
Chinese or English. The register is the bundled SYNTHETIC sample."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

import poverty_core as pc
from poverty_core.cli import EXIT_OK, main
from poverty_core.parameters import Period, format_period, period_lines
from poverty_core.report import render_markdown
from poverty_core.rules import versions_of


@pytest.mark.parametrize(
    ("period", "language", "setter", "expected"),
    [
        (None, "zh", False, "始终"),
        (None, "en", True, "always"),
        (Period(dt.date(2019, 1, 1)), "zh", False, "2019-01-01 起"),
        (Period(dt.date(2019, 1, 1)), "en", False, "from 2019-01-01"),
        (
            Period(dt.date(2018, 10, 24), dt.date(2020, 12, 31), origin="source:x"),
            "zh",
            True,
            "2018-10-24 – 2020-12-31（来源 x）",
        ),
        (
            Period(dt.date(2018, 10, 24), dt.date(2020, 12, 31), origin="fujian"),
            "en",
            True,
            "2018-10-24 – 2020-12-31 (set by fujian)",
        ),
        (Period(dt.date(2016, 4, 29), origin="caller"), "en", False, "from 2016-04-29"),
    ],
)
def test_a_period_as_a_reader_sees_it(
    period: Period | None, language: Any, setter: bool, expected: str
) -> None:
    assert format_period(period, language, setter=setter) == expected


def test_an_override_shows_the_inherited_version_outside_it() -> None:
    fujian = pc.load_pack("fujian")
    rule = next(
        r
        for r in [*fujian.criteria.values(), *fujian.decisions.values()]
        if len(versions_of(r)) > 1 and r.in_force is not None
    )
    versions = versions_of(rule)
    en, zh = period_lines(versions, "en"), period_lines(versions, "zh")
    assert len(en) == len(zh) == len(versions)
    assert en[0].startswith(rule.in_force.format("en"))
    assert en[1].startswith(f"outside it: {versions[1].pack} ")
    assert zh[1].startswith(f"其外：{versions[1].pack} ")
    assert not any(word in "".join(zh) for word in ("from ", "always", "outside", "set by"))


def test_the_report_shows_a_period_set_for_the_run_as_everywhere_else() -> None:
    out = io.StringIO()
    argv = [
        "assess", "--sample", "--as-of", "2021-06-30", "--set", "poverty_line=4000",
        "--period", "decision:household_exit=2016-04-29..", "--format", "json", "-q",
    ]  # fmt: skip
    assert main(argv, stdout=out) == EXIT_OK
    report = json.loads(out.getvalue())
    assert "decision:household_exit：2016-04-29 起" in render_markdown(report, "zh")
    assert "decision:household_exit: from 2016-04-29" in render_markdown(report, "en")
