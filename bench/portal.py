"""Portal throughput: requests/s and p50/p95 latency of the catalogue page, an application submit and
the status API, with 50 concurrent clients, on SQLite and on PostgreSQL, each as a ratio to a bare
endpoint (GET /healthz) on the same server in the same run.

Run from the repository root (the script imports tests.pgserver and tests.services.helpers):

    PYTHONPATH=. .venv/bin/python bench/portal.py [--engines sqlite,postgres] [--duration 10]
        [--warmup 2] [--connections 50] [--workers 1] [--write] [--notes "…"]

For each engine it makes a fresh database (SQLite file in a temp dir; a throwaway PostgreSQL cluster
from tests/pgserver.py), creates one citizen per client with a ready session (one shared argon2 hash,
sessions made directly, so no argon2 is paid in the measured requests), starts the real server
(`pracha serve`) on a free 127.0.0.1 port and drives it with wrk (`apt-get install -y wrk`); without
wrk it falls back to an asyncio + httpx generator, which on a small machine competes with the server
for the CPU (the result says which generator was used). Every response that is not 2xx, every
socket error or timeout, a server that stalls (fewer answers than clients) and every error the server
logs is counted; a run with any of them says so and exits with status 1.

`--write` (re)writes the Portal section of docs/benchmarks.md (between <!-- portal:start --> and
<!-- portal:end -->), leaving any other section as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
# Each bench citizen submits hundreds of drafts: the per-citizen quota (20 open drafts) would turn the
# run into a measure of 409s. The server inherits this.
os.environ.setdefault("PRACHA_QUOTA_OPEN_DRAFTS", "0")

import httpx  # noqa: E402
from bench.common import (  # noqa: E402,E501
    BIRTH_FORM,
    DOC,
    REPO,
    code_version,
    load_average,
    machine,
    pracha_server,  # noqa: E402
    write_section,
)
from bench.generator import GENERATOR_BOUND, Ceiling, measure_ceiling  # noqa: E402

START, END = "<!-- portal:start -->", "<!-- portal:end -->"
from sqlalchemy import text  # noqa: E402

# A service a citizen may have several open applications of (`multiple: true`): every submit makes a new
# draft, where one open elderly allowance per citizen would turn the run into a measure of 409s.
SERVICE_ID = "birth-registration"
AIM_SUBMIT_SQLITE = 300.0  # requests/s
AIM_RATIO = {"catalogue": 0.60, "status": 0.40}  # of the bare endpoint (issue 20)
_SAFE = re.compile(r"^[A-Za-z0-9_\-=;. /]*$")  # what may go into a Lua string literal unescaped


# --- what we measure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """One simulated browser: its CSRF cookie, its citizen's session, and that citizen's application."""

    csrf_cookie: str
    session: str
    csrf_token: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str
    csrf: str = ""


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    method: str
    body: str = ""  # JSON, for POST

    def requests(self, clients: list[Client]) -> list[Request]:
        out = []
        for c in clients:
            anonymous = f"pracha_csrf={c.csrf_cookie}"
            signed_in = f"{anonymous}; pracha_session={c.session}"
            if self.key == "bare":
                out.append(Request("GET", "/healthz", anonymous))
            elif self.key == "catalogue":
                out.append(Request("GET", "/services", anonymous))
            elif self.key == "submit":
                out.append(Request("POST", "/api/v1/applications", signed_in, c.csrf_token))
            elif self.key == "status":
                out.append(Request("GET", f"/api/v1/applications/{c.reference}/status", signed_in))
            else:
                raise ValueError(self.key)
        return out


def _endpoints() -> list[Endpoint]:
    body = json.dumps({"service_id": SERVICE_ID, "data": BIRTH_FORM}, separators=(",", ":"), ensure_ascii=False)
    return [
        Endpoint("bare", "bare: GET /healthz", "GET"),
        Endpoint("catalogue", "catalogue: GET /services (HTML)", "GET"),
        Endpoint("submit", "submit: POST /api/v1/applications", "POST", body),
        Endpoint("status", "status: GET /api/v1/applications/{ref}/status", "GET"),
    ]


@dataclass
class Result:
    engine: str
    endpoint: Endpoint
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    non_2xx: int = 0
    socket_errors: int = 0
    sample: str = ""  # the first bad response, to say what went wrong
    ratio: float | None = None
    connections: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def stalled(self) -> bool:
        """Fewer answers than clients: requests hung past the end of the run (wrk does not count them)."""
        return self.requests < self.connections

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + (self.connections if self.stalled else 0)


# --- databases ------------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    version: str
    stop: list[object] = field(default_factory=list)


@contextlib.contextmanager
def database(engine: str, tmp: Path) -> Iterator[Database | None]:
    from pracha.migrate import upgrade

    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'pracha.db'}"
        upgrade(url)
        yield Database(url, f"SQLite {sqlite3.sqlite_version} (WAL)")
        return
    from tests.pgserver import start_postgres

    server = start_postgres()
    if server is None:
        print("!! PostgreSQL is not installed here (scripts/apt-deps.sh installs it): skipping postgres",
              file=sys.stderr)
        yield None
        return
    try:
        url = server.create_database("pracha_bench")
        upgrade(url)
        from sqlalchemy import create_engine

        probe = create_engine(url)
        with probe.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
        probe.dispose()
        yield Database(url, f"PostgreSQL {version.split()[0]} (throwaway cluster, fsync off)")
    finally:
        server.stop()


def seed_citizens(url: str, n: int, var_dir: Path) -> list[Client]:
    """n citizens sharing one argon2 hash, each with a web session started directly (their personal
    data encrypted with the key file the server will use, under `var_dir`)."""
    from pracha.config import Settings
    from pracha.db import make_engine, make_sessionmaker
    from pracha.identity import thai_id
    from pracha.identity.models import CITIZEN, User
    from pracha.identity.passwords import hash_password
    from pracha.identity.service import start_web_session
    from pracha.vault import attach_keyring

    engine = make_engine(url)
    attach_keyring(engine, settings=Settings(database_url=url, var_dir=var_dir))
    password_hash = hash_password(secrets.token_urlsafe(16))
    clients = []
    with make_sessionmaker(engine)() as db:
        for i in range(n):
            user = User(role=CITIZEN, national_id=thai_id.make(str(190000000000 + i)), first_name="ผู้ทดสอบ",
                        last_name=f"ที่ {i + 1}", birth_date=dt.date(1950, 1, 1), password_hash=password_hash,
                        language="th")
            db.add(user)
            token = start_web_session(db, user, hours=24)
            clients.append(Client(csrf_cookie=secrets.token_urlsafe(24), session=token))
        db.commit()
    engine.dispose()
    return clients


def prepare_clients(base: str, clients: list[Client], submit: Endpoint) -> list[Client]:
    """Ask the server for each client's CSRF token and make each citizen one application to poll."""
    ready = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for c in clients:
            cookies = {"Cookie": f"pracha_csrf={c.csrf_cookie}; pracha_session={c.session}"}
            r = http.get("/api/v1/session", headers=cookies)
            r.raise_for_status()
            who = r.json()
            if not who.get("user") or who["user"]["role"] != "citizen":
                raise RuntimeError(f"the seeded session is not signed in: {who}")
            csrf = str(who["csrf_token"])
            r = http.post("/api/v1/applications", content=submit.body,
                          headers={**cookies, "X-CSRF-Token": csrf, "Content-Type": "application/json"})
            if r.status_code != 201:
                raise RuntimeError(f"a submit during set-up failed: {r.status_code} {r.text[:300]}")
            ready.append(Client(c.csrf_cookie, c.session, csrf, str(r.json()["reference"])))
            http.cookies.clear()
    return ready


