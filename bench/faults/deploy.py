"""The deployment the faults are made against, all on this machine: a throwaway PostgreSQL on its own small
tmpfs (so its disk can be filled), `pracha serve --workers N`, `pracha worker` (Procrastinate) and the
welfare registry as its own `pracha registry serve` process. Each is a process of its own that a fault
may kill or restart; the server and the worker run with a shim that can step their wall clock."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench.common import HOST, REPO, free_port

PRACHA = Path(sys.executable).with_name("pracha")
SHIM_SOURCE = Path(__file__).with_name("clockshim.c")
STARTUP_SECONDS = 90.0


def wait_until(condition: object, timeout: float, interval: float = 0.1) -> float | None:
    """Poll `condition()` until it is true; the seconds it took, or None at the timeout."""
    assert callable(condition)
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - began
        time.sleep(interval)
    return None


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def build_clock_shim(tmp: Path) -> Path | None:
    """Compile the wall-clock shim (None without a C compiler: the clock fault is then skipped)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    out = tmp / "clockshim.so"
    run = subprocess.run(
        [compiler, "-shared", "-fPIC", "-O2", "-o", str(out), str(SHIM_SOURCE), "-ldl"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out if run.returncode == 0 else None


@dataclass
class Service:
    """One of our long-running processes: its command, environment and log; started and restarted here."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path
    health_url: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 -- our own command, no shell
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.health_url is not None and wait_until(self._up, STARTUP_SECONDS, 0.2) is None:
            raise RuntimeError(f"{self.name} did not come up:\n{self.tail()}")

    def _up(self) -> bool:
        assert self.proc is not None and self.health_url is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
        return healthy(self.health_url)

    def kill(self) -> None:
        """SIGKILL to the whole process group (the process and any children it started)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def children(self) -> list[int]:
        """Pids of the process's direct children (uvicorn's workers under `pracha serve`)."""
        if self.proc is None:
            return []
        with contextlib.suppress(OSError):
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            return [int(p) for p in text.split() if _is_worker(int(p))]
        return []

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def _is_worker(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    return False


@dataclass
class Postgres:
    """The throwaway cluster (tests/pgserver) with its data dir on a tmpfs of `size_mb` mounted here."""

    mount: Path
    url: str = ""
    server: object = None
    data: Path = field(default_factory=Path)
    log: Path = field(default_factory=Path)

    def pg_ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        from tests.pgserver import find_bindir

        bindir = find_bindir()
        assert bindir is not None
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*as_pg, str(bindir / "pg_ctl"), "-D", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )

    def set_synchronous_commit(self, on: bool) -> None:
        """For our database: a database's setting outranks the `-c` the test cluster was started with."""
        from sqlalchemy import create_engine, make_url, text

        url = make_url(self.url)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = {"on" if on else "off"}'))
        engine.dispose()

    def running(self) -> bool:
        return self.pg_ctl("status").returncode == 0

    def start(self) -> None:
        run = self.pg_ctl("start", "-w", "-t", "60", "-l", str(self.log))
        if run.returncode != 0 and not self.running():
            raise RuntimeError(f"pg_ctl start failed: {run.stdout}{run.stderr}")

    def restart(self, mode: str) -> None:
        run = self.pg_ctl("restart", "-m", mode, "-w", "-t", "60", "-l", str(self.log))
        if run.returncode != 0:
            raise RuntimeError(f"pg_ctl restart -m {mode} failed: {run.stdout}{run.stderr}")


@contextlib.contextmanager
def postgres_on_tmpfs(tmp: Path, size_mb: int, *, synchronous_commit: bool = True) -> Iterator[Postgres]:
    """A tmpfs of `size_mb` (root only) holding a fresh PostgreSQL cluster; unmounted on exit. The test
    cluster runs with synchronous_commit off (fast, and nothing survives its tests anyway); a deployment
    runs with it on, PostgreSQL's default, or a crash loses commits already acknowledged."""
    from tests.pgserver import start_postgres

    mount = tmp / "pgdisk"
    mount.mkdir()
    tmp.chmod(0o711)  # PostgreSQL runs as its own user: it must reach its directory
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(mount)], check=True)
    server = None
    try:
        server = start_postgres(base_dir=mount)
        if server is None:
            raise RuntimeError("PostgreSQL is not installed (scripts/apt-deps.sh installs it)")
        assert server.base_dir is not None
        pg = Postgres(mount, server.url, server, server.base_dir / "data", server.base_dir / "postgres.log")
        pg.set_synchronous_commit(synchronous_commit)
        yield pg
    finally:
        if server is not None:
            server.stop()
        for _ in range(50):  # the watchdog deletes the files in its own time; unmount once it has
            if subprocess.run(["umount", str(mount)], capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.2)


@dataclass
class Deployment:
    """The running system: where it answers and how to reach each part."""

    url: str  # the database
    var_dir: Path
    base: str  # the portal, `pracha serve`
    registry_base: str
    web: Service
    worker: Service
    registry: Service
    clock_file: Path
    clock_shim: Path | None

    def services(self) -> list[Service]:
        return [self.web, self.worker, self.registry]


def environment(url: str, var_dir: Path, secret: str, clock_file: Path, shim: Path | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHAINLP_OFFLINE": "1",
        "PRACHA_DATABASE_URL": url,
        "PRACHA_VAR_DIR": str(var_dir),
        "PRACHA_SECRET_KEY": secret,
        "PRACHA_CATALOG_DIR": str(REPO / "catalog"),
        "PRACHA_WARM_UP": "false",
        "PRACHA_AUTOMATION_IN_PROCESS": "false",
        "PRACHA_QUOTA_OPEN_DRAFTS": "0",
        "PRACHA_QUOTA_ACTIVE_CONSENTS": "0",
        "PRACHA_EXCHANGE_RATE_LIMIT_PER_MINUTE": "100000000",
        "PRACHA_EXCHANGE_TIMEOUT_SECONDS": "3",
        "PRACHA_CLOCK_OFFSET_FILE": str(clock_file),
    }
    if shim is not None:
        env["LD_PRELOAD"] = str(shim)
    return env


@contextlib.contextmanager
def deployment(url: str, tmp: Path, *, workers: int, secret: str | None = None) -> Iterator[Deployment]:
    """Start the registry, the server and the worker against `url`; stop them all on exit."""
    var_dir = tmp / "var"
    clock_file = tmp / "clock-offset"
    clock_file.write_text("0\n")
    shim = build_clock_shim(tmp)
    port, registry_port = free_port(), free_port()
    env = environment(url, var_dir, secret or secrets.token_hex(32), clock_file, shim)
    plain = {k: v for k, v in env.items() if k != "LD_PRELOAD"}
    base, registry_base = f"http://{HOST}:{port}", f"http://{HOST}:{registry_port}"
    registry = Service(
        "registry",
        [str(PRACHA), "registry", "serve", "welfare", "--host", HOST, "--port", str(registry_port), "--citizens", "20"],
        plain,
        tmp / "registry.log",
        tmp,
        registry_base,
    )
    web = Service(
        "web",
        [str(PRACHA), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env,
        tmp / "server.log",
        tmp,
        base,
    )
    worker = Service("worker", [str(PRACHA), "worker"], env, tmp / "worker.log", tmp)
    dep = Deployment(url, var_dir, base, registry_base, web, worker, registry, clock_file, shim)
    try:
        yield dep
    finally:
        for service in dep.services():
            service.stop()
