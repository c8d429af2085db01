"""Module 07, complication triage: the presentation the controls describe, and what the result panel says about it
(pure: the widget, the lesson and the tests use it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..complications import FINDINGS, HOURS, PRESENTATION_FIELDS, TriageResult, complication, triage, urgency_meaning

UNKNOWN = "unknown"
# Labels chosen so that every option has a key JupyterLab leaves to the <select>: Home (unknown), End (yes), N (no).
FINDING_OPTIONS = (("unknown", UNKNOWN), ("no", "no"), ("yes", "yes"))
_VALUES = {UNKNOWN: None, "no": False, "yes": True}


def form_presentation(values: Mapping[str, object]) -> dict[str, object]:
    """The presentation for what the controls hold: ``hours`` a number (or None), each finding "unknown", "no" or
    "yes"."""
    presentation: dict[str, object] = {HOURS: values.get("hours")}
    for key in FINDINGS:
        presentation[key] = _VALUES.get(str(values.get(key, UNKNOWN)), None)
    return presentation


@dataclass(frozen=True)
class TriageReading:
    """What the result panel says for one state of the controls."""

    result: TriageResult

    @property
    def headline(self) -> str:
        return f"{self.result.urgency.upper()} — {urgency_meaning(self.result.urgency)}"

    @property
    def lines(self) -> list[str]:
        r = self.result
        likely = ", ".join(complication(c).name for c in r.likely) or "none: no finding points to a complication"
        candidates = ", ".join(complication(c).name for c in r.candidates) or "none"
        lines = [f"First action: {r.first_action}", f"Most likely: {likely}.",
                 f"Still possible at this time ({len(r.candidates)}): {candidates}."]
        lines += [f"Never: {n}" for n in r.never]
        lines += [reason.line() for reason in r.reasons if reason.kind not in ("unknown", "malformed")]
        unknown = [PRESENTATION_FIELDS[k].label for p in r.problems for k in p.findings]
        if unknown:
            lines.append(f"Not known yet ({len(unknown)}): {', '.join(unknown)}. An unknown finding is never 'no'.")
        return lines

    @property
    def text(self) -> str:
        return "\n".join([self.headline, *self.lines])


def read_triage(values: Mapping[str, object]) -> TriageReading:
    """Compute what the result panel shows for the controls' values."""
    return TriageReading(triage(form_presentation(values)))
