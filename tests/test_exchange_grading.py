"""Every grading path is sandboxed by the course configuration itself; where bubblewrap cannot create a sandbox
(e.g. a host without unprivileged user namespaces), plain `nbgrader autograde` stops with a clear message instead
of running trainee code with the grader's rights. (The sandbox's protection itself: tests/test_grade.py; plain
autograde and the formgrader's button on a real cohort: tests/hub/test_exchange_attacks.py.)"""
from __future__ import annotations

import os
import stat

import pytest

from course import Assignment, make_course, nbgrader, submit

ASSIGNMENT = "01_skin_layers"


@pytest.mark.timeout(300)
def test_plain_autograde_stops_when_bubblewrap_cannot_sandbox(tmp_path):
    course = make_course(tmp_path / "course", ASSIGNMENT)
    assignment = Assignment.load(ASSIGNMENT)
    marker = tmp_path / "trainee-code-ran"
    notebook = assignment.submission(course, assignment.correct_answers())
    notebook.cells[0].source = f"open({str(marker)!r}, 'w').write('ran unsandboxed')\n" + notebook.cells[0].source
    submit(course, assignment, "t1", notebook)
    # A bwrap that fails the way it does without unprivileged user namespaces.
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(AssertionError) as failed:
        nbgrader(course, "autograde", ASSIGNMENT, f"--SandboxedKernelManager.bwrap={fake}")
    log = str(failed.value)
    assert "cannot create a sandbox here" in log and "No permissions to create a new namespace" in log
    assert "never run unsandboxed" in log
    assert not marker.exists(), "trainee code ran without the sandbox"
    assert not (course / "autograded" / "t1" / ASSIGNMENT / assignment.notebook).exists()
    assert os.path.exists(course / "submitted" / "t1" / ASSIGNMENT / assignment.notebook)
