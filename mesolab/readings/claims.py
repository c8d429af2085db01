"""Module 08, claim checker: what the panel says for a claim, a chosen verdict and level, checked or not yet.

>>> reading = read_claim_check("painless", "contradicted", "consensus", checked=True)
>>> reading.headline
'RIGHT — verdict and level both match the sources.'
>>> read_claim_check("painless", None, "consensus", checked=True).headline
'Choose a verdict and an evidence level, then press Check.'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..claims import ClaimCheck, check_claim, claim
from ..knowledge.schema.claims import Claim

NOT_CHOSEN = "Choose a verdict and an evidence level, then press Check."
NOT_CHECKED = "Not checked yet: choose a verdict and an evidence level, then press Check."


@dataclass(frozen=True)
class ClaimReading:
    """What the claim checker shows for one state of its controls."""

    claim: Claim
    result: ClaimCheck | None  # None: not checked yet, or a choice is missing
    missing_choice: bool = False

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
            return []
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
    if not checked:
        return ClaimReading(chosen, None)
    if verdict is None or level is None:
        return ClaimReading(chosen, None, missing_choice=True)
    return ClaimReading(chosen, check_claim(claim_id, verdict, level))
