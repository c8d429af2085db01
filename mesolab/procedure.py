"""The procedure (module 06): a session checklist and a treatment-course planner, over ``knowledge/procedure.yaml``.

``check_session(session)`` reads a described session and says what is missing, out of order, unsafe, incomplete or
not stated, each with why and its sources, and writes the record as it would go into the notes. No rule is written
here: the steps, their order, their attributes and the values that make them unsafe all come from the knowledge base.

The session is a **sequence of steps in the order they were done**. Each step is a mapping with the key ``"step"``
(a step id, see :data:`STEPS`) and that step's attributes, e.g.::

    [{"step": "consent", "obtained_by": "injector", "written_information": True, "disclosed": ["risks", ...]},
     {"step": "skin_antisepsis", "antiseptic": "chlorhexidine_alcohol", "contact_seconds": 30, "left_to_dry": True},
     ...]

A bare step id (``"sharps"``) is shorthand for a step with no attributes stated; common other names of a step
(``"antisepsis"``, ``"lot_numbers"``, ``"sharps_disposal"`` ..., see :data:`ALIASES`) are read as that step. How
problems are handled:

- a session that is not a list or tuple of steps raises ``ValueError``: the ONLY exception ``check_session`` raises;
- an item that is not a step, an unknown step id, an unknown attribute and a malformed value each become a finding of
  kind ``"input"``: nothing is silently ignored, and the session is never ``"complete"`` while one is present;
- an attribute not stated (missing, ``None`` or ``"unknown"``) is a finding of kind ``"not_stated"``: the record must
  say it, and the checklist never assumes it was done right;
- a required step that is absent is ``"missing"``; a step done before one that must precede it is ``"order"``;
  an attribute value a source rules out is ``"unsafe"`` or ``"incomplete"`` (its severity in the knowledge base).

``plan_course(start, protocol)`` gives the dates of the sessions of a published protocol (or any interval and number of
sessions), with a response review and a final review placed as :data:`PLAN_NOTES` explains.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Literal

from .knowledge import knowledge, source_mark
from .knowledge.schema.procedure import Attribute, Check, Step

FindingKind = Literal["unsafe", "missing", "order", "incomplete", "not_stated", "input"]
Verdict = Literal["complete", "incomplete", "unsafe"]
UNKNOWN = "unknown"
MAX_SECONDS = 3600.0
MAX_DAYS = 3650.0
MAX_SESSIONS = 20
MAX_INTERVAL_DAYS = 365

_ACCEPTS = {
    "yes_no": "True or False (or \"yes\"/\"no\"); None or \"unknown\" if not stated",
    "seconds": f"a number of seconds from 0 to {MAX_SECONDS:g}; None or \"unknown\" if not stated",
    "days": f"a number of days from 0 to {MAX_DAYS:g}; None or \"unknown\" if not stated",
}


@dataclass(frozen=True)
class AttributeInfo:
    key: str
    label: str
    question: str
    kind: str
    accepts: str


@dataclass(frozen=True)
class StepInfo:
    """A step id, its name, why it is done, and the attributes a described session can state for it."""

    id: str
    name: str
    why: str
    sources: tuple[str, ...]
    attributes: dict[str, AttributeInfo]
    not_found: str


def _accepts(attribute: Attribute) -> str:
    if attribute.kind == "choice":
        return "one of " + ", ".join(f'"{v}"' for v in attribute.values) + "; None or \"unknown\" if not stated"
    if attribute.kind == "items":
        return "a list of " + ", ".join(f'"{v}"' for v in attribute.values) + " (those done); None if not stated"
    return _ACCEPTS[attribute.kind]


def _steps() -> tuple[Step, ...]:
    return tuple(knowledge().procedure.steps)


#: Every step id, in the order a session does them, with its attributes (from knowledge/procedure.yaml).
STEPS: dict[str, StepInfo] = {
    s.id: StepInfo(s.id, s.name, s.why, s.sources,
                   {a.key: AttributeInfo(a.key, a.label, a.question, a.kind, _accepts(a)) for a in s.attributes},
                   s.not_found)
    for s in _steps()
}
STEP_IDS: tuple[str, ...] = tuple(STEPS)
#: Other names a described session may use for a step (e.g. "antisepsis", "lot_numbers") -> the step id.
ALIASES: dict[str, str] = {alias: s.id for s in _steps() for alias in s.aliases}
SEVERITY_ORDER: tuple[str, ...] = ("complete", "incomplete", "unsafe")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a described session: what, why, and the sources."""

    kind: FindingKind
    severity: str  # "unsafe" or "incomplete"
    step: str  # a step id, or "" for a problem with the session as a whole
    attribute: str  # an attribute key, or ""
    check: str  # the knowledge-base check id, or the kind for missing/order/not_stated/input findings
    text: str  # what is wrong
    why: str  # why it matters
    sources: tuple[str, ...] = ()
    position: int = 0  # the item in the session it is about (1-based); 0 for a missing or out-of-order step

    def line(self) -> str:
        cites = " ".join(source_mark(s) for s in self.sources)
        head = {"unsafe": "UNSAFE", "missing": "MISSING", "order": "OUT OF ORDER", "incomplete": "INCOMPLETE",
                "not_stated": "NOT STATED", "input": "NOT READ"}[self.kind]
        return f"{head} — {self.text.rstrip('.')}. {self.why}{(' ' + cites) if cites else ''}".strip()


