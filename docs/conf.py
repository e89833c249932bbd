"""Sphinx configuration for the poverty_core documentation."""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

import poverty_core

project = "poverty_core"
author = "poverty_core developers"
copyright = "2026, poverty_core developers"
release = poverty_core.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "poverty_core.sphinxext",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
# The right-hand contents list the API page's task sections, not every object.
toc_object_entries = False
autodoc_default_options = {"members": True, "show-inheritance": False}
nitpicky = True
# The build runs offline (no intersphinx): references to the standard library and to
# third-party types cannot resolve, and are not errors.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|npt|np|attrs|pluggy|cattrs|pytest|_pytest)(\..*)?"),
    (r"py:.*", r"(pyarrow|pa|dask|distributed)(\..*)?"),
    (r"py:.*", r"(datetime|dt|collections|typing|importlib|pathlib|os|enum|argparse|io|abc)\..*"),
    (r"py:.*", r"(str|int|float|bool|bytes|dict|list|tuple|set|frozenset|object|type|None)"),
    (r"py:.*", r"(Any|Self|TextIO|IO|NoReturn|Iterator|Iterable|Mapping|Sequence|Callable)"),
    (r"py:.*", r"(Traversable|Path|Array|ValueError|KeyError|LookupError|Exception)"),
    (r"py:.*", r"(R|T|Language|RefKind|Subject|Rule|Check|Confidence|ParameterType)"),
    (r"py:.*", r"poverty_core\..*\._.*"),
    (r"py:.*", r"(_F|poverty_core\.convert\.R|poverty_core\.expressions\.(scope\.)?(One|Many|Namer))"),
    (r"py:.*", r"poverty_core\.expressions\.(scope\.)?(ParamSource|OneFn|Folded)"),
    (r"py:.*", r"(docutils|sphinx)(\..*)?"),
    (r"py:.*", r"(Starlette|starlette|uvicorn)(\..*)?"),
    # The API page is curated (public names only): docstrings that mention an internal
    # module, constant or helper are not broken links.
    (r"py:mod", r"poverty_core\..*"),
    (r"py:(func|meth|data|attr)", r"poverty_core\.[a-z_]+\.[a-z_][a-z0-9_]*"),
    (r"py:.*", r"(FORMATS|LAYOUTS|OnError|first_classes|string_id|assess|Pack\.with_periods)"),
]

# Options such as --set stay two hyphens (no typographic dashes or quotes).
smartquotes = False
html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["poverty.css"]
html_title = f"poverty_core {release}"
# Docstring examples are run by pytest --doctest-modules; the doctest builder runs the
# pages' own {doctest} blocks. There is no global setup: every block states its imports
# and runs alone (its own group), as pasted into a fresh interpreter.
doctest_test_doctest_blocks = ""


def _each_example_alone(app: object, doctree: nodes.document) -> None:
    """Give every {doctest} block without an explicit group a group of its own, so that
    no block leans on names an earlier block defined."""
    blocks = doctree.findall(lambda n: isinstance(n, nodes.Element) and "testnodetype" in n)
    for n, node in enumerate(blocks):
        if node.get("groups", ["default"]) == ["default"]:
            node["groups"] = [f"example-{n}"]


def setup(app: Sphinx) -> None:
    """Hooks of this site's build."""
    app.connect("doctree-read", _each_example_alone)
