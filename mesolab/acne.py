"""Acne lesions, acne grading (GAGS, IGA) and acne scars: pure functions over the knowledge base.

Sizes are millimetres (lesion diameter, scar width and depth). Every result names its source ids.
Where the published systems leave a gap (a GAGS score of 0 or exactly 39, a lesion of exactly 5 mm,
a scar between two width ranges) the result says so and states MesoLab's resolution as its own choice.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterable, Mapping

from ._validate import one_of, real_number
from .knowledge import knowledge
from .knowledge.schema.acne import GagsBand, ScarDimensions, TreatmentAdvice

#: Lesions and scars in the sources are a few millimetres; more than this is a unit typo (cm, µm).
MAX_SIZE_MM = 30.0

_LESION_ALIASES = {
    "no_lesion": "none", "no_lesions": "none", "clear": "none", "0": "none",
    "comedones": "comedone", "open_comedone": "comedone", "closed_comedone": "comedone", "blackhead": "comedone",
    "blackheads": "comedone", "whitehead": "comedone", "whiteheads": "comedone",
    "papules": "papule", "pustules": "pustule", "nodules": "nodule",
    "cyst": "nodule", "cysts": "nodule", "suppurative_nodule": "nodule",
}
_REGION_ALIASES = {
    "chest": "chest_upper_back", "upper_back": "chest_upper_back", "back": "chest_upper_back",
    "chest_and_upper_back": "chest_upper_back", "trunk": "chest_upper_back",
    "cheek_right": "right_cheek", "cheek_left": "left_cheek",
}


# --- lesions ------------------------------------------------------------------------------------------------

def gags_regions() -> tuple[str, ...]:
    """The GAGS areas, in the published order."""
    return tuple(region.id for region in knowledge().acne.gags.regions)


def gags_lesions() -> tuple[str, ...]:
    """The GAGS lesion grades from none (0) to nodule (4)."""
    return tuple(lesion.id for lesion in knowledge().acne.gags.lesions)


def region_factor(region: str) -> int:
    """The GAGS factor of ``region`` (forehead 2, each cheek 2, nose 1, chin 1, chest + upper back 3)."""
    region_id = _region(region)
    return next(r.factor for r in knowledge().acne.gags.regions if r.id == region_id)


def region_name(region: str) -> str:
    region_id = _region(region)
    return next(r.name for r in knowledge().acne.gags.regions if r.id == region_id)


def lesion_grade(lesion: str) -> int:
    """The GAGS grade of a lesion: none 0, comedone 1, papule 2, pustule 3, nodule (or cyst) 4."""
    lesion_id = _lesion(lesion)
    return next(entry.grade for entry in knowledge().acne.gags.lesions if entry.id == lesion_id)


def lesion_name(lesion: str) -> str:
    lesion_id = _lesion(lesion)
    return next(entry.name for entry in knowledge().acne.gags.lesions if entry.id == lesion_id)


def worst_lesion(lesions: Iterable[str]) -> str:
    """The lesion with the highest GAGS grade (GAGS counts only the worst lesion of each area)."""
    ids = [_lesion(lesion) for lesion in lesions]
    if not ids:
        return "none"
    return max(ids, key=lesion_grade)


@dataclass(frozen=True)
class LesionCall:
    """What an inflammatory lesion counts as, under one source's size cut-off."""

    lesion: str  # a GAGS lesion id
    diameter_mm: float
    cutoff_mm: float
    source: str
    note: str


def size_cutoffs() -> dict[str, float]:
    """Papule/nodule cut-off (mm) by source id: the sources disagree."""
    return {cutoff.source: cutoff.papule_below_mm for cutoff in knowledge().acne.size_cutoffs}


