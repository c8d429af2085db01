"""``mesolab grade``: parallel, resumable, sandboxed autograding with real nbgrader underneath.

Each test copies one temporary course (01_skin_layers released with nbgrader, a small cohort submitted) and
grades it with the real ``mesolab`` command; scores are compared with serial ``nbgrader autograde``.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from course import (Assignment, answer_options, answers_with, correct_values, make_course, nbgrader, submit,
                    wrong_value)

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(300)]

NAME = "01_skin_layers"
BIN = Path(sys.executable).parent
MESOLAB = [str(BIN / "mesolab")]
CELL_TIMEOUT_S = 4  # the endless loop costs this much; the course's own value (30 s) is tested elsewhere
COHORT = ["correct", "wrong", "blank", "infinite_loop", "raises", "free_text"]
MARKER = ".mesolab-graded"
SECRET = "OTHER-TRAINEE-SECRET-7f3a9"
SURVIVOR = "mesolab-survivor"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def mesolab(course: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*MESOLAB, "grade", NAME, *args], cwd=course, capture_output=True, text=True,
                            timeout=timeout, env=env or _env())
    if check and result.returncode != 0:
        raise AssertionError(f"mesolab grade failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def cell_grades(course: Path) -> dict[tuple[str, str], tuple[float | None, bool]]:
    """(student, grade cell) -> (auto_score, needs_manual_grade), read with nbgrader's own API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        return {(s.student.id, g.name): (g.auto_score, g.needs_manual_grade)
                for s in book.assignment_submissions(NAME) for n in s.notebooks for g in n.grades}


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        return {s.student.id: s.code_score for s in book.assignment_submissions(NAME)}


def duplicate_rows(course: Path) -> dict[str, int]:
    """Row counts, and how many (cell, notebook) pairs have more than one grade row."""
    with sqlite3.connect(course / "gradebook.db") as db:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "grade": count("SELECT COUNT(*) FROM grade"),
            "duplicated_grades": count("SELECT COUNT(*) FROM (SELECT cell_id, notebook_id FROM grade "
                                       "GROUP BY cell_id, notebook_id HAVING COUNT(*) > 1)"),
            "submitted_assignment": count("SELECT COUNT(*) FROM submitted_assignment"),
            "submitted_notebook": count("SELECT COUNT(*) FROM submitted_notebook"),
        }


def copy_course(base: Path, target: Path) -> Path:
    shutil.copytree(base, target)
    return target


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return Assignment.load(NAME)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, assignment) -> tuple[Path, dict[str, float]]:
    """A released course with six trainees submitted (nothing graded yet), and their honest scores."""
    course = make_course(tmp_path_factory.mktemp("grade") / "base", NAME)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(f"\nc.Execute.timeout = {CELL_TIMEOUT_S}\n")
    right = correct_values(assignment)
    options = answer_options(assignment)
    wrong = {name: wrong_value(value, options.get(name)) for name, value in right.items()}
    first_id = assignment.answer_cells[0].metadata["nbgrader"]["grade_id"]
    all_but_first = assignment.auto_points - assignment.points_of_test_after(first_id)
    free_text = next(c for c in assignment.cells(grade=True, solution=True) if c.cell_type == "markdown")
    correct = assignment.correct_answers()
    submissions = {
        "correct": (correct, assignment.auto_points),
        "wrong": (answers_with(assignment, wrong), 0.0),
        "infinite_loop": (answers_with(assignment, right, first="while True:\n    pass"), all_but_first),
        "raises": (answers_with(assignment, right, first="raise RuntimeError('I give up')"), all_but_first),
        "free_text": (correct | {free_text.metadata["nbgrader"]["grade_id"]: "Depth matters because ..."},
                      assignment.auto_points),
    }
    for student, (answers, _) in submissions.items():
        submit(course, assignment, student, assignment.submission(course, answers))
    submit(course, assignment, "blank", assignment.release_notebook(course))
    expected = {student: score for student, (_, score) in submissions.items()} | {"blank": 0.0}
    return course, expected


