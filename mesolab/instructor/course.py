"""The course an instructor works in: its nbgrader configuration, gradebook and submissions.

Shared by ``mesolab grade``, ``feedback`` and ``report``: one place that reads ``nbgrader_config.py`` the way
nbgrader does (``NbGraderAPI`` does not read it by itself) and finds the gradebook wherever ``db_url`` points
(sqlite by default, PostgreSQL for several graders).
"""
from __future__ import annotations

import contextlib
import fnmatch
from pathlib import Path
from typing import Iterator

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(ValueError):
    """The course folder, its configuration or an assignment is not what the command needs."""


def load_config(course: Path) -> Config:
    """The course's nbgrader configuration, with ``CourseDirectory.root`` made absolute."""
    course = Path(course).resolve()
    path = course / CONFIG_FILE
    if not path.is_file():
        raise CourseError(f"{course} has no {CONFIG_FILE}: run the command from the course root or pass --course")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()
    root = config.CourseDirectory.get("root", ".")
    config.CourseDirectory.root = str((course / root).resolve()) if not Path(root).is_absolute() else root
    return config


def course_root(config: Config) -> Path:
    return Path(config.CourseDirectory.root)


def db_url(config: Config) -> str:
    url = config.CourseDirectory.get("db_url")
    return url or f"sqlite:///{course_root(config) / 'gradebook.db'}"


@contextlib.contextmanager
def gradebook(config: Config) -> Iterator["Gradebook"]:  # noqa: F821 - nbgrader's Gradebook
    """nbgrader's own gradebook API on the course's database."""
    from nbgrader.api import Gradebook

    book = Gradebook(db_url(config), course_id=config.CourseDirectory.get("course_id", "default_course"))
    try:
        yield book
    finally:
        book.close()
        # close() ends the session but keeps the engine's pooled connection open; a grading worker forked later
        # would inherit it (with PostgreSQL, one socket shared by two processes).
        book.engine.dispose()


def submitted_students(config: Config, assignment: str, pattern: str = "*") -> list[str]:
    """Trainee ids with a collected submission of ``assignment`` (``submitted/<id>/<assignment>/``), sorted."""
    submitted = course_root(config) / "submitted"
    if not (course_root(config) / "source" / assignment).is_dir():
        known = sorted(p.name for p in (course_root(config) / "source").iterdir() if p.is_dir()) \
            if (course_root(config) / "source").is_dir() else []
        raise CourseError(f"unknown assignment {assignment!r}; assignments in source/: {', '.join(known) or 'none'}")
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir()
                  if (p / assignment).is_dir() and fnmatch.fnmatchcase(p.name, pattern))
