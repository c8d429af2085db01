"""How many trainees one host holds: N single-user servers on a real JupyterHub, fetch and submit at once.

Run as root (it creates throw-away unix users ``mlt<hex>t<k>`` and always deletes them):

    .venv/bin/python benchmarks/bench_hub_load.py [--levels 10,25,50,75,100] [--kernel-sample 4]
    .venv/bin/python benchmarks/bench_hub_load.py --start-only --levels 25,100

Same deployment as tests/hub (deploy/jupyterhub/setup_cohort.py, the shared environment under
/var/tmp/mesolab-hub-test). At each level it starts the servers of the new trainees all at once through the hub's
REST API, then has every running trainee fetch module 01 and submit it, all at once, through the proxy and
nbgrader's server extension. It prints, per level: spawn time per server, fetch and submit time per request
(median and max) and in total, memory per user (RSS of everything running as that user: the server process
tree), hub and proxy memory, memory still available and the load. ``--kernel-sample K`` also starts a kernel in
K servers and imports what module 01's lesson imports, to price a working trainee.

It stops raising N when the machine stops coping: a server that does not start in time, a request that fails or
takes over ``--max-request-s``, or memory that would fall under ``--min-free-gib``. Then it extrapolates to 100
users and says what bounds it. Numbers are from one run on this machine; they are not a CI gate.

``--start-only`` times only the start of a class: at each level, that many servers are started all at once with
none running (the previous level's are stopped first), and nothing is fetched. Per level it prints the start time
per server (median, max), the wall time for all, and the CPU seconds each start cost: the server's process
(children included, e.g. a subprocess it ran at import) and the hub's and the proxy's share, read from /proc, so
other work on the machine does not count; and the load before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hub"))

import hubkit  # noqa: E402

ASSIGNMENT = "01_skin_layers"
LESSON_IMPORTS = "import numpy, matplotlib.pyplot, ipywidgets, mesolab.widgets, mesolab.skin"
MIB = 1024


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / MIB
    return float("nan")


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return time.monotonic() - started, result


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values):5.2f} s, max {max(values):5.2f} s"


def fetch(hub: hubkit.Hub, trainee: str) -> float:
    # A fresh fetch each level: remove the copy an earlier level fetched (as root, it is only a benchmark).
    shutil.rmtree(Path(pwd.getpwnam(trainee).pw_dir) / ASSIGNMENT, ignore_errors=True)
    seconds, response = timed(hub.nbgrader_action, trainee, "fetch", ASSIGNMENT)
    if response.status_code != 200:
        raise RuntimeError(f"fetch {trainee}: {response.status_code} {response.text[:300]}")
    return seconds


def submit(hub: hubkit.Hub, trainee: str) -> float:
    seconds, response = timed(hub.nbgrader_action, trainee, "submit", ASSIGNMENT)
    body = response.json() if response.status_code == 200 else None
    if response.status_code != 200 or (isinstance(body, dict) and body.get("success") is False):
        raise RuntimeError(f"submit {trainee}: {response.status_code} {response.text[:300]}")
    return seconds


def run_lesson_imports(hub: hubkit.Hub, trainee: str) -> float:
    """Start a kernel in the trainee's server and import what the lesson imports; seconds until idle."""
    import websocket

    started = time.monotonic()
    kernel = hub.as_user(trainee, "POST", f"/user/{trainee}/api/kernels", json={"name": "python3"}).json()
    url = hub.url.replace("http", "ws", 1) + f"/user/{trainee}/api/kernels/{kernel['id']}/channels"
    connection = websocket.create_connection(url, header=[f"Authorization: token {hub.token(trainee)}"], timeout=120)
    try:
        msg_id = uuid.uuid4().hex
        connection.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": trainee, "session": uuid.uuid4().hex,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": LESSON_IMPORTS, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        while True:
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "error":
                raise RuntimeError(f"lesson imports failed in {trainee}'s kernel: {message['content']}")
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return time.monotonic() - started
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,25,50,75,100,125", help="numbers of trainees, increasing")
    parser.add_argument("--kernel-sample", type=int, default=4, help="servers that also start a lesson kernel")
    parser.add_argument("--working", action="store_true",
                        help="every trainee also opens a lesson kernel (a class at work, not idle servers)")
    parser.add_argument("--max-request-s", type=float, default=60.0, help="slowest fetch/submit still coping")
    parser.add_argument("--min-free-gib", type=float, default=3.0, help="memory that must stay available")
    parser.add_argument("--start-only", action="store_true",
                        help="only start servers: each level from none running, all at once; no fetch/submit")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "hub_load.json")
    args = parser.parse_args()
    levels = sorted({int(n) for n in args.levels.split(",")})
    hubkit.require_root()
    hubkit.remove_leftovers()
    if args.start_only:
        return _start_only(levels, args.output)
    cohort, hub = _cohort_and_hub(levels[-1])
    rows, stop_reason, kernel_rss_mib, kernel_seconds = [], None, [], []
    try:
        hub.start()
        hubkit.instructor_nbgrader(cohort, "generate_assignment", ASSIGNMENT)
        hubkit.instructor_nbgrader(cohort, "release_assignment", ASSIGNMENT)
        running: list[str] = []
        for level in levels:
            new = cohort.trainees[len(running):level]
            per_user = statistics.median([hub.server_rss_kib(u) / MIB for u in running]) if running else 160.0
            if mem_available_mib() - per_user * len(new) < args.min_free_gib * 1024:
                stop_reason = (f"memory: {len(new)} more servers at ~{per_user:.0f} MiB would leave under "
                               f"{args.min_free_gib} GiB available")
                break
            token_seconds, _ = timed(lambda: [hub.token(u) for u in new])
            spawn_wall, spawn = timed(lambda: _spawn_all(hub, new))
            if isinstance(spawn, str):
                stop_reason = spawn
                break
            running += new
            kernel_wall = None
            try:
                if args.working:
                    with ThreadPoolExecutor(max_workers=len(new)) as pool:
                        kernel_wall, seconds = timed(
                            lambda: list(pool.map(lambda u: run_lesson_imports(hub, u), new)))
                    kernel_seconds += seconds
                time.sleep(2)  # let the servers settle before measuring memory
                rss = [hub.server_rss_kib(u) / MIB for u in running]
                with ThreadPoolExecutor(max_workers=len(running)) as pool:
                    fetch_wall, fetches = timed(lambda: list(pool.map(lambda u: fetch(hub, u), running)))
                    submit_wall, submits = timed(lambda: list(pool.map(lambda u: submit(hub, u), running)))
            except Exception as error:  # a kernel, fetch or submit that failed: the machine stopped coping
                stop_reason = f"at N={level}: {type(error).__name__}: {error}"
                break
            services = hub.hub_and_proxy_rss_kib()
            row = {"N": level, "token_s_each": token_seconds / max(1, len(new)),
                   "spawn_s": list(spawn.values()), "spawn_wall_s": spawn_wall,
                   "fetch_s": fetches, "fetch_wall_s": fetch_wall, "submit_s": submits, "submit_wall_s": submit_wall,
                   "rss_mib_per_user": statistics.median(rss), "rss_mib_max": max(rss),
                   "hub_mib": services["jupyterhub"] / MIB, "proxy_mib": services["configurable-http-proxy"] / MIB,
                   "mem_available_mib": mem_available_mib(), "load1": os.getloadavg()[0],
                   "lesson_kernels_wall_s": kernel_wall}
            rows.append(row)
            print(f"N={level:4d}  spawn {summary(row['spawn_s'])} (all {spawn_wall:5.1f} s) | "
                  f"fetch {summary(fetches)} (all {fetch_wall:5.1f} s) | submit {summary(submits)} "
                  f"(all {submit_wall:5.1f} s) | RSS/user {row['rss_mib_per_user']:.0f} MiB (max "
                  f"{row['rss_mib_max']:.0f}) | hub {row['hub_mib']:.0f} MiB, proxy {row['proxy_mib']:.0f} MiB | "
                  f"available {row['mem_available_mib'] / 1024:.1f} GiB | load {row['load1']:.1f}"
                  + (f" | {len(new)} lesson kernels {kernel_wall:.1f} s" if kernel_wall is not None else ""), flush=True)
            if level == levels[0] and args.kernel_sample and not args.working:
                sample = running[:args.kernel_sample]
                before = {u: hub.server_rss_kib(u) / MIB for u in sample}
                kernel_seconds = [run_lesson_imports(hub, u) for u in sample]
                kernel_rss_mib = [hub.server_rss_kib(u) / MIB - before[u] for u in sample]
                print(f"lesson kernel (start + '{LESSON_IMPORTS}'): {summary(kernel_seconds)}, "
                      f"+{statistics.median(kernel_rss_mib):.0f} MiB per user", flush=True)
            slowest = max(fetches + submits)
            if slowest > args.max_request_s:
                stop_reason = f"a fetch/submit took {slowest:.0f} s at N={level} (limit {args.max_request_s:.0f} s)"
                break
    finally:
        hub.stop()
        hubkit.remove_cohort(cohort)
    _report(rows, stop_reason, kernel_rss_mib, kernel_seconds, args.output, args.working)
    return 0


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU time of ``pid`` so far (user + system), with its waited-for children's if ``children``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _user_cpu_seconds(user: str) -> float:
    return sum(cpu_seconds(pid) for pid in hubkit.pids_of_uid(pwd.getpwnam(user).pw_uid))


