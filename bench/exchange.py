"""Exchange performance: a registry call through the mediator (client signature checked, access right,
purpose, lawful basis, rate limit, forward signed by the mediator, the registry's signature checked,
message log + ledger entry written, answer signed) vs. the same call made directly to the registry
(signed as the mediator would sign it), in one run, on SQLite and PostgreSQL.

    PYTHONPATH=. .venv/bin/python bench/exchange.py [--engines sqlite,postgres] [--requests 1000]
        [--duration 10] [--concurrency 8] [--write]

Per engine: a fresh migrated database, the exchange's demo members and rights, a real
`pracha registry serve welfare` and a real `pracha serve` (one worker each) on 127.0.0.1. Latency:
one client, `--requests` sequential calls each way (after 50 warm-up calls); p50/p95. Throughput:
`--concurrency` clients for `--duration` seconds each way; requests/s. Every request carries a fresh
X-Road-Id and its own Ed25519 signature, made by the load client (same work both ways). `--write`
rewrites the Exchange section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import DOC, REPO, code_version, database, load_average, machine, pracha_server, write_section  # noqa: E402
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


@dataclass
class Way:
    p50: float
    p95: float
    rps: float
    failures: int


@dataclass
class Result:
    engine: str
    direct: Way
    mediated: Way
    inside_ms: float  # p50 of the mediator's own clock per call (signature check → log row), registry included


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


def inside_p50(url: str, requests: int) -> float:
    """Over the sequential (latency) calls only, after their warm-up."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            values = [v for v in db.scalars(select(MessageLog.duration_ms).order_by(MessageLog.id)
                                            .limit(requests + 50))][50:]
    finally:
        engine.dispose()
    return statistics.median(values) if values else float("nan")


def _headers(url: str, key: Ed25519PrivateKey, key_id: str, client: str) -> dict[str, str]:
    headers = {"X-Road-Client": client, "X-Road-Id": uuid.uuid4().hex, "X-Road-UserId": "bench",
               "X-Road-Purpose": "eligibility-check"}
    headers.update(httpsig.sign_request("GET", url, headers, b"", key_id=key_id, key=key))
    return headers


async def _latency(url: str, key: Ed25519PrivateKey, key_id: str, client: str, n: int) -> tuple[list[float], int]:
    times, failures = [], 0
    async with httpx.AsyncClient(timeout=10) as http:
        for i in range(n + 50):
            headers = _headers(url, key, key_id, client)
            started = time.perf_counter()
            response = await http.get(url, headers=headers)
            elapsed = time.perf_counter() - started
            failures += response.status_code != 200
            if i >= 50:
                times.append(elapsed * 1000)
    return times, failures


async def _throughput(url: str, key: Ed25519PrivateKey, key_id: str, client: str, seconds: float,
                      concurrency: int) -> tuple[float, int]:
    done = failures = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=10, limits=limits) as http:
        async def worker() -> None:
            nonlocal done, failures
            while time.perf_counter() < deadline:
                response = await http.get(url, headers=_headers(url, key, key_id, client))
                done += 1
                failures += response.status_code != 200
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        took = time.perf_counter() - started
    return done / took, failures


def measure(url: str, key: Ed25519PrivateKey, key_id: str, client: str, args: argparse.Namespace) -> Way:
    times, failures = asyncio.run(_latency(url, key, key_id, client, args.requests))
    rps, more = asyncio.run(_throughput(url, key, key_id, client, args.duration, args.concurrency))
    quantiles = statistics.quantiles(times, n=20)
    return Way(statistics.median(times), quantiles[18], rps, failures + more)




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
            env = {"PRACHA_VAR_DIR": str(var_dir), "PRACHA_EXCHANGE_RATE_LIMIT_PER_MINUTE": "100000000"}
            with pracha_server(url, tmp, env=env) as server:
                cid = SOMCHAI[2]
                direct = measure(f"{registry_url}/persons/{cid}/allowances", mediator_key, MEDIATOR, CLIENT, args)
                mediated = measure(f"{server.base}/exchange/r1/{SERVICE}/{cid}/allowances", client_key, CLIENT,
                                   CLIENT, args)
            inside = inside_p50(url, args.requests)
    return Result(engine, direct, mediated, inside)


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
    for r in results:
        added, share = r.mediated.p50 - r.direct.p50, r.mediated.rps / r.direct.rps
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
  ledger entry, and signs its answer. Latency: {args.requests} sequential calls after 50 warm-up calls.
  Throughput: {args.concurrency} concurrent clients for {args.duration:g} s. Every request is signed
  by the (Python) load client with a fresh X-Road-Id, both ways.
{notes}
<!-- exchange:end -->"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=1000)
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
    return 0 if all(r.direct.failures == 0 and r.mediated.failures == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
