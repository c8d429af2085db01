"""An ipywidgets ``Image`` that can carry a text alternative: the ``<img>``'s title, set from ``tooltip``.

ipywidgets 8.1's front end sets a widget's title from ``tooltip`` only when the model's ``description`` is empty,
and reads that description on every widget: ``Image`` has none, so a tooltip on a plain ``Image`` breaks its
view ("Could not create a view"). An empty, synced description makes the tooltip work.
"""
from __future__ import annotations

import ipywidgets as w
from traitlets import Unicode


class FigureImage(w.Image):
    description = Unicode("").tag(sync=True)
