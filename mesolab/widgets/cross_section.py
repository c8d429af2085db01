"""Former name of :mod:`mesolab.widgets.skin`, kept only for the browser tests that still import from it.

Not part of the package's interface: delete this file once tests/browser imports the readings from
``mesolab.readings`` and the widgets from ``mesolab.widgets.skin``.
"""
from .skin import read_needle  # noqa: F401
