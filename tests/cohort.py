"""The report and feedback tests' cohort: ten trainees of 01_skin_layers, graded by ``mesolab grade`` (real
nbgrader underneath) in a temporary course, two free-text answers graded by hand. conftest's ``report_cohort``
builds it once per session; neither the report nor the feedback tests change its gradebook.
"""
from __future__ import annotations

import re
from pathlib import Path

from course import Assignment, answer_options, correct_values, grade_with_mesolab, make_course, submit, wrong_value

COHORT_ASSIGNMENT = "01_skin_layers"
#: Per-cell time limit in the cohort course: the endless loop costs this much.
CELL_TIMEOUT_S = 6
#: trainee -> (questions answered wrongly, answer-cell code replacing the default wrong value).
#: Strong trainees get question 3 wrong and weak ones get it right: Q3 discriminates negatively on purpose.
#: The most frequent wrong answer to question 2 is "b".
COHORT: dict[str, tuple[set[int], dict[int, str]]] = {
    "s01_strong": ({3}, {}),
    "s02_strong": ({3}, {}),
    "s03_strong": ({3, 6}, {}),
    "s04_strong": ({2, 3}, {2: 'q2_layer = "b"'}),
    "s05_mid": ({2, 5, 7}, {2: 'q2_layer = "b"'}),
    "s06_weak": ({1, 2, 4, 5, 6, 7}, {1: 'q1_angle_deg = "7.2"', 2: 'q2_layer = "B "'}),
    "s07_weak": ({1, 2, 4, 5, 7}, {2: 'q2_layer = "d"'}),
    "s08_weak": ({1, 2, 4, 5, 6, 7}, {2: 'q2_layer = "b"', 4: "q4_below_junction_mm = = 1"}),
    "s09_blank": (set(range(1, 8)), {}),  # the released notebook, untouched
    "s10_loop": ({1, 3}, {1: "while True:\n    pass"}),
}
#: Every trainee but the blank one writes this free-text answer (q8, graded by the instructor).
FREE_TEXT = "Facial dermis is about 1 mm thick by ultrasound, so 2-4 mm is below it, in the fat."
#: Manual grades given to the free-text question (q8_answer, 3 points); the others stay ungraded.
MANUAL = {"s01_strong": 3.0, "s06_weak": 1.0}


def expected_item_scores(assignment: Assignment) -> dict[str, dict[str, float]]:
    """trainee -> {test cell grade_id: points} for the autograded items of the cohort."""
    points = {int(re.match(r"q(\d+)_", c.metadata["nbgrader"]["grade_id"]).group(1)):
              (c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"]["points"]))
              for c in assignment.test_cells}
    return {student: {grade_id: (0.0 if q in wrong else pts) for q, (grade_id, pts) in points.items()}
            for student, (wrong, _) in COHORT.items()}


def build_cohort(root: Path) -> tuple[Assignment, Path]:
    """Release 01_skin_layers, submit the cohort, grade it with ``mesolab grade``, give two manual grades."""
    from nbgrader.api import Gradebook

    assignment = Assignment.load(COHORT_ASSIGNMENT)
    course = make_course(root, assignment.name)
    right = correct_values(assignment)
    options = answer_options(assignment)
    for student, (wrong, overrides) in COHORT.items():
        if "blank" in student:
            submit(course, assignment, student, assignment.release_notebook(course))
            continue
        answers = {}
        for cell in assignment.answer_cells:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            number = int(re.match(r"q(\d+)_", grade_id).group(1))
            if number in overrides:
                answers[grade_id] = overrides[number]
                continue
            names = assignment.answer_names(cell)
            values = {n: (wrong_value(right[n], options.get(n)) if number in wrong else right[n]) for n in names}
            answers[grade_id] = "\n".join(f"{n} = {v!r}" for n, v in values.items())
        answers["q8_answer"] = FREE_TEXT
        submit(course, assignment, student, assignment.submission(course, answers))
    grade_with_mesolab(course, assignment.name, cell_timeout=CELL_TIMEOUT_S)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="mesolab") as book:
        notebook = assignment.notebook.replace(".ipynb", "")
        for student, score in MANUAL.items():
            grade = book.find_grade("q8_answer", notebook, assignment.name, student)
            grade.manual_score = score
            grade.needs_manual_grade = False
        book.db.commit()
    return assignment, course
