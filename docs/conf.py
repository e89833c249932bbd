"""Sphinx configuration for the poverty_core documentation."""

from __future__ import annotations

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
    (r"py:.*", r"(_F|poverty_core\.convert\.R|poverty_core\.expressions\.(One|Many|Namer))"),
]

html_theme = "furo"
html_title = f"poverty_core {release}"
doctest_global_setup = """
import datetime as dt
import poverty_core as pc
"""
# Docstring examples are run by pytest --doctest-modules; the doctest builder runs the
# pages' own {doctest} blocks.
doctest_test_doctest_blocks = ""
