"""The Jinja environment the reports are laid out in: the package's ``templates/``, HTML
autoescaped, and the filters every report uses — ``cell`` (a table cell with spreadsheet
formulas neutralised and line breaks as spaces, escaped), ``md`` and ``code`` (Markdown
text and code spans), ``svg`` (a chart drawn by :mod:`poverty_core._svg`).

One environment for the assessment report (:mod:`poverty_core.report`), the comparison
(:mod:`poverty_core.compare_report`) and the dynamic-management report
(:mod:`poverty_core.dynamic_report`).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from poverty_core.io import safe_cell

__all__ = ["environment", "render_template"]

_CONTROL = re.compile(r"[\r\n]+")


def _cell(value: Any) -> str:
    """One table cell or line: formulas neutralised, line breaks as spaces."""
    text = "—" if value is None or value == "" else str(value)
    return _CONTROL.sub(" ", safe_cell(text))


def _html_cell(value: Any) -> Markup:
    """An HTML cell: neutralised, then escaped (quotes need no escaping in text, and a
    spreadsheet shows ``'=1`` as typed)."""
    return Markup(html.escape(_cell(value), quote=False))


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")


def _md(value: Any) -> str:
    """Markdown text: a neutralised cell with Markdown's special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _cell(value))


def _code(value: Any) -> str:
    """A Markdown code span (ids, file names, commands)."""
    text = _cell(value)
    return f"`{text}`" if "`" not in text else _md(text)


@functools.cache
def environment() -> jinja2.Environment:
    """The environment, made once: templates from the package, HTML autoescaped,
    undefined names an error, the filters ``cell``, ``md``, ``code`` and ``svg``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("poverty_core", "templates"),
        autoescape=lambda name: bool(name and ".html" in name),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cell=_html_cell, md=_md, code=_code, svg=Markup)
    return env


def render_template(name: str, view: Mapping[str, Any]) -> str:
    """Lay out ``view`` with the package template ``templates/NAME`` and the report's
    filters (``cell``, ``md``, ``code``, ``svg``; HTML autoescaped): the hook another
    report section uses (the comparison of :mod:`poverty_core.compare_report`, the transitions of
    :mod:`poverty_core.dynamic_report`)."""
    return environment().get_template(name).render(view)
