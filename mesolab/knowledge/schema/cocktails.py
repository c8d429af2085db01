"""Schema of cocktails.yaml: mesotherapy ingredients, the rules a cocktail builder enforces, anaesthetic doses.

Every ingredient says what the sources give for it, honestly graded by ``evidence_level``:

- ``injected_trial``: a controlled trial of the injected substance exists (it may be small);
- ``injected_small_studies``: only small uncontrolled studies, or studies of a related product;
- ``other_route_only``: evidence exists only for another route (e.g. topical) or another condition;
- ``none_found``: no evidence of benefit found; ``evidence`` then says what was looked for.

Dose limits carry their numbers and their source; the groups for which the sources advise a lower
limit without giving a figure are listed in ``reductions`` with ``figure: none`` made explicit.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict

Goal = Literal["active_acne", "post_acne_marks", "atrophic_scars"]
EvidenceLevel = Literal["injected_trial", "injected_small_studies", "other_route_only", "none_found"]
Kind = Literal["active", "anaesthetic", "antibiotic", "vehicle"]
AnaestheticClass = Literal["amide", "ester"]


class Statement(Sourced):
    """One sourced sentence."""

    says: str = Field(min_length=3)


class GoalEvidence(Sourced):
    """What the sources say about an ingredient for one treatment goal."""

    goal: Goal
    level: EvidenceLevel
    says: str = Field(min_length=3)


class Ingredient(Strict):
    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    also_called: list[str] = Field(default_factory=list)
    kind: Kind
    anaesthetic_class: AnaestheticClass | None = None
    allergen_classes: list[str] = Field(default_factory=list)  # ids in Cocktails.allergen_classes
    blocked_by_rule: str | None = None  # a rule id that forbids it in any cocktail
    mechanism: Statement
    evidence_level: EvidenceLevel
    evidence: list[Statement] = Field(min_length=1)
    goals: list[GoalEvidence] = Field(default_factory=list)  # goals not listed: no evidence for that goal
    reactions: Statement
    regulatory: Statement | None = None

    @model_validator(mode="after")
    def _class_only_for_anaesthetics(self) -> "Ingredient":
        if (self.kind == "anaesthetic") != (self.anaesthetic_class is not None):
            raise ValueError("an anaesthetic needs anaesthetic_class (amide or ester); nothing else has one")
        if self.anaesthetic_class and f"{self.anaesthetic_class}_anaesthetics" not in self.allergen_classes:
            raise ValueError(f"{self.id}: an {self.anaesthetic_class} anaesthetic belongs to the allergen class "
                             f"{self.anaesthetic_class}_anaesthetics")
        goals = [g.goal for g in self.goals]
        if len(goals) != len(set(goals)):
            raise ValueError("one entry per goal")
        return self


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    title: str
    why: list[Statement] = Field(min_length=1)


class DoseLimit(Strict):
    """A lidocaine limit: mg per kg body weight, and a total cap in mg (None: the sources give none)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: Literal["adult", "child", "infant_under_6_months"]
    with_epinephrine: bool
    mg_per_kg_low: float = Field(gt=0, le=10)
    mg_per_kg_high: float = Field(gt=0, le=10)
    cap_mg: float | None = Field(default=None, gt=0, le=1000)
    reduce_by_fraction: float = Field(default=0.0, ge=0, lt=1)  # applied to the child limit for young infants
    limit: Statement

    @model_validator(mode="after")
    def _ordered(self) -> "DoseLimit":
        if self.mg_per_kg_low > self.mg_per_kg_high:
            raise ValueError("mg_per_kg_low is above mg_per_kg_high")
        return self


class Reduction(Strict):
    """A patient group or site for which the sources advise a lower limit; ``figure: none`` = no number given."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    figure: Literal["none"]
    advice: Statement


class AllergenClass(Sourced):
    """Substances that count as one allergen: an allergy to any name blocks every ingredient in the class."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    names: list[str] = Field(min_length=1)  # lower case, underscores for spaces and hyphens


class Concentration(Sourced):
    mg_per_ml_per_percent: float = Field(gt=0)
    says: str


class Regulation(Statement):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    approved: bool  # True: a product the statement describes as approved (and for what)


class Outbreak(Statement):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


class Cocktails(Strict):
    goals: dict[Goal, str]
    ingredients: list[Ingredient] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)
    lidocaine_limits: list[DoseLimit] = Field(min_length=1)
    reductions: list[Reduction]
    concentration: Concentration
    allergen_classes: list[AllergenClass]
    class_note: Statement  # amide vs ester cross-reactivity
    outbreaks: list[Outbreak]
    regulation: list[Regulation]

    @model_validator(mode="after")
    def _consistent(self) -> "Cocktails":
        for items, what in ((self.ingredients, "ingredient"), (self.rules, "rule"),
                            (self.lidocaine_limits, "dose limit"), (self.reductions, "reduction")):
            ids = [item.id for item in items]
            duplicates = {i for i in ids if ids.count(i) > 1}
            if duplicates:
                raise ValueError(f"duplicate {what} id(s): {', '.join(sorted(duplicates))}")
        rules = {rule.id for rule in self.rules}
        for ingredient in self.ingredients:
            if ingredient.blocked_by_rule is not None and ingredient.blocked_by_rule not in rules:
                raise ValueError(f"{ingredient.id}: unknown rule {ingredient.blocked_by_rule!r}")
        classes = {c.id for c in self.allergen_classes}
        for ingredient in self.ingredients:
            unknown = set(ingredient.allergen_classes) - classes
            if unknown:
                raise ValueError(f"{ingredient.id}: unknown allergen class(es) {', '.join(sorted(unknown))}")
        for allergen in self.allergen_classes:
            bad = [n for n in allergen.names if n != n.lower() or " " in n or "-" in n]
            if bad:
                raise ValueError(f"allergen class {allergen.id}: write names in lower case with underscores: {bad}")
        keys = {(d.group, d.with_epinephrine) for d in self.lidocaine_limits}
        if len(keys) != len(self.lidocaine_limits):
            raise ValueError("one dose limit per group and epinephrine setting")
        return self


__all__ = ["AllergenClass", "Cocktails", "DoseLimit", "GoalEvidence", "Ingredient", "Reduction", "Rule", "Statement"]
