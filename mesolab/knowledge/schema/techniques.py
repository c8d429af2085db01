"""Schema of techniques.yaml: mesotherapy injection techniques, one sourced parameter at a time.

Every parameter of every technique says, explicitly, which of three things the sources give:

- ``sourced``: one or more claims that agree, each with its source;
- ``disputed``: at least two claims that disagree, each with its source, and ``disagreement`` saying how;
- ``not_found``: no claim at all, and ``reason`` saying what was searched and why nothing fits.

There are no defaults: a technique that leaves a parameter out fails to load, so a missing value can
never pass silently as a number.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Millimetres, Sourced, Strict

#: The layers of skin_layers.yaml a technique can aim at.
TargetLayer = Literal["epidermis", "papillary_dermis", "reticular_dermis", "hypodermis"]
Unit = Literal["mm", "degrees", "mL", "gauge"]
#: Depths, needle lengths and spacings in the sources stay well below this (spacing up to 3 cm).
MAX_FIGURE_MM = 50.0


class Claim(Sourced):
    """What one source says about one parameter, in words, with numbers where it gives them."""

    says: str = Field(min_length=2)
    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    unit: Unit | None = None

    @model_validator(mode="after")
    def _numbers_need_a_unit(self) -> "Claim":
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high (equal for a single value), or neither")
        if self.low is not None:
            if self.unit is None:
                raise ValueError("a claim with numbers needs its unit")
            assert self.high is not None
            if self.low > self.high:
                raise ValueError(f"low {self.low} is above high {self.high}")
            if self.unit == "mm" and self.high > MAX_FIGURE_MM:
                raise ValueError(f"{self.high} mm is not a plausible injection figure (typed in µm?)")
            if self.unit == "degrees" and self.high > 90:
                raise ValueError("an angle to the skin is at most 90 degrees")
        return self

    @property
    def range_text(self) -> str:
        """The numbers as a trainee reads them, e.g. '2–4 mm'; empty when the claim has none."""
        if self.low is None or self.high is None:
            return ""
        unit = {"degrees": "°", "gauge": "G"}.get(self.unit or "", f" {self.unit}")
        numbers = f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"
        return f"{numbers}{unit}"


class Parameter(Strict):
    """One parameter of a technique: sourced, disputed, or explicitly not found."""

    status: Literal["sourced", "disputed", "not_found"]
    claims: list[Claim] = Field(default_factory=list)
    disagreement: str = ""  # required when disputed: what the sources disagree about
    reason: str = ""  # required when not_found: what was looked for, and why nothing fits

    @model_validator(mode="after")
    def _status_fits_the_claims(self) -> "Parameter":
        if self.status == "not_found":
            if self.claims:
                raise ValueError("a not_found parameter has no claims; put related evidence in the reason")
            if len(self.reason) < 10:
                raise ValueError("a not_found parameter needs a reason (what was searched, why nothing fits)")
        elif self.status == "disputed":
            if len(self.claims) < 2:
                raise ValueError("a disputed parameter needs at least two claims")
            if len(self.disagreement) < 10:
                raise ValueError("a disputed parameter needs `disagreement`: what the sources disagree about")
        elif not self.claims:
            raise ValueError("a sourced parameter needs at least one claim")
        return self


class Target(Strict):
    """The layer(s) a technique aims at.

    ``basis: technique`` means a source names the target of this technique; ``general_rule`` means no
    technique-specific target was found and the general rule for facial mesotherapy (intradermal) stands
    in, which the lesson and the simulator say.
    """

    layers: list[TargetLayer] = Field(min_length=1)
    basis: Literal["technique", "general_rule"]
    claims: list[Claim] = Field(min_length=1)
    reading: str = Field(min_length=10)  # how MesoLab reads the claims as layers, in words


class Technique(Strict):
    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    also_called: str = ""
    deposits: Literal["points", "lines"]  # how the product is laid down: at points, or along lines
    target: Target
    depth: Parameter
    needle: Parameter
    angle: Parameter
    bevel: Parameter
    volume_per_point: Parameter
    spacing: Parameter
    bleeding: Parameter
    typical_use: Parameter

    @model_validator(mode="after")
    def _numbers_in_the_right_unit(self) -> "Technique":
        for field, unit in (("depth", "mm"), ("angle", "degrees"), ("volume_per_point", "mL"), ("spacing", "mm")):
            for claim in getattr(self, field).claims:
                if claim.unit not in (None, unit):
                    raise ValueError(f"{field} claims are in {unit}, not {claim.unit}")
        return self


class GeneralClaim(Claim):
    """A figure that is not tied to one named technique (general rules, studies, product labels)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    topic: Literal["depth", "needle", "angle", "volume_per_point", "spacing", "route"]
    kind: Literal["mesotherapy_rule", "mesotherapy_study", "manufacturer", "skin_booster", "intradermal_injection"]


class Techniques(Strict):
    techniques: list[Technique] = Field(min_length=1)
    general: list[GeneralClaim]
    unconfirmed: list[str]  # figures in circulation that no source confirmed, said in words

    @model_validator(mode="after")
    def _unique_ids(self) -> "Techniques":
        for items, what in ((self.techniques, "technique"), (self.general, "general claim")):
            ids = [item.id for item in items]
            duplicates = {i for i in ids if ids.count(i) > 1}
            if duplicates:
                raise ValueError(f"duplicate {what} id(s): {', '.join(sorted(duplicates))}")
        return self


__all__ = ["Claim", "GeneralClaim", "Millimetres", "Parameter", "Target", "Technique", "Techniques"]
