"""Lesson 07 (complications: recognise, act, refer): tables, the time-line figure and self-checks from the knowledge
base.

Everything shown comes from ``knowledge/complications.yaml`` through :mod:`mesolab.complications`; nothing clinical
is written here except the wording of the self-check questions' feedback.
"""
from __future__ import annotations

import html

from ..complications import (COMPLICATIONS, TriageResult, adrenaline_im_dose, complication, lipid_emulsion_dose,
                             urgency_meaning)
from ..knowledge import knowledge
from ..plots import HtmlFigure
from ..plots.complications import URGENCY_STYLE, onset_timeline
from ..selfcheck import ChoiceExercise, NumberExercise, register
from . import _Html, table

EVIDENCE_WORDS = {"general": "general emergency guidance", "filler": "fillers and skin boosters (by analogy)",
                  "mesotherapy": "mesotherapy reports"}


def _left(markup: str) -> str:
    """Long text reads better left-aligned (JupyterLab right-aligns table cells by default)."""
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


def _marks(source_ids) -> str:
    base = knowledge()
    return " ".join(f"[{s}{' ⚠' if base.source(s).secondary else ''}]" for s in dict.fromkeys(source_ids))


def _kb():
    return knowledge().complications


def misconceptions_table() -> _Html:
    rows = [{"what the leaflet says": m.claim, "what the sources show": m.note, "sources": _marks(m.sources)}
            for m in _kb().misconceptions]
    return _Html(_left(table(rows, caption="Three claims from the leaflets, against the sources").markup))


def overview_table(ids: tuple[str, ...] | list[str] | None = None) -> _Html:
    """One row per complication: onset, what it looks like, the first action, where to refer, evidence base."""
    rows = []
    for cid in ids or COMPLICATIONS:
        c = complication(cid)
        rows.append({"complication": c.name, "onset": c.onset.label, "looks like": c.looks_like.note,
                     "first action": c.first_action.note, "refer": c.refer.note,
                     "evidence from": EVIDENCE_WORDS[c.evidence],
                     "sources": _marks([c.onset.source, c.looks_like.source, c.first_action.source, c.refer.source])})
    return _Html(_left(table(rows, caption="Complications: onset, signs, first action, referral "
                                           "(knowledge/complications.yaml)").markup))


def look_alikes_table(ids: tuple[str, ...] | list[str]) -> _Html:
    """How each complication in ``ids`` is told from its look-alikes."""
    rows = [{"is it": complication(cid).name, "or": complication(d.look_alike).name, "how to tell": d.note,
             "source": _marks([d.source])}
            for cid in ids for d in complication(cid).distinguish]
    return _Html(_left(table(rows, caption="Look-alikes and how to tell them apart").markup))


def never_table(ids: tuple[str, ...] | list[str] | None = None) -> _Html:
    rows = [{"complication": complication(cid).name, "never": n.note, "source": _marks([n.source])}
            for cid in ids or COMPLICATIONS for n in complication(cid).never]
    return _Html(_left(table(rows, caption="What never to do").markup))


def disputes_table() -> _Html:
    rows = []
    for cid in COMPLICATIONS:
        c = complication(cid)
        if c.dispute:
            rows.append({"topic": c.name, "what the sources say": " | ".join(
                f"{_marks([v.source])} {v.says}" for v in c.dispute.views), "the cautious choice": c.dispute.cautious_choice})
    dose = _kb().emergency_doses
    rows.append({"topic": "Adrenaline: when to repeat", "what the sources say": " | ".join(
        f"{_marks([v.source])} {v.says}" for v in dose.adrenaline.repeat_dispute.views),
        "the cautious choice": dose.adrenaline.repeat_dispute.cautious_choice})
    old = dose.lipid_emulsion.superseded
    rows.append({"topic": "Lipid emulsion: how fast the bolus",
                 "what the sources say": f"{_marks([dose.lipid_emulsion.source])} over "
                                         f"{dose.lipid_emulsion.bolus_minutes[0]:g}–{dose.lipid_emulsion.bolus_minutes[1]:g}"
                                         f" min | {_marks([old.source])} over {old.bolus_minutes:g} min (withdrawn 2023)"
                                         f" | {_marks([s.source for s in old.also])} "
                                         + " ".join(s.note for s in old.also),
                 "the cautious choice": "Teach the current checklist (2–3 min); the 1-min figure is superseded."})
    return _Html(_left(table(rows, caption="Where the sources disagree").markup))


