"""A throw-away nbgrader course directory and submissions built from an assignment's source.

Used by the assignment and pipeline tests; every helper works for any assignment in source/.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import csv
import datetime
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
LESSONS = sorted(p for p in (REPO / "notebooks").glob("*.ipynb") if p.name != "00_start_here.ipynb")  # not the home page
NBGRADER = [sys.executable, "-m", "nbgrader"]
_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)


def nbgrader(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a real nbgrader command in ``course``; raise with its log if it fails."""
    result = subprocess.run([*NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def grade_with_mesolab(course: Path, assignment: str, cell_timeout: int, jobs: int = 2,
                       timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """``mesolab grade`` (nbgrader underneath, kernels sandboxed, ``jobs`` at a time); raise with its output unless
    every trainee was graded."""
    command = [str(Path(sys.executable).parent / "mesolab"), "--course", str(course), "grade", assignment,
               "--jobs", str(jobs), "--cell-timeout", str(cell_timeout)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"mesolab grade {assignment} failed ({result.returncode}):\n{result.stdout}\n"
                             f"{result.stderr[-5000:]}")
    return result


def make_course(root: Path, assignment: str) -> Path:
    """A course directory with the repository's config and one assignment, released with nbgrader."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(REPO / "source" / assignment, root / "source" / assignment)
    nbgrader(root, "generate_assignment", assignment, "--force")
    return root


@dataclass
class Assignment:
    """What the tests need to know about one assignment, read from its source notebook."""

    name: str
    notebook: str
    source: nbformat.NotebookNode

    @classmethod
    def load(cls, name: str) -> "Assignment":
        paths = sorted((REPO / "source" / name).glob("*.ipynb"))
        assert len(paths) == 1, f"{name}: expected one notebook, found {paths}"
        return cls(name, paths[0].name, nbformat.read(paths[0], as_version=4))

    def cells(self, **flags: bool) -> list[nbformat.NotebookNode]:
        return [c for c in self.source.cells
                if all(bool(c.metadata.get("nbgrader", {}).get(k)) == v for k, v in flags.items())]

    @property
    def answer_cells(self) -> list[nbformat.NotebookNode]:
        return [c for c in self.cells(solution=True, grade=False) if c.cell_type == "code"]

    @property
    def test_cells(self) -> list[nbformat.NotebookNode]:
        return self.cells(grade=True, solution=False)

    @property
    def auto_points(self) -> float:
        return float(sum(c.metadata["nbgrader"]["points"] for c in self.test_cells))

    def points_of_test_after(self, answer_id: str) -> float:
        """Points of the first test cell after the answer cell ``answer_id``."""
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in self.source.cells]
        for cell in self.source.cells[ids.index(answer_id) + 1:]:
            if cell in self.test_cells:
                return float(cell.metadata["nbgrader"]["points"])
        raise LookupError(answer_id)

    def answer_names(self, cell: nbformat.NotebookNode) -> list[str]:
        """The variable names a solution cell assigns (the trainee's answer names)."""
        tree = ast.parse(_SOLUTION.sub("", cell.source))
        return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)]

    def release_notebook(self, course: Path) -> nbformat.NotebookNode:
        return nbformat.read(course / "release" / self.name / self.notebook, as_version=4)

    def submission(self, course: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
        """The released notebook with answer cells replaced by ``answers`` (grade_id -> code)."""
        notebook = copy.deepcopy(self.release_notebook(course))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        return notebook

    def correct_answers(self) -> dict[str, str]:
        return {c.metadata["nbgrader"]["grade_id"]: _SOLUTION.sub("", c.source).strip() for c in self.answer_cells}


def submit(course: Path, assignment: Assignment, student: str, notebook: nbformat.NotebookNode,
           extra_files: dict[str, str] | None = None) -> None:
    """Put a trainee's notebook (and any other files the trainee left next to it) in submitted/."""
    folder = course / "submitted" / student / assignment.name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / assignment.notebook)
    for relative, text in (extra_files or {}).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)


def exported_scores(course: Path) -> dict[tuple[str, str], dict[str, str]]:
    """``nbgrader export`` as {(assignment, student): row}."""
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def autograded_scores(course: Path, assignment: str) -> dict[str, float]:
    """Autograded score per student, from the course's gradebook (wherever db_url points) through nbgrader's API."""
    from mesolab.instructor.course import gradebook, load_config

    with gradebook(load_config(course)) as book:
        return {s.student.id: s.code_score for s in book.assignment_submissions(assignment)}


# --- submissions -----------------------------------------------------------------------------------------

_OPTIONS = re.compile(r"\bread_(?:choices?|order)\(\s*\"(\w+)\"\s*,\s*\"(\w+)\"\s*\)")


#: Set by the grader for a submission's kernel: whose case a per-trainee assignment (09) shows and answers.
STUDENT_ENV = "MESOLAB_STUDENT_ID"


def has_variants(assignment: Assignment) -> bool:
    """A case per trainee: the hidden tests compute the key for the student id being graded."""
    return any("graded_student(" in cell.source for cell in assignment.test_cells)


def correct_values(assignment: Assignment, student: str = "correct") -> dict[str, object]:
    """Run the setup and solution code in-process: the trainee's answer names and their right values (for
    ``student``'s case, in an assignment with a case per trainee)."""
    namespace: dict[str, object] = {}
    before = os.environ.get(STUDENT_ENV)
    os.environ[STUDENT_ENV] = student
    try:
        for cell in assignment.source.cells:
            metadata = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not metadata.get("grade") and (metadata.get("solution") or metadata.get("locked")):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(_SOLUTION.sub("", cell.source), "<solution>", "exec"), namespace)
    finally:
        if before is None:
            os.environ.pop(STUDENT_ENV, None)
        else:
            os.environ[STUDENT_ENV] = before
    names = [name for cell in assignment.answer_cells for name in assignment.answer_names(cell)]
    return {name: namespace[name] for name in names}


