"""Module 06, procedure builder: the session the builder's state describes, and what its panel says about it
(pure: the widget, the lesson and the tests use it)."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..procedure import STEPS, UNKNOWN, SessionCheck, check_session

NOT_STATED = "not stated"
VERDICT_TEXT = {
    "complete": "COMPLETE — every step done, in order, and stated in the record.",
    "incomplete": "INCOMPLETE — nothing unsafe found, but the points below must be done or recorded.",
    "unsafe": "UNSAFE — this session must not go ahead as described: see the points marked UNSAFE.",
}


def _number_or_text(text: str) -> object:
    text = text.strip()
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def builder_session(order: Sequence[str], ticked: Collection[str],
                    values: Mapping[str, Mapping[str, object]]) -> list[dict[str, object]]:
    """The session for what the builder holds: the ticked steps in ``order``, each with its stated attributes.

    ``values`` maps a step id to its attributes as the builder holds them: choices as their value or "unknown",
    numbers as typed text ("" is not stated), items as a list of the ticked item ids.
    """
    session = []
    for step in order:
        if step not in ticked:
            continue
        entry: dict[str, object] = {"step": step}
        for key, value in values.get(step, {}).items():
            kind = STEPS[step].attributes[key].kind
            if kind in ("seconds", "days"):
                if str(value).strip():
                    entry[key] = _number_or_text(str(value))
            elif value != UNKNOWN:
                entry[key] = list(value) if kind == "items" else value  # type: ignore[arg-type]
        session.append(entry)
    return session


@dataclass(frozen=True)
class BuilderReading:
    """What the builder's panel says for one state."""

    check: SessionCheck

    @property
    def headline(self) -> str:
        return VERDICT_TEXT[self.check.verdict]

    @property
    def lines(self) -> list[str]:
        """Step by step in the order done: nothing wrong, or each finding; then the steps not done."""
        lines = []
        for done in self.check.steps:
            name = f"{done.position}. {STEPS[done.step].name}"
            mine = [f for f in self.check.findings if f.step == done.step and f.position in (0, done.position)
                    and f.kind != "missing"]
            lines += [f"{name}: {f.line()}" for f in mine] or [f"{name}: nothing wrong."]
        lines += [f.line() for f in self.check.findings if f.kind == "missing"]
        lines += [f.line() for f in self.check.findings if f.kind == "input" and not f.step]
        return lines

    @property
    def record(self) -> list[str]:
        return self.check.record()

    @property
    def text(self) -> str:
        return "\n".join([self.headline, *self.lines, "Record:", *self.record])


def read_builder(order: Sequence[str], ticked: Collection[str],
                 values: Mapping[str, Mapping[str, object]]) -> BuilderReading:
    return BuilderReading(check_session(builder_session(order, ticked, values)))
