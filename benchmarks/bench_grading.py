"""Grading a cohort: serial `nbgrader autograde` vs `mesolab grade --jobs N` vs the plain-nbclient floor.

For each assignment a temporary course gets N synthetic trainees (mostly honest, some wrong, some hostile, built by
tests/course.py's helpers), then:
  (a) serial:   `nbgrader autograde ASSIGNMENT` in one batch (a copy of the course);
  (b) parallel: `mesolab grade ASSIGNMENT --jobs J` (another copy);
  (c) floor:    the autograded notebooks of (a), outputs cleared, executed one after another with plain nbclient in
                this process, summed and divided by J;
  (d) measured floor: the same nbclient executions in J processes at once (what J cores really give).
Prints the seconds, the ratios (a)/(b), (b)/(c) and (b)/(d), whether (a) and (b) gave identical scores (every
difference is listed; only the attacks that the sandbox alone stops may differ), and the CPU
seconds the machine spent busy during each mode (kernels included; run it on a quiet machine): CPU seconds / J is
the least wall time any scheduling of the same work can reach on J cores. One run; not a CI gate. Every mode uses the same cell
time limit (--timeout, default 8 s); the floor stops a notebook at its first cell past the limit (the graders
interrupt it and go on), so for hostile notebooks the floor does less work than grading.

    .venv/bin/python benchmarks/bench_grading.py                      # 100 trainees x every assignment
    .venv/bin/python benchmarks/bench_grading.py --trainees 20 --assignments 01_skin_layers
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"

from course import (ASSIGNMENTS, Assignment, PLANTED_READERS, answer_options, answers_with,  # noqa: E402
                    autograded_scores, correct_values, hostile_submissions, make_course, nbgrader, submit,
                    tampered, wrong_value)


#: Hostile kinds that only the sandbox stops. Left out of the cohort: under plain `nbgrader autograde` (a) the
#: trainee's code runs the solutions from source/ and overwrites the gradebook, which ends the whole serial batch
#: ("file is not a database"); `mesolab grade` gives it 0 (tests/test_pipeline.py).
SANDBOX_ONLY = {"steals_solutions"}


def build_cohort(course: Path, assignment: Assignment, trainees: int, hostile_share: float, seed: int
                 ) -> dict[str, str]:
    """Submit the cohort; returns trainee -> kind ("honest", "weaker" or the hostile kind)."""
    kinds = {}
    rng = random.Random(seed)
    right = correct_values(assignment)
    options = answer_options(assignment)
    hostile = [(k, v) for k, v in hostile_submissions(assignment, extended=True).items() if k not in SANDBOX_ONLY]
    for index in range(trainees):
        student = f"trainee{index:03d}"
        draw = rng.random()
        if draw < hostile_share:
            kind, (answers, changes, _score) = hostile[index % len(hostile)]
            notebook = tampered(assignment.submission(course, answers), changes)
            submit(course, assignment, student, notebook, PLANTED_READERS if "plant:readers" in changes else None)
            kinds[student] = kind
            continue
        values = dict(right)
        kinds[student] = "honest"
        if draw < hostile_share + 0.3:  # a weaker trainee: some answers wrong
            kinds[student] = "weaker"
            for name in rng.sample(sorted(values), k=rng.randint(1, max(1, len(values) // 2))):
                values[name] = wrong_value(values[name], options.get(name))
        submit(course, assignment, student, assignment.submission(course, answers_with(assignment, values)))
    return kinds


def compare_scores(serial: dict[str, float], parallel: dict[str, float], kinds: dict[str, str]) -> bool:
    """True if (a) and (b) agree on every trainee except the sandbox-only attacks; prints every difference."""
    same = True
    for student in sorted(set(serial) | set(parallel)):
        a, b = serial.get(student), parallel.get(student)
        if a != b:
            expected = kinds.get(student) in SANDBOX_ONLY and b is not None and a is not None and b < a
            same = same and expected
            print(f"  {student} ({kinds.get(student)}): (a) {a}, (b) {b}"
                  + ("  [expected: the attack works only without the sandbox]" if expected else "  [UNEXPECTED]"))
    return same


#: How the floor's nbclient ends each kernel: nbclient's default ("graceful"), or "immediate" (--floor-shutdown), as
#: mesolab grade does. ipykernel 7.4 sometimes misses a graceful shutdown request and is killed 2.5 s later, which
#: the graceful floor pays and grading does not.
FLOOR_SHUTDOWN = {"mode": "graceful"}


def execute_plainly(notebook_path: Path, timeout: int) -> float:
    """Seconds to execute one notebook (outputs cleared) with plain nbclient."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    started = time.perf_counter()
    try:
        NotebookClient(notebook, timeout=timeout, allow_errors=True, shutdown_kernel=FLOOR_SHUTDOWN["mode"],
                       kernel_name="python3", resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
    except Exception:  # noqa: BLE001 - a hostile notebook may kill its kernel; its time still counts
        pass
    return time.perf_counter() - started


def _execute_task(task: tuple[str, int, str]) -> float:
    FLOOR_SHUTDOWN["mode"] = task[2]
    return execute_plainly(Path(task[0]), task[1])


def floor_seconds(course: Path, assignment: str, timeout: int) -> dict[str, float]:
    """(c): executed one after another: seconds per trainee (sum, divided by the cores, is the ideal floor)."""
    return {path.parent.parent.name: execute_plainly(path, timeout) for path in autograded_notebooks(course, assignment)}


def per_kind(kinds: dict[str, str], floor: dict[str, float], graded: dict[str, float]) -> list[str]:
    """Lines: per kind of trainee, how many, the floor's seconds and grading's seconds per trainee (a worker's wall
    time from taking the trainee to the grades saved; kernels started ahead are not in it)."""
    lines = []
    for kind in sorted(set(kinds.values()), key=lambda k: (k not in ("honest", "weaker"), k)):
        students = [s for s, k in kinds.items() if k == kind]
        f = sum(floor.get(s, 0.0) for s in students) / len(students)
        g = sum(graded.get(s, 0.0) for s in students) / len(students)
        lines.append(f"    {kind:20s} n={len(students):3d}  floor {f:5.2f} s  grading {g:5.2f} s  ({g / f:.2f}x)")
    return lines


def measured_floor_seconds(course: Path, assignment: str, timeout: int, jobs: int) -> float:
    """(d): the same executions in ``jobs`` processes at once: wall time."""
    import multiprocessing

    tasks = [(str(path), timeout, FLOOR_SHUTDOWN["mode"]) for path in autograded_notebooks(course, assignment)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        list(pool.imap_unordered(_execute_task, tasks))
    return time.perf_counter() - started


def autograded_notebooks(course: Path, assignment: str) -> list[Path]:
    return sorted((course / "autograded").glob(f"*/{assignment}/*.ipynb"))


def cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (user, nice, system, interrupts; /proc/stat). Counting
    processes instead misses the sandboxed kernels (bubblewrap reaps them, and a kernel killed at clean-up is never
    waited for by the grader), so the machine's own count is used: run the benchmark on a quiet machine."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Measured:
    """Wall and CPU seconds of the block."""

    def __enter__(self) -> "Measured":
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu


class Sum:
    """Wall and CPU seconds added over assignments."""

    def __init__(self, parts) -> None:  # noqa: ANN001 - Measured or Sum objects
        parts = list(parts)
        self.wall, self.cpu = sum(p.wall for p in parts), sum(p.cpu for p in parts)


class Row:
    """One assignment's (or all assignments') four modes."""

    def __init__(self, name: str, a, b, c, d, same: bool, jobs: int) -> None:  # noqa: ANN001
        self.name, self.a, self.b, self.c, self.d, self.same, self.jobs = name, a, b, c, d, same, jobs
        self.c_floor = c.wall / jobs

    def line(self) -> str:
        measured = self.d.wall > 1  # (d) skipped with --no-measured-floor
        d = (f"(d) nbclient in {self.jobs} processes {self.d.wall:.1f} s; " if measured else "(d) not measured; ")
        return (f"{self.name}: (a) serial nbgrader {self.a.wall:.1f} s [CPU {self.a.cpu:.1f} s], "
                f"(b) mesolab grade --jobs {self.jobs} {self.b.wall:.1f} s [CPU {self.b.cpu:.1f} s], "
                f"(c) nbclient floor {self.c_floor:.1f} s (sum {self.c.wall:.1f} s / {self.jobs}) "
                f"[CPU {self.c.cpu:.1f} s], {d}"
                f"(a)/(b) {self.a.wall / self.b.wall:.2f}x, (b)/(c) {self.b.wall / self.c_floor:.2f}x, "
                + (f"(b)/(d) {self.b.wall / self.d.wall:.2f}x, " if measured else "")
                + f"identical scores (sandbox-only attacks apart): {self.same}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=100)
    parser.add_argument("--assignments", nargs="*", default=ASSIGNMENTS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--hostile-share", type=float, default=0.1)
    parser.add_argument("--timeout", type=int, default=8, help="cell time limit in every mode (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--floor-shutdown", choices=["graceful", "immediate"], default="graceful",
                        help="how the floor's nbclient ends kernels (default: nbclient's own, graceful)")
    parser.add_argument("--no-measured-floor", action="store_true",
                        help="skip (d), the nbclient runs in J processes (saves a third of the run's time)")
    args = parser.parse_args()
    started = time.perf_counter()
    FLOOR_SHUTDOWN["mode"] = args.floor_shutdown
    rows = []
    with tempfile.TemporaryDirectory(prefix="mesolab-bench-grading-") as tmp:
        for name in args.assignments:
            assignment = Assignment.load(name)
            base = make_course(Path(tmp) / name / "base", name)
            kinds = build_cohort(base, assignment, args.trainees, args.hostile_share, args.seed)
            serial, parallel = Path(tmp) / name / "serial", Path(tmp) / name / "parallel"
            shutil.copytree(base, serial)
            shutil.copytree(base, parallel)
            with Measured() as a:
                nbgrader(serial, "autograde", name, f"--Execute.timeout={args.timeout}", timeout=7200)
            timings = Path(tmp) / name / "timings.json"
            with Measured() as b:
                result = subprocess.run([str(BIN / "mesolab"), "--course", str(parallel), "grade", name, "--jobs",
                                         str(args.jobs), "--cell-timeout", str(args.timeout)],
                                        capture_output=True, text=True,
                                        env={**os.environ, "MESOLAB_GRADE_TIMINGS": str(timings)})
            if result.returncode not in (0, 1):
                print(result.stdout[-2000:], result.stderr[-2000:])
            with Measured() as c:
                floor = floor_seconds(serial, name, args.timeout)
            with Measured() as d:
                if not args.no_measured_floor:
                    measured_floor_seconds(serial, name, args.timeout, args.jobs)
            same = compare_scores(autograded_scores(serial, name), autograded_scores(parallel, name), kinds)
            row = Row(name, a, b, c, d, same, args.jobs)
            rows.append(row)
            print(row.line(), flush=True)
            print(f"  busy share of {args.jobs} cores: (a) {a.cpu / a.wall / args.jobs:.0%}, "
                  f"(b) {b.cpu / b.wall / args.jobs:.0%}, (c) {c.cpu / c.wall / args.jobs:.0%}; per kind of trainee:")
            graded = json.loads(timings.read_text()) if timings.exists() else {}
            print("\n".join(per_kind(kinds, floor, graded)), flush=True)
    total = Row(f"all ({args.trainees} trainees x {len(rows)} assignments)",
                *(Sum(getattr(r, mode) for r in rows) for mode in "abcd"), all(r.same for r in rows), args.jobs)
    print()
    print(total.line())
    print(f"(a)/(b) = {total.a.wall / total.b.wall:.2f}x (goal >= 1.8x); "
          f"(b)/(c) = {total.b.wall / total.c_floor:.2f}x (goal <= 1.15x); "
          + (f"(b)/(d) = {total.b.wall / total.d.wall:.2f}x; " if total.d.wall > 1 else "")
          + f"identical scores (sandbox-only attacks apart): {total.same}")
    print(f"least wall time the CPU work allows on {args.jobs} cores (CPU s / {args.jobs}): "
          f"(a) {total.a.cpu / args.jobs:.1f} s, (b) {total.b.cpu / args.jobs:.1f} s, "
          f"nbclient {total.c.cpu / args.jobs:.1f} s")
    print(f"The benchmark ran {(time.perf_counter() - started) / 60:.1f} min (cohorts built, every mode). "
          "One run on this machine; not a CI gate.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
