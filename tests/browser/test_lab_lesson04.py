"""Lesson 04 in a real JupyterLab and a real Chromium: run all cells, then drive the cocktail builder by keyboard.

The test reads the builder's state from the page (whatever the lesson starts it with), and after every key press
the readout must become exactly what :func:`read_cocktail` computes for the new state, and the gauge must follow.
"""
from __future__ import annotations

import time

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.cocktails import ingredient_ids
from mesolab.knowledge import knowledge
from mesolab.readings.cocktails import allergy_names, read_cocktail
from mesolab.widgets.cocktails import ALLERGY_BOXES

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

LESSON = "04_cocktail_selection.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

BUILDER = ".widget-vbox:has(> .mesolab-cocktail-readout)"
GAUGE = f"{BUILDER} .mesolab-cocktail-figure .mesolab-gauge"
READOUT = f"{BUILDER} .mesolab-cocktail-readout .widget-html-content"
VERDICTS = f"{BUILDER} .mesolab-cocktail-verdicts .widget-html-content"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _css(name: str) -> str:
    return name.replace("_", "-")


def _state(page) -> dict[str, object]:
    """The builder's settings as the page shows them."""
    builder = page.locator(BUILDER).first
    goals = {label: goal for goal, label in knowledge().cocktails.goals.items()}
    percent_label = builder.locator(".mesolab-percent select").input_value()
    boxes = [key for key in ALLERGY_BOXES
             if builder.locator(f".mesolab-allergy-{_css(key)} input[type=checkbox]").is_checked()]
    return dict(
        goal=goals[builder.locator(".mesolab-goal select").input_value()],
        volumes_ml={i: float(builder.locator(f".mesolab-volume-{_css(i)} .noUi-handle").get_attribute("aria-valuenow"))
                    for i in ingredient_ids()},
        allergies=allergy_names(boxes, builder.locator(".mesolab-other-allergies input").input_value()),
        weight_kg=float(builder.locator(".mesolab-weight .noUi-handle").get_attribute("aria-valuenow")),
        lidocaine_percent=float(percent_label.split()[0]),
        with_epinephrine=builder.locator(".mesolab-epinephrine input[type=checkbox]").is_checked(),
        face=builder.locator(".mesolab-face input[type=checkbox]").is_checked())


def _expected(state: dict[str, object]) -> str:
    return _flat(read_cocktail(**state).summary)


def _readout(page) -> str:
    return _flat(page.locator(READOUT).first.inner_text())


def _gauge(page) -> str:
    return page.locator(GAUGE).first.get_attribute("aria-label") or ""


def _wait_shown(page, expected: str, what: str, before_gauge: str | None = None) -> None:
    try:
        page.wait_for_function(
            "([sel, text]) => (document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text",
            arg=[READOUT, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the reading is instead
        pytest.fail(f"{what}: the readout did not become {expected!r}; it is {_readout(page)!r} ({error})")
    if before_gauge is not None:
        try:
            page.wait_for_function("([sel, old]) => (document.querySelector(sel)?.getAttribute('aria-label') ?? old)"
                                   " !== old", arg=[GAUGE, before_gauge], timeout=ROUND_TRIP_TIMEOUT_MS)
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"{what}: the readout changed but the gauge did not ({error})")
    state = _state(page)
    limit = read_cocktail(**state).limit
    assert f"of {limit.ceiling_mg:g} mg" in _gauge(page), f"{what}: the gauge does not show the ceiling"


def _key(page, control, key: str, what: str, figure_changes: bool = True) -> dict[str, object]:
    """Focus ``control`` as a keyboard user would, press ``key``; the readout must follow the new page state."""
    before_text, before_gauge = _readout(page), _gauge(page)
    control.focus()
    assert control.evaluate("el => el === document.activeElement"), f"{what}: the control did not take focus"
    page.keyboard.press(key)
    deadline = time.monotonic() + ROUND_TRIP_TIMEOUT_MS / 1000
    while True:  # the control itself updates first; then the kernel answers
        state = _state(page)
        expected = _expected(state)
        if expected != before_text or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert expected != before_text, f"{what}: test error, this key did not change the builder's state"
    _wait_shown(page, expected, what, before_gauge if figure_changes else None)
    return state


def test_lesson04_builder_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)
    _wait_shown(page, _expected(_state(page)), "after Run All")
    builder = page.locator(BUILDER).first
    builder.evaluate("el => el.scrollIntoView({block: 'start'})")
    record.screenshot("01-run-all")
    record.check_accessibility("after Run All")

    weight = builder.locator(".mesolab-weight .noUi-handle")
    lidocaine = builder.locator(".mesolab-volume-lidocaine .noUi-handle")
    percent = builder.locator(".mesolab-percent select")
    state = _key(page, weight, "Home", "weight Home -> 30 kg")
    assert state["weight_kg"] == 30 and "135 mg" in _readout(page)  # 4.5 mg/kg × 30 kg
    state = _key(page, lidocaine, "End", "lidocaine End -> 10 mL")
    assert state["volumes_ml"]["lidocaine"] == 10
    if state["lidocaine_percent"] == 1.0:
        state = _key(page, percent, "End", "strength End -> 2 %")
    assert "OVER the ceiling of 135 mg" in _readout(page)  # 10 mL × 20 mg/mL = 200 mg
    _key(page, builder.locator(".mesolab-epinephrine input"), "Space", "epinephrine Space -> on")
    assert "ceiling of 210 mg" in _readout(page)  # 7 mg/kg × 30 kg
    record.mark("dose keys")

    _key(page, builder.locator(".mesolab-allergy-amide-anaesthetics input"), "Space", "amide allergy Space",
         figure_changes=False)
    verdicts = _flat(page.locator(VERDICTS).first.inner_text())
    assert "BLOCKED — Lidocaine" in verdicts and "amide local anaesthetics" in verdicts
    _key(page, builder.locator(".mesolab-volume-antibiotics .noUi-handle"), "ArrowRight", "antibiotics +0.5 mL",
         figure_changes=False)
    verdicts = _flat(page.locator(VERDICTS).first.inner_text())
    assert "BLOCKED — Antibiotics (any), 0.5 mL. No antibiotics in cocktails" in verdicts
    other = builder.locator(".mesolab-other-allergies input")
    other.focus()
    page.keyboard.type("latex")
    _key(page, other, "Enter", "other allergies: latex", figure_changes=False)
    assert "cannot match to an ingredient: latex" in _readout(page)
    record.mark("allergy keys")

    builder.evaluate("el => el.scrollIntoView({block: 'start'})")
    record.screenshot("02-after-keyboard")
    record.screenshot("03-builder", builder)
    record.check_accessibility("after the widget interactions")
    assert _error_outputs(page) == [], "a cell shows an error"
