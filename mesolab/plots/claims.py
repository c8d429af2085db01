"""Figures of module 08: the evidence level per cocktail ingredient and goal, and per leaflet claim.

Drawn with matplotlib's Agg canvas (no pyplot). Colours are Paul Tol's colour-blind-safe palettes; every level or
verdict also has its own hatch or marker shape and is written in words, so the figures read in greyscale and the
text alternative says the same.
"""
from __future__ import annotations

import textwrap

from ..claims import LEVELS, claim_evidence, goal_names, ingredient_evidence, level_name, verdict_name
from ..cocktails import EVIDENCE_NAMES, GOALS
from . import FigureView

#: Cocktail evidence level (module 04) -> fill colour (Tol "light" scheme, dark = stronger), hatch, short words.
INGREDIENT_LEVEL_STYLE: dict[str, dict[str, str]] = {
    "injected_trial": {"color": "#77AADD", "hatch": "", "short": "controlled\ninjection trial"},
    "injected_small_studies": {"color": "#99DDFF", "hatch": "..", "short": "small injection\nstudies only"},
    "other_route_only": {"color": "#EEDD88", "hatch": "//", "short": "other route or\ncondition only"},
    "none_found": {"color": "#FFFFFF", "hatch": "xx", "short": "nothing found"},
}

#: Verdict -> marker, colour (Tol "bright"), words.
VERDICT_STYLE: dict[str, dict[str, str]] = {
    "supported": {"marker": "o", "color": "#4477AA"},
    "contradicted": {"marker": "X", "color": "#EE6677"},
    "unsupported": {"marker": "s", "color": "#BBBBBB"},
    "outside": {"marker": "D", "color": "#CCBB44"},
}


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def ingredient_evidence_figure(caption: str = "") -> FigureView:
    """A grid: each active cocktail ingredient (rows) against each goal (columns), filled by its evidence level."""
    rows = ingredient_evidence()
    goals = goal_names()
    said = "; ".join(f"{row.name}: " + ", ".join(f"{goals[g].lower()} {EVIDENCE_NAMES[row.levels[g]]}"
                                                for g in GOALS) for row in rows)
    alt = (f"Grid of the evidence for each injected cocktail ingredient and each goal. {said}. Only polynucleotides "
           "for atrophic scars have a controlled injection trial.")
    return FigureView.drawn_ahead("claims.draw_ingredient_evidence", (), alt, caption)


def draw_ingredient_evidence():
    """The matplotlib figure of :func:`ingredient_evidence_figure`."""
    rows = ingredient_evidence()
    goals = goal_names()
    figure = _figure(9.4, 0.62 * len(rows) + 1.6)
    axes = figure.add_axes((0.36, 0.16, 0.6, 0.72))
    for y, row in enumerate(rows):
        for x, goal in enumerate(GOALS):
            style = INGREDIENT_LEVEL_STYLE[row.levels[goal]]
            axes.add_patch(_rectangle(x, y, style))
            axes.text(x + 0.5, y + 0.5, style["short"], ha="center", va="center", fontsize=7.5,
                      bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})
    axes.set_xlim(0, len(GOALS))
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([x + 0.5 for x in range(len(GOALS))],
                    ["\n".join(textwrap.wrap(goals[g], 18)) for g in GOALS], fontsize=9)
    axes.xaxis.tick_top()
    axes.set_yticks([y + 0.5 for y in range(len(rows))],
                    [f"{row.name}" + (f"  ({len(row.claims)} claim{'s' if len(row.claims) > 1 else ''})"
                                      if row.claims else "") for row in rows], fontsize=8.5)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    handles = [_rectangle(0, 0, style) for style in INGREDIENT_LEVEL_STYLE.values()]
    figure.legend(handles, [EVIDENCE_NAMES[level] for level in INGREDIENT_LEVEL_STYLE], loc="lower center",
                  ncol=4, fontsize=7.5, frameon=False)
    return figure


def _rectangle(x: float, y: float, style: dict[str, str]):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=style["color"], hatch=style["hatch"], edgecolor="#555555", linewidth=0.8)


def claim_evidence_figure(highlight: str | None = None, caption: str = "") -> FigureView:
    """Each claim (rows) placed at the kind of source that settles it (columns), its marker the verdict."""
    said = "; ".join(f"“{row.quote}”: {verdict_name(row.verdict).lower()}, settled by "
                     f"{level_name(row.level).lower()} [{row.settled_by}]" for row in claim_evidence())
    alt = f"Each leaflet claim at the kind of source that settles it, with its verdict. {said}."
    return FigureView.drawn_ahead("claims.draw_claim_evidence", (highlight,), alt, caption)


def draw_claim_evidence(highlight: str | None = None):
    """The matplotlib figure of :func:`claim_evidence_figure`."""
    rows = claim_evidence()
    figure = _figure(11.5, 0.3 * len(rows) + 2.0)
    axes = figure.add_axes((0.42, 0.1, 0.56, 0.76))
    for y, row in enumerate(rows):
        style = VERDICT_STYLE[row.verdict]
        x = LEVELS.index(row.level)
        axes.axhline(y, color="#EEEEEE", linewidth=0.6, zorder=0)
        size = 120 if row.id == highlight else 60
        axes.scatter([x], [y], marker=style["marker"], s=size, color=style["color"], edgecolors="#222222",
                     linewidths=1.6 if row.id == highlight else 0.6, zorder=3)
    axes.set_xlim(-0.5, len(LEVELS) - 0.5)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xticks(range(len(LEVELS)), ["\n".join(textwrap.wrap(level_name(level), 11, break_long_words=False)) for level in LEVELS],
                    fontsize=7.5)
    axes.xaxis.tick_top()
    labels = [textwrap.shorten(row.quote, 62, placeholder="…") for row in rows]
    axes.set_yticks(range(len(rows)), labels, fontsize=7.5)
    if highlight is not None:
        for label, row in zip(axes.get_yticklabels(), rows):
            if row.id == highlight:
                label.set_fontweight("bold")
    axes.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    handles = [axes.scatter([], [], marker=s["marker"], s=60, color=s["color"], edgecolors="#222222", linewidths=0.6)
               for s in VERDICT_STYLE.values()]
    figure.legend(handles, [verdict_name(v) for v in VERDICT_STYLE], loc="lower center", ncol=4, fontsize=8.5,
                  frameon=False, title="Verdict (marker shape and colour)", title_fontsize=8.5)
    return figure
