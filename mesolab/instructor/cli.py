"""The ``mesolab`` command for instructors: ``mesolab grade | feedback | report ASSIGNMENT``.

Run it from the course root (the folder with ``nbgrader_config.py``) or pass ``--course DIR``. Each
subcommand lives in its own module, with a ``main`` of keyword arguments (callable from Python); this file only
parses the command line and dispatches.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


#: One exit-code convention for every subcommand (said in --help).
EXIT_CODES = """exit codes (every command):
  0    done
  1    done in part: some trainees could not be graded (each is named, with the reason)
  2    nothing done: the command line, the course folder, the assignment, the gradebook or the sandbox is not
       what the command needs (the message says what), or another `mesolab grade` runs on the course
  130  interrupted (Ctrl-C); `mesolab grade` keeps the trainees already graded"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesolab", description=__doc__.splitlines()[0], epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="course root with nbgrader_config.py (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub = {"epilog": EXIT_CODES, "formatter_class": argparse.RawDescriptionHelpFormatter}
    grade = commands.add_parser("grade", help="autograde collected submissions in parallel (resumable)", **sub)
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the number of cores)")
    grade.add_argument("--student", default="*", help="only trainees whose id matches this glob")
    grade.add_argument("--cell-timeout", type=int, default=None, metavar="SECONDS",
                       help="per-cell time limit (default: Execute.timeout of the course config)")
    grade.add_argument("--force", action="store_true",
                       help="grade again even trainees already graded with the same files (e.g. after changing "
                            "the course config)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run trainee code without bubblewrap (NOT for untrusted submissions)")

    feedback = commands.add_parser("feedback", help="per-trainee feedback in plain words, no hidden tests", **sub)
    feedback.add_argument("assignment")
    feedback.add_argument("--student", default="*", help="only trainees whose id matches this glob")

    report = commands.add_parser("report", help="item analysis of an assignment from the gradebook", **sub)
    report.add_argument("assignment")
    report.add_argument("--output", type=Path, default=None,
                        help="folder for the report (default: reports/ASSIGNMENT under the course root)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "grade":
        from .grade import main as grade

        return grade(course=args.course, assignment=args.assignment, jobs=args.jobs, student=args.student,
                     cell_timeout=args.cell_timeout, force=args.force, sandbox=not args.no_sandbox)
    if args.command == "feedback":
        from .feedback import main as feedback

        return feedback(course=args.course, assignment=args.assignment, student=args.student)
    from .report import main as report

    return report(course=args.course, assignment=args.assignment, output=args.output)


if __name__ == "__main__":
    sys.exit(main())
