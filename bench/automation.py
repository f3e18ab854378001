"""Automation throughput: elderly-allowance applications processed end to end per second (submit →
bot: two registry calls through the mediator, rules, ledger → approval → certificate PDF → notice), on
SQLite with the in-process runner and on PostgreSQL with 1, 2 and 4 `pracha worker` processes
(Procrastinate workers); and the automation rate on the demo data (the demo registries' elderly
citizens, each applying once).

Run from the repository root (the script imports tests.pgserver and tests.servers):

    PYTHONPATH=. .venv/bin/python bench/automation.py [--applications 60] [--workers 1,2,4] [--write]

The civil and welfare registries run as their own `pracha registry serve` processes, seeded with the
demo people (`--citizens`); the applicants are that world's citizens aged 60 or more, so some are
eligible and others are not (already paid, state pensioners, in state care, living elsewhere). Each run
uses a fresh, migrated database; the applications are submitted in one transaction, and the clock runs
from that commit until no task is queued or running. Worker processes are started (and ready) before the
submit. `--write` rewrites the Automation section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pracha.services.hooks import CATALOG

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bench.common import REPO, code_version, load_average, machine, write_section  # noqa: E402


@contextlib.contextmanager
def registries(var_dir: Path, base: Path, citizens: int) -> Iterator[dict[str, str]]:
    from pracha.exchange import keys
    from pracha.exchange.vocabulary import MEDIATOR
    from tests import servers

    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))
    with servers.registry("civil", var_dir, base, citizens=citizens) as civil, \
            servers.registry("welfare", var_dir, base, citizens=citizens) as welfare:
        yield {"civil": civil, "welfare": welfare}


def prepare(url: str, settings: Any, urls: dict[str, str], people: list[Any]) -> tuple[Any, list[int]]:
    """Migrate, seed the exchange, add the applicants with drafts ready to submit; returns the app."""
    from pracha.exchange.mediator import public_keys
    from pracha.exchange.models import Subsystem
    from pracha.exchange.seed import seed_exchange
    from pracha.exchange.vocabulary import REGISTRIES
    from pracha.identity.models import CITIZEN, User
    from pracha.identity.principal import Principal
    from pracha.migrate import upgrade
    from pracha.services import service
    from pracha.web.app import create_app
    from tests.services.helpers import ELDERLY_FORM, PDF

    upgrade(url)
    app = create_app(settings)
    catalog = app.state.pracha.registry.get(CATALOG)
    storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
    drafts = []
    with app.state.pracha.db.sessions() as db:
        seed_exchange(db, settings, catalog, fetch=False)
        for name, base in urls.items():
            row = db.get(Subsystem, REGISTRIES[name].subsystem)
            assert row is not None
            row.base_url = base
        for person in people:
            user = User(role=CITIZEN, national_id=person.national_id, first_name=person.first_name_th,
                        last_name=person.last_name_th, birth_date=person.birth_date, language="th",
                        password_hash="!")
            db.add(user)
            db.flush()
            owner = Principal(user=user)
            draft = service.create_application(db, catalog, owner, "elderly-allowance", ELDERLY_FORM)
            for requirement in ("id-card", "house-registration"):
                service.add_document(db, storage, catalog, owner, draft, requirement=requirement,
                                     filename="d.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
            drafts.append(draft.id)
        db.commit()
    public_keys.clear()
    return app, drafts


def submit_all(app: Any, drafts: list[int]) -> float:
    from pracha.db import begin_write
    from pracha.identity.principal import Principal
    from pracha.services import service
    from pracha.services.models import Application

    with app.state.pracha.db.sessions() as db:
        begin_write(db)
        for draft_id in drafts:
            application = db.get(Application, draft_id)
            assert application is not None
            catalog = app.state.pracha.registry.get(CATALOG)
            service.act(db, catalog, Principal(user=application.citizen), application, "submit",
                        declaration=True)
        db.commit()
    return time.perf_counter()


def pending(app: Any) -> int:
    from sqlalchemy import func, select

    from pracha.automation.models import Task

    with app.state.pracha.db.sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Task).where(Task.status.in_(("queued", "running"))))
                   or 0)


def outcome(app: Any, n: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from pracha.automation.models import BotDecision, Certificate, Task

    with app.state.pracha.db.sessions() as db:
        outcomes = dict(db.execute(select(BotDecision.outcome, func.count()).group_by(BotDecision.outcome)).all())
        certs = int(db.scalar(select(func.count()).select_from(Certificate)) or 0)
        failed = int(db.scalar(select(func.count()).select_from(Task).where(Task.status == "failed")) or 0)
        unchecked = sum(1 for findings in db.scalars(select(BotDecision.findings))
                        for f in findings if f["outcome"] in ("missing", "error"))
        reasons: dict[str, int] = {}
        for findings in db.scalars(select(BotDecision.findings)):
            for f in findings:
                if f["outcome"] == "fail":
                    reasons[f["id"]] = reasons.get(f["id"], 0) + 1
    assert sum(outcomes.values()) == n, outcomes
    return {"outcomes": outcomes, "certificates": certs, "failed": failed, "unchecked": unchecked,
            "reasons": reasons}


def worker_processes(settings: Any, count: int, tmp: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_DATABASE_URL": settings.database_url,
           "PRACHA_VAR_DIR": str(settings.var_dir), "PRACHA_SECRET_KEY": settings.secret_key.get_secret_value(),
           "PRACHA_CATALOG_DIR": str(REPO / "catalog"), "PRACHA_AUTOMATION_POLL_SECONDS": "0.05"}
    pracha = Path(sys.executable).with_name("pracha")
    procs = []
    for i in range(count):
        log = (tmp / f"worker-{i}.log").open("wb")
        procs.append(subprocess.Popen([str(pracha), "worker"], env=env, cwd=tmp, stdout=log,
                                      stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 60
    for i in range(count):
        while b"started" not in (tmp / f"worker-{i}.log").read_bytes():
            if time.monotonic() > deadline or procs[i].poll() is not None:
                raise RuntimeError((tmp / f"worker-{i}.log").read_text())
            time.sleep(0.1)
    return procs


def run(engine: str, workers: int, people: list[Any], urls: dict[str, str], var_dir: Path,
        pg: Any) -> dict[str, Any]:
    from pracha.config import Settings

    with tempfile.TemporaryDirectory(prefix="pracha-bench-auto-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'pracha.db'}" if engine == "sqlite" else \
            pg.create_database(f"auto_{workers}_{secrets.token_hex(3)}")
        settings = Settings(database_url=url, var_dir=var_dir, secret_key="bench", catalog_dir=REPO / "catalog",
                            ledger_sequence_seconds=0, automation_poll_seconds=0.05)
        app, drafts = prepare(url, settings, urls, people)
        procs = worker_processes(settings, workers, tmp) if workers else []
        try:
            started = submit_all(app, drafts)
            if not workers:
                from pracha.automation import tasks
                from pracha.automation.runner import work

                catalog = app.state.pracha.registry.get(CATALOG)
                work(app.state.pracha.db.sessions, tasks.Context(catalog, settings), until_idle=True)
            samples, waiting = 0, 0
            while pending(app):
                if engine == "postgres":
                    samples += 1
                    waiting += lock_waits(app)
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
        result = outcome(app, len(drafts))
        app.state.pracha.db.engine.dispose()
    return {"engine": engine, "workers": workers, "n": len(drafts), "seconds": elapsed,
            "per_second": len(drafts) / elapsed, "lock_samples": (waiting, samples), **result}


def lock_waits(app: Any) -> int:
    """1 if some backend of this database is waiting on a lock right now (pg_stat_activity)."""
    from sqlalchemy import text

    with app.state.pracha.db.engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock'")).scalar()
    return 1 if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=60, help="applications per run (at most the elderly)")
    parser.add_argument("--citizens", type=int, default=300, help="demo citizens in the registries")
    parser.add_argument("--workers", default="1,2,4", help="worker processes on PostgreSQL, comma-separated")
    parser.add_argument("--write", action="store_true", help="rewrite the Automation section of the docs")
    args = parser.parse_args()
    from pracha.calendar import BANGKOK
    from pracha.registries.base import load_world
    from tests.pgserver import start_postgres

    world = load_world((REPO / "catalog").resolve(), args.citizens, 2569, dt.datetime.now(BANGKOK).date())
    elderly = [p for p in world.people if p.alive and world.age(p) >= 60]
    people = elderly[:args.applications]
    load_before = load_average()
    results = []
    with tempfile.TemporaryDirectory(prefix="pracha-bench-reg-") as name, \
            registries(Path(name) / "var", Path(name), args.citizens) as urls:
        var_dir = Path(name) / "var"
        results.append(run("sqlite", 0, people, urls, var_dir, None))
        print(results[-1], flush=True)
        pg = start_postgres()
        try:
            for workers in [int(w) for w in args.workers.split(",") if w]:
                results.append(run("postgres", workers, people, urls, var_dir, pg))
                print(results[-1], flush=True)
        finally:
            if pg is not None:
                pg.stop()
        rate_run = run("sqlite", 0, elderly, urls, var_dir, None) if len(elderly) > len(people) else results[0]
    approved = rate_run["outcomes"].get("approved", 0)
    lines = [
        "<!-- automation:start -->",
        "## Automation",
        "",
        f"`bench/automation.py --applications {args.applications} --citizens {args.citizens}` on {machine()}, "
        f"code {code_version()}, load average {load_before:.2f} before the run (the machine is shared). "
        "Each application: two registry calls through the mediator (civil and welfare registries as their own "
        "processes), the rules, the ledger, then for the eligible ones the approval, a certificate PDF "
        "(WeasyPrint) and a notice. Clock from the submit commit until no task is queued or running.",
        "",
        "| database | runner | applications | seconds | applications/s | approved by the bot | to an officer "
        "| certificates | failed tasks |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        runner = "in-process" if r["workers"] == 0 else f"{r['workers']} × `pracha worker` (Procrastinate)"
        lines.append(f"| {r['engine']} | {runner} | {r['n']} | {r['seconds']:.1f} | {r['per_second']:.2f} | "
                     f"{r['outcomes'].get('approved', 0)} | {r['outcomes'].get('officer', 0)} | "
                     f"{r['certificates']} | {r['failed']} |")
    base = next((r for r in results if r["workers"] == 1), None)
    if base:
        curve = ", ".join(f"{r['workers']} → {r['per_second'] / base['per_second']:.2f}×" for r in results
                          if r["workers"])
        waits = ", ".join(f"{r['workers']} workers: {r['lock_samples'][0]} of {r['lock_samples'][1]}"
                          for r in results if r["workers"])
        lines += ["", f"Scaling on PostgreSQL relative to one worker (same run): {curve}. The machine has "
                  f"{os.cpu_count()} cores shared with the registries, the database, this script and other "
                  "work; samples of pg_stat_activity every 50 ms in which a backend waited on a lock: "
                  f"{waits}. With (almost) no lock waits, the queue is not what limits the rate: the work "
                  "(PDF rendering, signatures, the registries) is bound by CPU, so workers beyond the "
                  f"machine's {os.cpu_count()} cores cannot add much."]
    lines += ["", f"Automation rate on the demo data: {approved} of {rate_run['n']} elderly demo citizens "
              f"({100 * approved / rate_run['n']:.0f} %) were approved with no human; the others went to an "
              "officer with the failing rule shown (a bot never rejects). Rules failed: "
              + ", ".join(f"`{k}` {v}" for k, v in sorted(rate_run["reasons"].items())) +
              f"; checks that could not be made (registry refused or missing data): {rate_run['unchecked']}.",
              "<!-- automation:end -->"]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("automation", text)


if __name__ == "__main__":
    main()
