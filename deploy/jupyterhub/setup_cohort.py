#!/usr/bin/env python3
"""Set up a MesoLab cohort on one host for JupyterHub and nbgrader's exchange, or remove it again.

Run as root, with any Python 3.10+ (standard library only):

    python3 deploy/jupyterhub/setup_cohort.py roster.csv            # set up, or bring up to date
    python3 deploy/jupyterhub/setup_cohort.py --remove              # delete the accounts it created

The roster is a CSV file with a header: ``username,role[,full_name][,password]``; role is ``instructor`` or
``trainee``. The first instructor owns the course (course directory, exchange folder); later instructors get the
hub role and the instructors' group. A ``password`` column sets those passwords; for accounts created without
one, a password is generated and written to ``PREFIX/etc/mesolab/passwords.csv`` (root only, mode 600). Hand
them out and ask people to change them (``passwd`` in a JupyterLab terminal).

What it creates, and why each mode:

- ``PREFIX`` (default /opt/mesolab): a virtual environment from a system-wide Python (``--python``, default
  /usr/bin/python3; an interpreter under root's private home cannot be run by other users) with the curriculum
  installed from this repository (``pip install REPO[hub]``, not editable), and configurable-http-proxy from npm
  in ``PREFIX/node_modules``. World-readable, writable by root only. Packages that every server imports at start
  but none uses are uninstalled again (``UNUSED_SLOW_PACKAGES``: they cost each server start CPU).
- ``PREFIX/etc/jupyter/``: what every single-user server reads. The instructor-only extensions (formgrader,
  create-assignment, course-list) are off, and so is jupyter_lsp (no language server is installed); nbgrader
  knows the course id and the exchange; submissions are made private (``mesolab.exchange.PrivateExchangeSubmit``).
- ``PREFIX/etc/jupyter-instructor/``: read only by instructors' servers (the hub adds it to their
  JUPYTER_CONFIG_PATH): the instructor extensions back on, nbgrader pointed at ``~/mesolab``, and a
  Content-Security-Policy that lets the formgrader frame load inside JupyterLab.
- ``PREFIX/bin/mesolab-singleuser`` (``singleuser.py`` next to this script): what the hub starts as each user's
  server.
- ``PREFIX/etc/jupyterhub/jupyterhub_config.py`` (a copy of the one next to this script) and
  ``PREFIX/etc/mesolab/cohort.json`` (who is who; also what to remove later), root only.
- Unix accounts with private homes (mode 700: nobody reads the instructor's solutions or gradebook, nor another
  trainee's notebooks), instructors in a unix group (``--instructors-group``).
- ``/var/lib/mesolab/runtime/<uid>`` (``--runtime-base``): each user's private runtime folder (mode 700), where
  their kernels' Unix sockets live (kernels use IPC, not loopback TCP ports).
- The course directory ``~OWNER/mesolab/``: a copy of ``source/``, the repository's ``nbgrader_config.py`` with
  the exchange added, and the gradebook with the roster's trainees imported.
- The exchange (default /srv/nbgrader/exchange): root 1777 (anyone may create a course folder, nobody may rename
  or remove another's), the course folder pre-created and owned by the instructor (so no trainee can claim it
  first), ``inbound/`` 3733 with the instructors' group (trainees add submissions but cannot list them; the
  group is inherited by each submission, which is then 0770).

Running it again is safe: it only adds what is missing and resets modes; it never overwrites the instructor's
course files nor an existing account's password (unless the roster gives one).
"""
from __future__ import annotations

