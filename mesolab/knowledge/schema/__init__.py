"""Pydantic schema of the knowledge-base files, one module per file family.

The models are strict (unknown fields are errors) so that a typo in a data file fails loudly instead
of silently dropping a value.
"""
from .common import Bibliography, Source, Sourced, Strict
from .skin import DepthCharts, Measurement, SkinLayers

__all__ = ["Bibliography", "DepthCharts", "Measurement", "SkinLayers", "Source", "Sourced", "Strict"]
