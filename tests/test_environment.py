"""environment.yml (conda/Binder) and pyproject.toml list the same dependencies."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml


def _normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject(repo: Path):
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda = yaml.safe_load((repo / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    conda_packages = dict(_normalise(d) for d in conda if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda_packages == dict(_normalise(d) for d in project["dependencies"])
    pip_part = next(d["pip"] for d in conda if isinstance(d, dict))
    assert pip_part == ["-e ."], "Binder installs the package itself from the repository"
