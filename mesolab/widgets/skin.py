"""Skin cross-section explorer: region, needle length and angle -> layers to scale and the layer reached.

:func:`~mesolab.readings.skin.read_needle` holds everything the view shows in words; the widget only wires
controls to it and to :class:`~mesolab.plots.skin.CrossSectionFigure`.
"""
from __future__ import annotations

import ipywidgets as w

from ..plots import KeptFirstFrames
from ..readings.skin import NeedleReading, read_needle
from ..skin import MAX_NEEDLE_LENGTH_MM, SEXES, region_ids, region_name, skin_profile
from .parts import figure_description, figure_image, html_output, status

#: Slider ranges: the needles in the sources are 4, 6 and 13 mm long (techniques.yaml).
LENGTH_RANGE_MM = (0.5, 13.0, 0.5)
ANGLE_RANGE_DEG = (5, 90, 1)


def region_and_sex(region: str, sex: str, style: dict, width: str) -> tuple[w.Dropdown, w.RadioButtons]:
    """The facial region list and the sex whose dermis data are shown (shared by every skin-depth widget)."""
    regions = w.Dropdown(options=[(region_name(r), r) for r in region_ids()], value=skin_profile(region, sex).region_id,
                         description="Facial region", style=style, layout=w.Layout(width=width, max_width="100%"))
    # Radio buttons, not toggle buttons: screen readers announce which one is checked.
    sexes = w.RadioButtons(options=[(s.capitalize(), s) for s in SEXES], value=sex, orientation="horizontal",
                           description="Sex (dermis data)", style=style)
    return regions, sexes


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
        self.region, self.sex = region_and_sex(region, sex, style, "400px")
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
        self.image = figure_image("mesolab-cross-section-figure", "720px")
        self.readout = html_output("mesolab-tip-readout")
        self.screen_reader_text = html_output("mesolab-figure-description")
        self._figure = KeptFirstFrames("skin.CrossSectionFigure")
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
        self.screen_reader_text.value = figure_description(reading.description)
        # The readout changes last: a browser test that sees the new text knows the figure is there too.
        self.readout.value = status(reading.summary)
