"""What the benchmark scripts share: a free loopback port, the machine's description, and rewriting
one script's own section of docs/benchmarks.md."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
HOST = "127.0.0.1"


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
