"""Shared fixtures: paths of the repository, and the environment nbgrader needs."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# nbgrader runs alembic from PATH when it creates a gradebook.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/ at the repository root (git-ignored): screenshots and figures for a person to look at."""
    path = REPO / "test-output"
    path.mkdir(exist_ok=True)
    return path
