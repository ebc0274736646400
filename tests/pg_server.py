"""A throwaway PostgreSQL server for the tests and the benchmark: Debian's server binaries, a
temporary data directory, a free localhost port, a password (so tests can check it never leaks).

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (runuser).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e_util import free_port

SUPERUSER = "studio_admin"
PASSWORD = "pw-" + uuid.uuid4().hex[:12]


def server_binaries() -> Path | None:
    """The folder with initdb and pg_ctl (Debian puts them under /usr/lib/postgresql/N/bin)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def unavailable_reason() -> str | None:
    """Why no throwaway server can be started here, or None when one can."""
    if server_binaries() is None:
        return ("PostgreSQL server binaries (initdb, pg_ctl) are not installed (apt-get install postgresql); "
                ".ci/run installs them in CI.")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the PostgreSQL server as."
    return None


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; :meth:`url` gives a SQLAlchemy URL per database."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="studio-pg-"))
        self.data = self.folder / "data"
        self._run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._run_as:
            shutil.chown(self.folder, "postgres")
        password_file = self.folder / "pw"
        password_file.write_text(PASSWORD + "\n")
        if self._run_as:
            shutil.chown(password_file, "postgres")
        self._pg("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(password_file),
                 "-A", "scram-sha-256", "-E", "UTF8", "--no-sync")
        password_file.unlink()

    def _pg(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self._run_as, str(self.bin / tool), *args], capture_output=True, text=True, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr[-2000:]}")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c max_connections=60")
        self._pg("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                 "-o", options)

    def stop(self) -> None:
        self._pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = "ratings_" + uuid.uuid4().hex[:10]
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=PASSWORD,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # a name made here, not input
        return self.url(name)

    def remove(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    """A running throwaway server for a test module; skips with the reason where none can start."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()
