"""Module 03, technique simulator: what it says for a technique, a region, a needle and a treatment area."""
from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.schema.techniques import Parameter
from ..skin import SkinProfile, skin_profile
from ..techniques import (DepositCheck, check_deposit, parameter_text, points_for_area, stated_depth_conflicts,
                          target_band_mm, target_text, total_volume_ml)


@dataclass(frozen=True)
class TechniqueReading:
    """What the simulator says about one setting."""

    check: DepositCheck
    profile: SkinProfile
    conflicts: tuple[str, ...]
    area_cm2: float
    spacing_mm: float
    volume_per_point_ml: float

    @property
    def verdict(self) -> str:
        return self.check.verdict

    @property
    def treatment(self) -> str:
        """Points and volume for the area, with where the spacing and the volume come from."""
        chosen = self.check.technique
        if chosen.deposits == "lines":
            return (f"{chosen.name} lays the product along lines, not at points: no number of points applies "
                    f"(volume per line: {parameter_text(chosen.volume_per_point)})")
        points = points_for_area(self.area_cm2, self.spacing_mm)
        total = total_volume_ml(self.area_cm2, self.spacing_mm, self.volume_per_point_ml)
        return (f"Area {self.area_cm2:g} cm² at {self.spacing_mm:g} mm spacing → {points} points "
                f"(square grid: area ÷ spacing², rounded up — a teaching approximation) × "
                f"{self.volume_per_point_ml:.2f} mL = {total:.2f} mL. "
                f"Spacing for {chosen.name.lower()}: {_short(chosen.spacing)}. "
                f"Volume per point: {_short(chosen.volume_per_point)}.")

    @property
    def dose_short(self) -> str:
        """Points and total volume in two short lines, for beside the figure."""
        if self.check.technique.deposits == "lines":
            return "Laid along lines:\nno point count"
        points = points_for_area(self.area_cm2, self.spacing_mm)
        total = total_volume_ml(self.area_cm2, self.spacing_mm, self.volume_per_point_ml)
        return (f"{self.area_cm2:g} cm² at {self.spacing_mm:g} mm: {points} points\n"
                f"× {self.volume_per_point_ml:.2f} mL = {total:.2f} mL")

    @property
    def target(self) -> str:
        return f"Target of {self.check.technique.name.lower()}: {target_text(self.check.technique.id)}."

    @property
    def description(self) -> str:
        """A text equivalent of the figure, for screen readers."""
        top, bottom = target_band_mm(self.check.technique.id, self.profile.region_id, self.profile.sex)
        band = f"{top:.2f} mm to {bottom:.2f} mm" if bottom is not None else f"{top:.2f} mm downwards"
        return (f"Cross-section of the {self.profile.region_name.lower()} skin ({self.profile.sex}), drawn to scale, "
                f"with the target of {self.check.technique.name.lower()} outlined from {band}. A needle enters at "
                f"{self.check.angle_deg:g}° with {self.check.inserted_length_mm:g} mm inserted; the deposit at its "
                f"tip is {self.check.depth_mm:.2f} mm deep, in the {self.check.layer.name.lower()}.")


def _short(parameter: Parameter) -> str:
    if parameter.status == "not_found":
        return "not found in the sources (value set by you)"
    return f"{parameter_text(parameter)} (value set by you)"


def read_technique(name: str, region: str, sex: str, inserted_length_mm: float, angle_deg: float,
                   area_cm2: float = 10.0, spacing_mm: float = 10.0, volume_per_point_ml: float = 0.01
                   ) -> TechniqueReading:
    """Compute what the simulator shows; raises ValueError on bad input, like the domain functions."""
    check = check_deposit(name, region, inserted_length_mm, angle_deg, sex)
    points_for_area(area_cm2, spacing_mm)  # validate even for techniques laid along lines
    total_volume_ml(area_cm2, spacing_mm, volume_per_point_ml)
    return TechniqueReading(check, skin_profile(region, sex), stated_depth_conflicts(name, region, sex),
                            float(area_cm2), float(spacing_mm), float(volume_per_point_ml))
