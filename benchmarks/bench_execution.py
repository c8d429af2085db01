"""Headless execution time of the curriculum's notebooks, as a ratio to an empty notebook.

Each notebook runs with nbclient on a real ``python3`` kernel, from a fresh temporary copy (the
kernel's working directory is the temporary folder), with ``MPLBACKEND`` unset so that matplotlib
uses the inline backend exactly as in Jupyter. The wall time covers kernel start, every cell and
kernel shutdown. An empty notebook (one empty code cell) gives the floor: the cost of a kernel.

Runs are interleaved (empty, notebook 1, notebook 2, ..., empty, ...) so that drift of the machine
affects every row alike. The printed ratios come from this one run; they are not a CI gate.

    python benchmarks/bench_execution.py [--repeat 5] [--notebooks 'notebooks/*.ipynb' ...] [--cells]

``--cells`` adds the slowest cells of each notebook (where the time goes).
"""
from __future__ import annotations

import argparse
import fnmatch
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSON = "notebooks/01_skin_layers.ipynb"
ASSIGNMENT = "source/01_skin_layers/01_skin_layers.ipynb"
DEFAULT_GLOBS = ("notebooks/*.ipynb", "source/*/*.ipynb")
GOAL_RATIO = 1.8
EMPTY = "(empty notebook: kernel floor)"


@dataclass
class Timings:
    """Wall times of one notebook over the repeats, split into phases."""

    total: list[float] = field(default_factory=list)
    start: list[float] = field(default_factory=list)  # until the kernel answers (kernel start)
    cells: list[float] = field(default_factory=list)  # first cell sent .. last cell done
    stop: list[float] = field(default_factory=list)  # kernel shutdown and cleanup
    per_cell: dict[int, list[float]] = field(default_factory=dict)  # cell index -> seconds


def empty_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(""))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run_once(nb: nbformat.NotebookNode, name: str, kernel: str, timeout: int, timings: Timings,
             kernel_stderr: bool) -> None:
    """Execute ``nb`` in a fresh kernel from a temporary copy; append its timings."""
    marks: dict[str, float] = {}
    cell_started: dict[int, float] = {}

    def on_start(**_: object) -> None:
        marks["ready"] = time.perf_counter()

    def on_cell_start(cell: object, cell_index: int, **_: object) -> None:
        cell_started[cell_index] = time.perf_counter()
        marks.setdefault("first_cell", cell_started[cell_index])

    def on_cell_executed(cell_index: int, **_: object) -> None:
        now = time.perf_counter()
        marks["last_cell"] = now
        timings.per_cell.setdefault(cell_index, []).append(now - cell_started[cell_index])

    with tempfile.TemporaryDirectory(prefix="mesolab-bench-") as tmp:
        path = Path(tmp) / (name if name.endswith(".ipynb") else "empty.ipynb")
        nbformat.write(nb, path)
        copy = nbformat.read(path, as_version=4)  # what a user would open: the notebook on disk
        client = NotebookClient(copy, kernel_name=kernel, timeout=timeout, allow_errors=False,
                                resources={"metadata": {"path": tmp}},
                                on_notebook_start=on_start, on_cell_start=on_cell_start,
                                on_cell_executed=on_cell_executed)
        began = time.perf_counter()
        # The kernel's own log (e.g. ipykernel's "running over TCP without encryption") would drown the table;
        # a failing cell still raises CellExecutionError with its traceback.
        client.execute(**({} if kernel_stderr else {"stderr": subprocess.DEVNULL}))
        ended = time.perf_counter()
    ready = marks.get("ready", began)
    timings.total.append(ended - began)
    timings.start.append(ready - began)
    timings.cells.append(max(0.0, marks.get("last_cell", ready) - marks.get("first_cell", ready)))
    timings.stop.append(ended - marks.get("last_cell", ready))


def grader_only_cells(nb: nbformat.NotebookNode) -> int:
    """Blank the test cells that only the grader's interpreter can run (a case per trainee: ``graded_student()``,
    see mesolab.grading.isolated); the grader's kernel never runs test cells. Returns how many were blanked."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and "graded_student(" in cell.source:
            cell.source = ""
            count += 1
    return count


def find_notebooks(patterns: list[str]) -> tuple[list[Path], list[str]]:
    notes = []
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(Path(p) for p in glob.glob(str(ROOT / pattern) if not os.path.isabs(pattern) else pattern))
        if not matches:
            notes.append(f"note: no notebook matches {pattern!r}")
        found += [m for m in matches if m.suffix == ".ipynb" and ".ipynb_checkpoints" not in m.parts]
    found = list(dict.fromkeys(found))
    if not (ROOT / LESSON).exists() and any(fnmatch.fnmatch(LESSON, pattern) for pattern in patterns):
        others = sorted((ROOT / "notebooks").glob("*.ipynb"))
        notes.append(f"note: the lesson {LESSON} does not exist yet; "
                     + (f"the other lessons under notebooks/ stand in ({', '.join(p.name for p in others)})"
                        if others else "no notebook under notebooks/ either, so no lesson is measured"))
    if not (ROOT / ASSIGNMENT).exists() and any(fnmatch.fnmatch(ASSIGNMENT, pattern) for pattern in patterns):
        notes.append(f"note: the assignment {ASSIGNMENT} does not exist")
    return found, notes


def kernel_python(kernel: str) -> str:
    """The interpreter the kernel runs on (jupyter_client maps a bare 'python' to this Python)."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        argv0 = KernelSpecManager().get_kernel_spec(kernel).argv[0]
    except Exception as error:  # noqa: BLE001 - only for the banner
        return f"kernelspec not readable: {error}"
    return sys.executable if argv0 in ("python", "python3", "{python}") else argv0


