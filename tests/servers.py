"""Real processes for the cross-process tests and the benchmarks: `pracha registry serve NAME` and
`pracha serve` as their own uvicorn processes on loopback, each waited for until /healthz answers and
stopped with SIGTERM, then SIGKILL after a grace period. Stopping never fails a test: what a test
checks about shutdown it checks itself. The timeouts are sized for a cold start on a busy machine."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 300  # a cold `pracha serve` took 20 s with two cores at load 10, over 120 s at load 20–25
STOP_SECONDS = 30


MEDIATOR_SECRET = b"exchange-test"  # the app secret of `mediator()` (it seals staff TOTP secrets)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_block(count: int) -> int:
    """The first of `count` consecutive free ports, below the kernel's ephemeral range (32768–60999 here):
    the OS never hands those to a `bind(0)`, so another test's `free_port()` cannot take one of them before
    the process they are meant for binds it (the demo portal's registries: base + 0 … base + 4)."""
    chooser = random.Random()
    for _ in range(200):
        base = chooser.randrange(20000, 32000 - count)
        held: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                held.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        return base
    raise RuntimeError(f"no {count} consecutive free ports below 32000")


def pracha_command() -> list[str]:
    script = Path(sys.executable).parent / "pracha"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pracha.cli"]


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer /healthz in {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")


def stop_process(child: subprocess.Popen[bytes], grace: float = STOP_SECONDS) -> None:
    """SIGTERM, up to `grace` seconds to exit, then SIGKILL; never raises."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=grace)


def start_process(command: list[str], env: dict[str, str], workdir: Path, log: Path) -> subprocess.Popen[bytes]:
    """`command` in `workdir` (so no .env of the repo applies), its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


@contextlib.contextmanager
def serving(
    command: list[str], env: dict[str, str], workdir: Path, log: Path, url: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server, wait until `url`/healthz answers, yield it; stop it however the block ends."""
    child = start_process(command, env, workdir, log)
    try:
        wait_healthy(url, child, log)
        yield child
    finally:
        stop_process(child)


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], workdir: Path, name: str) -> Iterator[str]:
    """`pracha <args> --port <free>` in `workdir`; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"), **env}
    command = [*pracha_command(), *args, "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, full_env, workdir, workdir / f"{name}.log", url):
        yield url


def registry(name: str, var_dir: Path, workdir: Path, *, citizens: int = 20) -> contextlib.AbstractContextManager[str]:
    return process(
        ["registry", "serve", name, "--citizens", str(citizens)],
        {"PRACHA_VAR_DIR": str(var_dir)},
        workdir,
        f"registry-{name}",
    )


def mediator(
    database_url: str, var_dir: Path, workdir: Path, **settings: str
) -> contextlib.AbstractContextManager[str]:
    env = {
        "PRACHA_DATABASE_URL": database_url,
        "PRACHA_VAR_DIR": str(var_dir),
        "PRACHA_SECRET_KEY": MEDIATOR_SECRET.decode(),
        "PRACHA_WARM_UP": "false",  # a mediator answers registry calls: no search, no questions
        **{f"PRACHA_{k.upper()}": v for k, v in settings.items()},
    }
    return process(["serve"], env, workdir, "mediator")


@contextlib.contextmanager
def local_http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A small stand-in HTTP server (a registry that answers oddly, an SMS gateway) on a free loopback
    port, in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
