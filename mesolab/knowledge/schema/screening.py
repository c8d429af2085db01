"""Schema of screening.yaml: the intake questions and the screening rules (module 05).

Each rule says which intake field and value triggers it, its class (absolute, relative, precaution),
the action (decline, defer, caution), the reason, what to do, and its sources. Disputed items carry
both views and the cautious choice MesoLab applies.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict

FieldKind = Literal["yes_no", "age", "months_or_never", "diabetes", "substances"]
RuleClass = Literal["absolute", "relative", "precaution"]
Action = Literal["decline", "defer", "caution"]

#: The action each class leads to: the loader refuses a rule that breaks this.
CLASS_ACTION: dict[str, str] = {"absolute": "decline", "relative": "defer", "precaution": "caution"}


class IntakeField(Strict):
    """One intake question: the key in the intake mapping, what to ask, and the kind of answer."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str  # short, for the form
    question: str  # what to ask the patient
    kind: FieldKind


class Trigger(Strict):
    """When a rule fires. Exactly one condition: ``equals``, ``below``, ``count_at_least`` or ``planned``.

    ``planned`` compares the planned ingredients with the cocktail knowledge base (``cocktails.yaml``):
    ``allergy_conflict`` an allergy blocks one of them (same substance or allergen class); ``never_inject`` one
    of them is forbidden in any cocktail (antibiotics, alcohol- or oil-based); ``allergy_unchecked`` an allergy
    or a planned ingredient MesoLab cannot match, so the composition must be checked by hand;
    ``other_anaesthetic_class`` an allergy to one anaesthetic class while an anaesthetic of the other is planned.
    """

    field: str
    equals: bool | str | None = None  # yes_no: true; diabetes: "uncontrolled"
    below: float | None = Field(default=None, gt=0)  # age_years, isotretinoin months
    count_at_least: int | None = Field(default=None, ge=1)  # allergies: how many substances
    planned: Literal["allergy_conflict", "never_inject", "allergy_unchecked", "other_anaesthetic_class"] | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> "Trigger":
        conditions = [self.equals is not None, self.below is not None, self.count_at_least is not None,
                      self.planned is not None]
        if sum(conditions) != 1:
            raise ValueError(f"trigger on {self.field!r}: give exactly one of equals, below, count_at_least, "
                             f"planned")
        return self


class View(Sourced):
    """One side of a disagreement, with its source."""

    says: str


class Dispute(Strict):
    views: list[View] = Field(min_length=2)
    cautious_choice: str


class Rule(Sourced):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    finding: str  # what was found, in a few words
    trigger: Trigger
    rule_class: RuleClass
    action: Action
    reason: str  # why it matters
    what_to_do: str
    also: list[Sourced] = []  # further sources, each with what it adds in its note
    curriculum_choice: str = ""  # non-empty where the action is MesoLab's cautious choice, not a source's
    dispute: Dispute | None = None

    @model_validator(mode="after")
    def _class_matches_action(self) -> "Rule":
        if CLASS_ACTION[self.rule_class] != self.action:
            raise ValueError(f"rule {self.id}: a {self.rule_class} finding leads to "
                             f"{CLASS_ACTION[self.rule_class]!r}, not {self.action!r}")
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        ids = [self.source, *(s.source for s in self.also)]
        if self.dispute:
            ids += [view.source for view in self.dispute.views]
        return tuple(dict.fromkeys(ids))


class Screening(Strict):
    split_note: Sourced  # where the absolute/relative split comes from (and that it is MesoLab's reading)
    fields: list[IntakeField]
    rules: list[Rule]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Screening":
        kinds = {f.key: f.kind for f in self.fields}
        if len(kinds) != len(self.fields):
            raise ValueError("duplicate intake field key")
        ids = [rule.id for rule in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate rule id")
        for rule in self.rules:
            t = rule.trigger
            if t.field not in kinds:
                raise ValueError(f"rule {rule.id}: unknown intake field {t.field!r}")
            kind = kinds[t.field]
            ok = {"yes_no": t.equals is True, "diabetes": t.equals in ("controlled", "uncontrolled"),
                  "age": t.below is not None, "months_or_never": t.below is not None,
                  "substances": t.count_at_least is not None or t.planned is not None}[kind]
            if not ok:
                raise ValueError(f"rule {rule.id}: its trigger does not fit the {kind} field {t.field!r}")
        return self