def classify_inflammatory_lesion(diameter_mm: float, visible_pus: bool = False, source: str = "DermNet") -> LesionCall:
    """Papule, pustule or nodule from the diameter and whether pus is visible, under ``source``'s cut-off.

    Below the cut-off a lesion is a papule (a pustule if pus is visible); above it, a nodule (a
    suppurative nodule, often called a cyst, if pus is visible). Exactly on the cut-off the source
    assigns neither: MesoLab counts it as a nodule, the higher grade, and says so.
    """
    diameter = real_number("diameter_mm", diameter_mm, 0.0, MAX_SIZE_MM, "mm")
    if not isinstance(visible_pus, bool):
        raise ValueError(f"visible_pus must be True or False, got {visible_pus!r}")
    cutoffs = {c.source.lower(): c for c in knowledge().acne.size_cutoffs}
    key = one_of("size cut-off source", source, tuple(cutoffs), plural="sources")
    cutoff = cutoffs[key]
    limit = cutoff.papule_below_mm
    if diameter < limit:
        lesion = "pustule" if visible_pus else "papule"
        note = f"{diameter:g} mm is under the {limit:g} mm cut-off [{cutoff.source}]"
    else:
        lesion = "nodule"
        note = (f"{diameter:g} mm is exactly on the {limit:g} mm cut-off [{cutoff.source}], which assigns neither "
                "side; MesoLab counts it as a nodule (the higher grade)" if diameter == limit
                else f"{diameter:g} mm is over the {limit:g} mm cut-off [{cutoff.source}]")
        if visible_pus:
            note += "; with pus: a suppurative nodule, often called a cyst"
    return LesionCall(lesion, diameter, limit, cutoff.source, note)


# --- GAGS -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GagsResult:
    """A GAGS score with its parts and its band."""

    worst: dict[str, str]  # region id -> lesion id
    points: dict[str, int]  # region id -> factor × grade
    score: int
    band: GagsBand

    @property
    def summary(self) -> str:
        """One line: score, band and source (with the band's note where the curriculum chose)."""
        text = f"GAGS {self.score} of {max_gags_score()}: {self.band.name} [{self.band.source}]"
        if self.band.curriculum_choice:
            text += f" (published band {self.band.as_published}; {_short_choice(self.band)})"
        return text


def max_gags_score() -> int:
    """The highest possible score: nodules in every area, 4 × (2 + 2 + 2 + 1 + 1 + 3) = 44."""
    gags = knowledge().acne.gags
    return max(lesion.grade for lesion in gags.lesions) * sum(region.factor for region in gags.regions)


def gags_score(worst_lesions: Mapping[str, str]) -> int:
    """Sum over the six GAGS areas of factor × grade of the worst lesion in the area.

    ``worst_lesions`` maps every area (forehead, right_cheek, left_cheek, nose, chin, chest_upper_back)
    to its worst lesion (none, comedone, papule, pustule, nodule; "cyst" counts as nodule). Every area
    must be given, "none" included, so that an area left out is never counted as clear by mistake.
    """
    return gags_assess(worst_lesions).score


def gags_assess(worst_lesions: Mapping[str, str]) -> GagsResult:
    """The score of :func:`gags_score` with its parts and its band."""
    if not isinstance(worst_lesions, Mapping):
        raise ValueError("worst_lesions must be a dict of area -> worst lesion, e.g. "
                         "{'forehead': 'papule', 'right_cheek': 'pustule', ...}")
    worst: dict[str, str] = {}
    for region, lesion in worst_lesions.items():
        region_id = _region(region)
        if region_id in worst:
            raise ValueError(f"area {region_id!r} is given twice")
        worst[region_id] = _lesion(lesion)
    missing = [region for region in gags_regions() if region not in worst]
    if missing:
        raise ValueError(f"give the worst lesion of every GAGS area ('none' if clear); missing: {', '.join(missing)}")
    points = {region: region_factor(region) * lesion_grade(worst[region]) for region in gags_regions()}
    score = sum(points.values())
    return GagsResult({r: worst[r] for r in gags_regions()}, points, score, gags_band(score))


