"""Figures of module 01: a region's skin layers to scale with a needle at its angle, and the depth of the skin by
region against the depths that technique charts print.

:class:`CrossSectionFigure` draws the layers once per region and scale, caches that background
and then only redraws the needle on top (blitting), so a widget update costs a few milliseconds
on the Agg backend instead of a full redraw of text and hatches.
"""
from __future__ import annotations

import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from ..skin import SkinProfile, depth_chart_band, region_ids, skin_profile
from . import blitted_png
from .style import DEPOSIT_COLOR, FEMALE_COLOR, LAYER_STYLE, MALE_COLOR, NEEDLE_COLOR, TARGET_COLOR, WARNING_COLOR

#: Axes width / height in data units; with equal aspect, 1 mm across = 1 mm down (to scale).
_ASPECT = 2.4
#: Depths shown (mm). Few fixed scales let the drawn background be reused while the needle moves.
_DEPTH_SCALES_MM = (2.0, 3.0, 5.0, 8.0, 14.0, 26.0)


def depth_scale_mm(skin_thickness_mm: float, tip_depth_mm: float, across_mm: float) -> float:
    """The smallest preset depth that shows the whole skin, some fat, and the whole needle."""
    for scale in _DEPTH_SCALES_MM:
        if scale >= max(skin_thickness_mm + 0.8, tip_depth_mm + 0.4) and scale * _ASPECT >= across_mm + 1.0:
            return scale
    return _DEPTH_SCALES_MM[-1]


