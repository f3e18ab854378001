"""The faults. Each is made while the witness runs, held for `hold` seconds where it has a duration, and
undone as an operator (or the machine) would undo it; each returns when it was made and undone and what
was seen on the way."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.faults.deploy import Deployment, Postgres, wait_until

SUPERVISOR_WAIT = 30.0  # for uvicorn to replace a killed worker
CLOCK_STEP_SECONDS = -120  # beyond the 60 s a signature's `created` may be ahead of the server's clock


@dataclass
class Made:
    """A fault as made: when (time.monotonic()) it began and was undone, and what happened."""

    name: str
    began: float = 0.0
    undone: float = 0.0
    notes: list[str] = field(default_factory=list)


def kill_web_worker(dep: Deployment, pg: Postgres, hold: float) -> Made:
    made = Made("kill -9 of one web worker (uvicorn)")
    workers = dep.web.children()
    if not workers:
        raise RuntimeError("pracha serve has no uvicorn worker to kill (is --workers > 1?)")
    victim = workers[0]
    made.began = made.undone = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    took = wait_until(
        lambda: victim not in dep.web.children() and len(dep.web.children()) == len(workers), SUPERVISOR_WAIT, 0.1
    )
    if took is not None:
        made.notes.append(f"uvicorn's supervisor started a new worker {took:.1f} s after the kill")
    else:
        made.notes.append(
            f"uvicorn did not replace the worker in {SUPERVISOR_WAIT:.0f} s: the script restarted "
            "`pracha serve` as an operator's supervisor would"
        )
        made.undone = time.monotonic()
        dep.web.restart()
    time.sleep(max(0.0, hold - (time.monotonic() - made.began)))  # the load runs on against the survivors
    return made


def restart_postgres(mode: str) -> Callable[[Deployment, Postgres, float], Made]:
    def fault(dep: Deployment, pg: Postgres, hold: float) -> Made:
        made = Made(f"PostgreSQL restarted (`pg_ctl restart -m {mode}`)")
        made.began = time.monotonic()
        pg.restart(mode)
        made.undone = time.monotonic()
        made.notes.append(f"pg_ctl restart -m {mode} took {made.undone - made.began:.1f} s")
        return made

    return fault


def kill_registry(dep: Deployment, pg: Postgres, hold: float) -> Made:
    made = Made("welfare registry killed (-9), restarted after the hold")
    made.began = time.monotonic()
    dep.registry.kill()
    time.sleep(hold)  # what the mediator answers meanwhile is in the witness's record
    made.undone = time.monotonic()
    dep.registry.start()
    made.notes.append(f"registry back (healthy) {time.monotonic() - made.undone:.1f} s after its restart")
    return made


def hang_registry(dep: Deployment, pg: Postgres, hold: float) -> Made:
    made = Made("welfare registry hung (SIGSTOP), resumed after the hold")
    assert dep.registry.proc is not None
    made.began = time.monotonic()
    os.killpg(dep.registry.proc.pid, signal.SIGSTOP)
    time.sleep(hold)  # connections are accepted by the kernel but never answered: the mediator's timeout
    os.killpg(dep.registry.proc.pid, signal.SIGCONT)
    made.undone = time.monotonic()
    return made


def fill_disk(dep: Deployment, pg: Postgres, hold: float) -> Made:
    made = Made("PostgreSQL's disk full (its tmpfs filled), then freed")
    filler = pg.mount / "filler"
    made.began = time.monotonic()
    written = _fill(filler)
    made.notes.append(f"filled the tmpfs with {written / 2**20:.0f} MiB")
    time.sleep(hold)
    filler.unlink()
    made.undone = time.monotonic()
    if not pg.running():
        made.notes.append(
            "PostgreSQL had stopped (PANIC on the full disk): the script started it again, as an operator would"
        )
        pg.start()
    return made


def _fill(path: os.PathLike[str]) -> int:
    """Write zeros until the file system says it is full; the bytes written."""
    written, chunk = 0, b"\0" * (1 << 20)
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk) or 0
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]
                if len(chunk) < 512:
                    return written


def step_clock_back(dep: Deployment, pg: Postgres, hold: float) -> Made:
    made = Made(f"wall clock of the server and worker stepped back {-CLOCK_STEP_SECONDS} s")
    if dep.clock_shim is None:
        made.notes.append("no C compiler: the clock shim was not built and the clock was not stepped")
        return made
    made.began = time.monotonic()
    dep.clock_file.write_text(f"{CLOCK_STEP_SECONDS}\n")
    time.sleep(hold)
    dep.clock_file.write_text("0\n")
    made.undone = time.monotonic()
    made.notes.append(f"held {hold:.0f} s behind, then stepped forward to the true time")
    return made


def supervise(dep: Deployment) -> list[str]:
    """Restart any of our processes that died, as systemd's `Restart=always` would; say which."""
    said = []
    for service in dep.services():
        if service.proc is not None and service.proc.poll() is not None:
            said.append(f"`{service.name}` had exited ({service.proc.returncode}): restarted")
            with contextlib.suppress(RuntimeError):
                service.start()
    return said


FAULTS: dict[str, Callable[[Deployment, Postgres, float], Made]] = {
    "kill-web": kill_web_worker,
    "pg-fast": restart_postgres("fast"),
    "pg-immediate": restart_postgres("immediate"),
    "registry": kill_registry,
    "registry-hang": hang_registry,
    "disk": fill_disk,
    "clock": step_clock_back,
}
