"""Skin layers of the face and what a needle reaches: pure functions over the knowledge base.

Depths are millimetres below the skin surface; angles are degrees between the needle and the skin
surface (0° = flat along the skin, 90° = perpendicular).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from ._validate import one_of, real_number
from .knowledge import knowledge
from .knowledge.schema import Measurement

#: The longest mesotherapy needle in the sources is 13 mm (techniques.yaml); anything far past it is a typo.
MAX_NEEDLE_LENGTH_MM = 25.0
MAX_DEPTH_MM = 25.0
SEXES = ("female", "male")
#: The method the cross-section model uses throughout, so that layers are measured alike.
MODEL_METHOD = "ultrasound"


@dataclass(frozen=True)
class LayerBand:
    """One layer of a region's skin at its depth, with where the numbers come from."""

    layer_id: str
    name: str
    top_mm: float
    bottom_mm: float | None  # None: the hypodermis continues; its thickness here is unknown
    sources: tuple[str, ...]
    basis: str  # how the thickness was obtained, in words
    assumed: bool = False  # True where no regional measurement exists

    @property
    def thickness_mm(self) -> float | None:
        return None if self.bottom_mm is None else self.bottom_mm - self.top_mm

    def contains(self, depth_mm: float) -> bool:
        """A band holds its bottom edge; depth 0 (the surface) belongs to the first band."""
        below_top = depth_mm > self.top_mm or (self.top_mm == 0 and depth_mm == 0)
        return below_top and (self.bottom_mm is None or depth_mm <= self.bottom_mm)


@dataclass(frozen=True)
class SkinProfile:
    """A region's layers from the surface down, all measured by one method (ultrasound)."""

    region_id: str
    region_name: str
    sex: str
    method: str
    bands: tuple[LayerBand, ...]

    def band(self, layer_id: str) -> LayerBand:
        return next(band for band in self.bands if band.layer_id == layer_id)

    @property
    def skin_thickness_mm(self) -> float:
        """Epidermis plus dermis: the depth of the dermis–fat junction."""
        bottom = self.band("reticular_dermis").bottom_mm
        assert bottom is not None
        return bottom

    @property
    def dermis_mm(self) -> float:
        return self.skin_thickness_mm - self.band("papillary_dermis").top_mm

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(source for band in self.bands for source in band.sources))


def region_ids() -> tuple[str, ...]:
    return tuple(region.id for region in knowledge().skin.regions)


def region_name(region: str) -> str:
    region_id = _region_id(region)
    return next(r.name for r in knowledge().skin.regions if r.id == region_id)


def _region_id(region: object) -> str:
    names = {r.name.lower().replace(" ", "_"): r.id for r in knowledge().skin.regions}
    names["zygoma"] = "cheek"
    return one_of("region", region, region_ids(), aliases=names)


def _sex(sex: object) -> str:
    return one_of("sex", sex, SEXES, plural="sexes")


def _find(entries: list[Measurement], layer: str, region: str, sex: str, method: str | None) -> Measurement | None:
    """The first entry for layer/region that fits ``sex`` (or is pooled) and ``method`` (None: any)."""
    for entry in entries:
        if (entry.layer, entry.region) == (layer, region) and entry.sex in (sex, "pooled"):
            if method is None or entry.method == method:
                return entry
    return None


def skin_profile(region: str, sex: str = "female") -> SkinProfile:
    """The layers of ``region`` for ``sex``, from the surface down, each with its source.

    Stratum corneum and epidermis come from face-wide values (no per-region data); the dermis from
    the region's ultrasound value (or a labelled assumption where none exists), split into papillary
    and reticular parts by a textbook fraction; the hypodermis from cadaver data where measured.
    """
    return _profile(_region_id(region), _sex(sex))


