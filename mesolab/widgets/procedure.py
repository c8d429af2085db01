"""Procedure builder (module 06): order and tick the steps of a session, state how each was done, and see step by
step what is wrong and why, the session strip, and the record as it would be written in the notes.

:func:`builder_session` turns what the builder holds into a session for :func:`mesolab.procedure.check_session`, and
:func:`read_builder` computes every text the panel shows; the widget only wires controls to them. The steps start
in a scrambled order, none ticked and nothing stated: the trainee puts them in order.
"""
from __future__ import annotations

import html

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle  # not exported at the top level in ipywidgets 8
from ipywidgets.widgets.widget_string import TextStyle

from ..plots.procedure import session_strip
from ..procedure import STEP_IDS, STEPS, UNKNOWN, choice_values, disclosure_items
from ..readings.procedure import NOT_STATED, BuilderReading, read_builder

#: The order the builder starts in: every step, scrambled (a fixed shuffle of the knowledge base's order).
START_ORDER: tuple[str, ...] = tuple(STEP_IDS[1::2][::-1] + STEP_IDS[::2])
def _css(text: str) -> str:
    return text.replace("_", "-")


class ProcedureBuilder(w.VBox):
    """The steps of a session as rows: tick a step to say it was done, move it with "Earlier"/"Later", and state how
    it was done with the buttons and fields that appear under it once ticked. The panel below says, step by step, what is wrong and why,
    and shows the record as it would be written in the notes.

    Every control is reachable with Tab; Space (or Enter) presses a button or ticks a box; type numbers in the fields.
    """

    def __init__(self) -> None:
        self.order: list[str] = list(START_ORDER)
        self.rows: dict[str, w.VBox] = {}
        self.ticks: dict[str, w.Checkbox] = {}
        self.controls: dict[str, dict[str, w.Widget]] = {}
        self.details: dict[str, w.VBox] = {}
        disclosures = disclosure_items()
        # One layout and style per kind of control, shared by every row (none is changed per control): each
        # is a model the kernel sends to the browser, and a builder has some 80 controls.
        tick_layout, move_layout, move_style = w.Layout(width="330px"), w.Layout(width="80px"), w.ButtonStyle()
        box_layout, tick_style = w.Layout(width="100%"), CheckboxStyle()
        choice_style = w.ToggleButtonsStyle(description_width="250px", button_width="auto")
        text_layout, text_style = w.Layout(width="480px", max_width="100%"), TextStyle(description_width="initial")
        row_layout = w.Layout(border="1px solid #ddd", padding="2px", margin="1px 0")
        plain_layout = w.Layout()
        for step in STEP_IDS:
            info = STEPS[step]
            tick = w.Checkbox(value=False, description=f"done: {info.name}", indent=False, layout=tick_layout,
                              style=tick_style)
            tick.add_class(f"mesolab-procedure-tick-{_css(step)}")
            earlier = w.Button(description="Earlier", tooltip=f"Move '{info.name}' one place earlier",
                               layout=move_layout, style=move_style)
            later = w.Button(description="Later", tooltip=f"Move '{info.name}' one place later",
                             layout=move_layout, style=move_style)
            earlier.add_class(f"mesolab-procedure-earlier-{_css(step)}")
            later.add_class(f"mesolab-procedure-later-{_css(step)}")
            earlier.on_click(lambda _b, s=step: self.move(s, -1))
            later.on_click(lambda _b, s=step: self.move(s, +1))
            controls: dict[str, w.Widget] = {}
            for key, attribute in info.attributes.items():
                css = f"mesolab-procedure-{_css(step)}-{_css(key)}"
                if attribute.kind in ("yes_no", "choice"):
                    options = ([(NOT_STATED, UNKNOWN), ("no", False), ("yes", True)] if attribute.kind == "yes_no"
                               else [(NOT_STATED, UNKNOWN)] + [(v.replace("_", " "), v) for v in
                                                                choice_values(step, key)])
                    control = w.ToggleButtons(options=options, value=UNKNOWN, description=attribute.label,
                                              tooltip=attribute.question, style=choice_style, layout=plain_layout)
                elif attribute.kind in ("seconds", "days"):
                    control = w.Text(value="", placeholder=f"not stated (a number of {attribute.kind})",
                                     description=attribute.label, style=text_style, layout=text_layout,
                                     continuous_update=True)
                else:
                    boxes = [w.Checkbox(value=False, description=disclosures[item], indent=False, layout=box_layout,
                                        style=tick_style) for item in choice_values(step, key)]
                    for item, box in zip(choice_values(step, key), boxes):
                        box.add_class(f"{css}-{_css(item)}")
                    control = w.VBox([w.HTML(f"<i>{html.escape(attribute.label)} (tick each item disclosed)</i>",
                                             layout=plain_layout), *boxes], layout=plain_layout)
                    control.boxes = dict(zip(choice_values(step, key), boxes))  # type: ignore[attr-defined]
                control.add_class(css)
                controls[key] = control
            self.ticks[step], self.controls[step] = tick, controls
            header = w.HBox([tick, earlier, later], layout=plain_layout)
            # How the step was done is asked once it is ticked: the scrambled list stays short enough to order.
            details = w.VBox(list(controls.values()), layout=w.Layout(margin="0 0 0 24px", display="none"))
            self.details[step] = details
            self.rows[step] = w.VBox([header, details], layout=row_layout)
            self.rows[step].add_class(f"mesolab-procedure-row-{_css(step)}")
        self.steps_box = w.VBox()
        self.strip = w.HTML()
        self.strip.add_class("mesolab-procedure-strip")
        self.readout = w.HTML()
        self.readout.add_class("mesolab-procedure-readout")
        self.record_view = w.HTML()
        self.record_view.add_class("mesolab-procedure-record")
        super().__init__([w.HTML("<b>The session, in the order done</b> (tick each step done; move it with "
                                 "Earlier/Later)"), self.steps_box, self.strip, self.readout, self.record_view])
        self.add_class("mesolab-procedure-builder")
        for step in STEP_IDS:
            self.ticks[step].observe(self._on_change, names="value")
            for control in self.controls[step].values():
                for part in getattr(control, "boxes", {}).values() or [control]:
                    part.observe(self._on_change, names="value")
        self._layout()
        self._on_change()

    def move(self, step: str, by: int) -> None:
        """Move ``step`` one place earlier (-1) or later (+1); at either end nothing moves."""
        index = self.order.index(step)
        target = index + by
        if 0 <= target < len(self.order):
            self.order[index], self.order[target] = self.order[target], self.order[index]
            self._layout()
            self._on_change()

    def values(self) -> dict[str, dict[str, object]]:
        values: dict[str, dict[str, object]] = {}
        for step, controls in self.controls.items():
            values[step] = {}
            for key, control in controls.items():
                boxes = getattr(control, "boxes", None)
                values[step][key] = [item for item, box in boxes.items() if box.value] if boxes else control.value
        return values

    def ticked(self) -> set[str]:
        return {step for step, tick in self.ticks.items() if tick.value}

    def reading(self) -> BuilderReading:
        return read_builder(self.order, self.ticked(), self.values())

    def _layout(self) -> None:
        self.steps_box.children = [self.rows[step] for step in self.order]

    def _on_change(self, _change: object = None) -> None:
        for step, details in self.details.items():
            details.layout.display = "flex" if self.ticks[step].value else "none"
        reading = self.reading()
        figure = session_strip(reading.check)
        self.strip.value = (f'<div role="img" aria-label="{html.escape(figure.summary)}">{figure.markup}</div>')
        items = "".join(f"<li>{html.escape(line)}</li>" for line in reading.lines)
        self.readout.value = (f'<div role="status" aria-live="polite"><p><b>{html.escape(reading.headline)}</b></p>'
                              f"<ul>{items}</ul></div>")
        record = "\n".join(reading.record) or "(nothing done yet)"
        self.record_view.value = (f"<p><b>The record, as it would be written in the notes</b></p>"
                                  f'<pre style="white-space:pre-wrap">{html.escape(record)}</pre>')
