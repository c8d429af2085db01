"""Lesson 08 (claims against evidence): tables, figures and self-checks from the knowledge base.

Every claim, verdict, level, answer and patient wording comes from ``knowledge/claims.yaml`` through
:mod:`mesolab.claims`; the ingredient evidence comes from module 04's ``cocktails.yaml``. Nothing clinical is written
here except the feedback of the self-check questions.
"""
from __future__ import annotations

import html
import re

from ..claims import (LEVELS, VERDICTS, check_claim, claim, claim_evidence, goal_names, ingredient_evidence,
                      level_meaning, level_name, verdict_meaning, verdict_name)
from ..knowledge import knowledge
from ..plots import FigureView
from ..plots.claims import claim_evidence_figure, ingredient_evidence_figure
from ..selfcheck import ChoiceExercise, register
from . import _Html, table

_CITE = re.compile(r"\[([A-Za-z][A-Za-z0-9-]*)\]")


def _left(markup: str) -> str:
    """Long text reads better left-aligned (JupyterLab right-aligns table cells by default)."""
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


def _mark(source_id: str) -> str:
    return f"[{source_id}{' ⚠' if knowledge().source(source_id).secondary else ''}]"


def cited_sources() -> list[str]:
    """Every source id the claims cite (evidence, answers, disagreements), for the lesson's reference list."""
    ids: list[str] = []
    for c in knowledge().claims.claims:
        ids += [e.source for e in c.evidence]
        ids += _CITE.findall(c.answer) + _CITE.findall(c.disagreement)
    return list(dict.fromkeys(ids))


def verdicts_table() -> _Html:
    rows = [{"verdict": verdict_name(v), "means": verdict_meaning(v)} for v in VERDICTS]
    return _Html(_left(table(rows, caption="The four verdicts").markup))


def levels_table() -> _Html:
    rows = [{"kind of source": level_name(lv), "what it is": level_meaning(lv)} for lv in LEVELS]
    return _Html(_left(table(rows, caption="What kind of source settles a claim").markup))


def ingredient_table() -> _Html:
    """Each injected cocktail ingredient, its evidence for each goal (from module 04), and the claims made about it."""
    goals = goal_names()
    rows = []
    for row in ingredient_evidence():
        entry = {"ingredient": row.name}
        entry.update({goals[g]: row.texts[g] for g in goals})
        entry["leaflet claims about it"] = " · ".join(f"“{claim(c).quote}”" for c in row.claims) or "—"
        rows.append(entry)
    return _Html(_left(table(rows, caption="Evidence per ingredient and goal (knowledge/cocktails.yaml)").markup))


def ingredient_figure() -> FigureView:
    return ingredient_evidence_figure(
        caption="Evidence per injected cocktail ingredient and goal. Blue: an injection study; yellow hatched: "
                "another route or condition only; white cross-hatched: nothing found. Words in every cell.")


def claims_figure(highlight: str | None = None) -> FigureView:
    return claim_evidence_figure(
        highlight, caption="Each leaflet claim at the kind of source that settles it; the marker is the verdict "
                           "(circle supported, cross contradicted, square unsupported, diamond outside the evidence).")


def claims_table(topic: str | None = None, ids: list[str] | None = None) -> _Html:
    """The claims (of one topic, the ones named in ``ids``, or all) with verdict, settling source and the answer."""
    chosen = [claim(c).id for c in ids] if ids is not None else None
    rows = [{"the claim": f"“{r.quote}” ({r.said_in})", "verdict": verdict_name(r.verdict),
             "settled by": f"{level_name(r.level)} {_mark(r.settled_by)}", "the evidence": claim(r.id).answer}
            for r in claim_evidence()
            if (topic is None or claim(r.id).topic == topic) and (chosen is None or r.id in chosen)]
    return _Html(_left(table(rows, caption="Claims against the evidence (knowledge/claims.yaml)").markup))


def patient_table(claim_ids: list[str]) -> _Html:
    rows = [{"the leaflet says": f"“{claim(c).quote}”", "say to the patient": claim(c).patient} for c in claim_ids]
    return _Html(_left(table(rows, caption="Plain words for the patient").markup))