def _services_cpu_seconds(hub: hubkit.Hub) -> tuple[float, float]:
    try:
        proxy = cpu_seconds(int((hub.state / "proxy.pid").read_text().strip()))
    except (OSError, ValueError):
        proxy = 0.0
    return cpu_seconds(hub.process.pid), proxy


def _stop_servers(hub: hubkit.Hub, users: list[str]) -> None:
    """Stop the servers through the hub's API and wait until the hub has none of them running."""
    with ThreadPoolExecutor(max_workers=max(1, len(users))) as pool:
        list(pool.map(lambda u: hub.as_user(u, "DELETE", f"/hub/api/users/{u}/server"), users))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not any((hub.as_user(u, "GET", f"/hub/api/users/{u}").json().get("servers") or {}) for u in users):
            break
        time.sleep(1)
    for user in users:  # whatever the spawner left
        hubkit.kill_uid(pwd.getpwnam(user).pw_uid)


def _start_or_fail(hub: hubkit.Hub, user: str) -> float | None:
    """Start ``user``'s server; seconds until the hub says it is ready, or None if the hub gave up on it (its
    ``c.Spawner.start_timeout``/``http_timeout``) or it failed."""
    started = time.monotonic()
    try:
        response = hub.as_user(user, "POST", f"/hub/api/users/{user}/server")
        if response.status_code not in (201, 202):
            return None
    except requests.RequestException:  # a hub too busy to answer within the timeout may still be starting it
        pass
    while time.monotonic() - started < 600:
        time.sleep(1.0)  # one poll a second per user: 100 users polling faster would load the hub themselves
        try:
            server = (hub.as_user(user, "GET", f"/hub/api/users/{user}").json().get("servers") or {}).get("")
        except requests.RequestException:
            continue
        if server and server.get("ready"):
            return time.monotonic() - started
        if not server or server.get("pending") == "stop":
            return None
    return None


