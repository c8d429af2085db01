"""``mesolab report ASSIGNMENT``: item analysis of an assignment, read from nbgrader's gradebook.

Items are the grade cells of the assignment's notebooks (autograded checks and manually graded answers,
:mod:`~mesolab.instructor.items`); each trainee's score per item comes from nbgrader's Gradebook API
(:mod:`~mesolab.instructor.scores`: an item still awaiting its manual grade is "not graded", never 0); the
statistics are :mod:`~mesolab.instructor.item_analysis`. This module puts them together and writes
``item_analysis.csv``, the PNG figures (:mod:`~mesolab.instructor.figures`) and one self-contained
``report.html`` (:mod:`~mesolab.instructor.pages`) to ``reports/<assignment>/`` (or ``--output``).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import sys
from pathlib import Path

from . import item_analysis as ia
from .course import CourseError, course_root, load_config
from .items import Item, wrong_answers
from .pages import fmt, render
from .scores import Scores, read_scores

GUIDANCE = {
    ia.NEGATIVE: ("Trainees who did well overall got this item wrong more often than those who did poorly. "
                  "The key may be wrong, the question ambiguous, or a distractor may be defensible to a "
                  "knowledgeable reader. Check the answer key and the wording first, before anything else."),
    ia.POOR: ("The item hardly separates stronger from weaker trainees (r below 0.20). Read the question for "
              "ambiguity, a trick, or a point that was not taught; revise or replace it."),
    ia.TOO_HARD: ("Fewer than 20 % of the possible points were earned. Either the point was not taught (teach it "
                  "again, starting from the most frequent wrong answer) or the item is flawed."),
    ia.TOO_EASY: ("Almost everyone got full marks: the item tells you little about who understood. Fine as a "
                  "warm-up; otherwise make it ask for reasoning rather than recall."),
    ia.NOT_ANSWERED: ("Nobody wrote an answer to this free-text question: its zeros are blank answers, not wrong "
                      "ones, so they say nothing yet about how hard it is. Check that trainees saw the question, "
                      "found the answer cell and had the time for it."),
}


def not_answered(scores: Scores, item: Item) -> bool:
    """A free-text item every graded trainee left blank (nbgrader gave each the 0 of an unchanged answer)."""
    blank = scores.blank.get((item.notebook, item.grade_id), set())
    column = scores.column(item)
    graded = [student for student, value in zip(scores.students, column) if value is not None]
    return item.manual and bool(graded) and all(student in blank for student in graded)


def item_stats(scores: Scores) -> tuple[list[ia.ItemStats], ia.CohortStats]:
    """The statistics of every item and of the cohort; "too hard" becomes "not answered" for a free-text item
    nobody answered."""
    stats, cohort = ia.analyse_items(scores.scores, [i.max_score for i in scores.items])
    for j, item in enumerate(scores.items):
        if ia.TOO_HARD in stats[j].flags and not_answered(scores, item):
            flags = tuple(ia.NOT_ANSWERED if f == ia.TOO_HARD else f for f in stats[j].flags)
            stats[j] = dataclasses.replace(stats[j], flags=flags)
    return stats, cohort


def build(course: Path, assignment: str, output: Path | None = None) -> Path:
    """Write the report files; return the path of report.html."""
    from .figures import histogram_figure, item_bars_figure, png, scatter_figure  # matplotlib: only when drawing

    root = course_root(load_config(course))
    scores = read_scores(course, assignment)
    if not scores.students:
        raise CourseError(f"no trainee of {assignment} is in the gradebook yet: run nbgrader autograde first")
    out = Path(output) if output is not None else root / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    stats, cohort = item_stats(scores)
    wrong = {i.grade_id: wrong_answers(root, assignment, i, scores.students, scores.column(i)) for i in scores.items}
    write_csv(out / "item_analysis.csv", scores, stats, wrong)
    figures = {"difficulty_discrimination.png": scatter_figure(scores.items, stats),
               "score_histogram.png": histogram_figure(cohort),
               "item_scores.png": item_bars_figure(scores.items, stats)}
    images = {}
    for name, fig in figures.items():
        images[name] = png(fig)
        (out / name).write_bytes(images[name])
    path = out / "report.html"
    path.write_text(report_html(scores, stats, cohort, wrong, images), encoding="utf-8")
    return path


def write_csv(path: Path, scores: Scores, stats: list[ia.ItemStats], wrong: dict) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "notebook", "grade_cell", "question", "max_score", "n_graded", "n_not_graded",
                         "mean_score", "difficulty_p", "full_marks", "discrimination_r", "ebel_band",
                         "upper_lower_D", "distribution", "flags", "most_frequent_wrong_answer", "times_chosen"])
        for item, s in zip(scores.items, stats):
            common = wrong[item.grade_id].most_common(1)
            writer.writerow([item.label, item.notebook, item.grade_id, item.title, f"{item.max_score:g}",
                             s.n_graded, s.n_missing, fmt(s.mean, 3), fmt(s.difficulty, 3),
                             fmt(s.full_marks, 3), fmt(s.discrimination, 3), s.band, fmt(s.upper_lower, 3),
                             " ".join(f"{v:g}:{c}" for v, c in s.distribution.items()), "; ".join(s.flags),
                             common[0][0] if common else "", common[0][1] if common else ""])


def report_html(scores: Scores, stats: list[ia.ItemStats], cohort: ia.CohortStats, wrong: dict,
                images: dict[str, bytes]) -> str:
    rows = []
    for item, s in zip(scores.items, stats):
        counts = wrong[item.grade_id]
        heading = item.title if item.title.lower().startswith("question") else f"{item.label}: {item.topic}"
        rows.append({"item": item, "stats": s, "heading": heading, "wrong": counts.most_common(3),
                     "wrong_total": sum(counts.values())})
    flagged = sorted((r for r in rows if r["stats"].flags), key=lambda r: (r["stats"].urgency, r["item"].label))
    alpha = cohort.reliability
    reading = None if alpha is None else (
        "high: the items agree well" if alpha >= 0.8 else "acceptable for a short assignment" if alpha >= 0.5
        else "low: the items do not measure one common thing well (or some are flawed); do not base a decision "
             "on the total")
    return render("report.html", assignment=scores.assignment, generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                  rows=rows, flagged=flagged, cohort=cohort, stable_n=ia.STABLE_N,
                  not_graded_yet=scores.not_graded_yet, reliability_reading=reading, guidance=GUIDANCE,
                  negative=ia.NEGATIVE, images=images)


def main(*, course: Path, assignment: str, output: Path | None = None) -> int:
    """``mesolab report``: the exit code (0 written; 2 nothing written, the course or assignment is wrong)."""
    try:
        path = build(course, assignment, output)
    except CourseError as error:
        print(f"mesolab report: {error}", file=sys.stderr)
        return 2
    print(f"Item analysis of {assignment}: {path}")
    print(f"(figures and item_analysis.csv in {path.parent})")
    return 0
