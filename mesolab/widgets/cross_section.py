"""Skin cross-section explorer: region, needle length and angle -> layers to scale and the layer reached.

:func:`read_needle` holds everything the view shows in words; the widget only wires controls to it
and to :class:`~mesolab.plots.cross_section.CrossSectionFigure`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w

from ..plots.cross_section import CrossSectionFigure
from .figure_image import FigureImage
from ..skin import (MAX_NEEDLE_LENGTH_MM, SEXES, LayerBand, SkinProfile, layer_at_depth, needle_tip_depth_mm,
                    region_ids, region_name, skin_profile)

#: Slider ranges: the needles in the sources are 4, 6 and 13 mm long (techniques.yaml).
LENGTH_RANGE_MM = (0.5, 13.0, 0.5)
ANGLE_RANGE_DEG = (5, 90, 1)


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


class SkinCrossSectionExplorer(w.VBox):
    """Pick a region and move the needle: the figure and the reading follow.

    Every control is a standard ipywidget reachable with Tab. Sliders move with the arrow keys and
    Home/End; the region list opens with Space, then the arrows choose and Enter confirms (inside
    JupyterLab, ArrowUp/ArrowDown on a closed dropdown move to another cell, ipywidgets issue 3912, and
    letters typed there can trigger notebook shortcuts).
    """

    def __init__(self, region: str = "cheek", sex: str = "female", inserted_length_mm: float = 4.0,
                 angle_deg: float = 30) -> None:
        read_needle(region, sex, inserted_length_mm, angle_deg)  # fail early, with the domain's message
        style = {"description_width": "150px"}
        wide = w.Layout(width="560px", max_width="100%")
        self.region = w.Dropdown(options=[(region_name(r), r) for r in region_ids()],
                                 value=skin_profile(region, sex).region_id, description="Facial region", style=style,
                                 layout=w.Layout(width="400px", max_width="100%"))
        # Radio buttons, not toggle buttons: screen readers announce which one is checked.
        self.sex = w.RadioButtons(options=[(s.capitalize(), s) for s in SEXES], value=sex, orientation="horizontal",
                                  description="Sex (dermis data)", style=style)
        low, high, step = LENGTH_RANGE_MM
        self.length = w.FloatSlider(value=inserted_length_mm, min=low, max=min(high, MAX_NEEDLE_LENGTH_MM), step=step,
                                    description="Inserted length (mm)", readout_format=".1f", style=style,
                                    continuous_update=True, layout=wide)
        low, high, step = ANGLE_RANGE_DEG
        self.angle = w.IntSlider(value=int(angle_deg), min=low, max=high, step=step,
                                 description="Angle to skin (°)", style=style, continuous_update=True, layout=wide)
        self.length.add_class("mesolab-needle-length")
        self.angle.add_class("mesolab-needle-angle")
        self.region.add_class("mesolab-region")
        self.image = FigureImage(format="png", layout=w.Layout(width="720px", max_width="100%"))
        self.image.add_class("mesolab-cross-section-figure")
        self.readout = w.HTML()
        self.readout.add_class("mesolab-tip-readout")
        self.screen_reader_text = w.HTML()
        self.screen_reader_text.add_class("mesolab-figure-description")
        self._figure = CrossSectionFigure()
        super().__init__([self.region, self.sex, self.length, self.angle, self.image, self.readout,
                          self.screen_reader_text])
        for control in (self.region, self.sex, self.length, self.angle):
            control.observe(self._on_change, names="value")
        self._on_change()

    def reading(self) -> NeedleReading:
        return read_needle(self.region.value, self.sex.value, self.length.value, self.angle.value)

    def _on_change(self, _change: object = None) -> None:
        reading = self.reading()
        self._figure.update(reading.profile, reading.inserted_length_mm, reading.angle_deg,
                            reading.tip_depth_mm, reading.layer.name)
        self.image.value = self._figure.png()
        self.image.tooltip = reading.description  # the <img>'s text alternative (its title)
        self.screen_reader_text.value = (
            f'<details><summary>Figure description (text)</summary>'
            f'<p role="note">{html.escape(reading.description)}</p></details>')
        # The readout changes last: a browser test that sees the new text knows the figure is there too.
        self.readout.value = f'<p role="status" aria-live="polite"><b>{html.escape(reading.summary)}</b></p>'
