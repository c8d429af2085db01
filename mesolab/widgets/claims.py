"""Claim checker (module 08): read a claim from a leaflet, choose a verdict and an evidence level, press Check, and see
the sourced answer and the words for the patient.

What the panel says is computed by :func:`mesolab.readings.claims.read_claim_check`; the widget only wires the
controls to it. Changing the claim, the verdict or the level clears the result until Check is pressed again, so an
answer is never shown before the trainee has committed to one.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..claims import LEVELS, VERDICTS, claim, claim_ids, level_meaning, verdict_meaning
from ..readings.claims import ClaimReading, read_claim_check
from .parts import html_output

# Short labels for the buttons; the meaning of each is the button's tooltip.
VERDICT_LABELS = {"supported": "Supported", "contradicted": "Contradicted", "unsupported": "Unsupported",
                  "outside": "Outside the evidence"}
LEVEL_LABELS = {"rct": "Randomised trial", "peer_reviewed": "Peer-reviewed study or review",
                "case_series": "Case reports or series", "consensus": "Guideline or consensus",
                "regulatory": "Regulator or law", "label": "Product label", "trial_registry": "Trial registry only",
                "secondary": "Secondary page only", "none_found": "Nothing found (NF)"}


class ClaimChecker(w.VBox):
    """Previous/next buttons and a list of claims, the claim as a leaflet says it, a row of verdict buttons, a row of
    evidence-level buttons, a Check button and the result.

    Every button is reachable with Tab and pressed with Space (letters and arrow keys belong to JupyterLab's notebook,
    so nothing here needs them); the claim list also takes Home and End.
    """

    def __init__(self, claim_id: str | None = None) -> None:
        ids = claim_ids()
        start = claim(claim_id).id if claim_id is not None else ids[0]
        self.claim = w.Dropdown(options=[(f"{i + 1}. {claim(c).quote}", c) for i, c in enumerate(ids)], value=start,
                                description="Claim", layout=w.Layout(width="760px", max_width="100%"))
        self.claim.add_class("mesolab-claim-choice")
        self.previous = w.Button(description="◀ Previous claim", tooltip="Show the previous claim")
        self.previous.add_class("mesolab-claim-previous")
        self.next = w.Button(description="Next claim ▶", tooltip="Show the next claim")
        self.next.add_class("mesolab-claim-next")
        self.quote = html_output("mesolab-claim-quote")
        style = {"description_width": "110px", "button_width": "auto"}
        self.verdict = w.ToggleButtons(options=[(VERDICT_LABELS[v], v) for v in VERDICTS], value=None,
                                       description="Verdict", tooltips=[verdict_meaning(v) for v in VERDICTS],
                                       style=style)
        self.verdict.add_class("mesolab-claim-verdict")
        self.level = w.ToggleButtons(options=[(LEVEL_LABELS[lv], lv) for lv in LEVELS], value=None,
                                     description="Settled by", tooltips=[level_meaning(lv) for lv in LEVELS],
                                     style=style, layout=w.Layout(max_width="100%"))
        self.level.add_class("mesolab-claim-level")
        self.check = w.Button(description="Check", button_style="primary", tooltip="Check the verdict and the level")
        self.check.add_class("mesolab-claim-check")
        self.readout = html_output("mesolab-claim-readout")
        self.checked = False
        super().__init__([w.HBox([self.previous, self.next, self.claim], layout=w.Layout(flex_flow="row wrap")),
                          self.quote, self.verdict, self.level, self.check, self.readout])
        self.add_class("mesolab-claim-checker")
        self.claim.observe(self._on_claim, names="value")
        for control in (self.verdict, self.level):
            control.observe(self._on_choice, names="value")
        self.check.on_click(self._on_check)
        self.previous.on_click(lambda _button: self._step(-1))
        self.next.on_click(lambda _button: self._step(1))
        self._show()

    def reading(self) -> ClaimReading:
        return read_claim_check(self.claim.value, self.verdict.value, self.level.value, self.checked)

    def _step(self, by: int) -> None:
        ids = claim_ids()
        self.claim.value = ids[(ids.index(self.claim.value) + by) % len(ids)]

    def _on_claim(self, _change: object = None) -> None:
        self.verdict.value = None
        self.level.value = None
        self.checked = False
        self._show()

    def _on_choice(self, _change: object = None) -> None:
        self.checked = False
        self._show()

    def _on_check(self, _button: object = None) -> None:
        self.checked = True
        self._show()

    def _show(self) -> None:
        reading = self.reading()
        self.quote.value = (f'<blockquote style="font-size:115%;margin:6px 0"><p>{html.escape(reading.prompt)}</p>'
                            f"</blockquote>")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in reading.lines)
        self.readout.value = (f'<div role="status" aria-live="polite"><p><b>{html.escape(reading.headline)}</b></p>'
                              + (f"<ul>{items}</ul>" if items else "") + "</div>")


__all__ = ["ClaimChecker", "LEVEL_LABELS", "VERDICT_LABELS"]
