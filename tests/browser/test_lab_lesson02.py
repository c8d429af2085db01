"""Lesson 02 in a real JupyterLab and a real Chromium: run all cells, then drive the GAGS calculator by keyboard.

Every change of a dropdown must change the reading (to exactly what :func:`read_gags` says) and the figure.
Screenshots land in test-output/browser/ for a person to look at.
"""
from __future__ import annotations

import pytest

from mesolab.lessons.acne_assessment import example_worst
from mesolab.readings.acne import read_gags
from mesolab.widgets.acne import _option_label

from lab import ERROR_OUTPUTS, open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

LESSON = "02_acne_assessment.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

CALCULATOR = ".mesolab-gags-calculator"
FIGURE = f"{CALCULATOR} img.mesolab-gags-figure"
READOUT = f"{CALCULATOR} .mesolab-gags-readout .widget-html-content"
DESCRIPTION = f"{CALCULATOR} .mesolab-figure-description"
REGIONS = ("forehead", "right_cheek", "left_cheek", "nose", "chin", "chest_upper_back")


def _select(page, region: str):
    return page.locator(f"{CALCULATOR} .mesolab-gags-{region.replace('_', '-')} select").first


def _readout_text(page) -> str:
    # textContent, not innerText: the windowed notebook may not render a cell scrolled far away.
    return (page.locator(READOUT).first.text_content() or "").strip()


def _wait_shown(page, before_src: str, expected_text: str, what: str) -> None:
    try:
        page.wait_for_function("([sel, text]) => document.querySelector(sel)?.textContent.trim() === text",
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


def _key(page, worst: dict[str, str], region: str, key: str | list[str], lesion: str) -> None:
    """Focus the area's dropdown as a keyboard user reaches it, press ``key`` (or each key of a list),
    and wait for the reading and the figure."""
    what = f"{region} {key!r} -> {lesion}"
    control = _select(page, region)
    worst[region] = lesion
    expected = read_gags(worst).summary
    before_text, before_src = _readout_text(page), page.locator(FIGURE).first.get_attribute("src") or ""
    assert expected != before_text, f"{what}: test error, this step would not change the reading"
    control.focus()
    assert control.evaluate("el => el === document.activeElement"), f"{what}: the dropdown did not take focus"
    for press in [key] if isinstance(key, str) else key:
        page.keyboard.press(press)
    _wait_shown(page, before_src, expected, what)
    assert control.input_value() == _option_label(lesion), what


def _show(page) -> None:
    calculator = page.locator(CALCULATOR).first
    figure = page.locator(FIGURE).first
    for _ in range(10):
        calculator.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(150)
        box, height = figure.bounding_box(), page.viewport_size["height"]
        if box and box["y"] >= 0 and box["y"] + box["height"] <= height:
            return


def test_lesson02_gags_calculator_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)

    worst = example_worst()  # the calculator starts with the lesson's worked example
    _show(page)
    _wait_shown(page, "", read_gags(worst).summary, "after Run All")
    assert _readout_text(page).startswith("GAGS score 17 of 44 → Mild [Adit09].")
    _show(page)
    record.screenshot("01-run-all")
    record.check_accessibility("after Run All")

    # Home/End and type-ahead letters reach a <select> in JupyterLab; ArrowUp/ArrowDown do not (ipywidgets #3912).
    _key(page, worst, "forehead", "End", "nodule")
    _key(page, worst, "forehead", "Home", "none")
    _key(page, worst, "forehead", "p", "papule")
    _key(page, worst, "chest_upper_back", "End", "nodule")
    # What the lesson teaches: Space opens the list, ArrowDown moves in it, Enter chooses.
    _key(page, worst, "chin", "Home", "none")
    _key(page, worst, "chin", ["Space", "ArrowDown", "Enter"], "comedone")
    _key(page, worst, "chin", ["Alt+ArrowDown", "ArrowDown", "ArrowDown", "Enter"], "pustule")
    _key(page, worst, "chin", "n", "nodule")
    _key(page, worst, "chin", "Home", "none")
    record.mark("first keys")

    # Reach exactly 39 by keyboard: nodules everywhere except pustules on the forehead and the trunk.
    for region in ("right_cheek", "left_cheek", "nose", "chin"):
        _key(page, worst, region, "End", "nodule")
    _key(page, worst, "forehead", "End", "nodule")
    _key(page, worst, "chest_upper_back", "p", "papule")
    _key(page, worst, "chest_upper_back", "p", "pustule")
    _key(page, worst, "forehead", "p", "papule")
    page.wait_for_timeout(1100)  # let the browser's type-ahead forget the last letter
    _key(page, worst, "forehead", "p", "pustule")
    text = _readout_text(page)
    assert text.startswith("GAGS score 39 of 44 → Very severe [Adit09].") and "39 belongs to no band" in text
    description = page.locator(DESCRIPTION).first
    description.locator("summary").focus()
    page.keyboard.press("Enter")  # open the text description with the keyboard
    assert "Total 39: very severe." in description.inner_text()
    record.mark("all keys")

    _show(page)
    record.screenshot("02-after-keyboard")
    record.screenshot("03-calculator", page.locator(CALCULATOR).first)
    record.check_accessibility("after the widget interactions")
    assert page.locator(ERROR_OUTPUTS).all_inner_texts() == [], "a cell shows an error"
