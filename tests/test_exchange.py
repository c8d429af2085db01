"""The safe collect and feedback release (mesolab/exchange.py), fast and without root: the filters on hand-made
submission folders, then nbgrader's exchange classes driven in-process on a tiny course owned by whoever runs the
tests. The same attacks as real unix users through the real nbgrader commands: tests/hub/test_exchange_attacks.py.
"""
from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from mesolab import exchange
from mesolab.exchange import (OPEN_FOLDER, FolderName, Limits, Rejected, copy_file, inspect_folder,
                              parse_folder_name, submission_time)

ASSIGNMENT = "a1"
NOTEBOOKS = {"a1.ipynb"}
SECRET = "ab" * 64
ME = os.getuid()
AS_ROOT = os.geteuid() == 0


def folder(tmp_path: Path, name: str = "f", notebook: bytes = b'{"cells": []}', secret: str = SECRET) -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "a1.ipynb").write_bytes(notebook)
    (path / "submission_secret.txt").write_text(secret)
    (path / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
    return path


def inspect(path: Path, uid: int = ME, limits: Limits = Limits()):
    fd = os.open(path, OPEN_FOLDER)
    try:
        return inspect_folder(fd, uid, NOTEBOOKS, limits)
    finally:
        os.close(fd)


def rejected(path: Path, **kwargs) -> str:
    with pytest.raises(Rejected) as caught:
        inspect(path, **kwargs)
    return str(caught.value)


# --- control: an honest folder ----------------------------------------------------------------------------------

def test_an_honest_submission_is_accepted_with_its_notebook_and_secret(tmp_path):
    found = inspect(folder(tmp_path))
    assert list(found.files) == ["a1.ipynb"] and found.secret == SECRET and found.skipped == []


# --- what is in the folder --------------------------------------------------------------------------------------

def test_a_notebook_replaced_by_a_symlink_is_never_followed(tmp_path):
    solutions = tmp_path / "source.ipynb"
    solutions.write_text("### BEGIN SOLUTION")
    path = folder(tmp_path)
    (path / "a1.ipynb").unlink()
    (path / "a1.ipynb").symlink_to(solutions)
    assert "a1.ipynb: a symbolic link" in rejected(path)


def test_symlinks_named_like_feedback_pages_are_skipped_and_never_read(tmp_path):
    secret_target = tmp_path / "gradebook.db"
    secret_target.write_text("SQLite")
    path = folder(tmp_path)
    (path / "gradebook.html").symlink_to(secret_target)
    (path / "loop").symlink_to(".")
    found = inspect(path)
    assert list(found.files) == ["a1.ipynb"]
    assert sorted(found.skipped) == [("gradebook.html", "not a notebook the assignment released"),
                                     ("loop", "not a notebook the assignment released")]


def test_a_hard_link_is_refused(tmp_path):
    other = tmp_path / "elsewhere.ipynb"
    other.write_text("{}")
    path = folder(tmp_path)
    (path / "a1.ipynb").unlink()
    os.link(other, path / "a1.ipynb")
    assert "a hard link (2 names for one file)" in rejected(path)


@pytest.mark.timeout(20)
def test_a_fifo_named_like_the_notebook_does_not_block_and_is_refused(tmp_path):
    path = folder(tmp_path)
    (path / "a1.ipynb").unlink()
    os.mkfifo(path / "a1.ipynb")
    started = time.monotonic()
    assert "not a regular file (a FIFO)" in rejected(path)
    assert time.monotonic() - started < 5


def test_a_huge_sparse_notebook_is_refused_without_reading_it(tmp_path):
    path = folder(tmp_path)
    with open(path / "a1.ipynb", "r+b") as handle:
        handle.truncate(50 * 2 ** 30)  # 50 GiB of holes: takes no disk, would fill it if copied
    assert f"more than the limit of {Limits().max_file_bytes}" in rejected(path)


def test_too_many_files_in_one_folder(tmp_path):
    path = folder(tmp_path)
    for k in range(70):
        (path / f"junk{k}").touch()
    assert "more than 64 files" in rejected(path)


def test_a_subfolder_named_like_the_notebook_is_refused(tmp_path):
    path = tmp_path / "f"
    path.mkdir()
    (path / "a1.ipynb").mkdir()
    (path / "submission_secret.txt").write_text(SECRET)
    assert "a1.ipynb: not a regular file (a folder)" in rejected(path)


def test_odd_names_are_skipped_and_shown_on_one_line(tmp_path):
    path = folder(tmp_path)
    for name in ("..a1.ipynb", "a1.ipynb\nskipped nothing", "other.ipynb", "a1.ipynb.html"):
        (path / name).write_text("{}")
    found = inspect(path)
    assert list(found.files) == ["a1.ipynb"]
    names = {exchange.shown(name) for name, _ in found.skipped}
    assert "'a1.ipynb\\nskipped nothing'" in names and all("\n" not in n for n in names)


def test_a_missing_or_forged_secret_is_refused(tmp_path):
    assert "no valid submission_secret.txt" in rejected(folder(tmp_path, "a", secret="not hex"))
    path = folder(tmp_path, "b")
    (path / "submission_secret.txt").unlink()
    assert "no valid submission_secret.txt" in rejected(path)


def test_a_folder_or_file_owned_by_someone_else_is_refused(tmp_path):
    assert "not by the trainee it names" in rejected(folder(tmp_path), uid=ME + 1)


def test_a_symlinked_submission_folder_is_never_opened(tmp_path):
    real = folder(tmp_path, "real")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OSError):
        os.open(tmp_path / "link", OPEN_FOLDER)


