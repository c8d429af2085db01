"""The PostgreSQL gradebook: the real nbgrader commands against a real server started on loopback.

sqlite stays the embedded default; PostgreSQL is the supported choice for several graders and large cohorts
(``c.CourseDirectory.db_url = "postgresql://..."``). Needs Debian's ``postgresql`` (make test installs it as root).
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import sqlalchemy

from course import (REPO, Assignment, answers_with, autograded_scores, correct_values, exported_scores, nbgrader,
                    submit, wrong_value, answer_options)
from postgres import start_postgres

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(600)]
ASSIGNMENT = "01_skin_layers"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


def _course(root, url: str):
    root.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + f"\nc.CourseDirectory.db_url = {url!r}\n")
    shutil.copytree(REPO / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root


def test_nbgrader_grades_and_exports_with_a_postgresql_gradebook(server, tmp_path):
    url = server.create_database("course_one")
    course = _course(tmp_path / "course", url)
    assignment = Assignment.load(ASSIGNMENT)
    right = correct_values(assignment)
    options = answer_options(assignment)
    wrong = {name: wrong_value(value, options.get(name)) for name, value in right.items()}
    submit(course, assignment, "correct", assignment.submission(course, assignment.correct_answers()))
    submit(course, assignment, "wrong", assignment.submission(course, answers_with(assignment, wrong)))
    nbgrader(course, "autograde", ASSIGNMENT, "--Execute.timeout=8")
    assert autograded_scores(course, ASSIGNMENT) == {"correct": assignment.auto_points, "wrong": 0.0}
    rows = exported_scores(course)
    assert float(rows[(ASSIGNMENT, "correct")]["raw_score"]) == assignment.auto_points
    assert not (course / "gradebook.db").exists(), "the sqlite default must not be used when db_url is set"
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        students = {row[0] for row in connection.execute(sqlalchemy.text("select id from student"))}
        grades = connection.execute(sqlalchemy.text("select count(*) from grade")).scalar()
    engine.dispose()
    assert students == {"correct", "wrong"}
    assert grades == 2 * len(assignment.test_cells) + 2  # autograded test cells and the free-text answer, per trainee


def test_two_graders_at_once_share_one_postgresql_gradebook(server, tmp_path):
    """Two nbgrader processes grading different trainees at the same time: no lock errors, no lost grades."""
    url = server.create_database("course_two")
    course = _course(tmp_path / "course", url)
    assignment = Assignment.load(ASSIGNMENT)
    students = [f"t{i:02d}" for i in range(4)]
    for student in students:
        submit(course, assignment, student, assignment.submission(course, assignment.correct_answers()))
    graders = [subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", pattern,
                                 "--Execute.timeout=8"], cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
               for pattern in ("t0[02]", "t0[13]")]
    for grader in graders:
        output, _ = grader.communicate(timeout=300)
        assert grader.returncode == 0, output
    assert autograded_scores(course, ASSIGNMENT) == {student: assignment.auto_points for student in students}
