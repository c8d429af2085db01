"""nbgrader configuration of the MesoLab course.

Run nbgrader from this folder (the course root). Tests copy this file into a temporary course
directory, so every path here is derived from the file's own location.
"""
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from mesolab.grading.feedback import HideTestTracebacks
from mesolab.grading.isolated import IsolatedExecute
from mesolab.instructor.sandbox import sandboxed

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
course_root = Path(__file__).resolve().parent

c.CourseDirectory.root = str(course_root)
c.CourseDirectory.course_id = "mesolab"
# The embedded default gradebook: sqlite next to this file (git-ignored). Several graders or a large
# cohort: point db_url at PostgreSQL instead.
c.CourseDirectory.db_url = f"sqlite:///{course_root / 'gradebook.db'}"

# Trainee cells are short; 30 s per cell lets a slow machine import matplotlib, and stops an endless loop.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# Trainee code and hidden tests never share an interpreter: the trainee's kernel runs the trainee's cells, the
# tests run apart on the answers as plain data (mesolab/grading/isolated.py). nbgrader's own list otherwise.
# Every trainee kernel runs in the bubblewrap sandbox (mesolab/instructor/sandbox.py), whichever path grades:
# `nbgrader autograde`, the formgrader's Autograde button or `mesolab grade`. Where bubblewrap cannot create a
# sandbox, grading stops with a message; it never falls back to running trainee code with the grader's rights.
c.Autograde.autograde_preprocessors = [sandboxed(IsolatedExecute), IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# A deleted test cell is put back from the source and graded, instead of being silently skipped.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {
    "python": "# Write your answer here, in the form the question shows, then run this cell.\n"
              "raise NotImplementedError(\"answer not written yet\")"
}
c.ClearSolutions.text_stub = "Write your answer here."

# Feedback shows the grades and messages, never the hidden test code nor a traceback that quotes it.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests, HideTestTracebacks]
