"""Figures of lesson 02: the GAGS areas on a schematic face and trunk, and acne scar profiles.

:class:`GagsFigure` draws the outlines once, caches them, and on each update redraws only the six
coloured areas and their labels (blitting), so a calculator update costs a few milliseconds on Agg.
The figure shows what :func:`mesolab.acne.gags_assess` computed; it holds no clinical data.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, Patch, Polygon

from ..acne import GagsResult, lesion_grade, lesion_name, region_factor
from . import blitted_png
from .style import GAGS_GRADE_STYLE, NEEDLE_COLOR, VERTICAL_EXAGGERATION

_OUTLINE = "#444444"
#: Face axes: x 0..10, y 0..12 (schematic, not to scale). The patient faces us: their right cheek is on our left.
_FACE_AREAS = {
    "forehead": ("ellipse", (5.0, 9.7), 5.8, 2.3),
    "right_cheek": ("ellipse", (2.75, 5.4), 2.5, 3.0),
    "left_cheek": ("ellipse", (7.25, 5.4), 2.5, 3.0),
    "nose": ("polygon", [(5.0, 7.9), (4.2, 4.7), (5.8, 4.7)]),
    "chin": ("ellipse", (5.0, 1.75), 3.0, 1.5),
}
_LABEL_AT = {"forehead": (5.0, 9.7), "right_cheek": (2.75, 5.4), "left_cheek": (7.25, 5.4), "nose": (5.0, 5.6),
             "chin": (5.0, 1.75)}
#: Trunk axes: x 0..10, y 0..12: chest (front view) on the left, upper back on the right.
_TRUNK = [(0.5, 1.2), (0.4, 7.2), (0.0, 9.0), (1.3, 9.8), (1.75, 9.8), (2.2, 9.2), (2.65, 9.8), (3.1, 9.8),
          (4.4, 9.0), (4.0, 7.2), (3.9, 1.2)]


def _label(region: str, lesion: str) -> str:
    factor, grade = region_factor(region), lesion_grade(lesion)
    return f"{lesion_name(lesion).replace('No lesions', 'none').lower()}\n{factor}×{grade} = {factor * grade}"


class GagsFigure:
    """A reusable figure: call :meth:`update` with a :class:`~mesolab.acne.GagsResult`, then :meth:`png`."""

    def __init__(self, width_in: float = 7.6, height_in: float = 3.7, dpi: int = 100) -> None:
        self.figure = Figure(figsize=(width_in, height_in), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        face_ax = self.figure.add_axes((0.0, 0.02, 0.42, 0.86))
        trunk_ax = self.figure.add_axes((0.40, 0.02, 0.36, 0.86))
        for ax in (face_ax, trunk_ax):
            ax.set_xlim(0, 10)
            ax.set_ylim(0, 12)
            ax.set_aspect("equal", adjustable="box")
            ax.set_axis_off()
        # Static outlines (drawn once into the cached background).
        face_ax.add_patch(Ellipse((5.0, 6.0), 8.6, 11.6, facecolor="none", edgecolor=_OUTLINE, linewidth=1.2))
        for x in (3.4, 6.6):
            face_ax.add_patch(Ellipse((x, 7.55), 1.1, 0.5, facecolor="white", edgecolor=_OUTLINE, linewidth=0.8))
        face_ax.plot([4.1, 5.0, 5.9], [3.35, 3.05, 3.35], color=_OUTLINE, linewidth=1.0)
        face_ax.text(0.1, 11.6, "face (patient facing you)", fontsize=8, color=_OUTLINE, va="top")
        trunk_ax.text(2.6, 11.0, "chest", fontsize=8, color=_OUTLINE, va="top", ha="center")
        trunk_ax.text(7.5, 11.0, "upper back", fontsize=8, color=_OUTLINE, va="top", ha="center")
        self._areas: dict[str, list] = {}
        for region, spec in _FACE_AREAS.items():
            patch = (Ellipse(spec[1], spec[2], spec[3]) if spec[0] == "ellipse" else Polygon(spec[1], closed=True))
            patch.set(edgecolor=NEEDLE_COLOR, linewidth=1.0)
            face_ax.add_patch(patch)
            self._areas[region] = [patch]
        chest = Polygon([(x + 0.4, y) for x, y in _TRUNK], closed=True)
        back = Polygon([(x + 5.3, y) for x, y in _TRUNK], closed=True)
        for patch in (chest, back):
            patch.set(edgecolor=NEEDLE_COLOR, linewidth=1.0)
            trunk_ax.add_patch(patch)
        self._areas["chest_upper_back"] = [chest, back]
        box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
        self._labels = {region: face_ax.text(*_LABEL_AT[region], "", fontsize=7, ha="center", va="center", bbox=box)
                        for region in _FACE_AREAS}
        self._labels["chest_upper_back"] = trunk_ax.text(5.0, 0.4, "", fontsize=7, ha="center", va="center", bbox=box)
        self._names = [face_ax.text(2.75, 3.55, "right\ncheek", fontsize=6.5, ha="center", va="top", color=_OUTLINE),
                       face_ax.text(7.25, 3.55, "left\ncheek", fontsize=6.5, ha="center", va="top", color=_OUTLINE)]
        self._score = self.figure.text(0.01, 0.97, "", fontsize=10, va="top", ha="left", weight="bold")
        handles = [Patch(facecolor=style["color"], hatch=style["hatch"], edgecolor=NEEDLE_COLOR,
                         label=f"{grade} {lesion_name(lesion).replace('No lesions', 'none').lower()}")
                   for grade, (lesion, style) in enumerate(zip(("none", "comedone", "papule", "pustule", "nodule"),
                                                               GAGS_GRADE_STYLE.values()))]
        self.figure.legend(handles=handles, loc="center left", bbox_to_anchor=(0.77, 0.5), fontsize=8, frameon=False,
                           title="worst lesion\n(grade)", title_fontsize=8, handleheight=1.6, handlelength=2.2)
        self._moving = [*(patch for patches in self._areas.values() for patch in patches), *self._labels.values(),
                        self._score]
        self._background = None

    def update(self, result: GagsResult) -> None:
        """Colour every area by its worst lesion and write factor × grade in it."""
        for region, lesion in result.worst.items():
            style = GAGS_GRADE_STYLE[lesion_grade(lesion)]
            for patch in self._areas[region]:
                patch.set_facecolor(style["color"])
                patch.set_hatch(style["hatch"])
            self._labels[region].set_text(_label(region, lesion))
        self._labels["chest_upper_back"].set_text(
            "chest + upper back (one area): " + _label("chest_upper_back", result.worst["chest_upper_back"]).replace("\n", " "))
        self._score.set_text(f"GAGS {result.score}: {result.band.name}")

    def png(self) -> bytes:
        """The current figure as PNG bytes, redrawing only the areas and labels over a cached background."""
        png, self._background = blitted_png(self.canvas, self._moving, self._background)
        return png


def draw_gags(result: GagsResult) -> Figure:
    """A finished static figure of a GAGS assessment (for lessons and saved PNGs)."""
    figure = GagsFigure()
    figure.update(result)
    return figure.figure


# --- scar profiles --------------------------------------------------------------------------------------------

def draw_scar_profiles(profiles: list[tuple[str, float, float, str]], dermis_bottom_mm: float,
                       epidermis_mm: float, title: str) -> Figure:
    """Schematic skin surface with depressed scars; widths and depths in mm, depth drawn 3 times enlarged.

    ``profiles``: (label, width_mm, depth_mm, shape) with shape "v" (tapering), "box" (vertical walls)
    or "rolling" (sloping, with tethering strands to the fat). Layer depths come from the caller.
    """
    figure = Figure(figsize=(8.4, 3.0), dpi=100)
    figure.subplots_adjust(left=0.07, right=0.99, top=0.72, bottom=0.17)
    ax = figure.add_subplot()
    gap = 2.6
    total = sum(width for _, width, _, _ in profiles) + gap * (len(profiles) + 1)
    depth_shown = max(dermis_bottom_mm + 0.6, max(depth for _, _, depth, _ in profiles) + 0.3)
    ax.axhspan(0, epidermis_mm, color="#EE8866", alpha=0.5, linewidth=0)
    ax.axhspan(epidermis_mm, dermis_bottom_mm, color="#77AADD", alpha=0.35, hatch="///", linewidth=0)
    ax.axhspan(dermis_bottom_mm, depth_shown, color="#BBCC33", alpha=0.35, hatch="oo", linewidth=0)
    x = gap
    surface_x, surface_y = [0.0], [0.0]
    for label, width, depth, shape in profiles:
        if shape == "v":
            xs, ys = [x, x + width / 2, x + width], [0, depth, 0]
        elif shape == "box":
            xs, ys = [x, x, x + width, x + width], [0, depth, depth, 0]
        else:
            xs = [x + width * t / 20 for t in range(21)]
            ys = [depth * (1 - ((t - 10) / 10) ** 2) for t in range(21)]
            for t in (0.35, 0.5, 0.65):
                ax.plot([x + width * t] * 2, [depth * 0.95, dermis_bottom_mm + 0.25], color=_OUTLINE,
                        linewidth=1.0, linestyle=":")
        ax.fill(xs + [xs[0]], ys + [0], color="white", zorder=2)
        surface_x += xs
        surface_y += ys
        ax.annotate(f"{label}\n{width:g} mm wide\n{depth:g} mm deep", (x + width / 2, 0), xytext=(0, 4),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
        x += width + gap
    surface_x.append(total)
    surface_y.append(0.0)
    ax.plot(surface_x, surface_y, color=NEEDLE_COLOR, linewidth=1.6, zorder=3)
    ax.set_xlim(0, total)
    ax.set_ylim(depth_shown, 0)
    ax.set_aspect(VERTICAL_EXAGGERATION, adjustable="box")
    ax.set_xlabel("distance along the skin (mm)")
    ax.set_ylabel("depth (mm)")
    ax.text(total - 0.1, dermis_bottom_mm + 0.05, "dermis–fat junction", ha="right", va="top", fontsize=7.5)
    ax.text(total - 0.1, epidermis_mm + 0.05, "dermis", ha="right", va="top", fontsize=7.5)
    ax.set_title(title, fontsize=9, loc="left", pad=34)
    return figure

