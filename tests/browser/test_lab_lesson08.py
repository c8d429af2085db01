"""Lesson 08 in a real JupyterLab and a real Chromium: run all cells, then drive the claim checker by keyboard.

Tab-focus and Space only (letters and arrow keys belong to JupyterLab's notebook). After every key the result panel
must show exactly what :func:`read_claim_check` computes for the claim and choices so far: nothing is revealed
before Check, a changed choice hides the result again, and Check shows the sourced answer and the patient wording.
"""
from __future__ import annotations

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.claims import claim_ids
from mesolab.readings.claims import read_claim_check
from mesolab.widgets.claims import LEVEL_LABELS, VERDICT_LABELS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

LESSON = "08_claims.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000

VIEW = ".mesolab-claim-checker"
READOUT = f"{VIEW} .mesolab-claim-readout .widget-html-content"
QUOTE = f"{VIEW} .mesolab-claim-quote .widget-html-content"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _text(page, selector: str) -> str:
    return _flat(page.locator(selector).first.inner_text())


class Checker:
    """The state as the test has set it, and the keys that set it."""

    def __init__(self, page) -> None:
        self.page = page
        self.view = page.locator(VIEW).first
        self.claim, self.verdict, self.level, self.checked = claim_ids()[0], None, None, False

    def reading(self):
        return read_claim_check(self.claim, self.verdict, self.level, self.checked)

    def wait_shown(self, what: str) -> None:
        reading = self.reading()
        expected = _flat(" ".join([reading.headline, *reading.lines]))
        try:
            self.page.wait_for_function(
                "([pairs]) => pairs.every(([sel, text]) => "
                "(document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text)",
                arg=[[[READOUT, expected], [QUOTE, _flat(reading.prompt)]]], timeout=ROUND_TRIP_TIMEOUT_MS)
        except Exception as error:  # noqa: BLE001 - say what the panel shows instead
            pytest.fail(f"{what}: the panel did not become {_flat(reading.prompt)[:80]!r} / {expected[:300]!r}; it "
                        f"is {_text(self.page, QUOTE)[:80]!r} / {_text(self.page, READOUT)[:300]!r} ({error})")

    def press(self, button, what: str) -> None:
        button.focus()
        assert button.evaluate("el => el === document.activeElement"), f"{what}: no focus"
        self.page.keyboard.press("Space")

    def next_claim(self) -> None:
        self.press(self.view.locator(".mesolab-claim-next button, button.mesolab-claim-next").first, "next")
        ids = claim_ids()
        self.claim = ids[(ids.index(self.claim) + 1) % len(ids)]
        self.verdict, self.level, self.checked = None, None, False
        self.wait_shown(f"next claim -> {self.claim}")

    def choose_verdict(self, verdict: str) -> None:
        self.press(self.view.locator(".mesolab-claim-verdict button", has_text=VERDICT_LABELS[verdict]).first, verdict)
        self.verdict, self.checked = verdict, False
        self.wait_shown(f"verdict {verdict}")

    def choose_level(self, level: str) -> None:
        self.press(self.view.locator(".mesolab-claim-level button", has_text=LEVEL_LABELS[level]).first, level)
        self.level, self.checked = level, False
        self.wait_shown(f"level {level}")

    def check(self) -> None:
        self.press(self.view.locator("button.mesolab-claim-check").first, "check")
        self.checked = True
        self.wait_shown("check")


def test_lesson08_claim_checker_by_keyboard(record, lab_server):
    page = record.page
    open_and_run_all(page, lab_server, LESSON, READOUT, record.timings)
    checker = Checker(page)
    checker.view.evaluate("el => el.scrollIntoView({block: 'start'})")
    checker.wait_shown("after Run All")
    assert _text(page, READOUT).startswith("Not checked yet")
    record.check_accessibility("after Run All")

    checker.check()  # nothing chosen: the panel asks for a choice, and reveals nothing
    assert _text(page, READOUT).startswith("Choose a verdict and an evidence level, then press Check.")
    for _ in range(claim_ids().index("no_deaths")):
        checker.next_claim()
    assert "No deaths have been found" in _text(page, QUOTE)
    checker.choose_verdict("unsupported")
    checker.choose_level("case_series")
    assert "HAS14" not in _text(page, READOUT), "the answer shows before Check"
    checker.check()
    assert _text(page, READOUT).startswith("NOT YET") and "[HAS14]" in _text(page, READOUT)
    record.screenshot("01-wrong", checker.view)
    record.mark("first check")

    checker.choose_verdict("contradicted")
    assert _text(page, READOUT).startswith("Not checked yet"), "a changed choice must hide the result"
    checker.choose_level("regulatory")
    checker.check()
    assert _text(page, READOUT).startswith("RIGHT") and "To the patient:" in _text(page, READOUT)
    record.screenshot("02-right", checker.view)
    record.check_accessibility("after the checks")

    checker.next_claim()
    assert _text(page, READOUT).startswith("Not checked yet")
    record.mark("claim checker")
    assert _error_outputs(page) == [], "a cell shows an error"
