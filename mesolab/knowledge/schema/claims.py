"""Schema of claims.yaml: claims from clinic leaflets and websites, each judged against the sources (module 08).

A claim is a short quotation (a phrase or one sentence, attributed generically: "a clinic leaflet") with:

- ``verdict``: ``supported``, ``contradicted``, ``unsupported`` (no evidence either way) or ``outside`` (the
  evidence exists but is about another product, indication or route);
- ``level``: the kind of source that settles the verdict (:data:`LEVELS`), named by ``settled_by``. The level must
  match that source's ``quality`` in the bibliography (checked on load); ``none_found`` means nothing authoritative
  was found, which is exactly when the verdict is ``unsupported`` (no evidence either way);
- ``evidence``: the sourced sentences the verdict rests on; ``disagreement``: where the sources disagree;
- ``answer``: the sourced answer in one paragraph; ``patient``: how to say it to a patient in plain words.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Quality, Sourced, Strict

Verdict = Literal["supported", "contradicted", "unsupported", "outside"]
Level = Literal["rct", "peer_reviewed", "case_series", "consensus", "regulatory", "label", "trial_registry",
                "secondary", "none_found"]

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "unsupported", "outside")
LEVELS: tuple[str, ...] = ("rct", "peer_reviewed", "case_series", "consensus", "regulatory", "label",
                           "trial_registry", "secondary", "none_found")

#: The bibliography ``quality`` a settling source must have for each level (none_found: any source that was searched).
LEVEL_QUALITY: dict[str, tuple[Quality, ...]] = {
    "rct": ("peer_reviewed",), "peer_reviewed": ("peer_reviewed",), "case_series": ("peer_reviewed",),
    "consensus": ("consensus", "textbook"), "regulatory": ("regulatory",), "label": ("label",),
    "trial_registry": ("trial_registry",), "secondary": ("secondary",),
    "none_found": ("peer_reviewed", "consensus", "textbook", "regulatory", "label", "trial_registry", "secondary"),
}

Topic = Literal["what_it_is", "safety", "efficacy", "ingredients", "regulation"]


class Statement(Sourced):
    says: str = Field(min_length=3)


class Claim(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    quote: str = Field(min_length=5, max_length=220)  # a phrase or one sentence, never a whole text
    said_in: str = Field(min_length=3)  # generic attribution: "a clinic leaflet", "a salon website"
    topic: Topic
    ingredients: list[str] = Field(default_factory=list)  # ingredient ids in cocktails.yaml the claim is about
    verdict: Verdict
    level: Level
    settled_by: str  # the source id whose kind is ``level``; one of the evidence sources
    evidence: list[Statement] = Field(min_length=1)
    disagreement: str = ""
    answer: str = Field(min_length=20)
    patient: str = Field(min_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> "Claim":
        if self.settled_by not in {e.source for e in self.evidence}:
            raise ValueError(f"settled_by {self.settled_by!r} is not one of the claim's evidence sources")
        if (self.level == "none_found") != (self.verdict == "unsupported"):
            raise ValueError("a claim is 'unsupported' (no evidence either way) exactly when nothing authoritative was "
                             "found (level none_found)")
        if self.level == "none_found" and "nothing authoritative" not in self.answer.lower():
            raise ValueError("level none_found: the answer must say that nothing authoritative was found")
        if self.quote.count(". ") > 1:
            raise ValueError("a claim is a phrase or one sentence, not a passage")
        return self


class LevelInfo(Strict):
    name: str
    means: str


class VerdictInfo(Strict):
    name: str
    means: str


class Claims(Strict):
    verdicts: dict[Verdict, VerdictInfo]
    levels: dict[Level, LevelInfo]
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> "Claims":
        if set(self.verdicts) != set(VERDICTS) or set(self.levels) != set(LEVELS):
            raise ValueError(f"describe every verdict ({', '.join(VERDICTS)}) and every level ({', '.join(LEVELS)})")
        ids = [c.id for c in self.claims]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate claim id(s): {', '.join(duplicates)}")
        return self


__all__ = ["Claim", "Claims", "LEVELS", "LEVEL_QUALITY", "Level", "VERDICTS", "Verdict"]
