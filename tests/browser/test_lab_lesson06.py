"""Lesson 06 in a real JupyterLab and a real Chromium: run all cells, then build a session in the procedure builder by
keyboard only.

The builder starts with every step in a scrambled order, none done (UNSAFE). The test moves each step into place with
the "Earlier" buttons, ticks every step and states how it was done with Tab-reachable buttons, boxes and fields,
pressing Space and typing only. After every key the panel must show exactly what :func:`read_builder` computes for the
builder's state so far, and the end state is COMPLETE; then one unsafe change (antiseptic not left to dry) is flagged.
"""
from __future__ import annotations

import contextlib
import json
import time

import pytest
from lab import _error_outputs, open_and_run_all

from mesolab.procedure import STEP_IDS, STEPS, model_session
from mesolab.readings.procedure import NOT_STATED, read_builder
from mesolab.widgets.procedure import START_ORDER

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

LESSON = "06_procedure.ipynb"
ROUND_TRIP_TIMEOUT_MS = 15_000
BUILDER = ".mesolab-procedure-builder"
READOUT = f"{BUILDER} .mesolab-procedure-readout .widget-html-content"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _css(name: str) -> str:
    return name.replace("_", "-")


class Builder:
    """The builder's state as the test has set it, and the keys that set it."""

    def __init__(self, page) -> None:
        self.page = page
        self.root = page.locator(BUILDER).first
        self.order = list(START_ORDER)
        self.ticked: set[str] = set()
        self.values: dict[str, dict[str, object]] = {
            step: {key: ([] if a.kind == "items" else "" if a.kind in ("seconds", "days") else "unknown")
                   for key, a in info.attributes.items()} for step, info in STEPS.items()}

    def expected(self) -> str:
        reading = read_builder(self.order, self.ticked, self.values)
        return _flat(" ".join([reading.headline, *reading.lines]))

    def shown(self) -> str:
        return _flat(self.page.locator(READOUT).first.inner_text())

    def wait(self, what: str) -> None:
        expected = self.expected()
        try:
            self.page.wait_for_function(
                "([sel, text]) => (document.querySelector(sel)?.innerText ?? '').replace(/\\s+/g, ' ').trim() === text",
                arg=[READOUT, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
        except Exception as error:  # noqa: BLE001 - say what the panel shows instead
            pytest.fail(f"{what}: the panel did not become {expected[:300]!r}; it is {self.shown()[:300]!r} ({error})")

    def _space(self, locator, what: str) -> None:
        # Moving a step re-renders the rows after the panel has updated: a control found a moment earlier can be
        # replaced, so focus until the element that has focus is the one on the page.
        deadline = time.monotonic() + 5
        while True:
            locator.focus()
            if locator.evaluate("el => el === document.activeElement"):
                break
            assert time.monotonic() < deadline, f"{what}: no focus"
            time.sleep(0.1)
        self.page.keyboard.press("Space")

    def earlier(self, step: str) -> None:
        self._space(self.root.locator(f".mesolab-procedure-earlier-{_css(step)}"), f"earlier {step}")
        index = self.order.index(step)
        self.order[index - 1], self.order[index] = self.order[index], self.order[index - 1]
        self.wait_order(f"{step} earlier")

    def rows_shown(self) -> list[str]:
        return self.root.evaluate(
            "el => [...el.querySelectorAll('[class*=mesolab-procedure-row-]')].map(row => [...row.classList]"
            ".find(c => c.startsWith('mesolab-procedure-row-')).slice(22))")

    def wait_order(self, what: str) -> None:
        """The rows on the page are in the order the test expects (the panel does not show the order of steps not
        ticked, so the page's rows are checked instead)."""
        expected = [_css(step) for step in self.order]
        try:
            self.page.wait_for_function(
                "([sel, order]) => JSON.stringify([...document.querySelector(sel).querySelectorAll("
                "'[class*=mesolab-procedure-row-]')].map(row => [...row.classList].find(c => "
                "c.startsWith('mesolab-procedure-row-')).slice(22))) === JSON.stringify(order)",
                arg=[BUILDER, expected], timeout=ROUND_TRIP_TIMEOUT_MS)
        except Exception as error:  # noqa: BLE001 - say what the page shows instead
            pytest.fail(f"{what}: the rows did not become {expected}; they are {self.rows_shown()} ({error})")
        self.wait(what)

    def tick(self, step: str) -> None:
        self._space(self.root.locator(f".mesolab-procedure-tick-{_css(step)} input[type=checkbox]"), f"tick {step}")
        self.ticked ^= {step}
        self.wait(f"tick {step}")

    def press(self, step: str, key: str, value: object) -> None:
        label = {True: "yes", False: "no"}.get(value, str(value).replace("_", " ")) if value != "unknown" \
            else NOT_STATED
        button = self.root.locator(f".mesolab-procedure-{_css(step)}-{_css(key)}").get_by_role(
            "button", name=label, exact=True)
        self._space(button, f"{step}.{key} = {label}")
        self.values[step][key] = value
        self.wait(f"{step}.{key} = {label}")

    def type(self, step: str, key: str, text: str) -> None:
        field = self.root.locator(f".mesolab-procedure-{_css(step)}-{_css(key)} input")
        field.focus()
        self.page.keyboard.type(text)
        self.values[step][key] = text
        self.wait(f"{step}.{key} typed {text!r}")

    def disclose(self, step: str, key: str, item: str) -> None:
        self._space(self.root.locator(f".mesolab-procedure-{_css(step)}-{_css(key)}-{_css(item)} "
                                      f"input[type=checkbox]"), f"disclose {item}")
        self.values[step][key] = [*self.values[step][key], item]  # type: ignore[misc]
        self.wait(f"disclose {item}")


def test_lesson06_procedure_builder_by_keyboard(lab_page, lab_server, browser_output_dir):
    page = lab_page
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: console_errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    timings: dict[str, float] = {}
    failure_png = browser_output_dir / "lesson06-failure.png"
    failure_png.unlink(missing_ok=True)
    try:
        started = time.monotonic()
        open_and_run_all(page, lab_server, LESSON, READOUT, timings)
        builder = Builder(page)
        builder.root.evaluate("el => el.scrollIntoView({block: 'start'})")
        builder.wait("after Run All")
        assert builder.shown().startswith("UNSAFE") and "MISSING — Not done: Informed consent" in builder.shown()
        page.screenshot(path=str(browser_output_dir / "lesson06-01-scrambled.png"), full_page=False)

        for target, step in enumerate(STEP_IDS):  # put every step in place with "Earlier" only
            while builder.order.index(step) > target:
                builder.earlier(step)
        assert builder.order == list(STEP_IDS)
        timings["ordered"] = time.monotonic() - started

        for entry in model_session():
            step = entry["step"]
            builder.tick(step)
            for key, value in entry.items():
                if key == "step":
                    continue
                kind = STEPS[step].attributes[key].kind
                if kind == "items":
                    for item in value:
                        builder.disclose(step, key, item)
                elif kind in ("seconds", "days"):
                    builder.type(step, key, f"{value:g}")
                else:
                    builder.press(step, key, value)
        assert builder.shown().startswith("COMPLETE"), builder.shown()[:300]
        record = _flat(page.locator(f"{BUILDER} .mesolab-procedure-record").first.inner_text())
        assert "5. Skin antisepsis — antiseptic: chlorhexidine alcohol; contact time: 30 s; left to dry: yes" in record
        timings["complete"] = time.monotonic() - started
        builder.root.screenshot(path=str(browser_output_dir / "lesson06-02-complete.png"))

        builder.press("skin_antisepsis", "left_to_dry", False)
        assert builder.shown().startswith("UNSAFE") and "Antiseptic not left to dry" in builder.shown()
        assert "[NSH-VA]" in builder.shown()
        strip = page.locator(f"{BUILDER} .mesolab-procedure-strip [role=img]").first.get_attribute("aria-label")
        assert "5. Skin antisepsis: UNSAFE" in strip
        builder.root.screenshot(path=str(browser_output_dir / "lesson06-03-unsafe.png"))
        page.locator(f"{BUILDER} .mesolab-procedure-strip").first.screenshot(
            path=str(browser_output_dir / "lesson06-04-strip.png"))
        assert _error_outputs(page) == [], "a cell shows an error"
    except BaseException:
        with contextlib.suppress(Exception):  # never hide the real failure
            page.screenshot(path=str(failure_png))
        raise
    finally:
        (browser_output_dir / "lesson06-browser-console.txt").write_text("\n".join(console_errors) + "\n")
        (browser_output_dir / "lesson06-timings.json").write_text(
            json.dumps({step: round(seconds, 2) for step, seconds in timings.items()}))
