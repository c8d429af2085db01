"""Figures of MesoLab: matplotlib or HTML drawings over the domain functions (no clinical data here)."""
from __future__ import annotations

import base64
import html
import importlib
import io
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # a view of a figure needs no matplotlib import of its own
    from matplotlib.figure import Figure


class FigureView:
    """A figure as a notebook shows it: PNG with a text alternative and a caption.

    Works without pyplot (no inline backend needed) and gives screen readers the ``alt`` text.
    """

    def __init__(self, figure: Figure, alt: str, caption: str = "") -> None:
        self._figure, self.alt, self.caption = figure, alt, caption
        self._draw: Callable[[], Figure] | None = None
        self._kept: tuple[str, tuple] | None = None

    @classmethod
    def drawn_ahead(cls, drawing: str, inputs: tuple, alt: str, caption: str = "") -> FigureView:
        """A fixed figure whose PNG may be kept (:mod:`.prerendered`). ``drawing`` names a function of this package
        ("skin.draw_cross_section": mesolab.plots.skin), called with ``inputs`` only when the PNG is not kept or
        :attr:`figure` is asked for, so that a kept figure imports no matplotlib. ``inputs`` must be everything
        the drawing depends on besides the knowledge base and the package's code."""
        module, function = drawing.rsplit(".", 1)

        def draw() -> Figure:
            return getattr(importlib.import_module(f"{__name__}.{module}"), function)(*inputs)

        view = cls(None, alt, caption)  # type: ignore[arg-type]
        view._draw, view._kept = draw, (drawing, inputs)
        return view

    @property
    def figure(self) -> Figure:
        if self._figure is None and self._draw is not None:
            self._figure = self._draw()
        return self._figure

    def png(self) -> bytes:
        if self._kept is not None:
            from . import prerendered

            return prerendered.png(*self._kept, self._render)
        return self._render()

    def _render(self) -> bytes:
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


class KeptFirstFrames:
    """A widget's figure (``drawing`` names its class, e.g. "skin.CrossSectionFigure"), made only when needed.

    Until then every frame whose PNG is kept (:mod:`.prerendered`: a widget's first frame in a lesson) comes from
    that file, so a lesson that shows a widget imports no matplotlib until its controls move. Once made, the
    figure draws every frame; any of its attributes is the made figure's.
    """

    def __init__(self, drawing: str) -> None:
        self._drawing = drawing
        self._made = None
        self._frame: tuple[tuple, dict] = ((), {})

    def update(self, *inputs: object, **options: object) -> None:
        self._frame = (inputs, options)
        if self._made is not None:
            self._made.update(*inputs, **options)

    def png(self) -> bytes:
        if self._made is not None:
            return self._made.png()
        from . import prerendered

        inputs, options = self._frame
        return prerendered.png(self._drawing, (inputs, sorted(options.items())), lambda: self.made().png())

    def made(self):
        """The figure itself (made now if need be, showing the last frame)."""
        if self._made is None:
            module, name = self._drawing.rsplit(".", 1)
            self._made = getattr(importlib.import_module(f"{__name__}.{module}"), name)()
            inputs, options = self._frame
            if inputs:
                self._made.update(*inputs, **options)
        return self._made

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.made(), name)


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
