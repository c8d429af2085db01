"""Interactive views for the lessons. Each widget is a thin view over :mod:`mesolab` domain functions.

The widget families are imported on first use (``from mesolab.widgets import GagsCalculator`` still works), so
a lesson whose widget draws no matplotlib figure (the intake form) does not pay for importing matplotlib.
"""
from __future__ import annotations

import gc
import importlib

#: widget -> its module, named after the domain module it shows (mesolab/widgets/<slug>.py over mesolab/<slug>.py)
_FAMILIES = {"SkinCrossSectionExplorer": "skin", "GagsCalculator": "acne",
             "TechniqueSimulator": "techniques", "CocktailBuilder": "cocktails", "IntakeForm": "screening",
             "ProcedureBuilder": "procedure",
             "ComplicationTriage": "complications",
             "ClaimChecker": "claims"}

__all__ = list(_FAMILIES)


def __getattr__(name: str):
    if name not in _FAMILIES:
        raise AttributeError(f"module 'mesolab.widgets' has no attribute {name!r}")
    widget = getattr(importlib.import_module(f".{_FAMILIES[name]}", __name__), name)
    # matplotlib, numpy and ipywidgets leave ~70,000 long-lived objects behind at import. Moving them to the
    # permanent generation spares every later full collection (pauses while a slider moves) and the one at
    # kernel shutdown from scanning them again; they live as long as the kernel in any case.
    gc.freeze()
    return widget