def label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each notebook (default 5)")
    parser.add_argument("--notebooks", nargs="+", default=list(DEFAULT_GLOBS), metavar="GLOB",
                        help="notebooks to time, relative to the project root (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed empty-notebook runs first (default 1)")
    parser.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--kernel-stderr", action="store_true", help="let the kernels' log through to stderr")
    parser.add_argument("--cells", action="store_true", help="also print the slowest cells of each notebook")
    args = parser.parse_args()

    # As in Jupyter: no MPLBACKEND, so ipykernel selects the inline backend in the kernel.
    os.environ.pop("MPLBACKEND", None)
    # The capstone (09) draws a patient per trainee: its assignment needs the id the grader sets for the kernel,
    # and with it the lesson shows a patient as it does on a hub. Progress goes to a file of this run, not the
    # user's own.
    os.environ.setdefault("MESOLAB_STUDENT_ID", "bench-trainee")
    progress_dir = tempfile.TemporaryDirectory(prefix="mesolab-bench-progress-")
    os.environ["MESOLAB_PROGRESS_FILE"] = str(Path(progress_dir.name) / "progress.json")
    notebooks, notes = find_notebooks(args.notebooks)
    entries: list[tuple[str, nbformat.NotebookNode]] = [(EMPTY, empty_notebook())]
    entries += [(label(p), nbformat.read(p, as_version=4)) for p in notebooks]
    for name, nb in entries:
        left_out = grader_only_cells(nb)
        if left_out:
            notes.append(f"note: {name}: {left_out} hidden-test cell(s) read the student id being graded; they run "
                         "in the grader's own interpreter, never in a kernel, so they are left out here")

    print(f"Headless execution with nbclient, kernel {args.kernel!r} ({kernel_python(args.kernel)}), "
          f"{args.repeat} interleaved runs each after {args.warmup} untimed warm-up, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    for note in notes:
        print(note)
    print()

    timings = {name: Timings() for name, _ in entries}
    wall = time.perf_counter()
    # Untimed: the very first kernel start of a session pays for cold disk caches (seconds, not the floor).
    for _ in range(args.warmup):
        run_once(empty_notebook(), "warmup.ipynb", args.kernel, args.timeout, Timings(), args.kernel_stderr)
    for round_ in range(args.repeat):
        for name, nb in entries:
            run_once(nb, Path(name).name, args.kernel, args.timeout, timings[name], args.kernel_stderr)
        done = ", ".join(f"{Path(n).name} {timings[n].total[-1]:.2f}s" for n, _ in entries)
        print(f"  run {round_ + 1}/{args.repeat}: {done}", flush=True)
    print()

    floor = statistics.median(timings[EMPTY].total)
    width = max(len(name) for name, _ in entries)
    header = (f"{'notebook':<{width}}  {'median s':>8}  {'min s':>6}  {'max s':>6}  {'start':>6}  {'cells':>6}  "
              f"{'stop':>6}  {'ratio':>6}  goal")
    print(header)
    print("-" * len(header))
    for name, _ in entries:
        t = timings[name]
        median = statistics.median(t.total)
        ratio = median / floor
        verdict = "" if name == EMPTY else ("  (within goal)" if ratio <= GOAL_RATIO else "  (over goal)")
        goal = "floor" if name == EMPTY else f"≤ {GOAL_RATIO:.1f}×"
        print(f"{name:<{width}}  {median:8.2f}  {min(t.total):6.2f}  {max(t.total):6.2f}  "
              f"{statistics.median(t.start):6.2f}  {statistics.median(t.cells):6.2f}  "
              f"{statistics.median(t.stop):6.2f}  {ratio:5.2f}×  {goal}{verdict}")
    print()
    print("ratio = notebook median / empty-notebook median. start = until the kernel answers, cells = first cell "
          "sent to last cell done, stop = kernel shutdown (medians, seconds).")
    print(f"Load average at the end {os.getloadavg()[0]:.1f} (other processes on the CPUs widen the min–max spread).")
    print(f"Measured in one run of {time.perf_counter() - wall:.0f} s; numbers vary between machines and runs: "
          "compare ratios, not seconds. Not a CI gate.")

    if args.cells:
        for name, nb in entries[1:]:
            rows = sorted(((statistics.median(v), i) for i, v in timings[name].per_cell.items()), reverse=True)[:5]
            print(f"\nslowest cells of {name} (median s):")
            for seconds, index in rows:
                source = nb.cells[index].source.strip()
                first_line = source.splitlines()[0][:70] if source else ""
                print(f"  cell {index:>3}  {seconds:6.3f}  {first_line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
