"""Lesson 01 in a real JupyterLab and a real Chromium: run all cells, then drive the explorer by keyboard.

Every change of a control must change the reading (to exactly what :func:`read_needle` says) and the figure.
Screenshots land in test-output/browser/ for a person to look at.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from mesolab.skin import region_ids, region_name
from mesolab.widgets.cross_section import read_needle

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

LESSON = "01_skin_layers.ipynb"
KERNEL_TIMEOUT_MS = 60_000  # first kernel start on a 2-core machine
RUN_ALL_TIMEOUT_MS = 60_000  # run-all of a notebook that imports matplotlib
ROUND_TRIP_TIMEOUT_MS = 15_000  # one key press -> kernel -> new figure and reading

FIGURE = "img.mesolab-cross-section-figure"  # ipywidgets' Image view is the <img> itself
READOUT = ".mesolab-tip-readout .widget-html-content"
# In JupyterLab 4.6 a traceback is rendered like a stderr stream (data-mime-type application/vnd.jupyter.stderr);
# only its text tells them apart. "Error displaying widget" is what ipywidgets shows when a view fails.
ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]:has-text("Traceback"), '
                 '.jp-OutputArea-output[data-mime-type*="error"], '
                 '.jp-OutputArea-output:has-text("Error displaying widget")')
DEPTH = re.compile(r"^Tip (\d+\.\d\d) mm deep → ")


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


def _figure_src(page) -> str:
    return page.locator(FIGURE).first.get_attribute("src") or ""


def _expect_update(page, before_src: str, expected_text: str, what: str) -> str:
    """Wait for the reading to say ``expected_text`` and for a new, decoded figure; return its src."""
    readout = page.locator(READOUT).first
    try:
        page.wait_for_function("([sel, text]) => document.querySelector(sel)?.innerText.trim() === text",
                               arg=[READOUT, expected_text], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the reading was instead
        pytest.fail(f"{what}: reading did not become {expected_text!r}; it is {readout.inner_text()!r} ({error})")
    page.wait_for_function("([sel, old]) => { const img = document.querySelector(sel);"
                           " return !!img && !!img.src && img.src !== old; }",
                           arg=[FIGURE, before_src], timeout=ROUND_TRIP_TIMEOUT_MS)
    figure = page.locator(FIGURE).first
    figure.evaluate("img => img.decode()")
    assert figure.evaluate("img => img.naturalWidth") > 0, f"{what}: the new figure is empty"
    return figure.get_attribute("src") or ""


def _expected(region: str, sex: str, length: float, angle: float) -> str:
    return read_needle(region, sex, length, angle).summary


def _depth_shown(page) -> str:
    match = DEPTH.match(page.locator(READOUT).first.inner_text().strip())
    assert match, f"reading does not start with 'Tip N.NN mm deep →': {page.locator(READOUT).first.inner_text()!r}"
    return match.group(1)


def _press(page, handle, key: str) -> None:
    """Focus a control as a keyboard user would reach it, and press one key."""
    handle.focus()
    assert handle.evaluate("el => el === document.activeElement"), "control did not take keyboard focus"
    page.keyboard.press(key)


def _error_outputs(page) -> list[str]:
    return [text[:500] for text in page.locator(ERROR_OUTPUTS).all_inner_texts()]


def _saved_notebook_errors(page, lab_server, notebook) -> list[str]:
    """Save through the UI and read the file back: error outputs, and code cells that never ran."""
    path = notebook.relative_to(lab_server.root).as_posix()
    before = lab_server.api("GET", f"/api/contents/{path}?content=0")["last_modified"]
    page.locator("#jp-menu-panel").get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Save Notebook", exact=True).click()
    deadline = time.monotonic() + 15
    while lab_server.api("GET", f"/api/contents/{path}?content=0")["last_modified"] == before:
        assert time.monotonic() < deadline, "Save Notebook did not write the notebook within 15 s"
        time.sleep(0.2)
    cells = json.loads(notebook.read_text())["cells"]
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


def test_lesson01_explorer_by_keyboard(lab_page, lab_server, output_dir):
    page = lab_page
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: console_errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    started = time.monotonic()
    timings: dict[str, float] = {}

    notebook = lab_server.unique_copy(LESSON)
    page.goto(lab_server.tree_url(notebook))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _kernel_idle(page)
    timings["kernel idle"] = time.monotonic() - started

    _run_all(page)
    page.locator(READOUT).first.wait_for(timeout=RUN_ALL_TIMEOUT_MS)
    _wait_run_all_done(page)
    _kernel_idle(page)
    timings["run all"] = time.monotonic() - started

    assert _error_outputs(page) == [], "a cell shows an error"
    assert page.locator(".mesolab-tip-readout").count() >= 1

    region, sex, length, angle = "cheek", "female", 4.0, 30
    src = _expect_update(page, "", _expected(region, sex, length, angle), "after Run All")
    assert _depth_shown(page) == "2.00"
    explorer = page.locator(".widget-vbox").filter(has=page.locator(".mesolab-tip-readout")).last
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "lesson01-01-run-all.png"), full_page=True)

    angle_handle = page.locator(".mesolab-needle-angle .noUi-handle").first
    angle_readout = page.locator(".mesolab-needle-angle .widget-readout").first
    length_handle = page.locator(".mesolab-needle-length .noUi-handle").first
    for key, new_angle, depth in [("ArrowRight", 31, None), ("ArrowLeft", 30, "2.00"), ("End", 90, "4.00"),
                                  ("Home", 5, None)]:
        _press(page, angle_handle, key)
        angle = new_angle
        src = _expect_update(page, src, _expected(region, sex, length, angle), f"angle {key}")
        assert angle_readout.inner_text().strip() == str(angle)
        assert float(angle_handle.get_attribute("aria-valuenow")) == angle
        if depth is not None:
            assert _depth_shown(page) == depth, f"angle {key} -> {angle}°"
    timings["angle keys"] = time.monotonic() - started

    _press(page, angle_handle, "End")  # back to 90°: the tip depth is the inserted length
    angle = 90
    src = _expect_update(page, src, _expected(region, sex, length, angle), "angle End again")
    for key, new_length, depth in [("ArrowRight", 4.5, "4.50"), ("ArrowLeft", 4.0, "4.00"), ("End", 13.0, "13.00")]:
        _press(page, length_handle, key)
        length = new_length
        src = _expect_update(page, src, _expected(region, sex, length, angle), f"length {key}")
        assert page.locator(".mesolab-needle-length .widget-readout").first.inner_text().strip() == f"{length:.1f}"
        assert _depth_shown(page) == depth, f"length {key} -> {length} mm at 90°"
    _press(page, length_handle, "Home")
    length = 0.5
    src = _expect_update(page, src, _expected(region, sex, length, angle), "length Home")
    timings["length keys"] = time.monotonic() - started

    # Region: ArrowDown on the focused, closed <select> picks the next option (Chromium on Linux).
    select = page.locator(".mesolab-region select").first
    regions = list(region_ids())
    _press(page, select, "ArrowDown")
    region = regions[regions.index(region) + 1]
    assert select.input_value() == region_name(region)
    src = _expect_update(page, src, _expected(region, sex, length, angle), "region ArrowDown")
    _press(page, select, "Home")  # first region
    region = regions[0]
    assert select.input_value() == region_name(region)
    src = _expect_update(page, src, _expected(region, sex, length, angle), "region Home")
    timings["region keys"] = time.monotonic() - started

    # Sex: the toggle buttons are ordinary buttons, pressed with Space.
    other = next(s for s in ("male", "female") if s != sex)
    _press(page, explorer.get_by_role("button", name=other.capitalize(), exact=True), "Space")
    sex = other
    src = _expect_update(page, src, _expected(region, sex, length, angle), "sex Space")

    # A keyboard-only position to look at: 45°, 6 mm.
    _press(page, angle_handle, "End")
    angle = 90
    src = _expect_update(page, src, _expected(region, sex, length, angle), "angle End, last")
    for _ in range(45):
        page.keyboard.press("ArrowLeft")
    angle = 45
    src = _expect_update(page, src, _expected(region, sex, length, angle), "angle 45 by ArrowLeft x45")
    _press(page, length_handle, "PageUp")  # noUiSlider: 5 steps of 0.5 mm
    length = float(page.locator(".mesolab-needle-length .noUi-handle").first.get_attribute("aria-valuenow"))
    assert length > 0.5, "PageUp did not move the length slider"
    src = _expect_update(page, src, _expected(region, sex, length, angle), "length PageUp")
    timings["all keys"] = time.monotonic() - started

    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "lesson01-02-after-keyboard.png"), full_page=True)
    explorer.screenshot(path=str(output_dir / "lesson01-03-explorer.png"))

    assert _error_outputs(page) == [], "a cell shows an error"
    assert _saved_notebook_errors(page, lab_server, notebook) == []
    timings["saved"] = time.monotonic() - started
    (output_dir / "lesson01-browser-console.txt").write_text("\n".join(console_errors) + "\n")
    (output_dir / "lesson01-timings.json").write_text(json.dumps({k: round(v, 2) for k, v in timings.items()}))
    print(timings)
