"""Every assignment: the source scores full marks, the blank release scores zero, the committed
release is what nbgrader generates from source/, and no answer leaks into release/ or the package."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator

from course import ASSIGNMENTS, REPO, Assignment, autograded_scores

pytestmark = pytest.mark.pipeline
_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END \1", re.S)


@pytest.fixture(params=ASSIGNMENTS)
def graded_course(request, graded_courses):
    graded = graded_courses(request.param)
    return graded.assignment, graded.course


def test_source_scores_full_autograded_marks(graded_course):
    assignment, course = graded_course
    assert autograded_scores(course, assignment.name)["correct"] == assignment.auto_points


def test_blank_release_scores_zero_without_crashing(graded_course):
    assignment, course = graded_course
    assert autograded_scores(course, assignment.name)["blank"] == 0


def test_committed_release_is_what_nbgrader_generates(graded_course):
    assignment, course = graded_course
    generated = sorted(p.relative_to(course / "release") for p in (course / "release").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(REPO / "release") for p in (REPO / "release" / assignment.name).rglob("*")
                       if p.is_file())
    assert generated == committed, "run `make release` and commit release/"
    for relative in generated:
        assert (course / "release" / relative).read_bytes() == (REPO / "release" / relative).read_bytes(), (
            f"release/{relative} is out of date: run `make release` and commit it")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_has_enough_questions_and_valid_metadata(name):
    assignment = Assignment.load(name)
    assert len(assignment.test_cells) >= 6, "at least 6 autograded questions"
    manual = [c for c in assignment.cells(grade=True, solution=True)]
    assert manual, "at least one manually graded answer"
    for cell in assignment.source.cells:
        metadata = cell.metadata.get("nbgrader")
        if metadata:
            assert metadata["schema_version"] == 3
    assert assignment.source.metadata["kernelspec"]["language"] == "python"
    first = assignment.source.cells[0].source
    assert "not medical advice" in first and "Local law" in first and "qualification" in first


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_test_cells_reimport_what_they_use_and_compare_strict_values(name):
    """Hidden tests never call a helper the trainee could have rebound in an earlier cell."""
    for cell in Assignment.load(name).test_cells:
        calls = set(re.findall(r"\b(read_number|read_choice|read_choices|read_order)\(", cell.source))
        for helper in calls:
            assert re.search(rf"^from mesolab\.grading\.answers import .*\b{helper}\b", cell.source, re.M), (
                f"{cell.metadata['nbgrader']['grade_id']}: re-import {helper} inside the test cell")
        assert "isinstance" not in cell.source and "==" not in cell.source.replace(") ==", ""), (
            "compare the values the strict readers return, not the trainee's object")


#: Modules 04-05: graded items whose key changed with a clinical correction (issue 16), as
#: (assignment, test cell, answers under the old key, answers under the new key).
_CHANGED_KEYS_04_05 = [
    # Herpes prophylaxis depends on the site and the history: one cold sore long ago, cheeks only -> none routinely.
    ("05_risk_screening", "q3_check", {"q3_outcome": "b", "q3_step": "c"}, {"q3_outcome": "b", "q3_step": "d"}),
]


@pytest.mark.parametrize("name, grade_id, old, new", _CHANGED_KEYS_04_05, ids=lambda v: v if isinstance(v, str) else "")
def test_a_corrected_key_scores_the_old_answer_zero_and_the_new_one_full(name, grade_id, old, new):
    """The instructor's test cell, hidden tests included, run as nbgrader runs it: an error scores 0, none full."""
    cell = next(c for c in Assignment.load(name).test_cells if c.metadata["nbgrader"]["grade_id"] == grade_id)

    def scores_full(answers: dict[str, object]) -> bool:
        try:
            exec(compile(cell.source, grade_id, "exec"), dict(answers))
        except AssertionError:
            return False
        return True

    assert not scores_full(old), f"{name} {grade_id}: the old key still scores"
    assert scores_full(new), f"{name} {grade_id}: the new key does not score"


def _secret_lines(name: str) -> set[str]:
    source = (REPO / "source" / name).glob("*.ipynb")
    lines = set()
    for path in source:
        for cell in nbformat.read(path, as_version=4).cells:
            for match in _REGION.finditer(cell.source):
                lines |= {line.strip() for line in match.group(2).splitlines() if len(line.strip()) >= 12}
    return lines


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_solution_or_hidden_test_reaches_release_or_package(name):
    secrets = _secret_lines(name)
    assert secrets
    import mesolab

    package = Path(mesolab.__file__).parent
    shipped = [*(REPO / "release").rglob("*"), *package.rglob("*.py"), *package.rglob("*.yaml")]
    for path in shipped:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
            leaked = [line for line in secrets if line in text]
            assert not leaked, f"{path} contains lines of the solution or hidden tests: {leaked[:3]}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_passes_nbgrader_validation_only_when_answered(name, tmp_path):
    """The trainee's own check (nbgrader validate) flags a blank notebook."""
    path = REPO / "release" / name / Assignment.load(name).notebook
    result = Validator().validate(str(path))
    assert result.get("failed") or result.get("errored") or result.get("changed") is not None, json.dumps(result)[:500]
