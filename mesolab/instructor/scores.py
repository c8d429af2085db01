"""Scores from nbgrader's gradebook: one row per trainee, one column per item; "not graded" is None, never 0."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .course import CourseError, course_root, gradebook, load_config, submitted_students
from .items import Item, source_items


def score(grade) -> float | None:
    """A gradebook grade's points, or None while it awaits a manual grade (never 0 for 'not graded').

    Manual score (or else the autograder's) plus extra credit, kept within 0 and the cell's maximum.
    """
    extra = grade.extra_credit or 0.0
    if grade.manual_score is not None:
        value = grade.manual_score + extra
    elif grade.needs_manual_grade or grade.auto_score is None:
        return None
    else:
        value = grade.auto_score + extra
    return max(0.0, min(float(value), float(grade.max_score)))


def is_blank(grade) -> bool:
    """A manually graded answer the trainee left as handed out: nbgrader's autograder gave it 0 and no person has
    graded it."""
    return (grade.manual_score is None and not grade.needs_manual_grade and grade.auto_score == 0
            and grade.cell.cell_type == "markdown")


@dataclass
class Scores:
    """An assignment's score matrix, as the gradebook holds it."""

    assignment: str
    items: list[Item]
    students: list[str]
    scores: list[list[float | None]]
    not_graded_yet: list[str]  # submitted but not in the gradebook
    #: (notebook, grade_id) -> trainees who left a free-text answer as handed out (nbgrader scored it 0)
    blank: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def column(self, item: Item) -> list[float | None]:
        j = self.items.index(item)
        return [row[j] for row in self.scores]


def read_scores(course: Path, assignment: str) -> Scores:
    """The items of the source notebooks (and any other grade cell the gradebook holds), and every trainee's
    score on each."""
    from nbgrader.api import MissingEntry

    config = load_config(course)
    root = course_root(config)
    submitted = submitted_students(config, assignment)  # also checks that the assignment exists
    items = source_items(root, assignment)
    with gradebook(config) as book:
        try:
            book.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"the gradebook has no grades for {assignment}: run nbgrader autograde first") from None
        rows: dict[str, dict[tuple[str, str], float | None]] = {}
        blank: dict[tuple[str, str], set[str]] = {}
        for submission in book.assignment_submissions(assignment):
            row = rows.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row[(notebook.notebook.name, grade.name)] = score(grade)
                    if is_blank(grade):
                        blank.setdefault((notebook.notebook.name, grade.name), set()).add(submission.student.id)
                    if not any(i.notebook == notebook.notebook.name and i.grade_id == grade.name for i in items):
                        items.append(Item(notebook=notebook.notebook.name, grade_id=grade.name,
                                          max_score=float(grade.max_score), label=grade.name))
    students = sorted(rows)
    matrix = [[rows[s].get((i.notebook, i.grade_id)) for i in items] for s in students]
    return Scores(assignment, items, students, matrix, [s for s in submitted if s not in rows], blank)
