"""Schema of acne.yaml: acne lesions, the GAGS and IGA grading systems, acne scars and their treatment."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict

#: Lesion sizes and scar dimensions are millimetres; anything above this is a unit typo (cm, µm).
MAX_LESION_MM = 30.0


class LesionType(Sourced):
    """A kind of acne lesion as the clinician sees it (e.g. open comedone), and what GAGS counts it as."""

    id: str
    name: str
    inflammatory: bool
    gags_lesion: str  # a GagsLesion id
    description: str


class SizeCutoff(Sourced):
    """Where a source puts the border between a papule and a nodule (diameter)."""

    id: str
    papule_below_mm: float = Field(gt=0, le=MAX_LESION_MM)
    as_written: str


class GagsRegion(Sourced):
    id: str
    name: str
    factor: int = Field(ge=1, le=5)


class GagsLesion(Sourced):
    id: str
    name: str
    grade: int = Field(ge=0, le=4)


class GagsBand(Sourced):
    """A severity band as MesoLab applies it (low..high inclusive) and as the source printed it."""

    id: str
    name: str
    low: int = Field(ge=0)
    high: int = Field(ge=0)
    as_published: str
    curriculum_choice: bool = False  # True where the published bands leave the score unassigned

    @model_validator(mode="after")
    def _ordered(self) -> "GagsBand":
        if self.low > self.high:
            raise ValueError(f"band {self.id}: low {self.low} is above high {self.high}")
        return self


class GagsGap(Sourced):
    """A score the published bands leave unassigned, and how the curriculum resolves it."""

    score: int = Field(ge=0)
    published: str
    resolution: str


class Gags(Strict):
    name: str
    regions: list[GagsRegion]
    lesions: list[GagsLesion]
    bands: list[GagsBand]
    gaps: list[GagsGap]
    alternative_cutoff: Sourced  # the summary that uses "> 38"

    @model_validator(mode="after")
    def _bands_cover_every_score(self) -> "Gags":
        top = max(lesion.grade for lesion in self.lesions) * sum(region.factor for region in self.regions)
        bands = sorted(self.bands, key=lambda band: band.low)
        expected = 0
        for band in bands:
            if band.low != expected:
                raise ValueError(f"bands leave scores {expected}..{band.low - 1} without a band")
            expected = band.high + 1
        if expected != top + 1:
            raise ValueError(f"bands end at {expected - 1}, the highest possible score is {top}")
        return self


class IgaGrade(Sourced):
    grade: int = Field(ge=0, le=4)
    name: str


class Iga(Strict):
    name: str
    grades: list[IgaGrade]
    success: Sourced  # the trial success definition, in the note
    success_max_final_grade: int = Field(ge=0, le=4)
    success_min_improvement: int = Field(ge=1, le=4)


class OtherSystem(Sourced):
    id: str
    name: str
    summary: str


class ScarDimensions(Sourced):
    """The usual widths (and depth in words) of a scar type, with their own source: typical, not limits."""

    width_min_mm: float | None = Field(default=None, gt=0, le=MAX_LESION_MM)  # usually wider than this
    width_max_mm: float | None = Field(default=None, gt=0, le=MAX_LESION_MM)  # usually at most this
    width_as_written: str
    depth_as_written: str


class ScarType(Sourced):
    """A scar type as its source describes it; ``dimensions`` carry the numbers and their source."""

    id: str
    name: str
    contour: Literal["depressed", "flat", "raised"]
    edges: Literal["tapering", "vertical", "sloping", "none"]  # what the examiner sees; it decides the type
    description: str
    dimensions: ScarDimensions | None = None


class BoxcarDepth(Sourced):
    shallow_max_mm: float = Field(gt=0, le=5)  # below this: shallow; at or above: deep
    shallow_min_mm: float = Field(gt=0, le=5)
    as_written: str


class GoodmanBaronGrade(Sourced):
    grade: int = Field(ge=1, le=4)
    name: str
    description: str


class TreatmentAdvice(Sourced):
    """Whether a scar (or active acne) is a plausible target of superficial intradermal injection."""

    target: str  # the name lessons and acne.injection_advice use, e.g. "boxcar_shallow"
    scar_type: str | None = None  # the scar type it is for; None: not a scar (active acne)
    depth: Literal["shallow", "deep"] | None = None  # for a scar type split by depth (boxcar)
    verdict: Literal["plausible", "adjunct_after_other_treatment", "not_a_target"]
    summary: str
    do_instead: list[str]
    also: list[Sourced] = []  # further sources, each with what it adds in its note


class Acne(Strict):
    lesion_types: list[LesionType]
    size_cutoffs: list[SizeCutoff]
    gags: Gags
    iga: Iga
    other_systems: list[OtherSystem]
    no_universal_system: Sourced
    scar_types: list[ScarType]
    boxcar_depth: BoxcarDepth
    goodman_baron: list[GoodmanBaronGrade]
    goodman_baron_quantitative: Sourced
    injection_targets: list[TreatmentAdvice]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Acne":
        lesions = {lesion.id for lesion in self.gags.lesions}
        for lesion_type in self.lesion_types:
            if lesion_type.gags_lesion not in lesions:
                raise ValueError(f"lesion type {lesion_type.id}: unknown gags_lesion {lesion_type.gags_lesion!r}")
        scar_ids = {scar.id for scar in self.scar_types}
        seen: set[tuple[str | None, str | None]] = set()
        for advice in self.injection_targets:
            if advice.scar_type is not None and advice.scar_type not in scar_ids:
                raise ValueError(f"injection target {advice.target!r}: unknown scar_type {advice.scar_type!r}")
            if advice.depth is not None and advice.scar_type is None:
                raise ValueError(f"injection target {advice.target!r}: a depth needs a scar_type")
            key = (advice.scar_type, advice.depth)
            if advice.scar_type is not None and key in seen:
                raise ValueError(f"injection target {advice.target!r}: {key} is given twice")
            seen.add(key)
        targets = [advice.target for advice in self.injection_targets]
        if len(set(targets)) != len(targets):
            raise ValueError("injection targets must have distinct names")
        return self
