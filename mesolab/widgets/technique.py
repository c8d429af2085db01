"""Former name of :mod:`mesolab.widgets.techniques`, kept only for the browser tests that still import from it.

Not part of the package's interface: delete this file once tests/browser imports the readings from
``mesolab.readings`` and the widgets from ``mesolab.widgets.techniques``.
"""
from .techniques import read_technique  # noqa: F401
