"""``mesolab report``: item analysis of an assignment, from nbgrader's gradebook.

Unit tests of :mod:`mesolab.instructor.item_analysis` on crafted score matrices (hand-computed values), and
the report of a small synthetic cohort graded by ``mesolab grade`` (real nbgrader underneath) in a temporary
course. The cohort (conftest's ``report_cohort``) is shared with ``test_feedback.py``.
"""
from __future__ import annotations

import csv
import html
import math
import re

import pytest

from cohort import COHORT, MANUAL, expected_item_scores
from mesolab.instructor import item_analysis as ia

# --- item statistics on crafted matrices (values computed by hand) ----------------------------------------

# Four trainees, three right/wrong items. Totals 3, 2, 1, 1.
#   item 1: [1,1,1,0], rest [2,1,0,1]: deviations (.25,.25,.25,-.75)·(1,0,-1,0) = 0           -> r = 0
#   item 2: [1,1,0,0], rest [2,1,1,1]: cov .5, Sxx 1, Srr .75                                 -> r = 1/√3
#   item 3: [1,0,0,1], rest [2,2,1,0]: cov -.5, Sxx 1, Srr 2.75                               -> r = -.5/√2.75
#   groups of round(0.27 × 4) = 1: top T1 (total 3), bottom T4 (last of the tied 1s)        -> D = 1, 1, 0
CRAFTED = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_difficulty_discrimination_and_upper_lower_match_hand_computed_values():
    items, cohort = ia.analyse_items(CRAFTED, [1, 1, 1])
    assert [s.difficulty for s in items] == [0.75, 0.5, 0.5]
    assert [s.full_marks for s in items] == [0.75, 0.5, 0.5]
    assert items[0].discrimination == pytest.approx(0.0, abs=1e-12)
    assert items[1].discrimination == pytest.approx(1 / math.sqrt(3))
    assert items[2].discrimination == pytest.approx(-0.5 / math.sqrt(2.75))
    assert [s.upper_lower for s in items] == [1.0, 1.0, 0.0]
    assert items[0].flags == (ia.POOR,)
    assert items[1].flags == ()
    assert items[2].flags == (ia.NEGATIVE,)
    assert items[2].urgency < items[0].urgency < items[1].urgency
    assert cohort.totals == (3, 2, 1, 1) and cohort.mean == 1.75
    assert cohort.sd == pytest.approx(math.sqrt(2.75 / 3))
    assert cohort.reliability is None and "fewer than 5" in cohort.reliability_note  # n = 4
    assert cohort.small


def test_partial_credit_item_difficulty_and_distribution():
    items, _ = ia.analyse_items([[2], [1], [0], [2]], [2])
    assert items[0].mean == 1.25 and items[0].difficulty == 0.625 and items[0].full_marks == 0.5
    assert items[0].distribution == {0.0: 1, 1.0: 1, 2.0: 2}


def test_cronbach_alpha_equals_kr20_by_hand():
    # item variances .3 and .3 (ddof 1), total variance 1: alpha = 2 × (1 − .6) = .8
    matrix = [[1, 1], [1, 1], [0, 0], [0, 0], [1, 0]]
    assert ia.cronbach_alpha(matrix) == pytest.approx(0.8)
    _, cohort = ia.analyse_items(matrix, [1, 1])
    assert cohort.reliability == pytest.approx(0.8)


def test_all_correct_gives_no_discrimination_and_flags_too_easy():
    items, cohort = ia.analyse_items([[1, 2]] * 6, [1, 2])
    for s in items:
        assert s.difficulty == 1.0 and s.discrimination is None and s.upper_lower == 0.0
        assert s.flags == (ia.TOO_EASY,) and s.band == "not computable"
    assert cohort.sd == 0.0 and cohort.reliability is None and "same total" in cohort.reliability_note


def test_zero_variance_item_among_varying_ones():
    items, _ = ia.analyse_items([[0, 1], [0, 0], [0, 1], [0, 0]], [1, 1])
    assert items[0].difficulty == 0.0 and items[0].discrimination is None
    assert items[0].flags == (ia.TOO_HARD,)


def test_single_trainee_and_empty_cohort():
    items, cohort = ia.analyse_items([[1, 0]], [1, 1])
    assert [s.difficulty for s in items] == [1.0, 0.0]
    assert all(s.discrimination is None and s.upper_lower is None for s in items)
    assert cohort.n == 1 and cohort.sd is None and cohort.reliability is None
    items, cohort = ia.analyse_items([], [1])
    assert items[0].difficulty is None and items[0].n_graded == 0 and cohort.mean is None


