"""Grading support for nbgrader: strict answer readers for test cells and feedback preprocessors.

Nothing here knows an answer: the expected values live only in the hidden tests in ``source/``.
"""