def gags_band(score: int) -> GagsBand:
    """The severity band of a GAGS score, with its source; check ``curriculum_choice`` and ``note``.

    0 has no published band (MesoLab: "clear"); 39 falls in the published gap between "31–38" and
    ">39" (MesoLab: very severe, reading ">39" as "≥39").
    """
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValueError(f"a GAGS score is a whole number from 0 to {max_gags_score()}, got {score!r}")
    if not 0 <= score <= max_gags_score():
        raise ValueError(f"a GAGS score is a whole number from 0 to {max_gags_score()}, got {score}")
    return next(band for band in knowledge().acne.gags.bands if band.low <= score <= band.high)


def gags_gap_note(score: int) -> str:
    """For a score the published bands leave unassigned (39), what was published and how MesoLab resolves it."""
    for gap in knowledge().acne.gags.gaps:
        if gap.score == score:
            alternative = knowledge().acne.gags.alternative_cutoff
            return f"{gap.published} [{gap.source}] {gap.resolution} One summary uses '>38' [{alternative.source}]."
    return ""


def _short_choice(band: GagsBand) -> str:
    return "no lesions: MesoLab's label, not a GAGS band" if band.id == "clear" else "39 unassigned there; MesoLab: ≥39"


# --- IGA --------------------------------------------------------------------------------------------------------

def iga_name(grade: int) -> str:
    """The name of an IGA grade (0 clear … 4 severe) [FDA18]."""
    return next(entry.name for entry in knowledge().acne.iga.grades if entry.grade == _iga(grade, "grade"))


def iga_description() -> str:
    """The IGA scale and the trial success definition in words, with sources."""
    iga = knowledge().acne.iga
    grades = ", ".join(f"{entry.grade} {entry.name.lower()}" for entry in iga.grades)
    return f"{iga.name}: {grades} [{iga.grades[0].source}]. {iga.success.note} [{iga.success.source}]"


def iga_success(baseline: int, final: int) -> bool:
    """Trial success: final IGA 0 or 1 and at least 2 grades better than baseline [FDA18]."""
    iga = knowledge().acne.iga
    start, end = _iga(baseline, "baseline"), _iga(final, "final")
    return end <= iga.success_max_final_grade and start - end >= iga.success_min_improvement


