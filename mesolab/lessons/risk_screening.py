"""Lesson 05 (pre-treatment risk screening): tables, the rules figure and self-checks from the knowledge base.

Everything shown comes from ``knowledge/screening.yaml`` through :mod:`mesolab.screening`; nothing clinical is
written here except the wording of the self-check questions' feedback.
"""
from __future__ import annotations

import html

from ..knowledge import knowledge
from ..plots import HtmlFigure
from ..plots.screening import rules_grid
from ..screening import INTAKE_FIELDS, OUTCOMES, ScreeningResult, rule, rules
from ..selfcheck import ChoiceExercise, register
from . import _Html, table

#: What each outcome means for the patient in front of you (a headline, not a clinical fact).
OUTCOME_HEADLINES: dict[str, str] = {
    "proceed": "PROCEED: nothing found that stops or delays this treatment.",
    "caution": "CAUTION: proceed only with the precautions listed.",
    "defer": "DEFER: not today; resolve each point first.",
    "decline": "DECLINE: do not give this treatment.",
}

#: Readable names of the rule classes.
CLASS_NAMES: dict[str, str] = {"absolute": "absolute contraindication", "relative": "relative contraindication",
                               "precaution": "precaution", "intake": "unanswered question"}


def _left(markup: str) -> str:
    """Long text reads better left-aligned (JupyterLab right-aligns table cells by default)."""
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


def source_mark(source_id: str) -> str:
    """'[Bell ⚠]' for a secondary source, '[Hey18]' otherwise."""
    return _marks([source_id])


def _marks(source_ids: tuple[str, ...] | list[str]) -> str:
    base = knowledge()
    return " ".join(f"[{s}{' ⚠' if base.source(s).secondary else ''}]" for s in source_ids)


def intake_table() -> _Html:
    """The intake questions in the order MesoLab asks them: label, question, and the answers each key takes."""
    rows = [{"key": key, "label": info.label, "question to ask": info.question, "answers accepted": info.accepts}
            for key, info in INTAKE_FIELDS.items()]
    return _Html(_left(table(rows, caption=f"The {len(rows)} intake questions (mesolab.screening.INTAKE_FIELDS)")
                       .markup))


def rules_table(rule_class: str | None = None) -> _Html:
    """The rules (optionally of one class): finding, class, action, what to do, sources, and MesoLab's choices."""
    chosen = [r for r in rules() if rule_class is None or r.rule_class == rule_class]
    if rule_class is not None and not chosen:
        classes = ", ".join(dict.fromkeys(r.rule_class for r in rules()))
        raise ValueError(f"no rule of class {rule_class!r}; classes: {classes}")
    rows = []
    for r in chosen:
        status = "DISPUTED. " if r.dispute else ""
        status += f"MesoLab's choice: {r.curriculum_choice}" if r.curriculum_choice else ""
        rows.append({"finding": r.finding, "class": CLASS_NAMES[r.rule_class], "action": r.action.upper(),
                     "what to do": r.what_to_do, "sources": _marks(r.sources),
                     "status": status or "sourced"})
    title = "All screening rules" if rule_class is None else f"Rules of class: {CLASS_NAMES[rule_class]}"
    return _Html(_left(table(rows, caption=f"{title} (knowledge/screening.yaml)").markup))


def split_note() -> _Html:
    """Where MesoLab's absolute/relative split comes from, said openly."""
    note = knowledge().screening.split_note
    return _Html(f'<div class="mesolab-note" style="border-left:4px solid #555;padding:0.3em 0.8em">'
                 f"<b>Where the split comes from.</b> {html.escape(note.note)} {html.escape(source_mark(note.source))}"
                 f"</div>")


def disputes_table() -> _Html:
    """Each disputed rule: every view with its source, and the cautious choice MesoLab applies."""
    rows = []
    for r in rules():
        if r.dispute is None:
            continue
        views = " | ".join(f"{source_mark(v.source)} {v.says}" for v in r.dispute.views)
        rows.append({"finding": r.finding, "what the sources say": views,
                     "the cautious choice (MesoLab)": r.dispute.cautious_choice})
    return _Html(_left(table(rows, caption="Disputed items: both views, and the cautious choice").markup))


def curriculum_choices_table() -> _Html:
    """Rules whose action is MesoLab's own cautious choice rather than a source's (disputed items excluded)."""
    rows = [{"finding": r.finding, "action": r.action.upper(),
             "why, and what the nearest source is": r.curriculum_choice}
            for r in rules() if r.curriculum_choice and r.dispute is None]
    return _Html(_left(table(rows, caption="Where the action is MesoLab's choice, not a source's").markup))


