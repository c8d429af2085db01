"""Lesson 02 (acne and scar assessment): tables, figures and self-checks. Every number comes from the knowledge base."""
from __future__ import annotations

from ..acne import (classify_scar, gags_assess, gags_score, injection_advice, injection_targets, max_gags_score,
                    lesion_grade, region_factor, worst_lesion)
from ..knowledge import knowledge
from ..plots import FigureView
from ..plots.style import VERTICAL_EXAGGERATION
from ..selfcheck import ChoiceExercise, NumberExercise, register
from ..skin import skin_profile
from ..readings.acne import read_gags
from . import table

#: The worked example of the lesson: what the examiner found in each area, in words, and the worst lesion.
EXAMPLE_FINDINGS = {
    "forehead": ["comedone", "papule"],
    "right_cheek": ["papule", "pustule"],
    "left_cheek": ["comedone"],
    "nose": ["comedone"],
    "chin": ["papule", "nodule"],
    "chest_upper_back": ["none"],
}


def _cite(source_id: str) -> str:
    return f"[{source_id}]" + (" ⚠" if knowledge().source(source_id).secondary else "")


def lesion_table() -> object:
    """Acne lesion types, inflammatory or not, what GAGS counts them as, with sources."""
    acne = knowledge().acne
    grades = {lesion.id: lesion.grade for lesion in acne.gags.lesions}
    rows = [{"lesion": t.name, "inflammatory": "yes" if t.inflammatory else "no", "what you see": t.description,
             "GAGS counts it as": f"{t.gags_lesion} (grade {grades[t.gags_lesion]})", "source": _cite(t.source),
             "note": t.note} for t in acne.lesion_types]
    return table(rows, caption="Acne lesions and their GAGS grade")


def size_cutoff_table() -> object:
    rows = [{"source": _cite(c.source), "papule / nodule cut-off": f"{c.papule_below_mm:g} mm",
             "as written": c.as_written, "note": c.note} for c in knowledge().acne.size_cutoffs]
    return table(rows, caption="Where the sources put the border between a papule and a nodule")


def gags_tables() -> tuple[object, object]:
    """The GAGS areas with factors, and the bands as published and as MesoLab applies them."""
    gags = knowledge().acne.gags
    areas = [{"area": r.name, "factor": str(r.factor), "source": _cite(r.source)} for r in gags.regions]
    bands = [{"band": b.name, "as published": b.as_published,
              "MesoLab applies": f"{b.low}" if b.low == b.high else f"{b.low}–{b.high}",
              "whose choice": "MesoLab's" if b.curriculum_choice else "published",
              "source": _cite(b.source), "note": b.note} for b in gags.bands]
    grades = ", ".join(f"{lesion.id} {lesion.grade}" for lesion in gags.lesions)
    return (table(areas, caption=f"GAGS areas. Score = Σ factor × grade of the worst lesion ({grades}): "
                                 f"0–{max_gags_score()}"),
            table(bands, caption="GAGS severity bands"))


def iga_table() -> object:
    iga = knowledge().acne.iga
    rows = [{"IGA grade": str(g.grade), "name": g.name, "source": _cite(g.source)} for g in iga.grades]
    return table(rows, caption=f"{iga.name}. {iga.success.note} [{iga.success.source}]")


def scar_table() -> object:
    acne = knowledge().acne
    rows = []
    for scar in acne.scar_types:
        dims = scar.dimensions
        rows.append({"scar": scar.name, "contour": scar.contour, "edges (decide)": scar.edges,
                     "what it is": scar.description,
                     "width": dims.width_as_written if dims else "—", "depth": dims.depth_as_written if dims else "—",
                     "sources": _cite(scar.source) + (f", dimensions {_cite(dims.source)}" if dims else ""),
                     "note": dims.note if dims else ""})
    box = acne.boxcar_depth
    rows.append({"scar": "Boxcar depth", "contour": "depressed", "edges (decide)": "vertical",
                 "what it is": "shallow or deep", "width": "",
                 "depth": box.as_written, "sources": _cite(box.source), "note": ""})
    return table(rows, caption="Acne scar types (classification [Jacob01], usual dimensions [Fabb10]): the shape "
                               "decides the type, the width only supports it")


