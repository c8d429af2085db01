"""Work nbgrader repeats for every trainee, done once per grading worker (``mesolab grade`` only).

The profile of one worker grading one notebook (``benchmarks/README.md``) showed nbgrader's own bookkeeping as a
third of the worker's time, outside the kernel: every ``Gradebook`` it opens (nine per trainee) builds a new
database engine and checks every table; the cell-metadata validation checks nbgrader's JSON schema itself again
for every cell, twice per notebook; and the grades of one notebook are written with one commit per cell. Each
patch below keeps nbgrader's results (same rows, same validation errors); :func:`apply` installs them in a worker
process after it is forked. Plain ``nbgrader autograde`` and the formgrader are left as nbgrader ships them.
"""
from __future__ import annotations

import functools

_applied = False


def apply() -> None:
    """Install the three patches in this process (once)."""
    global _applied
    if _applied:
        return
    _reuse_database_engines()
    _validate_against_a_checked_schema()
    _one_commit_per_notebook()
    _applied = True


def _reuse_database_engines() -> None:
    """A Gradebook on a URL already opened in this process reuses its engine (and its pooled connection); the
    tables were created by the first. Closing it ends its session; the engine stays for the next one."""
    from nbgrader.api import Gradebook
    from sqlalchemy.orm import scoped_session, sessionmaker

    engines: dict[str, object] = {}
    original_init, original_close = Gradebook.__init__, Gradebook.close

    @functools.wraps(original_init)
    def __init__(self, db_url, course_id="default_course", authenticator=None):  # noqa: ANN001, N807
        engine = engines.get(db_url)
        if engine is None:
            original_init(self, db_url, course_id, authenticator)
            engines[db_url] = self.engine
            return
        self.engine = engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=engine, future=True))
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    @functools.wraps(original_close)
    def close(self):  # noqa: ANN001
        if any(self.engine is engine for engine in engines.values()):
            self.db.remove()
        else:
            original_close(self)

    Gradebook.__init__, Gradebook.close = __init__, close


def _validate_against_a_checked_schema() -> None:
    """``jsonschema.validate(instance, schema)`` checks the schema, then the instance; nbgrader calls it per cell
    with its own fixed schema. Here the schema is checked once, then each instance exactly as ``validate`` does
    (the same validator class, the same best-matching error)."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    validators: dict[int, object] = {}

    def validate(instance, schema, cls=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if cls is not None or args or kwargs:
            return jsonschema.validate(instance, schema, cls, *args, **kwargs)
        validator = validators.get(id(schema))
        if validator is None or validator.schema is not schema:
            validator_class = jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            validator = validators[id(schema)] = validator_class(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None

    class _Jsonschema:  # the module nbgrader's validators see: jsonschema with that validate
        def __getattr__(self, name: str):
            return validate if name == "validate" else getattr(jsonschema, name)

    common.jsonschema = _Jsonschema()


def _one_commit_per_notebook() -> None:
    """SaveAutoGrades commits after every grade and comment; here the grades of a notebook are committed together
    when the notebook is done (queries in between see them: the session flushes before each query)."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

    def preprocess(self, nb, resources):  # noqa: ANN001 - SaveAutoGrades.preprocess, one commit at the end
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            session.commit = session.flush  # an instance attribute: shadows the session's commit meanwhile
            try:
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:
                del session.commit
            session.commit()
        return nb, resources

    SaveAutoGrades.preprocess = functools.wraps(SaveAutoGrades.preprocess)(preprocess)