def adrenaline_table() -> _Html:
    """The adrenaline doses by age, computed by :func:`mesolab.complications.adrenaline_im_dose`."""
    spec = _kb().emergency_doses.adrenaline
    rows = []
    for band, age in zip(spec.age_bands, (0.2, 3, 8, 30)):
        dose = adrenaline_im_dose(age)
        amount = (f"{dose.micrograms:g} µg" if dose.micrograms == dose.micrograms_max
                  else f"{dose.micrograms:g}–{dose.micrograms_max:g} µg")
        volume = (f"{dose.millilitres:g} mL" if dose.millilitres == dose.millilitres_max
                  else f"{dose.millilitres:g}–{dose.millilitres_max:g} mL")
        if band.small_or_prepubertal_micrograms:
            amount += f" ({band.small_or_prepubertal_micrograms:g} µg if small or prepubertal)"
        rows.append({"patient": band.label, "dose": amount, "volume of 1 mg/mL": volume, "source": _marks([spec.source])})
    rule = spec.weight_based
    rows.append({"patient": "by weight (WAO)", "dose": f"{rule.mg_per_kg * 1000:g} µg/kg, at most {rule.max_mg * 1000:g} µg",
                 "volume of 1 mg/mL": f"{rule.mg_per_kg:g} mL/kg, at most {rule.max_mg:g} mL",
                 "source": _marks([rule.source])})
    caption = (f"Intramuscular adrenaline for anaphylaxis: {spec.guideline}; {spec.route}. {spec.note} "
               f"{spec.band_note}")
    return _Html(_left(table(rows, caption=caption).markup))


def lipid_table(weights: tuple[float, ...] = (50, 60, 70, 90)) -> _Html:
    rows = []
    for weight in weights:
        dose = lipid_emulsion_dose(weight)
        rows.append({"lean body weight": f"{weight:g} kg", "bolus": f"{dose.bolus_ml:g} mL over "
                     f"{dose.bolus_minutes[0]:g}–{dose.bolus_minutes[1]:g} min",
                     "then": dose.fixed_infusion or f"{dose.infusion_ml_per_min:g} mL/min ({dose.infusion_ml_per_hour:g} mL/h)",
                     "at most (about)": f"{dose.max_total_ml:g} mL", "source": _marks(dose.sources[:1])})
    spec = _kb().emergency_doses.lipid_emulsion
    return _Html(_left(table(rows, caption=f"{spec.concentration} for local anaesthetic systemic toxicity: "
                                           f"{spec.guideline}. {spec.note}").markup))


def reporting_table() -> _Html:
    rows = [{"where": place.region, "how": place.note, "source": _marks([place.source])}
            for place in _kb().reporting.where]
    return _Html(_left(table(rows, caption="Reporting an adverse event").markup))


def why_report() -> _Html:
    items = "".join(f"<li>{html.escape(item.note)} {html.escape(_marks([item.source]))}</li>" for item in _kb().reporting.why)
    what = _kb().reporting.what
    return _Html(f'<div class="mesolab-note"><p><b>Why report.</b></p><ul>{items}</ul><p><b>What to record.</b> '
                 f"{html.escape(what.note)} {html.escape(_marks([what.source]))}</p></div>")


def scope_note() -> _Html:
    note = _kb().scope_note
    return _Html(f'<div class="mesolab-note" style="border-left:4px solid #555;padding:0.3em 0.8em">'
                 f"<b>Where the evidence comes from.</b> {html.escape(note.note)} {html.escape(_marks([note.source]))}"
                 f"</div>")


def timeline_figure() -> HtmlFigure:
    return onset_timeline(caption="When each complication starts after an injection (hours to years, stretched "
                                  "scale). Dark hatched: typical onset; light: reported onset; grey: no window found.")


def explain(result: TriageResult, hours: float | None = None) -> _Html:
    """A triage result as the lesson shows it: urgency, first action, likely complications, reasons with sources."""
    style = URGENCY_STYLE[result.urgency]
    names = ", ".join(complication(c).name for c in result.likely) or "none"
    items = "".join(f"<li>{html.escape(r.line())}</li>" for r in result.reasons
                    if r.kind not in ("unknown", "malformed"))
    unknown = [r for r in result.problems]
    if unknown:
        items += f"<li>{len(unknown)} finding(s) not known or unreadable: the triage cannot reassure.</li>"
    return _Html(f'<div class="mesolab-triage" role="status"><p><span style="background:{style["color"]};'
                 f'color:{style["text"]};padding:0 6px;font-weight:bold">{result.urgency.upper()}</span> '
                 f"{html.escape(urgency_meaning(result.urgency))}</p><p><b>First action:</b> "
                 f"{html.escape(result.first_action)}</p><p><b>Most likely:</b> {html.escape(names)}</p>"
                 f"<ul>{items}</ul></div>")


