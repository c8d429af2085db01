"""Facial skin depth by region against the depths that technique charts print."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..skin import depth_chart_band, region_ids, skin_profile
from .style import FEMALE_COLOR, MALE_COLOR, WARNING_COLOR


def plot_junction_depth_vs_charts(chart_id: str = "perrin_depth_bands", band_target: str = "deep dermis") -> Figure:
    """Depth of the dermis–fat junction in each region (both sexes) under a chart's depth band."""
    band, chart_source = depth_chart_band(chart_id, band_target)
    regions = region_ids()
    figure = Figure(figsize=(8.4, 4.0), dpi=100)
    # Fixed margins rather than a layout engine: constrained layout draws the figure twice.
    figure.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.2)
    ax = figure.add_subplot()
    ax.axhspan(band.from_mm, band.to_mm, color=WARNING_COLOR, alpha=0.18, hatch="xx", linewidth=0)
    ax.text(-0.4, (band.from_mm + band.to_mm) / 2,
            f"chart: '{band.as_written}' [{chart_source}]", ha="left", va="center", fontsize=9, color=WARNING_COLOR)
    width = 0.38
    for offset, sex, colour in ((-width / 2, "female", FEMALE_COLOR), (width / 2, "male", MALE_COLOR)):
        profiles = [skin_profile(region, sex) for region in regions]
        xs = [index + offset for index in range(len(regions))]
        depths = [profile.skin_thickness_mm for profile in profiles]
        bars = ax.bar(xs, depths, width=width, color=colour, edgecolor="black", linewidth=0.5, label=sex)
        for bar, profile in zip(bars, profiles):
            if profile.band("reticular_dermis").assumed:
                bar.set_hatch("//")
                bar.set_alpha(0.55)
    ax.set_xticks(range(len(regions)), [skin_profile(r).region_name.split(" (")[0] for r in regions],
                  rotation=30, ha="right")
    ax.set_ylim(band.to_mm + 0.3, 0)
    ax.set_ylabel("depth below the surface (mm)")
    ax.set_title("Where the dermis ends (epidermis + dermis, ultrasound [Meng22]) vs a technique chart",
                 fontsize=10, loc="left")
    handles = [Patch(color=FEMALE_COLOR, label="female"), Patch(color=MALE_COLOR, label="male"),
               Patch(facecolor="white", edgecolor="black", hatch="//", label="assumed: no regional data")]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    return figure