def explain(claim_id: str, verdict: str, level: str) -> _Html:
    """A worked check: the trainee's verdict and level against the sources, the evidence and the patient wording."""
    result = check_claim(claim_id, verdict, level)
    c = result.claim
    evidence = "".join(f"<li>{html.escape(e.says)} {html.escape(_mark(e.source))}</li>" for e in c.evidence)
    feedback = "".join(f"<li>{html.escape(line)}</li>" for line in result.feedback)
    disagreement = (f"<p><b>Where the sources disagree:</b> {html.escape(c.disagreement)}</p>"
                    if c.disagreement else "")
    return _Html(f'<div class="mesolab-claim-check" role="status"><blockquote>“{html.escape(c.quote)}” '
                 f"({html.escape(c.said_in)})</blockquote><ul>{feedback}</ul><p><b>The evidence:</b></p>"
                 f"<ul>{evidence}</ul>{disagreement}<p><b>To the patient:</b> “{html.escape(c.patient)}”</p></div>")




register(
    ChoiceExercise(
        "08.verdict", "abcd", "ef2b7764513c056bb92e9d21c190c351bee1893e3393f2056ccdb9b4f5929d97",
        "Contradicted: the French national agency recorded a fatal anaphylaxis after mesotherapy [HAS14, "
        "HAS14-press ⚠]. A claim the sources show to be false is contradicted, not merely unsupported.",
        hints={"a": "Which source records a death after mesotherapy? Read the evidence for the claim.",
               "c": "Unsupported means no evidence either way. Here a national agency's report says the opposite.",
               "d": "The evidence is about mesotherapy itself, not another product or indication."}),
    ChoiceExercise(
        "08.outside", "abcd", "cb880e863b971bb83321025f8a72ad651d4d32d6bc594d5709631aabb5e1773f",
        "Outside the evidence: SKINVIVE is approved, but for cheek smoothness in adults over 21, not for acne scars "
        "[Allergan23]. The approval is real; it does not carry over to another indication.",
        hints={"a": "Is the approval for acne scars? Read what it was granted for.",
               "b": "Nothing says the product fails on scars; the approval simply is not about scars.",
               "c": "Evidence exists (an approval and a trial), but for another indication."}),
    ChoiceExercise(
        "08.nf", "abcd", "8536889d8a8e438c5dfddf18ddbae2ca075845142b91f2a01fde528444b6456e",
        "Unsupported: nothing authoritative was found on injected enzymes for acne scars (NF). No evidence "
        "either way is not a contradiction, and not a support.",
        hints={"a": "Which study shows the enzymes work? None was found.",
               "b": "Contradicted needs a source showing the claim is false; here there is none either way.",
               "d": "Outside the evidence needs evidence about something else; here nothing was found at all."}),
    ChoiceExercise(
        "08.level", "abcd", "45d3f46c78ad3905f8b92e0183a21c48b8a89fa6eb49e1dafdc39c840b0ab3fd",
        "A randomised controlled trial: 20 patients allocated to polynucleotides or saline [Araco21]. Small, but "
        "randomised and controlled; say both.",
        hints={"b": "The patients were allocated at random to the product or saline: that is more than a case series.",
               "c": "No society's guideline is involved: the source is a trial.",
               "d": "A label is written by a manufacturer for an approved product; this is a published trial."}),
    ChoiceExercise(
        "08.patient", "abcd", "a44d1cb0e7af480a39c0bfe8b84e6245c4f805559c6afbd211a818d74a347907",
        "Honest and plain: serious reactions are rare but recorded, and nobody knows how rare [HAS14, PG19]. It "
        "neither frightens with a false figure nor reassures with a false 'never'.",
        hints={"a": "'It has never killed anyone' is the leaflet's error: a death has been recorded [HAS14].",
               "b": "There is no figure like 1 in 10: no incidence is known [PG19]. Do not invent one.",
               "d": "Jargon and a citation are not plain words; the patient needs what it means for them."}),
)
