"""The PostgreSQL runner: Procrastinate. Our `tasks` table stays the record of every task (status,
attempts, last error; the admin pages read it); a Procrastinate job only says "run task N now".

- Transactional enqueue: `defer` calls Procrastinate's own SQL function `procrastinate_defer_jobs_v1`
  through the caller's SQLAlchemy session, so the job commits with the change that caused it, or not at
  all (Procrastinate's Python `defer` would use a connection of its own).
- A job runs `tasks.run_task`, which claims the task row and completes it in the handler's transaction;
  a job delivered for a task that is already done does nothing, so a repeated job has no visible effect.
- A worker killed with SIGKILL stops sending heartbeats; every worker's housekeeping loop gives the
  jobs of workers silent for longer than `automation_lease_seconds` back to the queue
  (`get_stalled_jobs` + `retry_job`), and another worker runs the task again from the start.
- A task left without a live job (its job failed on an error outside the handler, say the database went
  away) gets a new one once its claim is older than the lease (`redefer_orphans`).
- Retries with backoff are ours: a failed attempt records its error and defers a new job for later in
  the same transaction; after the last attempt the task is `failed` until an admin retries it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import procrastinate
import psycopg_pool
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
QUEUE = "pracha"
TASK_NAME = "pracha.run_task"
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(CAST(:queue AS varchar), CAST(:task AS varchar), 0, "
    "NULL::text, NULL::text, CAST(:args AS jsonb), CAST(:at AS timestamptz))]::procrastinate_job_to_defer_v1[]))")


def defer(session: Session, task_id: int, at: dt.datetime | None = None) -> int:
    """Queue a Procrastinate job for task `task_id` in the session's transaction; the job's id."""
    job_id = session.execute(_DEFER, {"queue": QUEUE, "task": TASK_NAME, "args": f'{{"task_id": {int(task_id)}}}',
                                      "at": at}).scalar_one()
    return int(job_id)


_NO_LIVE_JOB = text(
    "NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.task_name = 'pracha.run_task' AND j.status IN "
    "('todo', 'doing') AND (j.args->>'task_id')::bigint = automation_tasks.id)")


def redefer_orphans(session: Session, lease_seconds: float, limit: int = 100) -> int:
    """Backstop: a job for every unfinished task that has none alive (its job failed on an error outside
    the handler, or was lost) once its claim or its start is older than the lease; how many."""
    from sqlalchemy import or_, select

    from pracha.automation.models import Task
    from pracha.automation.tasks import QUEUED, RUNNING
    from pracha.db import utcnow

    now, lease = utcnow(), dt.timedelta(seconds=lease_seconds)
    query = (select(Task).where(or_((Task.status == RUNNING) & (Task.locked_until < now),
                                    (Task.status == QUEUED) & (Task.run_after < now - lease)), _NO_LIVE_JOB)
             .order_by(Task.id).limit(limit).with_for_update(skip_locked=True))
    orphans = list(session.scalars(query))
    for task in orphans:  # moving the times makes a concurrent sweeper's recheck of the row fail
        task.locked_until, task.run_after = now + lease, now
        defer(session, task.id)
    return len(orphans)


def install_schema(connection: Connection) -> bool:
    """Create Procrastinate's tables and functions unless they exist (part of `pracha migrate`)."""
    if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return False
    from procrastinate.schema import SchemaManager

    raw: Any = connection.connection.driver_connection
    raw.execute(SchemaManager.get_schema())  # many statements, no parameters: psycopg runs them as one script
    return True


def conninfo(database_url: str) -> str:
    """The libpq form of our SQLAlchemy URL (postgresql+psycopg://… → postgresql://…)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(sessions: sessionmaker[Session], context: Any) -> procrastinate.App:
    """A Procrastinate app whose one task runs our task rows with these sessions and context."""
    from pracha.automation import tasks

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(context.settings.database_url)))

    @app.task(name=TASK_NAME, queue=QUEUE)
    def run_task(task_id: int) -> None:
        tasks.run_task(sessions, context, task_id)

    return app


async def recover_stalled(app: procrastinate.App, silent_seconds: float) -> int:
    """Give the jobs of workers without a heartbeat for `silent_seconds` back to the queue."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=silent_seconds))
    for job in stalled:
        log.warning("job %s of a silent worker goes back to the queue", job.id)
        await app.job_manager.retry_job(job)
    return len(stalled)


def _sweep(sessions: sessionmaker[Session], lease_seconds: float) -> None:
    with sessions() as session:
        if redefer_orphans(session, lease_seconds):
            log.warning("tasks without a live job were queued again")
        session.commit()


async def _housekeeping(app: procrastinate.App, sessions: sessionmaker[Session], context: Any) -> None:
    from pracha.automation.runner import housekeeping

    settings = context.settings
    every = max(settings.automation_poll_seconds, 1.0)  # notices and stalled jobs need no tighter loop
    while True:
        try:
            await asyncio.to_thread(housekeeping, sessions, context)
            await recover_stalled(app, settings.automation_lease_seconds)
            await asyncio.to_thread(_sweep, sessions, settings.automation_lease_seconds)
        except Exception:  # noqa: BLE001 - housekeeping must outlive one bad round; it is logged
            log.exception("automation housekeeping failed")
        await asyncio.sleep(every)


async def work(sessions: sessionmaker[Session], context: Any, *, until_idle: bool = False,
               install_signal_handlers: bool = True, name: str = "pracha",
               on_ready: Callable[[], None] | None = None) -> None:
    """A Procrastinate worker on our queue plus the housekeeping loop (`pracha worker`, or in-process)."""
    settings = context.settings
    app = make_app(sessions, context)
    # Our own pool, closed in `finally` even when the worker is cancelled while it still connects: a
    # pool left open kept retrying in the background and held the event loop's shutdown for minutes.
    pool = psycopg_pool.AsyncConnectionPool(conninfo(settings.database_url), open=False, min_size=1, max_size=4,
                                            reconnect_timeout=30,
                                            check=psycopg_pool.AsyncConnectionPool.check_connection)
    try:
        await pool.open(wait=True, timeout=30)
        await app.open_async(pool=pool)
        await _work(app, sessions, context, until_idle=until_idle,
                    install_signal_handlers=install_signal_handlers, name=name, on_ready=on_ready)
    finally:
        await pool.close(timeout=2)


async def _work(app: procrastinate.App, sessions: sessionmaker[Session], context: Any, *, until_idle: bool,
                install_signal_handlers: bool, name: str, on_ready: Callable[[], None] | None) -> None:
    settings = context.settings
    keeper = asyncio.create_task(_housekeeping(app, sessions, context))
    if on_ready is not None:
        on_ready()
    try:
        await app.run_worker_async(
            queues=[QUEUE], name=name, wait=not until_idle, concurrency=1,
            install_signal_handlers=install_signal_handlers, delete_jobs="successful",
            fetch_job_polling_interval=max(settings.automation_poll_seconds, 0.1),
            update_heartbeat_interval=max(settings.automation_lease_seconds / 3, 0.2),
            stalled_worker_timeout=settings.automation_lease_seconds)
    finally:
        keeper.cancel()