@dataclass(frozen=True)
class DoneStep:
    """A step as it was read from the session: its position, id and readable attribute values."""

    position: int  # 1-based, in the described session
    step: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class SessionCheck:
    findings: tuple[Finding, ...]
    steps: tuple[DoneStep, ...]  # the readable steps, in the order given

    @property
    def verdict(self) -> Verdict:
        """ "unsafe" if any finding is unsafe; "incomplete" if any other finding; "complete" if none."""
        if any(f.severity == "unsafe" for f in self.findings):
            return "unsafe"
        return "incomplete" if self.findings else "complete"

    def of_kind(self, *kinds: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind in kinds)

    @property
    def unsafe(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "unsafe")

    @property
    def checks(self) -> frozenset[str]:
        """The check ids that fired (knowledge-base ids, or missing:<step>, order:<step>:<before>...)."""
        return frozenset(f.check for f in self.findings)

    @property
    def missing_steps(self) -> tuple[str, ...]:
        return tuple(f.step for f in self.findings if f.kind == "missing")

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for f in self.findings for s in f.sources))

    def record(self) -> list[str]:
        """The session as it would be written in the notes: one line per step done, in order; what was not stated
        says so; then the steps not done."""
        lines = []
        for done in self.steps:
            info = STEPS[done.step]
            parts = [f"{info.attributes[key].label}: {_words(value)}{_unit(done.step, key)}"
                     for key, value in done.values.items()]
            unstated = [a.label for key, a in info.attributes.items() if key not in done.values
                        and _applies(done.step, key, done.values) and not _optional(done.step, key)]
            if unstated:
                parts.append("not recorded: " + ", ".join(unstated))
            lines.append(f"{done.position}. {info.name}" + (f" — {'; '.join(parts)}" if parts else ""))
        for step in self.missing_steps:
            lines.append(f"NOT DONE: {STEPS[step].name}")
        return lines


def _unit(step_id: str, key: str) -> str:
    unit = next(a.unit for a in _step(step_id).attributes if a.key == key)
    return f" {unit}" if unit else ""


def _words(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, tuple):
        return ", ".join(str(v).replace("_", " ") for v in value) if value else "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def _norm(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


class _Unreadable(Exception):
    pass


def _read(attribute: Attribute, value: object) -> object:
    """The stated value as a clean value, UNKNOWN if not stated; raises _Unreadable with the reason."""
    if value is None or (isinstance(value, str) and _norm(value) == UNKNOWN):
        return UNKNOWN
    kind = attribute.kind
    if kind == "yes_no":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and _norm(value) in ("yes", "no"):
            return _norm(value) == "yes"
        raise _Unreadable(f"got {type(value).__name__} {value!r}")
    if kind in ("seconds", "days"):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise _Unreadable(f"got {type(value).__name__} {value!r}, not a number")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _Unreadable(f"got {value!r}") from None
        high = MAX_SECONDS if kind == "seconds" else MAX_DAYS
        if not math.isfinite(number) or not 0 <= number <= high:
            raise _Unreadable(f"got {value!r}, outside 0–{high:g}")
        return number
    if kind == "choice":
        if isinstance(value, str) and _norm(value) in attribute.values:
            return _norm(value)
        raise _Unreadable(f"got {type(value).__name__} {value!r}")
    # items
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise _Unreadable(f"got {type(value).__name__} {value!r}, not a list")
    items = []
    for item in value:
        if not isinstance(item, str) or _norm(item) not in attribute.values:
            raise _Unreadable(f"the item {item!r} is not one of {', '.join(attribute.values)}")
        items.append(_norm(item))
    return tuple(v for v in attribute.values if v in items)  # in the knowledge base's order


def _step(step_id: str) -> Step:
    for s in _steps():
        if s.id == step_id:
            return s
    raise ValueError(f"unknown step {step_id!r}; the steps are: {', '.join(STEP_IDS)}")


