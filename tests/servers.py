"""Real processes for the cross-process tests and the benchmarks: `pracha registry serve NAME` and
`pracha serve` as their own uvicorn processes on loopback, each waited for until /healthz answers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], workdir: Path, name: str) -> Iterator[str]:
    """`pracha <args> --port <free>` in `workdir` (so no .env of the repo applies); yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / f"{name}.log"
    full_env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"), **env}
    with log.open("wb") as out:
        child = subprocess.Popen([*pracha_command(), *args, "--host", "127.0.0.1", "--port", str(port)],  # noqa: S603
                                 env=full_env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, child, log)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)


def registry(name: str, var_dir: Path, workdir: Path, *, citizens: int = 20) -> contextlib.AbstractContextManager[str]:
    return process(["registry", "serve", name, "--citizens", str(citizens)], {"PRACHA_VAR_DIR": str(var_dir)},
                   workdir, f"registry-{name}")


def mediator(database_url: str, var_dir: Path, workdir: Path,
             **settings: str) -> contextlib.AbstractContextManager[str]:
    env = {"PRACHA_DATABASE_URL": database_url, "PRACHA_VAR_DIR": str(var_dir), "PRACHA_SECRET_KEY": "exchange-test",
           **{f"PRACHA_{k.upper()}": v for k, v in settings.items()}}
    return process(["serve"], env, workdir, "mediator")
