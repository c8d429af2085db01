"""Schema of procedure.yaml: the steps of a treatment session, consent, session plans and aftercare (module 06).

Each step says why it is done, which steps must come before it (and why), the attributes a described session
records for it, and which attribute values make the step unsafe or incomplete, each with its sources. Protocols
are the intervals and numbers of sessions as the studies published them; aftercare items and warning signs say
whether their time window is sourced or not found (NF).
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from .common import Sourced, Strict

AttributeKind = Literal["yes_no", "seconds", "days", "choice", "items"]
Severity = Literal["unsafe", "incomplete"]
WindowStatus = Literal["sourced", "label_without_hours", "not_found"]
_ID = r"^[a-z][a-z0-9_]*$"


class Check(Sourced):
    """An attribute value that makes a step unsafe or incomplete. Exactly one condition:
    ``equals`` (yes/no or a choice), ``one_of`` (choices), ``below`` or ``above`` (a number)."""

    id: str = Field(pattern=_ID)
    equals: bool | str | None = None
    one_of: list[str] = []
    below: float | None = None
    above: float | None = None
    only_if: dict[str, list[str]] = {}  # applies only when another attribute of the step has one of these values
    severity: Severity
    finding: str  # what is wrong, in a few words
    reason: str  # why it matters
    also: list[Sourced] = []

    @model_validator(mode="after")
    def _one_condition(self) -> "Check":
        given = [self.equals is not None, bool(self.one_of), self.below is not None, self.above is not None]
        if sum(given) != 1:
            raise ValueError(f"check {self.id}: give exactly one of equals, one_of, below, above")
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.source, *(s.source for s in self.also)]))


class Before(Strict):
    """A step that must come before this one, why, and how serious doing it later is."""

    step: str
    severity: Severity
    reason: str


class Attribute(Strict):
    """One thing a described session records about a step (e.g. the antiseptic's contact time)."""

    key: str = Field(pattern=_ID)
    label: str  # for the notes, e.g. "contact time"
    question: str  # what the checklist asks when it is not stated
    kind: AttributeKind
    values: list[str] = []  # choice: the accepted values; items: the accepted item ids (from the same file)
    unit: str = ""
    only_if: dict[str, list[str]] = {}  # asked only when another attribute of the step has one of these values
    optional: bool = False  # checked when stated, but not reported when a session leaves it out
    checks: list[Check] = []

    @model_validator(mode="after")
    def _values_fit_kind(self) -> "Attribute":
        if self.kind == "choice" and len(self.values) < 2:
            raise ValueError(f"attribute {self.key}: a choice needs at least two values")
        for check in self.checks:
            if self.kind in ("seconds", "days") and (check.below is None and check.above is None):
                raise ValueError(f"attribute {self.key}: check {check.id} needs below or above for a number")
            if self.kind == "yes_no" and not isinstance(check.equals, bool):
                raise ValueError(f"attribute {self.key}: check {check.id} needs equals: true/false")
            if self.kind == "choice":
                named = [check.equals] if check.equals is not None else check.one_of
                if not named or any(v not in self.values for v in named):
                    raise ValueError(f"attribute {self.key}: check {check.id} names a value not in {self.values}")
        return self


class Step(Sourced):
    """One step of a treatment session, in its place; ``after`` lists the steps that must come before it."""

    id: str = Field(pattern=_ID)
    name: str
    aliases: list[str] = []  # other ids a described session may use for this step
    why: str
    after: list[Before] = []
    if_missing: Severity = "unsafe"
    attributes: list[Attribute] = []
    also: list[Sourced] = []
    not_found: str = ""  # what no authoritative source settles for this step

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.source, *(s.source for s in self.also)]))


class Disclosure(Sourced):
    """Something consent must disclose, and why."""

    id: str = Field(pattern=_ID)
    item: str
    why: str
    also: list[Sourced] = []


class Protocol(Sourced):
    """A course of sessions as a study (or label) published it."""

    id: str = Field(pattern=_ID)
    label: str
    interval_days: int = Field(ge=1, le=365)
    sessions: int = Field(ge=1, le=20)
    what: str  # product or method, and what the study found
    analogue: bool = False  # a skin booster or microneedling study, not classic mesotherapy


class PlanRule(Sourced):
    """How MesoLab places reviews in a course, with the nearest source and whether it is MesoLab's choice."""

    days: int = Field(ge=0, le=365)
    curriculum_choice: str = ""


class Aftercare(Sourced):
    id: str = Field(pattern=_ID)
    advice: str
    window: str  # the time window as the sources give it, or what clinic pages say
    window_status: WindowStatus


class WarningSign(Sourced):
    id: str = Field(pattern=_ID)
    sign: str
    when: str  # when it typically appears, as sourced
    may_be: str
    action: str
    also: list[Sourced] = []


class Procedure(Strict):
    steps: list[Step]
    disclosures: list[Disclosure]
    protocols: list[Protocol]
    schedule_not_found: Sourced  # no label or consensus schedule for mesotherapy
    response_review: PlanRule  # before continuing past the halfway session
    final_review: PlanRule  # after the last session
    stopping_rule: Sourced  # NF, and the nearest principle
    aftercare: list[Aftercare]
    warning_signs: list[WarningSign]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Procedure":
        for kind, ids in (("step", [s.id for s in self.steps]), ("disclosure", [d.id for d in self.disclosures]),
                          ("protocol", [p.id for p in self.protocols]), ("aftercare", [a.id for a in self.aftercare]),
                          ("warning sign", [w.id for w in self.warning_signs])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} id")
        position = {s.id: i for i, s in enumerate(self.steps)}
        names = [s.id for s in self.steps] + [a for s in self.steps for a in s.aliases]
        if len(set(names)) != len(names) or any(not re.fullmatch(_ID, a) for s in self.steps for a in s.aliases):
            raise ValueError("a step alias repeats a step id or another alias, or is not a lower-case id")
        disclosures = {d.id for d in self.disclosures}
        for step in self.steps:
            for before in step.after:
                if before.step not in position:
                    raise ValueError(f"step {step.id}: unknown step {before.step!r} in after")
                if position[before.step] >= position[step.id]:
                    raise ValueError(f"step {step.id}: {before.step!r} must be listed before it")
            keys = [a.key for a in step.attributes]
            if len(set(keys)) != len(keys) or "step" in keys:
                raise ValueError(f"step {step.id}: duplicate attribute, or an attribute called 'step'")
            kinds = {a.key: a for a in step.attributes}
            for attribute in step.attributes:
                conditions = [attribute.only_if, *(c.only_if for c in attribute.checks)]
                for condition in conditions:
                    for key, values in condition.items():
                        if key not in kinds or key == attribute.key or not set(values) <= set(kinds[key].values):
                            raise ValueError(f"step {step.id}: {attribute.key}: only_if names {key}={values}")
                if attribute.kind == "items" and not set(attribute.values) <= disclosures:
                    raise ValueError(f"step {step.id}: {attribute.key} names unknown disclosures")
        return self
