"""Shared fixtures: paths of the repository, the environment nbgrader needs, graded cohorts, a knowledge copy."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# nbgrader runs alembic from PATH when it creates a gradebook.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def graded_courses(tmp_path_factory):
    """name -> GradedCourse, built once per test session (grading is the slow part of the suite)."""
    from course import grade_everything

    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = grade_everything(tmp_path_factory.mktemp(f"course-{name}"), name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def report_cohort(tmp_path_factory):
    """(assignment, course): ten trainees of 01_skin_layers graded, two free-text answers graded by hand; read by
    the report and feedback tests (neither changes the gradebook)."""
    from cohort import build_cohort

    return build_cohort(tmp_path_factory.mktemp("report-cohort"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/ at the repository root (git-ignored): screenshots and figures for a person to look at."""
    path = REPO / "test-output"
    path.mkdir(exist_ok=True)
    return path


class KnowledgeCopy(os.PathLike):
    """Every knowledge-base file copied into a temporary folder, so that a test can break one and load the copy
    (``mesolab.knowledge.load(copy)``)."""

    def __init__(self, folder: Path) -> None:
        from mesolab.knowledge import FILES, KNOWLEDGE_DIR

        self.folder, self._original = folder, KNOWLEDGE_DIR
        for name in FILES:
            shutil.copy(KNOWLEDGE_DIR / name, folder / name)

    def __fspath__(self) -> str:
        return str(self.folder)

    def __truediv__(self, name: str) -> Path:
        return self.folder / name

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the first ``old`` in file ``name`` by ``new`` (``old`` must be there: a stale test fails)."""
        path = self.folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} no longer holds {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def restore(self, name: str) -> None:
        shutil.copy(self._original / name, self.folder / name)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> KnowledgeCopy:
    return KnowledgeCopy(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _progress_file_outside_home(tmp_path_factory):
    """Self-checks record a learner's progress in their home: in tests (and the kernels and servers they start,
    which inherit the environment) it goes to a temporary file instead."""
    path = tmp_path_factory.mktemp("progress") / "progress.json"
    saved = os.environ.get("MESOLAB_PROGRESS_FILE")
    os.environ["MESOLAB_PROGRESS_FILE"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("MESOLAB_PROGRESS_FILE", None)
    else:
        os.environ["MESOLAB_PROGRESS_FILE"] = saved


def pytest_itemcollected(item: pytest.Item) -> None:
    """`make test` runs the tests on two workers (pytest-xdist, ``--dist loadgroup``). Tests that share an
    expensive session fixture run on one worker, so it is built once: a graded course per assignment, the report
    cohort; the rest stay together by file (module fixtures).
    Marked as each test is collected: xdist reads the marks in its own collection hook."""
    from course import ASSIGNMENTS

    path = Path(str(item.fspath))
    params = getattr(getattr(item, "callspec", None), "params", {})
    assignment = next((value for value in params.values() if value in ASSIGNMENTS), None)
    if "graded_courses" in getattr(item, "fixturenames", ()):
        group = f"course-{assignment or ASSIGNMENTS[0]}"
    elif "report_cohort" in getattr(item, "fixturenames", ()):
        group = "report-cohort"
    elif path.parent.name == "browser":
        group = f"browser-{path.stem}"  # each worker starts its own JupyterLab for the browser tests it gets
    else:
        group = path.stem
    item.add_marker(pytest.mark.xdist_group(group))


#: Groups that take a minute or more, longest first: handed out first, so that the two workers finish together.
_LONG_GROUPS = ("test_grade", "test_capstone", "report-cohort", "course-", "browser-", "test_gradebook_postgres",
                "test_exchange_grading")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        group = next((m.args[0] for m in item.iter_markers("xdist_group")), "")
        return next((i for i, long in enumerate(_LONG_GROUPS) if group.startswith(long)), len(_LONG_GROUPS))

    items.sort(key=rank)  # stable: the order within a group is kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Fail at once, not ten minutes later, if xdist stopped grouping (a pytest / pytest-xdist mismatch)."""
    if getattr(session.config.option, "loadgroup", False) and session.items and "@" not in session.items[0].nodeid:
        raise pytest.UsageError("pytest-xdist did not group the tests (--dist loadgroup): each graded course would be "
                                "built twice. Check the pytest pin in pyproject.toml.")
