"""A throw-away PostgreSQL server on loopback for gradebook tests (Debian's ``postgresql`` package).

initdb and the server refuse to run as root: as root they run as the ``postgres`` system user that the Debian
package creates. The server listens on 127.0.0.1 on a free port, with its socket in its own data folder, and
trusts local connections (a test server, gone when the test ends).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def postgres_bin() -> Path:
    """Debian keeps the server programs in /usr/lib/postgresql/<version>/bin, not on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make test does it as root)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PostgresServer:
    data: Path
    port: int
    bin: Path

    def url(self, database: str) -> str:
        return f"postgresql://mesolab@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        subprocess.run(_as_server_user([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                                        "-U", "mesolab", name]), check=True, capture_output=True, text=True)
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                        "stop"]), capture_output=True, text=True, timeout=60)


def start_postgres(folder: Path) -> PostgresServer:
    bin_dir = postgres_bin()
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        # every parent must let the server user through to its data folder
        for parent in folder.parents:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "mesolab", "-A", "trust",
                                    "--no-sync", "-E", "UTF8"]), check=True, capture_output=True, text=True)
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off"
    result = subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                                             "-t", "60", "-l", str(data / "server.log"), "start"]),
                            capture_output=True, text=True)
    if result.returncode != 0:
        log = (data / "server.log").read_text() if (data / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {result.stdout}{result.stderr}\n{log[-2000:]}")
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not accept connections within 30 s")
        time.sleep(0.2)
    return PostgresServer(data, port, bin_dir)
