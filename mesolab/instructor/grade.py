"""``mesolab grade ASSIGNMENT``: autograde collected submissions in parallel, resumably, in a sandbox.

Grading is nbgrader's own: each worker process imports nbgrader once and calls ``NbGraderAPI.autograde`` (the
``Autograde`` converter, ``force=True``) for one trainee at a time, so scores are exactly those of
``nbgrader autograde``. What this adds:

* **parallel** — ``--jobs`` worker processes (default: the number of cores), each taking one trainee at a time and
  knowing the next, whose sandboxed kernel it starts while the current trainee is graded
  (:mod:`mesolab.instructor.prestart`); each worker also skips work nbgrader repeats per trainee
  (:mod:`mesolab.instructor.speedups`); a transient sqlite "database is locked" is retried; a worker that dies
  fails its trainees with a reason instead of stopping the run;
* **resumable** — after nbgrader has finished a trainee, a marker ``autograded/<id>/<assignment>/.mesolab-graded``
  holding a hash of the submitted files and of ``source/<assignment>/`` is written atomically. A trainee whose
  marker matches is skipped (unless ``--force``); any other (never graded, half-written by a killed run,
  resubmitted, or the source changed) is graded again with ``force``. nbgrader's gradebook upserts grades by
  (assignment, student, notebook, cell), so grading again never duplicates a grade; one run per course at a time
  (a lock file);
* **sandboxed** (default) — every kernel runs inside bubblewrap (:mod:`mesolab.instructor.sandbox`);
* a progress bar on stderr and a summary: graded, failed (one line each), needing manual grading, wall time.

Exit code (as for every ``mesolab`` command, see ``mesolab --help``): 0 every selected trainee is graded; 1 some
could not be graded (each named, with the reason); 2 nothing was graded (the course, the assignment, the sandbox
or a grading run already going); 130 interrupted.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .course import CourseError, course_root, gradebook, load_config, submitted_students

MARKER = ".mesolab-graded"
#: Where to write each trainee's grading seconds as JSON (for benchmarks/bench_grading.py).
TIMINGS_ENV = "MESOLAB_GRADE_TIMINGS"
LOCK_RETRIES = 5


@dataclass
class Outcome:
    student: str
    ok: bool
    reason: str = ""
    seconds: float = 0.0


# --- resumability -----------------------------------------------------------------------------------------

def submission_hash(root: Path, assignment: str, student: str) -> str:
    """sha256 over the relative paths and contents of every submitted file of ``student`` and of every file in
    ``source/<assignment>/``: a resubmission or an edited source (its hidden tests) means grading again."""
    digest = hashlib.sha256(f"{assignment}\0{student}\0".encode())
    for folder in (root / "submitted" / student / assignment, root / "source" / assignment):
        digest.update(f"\0{folder.relative_to(root)}\0".encode())
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def marker_path(root: Path, assignment: str, student: str) -> Path:
    return root / "autograded" / student / assignment / MARKER


def already_graded(root: Path, assignment: str, student: str) -> bool:
    marker = marker_path(root, assignment, student)
    try:
        return marker.read_text(encoding="utf-8").strip() == submission_hash(root, assignment, student)
    except OSError:
        return False


def write_marker(root: Path, assignment: str, student: str, digest: str) -> None:
    """Atomically: a reader sees either no marker or the whole hash."""
    marker = marker_path(root, assignment, student)
    descriptor, temporary = tempfile.mkstemp(prefix=f"{MARKER}.", suffix=".tmp", dir=marker.parent)  # O_EXCL
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(digest + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, marker)  # replaces a link named like the marker, never writes through it
    directory = os.open(marker.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- worker processes -------------------------------------------------------------------------------------

_worker: dict = {}


def _init_worker(course: str, assignment: str, sandbox: bool, bwrap: str, cell_timeout: int | None) -> None:
    """Runs once per worker: import nbgrader and build its API on the course configuration.

    Never raises (a failing initializer makes multiprocessing start replacement workers forever): the error is
    kept and every trainee given to this worker fails with it."""
    try:
        _setup_worker(course, assignment, sandbox, bwrap, cell_timeout)
    except Exception as error:  # noqa: BLE001
        _worker["error"] = f"worker could not start: {type(error).__name__}: {error}"


def _setup_worker(course: str, assignment: str, sandbox: bool, bwrap: str, cell_timeout: int | None) -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore")  # SQLAlchemy's SAWarnings from nbgrader's gradebook, once per trainee

    from nbgrader.apps import NbGraderAPI

    from .speedups import apply as apply_speedups

    apply_speedups()
    config = load_config(Path(course))
    if cell_timeout is not None:  # Execute's subclasses (IsolatedExecute, its sandboxed form) inherit it
        config.Execute.timeout = cell_timeout
    if sandbox:
        from .sandbox import sandbox_config

        config.merge(sandbox_config(config, bwrap))
    else:  # the course configuration sandboxes by default
        from .sandbox import unsandboxed_config

        config.merge(unsandboxed_config(config))
    logging.getLogger().setLevel(logging.ERROR)
    api = NbGraderAPI(config=config)
    api.log.propagate = False
    _worker.update(api=api, root=course_root(config), assignment=assignment, sandbox=sandbox)


def _grade_one(student: str) -> Outcome:
    start = time.monotonic()
    if "error" in _worker:
        return Outcome(student, False, _worker["error"], 0.0)
    api, root, assignment = _worker["api"], _worker["root"], _worker["assignment"]
    try:
        digest = submission_hash(root, assignment, student)
        for attempt in range(LOCK_RETRIES):
            result = api.autograde(assignment, student, force=True, create=True)
            text = f"{result.get('error') or ''}\n{result.get('log') or ''}"
            if result["success"] or "database is locked" not in text or attempt == LOCK_RETRIES - 1:
                break
            time.sleep(0.5 + random.random() * 2 ** attempt)
        if not result["success"]:
            return Outcome(student, False, failure_reason(text), time.monotonic() - start)
        write_marker(root, assignment, student, digest)
        return Outcome(student, True, "", time.monotonic() - start)
    except Exception as error:  # noqa: BLE001 - one trainee's failure must not stop the others
        return Outcome(student, False, f"{type(error).__name__}: {error}", time.monotonic() - start)


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*)$")


_MEANINGS = {
    "CellTimeoutError": "a cell ran past the time limit and ignored the interrupt",
    "DeadKernelError": "the notebook killed its own kernel",
}


def failure_reason(text: str) -> str:
    """One line: the last exception line of nbgrader's traceback, else its last error message."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    exceptions = [m.group(1) for line in lines if (m := _EXCEPTION_LINE.match(line))]
    # nbgrader ends every failure with its own generic NbGraderException: the cause is the one before it
    exceptions = [e for e in exceptions if "NbGraderException" not in e] or exceptions
    if exceptions:
        reason = exceptions[-1]
    else:
        errors = [line for line in lines if line.startswith("[ERROR]")]
        reason = errors[-1] if errors else (lines[-1] if lines else "nbgrader reported a failure")
    reason = re.sub(r"\x1b\[[0-9;]*m", "", reason)
    for error, meaning in _MEANINGS.items():
        if error in reason:
            reason = f"{meaning} ({error}); grade this trainee by hand"
    if "database is locked" in reason:
        reason += " (still locked after retries: run the command again)"
    return reason if len(reason) <= 200 else reason[:197] + "..."


