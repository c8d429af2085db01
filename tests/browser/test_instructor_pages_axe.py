"""The instructor's pages in Chromium, checked with axe-core: the feedback summary a trainee receives
(`mesolab feedback`) and the item-analysis report (`mesolab report`), generated from a graded cohort. Both pages
are wholly MesoLab's: no violation of any impact anywhere on them (moderate and minor included)."""
from __future__ import annotations

import contextlib
import io

import pytest

from lab import describe_violations, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.pipeline, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def instructor_pages(report_cohort, tmp_path_factory):
    from mesolab.instructor.cli import main

    assignment, course = report_cohort
    student = "s03_strong"  # a trainee with two questions to revisit
    report_dir = tmp_path_factory.mktemp("report")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--course", str(course), "report", assignment.name, "--output", str(report_dir)]) == 0
        assert main(["--course", str(course), "feedback", assignment.name, "--student", student]) == 0
    return {"summary": course / "feedback" / student / assignment.name / "summary.html",
            "report": report_dir / "report.html"}


@pytest.mark.parametrize("page_name", ["summary", "report"])
def test_instructor_page_has_no_accessibility_violation(page_name, instructor_pages, browser, axe_script,
                                                                 browser_output_dir):
    path = instructor_pages[page_name]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.screenshot(path=str(browser_output_dir / f"instructor-{page_name}.png"), full_page=True)
        violations = run_axe(page, axe_script)
    finally:
        context.close()
    (browser_output_dir / f"instructor-{page_name}-accessibility.txt").write_text(
        (describe_violations(violations) or "no violation") + "\n")
    failing = violations  # every impact: nothing on these pages is JupyterLab's
    assert not failing, f"{path.name}: accessibility violations:\n{describe_violations(failing)}"
