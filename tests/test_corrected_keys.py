"""Keys corrected after the clinical review (issue 16, modules 01–03): the old key now scores 0 and the new one
full marks, in the very hidden-test cell nbgrader runs; keys that depend on anatomy agree with the domain model."""
from __future__ import annotations

import re

import pytest

from course import Assignment
from mesolab.techniques import lands_in_target
from mesolab.skin import layer_at_depth, needle_tip_depth_mm

_SOLUTION = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$", re.M)

# (assignment, test cell grade_id, the old key's answers, the new key's answers)
CHANGED_KEYS = [
    # A01 Q7(g) was "1 mm at 10°" (0.17 mm), called "not in the dermis" only by the ultrasound epidermis of 0.2 mm;
    # by histology (0.03–0.12 mm) it is dermis. Now "1 mm at 60°", in the dermis by every method.
    ("01_skin_layers", "q7_check", {"q7_in_dermis": {"a", "c", "f"}}, {"q7_in_dermis": {"a", "c", "f", "g"}}),
    # A02 Q5 keyed shallow boxcars as a first treatment on Halachmi 2013, which injected after fractional
    # resurfacing (ice-pick scars included) and judged the result immediately. Now it asks what the evidence supports.
    ("02_acne_assessment", "q5_check", {"q5_targets": {"a", "e"}}, {"q5_evidence": "b"}),
]


def _test_cell(assignment: Assignment, grade_id: str) -> str:
    cell = next(c for c in assignment.test_cells if c.metadata["nbgrader"]["grade_id"] == grade_id)
    return _SOLUTION.sub("", cell.source)


def _scores(assignment: Assignment, grade_id: str, answers: dict[str, object]) -> bool:
    """True if the hidden-test cell passes (full marks), False if it fails (nbgrader gives 0 points)."""
    namespace: dict[str, object] = dict(answers)
    try:
        exec(compile(_test_cell(assignment, grade_id), f"<{grade_id}>", "exec"), namespace)
    except (AssertionError, NameError):
        return False
    return True


@pytest.mark.parametrize("name, grade_id, old, new", CHANGED_KEYS, ids=[f"{a}:{g}" for a, g, *_ in CHANGED_KEYS])
def test_old_key_scores_zero_and_new_key_full(name, grade_id, old, new):
    assignment = Assignment.load(name)
    assert _scores(assignment, grade_id, new), "the corrected key must earn full marks"
    assert not _scores(assignment, grade_id, old), "the old key must now score 0"


def test_a01_q7_key_follows_from_the_stated_ultrasound_borders():
    """Woman's forehead by ultrasound: epidermis 0.2 mm, dermis 0.86 mm (the question's own numbers)."""
    options = {"a": (4, 10), "b": (4, 30), "c": (2, 20), "d": (3, 45), "e": (1.5, 90), "f": (6, 5), "g": (1, 60)}
    in_dermis = {letter for letter, (length, angle) in options.items()
                 if 0.2 < needle_tip_depth_mm(length, angle) <= 0.2 + 0.86}
    assert in_dermis == {"a", "c", "f", "g"}
    assert _scores(Assignment.load("01_skin_layers"), "q7_check", {"q7_in_dermis": in_dermis})
    # No option lies so shallow that the method (ultrasound 0.2 mm vs histology ≤ 0.12 mm epidermis) would decide it.
    assert all(needle_tip_depth_mm(length, angle) > 0.3 for length, angle in options.values())


def test_a03_q7_key_follows_from_the_domain_model():
    """No option now rests on a deposit 'inside the epidermis' at a placed depth of under 0.2 mm."""
    options = {"a": ("nappage", 3, 10), "b": ("papule", 1.5, 10), "c": ("papule", 2, 45), "d": ("nappage", 4, 30),
               "e": ("nappage", 2, 15), "f": ("intra_epidermal", 2, 20)}
    wrong = {letter for letter, (technique, length, angle) in options.items()
             if lands_in_target(technique, "forehead", needle_tip_depth_mm(length, angle), "female") is False}
    assert wrong == {"c", "d", "f"}
    assert _scores(Assignment.load("03_injection_techniques"), "q7_check", {"q7_wrong": wrong})
    assert layer_at_depth("forehead", needle_tip_depth_mm(2, 20), "female").layer_id != "epidermis"
