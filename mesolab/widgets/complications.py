"""Complication triage (module 07): place a presentation on the time line and answer the findings; the candidate
complications narrow down, with the urgency and the first action.

:func:`form_presentation` turns what the controls hold into a presentation mapping and :func:`read_triage` computes
all the text the result panel shows; the widget only wires the controls to them. Every finding starts as "unknown",
so a fresh view never reassures.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..complications import FINDINGS, PRESENTATION_FIELDS
from ..readings.complications import FINDING_OPTIONS, UNKNOWN, TriageReading, read_triage
from ..plots.complications import TIMELINE, onset_timeline

class ComplicationTriage(w.VBox):
    """A time slider over the onset time line, one unknown/no/yes list per finding, the time line and the result.

    Every control is reachable with Tab. The time slider takes ArrowLeft/ArrowRight, Home and End (Space on the
    checkbox beside it makes the time unknown); on a closed
    finding list, Home chooses "unknown", N "no" and End "yes" (ArrowUp/ArrowDown belong to JupyterLab's notebook).
    """

    def __init__(self, hours: float = 0.25) -> None:
        options = [(label, float(h)) for h, label in TIMELINE]
        if float(hours) not in {h for _, h in options}:
            raise ValueError(f"hours must be one of the time-line points {[h for _, h in options]}, got {hours!r}")
        self.time = w.SelectionSlider(options=options, value=float(hours), description="Time since treatment",
                                      style={"description_width": "150px"}, layout=w.Layout(width="620px",
                                                                                              max_width="100%"),
                                      continuous_update=True)
        self.time.add_class("mesolab-triage-time")
        self.time_unknown = w.Checkbox(value=False, description="Time since treatment not known", indent=False)
        self.time_unknown.add_class("mesolab-triage-time-unknown")
        style, layout = {"description_width": "230px"}, w.Layout(width="360px", max_width="100%")
        self.controls: dict[str, w.Dropdown] = {}
        for key in FINDINGS:
            info = PRESENTATION_FIELDS[key]
            control = w.Dropdown(options=FINDING_OPTIONS, value=UNKNOWN, description=info.label, style=style,
                                 layout=layout)
            control.tooltip = info.question
            control.add_class(f"mesolab-triage-{key.replace('_', '-')}")
            self.controls[key] = control
        self.timeline = w.HTML()
        self.timeline.add_class("mesolab-triage-timeline")
        self.screen_reader_text = w.HTML()
        self.readout = w.HTML()
        self.readout.add_class("mesolab-triage-readout")
        findings = w.GridBox(list(self.controls.values()),
                             layout=w.Layout(grid_template_columns="repeat(2, 370px)", max_width="100%"))
        super().__init__([w.HBox([self.time, self.time_unknown]), findings, self.timeline, self.screen_reader_text,
                          self.readout])
        self.add_class("mesolab-complication-triage")
        for control in [self.time, self.time_unknown, *self.controls.values()]:
            control.observe(self._on_change, names="value")
        self._on_change()

    def values(self) -> dict[str, object]:
        hours = None if self.time_unknown.value else self.time.value
        return {"hours": hours, **{key: control.value for key, control in self.controls.items()}}

    def reading(self) -> TriageReading:
        return read_triage(self.values())

    def _on_change(self, _change: object = None) -> None:
        reading = self.reading()
        figure = onset_timeline(reading.result, None if self.time_unknown.value else self.time.value)
        self.timeline.value = figure._repr_mimebundle_()["text/html"]
        self.screen_reader_text.value = (f'<details><summary>Figure description</summary>'
                                         f"<p>{html.escape(figure.summary)}</p></details>")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in reading.lines)
        self.readout.value = (f'<div role="status" aria-live="polite"><p><b>{html.escape(reading.headline)}</b></p>'
                              f"<ul>{items}</ul></div>")
