"""Models shared by every knowledge-base file: strictness, sources, the bibliography."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Millimetres = float
Quality = Literal["peer_reviewed", "consensus", "regulatory", "label", "textbook", "registry", "secondary"]

#: Anything thicker than this is not a facial skin layer; it catches cm/µm typed as mm.
MAX_LAYER_MM = 20.0


class Strict(BaseModel):
    # defer_build: validators are built when a file is first validated, not when a lesson imports the
    # schema modules (halves the import time of the knowledge base in every kernel).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9-]*$")
    citation: str = Field(min_length=10)
    quality: Quality
    secondary: bool = False  # ⚠: a clinic/trainer page, or a paper read via a copy
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


class Sourced(Strict):
    """A clinical value: always with a source id (checked against the bibliography on load)."""

    source: str
    note: str = ""
