"""More processes: the portal's endpoints (bench/portal.py: bare, catalogue, submit, status) served by
`pracha serve --workers 1` and `pracha serve --workers 2` side by side on one PostgreSQL database,
driven by wrk with the same connections; the table gives each endpoint's requests/s under both and
the ratio 2 workers ÷ 1 worker.

    PYTHONPATH=.:src .venv/bin/python bench/workers.py [--duration 8] [--rounds 2] [--warmup 2]
        [--connections 50] [--write]

Both servers run at once over one database and one var/ (the same keys), each with its own clients'
CSRF tokens; for each endpoint the measurements alternate (1, 2, 1, 2, …), so that the other work on a
shared machine weighs on both alike. A run with failed requests, a stalled server or errors in the
servers' logs says so and exits with status 1. `--write` rewrites the workers section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import code_version, load_average, machine, write_section
from bench.generator import GENERATOR_BOUND, Ceiling, measure_ceiling
from bench.portal import (
    Endpoint,
    Result,
    _endpoints,
    database,
    prepare_clients,
    run_wrk,
    seed_citizens,
    server,
    settle,
    wrk_version,
)

START, END = "<!-- workers:start -->", "<!-- workers:end -->"
COUNTS = (1, 2)
AIM_NO_LOSS = 1.0  # 2 workers ÷ 1 worker, every endpoint: another process must not cost throughput


@dataclass
class Measured:
    """One endpoint on one server over every round."""

    endpoint: Endpoint
    rounds: list[Result] = field(default_factory=list)

    @property
    def rps(self) -> float:
        seconds = sum(r.seconds for r in self.rounds)
        return sum(r.requests for r in self.rounds) / seconds if seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p95_ms(self) -> float:
        return max(r.p95_ms for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def stalled(self) -> bool:
        return any(r.stalled for r in self.rounds)


@dataclass
class Run:
    version: str
    measured: dict[int, list[Measured]]
    server_errors: dict[int, int]


def _shared_var(tmp: Path, name: str) -> Path:
    """A directory for one server whose var/ is the shared one (same data key, ledger key, member keys)."""
    home = tmp / name
    home.mkdir()
    (home / "var").symlink_to(tmp / "var", target_is_directory=True)
    return home


def bench(args: argparse.Namespace) -> Run:
    endpoints = _endpoints()
    submit = next(e for e in endpoints if e.key == "submit")
    with tempfile.TemporaryDirectory(prefix="pracha-bench-workers-") as name:
        tmp = Path(name)
        with database("postgres", tmp) as db:
            if db is None:
                raise SystemExit("PostgreSQL is not installed here (scripts/apt-deps.sh installs it)")
            print(f"== {db.version}; {args.connections} citizens", flush=True)
            seeded = seed_citizens(db.url, args.connections, tmp / "var")
            with contextlib.ExitStack() as stack:
                served = {n: stack.enter_context(server(db.url, _shared_var(tmp, f"w{n}"), n)) for n in COUNTS}
                clients = {n: prepare_clients(served[n].base, seeded, submit) for n in COUNTS}
                measured: dict[int, list[Measured]] = {n: [] for n in COUNTS}
                for endpoint in endpoints:
                    for n in COUNTS:
                        measured[n].append(Measured(endpoint))
                    for round_no in range(args.rounds):
                        for n in COUNTS:
                            base, requests = served[n].base, endpoint.requests(clients[n])
                            settle(base)
                            if round_no == 0 and args.warmup > 0:
                                run_wrk(
                                    "postgres",
                                    endpoint,
                                    base,
                                    requests,
                                    seconds=args.warmup,
                                    connections=args.connections,
                                    threads=args.wrk_threads,
                                    tmp=tmp,
                                )
                            result = run_wrk(
                                "postgres",
                                endpoint,
                                base,
                                requests,
                                seconds=args.duration,
                                connections=args.connections,
                                threads=args.wrk_threads,
                                tmp=tmp,
                            )
                            measured[n][-1].rounds.append(result)
                            print(
                                f"   {endpoint.key:<9} {n} worker(s) round {round_no + 1}: {result.rps:7.0f} req/s"
                                f"  p50 {result.p50_ms:6.1f} ms  errors {result.errors}",
                                flush=True,
                            )
        return Run(db.version, measured, {n: len(served[n].log_errors) for n in COUNTS})


def ratio_of(run: Run, index: int) -> float | None:
    one, many = run.measured[COUNTS[0]][index], run.measured[COUNTS[-1]][index]
    if one.stalled or many.stalled or not one.rps:
        return None
    return many.rps / one.rps


def table(run: Run) -> str:
    head = " | ".join(f"{n} worker{'s' if n > 1 else ''}: req/s · p50 · p95 ms" for n in COUNTS)
    lines = [
        f"| endpoint | {head} | ratio {COUNTS[-1]} ÷ {COUNTS[0]} | errors |",
        "|---|" + "---:|" * len(COUNTS) + "---:|---:|",
    ]
    for i, first in enumerate(run.measured[COUNTS[0]]):
        cells = [f"{m.rps:,.0f} · {m.p50_ms:.1f} · {m.p95_ms:.1f}" for m in (run.measured[n][i] for n in COUNTS)]
        errors = sum(run.measured[n][i].errors for n in COUNTS)
        ratio = ratio_of(run, i)
        lines.append(
            f"| {first.endpoint.label} | {' | '.join(cells)} | "
            f"{'—' if ratio is None else f'{ratio:.2f}'} | {f'**{errors}**' if errors else '0'} |"
        )
    return "\n".join(lines)


def problems(run: Run) -> list[str]:
    out = []
    for n in COUNTS:
        for m in run.measured[n]:
            if m.stalled:
                out.append(f"{n} worker(s) {m.endpoint.key}: the server stalled")
            elif m.errors:
                first = next(r.sample for r in m.rounds if r.errors)
                out.append(f"{n} worker(s) {m.endpoint.key}: {m.errors} failed requests; first: {first[:160]}")
        if run.server_errors[n]:
            out.append(f"{n} worker(s): the server logged {run.server_errors[n]} errors")
    return out


def aims(run: Run) -> list[str]:
    out = []
    for i, first in enumerate(run.measured[COUNTS[0]]):
        ratio = ratio_of(run, i)
        if ratio is None:
            out.append(f"- {first.endpoint.key}: a server stalled: NOT met")
            continue
        out.append(
            f"- {first.endpoint.key}: {COUNTS[-1]} workers ÷ {COUNTS[0]} = {ratio:.2f} "
            f"(aim ≥ {AIM_NO_LOSS:.2f}): {'met' if ratio >= AIM_NO_LOSS else 'NOT met'}"
        )
    out.append(f"- no failed request and no server error with either count: {'NOT met' if problems(run) else 'met'}")
    return out


def section(run: Run, args: argparse.Namespace, took: float, ceiling: Ceiling) -> str:
    wrong = problems(run)
    warning = (
        "\n**WARNING: this run had failures; the numbers are not valid.**\n\n"
        + "".join(f"- {line}\n" for line in wrong)
        if wrong
        else ""
    )
    bare = "; ".join(f"{n} worker(s): {ceiling.describe(run.measured[n][0].rps)}" for n in COUNTS)
    notes = f"\n{args.notes}\n" if args.notes else ""
    return f"""{START}
