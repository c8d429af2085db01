"""Complications after mesotherapy (module 07): triage a presentation, and the emergency doses.

``triage(presentation)`` applies the patterns of ``knowledge/complications.yaml`` (no clinical rule is written
here) and returns a :class:`TriageResult`:

- ``urgency``: ``"emergency"`` (act now and call emergency services), ``"urgent"`` (same-day assessment or
  referral), ``"review"`` (see the patient within days) or ``"reassure"`` (an expected reaction: aftercare advice
  and the warning signs);
- ``likely``: complication ids, most likely first; ``first_action``: what to do first; ``reasons``: each with
  its source ids.

How the presentation is read (a deliberate choice, so that every problem is shown at once and none is silent):

- a presentation that is not a mapping raises ``ValueError``: the ONLY exception ``triage`` raises;
- ``hours_since_treatment`` is a real number >= 0 (not a bool); each finding is ``True``, ``False`` or ``None``
  (unknown). A missing key or ``None`` is unknown; an unknown key or a malformed value (``"yes"``, ``1``, a
  negative, NaN or infinite number of hours) becomes a reason, and the value is treated as unknown;
- an unknown or malformed value, an unknown key, or a finding that no pattern explains at its time (e.g. a bruise
  that appears three weeks later) never leads to ``"reassure"``: the least is ``"review"``;
- a red-flag finding never leads to ``"reassure"`` (the knowledge base refuses a pattern that would);
- onset windows order the likely complications; they never lower the urgency of a red-flag pattern.

Every key is documented in :data:`PRESENTATION_FIELDS`.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

from ._validate import real_number
from .knowledge import knowledge, source_mark
from .knowledge.schema.complications import URGENCY_ORDER, Complication, Pattern

URGENCIES: tuple[str, ...] = URGENCY_ORDER  # most to least urgent
HOURS = "hours_since_treatment"
MAX_AGE_YEARS = 120.0
MIN_WEIGHT_KG, MAX_WEIGHT_KG = 0.5, 350.0


def _kb():
    return knowledge().complications


@dataclass(frozen=True)
class PresentationFieldInfo:
    """What a presentation key means and which values it takes."""

    key: str
    label: str
    question: str
    kind: str  # "hours" or "finding"
    red_flag: bool
    accepts: str


_ACCEPTS = {"hours": "a number of hours since the last injection, >= 0 (1 day = 24, 1 week = 168); None if not known",
            "finding": "True (present), False (checked and absent) or None (not known)"}

#: Every presentation key: its question, its kind, whether it is a red flag, and the values it accepts.
PRESENTATION_FIELDS: dict[str, PresentationFieldInfo] = {
    f.key: PresentationFieldInfo(f.key, f.label, f.question, f.kind, f.red_flag, _ACCEPTS[f.kind])
    for f in knowledge().complications.fields
}
FINDINGS: tuple[str, ...] = tuple(k for k, f in PRESENTATION_FIELDS.items() if f.kind == "finding")
RED_FLAGS: frozenset[str] = frozenset(k for k in FINDINGS if PRESENTATION_FIELDS[k].red_flag)
COMPLICATIONS: tuple[str, ...] = tuple(c.id for c in knowledge().complications.complications)


@dataclass(frozen=True)
class Reason:
    """One reason: what it is about, what it says, the urgency it leads to, and its source ids."""

    kind: str  # "pattern", "partial", "unexplained", "distinguish", "unknown", "malformed", "unknown_key"
    text: str
    sources: tuple[str, ...]
    urgency: str = ""  # the urgency this reason leads to ("" for an explanation that changes nothing)
    complication: str = ""
    findings: tuple[str, ...] = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        return self.sources

    @property
    def source(self) -> str:
        return self.sources[0] if self.sources else ""

    def line(self) -> str:
        cites = " ".join(source_mark(s) for s in self.sources)
        head = f"{self.urgency.upper()} — " if self.urgency else ""
        return f"{head}{self.text} {cites}".strip()


@dataclass(frozen=True)
class TriageResult:
    urgency: str
    likely: tuple[str, ...]  # complication ids, most likely first
    first_action: str
    reasons: tuple[Reason, ...]
    candidates: tuple[str, ...] = ()  # complications still possible at this time with what is known
    never: tuple[str, ...] = ()  # what never to do, for the most likely complications

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for r in self.reasons for s in r.sources))

    @property
    def problems(self) -> tuple[Reason, ...]:
        """Reasons about the presentation itself: unknown or malformed values, unknown keys."""
        return tuple(r for r in self.reasons if r.kind in ("unknown", "malformed", "unknown_key"))


def complication(complication_id: str) -> Complication:
    for c in _kb().complications:
        if c.id == complication_id:
            return c
    raise ValueError(f"unknown complication {complication_id!r}; known: {', '.join(COMPLICATIONS)}")


def urgency_meaning(urgency: str) -> str:
    for level in _kb().urgencies:
        if level.id == urgency:
            return level.meaning
    raise ValueError(f"unknown urgency {urgency!r}; valid urgencies: {', '.join(URGENCIES)}")


# --- reading the presentation -------------------------------------------------------------------------------

def _read_hours(value: object) -> tuple[float | None, str]:
    """(hours, problem): hours is None when unknown or unreadable; problem says why it is unreadable."""
    if value is None:
        return None, ""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        return None, f"got {type(value).__name__} {value!r}, not a number"
    try:
        hours = float(value)
    except (TypeError, ValueError, OverflowError):
        return None, f"got {value!r}, not a number"
    if not math.isfinite(hours) or hours < 0:
        return None, f"got {value!r}: it must be a finite number >= 0"
    return hours, ""


@functools.cache
def _pattern_sources(finding: str) -> tuple[str, ...]:
    """The sources of every pattern that uses a finding: what an unknown answer could be hiding."""
    return tuple(dict.fromkeys(p.source for c in _kb().complications for p in c.patterns if finding in p.all))


def _window_state(c: Complication, hours: float | None) -> str:
    """Where ``hours`` falls for a complication: "typical", "window", "outside", "nf" (no window) or "unknown"."""
    if hours is None:
        return "unknown"
    window, typical = c.onset.window_hours, c.onset.typical_hours
    if typical is not None and typical[0] <= hours <= typical[1]:
        return "typical"
    if window is None:
        return "nf" if typical is None else ("window" if hours >= typical[0] else "outside")
    return "window" if window[0] <= hours <= window[1] else "outside"


_WINDOW_SCORE = {"typical": 3, "window": 2, "nf": 1, "unknown": 1, "outside": 0}
_WINDOW_WORDS = {"typical": "typical time", "window": "within the reported window", "nf": "no window known (NF)",
                 "unknown": "time since treatment unknown", "outside": "outside the reported window"}


def _applies(p: Pattern, state: str) -> bool:
    """A within-window pattern counts only inside the window; with the time unknown it counts unless it would
    reassure (an unknown time never reassures)."""
    if not p.within_window:
        return True
    if state == "unknown":
        return p.urgency != "reassure"
    return state in ("typical", "window")


def _fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "time unknown"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:g} h"
    if hours < 24 * 14:
        return f"{hours / 24:.1f} days"
    return f"{hours / 168:.1f} weeks"


def triage(presentation: Mapping[str, object]) -> TriageResult:
    """Triage a presentation after mesotherapy: urgency, likely complications, first action, sourced reasons.

    Raises ValueError only if ``presentation`` is not a mapping; every problem inside it becomes a reason.
    """
    if not isinstance(presentation, Mapping):
        raise ValueError(f"presentation must be a mapping of finding keys to values (e.g. a dict), got "
                         f"{type(presentation).__name__}; keys: {', '.join(PRESENTATION_FIELDS)}")
    kb = _kb()
    warning_sources = kb.warning_signs.sources
    problems: list[Reason] = []
    for key in presentation:
        if key not in PRESENTATION_FIELDS:
            problems.append(Reason("unknown_key", f"Unknown key {key!r}: it is not a MesoLab finding, so its value was "
                                   f"not read (a typo?). Valid keys: {', '.join(PRESENTATION_FIELDS)}.",
                                   warning_sources, "review"))
    hours, problem = _read_hours(presentation.get(HOURS))
    if problem:
        problems.append(Reason("malformed", f"Time since treatment unreadable ({problem}); expected "
                               f"{_ACCEPTS['hours']}. Without it no reaction can be called expected.",
                               warning_sources, "review", findings=(HOURS,)))
    elif hours is None:
        problems.append(Reason("unknown", "Time since treatment not known: ask when the treatment was. Without it "
                               "no reaction can be called expected.", warning_sources, "review", findings=(HOURS,)))
    values: dict[str, bool | None] = {}
    for key in FINDINGS:
        value = presentation.get(key)
        if value is None or isinstance(value, bool):
            values[key] = value  # type: ignore[assignment]
            if value is None:
                state = "missing" if key not in presentation else "unknown (None)"
                problems.append(Reason("unknown", f"{PRESENTATION_FIELDS[key].label}: {state}. Ask or examine: "
                                       f"{PRESENTATION_FIELDS[key].question}", _pattern_sources(key), "review",
                                       findings=(key,)))
        else:
            values[key] = None
            problems.append(Reason("malformed", f"{PRESENTATION_FIELDS[key].label}: unreadable value "
                                   f"{type(value).__name__} {value!r}; expected {_ACCEPTS['finding']}. Treated as "
                                   f"unknown.", _pattern_sources(key), "review", findings=(key,)))

    present = {k for k, v in values.items() if v is True}
    states = {c.id: _window_state(c, hours) for c in kb.complications}
    matched: dict[str, list[Pattern]] = {}
    for c in kb.complications:
        for p in c.patterns:
            if all(values[k] is True for k in p.all) and _applies(p, states[c.id]):
                matched.setdefault(c.id, []).append(p)

    def rank(c: Complication) -> tuple[int, int, int, int]:
        support = sum(k in present for k in c.features) - 2 * sum(k in present for k in c.against)
        patterns = matched.get(c.id, [])
        size = max((len(p.all) for p in patterns), default=0)
        severity = -min((URGENCIES.index(p.urgency) for p in patterns), default=len(URGENCIES))
        return (_WINDOW_SCORE[states[c.id]], support, size, severity)

    by_id = {c.id: c for c in kb.complications}
    likely_matched = sorted((by_id[i] for i in matched), key=rank, reverse=True)

    def open_pattern(c: Complication, p: Pattern) -> bool:
        """No finding of the pattern is known absent, and it could still apply at this time."""
        return all(values[k] is not False for k in p.all) and (not p.within_window or states[c.id] != "outside")

    possible = [c for c in kb.complications if c.id not in matched and any(
        open_pattern(c, p) and any(values[k] is True for k in p.all) for p in c.patterns)]
    possible.sort(key=rank, reverse=True)
    # A finding no pattern explains at this time still names the complications it belongs to, after the others.
    explained = {k for ps in matched.values() for p in ps for k in p.all}
    unexplained = sorted(present - explained, key=FINDINGS.index)
    related = sorted((c for c in kb.complications if c.id not in matched and c not in possible
                      and any(k in p.all for p in c.patterns for k in unexplained)), key=rank, reverse=True)
    likely = tuple(c.id for c in [*likely_matched, *possible, *related])
    candidates = tuple(c.id for c in sorted(
        (c for c in kb.complications if c.id in matched or (states[c.id] != "outside" and any(
            open_pattern(c, p) for p in c.patterns))), key=rank, reverse=True))

    reasons: list[Reason] = []
    for c in likely_matched:
        for p in sorted(matched[c.id], key=lambda p: URGENCIES.index(p.urgency)):
            timing = f" Onset {c.onset.label}; at {_fmt_hours(hours)}: {_WINDOW_WORDS[states[c.id]]}."
            reasons.append(Reason("pattern", f"{c.name}: {p.note}{timing}",
                                  tuple(dict.fromkeys([p.source, *c.onset.sources])), p.urgency, c.id, tuple(p.all)))
    # An emergency pattern half seen: what is present belongs to it and the rest is unknown. Check it now.
    partial_urgent = False
    for c in kb.complications:
        for p in c.patterns:
            if (p.urgency == "emergency" and p not in matched.get(c.id, []) and any(values[k] is True for k in p.all)
                    and all(values[k] is not False for k in p.all)):
                unknown = [PRESENTATION_FIELDS[k].label.lower() for k in p.all if values[k] is None]
                partial_urgent = True
                reasons.append(Reason("partial", f"{c.name} cannot be excluded: {', '.join(unknown)} not known. Check "
                                      f"now; if present this is an emergency.", (p.source,), "urgent", c.id,
                                      tuple(p.all)))
    for key in unexplained:
        related = [c for c in kb.complications if any(key in p.all for p in c.patterns)]
        windows = "; ".join(f"{c.name}: {c.onset.label}" for c in related)
        reasons.append(Reason("unexplained", f"{PRESENTATION_FIELDS[key].label} at {_fmt_hours(hours)} fits no "
                              f"expected pattern at this time ({windows}). {kb.unexplained.note}",
                              tuple(dict.fromkeys([kb.unexplained.source, *(s for c in related for s in c.onset.sources)])),
                              "review", findings=(key,)))
    shown = set(likely[:3])
    for c in likely_matched[:3]:
        for d in c.distinguish:
            if d.look_alike in shown:
                reasons.append(Reason("distinguish", f"{c.name} or {by_id[d.look_alike].name}? {d.note}", (d.source,),
                                      complication=c.id))

    levels = [p.urgency for ps in matched.values() for p in ps]
    if partial_urgent:
        levels.append("urgent")
    if problems or unexplained:
        levels.append("review")
    urgency = min(levels, key=URGENCIES.index, default="reassure")
    if urgency == "reassure" and (present & RED_FLAGS or problems or unexplained):  # the safety net, never reached
        urgency = "review"

    first_action = _first_action(urgency, likely_matched, matched, reasons, problems, unexplained, hours)
    never = tuple(dict.fromkeys(n.note for c in likely_matched[:2] for n in c.never))
    return TriageResult(urgency, likely, first_action, tuple(reasons) + tuple(problems), candidates, never)


def _first_action(urgency: str, likely_matched: list[Complication], matched: dict[str, list[Pattern]],
                  reasons: list[Reason], problems: list[Reason], unexplained: list[str], hours: float | None) -> str:
    """The action of the most urgent pattern (the most likely complication among equals); otherwise what to find out."""
    for c in likely_matched:
        for p in matched[c.id]:
            if p.urgency == urgency:
                return p.first_action or c.first_action.note
    parts = []
    partial = [r for r in reasons if r.kind == "partial"]
    if partial:
        checks = sorted({PRESENTATION_FIELDS[k].label.lower() for r in partial for k in r.findings})
        parts.append(f"Check now: {', '.join(checks)}. If any is present, act on it as an emergency.")
    if unexplained:
        labels = ", ".join(PRESENTATION_FIELDS[k].label.lower() for k in unexplained)
        parts.append(f"See the patient: {labels} at {_fmt_hours(hours)} is not an expected reaction at this time.")
    if likely_matched:  # only expected reactions matched, yet something is unknown
        c = likely_matched[0]
        parts.append(f"Probably {c.name.lower()}, but not everything is known.")
    if problems:
        unknown = [PRESENTATION_FIELDS[k].label.lower() for r in problems for k in r.findings]
        if unknown:
            parts.append(f"Find out before reassuring: {', '.join(unknown)}.")
        if any(r.kind == "unknown_key" for r in problems):
            parts.append("Some answers could not be read (unknown keys): record them with MesoLab's findings.")
        parts.append("Until then, see the patient: nothing unknown can be called expected.")
    if not parts:
        return ("Nothing abnormal found: give the aftercare advice and the warning signs to report (increasing pain, "
                "blanching or dusky skin, visual symptoms, fever, spreading redness, new lumps).")
    return " ".join(parts)


def blank_presentation(hours: float | None = None) -> dict[str, object]:
    """Every finding False (checked and absent), at ``hours`` since treatment."""
    return {HOURS: hours, **{key: False for key in FINDINGS}}


# --- emergency doses ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdrenalineDose:
    micrograms: float  # the dose, or the low end of a range
    micrograms_max: float  # equal to ``micrograms`` unless the guideline gives a range
    millilitres: float  # of adrenaline 1 mg/mL
    millilitres_max: float
    band: str
    guideline: str
    route: str
    repeat: str
    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        dose = (f"{self.micrograms:g} micrograms ({self.millilitres:g} mL)" if self.micrograms == self.micrograms_max
                else f"{self.micrograms:g}–{self.micrograms_max:g} micrograms ({self.millilitres:g}–"
                     f"{self.millilitres_max:g} mL)")
        return f"{dose} {self.route} ({self.band}). {self.repeat} [{self.guideline}]"


def adrenaline_im_dose(age_years: float, small_or_prepubertal: bool = False) -> AdrenalineDose:
    """Intramuscular adrenaline for anaphylaxis by age, as Resuscitation Council UK 2021 gives it.

    ``small_or_prepubertal`` applies to adults and children over 12 (300 micrograms instead of 500).
    Raises ValueError for an age that is not a number from 0 to 120.
    """
    age = real_number("age_years", age_years, 0, MAX_AGE_YEARS, "years")
    if not isinstance(small_or_prepubertal, bool):
        raise ValueError(f"small_or_prepubertal must be True or False, got {small_or_prepubertal!r}")
    spec = _kb().emergency_doses.adrenaline
    band = next(b for b in spec.age_bands
                if b.from_years <= age and (age < b.to_years or (b.to_inclusive and age == b.to_years)))
    low, high = band.micrograms
    label = band.label
    if small_or_prepubertal and band.small_or_prepubertal_micrograms is not None:
        low = high = band.small_or_prepubertal_micrograms
        label += ", small or prepubertal"
    per_ml = spec.concentration_mg_per_ml * 1000
    return AdrenalineDose(low, high, round(low / per_ml, 3), round(high / per_ml, 3), label, spec.guideline,
                          spec.route, spec.note, (spec.source,))


def adrenaline_im_dose_by_weight(weight_kg: float) -> AdrenalineDose:
    """Intramuscular adrenaline by weight, as the WAO 2016 statement gives it: 0.01 mg/kg, at most 0.5 mg."""
    weight = real_number("weight_kg", weight_kg, MIN_WEIGHT_KG, MAX_WEIGHT_KG, "kg")
    spec = _kb().emergency_doses.adrenaline
    rule = spec.weight_based
    micrograms = round(min(rule.mg_per_kg * weight, rule.max_mg) * 1000, 1)
    millilitres = round(micrograms / (spec.concentration_mg_per_ml * 1000), 3)
    return AdrenalineDose(micrograms, micrograms, millilitres, millilitres, f"{weight:g} kg", rule.guideline,
                          spec.route, rule.note, (rule.source,))


@dataclass(frozen=True)
class LipidDose:
    weight_kg: float
    bolus_ml: float
    bolus_minutes: tuple[float, float]
    infusion_ml_per_min: float  # 0.25 mL/kg/min (= 15 mL/kg/h), consistent across the guidelines
    infusion_ml_per_hour: float
    fixed_infusion: str  # ASRA's fixed infusion above 70 kg, "" otherwise
    max_total_ml: float
    guideline: str
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def text(self) -> str:
        infusion = self.fixed_infusion or (f"then {self.infusion_ml_per_min:g} mL/min "
                                           f"({self.infusion_ml_per_hour:g} mL/h)")
        return (f"20 % lipid emulsion: bolus {self.bolus_ml:g} mL over {self.bolus_minutes[0]:g}–"
                f"{self.bolus_minutes[1]:g} min, {infusion}; at most about {self.max_total_ml:g} mL in all "
                f"[{self.guideline}]")


def lipid_emulsion_dose(weight_kg: float) -> LipidDose:
    """20 % lipid emulsion for local anaesthetic systemic toxicity, as the ASRA 2020 checklist gives it.

    ``weight_kg`` is the lean body weight. Above 70 kg the bolus is a fixed 100 mL. The withdrawn AAGBI 2010
    figures (bolus over 1 min, 15 mL/kg/h) are in ``notes``.
    """
    weight = real_number("weight_kg", weight_kg, MIN_WEIGHT_KG, MAX_WEIGHT_KG, "kg")
    spec = _kb().emergency_doses.lipid_emulsion
    above = weight > spec.fixed_bolus_above_kg
    bolus = spec.fixed_bolus_ml if above else round(spec.bolus_ml_per_kg * weight, 1)
    per_min = round(spec.infusion_ml_per_kg_per_min * weight, 2)
    fixed = ""
    if above:
        (low, high), (fast, slow) = spec.fixed_infusion_above_kg_ml, spec.fixed_infusion_above_kg_minutes
        fixed = f"then {low:g}–{high:g} mL over {fast:g}–{slow:g} min"
    old = spec.superseded
    notes = (spec.note, f"{old.guideline}: {old.note}")
    return LipidDose(weight, bolus, spec.bolus_minutes, per_min, round(per_min * 60, 1), fixed,
                     round(spec.max_ml_per_kg * weight, 1), spec.guideline, notes,
                     (spec.source, old.source, *(s.source for s in old.also)))
