"""The real nbgrader pipeline on honest, wrong and hostile submissions, for every assignment.

nbgrader generate_assignment -> mesolab grade (nbgrader's autograde underneath, sandboxed, one batch) ->
mesolab feedback (nbgrader's generate_feedback plus plain-words summaries) -> nbgrader export, in a temporary
course. Each hostile submission must get its honest score, a clear message, and must not stop the grading of the
others.
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
    from mesolab.instructor.sandbox import sandboxed

    # tests never run in the trainee's kernel, and that kernel runs in the sandbox on every grading path
    assert config.Autograde.autograde_preprocessors[0] is sandboxed(IsolatedExecute)


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


def test_every_lost_point_is_explained_in_plain_words(pipeline):
    """Each trainee's summary: one row per question, and every question to revisit says why, without test code."""
    assignment, course, expected = pipeline
    hidden = _hidden_lines(assignment)
    questions = len(assignment.test_cells) + len(assignment.cells(grade=True, solution=True))
    for student in expected:
        rows = summary_rows(course, assignment, student)
        assert len(rows) == questions, (student, rows)
        for label, status, why in rows:
            if status == "to-revisit":
                assert why and why != "full marks", (student, label)
                assert not any(line in why for line in hidden), (student, label, why)


def test_hostile_submissions_get_a_reason_a_trainee_can_act_on(graded_courses):
    from mesolab.instructor import feedback

    graded = graded_courses(ASSIGNMENTS[0])
    course, assignment = graded.course, graded.assignment
    first = {student: summary_rows(course, assignment, student)[0] for student in graded.expected}
    assert first["infinite_loop"][2] == feedback.TOO_LONG
    assert first["ignores_interrupts"][2] == feedback.TOO_LONG
    assert first["kernel_exits"][2] == feedback.KERNEL_DIED
    assert "syntax error" in first["syntax_error"][2]
    assert "RuntimeError: I give up" in first["raises"][2]
    assert first["blank"][2] == feedback.NO_ANSWER
    # An answer that is not plain data is named as such; redefined readers change nothing: the check's own message.
    assert "object (not a plain number, text or set" in first["fake_equality"][2], first["fake_equality"]
    assert first["redefined_helpers"][2] == first["wrong"][2] != feedback.NOT_RIGHT
    assert first["harmless_variants"][1] == "full-marks" and first["huge_output"][1] == "full-marks"


def summary_rows(course, assignment, student: str) -> list[tuple[str, str, str]]:
    """(question label, status class, why) of each row of a trainee's summary.html, in order."""
    import html as html_module
    import re

    page = (course / "feedback" / student / assignment.name / "summary.html").read_text(encoding="utf-8")
    rows = []
    for status, cells in re.findall(r"<tr class='([\w-]+)'>(.*?)</tr>", page, re.S):
        texts = [" ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        rows.append((texts[0].split()[-1], status, texts[-1]))
    return rows


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


#: The gradebook export and plain `nbgrader autograde --force` do not depend on an assignment's questions: checked on
#: the first assignment and on the capstone, whose hidden tests need the student id from the grader.
GENERIC_PATHS = [ASSIGNMENTS[0], "09_capstone"]


@pytest.mark.parametrize("pipeline", GENERIC_PATHS, indirect=True)
def test_export_lists_every_student_with_the_gradebook_score(pipeline):
    assignment, course, expected = pipeline
    rows = exported_scores(course)
    for student, score in expected.items():
        row = rows[(assignment.name, student)]
        assert float(row["raw_score"]) == score, (student, row)
        assert float(row["max_score"]) > assignment.auto_points  # manual points count in the maximum


@pytest.mark.parametrize("pipeline", GENERIC_PATHS, indirect=True)
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
