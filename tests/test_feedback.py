"""``mesolab feedback``: nbgrader's feedback pages plus a plain-words summary per trainee.

A small synthetic cohort (built in test_report.py, shared through conftest) is graded by ``mesolab grade``; the command
runs the real ``nbgrader generate_feedback``. Each summary must name the failed questions with the reason a
trainee can act on, and neither it nor nbgrader's page may show any line of a hidden test.
"""
from __future__ import annotations

import html
import re

import pytest

from mesolab.instructor import feedback as fb
from cohort import COHORT, MANUAL

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def generated(report_cohort):
    import contextlib
    import io

    from mesolab.instructor.cli import main

    assignment, course = report_cohort
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--course", str(course), "feedback", assignment.name]) == 0
    summaries = {s: (course / "feedback" / s / assignment.name / "summary.html").read_text(encoding="utf-8")
                 for s in COHORT}
    return out.getvalue(), summaries


def _row(page: str, label: str) -> str:
    """The plain text of the summary's table row for question ``label``."""
    for row in re.findall(r"<tr class=.*?</tr>", page, re.S):
        text = html.unescape(re.sub(r"<[^>]+>", " ", row))
        if re.search(rf"\b{label}\b", text):
            return " ".join(text.split())
    raise AssertionError(f"no row for {label}")


def test_overview_has_one_line_per_trainee(generated):
    overview, _ = generated
    lines = [line for line in overview.splitlines() if line.strip()]
    assert len(lines) == len(COHORT)
    s01 = next(line for line in lines if line.startswith("s01_strong"))
    assert "12 / 14" in s01 and "to revisit: Q3" in s01 and "summary.html" in s01
    assert "not graded yet: Q8" in next(line for line in lines if line.startswith("s02_strong"))


def test_summary_names_failed_questions_and_why(generated):
    _, pages = generated
    # An assertion message of a hidden test, written for the trainee:
    assert "measuring method changes the numbers" in _row(pages["s03_strong"], "Q6")
    assert "junction lies at epidermis + dermis" in _row(pages["s01_strong"], "Q3")
    # A type problem, from mesolab.grading.answers:
    assert "must be a number in degrees (remove the quotes)" in _row(pages["s06_weak"], "Q1")
    # Translations of errors in the answer cell:
    assert fb.TOO_LONG in _row(pages["s10_loop"], "Q1")
    assert "syntax error" in _row(pages["s08_weak"], "Q4")
    assert fb.NO_ANSWER in _row(pages["s09_blank"], "Q2")
    # Passed checks and manual grading:
    assert "full marks" in _row(pages["s01_strong"], "Q1")
    assert "not graded yet" in _row(pages["s02_strong"], "Q8")
    assert f"{MANUAL['s06_weak']:g} / 3" in _row(pages["s06_weak"], "Q8")
    assert "Questions to revisit: Q3." in pages["s01_strong"]


def test_no_hidden_test_line_in_summaries_or_nbgrader_pages(report_cohort, generated):
    assignment, course = report_cohort
    _, pages = generated
    hidden = fb.hidden_lines(course / "source" / assignment.name)
    assert len(hidden) >= 7  # at least one hidden assert per autograded question
    for student, summary in pages.items():
        feedback = (course / "feedback" / student / assignment.name / assignment.notebook.replace(".ipynb", ".html")
                    ).read_text(encoding="utf-8")
        for name, page in (("summary", summary), ("nbgrader feedback", feedback)):
            text = html.unescape(page)
            assert "HIDDEN TESTS" not in text, (student, name)
            shown = [line for line in hidden if line in text and not line.startswith(("from ", "import "))]
            assert not shown, f"{student}: {name} shows hidden test code {shown[:2]}"


def test_explain_never_quotes_hidden_code():
    hidden = ['assert read_choice("q2_layer", "abcd") == "c", "msg"']
    assert fb.explain("AssertionError", 'x assert read_choice("q2_layer", "abcd") == "c", "msg"', False, hidden) \
        == "this check did not pass."
    assert fb.explain("AssertionError", "", False, hidden) == fb.NOT_RIGHT
    assert fb.explain("NameError", "name '_secret' is not defined", False, hidden) == fb.NO_ANSWER
    assert fb.explain("ZeroDivisionError", "division by zero", False, hidden).startswith("the check stopped")
    assert fb.explain("DeadKernelError", "", True, hidden) == fb.KERNEL_DIED


def test_student_glob_limits_the_summaries(report_cohort, capsys):
    from mesolab.instructor.cli import main

    assignment, course = report_cohort
    assert main(["--course", str(course), "feedback", assignment.name, "--student", "s0[12]*"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == ["s01_strong", "s02_strong"]
