"""Lesson 04 (cocktail selection): tables, an evidence grid, a ceiling chart and self-checks, all built from the knowledge base.

Ingredient ids, evidence levels, rules, dose limits and regulation all come from ``cocktails.yaml`` through
:mod:`mesolab.cocktails`; nothing clinical is typed here except the wording of the self-check questions.
"""
from __future__ import annotations

import html

from .. import cocktails
from ..cocktails import GOALS, evidence_for_goal, lidocaine_limit, max_volume_ml, mg_per_ml, source_mark
from ..knowledge import knowledge
from ..plots import HtmlFigure
from ..plots.cocktails import ceiling_bars
from ..plots.style import NEEDLE_COLOR, WARNING_COLOR
from ..selfcheck import ChoiceExercise, NumberExercise, register
from . import _Html, table

#: How the evidence grid shows each level: fill, text colour and the words written in the cell (the words carry
#: the level; Tol "light" colours, lighter for weaker evidence, are a second cue).
_LEVEL_STYLE = {
    "injected_trial": {"color": "#77AADD", "text": "black", "short": "controlled trial\n(small)"},
    "injected_small_studies": {"color": "#99DDFF", "text": "black", "short": "small studies\nonly"},
    "other_route_only": {"color": "#EEDD88", "text": "black", "short": "other route or\ncondition only"},
    "none_found": {"color": "#FFFFFF", "text": "black", "short": "none found"},
    "blocked": {"color": WARNING_COLOR, "text": "white", "short": "BLOCKED\n(never inject)"},
}


def _level_name(level: str) -> str:
    return cocktails.EVIDENCE_NAMES.get(level, level.replace("_", " "))


def _left(markup: str) -> str:
    """Long text reads better left-aligned (JupyterLab right-aligns table cells by default)."""
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


def _said(statement) -> str:
    return f"{statement.says} {source_mark(statement.source)}"


def _without_level(text: str) -> str:
    """An evidence text without its leading 'level name: ' (the table shows the level in its own column)."""
    for name in cocktails.EVIDENCE_NAMES.values():
        if text.startswith(f"{name}: "):
            return text[len(name) + 2:]
    return text


def _goal_name(goal: str) -> str:
    return knowledge().cocktails.goals[goal]


# ---- the ingredient base ----------------------------------------------------------------------------------

def ingredient_table() -> _Html:
    """Every ingredient of the knowledge base: kind, mechanism, overall evidence, known reactions, with sources."""
    rows = []
    for item in knowledge().cocktails.ingredients:
        kind = item.kind + (f" ({item.anaesthetic_class})" if item.anaesthetic_class else "")
        evidence = "; ".join(_said(e) for e in item.evidence)
        if item.blocked_by_rule:
            evidence = f"BLOCKED by a rule ({cocktails.rule(item.blocked_by_rule).title.lower()}). " + evidence
        elif item.kind == "anaesthetic":
            evidence = "not a treatment for any goal (it only makes injections hurt less). " + evidence
        else:
            evidence = f"{_level_name(item.evidence_level)}: {evidence}"
        rows.append({"ingredient": item.name, "kind": kind, "mechanism": _said(item.mechanism),
                     "overall evidence": evidence,
                     "known reactions": _said(item.reactions)})
    return _Html(_left(table(rows, caption="The ingredient base (⚠ = secondary source)").markup))


def goal_tables() -> _Html:
    """For each goal, every active ingredient with its evidence level for that goal, best first."""
    parts = []
    for goal in GOALS:
        rows = [{"ingredient": item.name, "evidence for this goal": _level_name(level),
                 "what the sources say": _without_level(text)}
                for item, level, text in evidence_for_goal(goal)]
        parts.append(_left(table(rows, caption=_goal_name(goal)).markup))
    return _Html("".join(parts))


def _matrix() -> tuple[list[str], list[list[str]]]:
    """Row names and, per row, the level for each goal ('blocked' for an ingredient a rule forbids)."""
    names, levels = [], []
    for item in knowledge().cocktails.ingredients:
        if item.kind == "anaesthetic":
            continue  # no effect on any goal; taught with the dose limits
        names.append(item.name)
        if item.blocked_by_rule:
            levels.append(["blocked"] * len(GOALS))
            continue
        by_goal = {goal: {i.id: level for i, level, _ in evidence_for_goal(goal)} for goal in GOALS}
        levels.append([by_goal[goal][item.id] for goal in GOALS])
    return names, levels