def answer_options(assignment: Assignment) -> dict[str, str]:
    """For each choice answer, the letters its test cell accepts."""
    return {name: letters for cell in assignment.test_cells for name, letters in _OPTIONS.findall(cell.source)}


def wrong_value(value: object, options: str | None) -> object:
    """A value of the right type that is clearly wrong."""
    if isinstance(value, (set, frozenset)):
        assert options
        return {letter for letter in options if letter not in value} or {options[0]}
    if isinstance(value, str) and options is None:  # a date "YYYY-MM-DD": the day after
        return (datetime.date.fromisoformat(value) + datetime.timedelta(days=1)).isoformat()
    if isinstance(value, str):
        assert options
        return next(letter for letter in options if letter != value.strip().lower())
    assert isinstance(value, (int, float))
    return float(value) * 3 + 11.0


def answers_with(assignment: Assignment, values: dict[str, object], first: str | None = None) -> dict[str, str]:
    """Answer cells assigning ``values``; ``first`` replaces the first answer cell's code entirely."""
    answers = {}
    for index, cell in enumerate(assignment.answer_cells):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        code = "\n".join(f"{name} = {values[name]!r}" for name in assignment.answer_names(cell))
        answers[grade_id] = first if (index == 0 and first is not None) else code
    return answers


FAKE_CLASSES = '''
class Anything(float):
    """Equal to everything, greater and smaller than everything."""
    __eq__ = __le__ = __ge__ = __lt__ = __gt__ = __contains__ = lambda self, *other: True
    __ne__ = lambda self, other: False
    __hash__ = float.__hash__
    strip = lower = lambda self, *args: self
    __float__ = lambda self: 7.0
class AnyText(str):
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __hash__ = str.__hash__
    strip = lower = lambda self, *args: self
class AnySet(frozenset):
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __hash__ = frozenset.__hash__
'''


#: Files a hostile trainee leaves next to the notebook so that ``from mesolab.grading.answers import ...`` in a
#: test cell run in the submission folder would import readers that accept anything.
PLANTED_READERS = {
    "mesolab/__init__.py": "",
    "mesolab/grading/__init__.py": "",
    "mesolab/grading/answers.py": FAKE_CLASSES + (
        "def read_number(*args, **kwargs): return Anything(0.0)\n"
        "def read_choice(*args, **kwargs): return AnyText('a')\n"
        "def read_choices(*args, **kwargs): return AnySet({'a'})\n"),
}


def hostile_submissions(assignment: Assignment, extended: bool = False
                        ) -> dict[str, tuple[dict[str, str], set[str], float]]:
    """:func:`submissions_for` each kind; with a case per trainee, each built on the right answers of the trainee
    (named after the kind) it is submitted as."""
    kinds = submissions_for(assignment, correct_values(assignment), extended)
    if not has_variants(assignment):
        return kinds
    return {name: submissions_for(assignment, correct_values(assignment, name), extended)[name] for name in kinds}


