"""A real JupyterHub for tests and benchmarks: a cohort of throw-away unix users, the hub and its proxy on loopback.

Used by tests/hub/ and benchmarks/bench_hub_load.py. Needs root (it creates and deletes unix accounts and runs
the hub, which checks passwords with PAM and starts servers as those users).

Throw-away users are named ``mlt<8 hex><role>`` with the comment ``MesoLab hub test``; both must match before
:func:`remove_leftovers` deletes an account, so no real account is ever touched.
"""
from __future__ import annotations

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "deploy" / "jupyterhub" / "setup_cohort.py"
# The shared environment is reused between runs (setup_cohort.py reinstalls it when pyproject.toml or mesolab/
# change): building it takes minutes, a run takes about one. Its path must be world-readable all the way down.
WORK = Path(os.environ.get("MESOLAB_HUB_TEST_DIR", "/var/tmp/mesolab-hub-test"))
PREFIX = WORK / "prefix"
RUNS = WORK / "runs"
RUNTIME = WORK / "rt"  # per-user kernel socket folders: short paths (a Unix socket path has 108 bytes at most)
USER_MARK = "MesoLab hub test"
USER_NAME = re.compile(r"^mlt[0-9a-f]{8}(i|t\d+)$")
GROUP_NAME = re.compile(r"^mlt[0-9a-f]{8}g$")
COURSE_ID = "mesolab"
HUB_START_TIMEOUT_S = 60
SERVER_START_TIMEOUT_S = 180
HUB_STOP_GRACE_S = 30


