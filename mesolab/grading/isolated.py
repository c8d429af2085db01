"""Autograding in which trainee code and hidden tests never share an interpreter.

nbgrader's ``Execute`` runs the hidden tests in the trainee's kernel, after the trainee's code. Whatever that code
did to the kernel, the tests then run inside it: it can redefine builtins or helpers, patch the standard library,
plant modules that shadow imports, make ``==`` lie, or silence the error display so that a failing assert looks
passed. :class:`IsolatedExecute` replaces it in the autograde pipeline and grades in two phases:

1. **The trainee's kernel** (nbgrader's own execution, sandboxed if the course configures it) runs every cell
   except the test cells, then a last cell that prints the answers the tests read, as JSON. A kernel that dies or a
   cell that ignores interrupts is recorded on that cell and the notebook is run again without it, so the other
   answers are still graded. Output is capped per cell, so a flood of output cannot exhaust the grader.
2. **The grader's own interpreter** runs the instructor's locked setup cells and the test cells, in a fresh
   namespace holding only those answers as plain JSON values (numbers, text, lists, sets). No trainee code ever
   runs there, and an answer that is not plain data arrives as an ``UnreadableAnswer`` the readers reject.

The test cells' outputs (a failed assert's message) are written back to the notebook, where nbgrader's
``SaveAutoGrades`` scores them as usual.

Assignments with a case per trainee (module 09) need the student id nbgrader is grading: the test cells read it
with :func:`graded_student` (set here from nbgrader's resources, never from the notebook), and the trainee's kernel
gets it as the environment variable ``MESOLAB_STUDENT_ID`` so that the notebook shows the trainee's own case.

Limits: test cells must read answers (names), not call trainee functions; a test cell's own output is text only.
"""
from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import copy
import io
import json
import os
import tempfile
import traceback
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Enum, Float, Integer

ANSWERS_MARKER = "MESOLAB-ANSWERS "
READERS = {"read_number", "read_choice", "read_choices", "read_order", "read_date"}
#: The kernel's environment variable holding the student id being graded (read by mesolab.lessons.capstone).
STUDENT_ENV = "MESOLAB_STUDENT_ID"
_graded: dict[str, str] = {}

# Runs in the trainee's kernel, so it trusts nothing there: it reads values through the base types' own methods and
# turns anything that is not plain data into a marker. Whatever it prints is only the trainee's answers.
_HARVEST = r'''
def __mesolab_harvest(names):
    import json as _json, numbers as _numbers
    def plain(value, depth=0):
        kind = type(value)
        if kind is bool or kind is int or kind is str:
            return value
        if kind is float:
            return float.__float__(value) if float.__float__(value) == float.__float__(value) else "nan"
        if kind.__module__ == "numpy" and hasattr(value, "item") and depth == 0:
            return plain(value.item(), depth + 1)
        if kind in (set, frozenset) and depth == 0:
            return {"__set__": [plain(item, 1) for item in value]}
        if kind in (list, tuple) and depth == 0:
            return [plain(item, 1) for item in value]
        return {"__unreadable__": kind.__name__}
    found = {}
    for name in names:
        if name in globals():
            try:
                found[name] = plain(globals()[name])
            except Exception as error:
                found[name] = {"__unreadable__": type(error).__name__}
    print("MESOLAB-ANSWERS " + _json.dumps(found))
__mesolab_harvest(%r)
del __mesolab_harvest
'''


def graded_student() -> str:
    """The nbgrader student id whose notebook the test cells are grading (a trusted value: nbgrader's resources).

    Only test cells call it, in the grader's interpreter; anywhere else there is no such id and it raises."""
    if "student" not in _graded:
        raise AssertionError("no student is being graded: this check runs only when nbgrader autogrades")
    return _graded["student"]


