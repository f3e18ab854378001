"""Exchange performance: a registry call through the mediator (client signature checked, access right,
purpose, lawful basis, rate limit, forward signed by the mediator, the registry's signature checked,
message log + ledger entry written, answer signed) vs. the same call made directly to the registry
(signed as the mediator would sign it), in one run, on SQLite and PostgreSQL.

    PYTHONPATH=. .venv/bin/python bench/exchange.py [--engines sqlite,postgres] [--latency-seconds 5]
        [--duration 10] [--concurrency 8] [--write]

Per engine: a fresh migrated database, the exchange's demo members and rights, a real
`pracha registry serve welfare` and a real `pracha serve` (one worker each) on 127.0.0.1. The load is
driven by wrk: every request carries a fresh X-Road-Id and its own Ed25519 signature, signed before the
run (a Lua script hands wrk the next one), so the generator signs nothing while it measures. Latency:
one connection for `--latency-seconds` each way (after a warm-up); p50/p95. Throughput: `--concurrency`
connections for `--duration` seconds each way; requests/s. The generator's ceiling is measured in the
same run (the same script and connections against a trivial responder, `bench/generator.py`): when the
direct call reaches 80 % of it, the ratios are withheld and the run exits 1. `--write` rewrites the
Exchange section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import DOC, REPO, code_version, database, load_average, machine, pracha_server, write_section  # noqa: E402
from bench.generator import GENERATOR_BOUND, trivial_server  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from sqlalchemy import select  # noqa: E402

from pracha.config import Settings  # noqa: E402
from pracha.db import make_engine, make_sessionmaker  # noqa: E402
from pracha.demo import SOMCHAI  # noqa: E402
from pracha.exchange import httpsig, keys  # noqa: E402
from pracha.exchange.members import register_subsystem  # noqa: E402
from pracha.exchange.models import MessageLog, Subsystem  # noqa: E402
from pracha.exchange.seed import seed_exchange  # noqa: E402
from pracha.exchange.vocabulary import MEDIATOR, REGISTRIES, agency_client  # noqa: E402
from pracha.migrate import upgrade  # noqa: E402
from pracha.services.catalog import default_catalog_dir, load_catalog  # noqa: E402
from tests import servers  # noqa: E402

CLIENT = agency_client("cm-elderly-welfare")
SERVICE = f"{REGISTRIES['welfare'].subsystem}/persons"
AIM_ADDED_P50_MS = 3.0
AIM_THROUGHPUT = 0.5
WARM_UP = 300


@dataclass
class Way:
    p50: float
    p95: float
    rps: float
    failures: int
    sequential: int  # requests of the latency run
    warmed: int  # requests of the warm-up before it
    cpu_ms: dict[str, float]  # CPU time per call of each server process, over the throughput run


@dataclass
class Result:
    engine: str
    direct: Way
    mediated: Way
    inside_ms: float  # p50 of the mediator's own clock per call (signature check → log row), registry included
    ceiling: float  # the generator's requests/s against a trivial responder, same connections

    @property
    def generator_bound(self) -> bool:
        return self.direct.rps >= GENERATOR_BOUND * self.ceiling


def signature_costs(n: int = 500) -> dict[str, float]:
    """What each RFC 9421 operation of the mediator costs here (ms per call, median of 5 rounds)."""
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    url = f"http://127.0.0.1:1/exchange/r1/{SERVICE}/{SOMCHAI[2]}/allowances"
    request = {k.lower(): v for k, v in _headers(url, key, CLIENT, CLIENT).items()}
    body = b'{"allowances": [], "state_pension": false, "in_state_care": false}'
    answer = {"content-type": "application/json", "x-road-id": request["x-road-id"]}
    signed = {**answer, **{k.lower(): v for k, v in httpsig.sign_response(
        200, answer, body, key_id=MEDIATOR, key=other, request_headers=request).items()}}
    ops = {
        "verify the client's request": lambda: httpsig.verify_request(
            "GET", url, request, b"", resolve_key=lambda _: key.public_key()),
        "sign the forwarded request": lambda: httpsig.sign_request(
            "GET", url, request, b"", key_id=MEDIATOR, key=other),
        "verify the registry's answer": lambda: httpsig.verify_response(
            200, signed, body, resolve_key=lambda _: other.public_key(), request_headers=request),
        "sign the mediator's answer": lambda: httpsig.sign_response(
            200, answer, body, key_id=MEDIATOR, key=other, request_headers=request),
    }
    out = {}
    for name, op in ops.items():
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(n // 5):
                op()
            rounds.append((time.perf_counter() - started) / (n // 5) * 1000)
        out[name] = statistics.median(rounds)
    return out


def inside_p50(url: str, warm_up: int, requests: int) -> float:
    """Over the sequential (latency) calls only, after their warm-up."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            values = [v for v in db.scalars(select(MessageLog.duration_ms).order_by(MessageLog.id)
                                            .limit(requests + warm_up))][warm_up:]
    finally:
        engine.dispose()
    return statistics.median(values) if values else float("nan")


