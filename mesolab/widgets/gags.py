"""Former name of :mod:`mesolab.widgets.acne`, kept only for the browser tests that still import from it.

Not part of the package's interface: delete this file once tests/browser imports the readings from
``mesolab.readings`` and the widgets from ``mesolab.widgets.acne``.
"""
from .acne import _option_label, read_gags  # noqa: F401