def evidence_grid() -> HtmlFigure:
    """A grid of ingredients × goals, each cell the evidence level for injecting that ingredient for that goal.

    Drawn as a coloured HTML table rather than an image: a screen reader reads it cell by cell, the words in
    each cell carry the level (colour is only a second cue), and the lesson needs no matplotlib.
    """
    names, levels = _matrix()
    head = "".join(f'<th scope="col" style="text-align:center">{html.escape(_goal_name(g).split(" (")[0])}</th>'
                   for g in GOALS)
    body = []
    for name, row_levels in zip(names, levels):
        cells = []
        for level in row_levels:
            style = _LEVEL_STYLE[level]
            weight = "bold" if level == "blocked" else "normal"
            cells.append(f'<td style="background:{style["color"]};color:{style["text"]};font-weight:{weight};'
                         f'text-align:center;border:1px solid {NEEDLE_COLOR};padding:3px 8px">'
                         f'{html.escape(style["short"].replace(chr(10), " "))}</td>')
        body.append(f'<tr><th scope="row" style="text-align:right">{html.escape(name)}</th>{"".join(cells)}</tr>')
    trial = [n for n, row in zip(names, levels) if "injected_trial" in row]
    caption = ("Evidence for INJECTING each ingredient, by goal. Anaesthetics are left out: they only make the "
               "injections hurt less. "
               + (f"Only {', '.join(trial)} has a controlled trial, a small one, and only for scars. " if trial else "")
               + "For active acne no ingredient has an injection trial: guideline therapy is the evidence-supported "
               f"choice {source_mark('AAD24')}.")
    summary = "Evidence for injecting each ingredient, by goal. " + "; ".join(
        f"{name}: " + ", ".join(f"{_goal_name(g).split(' (')[0].lower()} {_level_name(level)}"
                                for g, level in zip(GOALS, row_levels))
        for name, row_levels in zip(names, levels))
    grid = (f'<table class="mesolab-table mesolab-evidence-grid" style="border-collapse:collapse">'
            f'<thead><tr><th scope="col">Ingredient</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')
    return HtmlFigure(grid, summary, caption)


# ---- regulation, rules, outbreaks, allergy classes ------------------------------------------------------------

def regulation_table() -> _Html:
    rows = [{"approved?": "YES (for this use only)" if r.approved else "no", "what the source says": r.says,
             "source": source_mark(r.source)} for r in knowledge().cocktails.regulation]
    return _Html(_left(table(rows, caption="Regulation: what is and is not approved").markup))


def rules_table() -> _Html:
    rows = [{"rule": r.title, "why": "; ".join(_said(w) for w in r.why)} for r in knowledge().cocktails.rules]
    return _Html(_left(table(rows, caption="The rules the cocktail builder enforces").markup))


def outbreak_table() -> _Html:
    rows = [{"outbreak or series": o.says, "source": source_mark(o.source)} for o in knowledge().cocktails.outbreaks]
    return _Html(_left(table(rows, caption="Mycobacterial infections after mesotherapy and cosmetic injections")
                       .markup))


def allergy_table() -> _Html:
    """The allergen classes, what an allergy to any member blocks among the ingredients, and the class note."""
    base = knowledge().cocktails
    rows = []
    for allergen in base.allergen_classes:
        blocked = [cocktails.ingredient(i).name for i in cocktails.cross_reactive(allergen.names[0])]
        rows.append({"allergen class": allergen.name, "names that count": ", ".join(n.replace("_", " ")
                                                                                     for n in allergen.names),
                     "blocks in the ingredient base": ", ".join(blocked) or "—",
                     "note": allergen.note or "", "source": source_mark(allergen.source)})
    caption = f"Allergies that block an ingredient. {_said(base.class_note)}."
    return _Html(_left(table(rows, caption=caption).markup))


# ---- lidocaine ---------------------------------------------------------------------------------------------------

def lidocaine_table() -> _Html:
    rows = []
    for limit in knowledge().cocktails.lidocaine_limits:
        rate = (f"{limit.mg_per_kg_low:g}" if limit.mg_per_kg_low == limit.mg_per_kg_high
                else f"{limit.mg_per_kg_low:g}–{limit.mg_per_kg_high:g}")
        if limit.reduce_by_fraction:
            rate += f" (child dose), reduced by {limit.reduce_by_fraction:.0%}"
        rows.append({"group": limit.group.replace("_", " "),
                     "lidocaine": "with epinephrine" if limit.with_epinephrine else "plain",
                     "mg/kg": rate, "total cap": f"{limit.cap_mg:g} mg" if limit.cap_mg else "none given",
                     "source": source_mark(limit.limit.source), "note": limit.limit.note or ""})
    concentration = knowledge().cocktails.concentration
    caption = f"Lidocaine maximum doses. {concentration.says} {source_mark(concentration.source)}."
    return _Html(_left(table(rows, caption=caption).markup))


