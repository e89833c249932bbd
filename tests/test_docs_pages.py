"""The documentation as a reader meets it.

* The pack pages are built with the site's own configuration and read back as HTML:
  every installed pack's page has a real table for each kind of rule the pack ships, its
  pictures, and no raw markup (``-W`` cannot see a page that renders markup as text).
* Every example on the user pages runs as pasted into a fresh interpreter: each
  ``{doctest}`` and Python block imports or defines every name it uses (the docs'
  doctest build runs each ``{doctest}`` block in a namespace of its own), and each
  ``poverty-core`` command on the bundled sample exits 0.
* Every ``pip install`` works from a checkout (paths that exist, nothing from an index
  the project is not published on).
"""

from __future__ import annotations

import ast
import builtins
import doctest
import io
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import poverty_core as pc
from poverty_core.cli import EXIT_OK, main
from poverty_core.plugins import default_registry

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
USER_PAGES = sorted(
    p for p in [*DOCS.glob("*.md"), *DOCS.glob("packs/*.md")] if p.name != "changelog.md"
)
FENCE = re.compile(r"^(`{3,})([^\n`]*)\n(.*?)^\1\s*$", re.S | re.M)

# -- the pack pages, built ----------------------------------------------------------------

KIND_SECTIONS = {
    "decisions": "决策与判定标准",
    "classifiers": "分类器",
    "entitlements": "补助",
    "indicators": "指标",
    "checklists": "核查清单",
    "procedures": "程序",
    "taxonomies": "分类表",
    "references": "参考数据",
    "parameters": "参数",
}


