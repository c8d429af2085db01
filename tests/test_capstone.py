"""Module 09, the capstone: one virtual patient per trainee.

The cases (deterministic per id, varied, valid, about as often "do not inject" as not), the words they are shown
in, whose case a notebook shows, and the grading: the source graded as several trainees gets full marks, and a
trainee's correct answers graded under another trainee's id score nothing on the items that depend on the case,
through the real nbgrader pipeline.
"""
from __future__ import annotations

import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from mesolab.acne import classify_scar, gags_score, injection_advice, worst_lesion
from mesolab.capstone import case_for, case_text
from mesolab.cocktails import lidocaine_limit_mg, max_volume_ml
from mesolab.complications import triage
from mesolab.knowledge import knowledge
from mesolab.procedure import plan_course
from mesolab.screening import screen
from mesolab.skin import layer_at_depth, needle_tip_depth_mm

IDS = [f"trainee{i:03d}" for i in range(200)]
#: Items whose right answer is a number or a date drawn for the case (the others are choices two cases can share).
VARIANT_ITEMS = {"q2_check": ("gags", "lesions"), "q5_check": ("depth",), "q7_check": ("mg", "ml"),
                 "q8_check": ("last",)}


def expected(student_id: str) -> dict[str, object]:
    """The grader's composition of the domain functions on the structured case (as the hidden tests do)."""
    case = case_for(student_id)
    outcome = screen(case.intake).outcome
    scar = classify_scar(case.scar.width_mm, case.scar.depth_mm, case.scar.edges)
    inflamed = any(lesion in ("papule", "pustule", "nodule") for area in case.acne for lesion in area.lesions)
    verdict = injection_advice(scar.target).verdict
    decision = ("decline" if outcome == "decline" else "defer" if outcome == "defer" else "treat acne first"
                if inflamed else "other scar treatment" if verdict != "plausible" else "inject")
    depth = needle_tip_depth_mm(case.needle.inserted_mm, case.needle.angle_deg)
    mg = lidocaine_limit_mg(case.weight_kg)
    return {
        "outcome": outcome, "scar": scar.target, "decision": decision,
        "gags": gags_score({area.area: worst_lesion(area.lesions) for area in case.acne}),
        "lesions": sum(a.comedones + a.papules + a.pustules + a.nodules for a in case.acne),
        "depth": round(depth, 4), "layer": layer_at_depth(case.scar.region, depth, case.sex).layer_id,
        "mg": mg, "ml": max_volume_ml(mg, case.lidocaine_percent),
        "last": plan_course(case.start, case.protocol).session_dates[-1].isoformat(),
        "urgency": triage(case.follow_up.presentation).urgency,
    }


@pytest.fixture(scope="module")
def cohort() -> dict[str, dict[str, object]]:
    return {student: expected(student) for student in IDS}


# --- the cases ---------------------------------------------------------------------------------------------

def test_the_same_id_gives_the_same_case_in_another_process():
    code = "from mesolab.capstone import case_for; print(repr(case_for('ana.lima')))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout.strip()
    assert other == repr(case_for("ana.lima"))
    assert case_for("ana.lima") != case_for("Ana.lima")


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "x" * 201])
def test_an_unusable_id_is_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="student_id"):
        case_for(bad)


def test_200_ids_give_at_least_50_distinct_valid_cases(cohort):
    assert len({repr(case_for(student)) for student in IDS}) >= 50
    # valid: every step of the chain ran (the cohort fixture) and found what a case needs
    for student, answers in cohort.items():
        assert answers["scar"] is not None, student
        assert answers["layer"] != "stratum_corneum", student


def test_do_not_inject_is_about_as_likely_as_inject(cohort):
    not_today = sum(a["decision"] != "inject" for a in cohort.values()) / len(cohort)
    assert 0.30 <= not_today <= 0.50, not_today
    decisions = Counter(a["decision"] for a in cohort.values())
    assert set(decisions) == {"inject", "defer", "decline", "treat acne first", "other scar treatment"}, decisions


def test_every_case_has_at_most_one_reason_not_to_inject(cohort):
    """So each case has one defensible decision, whatever order the gates are checked in."""
    for student, a in cohort.items():
        inflamed = any(area.papules or area.pustules or area.nodules for area in case_for(student).acne)
        reasons = [a["outcome"] in ("defer", "decline"), inflamed, injection_advice(a["scar"]).verdict != "plausible"]
        assert sum(reasons) <= 1, (student, a)


def test_the_knowledge_file_says_what_the_domain_functions_find():
    kb = knowledge().capstone
    from mesolab.screening import healthy_adult

    for scenario in kb.intake:
        intake = healthy_adult() | {"planned_ingredients": list(kb.cocktail.ingredients)} | dict(scenario.answers)
        assert screen(intake).outcome == scenario.outcome, scenario.id
    for student in IDS[:80]:
        case = case_for(student)
        follow = next(f for f in kb.follow_up if f.says == case.follow_up.says)
        assert triage(case.follow_up.presentation).urgency == follow.urgency, follow.id


