"""The examples in the package's docstrings run as tests: an example that goes stale fails here."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mesolab

MODULES = sorted(info.name for info in pkgutil.walk_packages(mesolab.__path__, "mesolab."))


def _examples(name: str) -> list[doctest.DocTest]:
    return [test for test in doctest.DocTestFinder().find(importlib.import_module(name)) if test.examples]


WITH_EXAMPLES = [name for name in MODULES if _examples(name)]


def test_the_package_has_examples():
    assert len(WITH_EXAMPLES) >= 5, WITH_EXAMPLES


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _examples(name):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples of {name} failed (output above)"
