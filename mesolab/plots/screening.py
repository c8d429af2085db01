"""Figure of module 05: every screening rule placed in its action column (caution, defer, decline)."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..knowledge.schema.screening import Rule

#: Action -> colour (Paul Tol "light"/"high-contrast", colour-blind safe) and hatch, so it reads in greyscale.
ACTION_STYLE: dict[str, dict[str, str]] = {
    "caution": {"color": "#EEDD88", "hatch": ".."},
    "defer": {"color": "#77AADD", "hatch": "//"},
    "decline": {"color": "#994455", "hatch": "xx"},
}
COLUMNS = ("caution", "defer", "decline")


def draw_rules(rules: tuple[Rule, ...]) -> Figure:
    """One row per rule: a box in the column of its action, labelled with its class; disputed rules marked."""
    rows = len(rules)
    figure = Figure(figsize=(8.6, 0.32 * rows + 1.2), dpi=90, layout="constrained")
    axes = figure.add_subplot()
    for row, rule in enumerate(rules):
        y = rows - 1 - row
        column = COLUMNS.index(rule.action)
        style = ACTION_STYLE[rule.action]
        axes.add_patch(Rectangle((column + 0.05, y + 0.1), 0.9, 0.8, facecolor=style["color"], hatch=style["hatch"],
                                 edgecolor="#333333", linewidth=0.6))
        label = rule.rule_class + (" · disputed" if rule.dispute else "") + (" *" if rule.curriculum_choice else "")
        axes.text(column + 0.5, y + 0.5, label, ha="center", va="center", fontsize=7,
                  color="white" if rule.action == "decline" else "black",
                  bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6}
                  if rule.action != "decline" else None)
    axes.set_xlim(0, len(COLUMNS))
    axes.set_ylim(0, rows)
    axes.set_xticks([c + 0.5 for c in range(len(COLUMNS))], [c.upper() for c in COLUMNS], fontsize=9)
    axes.xaxis.tick_top()
    axes.set_yticks([rows - 1 - r + 0.5 for r in range(rows)], [r.finding for r in rules], fontsize=8)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_title("Screening rules by action (MesoLab's reading of labels and trials)", fontsize=10)
    figure.supxlabel("* the action is MesoLab's cautious choice: the sources give no rule or disagree "
                     "(see the rule's note)", fontsize=7.5)
    return figure
