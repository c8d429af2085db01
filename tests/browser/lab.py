"""What every lesson's browser test does the same way: open a lesson, run all cells, find errors, save."""
from __future__ import annotations

import json
import re
import time

KERNEL_TIMEOUT_MS = 60_000  # first kernel start on a 2-core machine
RUN_ALL_TIMEOUT_MS = 60_000  # run-all of a notebook that imports matplotlib
# In JupyterLab 4.6 a traceback is rendered like a stderr stream (data-mime-type application/vnd.jupyter.stderr);
# only its text tells them apart. "Error displaying widget" is what ipywidgets shows when a view fails.
ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]:has-text("Traceback"), '
                 '.jp-OutputArea-output[data-mime-type*="error"], '
                 '.jp-OutputArea-output:has-text("Error displaying widget")')

def _kernel_idle(page) -> None:
    page.wait_for_function(
        "() => (document.querySelector('#jp-main-statusbar')?.innerText ?? '').includes('| Idle')",
        timeout=KERNEL_TIMEOUT_MS)


def _run_all(page) -> None:
    page.locator("#jp-menu-panel").get_by_role("menuitem", name="Run", exact=True).click()
    # exact: a loose match also hits "Restart Kernel and Run All Cells…"
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _wait_run_all_done(page) -> None:
    """Every code cell has a number in its prompt ([*] is running or queued, [ ] never ran)."""
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=RUN_ALL_TIMEOUT_MS)


def _error_outputs(page) -> list[str]:
    return [text[:500] for text in page.locator(ERROR_OUTPUTS).all_inner_texts()]


def _saved_notebook_errors(page, lab_server, notebook) -> list[str]:
    """Save through the UI and read the file back: error outputs, and code cells that never ran."""
    path = notebook.relative_to(lab_server.root).as_posix()
    before = lab_server.api("GET", f"/api/contents/{path}?content=0")["last_modified"]
    page.locator("#jp-menu-panel").get_by_role("menuitem", name="File", exact=True).click()
    # The item's accessible name includes its shortcut ("Save Notebook Ctrl+S"): match the label instead.
    page.locator(".lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Save Notebook$"))).click()
    # Jupyter's "atomic" writing backs the file up and then rewrites it in place: a reader can catch it
    # empty or half written. Poll until the file is newer than before and parses.
    deadline = time.monotonic() + 15
    while True:
        assert time.monotonic() < deadline, "Save Notebook did not write the notebook within 15 s"
        if lab_server.api("GET", f"/api/contents/{path}?content=0")["last_modified"] != before:
            try:
                cells = json.loads(notebook.read_text())["cells"]
                break
            except (json.JSONDecodeError, KeyError):
                pass
        time.sleep(0.2)
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        if cell.get("execution_count") is None and "".join(cell["source"]).strip():
            problems.append(f"cell {index} did not run")
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"cell {index}: {output['ename']}: {output['evalue']}")
    return problems


def open_and_run_all(page, lab_server, lesson: str, ready_selector: str, timings: dict[str, float]):
    """Open a fresh copy of ``lesson``, run all cells, wait for ``ready_selector``, and check that no cell
    shows an error, in the page and in the saved file. Returns the copy's path."""
    started = time.monotonic()
    notebook = lab_server.unique_copy(lesson)
    page.goto(lab_server.tree_url(notebook))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _kernel_idle(page)
    timings["kernel idle"] = time.monotonic() - started
    _run_all(page)
    page.locator(ready_selector).first.wait_for(timeout=RUN_ALL_TIMEOUT_MS)
    _wait_run_all_done(page)
    _kernel_idle(page)
    timings["run all"] = time.monotonic() - started
    assert _error_outputs(page) == [], "a cell shows an error"
    assert _saved_notebook_errors(page, lab_server, notebook) == []
    timings["saved"] = time.monotonic() - started
    return notebook
