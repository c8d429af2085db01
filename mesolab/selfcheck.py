"""Self-check exercises for the lessons: immediate feedback with an explanation, no readable key.

A lesson calls ``check("01.method", my_answer)``. Choice answers are compared by a salted digest,
so neither the notebook nor this package holds the correct letter in plain text; numeric answers
are compared with a value computed by the domain functions. Self-checks are practice only: graded
answers are checked by nbgrader's hidden tests, which live in ``source/`` alone.
"""
from __future__ import annotations

import hashlib
import html
import math
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Callable

from . import progress

_SALT = "mesolab-selfcheck"


def answer_digest(exercise_id: str, letter: str) -> str:
    """The digest stored for a correct choice (also used to write new exercises)."""
    return hashlib.sha256(f"{_SALT}:{exercise_id}:{letter.strip().lower()}".encode()).hexdigest()


@dataclass(frozen=True)
class ChoiceExercise:
    id: str
    options: str  # the valid letters, e.g. "abcd"
    correct_digest: str
    explanation: str  # shown once the answer is right
    hints: dict[str, str] = field(default_factory=dict)  # per wrong letter: the misconception behind it


@dataclass(frozen=True)
class NumberExercise:
    id: str
    unit: str
    expected: Callable[[], float]  # computed from the domain functions, never typed in
    tolerance: float
    explanation: str
    hint: str


Exercise = ChoiceExercise | NumberExercise
_REGISTRY: dict[str, Exercise] = {}


def register(*exercises: Exercise) -> None:
    for exercise in exercises:
        _REGISTRY[exercise.id] = exercise


@dataclass(frozen=True)
class Feedback:
    correct: bool | None  # None: no answer yet
    message: str
    notice: str = ""  # about the learner's progress record (e.g. an unreadable file set aside), shown below

    def _repr_html_(self) -> str:
        colour, mark = {True: ("#117733", "✔ Correct."), False: ("#994455", "✘ Not yet."),
                        None: ("#555555", "✎")}[self.correct]
        notice = (f'<br><small class="mesolab-progress-notice">{html.escape(self.notice)}</small>'
                  if self.notice else "")
        return (f'<div class="mesolab-selfcheck" role="status" style="border-left:4px solid {colour};'
                f'padding:0.3em 0.8em"><b style="color:{colour}">{mark}</b> {html.escape(self.message)}{notice}</div>')

    def __repr__(self) -> str:
        mark = {True: "Correct.", False: "Not yet.", None: ""}[self.correct]
        return "\n".join(filter(None, [f"{mark} {self.message}".strip(), self.notice]))


def check(exercise_id: str, answer: object) -> Feedback:
    """Check ``answer`` for a lesson's self-check and explain; record the try in the learner's progress."""
    feedback = _feedback(exercise_id, answer)
    notice = progress.record_check(exercise_id, feedback.correct)
    return replace(feedback, notice=notice) if notice else feedback


def _feedback(exercise_id: str, answer: object) -> Feedback:
    try:
        exercise = _REGISTRY[exercise_id]
    except KeyError:
        raise ValueError(f"no self-check called {exercise_id!r}; known: {', '.join(sorted(_REGISTRY))}") from None
    if answer is None or answer is Ellipsis:
        return Feedback(None, "Type your answer in place of ... above, then run the cell again.")
    if isinstance(exercise, ChoiceExercise):
        return _check_choice(exercise, answer)
    return _check_number(exercise, answer)


def _check_choice(exercise: ChoiceExercise, answer: object) -> Feedback:
    if not isinstance(answer, str) or answer.strip().lower() not in exercise.options:
        letters = ", ".join(f'"{letter}"' for letter in exercise.options)
        return Feedback(False, f"Answer with one letter in quotes: one of {letters}.")
    letter = answer.strip().lower()
    if answer_digest(exercise.id, letter) == exercise.correct_digest:
        return Feedback(True, exercise.explanation)
    return Feedback(False, exercise.hints.get(letter, "Look again at the teaching above and try another option."))


def _check_number(exercise: NumberExercise, answer: object) -> Feedback:
    if isinstance(answer, bool) or not isinstance(answer, Real) or not math.isfinite(float(answer)):
        return Feedback(False, f"Answer with a number in {exercise.unit}, without quotes or units, e.g. 1.25.")
    if abs(float(answer) - exercise.expected()) <= exercise.tolerance:
        return Feedback(True, exercise.explanation)
    return Feedback(False, exercise.hint)
