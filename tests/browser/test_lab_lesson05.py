"""Lesson 05 in a real JupyterLab and a real Chromium: run all cells, then fill the intake form by keyboard.

The form starts with every answer unknown (DEFER). The test answers every question with keys only, and after
every key the result panel must show exactly what :func:`read_form` computes for the answers so far.
"""
from __future__ import annotations

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.screening import INTAKE_FIELDS
from mesolab.readings.screening import read_form

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

LESSON = "05_risk_screening.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

FORM = ".mesolab-intake-form"
READOUT = f"{FORM} .mesolab-intake-readout .widget-html-content"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _css(name: str) -> str:
    return name.replace("_", "-")


def _expected(values: dict[str, object]) -> str:
    reading = read_form(values)
    return _flat(" ".join([reading.headline, *reading.lines]))


def _readout(page) -> str:
    return _flat(page.locator(READOUT).first.inner_text())


def _wait_shown(page, expected: str, what: str) -> None:
    try:
        page.wait_for_function(
            "([sel, text]) => (document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text",
            arg=[READOUT, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the panel shows instead
        pytest.fail(f"{what}: the result did not become {expected!r}; it is {_readout(page)!r} ({error})")


class Form:
    """The answers as the test has given them, and the keys that give them."""

    def __init__(self, page) -> None:
        self.page = page
        self.form = page.locator(FORM).first
        self.values: dict[str, object] = {key: "unknown" for key, f in INTAKE_FIELDS.items()
                                          if f.kind in ("yes_no", "diabetes")}
        self.values.update(age_years="", isotretinoin_months_since_last_dose="", allergies="",
                           no_known_allergies=False, planned_ingredients=[], other_ingredients="")

    def _after(self, what: str) -> None:
        _wait_shown(self.page, _expected(self.values), what)

    def choose(self, key: str, letter: str, value: str, label: str | None = None) -> None:
        """A closed <select> takes Home, End and first letters (ArrowUp/ArrowDown belong to the notebook:
        ipywidgets #3912; "c" and "y" are notebook shortcuts, so the form's labels avoid needing them)."""
        select = self.form.locator(f".mesolab-intake-{_css(key)} select")
        select.focus()
        assert select.evaluate("el => el === document.activeElement"), f"{key}: no focus"
        self.page.keyboard.press(letter)
        self.values[key] = value
        assert select.input_value() == (label or value)
        self._after(f"{key} {letter!r} -> {value}")

    def type(self, key: str, text: str) -> None:
        field = self.form.locator(f".mesolab-intake-{_css(key)} input")
        field.focus()
        self.page.keyboard.type(text)
        self.values[key] = text
        self._after(f"{key} typed {text!r}")

    def tick(self, css: str, key: str, value: object) -> None:
        box = self.form.locator(f".{css} input[type=checkbox]")
        box.focus()
        self.page.keyboard.press("Space")
        self.values[key] = value
        self._after(f"{css} Space")


def test_lesson05_intake_form_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)
    form = Form(page)
    form.form.evaluate("el => el.scrollIntoView({block: 'start'})")
    form._after("after Run All")
    unanswered = len(INTAKE_FIELDS) - 1  # every question but the plan (a list of ticks, empty = nothing planned)
    assert _readout(page).startswith("DEFER") and f"not answered yet ({unanswered})" in _readout(page)
    record.screenshot("01-blank-form")
    record.check_accessibility("after Run All")

    form.type("age_years", "34")
    for key, info in INTAKE_FIELDS.items():
        if info.kind == "yes_no":
            form.choose(key, "n", "no")
            assert _readout(page).startswith("DEFER"), f"{key}: still unanswered questions, yet not DEFER"
    form.choose("diabetes", "w", "controlled", "well controlled")
    form.type("isotretinoin_months_since_last_dose", "never")
    form.tick("mesolab-intake-no-known-allergies", "no_known_allergies", True)
    assert _readout(page) == "PROCEED — nothing found that stops or delays treatment."
    record.mark("healthy adult")
    record.screenshot("02-proceed", form.form)

    form.choose("herpes_history", "End", "yes")
    assert _readout(page).startswith("PROCEED WITH PRECAUTIONS") and "[WDerm ⚠]" in _readout(page)
    form.type("allergies", "articaine")
    assert _readout(page).startswith("DEFER") and "'No known allergies' is ticked" in _readout(page)
    form.tick("mesolab-intake-no-known-allergies", "no_known_allergies", False)
    form.tick("mesolab-intake-planned-lidocaine", "planned_ingredients", ["lidocaine"])
    assert _readout(page).startswith("DECLINE") and "amide local anaesthetics" in _readout(page)
    form.choose("pregnant", "Home", "unknown")
    assert "Unknown answer" in _readout(page) or "not answered yet (1): Pregnant" in _readout(page)
    record.mark("findings")

    record.screenshot("03-decline", form.form)
    record.check_accessibility("after the widget interactions")
    assert _error_outputs(page) == [], "a cell shows an error"