def reduction_table() -> _Html:
    rows = [{"patient or site": r.name, "what the sources say": r.advice.says,
             "figure given": "NONE" if r.figure == "none" else r.figure, "source": source_mark(r.advice.source)}
            for r in knowledge().cocktails.reductions]
    return _Html(_left(table(rows, caption="Lower the dose, but by how much? The sources give no figure").markup))


def worked_limit(weight_kg: float = 60, percent: float = 1.0, with_epinephrine: bool = False) -> _Html:
    """The three steps: limit in mg (with the cap), concentration in mg/mL, largest volume in mL."""
    limit = lidocaine_limit(weight_kg, with_epinephrine)
    strength = mg_per_ml(percent)
    volume = max_volume_ml(limit.ceiling_mg, percent)
    steps = [html.escape(limit.text),
             f"{percent:g} % = {percent:g} × 10 = {strength:g} mg/mL.",
             f"{limit.ceiling_mg:g} mg ÷ {strength:g} mg/mL = <b>{volume:g} mL</b> at most of {percent:g} % lidocaine."]
    return _Html('<ol class="mesolab-worked">' + "".join(f"<li>{s}</li>" for s in steps) + "</ol>")


def limit_figure(weights=(40, 50, 60, 66, 70, 80, 90, 100, 120)) -> HtmlFigure:
    """The adult ceiling at several body weights, plain and with epinephrine: the bars stop growing at the cap."""
    rows = [(float(w), lidocaine_limit(w).ceiling_mg, lidocaine_limit(w, True).ceiling_mg) for w in weights]
    plain, epi = lidocaine_limit(weights[0]), lidocaine_limit(weights[0], True)
    labels = (f"plain: {plain.mg_per_kg:g} mg/kg, cap {plain.cap_mg:g} mg",
              f"with epinephrine: {epi.mg_per_kg:g} mg/kg, cap {epi.cap_mg:g} mg")
    binds = [f"{label.split(':')[0]} reaches its cap above {limit.cap_mg / limit.mg_per_kg:.1f} kg"
             for label, limit in zip(labels, (plain, epi))]
    summary = ("Adult lidocaine ceiling by body weight: weight × mg/kg, never above the cap. "
               + "; ".join(binds) + ".")
    worked = lidocaine_limit(60)
    caption = (f"Lidocaine ceiling for adults, bars drawn to scale: {'; '.join(binds)}. Worked check: 60 kg plain → "
               f"{worked.ceiling_mg:g} mg. Source {source_mark(worked.limit.limit.source)}. These are ceilings for "
               f"healthy adults: for the elderly, impaired organs, pregnancy and the face or neck the sources say "
               f"'lower' with no figure "
               f"{' '.join(source_mark(s) for s in dict.fromkeys(r.advice.source for r in knowledge().cocktails.reductions))}.")
    return ceiling_bars(rows, labels, summary, caption)


# ---- self-checks -------------------------------------------------------------------------------------------------

def _expected_volume_50kg_2pc() -> float:
    return max_volume_ml(lidocaine_limit(50).ceiling_mg, 2.0)


def _expected_mix_strength() -> float:
    return 3 * mg_per_ml(1.0) / (3 + 3 + 4)


def _expected_cap_90kg_epi() -> float:
    return lidocaine_limit(90, with_epinephrine=True).ceiling_mg


def _volume_explanation() -> str:
    limit, strength = lidocaine_limit(50), mg_per_ml(2.0)
    return (f"{limit.mg_per_kg:g} mg/kg × 50 kg = {limit.ceiling_mg:g} mg (under the {limit.cap_mg:g} mg cap); "
            f"2 % = {strength:g} mg/mL; {limit.ceiling_mg:g} ÷ {strength:g} = {_expected_volume_50kg_2pc():g} mL at most "
            f"{source_mark(limit.limit.limit.source)}.")


def _cap_explanation() -> str:
    limit = lidocaine_limit(90, with_epinephrine=True)
    return (f"{limit.mg_per_kg:g} mg/kg × 90 kg = {90 * limit.mg_per_kg:g} mg, above the {limit.cap_mg:g} mg cap: the "
            f"ceiling is {limit.ceiling_mg:g} mg {source_mark(limit.limit.limit.source)}.")


def _mix_explanation() -> str:
    mg = 3 * mg_per_ml(1.0)
    return (f"3 mL × 1 % × {mg_per_ml(1.0):g} mg/mL = {mg:g} mg of lidocaine, shared over 3 + 3 + 4 = 10 mL of mix: "
            f"{_expected_mix_strength():g} mg/mL.")


def _limit_hint(with_epinephrine: bool) -> str:
    limit = lidocaine_limit(60, with_epinephrine=with_epinephrine)
    return f"{limit.mg_per_kg:g} mg/kg, never above the {limit.cap_mg:g} mg cap"


def _infant_fraction() -> str:
    return next(f"{d.reduce_by_fraction * 100:g} %" for d in knowledge().cocktails.lidocaine_limits if d.reduce_by_fraction)


