"""The dynamic-management (脱贫即出、返贫即入) section of the report: what each transition
calls for over a register, with the procedure each kind starts, rolled up per village
and per county.

:func:`transitions_summary` turns a :class:`~poverty_core.dynamic.TransitionBatch` into a
JSON-compatible summary (every text in Chinese and English); the report
(:mod:`poverty_core.report`) shows it as a section when its JSON carries it under
``transitions``, and :func:`render_transitions` lays it out as a report of its own
(HTML or Markdown, wholly in one language) — what ``poverty-core transitions --report``
writes. The layout is the report's Jinja2 templates
(``templates/_transitions.*.jinja``, included by the report and by
``templates/transitions.*.jinja``).

>>> import datetime as dt, poverty_core as pc
>>> from poverty_core.dynamic import SAMPLE
>>> from poverty_core.io import read_dataset
>>> from poverty_core.samples import sample_path
>>> with sample_path(SAMPLE) as path:
...     register = read_dataset(path)
>>> batch = pc.decide_transitions(pc.load_pack("national"), register.households,
...                               as_of=dt.date(2016, 12, 31))
>>> summary = transitions_summary(batch, synthetic=True)
>>> [(k["kind"], k["households"]) for k in summary["kinds"]][:2]
[('exit', 3), ('re_entry', 2)]
>>> summary["kinds"][0]["procedure"]["id"]
'household_exit'
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from poverty_core._text import Language, Text
from poverty_core._version import __version__
from poverty_core.dynamic.decide import TransitionBatch, rollup
from poverty_core.dynamic.model import GAP_PROCEDURE, TransitionKind
from poverty_core.io import atomic_writer
from poverty_core.parameters import Citation
from poverty_core.report import render_template
from poverty_core.rules import in_force_on

__all__ = [
    "render_transitions",
    "transitions_summary",
    "transitions_view",
    "write_transitions_report",
]

_KINDS = tuple(TransitionKind)

_L: dict[str, tuple[str, str]] = {
    "title": ("动态管理报告", "Dynamic management report"),
    "heading": (
        "动态管理：脱贫即出、返贫即入",
        "Dynamic management: exit when out, re-enter on return",
    ),
    "intro": (
        "按判定日的情况，每户应有的变动（脱贫退出、返贫纳入、清退、维持现状），及每类变动启动的程序。",
        "The transition each household calls for on the date (exit, re-entry, removal, "
        "stays), and the procedure each kind starts.",
    ),
    "synthetic": (
        "合成数据：本输入不是真实登记，仅用于演示与测试。",
        "SYNTHETIC DATA: this input is not a real register; for demonstration and tests.",
    ),
    "run": ("本次判定", "The run"),
    "pack": ("策略包", "Pack"),
    "as_of": ("判定日", "Date"),
    "households_total": ("户数", "Households"),
    "people_total": ("人数", "People"),
    "kinds": ("各类变动及其启动的程序", "Transitions and the procedures they start"),
    "kind": ("变动", "transition"),
    "households": ("户数", "households"),
    "people": ("人数", "people"),
    "procedure": ("启动的程序", "procedure started"),
    "steps": ("步骤", "steps"),
    "complete": ("各步均已记录日期（户）", "every step dated (households)"),
    "basis": ("出处或缺口", "source or gap"),
    "no_procedure": ("不启动程序", "starts no procedure"),
    "by_village": ("各村的变动", "Transitions per village"),
    "by_county": ("各县的变动", "Transitions per county"),
    "village": ("村", "village"),
    "county": ("县", "county"),
    "cell_note": ("每格为户数（人数）。", "Each cell: households (people)."),
    "gaps": ("来源未给出的规则（缺口）", "What the sources do not give (gaps)"),
    "unknown_group": ("（未填）", "(not given)"),
    "made_by": ("由 poverty-core {version} 生成", "made by poverty-core {version}"),
}


def _t(key: str, language: Language) -> str:
    zh, en = _L[key]
    return zh if language == "zh" else en


def transitions_summary(batch: TransitionBatch, *, synthetic: bool = False) -> dict[str, Any]:
    """What the section shows, JSON-compatible (texts as ``{"zh": …, "en": …}``): the
    pack, date, each kind with its households, people and the procedure it starts (its
    steps, source, and how many of those households have every step dated) or the gap
    where the sources give none, the roll-ups per village and county
    (:func:`~poverty_core.dynamic.rollup`) and the gaps met."""
    pack = batch.pack
    counts = batch.counts()
    people = {k.value: int(batch.people[batch.kind == i].sum()) for i, k in enumerate(_KINDS)}
    # One household of each (kind, state, caller's removal finding) stands for the rest:
    # its transition gives the procedure and gaps of all of them (one definition).
    shown: dict[tuple[int, int, bool], int] = {}
    for row in range(len(batch)):
        key = (int(batch.kind[row]), int(batch.state[row]), batch.ids[row] in batch.removal_reasons)
        shown.setdefault(key, row)
    samples = {key: batch.transition(row) for key, row in shown.items()}
    gaps: dict[str, Text] = {}
    for t in samples.values():
        for met in t.gaps:
            gaps.setdefault(met.en, met)
    kinds = []
    for i, kind in enumerate(_KINDS):
        procedure_id = batch.procedures.get(kind)
        procedure = None
        if procedure_id is not None:
            found = pack.procedures[procedure_id]
            found = in_force_on(found, batch.as_of) or found
            dated = [batch.steps_done[r].get(found.id, {}) for r in np.flatnonzero(batch.kind == i)]
            procedure = {
                "id": found.id,
                "title": found.title.to_dict(),
                "steps": [s.label.to_dict() for s in found.steps],
                "citation": {lang: _cited(found.citation, lang) for lang in ("zh", "en")},
                "complete": sum(
                    1 for d in dated if all(d.get(s.id) is not None for s in found.steps)
                ),
            }
        gap = GAP_PROCEDURE.get(kind) if procedure_id is None else None
        kinds.append(
            {
                "kind": kind.value,
                "label": kind.label.to_dict(),
                "households": counts[kind.value],
                "people": people[kind.value],
                "procedure": procedure,
                "gap": gap.to_dict() if gap is not None else None,
            }
        )
    return {
        "synthetic": synthetic,
        "pack": pack.name,
        "chain": [f"{n} {pack.versions[n]}" if n in pack.versions else n for n in pack.chain],
        "as_of": batch.as_of.isoformat(),
        "households": len(batch),
        "people": int(batch.people.sum()),
        "kinds": kinds,
        "by_village": rollup(batch, "village_id"),
        "by_county": rollup(batch, "county_id"),
        "gaps": [g.to_dict() for _, g in sorted(gaps.items())],
    }


def _cited(citation: Citation, language: Language) -> str:
    """A source in one language: its title, and the part of a bilingual locator
    (``原文 / English``) in that language."""
    title = citation.resolved.title[language] if citation.resolved else citation.source
    zh, sep, en = citation.locator.partition(" / ")
    locator = (en if language == "en" else zh) if sep else citation.locator
    return f"{title} {locator}".strip()


def _group_rows(
    groups: Sequence[Mapping[str, Any]], by: str, language: Language
) -> list[list[str]]:
    rows = []
    for g in groups:
        cells = [str(g.get(by) or _t("unknown_group", language))]
        for kind in _KINDS:
            n, p = g.get(kind.value, 0), g.get(f"{kind.value}_people", 0)
            cells.append(f"{n}（{p}）" if language == "zh" else f"{n} ({p})")
        rows.append(cells)
    return rows


def transitions_view(summary: Mapping[str, Any], language: Language = "en") -> dict[str, Any]:
    """The section as the templates lay it out: every label and text in ``language``
    (``summary`` from :func:`transitions_summary`)."""
    sep = "；" if language == "zh" else "; "
    arrow = " → "
    kinds = []
    for k in summary.get("kinds") or []:
        procedure = k.get("procedure")
        gap = k.get("gap")
        kinds.append(
            {
                "label": k["label"][language],
                "households": k["households"],
                "people": k["people"],
                "procedure": procedure["title"][language]
                if procedure
                else _t("no_procedure", language)
                if gap is None
                else "—",
                "steps": arrow.join(s[language] for s in procedure["steps"]) if procedure else "—",
                "complete": procedure["complete"] if procedure else "—",
                "basis": procedure["citation"][language]
                if procedure
                else gap[language]
                if gap
                else "—",
            }
        )
    return {
        "L": {key: _t(key, language) for key in _L},
        "kinds": kinds,
        "heads": [k.label[language] for k in _KINDS],
        "by_village": _group_rows(summary.get("by_village") or [], "village_id", language),
        "by_county": _group_rows(summary.get("by_county") or [], "county_id", language),
        "gaps": [g[language] for g in summary.get("gaps") or []],
        "facts": [
            (_t("pack", language), arrow.join(summary.get("chain") or [])),
            (_t("as_of", language), str(summary.get("as_of") or "")),
            (_t("households_total", language), str(summary.get("households", ""))),
            (_t("people_total", language), str(summary.get("people", ""))),
        ],
        "synthetic": bool(summary.get("synthetic")),
        "made_by": sep.join(
            [
                _t("made_by", language).format(version=__version__),
                f"{_t('pack', language)} {arrow.join(summary.get('chain') or [])}",
            ]
        ),
    }


def _summary(report: TransitionBatch | Mapping[str, Any], synthetic: bool) -> Mapping[str, Any]:
    if isinstance(report, TransitionBatch):
        return transitions_summary(report, synthetic=synthetic)
    return report


def render_transitions(
    path: str | os.PathLike[str],
    report: TransitionBatch | Mapping[str, Any],
    language: Language = "en",
    *,
    synthetic: bool = False,
) -> str:
    """The dynamic-management report as text for ``path``: one self-contained HTML page
    for ``.html``/``.htm``, Markdown otherwise, wholly in ``language``. ``report``: a
    batch of transitions or its :func:`transitions_summary`."""
    view = transitions_view(_summary(report, synthetic), language)
    html = Path(path).suffix.lower() in (".html", ".htm")
    name = "transitions.html.jinja" if html else "transitions.md.jinja"
    return render_template(name, {"lang": language, "transitions": view})


def write_transitions_report(
    path: str | os.PathLike[str],
    report: TransitionBatch | Mapping[str, Any],
    language: Language = "en",
    *,
    synthetic: bool = False,
) -> None:
    """Write :func:`render_transitions` to ``path``, atomically."""
    text = render_transitions(path, report, language, synthetic=synthetic)
    with atomic_writer(path) as handle:
        handle.write(text)
