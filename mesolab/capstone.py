"""The capstone's virtual patients (module 09): one case per trainee, drawn from ``knowledge/capstone.yaml``.

``case_for(student_id)`` draws a :class:`Case` deterministically from the student id (sha256 of the id seeds
``random.Random``; never Python's ``hash()``, which changes between processes), so the trainee's notebook, the
grader and the instructor's feedback all meet the same patient. ``case_text(case)`` presents it as a clinician
meets it: the intake answers in the patient's words, the findings as seen, the plan's numbers, the follow-up.

On purpose, nothing here computes the case's answers (the screening outcome, the GAGS score, the decision, the
depth, the ceiling, the dates, the urgency): the trainee reads the words and judges; the grader composes the
domain functions of modules 01-07 on the structured case.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import random
from dataclasses import dataclass

from .acne import gags_regions, region_name
from .knowledge import knowledge
from .knowledge.schema.capstone import Drawn
from .screening import INTAKE_FIELDS, healthy_adult
from .skin import region_name as skin_region_name

#: Seeds are sha256(SALT + student id): changing the salt gives every trainee a new patient (a new cohort).
SALT = "mesolab-capstone-v1\0"
MAX_ID_LENGTH = 200


@dataclass(frozen=True)
class AreaFindings:
    """What is seen in one GAGS area: lesion counts and, for inflammatory lesions, their size."""

    area: str  # a GAGS region id
    comedones: int = 0
    papules: int = 0
    papule_mm: float = 0.0
    pustules: int = 0
    nodules: int = 0
    nodule_mm: float = 0.0

    @property
    def lesions(self) -> tuple[str, ...]:
        """The GAGS lesion ids present in this area ("none" if the area is clear)."""
        present = tuple(lesion for lesion, count in (("comedone", self.comedones), ("papule", self.papules),
                                                     ("pustule", self.pustules), ("nodule", self.nodules)) if count)
        return present or ("none",)


@dataclass(frozen=True)
class Scar:
    region: str  # a skin region id (skin_layers.yaml)
    width_mm: float
    depth_mm: float
    edges: str


@dataclass(frozen=True)
class NeedlePlan:
    technique: str
    length_mm: float
    gauge: int
    inserted_mm: float
    angle_deg: float


@dataclass(frozen=True)
class FollowUp:
    hours: float
    presentation: dict[str, object]  # a complete triage presentation: every finding answered
    says: str


@dataclass(frozen=True)
class Case:
    """One trainee's virtual patient, as structured data (the grader's view; trainees read :func:`case_text`)."""

    student_id: str
    name: str
    sex: str
    age_years: int
    weight_kg: float
    intake: dict[str, object]  # a complete screening intake (planned ingredients included)
    intake_words: tuple[tuple[str, str], ...]  # (question, what the patient says)
    acne: tuple[AreaFindings, ...]  # one per GAGS area, in the GAGS order
    scar: Scar
    needle: NeedlePlan
    cocktail: tuple[str, ...]
    lidocaine_percent: float
    protocol: str
    start: _dt.date
    follow_up: FollowUp

    @property
    def pronoun(self) -> str:
        return "she" if self.sex == "female" else "he"


def _seed(student_id: str) -> int:
    return int.from_bytes(hashlib.sha256((SALT + student_id).encode("utf-8")).digest()[:8], "big")


def _check_id(student_id: object) -> str:
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"student_id must be the trainee's id as text (e.g. the hub user name), got {student_id!r}")
    if len(student_id) > MAX_ID_LENGTH:
        raise ValueError(f"student_id is longer than {MAX_ID_LENGTH} characters")
    return student_id


def _draw(rng: random.Random, drawn: Drawn) -> float:
    return rng.choice(drawn.values())


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def case_for(student_id: str) -> Case:
    """The virtual patient of ``student_id``: the same id always gives the same case, in any process.

    >>> case_for("trainee-a") == case_for("trainee-a")
    True
    >>> case_for("trainee-a").student_id
    'trainee-a'
    """
    student_id = _check_id(student_id)
    rng = random.Random(_seed(student_id))
    kb = knowledge().capstone
    path = rng.choices([p.id for p in kb.paths], weights=[p.weight for p in kb.paths])[0]
    sex = rng.choice(("female", "male"))
    name = rng.choice(getattr(kb.patient.names, sex))
    age = int(_draw(rng, kb.patient.age_years))
    weight = float(_draw(rng, getattr(kb.patient.weight_kg, sex)))

    intake_path = "screening_blocks" if path == "screening_blocks" else "clear"
    scenarios = [s for s in kb.intake if s.path == intake_path and s.sex in (None, sex)]
    scenario = rng.choice(scenarios)
    intake = healthy_adult()
    intake.update({"age_years": age, "planned_ingredients": list(kb.cocktail.ingredients)})
    intake.update({key: (list(value) if isinstance(value, list) else value) for key, value in scenario.answers.items()})
    words = tuple(_intake_words(key, intake[key], scenario.says.get(key), age, kb.cocktail.ingredients)
                  for key in INTAKE_FIELDS if key != "planned_ingredients")

    acne = _acne(rng, inflamed=path == "acne_blocks")
    scar_choices = [s for s in kb.scars if (s.path == "scar_blocks") == (path == "scar_blocks")]
    scar_kind = rng.choice(scar_choices)
    scar = Scar(rng.choice(kb.regions), _draw(rng, scar_kind.width_mm), _draw(rng, scar_kind.depth_mm), scar_kind.edges)
    needle = NeedlePlan(kb.technique, kb.needle.length_mm, kb.needle.gauge, _draw(rng, kb.needle.inserted_mm),
                        float(rng.choice(kb.needle.angle_deg)))
    percent = float(rng.choice(kb.cocktail.lidocaine_percent))
    protocol = rng.choice(kb.course.protocols)
    start = kb.course.first_start + _dt.timedelta(days=rng.randrange(kb.course.start_window_days))
    start += _dt.timedelta(days=max(0, 7 - start.weekday()) if start.weekday() >= 5 else 0)  # a weekday
    follow = rng.choice(kb.follow_up)
    hours = _draw(rng, follow.hours)
    presentation: dict[str, object] = {key: False for key in _presentation_keys()}
    presentation.update({"hours_since_treatment": _whole(hours), **{finding: True for finding in follow.findings}})
    return Case(student_id, name, sex, age, weight, intake, words, acne, scar, needle,
                tuple(kb.cocktail.ingredients), percent, protocol, start, FollowUp(hours, presentation, follow.says))


def _presentation_keys() -> tuple[str, ...]:
    from .complications import blank_presentation

    return tuple(key for key in blank_presentation() if key != "hours_since_treatment")


def _acne(rng: random.Random, inflamed: bool) -> tuple[AreaFindings, ...]:
    ranges = knowledge().capstone.acne
    areas = gags_regions()
    findings = {area: AreaFindings(area, comedones=int(_draw(rng, ranges.comedones_per_area))
                                   if area != "chest_upper_back" or rng.random() < 0.3 else 0) for area in areas}
    if inflamed:
        count = int(_draw(rng, ranges.inflammatory_areas))
        with_nodules = rng.random() < ranges.nodule_share
        chosen = rng.sample(list(areas), count)
        for index, area in enumerate(chosen):
            nodules = rng.choice((1, 2)) if with_nodules and index == 0 else 0
            findings[area] = AreaFindings(
                area, findings[area].comedones, int(_draw(rng, ranges.papules_per_area)),
                _draw(rng, ranges.papule_diameter_mm), int(_draw(rng, ranges.pustules_per_area)), nodules,
                _draw(rng, ranges.nodule_diameter_mm) if nodules else 0.0)
    return tuple(findings[area] for area in areas)


_NO = ("No.", "No.", "No, nothing like that.")


def _intake_words(key: str, value: object, says: str | None, age: int, planned: list[str]) -> tuple[str, str]:
    question = INTAKE_FIELDS[key].question
    if says is not None:
        return question, says
    if key == "age_years":
        return question, f"{age}."
    if key == "allergies":
        return question, "None."
    if key == "isotretinoin_months_since_last_dose":
        return question, "No, never."
    if key == "diabetes":
        return question, "No."
    return question, _NO[len(key) % len(_NO)]


_LESION_WORDS = {
    "comedones": "{n} blackhead{s} and whitehead{s}",
    "papules": "{n} red, raised, tender spots about {mm:g} mm across, without pus",
    "pustules": "{n} spots with a yellow-white head of pus",
    "nodules": "{n} deep, painful, red lump{s} about {mm:g} mm across",
}


def area_words(findings: AreaFindings) -> str:
    """What is seen in one area, in words (counts and sizes; no lesion grade)."""
    parts = []
    for field, template in _LESION_WORDS.items():
        count = getattr(findings, field)
        if count:
            size = findings.papule_mm if field == "papules" else findings.nodule_mm
            words = template.format(n=count, mm=size, s="s" if count > 1 else "")
            parts.append(words.replace("1 blackhead and whitehead", "1 blackhead"))
    return "; ".join(parts) if parts else "clear"


def _when(hours: float) -> str:
    if hours >= 72 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{_whole(hours)} hours"


def case_text(case: Case) -> str:
    """The case in a clinician's words, as Markdown: who, the intake in the patient's words, the examination,
    the plan's numbers, and the follow-up. Nothing in it is an answer."""
    they = case.pronoun
    lines = [f"### Your patient: {case.name}, {case.age_years}, {case.weight_kg:g} kg",
             "",
             f"{case.name} ({'woman' if case.sex == 'female' else 'man'}, {case.age_years}) asks about mesotherapy "
             f"for an acne scar on the {skin_region_name(case.scar.region).lower()}. You weighed {case.name} today: "
             f"{case.weight_kg:g} kg.",
             "",
             "**The intake, in the patient's words**",
             ""]
    lines += [f"- *{question}* — \u201c{answer}\u201d" for question, answer in case.intake_words]
    lines += ["",
              f"**Planned cocktail** (your clinic's standard): {', '.join(case.cocktail[:-1])} with plain "
              f"{case.cocktail[-1]} {case.lidocaine_percent:g} % (no adrenaline).",
              "",
              "**Examination of the skin** (you count each area):",
              ""]
    lines += [f"- {region_name(f.area)}: {area_words(f)}" for f in case.acne]
    scar = case.scar
    edge_words = {"vertical": "steep, vertical walls and a flat floor",
                  "sloping": "gently sloping edges that blend into the skin around it, and it does not flatten "
                             "when you stretch the skin",
                  "tapering": "a narrow opening whose walls taper to a point deep in the skin"}[scar.edges]
    lines += ["",
              f"**The scar {they} points to**, on the {skin_region_name(scar.region).lower()}: a depression "
              f"{scar.width_mm:g} mm across, {scar.depth_mm:g} mm deep by your measurement, with {edge_words}.",
              "",
              f"**Your clinic's injection set-up**: a {case.needle.length_mm:g} mm {case.needle.gauge}G needle "
              f"for the {case.needle.technique} technique; your plan inserts {case.needle.inserted_mm:g} mm of it at "
              f"{case.needle.angle_deg:g}° to the skin surface.",
              "",
              f"**If a course goes ahead**, it follows the protocol *{_protocol_label(case.protocol)}*, and the first "
              f"session would be on {case.start:%A} {case.start.isoformat()}.",
              "",
              "**Later: a follow-up.** Imagine that some time after a mesotherapy session (yours if you treated, "
              f"otherwise one {they} had at another clinic) {case.name} comes back {_when(case.follow_up.hours)} "
              f"after it. What you find: {case.follow_up.says}"]
    return "\n".join(lines)


def _protocol_label(protocol_id: str) -> str:
    from .procedure import protocol

    chosen = protocol(protocol_id)
    return f"{chosen.label}, as in [{chosen.source}]"
