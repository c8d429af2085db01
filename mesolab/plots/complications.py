"""Figure of module 07: the onset windows of every complication on one time line, with the presentation placed on it.

Drawn as an HTML grid (rows: complications; columns: times after treatment on a stretched scale from minutes to
years), so a screen reader reads it cell by cell and the lesson needs no matplotlib. A complication that the
findings point to is marked with its urgency; one that the findings or the time rule out is greyed and struck.
"""
from __future__ import annotations

import html

from ..complications import COMPLICATIONS, TriageResult, complication
from . import HtmlFigure

#: Times shown on the time line (hours) and their labels: stretched, since minutes and months both matter.
TIMELINE: tuple[tuple[float, str], ...] = (
    (0, "0"), (0.25, "15 min"), (1, "1 h"), (6, "6 h"), (24, "1 d"), (48, "2 d"), (72, "3 d"), (168, "1 wk"),
    (336, "2 wk"), (504, "3 wk"), (1008, "6 wk"), (2016, "12 wk"), (4380, "6 mo"), (8760, "1 yr"), (17520, "2 yr"))

#: Urgency -> colour (Paul Tol's palettes, colour-blind safe), text colour, and the word written in the cell.
URGENCY_STYLE: dict[str, dict[str, str]] = {
    "emergency": {"color": "#994455", "text": "white"},
    "urgent": {"color": "#EE8866", "text": "black"},
    "review": {"color": "#EEDD88", "text": "black"},
    "reassure": {"color": "#44BB99", "text": "black"},
}
TYPICAL_STYLE = "repeating-linear-gradient(45deg, #00000033 0 1px, transparent 1px 5px), #77AADD"
WINDOW_STYLE = "#BBCCEE"


def column_of(hours: float) -> int:
    """The time-line column nearest below ``hours``."""
    return max(i for i, (h, _) in enumerate(TIMELINE) if h <= hours)


def _cell(cid: str, hours: float) -> str:
    onset = complication(cid).onset
    if onset.typical_hours and onset.typical_hours[0] <= hours <= onset.typical_hours[1]:
        return "typical"
    if onset.window_hours and onset.window_hours[0] <= hours <= onset.window_hours[1]:
        return "window"
    if onset.window_hours is None and onset.typical_hours is None:
        return "nf"
    return ""


def onset_timeline(result: TriageResult | None = None, hours: float | None = None, caption: str = "") -> HtmlFigure:
    """Every complication's onset window on the time line; ``result`` and ``hours`` place a presentation on it."""
    marked = column_of(hours) if hours is not None else None
    head = "".join(
        f'<th scope="col" style="font-weight:{"bold" if i == marked else "normal"};padding:0 3px;font-size:80%;'
        f'{"outline:2px solid #222;" if i == marked else ""}">{html.escape(label)}</th>'
        for i, (_, label) in enumerate(TIMELINE))
    rows, said = [], []
    for cid in COMPLICATIONS:
        c = complication(cid)
        state = ("likely" if result and cid in result.likely else
                 "possible" if result is None or cid in result.candidates else "ruled out")
        urgency = _row_urgency(result, cid) if state == "likely" else ""
        cells = []
        for i, (h, label) in enumerate(TIMELINE):
            kind = _cell(cid, h)
            background = {"typical": TYPICAL_STYLE, "window": WINDOW_STYLE, "nf": "#EEEEEE", "": "white"}[kind]
            mark = "●" if i == marked else ""
            title = {"typical": "typical onset", "window": "reported onset", "nf": "onset not known (NF)",
                     "": "outside the onset window"}[kind]
            border = "2px solid #222" if i == marked else "1px solid #ddd"
            cells.append(f'<td title="{title}" style="background:{background};border:{border};min-width:22px;'
                         f'text-align:center">{mark}</td>')
        name = html.escape(c.name)
        if state == "ruled out":
            name = f'<s style="color:#777">{name}</s>'
        badge = ""
        if urgency:
            style = URGENCY_STYLE[urgency]
            badge = (f' <span style="background:{style["color"]};color:{style["text"]};padding:0 4px;'
                     f'font-weight:bold">{urgency.upper()}</span>')
        rows.append(f'<tr><th scope="row" style="text-align:right;font-weight:{"bold" if urgency else "normal"};'
                    f'padding-right:6px">{name}{badge}</th>{"".join(cells)}</tr>')
        said.append(f"{c.name}: onset {c.onset.label}" + (f", {state}" + (f" ({urgency})" if urgency else "")
                                                          if result is not None else ""))
    legend = (f'<p style="font-size:85%"><span style="background:{TYPICAL_STYLE};padding:0 8px"></span> typical onset '
              f'· <span style="background:{WINDOW_STYLE};padding:0 8px"></span> reported onset · '
              f'<span style="background:#EEEEEE;padding:0 8px"></span> no onset window found (NF) · ● the '
              f'presentation · <s>struck</s>: ruled out by the findings or the time.</p>')
    table = (f'<table class="mesolab-onset-timeline" style="border-collapse:collapse;font-size:90%">'
             f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{legend}")
    where = f"Presentation at {TIMELINE[marked][1]} after treatment. " if marked is not None else ""
    return HtmlFigure(table, f"Onset windows of the complications after mesotherapy. {where}" + "; ".join(said) + ".",
                      caption)


def _row_urgency(result: TriageResult | None, cid: str) -> str:
    if result is None:
        return ""
    levels = [r.urgency for r in result.reasons if r.kind == "pattern" and r.complication == cid and r.urgency]
    order = ("emergency", "urgent", "review", "reassure")
    return min(levels, key=order.index) if levels else ""
