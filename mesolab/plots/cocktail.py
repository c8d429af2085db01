"""The anaesthetic gauge of the cocktail builder: lidocaine in the syringe against the patient's ceiling."""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import NEEDLE_COLOR, TARGET_COLOR, WARNING_COLOR

_WITHIN = {"color": TARGET_COLOR, "hatch": "//"}
_OVER = {"color": WARNING_COLOR, "hatch": "xx"}


class LidocaineGauge:
    """A horizontal bar: the cocktail's lidocaine (mg) against the ceiling and the cap, with the numbers written."""

    def __init__(self, width_in: float = 7.2, height_in: float = 1.9, dpi: int = 100) -> None:
        self.figure = Figure(figsize=(width_in, height_in), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_axes((0.04, 0.36, 0.70, 0.36))
        self.ax.set_yticks([])
        self.ax.set_xlabel("lidocaine (mg)", fontsize=8)
        self.ax.tick_params(labelsize=8)
        self._bar = self.ax.barh([0], [0], height=0.6, edgecolor=NEEDLE_COLOR, linewidth=1.0)[0]
        self._ceiling = self.ax.axvline(0, color=NEEDLE_COLOR, linewidth=2.0)
        self._ceiling_label = self.ax.text(0, 0.5, "", fontsize=8, ha="right", va="bottom")
        self._title = self.figure.text(0.01, 0.96, "", fontsize=9.5, va="top", ha="left", weight="bold")
        self.ax.set_ylim(-0.5, 1.0)
        self.figure.legend(handles=[Patch(facecolor=_WITHIN["color"], hatch=_WITHIN["hatch"], edgecolor=NEEDLE_COLOR,
                                          label="within the ceiling"),
                                    Patch(facecolor=_OVER["color"], hatch=_OVER["hatch"], edgecolor=NEEDLE_COLOR,
                                          label="OVER the ceiling")],
                           loc="center left", bbox_to_anchor=(0.755, 0.5), fontsize=8, frameon=False)

    def update(self, lidocaine_mg: float, ceiling_mg: float, title: str) -> None:
        over = lidocaine_mg > ceiling_mg + 1e-9
        style = _OVER if over else _WITHIN
        self._bar.set_width(lidocaine_mg)
        self._bar.set_facecolor(style["color"])
        self._bar.set_hatch(style["hatch"])
        self._ceiling.set_xdata([ceiling_mg, ceiling_mg])
        self._ceiling_label.set_position((ceiling_mg, 0.5))
        self._ceiling_label.set_text(f"ceiling {ceiling_mg:g} mg ")
        self.ax.set_xlim(0, max(lidocaine_mg, ceiling_mg) * 1.15 or 1.0)
        self._title.set_text(title)

    def png(self) -> bytes:
        self.canvas.draw()
        from PIL import Image  # noqa: PLC0415 - matplotlib already depends on Pillow

        buffer = io.BytesIO()
        Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba()).save(
            buffer, format="png", compress_level=1)
        return buffer.getvalue()
