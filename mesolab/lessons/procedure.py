"""Lesson 06 (the procedure): tables, figures and self-checks from the knowledge base.

Everything shown comes from ``knowledge/procedure.yaml`` through :mod:`mesolab.procedure`; nothing clinical is
written here except the wording of the self-check questions' feedback.
"""
from __future__ import annotations

import html

from ..knowledge import knowledge, source_mark
from ..plots import HtmlFigure
from ..plots.procedure import protocols_chart, session_strip
from ..procedure import STEPS, CoursePlan, SessionCheck, check_session, plan_course, protocols
from ..selfcheck import ChoiceExercise, NumberExercise, register
from . import _Html, table

WINDOW_WORDS = {"sourced": "sourced", "label_without_hours": "label: no fixed hours",
                "not_found": "NOT FOUND in authoritative sources (clinic pages only)"}


def _left(markup: str) -> str:
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


def _marks(source_ids) -> str:  # noqa: ANN001 - any iterable of ids
    return " ".join(source_mark(s) for s in dict.fromkeys(source_ids))


def steps_table() -> _Html:
    """The steps of a session in order: why, what must come before it, and the sources; what was not found."""
    rows = []
    for number, step in enumerate(knowledge().procedure.steps, start=1):
        before = "; ".join(f"{STEPS[b.step].name} ({b.severity}): {b.reason}" for b in step.after) or "—"
        rows.append({"#": str(number), "step": step.name, "why": step.why, "what it needs first": before,
                     "sources": _marks(step.sources), "not found": step.not_found or "—"})
    return _Html(_left(table(rows, caption="The steps of a treatment session, in order (knowledge/procedure.yaml)")
                       .markup))


def checks_table() -> _Html:
    """Every value the checklist rules out: the step, what is wrong, why, how serious, and the sources."""
    rows = []
    for step in knowledge().procedure.steps:
        for attribute in step.attributes:
            for check in attribute.checks:
                rows.append({"step": step.name, "what is wrong": check.finding, "why": check.reason,
                             "severity": check.severity.upper(), "sources": _marks(check.sources)})
    return _Html(_left(table(rows, caption="What the session checklist flags").markup))


def consent_table() -> _Html:
    rows = [{"consent must disclose": d.item, "why": d.why,
             "sources": _marks([d.source, *(a.source for a in d.also)])} for d in knowledge().procedure.disclosures]
    return _Html(_left(table(rows, caption="What consent must disclose").markup))


def protocols_table() -> _Html:
    rows = [{"protocol": p.label, "interval (days)": str(p.interval_days), "sessions": str(p.sessions),
             "study": p.what + (" (not classic mesotherapy)" if p.analogue else ""), "source": source_mark(p.source)}
            for p in protocols()]
    return _Html(_left(table(rows, caption="Session plans as the studies published them").markup))


def protocols_figure() -> HtmlFigure:
    chosen = protocols()
    intervals = sorted({p.interval_days for p in chosen})
    counts = sorted({p.sessions for p in chosen})
    caption = (f"The published protocols disagree: intervals of {', '.join(map(str, intervals))} days and "
               f"{counts[0]} to {counts[-1]} sessions. No label or consensus schedule for mesotherapy was found.")
    return protocols_chart(chosen, caption)


def plan_notes() -> _Html:
    procedure = knowledge().procedure
    items = [(procedure.schedule_not_found.note, procedure.schedule_not_found.source),
             (procedure.stopping_rule.note, procedure.stopping_rule.source),
             (procedure.response_review.curriculum_choice, procedure.response_review.source),
             (procedure.final_review.curriculum_choice, procedure.final_review.source)]
    lis = "".join(f"<li>{html.escape(text)} {html.escape(source_mark(source))}</li>" for text, source in items)
    return _Html(f'<div class="mesolab-note" style="border-left:4px solid #555;padding:0.3em 0.8em"><ul>{lis}</ul>'
                 f"</div>")


def aftercare_table() -> _Html:
    rows = [{"advice": a.advice, "time window": a.window, "status of the window": WINDOW_WORDS[a.window_status],
             "source": source_mark(a.source)} for a in knowledge().procedure.aftercare]
    return _Html(_left(table(rows, caption="Aftercare, and which time windows are sourced").markup))


def warning_signs_table() -> _Html:
    rows = [{"the patient reports": s.sign, "when": s.when, "it may be": s.may_be, "what to do": s.action,
             "sources": _marks([s.source, *(a.source for a in s.also)])} for s in knowledge().procedure.warning_signs]
    return _Html(_left(table(rows, caption="Warning signs a patient must report at once").markup))


def explain(check: SessionCheck) -> _Html:
    """A checked session as the lesson shows it: the verdict, the strip, each finding, and the record."""
    figure = session_strip(check, "Each step in the order done (ok, incomplete or UNSAFE), then the steps not done "
                                  "(dashed). Colour, hatching and the word in each cell say the same.")
    items = "".join(f"<li>{html.escape(f.line())}</li>" for f in check.findings) or "<li>Nothing wrong.</li>"
    record = html.escape("\n".join(check.record()))
    return _Html(f'<div class="mesolab-procedure" role="status"><p><b>Verdict: {check.verdict.upper()}</b></p>'
                 f'{figure._repr_mimebundle_()["text/html"]}<ul>{items}</ul>'
                 f'<p><b>Record</b></p><pre style="white-space:pre-wrap">{record}</pre></div>')


