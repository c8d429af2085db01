"""The real nbgrader pipeline on honest, wrong and hostile submissions, for every assignment.

generate_assignment -> autograde (one batch) -> generate_feedback -> export, in a temporary course.
Each hostile submission must get its honest score and must not stop the grading of the others.
"""
from __future__ import annotations

import pytest

from course import ASSIGNMENTS, Assignment, autograded_scores, exported_scores, nbgrader

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(600)]


@pytest.fixture(params=ASSIGNMENTS)
def pipeline(request, graded_courses):
    graded = graded_courses(request.param)
    return graded.assignment, graded.course, graded.expected


def test_course_config_limits_each_cell_and_restores_deleted_tests(repo):
    """The pipeline tests shorten the cell time limit to save time; the course's own settings are these."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(repo)).load_config()
    assert config.Execute.timeout == 30
    assert config.OverwriteCells.add_missing_cells is True
    assert config.CourseDirectory.root == str(repo)
    assert config.CourseDirectory.db_url == f"sqlite:///{repo / 'gradebook.db'}"
    from mesolab.grading.isolated import IsolatedExecute

    assert config.Autograde.autograde_preprocessors[0] is IsolatedExecute  # tests never run in the trainee's kernel


def test_hostile_kernels_get_a_clear_message_and_a_bounded_notebook(graded_courses):
    """The extended hostile kinds (run on the first assignment): the stopped cell says why, output is capped."""
    graded = graded_courses(ASSIGNMENTS[0])
    course, assignment = graded.course, graded.assignment
    for student in ("ignores_interrupts", "kernel_exits"):
        html = (course / "feedback" / student / assignment.name / assignment.notebook.replace(".ipynb", ".html")
                ).read_text(encoding="utf-8")
        assert "this cell was stopped" in html or "the kernel stopped while this cell ran" in html, student
    flooded = course / "autograded" / "huge_output" / assignment.name / assignment.notebook
    assert flooded.stat().st_size < 1_000_000, "a flood of output is cut, not stored"
    assert "[output cut:" in flooded.read_text(encoding="utf-8")


def test_every_submission_gets_its_honest_score(pipeline):
    assignment, course, expected = pipeline
    assert autograded_scores(course, assignment.name) == expected


def test_feedback_explains_without_showing_hidden_tests(pipeline):
    assignment, course, expected = pipeline
    hidden = _hidden_lines(assignment)
    for student in expected:
        html = (course / "feedback" / student / assignment.name / assignment.notebook.replace(".ipynb", ".html")
                ).read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in html
        shown = [line for line in hidden if line in html]
        assert not shown, f"{student}: feedback shows hidden test code {shown[:2]}"
    wrong = (course / "feedback" / "wrong" / assignment.name / assignment.notebook.replace(".ipynb", ".html")
             ).read_text(encoding="utf-8")
    assert "AssertionError" in wrong and "q1" in wrong


def test_export_lists_every_student_with_the_gradebook_score(pipeline):
    assignment, course, expected = pipeline
    rows = exported_scores(course)
    for student, score in expected.items():
        row = rows[(assignment.name, student)]
        assert float(row["raw_score"]) == score, (student, row)
        assert float(row["max_score"]) > assignment.auto_points  # manual points count in the maximum


def test_regrading_with_force_gives_the_same_scores(pipeline):
    assignment, course, expected = pipeline
    nbgrader(course, "autograde", assignment.name, "--force", "--student", "correct")
    assert autograded_scores(course, assignment.name)["correct"] == expected["correct"]


def _hidden_lines(assignment: Assignment) -> list[str]:
    import html as html_module
    import re

    lines = []
    for cell in assignment.test_cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.S):
            lines += [html_module.escape(line.strip(), quote=False) for line in block.splitlines()
                      if len(line.strip()) > 12 and "import" not in line]
    return lines