def goodman_baron_table() -> object:
    acne = knowledge().acne
    rows = [{"grade": str(g.grade), "name": g.name, "what the examiner sees": g.description, "source": _cite(g.source)}
            for g in acne.goodman_baron]
    quantitative = acne.goodman_baron_quantitative
    return table(rows, caption=f"Goodman–Baron qualitative grades. {quantitative.note} [{quantitative.source}]")


def injection_table() -> object:
    """For each scar type (and active acne): superficial injection or something else, with sources."""
    rows = []
    for target in injection_targets():
        advice = injection_advice(target)
        rows.append({"target": target.replace("_", " "), "verdict": advice.verdict.replace("_", " "),
                     "why": advice.summary, "do instead / first": "; ".join(advice.do_instead) or "—",
                     "sources": ", ".join(_cite(s) for s in advice.sources), "evidence": advice.evidence_note})
    return table(rows, caption="Which targets suit superficial intradermal injection")


def example_worst() -> dict[str, str]:
    return {region: worst_lesion(found) for region, found in EXAMPLE_FINDINGS.items()}


def example_gags_figure() -> FigureView:
    """The worked example's GAGS, as the calculator draws it, with its text description."""
    reading = read_gags(example_worst())
    return FigureView.drawn_ahead("acne.draw_gags", (reading.result,), alt=reading.description,
                                  caption=reading.summary)


def scar_profiles_figure() -> FigureView:
    """Ice-pick, boxcar (shallow and deep) and rolling scars on a woman's cheek, widths and depths in mm."""
    profile = skin_profile("cheek", "female")
    junction = profile.skin_thickness_mm
    epidermis = profile.band("epidermis").bottom_mm or 0.0
    box = knowledge().acne.boxcar_depth
    profiles = [("ice-pick", 1.5, round(junction + 0.2, 2), "v"),
                ("shallow boxcar", 3.0, 0.3, "box"),
                ("deep boxcar", 3.0, round(max(box.shallow_max_mm + 0.3, 0.8), 2), "box"),
                ("rolling", 6.0, 0.4, "rolling")]
    caption = (f"Scar profiles (depth drawn {VERTICAL_EXAGGERATION}× enlarged). Widths from [Fabb10]; skin layers of a "
               f"woman's cheek [Meng22]; ice-pick and rolling depths illustrative (not given in mm).")
    alt = ("Cross-section of the skin surface with four depressed scars: "
           + "; ".join(f"{label}: {w:g} mm wide, drawn {d:g} mm deep" for (label, w, d, _s) in profiles)
           + f". The dermis ends {junction:.2f} mm below the surface; the ice-pick scar reaches below it, the rolling "
             "scar has dotted strands tethering it to the fat.")
    title = f"Depressed acne scars (depth drawn {VERTICAL_EXAGGERATION}× enlarged)"
    return FigureView.drawn_ahead("acne.draw_scar_profiles", (profiles, junction, epidermis, title), alt=alt,
                                  caption=caption)


def _gags_working() -> str:
    """The worked example's score in words, from the domain functions."""
    result = gags_assess(example_worst())
    parts = ", ".join(f"{region.replace('_', ' ')} {lesion} {region_factor(region)}×{lesion_grade(lesion)}"
                      for region, lesion in result.worst.items())
    sums = " + ".join(str(points) for points in result.points.values())
    band = result.band
    return f"Worst lesions: {parts}: {sums} = {result.score}, {band.name.lower()} ({band.as_published}) [{band.source}]."


def _band39_text() -> str:
    bands = {band.id: band for band in knowledge().acne.gags.bands}
    severe, very = bands["severe"], bands["very_severe"]
    return (f"The published table says {severe.as_published} severe and '{very.as_published}' very severe, so 39 falls "
            f"in no band [{severe.source}]. The other cut-offs are confirmed and one summary uses '>38' "
            f"[{knowledge().acne.gags.alternative_cutoff.source}]: MesoLab reads '{very.as_published}' as '≥39' and "
            "says so.")


