"""The Locust load test, end to end: a throwaway PostgreSQL, `pracha serve --workers 2` with the demo
registries and the demo bank (PRACHA_REGISTRY_AUTOSTART=1), the scenario's data (prepare.py); then the
user count stepped up (short steps) until errors begin or p95 passes its bound, and a long run at the
highest step that held with 0 errors. `--write` rewrites the locust section of docs/benchmarks.md.

    PYTHONPATH=.:src .venv/bin/python bench/locust/run.py --write
    PYTHONPATH=.:src .venv/bin/python bench/locust/run.py --steps 10,20 --step-seconds 30 --hold 60
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import DOC, REPO, code_version, database, free_port, load_average, machine, write_section  # noqa: E402
from bench.locust.prepare import prepare  # noqa: E402

from pracha.exchange.vocabulary import REGISTRIES  # noqa: E402
from tests import servers  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
P95_BOUND_MS = 2000.0  # a page or an API answer slower than this at p95 is no longer a usable portal
STEPS = (5, 10, 20, 40, 60, 80, 120, 160, 200, 240, 320, 400)
KINDS = frozenset({  # every request of the scenario, by its name (its kind)
    "browse: home", "browse: catalogue", "browse: service page", "search: catalogue", "search: assistant",
    "citizen: sign in", "citizen: sign out", "follow: my page", "follow: my applications", "follow: status",
    "follow: inbox", "apply: draft", "upload: document", "apply: submit", "pay: Thai QR", "pay: bank pays",
    "pay: receipt", "ledger: checkpoint", "ledger: inclusion proof", "ledger: tile", "open data: package_search",
    "open data: /data", "agency: exchange call", "officer: sign in", "officer: second factor", "officer: queue",
    "officer: queue page", "officer: take", "officer: review", "officer: approve",
})  # fmt: skip
STOP_TIMEOUT = 60  # at the end of a run, the journeys under way finish (a cut request would count as failed)
STOP_FACTOR = 5  # a step with a p95 above this many times the bound: saturated, no further step
STARTUP_SECONDS = 600  # at load 20 on two cores, the six children took over two minutes


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Outcome:
    users: int
    seconds: float
    rows: list[Row]  # per kind, then "Aggregated"
    exit_code: int
    failures_sample: list[str]

    @property
    def total(self) -> Row:
        return next(r for r in self.rows if r.name == "Aggregated")

    def held(self, bound: float) -> bool:
        return self.exit_code == 0 and self.total.failures == 0 and self.total.p95 <= bound


def server_environment(var_dir: Path, base_url: str) -> dict[str, str]:
    """What `pracha serve`, its registries and bank, and `prepare` must share: one var_dir and secret,
    the registries' and the bank's ports, and the portal's own address (the bank calls it back there)."""
    return {
        "PRACHA_VAR_DIR": str(var_dir),
        "PRACHA_SECRET_KEY": secrets.token_hex(32),
        "PRACHA_REGISTRY_AUTOSTART": "1",
        "PRACHA_REGISTRY_BASE_PORT": str(servers.free_port_block(5)),
        "PRACHA_BANK_URL": f"http://127.0.0.1:{free_port()}",
        "PRACHA_PUBLIC_BASE_URL": base_url,
        "PRACHA_CATALOG_DIR": str(REPO / "catalog"),
        "PYTHAINLP_OFFLINE": "1",
        "PYTHONPATH": str(REPO / "src"),  # this checkout's code, not the one the venv was installed from
    }


