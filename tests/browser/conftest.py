"""Fixtures for the real-browser tests: a JupyterLab server on loopback and Debian's Chromium via Playwright.

Requirements (`make test` brings them; a missing one FAILS the tests, it never skips them):
- Chromium at ``/usr/bin/chromium`` (Debian package ``chromium``), or the path in ``MESOLAB_CHROMIUM``;
  ``playwright install`` is not used: no browser is downloaded.
- The Python package ``playwright`` (extra ``test`` of pyproject.toml).
- axe-core, from npm into ``tests/browser/node_modules`` (``make test`` runs ``npm ci`` there): injected into
  the page for the accessibility checks, no network needed.

``MESOLAB_BROWSER_NOTEBOOKS`` may point at another folder of notebooks to serve instead of the
repository's ``notebooks/`` (handy while a lesson is being written).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from lab import BrowserRecord

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output" / "browser"  # git-ignored: screenshots and logs for a person to look at
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("MESOLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_GRACE_S = 10
# JupyterLab asks about news and checks for updates on first start; its pop-up covers the page corner.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
# Talk to the loopback server directly, whatever http_proxy says.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class LabServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    root: Path  # the server's root_dir
    notebooks: Path  # root / "notebooks": the copy of the repository's notebooks/
    log: Path
    runtime_dir: Path

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(self.url + path, method=method)
        with _LOCAL.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def unique_copy(self, name: str) -> Path:
        """A fresh copy of ``notebooks/<name>`` next to it: JupyterLab reuses kernels and tabs by path."""
        source = self.notebooks / name
        if not source.is_file():
            pytest.fail(f"{source.relative_to(self.root)} is not in the served notebooks "
                        f"(copied from {_notebooks_source()})")
        target = source.with_name(f"{source.stem}-{uuid.uuid4().hex[:8]}{source.suffix}")
        shutil.copyfile(source, target)
        return target

    def tree_url(self, notebook: Path) -> str:
        return f"{self.url}/lab/tree/{notebook.relative_to(self.root).as_posix()}?reset"

    def shut_down_sessions(self) -> None:
        """Close every session (and its kernel) so one test's kernel does not outlive it."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}")


def _notebooks_source() -> Path:
    return Path(os.environ.get("MESOLAB_BROWSER_NOTEBOOKS", REPO_ROOT / "notebooks"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def _stray_kernels(runtime_dir: Path) -> list[int]:
    """Pids of kernels started by this server: their command line names a connection file in its runtime dir."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(runtime_dir) in cmdline:
            pids.append(int(entry.name))
    return pids


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the server leads its own process group
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=SERVER_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item: the ``record`` fixture screenshots a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE.relative_to(REPO_ROOT)}: run `make test` (it runs "
                    "`npm ci` in tests/browser); the accessibility checks are not skipped")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def record(lab_page, browser_output_dir: Path, axe_script: str, request) -> Iterator[BrowserRecord]:
    """Console errors, timings, screenshots and accessibility checks of one browser test, saved in one place
    (test-output/browser/<name>-*) whatever the outcome; a failed test also leaves <name>-failure.png."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_lab_").removeprefix("test_")
    run = BrowserRecord(name, lab_page, browser_output_dir, axe_script)
    (browser_output_dir / f"{name}-failure.png").unlink(missing_ok=True)
    lab_page.on("pageerror", lambda error: run.console.append(f"pageerror: {error}"))
    lab_page.on("console", lambda message: run.console.append(f"console.{message.type}: {message.text}")
                if message.type == "error" else None)
    try:
        yield run
    finally:
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            with contextlib.suppress(Exception):  # never hide the real failure
                lab_page.screenshot(path=str(browser_output_dir / f"{name}-failure.png"))
        run.save()


@pytest.fixture(scope="session")
def browser_output_dir() -> Path:
    """test-output/browser/ at the repository root (git-ignored): screenshots and the server log."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory, browser_output_dir: Path) -> Iterator[LabServer]:
    source = _notebooks_source()
    if not source.is_dir():
        pytest.fail(f"no notebooks to serve: {source} is not a folder")
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    shutil.copytree(source, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    dirs = {name: base / name for name in ("config", "data", "runtime", "ipython", "matplotlib", "xdg-config",
                                           "xdg-cache", "app-settings")}
    for path in dirs.values():
        path.mkdir()
    (dirs["app-settings"] / "overrides.json").write_text(json.dumps(LAB_OVERRIDES))
    env = dict(os.environ)
    env.update({
        # A temporary JUPYTER_DATA_DIR is safe: the widgets' lab extension and the python3 kernel spec
        # live under sys.prefix/share/jupyter, which Jupyter searches whatever this variable says.
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "MPLCONFIGDIR": str(dirs["matplotlib"]),
        "XDG_CONFIG_HOME": str(dirs["xdg-config"]),
        "XDG_CACHE_HOME": str(dirs["xdg-cache"]),
        # The kernel imports the working tree's mesolab, like the test process does.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    port = _free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
               "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
               "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
               "--FileContentsManager.delete_to_trash=False", f"--LabApp.app_settings_dir={dirs['app-settings']}"]
    if os.geteuid() == 0:  # CI containers run as root; jupyter refuses that without the flag
        command.append("--allow-root")
    log = browser_output_dir / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", root, root / "notebooks", log, dirs["runtime"])
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {process.returncode} before answering; "
                            f"log {log}:\n{_tail(log)}")
            try:
                with _LOCAL.open(f"{server.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer /api/status within {SERVER_START_TIMEOUT_S} s; "
                            f"log {log}:\n{_tail(log)}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)
        # Kernels run in sessions of their own; a clean server shutdown ends them, this catches the rest.
        for pid in _stray_kernels(server.runtime_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium) "
                    f"or set MESOLAB_CHROMIUM; the browser tests need a real browser and are not skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.fail(f"Python Playwright is missing ({error}): pip install -e '.[test]' "
                    f"(no 'playwright install' is needed, the tests use {CHROMIUM})")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def lab_page(browser, lab_server: LabServer):
    """A fresh browser context and page; afterwards every session and kernel of the server is shut down."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()
        lab_server.shut_down_sessions()