def test_an_absolute_contraindication_never_proceeds_and_unknown_defers(cohort):
    for student, a in cohort.items():
        intake = case_for(student).intake
        if "lidocaine" in intake["allergies"]:
            assert a["outcome"] == "decline" and a["decision"] == "decline", student
        if "unknown" in intake.values():
            assert a["outcome"] == "defer", student


def test_two_trainees_almost_never_share_a_number_item(cohort):
    """Copying fails on the numeric items: over all pairs of 100 trainees, each item's answers coincide rarely."""
    pairs = list(itertools.combinations(IDS[:100], 2))
    for item, keys in VARIANT_ITEMS.items():
        same = sum(all(cohort[a][k] == cohort[b][k] for k in keys) for a, b in pairs) / len(pairs)
        assert same <= 0.05, (item, same)


def test_the_words_name_no_answer():
    from mesolab.capstone import area_words

    for student in IDS[:40]:
        case = case_for(student)
        text = case_text(case)
        for word in ("GAGS", "boxcar", "rolling", "ice-pick", "ice pick", "dermis", "proceed", "defer", "decline",
                     "urgent", "emergency", "reassure", " mg", " mL"):
            assert word not in text, (student, word)
        for area in case.acne:
            assert not any(name in area_words(area) for name in ("papule", "pustule", "nodule", "comedone")), student
        assert f"{case.weight_kg:g} kg" in text and f"{case.needle.angle_deg:g}°" in text


# --- whose case a notebook shows ---------------------------------------------------------------------------

