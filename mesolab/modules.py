"""The course's modules, in teaching order, read from ``modules.yaml``: the one list of modules.

The home page, the lessons' headers, the tests and the docs read this list; adding a module is one entry
in ``modules.yaml`` plus the module's own files (see ``docs/adding-a-module.md``).
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Module(BaseModel):
    """One module of the course: its lesson, its graded assignment (if any) and its interactive views."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(pattern=r"^\d{2}$")
    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    teaching_minutes: int = Field(gt=0)
    exercise_minutes: int = Field(ge=0)
    lesson: str = Field(pattern=r"^notebooks/\d{2}_[a-z0-9_]+\.ipynb$")
    assignment: str | None = None
    widgets: tuple[str, ...] = ()
    questions: tuple[str, ...]
    objectives: tuple[str, ...]

    @property
    def name(self) -> str:
        """``01_skin_layers``: the lesson's file stem, and the assignment's name where there is one."""
        return f"{self.number}_{self.slug}"

    @property
    def minutes(self) -> int:
        return self.teaching_minutes + self.exercise_minutes


class _ModuleList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    modules: tuple[Module, ...]


@lru_cache(maxsize=1)
def modules() -> tuple[Module, ...]:
    """Every module, in teaching order.

    >>> modules()[0].name
    '01_skin_layers'
    """
    text = resources.files(__package__).joinpath("modules.yaml").read_text(encoding="utf-8")
    listed = _ModuleList.model_validate(yaml.safe_load(text)).modules
    numbers = [module.number for module in listed]
    if numbers != sorted(set(numbers)):
        raise ValueError(f"modules.yaml: module numbers must be unique and in order, got {numbers}")
    for module in listed:
        if module.lesson != f"notebooks/{module.name}.ipynb":
            raise ValueError(f"modules.yaml: module {module.number}: lesson must be notebooks/{module.name}.ipynb")
        if module.assignment not in (None, module.name):
            raise ValueError(f"modules.yaml: module {module.number}: assignment must be {module.name!r} or null")
    return listed


def module(number_or_slug: str) -> Module:
    """The module with this number (``"03"``) or slug (``"injection_techniques"``)."""
    for candidate in modules():
        if number_or_slug in (candidate.number, candidate.slug, candidate.name):
            return candidate
    known = ", ".join(m.name for m in modules())
    raise ValueError(f"no module {number_or_slug!r}; the modules are: {known}")
