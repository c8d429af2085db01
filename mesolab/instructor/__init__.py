"""Instructor tooling for a cohort: parallel, resumable, sandboxed grading; feedback; item analysis.

Everything here drives real nbgrader (its converters and gradebook) underneath; nothing re-implements grading.
The ``mesolab`` console script (:mod:`mesolab.instructor.cli`) is the entry point.
"""