@pytest.fixture
def no_ids(monkeypatch, tmp_path):
    from mesolab import progress

    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "progress.json"))
    monkeypatch.delenv("MESOLAB_STUDENT_ID", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return monkeypatch


def test_the_grader_id_beats_the_hub_login_which_beats_a_typed_id(no_ids):
    from mesolab.lessons.capstone import my_patient, set_trainee_id, trainee_id

    assert trainee_id() is None and "No trainee id yet" in my_patient()._repr_html_()
    set_trainee_id("  self.study ")
    assert trainee_id() == ("self.study", "the id you typed (self-study)")
    assert "self.study" in my_patient()._repr_html_()
    no_ids.setenv("JUPYTERHUB_USER", "hub.user")
    assert trainee_id()[0] == "hub.user"
    assert "not used" in set_trainee_id("someone.else")._repr_html_()
    no_ids.setenv("MESOLAB_STUDENT_ID", "graded.one")
    assert trainee_id()[0] == "graded.one"
    page = my_patient()._repr_html_()
    assert "graded.one" in page and case_for("graded.one").name in page


def test_the_lessons_worked_example_is_the_case_its_self_checks_describe():
    from mesolab.lessons.capstone import WORKED_EXAMPLE_ID
    from mesolab.selfcheck import check

    answers = expected(WORKED_EXAMPLE_ID)
    assert answers["decision"] == "treat acne first" and answers["outcome"] in ("proceed", "caution")
    assert answers["scar"] == "boxcar_shallow"
    assert check("09.decision", "e").correct and not check("09.decision", "a").correct
    assert check("09.depth", 1.41).correct and not check("09.depth", answers["depth"]).correct
    assert check("09.ceiling", 300).correct and not check("09.ceiling", 360).correct


def test_graded_student_exists_only_while_grading():
    from mesolab.grading.isolated import graded_student

    with pytest.raises(AssertionError, match="no student is being graded"):
        graded_student()


@pytest.mark.parametrize("value, read", [(" 2027-03-05 ", "2027-03-05"), ("2027-3-5", None), ("2027-02-30", None),
                                         (20270305, None), (None, None)])
def test_dates_are_read_strictly(value, read):
    from mesolab.grading.answers import iso_date

    if read is None:
        with pytest.raises(AssertionError, match="q8"):
            iso_date(value, "q8")
    else:
        assert iso_date(value, "q8") == read


# --- grading: the hidden tests on twenty trainees, then the real pipeline ------------------------------------

def _hidden_test_scores(student: str, answers: dict[str, object]) -> dict[str, bool]:
    """Each test cell of the source, run as IsolatedExecute runs it: on the answers as data, for ``student``."""
    from course import Assignment
    from mesolab.grading import isolated

    passed = {}
    isolated._graded["student"] = student
    try:
        for cell in Assignment.load("09_capstone").test_cells:
            try:
                exec(compile(cell.source, "<test>", "exec"), {"__builtins__": __builtins__, **answers})
                passed[cell.metadata["nbgrader"]["grade_id"]] = True
            except AssertionError:
                passed[cell.metadata["nbgrader"]["grade_id"]] = False
    finally:
        isolated._graded.pop("student", None)
    return passed


def test_twenty_trainees_get_full_marks_and_their_neighbours_copies_fail_every_number_item():
    from course import Assignment, correct_values

    assignment = Assignment.load("09_capstone")
    students = IDS[:20]
    keys = {student: correct_values(assignment, student) for student in students}
    for student in students:
        assert all(_hidden_test_scores(student, keys[student]).values()), student
    for owner, grader in zip(students, students[1:] + students[:1]):
        copied = _hidden_test_scores(grader, keys[owner])
        mine, theirs = expected(owner), expected(grader)
        for item, names in VARIANT_ITEMS.items():
            if any(mine[name] != theirs[name] for name in names):
                assert not copied[item], (owner, grader, item)


# --- grading through the real pipeline ---------------------------------------------------------------------

@pytest.mark.pipeline
@pytest.mark.timeout(900)
def test_each_trainee_is_graded_on_their_own_case_and_copies_score_nothing(tmp_path):
    from course import (TEST_CELL_TIMEOUT_S, Assignment, answers_with, correct_values, grade_with_mesolab,
                        make_course, submit)
    from mesolab.instructor.course import gradebook, load_config

    assignment = Assignment.load("09_capstone")
    course = make_course(tmp_path / "course", assignment.name)
    owners = ["ana.lima", "ben.okafor"]
    for student in owners:  # each writes the numbers and letters of their own patient
        submit(course, assignment, student, assignment.submission(course, answers_with(
            assignment, correct_values(assignment, student))))
    submit(course, assignment, "fay.source", assignment.submission(course, assignment.correct_answers()))
    owners.append("fay.source")  # the instructor's solution code, run in fay's kernel, finds fay's patient
    submit(course, assignment, "dev.copy", assignment.submission(course, answers_with(
        assignment, correct_values(assignment, "ana.lima"))))
    # Copies, and tries to make the grader use ana's case: the kernel's variable, and a name the tests use.
    spoof = ('import os\nos.environ["MESOLAB_STUDENT_ID"] = "ana.lima"\ngraded_student = "ana.lima"\n'
             'case_for = "ana.lima"\n')
    copied = answers_with(assignment, correct_values(assignment, "ana.lima"))
    first = next(iter(copied))
    submit(course, assignment, "eve.spoof", assignment.submission(course, copied | {first: spoof + copied[first]}))
    grade_with_mesolab(course, assignment.name, TEST_CELL_TIMEOUT_S)
    # plain `nbgrader autograde` grades 09 the same way (tests/test_pipeline.py regrades "correct" with it); a kernel
    # outside the sandbox gets the student id from the grader too (the instructor's solution code finds fay's patient)
    unsandboxed = subprocess.run([str(Path(sys.executable).parent / "mesolab"), "--course", str(course), "grade",
                                  assignment.name, "--no-sandbox", "--force", "--student", "fay.source",
                                  "--cell-timeout", str(TEST_CELL_TIMEOUT_S)], capture_output=True, text=True,
                                 timeout=300)
    assert unsandboxed.returncode == 0, unsandboxed.stderr[-3000:]

    ana, dev = expected("ana.lima"), expected("dev.copy")
    for keys in VARIANT_ITEMS.values():  # the premise: their numbers differ on every variant item
        assert all(ana[k] != dev[k] for k in keys), keys
    eve = expected("eve.spoof")
    with gradebook(load_config(course)) as book:
        def score(student: str, grade_id: str) -> float:
            return book.find_grade(grade_id, "09_capstone", assignment.name, student).score

        for student in owners:
            assert book.find_submission(assignment.name, student).code_score == assignment.auto_points, student
        for item, keys in VARIANT_ITEMS.items():
            assert score("dev.copy", item) == 0, item
            if all(ana[k] != eve[k] for k in keys):
                assert score("eve.spoof", item) == 0, item

    # After grading, each trainee's summary shows the answers THEIR case expected; the report still runs per item.
    mesolab = str(Path(sys.executable).parent / "mesolab")
    for command in (["feedback", assignment.name], ["report", assignment.name]):
        result = subprocess.run([mesolab, "--course", str(course), *command], capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
    for student, answers in (("ana.lima", ana), ("dev.copy", dev)):
        summary = (course / "feedback" / student / assignment.name / "summary.html").read_text(encoding="utf-8")
        assert "expected answers" in summary and f"&#39;{answers['last']}&#39;" in summary, student
    assert f"&#39;{ana['last']}&#39;" not in (course / "feedback" / "dev.copy" / assignment.name / "summary.html"
                                             ).read_text(encoding="utf-8")
    report = (course / "reports" / assignment.name).glob("*.csv")
    rows = next(report).read_text(encoding="utf-8")
    assert all(item in rows for item in VARIANT_ITEMS), rows[:500]
