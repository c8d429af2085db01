"""Lesson 09 (capstone: virtual patients): whose case this is, the case in words, the chain figure, a worked example.

Which trainee's patient a notebook shows (:func:`trainee_id`), first found wins:

1. ``MESOLAB_STUDENT_ID``: set by the grader for the kernel that re-runs a submission (the student id nbgrader is
   grading), so the graded notebook shows the same patient the trainee worked on;
2. ``JUPYTERHUB_USER``: on a course hub, the hub user name, which is the trainee's nbgrader student id;
3. self-study: an id typed once with :func:`set_trainee_id`, kept beside the learner's progress file.

Whatever the notebook shows, grading never takes the id from the notebook: the hidden tests use the student id
nbgrader is grading (:func:`mesolab.grading.isolated.graded_student`).
"""
from __future__ import annotations

import html
import os
from pathlib import Path

from .. import progress
from ..acne import classify_scar, gags_assess, injection_advice, region_name, worst_lesion
from ..capstone import Case, case_for, case_text
from ..cocktails import lidocaine_limit, max_volume_ml
from ..complications import triage, urgency_meaning
from ..knowledge import source_mark
from ..plots import HtmlFigure
from ..procedure import plan_course
from ..screening import screen
from ..selfcheck import ChoiceExercise, NumberExercise, register
from ..skin import layer_at_depth, needle_tip_depth_mm
from . import _Html

#: The environment variable the grader sets for the kernel of a submission (see mesolab.grading.isolated).
STUDENT_ENV = "MESOLAB_STUDENT_ID"
HUB_ENV = "JUPYTERHUB_USER"
#: The worked example of the lesson: a case like every trainee's, drawn for this id.
WORKED_EXAMPLE_ID = "worked-example"


def id_file() -> Path:
    """Where a self-study learner's typed id is kept: beside the progress file (``MESOLAB_PROGRESS`` moves both)."""
    return progress.progress_path().with_name("trainee-id")


def trainee_id() -> tuple[str, str] | None:
    """(the id, where it came from), or None when no id is known yet (see the module's docstring)."""
    for variable, origin in ((STUDENT_ENV, "the student id being graded"), (HUB_ENV, "your hub login")):
        value = os.environ.get(variable, "").strip()
        if value:
            return value, origin
    try:
        typed = id_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return (typed, "the id you typed (self-study)") if typed else None


def set_trainee_id(student_id: str) -> _Html:
    """Self-study: remember the id you type (once) for your capstone patient. On a hub the login decides."""
    if os.environ.get(HUB_ENV, "").strip():
        return _Html(f"<p>On this course hub your patient comes from your login, "
                     f"<b>{html.escape(os.environ[HUB_ENV].strip())}</b>; a typed id is not used.</p>")
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError('type your id in quotes, e.g. set_trainee_id("jane.doe"): your course id or any name')
    student_id = student_id.strip()
    case_for(student_id)  # the domain's own checks (length)
    path = id_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(student_id + "\n", encoding="utf-8")
    return _Html(f"<p>Your trainee id is now <b>{html.escape(student_id)}</b>. Run the cell that shows your "
                 "patient again.</p>")


def my_patient() -> _Html:
    """The trainee's own patient in words, with the id shown on the page (or how to choose one)."""
    found = trainee_id()
    if found is None:
        return _Html("<div class='mesolab-capstone-id' role='status'><p><b>No trainee id yet.</b> On a course hub "
                     "your login is used automatically. Studying alone? Type an id once, in a new cell: "
                     "<code>set_trainee_id(\"your-name\")</code>, then run this cell again. Keep using the same "
                     "id: it decides your patient.</p></div>")
    student_id, origin = found
    header = (f"<p class='mesolab-capstone-id'>Trainee id: <b>{html.escape(student_id)}</b> "
              f"(from {html.escape(origin)}). Every trainee has a different patient: answer for yours.</p>")
    return _Html(header + _markdown_html(case_text(case_for(student_id))))


