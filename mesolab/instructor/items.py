"""The items of an assignment, read from its source notebooks, and the answers trainees gave to them.

An *item* is one grade cell (an autograded check or a manually graded answer), with the question above it, its
answer cells and, for a choice question, the key read from the solution. The cells are told apart with nbgrader's
own helpers (:func:`nbgrader.utils.is_grade`, :func:`~nbgrader.utils.is_solution`).
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)
_OPTION = re.compile(r"^\s*[-*]\s*([a-z])\)\s*(.+?)\s*$", re.M)


@dataclass
class Item:
    """One grade cell, with what the source notebook says about it."""

    notebook: str
    grade_id: str
    max_score: float
    label: str
    title: str = ""
    question: str = ""
    answer_ids: list[str] = field(default_factory=list)
    correct: dict[str, str] = field(default_factory=dict)  # answer name -> normalised choice (choice items)
    options: dict[str, str] = field(default_factory=dict)  # letter -> option text
    manual: bool = False

    @property
    def topic(self) -> str:
        """The question's heading without "Question 3 (2 points):".

        >>> Item("nb", "q3", 2, "Q3", title="Question 3 (2 points): Depth of the papule").topic
        'Depth of the papule'
        """
        topic = re.sub(r"^Question\s+\d+\s*(\([^)]*\))?\s*:?\s*", "", self.title).strip()
        if topic:
            return topic
        return "written answer, graded by the instructor" if self.manual else (self.title or self.grade_id)

    def option_text(self, answer: str) -> str:
        """A canonical wrong answer with its option's text, when it is one letter of the question's options."""
        letter = re.fullmatch(r'"([a-z])"', answer)
        if letter and letter.group(1) in self.options:
            return f"{answer} — {self.options[letter.group(1)]}"
        return answer


def _choice(value: object) -> str | None:
    """A choice answer in one canonical form: "b" or {"a", "c"}; None if it is not a choice.

    >>> _choice(" B "), _choice("a, c"), _choice(["c", "a"]), _choice(0.8)
    ('"b"', '{"a", "c"}', '{"a", "c"}', None)
    """
    if isinstance(value, str):
        parts = [p for p in value.replace(",", " ").lower().split() if p]
        if len(parts) == 1 and len(parts[0]) == 1 and parts[0].isalpha():
            return f'"{parts[0]}"'
        if parts and all(len(p) == 1 and p.isalpha() for p in parts):
            value = parts
        else:
            return None
    if isinstance(value, (set, frozenset, list, tuple)):
        letters = set()
        for v in value:
            if not isinstance(v, str) or len(v.strip()) != 1 or not v.strip().isalpha():
                return None
            letters.add(v.strip().lower())
        return "{" + ", ".join(f'"{v}"' for v in sorted(letters)) + "}"
    return None


def choice_answers(source: str) -> dict[str, str]:
    """name -> canonical choice for each ``name = <literal>`` in ``source`` (unparsable code: nothing)."""
    try:
        tree = ast.parse(_SOLUTION.sub("", source))
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                continue
            canonical = _choice(value)
            if canonical is not None:
                found[node.targets[0].id] = canonical
    return found


def _label(grade_id: str, notebook: str, several: bool) -> str:
    match = re.match(r"^q(\d+)", grade_id, re.I)
    label = f"Q{match.group(1)}" if match else grade_id
    return f"{notebook}:{label}" if several else label


def source_items(root: Path, assignment: str) -> list[Item]:
    """The grade cells of the assignment's source notebooks, in notebook order, with question and key."""
    folder = root / "source" / assignment
    paths = sorted(folder.glob("*.ipynb"))
    items = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        last_grade = -1
        for index, cell in enumerate(nb.cells):
            if not is_grade(cell):
                continue
            meta = cell.metadata["nbgrader"]
            item = Item(notebook=path.stem, grade_id=meta["grade_id"], max_score=float(meta.get("points", 0)),
                        label=_label(meta["grade_id"], path.stem, len(paths) > 1), manual=bool(is_solution(cell)))
            if is_solution(cell):
                answers = [cell]
            else:
                answers = [c for c in nb.cells[last_grade + 1:index] if c.cell_type == "code" and is_solution(c)]
            item.answer_ids = [c.metadata["nbgrader"]["grade_id"] for c in answers]
            for answer in answers:
                if answer.cell_type == "code":
                    item.correct.update(choice_answers(answer.source))
            first = nb.cells.index(answers[0]) if answers else index
            for previous in reversed(nb.cells[last_grade + 1:first]):
                if previous.cell_type == "markdown" and not is_solution(previous):
                    item.question = previous.source.strip()
                    break
            heading = next((line for line in item.question.splitlines() if line.startswith("#")), "")
            item.title = heading.lstrip("#").strip()
            item.options = dict(_OPTION.findall(item.question))
            items.append(item)
            last_grade = index
    return items


def graded_cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    """grade_id -> cell of every nbgrader cell of a (trainee's autograded) notebook; nothing if it is missing."""
    if not path.is_file():
        return {}
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nbformat.read(path, as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("grade_id")}


def wrong_answers(root: Path, assignment: str, item: Item, students: list[str],
                  scores: list[float | None]) -> Counter:
    """Canonical wrong answers to a choice item, counted over the trainees without full marks on it.

    ``scores`` are the trainees' points on the item, in the order of ``students`` (None: not graded)."""
    counts: Counter = Counter()
    if not item.correct:
        return counts
    for student, score in zip(students, scores):
        if score is None or score >= item.max_score - 1e-9:
            continue
        cells = graded_cells(root / "autograded" / student / assignment / f"{item.notebook}.ipynb")
        given: dict[str, str] = {}
        for answer_id in item.answer_ids:
            cell = cells.get(answer_id)
            if cell is not None and cell.cell_type == "code":
                given.update(choice_answers(cell.source))
        wrong = [f"{name} = {given[name]}" if len(item.correct) > 1 else given[name]
                 for name, right in item.correct.items() if name in given and given[name] != right]
        if wrong:
            counts["; ".join(wrong)] += 1
    return counts