def _headers(url: str, key: Ed25519PrivateKey, key_id: str, client: str) -> dict[str, str]:
    headers = {"X-Road-Client": client, "X-Road-Id": uuid.uuid4().hex, "X-Road-UserId": "bench",
               "X-Road-Purpose": "eligibility-check"}
    headers.update(httpsig.sign_request("GET", url, headers, b"", key_id=key_id, key=key))
    return headers


# wrk sends the pre-signed requests of a file (NUL-separated raw HTTP/1.1 requests), one after the other,
# and prints what the benchmark reads. Out of requests, it starts again: the repeats are replays (409
# through the mediator), counted as failures, so a run never passes on them.
_WRK_SCRIPT = r"""
local requests, next_one = {}, 1
function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  for one in string.gmatch(data, "([^%z]+)") do requests[#requests + 1] = one end
end
function request()
  local one = requests[next_one]
  next_one = next_one % #requests + 1
  return one
end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %f %f\n", summary.requests, e.status + e.connect + e.read + e.write
    + e.timeout, summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    requests: int
    failures: int


def signed_requests(url: str, key: Ed25519PrivateKey, key_id: str, client: str, n: int, path: Path) -> Path:
    """`n` raw GET requests for `url`, each with a fresh X-Road-Id and its own signature."""
    parsed = httpx.URL(url)
    target = parsed.raw_path.decode()
    host = f"{parsed.host}:{parsed.port}"
    with path.open("wb") as out:
        for _ in range(n):
            lines = [f"GET {target} HTTP/1.1", f"Host: {host}"]
            lines += [f"{name}: {value}" for name, value in _headers(url, key, key_id, client).items()]
            out.write(("\r\n".join(lines) + "\r\n\r\n").encode() + b"\0")
    return path


def wrk(url: str, requests: Path, *, seconds: float, connections: int) -> Run:
    script = requests.with_suffix(".lua")
    script.write_text(_WRK_SCRIPT)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(script), url, "--", str(requests)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    done, failed, micros, p50, p95 = line.split()[1:]
    return Run(int(done) / (int(micros) / 1e6), float(p50), float(p95), int(done), int(failed))


def listening_pid(port: int) -> int:
    """The process started with `--port <port>` (the servers of this run)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if f"--port\0{port}\0".encode() in (entry / "cmdline").read_bytes() + b"\0":
                    return int(entry.name)
    raise RuntimeError(f"no process serves port {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (what it cost, however busy the machine)."""
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, key: Ed25519PrivateKey, key_id: str, client: str, tmp: Path, name: str,
            args: argparse.Namespace, servers_: dict[str, int]) -> Way:
    """Warm-up, then latency (one connection) and throughput (`--concurrency`), each with fresh requests."""
    warm = wrk(url, signed_requests(url, key, key_id, client, WARM_UP, tmp / f"{name}-warm.req"), seconds=1,
               connections=1)
    latency = wrk(url, signed_requests(url, key, key_id, client, args.pool // 2, tmp / f"{name}-latency.req"),
                  seconds=args.latency_seconds, connections=1)
    requests = signed_requests(url, key, key_id, client, args.pool, tmp / f"{name}-load.req")
    before = {server: cpu_seconds(pid) for server, pid in servers_.items()}
    load = wrk(url, requests, seconds=args.duration, connections=args.concurrency)
    cpu = {server: (cpu_seconds(pid) - before[server]) / load.requests * 1000 for server, pid in servers_.items()}
    return Way(latency.p50, latency.p95, load.rps, latency.failures + load.failures, latency.requests,
               warm.requests, cpu)


def ceiling(url: str, key: Ed25519PrivateKey, tmp: Path, args: argparse.Namespace) -> float:
    """The generator's own ceiling in this run: the same script and connections, a trivial responder."""
    with trivial_server() as base:
        target = f"{base}{httpx.URL(url).raw_path.decode()}"
        requests = signed_requests(target, key, MEDIATOR, CLIENT, args.pool, tmp / "ceiling.req")
        return wrk(target, requests, seconds=args.duration, connections=args.concurrency).rps


def prepare(url: str, var_dir: Path, registry_url: str) -> None:
    upgrade(url)
    settings = Settings(database_url=url, var_dir=var_dir, secret_key="bench")
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            seed_exchange(db, settings, load_catalog(default_catalog_dir()), fetch=False)
            client_key = keys.load_or_create(keys.key_path(var_dir, CLIENT))
            register_subsystem(db, CLIENT, name_th="กองสวัสดิการสังคม", name_en="Social welfare office",
                               public_key=keys.public_key_text(client_key))
            welfare = db.get(Subsystem, REGISTRIES["welfare"].subsystem)
            assert welfare is not None
            welfare.base_url = registry_url
            db.commit()
    finally:
        engine.dispose()


def run_engine(engine: str, tmp: Path, args: argparse.Namespace) -> Result | None:
    var_dir = tmp / "var"
    mediator_key = keys.load_or_create(keys.key_path(var_dir, MEDIATOR))
    with database(engine, tmp, name="bench_exchange", migrate=False) as url:
        if url is None:
            return None
        with servers.registry("welfare", var_dir, tmp, citizens=20) as registry_url:
            prepare(url, var_dir, registry_url)
            client_key = keys.load_or_create(keys.key_path(var_dir, CLIENT))
            env = {"PRACHA_VAR_DIR": str(var_dir), "PRACHA_EXCHANGE_RATE_LIMIT_PER_MINUTE": "100000000",
                   "PRACHA_WARM_UP": "false"}  # a mediator answers registry calls: no search index needed
            with pracha_server(url, tmp, env=env) as server:
                cid = SOMCHAI[2]
                registry = {"registry": listening_pid(httpx.URL(registry_url).port or 80)}
                direct_url = f"{registry_url}/persons/{cid}/allowances"
                direct = measure(direct_url, mediator_key, MEDIATOR, CLIENT, tmp, "direct", args, registry)
                mediated = measure(f"{server.base}/exchange/r1/{SERVICE}/{cid}/allowances", client_key, CLIENT,
                                   CLIENT, tmp, "mediated", args,
                                   {"mediator": listening_pid(httpx.URL(server.base).port or 80), **registry})
                top = ceiling(direct_url, mediator_key, tmp, args)
            inside = inside_p50(url, mediated.warmed, mediated.sequential)
    return Result(engine, direct, mediated, inside, top)


def table(results: list[Result]) -> tuple[str, list[str]]:
    lines = ["| engine | way | p50 ms | p95 ms | requests/s | failures |", "|---|---|---:|---:|---:|---:|"]
    aims = []
    for r in results:
        for name, way in (("direct to the registry", r.direct), ("through the mediator", r.mediated)):
            lines.append(f"| {r.engine} | {name} | {way.p50:.2f} | {way.p95:.2f} | {way.rps:.0f} | {way.failures} |")
    lines += ["", "Inside the mediator (its own clock, from the signature check to the log row, the registry's "
              "round trip included; p50 over the sequential calls): "
              + "; ".join(f"{r.engine} {r.inside_ms:.2f} ms" for r in results) + ".", "",
              "| RFC 9421 operation in the mediator | ms per call |", "|---|---:|"]
    lines += [f"| {name} | {ms:.3f} |" for name, ms in signature_costs().items()]
    lines += ["", "CPU time per call over the throughput run (user + system, all threads; what each call costs "
              "whatever else the machine runs): " + "; ".join(
                  f"{r.engine}: the mediator {r.mediated.cpu_ms['mediator']:.2f} ms, the registry "
                  f"{r.mediated.cpu_ms['registry']:.2f} ms (direct: {r.direct.cpu_ms['registry']:.2f} ms)"
                  for r in results) + "."]
    ceilings = []
    for r in results:
        verdict = "the generator set the pace: ratios withheld" if r.generator_bound else "the servers set the pace"
        ceilings.append(f"{r.engine} {r.ceiling:,.0f} requests/s, the direct call reached "
                        f"{r.direct.rps / r.ceiling:.0%} of it ({verdict})")
    lines += ["", "Generator ceiling (wrk, the same script and connections, against a trivial responder): "
              + "; ".join(ceilings) + "."]
    for r in results:
        added, share = r.mediated.p50 - r.direct.p50, r.mediated.rps / r.direct.rps
        if r.generator_bound:
            aims.append(f"- {r.engine}: withheld (the generator, not the servers, was the bottleneck)")
            continue
        aims.append(f"- {r.engine}: added p50 {added:.2f} ms (aim ≤ {AIM_ADDED_P50_MS:g} ms: "
                    f"{'met' if added <= AIM_ADDED_P50_MS else 'NOT met'}); throughput {share:.0%} of direct "
                    f"(aim ≥ {AIM_THROUGHPUT:.0%}: {'met' if share >= AIM_THROUGHPUT else 'NOT met'})")
    return "\n".join(lines), aims


def section(body: str, aims: list[str], args: argparse.Namespace, took: float, notes: str) -> str:
    return f"""<!-- exchange:start -->
## Exchange

`PYTHONPATH=. .venv/bin/python bench/exchange.py --write` — {dt.date.today().isoformat()}, whole run {took:.0f} s.

{body}

Aims:
{chr(10).join(aims)}

- Machine: {machine()}; load generator, registry, mediator and database share it (load average
  {args.load:.2f} when the run began, {args.load_end:.2f} when it ended). Code {code_version()}.
- Call: `GET /persons/<SOMCHAI>/allowances` of the welfare registry (`pracha registry serve welfare`,
  its own SQLite), purpose `eligibility-check` (the service's legal duty), client
  `{CLIENT}`. Direct: signed with the mediator's key, as the mediator forwards it. Mediated: signed
  with the client's key, sent to `pracha serve` (one worker, rate limit on at 10^8/min), which checks
  the signature, replay, access right, purpose, lawful basis and rate limit, forwards over a
  persistent HTTP connection, checks the registry's signature, writes the message-log row and the
  ledger entry, and signs its answer. Load from wrk (one thread), each request pre-signed with a fresh
  X-Road-Id both ways (a second of warm-up first). Latency: one connection for {args.latency_seconds:g} s.
  Throughput: {args.concurrency} connections for {args.duration:g} s.
{notes}
<!-- exchange:end -->"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--latency-seconds", type=float, default=5.0)
    parser.add_argument("--pool", type=int, default=20000, help="pre-signed requests per throughput run")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--notes", default="", help="a paragraph added to the written section")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    args.load = load_average()
    began = time.monotonic()
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        print(f"== {engine}", flush=True)
        with tempfile.TemporaryDirectory(prefix="pracha-bench-exchange-") as tmp:
            result = run_engine(engine, Path(tmp), args)
        if result is None:
            print(f"!! {engine} is not available here: skipped", file=sys.stderr)
            continue
        results.append(result)
    args.load_end = load_average()
    took = time.monotonic() - began
    if not results:
        return 1
    body, aims = table(results)
    print(body)
    print("\n".join(aims))
    if args.write:
        write_section("exchange", section(body, aims, args, took, args.notes))
        print(f"wrote {DOC.relative_to(REPO)}")
    failed = any(r.direct.failures or r.mediated.failures for r in results)
    return 1 if failed or any(r.generator_bound for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
