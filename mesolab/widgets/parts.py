"""Pieces every widget is built from: outputs tagged for the browser tests, the figure's text alternative, and
the readout a screen reader announces."""
from __future__ import annotations

import html

import ipywidgets as w

from .figure_image import FigureImage


def html_output(css_class: str) -> w.HTML:
    """An empty HTML output carrying ``css_class`` (how the browser tests find it)."""
    output = w.HTML()
    output.add_class(css_class)
    return output


def figure_image(css_class: str, width: str) -> FigureImage:
    """The PNG output of a widget's figure, ``width`` wide at most (narrower on a small screen); its text
    alternative (the <img>'s title) is set through ``tooltip``."""
    image = FigureImage(format="png", layout=w.Layout(width=width, max_width="100%"))
    image.add_class(css_class)
    return image


def figure_description(text: str) -> str:
    """The figure's text alternative, folded under a "Figure description" heading."""
    return (f'<details><summary>Figure description (text)</summary>'
            f'<p role="note">{html.escape(text)}</p></details>')


def status(text: str) -> str:
    """A one-line readout that screen readers announce when it changes."""
    return f'<p role="status" aria-live="polite"><b>{html.escape(text)}</b></p>'