class UnreadableAnswer:
    """Stands for an answer that was not plain data (e.g. an object whose ``==`` always says True)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<an answer MesoLab could not read: a {self.kind} object>"


def _is_test(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_setup(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution")


def answer_names(test_sources: list[str]) -> list[str]:
    """Names the test cells read: string arguments of the readers, and free names they load."""
    names: dict[str, None] = {}
    for source in test_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in READERS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                names[node.args[0].value] = None
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in assigned \
                    and not hasattr(builtins, node.id):
                names[node.id] = None
    return list(names)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__set__" in value:
            return {_decode(v) for v in value["__set__"] if not isinstance(v, (dict, list))}
        return UnreadableAnswer(str(value.get("__unreadable__", "unknown")))
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class IsolatedExecute(Execute):
    """nbgrader's Execute for trainee cells; hidden tests evaluated apart, on the answers as plain data."""

    max_output_chars = Integer(100_000, help="Output kept per cell of trainee code; the rest is dropped.").tag(
        config=True)
    interrupt_grace = Float(1.0, help="Seconds a cell past the time limit has to stop after the interrupt; a cell "
                            "still running then ignored it, and its kernel is killed at once.").tag(config=True)
    #: Each kernel runs one trainee's notebook once: nothing in it is worth a graceful goodbye, and a kernel stuck in
    #: a cell would make a graceful shutdown wait seconds before the kill.
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict, km: Any = None):  # type: ignore[override]
        self._student = str((resources or {}).get("nbgrader", {}).get("student") or "")
        tests = [i for i, cell in enumerate(nb.cells) if _is_test(cell)]
        names = answer_names([nb.cells[i].source for i in tests])
        trainee = copy.deepcopy(nb)
        for i in tests:
            trainee.cells[i].source = ""  # the tests never reach the trainee's kernel
        stopped: dict[int, NotebookNode] = {}
        harvest_index = len(trainee.cells)
        trainee.cells.append(new_code_cell(_HARVEST % (names,)))
        for _attempt in range(len(trainee.cells)):
            run = copy.deepcopy(trainee)
            for i in stopped:
                run.cells[i].source = ""
            self._current = -1
            self._chars: dict[int, int] = {}
            try:
                run, resources = super().preprocess(run, resources, km=km)
                break
            except (CellTimeoutError, DeadKernelError) as error:
                index = self._current
                if index < 0 or index in stopped or index == harvest_index:
                    run = None
                    break
                stopped[index] = _error_output(
                    type(error).__name__,
                    "this cell was stopped: it ran past the time limit and ignored the interrupt, or it stopped the "
                    "kernel. Answers in this cell were not graded; the rest of the notebook was."
                    if isinstance(error, CellTimeoutError) else
                    "the kernel stopped while this cell ran (it exited or crashed). Answers in this cell were not "
                    "graded; the rest of the notebook was.")
        else:
            run = None
        answers = self._answers(run.cells[harvest_index] if run is not None else None)
        for i, cell in enumerate(nb.cells):
            if i in tests or cell.cell_type != "code":
                continue
            if i in stopped:
                cell.outputs = [stopped[i]]
                cell.execution_count = None
            elif run is not None:
                cell.outputs = run.cells[i].outputs
                cell.execution_count = run.cells[i].get("execution_count")
        self._grade_tests(nb, tests, answers)
        return nb, resources

    # -- phase 1 helpers ------------------------------------------------------------------------------------------

    def _answers(self, harvest: NotebookNode | None) -> dict[str, Any]:
        if harvest is None:
            return {}
        for output in harvest.get("outputs", []):
            if output.get("output_type") == "stream":
                for line in output.get("text", "").splitlines():
                    if line.startswith(ANSWERS_MARKER):
                        try:
                            data = json.loads(line[len(ANSWERS_MARKER):])
                        except ValueError:
                            return {}
                        return {str(k): _decode(v) for k, v in data.items()} if isinstance(data, dict) else {}
        return {}

    def start_new_kernel(self, **kwargs):  # noqa: ANN003 - nbclient's signature
        """The trainee's kernel learns which trainee it runs for (to show that trainee's case), nothing else."""
        if getattr(self, "_student", ""):
            kwargs["env"] = {**os.environ, **kwargs.get("env", {}), STUDENT_ENV: self._student}
        return super().start_new_kernel(**kwargs)

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001 - nbconvert's signature
        self._current = index  # which cell a timeout or a dead kernel belongs to
        return super().preprocess_cell(cell, resources, index)

    async def _async_handle_timeout(self, timeout, cell=None):  # noqa: ANN001 - nbclient's signature
        """Interrupt the cell; a cell that has not stopped within ``interrupt_grace`` ignored the interrupt, so
        grading stops this run at once (the kernel is killed and the notebook run again without that cell) instead
        of waiting for output that never comes, and then for the kernel to shut down."""
        if not self.interrupt_on_timeout:
            return await super()._async_handle_timeout(timeout, cell)
        self.log.error("Timeout waiting for execute reply (%is): interrupting the kernel", timeout)
        await ensure_async(self.km.interrupt_kernel())
        try:
            reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=self.interrupt_grace))
        except Empty:
            raise CellTimeoutError.error_from_timeout_and_cell(
                "Cell execution timed out and ignored the interrupt", timeout, cell) from None
        if self.error_on_timeout:  # as nbclient: the cell's reply is the configured timeout error
            return {"content": {**self.error_on_timeout, "status": "error"}}
        return reply

    async def _async_poll_kernel_alive(self) -> None:
        """nbclient's watch for a dead kernel, every 0.1 s instead of every second (a kernel that exits costs the
        wait before the notebook is run again)."""
        while True:
            await asyncio.sleep(0.1)
            try:
                await self._async_check_alive()
            except DeadKernelError:
                assert self.task_poll_for_reply is not None
                self.task_poll_for_reply.cancel()
                return

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001 - nbclient's signature
        """Keep at most ``max_output_chars`` of output per cell, then one note."""
        used = self._chars.get(cell_index, 0)
        if used > self.max_output_chars:
            return None
        size = len(json.dumps(msg.get("content", {}), default=str))
        self._chars[cell_index] = used + size
        if used + size > self.max_output_chars:
            note = new_output("stream", name="stderr",
                              text=f"[output cut: more than {self.max_output_chars} characters from this cell]\n")
            outs.append(note)
            return note
        return super().output(outs, msg, display_id, cell_index)

    # -- phase 2 -------------------------------------------------------------------------------------------------

    def _grade_tests(self, nb: NotebookNode, tests: list[int], answers: dict[str, Any]) -> None:
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        namespace.update(answers)
        count = 0
        if self._student:
            _graded["student"] = self._student
        else:
            _graded.pop("student", None)
        with tempfile.TemporaryDirectory(prefix="mesolab-tests-") as clean, _chdir(clean), _forget_student():
            for i, cell in enumerate(nb.cells):
                if _is_setup(cell):
                    self._run_trusted(cell, namespace)  # e.g. `import math`: instructor code from the source
                elif i in tests:
                    count += 1
                    cell.outputs = self._run_trusted(cell, namespace)
                    cell.execution_count = count

    def _run_trusted(self, cell: NotebookNode, namespace: dict[str, Any]) -> list[NotebookNode]:
        stdout = io.StringIO()
        outputs: list[NotebookNode] = []
        try:
            code = compile(cell.source, f"<test cell {cell.metadata.get('nbgrader', {}).get('grade_id', '')}>", "exec")
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stdout):
                exec(code, namespace)  # noqa: S102 - instructor code from the source notebook, no trainee code
        except Exception as error:  # noqa: BLE001 - every failure is a failed check, reported as such
            if stdout.getvalue():
                outputs.append(new_output("stream", name="stdout", text=stdout.getvalue()))
            detail = traceback.format_exception_only(type(error), error)[-1].strip()
            outputs.append(new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[detail]))
            return outputs
        if stdout.getvalue():
            outputs.append(new_output("stream", name="stdout", text=stdout.getvalue()))
        return outputs


@contextlib.contextmanager
def _forget_student():
    try:
        yield
    finally:
        _graded.pop("student", None)


@contextlib.contextmanager
def _chdir(path: str):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)
