"""A Sphinx extension that documents packs and the command line from the code itself.

Add ``"poverty_core.sphinxext"`` to ``extensions``; then, in a reST or MyST page::

    .. poverty-pack:: fujian

    .. poverty-picture:: inheritance
    .. poverty-picture:: decision national household_exit
    .. poverty-picture:: rollup fujian

    .. poverty-cli::

``poverty-pack`` writes a pack's reference: its inheritance path and roll-up as pictures,
then every decision (a picture of its criteria, and a table leading with each
criterion's Chinese title and test, its threshold — the parameter's values over the
criterion's period in force —, the period and who set it, the source, then the
English), classifiers, entitlements, indicators, checklists, procedures, taxonomies,
parameters, what the pack does not encode and its sources. A third-party pack gets the
same page for free; nothing is written by hand twice.

``poverty-cli`` writes the reference of every command and option from the argument
parser, so the page cannot drift from the program.

The reference is generated as reStructuredText (:func:`pack_rst`, :func:`cli_rst`) and
parsed with docutils' reST parser whatever the page's own markup is (a MyST page would
otherwise read it as Markdown). Inline markup is recognised next to Chinese characters
(docutils' ``character_level_inline_markup``), and title underlines are as long as the
title's display width (a Chinese character takes two columns).

The pieces: ``poverty_core.sphinxext.rst`` (reST building blocks), ``.pack`` (a pack's
page), ``.changes`` (its "what changes" section), ``.cli`` (the command line); this
module holds the directives and :func:`setup`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from poverty_core._pictures import decision_picture, inheritance_picture, rollup_picture
from poverty_core.plugins import default_registry, load_pack
from poverty_core.sphinxext.cli import cli_rst
from poverty_core.sphinxext.pack import pack_rst
from poverty_core.sphinxext.rst import _figure, _xml, heading

__all__ = [
    "CliDirective",
    "PackDirective",
    "PictureDirective",
    "cli_rst",
    "heading",
    "pack_rst",
    "setup",
]


class _RstDirective(SphinxDirective):
    """A directive whose output is reST text, parsed as reST whatever the page's markup."""

    def parse_rst(self, lines: list[str], source: str) -> list[nodes.Node]:
        """Parse ``lines`` as reStructuredText into nodes for this page."""
        main = self.state.document
        settings = copy.copy(main.settings)
        settings.character_level_inline_markup = True
        doc = new_document(source, settings)
        doc.reporter = main.reporter
        Parser().parse("\n".join(lines) + "\n", doc)
        # The sections got their ids in the scratch document: give them ids unique in
        # this page instead.
        for section in doc.findall(nodes.section):
            section["ids"] = []
            main.note_implicit_target(section, section)
        return list(doc.children)


class PackDirective(_RstDirective):
    """``.. poverty-pack:: NAME`` — the reference of an installed pack."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the pack's reference as nodes."""
        pack = load_pack(self.arguments[0])
        # The page is read again when a data file of the pack or of an ancestor changes.
        for name in pack.chain:
            data = load_pack(name).definition.data
            if isinstance(data, Path) and data.is_dir():
                for path in sorted(data.rglob("*.toml")):
                    self.env.note_dependency(str(path))
        return self.parse_rst(pack_rst(pack), f"<pack {pack.name}>")


class CliDirective(_RstDirective):
    """``.. poverty-cli::`` — every command and option, from the argument parser."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the command-line reference as nodes."""
        return self.parse_rst(cli_rst(), "<poverty-core --help>")


class PictureDirective(_RstDirective):
    """``.. poverty-picture:: inheritance`` (every installed pack),
    ``.. poverty-picture:: decision PACK DECISION`` or ``.. poverty-picture:: rollup PACK``.
    """

    required_arguments = 1
    optional_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Draw the picture as an inline SVG figure."""
        what, *args = self.arguments
        if what == "inheritance":
            packs = {name: load_pack(name) for name in default_registry().names()}
            svg = inheritance_picture(packs)
            caption = (
                "已安装策略包的继承关系：每个包新增和覆盖的内容 · the installed packs: what each "
                "adds and overrides"
            )
        elif what == "decision" and len(args) == 2:
            pack = load_pack(args[0])
            d = pack.decisions[args[1]]
            svg = decision_picture(pack, d.id)
            caption = f"{_xml(d.title.zh)}（{args[0]}）· {_xml(d.title.en)} ({args[0]})"
        elif what == "rollup" and len(args) == 1:
            svg = rollup_picture(load_pack(args[0]))
            caption = (
                f"由户到村、县的汇总（{args[0]}）· the roll-up from households to villages and "
                f"counties ({args[0]})"
            )
        else:
            raise self.error("poverty-picture: inheritance | decision PACK DECISION | rollup PACK")
        return self.parse_rst(_figure(svg, caption), "<poverty-picture>")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``poverty-pack``, ``poverty-picture`` and ``poverty-cli`` directives."""
    app.add_directive("poverty-pack", PackDirective)
    app.add_directive("poverty-picture", PictureDirective)
    app.add_directive("poverty-cli", CliDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