def _cohort_and_hub(trainees: int):  # noqa: ANN202 - hubkit's cohort and Hub
    """A cohort of ``trainees`` throw-away users and a (not yet started) hub for it."""
    started = time.monotonic()
    cohort = hubkit.create_cohort(trainee_count=trainees)
    print(f"cohort of {trainees} trainees set up in {time.monotonic() - started:.0f} s", flush=True)
    output_dir = ROOT / "test-output" / "hub"
    output_dir.mkdir(parents=True, exist_ok=True)
    return cohort, hubkit.Hub(cohort, output_dir / "jupyterhub-bench.log")


def _start_only(levels: list[int], output: Path) -> int:
    cohort, hub = _cohort_and_hub(levels[-1])
    rows = []
    try:
        hub.start()
        for level in levels:
            users = cohort.trainees[:level]
            [hub.token(u) for u in users]  # PAM logins are not part of a server start
            time.sleep(5)  # let the logins' work settle
            load_before = os.getloadavg()[0]
            hub_before, proxy_before = _services_cpu_seconds(hub)
            with ThreadPoolExecutor(max_workers=level) as pool:
                spawn_wall, results = timed(lambda: list(pool.map(lambda u: _start_or_fail(hub, u), users)))
            hub_after, proxy_after = _services_cpu_seconds(hub)
            ready = [seconds for seconds in results if seconds is not None]
            server_cpu = [_user_cpu_seconds(u) for u, seconds in zip(users, results) if seconds is not None]
            failed = level - len(ready)
            row = {"N": level, "ready": len(ready), "failed": failed, "spawn_s": ready, "spawn_wall_s": spawn_wall,
                   "server_cpu_s": server_cpu, "hub_cpu_s_per_server": (hub_after - hub_before) / level,
                   "proxy_cpu_s_per_server": (proxy_after - proxy_before) / level,
                   "load1_before": load_before, "load1_after": os.getloadavg()[0]}
            rows.append(row)
            print(f"N={level:4d} at once: {len(ready)} ready"
                  + (f", {failed} FAILED (the hub gave up on them: its start/http timeout)" if failed else "")
                  + f" | start {summary(ready)}, all {spawn_wall:5.1f} s ({len(ready) / spawn_wall:.2f} servers/s) | "
                  f"CPU per start: server {statistics.median(server_cpu) if server_cpu else float('nan'):.2f} s "
                  f"(median), hub {row['hub_cpu_s_per_server']:.2f} s, proxy {row['proxy_cpu_s_per_server']:.2f} s | "
                  f"load {load_before:.1f} before, {row['load1_after']:.1f} after", flush=True)
            _stop_servers(hub, users)
    finally:
        hub.stop()
        hubkit.remove_cohort(cohort)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"start_only": rows}, indent=2) + "\n")
    print(f"raw numbers: {output}")
    return 0


