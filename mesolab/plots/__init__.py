"""Figures of MesoLab: matplotlib or HTML drawings over the domain functions (no clinical data here)."""
from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a view of a figure needs no matplotlib import of its own
    from matplotlib.figure import Figure


class FigureView:
    """A figure as a notebook shows it: PNG with a text alternative and a caption.

    Works without pyplot (no inline backend needed) and gives screen readers the ``alt`` text.
    """

    def __init__(self, figure: Figure, alt: str, caption: str = "") -> None:
        self.figure, self.alt, self.caption = figure, alt, caption

    def png(self) -> bytes:
        buffer = io.BytesIO()
        # zlib level 1: several times faster than the default for a few percent more bytes.
        self.figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):  # noqa: ANN001 (IPython's signature)
        png = self.png()
        encoded = base64.b64encode(png).decode("ascii")
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        markup = (f'<figure class="mesolab-figure"><img src="data:image/png;base64,{encoded}" '
                  f'alt="{html.escape(self.alt)}" style="max-width:100%">{caption}</figure>')
        return {"text/html": markup, "image/png": png, "text/plain": f"Figure: {self.alt}"}


def blitted_png(canvas, moving: list, background):
    """PNG bytes of an Agg ``canvas``, redrawing only the ``moving`` artists over ``background``; returns the PNG
    and the background to keep. Without a background (the first call, or after the static parts changed) the
    figure is drawn once with the moving artists hidden and that image is cached: a slider move then costs a few
    artists, not the whole figure."""
    if background is None:
        shown = [artist.get_visible() for artist in moving]
        for artist in moving:
            artist.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(canvas.figure.bbox)
        for artist, visible in zip(moving, shown):
            artist.set_visible(visible)
    canvas.restore_region(background)
    for artist in moving:
        canvas.figure.draw_artist(artist)
    from PIL import Image  # matplotlib already depends on Pillow

    buffer = io.BytesIO()
    # Fast zlib level: the PNG is sent to the browser at once, size matters less than latency.
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(buffer, format="png",
                                                                                     compress_level=1)
    return buffer.getvalue(), background


class HtmlFigure:
    """A figure drawn in HTML (a coloured grid, a bar): no image to render, and a screen reader reads its cells.

    ``markup`` is the drawing; ``summary`` says in words what it shows (the figure's text alternative).
    """

    def __init__(self, markup: str, summary: str, caption: str = "") -> None:
        self.markup, self.summary, self.caption = markup, summary, caption

    def _repr_mimebundle_(self, include=None, exclude=None):  # noqa: ANN001 (IPython's signature)
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        markup = (f'<figure class="mesolab-figure mesolab-html-figure" aria-label="{html.escape(self.summary)}">'
                  f"{self.markup}{caption}</figure>")
        return {"text/html": markup, "text/plain": f"Figure: {self.summary}"}
