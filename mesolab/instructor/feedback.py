"""``mesolab feedback ASSIGNMENT``: nbgrader's feedback pages plus a plain-words summary per trainee.

First runs nbgrader's own ``generate_feedback`` (the course configuration removes hidden tests and reduces test
tracebacks to their message). Then, for every trainee, writes ``feedback/<id>/<assignment>/summary.html`` next
to nbgrader's page: each question's points, and for a check that failed *why*, in plain words — the assertion
message of the check (written for the trainee; it never holds the answer), or a translation of the error
(no answer written, a syntax error, an endless loop, a crashed kernel, an answer of the wrong form).
Hidden test code and traceback lines are never copied: only exception names and assertion messages are read,
and a message that contains a line of a hidden test is replaced by a neutral sentence.
Prints one line per trainee.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests

from .course import CourseError, course_root, gradebook, load_config, submitted_students
from .items import Item, graded_cells, source_items
from .pages import render
from .scores import score

# nbgrader's own delimiters (written out here they would look like a leaked hidden-test block in the package).
_HIDDEN = re.compile(rf"### {re.escape(ClearHiddenTests().begin_test_delimeter)}(.*?)"
                     rf"### {re.escape(ClearHiddenTests().end_test_delimeter)}", re.S)

NO_ANSWER = "no answer written: the answer cell still holds its placeholder, or its name is not defined."
TOO_LONG = "the cell ran too long and was stopped (an endless loop?); the rest of the notebook was still graded."
KERNEL_DIED = "Python stopped (the kernel died) while running this cell: it crashed or used too much memory."
NOT_RIGHT = "the answer is not right."


@dataclass
class Line:
    label: str
    title: str
    score: float | None
    max_score: float
    manual: bool
    why: str = ""

    @property
    def status(self) -> str:
        if self.score is None:
            return "not graded yet"
        return "full marks" if self.score >= self.max_score - 1e-9 else "to revisit"


def hidden_lines(source_dir: Path) -> list[str]:
    """Every meaningful line of a BEGIN/END HIDDEN TESTS block in the source notebooks."""
    lines = []
    for path in sorted(source_dir.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in _HIDDEN.findall(cell.source if cell.cell_type == "code" else ""):
                lines += [line.strip() for line in block.splitlines() if len(line.strip()) > 8]
    return lines


def _errors(cell) -> list[tuple[str, str]]:
    return [(o.get("ename", ""), o.get("evalue", "") or "") for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def explain(ename: str, evalue: str, in_answer: bool, hidden: list[str]) -> str:
    """A failed cell's error in plain words. Only messages meant for the trainee are quoted."""
    if ename in ("NotImplementedError", "NameError"):
        return NO_ANSWER
    if ename == "SyntaxError":
        line = re.search(r"line (\d+)", evalue)
        where = f" (line {line.group(1)} of the answer cell)" if line and in_answer else ""
        return (f"Python could not read the answer{where}: a syntax error. Check the quotes, brackets, and that "
                "the line has the form name = value with a single =.")
    if ename in ("KeyboardInterrupt", "CellTimeoutError", "TimeoutError"):
        return TOO_LONG
    if ename in ("DeadKernelError", "KernelDied"):
        return KERNEL_DIED
    if ename == "AssertionError":
        message = " ".join(evalue.split())
        if not message:
            return NOT_RIGHT
        if "HIDDEN TESTS" in message or any(line in message for line in hidden):
            return "this check did not pass."
        return message
    if in_answer:
        return f"the answer cell stopped with an error ({ename}: {evalue.strip()[:200]}); fix it and run it again."
    return f"the check stopped with an error ({ename}): look at the form your answer is written in."


def _why(item: Item, cells: dict[str, nbformat.NotebookNode], hidden: list[str]) -> str:
    for answer_id in item.answer_ids:
        cell = cells.get(answer_id)
        if cell is not None and cell.cell_type == "code":
            errors = _errors(cell)
            if errors:
                # An interrupted cell reports KeyboardInterrupt, then CellTimeoutError: the last one says most.
                names = [name for name, _ in errors]
                for name in ("CellTimeoutError", "DeadKernelError"):
                    if name in names:
                        return explain(name, "", True, hidden)
                return explain(*errors[0], True, hidden)
    cell = cells.get(item.grade_id)
    if cell is not None:
        errors = _errors(cell)
        if errors:
            return explain(*errors[0], False, hidden)
    return NOT_RIGHT


def trainee_lines(root: Path, assignment: str, items: list[Item], student: str, book,
                  hidden: list[str]) -> list[Line]:
    from nbgrader.api import MissingEntry

    lines = []
    notebooks: dict[str, dict[str, nbformat.NotebookNode]] = {}
    for item in items:
        if item.notebook not in notebooks:
            notebooks[item.notebook] = graded_cells(root / "autograded" / student / assignment
                                                    / f"{item.notebook}.ipynb")
        try:
            grade = book.find_grade(item.grade_id, item.notebook, assignment, student)
            points = score(grade)
        except MissingEntry:
            grade, points = None, None
        line = Line(item.label, item.topic, points, item.max_score, item.manual)
        if item.manual:
            comment = ""
            try:
                found = book.find_comment(item.grade_id, item.notebook, assignment, student)
                comment = (found.manual_comment or "").strip()
            except MissingEntry:
                pass
            if points is None:
                line.why = "graded by your instructor: not graded yet."
            elif grade is not None and grade.manual_score is None and not points:
                line.why = "no answer written: the answer was left as it was handed out (0 points)."
            else:
                line.why = f"graded by your instructor. {('Comment: ' + comment) if comment else ''}".strip()
        elif points is None:
            cells = notebooks[item.notebook]
            died = any(name in ("DeadKernelError", "CellTimeoutError")
                       for cell in cells.values() for name, _ in _errors(cell))
            line.why = ((KERNEL_DIED if died else "the notebook could not be graded automatically")
                        + " Your instructor will grade this question by hand.")
        elif points < item.max_score - 1e-9:
            line.why = _why(item, notebooks[item.notebook], hidden)
        lines.append(line)
    return lines


