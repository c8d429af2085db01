"""Module 01, skin cross-section explorer: what it says for a region, a needle length and an angle."""
from __future__ import annotations

from dataclasses import dataclass

from ..skin import LayerBand, SkinProfile, layer_at_depth, needle_tip_depth_mm, skin_profile


@dataclass(frozen=True)
class NeedleReading:
    """What the explorer says about one needle position."""

    profile: SkinProfile
    inserted_length_mm: float
    angle_deg: float
    tip_depth_mm: float
    layer: LayerBand

    @property
    def summary(self) -> str:
        """One line: depth, layer reached, and the source of the thickness."""
        dermis = self.profile.band("reticular_dermis")
        thickness = (f"assumed dermis {self.profile.dermis_mm:.2f} mm (no regional measurement)"
                     if dermis.assumed else f"dermis {self.profile.dermis_mm:.2f} mm by {self.profile.method}")
        return (f"Tip {self.tip_depth_mm:.2f} mm deep → {self.layer.name}. "
                f"{self.profile.region_name} ({self.profile.sex}): {thickness}, "
                f"dermis–fat junction at {self.profile.skin_thickness_mm:.2f} mm "
                f"[sources: {', '.join(self.profile.sources)}].")

    @property
    def description(self) -> str:
        """A text equivalent of the figure, for screen readers."""
        layers = "; ".join(
            f"{band.name} from {band.top_mm:.2f} mm" + (f" to {band.bottom_mm:.2f} mm" if band.bottom_mm is not None
                                                        else " downwards")
            for band in self.profile.bands
        )
        return (f"Cross-section of the {self.profile.region_name.lower()} skin, drawn to scale. "
                f"Layers from the surface: {layers}. A needle enters at the surface at {self.angle_deg:g}° "
                f"with {self.inserted_length_mm:g} mm inserted; its tip is {self.tip_depth_mm:.2f} mm deep, "
                f"in the {self.layer.name.lower()}.")


def read_needle(region: str, sex: str, inserted_length_mm: float, angle_deg: float) -> NeedleReading:
    """Compute what the explorer shows; raises ValueError on bad input, like the domain functions."""
    depth = needle_tip_depth_mm(inserted_length_mm, angle_deg)
    return NeedleReading(skin_profile(region, sex), float(inserted_length_mm), float(angle_deg), depth,
                         layer_at_depth(region, depth, sex))


def short_layer_name(name: str) -> str:
    """A layer name short enough for one line beside a figure.

    >>> short_layer_name("Hypodermis (subcutaneous fat)"), short_layer_name("Reticular dermis")
    ('Hypodermis (fat)', 'Reticular dermis')
    """
    short = name.split(" (")[0]
    return f"{short} (fat)" if short == "Hypodermis" else short