def _spawn_all(hub: hubkit.Hub, users: list[str]):
    try:
        return hub.start_servers(users, poll_s=1.0)
    except AssertionError as error:
        return f"spawn: {str(error).splitlines()[0]}"


def _report(rows, stop_reason, kernel_rss_mib, kernel_seconds, output: Path, working: bool) -> None:
    if not rows:
        print(f"no level completed: {stop_reason}")
        return
    last = rows[-1]
    server = last["rss_mib_per_user"]
    kernel = statistics.median(kernel_rss_mib) if kernel_rss_mib else float("nan")
    services = last["hub_mib"] + last["proxy_mib"]
    spawn_each = statistics.median(last["spawn_s"])
    cores = os.cpu_count() or 1
    # Spawn cost: the last level started (N_new) servers in spawn_wall seconds, all at once, on all cores.
    new_count = len(last["spawn_s"])
    spawn_throughput = new_count / last["spawn_wall_s"]
    fetch_rate = last["N"] / last["fetch_wall_s"]
    submit_rate = last["N"] / last["submit_wall_s"]
    print()
    print(f"Reached N = {last['N']} trainee servers on {cores} cores. "
          + (f"Stopped: {stop_reason}." if stop_reason else "Every level coped."))
    # RSS counts shared library pages once per process; what the machine really lost per server is better seen in
    # MemAvailable between the first and the last level.
    first = rows[0]
    real = ((first["mem_available_mib"] - last["mem_available_mib"]) / (last["N"] - first["N"])
            if last["N"] > first["N"] else float("nan"))
    if working:
        print(f"Memory per working user (server + lesson kernel): {server:.0f} MiB RSS ({real:.0f} MiB of "
              f"MemAvailable per extra user). Hub + proxy: {services:.0f} MiB.")
    else:
        print(f"Memory per user: idle server {server:.0f} MiB RSS ({real:.0f} MiB of MemAvailable per extra server); "
              f"with the lesson's kernel +{kernel:.0f} MiB RSS = {server + kernel:.0f} MiB. Hub + proxy: "
              f"{services:.0f} MiB.")
    print(f"Time per step at N={last['N']}: spawn {spawn_each:.1f} s per server (median, {new_count} at once), "
          f"fetch {statistics.median(last['fetch_s']):.2f} s, submit {statistics.median(last['submit_s']):.2f} s "
          f"per request (median; all N at once).")
    if working:
        memory = (f"memory {(services + 100 * server) / 1024:.1f} GiB by RSS, {(services + 100 * real) / 1024:.1f} GiB "
                  f"by MemAvailable, for 100 working users (more per extra open notebook)")
    else:
        memory = (f"memory {(services + 100 * server) / 1024:.1f} GiB with idle servers, "
                  f"{(services + 100 * (server + kernel)) / 1024:.1f} GiB with one lesson kernel each "
                  f"(more per extra open notebook)")
    print(f"Extrapolation to 100 users: {memory}; "
          f"starting all 100 servers at once ~{100 / spawn_throughput:.0f} s ({spawn_throughput:.2f} servers/s, "
          f"CPU-bound: {cores} cores); all 100 fetching at once ~{100 / fetch_rate:.0f} s, submitting ~"
          f"{100 / submit_rate:.0f} s.")
    print("What bounds it: CPU for start-up (a class that logs in at once queues behind "
          f"{cores} cores), then memory for kernels (each open notebook is a kernel); the exchange's file copies "
          "are cheap. LocalProcessSpawner enforces no per-user limit: one runaway kernel can starve the rest "
          "(systemd spawner or Kubernetes for limits).")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"levels": rows, "stop_reason": stop_reason, "kernel_rss_mib": kernel_rss_mib,
                                  "kernel_seconds": kernel_seconds}, indent=2) + "\n")
    print(f"raw numbers: {output}")


if __name__ == "__main__":
    sys.exit(main())
