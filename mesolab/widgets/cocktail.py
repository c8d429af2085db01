"""Former name of :mod:`mesolab.widgets.cocktails`, kept only for the browser tests that still import from it.

Not part of the package's interface: delete this file once tests/browser imports the readings from
``mesolab.readings`` and the widgets from ``mesolab.widgets.cocktails``.
"""
from .cocktails import ALLERGY_BOXES, allergy_names, read_cocktail  # noqa: F401