# --- the server -----------------------------------------------------------------------------------



@dataclass
class Served:
    base: str
    log_errors: list[str] = field(default_factory=list)  # filled in when the server has stopped


@contextlib.contextmanager
def server(url: str, tmp: Path, workers: int) -> Iterator[Served]:
    with pracha_server(url, tmp, args=("--workers", str(workers))) as run:
        served = Served(run.base)
        yield served
    served.log_errors = _logged_errors(run.log_lines)
    if served.log_errors:
        exceptions = [line for line in run.log_lines if re.match(r"^[\w.]+(Error|Exception): ", line)]
        print(f"!! the server logged {len(served.log_errors)} errors; last exception: "
              f"{exceptions[-1] if exceptions else served.log_errors[0]}", file=sys.stderr)


def settle(base: str, limit: float = 90) -> None:
    """Wait until the server answers /healthz quickly again (requests left over from the previous
    endpoint may still be queued in it), so one endpoint's backlog is not billed to the next."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        start = time.monotonic()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200 and time.monotonic() - start < 0.2:
                return
        time.sleep(0.5)
    print(f"!! the server still answers slowly after {limit:.0f} s", file=sys.stderr)


def _logged_errors(lines: list[str]) -> list[str]:
    """One entry per error in the server's log: uvicorn's ERROR lines and tracebacks (chained ones once)."""
    found, previous = [], ""
    for line in lines:
        chained = previous.startswith(("During handling of the above", "The above exception was", "ERROR"))
        if line.startswith("ERROR") or (line.startswith("Traceback (most recent call last)") and not chained):
            found.append(line)
        if line.strip():
            previous = line
    return found


# --- load generators ------------------------------------------------------------------------------

_LUA = r"""
local requests = {
%(requests)s
}
local body = %(body)s
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
  non2xx = 0
  sample = ""
