"""Small SVG pictures, written by hand: trees of labelled boxes and horizontal bar charts.

The documentation draws each pack's inheritance, its decisions and the register →
village → county roll-up; the assessment report draws its outcome and criterion charts.
All are a few dozen boxes or bars, inlined in HTML, so they must need no external
program, no script and no font file, and hold Chinese text. Graphviz (through pydot or
graphviz) needs the ``dot`` binary, matplotlib draws to a canvas without Chinese fonts
unless one is installed and configured, and pygal's SVG expects its JavaScript; laying out
a tree of boxes and a bar chart takes the ~250 lines below and only the standard library.
Text is escaped for XML; widths are estimated from the characters (East Asian wide and
full-width characters are two columns, ``unicodedata.east_asian_width``) since no font
metrics are at hand, erring wide.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import attrs

__all__ = [
    "COLOURS",
    "Bar",
    "Box",
    "Segment",
    "bar_chart",
    "display_width",
    "shorten",
    "tree",
]

FONT = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "'WenQuanYi Micro Hei',sans-serif"
)
COLOURS = {
    "eligible": "#2e7d32",
    "not_eligible": "#c62828",
    "undetermined": "#f9a825",
    "not_in_force": "#9e9e9e",
    "passed": "#a5d6a7",
    "failed": "#c62828",
    "unknown": "#f9a825",
    "neutral": "#1565c0",
    "root": "#e3f2fd",
    "own": "#fff8e1",
    "inherited": "#f5f5f5",
    "line": "#546e7a",
}
"""Fill colours by meaning; the charts also print every number, so they read in grey."""


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced terminal: wide and full-width characters 2.

    >>> display_width("abc"), display_width("户脱贫"), display_width("贫困户 exit")
    (3, 6, 11)
    """
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _px(text: str, size: float) -> float:
    """An upper estimate of the rendered width of ``text`` at font size ``size``."""
    return sum(size if unicodedata.east_asian_width(c) in ("W", "F") else size * 0.58 for c in text)


