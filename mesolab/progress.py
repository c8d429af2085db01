"""A self-study learner's progress: which lessons were opened, which self-checks were tried and answered right.

The self-checks record it themselves (:func:`mesolab.selfcheck.check` calls :func:`record_check`), in one small
JSON file in the learner's home, so it survives kernel restarts:

- ``$MESOLAB_PROGRESS_FILE`` if set (tests use it), else
- ``$XDG_DATA_HOME/mesolab/progress.json``, else ``~/.local/share/mesolab/progress.json``.

It is never written into the repository and never sent anywhere; answers themselves are not stored, only whether
they were right. Recording never breaks a lesson: a file that cannot be read is set aside (renamed, not deleted)
with a message and progress starts afresh; a file that cannot be written costs the record, not the self-check.
Writes are atomic (a temporary file renamed over the old one) and serialised between kernels by a lock file, so
two lessons open at once do not lose each other's records.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

try:  # POSIX; elsewhere writes are still atomic, only not serialised between kernels
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

FORMAT = 1
ENV_VAR = "MESOLAB_PROGRESS_FILE"


class LessonRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_opened: str
    last_opened: str


class CheckRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tries: int = Field(ge=0)
    right: int = Field(ge=0)  # how many of the tries were right
    last: Literal["right", "wrong"]
    last_at: str


class Progress(BaseModel):
    """What the file holds: lessons by module number ("01"), self-checks by id ("01.tip_depth")."""

    model_config = ConfigDict(extra="forbid")
    format: Literal[1] = FORMAT
    lessons: dict[str, LessonRecord] = {}
    checks: dict[str, CheckRecord] = {}

    def to_revisit(self) -> list[str]:
        """Self-checks whose last answer was wrong, in course order."""
        return sorted(exercise_id for exercise_id, record in self.checks.items() if record.last == "wrong")


def progress_path() -> Path:
    """Where this learner's progress is kept (see the module's docstring)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "mesolab" / "progress.json"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<file>.lock`` beside the progress file (a read-modify-write of one kernel)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> tuple[Progress, str | None]:
    """The progress in ``path`` and, if the file could not be read, a message saying where it was set aside."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress(), None
    except (OSError, UnicodeDecodeError) as error:
        reason = str(error)
    else:
        try:
            return Progress.model_validate(json.loads(text)), None
        except (ValueError, ValidationError) as error:  # JSONDecodeError is a ValueError
            reason = f"not a MesoLab progress file ({str(error).splitlines()[0]})"
    aside = path.with_name(f"{path.name}.unreadable-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
    try:
        path.replace(aside)
    except OSError as error:
        return Progress(), (f"Your progress file {path} could not be read ({reason}) nor set aside ({error}); "
                            "progress is not being recorded.")
    return Progress(), (f"Your progress file {path} could not be read ({reason}). It was set aside as "
                        f"{aside.name} and your progress starts afresh.")


def _write(path: Path, progress: Progress) -> None:
    """Replace ``path`` atomically: a reader sees the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(progress.model_dump(), file, indent=1, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def load() -> tuple[Progress, str | None]:
    """The learner's progress, and a message if the file had to be set aside. Never raises for a bad file."""
    path = progress_path()
    try:
        with _locked(path):
            return _read(path)
    except OSError as error:
        return Progress(), f"Your progress could not be read from {path} ({error})."


_told: set[str] = set()  # messages already shown in this kernel: say each once, not under every self-check


def _once(message: str | None) -> str | None:
    if message is None or message in _told:
        return None
    _told.add(message)
    return message


def record_check(exercise_id: str, correct: bool | None) -> str | None:
    """Record that self-check ``exercise_id`` ran: its lesson was opened, and unless ``correct`` is None (no
    answer written yet) one try, right or wrong. Returns a message for the learner, or None; never raises."""
    module_number = exercise_id.split(".", 1)[0]
    path = progress_path()
    try:
        with _locked(path):
            progress, message = _read(path)
            now = _now()
            lesson = progress.lessons.get(module_number)
            if correct is None and message is None and lesson is not None and lesson.last_opened == now:
                return None  # nothing to change (the timestamps have whole seconds): spare the write and its fsync
            progress.lessons[module_number] = LessonRecord(first_opened=lesson.first_opened if lesson else now,
                                                           last_opened=now)
            if correct is not None:
                before = progress.checks.get(exercise_id)
                progress.checks[exercise_id] = CheckRecord(
                    tries=(before.tries if before else 0) + 1, right=(before.right if before else 0) + bool(correct),
                    last="right" if correct else "wrong", last_at=now)
            _write(path, progress)
    except Exception as error:  # noqa: BLE001 - a full disk or a read-only home must not break the lesson
        return _once(f"Your progress could not be saved to {path} ({error}); the self-checks work as before.")
    return _once(message)


def start_over() -> Path | None:
    """Forget all progress. The old file is kept once, as ``progress.json.previous``, in case of a slip."""
    path = progress_path()
    with _locked(path):
        if not path.exists():
            return None
        previous = path.with_name(path.name + ".previous")
        path.replace(previous)
        return previous
