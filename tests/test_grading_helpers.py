"""Strict answer readers, self-checks and the feedback preprocessor."""
from __future__ import annotations

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from mesolab.grading.answers import choice, choices, number, read_number
from mesolab.grading.feedback import HideTestTracebacks
from mesolab.lessons import skin_layers  # noqa: F401  (registers the lesson's self-checks)
from mesolab.selfcheck import _REGISTRY, ChoiceExercise, answer_digest, check


class AlwaysEqual(float):
    def __eq__(self, other):
        return True

    def __le__(self, other):
        return True

    def __ge__(self, other):
        return True

    def __float__(self):
        return 7.18


class FakeStr(str):
    def __eq__(self, other):
        return True

    def strip(self):
        return self

    def lower(self):
        return "c"


def test_number_reads_the_true_value_of_float_subclasses():
    assert number(AlwaysEqual(99.0), "q", "mm") == 99.0
    assert number(np.float64(1.5), "q", "mm") == 1.5
    assert type(number(2, "q", "mm")) is float


@pytest.mark.parametrize("value, message", [(True, "not True/False"), ("0.8", "remove the quotes"),
                                            (None, "NoneType"), (float("nan"), "finite"), ([1.0], "list")])
def test_number_rejects_other_types_with_a_clear_message(value, message):
    with pytest.raises(AssertionError, match=message):
        number(value, "q", "mm")


def test_choice_accepts_case_and_spaces_and_rejects_fakes():
    assert choice(" B ", "q", "abcd") == "b"
    with pytest.raises(AssertionError, match="one letter in quotes"):
        choice(FakeStr("z"), "q", "abcd")
    with pytest.raises(AssertionError, match="must be one of"):
        choice("e", "q", "abcd")
    with pytest.raises(AssertionError, match="one letter in quotes"):
        choice(3, "q", "abcd")


def test_choices_accepts_sets_lists_and_strings():
    expected = frozenset({"a", "c"})
    for value in ({"a", "c"}, ["C", " a"], ("a", "c", "a"), "a, c", "A C", frozenset("ac")):
        assert choices(value, "q", "abcd") == expected
    with pytest.raises(AssertionError):
        choices(["a", FakeStr("c")], "q", "abcd")
    with pytest.raises(AssertionError, match="set of letters"):
        choices(3, "q", "abcd")


def test_self_checks_of_lesson_01_agree_with_the_domain():
    answers = {"01.invasive": "b", "01.mesoderm": "c", "01.method": "b", "01.tip_layer": "d",
               "01.tip_depth": 2.05, "01.max_length": 1.55}
    for exercise_id, answer in answers.items():
        assert check(exercise_id, answer).correct is True, exercise_id
    assert check("01.tip_depth", 2.5).correct is False
    assert check("01.tip_depth", "2.05").correct is False
    assert check("01.invasive", ...).correct is None


def test_every_choice_self_check_has_exactly_one_right_letter_and_hints_for_the_rest():
    for exercise in _REGISTRY.values():
        if isinstance(exercise, ChoiceExercise):
            right = [o for o in exercise.options if answer_digest(exercise.id, o) == exercise.correct_digest]
            assert len(right) == 1, exercise.id
            assert set(exercise.hints) == set(exercise.options) - set(right), exercise.id


def test_unknown_self_check_is_a_clear_error():
    with pytest.raises(ValueError, match="no self-check called 'nope'"):
        check("nope", "a")


def test_feedback_keeps_only_the_error_message_of_test_cells():
    cell = new_code_cell("assert 6.98 <= x <= 7.38, 'q1: wrong angle'")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "q1", "points": 1}
    cell.outputs = [new_output("error", ename="AssertionError", evalue="q1: wrong angle",
                               traceback=["----> 1 assert 6.98 <= x <= 7.38, 'q1: wrong angle'", "AssertionError"])]
    answer = new_code_cell("x = 1")
    answer.outputs = [new_output("error", ename="NameError", evalue="y", traceback=["line of the trainee's own code"])]
    notebook, _ = HideTestTracebacks()(new_notebook(cells=[cell, answer]), {})
    assert notebook.cells[0].outputs[0]["traceback"] == ["AssertionError: q1: wrong angle"]
    assert notebook.cells[1].outputs[0]["traceback"] == ["line of the trainee's own code"]


def test_read_number_names_a_missing_answer():
    q9_depth_mm = 0.8  # noqa: F841 (a local is not the trainee's namespace: only globals count)
    with pytest.raises(AssertionError, match="q9_depth_mm is not defined: write `q9_depth_mm = ...`"):
        read_number("q9_depth_mm", "mm")
    globals()["q10_depth_mm"] = 0.8
    assert read_number("q10_depth_mm", "mm") == 0.8


def test_order_accepts_strings_and_lists_and_rejects_incomplete_repeated_or_fake_orders():
    from mesolab.grading.answers import order

    for value in ("cabd", " C, A, B, D ", ["c", "a", "b", "d"], ("C", "a", "b", "d"), "c a b d"):
        assert order(value, "q", "abcd") == "cabd"
    with pytest.raises(AssertionError, match="missing d"):
        order("cab", "q", "abcd")
    with pytest.raises(AssertionError, match="repeated a"):
        order("caabd", "q", "abcd")
    with pytest.raises(AssertionError, match="must be one of"):
        order("cabe", "q", "abcd")
    with pytest.raises(AssertionError, match="letters in order"):
        order(FakeStr("cabd"), "q", "abcd")
    with pytest.raises(AssertionError, match="letters in order"):
        order({"c", "a", "b", "d"}, "q", "abcd")
    with pytest.raises(AssertionError):
        order(["c", "a", "b", FakeStr("d")], "q", "abcd")
