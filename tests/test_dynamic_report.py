"""The dynamic-management section of the report (issue 14), read as a browser reads it:
the HTML is parsed, its tables counted against the transitions and their roll-ups, each
kind shown with its procedure (or the gap where the sources give none); no markup left
over; under zh nothing a reader sees is English, under en nothing is Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core.cli import main
from poverty_core.dynamic import SAMPLE, TransitionBatch, rollup
from poverty_core.dynamic_report import render_transitions, transitions_summary
from poverty_core.io import read_dataset
from poverty_core.jobs import assess_register
from poverty_core.report import render_html, render_markdown
from poverty_core.samples import sample_path

AS_OF = dt.date(2016, 12, 31)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ALLOWED_LATIN = {"SYN", "poverty", "core", "national", "fujian"}  # ids and the program


class Tables(HTMLParser):
    """Each table's rows of cell texts, headings by level, and all visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.headings: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.tables[-1][-1].append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self.stack or self.stack[-1] in ("style", "title") or not data.strip():
            return
        self.text.append(data)
        if self.stack[-1] in ("td", "th") and self.tables:
            self.tables[-1][-1][-1] += data
        if self.stack[-1] in ("h1", "h2", "h3"):
            self.headings.append((self.stack[-1], data))


def parse(text: str) -> Tables:
    page = Tables()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def batch() -> TransitionBatch:
    with sample_path(SAMPLE) as path:
        households = read_dataset(path).households
    return pc.decide_transitions(pc.load_pack("fujian"), households, as_of=AS_OF)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tables_count_what_was_decided(batch: TransitionBatch, lang: str) -> None:
    page = parse(render_transitions("r.html", batch, lang, synthetic=True))  # type: ignore[arg-type]
    facts, kinds, villages, counties = page.tables
    counts = batch.counts()
    assert [row[1] for row in facts] == ["fujian 0.1.0 → national 0.1.0", "2016-12-31", "11", "22"]
    body = kinds[1:]
    assert len(body) == 5
    labels = [k.label[lang] for k in pc.TransitionKind]  # type: ignore[index]
    assert [row[0] for row in body] == labels
    assert [int(row[1]) for row in body] == [counts[k.value] for k in pc.TransitionKind]
    assert sum(int(row[2]) for row in body) == int(batch.people.sum())
    # exit starts the pack's exit procedure: its title, its steps in order, its source
    exit_row = body[0]
    procedure = pc.load_pack("fujian").procedures["household_exit"]
    assert exit_row[3] == procedure.title[lang]  # type: ignore[index]
    assert exit_row[4].split(" → ") == [s.label[lang] for s in procedure.steps]  # type: ignore[index]
    assert int(exit_row[5]) <= counts["exit"]
    assert "16" in exit_row[6]
    assert ("中办发" in exit_row[6]) == (lang == "zh")
    # re-entry and removal: no procedure in the sources, a gap said so
    for row in (body[1], body[2]):
        assert row[3] == "—"
        assert ("来源未给出" if lang == "zh" else "not given by the sources") in row[6]
    # the roll-ups: one row per village and county, each reconciling with the batch
    for table, by in ((villages, "village_id"), (counties, "county_id")):
        groups = rollup(batch, by)
        assert len(table) - 1 == len(groups)
        for row, group in zip(table[1:], groups, strict=True):
            assert row[0] == group[by]
            for cell, kind in zip(row[1:], pc.TransitionKind, strict=True):
                n, p = map(int, re.findall(r"\d+", cell))
                assert (n, p) == (group[kind.value], group[f"{kind.value}_people"])
        totals = [sum(int(re.findall(r"\d+", r[i])[0]) for r in table[1:]) for i in range(1, 6)]
        assert totals == [counts[k.value] for k in pc.TransitionKind]


def test_a_chinese_report_is_wholly_chinese_and_an_english_one_english(
    batch: TransitionBatch,
) -> None:
    zh = parse(render_transitions("r.html", batch, "zh", synthetic=True))
    for level, heading in zh.headings:
        assert not re.search(r"[A-Za-z]", heading), (level, heading)
    for row in (r for t in zh.tables for r in t):
        for cell in row:
            words = set(re.findall(r"[A-Za-z]{3,}", cell)) - ALLOWED_LATIN
            assert not words, (cell, words)
    assert "合成数据" in "".join(zh.text)
    en = parse(render_transitions("r.html", batch, "en", synthetic=True))
    text = "\n".join(en.text)
    assert not CJK.search(text), CJK.search(text)
    assert "SYNTHETIC" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_markup_is_left_over(batch: TransitionBatch, lang: str) -> None:
    html = render_transitions("r.htm", batch, lang)  # type: ignore[arg-type]
    text = "\n".join(parse(html).text)
    for mark in ("**", "`", "\\|", "{{", "{%", "<", "&lt;", "&amp;"):
        assert mark not in text, mark
    md = render_transitions("r.md", batch, lang)  # type: ignore[arg-type]
    tables = [line for line in md.splitlines() if line.startswith("|")]
    assert len(tables) == 2 + 5 + 2 + 2 + 2 + 1  # heads, separators and rows of three tables
    assert "{{" not in md
    assert "<" not in md


def test_the_section_in_the_assessment_report(batch: TransitionBatch) -> None:
    with sample_path(SAMPLE) as path:
        run = assess_register(path, pack="fujian", as_of=AS_OF)
    data = {**run.to_dict(), "transitions": transitions_summary(batch, synthetic=True)}
    page = parse(render_html(data, "zh"))
    assert ("h2", "动态管理：脱贫即出、返贫即入") in page.headings
    assert ("h2", "决策记录") in page.headings
    markdown = render_markdown(data, "en")
    assert "## Dynamic management: exit when out, re-enter on return" in markdown
    assert "## Decision record" in markdown
    # without transitions the section is absent
    assert "动态管理" not in render_html(run, "zh")


def test_the_record_summary_in_the_report(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    run = assess_register(
        sample="lianjiang",
        pack="fujian",
        overrides={"poverty_line": 3000},
        report=report,
        language="zh",
    )
    assert run.record is not None
    page = parse(report.read_text("utf-8"))
    record = next(t for t in page.tables if any(r[0] == "策略包数据的哈希值" for r in t))
    rows = {r[0]: r[1] for r in record}
    assert rows["程序版本"] == f"poverty-core {pc.__version__}"
    assert rows["策略包版本"] == "fujian 0.1.0 → national 0.1.0"
    assert run.record.data["fujian"][:16] in rows["策略包数据的哈希值"]
    assert "（poverty_line）= 3000 元/人/年" in rows["覆盖的参数（本次运行）"]
    assert rows["输入行的哈希值"] == f"745 行：{run.record.inputs.sha256[:16]}"
    english = parse(render_html(run, "en"))
    record = next(t for t in english.tables if any(r[0] == "Hash of each pack's data" for r in t))
    assert not CJK.search(" ".join(c for r in record for c in r))


def test_cli_transitions_report(tmp_path: Path) -> None:
    out = tmp_path / "t.md"
    assert (
        main(
            ["transitions", "--sample", "--report", str(out), "--lang", "zh"], stdout=io.StringIO()
        )
        == 0
    )
    text = out.read_text("utf-8")
    assert text.startswith("# 动态管理报告")
    assert "| 脱贫退出 | 3 | 6 | 贫困户退出程序 |" in text
