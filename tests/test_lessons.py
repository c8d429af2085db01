"""Every lesson executes top to bottom on a real kernel without errors, and has the episode shape."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course import LESSONS
from mesolab.knowledge import knowledge
from mesolab.lessons import CITATION, EPISODE_HEADINGS


def _markdown(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module", params=LESSONS, ids=lambda p: p.stem)
def executed(request, tmp_path_factory) -> tuple[Path, nbformat.NotebookNode]:
    path: Path = request.param
    notebook = nbformat.read(path, as_version=4)
    workdir = tmp_path_factory.mktemp(path.stem)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return path, notebook


def test_lesson_runs_without_error_output(executed):
    path, notebook = executed
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name} cell {index}: {output.get('ename')}: {output.get('evalue')}"
            if output["output_type"] == "stream":
                assert output["name"] != "stderr" or not output["text"].strip(), f"{path.name} cell {index}: {output['text'][:300]}"


def test_lesson_shows_its_figures_with_text_alternatives(executed):
    _, notebook = executed
    outputs = [o for c in notebook.cells for o in c.get("outputs", []) if "data" in o]
    images = [o for o in outputs if "image/png" in o["data"]]
    # Figures drawn in HTML (grids, bars): a <figure> with a spoken summary and a caption.
    html_figures = [o for o in outputs if 'class="mesolab-figure mesolab-html-figure"' in o["data"].get("text/html", "")]
    assert images or html_figures, "a lesson teaches with figures"
    for output in images:
        assert 'alt="' in output["data"].get("text/html", ""), "every figure has a text alternative"
    for output in html_figures:
        markup = output["data"]["text/html"]
        assert re.search(r'aria-label="[^"]{20,}"', markup) and "<figcaption>" in markup, \
            "every HTML figure says what it shows in words and has a caption"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_episode_shape(path):
    notebook = nbformat.read(path, as_version=4)
    text = _markdown(notebook)
    headings = re.findall(r"^##\s+(.+?)\s*$", text, re.M)
    positions = [next((i for i, h in enumerate(headings) if h.startswith(name)), None) for name in EPISODE_HEADINGS]
    assert None not in positions, f"missing headings: {[n for n, p in zip(EPISODE_HEADINGS, positions) if p is None]}"
    assert positions == sorted(positions), "episode headings out of order"
    first = notebook.cells[0].source
    assert re.search(r"\*\*Teaching:\*\* \d+ min", first) and re.search(r"\*\*Exercises:\*\* \d+ min", first)
    assert "not medical advice" in text and "Local law" in text and "qualification" in text


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_citation_resolves_and_is_listed_in_the_references(path):
    notebook = nbformat.read(path, as_version=4)
    cited = set(CITATION.findall(_markdown(notebook))) - {"x"}
    assert cited
    known = {source.id for source in knowledge().bibliography.sources}
    assert cited <= known, f"unknown sources: {cited - known}"
    references = next(c.source for c in notebook.cells if c.cell_type == "code" and "references(" in c.source)
    listed = set(re.findall(r'"([^"]+)"', references))
    assert cited <= listed, f"cited but not in the reference list: {cited - listed}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lessons_import_logic_rather_than_define_it(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class)\s", cell.source, re.M), "move logic into the mesolab package"
            assert not cell.get("outputs"), "commit lessons without outputs"


def test_lesson_01_corrects_the_seed_errors_and_teaches_the_depth_disagreement():
    text = _markdown(nbformat.read(next(p for p in LESSONS if p.stem == "01_skin_layers"), as_version=4))
    assert "minimally invasive" in text and "non-invasive" in text
    assert "embryonic germ layer" in text
    assert "2–4 mm" in text and "0.6–1.2 mm" in text and "disagreement" in text
