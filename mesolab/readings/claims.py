"""Module 08, claim checker: what the panel says for a claim, a chosen verdict and level, checked or not yet.

>>> reading = read_claim_check("painless", "contradicted", "consensus", checked=True)
>>> reading.headline
'RIGHT — verdict and level both match the sources.'
>>> read_claim_check("painless", None, "consensus", checked=True).headline
'Choose a verdict and an evidence level, then press Check.'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..claims import ClaimCheck, check_claim, claim, level_name, verdict_name
from ..knowledge.schema.claims import Claim

NOT_CHOSEN = "Choose a verdict and an evidence level, then press Check."
NOT_CHECKED = "Not checked yet: choose a verdict and an evidence level, then press Check."


@dataclass(frozen=True)
class ClaimReading:
    """What the claim checker shows for one state of its controls."""

    claim: Claim
    result: ClaimCheck | None  # None: not checked yet, or a choice is missing
    missing_choice: bool = False
    verdict: str | None = None  # the trainee's choices, said in words before Check (a screen reader hears them)
    level: str | None = None

    @property
    def prompt(self) -> str:
        """The claim as the trainee meets it."""
        return f"“{self.claim.quote}” ({self.claim.said_in})"

    @property
    def headline(self) -> str:
        if self.missing_choice:
            return NOT_CHOSEN
        if self.result is None:
            return NOT_CHECKED
        if self.result.right:
            return "RIGHT — verdict and level both match the sources."
        if self.result.verdict_right or self.result.level_right:
            return "PARTLY RIGHT — one of verdict and level matches the sources."
        return "NOT YET — neither verdict nor level matches the sources."

    @property
    def lines(self) -> list[str]:
        """What was right or wrong, the sourced answer, where sources disagree, and the words for the patient."""
        if self.result is None:
            verdict = verdict_name(self.verdict) if self.verdict else "not chosen"
            level = level_name(self.level) if self.level else "not chosen"
            return [f"Your verdict: {verdict}. Settled by: {level}."]
        c = self.claim
        lines = [*self.result.feedback, f"The evidence: {c.answer}"]
        if c.disagreement:
            lines.append(f"Where the sources disagree: {c.disagreement}")
        lines.append(f"To the patient: “{c.patient}”")
        return lines

    @property
    def text(self) -> str:
        return "\n".join([self.prompt, self.headline, *self.lines])


def read_claim_check(claim_id: str, verdict: str | None, level: str | None, checked: bool) -> ClaimReading:
    """The panel for ``claim_id`` with the chosen ``verdict`` and ``level`` (None: not chosen), after Check
    (``checked``) or before it."""
    chosen = claim(claim_id)
    if verdict is not None:
        verdict_name(verdict)  # an unknown verdict or level fails here, with the valid values
    if level is not None:
        level_name(level)
    if verdict is None or level is None or not checked:
        return ClaimReading(chosen, None, missing_choice=checked, verdict=verdict, level=level)
    return ClaimReading(chosen, check_claim(claim_id, verdict, level), verdict=verdict, level=level)
