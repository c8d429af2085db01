"""The MesoLab knowledge base: sourced clinical data, validated on load.

Each YAML file in this folder is validated against its pydantic model in :mod:`.schema`, and
every clinical value must name a source that resolves in ``bibliography.yaml``. Any problem
raises :class:`KnowledgeError` naming the file and the field.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import BaseModel, ValidationError

from .schema import Bibliography, DepthCharts, SkinLayers, Source, Sourced
from .schema.acne import Acne
from .schema.techniques import Techniques
from .schema.screening import Screening
from .schema.cocktails import Cocktails
from .schema.procedure import Procedure
from .schema.complications import Complications
from .schema.claims import LEVEL_QUALITY, Claims
from .schema.capstone import Capstone

KNOWLEDGE_DIR = Path(__file__).resolve().parent

#: file name -> (KnowledgeBase attribute, model): the one place that lists the knowledge-base files.
FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "bibliography.yaml": ("bibliography", Bibliography),
    "skin_layers.yaml": ("skin", SkinLayers),
    "depth_charts.yaml": ("depth_charts", DepthCharts),
    "acne.yaml": ("acne", Acne),
    "techniques.yaml": ("techniques", Techniques),
    "screening.yaml": ("screening", Screening),
    "cocktails.yaml": ("cocktails", Cocktails),
    "procedure.yaml": ("procedure", Procedure),
    "complications.yaml": ("complications", Complications),
    "claims.yaml": ("claims", Claims),
    "capstone.yaml": ("capstone", Capstone),
}


class KnowledgeError(ValueError):
    """A knowledge-base file is missing, malformed, or cites an unknown source."""


@dataclass(frozen=True)
class KnowledgeBase:
    bibliography: Bibliography
    skin: SkinLayers
    depth_charts: DepthCharts
    acne: Acne
    techniques: Techniques
    screening: Screening
    cocktails: Cocktails
    procedure: Procedure
    complications: Complications
    claims: Claims
    capstone: Capstone

    def source(self, source_id: str) -> Source:
        for source in self.bibliography.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"unknown source id {source_id!r}")

    def sourced_values(self) -> Iterator[tuple[str, str, Sourced]]:
        """Every sourced clinical value as (file name, field path, value)."""
        for file_name, (attribute, _model) in FILES.items():
            yield from ((file_name, path, value) for path, value in _walk(getattr(self, attribute), ""))


def _walk(node: Any, path: str) -> Iterator[tuple[str, Sourced]]:
    if isinstance(node, Sourced):
        yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_file(path: Path, model: type[BaseModel]) -> Any:
    """Read one YAML file and validate it; errors name the file and the field."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as error:
        raise KnowledgeError(f"{path.name}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path.name}: not valid YAML: {error}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in error.errors())
        raise KnowledgeError(f"{path.name}: {problems}") from None


def load(directory: Path | str = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and validate every knowledge-base file in ``directory``."""
    directory = Path(directory)
    base = KnowledgeBase(**{attribute: load_file(directory / name, model) for name, (attribute, model) in FILES.items()})
    regions = {region.id for region in base.skin.regions} | {"face"}
    for field in ("measurements", "assumptions"):
        for index, entry in enumerate(getattr(base.skin, field)):
            if entry.region not in regions:
                raise KnowledgeError(f"skin_layers.yaml: {field}[{index}].region: unknown region {entry.region!r}; "
                                     f"known: {', '.join(sorted(regions))}")
    known = {source.id for source in base.bibliography.sources}
    for file_name, path, value in base.sourced_values():
        if value.source not in known:
            raise KnowledgeError(
                f"{file_name}: {path}.source: unknown source {value.source!r} (not in bibliography.yaml)"
            )
    _check_claims(base)
    return base


def _check_claims(base: KnowledgeBase) -> None:
    """A claim's level must be the kind of its settling source, and its ingredients must exist in cocktails.yaml."""
    ingredients = {i.id for i in base.cocktails.ingredients}
    for index, claim in enumerate(base.claims.claims):
        where = f"claims.yaml: claims[{index}] ({claim.id})"
        quality = base.source(claim.settled_by).quality
        if quality not in LEVEL_QUALITY[claim.level]:
            raise KnowledgeError(f"{where}.level: {claim.level!r} needs a settling source of quality "
                                 f"{' or '.join(LEVEL_QUALITY[claim.level])}; {claim.settled_by} is {quality}")
        unknown = sorted(set(claim.ingredients) - ingredients)
        if unknown:
            raise KnowledgeError(f"{where}.ingredients: unknown ingredient(s) {', '.join(unknown)} "
                                 f"(not in cocktails.yaml)")


@functools.cache
def knowledge() -> KnowledgeBase:
    """The package's knowledge base, loaded once per process."""
    return load()


def source_mark(source_id: str) -> str:
    """How a source is cited in text: '[KT13]', or '[ASPS ⚠]' for a secondary source."""
    return f"[{source_id}{' ⚠' if knowledge().source(source_id).secondary else ''}]"
