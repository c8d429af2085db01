"""What every lesson's browser test does the same way: open a lesson, run all cells, find errors, save; record
console errors, timings and screenshots; check accessibility with axe-core."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

KERNEL_TIMEOUT_MS = 60_000  # first kernel start on a 2-core machine
RUN_ALL_TIMEOUT_MS = 60_000  # run-all of a notebook that imports matplotlib
# In JupyterLab 4.6 a traceback is rendered like a stderr stream (data-mime-type application/vnd.jupyter.stderr);
# only its text tells them apart. "Error displaying widget" is what ipywidgets shows when a view fails.
ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]:has-text("Traceback"), '
                 '.jp-OutputArea-output[data-mime-type*="error"], '
                 '.jp-OutputArea-output:has-text("Error displaying widget")')

# What MesoLab renders in a notebook: cell outputs (widgets, HTML figures, tables, self-check feedback) and the
# lessons' rendered Markdown. axe-core must find no critical or serious violation there. The rest of the page is
# JupyterLab's own chrome (menus, side bars, toolbars): its violations are reported, not failed
# (docs/accessibility.md lists them as known).
MESOLAB_OUTPUT = (".jp-NotebookPanel .jp-OutputArea-output", ".jp-NotebookPanel .jp-MarkdownOutput")
FAILING_IMPACTS = ("critical", "serious")
# Inside MesoLab's output but drawn by a library MesoLab cannot change from Python: reported, not failed, and
# listed in docs/accessibility.md. (rule id, CSS class of the element): ipywidgets 8 does not pass noUiSlider's
# handleAttributes, so a slider's handle (role="slider") has no accessible name; its visible label is beside it.
KNOWN_UPSTREAM = {("aria-input-field-name", "noUi-handle")}


def _split_known(violations: list[dict]) -> tuple[list[dict], list[dict]]:
    """(violations to fail on, known upstream ones), node by node."""
    ours, known = [], []
    for violation in violations:
        classes = {cls for rule, cls in KNOWN_UPSTREAM if rule == violation["id"]}
        upstream = [n for n in violation["nodes"] if any(f'class="{c}' in n["html"] or f" {c}" in n["html"]
                                                         for c in classes)]
        rest = [n for n in violation["nodes"] if n not in upstream]
        if rest:
            ours.append(violation | {"nodes": rest})
        if upstream:
            known.append(violation | {"nodes": upstream})
    return ours, known


def run_axe(page, axe_script: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations in the page (only inside ``include``, if given; never inside ``exclude``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_script)
    return page.evaluate(
        """async ([include, exclude]) => {
            const present = include.filter(sel => document.querySelector(sel));
            if (include.length && !present.length) return [];
            const context = {exclude: exclude.map(sel => [sel])};
            if (present.length) context.include = present.map(sel => [sel]);
            else context.include = [['html']];
            const results = await window.axe.run(context, {resultTypes: ['violations']});
            return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))}));
        }""", [list(include), list(exclude)])


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@dataclass
class BrowserRecord:
    """One browser test's record: console errors, timings, screenshots and accessibility results, all written to
    test-output/browser/<name>-* (the ``record`` fixture saves them whatever the outcome)."""

    name: str
    page: object
    output_dir: Path
    axe_script: str
    started: float = field(default_factory=time.monotonic)
    timings: dict[str, float] = field(default_factory=dict)
    console: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)

    def mark(self, step: str) -> None:
        """Seconds since the test started, under ``step``."""
        self.timings[step] = time.monotonic() - self.started

    def screenshot(self, step: str, locator=None) -> Path:
        """``<name>-<step>.png``: the whole page, or only ``locator``."""
        path = self.output_dir / f"{self.name}-{step}.png"
        if locator is None:
            self.page.screenshot(path=str(path), full_page=True)
        else:
            locator.screenshot(path=str(path))
        return path

    def check_accessibility(self, step: str, chrome: bool = False) -> None:
        """Fail on a critical or serious axe-core violation in what MesoLab renders; with ``chrome``, also report
        (never fail) JupyterLab's own violations outside MesoLab's output."""
        started = time.monotonic()
        ours, upstream = _split_known(run_axe(self.page, self.axe_script, include=MESOLAB_OUTPUT))
        self.accessibility.append(f"== {step}: MesoLab's output ==\n{describe_violations(ours) or 'no violation'}")
        if upstream:
            self.accessibility.append(f"== {step}: known upstream, inside MesoLab's output (reported, not failed) =="
                                      f"\n{describe_violations(upstream)}")
        if chrome:
            theirs = run_axe(self.page, self.axe_script, exclude=MESOLAB_OUTPUT)
            self.accessibility.append(f"== {step}: JupyterLab's own chrome (reported, not failed) ==\n"
                                      f"{describe_violations(theirs) or 'no violation'}")
        self.timings[f"axe {step} (s)"] = time.monotonic() - started
        failing = [v for v in ours if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"{step}: accessibility violations in MesoLab's output:\n{describe_violations(failing)}"

    def save(self) -> None:
        (self.output_dir / f"{self.name}-browser-console.txt").write_text("\n".join(self.console) + "\n")
        (self.output_dir / f"{self.name}-timings.json").write_text(
            json.dumps({step: round(seconds, 2) for step, seconds in self.timings.items()}))
        if self.accessibility:
            (self.output_dir / f"{self.name}-accessibility.txt").write_text("\n\n".join(self.accessibility) + "\n")


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
