"""GAGS calculator: choose the worst lesion in each area -> score, band (with source) and a coloured figure.

:func:`~mesolab.readings.acne.read_gags` holds everything the calculator shows in words; the widget only wires
six dropdowns to it and to :class:`~mesolab.plots.acne.GagsFigure`.
"""
from __future__ import annotations

from typing import Mapping

import ipywidgets as w

from ..acne import gags_lesions, gags_regions, lesion_grade, lesion_name, region_factor, region_name
from ..plots import KeptFirstFrames
from ..readings.acne import GagsReading, read_gags
from .parts import figure_description, figure_image, html_output, status


def _option_label(lesion: str) -> str:
    name = lesion_name(lesion).replace("No lesions", "None")
    return f"{name} or cyst ({lesion_grade(lesion)})" if lesion == "nodule" else f"{name} ({lesion_grade(lesion)})"


class GagsCalculator(w.VBox):
    """One dropdown per GAGS area: the score, band and figure follow.

    Every dropdown is reachable with Tab. Space (or Alt+ArrowDown) opens its list, the arrows move in it
    and Enter chooses; Home/End jump to none/nodule. On a closed dropdown inside JupyterLab, ArrowUp and
    ArrowDown move to another cell and most letters (e.g. c = copy cell) are notebook shortcuts
    (ipywidgets issue 3912); p and n reach the dropdown.
    """

    def __init__(self, worst_lesions: Mapping[str, str] | None = None) -> None:
        start = dict(worst_lesions) if worst_lesions is not None else {region: "none" for region in gags_regions()}
        reading = read_gags(start)  # fail early, with the domain's message
        style = {"description_width": "190px"}
        options = [(_option_label(lesion), lesion) for lesion in gags_lesions()]
        self.areas: dict[str, w.Dropdown] = {}
        for region in gags_regions():
            dropdown = w.Dropdown(options=options, value=reading.result.worst[region],
                                  description=f"{region_name(region)} (×{region_factor(region)})", style=style,
                                  layout=w.Layout(width="380px", max_width="100%"))
            dropdown.add_class(f"mesolab-gags-{region.replace('_', '-')}")
            self.areas[region] = dropdown
        self.image = figure_image("mesolab-gags-figure", "760px")
        self.readout = html_output("mesolab-gags-readout")
        self.screen_reader_text = html_output("mesolab-figure-description")
        self._figure = KeptFirstFrames("acne.GagsFigure")
        controls = w.GridBox(list(self.areas.values()),
                             layout=w.Layout(grid_template_columns="repeat(2, 390px)", max_width="100%"))
        super().__init__([controls, self.image, self.readout, self.screen_reader_text])
        self.add_class("mesolab-gags-calculator")
        for dropdown in self.areas.values():
            dropdown.observe(self._on_change, names="value")
        self._on_change()

    def worst_lesions(self) -> dict[str, str]:
        return {region: dropdown.value for region, dropdown in self.areas.items()}

    def reading(self) -> GagsReading:
        return read_gags(self.worst_lesions())

    def _on_change(self, _change: object = None) -> None:
        reading = self.reading()
        self._figure.update(reading.result)
        self.image.value = self._figure.png()
        self.image.tooltip = reading.description  # the <img>'s text alternative (its title)
        self.screen_reader_text.value = figure_description(reading.description)
        # The readout changes last: a browser test that sees the new text knows the figure is there too.
        self.readout.value = status(reading.summary)