class CrossSectionFigure:
    """A reusable figure: call :meth:`update`, then :meth:`png`, or use :attr:`figure` as is.

    Optionally (technique simulator) it outlines a target depth band and marks a deposit at the tip;
    without those arguments it draws exactly what the module 01 explorer shows.
    """

    def __init__(self, width_in: float = 7.6, height_in: float = 2.7, dpi: int = 100) -> None:
        # A bare Figure (no pyplot): not registered with a GUI, never displayed twice by the inline backend.
        self.figure = Figure(figsize=(width_in, height_in), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        # With equal aspect the axes are 2.4 times wider than high: this height leaves no empty band.
        self.figure.subplots_adjust(left=0.08, right=0.64, top=0.87, bottom=0.18)
        self.ax = self.figure.add_subplot()
        self.ax.set_xlabel("distance along the skin (mm)")
        self.ax.set_ylabel("depth (mm)")
        self._bands = {layer: Rectangle((0, 0), 1, 1, facecolor=style["color"], hatch=style["hatch"],
                                        edgecolor="#555555", linewidth=0.4)
                       for layer, style in LAYER_STYLE.items() if layer != "below_hypodermis"}
        for patch in self._bands.values():
            self.ax.add_patch(patch)
        # The target band: an outline only, so the layer colours and hatches stay readable inside it.
        self._target = Rectangle((0, 0), 1, 1, fill=False, edgecolor=TARGET_COLOR, linewidth=2.2, linestyle="--",
                                 visible=False, zorder=3)
        self.ax.add_patch(self._target)
        (self._deposit,) = self.ax.plot([], [], linestyle="none", marker="o", markersize=13, color=DEPOSIT_COLOR,
                                        markeredgecolor="black", markeredgewidth=0.8, alpha=0.85)
        (self._needle,) = self.ax.plot([], [], color=NEEDLE_COLOR, linewidth=2.2, solid_capstyle="butt")
        (self._tip,) = self.ax.plot([], [], marker="o", markersize=7, color=NEEDLE_COLOR,
                                    markerfacecolor="white", markeredgewidth=2)
        # The tip's reading sits in the right-hand column under the legend, where it never covers the drawing.
        self._tip_label = self.figure.text(0.66, 0.06, "", fontsize=9, color=NEEDLE_COLOR, va="bottom",
                                           ha="left", wrap=False)
        self._moving = (self._deposit, self._needle, self._tip, self._tip_label)
        self._title = self.ax.set_title("", fontsize=10, loc="left")
        self._background_key: tuple[object, ...] | None = None
        self._background = None

    def update(self, profile: SkinProfile, inserted_length_mm: float, angle_deg: float,
               tip_depth_mm: float, tip_layer_name: str, *, target_mm: tuple[float, float | None] | None = None,
               target_label: str = "", deposit: bool = False, tip_text: str | None = None) -> None:
        """Set the figure to ``profile`` with a needle of ``inserted_length_mm`` at ``angle_deg``.

        ``target_mm`` (top, bottom; bottom None = down to the bottom of the drawing) outlines a target
        band named ``target_label`` in the legend; ``deposit`` marks a deposit at the tip; ``tip_text``
        replaces the tip reading beside the figure.
        """
        across = inserted_length_mm * math.cos(math.radians(angle_deg))
        depth_shown = depth_scale_mm(profile.skin_thickness_mm, tip_depth_mm, across)
        key = (profile, depth_shown, target_mm, target_label)
        if key != self._background_key:
            self._set_background(profile, depth_shown, target_mm, target_label)
            self._background_key, self._background = key, None
        self._needle.set_data([0, across], [0, tip_depth_mm])
        self._tip.set_data([across], [tip_depth_mm])
        self._deposit.set_data(([across], [tip_depth_mm]) if deposit else ([], []))
        layer = tip_layer_name.replace(" (", "\n(", 1)
        if tip_text is None:
            tip_text = f"Needle tip ○: {tip_depth_mm:.2f} mm deep\n{layer}"
        self._tip_label.set_text(tip_text)

    def _set_background(self, profile: SkinProfile, depth_shown: float,
                        target_mm: tuple[float, float | None] | None = None, target_label: str = "") -> None:
        width_shown = depth_shown * _ASPECT
        left = -0.5
        for layer_id, patch in self._bands.items():
            patch.set_visible(False)
        for band in profile.bands:
            bottom = depth_shown if band.bottom_mm is None else min(band.bottom_mm, depth_shown)
            patch = self._bands[band.layer_id]
            patch.set_visible(True)
            patch.set_bounds(left, band.top_mm, width_shown, max(bottom - band.top_mm, 0))
        self.ax.set_xlim(left, left + width_shown)
        self.ax.set_ylim(depth_shown, 0)  # depth grows downwards
        self.ax.set_aspect("equal", adjustable="box")
        assumed = " — dermis assumed, no regional data" if profile.band("reticular_dermis").assumed else ""
        self._title.set_text(f"{profile.region_name}, {profile.sex}: layers to scale ({profile.method}){assumed}")
        labels = [_legend_label(band.name, band.thickness_mm) for band in profile.bands]
        handles: list[object] = [self._bands[band.layer_id] for band in profile.bands]
        self._target.set_visible(target_mm is not None)
        if target_mm is not None:
            top, bottom = target_mm
            bottom = depth_shown if bottom is None else min(bottom, depth_shown)
            self._target.set_bounds(left, top, width_shown, max(bottom - top, 0))
            handles.append(self._target)
            labels.append(target_label or "target")
        self.ax.legend(handles, labels, loc="upper left",
                       bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False,
                       title="layers, top to bottom", title_fontsize=8, alignment="left")

    def png(self) -> bytes:
        """The current figure as PNG bytes, redrawing only the needle when the background is cached."""
        png, self._background = blitted_png(self.canvas, self._moving, self._background)
        return png


def _legend_label(name: str, thickness_mm: float | None) -> str:
    short = name.replace(" (subcutaneous fat)", " (fat)")
    if thickness_mm is None:
        return f"{short}: not measured here"
    return f"{short}: {thickness_mm * 1000:.0f} µm" if thickness_mm < 0.1 else f"{short}: {thickness_mm:.2f} mm"


def draw_cross_section(profile: SkinProfile, inserted_length_mm: float, angle_deg: float,
                       tip_depth_mm: float, tip_layer_name: str) -> Figure:
    """A finished static figure (for lessons and saved PNGs)."""
    figure = CrossSectionFigure()
    figure.update(profile, inserted_length_mm, angle_deg, tip_depth_mm, tip_layer_name)
    return figure.figure


def draw_deposit(profile: SkinProfile, inserted_length_mm: float, angle_deg: float, tip_depth_mm: float,
                 tip_layer_name: str, target_mm: tuple[float, float | None] | None, target_label: str,
                 tip_text: str) -> Figure:
    """A finished static figure as the technique simulator draws it: target outlined, deposit at the tip."""
    figure = CrossSectionFigure()
    figure.update(profile, inserted_length_mm, angle_deg, tip_depth_mm, tip_layer_name, deposit=True,
                  target_mm=target_mm, target_label=target_label, tip_text=tip_text)
    return figure.figure


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
