"""The real-JupyterHub tests: opt-in, because they need root and create (then delete) unix users.

Run them with ``make test-hub`` (``pytest -m hub tests/hub``) or with MESOLAB_HUB_TESTS=1. In a plain
``pytest``/``make test`` run they are collected and reported as skipped, never run: a developer's ``make test``
must not create accounts on their machine.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hubkit  # noqa: E402

OUTPUT_DIR = hubkit.REPO / "test-output" / "hub"  # git-ignored: hub log, screenshot, timings


def _hub_requested(config: pytest.Config) -> bool:
    if os.environ.get("MESOLAB_HUB_TESTS") == "1":
        return True
    expression = config.getoption("markexpr", "") or ""
    return re.search(r"(?<!not )\bhub\b", expression) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _hub_requested(config):
        return
    skip = pytest.mark.skip(reason="real JupyterHub with unix users: run `make test-hub` (pytest -m hub tests/hub) "
                                   "as root, or set MESOLAB_HUB_TESTS=1")
    for item in items:
        if item.get_closest_marker("hub"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def hub_output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="module")
def cohort():
    """An instructor and two trainees from setup_cohort.py; removed afterwards, whatever happens."""
    hubkit.require_root()
    hubkit.remove_leftovers()
    created = hubkit.create_cohort(trainee_count=2)
    try:
        yield created
    finally:
        hubkit.remove_cohort(created)


@pytest.fixture(scope="module")
def hub(cohort, hub_output_dir):
    running = hubkit.Hub(cohort, hub_output_dir / "jupyterhub.log")
    try:
        running.start()
        yield running
    finally:
        running.stop()