class Html(HTMLParser):
    """The visible text of a page (not code, scripts, styles or pictures), its level-2
    sections with their number of tables and pictures, and its number of pictures (SVG
    figures drawn from the packs; the theme's icons are not counted)."""

    SKIP = frozenset({"pre", "script", "style", "svg", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.text: list[str] = []
        self.sections: list[list[object]] = []  # [h2 text, tables, pictures]
        self.in_h2 = False
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        if tag == "figure" and "poverty-picture" in (dict(attrs).get("class") or ""):
            self.svgs += 1
            if self.sections:
                self.sections[-1][2] = int(str(self.sections[-1][2])) + 1
        if tag == "h2":
            self.in_h2 = True
            self.sections.append(["", 0, 0])
        if tag == "table" and self.sections:
            self.sections[-1][1] = int(str(self.sections[-1][1])) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping -= 1
        if tag == "h2":
            self.in_h2 = False

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.sections[-1][0] = str(self.sections[-1][0]) + data
        if not self.skipping:
            self.text.append(data)


def read_html(path: Path) -> Html:
    page = Html()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="module")
def built_pack_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack pages and the concepts page built with the site's configuration."""
    src = tmp_path_factory.mktemp("docs-src")
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_static", src / "_static")
    (src / "packs").mkdir()
    pages = []
    for name in default_registry().names():
        page = DOCS / "packs" / f"{name}.md"
        if page.exists():
            shutil.copy(page, src / "packs" / page.name)
        else:  # a pack installed here that the site does not ship: its page for free
            (src / "packs" / f"{name}.md").write_text(
                f"# {name}\n\n```{{poverty-pack}} {name}\n```\n", "utf-8"
            )
        pages.append(f"packs/{name}")
    shutil.copy(DOCS / "concepts.md", src / "concepts.md")
    toctree = "\n".join(["concepts", *pages])
    (src / "index.md").write_text(f"# Packs\n\n```{{toctree}}\n{toctree}\n```\n", "utf-8")
    out = tmp_path_factory.mktemp("docs-html")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # Only cross-references to pages left out of this small build (the API reference …)
    # may warn.
    left_out = ("unknown document", "undefined label", "reference target not found")
    for line in done.stderr.splitlines():
        assert any(reason in line for reason in left_out), line
    return out


def test_every_shipped_pack_has_a_page() -> None:
    for name in ("national", "fujian", "gansu_tianshui", "zhangzhou", "lianjiang_example"):
        assert name in default_registry().names()
        assert f"{{poverty-pack}} {name}" in (DOCS / "packs" / f"{name}.md").read_text("utf-8")


@pytest.mark.parametrize("name", default_registry().names())
def test_a_pack_page_has_tables_pictures_and_no_raw_markup(
    built_pack_pages: Path, name: str
) -> None:
    pack = pc.load_pack(name)
    page = read_html(built_pack_pages / "packs" / f"{name}.html")
    text = "".join(page.text)
    for raw in ("list-table::", ":header-rows:", "**", "`", ".. raw::", "\\_"):
        assert raw not in text, f"{name}: raw markup {raw!r} on the page"
    sections = {str(title): (int(str(t)), int(str(p))) for title, t, p in page.sections}
    for kind, title in KIND_SECTIONS.items():
        items = getattr(pack, kind)
        heading = next((s for s in sections if s.startswith(title + " ")), None)
        if kind == "decisions":
            items = {k: d for k, d in items.items() if d.kind == "decision"}
        if not items:
            assert heading is None, (name, kind)
            continue
        assert heading is not None, f"{name}: no section for its {kind}"
        tables, pictures = sections[heading]
        assert tables >= (len(items) if kind == "decisions" else 1), (name, kind, tables)
        if kind == "decisions":  # each decision drawn as a tree of its criteria
            assert pictures == len(items), (name, pictures)
    # The inheritance path, and the roll-up where the pack decides all three levels.
    full = {"household_exit", "village_exit", "county_exit"} <= set(pack.decisions)
    decisions = sum(1 for d in pack.decisions.values() if d.kind == "decision")
    assert page.svgs == decisions + 1 + full
    # Chinese first: the rule tables lead with the Chinese columns, English last.
    html = (built_pack_pages / "packs" / f"{name}.html").read_text("utf-8")
    heads = re.findall(r"<thead>.*?</thead>", html, re.S)
    assert heads
    for head in heads:
        cells = re.findall(r"<th[^>]*>\s*<p>(.*?)</p>", head, re.S)
        if "English" in cells:
            assert cells[-1] == "English"
            assert re.search(r"[\u4e00-\u9fff]", cells[0])


def test_a_threshold_is_shown_with_its_period(built_pack_pages: Path) -> None:
    text = "".join(read_html(built_pack_pages / "packs" / "national.html").text)
    # The poverty line over household exit's period: the one value, then the gap.
    assert "2016-04-29 – 2016-12-31：2952 元/人/年" in text
    assert "2017-01-01 – 2020-12-31：无取值：须由调用方提供（--set poverty_line=值）" in text
    assert "生效期：2016-04-29 – 2020-12-31（来源 zbf-2016-16）" in text


def test_the_concepts_page_shows_the_pictures(built_pack_pages: Path) -> None:
    page = read_html(built_pack_pages / "concepts.html")
    assert page.svgs >= 3  # the packs' tree, the roll-up, a decision


def test_underlines_follow_display_width() -> None:
    from poverty_core.sphinxext import heading

    assert heading("分类器 · Classifiers", "=")[2] == "=" * 20


# -- every example runs as pasted ---------------------------------------------------------


def blocks(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for page in USER_PAGES:
        text = page.read_text("utf-8")
        for match in FENCE.finditer(text):
            info = match.group(2).strip()
            if info.split(" ")[0] in kinds:
                line = text[: match.start()].count("\n") + 1
                out.append((f"{page.relative_to(DOCS)}:{line}", match.group(3)))
    return out


def test_there_are_examples() -> None:
    assert len(blocks(("{doctest}",))) >= 15


@pytest.mark.parametrize(
    ("where", "body"), [pytest.param(w, b, id=w) for w, b in blocks(("{doctest}",))]
)
def test_each_doctest_block_stands_alone(where: str, body: str) -> None:
    """Each block imports or defines every name it uses: none leans on an earlier block
    or on a global setup. (The docs build runs every block, each in a namespace of its
    own — ``sphinx-build -b doctest``, see ``conf.py``.)"""
    examples = doctest.DocTestParser().get_examples(body)
    source = "".join(e.source for e in examples)
    assert not undefined_names(source), f"{where}: {undefined_names(source)}"


def undefined_names(source: str) -> set[str]:
    """Names a module reads that it neither binds nor gets from builtins."""
    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    loaded = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return loaded - bound


@pytest.mark.parametrize(
    ("where", "body"), [pytest.param(w, b, id=w) for w, b in blocks(("python",))]
)
def test_each_python_block_imports_what_it_uses(where: str, body: str) -> None:
    assert not undefined_names(body), f"{where}: {undefined_names(body)}"


def command_lines() -> list[tuple[str, list[str]]]:
    out = []
    for where, body in blocks(("bash", "console", "shell")):
        for line in body.splitlines():
            line = line.removeprefix("$ ").split("  #")[0].strip()
            if line.startswith("poverty-core "):
                out.append((where, shlex.split(line)[1:]))
    return out


RUNNABLE = [
    (w, a) for w, a in command_lines() if "--sample" in a or a[0] in ("packs", "schema", "show")
]


def test_there_are_runnable_commands() -> None:
    assert len(RUNNABLE) >= 5


@pytest.mark.parametrize(
    ("where", "argv"), [pytest.param(w, a, id=f"{w} {' '.join(a)}") for w, a in RUNNABLE]
)
def test_each_sample_command_runs(
    where: str, argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # outputs such as report.html land here
    assert main(argv, stdout=io.StringIO()) == EXIT_OK, f"{where}: poverty-core {' '.join(argv)}"


def test_install_commands_work_from_a_checkout() -> None:
    seen = 0
    for where, body in blocks(("bash", "console", "shell")):
        for line in body.splitlines():
            line = line.removeprefix("$ ").split("  #")[0]
            words = shlex.split(line)
            if "install" not in words or "pip" not in " ".join(words[:4]):
                continue
            seen += 1
            targets = [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]
            for target in targets:
                if target in ("tox", "pytest", "-e"):
                    continue
                path = target.split("[")[0]
                assert path.startswith((".", "/")), f"{where}: {target} is not a checkout path"
                assert (ROOT / path).exists(), f"{where}: {target} does not exist"
    assert seen >= 3