_SOLUTION_MARK = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)


def case_key(source_dir: Path, student: str) -> list[tuple[str, str]]:
    """For an assignment with a case per trainee (its checks call ``graded_student()``): the answers expected from
    ``student``, as (name, value) in the notebook's order, computed by the instructor's solution code in source/
    for that trainee's case. Empty for an assignment whose answers are the same for everyone."""
    import ast

    from ..grading.isolated import STUDENT_ENV  # the variable the grader sets for the trainee's kernel

    key: list[tuple[str, str]] = []
    for path in sorted(source_dir.glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        if not any(c.cell_type == "code" and "graded_student(" in c.source for c in cells):
            continue
        before = os.environ.get(STUDENT_ENV)
        os.environ[STUDENT_ENV] = student
        namespace: dict[str, object] = {"__name__": "__mesolab_key__"}
        try:
            for cell in cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("solution") or meta.get("grade"):
                    continue
                code = _SOLUTION_MARK.sub("", cell.source)
                exec(compile(code, f"<solution {meta.get('grade_id', '')}>", "exec"), namespace)  # noqa: S102 - source/
                for node in ast.parse(code).body:
                    if isinstance(node, ast.Assign):
                        key += [(t.id, _shown(namespace[t.id])) for t in node.targets
                                if isinstance(t, ast.Name) and not t.id.startswith("_")]
        finally:
            if before is None:
                os.environ.pop(STUDENT_ENV, None)
            else:
                os.environ[STUDENT_ENV] = before
    return key


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:g}"
    return repr(value)


def summary_html(student: str, assignment: str, lines: list[Line], pages: list[str],
                 key: list[tuple[str, str]] | None = None) -> str:
    """The trainee's summary page: points so far, and for each question what happened (and, for a case of their
    own, the answers their case expected)."""
    return render("feedback_summary.html", student=student, assignment=assignment, lines=lines, pages=pages,
                  key=key or [],
                  got=sum(line.score for line in lines if line.score is not None),
                  graded_max=sum(line.max_score for line in lines if line.score is not None),
                  pending=sum(line.max_score for line in lines if line.score is None),
                  revisit=[line.label for line in lines if line.status == "to revisit"],
                  marks={"full marks": "✓", "to revisit": "✗", "not graded yet": "…"})


def _run_generate_feedback(root: Path, assignment: str, pattern: str) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment,
                             "--student", pattern, "--force"], cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CourseError(f"nbgrader generate_feedback failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def generate(course: Path, assignment: str, pattern: str = "*") -> dict[str, tuple[Path, list[Line]]]:
    """Run nbgrader's generate_feedback, then write the summaries; student -> (summary path, lines)."""
    config = load_config(course)
    root = course_root(config)
    submitted = submitted_students(config, assignment, pattern)
    items = source_items(root, assignment)
    hidden = hidden_lines(root / "source" / assignment)
    graded = [s for s in submitted if (root / "autograded" / s / assignment).is_dir()]
    if not graded:
        raise CourseError(f"no autograded submission of {assignment} matches {pattern!r}: run nbgrader autograde first")
    _run_generate_feedback(root, assignment, pattern)
    results = {}
    with gradebook(config) as book:
        for student in graded:
            lines = trainee_lines(root, assignment, items, student, book, hidden)
            folder = root / "feedback" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            pages = sorted(p.name for p in folder.glob("*.html") if p.name != "summary.html")
            path = folder / "summary.html"
            key = case_key(root / "source" / assignment, student)
            path.write_text(summary_html(student, assignment, lines, pages, key), encoding="utf-8")
            results[student] = (path, lines)
    return results


def main(*, course: Path, assignment: str, student: str = "*") -> int:
    """``mesolab feedback``: the exit code (0 written; 2 nothing written, the course or assignment is wrong, or
    nbgrader's generate_feedback failed)."""
    try:
        results = generate(course, assignment, student or "*")
    except CourseError as error:
        print(f"mesolab feedback: {error}", file=sys.stderr)
        return 2
    width = max(len(s) for s in results)
    for trainee, (path, lines) in results.items():
        got = sum(l.score for l in lines if l.score is not None)
        top = sum(l.max_score for l in lines)
        revisit = [l.label for l in lines if l.status == "to revisit"]
        pending = [l.label for l in lines if l.status == "not graded yet"]
        note = f"to revisit: {', '.join(revisit)}" if revisit else "all graded checks passed"
        if pending:
            note += f"; not graded yet: {', '.join(pending)}"
        print(f"{trainee:<{width}}  {got:>5g} / {top:g}  {note}  ->  {path}")
    return 0
