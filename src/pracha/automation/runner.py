"""The two runners of the one task API. SQLite: an asyncio task in the web server's lifespan (the
default for `make run`), or `pracha worker` looping over `tasks.run_one`. In the server the runner
holds the process's SQLite write lock only for its short write transactions (the claim, then the
handler's transaction); a task's slow part (a certificate's PDF, the bot's registry calls) is prepared
between them without the lock (`tasks.PREPARERS`), so requests and ledger sequencing are not held up
behind it (finding 7 of issue 13). PostgreSQL: Procrastinate workers (`pgqueue.work`) in any number of
`pracha worker` processes on any machine, or in the web server when `automation_in_process` is on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from pracha.automation import delivery, schedules, tasks
from pracha.automation import service as _handlers  # noqa: F401 - its @tasks.handler("bot"/"certificate")
from pracha.config import Settings
from pracha.db import Database, begin_write, utcnow
from pracha.services.catalog import Catalog

log = logging.getLogger(__name__)


def housekeeping(sessions: sessionmaker[Session], context: tasks.Context) -> None:
    """Queue today's daily job and this hour's (once each, by their keys) and send the due notices."""
    from pracha.services.service import today_in_thailand

    with sessions() as session:
        begin_write(session)
        schedules.ensure_daily(session, today_in_thailand())
        schedules.ensure_hourly(session, utcnow())
        senders = context.extra.get("senders") or delivery.senders_from(context.settings)
        delivery.deliver_due(session, senders, max_attempts=context.settings.notice_max_attempts)
        session.commit()


def work(sessions: sessionmaker[Session], context: tasks.Context, *, stop: threading.Event | None = None,
         until_idle: bool = False, on_idle: Callable[[], None] | None = None) -> int:
    """A worker's loop (the body of `pracha worker`); returns the number of tasks run."""
    stop = stop or threading.Event()
    settings = context.settings
    done = 0
    last_housekeeping = 0.0
    while not stop.is_set():
        if time.monotonic() - last_housekeeping >= settings.automation_poll_seconds:
            housekeeping(sessions, context)
            last_housekeeping = time.monotonic()
        if tasks.run_one(sessions, context, lease_seconds=settings.automation_lease_seconds):
            done += 1
            continue
        if until_idle:
            break
        if on_idle is not None:
            on_idle()
        stop.wait(settings.automation_poll_seconds)
    return done


async def run_in_process(database: Database, catalog: Catalog, settings: Settings) -> None:
    """The in-process runner: one step at a time under the SQLite write lock, forever (until cancelled).
    `database`'s sessions carry the app's hooks (registered by the composition root)."""
    context = tasks.Context(catalog, settings)
    if not database.is_sqlite:
        from pracha.automation import pgqueue

        await pgqueue.work(database.sessions, context, install_signal_handlers=False)
        return
    every = settings.automation_poll_seconds
    last = 0.0
    worker = tasks.worker_name()
    while True:
        try:
            if time.monotonic() - last >= every:
                async with _locked(database):
                    await run_in_threadpool(housekeeping, database.sessions, context)
                last = time.monotonic()
            ran = await run_step(database, context, worker)
        except Exception:  # noqa: BLE001 - the runner must outlive one bad step; it is logged
            log.exception("automation runner step failed")
            ran = False
        if not ran:
            await asyncio.sleep(every)


def _locked(database: Database) -> contextlib.AbstractAsyncContextManager[object]:
    return database.write_lock.current() if database.write_lock is not None else contextlib.nullcontext()


async def run_step(database: Database, context: tasks.Context, worker: str) -> bool:
    """Claim one task (under the lock), prepare its slow part (without it), run its handler's write
    transaction (under it again). False when no task was ready."""
    sessions, lease = database.sessions, context.settings.automation_lease_seconds
    async with _locked(database):
        task_id = await run_in_threadpool(tasks.claim, sessions, worker, lease)
    if task_id is None:
        return False
    prepared = await run_in_threadpool(tasks.prepare, sessions, context, task_id)
    async with _locked(database):
        await run_in_threadpool(tasks.execute, sessions, context, task_id, worker, prepared)
    return True