def submissions_for(assignment: Assignment, right: dict[str, object], extended: bool = False
                    ) -> dict[str, tuple[dict[str, str], set[str], float]]:
    """Harmless variants and hostile submissions: name -> (answers, test cells to delete or edit, expected score).

    Test cells named in the set are deleted (``deleted_test``) or replaced by ``pass`` (``edited_test``).
    ``extended`` adds the kinds whose defence does not depend on the assignment (a syntax error, a raising cell, an
    endless loop, a kernel that
    ignores interrupts or exits, hijacked error reporting, patched standard library, planted modules, huge output,
    reading the solutions and writing the gradebook through the file system):
    the pipeline tests run them on one assignment, since each costs seconds of kernel time.
    """
    options = answer_options(assignment)
    wrong = {name: wrong_value(value, options.get(name)) for name, value in right.items()}
    first_answer = assignment.answer_cells[0].metadata["nbgrader"]["grade_id"]
    first_names = assignment.answer_names(assignment.answer_cells[0])
    first_points = assignment.points_of_test_after(first_answer)
    first_test = next(c for c in assignment.test_cells
                      if any(name in c.source for name in first_names)).metadata["nbgrader"]["grade_id"]
    all_but_first = assignment.auto_points - first_points
    first_wrong = {**right, **{name: wrong[name] for name in first_names}}

    fake = {}
    for name, value in right.items():
        fake[name] = ("AnySet({'a'})" if isinstance(value, (set, frozenset))
                      else "AnyText('a')" if isinstance(value, str) else "Anything(0.0)")
    fake_code = FAKE_CLASSES + "\n".join(f"{name} = {code}" for name, code in fake.items())
    helpers = FAKE_CLASSES + (
        "def number(*args, **kwargs): return Anything(0.0)\n"
        "def choice(*args, **kwargs): return AnyText('a')\n"
        "def choices(*args, **kwargs): return AnySet({'a'})\n"
        "read_number, read_choice, read_choices = number, choice, choices\n"
        "frozenset = set = lambda *args: AnySet({'a'})\n"
        "abs = lambda x: 0.0\n"
        "type = lambda x: float\n"
        "isinstance = lambda *args: True\n"
    ) + "\n".join(f"{name} = {value!r}" for name, value in wrong.items())
    variants = {}
    for name, value in right.items():
        variants[name] = (f"sorted({sorted(v.upper() for v in value)!r})" if isinstance(value, (set, frozenset))
                          else repr(f"  {value.upper()} ") if isinstance(value, str)
                          else f"numpy.float64({value!r})")
    variant_code = "import numpy\n" + "\n".join(f"{name} = {code}" for name, code in variants.items())
    return {
        "harmless_variants": (answers_with(assignment, right, first=variant_code) | {
            g: "" for g in list(answers_with(assignment, right))[1:]}, set(), assignment.auto_points),
        "wrong": (answers_with(assignment, wrong), set(), 0.0),
        "edited_test": (answers_with(assignment, first_wrong), {"edit:" + first_test}, all_but_first),
        "deleted_test": (answers_with(assignment, first_wrong), {"delete:" + first_test}, all_but_first),
        "fake_equality": (answers_with(assignment, right, first=fake_code) | {
            g: "" for g in list(answers_with(assignment, right))[1:]}, set(), 0.0),
        "redefined_helpers": (answers_with(assignment, wrong, first=helpers) | {
            g: "" for g in list(answers_with(assignment, right))[1:]}, set(), 0.0),
    } | (_extended(assignment, right, wrong, all_but_first, first_names) if extended else {})


