"""The MesoLab knowledge base: sourced clinical data, validated on load.

Each YAML file in this folder is validated against its pydantic model in :mod:`.schema`, and
every clinical value must name a source that resolves in ``bibliography.yaml``. Any problem
raises :class:`KnowledgeError` naming the file and the field.

:func:`load` reads and checks every file at once (the tests do, so an invalid file fails them); the package's own
:func:`knowledge` reads each file, with the same checks, the first time it is used, so that a lesson's kernel
validates only the files that lesson reads.
"""
from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import yaml
from pydantic import BaseModel, ValidationError

from .schema import Source, Sourced

if TYPE_CHECKING:
    from .schema import Bibliography, DepthCharts, SkinLayers
    from .schema.acne import Acne
    from .schema.capstone import Capstone
    from .schema.claims import Claims
    from .schema.cocktails import Cocktails
    from .schema.complications import Complications
    from .schema.procedure import Procedure
    from .schema.screening import Screening
    from .schema.techniques import Techniques

KNOWLEDGE_DIR = Path(__file__).resolve().parent

#: file name -> (KnowledgeBase attribute, its model as "schema module:class"): the one place that lists the
#: knowledge-base files. A model's module is imported when its file is first read.
FILES: dict[str, tuple[str, str]] = {
    "bibliography.yaml": ("bibliography", "common:Bibliography"),
    "skin_layers.yaml": ("skin", "skin:SkinLayers"),
    "depth_charts.yaml": ("depth_charts", "skin:DepthCharts"),
    "acne.yaml": ("acne", "acne:Acne"),
    "techniques.yaml": ("techniques", "techniques:Techniques"),
    "screening.yaml": ("screening", "screening:Screening"),
    "cocktails.yaml": ("cocktails", "cocktails:Cocktails"),
    "procedure.yaml": ("procedure", "procedure:Procedure"),
    "complications.yaml": ("complications", "complications:Complications"),
    "claims.yaml": ("claims", "claims:Claims"),
    "capstone.yaml": ("capstone", "capstone:Capstone"),
}
_FILE_OF = {attribute: name for name, (attribute, _model) in FILES.items()}


def model(file_name: str) -> type[BaseModel]:
    """The pydantic model of a knowledge-base file."""
    module, name = FILES[file_name][1].split(":")
    return getattr(importlib.import_module(f"{__name__}.schema.{module}"), name)


class KnowledgeError(ValueError):
    """A knowledge-base file is missing, malformed, or cites an unknown source."""


class KnowledgeBase:
    """The files of one knowledge-base folder, one attribute per file (see :data:`FILES`), each read, validated
    and checked against the others (sources, regions, ingredients) the first time it is used."""

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

    def __init__(self, directory: Path | str = KNOWLEDGE_DIR) -> None:
        object.__setattr__(self, "_directory", Path(directory))

    def __getattr__(self, attribute: str) -> Any:  # only for a file not read yet
        if attribute not in _FILE_OF:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {attribute!r}")
        file_name = _FILE_OF[attribute]
        value = load_file(self._directory / file_name, model(file_name))
        _check_file(self, file_name, value)
        object.__setattr__(self, attribute, value)  # kept only once every check passed
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("the knowledge base is read-only")

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
    """Load and validate every knowledge-base file in ``directory``, now."""
    base = KnowledgeBase(directory)
    for attribute, _model in FILES.values():
        getattr(base, attribute)
    return base


def _check_file(base: KnowledgeBase, file_name: str, value: BaseModel) -> None:
    """What one file must agree on with the others: its sources are in the bibliography, the skin's regions exist,
    the claims' levels and ingredients match their sources and cocktails.yaml."""
    if file_name == "skin_layers.yaml":
        regions = {region.id for region in value.regions} | {"face"}
        for field in ("measurements", "assumptions"):
            for index, entry in enumerate(getattr(value, field)):
                if entry.region not in regions:
                    raise KnowledgeError(f"skin_layers.yaml: {field}[{index}].region: unknown region "
                                         f"{entry.region!r}; known: {', '.join(sorted(regions))}")
    if file_name != "bibliography.yaml":
        known = {source.id for source in base.bibliography.sources}
        for path, sourced in _walk(value, ""):
            if sourced.source not in known:
                raise KnowledgeError(
                    f"{file_name}: {path}.source: unknown source {sourced.source!r} (not in bibliography.yaml)"
                )
    if file_name == "claims.yaml":
        _check_claims(base, value)


def _check_claims(base: KnowledgeBase, claims: Any) -> None:
    """A claim's level must be the kind of its settling source, and its ingredients must exist in cocktails.yaml."""
    from .schema.claims import LEVEL_QUALITY

    ingredients = {i.id for i in base.cocktails.ingredients}
    for index, claim in enumerate(claims.claims):
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
    """The package's knowledge base, each file read once per process, when first used."""
    return KnowledgeBase(KNOWLEDGE_DIR)


def source_mark(source_id: str) -> str:
    """How a source is cited in text: '[KT13]', or '[ASPS ⚠]' for a secondary source."""
    return f"[{source_id}{' ⚠' if knowledge().source(source_id).secondary else ''}]"
