"""Pydantic schema of the knowledge base files.

The models are strict (unknown fields are errors) so that a typo in a data file fails loudly
instead of silently dropping a value.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Millimetres = float
Sex = Literal["female", "male", "pooled"]
Method = Literal["ultrasound", "histology", "cadaver"]
Quality = Literal["peer_reviewed", "consensus", "regulatory", "label", "textbook", "secondary"]

#: Anything thicker than this is not a facial skin layer; it catches cm/µm typed as mm.
MAX_LAYER_MM = 20.0


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9-]*$")
    citation: str = Field(min_length=10)
    quality: Quality
    secondary: bool = False  # FACTS.md's ⚠: a clinic/trainer page, or a paper read via a copy
    keywords: str = ""


class Bibliography(Strict):
    sources: list[Source]

    @model_validator(mode="after")
    def _unique_ids(self) -> "Bibliography":
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self


class Layer(Strict):
    id: str
    name: str
    description: str


class Region(Strict):
    id: str
    name: str


class Sourced(Strict):
    """A clinical value: always with a source id (checked against the bibliography on load)."""

    source: str
    note: str = ""


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