def rules_figure() -> HtmlFigure:
    """Every rule in the column of its action (mesolab.plots.screening.rules_grid), with counts in the caption."""
    chosen = rules()
    counts = {action: sum(r.action == action for r in chosen) for action in OUTCOMES}
    caption = (f"Screening rules by action (MesoLab's reading of labels and trials): {counts['decline']} rules "
               f"decline, {counts['defer']} defer, {counts['caution']} call for precautions. A healthy adult "
               f"triggers none of them: proceed.")
    return rules_grid(chosen, caption)


def explain(result: ScreeningResult) -> _Html:
    """A screening result as the lesson shows it: the outcome, then one line per reason with its sources."""
    items = "".join(f"<li>{html.escape(reason.line())}</li>" for reason in result.reasons)
    listing = f"<ul>{items}</ul>" if items else "<p>No reasons: every answer is known and nothing was found.</p>"
    return _Html(f'<div class="mesolab-screening" role="status"><p><b>{html.escape(OUTCOME_HEADLINES[result.outcome])}'
                 f"</b></p>{listing}</div>")


_ISOTRETINOIN_MONTHS = f"{rule('isotretinoin_recent').trigger.below:g} months"

register(
    ChoiceExercise(
        "05.invasive", "abcd", "e970afce27c2737ad47cefcab1e4638a368fc6914539c0c2117da236f11bc325",
        "Mesotherapy is an injection: minimally invasive [KT13, SIM14, SGM11]. HA product labels list "
        "contraindications and precautions [RestylaneUS, SBVital] and trials excluded many patients "
        "[NCT-Newest, TCTR23]: a history is taken before every treatment.",
        hints={"a": "A needle that pierces the skin is not non-invasive, and the labels list contraindications.",
               "b": "Needles break the skin, whatever their size: that is what invasive means.",
               "d": "Mesotherapy is not surgery; it is an injection, minimally invasive."}),
    ChoiceExercise(
        "05.overrefusal", "abcd", "2b391be7d3ef33e2f859e75b725de83afa08089a13e330c38c15f43f77680b00",
        "No source read lists menstruation; nothing on her intake triggers a rule, so she proceeds. Refusing a "
        "healthy adult 'to be safe' is over-refusal, a failure too.",
        hints={"b": "Caution needs a precaution rule (e.g. a herpes history): which one would her answers trigger?",
               "c": "A period is not a finding of any rule, and no source read names it: deferring is over-refusal.",
               "d": "Decline is for absolute contraindications, e.g. an allergy to a planned ingredient's class."}),
    ChoiceExercise(
        "05.unknown", "abcd", "04bde19ea814ff50119a4f40f4d5b07eeb11b0bd2989c0ded2c375bd23f95202",
        "An unknown answer to a safety question is never 'no': defer until it is answered (here, a pregnancy test "
        "or certainty). Safety in pregnancy is not established [SBVital].",
        hints={"a": "'Not sure' is not 'no'. Which outcome does MesoLab give while a safety question is open?",
               "b": "No precaution makes an unknown pregnancy safe: the question must be answered first.",
               "d": "Nothing is proven against treatment yet; once the answer is known, she may be treated."}),
    ChoiceExercise(
        "05.isotretinoin", "abcd", "33180891b2421e3a4a4cdad30afa1b7ba3573ae5628c327c2001a40f5ce5ffe2",
        f"There is no evidence either way for injections. The {_ISOTRETINOIN_MONTHS} come from the package "
        f"insert's advice on waxing, dermabrasion, peels, lasers and surgery, which does not name injections "
        f"{source_mark('IsoInsert')}; the 2017 consensus found no evidence to delay even incisional and excisional "
        f"surgery, and studied no injections [Spring17, Wald17]. One scar trial excluded patients within "
        f"{_ISOTRETINOIN_MONTHS} [NCT-Newest]. Waiting {_ISOTRETINOIN_MONTHS} after the last dose is a cautious "
        f"convention, not a proven need.",
        hints={"a": "The reviews studied peels, lasers and surgery, not injections: they cannot settle this case.",
               "c": "No source says a past course of isotretinoin rules out treatment for ever.",
               "d": "The reviews do not settle it for injections; that is exactly why this item is disputed."}),
    ChoiceExercise(
        "05.combined", "abcd", "49eda5cb4a4188bf04923e2c673b00d27be0c35d616970131c65a9bb4d3b70b6",
        "Keloid tendency is a relative contraindication (trials excluded it [TCTR23, Amin06]): defer. The herpes "
        "history is a precaution (whether he needs antiviral prophylaxis depends on where he is treated and how "
        "often cold sores recur [King17]), but the most severe action wins: defer today.",
        hints={"a": "Two findings are on this intake; neither allows treatment without more thought.",
               "b": "Caution is what the herpes history alone would give; the other finding is more severe.",
               "d": "Neither finding is an absolute contraindication on the label."}),
)
