"""Faults under load, nothing lost: each fault in turn against a real deployment on this machine, with
the witness driver's acknowledged writes running, then the checks.

    PYTHONPATH=.:src .venv/bin/python bench/faults.py [--faults kill-web,pg-fast,pg-immediate,registry,disk,clock]
        [--hold 8] [--workers 2] [--due 400] [--pg-disk-mb 400] [--write]

Root only (it mounts a tmpfs for PostgreSQL's disk). The deployment: a throwaway PostgreSQL whose data dir
is on that tmpfs, `pracha serve --workers N`, `pracha worker` (Procrastinate), the welfare registry as its
own `pracha registry serve` process (bench/faults/deploy.py). The witness (bench/faults/witness.py) submits
applications (Idempotency-Key, retried), gives consents, sends a bank's signed payment callbacks (retried)
and makes mediated registry calls, keeping every acknowledgement. For each fault: load, the fault, its
undoing, recovery (every kind of write acknowledged again), the load stopped, then the checks
(bench/faults/checks.py): every acknowledged application, payment and consent is in the database, none
twice, nothing half-applied, `verify_log(--full)` verifies the whole log, the queued tasks drain.
`--write` rewrites the `faults` section of docs/benchmarks.md. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DOC, REPO, code_version, load_average, machine, write_section  # noqa: E402
from bench.faults import checks  # noqa: E402
from bench.faults.deploy import Deployment, Postgres, deployment, postgres_on_tmpfs, wait_until  # noqa: E402
from bench.faults.inject import FAULTS, Made, supervise  # noqa: E402
from bench.faults.prepare import SECRET, exchange_call, ledger_key, prepare_data, sign_in  # noqa: E402
from bench.faults.witness import PAYMENTS_PER_SECOND, Witness  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from pracha.db import make_engine, make_sessionmaker  # noqa: E402

WRITES = ("application", "consent", "payment")
KINDS = (*WRITES, "exchange")
RECOVERY_WITHIN = 120.0
SETTLE_SECONDS = 3.0
FINDINGS = (
    Path(__file__).with_name("faults") / "findings.md"
)  # what the runs found, kept in the written section  # of load before each fault and after its recovery


@dataclass
class Row:
    made: Made
    errors: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> outcome -> count
    recovery: float | None = None  # s from the fault undone until every kind answered again
    exchange_failure_max_ms: float = 0.0
    traces: int = 0  # "unhandled error" lines the server logged (answered 500)
    kept: checks.Kept | None = None
    ledger: checks.Ledger | None = None
    jobs: checks.Jobs | None = None

    @property
    def clear(self) -> bool:
        """No 500 answered and no unhandled error logged: every error said what it was (502, 503, 401…)."""
        return self.traces == 0 and not any("500" in counts for counts in self.errors.values())

    @property
    def passed(self) -> bool:
        return bool(
            self.kept
            and self.ledger
            and self.jobs
            and self.recovery is not None
            and self.kept.found == self.kept.acknowledged
            and not self.kept.duplicates
            and not self.kept.half_applied
            and self.ledger.ok
            and self.jobs.drained_in is not None
        )


def recovered_after(witness: Witness, since: float) -> bool:
    seen = {a.kind for a in list(witness.attempts) if a.ok and a.started >= since}
    wanted = set(KINDS) - ({"payment"} if not witness.callbacks else set())
    return wanted <= seen


def recovery(witness: Witness, since: float) -> float:
    """Seconds from `since` until the last kind of write to be acknowledged again was."""
    firsts: dict[str, float] = {}
    for a in list(witness.attempts):
        if a.ok and a.started >= since:
            firsts[a.kind] = min(firsts.get(a.kind, a.ended), a.ended)
    return max(firsts.values()) - since


def run_fault(
    name: str, dep: Deployment, pg: Postgres, witness: Witness, sessions: sessionmaker[Session], key: str, hold: float
) -> Row:
    log_offset = dep.web.log.stat().st_size
    witness.start()
    phase = time.monotonic()
    if wait_until(lambda: recovered_after(witness, phase), RECOVERY_WITHIN, 0.2) is None:
        print(f"!! {name}: the system was not answering every kind of write before the fault", file=sys.stderr)
    time.sleep(SETTLE_SECONDS)
    print(f"-- {name}", flush=True)
    made = FAULTS[name](dep, pg, hold)
    row = Row(made)
    if wait_until(lambda: recovered_after(witness, made.undone), RECOVERY_WITHIN, 0.1) is None:
        made.notes += supervise(dep)  # an operator's supervisor restarts what died; recovery is then late
    else:
        row.recovery = recovery(witness, made.undone)
    time.sleep(SETTLE_SECONDS)
    witness.stop()
    made.notes += supervise(dep)
    end = time.monotonic()
    window = [a for a in list(witness.attempts) if made.began <= a.ended and a.started <= end]
    for a in window:
        if not a.ok:
            row.errors.setdefault(a.kind, Counter())[a.outcome] += 1
    row.exchange_failure_max_ms = max(
        ((a.ended - a.started) * 1000 for a in window if a.kind == "exchange" and not a.ok), default=0.0
    )
    with dep.web.log.open("rb") as log:
        log.seek(log_offset)
        row.traces = log.read().count(b"unhandled error")
    row.kept = checks.kept(sessions, witness.acks)
    row.ledger = checks.ledger(sessions, dep.base, key)
    row.jobs = checks.jobs(sessions)
    print(describe(row), flush=True)
    return row


def describe(row: Row) -> str:
    k, lg, j = row.kept, row.ledger, row.jobs
    assert k is not None and lg is not None and j is not None
    return (
        f"   errors {errors_text(row)}; recovery {recovery_text(row)}; kept {k.found}/{k.acknowledged}; "
        f"duplicates {k.duplicates}; half-applied {k.half_applied}; ledger {lg.ok} ({lg.size}: {lg.message}); "
        f"jobs drained {j.drained_in}, done {j.done}, failed {j.failed}; traces {row.traces}; {row.made.notes}"
        + (f"; missing {k.missing[:5]}" if k.missing else "")
    )


def errors_text(row: Row) -> str:
    if not row.errors:
        return "none"
    return "; ".join(
        f"{kind}: " + ", ".join(f"{outcome}×{n}" for outcome, n in counts.most_common())
        for kind, counts in sorted(row.errors.items())
    )


def failed_text(jobs: checks.Jobs) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(jobs.failed_kinds.items())) or "none"


def recovery_text(row: Row) -> str:
    return "—" if row.made.began == 0 else ("not within 120 s" if row.recovery is None else f"{row.recovery:.1f} s")


def table(rows: list[Row]) -> str:
    lines = [
        "| fault | errors seen during (kind: outcome×n) | recovery | acknowledged kept | duplicates | "
        "half-applied | ledger verifies (full) | jobs resume |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        k, lg, j = r.kept, r.ledger, r.jobs
        assert k is not None and lg is not None and j is not None
        jobs = (
            f"{j.backlog} due, drained in {j.drained_in:.0f} s"
            if j.drained_in is not None
            else f"{j.backlog} due, NOT drained"
        ) + f" ({j.done} done in all, {j.failed} failed: {failed_text(j)})"
        lines.append(
            f"| {r.made.name} | {errors_text(r)} | {recovery_text(r)} | {k.found}/{k.acknowledged} | "
            f"{k.duplicates} | {k.half_applied} | {'yes' if lg.ok else 'NO'} ({lg.size} entries) | {jobs} |"
        )
    return "\n".join(lines)


def section(rows: list[Row], witness: Witness, args: argparse.Namespace, took: float, findings: str) -> str:
    notes = "\n".join(
        f"- {r.made.name}: "
        + "; ".join(
            r.made.notes
            + [
                f"server logged {r.traces} unhandled errors (answered 500)",
                f"slowest failed mediated call {r.exchange_failure_max_ms:.0f} ms",
            ]
        )
        for r in rows
    )
    acks = witness.acks
    aims = "\n".join(
        f"- {r.made.name}: nothing lost, nothing twice, ledger and jobs "
        + ("met" if r.passed else "NOT met")
        + "; clear errors, no 500 "
        + ("met" if r.clear else "NOT met (finding 1: fixed since, see there)")
        for r in rows
    )
    commit = "off, as the tests run it" if args.async_commit else "on for our database, PostgreSQL's default"
    disk, workers, rate = args.pg_disk_mb, args.workers, f"{PAYMENTS_PER_SECOND:g}"
    return f"""<!-- faults:start -->