end

function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  local headers = { ["Cookie"] = r[3] }
  if r[4] ~= "" then headers["X-CSRF-Token"] = r[4] end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, body)
end

function response(status, headers, rbody)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if sample == "" then sample = status .. " " .. string.sub(rbody or "", 1, 300) end
  end
end

function done(summary, latency, requests_)
  local bad, first = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    local s = t:get("sample")
    if first == "" and s ~= nil then first = s end
  end
  local e = summary.errors
  io.write(string.format("PRACHA requests=%%d micros=%%d p50=%%d p95=%%d non2xx=%%d sockerr=%%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), bad,
    e.connect + e.read + e.write + e.timeout))
  io.write("PRACHA_SAMPLE " .. string.gsub(first, "[\r\n]", " ") .. "\n")
end
"""


def _lua_script(endpoint: Endpoint, requests: list[Request]) -> str:
    rows = []
    for r in requests:
        for value in (r.method, r.path, r.cookie, r.csrf):
            if not _SAFE.match(value):
                raise ValueError(f"unexpected character in {value!r}")
        rows.append(f'  {{"{r.method}", "{r.path}", "{r.cookie}", "{r.csrf}"}},')
    if "]==]" in endpoint.body:
        raise ValueError("the body would end the Lua long string")
    body = f"[==[{endpoint.body}]==]" if endpoint.body else "nil"
    return _LUA % {"requests": "\n".join(rows), "body": body}


def run_wrk(engine: str, endpoint: Endpoint, base: str, requests: list[Request], *, seconds: float,
            connections: int, threads: int, tmp: Path) -> Result:
    script = tmp / f"{endpoint.key}.lua"
    script.write_text(_lua_script(endpoint, requests))
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(script), base]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in run.stdout.splitlines() if x.startswith("PRACHA ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    values = dict(pair.split("=") for pair in line.split()[1:])
    sample = next((x[len("PRACHA_SAMPLE "):] for x in run.stdout.splitlines() if x.startswith("PRACHA_SAMPLE")), "")
    return Result(engine, endpoint, int(values["requests"]), int(values["micros"]) / 1e6,
                  int(values["p50"]) / 1000, int(values["p95"]) / 1000, int(values["non2xx"]),
                  int(values["sockerr"]), sample.strip(), connections=connections)


def run_python(engine: str, endpoint: Endpoint, base: str, requests: list[Request], *, seconds: float,
               connections: int) -> Result:
    """The fallback: `connections` asyncio tasks over one httpx pool, each on its own client identity."""

    async def main() -> Result:
        latencies: list[float] = []
        non_2xx = errors = 0
        sample = ""
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:
            deadline = time.perf_counter() + seconds

            async def worker(i: int) -> None:
                nonlocal non_2xx, errors, sample
                r = requests[i % len(requests)]
                headers = {"Cookie": r.cookie}
                if r.csrf:
                    headers["X-CSRF-Token"] = r.csrf
                if endpoint.body:
                    headers["Content-Type"] = "application/json"
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    try:
                        response = await http.request(r.method, r.path, headers=headers,
                                                      content=endpoint.body or None)
                    except httpx.HTTPError as exc:
                        errors += 1
                        sample = sample or repr(exc)
                        continue
                    latencies.append(time.perf_counter() - start)
                    http.cookies.clear()
                    if not 200 <= response.status_code < 300:
                        non_2xx += 1
                        sample = sample or f"{response.status_code} {response.text[:300]}"

            began = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(connections)))
            elapsed = time.perf_counter() - began
        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

        return Result(engine, endpoint, len(latencies), elapsed, pct(0.50), pct(0.95), non_2xx, errors, sample,
                      connections=connections)

    return asyncio.run(main())


# --- the run --------------------------------------------------------------------------------------


@dataclass
class EngineRun:
    engine: str
    version: str
    results: list[Result]
    server_errors: int = 0  # errors the server logged (e.g. requests that failed after the run ended)
    bare_rps: float = 0.0
    generator_bound: bool = False  # the bare endpoint came close to the generator's ceiling: no ratios


def bench_engine(engine: str, args: argparse.Namespace, generator: str) -> EngineRun | None:
    endpoints = _endpoints()
    submit = next(e for e in endpoints if e.key == "submit")
    with tempfile.TemporaryDirectory(prefix=f"pracha-bench-{engine}-") as tmp_name:
        tmp = Path(tmp_name)
        with database(engine, tmp) as db:
            if db is None:
                return None
            print(f"== {engine}: {db.version}; {args.connections} citizens", flush=True)
            clients = seed_citizens(db.url, args.connections, tmp / "var")
            with server(db.url, tmp, args.workers) as served:
                base = served.base
                clients = prepare_clients(base, clients, submit)
                results = []
                for endpoint in endpoints:
                    requests = endpoint.requests(clients)

                    def once(seconds: float, endpoint: Endpoint = endpoint, requests: list[Request] = requests
                             ) -> Result:
                        if generator == "wrk":
                            return run_wrk(engine, endpoint, base, requests, seconds=seconds,
                                           connections=args.connections, threads=args.wrk_threads, tmp=tmp)
                        return run_python(engine, endpoint, base, requests, seconds=seconds,
                                          connections=args.connections)

                    settle(base)
                    if args.warmup > 0:
                        warm = once(args.warmup)
                        if warm.errors:
                            print(f"!! {engine} {endpoint.key} warm-up: {warm.errors} errors "
                                  f"({warm.sample or 'no answer before the end of the warm-up'})", file=sys.stderr)
                    result = once(args.duration)
                    results.append(result)
                    print(f"   {endpoint.key:<9} {result.rps:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  "
                          f"p95 {result.p95_ms:7.1f} ms  errors {result.errors}", flush=True)
                    if result.stalled:
                        print(f"!! {engine} {endpoint.key}: only {result.requests} answers for "
                              f"{args.connections} clients: the server stalled", file=sys.stderr)
                    if result.errors:
                        print(f"!! {result.errors} errors, first: {result.sample}", file=sys.stderr)
        bare = next(r for r in results if r.endpoint.key == "bare")
        bound = args.ceiling.bound(bare.rps)
        for r in results:
            r.ratio = r.rps / bare.rps if bare.rps and not bound else None
        return EngineRun(engine, db.version, results, len(served.log_errors), bare.rps, bound)





def wrk_version() -> str:
    run = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (run.stdout + run.stderr).split("[")[0].strip() or "wrk"


def table(runs: list[EngineRun]) -> str:
    lines = ["| engine | endpoint | req/s | p50 ms | p95 ms | ratio to bare | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for run in runs:
        for r in run.results:
            ratio = "—" if r.ratio is None or r.stalled else (
                "1.00 (baseline)" if r.endpoint.key == "bare" else f"{r.ratio:.2f}")
            errors = f"**{r.errors}**" if r.errors else "0"
            if r.stalled:
                errors += " (stalled)"
            lines.append(f"| {run.engine} | {r.endpoint.label} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} "
                         f"| {ratio} | {errors} |")
    return "\n".join(lines)


def aims(runs: list[EngineRun]) -> list[str]:
    out = []
    for run in runs:
        for r in run.results:
            if r.stalled:
                out.append(f"- {r.endpoint.key} on {run.engine}: the server stalled: NOT met")
                continue
            if run.engine == "sqlite" and r.endpoint.key == "submit":
                ok = r.rps >= AIM_SUBMIT_SQLITE
                out.append(f"- submit on SQLite: {r.rps:,.0f}/s (aim ≥ {AIM_SUBMIT_SQLITE:.0f}/s): "
                           f"{'met' if ok else 'NOT met'}")
            if r.endpoint.key in ("catalogue", "status") and run.generator_bound:
                out.append(f"- {r.endpoint.key} on {run.engine}: not measured (the generator was the bottleneck)")
            if r.endpoint.key in AIM_RATIO and r.ratio is not None:
                ok = r.ratio >= AIM_RATIO[r.endpoint.key]
                out.append(f"- {r.endpoint.key} on {run.engine}: {r.ratio:.0%} of bare "
                           f"(aim ≥ {AIM_RATIO[r.endpoint.key]:.0%}): {'met' if ok else 'NOT met'}")
    return out


def problems(runs: list[EngineRun]) -> list[str]:
    """What makes this run's numbers invalid, one line each; empty when all is well."""
    out = []
    for run in runs:
        for r in run.results:
            if r.stalled:
                out.append(f"{run.engine} {r.endpoint.key}: the server stalled ({r.requests} answers for "
                           f"{r.connections} clients in {r.seconds:.0f} s)")
            elif r.errors:
                out.append(f"{run.engine} {r.endpoint.key}: {r.errors} failed requests; first: {r.sample[:160]}")
        if run.server_errors:
            out.append(f"{run.engine}: the server logged {run.server_errors} errors")
        if run.generator_bound:
            out.append(f"{run.engine}: the bare endpoint ({run.bare_rps:,.0f} req/s) reached the generator's "
                       "ceiling: ratios withheld (install wrk: `make bench-deps`)")
    return out


