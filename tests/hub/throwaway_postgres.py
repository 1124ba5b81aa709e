"""A throwaway PostgreSQL cluster for one test: initdb in a new folder, a server on a free
port (TCP on 127.0.0.1 only), one database and role; stopped and deleted afterwards."""
from __future__ import annotations

import glob
import pwd
import secrets
import shutil
import subprocess
from pathlib import Path

OS_USER = "postgres"  # Debian's postgresql package makes it; initdb refuses to run as root


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<v>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return None
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.bin = binaries()
        self.folder, self.port = folder, port
        self.data, self.sockets = folder / "data", folder / "sockets"
        self.password = secrets.token_hex(8)
        self.url = f"postgresql+psycopg://grader:{self.password}@127.0.0.1:{port}/gradebook"

    def _as_postgres(self, *cmd: str, **kwargs):
        return subprocess.run(["runuser", "-u", OS_USER, "--", *cmd], check=True, capture_output=True,
                              text=True, cwd="/", **kwargs)

    def start(self) -> "Cluster":
        for folder in (self.folder, self.data, self.sockets):
            folder.mkdir(exist_ok=True)
            shutil.chown(folder, OS_USER, OS_USER)
        self._as_postgres(str(self.bin / "initdb"), "--pgdata", str(self.data), "--auth-local=trust",
                          "--auth-host=scram-sha-256", "--username=postgres", "--no-sync")
        self._as_postgres(str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "--wait", "--log",
                          str(self.folder / "server.log"), "--options",
                          f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self.sql(f"CREATE ROLE grader LOGIN PASSWORD '{self.password}'")
        self.sql("CREATE DATABASE gradebook OWNER grader")
        return self

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run ``statement`` as the cluster's superuser; its rows, '|'-separated, one per line."""
        return self._as_postgres(str(self.bin / "psql"), "-h", str(self.sockets), "-p", str(self.port),
                                 "-U", "postgres", "-d", database, "-At", "-v", "ON_ERROR_STOP=1",
                                 "-c", statement).stdout

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(["runuser", "-u", OS_USER, "--", str(self.bin / "pg_ctl"), "--pgdata", str(self.data),
                            "--mode=immediate", "--wait", "stop"], capture_output=True, cwd="/")
        shutil.rmtree(self.folder, ignore_errors=True)