@pytest.mark.skipif(AS_ROOT, reason="root reads every file")
def test_an_unreadable_notebook_is_skipped(tmp_path):
    path = folder(tmp_path)
    os.chmod(path / "a1.ipynb", 0)
    assert "a1.ipynb: cannot be opened" in rejected(path)


# --- copying ----------------------------------------------------------------------------------------------------

def test_copy_takes_the_inspected_file_and_nothing_else(tmp_path):
    path = folder(tmp_path, notebook=b'{"answer": 1}')
    found = inspect(path)
    fd = os.open(path, OPEN_FOLDER)
    try:
        copy_file(fd, "a1.ipynb", found.files["a1.ipynb"], ME, str(tmp_path / "copy.ipynb"))
        assert (tmp_path / "copy.ipynb").read_bytes() == b'{"answer": 1}'
        (path / "new").write_text("{}")  # swapped for another file after the inspection
        os.replace(path / "new", path / "a1.ipynb")
        with pytest.raises(Rejected, match="replaced by another file"):
            copy_file(fd, "a1.ipynb", found.files["a1.ipynb"], ME, str(tmp_path / "copy2.ipynb"))
    finally:
        os.close(fd)


def test_a_file_growing_during_the_copy_is_refused(tmp_path, monkeypatch):
    path = folder(tmp_path, notebook=b"x" * 100)
    found = inspect(path)
    real_read = os.read

    def read_then_append(fd, size):
        block = real_read(fd, size)
        with open(path / "a1.ipynb", "ab") as handle:  # the trainee writes while the instructor reads
            handle.write(b"y")
        return block

    monkeypatch.setattr(exchange.os, "read", read_then_append)
    fd = os.open(path, OPEN_FOLDER)
    try:
        with pytest.raises(Rejected, match="changed while being collected"):
            copy_file(fd, "a1.ipynb", found.files["a1.ipynb"], ME, str(tmp_path / "copy.ipynb"))
    finally:
        os.close(fd)


# --- names and times --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [
    ("t1+a1+not a time+abc", "does not parse"),
    ("t1+a1+2026-13-45 99:00:00 UTC+abc", "does not parse"),
    ("t1+a1+2026-01-01 00:00:00 UTC+abc\nx", "newline"),
    ("..+a1+2026-01-01 00:00:00 UTC+abc", "not a valid student id"),
    ("t1+a1+2026-01-01 00:00:00 UTC+abc+more", r"is not student\+assignment"),
    ("t1+a1+2026-01-01 00:00:00 UTC+a/b", "never writes"),
])
def test_folder_names_that_do_not_parse(name, reason):
    with pytest.raises(Rejected, match=reason):
        parse_folder_name(name, "a1")


def test_nbgraders_own_folder_name_parses():
    parsed = parse_folder_name("t1+a1+2026-01-01 10:00:00.123456 UTC+AbC_d-12", "a1")
    assert (parsed.student, parsed.claimed) == ("t1", dt.datetime(2026, 1, 1, 10, 0, 0, 123456))


def test_the_submission_time_is_the_latest_change_whatever_the_name_claims():
    name = FolderName("t1", "a1", dt.datetime(2026, 1, 1, 10, 0, 0))
    honest = name.claimed + dt.timedelta(seconds=0.4)  # nbgrader submit names the folder, then copies
    assert submission_time(name, honest, 30) == honest
    rewritten_just_after = name.claimed + dt.timedelta(seconds=10)  # e.g. across the due date: no tolerance
    assert submission_time(name, rewritten_just_after, 30) == rewritten_just_after
    edited_later = name.claimed + dt.timedelta(hours=5)
    assert submission_time(name, edited_later, 30) == edited_later
    from_the_future = name.claimed - dt.timedelta(days=1)  # a name claiming a time after the last change
    assert submission_time(name, from_the_future, 30) == from_the_future


# --- the exchange classes, in-process, on a tiny course -----------------------------------------------------------