import argparse
import csv
import grp
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUB_CONFIG = Path(__file__).resolve().with_name("jupyterhub_config.py")
SERVER_LAUNCHER = Path(__file__).resolve().with_name("singleuser.py")  # installed as PREFIX/bin/mesolab-singleuser
COURSE_ID = "mesolab"
COURSE_DIR_NAME = "mesolab"  # in the owning instructor's home
PROXY_PACKAGE = "configurable-http-proxy"
PROXY_VERSION = "5.3.0"
# nbgrader's instructor-only pieces: off for everyone in the shared environment, on again for instructors.
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
INSTRUCTOR_LAB_EXTENSIONS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                             "@jupyter/nbgrader:course-list"]
# JupyterHub >= 4.1 sends frame-ancestors 'none', which blanks the formgrader panel (an iframe) in JupyterLab.
INSTRUCTOR_CSP = "frame-ancestors 'self'"
# Installed as dependencies, imported by every server at start, used by none of them: each server start pays for
# them in CPU, and a class logging in at once queues on a few cores. rfc3987-syntax (jsonschema's "format-nongpl"
# extra, required by jupyter-events) builds about 40 Lark parsers when jsonschema is imported: half of a trainee
# server's start-up CPU (benchmarks/README.md). Without it, jsonschema checks no "iri"/"iri-reference" format,
# which no Jupyter schema uses.
UNUSED_SLOW_PACKAGES = ["rfc3987-syntax"]
# Server extensions off for everyone: jupyter_lsp serves language servers to JupyterLab's LSP front end, which is
# off by default, and none is installed; it would still look for ~20 of them after every server start.
UNUSED_SERVER_EXTENSIONS = ["jupyter_lsp"]
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
ROLES = {"instructor": "instructor", "trainee": "trainee", "student": "trainee"}


@dataclass(frozen=True)
class Member:
    username: str
    role: str  # "instructor" or "trainee"
    full_name: str
    password: str | None


