"""Figures of MesoLab: matplotlib drawings over the domain functions (no clinical data here)."""
