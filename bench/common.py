"""What the benchmark scripts share: a real server on a free loopback port, the machine's description,
and rewriting one script's own section of docs/benchmarks.md."""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
HOST = "127.0.0.1"


# A whole birth-registration form: a service a citizen may have several open applications of
# (`multiple: true`), so every submit of it makes a new draft.
BIRTH_FORM = {"child_first_name": "ปัณณวัฒน์", "child_last_name": "ใจดี", "child_sex": "male",
              "birth_date": "2026-11-20", "birth_place_type": "hospital", "hospital_notification_no": "ชม 123/2569",
              "mother_id": "3100100123451", "house_code": "50010012345", "notifier_relationship": "mother"}

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU ({model}), Python {platform.python_version()}, {platform.system()}"


def code_version() -> str:
    run = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                         text=True, check=False)
    return run.stdout.strip() or "unknown"


def load_average() -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return float(Path("/proc/loadavg").read_text().split()[0])
    return 0.0


def write_section(name: str, text: str) -> None:
    """Replace the text between <!-- name:start --> and <!-- name:end -->, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    current = DOC.read_text() if DOC.exists() else (
        "# Benchmarks\n\nResults of the scripts in `bench/`, each in its own section; a script rewrites only its "
        "own section.\n")
    if start in current and end in current:
        before, rest = current.split(start, 1)
        new = before + text + rest.split(end, 1)[1]
    else:
        new = current.rstrip("\n") + "\n\n" + text + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(new)


@dataclass
class ServerRun:
    base: str
    log_lines: list[str] = field(default_factory=list)  # the server's log, filled in when it has stopped


@contextlib.contextmanager
def pracha_server(url: str, tmp: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
                  ) -> Iterator[ServerRun]:
    """A real `pracha serve` on a free loopback port against `url`, var/ under `tmp`; stopped (with its
    workers) on exit, its log kept in the returned object."""
    port = free_port()
    environment = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_DATABASE_URL": url,
                   "PRACHA_VAR_DIR": str(tmp / "var"), "PRACHA_SECRET_KEY": secrets.token_hex(32),
                   "PRACHA_CATALOG_DIR": str(REPO / "catalog"), **(env or {})}
    pracha = Path(sys.executable).with_name("pracha")
    command = [str(pracha) if pracha.exists() else "pracha", "serve", "--host", HOST, "--port", str(port), *args]
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:  # cwd=tmp: no stray .env changes the settings under test
        proc = subprocess.Popen(command, env=environment, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    run = ServerRun(f"http://{HOST}:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{run.base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz in 60 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield run
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: the group is the server and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        run.log_lines = log_path.read_text(errors="replace").splitlines()


@contextlib.contextmanager
def database(engine: str, tmp: Path, *, name: str = "pracha_bench", migrate: bool = True) -> Iterator[str | None]:
    """A database for a benchmark: a SQLite file under `tmp`, or a throwaway PostgreSQL cluster
    (tests/pgserver; None where PostgreSQL is not installed), migrated unless `migrate=False`."""
    from pracha.migrate import upgrade

    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'pracha.db'}"
        if migrate:
            upgrade(url)
        yield url
        return
    from tests.pgserver import start_postgres

    server = start_postgres()
    if server is None:
        print("!! PostgreSQL is not installed here: skipping postgres", file=sys.stderr)
        yield None
        return
    try:
        url = server.create_database(name)
        if migrate:
            upgrade(url)
        yield url
    finally:
        server.stop()