def log(message: str) -> None:
    print(f"[hubkit {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def require_root() -> None:
    if os.geteuid() != 0:
        raise RuntimeError("the real-JupyterHub tests need root: they create unix users (and delete them again)")


# --- processes and accounts -----------------------------------------------------------------------------------

def pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:"):
                if line.split()[1] == str(uid):
                    pids.append(int(entry.name))
                break
    return pids


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def kill_pid_if(pid: int, needle: str) -> None:
    """Kill ``pid`` only if its command line still contains ``needle`` (pid files can be stale)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return
    if needle in cmdline:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_uid(uid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids_of_uid(uid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while pids_of_uid(uid) and time.monotonic() < deadline:
            time.sleep(0.1)


def test_users() -> list[pwd.struct_passwd]:
    return [entry for entry in pwd.getpwall()
            if USER_NAME.match(entry.pw_name) and entry.pw_gecos.startswith(USER_MARK)]


def remove_leftovers() -> None:
    """What an earlier run that crashed (or was killed) left: its hub and proxy, users, groups, run folders."""
    if RUNS.is_dir():
        for run in RUNS.iterdir():
            for pid_file, needle in (("state/jupyterhub.pid", "jupyterhub"),
                                     ("state/proxy.pid", "configurable-http-proxy")):
                try:
                    kill_pid_if(int((run / pid_file).read_text().strip()), needle)
                except (OSError, ValueError):
                    pass
    for entry in test_users():
        log(f"removing leftover test user {entry.pw_name}")
        kill_uid(entry.pw_uid)
        subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
        shutil.rmtree(entry.pw_dir, ignore_errors=True)
    for line in Path("/etc/group").read_text().splitlines():
        name = line.split(":", 1)[0]
        if GROUP_NAME.match(name):
            subprocess.run(["groupdel", name], capture_output=True)
    for folder in (RUNS, RUNTIME):
        shutil.rmtree(folder, ignore_errors=True)
    for name in ("cohort.json", "passwords.csv"):  # the crashed run's cohort, which --remove never saw
        (PREFIX / "etc" / "mesolab" / name).unlink(missing_ok=True)


def run_as(user: str, command: list[str], cwd: Path, extra_env: dict[str, str] | None = None,
           timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """``command`` as ``user`` with a clean environment: runuser (no sudo here), HOME set explicitly."""
    entry = pwd.getpwnam(user)
    env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin", **(extra_env or {})}
    result = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
                             *command], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"as {user}: {' '.join(command)} failed ({result.returncode}):\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


# --- the cohort -------------------------------------------------------------------------------------------------

@dataclass
class Cohort:
    suffix: str
    instructor: str
    trainees: list[str]
    group: str
    run_dir: Path  # world-traversable: exchange and homes live here
    exchange: Path
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def users(self) -> list[str]:
        return [self.instructor, *self.trainees]

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    @property
    def course(self) -> Path:
        return self.home(self.instructor) / COURSE_ID

    @property
    def course_folder(self) -> Path:
        return self.exchange / COURSE_ID


def _setup_command(*args: str) -> list[str]:
    return [sys.executable, str(SETUP), "--prefix", str(PREFIX), *args]


def create_cohort(trainee_count: int) -> Cohort:
    """setup_cohort.py for an instructor and ``trainee_count`` trainees with fresh names; passwords generated."""
    require_root()
    suffix = secrets.token_hex(4)
    RUNS.mkdir(parents=True, exist_ok=True)
    for path in (WORK, RUNS):
        os.chmod(path, 0o755)  # mkdtemp-style 700 folders would lock the users out
    run_dir = RUNS / f"run-{suffix}"
    run_dir.mkdir(mode=0o755)
    os.chmod(run_dir, 0o755)
    cohort = Cohort(suffix, f"mlt{suffix}i", [f"mlt{suffix}t{k}" for k in range(1, trainee_count + 1)],
                    f"mlt{suffix}g", run_dir, run_dir / "exchange")
    roster = run_dir / "roster.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "role", "full_name"])
        writer.writerow([cohort.instructor, "instructor", f"{USER_MARK} instructor"])
        for name in cohort.trainees:
            writer.writerow([name, "trainee", f"{USER_MARK} trainee"])
    started = time.monotonic()
    result = subprocess.run(_setup_command(str(roster), "--exchange", str(cohort.exchange),
                                           "--home-base", str(run_dir / "home"), "--instructors-group", cohort.group,
                                           "--runtime-base", str(RUNTIME / suffix)),
                            capture_output=True, text=True, timeout=1800)
    log(f"setup_cohort.py: {time.monotonic() - started:.1f} s\n{result.stdout[-2000:]}")
    if result.returncode != 0:
        remove_cohort(cohort)
        raise AssertionError(f"setup_cohort.py failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    with open(PREFIX / "etc" / "mesolab" / "passwords.csv", newline="") as handle:
        cohort.passwords = {row["username"]: row["password"] for row in csv.DictReader(handle)}
    return cohort


def remove_cohort(cohort: Cohort) -> None:
    """setup_cohort.py --remove, then make sure: no account, process or group of this cohort is left."""
    result = subprocess.run(_setup_command("--remove"), capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and "nothing to remove" not in result.stderr:
        log(f"setup_cohort.py --remove failed ({result.returncode}): {result.stdout}\n{result.stderr}")
    for user in cohort.users:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        kill_uid(entry.pw_uid)
        subprocess.run(["userdel", "--remove", user], capture_output=True)
    subprocess.run(["groupdel", cohort.group], capture_output=True)
    shutil.rmtree(cohort.run_dir, ignore_errors=True)
    shutil.rmtree(RUNTIME / cohort.suffix, ignore_errors=True)
    left = [user for user in cohort.users if _exists(user)]
    if left:
        raise RuntimeError(f"test users left behind: {left}")


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


# --- the hub ----------------------------------------------------------------------------------------------------

def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Hub:
    """JupyterHub from the shared environment, with the deployment's config, on free loopback ports."""

    def __init__(self, cohort: Cohort, log_path: Path) -> None:
        self.cohort = cohort
        self.state = cohort.run_dir / "state"
        self.log_path = log_path
        public, hub_api, proxy_api = free_ports(3)
        self.url = f"http://127.0.0.1:{public}"
        self.env = {"PATH": f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                    "HOME": str(cohort.run_dir), "MESOLAB_HUB_STATE": str(self.state),
                    "MESOLAB_HUB_PORT": str(public), "MESOLAB_HUB_API_PORT": str(hub_api),
                    "MESOLAB_PROXY_API_PORT": str(proxy_api)}
        self.http = requests.Session()
        self.http.trust_env = False  # loopback, whatever http_proxy says
        self.process: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    def start(self) -> None:
        self.state.mkdir(mode=0o700, exist_ok=True)
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [str(PREFIX / "bin" / "jupyterhub"), "-f", str(PREFIX / "etc" / "jupyterhub" / "jupyterhub_config.py")],
                cwd=self.state, env=self.env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + HUB_START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyterhub exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if self.http.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"jupyterhub did not answer within {HUB_START_TIMEOUT_S} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError as error:
            return f"(no log: {error})"

    def stop(self) -> None:
        """SIGTERM: the hub stops the users' servers and its proxy. Then kill whatever is left, by pid."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=HUB_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:
            kill_pid_if(int((self.state / "proxy.pid").read_text().strip()), "configurable-http-proxy")
        except (OSError, ValueError):
            pass
        for user in self.cohort.users:
            try:
                kill_uid(pwd.getpwnam(user).pw_uid)
            except KeyError:
                pass

    # -- REST API as a user ------------------------------------------------------------------------------------

    def token(self, user: str) -> str:
        """A token of ``user``, obtained the way a script would: with the user's password."""
        if user not in self.tokens:
            response = self.http.post(f"{self.url}/hub/api/users/{user}/tokens", timeout=30, json={
                "auth": {"username": user, "password": self.cohort.passwords[user]}, "note": "mesolab hub test"})
            assert response.status_code in (200, 201), f"token for {user}: {response.status_code} {response.text}"
            self.tokens[user] = response.json()["token"]
        return self.tokens[user]

    def as_user(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        """A request with ``user``'s token; ``path`` starts with /hub/ or /user/."""
        headers = {"Authorization": f"token {self.token(user)}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.url}{path}", headers=headers, allow_redirects=False,
                                 timeout=kwargs.pop("timeout", 120), **kwargs)

    def start_server(self, user: str, poll_s: float = 0.25) -> float:
        """Start ``user``'s server through the hub API and wait until it is ready; seconds taken.

        Polling is the user's own GET on the hub; many users at once: poll less often, or the polling itself
        loads the hub."""
        started = time.monotonic()
        response = self.as_user(user, "POST", f"/hub/api/users/{user}/server")
        assert response.status_code in (201, 202), f"start {user}: {response.status_code} {response.text}"
        while True:
            model = self.as_user(user, "GET", f"/hub/api/users/{user}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if time.monotonic() - started > SERVER_START_TIMEOUT_S:
                raise AssertionError(f"server of {user} not ready after {SERVER_START_TIMEOUT_S} s: {model}\n"
                                     f"{self.log_tail()}")
            time.sleep(poll_s)

    def start_servers(self, users: list[str], poll_s: float = 0.25) -> dict[str, float]:
        with ThreadPoolExecutor(max_workers=max(1, len(users))) as pool:
            return dict(zip(users, pool.map(lambda user: self.start_server(user, poll_s), users)))

    def nbgrader_action(self, user: str, action: str, assignment: str) -> requests.Response:
        """nbgrader's assignment-list server extension in ``user``'s server: fetch, submit or fetch_feedback."""
        return self.as_user(user, "POST", f"/user/{user}/assignments/{action}",
                            data={"course_id": COURSE_ID, "assignment_id": assignment})

    def server_rss_kib(self, user: str) -> int:
        """Resident memory of everything running as ``user`` (the server and its kernels)."""
        return sum(rss_kib(pid) for pid in pids_of_uid(pwd.getpwnam(user).pw_uid))

    def hub_and_proxy_rss_kib(self) -> dict[str, int]:
        result = {"jupyterhub": rss_kib(self.process.pid) if self.process else 0}
        try:
            result["configurable-http-proxy"] = rss_kib(int((self.state / "proxy.pid").read_text().strip()))
        except (OSError, ValueError):
            result["configurable-http-proxy"] = 0
        return result


def instructor_nbgrader(cohort: Cohort, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """An nbgrader command as the instructor, in the course directory (as the instructor would, in a terminal)."""
    return run_as(cohort.instructor, [str(PREFIX / "bin" / "nbgrader"), *args], cwd=cohort.course,
                  extra_env={"JUPYTER_CONFIG_PATH": str(PREFIX / "etc" / "jupyter-instructor")}, timeout=timeout)


def save_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
