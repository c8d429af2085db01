"""Lesson 07 in a real JupyterLab and a real Chromium: run all cells, then drive the complication triage by keyboard.

The view starts with every finding unknown (REVIEW, never reassure). The test moves the time slider with the arrow
keys, answers every finding with keys only, and after every key the result panel must show exactly what
:func:`read_triage` computes for the values so far; the time line must mark the presentation's column.
"""
from __future__ import annotations

import contextlib
import json
import time

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.complications import FINDINGS
from mesolab.plots.complications import TIMELINE
from mesolab.readings.complications import read_triage

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

LESSON = "07_complications.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

VIEW = ".mesolab-complication-triage"
READOUT = f"{VIEW} .mesolab-triage-readout .widget-html-content"
TIMELINE_CSS = f"{VIEW} .mesolab-triage-timeline"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _readout(page) -> str:
    return _flat(page.locator(READOUT).first.inner_text())


class Triage:
    """The values as the test has set them, and the keys that set them."""

    def __init__(self, page) -> None:
        self.page = page
        self.view = page.locator(VIEW).first
        self.values: dict[str, object] = {"hours": 0.25, **{key: "unknown" for key in FINDINGS}}

    def expected(self) -> str:
        reading = read_triage(self.values)
        return _flat(" ".join([reading.headline, *reading.lines]))

    def wait_shown(self, what: str) -> None:
        expected = self.expected()
        try:
            self.page.wait_for_function(
                "([sel, text]) => (document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text",
                arg=[READOUT, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
        except Exception as error:  # noqa: BLE001 - say what the panel shows instead
            pytest.fail(f"{what}: the result did not become {expected[:300]!r}; it is {_readout(self.page)[:300]!r} "
                        f"({error})")

    def slide(self, key: str, hours: float) -> None:
        handle = self.view.locator(".mesolab-triage-time .noUi-handle").first
        handle.focus()
        assert handle.evaluate("el => el === document.activeElement"), "time slider: no focus"
        self.page.keyboard.press(key)
        self.values["hours"] = hours
        self.wait_shown(f"time {key} -> {hours} h")
        label = dict(TIMELINE)[hours]
        marked = self.page.locator(f"{TIMELINE_CSS} th", has_text=label).first
        assert "outline" in (marked.get_attribute("style") or ""), f"the time line does not mark {label}"

    def choose(self, key: str, letter: str, value: str) -> None:
        select = self.view.locator(f".mesolab-triage-{key.replace('_', '-')} select")
        select.focus()
        assert select.evaluate("el => el === document.activeElement"), f"{key}: no focus"
        self.page.keyboard.press(letter)
        self.values[key] = value
        assert select.input_value() == value
        self.wait_shown(f"{key} {letter!r} -> {value}")


def test_lesson07_triage_by_keyboard(lab_page, lab_server, browser_output_dir):
    page = lab_page
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: console_errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    timings: dict[str, float] = {}
    failure_png = browser_output_dir / "lesson07-failure.png"
    failure_png.unlink(missing_ok=True)
    try:
        started = time.monotonic()
        open_and_run_all(page, lab_server, LESSON, READOUT, timings)
        triage = Triage(page)
        triage.view.evaluate("el => el.scrollIntoView({block: 'start'})")
        triage.wait_shown("after Run All")
        assert _readout(page).startswith("REVIEW") and "Not known yet (20)" in _readout(page)
        page.screenshot(path=str(browser_output_dir / "lesson07-01-unknown.png"), full_page=True)

        hours = [h for h, _ in TIMELINE]
        position = hours.index(0.25)
        for _ in range(hours.index(504) - position):  # ArrowRight to 3 weeks, one step at a time
            position += 1
            triage.slide("ArrowRight", float(hours[position]))
        timings["time line"] = time.monotonic() - started
        for key in FINDINGS:
            triage.choose(key, "n", "no")
            if key != FINDINGS[-1]:
                assert not _readout(page).startswith("REASSURE"), f"{key}: findings still unknown, yet REASSURE"
        assert _readout(page).startswith("REASSURE")
        timings["all answered"] = time.monotonic() - started

        triage.choose("firm_nodules", "End", "yes")
        assert _readout(page).startswith("URGENT") and "mycobacterial culture" in _readout(page)
        assert "URGENT" in page.locator(TIMELINE_CSS).first.inner_text()
        triage.view.screenshot(path=str(browser_output_dir / "lesson07-02-nodules-3-weeks.png"))
        triage.slide("Home", 0.0)
        triage.choose("firm_nodules", "Home", "unknown")
        triage.choose("visual_disturbance", "End", "yes")
        assert _readout(page).startswith("EMERGENCY") and "ophthalmology" in _readout(page)
        timings["findings"] = time.monotonic() - started
        triage.view.screenshot(path=str(browser_output_dir / "lesson07-03-vision.png"))
        assert _error_outputs(page) == [], "a cell shows an error"
    except BaseException:
        with contextlib.suppress(Exception):  # never hide the real failure
            page.screenshot(path=str(failure_png))
        raise
    finally:
        (browser_output_dir / "lesson07-browser-console.txt").write_text("\n".join(console_errors) + "\n")
        (browser_output_dir / "lesson07-timings.json").write_text(
            json.dumps({step: round(seconds, 2) for step, seconds in timings.items()}))