def log(message: str) -> None:
    print(f"[setup_cohort] {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(map(str, command))}\n"
                         f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def read_roster(path: Path) -> list[Member]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    members, seen = [], set()
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        name, role = row.get("username", ""), ROLES.get(row.get("role", "").lower())
        if not USERNAME.match(name):
            raise SystemExit(f"{path}:{number}: not a valid unix user name: {name!r}")
        if role is None:
            raise SystemExit(f"{path}:{number}: role must be instructor or trainee, not {row.get('role')!r}")
        if name in seen:
            raise SystemExit(f"{path}:{number}: {name} is listed twice")
        seen.add(name)
        # ':' and ',' would break the passwd file's comment field.
        full_name = re.sub(r"[:,\n]", " ", row.get("full_name", "")) or name
        members.append(Member(name, role, full_name, row.get("password") or None))
    if not any(m.role == "instructor" for m in members):
        raise SystemExit(f"{path}: the roster has no instructor")
    return members


# --- the shared environment -----------------------------------------------------------------------------------

def _source_fingerprint(repo: Path, python: str) -> str:
    """What the installed environment depends on: the package's files, the interpreter, the proxy version."""
    digest = hashlib.sha256(f"{python}\n{PROXY_VERSION}\n".encode())
    files = [repo / "pyproject.toml"] + sorted(p for p in (repo / "mesolab").rglob("*")
                                               if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(repo)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def install_environment(prefix: Path, python: str, repo: Path, force: bool) -> None:
    stamp = prefix / ".mesolab-installed"
    fingerprint = _source_fingerprint(repo, python)
    if not force and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        log(f"environment {prefix} is up to date")
    else:
        started = time.monotonic()
        if not (prefix / "bin" / "python").exists():
            log(f"creating the environment {prefix} from {python}")
            run([python, "-m", "venv", str(prefix)])
        # pip builds inside the source tree; build from a copy so the checkout stays clean and a source under a
        # private directory works too.
        with tempfile.TemporaryDirectory(prefix="mesolab-build-") as build:
            source = Path(build) / "mesolab-src"
            source.mkdir()
            for name in ("pyproject.toml", "README.md", "LICENSE"):
                if (repo / name).is_file():
                    shutil.copy2(repo / name, source / name)
            shutil.copytree(repo / "mesolab", source / "mesolab", ignore=shutil.ignore_patterns("__pycache__"))
            pip = [str(prefix / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            log("installing the curriculum and JupyterHub into the environment (pip)")
            run(pip + [f"{source}[hub]"])
            # Same version number as before: make pip replace the package with this tree's files.
            run(pip + ["--no-deps", "--force-reinstall", str(source)])
        log(f"pip done in {time.monotonic() - started:.0f} s")
        stamp.write_text(fingerprint + "\n")
    trim_environment(prefix)
    proxy_manifest = prefix / "node_modules" / PROXY_PACKAGE / "package.json"
    installed = json.loads(proxy_manifest.read_text())["version"] if proxy_manifest.is_file() else None
    if installed != PROXY_VERSION:
        log(f"installing {PROXY_PACKAGE}@{PROXY_VERSION} into {prefix}/node_modules (npm)")
        run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
             f"{PROXY_PACKAGE}@{PROXY_VERSION}"])
    make_world_readable(prefix)


def trim_environment(prefix: Path) -> None:
    """Uninstall UNUSED_SLOW_PACKAGES (every run: pip puts them back whenever it reinstalls)."""
    for name in UNUSED_SLOW_PACKAGES:
        if any(prefix.glob(f"lib/python3*/site-packages/{name.replace('-', '_')}-*.dist-info")):
            log(f"uninstalling {name} from {prefix}: imported by every server start, used by none")
            run([str(prefix / "bin" / "python"), "-m", "pip", "uninstall", "--yes", "--quiet",
                 "--disable-pip-version-check", name])


def make_world_readable(prefix: Path) -> None:
    """Every user runs this environment; only root writes to it."""
    for directory, dirnames, filenames in os.walk(prefix):
        if Path(directory) == prefix / "etc" / "mesolab":
            dirnames[:] = []  # the cohort file and passwords: root only
            continue
        os.chmod(directory, (os.stat(directory).st_mode | 0o555) & ~0o022)
        for name in filenames:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, (os.stat(path).st_mode | 0o444) & ~0o022)


# --- configuration files --------------------------------------------------------------------------------------

def write_file(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)


def write_configs(prefix: Path, exchange: Path) -> None:
    shared, instructor = prefix / "etc" / "jupyter", prefix / "etc" / "jupyter-instructor"
    write_file(shared / "jupyter_server_config.json", json.dumps({
        "ServerApp": {"jpserver_extensions": {name: False
                                              for name in INSTRUCTOR_SERVER_EXTENSIONS + UNUSED_SERVER_EXTENSIONS}},
        # Kernels talk over Unix sockets in the user's private runtime folder (see ensure_runtime_dirs), not
        # loopback TCP ports: with many servers starting kernels at once, TCP port picking races ("Address
        # already in use", measured at 75 working trainees), and no other local user can reach the sockets.
        "KernelManager": {"transport": "ipc"},
    }, indent=2))
    write_file(shared / "labconfig" / "page_config.json", json.dumps({
        "disabledExtensions": {name: True for name in INSTRUCTOR_LAB_EXTENSIONS}}, indent=2))
    write_file(shared / "nbgrader_config.py", f'''"""nbgrader settings for every user of this hub (written by setup_cohort.py)."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {COURSE_ID!r}
c.Exchange.root = {str(exchange)!r}
# nbgrader leaves submission folders 0777; this one closes them to other trainees (mesolab/exchange.py).
c.ExchangeFactory.submit = "mesolab.exchange.PrivateExchangeSubmit"
# What an instructor runs (also from outside the course folder): the safe collect and feedback release.
c.ExchangeFactory.collect = "mesolab.exchange.SafeExchangeCollect"
c.ExchangeFactory.release_feedback = "mesolab.exchange.SafeExchangeReleaseFeedback"
''')
    write_file(instructor / "jupyter_server_config.json", json.dumps({
        "ServerApp": {
            "jpserver_extensions": {name: True for name in INSTRUCTOR_SERVER_EXTENSIONS},
            "tornado_settings": {"headers": {"Content-Security-Policy": INSTRUCTOR_CSP}},
        }}, indent=2))
    write_file(instructor / "labconfig" / "page_config.json", json.dumps({
        "disabledExtensions": {name: False for name in INSTRUCTOR_LAB_EXTENSIONS}}, indent=2))
    write_file(instructor / "nbgrader_config.py", f'''"""nbgrader settings of instructors' servers (written by setup_cohort.py).

The formgrader runs in the instructor's server, whose root is the home folder: point it at the course there and
read the course's own settings (grading pipeline, gradebook, time limits).
"""
import os

c = get_config()  # noqa: F821
_course = os.path.join(os.path.expanduser("~"), {COURSE_DIR_NAME!r})
c.CourseDirectory.root = _course
load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # noqa: F821 (skipped if the file is missing)
''')
    # JupyterLab's "get notified about news?" pop-up and update checks: a cohort's admin updates, not trainees.
    write_file(prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json", json.dumps({
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}, indent=2))
    write_file(prefix / "etc" / "jupyterhub" / "jupyterhub_config.py", HUB_CONFIG.read_text())
    write_file(prefix / "bin" / "mesolab-singleuser", f"#!{prefix / 'bin' / 'python'}\n" + SERVER_LAUNCHER.read_text(),
               mode=0o755)