def test_missing_manual_grades_are_not_zero():
    # q3 (3 points) awaits manual grading for two trainees. Totals use q1 + q2 only: [2, 1, 1, 0, 2].
    # q3 graded for trainees 1, 3, 4: scores [3, 2, 0] against totals [2, 1, 0] (q3 is not in them):
    # cov 3, Sxx 42/9, Stt 2 -> r = 3 / √(84/9); p = (5/3) / 3.
    matrix = [[1, 1, 3], [1, 0, None], [0, 1, 2], [0, 0, 0], [1, 1, None]]
    items, cohort = ia.analyse_items(matrix, [1, 1, 3])
    assert cohort.complete_items == (0, 1) and cohort.max_total == 2 and cohort.totals == (2, 1, 1, 0, 2)
    q3 = items[2]
    assert (q3.n_graded, q3.n_missing) == (3, 2)
    assert q3.difficulty == pytest.approx(5 / 9)
    assert q3.discrimination == pytest.approx(3 / math.sqrt(84 / 9))
    assert q3.distribution == {0.0: 1, 2.0: 1, 3.0: 1}


def test_scores_out_of_range_or_ragged_rows_are_refused():
    with pytest.raises(ValueError):
        ia.analyse_items([[2]], [1])
    with pytest.raises(ValueError):
        ia.analyse_items([[1, 1], [1]], [1, 1])


def test_ebel_bands():
    assert [ia.ebel_band(r) for r in (-0.1, 0.1, 0.25, 0.35, 0.45, None)] == [
        "negative", "poor", "marginal", "good", "very good", "not computable"]


def test_choice_answers_are_read_in_one_canonical_form():
    from mesolab.instructor.items import choice_answers

    assert choice_answers('q2 = " B "') == {"q2": '"b"'}
    assert choice_answers('q5 = ["E", "a"]\nq6 = "a, c"') == {"q5": '{"a", "e"}', "q6": '{"a", "c"}'}
    assert choice_answers("q1 = 7.2") == {} and choice_answers("q1 = = 1") == {}
    assert choice_answers('raise NotImplementedError("x")') == {}


def test_a_free_text_item_nobody_answered_is_flagged_not_answered_rather_than_too_hard():
    from collections import Counter

    from mesolab.instructor.items import Item
    from mesolab.instructor.report import item_stats, report_html
    from mesolab.instructor.scores import Scores

    items = [Item("nb", "q1_check", 1, "Q1"), Item("nb", "q2_answer", 2, "Q2", manual=True)]
    students = [f"s{i}" for i in range(6)]
    matrix = [[float(i % 2), 0.0] for i in range(6)]
    everyone_blank = Scores("a1", items, students, matrix, ["<script>x</script>"], {("nb", "q2_answer"): set(students)})
    stats, cohort = item_stats(everyone_blank)
    assert ia.NOT_ANSWERED in stats[1].flags and ia.TOO_HARD not in stats[1].flags
    one_wrote = Scores("a1", items, students, matrix, [], {("nb", "q2_answer"): set(students[1:])})
    assert ia.TOO_HARD in item_stats(one_wrote)[0][1].flags  # a written answer with 0 points: hard, not unanswered
    images = dict.fromkeys(("score_histogram.png", "difficulty_discrimination.png", "item_scores.png"), b"")
    page = report_html(everyone_blank, stats, cohort, {i.grade_id: Counter() for i in items}, images)
    assert "Nobody wrote an answer" in page and '<span class="tag">not answered</span>' in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # a trainee id is text, never markup


