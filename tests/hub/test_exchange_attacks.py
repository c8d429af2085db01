"""Trainees attack the exchange and the grader on a cohort built by setup_cohort.py; every attack must fail while the
honest path keeps working.

Real unix users, the real nbgrader commands (each run as its unix user, in a clean environment, with the cohort's
own configuration: the shared one for trainees, the course's for the instructor), the real exchange. One honest
trainee writes the solution; each attacker does one kind of attack (issue: symlink to the solutions, links that
read the instructor's files, a folder forged for another trainee, folders that used to stop collect for everyone,
a forged submission time, code that runs the solutions and writes as the instructor). Then the instructor runs
collect, plain `nbgrader autograde`, generate_feedback and release_feedback exactly as docs/running-a-cohort.md
says, and the trainees fetch their feedback. Each test checks one attack and its control: the attack fails, the
honest trainee's grade and feedback are right, and collect finished for everyone else.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

import hubkit
from course import (STEAL_SOLUTIONS, Assignment, _last_cell_appended, answer_options, answers_with,
                    correct_values, wrong_value)

pytestmark = [pytest.mark.hub, pytest.mark.timeout(1800)]

ASSIGNMENT = "01_skin_layers"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ROLES = ["honest", "symlink_solutions", "reads_files", "forger", "disruptor", "late_forged", "late_edit",
         "runs_solutions"]
#: What the code that runs the solutions also tries: a file in the instructor's course folder.
WRITE_AS_INSTRUCTOR = """
try:
    open(_os.path.join(_root, 'written-by-trainee-code'), 'w').write('pwned')
except OSError as _error:
    print('could not write into the course:', type(_error).__name__)