def _extended(assignment: Assignment, right: dict[str, object], wrong: dict[str, object], all_but_first: float,
              first_names: list[str]) -> dict[str, tuple[dict[str, str], set[str], float]]:
    first_right = answers_with(assignment, right)[assignment.answer_cells[0].metadata["nbgrader"]["grade_id"]]
    wrong_cells = answers_with(assignment, wrong)
    hijack = ("ip = get_ipython()\n"
              "ip.showtraceback = lambda *args, **kwargs: None\n"  # a failing assert would show nothing
              "ip.input_transformers_post.append(lambda lines: ['pass\\n'])\n"  # every later cell does nothing
              "import sys\nsys.excepthook = lambda *args: None\n")
    patches = ("import builtins, math, operator, sys, types\n"
               "math.isclose = lambda *args, **kwargs: True\n"
               "operator.eq = lambda *args: True\n"
               "builtins.AssertionError = type('AssertionError', (Exception,), {})\n"
               "fake = types.ModuleType('mesolab.grading.answers')\n"
               "fake.read_number = fake.read_choice = fake.read_choices = lambda *args, **kwargs: None\n"
               "sys.modules['mesolab.grading.answers'] = fake\n")
    return {
        "syntax_error": (answers_with(assignment, right, first=f"{first_names[0]} = = 1"), set(), all_but_first),
        "raises": (answers_with(assignment, right, first="raise RuntimeError('I give up')"), set(), all_but_first),
        "infinite_loop": (answers_with(assignment, right, first="while True:\n    pass"), set(), all_but_first),
        "ignores_interrupts": (answers_with(assignment, right, first="import signal\n"
                                            "signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
                               set(), all_but_first),
        "kernel_exits": (answers_with(assignment, right, first="import os\nos._exit(3)"), set(), all_but_first),
        "hijacks_errors": (answers_with(assignment, wrong, first=hijack + wrong_cells[list(wrong_cells)[0]]), set(),
                           0.0),
        "patches_stdlib": (answers_with(assignment, wrong, first=patches + wrong_cells[list(wrong_cells)[0]]),
                           set(), 0.0),
        "planted_modules": (wrong_cells, {"plant:readers"}, 0.0),
        "huge_output": (answers_with(assignment, right, first="print('x' * 30_000_000)\n" + first_right), set(),
                        assignment.auto_points),
        "steals_solutions": (_last_cell_appended(wrong_cells, STEAL_SOLUTIONS), set(), 0.0),
    }


#: Appended to the last answer cell: runs the solution cells of source/ (the instructor's notebook, three folders
#: up from the trainee's autograded folder), so every answer becomes right if the file can be read; then tries to
#: overwrite the gradebook. Graded inside the sandbox neither path exists, the wrong answers stay and score 0.
STEAL_SOLUTIONS = """
import glob as _glob, json as _json, os as _os
_root = _os.path.abspath(_os.path.join(_os.getcwd(), '..', '..', '..'))
for _path in _glob.glob(_os.path.join(_root, 'source', '*', '*.ipynb')):
    for _cell in _json.load(open(_path))['cells']:
        if _cell['cell_type'] == 'code' and _cell.get('metadata', {}).get('nbgrader', {}).get('solution'):
            exec(''.join(_cell['source']))
try:
    with open(_os.path.join(_root, 'gradebook.db'), 'r+b') as _book:
        _book.write(b'all full marks')
except OSError as _error:
    print('could not write the gradebook:', type(_error).__name__)
"""


def _last_cell_appended(answers: dict[str, str], code: str) -> dict[str, str]:
    last = list(answers)[-1]
    return answers | {last: answers[last] + "\n" + code}


def tampered(notebook: nbformat.NotebookNode, changes: set[str]) -> nbformat.NotebookNode:
    """Apply 'delete:<grade_id>' and 'edit:<grade_id>' changes to test cells."""
    for change in changes:
        action, grade_id = change.split(":", 1)
        if action == "plant":
            continue  # files next to the notebook: see grade_everything
        index = next(i for i, c in enumerate(notebook.cells)
                     if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        if action == "delete":
            del notebook.cells[index]
        else:
            notebook.cells[index].source = "pass  # all good, trust me"
    return notebook


# --- one graded course per assignment, shared by the assignment and pipeline tests ----------------------

#: Per-cell time limit while testing: the endless-loop submission costs this much per assignment.
#: nbgrader_config.py's own value (30 s) is checked separately in test_pipeline.py.
TEST_CELL_TIMEOUT_S = 8


@dataclass
class GradedCourse:
    assignment: Assignment
    course: Path
    expected: dict[str, float]  # student -> honest autograded score


def grade_everything(root: Path, name: str) -> GradedCourse:
    """Release ``name``, submit the solution, the blank release, harmless variants and hostile submissions,
    then grade them in one batch with ``mesolab grade`` (nbgrader underneath, sandboxed, two at a time) and write
    feedback with ``mesolab feedback`` (nbgrader's generate_feedback plus the plain-words summaries)."""
    assignment = Assignment.load(name)
    course = make_course(root, name)
    expected = {"correct": assignment.auto_points, "blank": 0.0}
    submit(course, assignment, "correct", assignment.submission(course, assignment.correct_answers()))
    submit(course, assignment, "blank", assignment.release_notebook(course))
    for student, (answers, changes, score) in hostile_submissions(assignment, extended=name == ASSIGNMENTS[0]).items():
        submit(course, assignment, student, tampered(assignment.submission(course, answers), changes),
               PLANTED_READERS if "plant:readers" in changes else None)
        expected[student] = score
    grade_with_mesolab(course, name, TEST_CELL_TIMEOUT_S)
    feedback = subprocess.run([str(Path(sys.executable).parent / "mesolab"), "--course", str(course), "feedback", name],
                              capture_output=True, text=True, timeout=600)
    if feedback.returncode != 0:
        raise AssertionError(f"mesolab feedback {name} failed:\n{feedback.stdout}\n{feedback.stderr[-5000:]}")
    return GradedCourse(assignment, course, expected)