## Faults under load

`PYTHONPATH=.:src .venv/bin/python bench/faults.py --write` (as root) — {dt.date.today().isoformat()}, whole
run {took:.0f} s, each fault held {args.hold:g} s.

{table(rows)}

Acknowledged over the run: {len(acks.applications)} applications, {len(acks.consents)} consents,
{len(acks.payments)} payments ({acks.payment_duplicates} answered `duplicate` to a retry whose first try had
been applied); {len(acks.unacknowledged)} writes refused or given up.

{notes}

{findings}

Aims:
{aims}

- Machine: {machine()}; load average {args.load:.2f} when the run began, {load_average():.2f} when it ended
  (the deployment, the witness and the checks share the two cores). Code {code_version()}.
- Deployment: a throwaway PostgreSQL (tests/pgserver.py: fsync and full_page_writes off, which matter
  only when the machine itself crashes; synchronous_commit {commit}) with its data dir on a {disk} MiB
  tmpfs; `pracha serve --workers {workers}` (in-process task runner off);
  `pracha worker` (Procrastinate); the welfare registry as `pracha registry serve welfare`; the mediator's
  registry timeout 3 s. The server and the worker run under a small LD_PRELOAD shim
  (bench/faults/clockshim.c) that steps their wall clock (CLOCK_REALTIME) by what a file says and leaves
  CLOCK_MONOTONIC alone, as a real step does (libfaketime 0.9.10 breaks Python's `time.sleep` when
  told not to fake the monotonic clock); the machine's clock is never touched.
