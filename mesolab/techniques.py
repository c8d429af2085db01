"""Injection techniques: what each aims at, where a deposit lands, and how many points an area takes.

Pure functions over the knowledge base (``techniques.yaml``) and the skin model of :mod:`mesolab.skin`.
Depths are millimetres below the skin surface; angles are degrees between needle and skin surface.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ._validate import one_of, real_number
from .knowledge import knowledge, source_mark
from .knowledge.schema.techniques import Claim, GeneralClaim, Parameter, Technique
from .skin import LayerBand, layer_at_depth, needle_tip_depth_mm, skin_profile, thickness_range_mm

#: The parameters of a technique, in the order lessons show them.
PARAMETERS = ("depth", "needle", "angle", "bevel", "volume_per_point", "spacing", "bleeding", "typical_use")
PARAMETER_NAMES = {"depth": "Depth", "needle": "Needle", "angle": "Angle", "bevel": "Bevel",
                   "volume_per_point": "Volume per point", "spacing": "Spacing", "bleeding": "Bleeding",
                   "typical_use": "Typical use"}
#: Input limits: a whole face is a few hundred cm²; spacings in the sources run from 2 mm to 3 cm.
MAX_AREA_CM2 = 500.0
SPACING_RANGE_MM = (1.0, 50.0)
MAX_VOLUME_PER_POINT_ML = 1.0
_ALIASES = {"intraepidermal": "intra_epidermal", "epidermal": "intra_epidermal", "intradermal_wheal": "papule",
            "wheal": "papule", "point_by_point_technique": "point_by_point", "classic_point_by_point": "point_by_point",
            "point": "point_by_point", "retrotracing": "linear_retrotracing", "linear": "linear_retrotracing",
            "retrograde": "linear_retrotracing"}


def technique_ids() -> tuple[str, ...]:
    return tuple(t.id for t in knowledge().techniques.techniques)


def technique(name: str) -> Technique:
    """A technique by id or common name ('nappage', 'Point-by-point', 'intradermal wheal'...)."""
    technique_id = one_of("technique", name, technique_ids(), aliases=_ALIASES)
    return next(t for t in knowledge().techniques.techniques if t.id == technique_id)


def target_layers(name: str) -> tuple[str, ...]:
    """The layer ids a technique aims at, e.g. ('epidermis',) for intra-epidermal."""
    return tuple(technique(name).target.layers)


def claim_text(claim: Claim) -> str:
    return f"{claim.says} {source_mark(claim.source)}"


def parameter_text(parameter: Parameter) -> str:
    """A parameter in words with its sources: agreement, disagreement ('A vs B'), or 'not found (reason)'."""
    if parameter.status == "not_found":
        return f"not found — {parameter.reason}"
    joined = (" vs " if parameter.status == "disputed" else "; ").join(claim_text(c) for c in parameter.claims)
    return f"disputed: {joined}" if parameter.status == "disputed" else joined


def target_text(name: str) -> str:
    """The target in words with its sources, saying when it is only the general rule."""
    target = technique(name).target
    claims = "; ".join(claim_text(c) for c in target.claims)
    if target.basis == "general_rule":
        return f"{claims} — general rule, no technique-specific target found"
    return claims


def general_claims(topic: str) -> tuple[GeneralClaim, ...]:
    """Figures not tied to one technique (rules, studies, labels) for ``topic``, e.g. 'volume_per_point'."""
    topics = ("depth", "needle", "angle", "volume_per_point", "spacing", "route")
    topic = one_of("topic", topic, topics)
    return tuple(c for c in knowledge().techniques.general if c.topic == topic)


def _layer_names(layer_ids: tuple[str, ...]) -> str:
    names = {layer.id: layer.name.lower() for layer in knowledge().skin.layers}
    return " or ".join(names.get(layer_id, layer_id.replace("_", " ")) for layer_id in layer_ids)


def target_band_mm(name: str, region: str, sex: str = "female") -> tuple[float, float | None]:
    """Top and bottom depth (mm) of the technique's target in ``region``; bottom None: the fat's depth is unknown."""
    layers = target_layers(name)
    bands = [band for band in skin_profile(region, sex).bands if band.layer_id in layers]
    return bands[0].top_mm, bands[-1].bottom_mm


@dataclass(frozen=True)
class DepositCheck:
    """Where a deposit lands for a technique, a region and a needle position, and whether that is the target."""

    technique: Technique
    region_id: str
    region_name: str
    sex: str
    inserted_length_mm: float
    angle_deg: float
    depth_mm: float
    layer: LayerBand
    in_target: bool | None  # None: cannot tell (deep in fat of unmeasured thickness)

    @property
    def target_names(self) -> str:
        return _layer_names(tuple(self.technique.target.layers))

    @property
    def verdict(self) -> str:
        """One line: in or outside the target layer, and which way to correct."""
        where = (f"{self.technique.name}, {self.sex} {self.region_name.lower()}: deposit {self.depth_mm:.2f} mm "
                 f"deep → {self.layer.name}")
        if self.in_target:
            if self.layer.layer_id == "epidermis":
                low, high = thickness_range_mm("epidermis", "histology")
                return (f"{where}: in the target ({self.target_names}) by the ultrasound model only: by histology "
                        f"the epidermis is {low:.2f}–{high:.2f} mm, thinner than the needle, so a deposit cannot "
                        "be placed inside it.")
            return f"{where}: in the target ({self.target_names})."
        if self.in_target is None:
            return (f"{where}: perhaps in the target ({self.target_names}), perhaps below it: the fat's "
                    "thickness was not measured in this region.")
        top, bottom = target_band_mm(self.technique.id, self.region_id, self.sex)
        direction = "too shallow" if self.depth_mm <= top else "too deep"
        return f"⚠ {where}: OUTSIDE the target ({self.target_names}), {direction}."


def check_deposit(name: str, region: str, inserted_length_mm: float, angle_deg: float,
                  sex: str = "female") -> DepositCheck:
    """Deposit depth (inserted length × sin angle) and whether it lands in the technique's target layer."""
    chosen = technique(name)
    profile = skin_profile(region, sex)
    depth = needle_tip_depth_mm(inserted_length_mm, angle_deg)
    layer = layer_at_depth(profile.region_id, depth, sex)
    return DepositCheck(chosen, profile.region_id, profile.region_name, profile.sex, float(inserted_length_mm),
                        float(angle_deg), depth,
                        layer, _fits(layer, chosen))