@functools.cache
def _profile(region_id: str, sex: str) -> SkinProfile:
    skin = knowledge().skin
    # The stratum corneum (~10 µm) is below ultrasound resolution: its only value is histological.
    corneum = _find(skin.measurements, "stratum_corneum", "face", sex, None) or _missing("stratum_corneum", "face")
    epidermis = _find(skin.measurements, "epidermis", "face", sex, MODEL_METHOD) or _missing("epidermis", "face")
    dermis = _find(skin.measurements, "dermis", region_id, sex, MODEL_METHOD)
    dermis_assumed = dermis is None
    if dermis is None:
        dermis = _find(skin.assumptions, "dermis", region_id, sex, MODEL_METHOD) or _missing("dermis", region_id)
    # Facial fat has no in-vivo ultrasound values (nothing found); cadaver data where they exist.
    fat = _find(skin.measurements, "hypodermis", region_id, sex, None)
    fat_range = next(m for m in skin.measurements if m.layer == "hypodermis")
    papillary_share = skin.papillary_fraction_of_dermis

    # Rounded to 0.1 µm so that printed depths read cleanly; far below any measurement's precision.
    sc_bottom = round(corneum.central_mm, 4)
    epi_bottom = round(epidermis.central_mm, 4)
    papillary_bottom = round(epi_bottom + papillary_share.value * dermis.central_mm, 4)
    dermis_bottom = round(epi_bottom + dermis.central_mm, 4)
    layer_names = {layer.id: layer.name for layer in skin.layers}
    dermis_basis = (
        f"assumed {dermis.text} ({dermis.note})" if dermis_assumed
        else f"{dermis.text} by {dermis.method}"
    )
    bands = (
        LayerBand("stratum_corneum", layer_names["stratum_corneum"], 0.0, sc_bottom, (corneum.source,),
                  f"about {corneum.text} ({corneum.method}), face in general"),
        LayerBand("epidermis", layer_names["epidermis"], sc_bottom, epi_bottom, (epidermis.source,),
                  f"whole epidermis {epidermis.text} by {epidermis.method}, face in general (midpoint used)"),
        LayerBand("papillary_dermis", layer_names["papillary_dermis"], epi_bottom, papillary_bottom,
                  (dermis.source, papillary_share.source),
                  f"upper {papillary_share.value:.0%} of a dermis of {dermis_basis}", dermis_assumed),
        LayerBand("reticular_dermis", layer_names["reticular_dermis"], papillary_bottom, dermis_bottom,
                  (dermis.source, papillary_share.source),
                  f"lower {1 - papillary_share.value:.0%} of a dermis of {dermis_basis}", dermis_assumed),
        LayerBand("hypodermis", layer_names["hypodermis"], dermis_bottom,
                  None if fat is None else dermis_bottom + fat.central_mm,
                  (fat_range.source,) if fat is None else (fat.source,),
                  f"thickness not measured for this region ({_fat_range_text()} across the face in cadavers)"
                  if fat is None else f"superficial fat {fat.text} ({fat.method})"),
    )
    name = next(r.name for r in skin.regions if r.id == region_id)
    return SkinProfile(region_id, name, sex, MODEL_METHOD, bands)


def _fat_range_text() -> str:
    values = [m.central_mm for m in knowledge().skin.measurements if m.layer == "hypodermis"]
    return f"{min(values):g}–{max(values):g} mm"


def _missing(layer: str, region: str) -> Measurement:
    raise LookupError(f"the knowledge base has no {layer} value for {region}")


def needle_tip_depth_mm(inserted_length_mm: float, angle_deg: float) -> float:
    """Depth of the needle tip below the surface: inserted length × sin(angle).

    >>> round(needle_tip_depth_mm(4, 30), 3)
    2.0
    """
    length = real_number("inserted_length_mm", inserted_length_mm, 0.0, MAX_NEEDLE_LENGTH_MM, "mm")
    angle = real_number("angle_deg", angle_deg, 0.0, 90.0, "degrees")
    return length * math.sin(math.radians(angle))


def layer_at_depth(region: str, depth_mm: float, sex: str = "female") -> LayerBand:
    """The layer of ``region`` at ``depth_mm`` below the surface.

    Where the region's fat thickness is unknown, a tip deeper than the thinnest superficial fat
    measured anywhere on the face is reported as "hypodermis or deeper": it may have left the fat.
    """
    depth = real_number("depth_mm", depth_mm, 0.0, MAX_DEPTH_MM, "mm")
    profile = skin_profile(region, sex)
    fat = profile.bands[-1]
    if fat.bottom_mm is None:
        thinnest_fat = min(m.central_mm for m in knowledge().skin.measurements if m.layer == "hypodermis")
        if depth > fat.top_mm + thinnest_fat:
            return LayerBand("hypodermis_or_deeper", "Hypodermis or deeper (fat thickness not measured here)",
                             round(fat.top_mm + thinnest_fat, 4), None, fat.sources,
                             f"deeper than the thinnest superficial fat measured on the face ({thinnest_fat:g} mm)")
    for band in profile.bands:
        if band.contains(depth):
            return band
    assert fat.bottom_mm is not None
    return LayerBand("below_hypodermis", "Below the superficial fat (muscle or deep fat)", fat.bottom_mm, None,
                     fat.sources, "deeper than the superficial fat measured in cadavers")


def thickness_range_mm(layer: str, method: str = MODEL_METHOD, regional: bool = False) -> tuple[float, float]:
    """Thinnest and thickest ``layer`` measured by ``method`` on the face (both sexes), ends of ranges included.

    ``regional``: only per-region values (no face-wide ranges). E.g. the epidermis is about 0.17–0.22 mm by
    ultrasound but 0.03–0.12 mm by histology: a depth question has to say which one it uses.
    """
    entries = [m for m in knowledge().skin.measurements
               if m.layer == layer and m.method == method and (m.region != "face" or not regional)]
    values = [v for m in entries for v in (m.value_mm, m.low_mm, m.high_mm) if v is not None]
    if not values:
        raise ValueError(f"no {layer} values measured by {method!r}")
    return min(values), max(values)


def dermis_range_mm(method: str = MODEL_METHOD) -> tuple[float, float]:
    """Thinnest and thickest regional dermis measured by ``method`` (both sexes)."""
    return thickness_range_mm("dermis", method, regional=True)


def depth_chart_band(chart_id: str, target: str):
    """A technique chart's depth band for ``target`` (e.g. "deep dermis") and the chart's source id."""
    chart = next((c for c in knowledge().depth_charts.charts if c.id == chart_id), None)
    band = next((b for b in chart.bands if b.target == target), None) if chart else None
    if band is None:
        raise ValueError(f"no depth chart {chart_id!r} with a band for {target!r}")
    return band, chart.source
