"""Module 02, GAGS calculator: what it says for the worst lesion of each area."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..acne import GagsResult, gags_assess, gags_gap_note, gags_regions, lesion_grade, lesion_name, max_gags_score, \
    region_factor, region_name


@dataclass(frozen=True)
class GagsReading:
    """What the calculator says about one set of worst lesions."""

    result: GagsResult

    @property
    def summary(self) -> str:
        """One line: score, band and the source; for 0 and 39 also how the curriculum decided."""
        band = self.result.band
        text = f"GAGS score {self.result.score} of {max_gags_score()} → {band.name} [{band.source}]."
        if band.id == "clear":
            text += " No lesions: the published bands start at 1; 'clear' is MesoLab's label."
        elif band.curriculum_choice:
            text += f" Published band '{band.as_published}'."
            gap = gags_gap_note(self.result.score)
            if gap:
                text += " " + gap
            else:
                text += " MesoLab reads it as 39 or more."
        return text

    @property
    def description(self) -> str:
        """A text equivalent of the figure, for screen readers."""
        parts = []
        for region in gags_regions():
            lesion = self.result.worst[region]
            parts.append(f"{region_name(region)}: {lesion_name(lesion).lower()}, factor {region_factor(region)} × "
                         f"grade {lesion_grade(lesion)} = {self.result.points[region]}")
        return ("Schematic face (patient facing you, so the right cheek is on your left) and trunk (chest and "
                "upper back), each area coloured and hatched by its worst lesion, darker for higher grades. "
                + "; ".join(parts) + f". Total {self.result.score}: {self.result.band.name.lower()}.")


def read_gags(worst_lesions: Mapping[str, str]) -> GagsReading:
    """Compute what the calculator shows; raises ValueError on bad input, like the domain functions."""
    return GagsReading(gags_assess(worst_lesions))