@pytest.fixture(scope="module")
def gradebook_template(tmp_path_factory) -> Path:
    """One assignment (one notebook), one trainee: the user running the tests. Made once (alembic takes ~4 s)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}", "mesolab") as book:
        book.add_student(getpass.getuser())
        book.add_assignment(ASSIGNMENT)
        book.add_notebook("a1", ASSIGNMENT)
    return path


@pytest.fixture
def course(tmp_path, gradebook_template):
    root, exchange_root = tmp_path / "course", tmp_path / "exchange"
    (exchange_root / "mesolab" / "inbound").mkdir(parents=True)
    (exchange_root / "mesolab" / "feedback").mkdir(parents=True)
    root.mkdir()
    (root / "gradebook.db").write_bytes(gradebook_template.read_bytes())
    return root, exchange_root, f"sqlite:///{root / 'gradebook.db'}"


def _run(cls, course, caplog, **settings):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    root, exchange_root, db_url = course
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = "mesolab"
    config.CourseDirectory.db_url = db_url
    config.CourseDirectory.assignment_id = ASSIGNMENT
    config.Exchange.root = str(exchange_root)
    for key, value in settings.items():
        setattr(config[cls.__name__], key, value)
    coursedir = CourseDirectory(config=config)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        cls(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()
    return [r.getMessage() for r in caplog.records]


def _inbound(course, name: str, **kwargs) -> Path:
    return folder(course[1] / "mesolab" / "inbound", name, **kwargs)


def test_collect_takes_the_honest_folder_and_skips_every_other_with_a_line(course, caplog):
    me = getpass.getuser()
    _inbound(course, f"{me}+a1+2026-01-01 10:00:00.000000 UTC+abc", notebook=b'{"honest": 1}')
    bad = course[1] / "mesolab" / "inbound"
    (bad / f"{me}+a1+2099-01-01 10:00:00.000000 UTC+lnk").symlink_to(course[0])  # a symlinked folder
    _inbound(course, f"{me}+a1+garbage+x")
    _inbound(course, f"nobody+a1+2026-01-01 10:00:00.000000 UTC+abc")
    late = _inbound(course, f"{me}+a1+2026-01-01 11:00:00.000000 UTC+sym")
    (late / "a1.ipynb").unlink()
    (late / "a1.ipynb").symlink_to(course[0] / "gradebook.db")
    lines = _run(exchange.SafeExchangeCollect, course, caplog)
    submitted = course[0] / "submitted" / me / "a1"
    assert sorted(p.name for p in submitted.iterdir()) == ["a1.ipynb", "submission_secret.txt", "timestamp.txt"]
    assert (submitted / "a1.ipynb").read_bytes() == b'{"honest": 1}'
    text = "\n".join(lines)
    assert "UTC+lnk: not a real folder" in text
    assert "garbage+x: the time in its name does not parse" in text
    assert "nobody is not a trainee in the gradebook" in text
    assert "UTC+sym: no notebook of the assignment that could be collected (a1.ipynb: a symbolic link)" in text
    assert "1 collected" in text
    # The name claims 2026, but the folder was made now: submitted now, whatever the name says.
    recorded = exchange.parse_utc((submitted / "timestamp.txt").read_text())
    assert abs((recorded - dt.datetime.utcnow()).total_seconds()) < 60


def test_release_feedback_releases_only_each_notebooks_page(course, caplog):
    from nbgrader.utils import notebook_hash

    me = getpass.getuser()
    feedback = course[0] / "feedback" / me / "a1"
    feedback.mkdir(parents=True)
    (feedback / "a1.html").write_text("<p>your feedback</p>")
    (feedback / "submission_secret.txt").write_text(SECRET)
    (feedback / "timestamp.txt").write_text("2026-01-01 10:00:00.000000 UTC")
    (feedback / "gradebook.html").write_text("copied along from the submission")
    (feedback / "source.html").symlink_to(course[0] / "gradebook.db")
    lines = _run(exchange.SafeExchangeReleaseFeedback, course, caplog)
    released = sorted(p.name for p in (course[1] / "mesolab" / "feedback").iterdir())
    assert released == [f"{notebook_hash(secret=SECRET, notebook_id='a1')}.html"]
    text = "\n".join(lines)
    assert "gradebook.html: not the feedback page of a released notebook" in text
    assert "source.html: not the feedback page of a released notebook" in text
    mode = (course[1] / "mesolab" / "feedback" / released[0]).stat().st_mode
    assert stat.S_IMODE(mode) == 0o644


# --- the cohort's course configuration ------------------------------------------------------------------------------

def test_the_cohorts_course_config_uses_the_safe_exchange_and_sandboxes_grading(tmp_path):
    import importlib.util

    from traitlets.config.loader import PyFileConfigLoader

    repo = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("setup_cohort", repo / "deploy" / "jupyterhub" / "setup_cohort.py")
    setup_cohort = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("setup_cohort", setup_cohort)  # its dataclasses look their module up there
    spec.loader.exec_module(sys.modules["setup_cohort"])
    setup_cohort = sys.modules["setup_cohort"]
    (tmp_path / "nbgrader_config.py").write_text(setup_cohort.adapted_course_config(repo, Path("/srv/exchange")))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.ExchangeFactory.collect == "mesolab.exchange.SafeExchangeCollect"
    assert config.ExchangeFactory.release_feedback == "mesolab.exchange.SafeExchangeReleaseFeedback"
    execute = config.Autograde.autograde_preprocessors[0]
    assert getattr(execute, "_mesolab_sandboxed", False), "plain nbgrader autograde would run trainee code unsandboxed"
    setup_cohort.write_configs(tmp_path / "prefix", Path("/srv/exchange"))
    shared = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path / "prefix" / "etc" / "jupyter")).load_config()
    assert shared.ExchangeFactory.collect == "mesolab.exchange.SafeExchangeCollect"