def shorten(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` display columns, with an ellipsis when cut.

    >>> shorten("年人均纯收入稳定超过扶贫标准", 10)
    '年人均纯…'
    """
    if display_width(text) <= columns:
        return text
    out, used = "", 0
    for c in text:
        w = display_width(c)
        if used + w > columns - 1:
            break
        out, used = out + c, used + w
    return out + "…"


def _text(x: float, y: float, content: str, *, size: float = 12, **attrs_: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs_.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}"{extra}>{escape(content)}</text>'


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto"'
        f' font-family="{FONT}"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


# -- trees -----------------------------------------------------------------------------


@attrs.define
class Box:
    """A node of a tree picture: lines of text (the first in bold) and its children."""

    lines: list[str]
    children: list[Box] = attrs.Factory(list)
    fill: str = COLOURS["inherited"]
    # Laid out by :func:`tree`.
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


_SIZE, _LINE, _PAD, _GAP_MAIN, _GAP_CROSS = 12.0, 16.0, 7.0, 34.0, 10.0


def _measure(box: Box) -> None:
    box.w = max(_px(line, _SIZE + (1 if i == 0 else 0)) for i, line in enumerate(box.lines))
    box.w += 2 * _PAD
    box.h = len(box.lines) * _LINE + 2 * _PAD - 4
    for child in box.children:
        _measure(child)


def _levels(box: Box, depth: int, out: dict[int, list[Box]]) -> None:
    out.setdefault(depth, []).append(box)
    for child in box.children:
        _levels(child, depth + 1, out)


def tree(root: Box, title: str, *, down: bool = False) -> str:
    """A tree of boxes as an SVG document: left to right, or top down with ``down``.

    Each subtree gets the room its widest level needs across the main direction, a
    parent sits in the middle of its children, and every edge is an elbow line.
    """
    _measure(root)
    levels: dict[int, list[Box]] = {}
    _levels(root, 0, levels)
    # Along the main direction: one band per depth, as deep as its deepest box.
    band = [max((b.h if down else b.w) for b in levels[d]) for d in sorted(levels)]
    starts, at = [], 0.0
    for size in band:
        starts.append(at)
        at += size + _GAP_MAIN
    main_total = at - _GAP_MAIN

    def cross(b: Box) -> float:
        return b.w if down else b.h

    def extent(b: Box) -> float:
        kids = sum(extent(c) for c in b.children) + _GAP_CROSS * max(len(b.children) - 1, 0)
        return max(cross(b), kids)

    def place(b: Box, depth: int, top: float) -> None:
        total = extent(b)
        offset = top + (total - cross(b)) / 2
        if down:
            b.x, b.y = offset, starts[depth]
        else:
            b.x, b.y = starts[depth], offset
        kids = sum(extent(c) for c in b.children) + _GAP_CROSS * max(len(b.children) - 1, 0)
        at = top + (total - kids) / 2
        for c in b.children:
            place(c, depth + 1, at)
            at += extent(c) + _GAP_CROSS

    place(root, 0, 0.0)
    cross_total = extent(root)
    width, height = (cross_total, main_total) if down else (main_total, cross_total)
    margin = 4.0
    body: list[str] = [f'<g transform="translate({margin},{margin})">']

    def draw(b: Box) -> None:
        for c in b.children:
            if down:
                x1, y1, x2, y2 = b.x + b.w / 2, b.y + b.h, c.x + c.w / 2, c.y
                mid = (y1 + y2) / 2
                path = f"M{x1:.1f},{y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}"
            else:
                x1, y1, x2, y2 = b.x + b.w, b.y + b.h / 2, c.x, c.y + c.h / 2
                mid = x1 + (x2 - x1) / 2
                path = f"M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}"
            body.append(f'<path d="{path}" fill="none" stroke="{COLOURS["line"]}"/>')
            draw(c)
        body.append(
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="4"'
            f' fill="{b.fill}" stroke="{COLOURS["line"]}"/>'
        )
        for i, line in enumerate(b.lines):
            y = b.y + _PAD + _SIZE + i * _LINE - 2
            weight = {"font_weight": "bold"} if i == 0 else {"fill": "#263238"}
            body.append(_text(b.x + _PAD, y, line, size=_SIZE + (1 if i == 0 else 0), **weight))

    draw(root)
    body.append("</g>")
    return _svg(width + 2 * margin, height + 2 * margin, title, body)


# -- bar charts ------------------------------------------------------------------------


@attrs.frozen
class Segment:
    """One part of a bar: its value, colour and legend label."""

    value: float
    colour: str
    legend: str


@attrs.frozen
class Bar:
    """A row of a bar chart: its label, stacked segments and the text after the bar."""

    label: str
    segments: Sequence[Segment]
    note: str = ""


def bar_chart(
    bars: Sequence[Bar],
    title: str,
    *,
    scale: float | None = None,
    threshold: tuple[float, str] | None = None,
    label_columns: int = 34,
) -> str:
    """Horizontal (stacked) bars as an SVG document, with a legend and the chart's title.

    ``scale`` is the value of a full-length bar (default: the longest bar);
    ``threshold`` draws a dashed vertical line at a value, with its label.
    """
    size, row, bar_h, area = 12.0, 20.0, 13.0, 380.0
    labels = [shorten(b.label, label_columns) for b in bars]
    label_w = max([_px(t, size) for t in labels] + [40.0]) + 8
    notes_w = max([_px(b.note, size) for b in bars] + [0.0]) + 8
    full = scale or max([sum(s.value for s in b.segments) for b in bars] + [0.0]) or 1.0
    legend: dict[str, str] = {}
    for b in bars:
        for s in b.segments:
            legend.setdefault(s.legend, s.colour)
    body: list[str] = [_text(0, size + 2, title, size=size + 2, font_weight="bold")]
    y = size + 14
    legend_x = 0.0
    for name, colour in legend.items():
        body.append(
            f'<rect x="{legend_x:.1f}" y="{y:.1f}" width="10" height="10" fill="{colour}"/>'
        )
        body.append(_text(legend_x + 14, y + 9.5, name, size=size - 1))
        legend_x += 14 + _px(name, size - 1) + 14
    top = y + 22
    for i, (b, label) in enumerate(zip(bars, labels, strict=True)):
        ty = top + i * row
        body.append(_text(label_w - 6, ty + bar_h - 2, label, size=size, text_anchor="end"))
        x = label_w
        for s in b.segments:
            w = area * s.value / full if full else 0.0
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{ty:.1f}" width="{w:.1f}" height="{bar_h}"'
                    f' fill="{s.colour}"><title>{escape(s.legend)}: {s.value:g}</title></rect>'
                )
            x += w
        body.append(_text(max(x, label_w) + 5, ty + bar_h - 2, b.note, size=size - 1))
    bottom = top + len(bars) * row
    if threshold is not None:
        value, text = threshold
        tx = label_w + area * value / full
        body.append(
            f'<line x1="{tx:.1f}" y1="{top - 4:.1f}" x2="{tx:.1f}" y2="{bottom:.1f}"'
            f' stroke="#000" stroke-dasharray="4 3"/>'
        )
        body.append(_text(tx + 3, bottom + size + 2, text, size=size - 1))
        bottom += size + 6
    width = max(label_w + area + notes_w + 10, legend_x, _px(title, size + 2))
    return _svg(width, bottom + 4, title, body)
