"""Lesson 03 in a real JupyterLab and a real Chromium: run all cells, then drive the technique simulator by keyboard.

Every key press must change the reading to exactly what :func:`read_technique` computes, and the figure with it.
Screenshots land in test-output/browser/ for a person to look at. The server, browser and notebook helpers are
those of lesson 01's test.
"""
from __future__ import annotations

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.readings.techniques import read_technique

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

LESSON = "03_injection_techniques.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

SIMULATOR = ".widget-vbox:has(> .mesolab-technique-readout)"
FIGURE = f"{SIMULATOR} img.mesolab-technique-figure"
READOUT = f"{SIMULATOR} .mesolab-technique-readout .widget-html-content"
CONFLICTS = f"{SIMULATOR} .mesolab-technique-conflicts .widget-html-content"
TECHNIQUE = f"{SIMULATOR} .mesolab-technique select"
REGION = f"{SIMULATOR} .mesolab-region select"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _readout(page) -> str:
    return _flat(page.locator(READOUT).first.inner_text())


def _wait_shown(page, before_src: str, expected: str, what: str) -> None:
    try:
        page.wait_for_function(
            "([sel, text]) => (document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text",
            arg=[READOUT, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the reading is instead
        pytest.fail(f"{what}: the reading did not become {expected!r}; it is {_readout(page)!r} ({error})")
    try:
        page.wait_for_function("([sel, old]) => { const img = document.querySelector(sel);"
                               " return !!img && !!img.src && img.src !== old; }",
                               arg=[FIGURE, before_src], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"{what}: the reading changed but the figure did not ({error})")
    figure = page.locator(FIGURE).first
    figure.evaluate("img => img.decode()")
    assert figure.evaluate("img => img.naturalWidth") > 0, f"{what}: the new figure is empty"


class State:
    """The simulator's settings as the test expects them, and the reading they must produce."""

    def __init__(self) -> None:
        self.values = dict(name="papule", region="cheek", sex="female", inserted_length_mm=2.0, angle_deg=30,
                           area_cm2=10.0, spacing_mm=10.0, volume_per_point_ml=0.01)  # the lesson's start values

    def expected(self) -> str:
        reading = read_technique(**self.values)
        return _flat(f"{reading.verdict} {reading.treatment}")


def _key(page, state: State, control, key: str, what: str, **change: object) -> None:
    """Focus ``control`` as a keyboard user reaches it, press ``key``, wait for the new reading and figure."""
    before_text, before_src = _readout(page), page.locator(FIGURE).first.get_attribute("src") or ""
    state.values.update(change)
    expected = state.expected()
    if expected == before_text:
        # The verdict and dose can stay the same (e.g. 6° vs 7° both on target): the figure must still change.
        pytest.fail(f"{what}: test error, this step would not change the reading")
    control.focus()
    assert control.evaluate("el => el === document.activeElement"), f"{what}: the control did not take focus"
    page.keyboard.press(key)
    _wait_shown(page, before_src, expected, what)


def _show(page, element) -> None:
    figure = page.locator(FIGURE).first
    for _ in range(10):
        element.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(150)
        box, height = figure.bounding_box(), page.viewport_size["height"]
        if box and box["y"] >= 0 and box["y"] + box["height"] <= height:
            return


def test_lesson03_simulator_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)

    state = State()
    _wait_shown(page, "", state.expected(), "after Run All")
    assert "OUTSIDE the target" in _readout(page)  # papule 1 mm deep in the cheek: reticular dermis
    conflicts = page.locator(CONFLICTS).first
    assert "The sources contradict each other here" in conflicts.inner_text()
    assert "[BTP ⚠] says 1–2 mm" in conflicts.inner_text()
    simulator = page.locator(SIMULATOR).first
    _show(page, simulator)
    record.screenshot("01-run-all")
    record.check_accessibility("after Run All")

    angle = page.locator(f"{SIMULATOR} .mesolab-needle-angle .noUi-handle").first
    length = page.locator(f"{SIMULATOR} .mesolab-needle-length .noUi-handle").first
    # 2 mm at 5°: 0.17 mm, the epidermis, too shallow for a papule; at 6°: 0.21 mm, the papillary dermis.
    _key(page, state, angle, "Home", "angle Home -> 5°", angle_deg=5)
    assert "too shallow" in _readout(page)
    _key(page, state, angle, "ArrowRight", "angle ArrowRight -> 6°", angle_deg=6)
    assert "Papillary dermis: in the target" in _readout(page)
    _key(page, state, angle, "End", "angle End -> 90°", angle_deg=90)
    assert float(angle.get_attribute("aria-valuenow")) == 90
    _key(page, state, length, "Home", "length Home -> 0.5 mm", inserted_length_mm=0.5)
    _key(page, state, length, "ArrowRight", "length ArrowRight -> 1.0 mm", inserted_length_mm=1.0)
    record.mark("needle keys")

    # Techniques by keyboard: End, Home and first letters reach a <select> inside JupyterLab (ipywidgets #3912).
    select = page.locator(TECHNIQUE).first
    for key, name, label in [("End", "linear_retrotracing", "Linear retrotracing"), ("n", "nappage", "Nappage"),
                             ("Home", "intra_epidermal", "Intra-epidermal")]:
        _key(page, state, select, key, f"technique {key} -> {name}", name=name)
        assert select.input_value() == label
    assert "The sources contradict each other here" in conflicts.inner_text()  # '1 mm' vs in the epidermis
    record.mark("technique keys")

    area = page.locator(f"{SIMULATOR} .mesolab-area .noUi-handle").first
    spacing = page.locator(f"{SIMULATOR} .mesolab-spacing .noUi-handle").first
    volume = page.locator(f"{SIMULATOR} .mesolab-volume .noUi-handle").first
    _key(page, state, area, "ArrowRight", "area ArrowRight -> 11 cm²", area_cm2=11.0)
    _key(page, state, spacing, "Home", "spacing Home -> 2 mm", spacing_mm=2.0)
    assert "275 points" in _readout(page)
    _key(page, state, volume, "ArrowRight", "volume ArrowRight -> 0.02 mL", volume_per_point_ml=0.02)
    assert "5.50 mL" in _readout(page)
    record.mark("dose keys")

    _key(page, state, page.locator(REGION).first, "u", "region u -> upper eyelid", region="upper_eyelid")
    _key(page, state, simulator.get_by_role("radio", name="Male", exact=True), "Space", "sex Space -> male",
         sex="male")
    record.mark("all keys")

    _show(page, simulator)
    record.screenshot("02-after-keyboard")
    record.screenshot("03-simulator", simulator)
    record.check_accessibility("after the widget interactions")
    assert _error_outputs(page) == [], "a cell shows an error"
