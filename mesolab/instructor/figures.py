"""The item-analysis report's figures: matplotlib's Agg canvas (no pyplot), the report's own colour-blind-safe style.

Paul Tol's "vibrant" blue, orange and cyan with his "high-contrast" dark red; every category also has its own
marker or hatch, so the figures read in greyscale. The instructor tools keep their own style: a change of the
lessons' palette does not change a report.
"""
from __future__ import annotations

import io

from matplotlib.figure import Figure

from . import item_analysis as ia
from .items import Item

BLUE, ORANGE, CYAN, RED, GREY, DARK = "#0077BB", "#EE7733", "#33BBEE", "#994455", "#BBBBBB", "#222222"
FLAG_STYLE = {  # colour, marker: the shape also tells the categories apart in greyscale
    "none": (BLUE, "o"),
    "flagged": (ORANGE, "s"),
    ia.NEGATIVE: (RED, "v"),
}


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def scatter_figure(items: list[Item], stats: list[ia.ItemStats]) -> Figure:
    fig = _figure(8.0, 5.6)
    ax = fig.add_subplot()
    rs = [s.discrimination for s in stats if s.discrimination is not None]
    low = min([-0.4] + [r - 0.12 for r in rs])
    ax.set_xlim(-0.02, 1.08)
    ax.set_ylim(low, 1.1)
    ax.axhspan(low, 0, color=RED, alpha=0.10, lw=0)
    ax.axhspan(0, ia.POOR_DISCRIMINATION, color=ORANGE, alpha=0.10, lw=0)
    ax.axvspan(-0.02, ia.TOO_HARD_P, color=GREY, alpha=0.25, lw=0)
    ax.axvspan(ia.TOO_EASY_P, 1.08, color=GREY, alpha=0.25, lw=0)
    ax.axhline(0, color=RED, lw=1.2)
    ax.axhline(ia.POOR_DISCRIMINATION, color=ORANGE, lw=1.2, ls="--")
    for y in (0.30, 0.40):
        ax.axhline(y, color=GREY, lw=0.8, ls=":")
    ax.axvline(ia.TOO_HARD_P, color=DARK, lw=0.8, ls="--")
    ax.axvline(ia.TOO_EASY_P, color=DARK, lw=0.8, ls="--")
    # Ebel's bands, named in the right margin so they never cover a point or its label.
    margin = ax.get_yaxis_transform()
    bands = [(0.40, 1.05, "very good\n(≥ 0.40)", DARK), (0.30, 0.40, "good", DARK),
             (0.20, 0.30, "marginal", DARK), (0.0, 0.20, "poor", DARK), (low, 0.0, "negative:\nlook first", RED)]
    for bottom, top, name, colour in bands:
        ax.text(1.01, (bottom + top) / 2, name, transform=margin, fontsize=8, color=colour, va="center",
                ha="left", weight="bold" if colour == RED else "normal", clip_on=False)
    ax.text(0.10, 1.0, "too hard\np < 0.20", fontsize=8, ha="center", va="top", color=DARK)
    ax.text(1.015, 1.0, "too\neasy\n> 0.95", fontsize=8, ha="center", va="top", color=DARK)
    shown = set()
    for item, s in zip(items, stats):
        if s.discrimination is None or s.difficulty is None:
            continue
        kind = ia.NEGATIVE if ia.NEGATIVE in s.flags else ("flagged" if s.flags else "none")
        colour, marker = FLAG_STYLE[kind]
        name = {"none": "no flag", "flagged": "flagged", ia.NEGATIVE: "negative discrimination"}[kind]
        ax.scatter(s.difficulty, s.discrimination, s=60, color=colour, marker=marker, edgecolor=DARK, lw=0.6,
                   zorder=3, label=None if kind in shown else name)
        shown.add(kind)
    _label_points(ax, [(i.label, s.difficulty, s.discrimination) for i, s in zip(items, stats)
                       if s.discrimination is not None and s.difficulty is not None])
    missing = [i.label for i, s in zip(items, stats) if s.discrimination is None]
    ax.set_xlabel("difficulty p (mean score ÷ maximum; higher = easier)")
    ax.set_ylabel("discrimination r (item vs rest of the score)")
    ax.set_title("Items: difficulty and discrimination")
    if shown:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, fontsize=8, frameon=False)
    if missing:
        fig.text(0.01, 0.005, "not plotted (r not computable): " + ", ".join(missing), fontsize=8, ha="left",
                 va="bottom")
        fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
    return fig