def _iga(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValueError(f"{name} IGA must be a whole number from 0 (clear) to 4 (severe), got {value!r}")
    return value


# --- scars ------------------------------------------------------------------------------------------------------

CONTOURS = ("depressed", "flat", "raised")


def scar_edges() -> tuple[str, ...]:
    """The edges an examiner can report for a depressed scar (tapering, vertical, sloping), from the knowledge base."""
    return tuple(scar.edges for scar in knowledge().acne.scar_types if scar.contour == "depressed")


@dataclass(frozen=True)
class ScarCall:
    """A scar classified from its description, with the rule used and the source of each cut-off."""

    scar_type: str | None  # a scar type id (ice_pick, boxcar, rolling, macular, hypertrophic), None if none fits
    subtype: str | None  # boxcar only: "shallow" or "deep" (None if the depth is not given)
    reason: str
    sources: tuple[str, ...]

    @property
    def target(self) -> str | None:
        """The key of :func:`injection_advice` for this scar (boxcar_shallow / boxcar_deep for boxcars)."""
        if self.scar_type is None:
            return None
        for advice in knowledge().acne.injection_targets:
            if advice.scar_type == self.scar_type and advice.depth == self.subtype:
                return advice.target
        return None  # e.g. a boxcar whose depth was not measured: its advice depends on the depth


def classify_scar(width_mm: float | None = None, depth_mm: float | None = None, edges: str | None = None,
                  contour: str = "depressed") -> ScarCall:
    """Classify an acne scar from its shape, with its width as supporting evidence [Jacob01; dimensions Fabb10].

    - contour "flat" (colour only) -> macular; "raised" -> hypertrophic (or keloid).
    - depressed: the edges decide. Vertical walls -> boxcar, shallow below 0.5 mm deep, deep from 0.5 mm;
      a tract tapering to a point -> ice-pick; sloping edges without walls -> rolling. The source's widths
      are what is usual ("most often", "usually"), so a width outside them is reported but never overrules
      the shape (a 4.5 mm scar with vertical edges is a wide boxcar).
    - without the edges no type is given: width alone does not decide. An ice-pick tract reaches the deep
      dermis, so a tapering pit shallower than a deep boxcar (0.5 mm, MesoLab's reading) fits no type.
    """
    shape = one_of("contour", contour, CONTOURS)
    acne = knowledge().acne
    types = {scar.id: scar for scar in acne.scar_types}
    if shape == "flat":
        return ScarCall("macular", None, "flat colour change, no contour change", (types["macular"].source,))
    if shape == "raised":
        return ScarCall("hypertrophic", None, "raised scar", (types["hypertrophic"].source,))
    width = None if width_mm is None else real_number("width_mm", width_mm, 0.0, MAX_SIZE_MM, "mm")
    depth = None if depth_mm is None else real_number("depth_mm", depth_mm, 0.0, MAX_SIZE_MM, "mm")
    boxcar = types["boxcar"]
    sources = (boxcar.source, boxcar.dimensions.source if boxcar.dimensions else boxcar.source)
    if edges is None:
        return ScarCall(None, None, "describe the edges (tapering, vertical or sloping): the shape decides the type, "
                        "and the width alone does not", sources)
    edge = one_of("edges", edges, scar_edges(), plural="edges")
    scar = next(t for t in acne.scar_types if t.contour == "depressed" and t.edges == edge)
    dims = scar.dimensions
    measured = "" if width is None else f"{width:g} mm wide, "
    why = f"{measured}{edge} edges: {scar.name.lower()} ({scar.description[0].lower()}{scar.description[1:-1]} [{scar.source}])"
    atypical = _atypical_width(width, dims)
    if scar.id == "boxcar":
        box = acne.boxcar_depth
        if depth is None:
            return ScarCall("boxcar", None, f"{why}{atypical}; measure the depth to tell shallow from deep", sources)
        subtype = "shallow" if depth < box.shallow_max_mm else "deep"
        return ScarCall("boxcar", subtype, f"{why}{atypical}; {depth:g} mm deep: {subtype} ({box.as_written} "
                        f"[{box.source}])", sources)
    if scar.id == "ice_pick" and depth is not None and depth < acne.boxcar_depth.shallow_max_mm:
        return ScarCall(None, None, f"{measured}tapering but only {depth:g} mm deep: an ice-pick tract reaches the deep "
                        f"dermis or subcutis [{scar.source}], and MesoLab reads that as at least the "
                        f"{acne.boxcar_depth.shallow_max_mm:g} mm of a deep boxcar [{acne.boxcar_depth.source}]. "
                        "Describe it and reassess; no system is universally accepted "
                        f"[{acne.no_universal_system.source}].", sources)
    return ScarCall(scar.id, None, f"{why}{atypical}", sources)


def _atypical_width(width: float | None, dims: ScarDimensions | None) -> str:
    """A note when the width lies outside what the source reports as usual (it supports, never overrules)."""
    if width is None or dims is None:
        return ""
    wider = dims.width_max_mm is not None and width > dims.width_max_mm
    narrower = dims.width_min_mm is not None and width < dims.width_min_mm
    if not (wider or narrower):
        return ""
    return (f"; {'wider' if wider else 'narrower'} than usual ({dims.width_as_written} [{dims.source}]): "
            "the shape decides, the width only supports")


def goodman_baron_grade(contour_change: bool, obvious_at_50_cm: bool = False,
                        flattens_when_stretched: bool = True) -> int:
    """Goodman–Baron qualitative grade 1–4 [GB06] from what the examiner sees.

    1 macular (colour only); 2 mild (not obvious at 50 cm or more); 3 moderate (obvious, flattens when
    stretched); 4 severe (obvious, does not flatten when stretched).
    """
    for name, value in (("contour_change", contour_change), ("obvious_at_50_cm", obvious_at_50_cm),
                        ("flattens_when_stretched", flattens_when_stretched)):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    if not contour_change:
        return 1
    if not obvious_at_50_cm:
        return 2
    return 3 if flattens_when_stretched else 4


def goodman_baron_name(grade: int) -> str:
    if isinstance(grade, bool) or grade not in (1, 2, 3, 4):
        raise ValueError(f"a Goodman–Baron grade is 1, 2, 3 or 4, got {grade!r}")
    return next(entry.name for entry in knowledge().acne.goodman_baron if entry.grade == grade)


@dataclass(frozen=True)
class InjectionAdvice:
    """Whether a target suits superficial intradermal injection, what to do otherwise, and the sources."""

    target: str
    verdict: str  # plausible | adjunct_after_other_treatment | not_a_target
    summary: str
    do_instead: tuple[str, ...]
    sources: tuple[str, ...]
    evidence_note: str

    @property
    def plausible(self) -> bool:
        """True only where superficial injection is itself a plausible treatment (not as an add-on)."""
        return self.verdict == "plausible"

    @property
    def text(self) -> str:
        verdicts = {"plausible": "plausible target of superficial injection",
                    "adjunct_after_other_treatment": "not first: treat otherwise first, injection at most an add-on",
                    "not_a_target": "not a target of superficial injection"}
        instead = f" Instead: {'; '.join(self.do_instead)}." if self.do_instead else ""
        return f"{verdicts[self.verdict]}. {self.summary}{instead} [{', '.join(self.sources)}]"


_TARGET_ALIASES = {"icepick": "ice_pick", "shallow_boxcar": "boxcar_shallow", "deep_boxcar": "boxcar_deep",
                   "keloid": "hypertrophic", "hypertrophic_scar": "hypertrophic", "active_inflammatory_acne": "active_acne",
                   "acne": "active_acne", "rolling_scar": "rolling", "macular_scar": "macular"}


def injection_targets() -> tuple[str, ...]:
    """The targets :func:`injection_advice` knows, in the knowledge base's order."""
    return tuple(advice.target for advice in knowledge().acne.injection_targets)


def injection_advice(target: str) -> InjectionAdvice:
    """Is ``target`` (a scar type, boxcar_shallow / boxcar_deep, or active_acne) a plausible target of
    superficial intradermal injection, and what to do otherwise, with sources.

    A scar type whose advice depends on its depth (boxcar) is refused with the names to use instead.
    """
    entries = knowledge().acne.injection_targets
    split_by_depth = tuple(dict.fromkeys(a.scar_type for a in entries if a.depth and a.scar_type))
    key = one_of("target", target, (*injection_targets(), *split_by_depth), aliases=_TARGET_ALIASES)
    by_depth = [a.target for a in entries if a.depth and a.scar_type == key]
    if by_depth:
        raise ValueError(f"say {' or '.join(by_depth)}: the depth decides")
    return _advice(key)


@functools.cache
def _advice(key: str) -> InjectionAdvice:
    entry: TreatmentAdvice = next(a for a in knowledge().acne.injection_targets if a.target == key)
    sources = (entry.source, *(extra.source for extra in entry.also))
    return InjectionAdvice(key, entry.verdict, entry.summary, tuple(entry.do_instead), tuple(dict.fromkeys(sources)),
                           entry.note)


# --- input checks -----------------------------------------------------------------------------------------------

def _region(region: object) -> str:
    return one_of("GAGS area", region, gags_regions(), aliases=_REGION_ALIASES, plural="areas")


def _lesion(lesion: object) -> str:
    return one_of("lesion", lesion, gags_lesions(), aliases=_LESION_ALIASES)