# --- the command ------------------------------------------------------------------------------------------

def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _manual_grading(config, assignment: str, students: list[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """From the gradebook: trainee -> answers needing a human (free text), and trainee -> autograded test cells
    nbgrader could not score (e.g. a kernel that would not stop)."""
    from nbgrader.api import MissingEntry

    manual: dict[str, int] = {}
    unscored: dict[str, list[str]] = {}
    for attempt in range(LOCK_RETRIES):
        try:
            with gradebook(config) as book:
                for student in students:
                    try:
                        submission = book.find_submission(assignment, student)
                    except MissingEntry:
                        continue
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            if not grade.needs_manual_grade:
                                continue
                            if grade.cell.cell_type == "code" and not _is_solution(book, grade):
                                unscored.setdefault(student, []).append(grade.name)
                            else:
                                manual[student] = manual.get(student, 0) + 1
            return manual, unscored
        except Exception as error:  # noqa: BLE001
            if "database is locked" not in str(error) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(1 + attempt)
    return manual, unscored


def _is_solution(book, grade) -> bool:
    """A graded code cell that is also a solution cell is manually graded by design."""
    from nbgrader.api import MissingEntry

    try:
        book.find_solution_cell(grade.name, grade.notebook.notebook.name, grade.notebook.assignment.assignment.name)
        return True
    except MissingEntry:
        return False


#: A kernel's sockets are <base>/mesolab-grade-<pid>/mesolab-kernel-<8 characters>/kernel-ipc-<n>, and a Unix
#: socket's path holds at most 107 bytes.
_SOCKET_PATH_MAX = 107
_SOCKET_SUFFIX = len("/mesolab-grade-4194304/mesolab-kernel-xxxxxxxx/kernel-ipc-99")


def runtime_base() -> Path:
    """The temporary folder ($TMPDIR, else /tmp), or /tmp where $TMPDIR is too deep for the kernels' sockets
    (every kernel would fail with "File name too long")."""
    base = Path(tempfile.gettempdir())
    if len(os.fsencode(base)) + _SOCKET_SUFFIX > _SOCKET_PATH_MAX and os.access("/tmp", os.W_OK | os.X_OK):
        return Path("/tmp")
    return base


def _runtime_folder() -> Path:
    """This run's folder for kernel runtime folders (inherited by the workers through the environment); folders
    of earlier runs that were killed (their process is gone) are removed first."""
    from .sandbox import RUNTIME_PARENT_ENV

    base = runtime_base()
    for stale in base.glob("mesolab-grade-*"):
        try:
            os.kill(int(stale.name.rsplit("-", 1)[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except (ValueError, OSError):
            continue
    folder = base / f"mesolab-grade-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.environ[RUNTIME_PARENT_ENV] = str(folder)
    return folder


def _upcoming_files(api, assignment: str, student: str) -> list[tuple[str, str]] | None:
    """The non-notebook files nbgrader's autograde copies into the trainee's working folder: the submission's, then
    the source's over them (those listed in ``Autograde.exclude_overwriting`` excepted); None if any is a link."""
    from nbgrader.utils import find_all_files

    coursedir = api.coursedir
    ignore = list(coursedir.ignore) + ["*.ipynb"]
    excluded = set(api.config.Autograde.get("exclude_overwriting", {}).get(assignment, []))
    files: dict[str, str] = {}
    submitted = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    source = coursedir.format_path(coursedir.source_directory, ".", assignment)
    for folder, skip in ((submitted, set()), (source, excluded)):
        for path in find_all_files(folder, ignore):
            relative = os.path.relpath(path, folder)
            if relative not in skip:
                files[relative] = path
    if any(os.path.islink(path) for path in files.values()):
        return None
    return [(path, relative) for relative, path in sorted(files.items())]


def _announce(student: str) -> None:
    """Tell this worker's sandboxed Execute which trainee comes next, so it starts their kernel ahead."""
    if "error" in _worker or not _worker.get("sandbox"):
        return
    from .prestart import announce_next

    api, assignment = _worker["api"], _worker["assignment"]
    try:
        files = _upcoming_files(api, assignment, student)
    except OSError:
        files = None
    if files is not None:
        announce_next(student, api.coursedir.format_path(api.coursedir.autograded_directory, student, assignment),
                      files)


def _worker_loop(tasks, results, initargs: tuple) -> None:
    """A grading worker: trainees from ``tasks`` (None: no more), one at a time, each outcome to ``results``.

    It takes the next trainee before grading the current one, so that trainee's kernel can start ahead
    (:mod:`mesolab.instructor.prestart`); a kernel started ahead is used for that trainee only, or killed."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the workers
    _init_worker(*initargs)
    from .prestart import discard_prestarted

    current = tasks.get()
    results.put(("took", os.getpid(), current))
    try:
        while current is not None:
            upcoming = tasks.get()
            results.put(("took", os.getpid(), upcoming))
            if upcoming is not None:
                _announce(upcoming)
            results.put(("done", os.getpid(), _grade_one(current)))
            discard_prestarted(keep=upcoming)
            current = upcoming
    finally:
        discard_prestarted()


def _grade_all(assignment: str, cell_timeout: int | None, root: Path, pending: list[str], jobs: int,
               sandbox: bool, bwrap: str) -> list[Outcome]:
    if not pending:
        return []
    import queue as queues

    from tqdm import tqdm

    outcomes: list[Outcome] = []
    # fork, after nbgrader is imported here: workers start in milliseconds instead of importing it again (~3 s
    # each). Safe because this process holds no kernel, no ZMQ context, no thread and no open gradebook yet.
    import nbgrader.apps  # noqa: F401

    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    for student in pending:
        tasks.put(student)
    for _ in range(jobs):
        tasks.put(None)
    initargs = (str(root), assignment, sandbox, bwrap, cell_timeout)
    workers = [context.Process(target=_worker_loop, args=(tasks, results, initargs), daemon=True)
               for _ in range(jobs)]
    for worker in workers:
        worker.start()
    # Which trainees each worker holds (the one it grades and the next one it took), so that a worker that dies
    # (killed, out of memory) fails its trainees instead of leaving the run waiting for them.
    held: dict[int, list[str]] = {worker.pid: [] for worker in workers}
    finished = False
    try:
        with tqdm(total=len(pending), desc=f"grading {assignment}", unit="trainee", file=sys.stderr,
                  dynamic_ncols=True) as bar:
            while len(outcomes) < len(pending):
                try:
                    kind, pid, value = results.get(timeout=1)
                except queues.Empty:
                    for worker in workers:
                        if worker.exitcode is not None and held.get(worker.pid):
                            for student in held.pop(worker.pid):
                                outcomes.append(Outcome(student, False, "the grading worker stopped unexpectedly "
                                                        f"(exit code {worker.exitcode}); run the command again"))
                                bar.write(f"  FAILED {student}: {outcomes[-1].reason}", file=sys.stderr)
                                bar.update(1)
                    if all(worker.exitcode is not None for worker in workers) and results.empty():
                        break
                    continue
                if kind == "took":
                    if value is not None:
                        held[pid].append(value)
                    continue
                outcome = value
                if outcome.student in held.get(pid, []):
                    held[pid].remove(outcome.student)
                outcomes.append(outcome)
                if not outcome.ok:
                    bar.write(f"  FAILED {outcome.student}: {outcome.reason}", file=sys.stderr)
                bar.update(1)
        finished = True
    finally:
        for worker in workers:
            worker.join(timeout=30 if finished else 0)  # a finished worker kills the kernels it started ahead
            if worker.is_alive():
                worker.terminate()  # its kernels die with it (bwrap --die-with-parent)
                worker.join()
    graded = {outcome.student for outcome in outcomes}
    outcomes += [Outcome(student, False, "not graded: every grading worker stopped; run the command again")
                 for student in pending if student not in graded]
    if os.environ.get(TIMINGS_ENV):  # benchmarks/bench_grading.py: seconds per trainee, to explain the total
        Path(os.environ[TIMINGS_ENV]).write_text(json.dumps({o.student: o.seconds for o in outcomes}))
    return outcomes


def main(*, course: Path, assignment: str, jobs: int | None = None, student: str = "*",
         cell_timeout: int | None = None, force: bool = False, sandbox: bool = True) -> int:
    """``mesolab grade``: grade, print the summary, return the exit code (module docstring)."""
    start = time.monotonic()
    # nbgrader runs alembic from PATH when it creates or upgrades a gradebook.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), bin_dir]).strip(os.pathsep)
    try:
        config = load_config(course)
        root = course_root(config)
        students = submitted_students(config, assignment, student)
    except CourseError as error:
        _say(f"mesolab grade: {error}")
        return 2

    bwrap = str(config.SandboxedKernelManager.get("bwrap", os.environ.get("MESOLAB_BWRAP", "bwrap")))
    if sandbox:
        from .sandbox import SandboxError, check_bwrap

        try:
            bwrap = check_bwrap(bwrap)
        except SandboxError as error:
            _say(f"mesolab grade: {error}")
            return 2
    else:
        _say("WARNING: --no-sandbox: trainee code runs with YOUR rights and can read the gradebook, source/ and "
             "other trainees' files, and use the network. Use it only for submissions you trust.")

    if not students:
        _say(f"mesolab grade: no submissions of {assignment} matching {student!r} in {root / 'submitted'}")
        return 2
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SQLAlchemyError

    try:  # creates the gradebook (alembic) once here rather than in racing workers
        with gradebook(config) as book:
            book.find_assignment(assignment)
    except MissingEntry:
        _say(f"mesolab grade: {assignment} is not in the gradebook: run `nbgrader generate_assignment {assignment}` "
             "first")
        return 2
    except (SQLAlchemyError, OSError) as error:  # the database itself: unreachable, locked, corrupt, not writable
        _say(f"mesolab grade: cannot open the gradebook ({type(error).__name__}: {error})")
        return 2

    # One grading run per course at a time (a second one would grade the same trainees twice at once). flock is
    # released by the kernel however this process ends, kill -9 included.
    (root / "autograded").mkdir(exist_ok=True)
    lock = open(root / "autograded" / ".mesolab-grade.lock", "a")  # noqa: SIM115 - held until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        _say(f"mesolab grade: another `mesolab grade` is running in {root}; wait for it to finish")
        return 2

    done = [] if force else [s for s in students if already_graded(root, assignment, s)]
    pending = [s for s in students if s not in done]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    _say(f"{assignment}: {len(students)} submissions, {len(done)} already graded, {len(pending)} to grade "
         f"with {jobs} worker{'s' if jobs > 1 else ''}, sandbox {'on' if sandbox else 'OFF'}")

    outcomes: list[Outcome] = []
    runtime = _runtime_folder()
    try:
        outcomes = _grade_all(assignment, cell_timeout, root, pending, jobs, sandbox, bwrap)
    except KeyboardInterrupt:
        _say("interrupted: run the same command again to grade the rest (finished trainees are kept)")
        return 130
    finally:
        shutil.rmtree(runtime, ignore_errors=True)

    graded = [o for o in outcomes if o.ok]
    failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.student)
    finished = sorted(done + [o.student for o in graded])
    manual, unscored = _manual_grading(config, assignment, finished)
    wall = time.monotonic() - start

    print(f"mesolab grade {assignment}: {len(graded)} graded now, {len(done)} already graded, "
          f"{len(failed)} failed, of {len(students)} submissions")
    for outcome in failed:
        print(f"  failed  {outcome.student}: {outcome.reason}")
    if not manual:
        print("needs manual grading: none")
    else:
        print(f"needs manual grading: {len(manual)} trainees, {sum(manual.values())} answers "
              "(free text: Formgrader -> Manual grading)")
    for student, cells in sorted(unscored.items()):
        print(f"  {student}: autograder could not score {', '.join(cells)}: grade by hand")
    if failed:
        print(f"run `mesolab grade {assignment}` again after fixing the cause: graded trainees are skipped")
    print(f"wall time: {wall:.1f} s ({jobs} worker{'s' if jobs > 1 else ''}, sandbox {'on' if sandbox else 'OFF'})")
    return 0 if not failed else 1
