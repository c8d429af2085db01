"""Technique simulator: technique, region, needle angle and length, treatment area -> where the deposit lands.

:func:`~mesolab.readings.techniques.read_technique` computes everything the view shows in words (unit-tested
without a browser); the widget wires controls to it and to the module 01
:class:`~mesolab.plots.skin.CrossSectionFigure`, which here also outlines the technique's target layer and
marks the deposit.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..plots import KeptFirstFrames
from ..readings.skin import short_layer_name
from ..readings.techniques import TechniqueReading, read_technique
from ..techniques import target_band_mm, technique, technique_ids
from .skin import ANGLE_RANGE_DEG, LENGTH_RANGE_MM, region_and_sex
from .parts import figure_description, figure_image, html_output

#: Treatment-area controls. Spacings in the sources run from 2 mm (nappage) to 3 cm (SIM20, pain medicine);
#: volumes per point from 0.01 to 0.2 mL (techniques.yaml).
AREA_RANGE_CM2 = (1.0, 100.0, 1.0)
SPACING_RANGE_MM = (2.0, 30.0, 1.0)
VOLUME_RANGE_ML = (0.01, 0.2, 0.01)


class TechniqueSimulator(w.VBox):
    """Pick a technique and a region, move the needle and set the area: figure, verdict and dose follow.

    Every control is a standard ipywidget reachable with Tab; sliders move with the arrow keys and
    Home/End; dropdowns change with Home/End or a first letter (ArrowUp/ArrowDown belong to the notebook
    in JupyterLab: ipywidgets issue 3912).
    """

    def __init__(self, technique_name: str = "papule", region: str = "cheek", sex: str = "female",
                 inserted_length_mm: float = 2.0, angle_deg: float = 30, area_cm2: float = 10.0,
                 spacing_mm: float = 10.0, volume_per_point_ml: float = 0.01) -> None:
        read_technique(technique_name, region, sex, inserted_length_mm, angle_deg, area_cm2, spacing_mm,
                       volume_per_point_ml)  # fail early, with the domain's message
        style = {"description_width": "170px"}
        wide = w.Layout(width="580px", max_width="100%")
        self.technique = w.Dropdown(options=[(technique(t).name, t) for t in technique_ids()],
                                    value=technique(technique_name).id, description="Technique", style=style,
                                    layout=w.Layout(width="420px", max_width="100%"))
        self.region, self.sex = region_and_sex(region, sex, style, "420px")
        low, high, step = ANGLE_RANGE_DEG
        self.angle = w.IntSlider(value=int(angle_deg), min=low, max=high, step=step, description="Angle to skin (°)",
                                 style=style, layout=wide)
        low, high, step = LENGTH_RANGE_MM
        self.length = w.FloatSlider(value=inserted_length_mm, min=low, max=high, step=step,
                                    description="Inserted length (mm)", readout_format=".1f", style=style, layout=wide)
        low, high, step = AREA_RANGE_CM2
        self.area = w.FloatSlider(value=area_cm2, min=low, max=high, step=step, description="Treatment area (cm²)",
                                  readout_format=".0f", style=style, layout=wide)
        low, high, step = SPACING_RANGE_MM
        self.spacing = w.FloatSlider(value=spacing_mm, min=low, max=high, step=step, description="Spacing (mm)",
                                     readout_format=".0f", style=style, layout=wide)
        low, high, step = VOLUME_RANGE_ML
        self.volume = w.FloatSlider(value=volume_per_point_ml, min=low, max=high, step=step,
                                    description="Volume per point (mL)", readout_format=".2f", style=style,
                                    layout=wide)
        for control, css in ((self.technique, "mesolab-technique"), (self.region, "mesolab-region"),
                             (self.angle, "mesolab-needle-angle"), (self.length, "mesolab-needle-length"),
                             (self.area, "mesolab-area"), (self.spacing, "mesolab-spacing"),
                             (self.volume, "mesolab-volume")):
            control.add_class(css)
        self.image = figure_image("mesolab-technique-figure", "720px")
        self.conflicts = html_output("mesolab-technique-conflicts")
        self.readout = html_output("mesolab-technique-readout")
        self.screen_reader_text = html_output("mesolab-figure-description")
        self._figure = KeptFirstFrames("skin.CrossSectionFigure")
        super().__init__([self.technique, self.region, self.sex, self.length, self.angle, self.image, self.readout,
                          self.conflicts, self.area, self.spacing, self.volume, self.screen_reader_text])
        for control in (self.technique, self.region, self.sex, self.angle, self.length, self.area, self.spacing,
                        self.volume):
            control.observe(self._on_change, names="value")
        self._on_change()

    def reading(self) -> TechniqueReading:
        return read_technique(self.technique.value, self.region.value, self.sex.value, self.length.value,
                              self.angle.value, self.area.value, self.spacing.value, self.volume.value)

    def _on_change(self, _change: object = None) -> None:
        reading = self.reading()
        check = reading.check
        mark = {True: "in the target", False: "OUTSIDE the target", None: "target: cannot tell"}[check.in_target]
        layer = short_layer_name(check.layer.name)
        profile = reading.profile
        self._figure.update(profile, check.inserted_length_mm, check.angle_deg, check.depth_mm, check.layer.name,
                            deposit=True, target_mm=target_band_mm(check.technique.id, profile.region_id, profile.sex),
                            target_label=f"target: {check.technique.name.lower()}",
                            tip_text="\n".join((f"Deposit ●: {check.depth_mm:.2f} mm deep", layer, mark,
                                                reading.dose_short)))
        self.image.value = self._figure.png()
        self.image.tooltip = reading.description  # the <img>'s text alternative (its title)
        self.screen_reader_text.value = figure_description(reading.description)
        items = "".join(f"<li>{html.escape(text)}</li>" for text in reading.conflicts)
        self.conflicts.value = (
            f'<div role="note"><p>{html.escape(reading.target)}</p>'
            + (f"<p><b>The sources contradict each other here:</b> their stated depth misses their stated target "
               f"on this skin.</p><ul>{items}</ul>" if items else "<p>No stated depth of this technique misses its "
               "stated target on this skin, as far as the model can tell (facial fat thickness is measured in few "
               "regions).</p>") + "</div>")
        # The readout changes last: a browser test that sees the new text knows the figure is there too.
        colour = "#994455" if check.in_target is False else "#117733" if check.in_target else "#555555"
        self.readout.value = (f'<div role="status" aria-live="polite"><p style="color:{colour}"><b>'
                              f'{html.escape(reading.verdict)}</b></p><p>{html.escape(reading.treatment)}</p></div>')
