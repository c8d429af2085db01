"""Lesson 01 in a real JupyterLab and a real Chromium: run all cells, then drive the explorer by keyboard.

Every change of a control must change the reading (to exactly what :func:`read_needle` says) and the figure.
Screenshots land in test-output/browser/ for a person to look at.
"""
from __future__ import annotations

import re

import pytest

from mesolab.skin import region_ids, region_name
from mesolab.readings.skin import read_needle

# Re-exported: older lesson tests imported these helpers from here; new ones import them from lab.
from lab import (ERROR_OUTPUTS, RUN_ALL_TIMEOUT_MS, _error_outputs, _kernel_idle, _run_all,  # noqa: F401
                 _saved_notebook_errors, _wait_run_all_done, open_and_run_all)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

LESSON = "01_skin_layers.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000  # one key press -> kernel -> new figure and reading

EXPLORER = ".widget-vbox:has(> .mesolab-tip-readout)"  # the SkinCrossSectionExplorer box
FIGURE = f"{EXPLORER} img.mesolab-cross-section-figure"  # ipywidgets' Image view is the <img> itself
READOUT = f"{EXPLORER} .mesolab-tip-readout .widget-html-content"
ANGLE = f"{EXPLORER} .mesolab-needle-angle"
LENGTH = f"{EXPLORER} .mesolab-needle-length"
REGION = f"{EXPLORER} .mesolab-region select"
DEPTH = re.compile(r"^Tip (\d+\.\d\d) mm deep → ")


def _readout_text(page) -> str:
    return page.locator(READOUT).first.inner_text().strip()


def _wait_shown(page, before_src: str, expected_text: str, what: str) -> None:
    """Wait for the reading to say ``expected_text`` and for a new figure (src differs from ``before_src``),
    decoded so that a screenshot shows it."""
    try:
        page.wait_for_function("([sel, text]) => document.querySelector(sel)?.innerText.trim() === text",
                               arg=[READOUT, expected_text], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the reading is instead
        pytest.fail(f"{what}: the reading did not become {expected_text!r}; it is {_readout_text(page)!r} ({error})")
    try:
        page.wait_for_function("([sel, old]) => { const img = document.querySelector(sel);"
                               " return !!img && !!img.src && img.src !== old; }",
                               arg=[FIGURE, before_src], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"{what}: the reading changed but the figure did not ({error})")
    figure = page.locator(FIGURE).first
    figure.evaluate("img => img.decode()")
    assert figure.evaluate("img => img.naturalWidth") > 0, f"{what}: the new figure is empty"


def _key(page, control, key: str, expected_text: str, what: str) -> None:
    """Focus ``control`` as a keyboard user reaches it, press ``key``, and wait for the new reading and figure."""
    before_text, before_src = _readout_text(page), page.locator(FIGURE).first.get_attribute("src") or ""
    assert expected_text != before_text, f"{what}: test error, this step would not change the reading"
    control.focus()
    assert control.evaluate("el => el === document.activeElement"), f"{what}: the control did not take focus"
    page.keyboard.press(key)
    _wait_shown(page, before_src, expected_text, what)


def _expected(region: str, sex: str, length: float, angle: float) -> str:
    return read_needle(region, sex, length, angle).summary


def _depth_shown(page) -> str:
    match = DEPTH.match(page.locator(READOUT).first.inner_text().strip())
    assert match, f"reading does not start with 'Tip N.NN mm deep →': {page.locator(READOUT).first.inner_text()!r}"
    return match.group(1)


def _show(page, explorer) -> None:
    """Scroll the explorer into the middle of the notebook for a screenshot. The windowed notebook measures
    cells lazily and can shift after a scroll, so scroll again until the figure is inside the viewport."""
    figure = page.locator(FIGURE).first
    for _ in range(10):
        explorer.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(150)
        box, height = figure.bounding_box(), page.viewport_size["height"]
        if box and box["y"] >= 0 and box["y"] + box["height"] <= height:
            return


def test_lesson01_explorer_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)

    region, sex, length, angle = "cheek", "female", 4.0, 30  # the explorer's defaults
    _wait_shown(page, "", _expected(region, sex, length, angle), "after Run All")
    assert _depth_shown(page) == "2.00"
    explorer = page.locator(EXPLORER).first
    _show(page, explorer)
    record.screenshot("01-run-all")
    record.check_accessibility("after Run All")

    angle_handle = page.locator(f"{ANGLE} .noUi-handle").first
    length_handle = page.locator(f"{LENGTH} .noUi-handle").first
    for key, angle, depth in [("ArrowRight", 31, "2.06"), ("ArrowLeft", 30, "2.00"), ("End", 90, "4.00"),
                              ("Home", 5, "0.35"), ("End", 90, "4.00")]:
        _key(page, angle_handle, key, _expected(region, sex, length, angle), f"angle {key} -> {angle}°")
        assert _depth_shown(page) == depth, f"angle {key} -> {angle}°"
        assert page.locator(f"{ANGLE} .widget-readout").first.inner_text().strip() == str(angle)
        assert float(angle_handle.get_attribute("aria-valuenow")) == angle
    record.mark("angle keys")

    # At 90° the tip depth is the inserted length.
    for key, length, depth in [("ArrowRight", 4.5, "4.50"), ("ArrowLeft", 4.0, "4.00"),
                               ("End", 13.0, "13.00"), ("Home", 0.5, "0.50"),
                               ("PageUp", 3.0, "3.00")]:  # PageUp: noUiSlider's 5 steps
        _key(page, length_handle, key, _expected(region, sex, length, angle), f"length {key} -> {length} mm")
        assert _depth_shown(page) == depth, f"length {key} -> {length} mm at 90°"
        assert page.locator(f"{LENGTH} .widget-readout").first.inner_text().strip() == f"{length:.1f}"
        assert float(length_handle.get_attribute("aria-valuenow")) == length
    record.mark("length keys")

    # Region by keyboard. ArrowUp/ArrowDown on a closed <select> do NOT work inside a JupyterLab notebook:
    # the notebook's command-mode shortcuts take them and move to another cell (jupyter-widgets/ipywidgets
    # #3912). Home, End and type-ahead letters that JupyterLab does not bind reach the <select>.
    select = page.locator(REGION).first
    regions = list(region_ids())
    for key, region in [("End", regions[-1]), ("Home", regions[0]), ("t", "temple")]:
        _key(page, select, key, _expected(region, sex, length, angle), f"region {key} -> {region}")
        assert select.input_value() == region_name(region), f"region key {key}"
    record.mark("region keys")

    # Sex: radio buttons (screen readers announce the checked one); Space checks the focused one.
    sex = "male"
    _key(page, explorer.get_by_role("radio", name="Male", exact=True), "Space",
         _expected(region, sex, length, angle), "sex Space -> male")

    # A last position to look at, reached by 45 quick presses: 45°.
    before_src = page.locator(FIGURE).first.get_attribute("src") or ""
    angle_handle.focus()
    for _ in range(45):
        page.keyboard.press("ArrowLeft")
    angle = 45
    _wait_shown(page, before_src, _expected(region, sex, length, angle), "angle 45 by ArrowLeft x45")
    record.mark("all keys")

    _show(page, explorer)
    record.screenshot("02-after-keyboard")
    record.screenshot("03-explorer", explorer)
    record.check_accessibility("after the widget interactions")
    assert _error_outputs(page) == [], "a cell shows an error"
