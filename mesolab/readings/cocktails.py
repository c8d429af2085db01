"""Module 04, cocktail builder: what it says for a goal, a patient and the ingredient volumes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..cocktails import CocktailCheck, check_cocktail, lidocaine_limit, max_volume_ml, rule, source_mark
from ..knowledge import knowledge

_STATUS = {"blocked": "⛔ BLOCKED", "caution": "⚠ caution", "ok": "✔ allowed"}


@dataclass(frozen=True)
class CocktailReading:
    """What the builder says for one set of choices."""

    goal: str
    check: CocktailCheck | None  # None: nothing added yet
    weight_kg: float
    lidocaine_percent: float
    face: bool
    with_epinephrine: bool
    allergies: tuple[str, ...] = ()

    @property
    def limit(self):
        return (self.check.limit if self.check else
                lidocaine_limit(self.weight_kg, self.with_epinephrine, reduce_for=("face_neck",) if self.face else ()))

    @property
    def lidocaine_mg(self) -> float:
        return self.check.lidocaine_mg if self.check else 0.0

    @property
    def lines(self) -> tuple[str, ...]:
        """One line per ingredient: status, volume, reasons, evidence for the goal."""
        if self.check is None:
            return ("No ingredient added yet: give an ingredient a volume above 0 mL.",)
        out = []
        for verdict in self.check.verdicts:
            reasons = " ".join(verdict.reasons)
            text = (f"{_STATUS[verdict.status]} — {verdict.ingredient.name}, {verdict.volume_ml:g} mL. "
                    + (f"{reasons} " if reasons else "") + f"Evidence for this goal: {verdict.goal_evidence}.")
            out.append(text.replace("..", "."))
        return tuple(out)

    @property
    def summary(self) -> str:
        """The anaesthetic line: total against the ceiling, the largest volume, and the blocked count."""
        limit = self.limit
        fits = max_volume_ml(limit.ceiling_mg, self.lidocaine_percent)
        state = "OVER the ceiling" if self.lidocaine_mg > limit.ceiling_mg + 1e-9 else "within the ceiling"
        text = (f"Lidocaine {self.lidocaine_mg:g} mg ({self.lidocaine_percent:g} % = "
                f"{self.lidocaine_percent * 10:g} mg/mL): {state} of {limit.ceiling_mg:g} mg; at most "
                f"{fits:g} mL of {self.lidocaine_percent:g} % lidocaine. {limit.text}")
        blocked = len(self.check.blocked) if self.check else 0
        if blocked:
            text += f" {blocked} ingredient(s) blocked: remove them."
        unmatched = self.check.unrecognised_allergies if self.check else ()
        if unmatched:
            text += (f" Allergies MesoLab cannot match to an ingredient: {', '.join(unmatched)} — check every "
                     f"product's full composition, preservatives included, by hand.")
        asepsis = rule("single_use_asepsis")
        text += f" Always: {asepsis.title.lower()} {' '.join(source_mark(w.source) for w in asepsis.why)}."
        return text


def allergy_names(boxes: Sequence[str] = (), typed: str = "") -> tuple[str, ...]:
    """The allergies of the form: the ticked classes plus the names typed, comma- or semicolon-separated."""
    typed_names = [part.strip() for part in typed.replace(";", ",").split(",") if part.strip()]
    return tuple(dict.fromkeys([*boxes, *typed_names]))


def read_cocktail(goal: str = "atrophic_scars", volumes_ml: Mapping[str, float] | None = None,
                  allergies: Sequence[str] = (), weight_kg: float = 60.0, lidocaine_percent: float = 1.0,
                  with_epinephrine: bool = False, face: bool = True) -> CocktailReading:
    """Compute what the builder shows; ingredients at 0 mL are not in the cocktail. Bad input -> ValueError."""
    volumes = {name: volume for name, volume in (volumes_ml or {}).items() if volume}
    allergies = (allergies,) if isinstance(allergies, str) else tuple(allergies)
    reduce_for = ("face_neck",) if face else ()
    if volumes:
        check = check_cocktail(goal, volumes, allergies, weight_kg, lidocaine_percent, with_epinephrine,
                               reduce_for=reduce_for)
        goal_id = check.goal
    else:
        check = None
        check_cocktail(goal, {"lidocaine": 0.0}, allergies, weight_kg, lidocaine_percent, with_epinephrine,
                       reduce_for=reduce_for)  # validate the other inputs all the same
        goal_id = goal
    return CocktailReading(goal_id, check, float(weight_kg), float(lidocaine_percent), face, with_epinephrine,
                           allergies)


def goal_choices() -> list[tuple[str, str]]:
    """(name, id) of every treatment goal, in the knowledge base's order: the builder's goal list."""
    return [(name, goal) for goal, name in knowledge().cocktails.goals.items()]
