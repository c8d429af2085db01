"""Pre-treatment risk screening (module 05): an intake mapping in, an outcome with sourced reasons out.

``screen(intake)`` applies the rules of ``knowledge/screening.yaml`` (none are written here) and returns a
:class:`ScreeningResult` whose ``outcome`` is the most severe action found:
``"decline"`` > ``"defer"`` > ``"caution"`` > ``"proceed"``.

How problems with the intake are handled (a deliberate choice, so that a form shows every problem at once):

- an intake that is not a mapping raises ``ValueError``; this is the ONLY exception ``screen`` raises;
- a missing key, an "unknown" answer, or a malformed answer (wrong type, out of range, unknown value)
  to a safety question, and an unknown key, each add a reason of kind ``"intake"`` with the action
  ``"defer"``: the result is never "proceed" while anything is unanswered or unreadable. Rule findings are
  still applied to the answers that are readable, so an absolute contraindication still declines.

Answers: yes/no questions take ``True``/``False`` (or "yes"/"no"); ``None`` or "unknown" means unknown.
``isotretinoin_months_since_last_dose`` takes a number of months, or ``None`` (or "never") if never taken;
"unknown" means unknown. ``allergies`` and ``planned_ingredients`` take a list of substance names (empty: none).
``diabetes`` takes "none", "controlled" or "uncontrolled". Every key is documented in :data:`INTAKE_FIELDS`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Literal

from .cocktails import (NO_ALLERGY_WORDS, allergen_classes_of, allergy_conflicts, find_ingredient, name_key,
                        recognised_allergy)
from .knowledge import source_mark
from .knowledge import knowledge
from .knowledge.schema.screening import CLASS_ACTION, Rule  # noqa: F401 - CLASS_ACTION: for the views

Outcome = Literal["proceed", "caution", "defer", "decline"]
OUTCOMES: tuple[str, ...] = ("proceed", "caution", "defer", "decline")  # least to most severe
DIABETES_VALUES: tuple[str, ...] = ("none", "controlled", "uncontrolled")
UNKNOWN = "unknown"
MAX_AGE_YEARS = 120.0
MAX_MONTHS = 1200.0

_KIND_HELP = {
    "yes_no": "True or False (or \"yes\"/\"no\"); None or \"unknown\" if not known",
    "age": f"age in years, a number from 0 to {MAX_AGE_YEARS:g}; None or \"unknown\" if not known",
    "months_or_never": f"months since the last dose, a number from 0 to {MAX_MONTHS:g}; None (or \"never\") if "
                       "never taken; \"unknown\" if not known",
    "diabetes": "\"none\", \"controlled\" or \"uncontrolled\"; None or \"unknown\" if not known",
    "substances": "a list of substance names (an empty list: none); None or \"unknown\" if not known",
}


@dataclass(frozen=True)
class IntakeFieldInfo:
    """What an intake key means and which answers it takes."""

    key: str
    label: str
    question: str
    kind: str
    accepts: str


#: Every intake key: its question, its kind and the answers it accepts (from knowledge/screening.yaml).
INTAKE_FIELDS: dict[str, IntakeFieldInfo] = {
    f.key: IntakeFieldInfo(f.key, f.label, f.question, f.kind, _KIND_HELP[f.kind])
    for f in knowledge().screening.fields
}


@dataclass(frozen=True)
class Reason:
    """One finding: which rule (or intake problem), its class and action, why, what to do, and its sources."""

    rule_id: str  # a rule id, or "intake" for a missing/unknown/malformed answer or unknown key
    field: str
    finding: str
    rule_class: str  # "absolute", "relative", "precaution", or "intake"
    action: str  # "decline", "defer", "caution"
    text: str
    what_to_do: str
    sources: tuple[str, ...]  # source ids (empty for intake problems)
    curriculum_choice: str = ""
    disputed: bool = False

    @property
    def source(self) -> str:
        """The main source id ("" for an intake problem)."""
        return self.sources[0] if self.sources else ""

    def line(self) -> str:
        cites = " ".join(source_mark(s) for s in self.sources) if self.sources else "intake"
        extra = " Disputed in the sources." if self.disputed else ""
        choice = f" {self.curriculum_choice}" if self.curriculum_choice else ""
        return f"{self.action.upper()} — {self.finding}: {self.text} {self.what_to_do}{extra}{choice} {cites}"


@dataclass(frozen=True)
class ScreeningResult:
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for r in self.reasons for s in r.sources))

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(r.rule_id for r in self.reasons if r.rule_id != "intake")


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").split())


def _problem(key: str, text: str) -> Reason:
    return Reason("intake", key, f"Intake: {key}", "intake", "defer", text,
                  "Defer until the question is answered clearly.", ())


class _Unreadable(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _read(kind: str, value: object) -> object:
    """The answer as a clean value; None for unknown (except months_or_never: "never"); raises _Unreadable."""
    if isinstance(value, str) and _norm(value) == UNKNOWN:
        return UNKNOWN
    if kind == "yes_no":
        if value is None:
            return UNKNOWN
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and _norm(value) in ("yes", "no"):
            return _norm(value) == "yes"
        raise _Unreadable(f"got {type(value).__name__} {value!r}")
    if kind in ("age", "months_or_never"):
        if value is None or (isinstance(value, str) and _norm(value) == "never" and kind == "months_or_never"):
            return UNKNOWN if kind == "age" else "never"
        if isinstance(value, bool) or not isinstance(value, Real):
            raise _Unreadable(f"got {type(value).__name__} {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _Unreadable(f"got {value!r}") from None
        high = MAX_AGE_YEARS if kind == "age" else MAX_MONTHS
        if not math.isfinite(number) or not 0 <= number <= high:
            raise _Unreadable(f"got {value!r}, outside 0–{high:g}")
        return number
    if kind == "diabetes":
        if value is None:
            return UNKNOWN
        if isinstance(value, str) and _norm(value) in DIABETES_VALUES:
            return _norm(value)
        raise _Unreadable(f"got {type(value).__name__} {value!r}")
    # substances
    if value is None:
        return UNKNOWN
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise _Unreadable(f"got {type(value).__name__} {value!r}, not a list of names")
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _Unreadable(f"the item {item!r} is not a substance name")
        if name_key(item) not in NO_ALLERGY_WORDS:  # ["none"] means no allergy, not a substance named "none"
            names.append(_norm(item))
    return tuple(dict.fromkeys(names))


def _planned_check(check: str, allergies: tuple[str, ...], planned: tuple[str, ...]) -> tuple[bool, str]:
    """Planned ingredients against the cocktail knowledge base (allergen classes, forbidden ingredients)."""
    if check == "allergy_conflict":
        conflicts = allergy_conflicts(allergies, planned)
        text = "; ".join(c.text for c in conflicts)
        return bool(conflicts), f" {text[:1].upper()}{text[1:]}." if conflicts else ""
    if check == "other_anaesthetic_class":
        allergic_classes = {c.id for a in allergies for c in allergen_classes_of(a) if c.id.endswith("_anaesthetics")}
        others = [i for i in (find_ingredient(name) for name in planned)
                  if i is not None and i.anaesthetic_class and not allergic_classes & set(i.allergen_classes)]
        return bool(allergic_classes and others), (f" Planned: {', '.join(i.name for i in others)}."
                                                   if allergic_classes and others else "")
    if check == "never_inject":
        found = [i for i in (find_ingredient(name) for name in planned) if i is not None and i.blocked_by_rule]
        return bool(found), f" Planned: {', '.join(i.name for i in found)}." if found else ""
    # allergy_unchecked: an allergy and something MesoLab cannot match, or no plan yet
    if not allergies:
        return False, ""
    unmatched_allergies = [a for a in allergies if not recognised_allergy(a)]
    unknown_planned = [p for p in planned if find_ingredient(p) is None]
    details = []
    if unmatched_allergies:
        details.append(f"allergies not matched: {', '.join(unmatched_allergies)}")
    if unknown_planned:
        details.append(f"ingredients not in MesoLab's base: {', '.join(unknown_planned)}")
    if not planned:
        details.append("no ingredients planned yet")
    return bool(details), f" ({'; '.join(details)})." if details else ""


def _fires(rule: Rule, answers: Mapping[str, object]) -> tuple[bool, str]:
    """Whether a rule fires on the readable answers, and a detail for the reason text."""
    t = rule.trigger
    value = answers.get(t.field, UNKNOWN)
    if value == UNKNOWN:
        return False, ""
    if t.planned is not None:
        allergies, planned = answers.get("allergies", UNKNOWN), answers.get("planned_ingredients", UNKNOWN)
        if allergies == UNKNOWN or planned == UNKNOWN:
            return False, ""
        return _planned_check(t.planned, allergies, planned)  # type: ignore[arg-type]
    if t.count_at_least is not None:
        return len(value) >= t.count_at_least, f" Listed: {', '.join(value)}."  # type: ignore[arg-type]
    if t.below is not None:
        return value != "never" and value < t.below, ""  # type: ignore[operator]
    return value == t.equals, ""


def _reason(rule: Rule, detail: str) -> Reason:
    return Reason(rule.id, rule.trigger.field, rule.finding, rule.rule_class, rule.action, rule.reason + detail,
                  rule.what_to_do, rule.sources, rule.curriculum_choice, rule.dispute is not None)


def screen(intake: Mapping[str, object]) -> ScreeningResult:
    """Screen a patient's intake answers: outcome ("proceed", "caution", "defer", "decline") and sourced reasons.

    Raises ValueError only if ``intake`` is not a mapping; every problem inside it becomes a "defer" reason.
    """
    if not isinstance(intake, Mapping):
        raise ValueError(f"intake must be a mapping of question keys to answers (e.g. a dict), got "
                         f"{type(intake).__name__}; keys: {', '.join(INTAKE_FIELDS)}")
    problems: list[Reason] = []
    answers: dict[str, object] = {}
    for key in intake:
        if key not in INTAKE_FIELDS:
            problems.append(_problem(str(key) if isinstance(key, str) else repr(key),
                                     f"Unknown intake key {key!r}: it is not a MesoLab question, so its answer "
                                     f"was not read (a typo?). Valid keys: {', '.join(INTAKE_FIELDS)}."))
    for key, info in INTAKE_FIELDS.items():
        if key not in intake:
            problems.append(_problem(key, f"Missing answer: {info.question} Expected {info.accepts}."))
            answers[key] = UNKNOWN
            continue
        try:
            answers[key] = value = _read(info.kind, intake[key])
        except _Unreadable as error:
            problems.append(_problem(key, f"Malformed answer to '{info.question}' ({error.text}). "
                                          f"Expected {info.accepts}."))
            answers[key] = UNKNOWN
            continue
        if value == UNKNOWN:
            problems.append(_problem(key, f"Unknown answer: {info.question} Ask the patient."))
    findings = []
    for rule in knowledge().screening.rules:
        fired, detail = _fires(rule, answers)
        if fired:
            findings.append(_reason(rule, detail))
    reasons = tuple(sorted(findings, key=lambda r: -OUTCOMES.index(r.action))) + tuple(problems)
    outcome = max((r.action for r in reasons), key=OUTCOMES.index, default="proceed")
    return ScreeningResult(outcome, reasons)  # type: ignore[arg-type]


def rules() -> tuple[Rule, ...]:
    """The screening rules from the knowledge base, in their order."""
    return tuple(knowledge().screening.rules)


def rule(rule_id: str) -> Rule:
    for r in knowledge().screening.rules:
        if r.id == rule_id:
            return r
    raise ValueError(f"unknown screening rule {rule_id!r}; valid rules: "
                     f"{', '.join(r.id for r in knowledge().screening.rules)}")


def healthy_adult() -> dict[str, object]:
    """An intake with every question answered and nothing relevant: the result is "proceed"."""
    values = {"yes_no": False, "age": 30, "months_or_never": None, "diabetes": "none", "substances": []}
    return {key: values[info.kind] for key, info in INTAKE_FIELDS.items()}
