"""A learner's progress: recorded by the self-checks, kept across kernels, never breaking a lesson; and the home
page that shows it (executed on a real kernel)."""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mesolab import progress
from mesolab.home import HOME_PAGE, lesson_selfchecks, main as course_map_main, progress_html
from mesolab.modules import modules
from mesolab.selfcheck import check

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
import mesolab.lessons.skin_layers  # noqa: E402,F401 - registers lesson 01's self-checks


@pytest.fixture
def progress_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home" / ".local" / "share" / "mesolab" / "progress.json"
    monkeypatch.setenv(progress.ENV_VAR, str(path))
    progress._told.clear()
    return path


def _saved(path: Path) -> dict:
    return json.loads(path.read_text())


def test_default_place_is_the_learners_home_not_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.progress_path() == tmp_path / ".local/share/mesolab/progress.json"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert progress.progress_path() == tmp_path / "data/mesolab/progress.json"


def test_self_checks_record_opened_tries_and_rights_without_the_answers(progress_file):
    assert check("01.tip_layer", ...).correct is None  # Run All with no answer yet: lesson opened, no try
    saved = _saved(progress_file)
    assert set(saved["lessons"]) == {"01"} and saved["checks"] == {}
    assert check("01.tip_layer", "a").correct is False
    assert check("01.tip_depth", 2.05).correct is True
    assert check("01.tip_layer", "zz").correct is False  # not a letter: a wrong try too
    saved = _saved(progress_file)
    assert saved["checks"]["01.tip_layer"] | {"last_at": None} == {"tries": 2, "right": 0, "last": "wrong",
                                                                    "last_at": None}
    assert saved["checks"]["01.tip_depth"]["last"] == "right"
    assert '"a"' not in progress_file.read_text() and "2.05" not in progress_file.read_text()
    assert oct(progress_file.parent.stat().st_mode & 0o777) == "0o700"
    loaded, message = progress.load()
    assert message is None and loaded.to_revisit() == ["01.tip_layer"]


def _record_many(path: str, exercise_id: str, n: int) -> None:
    os.environ[progress.ENV_VAR] = path
    for _ in range(n):
        assert progress.record_check(exercise_id, False) is None


def test_two_kernels_at_once_lose_no_record(progress_file):
    """Two lessons open in two kernels record into one file: the lock serialises them, the rename keeps the file
    whole for any reader."""
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_record_many, args=(str(progress_file), f"0{i}.x", 20)) for i in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    saved = _saved(progress_file)
    assert saved["checks"]["01.x"]["tries"] == 20 and saved["checks"]["02.x"]["tries"] == 20
    assert [p.name for p in progress_file.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("content", [b"{not json", b'{"format": 99}', b'{"format": 1, "checks": {"01.a": 3}}',
                                     b"\xff\xfe", b"[]"])
def test_an_unreadable_file_is_set_aside_with_a_message_and_the_lesson_goes_on(progress_file, content):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_bytes(content)
    feedback = check("01.tip_depth", 2.05)
    assert feedback.correct is True
    assert "could not be read" in feedback.notice and "set aside" in feedback.notice
    assert "could not be read" in feedback._repr_html_() and "could not be read" in repr(feedback)
    aside = [p for p in progress_file.parent.iterdir() if ".unreadable-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept for the learner, not deleted
    assert _saved(progress_file)["checks"]["01.tip_depth"]["tries"] == 1  # and recording goes on afresh
    assert check("01.tip_depth", 2.05).notice == ""  # said once


def test_a_home_that_cannot_be_written_costs_the_record_not_the_self_check(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(progress.ENV_VAR, str(blocker / "progress.json"))
    progress._told.clear()
    feedback = check("01.tip_depth", 1.0)
    assert feedback.correct is False and "could not be saved" in feedback.notice
    assert check("01.tip_depth", 1.0).notice == ""
    assert progress.load()[0].checks == {}


def test_start_over_forgets_and_keeps_one_previous_copy(progress_file):
    assert progress.start_over() is None  # nothing yet
    check("01.tip_layer", "a")
    previous = progress.start_over()
    assert previous.name == "progress.json.previous" and "01.tip_layer" in previous.read_text()
    assert progress.load()[0].checks == {}


def test_home_page_lists_wrong_answers_with_the_section_to_reread(progress_file):
    check("01.tip_layer", "a")
    check("01.tip_layer", "b")  # still wrong
    check("01.tip_depth", 2.05)
    check("01.invasive", "a")
    check("01.invasive", "b")  # right at last: nothing to revisit
    page = progress_html(NOTEBOOKS)
    revisit = page.split('class="mesolab-revisit"')[1].split("</ul>")[0]
    assert "3. How deep does the needle go?" in revisit and "lie in a woman&#x27;s forehead?" in revisit
    assert 'href="01_skin_layers.ipynb#3.-How-deep-does-the-needle-go?"' in revisit
    assert "Misconceptions" not in revisit and "01.invasive" not in revisit
    lesson01 = next(row for row in page.split("<tr>") if "01_skin_layers.ipynb" in row)
    n = len(lesson_selfchecks(NOTEBOOKS / "01_skin_layers.ipynb"))
    assert f"<td>3 of {n}</td><td>2 of {n}</td>" in lesson01 and "opened 20" in lesson01
    lesson02 = next(row for row in page.split("<tr>") if "02_acne_assessment.ipynb" in row)
    assert "not yet" in lesson02
    assert str(progress_file) in page


def test_every_lesson_self_check_is_found_with_its_question_and_section():
    for module in modules():
        checks = lesson_selfchecks(ROOT / module.lesson)
        assert checks, f"{module.lesson}: no self-check found"
        for found in checks:
            assert found.id.startswith(f"{module.number}."), found
            assert found.question and found.section, found


def test_home_page_course_map_and_readme_table_are_current():
    assert course_map_main(["--root", str(ROOT), "--check"]) == 0, "run `make course-map`"


def test_home_page_runs_and_shows_the_course_and_the_progress(progress_file, tmp_path):
    check("01.tip_layer", "a")
    notebook = nbformat.read(NOTEBOOKS / HOME_PAGE, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    widget = next(o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
    assert widget
    state = json.dumps(notebook.metadata.get("widgets", {}))
    assert "mesolab-progress-panel" in state
    assert "To revisit" in state and "3. How deep does the needle go?" in state  # the kernel read the same file
    text = "".join(cell.source for cell in notebook.cells)
    for module in modules():
        assert f"]({Path(module.lesson).name})" in text and module.title in text
    assert "not medical advice" in text and "Local law" in text
