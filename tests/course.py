"""A throw-away nbgrader course directory and submissions built from an assignment's source.

Used by the assignment and pipeline tests; every helper works for any assignment in source/.
"""
from __future__ import annotations

import ast
import copy
import csv
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NBGRADER = [sys.executable, "-m", "nbgrader"]
_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)


def nbgrader(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a real nbgrader command in ``course``; raise with its log if it fails."""
    result = subprocess.run([*NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
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


def submit(course: Path, assignment: Assignment, student: str, notebook: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / assignment.name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / assignment.notebook)


def exported_scores(course: Path) -> dict[tuple[str, str], dict[str, str]]:
    """``nbgrader export`` as {(assignment, student): row}."""
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def autograded_scores(course: Path, assignment: str) -> dict[str, float]:
    """Autograded score per student, from the gradebook through nbgrader's own API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: s.code_score for s in gradebook.assignment_submissions(assignment)}