@contextlib.contextmanager
def platform(
    database_url: str, var_dir: Path, workdir: Path, *, workers: int, citizens: int, officers: int
) -> Iterator[tuple[str, Path]]:
    """The scenario's data (`prepare`, in this process, with the server's PRACHA_* environment), then
    `pracha serve` with the demo registries and bank on a free port; yields its URL and the users file
    once the portal, the welfare registry and the bank answer (at load 20 on two cores, minutes).
    Preparing first also makes every key file before N workers could race to make them."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_environment(var_dir, url), "PRACHA_DATABASE_URL": database_url}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        users = prepare(url, database_url, var_dir, citizens=citizens, officers=officers)
        command = [*servers.pracha_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers)]  # fmt: skip
        child = servers.start_process(command, {**os.environ}, workdir, workdir / "server.log")
        try:
            welfare = int(env["PRACHA_REGISTRY_BASE_PORT"]) + REGISTRIES["welfare"].offset
            _wait_for(child, workdir / "server.log", [url, f"http://127.0.0.1:{welfare}", env["PRACHA_BANK_URL"]])
            yield url, users
        finally:
            servers.stop_process(child)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _wait_for(child: subprocess.Popen[bytes], log: Path, urls: list[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while urls:
        if child.poll() is not None:
            raise RuntimeError(f"pracha serve exited ({child.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not answering after {STARTUP_SECONDS} s: {urls}")
        urls = [u for u in urls if not _healthy(u)]
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def run_locust(
    host: str, users_file: Path, users: int, seconds: float, out: Path, *, spawn_rate: float, tour: bool = False,
    label: str = "",
) -> Outcome:  # fmt: skip
    """One headless Locust run of at most `seconds`, its per-kind statistics from `--csv` (files named
    `label`). A tour (PRACHA_LOCUST_TOUR) ends by itself once every user has walked all journeys."""
    prefix = out / (label or f"u{users}")
    env = {**os.environ, "PRACHA_LOCUST_USERS": str(users_file), "PYTHONPATH": f"{REPO}:{REPO / 'src'}",
           "PRACHA_LOCUST_TOUR": "1" if tour else ""}  # fmt: skip
    command = [str(Path(sys.executable).with_name("locust")), "-f", str(LOCUSTFILE), "--headless",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{int(seconds)}s", "--host", host,
               "--csv", str(prefix), "--json-file", str(prefix), "--only-summary",
               "--stop-timeout", str(STOP_TIMEOUT)]  # fmt: skip
    began = time.monotonic()
    with Path(f"{prefix}.log").open("w") as log:
        code = subprocess.run(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    stats = with_final_counts(read_stats(Path(f"{prefix}_stats.csv")), Path(f"{prefix}.json"))
    return Outcome(users, time.monotonic() - began, stats, code, read_failures(Path(f"{prefix}_failures.csv")))


def read_stats(path: Path) -> list[Row]:
    with path.open() as f:
        return [Row(line["Name"], int(line["Request Count"]), int(line["Failure Count"]), float(line["Requests/s"]),
                    _ms(line["50%"]), _ms(line["95%"]), _ms(line["99%"])) for line in csv.DictReader(f)]  # fmt: skip


def with_final_counts(rows: list[Row], final: Path) -> list[Row]:
    """The counts of Locust's JSON written at exit: its CSV is rewritten once a second and not at exit,
    so the requests of its last second (a tour's last steps) may be missing from the CSV."""
    if not final.exists():
        return rows
    counts = {e["name"]: (e["num_requests"], e["num_failures"]) for e in json.loads(final.read_text())}
    by_name = {r.name: r for r in rows}
    kinds = [
        replace(by_name.get(name) or Row(name, 0, 0, 0.0, 0.0, 0.0, 0.0), requests=n, failures=f)
        for name, (n, f) in sorted(counts.items())
    ]
    total = by_name.get("Aggregated") or Row("Aggregated", 0, 0, 0.0, 0.0, 0.0, 0.0)
    return [*kinds, replace(total, requests=sum(r.requests for r in kinds), failures=sum(r.failures for r in kinds))]


def read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open() as f:
        return [f"{line['Name']}: {line['Occurrences']}× {line['Error'][:160]}" for line in csv.DictReader(f)]


def _ms(text: str) -> float:
    return float(text) if text not in ("", "N/A") else 0.0


def table(outcome: Outcome) -> str:
    lines = [
        "| kind | requests | failures | requests/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(outcome.rows, key=lambda r: (r.name == "Aggregated", r.name)):
        name = "**all**" if r.name == "Aggregated" else r.name
        lines.append(
            f"| {name} | {r.requests} | {r.failures} | {r.rps:.1f} | {r.p50:.0f} | {r.p95:.0f} | {r.p99:.0f} |"
        )
    return "\n".join(lines)


def steps_table(steps: list[Outcome], bound: float) -> str:
    lines = [
        "| users | requests/s | failures | p50 ms | p95 ms | p99 ms | held |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for o in steps:
        t = o.total
        lines.append(
            f"| {o.users} | {t.rps:.1f} | {t.failures} | {t.p50:.0f} | {t.p95:.0f} | {t.p99:.0f} | "
            f"{'yes' if o.held(bound) else 'no'} |"
        )
    return "\n".join(lines)


@dataclass
class Findings:
    warm_up: Outcome | None = None  # the tour: every kind once, not measured
    steps: list[Outcome] = field(default_factory=list)
    slow: Outcome | None = None  # the first step whose p95 passed the bound
    errors: Outcome | None = None  # the first step with a failure
    long: Outcome | None = None


def onsets(found: Findings, bound: float) -> str:
    def at(o: Outcome | None, what: str) -> str:
        if o is None:
            return f"no step up to {found.steps[-1].users if found.steps else 0} users had {what}"
        t = o.total
        return (f"{what} began at **{o.users} users** ({t.rps:.1f} requests/s, {t.failures} failures, "
                f"p95 {t.p95:.0f} ms)")  # fmt: skip

    return f"{at(found.errors, 'errors')}; {at(found.slow, f'a p95 above {bound:.0f} ms')}"


def section(args: argparse.Namespace, found: Findings, took: float) -> str:
    bound, long = args.p95_bound, found.long
    long_text = (
        "(no step ran without errors: no long run)"
        if long is None
        else f"{long.users} users for {args.hold / 60:g} minutes: **{long.total.rps:.1f} requests/s**, "
        f"{long.total.requests} requests, **{long.total.failures} failures**, p95 {long.total.p95:.0f} ms.\n\n"
        f"{table(long)}"
    )
    samples = [*(found.errors.failures_sample if found.errors else []), *(long.failures_sample if long else [])]
    failures = "\n".join(f"- {f}" for f in samples[:8])
    seen = f"\nFailures seen (the step where errors began, then the long run):\n{failures}\n" if failures else ""
    warm = found.warm_up
    warm_text = (
        ""
        if warm is None
        else f"Warm-up: one person of each kind walked every journey once ({warm.total.requests} requests, "
        f"{len({r.name for r in warm.rows}) - 1} kinds, {warm.total.failures} failures); not counted below.\n\n"
    )
    zero = long is not None and long.total.failures == 0 and long.exit_code == 0
    return f"""<!-- locust:start -->
## Locust: the whole platform under a mixed load

`PYTHONPATH=.:src .venv/bin/python bench/locust/run.py --write` — {dt.date.today().isoformat()}, whole run
{took / 60:.0f} min.

{warm_text}Step-up ({args.step_seconds:g} s a step, a fresh Locust each, spawn rate {args.spawn_rate:g}/s):
{onsets(found, bound)}.

{steps_table(found.steps, bound)}

Long run at the highest step without errors: {long_text}
{seen}
Aims:
- 10 minutes at the highest rate the two cores hold, with 0 errors: {"met" if zero and args.hold >= 600 else "NOT met"}

- Machine: {machine()}; load average {args.load:.2f} when the run began, {args.load_end:.2f} when it ended
  (the load this run put on the machine: Locust itself, PostgreSQL, the two web workers, the five
  registries and the bank run on the same two cores). Code {code_version()}.
- Set-up: PostgreSQL (throwaway cluster), `pracha serve --workers 2` with `PRACHA_REGISTRY_AUTOSTART=1`
  (the five demo registries and the demo bank as its children); `bench/locust/prepare.py` seeded
  {args.citizens} citizens, {args.officers} officers, every agency's exchange client key, the demo bank and
  open datasets. The scenario, its mix and why: `bench/locust/locustfile.py`, `bench/locust/README.md`.
- Stepping stops at the first step with a failure, or with a p95 above {STOP_FACTOR}× the bound (saturated).
  p95 bound {bound:.0f} ms: beyond it a person waits long enough to retry, which adds load.
{args.notes}
<!-- locust:end -->"""


def step_up(base: str, users_file: Path, out: Path, args: argparse.Namespace, found: Findings) -> None:
    for users in [int(u) for u in args.steps.split(",") if u.strip()]:
        outcome = run_locust(base, users_file, users, args.step_seconds, out, spawn_rate=args.spawn_rate)
        found.steps.append(outcome)
        t = outcome.total
        print(f"{users:4d} users: {t.rps:6.1f} req/s, {t.failures} failures, p50 {t.p50:.0f} ms, "
              f"p95 {t.p95:.0f} ms (exit {outcome.exit_code})", flush=True)  # fmt: skip
        if found.slow is None and t.p95 > args.p95_bound:
            found.slow = outcome
        if t.failures or outcome.exit_code:
            found.errors = outcome
            return
        if t.p95 > STOP_FACTOR * args.p95_bound:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--steps", default=",".join(map(str, STEPS)), help="user counts to try, in order")
    parser.add_argument("--step-seconds", type=float, default=40.0)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--hold", type=float, default=600.0, help="seconds of the long run")
    parser.add_argument("--p95-bound", type=float, default=P95_BOUND_MS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--officers", type=int, default=60)
    parser.add_argument("--notes", default="", help="a paragraph added to the written section")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    args.load = load_average()
    began = time.monotonic()
    found = Findings()
    with tempfile.TemporaryDirectory(prefix="pracha-locust-") as name:
        tmp = Path(name)
        out = Path(os.environ.get("PRACHA_LOCUST_OUT", tmp / "out"))
        out.mkdir(parents=True, exist_ok=True)
        with database("postgres", tmp, name="pracha_locust") as url:
            if url is None:
                return 1
            with platform(url, tmp / "var", tmp, workers=args.workers, citizens=args.citizens,
                          officers=args.officers) as (base, users_file):  # fmt: skip
                print("== warm-up: every kind once", flush=True)
                found.warm_up = run_locust(base, users_file, 5, 240, out, spawn_rate=5, tour=True, label="warm-up")
                print("== stepping up", flush=True)
                step_up(base, users_file, out, args, found)
                clean = [o for o in found.steps if o.total.failures == 0 and o.exit_code == 0]
                held = [o for o in clean if o.held(args.p95_bound)]
                best = max(held or clean, key=lambda o: o.users, default=None)
                if best is not None and args.hold > 0:
                    print(f"== {best.users} users for {args.hold:.0f} s", flush=True)
                    found.long = run_locust(base, users_file, best.users, args.hold, out, spawn_rate=args.spawn_rate,
                                            label="long")  # fmt: skip
                    print(table(found.long), flush=True)
    args.load_end = load_average()
    text = section(args, found, time.monotonic() - began)
    if args.write:
        write_section("locust", text)
        print(f"wrote {DOC.relative_to(REPO)}")
    else:
        print(text)
    long = found.long
    return 0 if long is not None and long.total.failures == 0 and long.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
