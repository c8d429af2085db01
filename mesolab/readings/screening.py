"""Module 05, intake form: the intake mapping a filled form stands for, and what the result panel says."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..screening import INTAKE_FIELDS, UNKNOWN, ScreeningResult, screen

OUTCOME_TEXT = {
    "proceed": "PROCEED — nothing found that stops or delays treatment.",
    "caution": "PROCEED WITH PRECAUTIONS (caution) — see what to do below.",
    "defer": "DEFER — not today: resolve every point below first.",
    "decline": "DECLINE — do not give this treatment.",
}

def _names(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _number_or_text(text: str) -> object:
    text = text.strip()
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def form_intake(values: Mapping[str, object]) -> dict[str, object]:
    """The intake mapping for what the form holds.

    ``values`` has one entry per intake key as the form holds it: yes/no and diabetes as "unknown" or an
    option; age and isotretinoin months as typed text ("" is unknown; "never" for isotretinoin);
    ``allergies`` as typed text (comma-separated) plus ``no_known_allergies`` (bool); ``planned_ingredients``
    as a list of ticked names plus ``other_ingredients`` (text).
    """
    intake: dict[str, object] = {}
    for key, info in INTAKE_FIELDS.items():
        if info.kind in ("yes_no", "diabetes"):
            intake[key] = values.get(key, UNKNOWN)
        elif info.kind in ("age", "months_or_never"):
            text = str(values.get(key, "")).strip()
            if not text:
                intake[key] = UNKNOWN
            elif info.kind == "months_or_never" and text.lower() == "never":
                intake[key] = None
            else:
                intake[key] = _number_or_text(text)
    allergies = _names(str(values.get("allergies", "")))
    if allergies and values.get("no_known_allergies"):  # a contradiction is not an answer: screen() defers on it
        intake["allergies"] = f"'No known allergies' is ticked, yet allergies are typed ({', '.join(allergies)})"
    else:
        intake["allergies"] = allergies if allergies or values.get("no_known_allergies") else UNKNOWN
    planned = [str(name) for name in values.get("planned_ingredients", ()) or ()]  # type: ignore[union-attr]
    intake["planned_ingredients"] = planned + _names(str(values.get("other_ingredients", "")))
    return intake


@dataclass(frozen=True)
class FormReading:
    """What the result panel says for one state of the form."""

    result: ScreeningResult

    @property
    def headline(self) -> str:
        return OUTCOME_TEXT[self.result.outcome]

    @property
    def lines(self) -> list[str]:
        """One line per finding (with its sources), then one line for the unanswered questions."""
        lines = [reason.line() for reason in self.result.reasons if reason.rule_id != "intake"]
        unanswered = [r.field for r in self.result.reasons
                      if r.rule_id == "intake" and r.text.startswith(("Unknown answer", "Missing answer"))]
        others = [r for r in self.result.reasons if r.rule_id == "intake" and r.field not in unanswered]
        lines += [f"DEFER — {r.text}" for r in others]
        if unanswered:
            labels = ", ".join(INTAKE_FIELDS[key].label for key in unanswered)
            lines.append(f"DEFER — not answered yet ({len(unanswered)}): {labels}. An unanswered safety question "
                         f"is never 'no'.")
        return lines

    @property
    def text(self) -> str:
        return "\n".join([self.headline, *self.lines])


def read_form(values: Mapping[str, object]) -> FormReading:
    """Compute what the result panel shows for the form's values."""
    return FormReading(screen(form_intake(values)))
