"""Intake form (module 05): answer the screening questions; the outcome and every reason with its source follow.

:func:`~mesolab.readings.screening.form_intake` turns what the form holds into an intake mapping and
:func:`~mesolab.readings.screening.read_form` computes all the text the result panel shows; the widget only wires
the controls to them. Every question starts as
"unknown", so a blank form says "defer".
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..readings.screening import FormReading, read_form
from ..screening import INTAKE_FIELDS, UNKNOWN
from .parts import html_output

#: Ingredients offered as checkboxes in the form (any other name can be typed in "other ingredients").
PLANNED_CHOICES: tuple[str, ...] = ("hyaluronic acid", "lidocaine", "procaine", "vitamin C", "niacinamide",
                                    "polynucleotides")
YES_NO_OPTIONS = (("unknown", UNKNOWN), ("no", "no"), ("yes", "yes"))
# Labels chosen so that every option has a key JupyterLab leaves to the <select>: Home, End, or a first letter
# that is not a notebook shortcut ("c" copies a cell, "y" makes it a code cell).
DIABETES_OPTIONS = (("unknown", UNKNOWN), ("none", "none"), ("well controlled", "controlled"),
                    ("uncontrolled", "uncontrolled"))


class IntakeForm(w.VBox):
    """The screening questions as dropdowns, text (number) fields and checkboxes; the result panel follows.

    Every control is reachable with Tab. On a closed dropdown, Home chooses "unknown", End the last option
    ("yes", "uncontrolled"), N "no"/"none" and W "well controlled" (ArrowUp/ArrowDown and some letters belong to
    JupyterLab's notebook). Type numbers and names into the text fields; Space ticks a checkbox.
    """

    def __init__(self) -> None:
        style = {"description_width": "230px"}
        layout = w.Layout(width="400px", max_width="100%")
        self.controls: dict[str, w.Widget] = {}
        for key, info in INTAKE_FIELDS.items():
            if info.kind == "yes_no":
                control = w.Dropdown(options=YES_NO_OPTIONS, value=UNKNOWN, description=info.label, style=style,
                                     layout=layout)
            elif info.kind == "diabetes":
                control = w.Dropdown(options=DIABETES_OPTIONS, value=UNKNOWN, description=info.label, style=style,
                                     layout=layout)
            elif info.kind == "age":
                control = w.Text(value="", placeholder="unknown (type a number)", description=info.label,
                                 style=style, layout=layout, continuous_update=True)
            elif info.kind == "months_or_never":
                control = w.Text(value="", placeholder="unknown (never, or months)", description=info.label,
                                 style=style, layout=layout, continuous_update=True)
            elif key == "allergies":
                control = w.Text(value="", placeholder="unknown (names, comma-separated)",
                                 description=info.label, style=style, layout=layout, continuous_update=True)
            else:
                continue
            control.tooltip = info.question
            control.add_class(f"mesolab-intake-{key.replace('_', '-')}")
            self.controls[key] = control
        self.no_known_allergies = w.Checkbox(value=False, description="No known allergies", indent=False)
        self.no_known_allergies.add_class("mesolab-intake-no-known-allergies")
        self.planned = {name: w.Checkbox(value=False, description=name, indent=False,
                                         layout=w.Layout(width="160px")) for name in PLANNED_CHOICES}
        for name, box in self.planned.items():
            box.add_class(f"mesolab-intake-planned-{name.lower().replace(' ', '-')}")
        self.other_ingredients = w.Text(value="", placeholder="other ingredients, comma-separated",
                                        description="Other ingredients", style=style, layout=layout)
        self.other_ingredients.add_class("mesolab-intake-other-ingredients")
        self.readout = html_output("mesolab-intake-readout")
        questions = w.GridBox(list(self.controls.values()) + [self.no_known_allergies],
                              layout=w.Layout(grid_template_columns="repeat(2, 410px)", max_width="100%"))
        planned = w.VBox([w.HTML("<b>Planned ingredients (practitioner)</b>"),
                          w.HBox(list(self.planned.values()), layout=w.Layout(flex_flow="row wrap")),
                          self.other_ingredients])
        super().__init__([questions, planned, self.readout])
        self.add_class("mesolab-intake-form")
        for control in [*self.controls.values(), self.no_known_allergies, *self.planned.values(),
                        self.other_ingredients]:
            control.observe(self._on_change, names="value")
        self._on_change()

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {key: control.value for key, control in self.controls.items()}
        values["no_known_allergies"] = self.no_known_allergies.value
        values["planned_ingredients"] = [name for name, box in self.planned.items() if box.value]
        values["other_ingredients"] = self.other_ingredients.value
        return values

    def reading(self) -> FormReading:
        return read_form(self.values())

    def _on_change(self, _change: object = None) -> None:
        reading = self.reading()
        items = "".join(f"<li>{html.escape(line)}</li>" for line in reading.lines)
        self.readout.value = (f'<div role="status" aria-live="polite"><p><b>{html.escape(reading.headline)}</b></p>'
                              f'<ul>{items}</ul></div>')