def _markdown_html(text: str) -> str:
    """The few Markdown forms case_text uses (### headings, **bold**, *italic*, - lists), as HTML."""
    import re

    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        escaped = html.escape(line, quote=False)
        escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
        escaped = re.sub(r"\*(.+?)\*", r"<i>\1</i>", escaped)
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escaped[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("### "):
            out.append(f"<h3>{escaped[4:]}</h3>")
        elif line.strip():
            out.append(f"<p>{escaped}</p>")
    if in_list:
        out.append("</ul>")
    return "<div class='mesolab-capstone-case'>" + "".join(out) + "</div>"


# --- the chain --------------------------------------------------------------------------------------------

CHAIN = (
    ("Screen the intake", "05", "proceed, caution, defer or decline; unknown means defer"),
    ("Assess acne and scars", "02", "GAGS from the worst lesion per area; scar type from its shape"),
    ("Decide", "02 · 04", "inject today, or what comes first instead"),
    ("Needle and depth", "01 · 03", "tip depth = inserted length × sin(angle); the layer it reaches"),
    ("Cocktail and lidocaine", "04", "the ceiling for this weight, in mg and in mL"),
    ("Sessions and aftercare", "06", "the protocol's dates from the first session"),
    ("Follow-up", "07", "triage: emergency, urgent, review or reassure"),
)


def chain_figure() -> HtmlFigure:
    """The seven steps of a case, each with the module that teaches it."""
    boxes = "".join(
        f'<div style="flex:1;min-width:9em;border:2px solid #332288;border-radius:6px;padding:0.4em;'
        f'{"border-style:dashed;" if i % 2 else ""}"><b>{i + 1}. {html.escape(step)}</b><br>'
        f'<small>module {html.escape(module)}</small><br><small>{html.escape(what)}</small></div>'
        + ('<div aria-hidden="true" style="align-self:center">→</div>' if i < len(CHAIN) - 1 else "")
        for i, (step, module, what) in enumerate(CHAIN))
    summary = "The capstone case as a chain of seven steps: " + "; ".join(
        f"{i + 1}, {step} (module {module}): {what}" for i, (step, module, what) in enumerate(CHAIN)) + "."
    return HtmlFigure(f'<div style="display:flex;flex-wrap:wrap;gap:0.3em">{boxes}</div>', summary,
                      "One patient, every module: each step uses what the one before it decided.")


# --- the worked example -----------------------------------------------------------------------------------

def worked_case() -> Case:
    return case_for(WORKED_EXAMPLE_ID)


def worked_example() -> _Html:
    """The worked example's case, in words, exactly as a trainee's own case is shown."""
    return _Html(_markdown_html(case_text(worked_case())))


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def worked_screening() -> _Html:
    result = screen(worked_case().intake)
    reasons = [f"{r.text} {' '.join(source_mark(s) for s in r.sources)}" for r in result.reasons] or [
        "every question answered, nothing relevant"]
    return _Html(_p(f"Screening outcome: {result.outcome}.") + "<ul>" + "".join(
        f"<li>{html.escape(r)}</li>" for r in reasons) + "</ul>")


def worked_acne() -> _Html:
    case = worked_case()
    worst = {f.area: worst_lesion(f.lesions) for f in case.acne}
    result = gags_assess(worst)
    rows = "".join(f"<li>{html.escape(region_name(area))}: worst lesion {lesion}, {result.points[area]} point{'' if result.points[area] == 1 else 's'}</li>"
                   for area, lesion in worst.items())
    scar = classify_scar(case.scar.width_mm, case.scar.depth_mm, case.scar.edges)
    advice = injection_advice(scar.target) if scar.target else None
    text = (f"GAGS {result.score} ({result.band.name}) {source_mark('Adit09')}: the counts do not add up, only the "
            f"worst lesion in each area counts. The scar: {scar.reason}.")
    if advice:
        text += f" For superficial injection it is: {advice.verdict.replace('_', ' ')}. {advice.summary}"
    return _Html(f"<ul>{rows}</ul>" + _p(text))


def worked_plan() -> _Html:
    case = worked_case()
    depth = needle_tip_depth_mm(case.needle.inserted_mm, case.needle.angle_deg)
    layer = layer_at_depth(case.scar.region, depth, case.sex)
    limit = lidocaine_limit(case.weight_kg)
    volume = max_volume_ml(limit.ceiling_mg, case.lidocaine_percent)
    course = plan_course(case.start, case.protocol)
    lines = [f"Needle tip: {case.needle.inserted_mm:g} mm × sin {case.needle.angle_deg:g}° = {depth:.2f} mm: "
             f"{layer.name.lower()} here.",
             f"Lidocaine ceiling: {limit.mg_per_kg:g} mg/kg × {case.weight_kg:g} kg = {limit.ceiling_mg:g} mg "
             f"(never above {limit.cap_mg:g} mg) {source_mark(limit.limit.limit.source)}; at "
             f"{case.lidocaine_percent:g} % ({case.lidocaine_percent * 10:g} mg/mL) that is {volume:.1f} mL.",
             "The course: " + "; ".join(course.lines())]
    return _Html("".join(_p(line) for line in lines))


def worked_follow_up() -> _Html:
    result = triage(worked_case().follow_up.presentation)
    return _Html(_p(f"Triage: {result.urgency} ({urgency_meaning(result.urgency)}). First: {result.first_action}"))


#: The self-checks change one number of the worked example: the same reasoning, a new result.
OTHER_PLAN = {"inserted_mm": 2.0, "angle_deg": 45.0}
OTHER_WEIGHT_KG = 80.0


def _other_depth() -> float:
    return needle_tip_depth_mm(OTHER_PLAN["inserted_mm"], OTHER_PLAN["angle_deg"])


def _other_ceiling() -> float:
    return lidocaine_limit(OTHER_WEIGHT_KG).ceiling_mg


register(
    NumberExercise(
        "09.depth", "mm", _other_depth, 0.02,
        "Depth = inserted length × sin(angle): the angle, not the needle's length, decides the layer.",
        "Multiply the inserted length (not the needle's full length) by the sine of the angle to the skin."),
    NumberExercise(
        "09.ceiling", "mg", _other_ceiling, 0.5,
        "Plain lidocaine: 4.5 mg/kg, never above 300 mg in total [XyloLabel]: at 80 kg the cap, not the weight, "
        "sets the ceiling.",
        "Plain lidocaine (no adrenaline) for an adult: how many mg per kg, and what is the cap?"),
    ChoiceExercise(
        "09.decision", "abcdef", "caf7729fc3ca8af0252e835256ed125b8b056399b0fd6ca3720884cd0debaee3",
        "Screening does not stop this patient (a precaution at most), but there are papules and pustules: active "
        "inflammatory acne is treated first with guideline therapy [AAD24], so the scar waits and the patient is "
        "referred. The needle, the lidocaine and the dates are still worth working out: they go in the record.",
        hints={"a": "Look at the examination again: which lesions are inflamed?",
               "b": "A precaution from screening does not settle everything: what does the skin examination show?",
               "c": "Is there a relative contraindication or an unknown answer in the intake?",
               "d": "Is there an absolute contraindication in the intake?",
               "f": "The scar itself is a shallow boxcar: a plausible target. What else is on the face?"}),
    ChoiceExercise(
        "09.unknown", "abcd", "3c8f41f618c97244b3484f38d53a44cbaf075fb98a9364d87c8de675a7889fde",
        "An answer the patient does not know is not a 'no': screening defers until it is known.",
        hints={"a": "'I can't remember what the tablet is called' is not 'no blood thinner'.",
               "b": "A precaution needs a known answer; this one is unknown.",
               "d": "Nothing here is an absolute contraindication: it is unknown, so wait for the answer."}),
)
