"""The one list of modules agrees with the lessons, the assignments and the README."""
import json
import re
from pathlib import Path

import pytest

from mesolab.modules import module, modules

ROOT = Path(__file__).resolve().parent.parent


def _first_markdown(path: Path) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return "".join(notebook["cells"][0]["source"])


def _bullets(markdown: str, heading: str) -> list[str]:
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- (.*)$", section, re.M)


@pytest.mark.parametrize("entry", modules(), ids=lambda entry: entry.name)
def test_each_module_has_its_lesson_and_assignment(entry):
    assert (ROOT / entry.lesson).is_file()
    if entry.assignment:
        assert (ROOT / "source" / entry.assignment / f"{entry.assignment}.ipynb").is_file()
        assert (ROOT / "release" / entry.assignment / f"{entry.assignment}.ipynb").is_file()


@pytest.mark.parametrize("entry", modules(), ids=lambda entry: entry.name)
def test_lesson_header_matches_the_module_list(entry):
    header = _first_markdown(ROOT / entry.lesson)
    assert header.splitlines()[0] == f"# {entry.number} — {entry.title}"
    assert f"**Teaching:** {entry.teaching_minutes} min · **Exercises:** {entry.exercise_minutes} min" in header
    assert _bullets(header, "Questions") == list(entry.questions)
    assert _bullets(header, "Objectives") == list(entry.objectives)


def test_every_lesson_and_assignment_is_listed():
    listed = {Path(entry.lesson).name for entry in modules()}
    assert {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")} - {"00_start_here.ipynb"} == listed
    assignments = {entry.assignment for entry in modules() if entry.assignment}
    assert {path.name for path in (ROOT / "source").iterdir() if path.is_dir()} == assignments


@pytest.mark.parametrize("entry", modules(), ids=lambda entry: entry.name)
def test_widgets_exist(entry):
    import mesolab.widgets
    for name in entry.widgets:
        assert hasattr(mesolab.widgets, name), name


def test_lookup_by_number_or_slug():
    assert module("03").slug == "injection_techniques"
    assert module("risk_screening").number == "05"
    with pytest.raises(ValueError, match="01_skin_layers"):
        module("99")
