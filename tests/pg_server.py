"""A throw-away PostgreSQL server for tests: initdb + pg_ctl on a temporary folder, loopback only.

Uses the Debian ``postgresql`` package's binaries (``.ci/run`` installs it). PostgreSQL refuses to
run as root, so under root the server runs as ``nobody`` (via ``runuser``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    """The folder of initdb/pg_ctl/postgres: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name)
                  if Path(d).parent.name.isdigit() else 0)
    for d in reversed(dirs):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="mirkb-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_other = os.geteuid() == 0

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", "nobody", "--", *cmd] if self.as_other else cmd

    def start(self) -> PostgresServer:
        if self.as_other:
            os.chown(self.root, 65534, 65534)
        subprocess.run(self._cmd("initdb", "-D", str(self.data), "-U", "mirkb", "--auth=trust", "-E", "UTF8",
                                 "--no-sync", "--no-instructions"),
                       check=True, capture_output=True, cwd=self.root)
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                                 "-w", "-t", "60", "start"), check=True, capture_output=True, cwd=self.root)
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://mirkb@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=mirkb dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                       capture_output=True, cwd=self.root)
        for _ in range(50):
            if not (self.data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