def disclosure_items() -> dict[str, str]:
    """What consent must disclose: the disclosure id -> the item, as the knowledge base words it."""
    return {d.id: d.item for d in knowledge().procedure.disclosures}


def choice_values(step_id: str, key: str) -> list[str]:
    """The values a choice attribute ``key`` of step ``step_id`` accepts (raises ValueError if there is none)."""
    attribute = next((a for a in _step(step_id).attributes if a.key == key), None)
    if attribute is None or not attribute.values:
        raise ValueError(f"step {step_id!r} has no choice attribute {key!r}")
    return list(attribute.values)


def _condition_holds(condition: Mapping[str, list[str]], values: Mapping[str, object]) -> bool | None:
    """True/False, or None when an attribute the condition depends on is not known."""
    for key, accepted in condition.items():
        value = values.get(key, UNKNOWN)
        if value == UNKNOWN:
            return None
        if value not in accepted:
            return False
    return True


def _optional(step_id: str, key: str) -> bool:
    return next(a.optional for a in _step(step_id).attributes if a.key == key)


def _applies(step_id: str, key: str, values: Mapping[str, object]) -> bool:
    attribute = next(a for a in _step(step_id).attributes if a.key == key)
    return _condition_holds(attribute.only_if, values) is not False


def _fires(check: Check, value: object) -> bool:
    if check.equals is not None:
        return value == check.equals
    if check.one_of:
        return value in check.one_of
    if check.below is not None:
        return value < check.below  # type: ignore[operator]
    return value > check.above  # type: ignore[operator]


def _input(text: str, why: str, step: str = "", attribute: str = "", position: int = 0) -> Finding:
    return Finding("input", "incomplete", step, attribute, "input", text, why, (), position)


def check_session(session: Sequence[object]) -> SessionCheck:
    """Check a described session: findings (missing, out of order, unsafe, incomplete, not stated, not read) with
    their reasons and sources, and the readable steps for the record. Raises ValueError only if ``session`` is not a
    list or tuple."""
    if isinstance(session, (str, bytes, Mapping)) or not isinstance(session, (list, tuple)):
        raise ValueError(f"a session must be a list of steps in the order they were done (each a step id or a "
                         f"mapping with 'step' and its attributes), got {type(session).__name__}; step ids: "
                         f"{', '.join(STEP_IDS)}")
    findings: list[Finding] = []
    done: list[DoneStep] = []
    for position, item in enumerate(session, start=1):
        if isinstance(item, str):
            item = {"step": item}
        if not isinstance(item, Mapping):
            findings.append(_input(f"Item {position} (of type {type(item).__name__}) is not a step",
                                   "Each step is a step id or a mapping with 'step' and its attributes.",
                                   position=position))
            continue
        step_id = item.get("step")
        if isinstance(step_id, str) and _norm(step_id) in ALIASES:
            step_id = ALIASES[_norm(step_id)]
        if not isinstance(step_id, str) or _norm(step_id) not in STEPS:
            findings.append(_input(f"Item {position}: unknown step {step_id!r}",
                                   f"It was not read (a typo?). Step ids: {', '.join(STEP_IDS)}.", position=position))
            continue
        step = _step(_norm(step_id))
        attributes = {a.key: a for a in step.attributes}
        values: dict[str, object] = {}
        for key, value in item.items():
            if key == "step":
                continue
            if key not in attributes:
                known = ", ".join(attributes) or "none"
                findings.append(_input(f"{step.name} (item {position}): unknown attribute {key!r}",
                                       f"It was not read (a typo?). This step's attributes: {known}.",
                                       step.id, str(key), position))
                continue
            try:
                read = _read(attributes[key], value)
            except _Unreadable as error:
                findings.append(_input(f"{step.name} (item {position}): {attributes[key].label} not readable "
                                       f"({error})", f"Expected {_accepts(attributes[key])}.", step.id, key, position))
                continue
            if read != UNKNOWN:
                values[key] = read
        done.append(DoneStep(position, step.id, values))
        findings += _attribute_findings(step, values, position)
    findings += _order_findings([d.step for d in done])
    rank = {"unsafe": 0, "missing": 1, "order": 2, "incomplete": 3, "not_stated": 4, "input": 5}
    findings.sort(key=lambda f: (f.severity != "unsafe", rank[f.kind]))
    return SessionCheck(tuple(findings), tuple(done))


