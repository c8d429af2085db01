"""Cocktail selection: ingredients with their evidence, the safety rules of a builder, lidocaine dose limits.

Pure functions over the knowledge base (``cocktails.yaml``). Volumes in mL, weights in kg, doses in mg.

Dose limits and the groups without a figure
-------------------------------------------
The sources give mg/kg limits for adults and children, but for elderly patients, hepatic, renal or cardiac
impairment, pregnancy and injections on the face or neck they only say *reduce*, with no number.
MesoLab does not invent one:

- :func:`lidocaine_limit` always answers, and returns the ceiling the sources do give together with
  ``reduce_further`` (the groups that apply) and ``lower_limit_advised`` = True;
- :func:`lidocaine_limit_mg` returns a bare number only when no such factor applies; with one it raises
  ValueError, so that a plain adult ceiling is never passed off as the limit for such a patient.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ._validate import one_of, real_number
from .knowledge import knowledge, source_mark
from .knowledge.schema.cocktails import AllergenClass, DoseLimit, Ingredient, Rule

#: The treatment goals and the patient groups with lidocaine limits, in the knowledge base's order.
GOALS: tuple[str, ...] = tuple(knowledge().cocktails.goals)
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(d.group for d in knowledge().cocktails.lidocaine_limits))
#: The anaesthetic the dose limits are for (``lidocaine_limits``); any other anaesthetic has no checkable dose.
DOSED_ANAESTHETIC = "lidocaine"
#: Input limits: body weight of a newborn to a heavy adult; a cocktail volume per ingredient per session.
WEIGHT_RANGE_KG = (2.0, 250.0)
MAX_VOLUME_ML = 100.0
PERCENT_RANGE = (0.0, 10.0)
EVIDENCE_NAMES = {"injected_trial": "controlled trial of the injection",
                  "injected_small_studies": "small injection studies only",
                  "other_route_only": "other route or condition only",
                  "none_found": "no evidence found"}
#: Allergy entries that mean "no allergy" (a trainee may type them into a list).
NO_ALLERGY_WORDS = frozenset({"none", "no", "nil", "nka", "nkda", "no_known_allergies", "no_known_drug_allergies"})
_GROUP_ALIASES = {"adults": "adult", "children": "child", "infant": "infant_under_6_months",
                  "infant_under_6_mo": "infant_under_6_months"}


def _base():
    return knowledge().cocktails


def ingredient_ids() -> tuple[str, ...]:
    return tuple(i.id for i in _base().ingredients)


def name_key(name: str) -> str:
    """How names are compared: lower case, spaces and hyphens as underscores ('Sodium hyaluronate' -> 'sodium_hyaluronate')."""
    return "_".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def _aliases() -> dict[str, str]:
    return {name_key(alias): i.id for i in _base().ingredients for alias in i.also_called}


def ingredient(name: str) -> Ingredient:
    """An ingredient by id or common name ('PDRN', 'Novocaine', 'vitamin C'...); unknown -> ValueError listing all."""
    ingredient_id = one_of("ingredient", name, ingredient_ids(), aliases=_aliases())
    return next(i for i in _base().ingredients if i.id == ingredient_id)


def find_ingredient(name: str) -> Ingredient | None:
    """Like :func:`ingredient`, but None for a name the knowledge base does not know."""
    if not isinstance(name, str):
        return None
    key = name_key(name)
    ingredient_id = key if key in ingredient_ids() else _aliases().get(key)
    return next((i for i in _base().ingredients if i.id == ingredient_id), None)


def rule(rule_id: str) -> Rule:
    rule_id = one_of("rule", rule_id, tuple(r.id for r in _base().rules))
    return next(r for r in _base().rules if r.id == rule_id)


def allergen_classes_of(allergy: str) -> tuple[AllergenClass, ...]:
    """The allergen classes an allergy belongs to: by name ('articaine', 'amide anaesthetics') or by ingredient."""
    key = name_key(allergy)
    found = find_ingredient(allergy)
    return tuple(c for c in _base().allergen_classes
                 if key in c.names or (found is not None and c.id in found.allergen_classes))


@dataclass(frozen=True)
class AllergyConflict:
    """An ingredient that an allergy blocks: the same substance, or one of the same allergen class."""

    ingredient: Ingredient
    allergy: str  # as the patient named it
    allergen_class: AllergenClass | None  # None: the same substance

    @property
    def sources(self) -> tuple[str, ...]:
        if self.allergen_class is None:
            return (rule("allergy").why[0].source,)
        return (self.allergen_class.source,)

    @property
    def text(self) -> str:
        if self.allergen_class is None:
            return f"allergy to {self.allergy.replace('_', ' ')}: {self.ingredient.name} is that substance"
        return (f"allergy to {self.allergy.replace('_', ' ')}: {self.ingredient.name} is one of the {self.allergen_class.name}, "
                f"and an allergy to one blocks the class {source_mark(self.allergen_class.source)}")


def _allergy_names(allergies: Iterable[str]) -> tuple[str, ...]:
    if isinstance(allergies, str):
        allergies = (allergies,)
    names = []
    for allergy in allergies:
        if not isinstance(allergy, str) or not allergy.strip():
            raise ValueError(f"an allergy must be a substance name (text), got {allergy!r}")
        if name_key(allergy) not in NO_ALLERGY_WORDS:
            names.append(allergy.strip())
    return tuple(names)


def allergy_conflicts(allergies: Iterable[str], ingredients: Iterable[str]) -> tuple[AllergyConflict, ...]:
    """Every (ingredient, allergy) pair where the allergy blocks the ingredient; unknown ingredient names are skipped.

    >>> [c.ingredient.id for c in allergy_conflicts(["articaine"], ["lidocaine", "procaine"])]
    ['lidocaine']
    """
    conflicts = []
    for name in ingredients:
        chosen = find_ingredient(name)
        if chosen is None:
            continue
        for allergy in _allergy_names(allergies):
            same = find_ingredient(allergy)
            if same is not None and same.id == chosen.id:
                conflicts.append(AllergyConflict(chosen, allergy, None))
                continue
            shared = [c for c in allergen_classes_of(allergy) if c.id in chosen.allergen_classes]
            if shared:
                conflicts.append(AllergyConflict(chosen, allergy, shared[0]))
    return tuple(conflicts)


def recognised_allergy(allergy: str) -> bool:
    """Whether MesoLab can match this allergy to an ingredient or an allergen class (else: check by hand)."""
    return find_ingredient(allergy) is not None or bool(allergen_classes_of(allergy))


def cross_reactive(name: str) -> tuple[str, ...]:
    """The ingredient ids an allergy to ``name`` blocks: the substance itself and its allergen class.

    An allergy to one anaesthetic blocks its whole class; the other class is not blocked, since an ester allergy
    does not imply an amide allergy [Kouba16].

    >>> cross_reactive("procaine")
    ('procaine',)
    >>> cross_reactive("articaine")
    ('lidocaine',)
    """
    return tuple(c.ingredient.id for c in allergy_conflicts([name], ingredient_ids()))


# ---- doses ---------------------------------------------------------------------------------------------------

def mg_per_ml(percent: float) -> float:
    """Concentration in mg/mL of a solution given in %: 1 % = 10 mg/mL (1 g per 100 mL)."""
    value = real_number("percent", percent, *PERCENT_RANGE, "%")
    return value * _base().concentration.mg_per_ml_per_percent


def reduction_ids() -> tuple[str, ...]:
    return tuple(r.id for r in _base().reductions)


@dataclass(frozen=True)
class LidocaineLimit:
    """A lidocaine limit for one patient, with where each number comes from."""

    weight_kg: float
    group: str
    with_epinephrine: bool
    mg_per_kg: float
    mg_per_kg_range: tuple[float, float]
    cap_mg: float | None
    ceiling_mg: float  # the limit the sources give for this group; lower still if reduce_further is not empty
    reduce_further: tuple[str, ...]  # reduction ids that apply: the sources say 'reduce', no figure
    limit: DoseLimit

    @property
    def lower_limit_advised(self) -> bool:
        return bool(self.reduce_further)

    @property
    def sources(self) -> tuple[str, ...]:
        reductions = [r.advice.source for r in _base().reductions if r.id in self.reduce_further]
        return tuple(dict.fromkeys([self.limit.limit.source, *reductions]))

    @property
    def text(self) -> str:
        """The limit in words: the arithmetic, the cap, the source, and any 'reduce further' without a figure."""
        epi = "with epinephrine" if self.with_epinephrine else "plain"
        low, high = self.mg_per_kg_range
        rate = f"{self.mg_per_kg:g} mg/kg"
        if low != high:
            rate += f" (low end of {low:g}–{high:g} mg/kg: the cautious choice)"
        if self.limit.reduce_by_fraction:
            rate += f", reduced by {self.limit.reduce_by_fraction:.0%} for infants under 6 months"
        product = self.weight_kg * self.mg_per_kg
        capped = self.cap_mg is not None and product > self.cap_mg
        text = (f"Lidocaine {epi}, {self.group.replace('_', ' ')} {self.weight_kg:g} kg: {rate} × {self.weight_kg:g} kg "
                f"= {product:g} mg")
        if capped:
            text += f", above the {self.cap_mg:g} mg cap → {self.ceiling_mg:g} mg"
        elif self.cap_mg is not None:
            text += f" (under the {self.cap_mg:g} mg cap)"
        text += f" {source_mark(self.limit.limit.source)}."
        if self.reduce_further:
            names = ", ".join(r.name for r in _base().reductions if r.id in self.reduce_further)
            marks = " ".join(source_mark(s) for s in dict.fromkeys(
                r.advice.source for r in _base().reductions if r.id in self.reduce_further))
            text += (f" Lower limit advised ({names}); amount not given in the sources, so "
                     f"{self.ceiling_mg:g} mg is a ceiling, not a target {marks}.")
        return text


def lidocaine_limit(weight_kg: float, with_epinephrine: bool = False, group: str = "adult",
                    reduce_for: Iterable[str] = ()) -> LidocaineLimit:
    """The lidocaine limit for a patient: weight × mg/kg, at most the cap; flags the groups needing a lower limit.

    ``reduce_for`` lists reduction ids (elderly, hepatic_impairment, renal_impairment, cardiac_disease,
    pregnancy, face_neck): the sources advise a lower limit for them but give no figure, so the result keeps
    the ceiling and sets ``lower_limit_advised``. For children the low end of the published mg/kg range is used.

    >>> lidocaine_limit(60).ceiling_mg
    270.0
    """
    weight = real_number("weight_kg", weight_kg, *WEIGHT_RANGE_KG, "kg")
    if not isinstance(with_epinephrine, bool):
        raise ValueError(f"with_epinephrine must be True or False, got {with_epinephrine!r}")
    chosen_group = one_of("group", group, GROUPS, aliases=_GROUP_ALIASES)
    if isinstance(reduce_for, str):
        reduce_for = (reduce_for,)
    reductions = tuple(dict.fromkeys(one_of("reduction", r, reduction_ids()) for r in reduce_for))
    limit = next(d for d in _base().lidocaine_limits
                 if d.group == chosen_group and d.with_epinephrine == with_epinephrine)
    rate = limit.mg_per_kg_low * (1 - limit.reduce_by_fraction)
    cap = limit.cap_mg
    if cap is None:  # no cap given for children: never above the adult cap for the same preparation
        cap = next(d.cap_mg for d in _base().lidocaine_limits
                   if d.group == "adult" and d.with_epinephrine == with_epinephrine)
    ceiling = min(weight * rate, cap)
    return LidocaineLimit(weight, chosen_group, with_epinephrine, round(rate, 6),
                          (limit.mg_per_kg_low, limit.mg_per_kg_high), cap, round(ceiling, 6), reductions, limit)


def lidocaine_limit_mg(weight_kg: float, with_epinephrine: bool = False, group: str = "adult",
                       reduce_for: Iterable[str] = ()) -> float:
    """The maximum lidocaine dose in mg; refuses (ValueError) when the sources advise an unquantified reduction.

    >>> lidocaine_limit_mg(60)            # 4.5 mg/kg × 60 kg, under the 300 mg cap
    270.0
    >>> lidocaine_limit_mg(80, True)      # 7 mg/kg × 80 kg = 560 mg, capped
    500.0
    """
    result = lidocaine_limit(weight_kg, with_epinephrine, group, reduce_for)
    if result.lower_limit_advised:
        raise ValueError(f"the sources advise a lower limit for {', '.join(result.reduce_further)} but give no "
                         f"figure; lidocaine_limit(...) returns the {result.ceiling_mg:g} mg ceiling with that flag")
    return result.ceiling_mg


def max_volume_ml(limit_mg: float, percent: float) -> float:
    """The largest volume (mL) of a ``percent`` solution that stays within ``limit_mg``.

    >>> max_volume_ml(270, 1)
    27.0
    """
    limit = real_number("limit_mg", limit_mg, 0.0, 1000.0, "mg")
    concentration = mg_per_ml(percent)
    if concentration == 0:
        raise ValueError("percent must be above 0 to compute a volume")
    return round(limit / concentration, 6)


# ---- checking a cocktail ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """What the builder says about one ingredient of a cocktail."""

    ingredient: Ingredient
    volume_ml: float
    status: str  # "blocked", "caution" or "ok"
    reasons: tuple[str, ...]
    sources: tuple[str, ...]
    goal_evidence: str  # the evidence for the patient's goal, in words with its source

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"


@dataclass(frozen=True)
class CocktailCheck:
    goal: str
    weight_kg: float
    verdicts: tuple[Verdict, ...]
    lidocaine_mg: float
    limit: LidocaineLimit
    lidocaine_percent: float
    unrecognised_allergies: tuple[str, ...] = ()  # allergies MesoLab cannot match: check the composition by hand

    @property
    def blocked(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.blocked)

    @property
    def over_limit(self) -> bool:
        return self.lidocaine_mg > self.limit.ceiling_mg + 1e-9

    @property
    def safe_to_prepare(self) -> bool:
        """No blocked ingredient, lidocaine within the ceiling; never a licence to inject (see the rules)."""
        return not self.blocked and not self.over_limit


def _goal_evidence(chosen: Ingredient, goal: str) -> tuple[str, str]:
    for entry in chosen.goals:
        if entry.goal == goal:
            return f"{EVIDENCE_NAMES[entry.level]}: {entry.says} {source_mark(entry.source)}", entry.level
    if chosen.kind == "anaesthetic":
        return "an anaesthetic: no effect on the goal; it only makes injections hurt less", "none_found"
    first = chosen.evidence[0]
    return (f"no evidence found for this goal (what the sources give at all: {first.says} "
            f"{source_mark(first.source)})", "none_found")


def check_cocktail(goal: str, ingredients: Mapping[str, float], allergies: Iterable[str] = (),
                   weight_kg: float = 60.0, lidocaine_percent: float = 1.0, with_epinephrine: bool = False,
                   group: str = "adult", reduce_for: Iterable[str] = ()) -> CocktailCheck:
    """A verdict per ingredient (blocked / caution / ok, with reasons and sources) and the lidocaine total.

    Blocking rules: antibiotics (no_antibiotics), alcohol- or oil-based substances (no_alcohol_or_oil), and
    any allergy to the ingredient or to its allergen class, e.g. amide anaesthetics (allergy). Caution: no
    evidence for the goal, and any anaesthetic but lidocaine (procaine), whose dose the sources give no limit for. Allergies MesoLab cannot
    match to any ingredient or class are listed in ``unrecognised_allergies`` (check the product by hand).
    """
    chosen_goal = one_of("goal", goal, GOALS)
    if not isinstance(ingredients, Mapping) or not ingredients:
        raise ValueError("ingredients must be a non-empty mapping of ingredient name -> volume in mL")
    allergy_names = _allergy_names(allergies)
    limit = lidocaine_limit(weight_kg, with_epinephrine, group, reduce_for)
    percent = real_number("lidocaine_percent", lidocaine_percent, *PERCENT_RANGE, "%")
    verdicts, lidocaine_ml, seen = [], 0.0, set()
    for name, volume in ingredients.items():
        chosen = ingredient(name)
        if chosen.id in seen:
            raise ValueError(f"{chosen.name} is listed twice; give one total volume")
        seen.add(chosen.id)
        ml = real_number(f"volume of {chosen.id}", volume, 0.0, MAX_VOLUME_ML, "mL")
        reasons, sources, status = [], [], "ok"
        if chosen.blocked_by_rule:
            blocking = rule(chosen.blocked_by_rule)
            status = "blocked"
            reasons.append(f"{blocking.title}: " + "; ".join(f"{w.says} {source_mark(w.source)}" for w in blocking.why)
                           + ".")
            sources += [w.source for w in blocking.why]
        conflicts = allergy_conflicts(allergy_names, [chosen.id])
        if conflicts:
            status = "blocked"
            reasons.append("Allergy: " + "; ".join(c.text for c in conflicts) + ".")
            sources += [src for c in conflicts for src in c.sources]
        evidence, level = _goal_evidence(chosen, chosen_goal)
        if status != "blocked":
            if chosen.kind == "anaesthetic" and chosen.id != DOSED_ANAESTHETIC:
                status = "caution"
                reasons += [f"{e.says} {source_mark(e.source)}: the builder cannot check its dose."
                            for e in chosen.evidence]
                sources += [e.source for e in chosen.evidence]
            elif chosen.kind == "active" and level == "none_found":
                status = "caution"
                reasons.append("No evidence for this goal in the sources.")
        if chosen.id == DOSED_ANAESTHETIC:
            lidocaine_ml += ml
        sources.append(chosen.evidence[0].source)
        verdicts.append(Verdict(chosen, ml, status, tuple(reasons), tuple(dict.fromkeys(sources)), evidence))
    unrecognised = tuple(a for a in allergy_names if not recognised_allergy(a))
    return CocktailCheck(chosen_goal, limit.weight_kg, tuple(verdicts), round(lidocaine_ml * mg_per_ml(percent), 6),
                         limit, percent, unrecognised)


def evidence_for_goal(goal: str) -> tuple[tuple[Ingredient, str, str], ...]:
    """Every active ingredient with its evidence level and text for ``goal``, best evidence first."""
    chosen_goal = one_of("goal", goal, GOALS)
    order = list(EVIDENCE_NAMES)
    rows = []
    for chosen in _base().ingredients:
        if chosen.kind != "active":
            continue
        text, level = _goal_evidence(chosen, chosen_goal)
        rows.append((chosen, level, text))
    return tuple(sorted(rows, key=lambda row: order.index(row[1])))
