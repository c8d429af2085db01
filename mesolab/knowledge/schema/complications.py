"""Schema of complications.yaml: presentation fields, complications with their triage patterns, emergency doses
and adverse-event reporting (module 07).

A complication's ``patterns`` say which findings together point to it and how urgent that is; the triage in
:mod:`mesolab.complications` applies them and holds no clinical rule of its own. Onset windows are in hours;
``None`` means no source gives one (NF).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict
from .screening import Dispute

Urgency = Literal["emergency", "urgent", "review", "reassure"]
#: Most to least urgent: the loader and the triage both use this order.
URGENCY_ORDER: tuple[str, ...] = ("emergency", "urgent", "review", "reassure")
#: The complication ids the fixed triage interface promises.
REQUIRED_COMPLICATIONS = frozenset({
    "anaphylaxis", "vasovagal_syncope", "local_anaesthetic_toxicity", "vascular_compromise", "bacterial_infection",
    "mycobacterial_infection", "herpes_reactivation", "granuloma", "panniculitis", "delayed_hypersensitivity",
    "bruising", "expected_reaction"})

Hours = tuple[float, float]


class PresentationField(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    question: str
    kind: Literal["hours", "finding"]
    red_flag: bool = False  # a finding that is never an expected reaction


class UrgencyLevel(Strict):
    id: Urgency
    label: str
    meaning: str


class Note(Sourced):
    """A sourced statement with further sources, each saying what it adds."""

    also: list[Sourced] = []

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.source, *(s.source for s in self.also)]))


class Onset(Note):
    label: str  # in words, e.g. "usually 1–12 weeks"
    window_hours: Hours | None  # the range the sources report; None: NF
    typical_hours: Hours | None  # where most cases fall; None: NF

    @model_validator(mode="after")
    def _ordered(self) -> "Onset":
        for name in ("window_hours", "typical_hours"):
            value = getattr(self, name)
            if value is not None and not 0 <= value[0] <= value[1]:
                raise ValueError(f"{name}: give [earliest, latest] hours, earliest >= 0, got {list(value)}")
        if self.window_hours and self.typical_hours and not (
                self.window_hours[0] <= self.typical_hours[0] and self.typical_hours[1] <= self.window_hours[1]):
            raise ValueError("typical_hours must lie within window_hours")
        return self


class Distinction(Sourced):
    look_alike: str = Field(alias="from")


class Pattern(Sourced):
    """Findings that, all present, point to the complication with this urgency.

    ``within_window``: the pattern counts only inside the complication's onset window (an expected reaction
    is expected only in its first days). Red-flag patterns leave it False: they count whenever they are seen.
    """

    all: list[str] = Field(min_length=1)
    urgency: Urgency
    within_window: bool = False
    first_action: str = ""  # replaces the complication's first action for this pattern


class Complication(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    evidence: Literal["general", "filler", "mesotherapy"]  # where the management evidence comes from
    onset: Onset
    looks_like: Note
    distinguish: list[Distinction] = []
    first_action: Note
    refer: Note
    never: list[Sourced] = Field(min_length=1)
    dispute: Dispute | None = None
    patterns: list[Pattern] = Field(min_length=1)
    features: list[str]  # findings that support it
    against: list[str] = []  # findings that point to a look-alike instead


class AgeBand(Strict):
    from_years: float = Field(ge=0)
    to_years: float
    to_inclusive: bool = False
    micrograms: tuple[float, float]  # [low, high]; equal for a single dose
    label: str
    small_or_prepubertal_micrograms: float | None = None


class WeightBasedAdrenaline(Sourced):
    guideline: str
    mg_per_kg: float = Field(gt=0)
    max_mg: float = Field(gt=0)
    repeat_minutes: tuple[float, float]


class Adrenaline(Sourced):
    guideline: str
    route: str
    concentration_mg_per_ml: float = Field(gt=0)
    repeat_after_minutes: float = Field(gt=0)
    age_bands: list[AgeBand] = Field(min_length=1)
    band_note: str = ""
    weight_based: WeightBasedAdrenaline
    repeat_dispute: Dispute

    @model_validator(mode="after")
    def _contiguous(self) -> "Adrenaline":
        bands = self.age_bands
        if bands[0].from_years != 0 or any(a.to_years != b.from_years for a, b in zip(bands, bands[1:])):
            raise ValueError("age_bands must start at 0 and follow one another without gaps")
        return self


class SupersededLipid(Note):
    guideline: str
    bolus_ml_per_kg: float = Field(gt=0)
    bolus_minutes: float = Field(gt=0)
    infusion_ml_per_kg_per_hour: float = Field(gt=0)


class LipidEmulsion(Sourced):
    guideline: str
    concentration: str
    bolus_ml_per_kg: float = Field(gt=0)
    weight_basis: str
    fixed_bolus_above_kg: float = Field(gt=0)
    fixed_bolus_ml: float = Field(gt=0)
    bolus_minutes: tuple[float, float]
    infusion_ml_per_kg_per_min: float = Field(gt=0)
    fixed_infusion_above_kg_ml: tuple[float, float]
    fixed_infusion_above_kg_minutes: tuple[float, float]
    max_ml_per_kg: float = Field(gt=0)
    superseded: SupersededLipid


class EmergencyDoses(Strict):
    adrenaline: Adrenaline
    lipid_emulsion: LipidEmulsion


class ReportingPlace(Sourced):
    region: str


class Reporting(Strict):
    why: list[Sourced] = Field(min_length=1)
    where: list[ReportingPlace] = Field(min_length=1)
    what: Sourced


class Misconception(Note):
    claim: str


class Complications(Strict):
    scope_note: Sourced
    fields: list[PresentationField]
    urgencies: list[UrgencyLevel]
    warning_signs: Note
    complications: list[Complication]
    unexplained: Sourced
    emergency_doses: EmergencyDoses
    reporting: Reporting
    misconceptions: list[Misconception] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> "Complications":
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate presentation field key")
        if [f.key for f in self.fields if f.kind == "hours"] != ["hours_since_treatment"]:
            raise ValueError("exactly one hours field, hours_since_treatment")
        if tuple(u.id for u in self.urgencies) != URGENCY_ORDER:
            raise ValueError(f"urgencies must be listed in the order {URGENCY_ORDER}")
        findings = {f.key for f in self.fields if f.kind == "finding"}
        ids = [c.id for c in self.complications]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate complication id")
        missing = REQUIRED_COMPLICATIONS - set(ids)
        if missing:
            raise ValueError(f"missing complications: {', '.join(sorted(missing))}")
        for c in self.complications:
            for where, names in [("features", c.features), ("against", c.against),
                                 *((f"patterns[{i}]", p.all) for i, p in enumerate(c.patterns))]:
                unknown = set(names) - findings
                if unknown:
                    raise ValueError(f"complication {c.id}: {where}: unknown findings {sorted(unknown)}")
            for d in c.distinguish:
                if d.look_alike not in ids:
                    raise ValueError(f"complication {c.id}: distinguish from unknown complication {d.look_alike!r}")
            for i, p in enumerate(c.patterns):
                if p.within_window and c.onset.window_hours is None:
                    raise ValueError(f"complication {c.id}: patterns[{i}] is within_window, but the onset window is NF")
                if p.urgency == "reassure" and (not p.within_window or any(self._red_flag(k) for k in p.all)):
                    raise ValueError(f"complication {c.id}: patterns[{i}]: only non-red-flag findings inside the "
                                     f"onset window can reassure")
        return self

    def _red_flag(self, key: str) -> bool:
        return next(f.red_flag for f in self.fields if f.key == key)
