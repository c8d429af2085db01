"""Interactive views for the lessons. Each widget is a thin view over :mod:`mesolab` domain functions."""
import gc

from .cross_section import SkinCrossSectionExplorer
from .gags import GagsCalculator
from .technique import TechniqueSimulator

# matplotlib, numpy and ipywidgets leave ~70,000 long-lived objects behind at import. Moving them to the
# permanent generation spares every later full collection (pauses while a slider moves) and the one at
# kernel shutdown from scanning them again; they live as long as the kernel in any case.
gc.freeze()

__all__ = ["SkinCrossSectionExplorer", "GagsCalculator", "TechniqueSimulator"]