register(
    ChoiceExercise(
        "07.nodeaths", "abcd", "f088db2573330f1bfa0c5e4704505b6cf4188d7f1d57a9569668d59029aeab0d",
        "The French health-technology agency recorded a fatal anaphylaxis after mesotherapy [HAS14, HAS14-press ⚠], "
        "and the literature is case reports only, so no incidence is known [PG19]. No reports does not mean no harm.",
        hints={"a": "Is 'no deaths were found' the same as 'nobody looked'? What does the national agency's report say?",
               "b": "Fine needles do not prevent anaphylaxis, vascular compromise or mycobacterial infection.",
               "d": "Deaths are rare, but the claim that none were ever reported is wrong."}),
    ChoiceExercise(
        "07.faint", "abcd", "dc10ba1c07155ac79de2c9dbafb9b84291a4f6f853d858a1fb3236edfb7ca51c",
        "Pale, clammy, slow pulse, no rash, breathing normal, minutes after the first injection: a vasovagal faint "
        "[AIH18]. Lie flat with legs raised and observe until fully recovered [CDC-Syncope ⚠]; if it does not "
        "recover lying flat, or hives, swelling or wheeze appear, treat as anaphylaxis.",
        hints={"a": "Adrenaline is for anaphylaxis: fast pulse, hives, wheeze, low pressure lying down. What is the pulse here?",
               "c": "Sitting up a fainting patient keeps the brain short of blood: lie her flat.",
               "d": "Lipid emulsion treats local-anaesthetic toxicity: no numb mouth, tinnitus or seizure here."}),
    ChoiceExercise(
        "07.vision", "abcd", "8ce00ce66db9b6f6af0252d85258889958028c3b8ee801497fc9d4b8af4f2b61",
        "Visual disturbance after a facial injection is an arterial occlusion until proven otherwise: immediate "
        "transfer to the emergency department or ophthalmology [CMAC-VL21].",
        hints={"a": "Vision loss can become permanent within minutes to an hour or two: days is far too late.",
               "b": "Same-day is too slow: the retina tolerates ischaemia for minutes, not hours.",
               "d": "Blurred vision is never an expected reaction to an injection."}),
    ChoiceExercise(
        "07.nodules", "abcd", "5a18702919a66c19052227d973c4912faabd3bc11eb465cc9fe7f27abd5c0d97",
        "New firm nodules weeks after mesotherapy are mycobacterial infection until cultures say otherwise: refer for "
        "pus or biopsy with mycobacterial culture [Lam24, NTM07]. A single empiric antibiotic fails and delays the "
        "diagnosis [EIMC18].",
        hints={"a": "A week of amoxicillin–clavulanate failed in a published case: the mycobacterium resisted it [EIMC18].",
               "b": "A steroid into an infected nodule makes it worse: infection must be excluded first.",
               "d": "Nodules weeks later are not the expected reaction of the first days."}),
    ChoiceExercise(
        "07.bruise", "abcd", "b062b664c13a8e42c188d27ac363f94d4bb31ed7d846a425d13639225d1578c2",
        "A bruise the day after, with normal capillary refill and no increasing pain, is expected [SBVital ⚠]: "
        "reassure, give the aftercare advice and the warning signs to report.",
        hints={"b": "Hyaluronidase is for vascular compromise: blanching or livedo, slow refill, severe pain.",
               "c": "Nothing here needs a specialist: every warning sign was checked and is absent.",
               "d": "Antibiotics treat infection; a bruise is not one, and the cocktail should hold none."}),
    NumberExercise(
        "07.lipid", "mL", lambda: lipid_emulsion_dose(64).bolus_ml, 0.5,
        "ASRA 2020: 1.5 mL/kg of lean body weight up to 70 kg: 1.5 × 64 = 96 mL over 2–3 min [ASRA20].",
        "At or under 70 kg the bolus is weight × 1.5 mL/kg (a fixed 100 mL only above 70 kg)."),
    NumberExercise(
        "07.adrenaline", "mL", lambda: adrenaline_im_dose(9).millilitres, 0.001,
        "RCUK 2021: a child of 6–12 years gets 300 micrograms; at 1 mg/mL that is 0.3 mL [RCUK21].",
        "Find the age band, then convert micrograms to mL: 1 mg/mL = 1000 micrograms per mL."),
)