def _label_points(ax, points: list[tuple[str, float, float]]) -> None:
    """Label each point; coincident points share one label, near neighbours put theirs on opposite sides."""
    groups: list[list] = []
    for label, x, y in points:
        for group in groups:
            if abs(group[1] - x) < 0.005 and abs(group[2] - y) < 0.005:
                group[0].append(label)
                break
        else:
            groups.append([[label], x, y])
    placed: list[tuple[float, float, str]] = []
    for labels, x, y in sorted(groups, key=lambda g: (-g[2], g[1])):
        near = {side for px, py, side in placed if abs(px - x) < 0.15 and abs(py - y) < 0.07}
        side = "right" if x < 0.85 else "left"
        if side in near:
            side = "left" if side == "right" else "right"
        dy = -11 if {"left", "right"} <= near else 0
        placed.append((x, y, side))
        ax.annotate(", ".join(labels), (x, y), xytext=(8 if side == "right" else -8, dy),
                    textcoords="offset points", fontsize=9, ha="left" if side == "right" else "right",
                    va="center", color=DARK, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def histogram_figure(cohort: ia.CohortStats) -> Figure:
    import numpy as np

    fig = _figure(7.0, 3.8)
    ax = fig.add_subplot()
    top = cohort.max_total
    if top <= 40 and float(top).is_integer():
        bins = np.arange(-0.5, top + 1.5, 1.0)
    else:
        bins = np.linspace(0, top if top > 0 else 1, 21)
    ax.hist(cohort.totals, bins=bins, color=BLUE, edgecolor="white")
    if cohort.mean is not None:
        ax.axvline(cohort.mean, color=ORANGE, lw=2, ls="--", label=f"mean {cohort.mean:.1f}")
        ax.legend(loc="best", fontsize=8)
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"total score (items graded for everyone, out of {top:g})")
    ax.set_ylabel("trainees")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Score distribution (n = {cohort.n})")
    return fig


def item_bars_figure(items: list[Item], stats: list[ia.ItemStats]) -> Figure:
    fig = _figure(7.5, 0.9 + 0.42 * len(items))
    ax = fig.add_subplot()
    labels = [f"{i.label} ({i.max_score:g} pt)" for i in items]
    parts = {"full marks": [], "partial": [], "zero": [], "not graded yet": []}
    for s in stats:
        n = s.n_graded + s.n_missing or 1
        full = sum(c for v, c in s.distribution.items() if v >= s.max_score - 1e-9)
        zero = sum(c for v, c in s.distribution.items() if v <= 1e-9 and s.max_score > 0)
        parts["full marks"].append(full / n)
        parts["zero"].append(zero / n)
        parts["partial"].append((s.n_graded - full - zero) / n)
        parts["not graded yet"].append(s.n_missing / n)
    style = {"full marks": (BLUE, ""), "partial": (CYAN, ".."), "zero": (ORANGE, "//"),
             "not graded yet": (GREY, "xx")}
    y = list(range(len(items)))[::-1]
    left = [0.0] * len(items)
    for name, values in parts.items():
        if not any(values) and name in ("partial", "not graded yet"):
            continue
        colour, hatch = style[name]
        ax.barh(y, values, left=left, color=colour, hatch=hatch, edgecolor="white", lw=0.5, label=name)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("share of trainees")
    ax.set_title("Scores per item")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(items) > 6 else -0.3), ncols=4, fontsize=8,
              frameon=False)
    return fig


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
