"""Schema of skin_layers.yaml and depth_charts.yaml."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import MAX_LAYER_MM, Millimetres, Sourced, Strict

Sex = Literal["female", "male", "pooled"]
Method = Literal["ultrasound", "histology", "cadaver"]


class Layer(Strict):
    id: str
    name: str
    description: str


class Region(Strict):
    id: str
    name: str


class Measurement(Sourced):
    layer: Literal["stratum_corneum", "epidermis", "dermis", "hypodermis", "skin"]
    region: str  # a region id, or "face" for a range over the whole face
    sex: Sex
    method: Method
    value_mm: Millimetres | None = Field(default=None, gt=0, le=MAX_LAYER_MM)
    low_mm: Millimetres | None = Field(default=None, gt=0, le=MAX_LAYER_MM)
    high_mm: Millimetres | None = Field(default=None, gt=0, le=MAX_LAYER_MM)

    @model_validator(mode="after")
    def _value_or_range(self) -> "Measurement":
        has_range = self.low_mm is not None or self.high_mm is not None
        if (self.value_mm is None) == (not has_range):
            raise ValueError("give either value_mm or both low_mm and high_mm")
        if has_range:
            if self.low_mm is None or self.high_mm is None:
                raise ValueError("a range needs both low_mm and high_mm")
            if self.low_mm > self.high_mm:
                raise ValueError(f"low_mm {self.low_mm} is above high_mm {self.high_mm}")
        return self

    @property
    def central_mm(self) -> float:
        """The value, or the midpoint of the range."""
        if self.value_mm is not None:
            return self.value_mm
        assert self.low_mm is not None and self.high_mm is not None
        return (self.low_mm + self.high_mm) / 2

    @property
    def text(self) -> str:
        """The value as a trainee reads it, e.g. '0.86 mm' or '0.17–0.22 mm'."""
        if self.value_mm is not None:
            return f"{self.value_mm:g} mm"
        return f"{self.low_mm:g}–{self.high_mm:g} mm"


class Fraction(Sourced):
    value: float = Field(gt=0, lt=1)


class SkinLayers(Strict):
    layers: list[Layer]
    regions: list[Region]
    measurements: list[Measurement]
    papillary_fraction_of_dermis: Fraction
    assumptions: list[Measurement]


class DepthBand(Strict):
    target: str
    from_mm: Millimetres = Field(ge=0, le=MAX_LAYER_MM)
    to_mm: Millimetres = Field(gt=0, le=MAX_LAYER_MM)
    as_written: str


class DepthChart(Sourced):
    id: str
    name: str
    bands: list[DepthBand]


class DepthCharts(Strict):
    charts: list[DepthChart]