def _fits(band: LayerBand, chosen: Technique) -> bool | None:
    """In the target (True), outside (False), or unknown (None): a tip past the thinnest facial fat where
    this region's fat is not measured may still be in the fat, or already below it."""
    if band.layer_id in chosen.target.layers:
        return True
    if band.layer_id == "hypodermis_or_deeper" and "hypodermis" in chosen.target.layers:
        return None
    return False


def lands_in_target(name: str, region: str, depth_mm: float, sex: str = "female") -> bool | None:
    """True if a deposit ``depth_mm`` deep in ``region`` lies in the technique's target layer, False if it
    does not, None if the model cannot tell (deep in fat whose thickness was not measured in this region)."""
    return _fits(layer_at_depth(region, depth_mm, sex), technique(name))


def stated_depth_conflicts(name: str, region: str, sex: str = "female") -> tuple[str, ...]:
    """Where a source's stated depth for the technique falls outside its stated target in this region.

    One sentence per conflicting depth claim, e.g. the papule at '1–2 mm' [BTP] against 'the
    dermo-epidermal junction' [Ved07]: the simulator shows these instead of silently picking a side.
    """
    chosen = technique(name)
    profile = skin_profile(region, sex)
    conflicts = []
    for claim in chosen.depth.claims:
        if claim.low is None or claim.high is None:
            continue
        depths = [d for d in dict.fromkeys((claim.low, claim.high)) if d > 0]
        layers = [layer_at_depth(profile.region_id, min(d, 25.0), sex) for d in depths]
        if any(_fits(band, chosen) is False for band in layers):
            reached = " to ".join(dict.fromkeys(band.name.lower() for band in layers))
            at = "–".join(f"{d:g}" for d in depths)
            conflicts.append(
                f"{source_mark(claim.source)} says {claim.says}: at {at} mm the {profile.sex} "
                f"{profile.region_name.lower()} is {reached}, "
                f"not the target ({_layer_names(tuple(chosen.target.layers))} "
                f"{', '.join(source_mark(c.source) for c in chosen.target.claims)}).")
    return tuple(conflicts)


def points_for_area(area_cm2: float, spacing_mm: float) -> int:
    """Injection points for an area on a square grid: area / spacing², rounded up to a whole point.

    A teaching approximation: it ignores the edges of a real area and the shape of the grid.

    >>> points_for_area(12, 10)   # 1200 mm² / (10 mm)²
    12
    """
    area = real_number("area_cm2", area_cm2, 0.0, MAX_AREA_CM2, "cm²")
    spacing = real_number("spacing_mm", spacing_mm, *SPACING_RANGE_MM, "mm")
    # Rounded first, so that 0.1 mm² of floating-point noise does not add a point.
    return math.ceil(round(area * 100 / spacing ** 2, 6))


def total_volume_ml(area_cm2: float, spacing_mm: float, volume_per_point_ml: float) -> float:
    """Total volume (mL) for an area: points_for_area × volume per point."""
    volume = real_number("volume_per_point_ml", volume_per_point_ml, 0.0, MAX_VOLUME_PER_POINT_ML, "mL")
    return points_for_area(area_cm2, spacing_mm) * volume
