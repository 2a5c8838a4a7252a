"""A private PostgreSQL server for integration tests (Debian's postgresql package): its own data directory
in a temporary directory, a unix socket there and TCP on a free loopback port, trust authentication for
the `parity` role. As root, the server runs as the `postgres` system user (PostgreSQL refuses root).

    with PostgresServer() as pg:
        url = pg.create_database("cluster")        # postgres://parity@127.0.0.1:PORT/cluster
        pg.query("cluster", "SELECT count(*) FROM parity_records")
        pg.stop(); pg.start()                      # the fault test's outage
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional

from services import ServiceError, free_port


def postgres_bin_dir() -> Optional[Path]:
    """/usr/lib/postgresql/<newest>/bin, or None when the postgresql package is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self) -> None:
        self.bin = postgres_bin_dir()
        if self.bin is None:
            raise ServiceError("PostgreSQL is not installed (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="parity-pg-"))
        os.chmod(self.dir, 0o755)
        self.data = self.dir / "data"
        self.log_file = self.dir / "server.log"
        self.port = free_port()
        self._as: List[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "parity", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self._as, str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=str(self.dir))
        if check and proc.returncode != 0:
            raise ServiceError(f"{tool} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{self.server_log()}")
        return proc

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except (FileNotFoundError, PermissionError):
            return ""

    def start(self) -> None:
        # fsync off: a test server, restarted but never crashed; the outage test stops it with -m fast.
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are closed, as when a database goes away."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop", check=False)

    def url(self, database: str) -> str:
        return f"postgres://parity@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self.query("postgres", f"CREATE DATABASE {name}")
        return self.url(name)

    def query(self, database: str, sql: str) -> str:
        """Runs SQL with psql and returns the unaligned, tuples-only output (stripped)."""
        proc = subprocess.run([str(self.bin / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", "parity", "-d", database, "-c", sql],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise ServiceError(f"psql failed: {sql}\n{proc.stderr}")
        return proc.stdout.strip()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