@pytest.fixture(scope="module")
def serial(cohort, tmp_path_factory) -> Path:
    """The same cohort graded by plain serial ``nbgrader autograde`` in a copy of the course."""
    course = copy_course(cohort[0], tmp_path_factory.mktemp("serial") / "course")
    nbgrader(course, "autograde", NAME)
    return course


def test_parallel_grading_gives_exactly_the_scores_of_serial_nbgrader(cohort, serial, tmp_path):
    base, expected = cohort
    course = copy_course(base, tmp_path / "course")
    result = mesolab(course, "--jobs", "2")
    assert scores(serial) == expected
    assert scores(course) == expected
    assert cell_grades(course) == cell_grades(serial)
    assert f"{len(COHORT)} graded now" in result.stdout and "0 failed" in result.stdout
    assert "needs manual grading: 1 trainees" in result.stdout  # free_text wrote the free-text answer
    assert "wall time:" in result.stdout
    for student in COHORT:
        assert (course / "autograded" / student / NAME / MARKER).is_file()

    again = mesolab(course, "--jobs", "2")  # nothing left to do: everything is skipped, nothing changes
    assert f"0 graded now, {len(COHORT)} already graded" in again.stdout
    assert cell_grades(course) == cell_grades(serial)
    assert duplicate_rows(course) == duplicate_rows(serial)

    forced = mesolab(course, "--force", "--student", "correct")  # graded again on request, same grades
    assert "1 graded now, 0 already graded" in forced.stdout
    assert cell_grades(course) == cell_grades(serial)
    assert duplicate_rows(course) == duplicate_rows(serial)


