"""The register-job page and the API reference, built with the site's configuration and
read back as HTML: the page shows the library call and its totals, the reference lists
the entry point and its result classes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


class Page(HTMLParser):
    """The ids and the text of a built page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("docs-src")
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_static", src / "_static")
    for name in ("register-job.md", "api.rst"):
        shutil.copy(DOCS / name, src / name)
    (src / "index.md").write_text("# Docs\n\n```{toctree}\nregister-job\napi\n```\n", "utf-8")
    out = tmp_path_factory.mktemp("docs-html")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    left_out = ("unknown document", "undefined label", "reference target not found")
    for line in done.stderr.splitlines():  # only references to pages not built here
        assert any(reason in line for reason in left_out), line
    return out


def test_the_api_reference_lists_the_job_and_its_results(built: Path) -> None:
    ids = read(built / "api.html").ids
    for name in (
        "poverty_core.jobs.assess_register",
        "poverty_core.jobs.Assessment",
        "poverty_core.jobs.Assessment.to_dict",
        "poverty_core.jobs.RowCounts",
        "poverty_core.jobs.Summary",
        "poverty_core.jobs.OutputPaths",
        "poverty_core.jobs.conclude",
        "poverty_core.sources.open_source",
        "poverty_core.dataframes.decide_frame",
        "poverty_core.dataframes.assess_frames",
        "poverty_core.scaleout.PartitionedRun.assessment",
    ):
        assert name in ids, name


def test_the_page_runs_the_job_on_the_sample(built: Path) -> None:
    page = read(built / "register-job.html")
    text = "".join(page.text)
    assert 'assess_register(sample="lianjiang"' in text.replace("'", '"')
    assert "{'not_eligible': 159, 'eligible': 586, 'undetermined': 0}" in text
    assert "SYNTHETIC" in text
    assert "decide_frame" in text
