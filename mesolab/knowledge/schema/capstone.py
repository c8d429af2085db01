"""Schema of capstone.yaml: the ranges each trainee's virtual patient is drawn from (module 09).

A case is drawn along one *path* (clear, or one reason not to inject); each drawn number is a :class:`Drawn`
range with the source it stays inside, or marked ``curriculum_choice`` where MesoLab chose it for teaching.
"""
from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict

PathId = Literal["clear", "screening_blocks", "acne_blocks", "scar_blocks"]
_ID = r"^[a-z][a-z0-9_]*$"


class Drawn(Sourced):
    """A value drawn uniformly from ``low``, ``low + step``, ... ``high``."""

    low: float
    high: float
    step: float = Field(gt=0)
    curriculum_choice: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> "Drawn":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        if self.curriculum_choice and not self.note:
            raise ValueError("a curriculum choice says why in its note")
        return self

    def values(self) -> tuple[float, ...]:
        count = int(round((self.high - self.low) / self.step)) + 1
        return tuple(round(self.low + i * self.step, 6) for i in range(count))


class Path(Strict):
    id: PathId
    weight: int = Field(gt=0)
    why: str


class Names(Strict):
    female: list[str] = Field(min_length=1)
    male: list[str] = Field(min_length=1)


class Weights(Strict):
    female: Drawn
    male: Drawn


class Patient(Strict):
    age_years: Drawn
    weight_kg: Weights
    names: Names


class IntakeScenario(Strict):
    id: str = Field(pattern=_ID)
    path: PathId
    outcome: Literal["proceed", "caution", "defer", "decline"]
    sex: Literal["female", "male"] | None = None  # None: either
    answers: dict[str, bool | int | float | str | list[str]]
    says: dict[str, str]

    @model_validator(mode="after")
    def _words_for_every_answer(self) -> "IntakeScenario":
        if set(self.says) != set(self.answers):
            raise ValueError(f"says must give the patient's words for exactly the answers {sorted(self.answers)}")
        return self


class AcneRanges(Strict):
    comedones_per_area: Drawn
    inflammatory_areas: Drawn
    papules_per_area: Drawn
    papule_diameter_mm: Drawn
    pustules_per_area: Drawn
    nodule_diameter_mm: Drawn
    nodule_share: float = Field(ge=0, le=1)


class ScarScenario(Strict):
    id: str = Field(pattern=_ID)
    path: PathId
    edges: Literal["tapering", "vertical", "sloping"]
    width_mm: Drawn
    depth_mm: Drawn


class Needle(Strict):
    length_mm: float = Field(gt=0)
    gauge: int
    inserted_mm: Drawn
    angle_deg: list[float] = Field(min_length=1)


class CocktailPlan(Strict):
    ingredients: list[str] = Field(min_length=1)
    lidocaine_percent: list[float] = Field(min_length=1)


class CoursePlan(Strict):
    protocols: list[str] = Field(min_length=1)
    first_start: _dt.date
    start_window_days: int = Field(gt=0)


class FollowUp(Strict):
    id: str = Field(pattern=_ID)
    urgency: Literal["emergency", "urgent", "review", "reassure"]
    hours: Drawn
    findings: list[str] = Field(min_length=1)
    says: str


class Capstone(Strict):
    paths: list[Path] = Field(min_length=1)
    patient: Patient
    intake: list[IntakeScenario]
    acne: AcneRanges
    scars: list[ScarScenario]
    regions: list[str] = Field(min_length=1)
    technique: str
    needle: Needle
    cocktail: CocktailPlan
    course: CoursePlan
    follow_up: list[FollowUp]

    @model_validator(mode="after")
    def _every_path_can_be_drawn(self) -> "Capstone":
        for path in self.paths:
            if path.id != "acne_blocks" and not any(s.path in (path.id, "clear") for s in self.intake):
                raise ValueError(f"no intake scenario for path {path.id!r}")
        if not any(s.path == "clear" for s in self.scars) or not any(s.path == "clear" for s in self.intake):
            raise ValueError("the clear path needs an intake scenario and a scar")
        return self