def explain_plan(plan: CoursePlan) -> _Html:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in plan.lines())
    return _Html(f'<div class="mesolab-plan"><p><b>{html.escape(plan.protocol.label)}</b> from '
                 f"{plan.start.isoformat()}</p><ul>{items}</ul></div>")


def _days_to_final_review() -> float:
    plan = plan_course("2026-03-02", "sav_15d_x4")
    return float((plan.final_review.date - plan.start).days)


register(
    ChoiceExercise(
        "06.nodeaths", "abcd", "bb0106c5a7b9868f569a4f12522edf5ff8573f890fd108f31d0926c9294f216a",
        "The French national agency could not establish how often infections happen, for lack of data [HAS14]; "
        "mycobacterial infections after cosmetic procedures took a median of 6 months of treatment [Ma24], and "
        "scarring was common [Sing22]. 'No deaths found' is not 'safe'.",
        hints={"a": "Counting deaths says nothing about infections that take months to treat and leave scars.",
               "b": "Which national agency looked for the frequency of infection, and what did it find?",
               "d": "The complications are real but rare: 'never inject' is not what the sources say either."}),
    ChoiceExercise(
        "06.mild", "abcd", "bc95caf9ff19a6895bf4bfaf3896fe1901da4bee024e85ba7d60d95791f5a281",
        "Expected redness, swelling and bruising settle within days [SBVital]; but mycobacterial nodules appear "
        "1–12 weeks later [NTM07], vascular compromise within minutes to hours [Hey21]: the patient must know the "
        "warning signs and whom to call.",
        hints={"a": "Some complications start weeks after the session, when the leaflet's 'few hours' are long past.",
               "c": "Warning signs are given to every patient, before anything happens.",
               "d": "Expected reactions are real and common, and the patient should expect them."}),
    ChoiceExercise(
        "06.antibiotics", "abcd", "391cd78fbd02f68f03f1c48d051878ff749ed9c4ba4cd1f619c59192d33396fe",
        "No source supports routine antibiotics in a cocktail [AAD24]; the outbreaks came from contaminated vials, "
        "tap water and breaches of asepsis [Carb10], [Daniau22], [Spain11], and antibiotic cocktails did not "
        "prevent them [Sing22]. Prevention is asepsis: single-use products, sterile water, antisepsis left to dry.",
        hints={"a": "Did the cocktails that caused the outbreaks lack antibiotics?",
               "b": "Mycobacteria are also intrinsically insusceptible to chlorhexidine [SkinPrep]: what else protects?",
               "c": "No source supports adding antibiotics to the injection at all."}),
    ChoiceExercise(
        "06.unsafe", "abcd", "834ec770521b524232cd1c9a440af303a40d297fc199458f45cb240fc109e4f2",
        "A vial used for another patient is unsafe even with a new needle and syringe: single-dose vials are for one "
        "patient, and a multi-dose vial taken into the treatment area belongs to that patient [CDC-SDV], [CDC-MDV].",
        hints={"a": "Thirty seconds of chlorhexidine–alcohol with friction, then drying, is what the guidance asks.",
               "c": "Batch numbers in the notes are exactly what traceability needs.",
               "d": "Uncapped needles go straight into the container: that is the rule, not the mistake."}),
    ChoiceExercise(
        "06.order", "abcd", "e509676401a7d793d999dd84820328ed6a31a19baf16e084bd2f9959f1d45e58",
        "Make-up comes off before antisepsis: antiseptic on make-up does not reach the skin, and the needle would "
        "carry make-up into it [DermTimes] (clinic and expert-panel pages only).",
        hints={"a": "Consent first is right.", "b": "Photographs before the skin is touched is right.",
               "d": "Sharps go into the container straight after the injection: right."}),
    ChoiceExercise(
        "06.consent", "abcd", "41aed868e138b6cbb58b09b36bcce3eb5c8e8019d64c2d45c29f1dd7848fef31",
        "Off-label use of an unlicensed mixture must be disclosed [HAS14], with the limited evidence, material risks "
        "and reasonable alternatives [Montg15]; failure to achieve the aim is itself a risk [GMC16].",
        hints={"b": "A risk is material if a reasonable person would attach significance to it: percentages do not "
                    "decide it.",
               "c": "Consent for a cosmetic intervention is sought by the doctor offering it, not delegated.",
               "d": "Telling a patient 'no side effects' trivialises risks, which the guidance forbids."}),
    NumberExercise(
        "06.final_review", "days", _days_to_final_review, 0.5,
        "Four sessions 15 days apart end on day 45; the final review 14 days later is day 59 (the 14 days come from "
        "clinic pages [ClinicAftercare]: no authoritative review timing was found).",
        "Count the days to the LAST session first: (sessions − 1) × interval; then add the review interval."),
)


def check_model_variant(**changes: dict[str, object]) -> SessionCheck:
    """The model session with some steps changed (step id -> attribute changes), checked: for worked cases."""
    from ..procedure import model_session

    steps = model_session()
    for entry in steps:
        entry.update(changes.get(entry["step"], {}))
    return check_session(steps)