# --- accounts -------------------------------------------------------------------------------------------------

def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def ensure_accounts(members: list[Member], home_base: Path, group: str, state: dict,
                    passwords_file: Path) -> None:
    if not group_exists(group):
        run(["groupadd", group])
        state["created_group"] = True
        log(f"created group {group}")
    passwords = {}
    if passwords_file.is_file():
        with open(passwords_file, newline="") as handle:
            passwords = {row["username"]: row["password"] for row in csv.DictReader(handle)}
    home_base.mkdir(parents=True, exist_ok=True)
    created = set(state.get("created_users", []))
    for member in members:
        new = not user_exists(member.username)
        if new:
            run(["useradd", "--create-home", "--base-dir", str(home_base), "--shell", "/bin/bash",
                 "--user-group", "--comment", member.full_name, member.username])
            created.add(member.username)
            log(f"created {member.role} {member.username}")
        if member.role == "instructor":
            run(["usermod", "--append", "--groups", group, member.username])
        if member.password or new:
            password = member.password or secrets.token_urlsafe(12)
            run(["chpasswd"], input=f"{member.username}:{password}\n")
            if not member.password:
                passwords[member.username] = password
        # Debian makes homes 0755: the instructor's solutions and gradebook, and every trainee's work, would be
        # readable by all. Private homes close that; nbgrader needs nothing else from them.
        os.chmod(pwd.getpwnam(member.username).pw_dir, 0o700)
    state["created_users"] = sorted(created)
    passwords_file.unlink(missing_ok=True)
    with open(os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password"])
        writer.writerows(sorted(passwords.items()))


def ensure_runtime_dirs(members: list[Member], runtime_base: Path) -> None:
    """A short private runtime folder per user, RUNTIME_BASE/<uid>: the hub points JUPYTER_RUNTIME_DIR there.

    Kernel sockets live in it; a Unix socket path must stay under 108 bytes, which the default
    ~/.local/share/jupyter/runtime/kernel-<uuid>-ipc-N can exceed under a long home path. Created by root, so no
    user can claim another's folder first."""
    runtime_base.mkdir(parents=True, exist_ok=True)
    os.chown(runtime_base, 0, 0)
    os.chmod(runtime_base, 0o711)  # reachable, not listable
    for member in members:
        entry = pwd.getpwnam(member.username)
        folder = runtime_base / str(entry.pw_uid)
        folder.mkdir(exist_ok=True)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        os.chmod(folder, 0o700)


# --- exchange and course --------------------------------------------------------------------------------------

def ensure_exchange(exchange: Path, owner: str, group: str) -> None:
    uid, gid = pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)  # sticky: a trainee cannot rename the course folder and plant a fake one
    course = exchange / COURSE_ID
    for path, mode in ((course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o3733)):
        path.mkdir(exist_ok=True)
        os.chown(path, uid, gid)
        os.chmod(path, mode)
    log(f"exchange {course}: owned by {owner}, inbound 3733 group {group}")


