"""Figure of module 05: every screening rule placed in its action column (caution, defer, decline).

Drawn as an HTML grid: the rules are categories, not quantities, so a table with coloured cells shows them as
well as a chart, reads cell by cell in a screen reader, and needs no matplotlib in the lesson.
"""
from __future__ import annotations

import html

from ..screening import CLASS_ACTION, Rule
from . import HtmlFigure

#: Action -> colour (Paul Tol "light"/"high-contrast", colour-blind safe) and a CSS hatch, so it reads in greyscale;
#: the column and the word in the cell say the same again.
ACTION_STYLE: dict[str, dict[str, str]] = {
    "caution": {"color": "#EEDD88", "text": "black",
                "hatch": "radial-gradient(#33333366 1px, transparent 1.5px) 0 0/6px 6px"},
    "defer": {"color": "#77AADD", "text": "black",
              "hatch": "repeating-linear-gradient(45deg, #33333355 0 1px, transparent 1px 7px)"},
    "decline": {"color": "#994455", "text": "white",
                "hatch": "repeating-linear-gradient(45deg, #ffffff55 0 1px, transparent 1px 6px),"
                         "repeating-linear-gradient(-45deg, #ffffff55 0 1px, transparent 1px 6px)"},
}
COLUMNS = ("caution", "defer", "decline")
CLASS_OF = {action: rule_class for rule_class, action in CLASS_ACTION.items()}


def rules_grid(rules: tuple[Rule, ...], caption: str = "") -> HtmlFigure:
    """One row per rule, a marked cell in the column of its action (= its class); disputed rules and MesoLab's
    own choices are marked in the row's name."""
    head = "".join(f'<th scope="col" style="text-align:center;padding:2px 10px">{action.upper()}<br>'
                   f'<span style="font-weight:normal">({CLASS_OF[action]})</span></th>' for action in COLUMNS)
    body = []
    for rule in rules:
        name = rule.finding + (" (disputed)" if rule.dispute else "") + (" *" if rule.curriculum_choice else "")
        cells = []
        for action in COLUMNS:
            if action == rule.action:
                style = ACTION_STYLE[action]
                cells.append(f'<td style="background:{style["hatch"]},{style["color"]};color:{style["text"]};'
                             f'text-align:center;border:1px solid #333;padding:2px 10px;font-weight:bold">'
                             f"{action}</td>")
            else:
                cells.append('<td style="border:1px solid #ddd"></td>')
        body.append(f'<tr><th scope="row" style="text-align:right;font-weight:normal;padding-right:8px">'
                    f"{html.escape(name)}</th>{''.join(cells)}</tr>")
    table = (f'<table class="mesolab-rules-grid" style="border-collapse:collapse;font-size:90%">'
             f"<thead><tr><th scope='col'>Finding</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
             f'<p style="font-size:85%">* the action is MesoLab\'s cautious choice: the sources give no rule or '
             f"disagree (see the rule's note).</p>")
    summary = "; ".join(f"{action.upper()}: " + ", ".join(r.finding for r in rules if r.action == action)
                        for action in reversed(COLUMNS))
    return HtmlFigure(table, f"Screening rules by action. {summary}.", caption)