def _attribute_findings(step: Step, values: Mapping[str, object], position: int) -> list[Finding]:
    findings = []
    for attribute in step.attributes:
        applies = _condition_holds(attribute.only_if, values)
        if applies is False:
            continue
        value = values.get(attribute.key, UNKNOWN)
        if value == UNKNOWN and attribute.optional:
            continue
        if value == UNKNOWN:
            findings.append(Finding("not_stated", "incomplete", step.id, attribute.key, "not_stated",
                                    f"{step.name}: {attribute.label} not stated",
                                    f"The record must say it: {attribute.question}", step.sources, position))
            continue
        # A check whose condition is not known still applies (the first such one, if no check with a known
        # condition fired): an unknown vial type or antiseptic never makes a shared vial or a short contact acceptable.
        known = [c for c in attribute.checks if _condition_holds(c.only_if, values) and _fires(c, value)]
        unknown = [c for c in attribute.checks if _condition_holds(c.only_if, values) is None and _fires(c, value)]
        for check in known or unknown[:1]:
            unstated = [STEPS[step.id].attributes[k].label for k in check.only_if if values.get(k, UNKNOWN) == UNKNOWN]
            assumed = f"; assumed, since {' and '.join(unstated)} is not stated" if unstated else ""
            findings.append(Finding("unsafe" if check.severity == "unsafe" else "incomplete", check.severity,
                                    step.id, attribute.key, check.id, f"{check.finding} (item {position}{assumed})",
                                    check.reason, check.sources, position))
        if attribute.kind == "items":
            disclosures = {d.id: d for d in knowledge().procedure.disclosures}
            for item in attribute.values:
                if item not in value:  # type: ignore[operator]
                    d = disclosures[item]
                    findings.append(Finding("incomplete", "incomplete", step.id, attribute.key, f"undisclosed:{item}",
                                            f"{step.name}: not disclosed: {d.item}", d.why,
                                            tuple(dict.fromkeys([d.source, *(a.source for a in d.also)])), position))
    return findings


def _order_findings(order: list[str]) -> list[Finding]:
    first = {}
    for index, step_id in enumerate(order):
        first.setdefault(step_id, index)
    findings = []
    for step in _steps():
        if step.id not in first:
            findings.append(Finding("missing", step.if_missing, step.id, "", f"missing:{step.id}",
                                    f"Not done: {step.name}", step.why, step.sources))
            continue
        for before in step.after:
            if before.step in first and first[before.step] > first[step.id]:
                findings.append(Finding("order", before.severity, step.id, "", f"order:{step.id}:{before.step}",
                                        f"{step.name} comes before {STEPS[before.step].name}", before.reason,
                                        step.sources))
    return findings


def model_session() -> list[dict[str, object]]:
    """A session done right, every attribute stated: ``check_session`` finds nothing in it."""
    values = {"yes_no": None, "seconds": 30, "days": 0}
    chosen = {"obtained_by": "injector", "written_information": True, "same_settings": True, "water": "sterile",
              "broken_skin_on_hands": False, "antiseptic": "chlorhexidine_alcohol", "left_to_dry": True,
              "vial": "single_dose", "vial_shared_between_patients": False, "new_needle_and_syringe": True,
              "needle_left_in_stopper": False, "licensed_products": True, "contaminated_needle_reused": False,
              "recapped": False, "container_within_reach": True, "through_makeup": False, "written": True, "warning_signs_explained": True}
    session = []
    for step in _steps():
        entry: dict[str, object] = {"step": step.id}
        for attribute in step.attributes:
            if attribute.kind == "items":
                entry[attribute.key] = list(attribute.values)
            elif attribute.key in chosen:
                entry[attribute.key] = chosen[attribute.key]
            elif values.get(attribute.kind) is not None:
                entry[attribute.key] = values[attribute.kind]
        session.append({k: v for k, v in entry.items()
                        if k == "step" or _condition_holds(
                            next(a for a in step.attributes if a.key == k).only_if, entry) is not False})
    return session


# --- the treatment-course planner --------------------------------------------------------------------------

VisitKind = Literal["session", "response_review", "final_review"]


@dataclass(frozen=True)
class ProtocolInfo:
    """A protocol: an interval and a number of sessions, as a study published it (``source``), or the user's own."""

    id: str
    label: str
    interval_days: int
    sessions: int
    source: str  # "" for a protocol that is not from the knowledge base
    what: str = ""
    analogue: bool = False


@dataclass(frozen=True)
class Visit:
    date: _dt.date
    kind: VisitKind
    session: int  # the session number (for a response review: the session it comes before; final review: 0)
    text: str
    sources: tuple[str, ...]

    def line(self) -> str:
        cites = " ".join(source_mark(s) for s in self.sources)
        return f"{self.date.isoformat()} ({self.date.strftime('%a')}) — {self.text}{(' ' + cites) if cites else ''}"