def test_every_command_documents_one_exit_code_convention(capsys):
    from mesolab.instructor.cli import main

    for argv in (["--help"], ["grade", "--help"], ["feedback", "--help"], ["report", "--help"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 0
        text = capsys.readouterr().out
        assert "exit codes" in text and "1    done in part" in text and "2    nothing done" in text, argv


# --- the report of a graded cohort ------------------------------------------------------------------------

pipeline = pytest.mark.pipeline


@pytest.fixture(scope="module")
def report(report_cohort):
    from mesolab.instructor.cli import main

    assignment, course = report_cohort
    assert main(["--course", str(course), "report", assignment.name]) == 0
    folder = course / "reports" / assignment.name
    with open(folder / "item_analysis.csv", newline="", encoding="utf-8") as handle:
        rows = {row["item"]: row for row in csv.DictReader(handle)}
    return folder, rows, (folder / "report.html").read_text(encoding="utf-8")


@pipeline
@pytest.mark.timeout(300)
def test_gradebook_scores_per_item_with_ungraded_manual_items(report_cohort):
    from mesolab.instructor.scores import read_scores

    assignment, course = report_cohort
    data = read_scores(course, assignment.name)
    assert data.students == sorted(COHORT)
    assert [i.label for i in data.items] == [f"Q{n}" for n in range(1, 9)]
    expected = expected_item_scores(assignment)
    for student, row in zip(data.students, data.scores):
        by_id = dict(zip((i.grade_id for i in data.items), row))
        assert {k: by_id[k] for k in expected[student]} == expected[student], student
        manual = MANUAL.get(student, 0.0 if "blank" in student else None)  # a blank answer is auto-zeroed
        assert by_id["q8_answer"] == manual, student


@pipeline
def test_report_files_exist_and_html_is_self_contained(report, output_dir):
    import shutil

    folder, rows, page = report
    for name in ("item_analysis.csv", "report.html", "difficulty_discrimination.png", "score_histogram.png",
                 "item_scores.png"):
        assert (folder / name).stat().st_size > 500, name
        if name.endswith(".png"):  # for a person to look at
            shutil.copy(folder / name, output_dir / f"report-cohort10-{name}")
    assert (folder / "score_histogram.png").read_bytes()[:4] == b"\x89PNG"
    sources = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    assert sources and all(s.startswith(("data:image/png;base64,", "#")) for s in sources), sources
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert page.count("data:image/png;base64,") == 3
    assert "Small cohort (n = 10)" in page and "unstable" in page
    assert "not graded yet" in page.lower()


@pipeline
def test_negatively_discriminating_item_is_flagged_first_with_its_question(report):
    folder, rows, page = report
    assert float(rows["Q3"]["discrimination_r"]) < 0 and float(rows["Q3"]["upper_lower_D"]) < 0
    assert rows["Q3"]["flags"].startswith(ia.NEGATIVE)
    assert not any(ia.NEGATIVE in row["flags"] for item, row in rows.items() if item != "Q3")
    section = page.split("<h2>Items to look at</h2>")[1].split("<h2>")[0]
    first = section.split('<div class="flag')[1]
    assert 'id="item-q3_check"' in first and "Question 3 (2 points)" in first and ia.NEGATIVE in first
    assert "the longest safe insertion" in first and "dermis–fat junction" in first  # the question's text
    assert "Check the answer key and the wording first" in first


@pipeline
def test_item_statistics_and_most_frequent_wrong_answer(report, report_cohort):
    assignment, _ = report_cohort
    folder, rows, page = report
    expected = expected_item_scores(assignment)
    q1 = [expected[s]["q1_check"] for s in COHORT]
    assert float(rows["Q1"]["difficulty_p"]) == pytest.approx(sum(q1) / (2 * len(q1)), abs=1e-3)
    assert rows["Q1"]["n_graded"] == "10" and rows["Q8"]["n_not_graded"] == "7"
    # q2: "b" from s04, s05, s06 ("B "), s08; "d" from s07; the blank notebook has no answer.
    assert rows["Q2"]["most_frequent_wrong_answer"] == '"b"' and rows["Q2"]["times_chosen"] == "4"
    distractors = page.split("Most frequent wrong answers")[1]
    assert '"b" — papillary dermis' in html.unescape(distractors) and "4 of 5 wrong" in distractors
    assert rows["Q1"]["most_frequent_wrong_answer"] == ""  # a numeric question has no distractor


@pipeline
def test_unknown_assignment_is_an_error_not_a_traceback(report_cohort, capsys):
    from mesolab.instructor.cli import main

    _, course = report_cohort
    assert main(["--course", str(course), "report", "99_nothing"]) == 2
    assert "unknown assignment" in capsys.readouterr().err


@pipeline
def test_output_folder_can_be_chosen(report_cohort, tmp_path, capsys):
    from mesolab.instructor.cli import main

    assignment, course = report_cohort
    assert main(["--course", str(course), "report", assignment.name, "--output", str(tmp_path / "out")]) == 0
    assert str(tmp_path / "out" / "report.html") in capsys.readouterr().out
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"report.html", "item_analysis.csv"}
