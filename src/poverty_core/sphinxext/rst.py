"""reST building blocks of the generated reference pages: escaped text, inline code,
paragraphs, titles as wide as their Chinese text, list tables and inline SVG figures.

Written here rather than through docutils' node API: the pages are generated as reST
text (readable, testable without Sphinx) and parsed once by the directives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from poverty_core._svg import display_width

__all__ = ["heading"]

_LINE_START = re.compile(r"^(\s*)([-+*•]\s|\d+[.)]\s|[#a-zA-Z][.)]\s|\(\d+\)\s|\.\.\s)")


def _esc(text: str) -> str:
    r"""Plain text made safe for reST with character-level inline markup: markup
    characters are escaped, and a line that would start a list or a comment too.

    >>> _esc("poverty_line *x* `y` a|b")
    'poverty\\_line \\*x\\* \\`y\\` a\\|b'
    >>> _esc("1. first")
    '\\1. first'
    """
    text = text.replace("\\", "\\\\")
    for c in "*`|_[]<>":
        text = text.replace(c, "\\" + c)
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in text.split("\n"))


def _lit(text: str) -> str:
    """Inline code (an id, a command)."""
    return f"``{text}``" if "`" not in text else _esc(text)


def _strong(text: str) -> str:
    return f"**{_esc(text)}**" if text.strip() else ""


def _para(*parts: str) -> str:
    """Parts joined as one paragraph, empty parts left out."""
    return " ".join(p for p in parts if p)


def heading(title: str, char: str) -> list[str]:
    """A section title with its underline as long as the title's display width.

    >>> heading("决策", "-")
    ['', '决策', '----', '']
    """
    return ["", title, char * display_width(title), ""]


def _cell(blocks: Iterable[str]) -> str:
    """A table cell: the non-empty blocks as paragraphs."""
    return "\n\n".join(b for b in blocks if b) or "—"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> list[str]:
    out = [".. list-table::", "   :header-rows: 1"]
    if css:
        out.append(f"   :class: {css}")
    out.append("")
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            lines = (cell or "—").split("\n")
            out.append(("   * - " if i == 0 else "     - ") + lines[0])
            out += [("       " + ln) if ln else "" for ln in lines[1:]]
    out.append("")
    return out


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items if item)


def _figure(svg: str, caption: str) -> list[str]:
    """An inline SVG picture for HTML builders (other builders skip it)."""
    html = f'<figure class="poverty-picture">{svg}<figcaption>{caption}</figcaption></figure>'
    return [".. raw:: html", "", "   " + html.replace("\n", " "), ""]


def _xml(text: str) -> str:
    """Text made safe inside an SVG figure's caption."""
    return escape(text)