- Method: the witness driver (bench/faults/witness.py) runs five lanes: two submit applications
  (`POST /api/v1/applications` with an `Idempotency-Key`, retried with the same key after a transport
  error or a 5xx until 201), one gives consents (`POST /api/v1/me/consents`, also with an
  `Idempotency-Key` and retried the same way), one pays fees due (the bank's RFC 9421-signed callback,
  as the demo bank sends it, retried after a transport error, a 5xx or a 401 until `accepted` or
  `duplicate`; {rate} a second) and one reads through the mediator.
  Before each fault the load runs until every kind is acknowledged, then {SETTLE_SECONDS:g} s; the fault is
  made and undone; recovery is the time from its undoing (for kill -9, the kill) until every kind was
  acknowledged again; {SETTLE_SECONDS:g} s more; the load stops (writes under way finish their retries); then
  the checks: every acknowledged reference / consent id / bank transaction is in the database as
  acknowledged, no (citizen, Idempotency-Key) of an application or a consent or bank transaction twice,
  no consent without its ledger entry and no paid fee without its entry,
  every ledger entry sequenced under a signed checkpoint and `verify_log(full=True)` over HTTP, and no
  automation task left due (the worker's queue drained). The checks are cumulative: each covers every
  acknowledgement since the run began.
<!-- faults:end -->"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--hold", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--due", type=int, default=400, help="fees due, seeded for the payment lane")
    parser.add_argument("--pg-disk-mb", type=int, default=400)
    parser.add_argument(
        "--async-commit", action="store_true", help="PostgreSQL's synchronous_commit off (as the tests run it)"
    )
    parser.add_argument("--findings", type=Path, default=FINDINGS, help="Markdown added to the written section")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench/faults.py mounts a tmpfs for PostgreSQL's disk: run it as root", file=sys.stderr)
        return 2
    args.load = load_average()
    began = time.monotonic()
    names = [n.strip() for n in args.faults.split(",") if n.strip()]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pracha-faults-") as name:
        tmp = Path(name)
        with (
            postgres_on_tmpfs(tmp, args.pg_disk_mb, synchronous_commit=not args.async_commit) as pg,
            deployment(pg.url, tmp, workers=args.workers, secret=SECRET) as dep,
        ):
            dep.registry.start()
            print("seeding…", flush=True)
            people, callbacks = prepare_data(pg.url, dep.var_dir, dep.registry_base, args.due)
            dep.web.start()
            dep.worker.start()
            citizens, offer = sign_in(dep.base, people)
            witness = Witness(dep.base, citizens, callbacks, exchange_call(dep.base, dep.var_dir), offer)
            engine = make_engine(pg.url)
            sessions = make_sessionmaker(engine)
            key = ledger_key(dep.var_dir)
            try:
                for fault in names:
                    rows.append(run_fault(fault, dep, pg, witness, sessions, key, args.hold))
            finally:
                engine.dispose()
    took = time.monotonic() - began
    print(table(rows))
    if args.write:
        findings = args.findings.read_text().strip() if args.findings.exists() else ""
        write_section("faults", section(rows, witness, args, took, findings))
        print(f"wrote {DOC.relative_to(REPO)}")
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