def _lesion_size_text() -> str:
    cutoffs = sorted(knowledge().acne.size_cutoffs, key=lambda c: c.papule_below_mm)
    said = "; ".join(f"'{c.as_written}' {_cite(c.source)}" for c in cutoffs)
    return (f"The sources put the papule/nodule border at different sizes: {said}. Between "
            f"{cutoffs[0].papule_below_mm:g} and {cutoffs[-1].papule_below_mm:g} mm they disagree: name the cut-off "
            "you use.")


def _scar_class_text() -> str:
    call = classify_scar(3.0, 0.7, edges="vertical")
    return f"A deep boxcar. {call.reason[0].upper()}{call.reason[1:]}."


register(
    NumberExercise(
        "02.gags_example", "points", lambda: float(gags_score(example_worst())), 0.01,
        _gags_working(),
        "Take only the WORST lesion in each area, multiply its grade by the area's factor, and add the six products."),
    ChoiceExercise(
        "02.band39", "abcd", "dc232309c6d404c54063e297a36a261ee2acd9d378a264e591d1d36734901ac5",
        _band39_text(),
        hints={"a": "Severe ends at 38 in the published table: 39 is not in it.",
               "b": "Look at the published band for 'very severe': is 39 greater than 39?",
               "d": "39 can occur: nodules everywhere except pustules on the forehead and the trunk give 44 − 2 − 3 = 39."}),
    ChoiceExercise(
        "02.lesion_size", "abcd", "c1eee5afb27bdf5797f936f44cf572071734f2829620b4d433aaecbf77596714",
        _lesion_size_text(),
        hints={"a": "Check both cut-offs in the table: does every source call 8 mm a papule?",
               "c": "A pustule has visible pus; this lesion has none.",
               "d": "Comedones are not inflamed; this lesion is."}),
    ChoiceExercise(
        "02.iga_success", "abcd", "d70f89b55ffec61fb0b2f9ec273dad3510a1598f7cd10bf6b1d1c3bd86285cec",
        "Trial success needs BOTH a final IGA of 0 or 1 AND a fall of at least 2 grades [FDA18]: 4 → 2 falls 2 "
        "grades but ends at mild (2).",
        hints={"a": "A 2-grade fall is only half of the definition: where did the patient end?",
               "b": "Mild (2) is not clear or almost clear.",
               "c": "The two grades are enough to decide: apply both parts of the definition."}),
    ChoiceExercise(
        "02.scar_class", "abcd", "2471459f912f81cd33f685fb4cb9ae8c301b526fe53d3c5f806963d0196b2268",
        _scar_class_text(),
        hints={"a": "Ice-pick scars are narrow tracts that taper to a point; this one has vertical edges.",
               "b": f"Shallow boxcars are {knowledge().acne.boxcar_depth.as_written.split(',')[0].removeprefix('shallow ')} "
                    "deep; this one is deeper.",
               "d": "Rolling scars have sloping edges without vertical walls."}),
    ChoiceExercise(
        "02.rolling_plan", "abcd", "d183220edcb3b83152a16a4876c738296f7c00566ef8427366e092d22288237a",
        "A rolling scar is tethered to the subcutis: release it first (subcision); a superficial injection is at most "
        "an add-on [Fabb10, Rullan ⚠]. A different product, the PMMA-collagen filler injected beneath the scar, is "
        "FDA-approved on its own for distensible rolling cheek scars [Karnik14, FDA-Bellafill14]: it is not "
        "mesotherapy.",
        hints={"b": "Injected product does not cut the fibrous bands that pull the scar down.",
               "c": "Punch techniques suit narrow ice-pick and deep boxcar scars, not wide rolling ones.",
               "d": "Intralesional steroid flattens raised scars; this scar is depressed."}),
)