## Workers

`PYTHONPATH=.:src .venv/bin/python bench/workers.py --write` — {dt.date.today().isoformat()}, whole run {took:.0f} s.
{warning}
{table(run)}

- Machine: {machine()}; both servers' processes, PostgreSQL and wrk share it, and other work shared the
  cores during the run (load average {args.load:.2f} when it began, {args.load_after:.2f} at the end).
  Absolute figures are noisy; the ratio is measured in one run, the two servers alternating.
- Servers: `pracha serve --workers 1` and `pracha serve --workers 2` (code {code_version()}), running at
  once on one {run.version} database and one var/. Load: bench/portal.py's endpoints and clients,
  unchanged: {args.connections} keep-alive connections over as many signed-in citizens; per endpoint
  {args.rounds} rounds of {args.duration:g} s on each server, alternating (1, 2, 1, 2, …), after a
  {args.warmup:g} s warm-up on each; {wrk_version()}, {args.wrk_threads} thread(s). req/s = all answers ÷
  all measured seconds; p50 = the median of the rounds' p50; p95 = the worst round's.
- Ratio = req/s with {COUNTS[-1]} workers ÷ req/s with {COUNTS[0]}, per endpoint. The generator's ceiling
  (a raw asyncio responder, same connections; ratios to it mean little above {GENERATOR_BOUND:.0%}): {bare}.
{notes}
Aims:
{chr(10).join(aims(run))}
{END}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=8, help="seconds per round and endpoint (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per endpoint (default 2)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--notes", default="", help="a paragraph for the written section (the profile, the why)")
    parser.add_argument("--write", action="store_true", help="rewrite the workers section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench-deps)", file=sys.stderr)
        return 1
    args.load = load_average()
    began = time.monotonic()
    ceiling = measure_ceiling("wrk", seconds=3, connections=args.connections, threads=args.wrk_threads)
    run = bench(args)
    took = time.monotonic() - began
    args.load_after = load_average()
    print(table(run))
    print("\n".join(aims(run)))
    if args.write:
        write_section("workers", section(run, args, took, ceiling))
    for line in problems(run):
        print(f"!! {line}", file=sys.stderr)
    return 1 if problems(run) else 0


if __name__ == "__main__":
    sys.exit(main())
