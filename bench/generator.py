"""Is the load generator, not the server, the bottleneck? A benchmark that divides one endpoint's rate by
another's (the status API ÷ the bare endpoint) only means something when the generator could have sent
more. This module measures the generator's ceiling on this machine, in this run: the same generator, with
the same connections and threads, against the cheapest server there is (a raw asyncio HTTP/1.1 responder
in its own process: no framework, no parsing beyond the end of the headers). When the bare endpoint of the
server under test comes close to that ceiling, the generator was saturated and the ratios are withheld.

Without `wrk` the Python generator (asyncio + httpx in the benchmark's own process) topped out at about
140 requests/s on an idle machine: every ratio to the bare endpoint was then a ratio of two generator
limits, and looked far worse (or better) than the server is.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from bench.common import HOST, free_port

# The bare endpoint at or above this share of the generator's ceiling: the generator, not the server,
# set the pace, so ratios to it say nothing about the server.
GENERATOR_BOUND = 0.8

_RESPONDER = r"""
import asyncio, sys

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


async def serve(reader, writer):
    pending = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            pending += chunk
            answers = pending.count(b"\r\n\r\n")  # the generators send no bodies to this server
            if answers:
                pending = pending[pending.rfind(b"\r\n\r\n") + 4:]
                writer.write(ANSWER * answers)
                await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, sys.argv[1], int(sys.argv[2]), backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
"""


@dataclass(frozen=True)
class Ceiling:
    generator: str  # "wrk" or "python"
    rps: float  # what the generator reached against the trivial responder

    def bound(self, bare_rps: float) -> bool:
        """Did the generator, rather than the server, set the bare endpoint's rate?"""
        return self.rps > 0 and bare_rps >= GENERATOR_BOUND * self.rps

    def describe(self, bare_rps: float) -> str:
        share = bare_rps / self.rps if self.rps else 0.0
        verdict = ("the generator was the bottleneck: ratios withheld" if self.bound(bare_rps)
                   else "the server was the bottleneck")
        return (f"generator ceiling {self.rps:,.0f} req/s ({self.generator} against a trivial responder); "
                f"the bare endpoint reached {share:.0%} of it: {verdict}")


@contextmanager
def trivial_server() -> Iterator[str]:
    """The cheapest HTTP server this machine runs: a raw asyncio responder in its own process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", _RESPONDER, HOST, str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the trivial responder did not start")
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk_rate(url: str, *, seconds: float, connections: int, threads: int) -> float:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", url]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in run.stdout.splitlines() if x.startswith("Requests/sec:")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    return float(line.split(":", 1)[1])


def python_rate(url: str, *, seconds: float, connections: int) -> float:
    """The Python fallback's loop (asyncio tasks over one httpx pool), as the benchmarks run it."""

    async def main() -> float:
        done = 0
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as http:
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal done
                while time.perf_counter() < deadline:
                    await http.get("/")
                    done += 1

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            return done / (time.perf_counter() - began)

    return asyncio.run(main())


def measure_ceiling(generator: str, *, seconds: float, connections: int, threads: int = 1) -> Ceiling:
    with trivial_server() as url:
        if generator == "wrk":
            wrk_rate(url, seconds=1, connections=connections, threads=threads)  # warm-up
            return Ceiling(generator, wrk_rate(url, seconds=seconds, connections=connections, threads=threads))
        python_rate(url, seconds=1, connections=connections)
        return Ceiling(generator, python_rate(url, seconds=seconds, connections=connections))
