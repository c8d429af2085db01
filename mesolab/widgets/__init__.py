"""Interactive views for the lessons. Each widget is a thin view over :mod:`mesolab` domain functions."""
from .cross_section import SkinCrossSectionExplorer

__all__ = ["SkinCrossSectionExplorer"]
