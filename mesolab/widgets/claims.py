"""Claim checker (module 08): read a claim from a leaflet, choose a verdict and an evidence level, press Check, and see
the sourced answer and the words for the patient.

What the panel says is computed by :func:`mesolab.readings.claims.read_claim_check`; the widget only wires the
controls to it. Changing the claim, the verdict or the level clears the result until Check is pressed again, so an
answer is never shown before the trainee has committed to one.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..claims import LEVELS, VERDICTS, claim_ids, claim, level_name, verdict_name
from ..readings.claims import ClaimReading, read_claim_check
from .parts import html_output

# Every option starts with its own letter, so a closed list answers to that key (ArrowUp/ArrowDown belong to
# JupyterLab's notebook): S, C, U, O for the verdicts; R, P, C, G, A, L, T, S, N for the levels.
VERDICT_LABELS = {"supported": "Supported", "contradicted": "Contradicted",
                  "unsupported": "Unsupported: no evidence either way",
                  "outside": "Outside the evidence: another product, indication or route"}
LEVEL_LABELS = {"rct": "Randomised controlled trial", "peer_reviewed": "Peer-reviewed study or review",
                "case_series": "Case reports, series or small uncontrolled studies",
                "consensus": "Guideline, consensus or position paper", "regulatory": "Agency, regulator or law",
                "label": "Label of a product", "trial_registry": "Trial registry record only",
                "secondary": "Secondary page only (clinic, press)", "none_found": "Nothing authoritative found"}
CHOOSE = "—"


class ClaimChecker(w.VBox):
    """A list of claims, the claim as a leaflet says it, a verdict list, a level list, a Check button and the result.

    Every control is reachable with Tab; on a closed list, the first letter of an option chooses it; Enter or Space
    presses Check.
    """

    def __init__(self, claim_id: str | None = None) -> None:
        ids = claim_ids()
        start = claim(claim_id).id if claim_id is not None else ids[0]
        self.claim = w.Dropdown(options=[(f"{i + 1}. {claim(c).quote}", c) for i, c in enumerate(ids)], value=start,
                                description="Claim", layout=w.Layout(width="760px", max_width="100%"))
        self.claim.add_class("mesolab-claim-choice")
        self.quote = html_output("mesolab-claim-quote")
        style, layout = {"description_width": "110px"}, w.Layout(width="520px", max_width="100%")
        self.verdict = w.Dropdown(options=[(CHOOSE, None)] + [(VERDICT_LABELS[v], v) for v in VERDICTS], value=None,
                                  description="Verdict", style=style, layout=layout)
        self.verdict.add_class("mesolab-claim-verdict")
        self.level = w.Dropdown(options=[(CHOOSE, None)] + [(LEVEL_LABELS[lv], lv) for lv in LEVELS], value=None,
                                description="Evidence level", style=style, layout=layout)
        self.level.add_class("mesolab-claim-level")
        self.check = w.Button(description="Check", button_style="primary", tooltip="Check the verdict and the level")
        self.check.add_class("mesolab-claim-check")
        self.readout = html_output("mesolab-claim-readout")
        self.checked = False
        super().__init__([self.claim, self.quote, self.verdict, self.level, self.check, self.readout])
        self.add_class("mesolab-claim-checker")
        self.claim.observe(self._on_claim, names="value")
        for control in (self.verdict, self.level):
            control.observe(self._on_choice, names="value")
        self.check.on_click(self._on_check)
        self._show()

    def reading(self) -> ClaimReading:
        return read_claim_check(self.claim.value, self.verdict.value, self.level.value, self.checked)

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


__all__ = ["ClaimChecker", "LEVEL_LABELS", "VERDICT_LABELS", "level_name", "verdict_name"]