@dataclass(frozen=True)
class CoursePlan:
    protocol: ProtocolInfo
    start: _dt.date
    visits: tuple[Visit, ...]

    @property
    def session_dates(self) -> tuple[_dt.date, ...]:
        return tuple(v.date for v in self.visits if v.kind == "session")

    @property
    def response_review(self) -> Visit | None:
        return next((v for v in self.visits if v.kind == "response_review"), None)

    @property
    def final_review(self) -> Visit:
        return next(v for v in self.visits if v.kind == "final_review")

    def lines(self) -> list[str]:
        return [v.line() for v in self.visits]


def protocols() -> tuple[ProtocolInfo, ...]:
    """The published protocols, in the knowledge base's order."""
    return tuple(ProtocolInfo(p.id, p.label, p.interval_days, p.sessions, p.source, p.what, p.analogue)
                 for p in knowledge().procedure.protocols)


def protocol(protocol_id: str) -> ProtocolInfo:
    for p in protocols():
        if p.id == protocol_id:
            return p
    raise ValueError(f"unknown protocol {protocol_id!r}; the published protocols are: "
                     f"{', '.join(p.id for p in protocols())}, or give {{'interval_days': ..., 'sessions': ...}}")


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number) or number != int(number) or not low <= number <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(number)


def _protocol(value: object) -> ProtocolInfo:
    if isinstance(value, ProtocolInfo):
        value = {"interval_days": value.interval_days, "sessions": value.sessions} if not value.source else value.id
    if isinstance(value, str):
        return protocol(value)
    if isinstance(value, Mapping):
        unknown = set(value) - {"interval_days", "sessions", "label"}
        if unknown or not {"interval_days", "sessions"} <= set(value):
            raise ValueError(f"a protocol mapping has exactly 'interval_days' and 'sessions' (and optionally "
                             f"'label'); got keys {sorted(map(str, value))}")
        interval = _whole(value["interval_days"], "interval_days", 1, MAX_INTERVAL_DAYS)
        sessions = _whole(value["sessions"], "sessions", 1, MAX_SESSIONS)
        label = value.get("label", f"Every {interval} days × {sessions}")
        if not isinstance(label, str):
            raise ValueError(f"label must be text, got {type(label).__name__}")
        return ProtocolInfo("custom", label, interval, sessions, "")
    raise ValueError(f"protocol must be a published protocol id or a mapping with 'interval_days' and 'sessions', "
                     f"got {type(value).__name__}")


def _date(value: object) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"start must be a date (datetime.date or 'YYYY-MM-DD'), got {type(value).__name__} {value!r}")


def plan_course(start: object, protocol: object) -> CoursePlan:
    """The visits of a treatment course: each session of ``protocol`` from ``start``, the response review before the
    session after the halfway point, and the final review after the last session.

    ``protocol`` is a published protocol id (see :func:`protocols`) or a mapping ``{"interval_days": 14,
    "sessions": 4}``. Raises ValueError for a start that is not a date or a protocol that is not one of these.
    """
    first = _date(start)
    chosen = _protocol(protocol)
    procedure = knowledge().procedure
    cite = (chosen.source,) if chosen.source else ()
    visits = []
    try:
        dates = [first + _dt.timedelta(days=chosen.interval_days * k) for k in range(chosen.sessions)]
        final = dates[-1] + _dt.timedelta(days=procedure.final_review.days)
    except OverflowError:
        raise ValueError(f"start {first.isoformat()} is too late for a course of this length") from None
    review_before = math.ceil(chosen.sessions / 2) + 1
    for number, day in enumerate(dates, start=1):
        if number == review_before:
            visits.append(Visit(day, "response_review", number,
                                f"Response review before session {number}: compare with the baseline photographs; "
                                f"with no visible response, stop the course here.",
                                (procedure.response_review.source,)))
        visits.append(Visit(day, "session", number, f"Session {number} of {chosen.sessions} ({chosen.label})", cite))
    visits.append(Visit(final, "final_review", 0,
                        f"Final review, {procedure.final_review.days} days after the last session: result against the "
                        f"baseline photographs; nodules can still appear weeks later",
                        (procedure.final_review.source,)))
    return CoursePlan(chosen, first, tuple(visits))


#: How the planner places reviews, and what is MesoLab's choice rather than a source's.
PLAN_NOTES: tuple[str, ...] = (
    knowledge().procedure.schedule_not_found.note,
    knowledge().procedure.response_review.curriculum_choice,
    knowledge().procedure.final_review.curriculum_choice,
    knowledge().procedure.stopping_rule.note,
)