def _said_all(statements) -> str:
    return " ".join(f"{_said(s)}." for s in statements)


_REGULATION = {r.id: r for r in knowledge().cocktails.regulation}


register(
    ChoiceExercise(
        "04.antibiotics", "abcd", "73656d294860b96b31b3fb19aa0127f05258bbab5e8d903daa99659c587aca22",
        _said_all(cocktails.rule("no_antibiotics").why),
        hints={"a": "No source shows that an antibiotic in the cocktail prevents these infections. What caused the "
                    "outbreaks was contaminated vials and poor asepsis [Mun08, Spain11], and treating them took "
                    "months of combined antibiotics [Ma24].",
               "c": "Naming a familiar antibiotic does not create evidence: no source supports any antibiotic in the "
                    "cocktail [AAD24].",
               "d": "Procaine is an anaesthetic; a contaminated procaine vial was part of an outbreak [Mun08]. The "
                    "answer to contamination is single-use vials and asepsis, not an added antibiotic."}),
    ChoiceExercise(
        "04.active_acne", "abcd", "47439d7c47df5f2f790ee383b85563875f21d1e4e3afa0a9ce843ce2783ef81d",
        "For active acne no cocktail ingredient has an injection trial; the evidence-supported choice is guideline "
        "acne therapy [AAD24].",
        hints={"a": "Hyaluronic acid has no study in active acne; its small studies are in scars, with cross-linked "
                    "gels [Spar24].",
               "b": "Niacinamide's evidence is topical; no injection trial was found [Marq24].",
               "c": "Glycolic acid and zinc are listed as mesotherapy ingredients, but no injection trials were found "
                    "[SEME]."}),
    ChoiceExercise(
        "04.skinvive", "abcd", "5efa728ada5c0251e09e70d7e39a65b22a35f216f87ab4e0a7b35112c53df4cc",
        f"{_said(_REGULATION['skinvive'])}. {_said(cocktails.ingredient('hyaluronic_acid').regulatory)}. The one injectable approved for "
        f"acne scars is a different product: {_said(_REGULATION['bellafill'])}. "
        f"{_said(_REGULATION['asps_mixtures'])}.",
        hints={"a": f"{_said(_REGULATION['asps_mixtures'])}.",
               "b": "SKINVIVE's approval is for cheek smoothness, not for scars [Allergan23]; the approved scar "
                    "injectable is a PMMA-collagen filler [Karnik14].",
               "d": "Kybella is the one approved fat-dissolving injection [FDA23 ⚠]; it has nothing to do with scars."}),
    ChoiceExercise(
        "04.cross", "abcd", "7612aecfb691785780b81e2b97b5ce4968c6e0c5cf23e50d324d862cd100f017",
        "Benzocaine and procaine are esters: an ester allergy blocks procaine. It does not imply an amide allergy, so "
        "lidocaine is not blocked by it; the other class is the usual fallback [Kouba16 ⚠].",
        hints={"b": "Lidocaine is an amide; benzocaine is an ester. Which class does the allergy belong to?",
               "c": "The two classes do not cross-react: an ester allergy does not imply an amide allergy [Kouba16 ⚠].",
               "d": "An allergy to one member blocks its whole class [Kouba16 ⚠]; procaine is in benzocaine's class."}),
    NumberExercise(
        "04.volume", "mL", _expected_volume_50kg_2pc, 0.05, _volume_explanation(),
        f"Three steps: weight × mg/kg ({_limit_hint(False)}), % × 10 = mg/mL, then mg ÷ mg/mL."),
    NumberExercise(
        "04.cap", "mg", _expected_cap_90kg_epi, 0.5, _cap_explanation(),
        f"With epinephrine: {_limit_hint(True)}."),
    NumberExercise(
        "04.mix", "mg/mL", _expected_mix_strength, 0.01, _mix_explanation(),
        "First the mg in the syringe (mL × % × 10), then divide by the total volume of the mix, not by the lidocaine's."),
    ChoiceExercise(
        "04.reduce", "abcd", "153e07a7ecd588897fb2d99cdc9784ec965cd670d33897819f217fc2d94e2f8a",
        "For the elderly and for liver disease the sources advise a lower dose but give no figure [Kouba16 ⚠]: the "
        "weight-based figure is a ceiling, not a target, and MesoLab does not invent a number.",
        hints={"a": "The sources name elderly patients and hepatic impairment among those who need less [Kouba16 ⚠].",
               "c": f"The {_infant_fraction()} reduction is given for infants under 6 months only [Kouba16 ⚠]; for "
                    "this patient the sources give no figure.",
               "d": "Every patient has a ceiling; a small planned dose does not remove it."}),
)
