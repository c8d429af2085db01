"""JupyterHub for one MesoLab cohort on one host.

``setup_cohort.py`` copies this file to ``PREFIX/etc/jupyterhub/jupyterhub_config.py`` and writes the cohort
(who is an instructor, who is a trainee) to ``PREFIX/etc/mesolab/cohort.json``. Start the hub as root, from the
shared environment:

    PREFIX/bin/jupyterhub -f PREFIX/etc/jupyterhub/jupyterhub_config.py

Everything listens on 127.0.0.1 unless told otherwise. Environment variables (all optional):

    MESOLAB_HUB_IP          address of the public (proxy) port       127.0.0.1
    MESOLAB_HUB_PORT        public port: the URL trainees open       8000
    MESOLAB_HUB_API_PORT    the hub's own API, loopback only         8081
    MESOLAB_PROXY_API_PORT  the proxy's REST API, loopback only      8001
    MESOLAB_HUB_STATE       hub database, cookie secret, pid files   /var/lib/mesolab-hub
    MESOLAB_COHORT          the cohort file written by setup         PREFIX/etc/mesolab/cohort.json

Serve it to the outside only behind TLS: a reverse proxy (nginx, Caddy) on 443 forwarding to the public port,
or ``c.JupyterHub.ssl_cert``/``ssl_key`` with MESOLAB_HUB_IP=0.0.0.0.
"""
import json
import os
import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

# The shared environment this hub runs from: single-user servers, nbgrader and the proxy all live in it.
PREFIX = Path(sys.prefix)
STATE = Path(os.environ.get("MESOLAB_HUB_STATE", "/var/lib/mesolab-hub"))
COHORT = json.loads(Path(os.environ.get("MESOLAB_COHORT", PREFIX / "etc" / "mesolab" / "cohort.json")).read_text())
INSTRUCTORS = sorted(COHORT["instructors"])
TRAINEES = sorted(COHORT["trainees"])
LOOPBACK = "127.0.0.1"

STATE.mkdir(mode=0o700, parents=True, exist_ok=True)  # cookie secret and the hub database: root only

# --- network: the proxy is the only public port; hub API, proxy API and user servers stay on loopback -----------
c.JupyterHub.bind_url = f"http://{os.environ.get('MESOLAB_HUB_IP', LOOPBACK)}:{os.environ.get('MESOLAB_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = LOOPBACK
c.JupyterHub.hub_port = int(os.environ.get("MESOLAB_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://{LOOPBACK}:{os.environ.get('MESOLAB_PROXY_API_PORT', '8001')}"
# configurable-http-proxy installed with npm into PREFIX (setup_cohort.py), not a global npm package.
c.ConfigurableHTTPProxy.command = [str(PREFIX / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")  # scripts stop the hub by this pid
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")

# --- who may log in: the roster's unix accounts, checked by PAM (the hub runs as root to do so) ----------------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no systemd-logind here; sessions add nothing for a notebook server
c.Authenticator.allowed_users = set(INSTRUCTORS) | set(TRAINEES)
# No hub admins from the roster: the admin role can open every user's server, i.e. run code as any trainee.
c.Authenticator.admin_users = set()

# --- servers: one process per user, running as that unix user ------------------------------------------------
# LocalProcessSpawner works without systemd (this machine kind: PID 1 is not systemd). Where systemd runs
# (The Littlest JupyterHub), use systemdspawner.SystemdSpawner instead: it gives each user a memory and CPU limit
# (c.SystemdSpawner.mem_limit / cpu_limit), which LocalProcessSpawner cannot enforce.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.ip = LOOPBACK
# jupyterhub-singleuser minus what no server on this hub needs at start (deploy/jupyterhub/singleuser.py).
c.Spawner.cmd = [str(PREFIX / "bin" / "mesolab-singleuser")]
c.Spawner.default_url = "/lab"
# Only the shared environment on PATH: not whatever PATH root had when it started the hub.
c.Spawner.environment = {"PATH": f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
# A class logging in at once queues on the host's cores: on 2 cores, 100 servers started at once were all up after
# ~105 s (benchmarks/bench_hub_load.py --start-only). A server still starting when the timeout strikes is killed
# and its CPU wasted (before the start-up cuts of setup_cohort.py, none of 100 came up within 120 s): leave room.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300

# --- roles: instructors see and restart trainees' servers, but cannot open them ------------------------------
c.JupyterHub.load_groups = {
    "instructors": {"users": INSTRUCTORS},
    "trainees": {"users": TRAINEES},
}
c.JupyterHub.load_roles = [{
    "name": "mesolab-instructor",
    "description": "Follow the cohort: list trainees, see whether their servers run, start or stop them. "
                   "No access:servers (that would run code as a trainee), no admin.",
    "scopes": [
        "list:users!group=trainees",
        "read:users!group=trainees",
        "read:servers!group=trainees",
        "servers!group=trainees",
    ],
    "users": INSTRUCTORS,
}]

# Instructors' servers also read PREFIX/etc/jupyter-instructor (written by setup_cohort.py): it turns the
# formgrader, create-assignment and course-list extensions back on, points nbgrader at the course directory and
# lets the formgrader frame load inside JupyterLab. Trainees' servers read only the shared defaults, where those
# extensions are off.
INSTRUCTOR_CONFIG = PREFIX / "etc" / "jupyter-instructor"
# Kernel sockets (Unix sockets, see setup_cohort.py) go to a short private folder made by setup_cohort.py.
RUNTIME_BASE = COHORT.get("runtime_base")


def configure_server(spawner):
    environment = dict(spawner.environment)
    if RUNTIME_BASE:
        environment["JUPYTER_RUNTIME_DIR"] = f"{RUNTIME_BASE}/{pwd.getpwnam(spawner.user.name).pw_uid}"
    if spawner.user.name in INSTRUCTORS:
        environment["JUPYTER_CONFIG_PATH"] = str(INSTRUCTOR_CONFIG)
    spawner.environment = environment


c.Spawner.pre_spawn_hook = configure_server

# Extra settings for this host (idle culler service, TLS, ...) without editing this file.
_local = Path(os.environ.get("MESOLAB_HUB_LOCAL_CONFIG", PREFIX / "etc" / "jupyterhub" / "jupyterhub_config_local.py"))
if _local.is_file():
    load_subconfig(str(_local))  # noqa: F821 (provided by traitlets)