def adapted_course_config(repo: Path, exchange: Path) -> str:
    return (repo / "nbgrader_config.py").read_text() + f'''
# --- Added by deploy/jupyterhub/setup_cohort.py: this course on the cohort's JupyterHub ---------------------------
# The exchange the trainees' servers use too (PREFIX/etc/jupyter/nbgrader_config.py says the same).
c.Exchange.root = {str(exchange)!r}
c.CourseDirectory.course_id = {COURSE_ID!r}
''' + SAFE_EXCHANGE_SETTINGS


SAFE_EXCHANGE_SETTINGS = '''
# Trainees own their submission folders and can put anything there: collect only what each trainee owns (real
# folders and regular files, never through a link; only the released notebooks; size caps; a submission time
# from the kernel's change times), and release feedback only as each released notebook's page (mesolab/exchange.py).
c.ExchangeFactory.collect = "mesolab.exchange.SafeExchangeCollect"
c.ExchangeFactory.release_feedback = "mesolab.exchange.SafeExchangeReleaseFeedback"
'''


def run_as(user: str, command: list[str], prefix: Path, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run a command as ``user`` with a clean environment (no sudo here: runuser, HOME set explicitly)."""
    entry = pwd.getpwnam(user)
    env = ["env", "-i", f"HOME={entry.pw_dir}", f"USER={user}", f"LOGNAME={user}", "LANG=C.UTF-8",
           f"PATH={prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin"]
    return run(["runuser", "-u", user, "--", *env, *command], cwd=cwd, **kwargs)


def ensure_course(owner: str, trainees: list[Member], repo: Path, prefix: Path, exchange: Path) -> Path:
    entry = pwd.getpwnam(owner)
    course = Path(entry.pw_dir) / COURSE_DIR_NAME
    course.mkdir(exist_ok=True)
    for assignment in sorted(p for p in (repo / "source").iterdir() if p.is_dir()):
        target = course / "source" / assignment.name
        if not target.exists():  # never overwrite the instructor's own edits
            shutil.copytree(assignment, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(adapted_course_config(repo, exchange))
    elif "SafeExchangeCollect" not in config.read_text():  # a course set up before the safe collect existed
        with open(config, "a") as handle:
            handle.write(SAFE_EXCHANGE_SETTINGS)
        log(f"{config}: added the safe collect and feedback release")
    with open(course / "students.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name"])
        for member in trainees:
            first, _, last = member.full_name.partition(" ")
            writer.writerow([member.username, first, last])
    for directory, _, filenames in os.walk(course):
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        for name in filenames:
            os.chown(os.path.join(directory, name), entry.pw_uid, entry.pw_gid)
    if (prefix / "bin" / "nbgrader").exists():
        run_as(owner, [str(prefix / "bin" / "nbgrader"), "db", "student", "import", "students.csv"], prefix, course)
        os.chmod(course / "gradebook.db", 0o600)
        log(f"course {course}: {len(trainees)} trainees in the gradebook")
    return course


# --- removal --------------------------------------------------------------------------------------------------

def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            real_uid = next((line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), None)
            if real_uid == str(uid):
                pids.append(int(entry.name))
    return pids


def end_processes(user: str) -> None:
    """A user with running processes cannot be deleted: end them (stop the hub first)."""
    uid = pwd.getpwnam(user).pw_uid
    for sig, pause in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + pause
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.1)


def remove_cohort(state_file: Path, passwords_file: Path) -> None:
    if not state_file.is_file():
        raise SystemExit(f"nothing to remove: {state_file} does not exist")
    state = json.loads(state_file.read_text())
    for user in state.get("created_users", []):
        if user_exists(user):
            home = Path(pwd.getpwnam(user).pw_dir)
            if state.get("runtime_base"):
                shutil.rmtree(Path(state["runtime_base"]) / str(pwd.getpwnam(user).pw_uid), ignore_errors=True)
            end_processes(user)
            result = subprocess.run(["userdel", "--remove", user], text=True, capture_output=True)
            if result.returncode == 12 and home.is_dir():  # the account is gone, its home was not removed
                shutil.rmtree(home)
            elif result.returncode not in (0, 12):
                raise SystemExit(f"userdel {user} failed ({result.returncode}): {result.stderr}")
            log(f"removed user {user}")
    if state.get("created_group") and group_exists(state["group"]):
        run(["groupdel", state["group"]])
        log(f"removed group {state['group']}")
    course_folder = Path(state["exchange"]) / COURSE_ID
    if course_folder.exists():
        shutil.rmtree(course_folder)
        log(f"removed {course_folder}")
    passwords_file.unlink(missing_ok=True)
    state_file.unlink()


# --- main -----------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roster", nargs="?", type=Path, help="CSV: username,role[,full_name][,password]")
    parser.add_argument("--prefix", type=Path, default=Path("/opt/mesolab"), help="shared environment")
    parser.add_argument("--exchange", type=Path, default=Path("/srv/nbgrader/exchange"), help="nbgrader exchange root")
    parser.add_argument("--home-base", type=Path, default=Path("/home"), help="where new homes are created")
    parser.add_argument("--runtime-base", type=Path, default=Path("/var/lib/mesolab/runtime"),
                        help="short private runtime folders (kernel sockets), one per user")
    parser.add_argument("--instructors-group", default="mesolab-instructors", help="unix group of the instructors")
    parser.add_argument("--python", default="/usr/bin/python3", help="system-wide Python for the environment")
    parser.add_argument("--repo", type=Path, default=REPO, help="the MesoLab checkout to install")
    parser.add_argument("--reinstall", action="store_true", help="reinstall the environment even if up to date")
    parser.add_argument("--skip-install", action="store_true", help="leave the environment alone")
    parser.add_argument("--remove", action="store_true",
                        help="delete the accounts, group and exchange course folder this script created")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run as root: it creates unix accounts and a shared environment")
    os.umask(0o022)  # what it creates for everyone must be readable whatever root's umask is
    prefix = args.prefix.resolve()
    state_dir = prefix / "etc" / "mesolab"
    state_file, passwords_file = state_dir / "cohort.json", state_dir / "passwords.csv"
    if args.remove:
        remove_cohort(state_file, passwords_file)
        return 0
    if args.roster is None:
        parser.error("a roster CSV is needed (or --remove)")
    members = read_roster(args.roster)
    instructors = [m for m in members if m.role == "instructor"]
    trainees = [m for m in members if m.role == "trainee"]
    owner = instructors[0].username
    exchange = args.exchange.resolve()

    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    if not args.skip_install:
        install_environment(prefix, args.python, args.repo.resolve(), args.reinstall)
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    previous_group = state.get("group")
    if previous_group and previous_group != args.instructors_group:
        raise SystemExit(f"this prefix was set up with group {previous_group}; remove the cohort first")
    state.update({"course_id": COURSE_ID, "exchange": str(exchange), "group": args.instructors_group,
                  "owner": owner, "instructors": [m.username for m in instructors],
                  "trainees": [m.username for m in trainees], "runtime_base": str(args.runtime_base.resolve())})
    try:
        ensure_accounts(members, args.home_base.resolve(), args.instructors_group, state, passwords_file)
    finally:
        # Written even after a failure half-way: --remove must know every account already created.
        write_file(state_file, json.dumps(state, indent=2) + "\n", mode=0o600)
    ensure_runtime_dirs(members, args.runtime_base.resolve())
    write_configs(prefix, exchange)
    ensure_exchange(exchange, owner, args.instructors_group)
    course = ensure_course(owner, trainees, args.repo.resolve(), prefix, exchange)
    log(f"done: {len(instructors)} instructor(s), {len(trainees)} trainee(s); course {course}")
    if passwords_file.is_file():
        log(f"generated passwords: {passwords_file} (root only)")
    log(f"start the hub:  {prefix}/bin/jupyterhub -f {prefix}/etc/jupyterhub/jupyterhub_config.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
