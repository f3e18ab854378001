"""A throwaway PostgreSQL server for the test suite and the benchmarks.

``start_postgres()`` initdb's a fresh cluster in a temp dir and starts it on a free loopback port
(trust auth, fsync off).  Set ``PRACHA_TEST_POSTGRES_URL`` to use an existing server instead.
Each pytest-xdist worker may start its own server.  A watchdog process stops the server and removes
its files when ``stop()`` is called or when this process ends in any way (even SIGKILL).
"""

from __future__ import annotations

import atexit
import glob
import json
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ENV_URL = "PRACHA_TEST_POSTGRES_URL"
USER = "pracha"
DATABASE = "pracha"
_FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
_PORT_TAKEN = ("Address already in use", "could not create any TCP/IP sockets")
# Runs detached; waits for EOF on stdin (stop() or the death of this process), stops the server, moves
# its files aside, says "stopped" (stop() waits for that much), then deletes them in its own time.
_WATCHDOG = (
    "import json, os, shutil, subprocess, sys\nsys.stdin.buffer.read()\n"
    "subprocess.run(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "trash = sys.argv[2] + '.gone'\n"
    "try:\n    os.rename(sys.argv[2], trash)\nexcept OSError:\n    trash = sys.argv[2]\n"
    "try:\n    print('stopped', flush=True)\nexcept OSError:\n    pass\n"
    "shutil.rmtree(trash, ignore_errors=True)\n"
)
STOP_SECONDS = 60


@dataclass
class PostgresServer:
    url: str  # postgresql+psycopg://pracha@127.0.0.1:<port>/pracha
    pid: int | None = None  # postmaster pid; None for an external server
    base_dir: Path | None = None  # temp dir holding data/, the socket and postgres.log
    _watchdog: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def create_database(self, name: str, template: str = "template0") -> str:
        """Create (dropping any old one first) a UTF-8 database copied from `template`; return its URL."""
        url = make_url(self.url)
        ident = sql.Identifier(name)
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            # FILE_COPY (PostgreSQL 15+) copies the files: a few times faster than WAL-logging every page
            strategy = sql.SQL(" STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else "")
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'{}").format(
                    ident, sql.Identifier(template), strategy
                )
            )
        return url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, name: str) -> None:
        """Drop a database made by create_database (closing its connections), so the cluster stays small."""
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _conninfo(self) -> str:
        return make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)

    def stop(self) -> None:
        """Stop the server (immediate mode) and move its files away; no-op for an external server.
        The watchdog deletes the files afterwards, so a busy disk does not hold up the caller."""
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            assert watchdog.stdin is not None and watchdog.stdout is not None
            watchdog.stdin.close()
            # a loaded machine: past the deadline, the watchdog still finishes on its own
            if select.select([watchdog.stdout], [], [], STOP_SECONDS)[0]:
                watchdog.stdout.readline()
            watchdog.stdout.close()


def memory_temp_root(needed_bytes: int = 4 << 30) -> Path | None:
    """/dev/shm when it is a writable RAM disk with `needed_bytes` free, else None (the caller's default).
    On a disk shared with other work, PostgreSQL's `CREATE DATABASE … STRATEGY FILE_COPY` (its
    checkpoints) took 2.7–2.9 s per test database on disk against 0.09–0.22 s in RAM, measured one
    after the other (docs/benchmarks.md, test suite)."""
    root = Path("/dev/shm")
    try:
        stats = os.statvfs(root)
    except OSError:
        return None
    if not os.access(root, os.W_OK | os.X_OK) or stats.f_bavail * stats.f_frsize < needed_bytes:
        return None
    return root


def find_bindir() -> Path | None:
    """Newest /usr/lib/postgresql/<v>/bin, else ``pg_config --bindir``, else initdb on PATH."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if found:
        newest = max(found, key=lambda p: [int(x) for x in re.findall(r"\d+", Path(p).parts[-3])])
        return Path(newest).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _locale() -> str:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    names = {line.strip().lower().replace("-", "") for line in out.splitlines()}
    return "C.UTF-8" if "c.utf8" in names else "C"


def _tail(path: Path, start: int = 0, lines: int = 30) -> str:
    try:
        with path.open("rb") as f:
            f.seek(start)
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_postgres(base_dir: Path | None = None) -> PostgresServer | None:
    """Start a throwaway server (or wrap $PRACHA_TEST_POSTGRES_URL); None if PostgreSQL is not installed."""
    if os.environ.get(ENV_URL):
        url = make_url(os.environ[ENV_URL]).set(drivername="postgresql+psycopg")
        return PostgresServer(url=url.render_as_string(hide_password=False))
    bindir = find_bindir()
    if bindir is None:
        return None
    as_pg: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="pracha-pg-", dir=base_dir))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        as_pg = ["runuser", "-u", "postgres", "--"]
        shutil.chown(tmp, "postgres", "postgres")
    data, log = tmp / "data", tmp / "postgres.log"
    pg_ctl = [*as_pg, str(bindir / "pg_ctl"), "-D", str(data)]
    stop = json.dumps([*pg_ctl, "stop", "-m", "immediate"])
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, stop, str(tmp)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = PostgresServer(url="", base_dir=tmp, _watchdog=watchdog)
    atexit.register(server.stop)
    try:
        opts = f"-A trust -U {USER} --encoding=UTF8 --locale={_locale()} --no-sync --no-instructions"
        initdb = [*as_pg, str(bindir / "initdb"), "-D", str(data), *opts.split()]
        run = subprocess.run(initdb, cwd=tmp, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise RuntimeError(f"initdb failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
        for _attempt in range(10):  # another process may grab the port between probe and bind: retry
            port, offset = _free_port(), log.stat().st_size if log.exists() else 0
            opts = f"-p {port} -k {shlex.quote(str(tmp))} -c listen_addresses=127.0.0.1 {_FAST}"
            start = [*pg_ctl, "start", "-w", "-t", "60", "-l", str(log), "-o", opts]
            run = subprocess.run(start, cwd=tmp, capture_output=True, text=True, start_new_session=True)
            if run.returncode == 0:
                break
            tail = _tail(log, offset)
            if not any(marker in tail for marker in _PORT_TAKEN):
                raise RuntimeError(
                    f"pg_ctl start failed ({run.returncode}): {run.stdout}{run.stderr}\n--- {log}:\n{tail}"
                )
        else:
            raise RuntimeError(f"no free port for PostgreSQL after 10 attempts; {log}:\n{_tail(log)}")
        server.pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
        server.url = f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
        server.url = server.create_database(DATABASE)
    except BaseException:
        server.stop()
        raise
    return server
