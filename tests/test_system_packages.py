"""scripts/system-packages, the first step of `make test`: with a PATH of stand-ins, nothing installed for real.

Missing packages: as root it runs apt-get; as another user it prints the one `sudo apt-get install` command and
fails before anything else; without apt-get it names what is missing; with everything present it is silent."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system-packages"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def fake_bin(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def _run(fake_bin: Path, uid: int, tmp_path: Path) -> subprocess.CompletedProcess:
    _stub(fake_bin, "id", f'[ "$1" = "-u" ] && echo {uid}')
    env = {"PATH": str(fake_bin), "HOME": str(tmp_path), "APT_LOG": str(tmp_path / "apt.log")}
    return subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def _apt_get(fake_bin: Path) -> None:
    _stub(fake_bin, "apt-get", 'echo "$@" >> "$APT_LOG"')


def test_non_root_stops_with_the_one_command_and_installs_nothing(fake_bin, tmp_path):
    _apt_get(fake_bin)
    result = _run(fake_bin, 1000, tmp_path)
    assert result.returncode == 1
    command = next(line.strip() for line in result.stderr.splitlines() if "sudo apt-get install" in line)
    for package in ("chromium", "bubblewrap", "nodejs", "npm"):
        assert f" {package}" in command
    assert not (tmp_path / "apt.log").exists(), "a non-root run must not try to install"


def test_root_installs_the_missing_packages_with_apt_get(fake_bin, tmp_path):
    _apt_get(fake_bin)
    result = _run(fake_bin, 0, tmp_path)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y -qq --no-install-recommends ")
    assert {"chromium", "bubblewrap", "nodejs", "npm"} <= set(calls[1].split())


def test_without_apt_get_it_names_what_is_missing(fake_bin, tmp_path):
    result = _run(fake_bin, 0, tmp_path)
    assert result.returncode == 1 and "no apt-get" in result.stderr and "bubblewrap" in result.stderr


def test_everything_present_is_silent(fake_bin, tmp_path):
    for tool in ("chromium", "bwrap", "node", "npm", "initdb"):
        _stub(fake_bin, tool, "exit 0")
    result = _run(fake_bin, 1000, tmp_path)
    needs_system = [p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",) if not os.path.exists(p)]
    if needs_system or subprocess.run(["/usr/bin/python3", "-c", "import ensurepip"]).returncode:
        pytest.skip("this machine lacks fonts-dejavu-core or python3-venv, which no stand-in replaces")
    assert result.returncode == 0 and result.stdout == result.stderr == ""