def ceiling_lines(runs: list[EngineRun], ceiling: Ceiling) -> str:
    return "\n".join(f"- {run.engine}: {ceiling.describe(run.bare_rps)}." for run in runs)


def section(runs: list[EngineRun], args: argparse.Namespace, generator: str, took: float) -> str:
    wrong = problems(runs)
    warning = ("\n**WARNING: this run had failures; the numbers are not valid.**\n\n"
               + "".join(f"- {line}\n" for line in wrong) if wrong else "")
    gen = (f"{wrk_version()}, {args.wrk_threads} thread(s)" if generator == "wrk"
           else "the asyncio + httpx fallback (wrk not installed; the generator shares the CPU with the server)")
    engines = "; ".join(f"{run.engine}: {run.version}" for run in runs)
    return f"""{START}
## Portal

`PYTHONPATH=. .venv/bin/python bench/portal.py --write` — {dt.date.today().isoformat()}, whole run {took:.0f} s.
{warning}
{table(runs)}

- Machine: {machine()}; the server, the database and the load generator share it (load average
  {args.load:.2f} when the run began).
- Server: `pracha serve --workers {args.workers}` on 127.0.0.1 (code {code_version()}); {engines}.
- Load: {args.connections} concurrent keep-alive connections, {args.duration:g} s per endpoint after a
  {args.warmup:g} s warm-up; generator: {gen}. Each connection's requests rotate over {args.connections}
  citizens, each with its own session and CSRF cookie; status polls the citizen's own application.
- submit = `POST /api/v1/applications` with a whole birth-registration form (a service a citizen may
  have several open applications of; JSON, session cookie +
  `X-CSRF-Token`): a new draft and its first timeline event, written in one transaction.
- Ratio = req/s of the endpoint ÷ req/s of the bare endpoint, `GET /healthz`, on the same server in the
  same run. The bare endpoint is not free: it passes through the same middleware (language, CSRF cookie,
  security headers) and the same access rule (no session cookie, so no database query).
- Errors = non-2xx responses + socket errors + timeouts (10 s); a run that answers fewer requests than
  there are clients is marked stalled and counts every client as an error.
- The generator's ceiling, measured in the same run (`bench/generator.py`: the same generator and
  connections against a raw asyncio responder); ratios are withheld when the bare endpoint reaches
  {GENERATOR_BOUND:.0%} of it:
{ceiling_lines(runs, args.ceiling)}

Aims:
{chr(10).join(aims(runs))}
{chr(10) + args.notes + chr(10) if args.notes else ""}{END}"""



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--python-client", action="store_true", help="use the httpx generator even if wrk exists")
    parser.add_argument("--write", action="store_true", help="rewrite the Portal section of docs/benchmarks.md")
    parser.add_argument("--notes", default="", help="a paragraph for the written section (an aim not met: its profile)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if bad := [e for e in engines if e not in ("sqlite", "postgres")]:
        parser.error(f"unknown engine(s): {', '.join(bad)}")
    if not 1 <= args.connections <= 1000 or not 0 < args.duration <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--connections 1..1000, --duration 0..600 s, --warmup 0..60 s")

    generator = "wrk" if shutil.which("wrk") and not args.python_client else "python"
    if generator == "python" and not args.python_client:
        print("!! wrk is not installed (apt-get install -y wrk); falling back to the asyncio + httpx generator,\n"
              "   which shares the CPU with the server: the numbers will be lower.", file=sys.stderr)
    if (load := load_average()) > 0.5:
        print(f"!! the machine is busy (load average {load:.2f}): the numbers will be lower and noisier",
              file=sys.stderr)
    args.load = load
    args.ceiling = measure_ceiling(generator, seconds=min(args.duration, 5), connections=args.connections,
                                   threads=args.wrk_threads)
    print(f"generator ceiling: {args.ceiling.rps:,.0f} req/s ({generator}, {args.connections} connections, "
          "against a trivial responder)", flush=True)
    began = time.monotonic()
    runs = [run for engine in engines if (run := bench_engine(engine, args, generator)) is not None]
    took = time.monotonic() - began
    if not runs:
        print("nothing was measured", file=sys.stderr)
        return 1
    print()
    print(table(runs))
    print()
    print("\n".join(aims(runs)))
    print(f"\nwhole run: {took:.0f} s; generator: {generator}")
    print(ceiling_lines(runs, args.ceiling))
    if args.write:
        write_section("portal", section(runs, args, generator, took))
        print(f"wrote {DOC.relative_to(REPO)}")
    if wrong := problems(runs):
        print("\n!!!! THIS RUN HAD FAILURES: THE NUMBERS ARE NOT VALID !!!!", file=sys.stderr)
        for line in wrong:
            print(f"!!!! {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
