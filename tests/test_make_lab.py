"""`make lab` starts JupyterLab on the course home page, as root too (CI machines and containers run as root, where
JupyterLab refuses to start without --allow-root). Uses this test run's environment instead of building one."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_answers_and_opens_the_home_page(tmp_path):
    port = _free_port()
    venv = os.path.relpath(sys.prefix, ROOT)  # relative, as in the Makefile: the clone's folder may have a space
    # The "browser" that make lab opens records what it was asked to open.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" >> "{opened}"\n')
    browser.chmod(0o755)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), BROWSER=str(browser))
    # -o: take the environment as installed (this one runs the tests) instead of building .venv.
    command = ["make", "--no-print-directory", "lab", f"VENV={venv}", "-o", f"{venv}/.installed",
               f"LAB_ARGS=--ip 127.0.0.1 --port {port} --ServerApp.port_retries=0"]
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not opened.exists():
            assert process.poll() is None, f"make lab stopped (exit {process.returncode}):\n{log.read_text()}"
            assert time.monotonic() < deadline, f"make lab opened no browser within 60 s:\n{log.read_text()}"
            time.sleep(0.3)
        target = opened.read_text().strip()
        if target.startswith("file://"):  # jupyter_server opens a local page that redirects to the lab
            target = Path(target.removeprefix("file://")).read_text()
        url = re.search(rf"http://127\.0\.0\.1:{port}/[^\s\"'<>]+", target).group(0)
        assert "/lab/tree/notebooks/00_start_here.ipynb" in url, url
        with _LOCAL.open(url, timeout=10) as response:
            assert response.status == 200
        echoed = log.read_text().splitlines()[0]  # make prints the command it runs
        assert ("--allow-root" in echoed) == (os.geteuid() == 0), echoed
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