def test_killed_midway_then_rerun_grades_everyone_once(cohort, serial, tmp_path, request):
    base, expected = cohort
    course = copy_course(base, tmp_path / "course")
    # A temporary folder of its own (short: the kernels' sockets live in it): any run cleans up the folders of
    # dead runs, other tests' runs included.
    private_tmp = Path(tempfile.mkdtemp(prefix="mg-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(private_tmp, ignore_errors=True))
    env = _env(TMPDIR=str(private_tmp))
    log = tmp_path / "killed-run.log"
    process = subprocess.Popen([*MESOLAB, "grade", NAME, "--jobs", "2"], cwd=course, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(course.glob(f"autograded/*/{NAME}/{MARKER}")):
        assert process.poll() is None, f"mesolab grade ended before any trainee was graded:\n{log.read_text()}"
        assert time.monotonic() < deadline, "no trainee graded in 120 s"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {p.parts[-3] for p in course.glob(f"autograded/*/{NAME}/{MARKER}")}
    assert 0 < len(finished) < len(COHORT), finished

    time.sleep(1)  # --die-with-parent: the sandboxed kernels of the killed workers are gone too
    assert not _processes_mentioning(course), "processes of the killed run are still alive"

    killed_runtime = private_tmp / f"mesolab-grade-{process.pid}"
    assert killed_runtime.is_dir()  # the killed run's kernel runtime folders ...
    result = mesolab(course, "--jobs", "2", env=env)
    assert not killed_runtime.exists()  # ... are removed by the next run
    assert f"{len(COHORT) - len(finished)} graded now, {len(finished)} already graded, 0 failed" in result.stdout
    assert scores(course) == expected
    assert cell_grades(course) == cell_grades(serial)
    rows = duplicate_rows(course)
    assert rows == duplicate_rows(serial)
    assert rows["duplicated_grades"] == 0 and rows["submitted_notebook"] == len(COHORT)


def test_a_worker_that_dies_fails_its_trainees_and_the_rest_are_graded(cohort, serial, tmp_path):
    """A grading worker killed mid-run (out of memory, a signal): its trainees are reported failed with a reason,
    the other worker grades everyone else, the run ends (exit code 1), and the next run grades the rest."""
    base, expected = cohort
    course = copy_course(base, tmp_path / "course")
    process = subprocess.Popen([*MESOLAB, "grade", NAME, "--jobs", "2"], cwd=course, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while len(workers) < 2 or not any(_processes_mentioning(f"autograded/{s}/") for s in COHORT):
        assert process.poll() is None and time.monotonic() < deadline, "no trainee's kernel started"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        workers = [int(pid) for pid in children]
        time.sleep(0.05)
    os.kill(workers[0], signal.SIGKILL)
    output, _ = process.communicate(timeout=240)
    assert process.returncode == 1, output
    lost = [line for line in output.splitlines()
            if line.startswith("  failed  ") and "the grading worker stopped unexpectedly" in line]
    assert 1 <= len(lost) <= 2, output  # the trainee it graded, and the next one it had taken
    again = mesolab(course, "--jobs", "2")
    assert f"{len(lost)} graded now, {len(COHORT) - len(lost)} already graded, 0 failed" in again.stdout
    assert scores(course) == expected
    assert cell_grades(course) == cell_grades(serial)


def _processes_mentioning(text: str | Path) -> list[int]:
    """Pids of processes whose command line contains ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and proc.name != str(os.getpid()):
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(text) in cmdline:
                found.append(int(proc.name))
    return found


# --- the sandbox --------------------------------------------------------------------------------------------

ATTACK = '''
import os, socket
def _attempt(label, action):
    try:
        found = action()
        print("LEAKED", label, repr(found)[:300])
    except BaseException as error:
        print("BLOCKED", label, type(error).__name__)
_attempt("gradebook", lambda: open({gradebook!r}, "rb").read(64))
_attempt("source", lambda: open({source!r}).read())
_attempt("other_trainee", lambda: open({other!r}).read())
_attempt("write_root", lambda: open({written!r}, "w").write("pwned"))
_attempt("write_up", lambda: open("../../../pwned-relative.txt", "w").write("pwned"))
_attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).send(b"stolen"))
# Traps for the grader itself: the notebook nbgrader will write replaced by a symlink to a file of the course,
# and a process started in a new session (outside the kernel's process group) to outlive grading.
try:
    os.remove({notebook!r})
    os.symlink({canary!r}, {notebook!r})
except OSError as error:
    print("symlink", type(error).__name__)
import subprocess, sys, time
# (it forks again: an orphan in its own session, no longer the kernel's child). The cell waits until the orphan
# exists: ended earlier, the kernel's shutdown could kill the starter before it forks, and no trap would be set.
subprocess.Popen([sys.executable, "-c", "import os, time; os.fork() or (os.setsid(), "
                  "open('survivor-started', 'w').close(), time.sleep(120))", {survivor!r}],
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(400):
    if os.path.exists("survivor-started"):
        break
    time.sleep(0.05)
'''


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that records every connection it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    accepted.append(connection.recv(100) or b"<connected>")
                except OSError:
                    accepted.append(b"<connected>")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


def _attacker_course(base: Path, target: Path, assignment: Assignment, port: int) -> Path:
    course = copy_course(base, target)
    other = course / "submitted" / "correct" / NAME / assignment.notebook
    notebook = nbformat.read(other, as_version=4)
    notebook.cells[0].source += f"\n<!-- {SECRET} -->"
    nbformat.write(notebook, other)
    (course / "canary.txt").write_text("untouched")
    attack = ATTACK.format(notebook=assignment.notebook, canary=str(course / "canary.txt"),
                           survivor=f"{SURVIVOR}-{course}", gradebook=str(course / "gradebook.db"),
                           source=str(course / "source" / NAME / assignment.notebook),
                           other=str(other), written=str(course / "pwned.txt"), port=port)
    right = correct_values(assignment)
    first = assignment.answer_names(assignment.answer_cells[0])
    code = attack + "\n".join(f"{name} = {right[name]!r}" for name in first)
    submit(course, assignment, "attacker", assignment.submission(course, answers_with(assignment, right, first=code)))
    return course


def _outputs(course: Path, student: str, assignment: Assignment) -> str:
    notebook = nbformat.read(course / "autograded" / student / NAME / assignment.notebook, as_version=4)
    return "\n".join(str(output) for cell in notebook.cells for output in cell.get("outputs", []))


def test_sandbox_keeps_trainee_code_inside_its_own_folder(cohort, assignment, tmp_path, listener):
    port, accepted = listener
    base, expected = cohort
    course = _attacker_course(base, tmp_path / "course", assignment, port)
    hidden = "### BEGIN HIDDEN TESTS"
    assert hidden in (course / "source" / NAME / assignment.notebook).read_text()

    result = mesolab(course, "--jobs", "2", "--student", "[acw]*")  # attacker, correct, wrong
    outputs = _outputs(course, "attacker", assignment)
    for label in ("gradebook", "source", "other_trainee", "write_root", "write_up", "network"):
        assert f"BLOCKED {label}" in outputs, (label, outputs[:2000])
    assert "LEAKED" not in outputs
    assert "SQLite format 3" not in outputs and hidden not in outputs and SECRET not in outputs
    assert not (course / "pwned.txt").exists() and not list(course.rglob("pwned-relative.txt"))
    assert accepted == []
    assert "0 failed" in result.stdout
    assert (course / "canary.txt").read_text() == "untouched"
    assert not (course / "autograded" / "attacker" / NAME / assignment.notebook).is_symlink()
    assert not _processes_mentioning(f"{SURVIVOR}-{course}"), "a process started by trainee code outlived grading"
    graded = scores(course)
    assert graded == {"attacker": assignment.auto_points, "correct": expected["correct"],
                      "wrong": expected["wrong"]}


def test_the_attack_does_succeed_without_the_sandbox(cohort, assignment, tmp_path, listener):
    """Control for the test above: the same submission, graded with --no-sandbox, does reach everything."""
    port, accepted = listener
    course = _attacker_course(cohort[0], tmp_path / "course", assignment, port)
    result = mesolab(course, "--no-sandbox", "--jobs", "1", "--student", "attacker")
    assert "WARNING: --no-sandbox" in result.stderr
    outputs = _outputs(course, "attacker", assignment)
    for label in ("gradebook", "source", "other_trainee", "write_root", "network"):
        assert f"LEAKED {label}" in outputs, (label, outputs[:2000])
    assert (course / "pwned.txt").exists() and accepted
    assert (course / "canary.txt").read_text() != "untouched"  # nbgrader wrote the notebook through the symlink
    survivors = _processes_mentioning(f"{SURVIVOR}-{course}")
    assert survivors  # unsandboxed, nothing stops it: end it here
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)


def test_no_sandbox_warns_and_missing_bubblewrap_is_a_clear_error(cohort, tmp_path):
    course = cohort[0]  # nothing is graded here: no trainee matches the glob, or the sandbox check fails first
    warned = mesolab(course, "--no-sandbox", "--student", "nobody*", check=False)
    assert "WARNING: --no-sandbox" in warned.stderr and "trainee code runs with YOUR rights" in warned.stderr

    only_venv = mesolab(course, env=_env(PATH=str(BIN)), check=False)  # bwrap not on PATH
    configured = mesolab(course, env=_env(MESOLAB_BWRAP=str(tmp_path / "no-such-bwrap")), check=False)
    for result in (only_venv, configured):
        assert result.returncode == 2  # nothing graded
        assert "bubblewrap" in result.stderr and "apt-get install bubblewrap" in result.stderr, result.stderr
        assert "graded now" not in result.stdout
    assert not (course / "autograded" / "correct").exists()


def test_a_second_run_on_the_same_course_waits_its_turn(cohort, tmp_path):
    import fcntl

    course = copy_course(cohort[0], tmp_path / "course")
    (course / "autograded").mkdir()
    with open(course / "autograded" / ".mesolab-grade.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running `mesolab grade` holds it
        result = mesolab(course, check=False)
    assert result.returncode == 2 and "another `mesolab grade` is running" in result.stderr
    assert not list(course.glob(f"autograded/*/{NAME}"))


# --- fast checks of the pieces ------------------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_sandbox_wraps_the_course_execute_preprocessor_and_keeps_the_rest(repo):
    from nbgrader.preprocessors import Execute

    from mesolab.instructor.course import load_config
    from mesolab.instructor.sandbox import SandboxedKernelManager, sandbox_config, sandboxed

    config = load_config(repo)
    course = list(config.Autograde.autograde_preprocessors)
    wrapped = list(sandbox_config(config).Autograde.autograde_preprocessors)
    executes = [i for i, p in enumerate(course) if issubclass(p, Execute)]
    assert len(executes) == 1 and len(wrapped) == len(course)
    i = executes[0]
    assert issubclass(wrapped[i], course[i]) and wrapped[i] is sandboxed(course[i])
    assert wrapped[:i] + wrapped[i + 1:] == course[:i] + course[i + 1:]
    assert wrapped[i](config=config).kernel_manager_class is SandboxedKernelManager


def test_bwrap_command_binds_only_what_the_kernel_needs(tmp_path):
    from mesolab.instructor.sandbox import bwrap_command

    work, runtime = tmp_path / "autograded" / "t1" / NAME, tmp_path / "runtime"
    work.mkdir(parents=True)
    runtime.mkdir()
    cmd = bwrap_command(["python", "-m", "ipykernel_launcher"], str(work), str(runtime))
    assert "--unshare-pid" not in cmd and "--unshare-all" not in cmd
    for flag in ("--unshare-user", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--disable-userns",
                 "--die-with-parent", "--clearenv"):
        assert flag in cmd
    writable = [cmd[i + 2] for i, a in enumerate(cmd) if a == "--bind"]
    assert writable == [str(work), str(runtime)]
    assert cmd.index("--tmpfs") < min(i for i, a in enumerate(cmd) if a in ("--bind", "--ro-bind-try"))
    readable = {cmd[i + 1] for i, a in enumerate(cmd) if a == "--ro-bind-try"}
    repo = Path(__file__).resolve().parents[1]
    assert str(repo / "mesolab") in readable and str(repo) not in readable
    assert cmd[cmd.index("--chdir") + 1] == str(work)


def test_failure_reasons_are_one_line_for_a_person():
    from mesolab.instructor.grade import failure_reason

    log = ("[ERROR] There was an error processing assignment\n    Traceback (most recent call last):\n"
           "    nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 4 s.\n"
           "nbgrader.converters.base.NbGraderException: Please see the the above traceback")
    assert failure_reason(log).startswith("a cell ran past the time limit")
    assert "\n" not in failure_reason(log)
    assert failure_reason("[ERROR] No notebooks found") == "[ERROR] No notebooks found"


def test_a_finished_sandbox_keeps_its_namespace_number_until_cleaned_up():
    """The clean-up kills every process in the sandbox's user namespaces. Namespace numbers are reused as soon as a
    namespace ends, so without the pin another trainee's kernel, started meanwhile, could get the number and be
    killed ("Kernel died before replying to kernel_info", seen under load)."""
    from mesolab.instructor.sandbox import _release_namespaces, _sandbox_namespaces

    def sandbox(seconds: str) -> subprocess.Popen:
        return subprocess.Popen(["bwrap", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "--",
                                 sys.executable, "-c", f"import time; time.sleep({seconds})"])

    first = sandbox("0.5")
    pins = _sandbox_namespaces(first.pid)
    assert pins, "no sandbox namespace found"
    first.wait(timeout=30)
    time.sleep(1.0)  # the kernel frees an ended namespace a moment later (deferred work)
    try:
        later = set()
        for _ in range(5):  # unpinned, the number of the namespace that ended comes back (checked)
            process = sandbox("0.3")
            later |= set(_sandbox_namespaces(process.pid))
            process.wait(timeout=30)
        assert later and not later & set(pins)
    finally:
        _release_namespaces(pins)


def test_a_deep_temporary_folder_still_leaves_room_for_the_kernel_sockets(monkeypatch, tmp_path):
    from mesolab.instructor.grade import runtime_base

    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    assert runtime_base() == Path("/tmp")
    short = Path(tempfile.mkdtemp(prefix="mg-", dir="/tmp"))
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(short))
        assert runtime_base() == short
    finally:
        short.rmdir()


PRESTART_WORKER = r'''
import json, os, shutil, sys
from pathlib import Path
from mesolab.instructor import grade, prestart

course, name, order = Path(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
grade._runtime_folder()
grade._init_worker(str(course), name, True, shutil.which("bwrap"), 20)
report = {"ahead": {}, "handed_over": {}}
take = prestart.PrestartedKernels._take_prestarted
def counting(self):
    manager = take(self)
    report["handed_over"][self.resources["nbgrader"]["student"]] = manager is not None
    return manager
prestart.PrestartedKernels._take_prestarted = counting
for index, student in enumerate(order):
    upcoming = order[index + 1] if index + 1 < len(order) else None
    if upcoming:
        grade._announce(upcoming)
    outcome = grade._grade_one(student)
    assert outcome.ok, outcome
    report["ahead"][student] = sorted(s for s, _ in prestart._started)
    if upcoming == "late_file":  # the working folder changes after its kernel was started: never handed over
        (course / "submitted" / upcoming / name / "notes.txt").write_text("written after the kernel started")
    prestart.discard_prestarted(keep=upcoming)
prestart.discard_prestarted()
print(json.dumps(report))
'''


def test_a_kernel_started_ahead_serves_only_its_own_trainee_and_files(cohort, assignment, tmp_path):
    """`mesolab grade` starts the next trainee's kernel while the current one is graded: each trainee's kernel sees
    that trainee's id and files, a kernel is handed over only to its trainee, and a folder that changed since the
    kernel started gets a fresh kernel."""
    course = copy_course(cohort[0], tmp_path / "course")
    probe = ("import os\nprint('PROBE', os.environ.get('MESOLAB_STUDENT_ID'), sorted(os.listdir()), os.getpid())\n"
             + assignment.correct_answers()[assignment.answer_cells[0].metadata["nbgrader"]["grade_id"]])
    first_id = assignment.answer_cells[0].metadata["nbgrader"]["grade_id"]
    order = ["ann", "ben", "late_file", "dee"]
    for student in order:
        answers = assignment.correct_answers() | {first_id: probe}
        files = {"ben": {"helper.py": "VALUE = 1\n"}, "dee": {"data/notes.txt": "dee's own"}}.get(student)
        submit(course, assignment, student, assignment.submission(course, answers), files)
    script = tmp_path / "worker.py"
    script.write_text(PRESTART_WORKER)
    result = subprocess.run([sys.executable, str(script), str(course), NAME, ",".join(order)], capture_output=True,
                            text=True, timeout=240, env=_env())
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # each trainee's next trainee had a kernel waiting while the trainee was graded, and no other kernel
    assert report["ahead"] == {"ann": ["ben"], "ben": ["late_file"], "late_file": ["dee"], "dee": []}
    assert report["handed_over"] == {"ann": False, "ben": True, "late_file": False, "dee": True}
    seen = {}
    for student in order:
        notebook = nbformat.read(course / "autograded" / student / NAME / assignment.notebook, as_version=4)
        text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
        line = next(line for line in text.splitlines() if line.startswith("PROBE"))
        _, who, rest = line.split(" ", 2)
        files, pid = rest.rsplit(" ", 1)
        seen[student] = (who, files, pid)
    assert {s: seen[s][0] for s in order} == {s: s for s in order}
    assert "'helper.py'" in seen["ben"][1] and "helper.py" not in seen["ann"][1] + seen["late_file"][1]
    assert "'data'" in seen["dee"][1] and "'notes.txt'" in seen["late_file"][1]
    assert all(assignment.notebook in seen[s][1] for s in order)  # the notebook nbgrader wrote, as usual
    assert len({seen[s][2] for s in order}) == len(order)  # never one kernel for two trainees
    graded = scores(course)
    assert {s: graded[s] for s in order} == {s: assignment.auto_points for s in order}