"""
#: Folders the disruptor adds, newest last; each must be skipped with its reason, and collect must go on.
DISRUPTIONS = {
    "loop": "not a notebook the assignment released",  # a valid folder plus symlink loops: loops skipped
    "sparse": "more than the limit",
    "closed": "cannot be opened (Permission denied)",
    "shadow": "a symbolic link",
    "fifo": "not a regular file (a FIFO)",
    "hardlink": "a hard link",
    "crowded": "more than 64 files",
    "dirlink": "not a real folder",
    "badtime": "the time in its name does not parse",
    "newline": "newline or control character",
}


@pytest.fixture(scope="module")
def cohort():
    hubkit.require_root()
    hubkit.remove_leftovers()
    created = hubkit.create_cohort(trainee_count=len(ROLES))
    try:
        yield created
    finally:
        hubkit.remove_cohort(created)


@dataclass
class Run:
    cohort: hubkit.Cohort
    who: dict[str, str]  # role -> unix user
    collect_log: str
    collect_seconds: float
    scores: dict[str, float | None]
    seconds_late: dict[str, float]
    duedate: dt.datetime
    feedback: dict[str, list[Path]]  # role -> feedback pages they fetched
    notes: dict[str, object] = field(default_factory=dict)

    def submitted(self, role: str) -> Path:
        return self.cohort.course / "submitted" / self.who[role] / ASSIGNMENT


def nbgrader_as(user: str, *args: str, check: bool = True):
    return hubkit.run_as(user, [str(hubkit.PREFIX / "bin" / "nbgrader"), *args], cwd=Path(pwd.getpwnam(user).pw_dir),
                         check=check)


def python_as(user: str, code: str, *args: str) -> str:
    """Code run as ``user`` (a trainee's terminal or kernel)."""
    return hubkit.run_as(user, [str(hubkit.PREFIX / "bin" / "python"), "-c", code, *args],
                         cwd=Path(pwd.getpwnam(user).pw_dir)).stdout


def write_answers(user: str, answers: dict[str, str]) -> None:
    path = Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    entry = pwd.getpwnam(user)
    nbformat.write(notebook, path)  # as the trainee saving in JupyterLab: their file, their owner
    os.chown(path, entry.pw_uid, entry.pw_gid)


def own_folders(cohort: hubkit.Cohort, user: str) -> list[Path]:
    return sorted((cohort.course_folder / "inbound").glob(f"{user}+{ASSIGNMENT}+*"))


PLANT = r'''
import json, os, sys, shutil
inbound, source_dir, own, victim, stamps = json.loads(sys.argv[1])
'''


def plant(user: str, cohort: hubkit.Cohort, victim: str, code: str) -> str:
    """``code`` run as ``user`` after their submission, with the paths a trainee knows (their own folder's name is
    in nbgrader submit's output; inbound/ itself cannot be listed)."""
    # nbgrader's own time format, later than now: each name claims to be the newest submission
    later = [(dt.datetime.utcnow() + dt.timedelta(minutes=k + 1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
             for k in range(300)]
    arg = json.dumps([str(cohort.course_folder / "inbound"), str(cohort.course / "source" / ASSIGNMENT),
                      str(own_folders(cohort, user)[0]), victim, later])
    return python_as(user, PLANT + code, arg)


@pytest.fixture(scope="module")
def run(cohort: hubkit.Cohort, hub_output_dir: Path) -> Run:
    who = dict(zip(ROLES, cohort.trainees))
    assignment = Assignment.load(ASSIGNMENT)
    right = correct_values(assignment)
    options = answer_options(assignment)
    wrong = answers_with(assignment, {n: wrong_value(v, options.get(n)) for n, v in right.items()})
    answers = {role: wrong for role in ROLES}
    answers["honest"] = assignment.correct_answers()
    answers["runs_solutions"] = _last_cell_appended(wrong, STEAL_SOLUTIONS + WRITE_AS_INSTRUCTOR)
    timings: dict[str, float] = {}
    started = time.monotonic()

    hubkit.instructor_nbgrader(cohort, "generate_assignment", ASSIGNMENT)
    hubkit.instructor_nbgrader(cohort, "release_assignment", ASSIGNMENT)
    # Late submissions score 0 in this course, so a forged time would be worth full marks.
    with open(cohort.course / "nbgrader_config.py", "a") as handle:
        handle.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')

    def work(role: str) -> None:
        user = who[role]
        nbgrader_as(user, "fetch_assignment", ASSIGNMENT)
        write_answers(user, answers[role])
        if role != "late_forged":
            nbgrader_as(user, "submit", ASSIGNMENT)

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(work, ROLES))
    timings["fetched and submitted"] = time.monotonic() - started
    honest = who["honest"]

    # Attack 1: the submitted notebook becomes a symlink to the instructor's solutions; and a newer "submission"
    # that is a symlink to the instructor's source folder.
    plant(who["symlink_solutions"], cohort, honest, r'''
os.unlink(os.path.join(own, "01_skin_layers.ipynb"))
os.symlink(os.path.join(source_dir, "01_skin_layers.ipynb"), os.path.join(own, "01_skin_layers.ipynb"))
os.symlink(source_dir, os.path.join(inbound, f"{os.environ['USER']}+01_skin_layers+{stamps[0]}+dirlink"))
''')
    # Attack 2: links named like feedback pages, to the gradebook, source/ and another trainee's submission.
    plant(who["reads_files"], cohort, honest, r'''
course = os.path.dirname(os.path.dirname(source_dir))
for name, target in {"gradebook.html": os.path.join(course, "gradebook.db"),
                     "source.html": os.path.join(source_dir, "01_skin_layers.ipynb"),
                     "other.html": os.path.join(course, "submitted", victim, "01_skin_layers", "01_skin_layers.ipynb"),
                     "other.ipynb": os.path.join(course, "submitted", victim, "01_skin_layers", "01_skin_layers.ipynb")
                     }.items():
    os.symlink(target, os.path.join(own, name))
''')
    # Attack 3: a folder named for the honest trainee, later than theirs, with wrong answers and our own secret.
    plant(who["forger"], cohort, honest, r'''
forged = os.path.join(inbound, f"{victim}+01_skin_layers+{stamps[0]}+forged")
os.mkdir(forged)
for name in ("01_skin_layers.ipynb", "submission_secret.txt", "timestamp.txt"):
    shutil.copy(os.path.join(own, name), os.path.join(forged, name))
os.chmod(forged, 0o777)
print(open(os.path.join(forged, "submission_secret.txt")).read())
''')
    # Attack 4: folders that used to stop the whole class's collect.
    plant(who["disruptor"], cohort, honest, r'''
me = os.environ["USER"]
def folder(tag, k):
    path = os.path.join(inbound, f"{me}+01_skin_layers+{stamps[k]}+{tag}")
    shutil.copytree(own, path)
    return path
for k in range(30):  # many folders from one trainee: only the newest are looked into
    os.mkdir(os.path.join(inbound, f"{me}+01_skin_layers+{stamps[100 + k]}+many{k}"))
p = folder("loop", 1)
os.symlink(".", os.path.join(p, "loop")); os.symlink("..", os.path.join(p, "up"))
os.symlink("a", os.path.join(p, "b")); os.symlink("b", os.path.join(p, "a"))
p = folder("sparse", 2)
os.truncate(os.path.join(p, "01_skin_layers.ipynb"), 20 * 2**30)
p = folder("closed", 3); os.chmod(p, 0)
p = folder("shadow", 4); os.unlink(os.path.join(p, "01_skin_layers.ipynb"))
os.symlink("/etc/shadow", os.path.join(p, "01_skin_layers.ipynb"))
p = folder("fifo", 5); os.unlink(os.path.join(p, "01_skin_layers.ipynb")); os.mkfifo(os.path.join(p, "01_skin_layers.ipynb"))
p = folder("hardlink", 6)
os.link(os.path.join(p, "01_skin_layers.ipynb"), os.path.join(os.path.expanduser("~"), "second-name.ipynb"))
p = folder("crowded", 7)
for k in range(100):
    open(os.path.join(p, f"f{k}"), "w").close()
os.symlink(os.path.expanduser("~"), os.path.join(inbound, f"{me}+01_skin_layers+{stamps[8]}+dirlink"))
folder("", 9)
os.rename(os.path.join(inbound, f"{me}+01_skin_layers+{stamps[9]}+"), os.path.join(inbound, f"{me}+01_skin_layers+in the year 3000+badtime"))
folder("", 10)
os.rename(os.path.join(inbound, f"{me}+01_skin_layers+{stamps[10]}+"), os.path.join(inbound, f"{me}+01_skin_layers+{stamps[10]}+new\nline"))
''')
    timings["attacks planted"] = time.monotonic() - started

    # The due date passes. Attack 5: a late submission with a forged name and timestamp.txt, and an on-time
    # submission whose notebook is rewritten (with the right answers) after the due date.
    duedate = dt.datetime.utcnow().replace(microsecond=0) + dt.timedelta(seconds=1)
    hubkit.instructor_nbgrader(cohort, "db", "assignment", "add", ASSIGNMENT,
                               f"--duedate={duedate:%Y-%m-%d %H:%M:%S} UTC")
    time.sleep(max(0.0, (duedate - dt.datetime.utcnow()).total_seconds()) + 1.5)
    nbgrader_as(who["late_forged"], "submit", ASSIGNMENT)
    forged_time = (duedate - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    plant(who["late_forged"], cohort, honest, r'''
stamp = stamps[-1]
forged_time = sys.argv[2]
open(os.path.join(own, "timestamp.txt"), "w").write(forged_time)
parts = os.path.basename(own).split("+")
os.rename(own, os.path.join(inbound, "+".join([parts[0], parts[1], forged_time, parts[3]])))
'''.replace("sys.argv[2]", repr(forged_time)))
    right_answers = json.dumps(answers["honest"])
    plant(who["late_edit"], cohort, honest, r'''
nb = json.load(open(os.path.join(own, "01_skin_layers.ipynb")))
right = json.loads(RIGHT)
for cell in nb["cells"]:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if gid in right:
        cell["source"] = right[gid]
with open(os.path.join(own, "01_skin_layers.ipynb"), "w") as handle:  # rewritten in place, after the due date
    json.dump(nb, handle)
'''.replace("RIGHT", repr(right_answers)))

    # The instructor, as docs/running-a-cohort.md says.
    started_collect = time.monotonic()
    collected = hubkit.instructor_nbgrader(cohort, "collect", ASSIGNMENT, timeout=300)
    collect_seconds = time.monotonic() - started_collect
    collect_log = collected.stdout + collected.stderr
    (hub_output_dir / "collect.log").write_text(collect_log)
    hubkit.instructor_nbgrader(cohort, "autograde", ASSIGNMENT, timeout=900)
    hubkit.instructor_nbgrader(cohort, "generate_feedback", ASSIGNMENT)
    released = hubkit.instructor_nbgrader(cohort, "release_feedback", ASSIGNMENT)
    (hub_output_dir / "release_feedback.log").write_text(released.stdout + released.stderr)
    timings["graded and released"] = time.monotonic() - started

    def fetch(role: str) -> list[Path]:
        user = who[role]
        nbgrader_as(user, "fetch_feedback", ASSIGNMENT, check=False)
        return sorted((Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / "feedback").glob("*/*"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        feedback = dict(zip(ROLES, pool.map(fetch, ROLES)))
    timings["feedback fetched"] = time.monotonic() - started
    scores, late = _gradebook(cohort)
    hubkit.save_json(hub_output_dir / "exchange-attack-timings.json", timings | {"collect": collect_seconds})
    return Run(cohort, who, collect_log, collect_seconds, {r: scores.get(who[r]) for r in ROLES},
               {r: late.get(who[r], 0.0) for r in ROLES}, duedate, feedback,
               {"auto_points": assignment.auto_points})


def _gradebook(cohort: hubkit.Cohort) -> tuple[dict[str, float], dict[str, float]]:
    """Autograded points after nbgrader's late penalty (kept apart from the points), and seconds late."""
    from mesolab.instructor.course import gradebook, load_config

    scores, late = {}, {}
    with gradebook(load_config(cohort.course)) as book:
        for submission in book.assignment_submissions(ASSIGNMENT):
            student = submission.student_id
            scores[student] = submission.code_score - (submission.late_submission_penalty or 0.0)
            late[student] = submission.total_seconds_late
    return scores, late


def _line(run: Run, *needles: str) -> str:
    for line in run.collect_log.splitlines():
        if all(n in line for n in needles):
            return line
    raise AssertionError(f"no collect line with {needles}:\n{run.collect_log[-5000:]}")


# --- the controls, shared by every attack -------------------------------------------------------------------------

def test_honest_trainee_gets_full_marks_on_time_and_their_feedback(run: Run):
    assert run.scores["honest"] == run.notes["auto_points"], run.scores
    assert run.seconds_late["honest"] == 0.0
    pages = run.feedback["honest"]
    assert [p.name for p in pages] == [f"{ASSIGNMENT}.html"], pages
    html = pages[0].read_text()
    assert "BEGIN SOLUTION" not in html and "BEGIN HIDDEN TESTS" not in html
    assert (run.submitted("honest") / NOTEBOOK).is_file()


def test_collect_finished_for_everyone_and_summed_up(run: Run):
    summary = _line(run, "collect 01_skin_layers:")
    collected = sorted(p.parent.name for p in (run.cohort.course / "submitted").glob(f"*/{ASSIGNMENT}"))
    # Everyone but the trainee whose only folder held nothing collectable.
    expected = sorted(u for r, u in run.who.items() if r != "symlink_solutions")
    assert collected == expected, (collected, summary)
    assert f"{len(expected)} collected" in summary and run.who["symlink_solutions"] in summary


# --- attack 1: a symlink to the solutions -------------------------------------------------------------------------

def test_a_notebook_symlinked_to_the_solutions_is_not_collected(run: Run):
    user = run.who["symlink_solutions"]
    assert _line(run, user, f"{NOTEBOOK}: a symbolic link")
    assert _line(run, user, "+dirlink", "not a real folder")
    assert not run.submitted("symlink_solutions").exists()
    assert run.scores["symlink_solutions"] in (None, 0.0)
    for page in run.feedback["symlink_solutions"]:
        assert "BEGIN SOLUTION" not in page.read_text()


# --- attack 2: links that read the instructor's files ---------------------------------------------------------------

def test_links_to_the_gradebook_source_and_others_are_never_copied_nor_released(run: Run):
    user = run.who["reads_files"]
    files = sorted(p.name for p in run.submitted("reads_files").iterdir())
    assert files == [NOTEBOOK, "submission_secret.txt", "timestamp.txt"], files
    for name in ("gradebook.html", "source.html", "other.html", "other.ipynb"):
        assert _line(run, user, f"/{name}: not a notebook the assignment released")
    assert [p.name for p in run.feedback["reads_files"]] == [f"{ASSIGNMENT}.html"]
    page = run.feedback["reads_files"][0].read_text()
    assert "SQLite format" not in page and "BEGIN SOLUTION" not in page
    assert run.scores["reads_files"] == 0.0
    released = list((run.cohort.course_folder / "feedback").iterdir())
    assert len(released) == len(run.who) - 1, "one page per collected trainee, nothing else"


# --- attack 3: a folder forged in another trainee's name -------------------------------------------------------------

def test_a_folder_named_for_another_trainee_is_refused(run: Run):
    from nbgrader.utils import notebook_hash

    victim, forger = run.who["honest"], run.who["forger"]
    assert _line(run, f"{victim}+{ASSIGNMENT}+", "+forged", f"owned by {forger}")
    assert run.scores["honest"] == run.notes["auto_points"]
    forged = next((run.cohort.course_folder / "inbound").glob(f"{victim}+*+forged"))
    secret = (forged / "submission_secret.txt").read_text()
    stolen = run.cohort.course_folder / "feedback" / f"{notebook_hash(secret=secret, notebook_id=ASSIGNMENT)}.html"
    # The forger's secret opens only the forger's own page, never the victim's.
    assert stolen.exists() and stolen.read_bytes() == run.feedback["forger"][0].read_bytes()
    assert run.scores["forger"] == 0.0


# --- attack 4: folders that stopped collect for the whole class -------------------------------------------------------

@pytest.mark.parametrize("tag", list(DISRUPTIONS))
def test_a_hostile_folder_is_skipped_with_its_reason_and_collect_goes_on(run: Run, tag: str):
    user = run.who["disruptor"]
    tag_text = {"newline": "new\\nline", "badtime": "in the year 3000+badtime"}.get(tag, f"+{tag}")
    assert _line(run, user, tag_text, DISRUPTIONS[tag])
    assert run.collect_seconds < 60, f"collect took {run.collect_seconds:.0f} s"
    size = sum(p.stat().st_size for p in run.submitted("disruptor").rglob("*"))
    assert size < 1_000_000, f"the disruptor's collected folder holds {size} bytes"


def test_many_folders_from_one_trainee_cost_one_line(run: Run):
    assert _line(run, "older folders of", run.who["disruptor"], "more than 20 submission folders")
    assert run.scores["disruptor"] == 0.0


# --- attack 5: a forged submission time ---------------------------------------------------------------------------------

def test_a_forged_name_and_timestamp_do_not_make_a_late_submission_on_time(run: Run):
    assert run.seconds_late["late_forged"] > 0, run.seconds_late
    assert _line(run, run.who["late_forged"], "claims", "counted as submitted then")
    recorded = (run.submitted("late_forged") / "timestamp.txt").read_text()
    assert recorded.startswith(f"{run.duedate:%Y-%m-%d}") and "UTC" in recorded


def test_a_submission_edited_after_the_due_date_counts_as_late(run: Run):
    assert run.seconds_late["late_edit"] > 0, run.seconds_late
    assert run.scores["late_edit"] == 0.0, "late submissions score 0 in this course: the late edit gained nothing"
    assert run.seconds_late["honest"] == 0.0 and run.scores["honest"] == run.notes["auto_points"]


# --- attack 6: trainee code that runs the solutions and writes as the instructor ------------------------------------------

def test_plain_nbgrader_autograde_sandboxes_trainee_code(run: Run):
    course = run.cohort.course
    assert run.scores["runs_solutions"] == 0.0, "the code ran the instructor's solutions"
    assert not (course / "written-by-trainee-code").exists()
    html = (course / "autograded" / run.who["runs_solutions"] / ASSIGNMENT / NOTEBOOK).read_text()
    assert "could not write" in html or "FileNotFoundError" in html or "No such file" in html


def test_the_formgraders_autograde_button_sandboxes_trainee_code(run: Run, hub: hubkit.Hub):
    instructor, attacker = run.cohort.instructor, run.who["runs_solutions"]
    hub.start_server(instructor)
    response = hub.as_user(instructor, "POST",
                           f"/user/{instructor}/formgrader/api/submission/{ASSIGNMENT}/{attacker}/autograde",
                           timeout=600)
    assert response.status_code == 200, response.text[:1000]
    assert response.json().get("success") is True, response.json()
    scores, _ = _gradebook(run.cohort)
    assert scores[attacker] == 0.0 and scores[run.who["honest"]] == run.notes["auto_points"]
    assert not (run.cohort.course / "written-by-trainee-code").exists()


def test_the_instructor_can_quarantine_a_folder_the_trainee_closed(run: Run):
    """docs/running-a-cohort.md: rename it inside inbound/ to a name starting with '.'; collect never looks at it."""
    closed = next((run.cohort.course_folder / "inbound").glob(f"{run.who['disruptor']}+*+closed"))
    hubkit.run_as(run.cohort.instructor, ["mv", "--", str(closed), str(closed.with_name(".rejected-" + closed.name))],
                  cwd=run.cohort.course)
    again = hubkit.instructor_nbgrader(run.cohort, "collect", ASSIGNMENT, timeout=300)
    log = again.stdout + again.stderr
    assert "+closed" not in log and "+sparse" in log, log[-3000:]
    assert run.scores["honest"] == run.notes["auto_points"]
