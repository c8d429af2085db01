"""Start the next trainee's sandboxed kernel while the current trainee is graded.

A grading worker spends about half of its time waiting for its kernel: bubblewrap, the interpreter and ipykernel
starting up. ``mesolab grade`` tells each worker which trainee comes next (:func:`announce_next`); when the current
notebook's kernel is ready, the worker starts the next trainee's kernel, which boots while the current notebook
runs and nbgrader saves its grades. The next notebook then finds its kernel ready.

What keeps the scores those of ``nbgrader autograde``:

* **one kernel, one trainee, one run** — a kernel is started for a named trainee and a named working folder and is
  only ever handed to the execution of that trainee's notebook in that folder; a second run of the same notebook
  (after a dead kernel) starts a fresh kernel; a kernel nobody took is killed (:func:`discard_prestarted`);
* **the same files** — the kernel's private working copy is filled at start with the files nbgrader will copy into
  the working folder (the submission's and the source's non-notebook files), and is handed over only if, when the
  notebook runs, the working folder's non-notebook files are exactly those (else it is killed and a kernel is
  started the usual way); the notebooks nbgrader wrote are copied in at the hand-over, before any trainee code
  runs;
* **the same kernel** — same kernel name, arguments, sandbox and environment as the kernel nbgrader would start.

Outside ``mesolab grade`` nothing is announced, and a sandboxed Execute starts its kernels as nbgrader does.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import run_sync

from ..grading.isolated import STUDENT_ENV  # the variable the grader sets for the trainee's kernel


@dataclass
class _Upcoming:
    student: str
    workdir: str
    files: list[tuple[str, str]]  # (absolute source, path relative to the working folder)


@dataclass
class _Started:
    manager: object
    kernel_name: str
    digest: str
    work: str


_upcoming: list[_Upcoming] = []
_started: dict[tuple[str, str], _Started] = {}


def announce_next(student: str, workdir: str | os.PathLike, files: list[tuple[str, str]]) -> None:
    """The trainee this worker grades next: their working folder (``autograded/<id>/<assignment>``) and the
    non-notebook files nbgrader will copy there."""
    _upcoming[:] = [_Upcoming(student, os.path.realpath(workdir), list(files))]


def discard_prestarted(keep: str | None = None) -> None:
    """Kill every kernel started ahead that is not for trainee ``keep`` (a kernel is never kept for later)."""
    for key in [k for k in _started if k[0] != keep]:
        _shutdown(_started.pop(key))
    if keep is None:
        _upcoming.clear()


def tree_digest(folder: str | os.PathLike) -> str:
    """sha256 over the non-notebook files and links under ``folder``: relative path, and content or link target
    (folders count through what they hold: nbgrader copies files, never empty folders)."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_symlink():
            digest.update(f"L\0{relative}\0{os.readlink(path)}\0".encode())
        elif path.is_file():
            if not path.name.endswith(".ipynb"):
                digest.update(f"F\0{relative}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
        elif not path.is_dir():  # a FIFO, a socket, a device: never in a copy made here
            digest.update(f"O\0{relative}\0".encode())
    return digest.hexdigest()


def _shutdown(started: _Started) -> None:
    manager = started.manager
    with contextlib.suppress(Exception):
        run_sync(manager.shutdown_kernel)(now=True)
    with contextlib.suppress(Exception):
        run_sync(manager.cleanup_resources)()


class PrestartedKernels:
    """Mixed into the sandboxed Execute preprocessor (:func:`mesolab.instructor.sandbox.sandboxed`)."""

    def create_kernel_manager(self):  # noqa: ANN201 - nbclient's signature
        manager = self._take_prestarted()
        if manager is None:
            return super().create_kernel_manager()
        self.km = manager
        return manager

    def start_new_kernel_client(self):  # noqa: ANN201 - nbclient's signature
        client = super().start_new_kernel_client()
        self._start_upcoming()  # this notebook's kernel is ready: the next one boots while this one works
        return client

    # -- hand-over -------------------------------------------------------------------------------------------------

    def _graded(self) -> tuple[str, str]:
        resources = getattr(self, "resources", None) or {}
        student = str(resources.get("nbgrader", {}).get("student") or "")
        path = resources.get("metadata", {}).get("path") or ""
        return student, os.path.realpath(path) if path else ""

    def _take_prestarted(self):  # noqa: ANN202
        student, workdir = self._graded()
        started = _started.pop((student, workdir), None) if student and workdir else None
        if started is None:
            return None
        kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or ""
        try:
            usable = (started.kernel_name == kernel_name and run_sync(started.manager.is_alive)()
                      and tree_digest(workdir) == started.digest)
            if usable:  # the notebooks nbgrader wrote, as the usual start's copy of the folder would have them
                for notebook in Path(workdir).rglob("*.ipynb"):
                    target = Path(started.work) / notebook.relative_to(workdir)
                    if notebook.is_symlink() or not notebook.is_file() or target.parent.is_symlink():
                        usable = False
                        break
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(notebook, target)
        except OSError:
            usable = False
        if not usable:
            _shutdown(started)
            return None
        self.kernel_name = kernel_name
        return started.manager

    # -- start ahead -----------------------------------------------------------------------------------------------

    def _start_upcoming(self) -> None:
        if not _upcoming:
            return
        upcoming = _upcoming.pop()
        key = (upcoming.student, upcoming.workdir)
        if key in _started or self.km is None:
            return
        manager = self.kernel_manager_class(kernel_name=self.km.kernel_name, config=self.config)
        started = None
        try:
            work = manager.prepare_runtime()
            for source, relative in upcoming.files:
                target = Path(work) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)  # as nbgrader copies them into the working folder
            started = _Started(manager, self.km.kernel_name, tree_digest(work), work)
            manager.sandbox_workdir = upcoming.workdir
            run_sync(manager.start_kernel)(extra_arguments=list(self.extra_arguments), cwd=work,
                                           env={**os.environ, STUDENT_ENV: upcoming.student})
        except Exception as error:  # noqa: BLE001 - the notebook will start its kernel the usual way
            self.log.warning("could not start the next trainee's kernel ahead: %s", error)
            _shutdown(started or _Started(manager, "", "", ""))
            return
        _started[key] = started
