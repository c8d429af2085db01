"""Figures of module 06: a checked session as a strip of steps, and the published protocols on one time line.

Both are HTML grids (categories and calendar days, not quantities to plot): they read cell by cell in a screen reader,
carry a spoken summary, and need no matplotlib in the lesson.
"""
from __future__ import annotations

import html
import math

from ..procedure import STEPS, CoursePlan, ProtocolInfo, SessionCheck, plan_course
from . import HtmlFigure

#: Status -> colour (Paul Tol "light"/"high-contrast", colour-blind safe), a CSS hatch so it reads in greyscale,
#: and a word written in the cell, so colour is never the only signal.
STATUS_STYLE: dict[str, dict[str, str]] = {
    "ok": {"color": "#BBCC33", "text": "black", "word": "ok", "hatch": "none"},
    "incomplete": {"color": "#EEDD88", "text": "black", "word": "incomplete",
                   "hatch": "radial-gradient(#33333366 1px, transparent 1.5px) 0 0/6px 6px"},
    "unsafe": {"color": "#994455", "text": "white", "word": "UNSAFE",
               "hatch": "repeating-linear-gradient(45deg, #ffffff55 0 1px, transparent 1px 6px),"
                        "repeating-linear-gradient(-45deg, #ffffff55 0 1px, transparent 1px 6px)"},
    "missing": {"color": "#FFFFFF", "text": "black", "word": "not done", "hatch": "none"},
}
VISIT_STYLE: dict[str, dict[str, str]] = {
    "session": {"color": "#77AADD", "mark": "S", "text": "black"},
    "response_review": {"color": "#EE8866", "mark": "R", "text": "black"},
    "final_review": {"color": "#44BB99", "mark": "F", "text": "black"},
}


def _cell(status: str, label: str) -> str:
    style = STATUS_STYLE[status]
    background = style["color"] if style["hatch"] == "none" else f"{style['hatch']},{style['color']}"
    border = "2px dashed #333" if status == "missing" else "1px solid #333"
    return (f'<li style="background:{background};color:{style["text"]};border:{border};padding:4px 6px;'
            f'text-align:center;width:96px;font-size:85%;margin:0">{html.escape(label)}<br>'
            f'<b>{style["word"]}</b></li>')


def step_status(check: SessionCheck) -> list[tuple[str, str, str]]:
    """(position label, step name, status) for each step done, in order, then each step not done."""
    rows = []
    for done in check.steps:
        mine = [f for f in check.findings if f.step == done.step and f.position in (0, done.position)]
        status = ("unsafe" if any(f.severity == "unsafe" for f in mine)
                  else "incomplete" if mine else "ok")
        rows.append((str(done.position), STEPS[done.step].name, status))
    rows += [("", STEPS[step].name, "missing") for step in check.missing_steps]
    return rows


def session_strip(check: SessionCheck, caption: str = "") -> HtmlFigure:
    """The session as done, one cell per step (ok, incomplete, unsafe), then the steps not done (dashed)."""
    rows = step_status(check)
    cells = "".join(_cell(status, f"{position}. {name}" if position else name) for position, name, status in rows)
    # A wrapping list, not a table row: the sequence stays in reading order and never runs off a narrow page.
    markup = (f'<ol class="mesolab-session-strip" style="display:flex;flex-wrap:wrap;gap:3px;list-style:none;'
              f'padding:0;margin:4px 0">{cells}</ol>')
    summary = "; ".join(f"{position + '. ' if position else ''}{name}: {STATUS_STYLE[status]['word']}"
                        for position, name, status in rows)
    return HtmlFigure(markup, f"The session step by step. {summary}.", caption)


def protocols_chart(protocols: tuple[ProtocolInfo, ...], caption: str = "") -> HtmlFigure:
    """Each protocol's sessions (S), response review (R) and final review (F) on a shared line of weeks."""
    plans: list[CoursePlan] = [plan_course("2000-01-03", p.id if p.source else
                                           {"interval_days": p.interval_days, "sessions": p.sessions})
                               for p in protocols]
    weeks = max(math.ceil(((plan.final_review.date - plan.start).days + 1) / 7) for plan in plans)
    head = "".join(f'<th scope="col" style="font-weight:normal;font-size:80%;padding:0 2px">{w}</th>'
                   for w in range(weeks))
    body, spoken = [], []
    for p, plan in zip(protocols, plans):
        marks: dict[int, list[str]] = {}
        for visit in plan.visits:
            marks.setdefault((visit.date - plan.start).days // 7, []).append(visit.kind)
        cells = []
        for week in range(weeks):
            kinds = marks.get(week, [])
            if not kinds:
                cells.append('<td style="border:1px solid #eee"></td>')
                continue
            kind = "response_review" if "response_review" in kinds else kinds[0]
            style = VISIT_STYLE[kind]
            text = "".join(dict.fromkeys(VISIT_STYLE[k]["mark"] for k in kinds))
            cells.append(f'<td style="background:{style["color"]};color:{style["text"]};border:1px solid #333;'
                         f'text-align:center;font-weight:bold;font-size:80%">{text}</td>')
        name = f"{p.label} [{p.source}]" if p.source else p.label
        body.append(f'<tr><th scope="row" style="text-align:right;font-weight:normal;padding-right:6px;'
                    f'white-space:nowrap">{html.escape(name)}</th>{"".join(cells)}</tr>')
        spoken.append(f"{name}: sessions in weeks {', '.join(str((d - plan.start).days // 7) for d in plan.session_dates)}")
    markup = (f'<table class="mesolab-protocols-chart" style="border-collapse:collapse">'
              f'<thead><tr><th style="text-align:right;font-weight:normal">week</th>{head}</tr></thead>'
              f"<tbody>{''.join(body)}</tbody></table>"
              f'<p style="font-size:85%">S session · R response review (before that session) · F final review</p>')
    return HtmlFigure(markup, "Published protocols on a line of weeks. " + "; ".join(spoken) + ".", caption)
