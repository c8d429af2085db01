"""Cocktail builder: goal, weight and allergy; ingredient volumes -> a verdict per ingredient and the lidocaine gauge.

:func:`~mesolab.readings.cocktails.read_cocktail` computes everything the builder shows in words (unit-tested
without a browser); the widget wires the controls to it and to :func:`~mesolab.plots.cocktails.lidocaine_gauge`
(an HTML bar).
"""
from __future__ import annotations

import html
from typing import Mapping, Sequence

import ipywidgets as w

from ..cocktails import ingredient, ingredient_ids
from ..plots.cocktails import lidocaine_gauge
from ..readings.cocktails import CocktailReading, allergy_names, goal_choices, read_cocktail
from .parts import html_output

#: Allergies offered as check boxes (the allergen classes of the knowledge base); others are typed in.
ALLERGY_BOXES = {"amide_anaesthetics": "amide anaesthetics (lidocaine, articaine…)",
                 "ester_anaesthetics": "ester anaesthetics (procaine, benzocaine…)",
                 "gram_positive_bacterial_proteins": "gram-positive bacterial proteins"}
VOLUME_STEP_ML = 0.5
VOLUME_MAX_ML = 10.0
PERCENTS = (1.0, 2.0)


class CocktailBuilder(w.VBox):
    """Choose goal, weight and allergies; give each ingredient a volume; the verdicts and the gauge follow.

    Every control is a standard ipywidget reachable with Tab. Sliders move with the arrow keys and Home/End;
    dropdowns change with Home/End or a first letter (ArrowUp/ArrowDown belong to the notebook in JupyterLab:
    ipywidgets issue 3912); check boxes toggle with Space; other allergies are typed, comma-separated.
    """

    def __init__(self, goal: str = "atrophic_scars", weight_kg: float = 60.0, allergies: Sequence[str] = (),
                 volumes_ml: Mapping[str, float] | None = None, lidocaine_percent: float = 1.0,
                 with_epinephrine: bool = False) -> None:
        allergies = (allergies,) if isinstance(allergies, str) else tuple(allergies)
        read_cocktail(goal, volumes_ml, allergies, weight_kg, lidocaine_percent, with_epinephrine)  # fail early
        start = {ingredient(name).id: volume for name, volume in (volumes_ml or {}).items()}
        style = {"description_width": "300px"}  # the longest ingredient name fits
        wide = w.Layout(width="640px", max_width="100%")
        self.goal = w.Dropdown(options=goal_choices(), value=goal, description="Goal",
                               style=style, layout=wide)
        self.weight = w.IntSlider(value=int(weight_kg), min=30, max=150, step=1,
                                  description="Weight (kg)", style=style, layout=wide)
        self.allergy_boxes = {key: w.Checkbox(value=key in allergies, description=f"Allergy: {label}", indent=False,
                                              layout=w.Layout(width="360px"))
                              for key, label in ALLERGY_BOXES.items()}
        for key, box in self.allergy_boxes.items():
            box.add_class(f"mesolab-allergy-{key.replace('_', '-')}")
        self.other_allergies = w.Text(value=", ".join(a for a in allergies if a not in ALLERGY_BOXES),
                                      placeholder="e.g. hyaluronic acid, latex", description="Other allergies",
                                      style=style, layout=wide, continuous_update=False)
        self.percent = w.Dropdown(options=[(f"{p:g} % ({p * 10:g} mg/mL)", p) for p in PERCENTS],
                                  value=lidocaine_percent, description="Lidocaine strength", style=style, layout=wide)
        self.epinephrine = w.Checkbox(value=with_epinephrine, description="Lidocaine with epinephrine", indent=False)
        self.face = w.Checkbox(value=True, description="Injected on the face or neck", indent=False)
        self.volumes: dict[str, w.FloatSlider] = {}
        for ingredient_id in ingredient_ids():
            slider = w.FloatSlider(value=start.get(ingredient_id, 0.0), min=0.0, max=VOLUME_MAX_ML,
                                   step=VOLUME_STEP_ML, description=f"{ingredient(ingredient_id).name} (mL)",
                                   readout_format=".1f", style=style, layout=wide)
            slider.add_class(f"mesolab-volume-{ingredient_id.replace('_', '-')}")
            self.volumes[ingredient_id] = slider
        for control, css in ((self.goal, "mesolab-goal"), (self.weight, "mesolab-weight"),
                             (self.other_allergies, "mesolab-other-allergies"), (self.percent, "mesolab-percent"),
                             (self.epinephrine, "mesolab-epinephrine"), (self.face, "mesolab-face")):
            control.add_class(css)
        self.gauge = w.HTML(layout=w.Layout(width="720px", max_width="100%"))
        self.gauge.add_class("mesolab-cocktail-figure")
        self.verdicts = html_output("mesolab-cocktail-verdicts")
        self.readout = html_output("mesolab-cocktail-readout")
        patient = w.VBox([self.goal, self.weight, w.HBox(list(self.allergy_boxes.values()),
                                                         layout=w.Layout(flex_flow="row wrap")),
                          self.other_allergies])
        anaesthetic = w.HBox([self.percent, w.VBox([self.epinephrine, self.face])],
                             layout=w.Layout(flex_flow="row wrap"))
        super().__init__([patient, anaesthetic, w.VBox(list(self.volumes.values())),
                          self.gauge, self.readout, self.verdicts])
        self.add_class("mesolab-cocktail-builder")
        for control in (self.goal, self.weight, *self.allergy_boxes.values(), self.other_allergies, self.percent,
                        self.epinephrine, self.face, *self.volumes.values()):
            control.observe(self._on_change, names="value")
        self._on_change()

    def reading(self) -> CocktailReading:
        boxes = [key for key, box in self.allergy_boxes.items() if box.value]
        return read_cocktail(self.goal.value, {k: s.value for k, s in self.volumes.items()},
                             allergy_names(boxes, self.other_allergies.value), self.weight.value, self.percent.value,
                             self.epinephrine.value, self.face.value)

    def _on_change(self, _change: object = None) -> None:
        try:
            reading = self.reading()
        except ValueError as error:  # e.g. an allergy typed as something that is not a name
            self.readout.value = f'<div role="status" aria-live="polite"><p><b>{html.escape(str(error))}</b></p></div>'
            return
        limit = reading.limit
        self.gauge.value = lidocaine_gauge(
            reading.lidocaine_mg, limit.ceiling_mg,
            f"Lidocaine {reading.lidocaine_mg:g} mg of {limit.ceiling_mg:g} mg ceiling"
            + (" — lower limit advised (no figure in the sources)" if limit.lower_limit_advised else ""))
        items = "".join(f"<li>{html.escape(line)}</li>" for line in reading.lines)
        self.verdicts.value = f'<ul role="list">{items}</ul>'
        over = reading.lidocaine_mg > limit.ceiling_mg + 1e-9
        colour = "#994455" if over or (reading.check and reading.check.blocked) else "#117733"
        # The readout changes last: a browser test that sees the new text knows the figure is there too.
        self.readout.value = (f'<div role="status" aria-live="polite"><p style="color:{colour}"><b>'
                              f'{html.escape(reading.summary)}</b></p></div>')
