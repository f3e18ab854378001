"""One task API for both runners: `enqueue` in the caller's transaction (idempotent by key), and
`run_one` that claims a ready task, runs its handler and marks it done *in the handler's transaction*,
so a task's effect and its completion commit together or not at all.

On SQLite the in-process runner claims with `run_one` under the database's write lock; a runner that
dies mid-task leaves its claim behind with a lease, and when the lease runs out the task is claimed again.
On PostgreSQL every queued task also gets a Procrastinate job in the same transaction (`pgqueue.defer`),
and Procrastinate workers run it through `run_task`. Failures are retried with exponential backoff; after
`max_attempts` the task is `failed`, shown on the admin page, and can be retried there.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pracha.automation.metrics import TASK_FAILURES
from pracha.automation.models import Task
from pracha.config import Settings, default_of
from pracha.db import begin_write, utcnow
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.services.catalog import Catalog

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Context:
    """What handlers get besides their session and payload."""

    catalog: Catalog
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Session, Context, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
# A task's slow part (a PDF, registry calls) done ahead in a read-only session, outside any write
# transaction and outside the write lock; its result reaches the handler as payload["prepared"]. The
# handler re-checks that it still applies (the world may have moved meanwhile) and otherwise does the
# work itself.
Preparer = Callable[[Session, Context, dict[str, Any]], Any]
PREPARERS: dict[str, Preparer] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function
    return register


def preparer(kind: str) -> Callable[[Preparer], Preparer]:
    def register(function: Preparer) -> Preparer:
        PREPARERS[kind] = function
        return function
    return register


def enqueue(session: Session, kind: str, key: str, payload: dict[str, Any] | None = None, *,
            delay: float = 0.0, max_attempts: int = 0, fresh: bool = False) -> Task:
    """Queue a task unless one with this key exists (then return that one). `max_attempts` 0: the
    runner's `automation_max_attempts` setting decides. `fresh`: the caller knows no task has this key
    (it holds a lock on the row the key names, changed once): no lookup, no savepoint (a hot path)."""
    task = Task(kind=kind, key=key, payload=payload or {}, status=QUEUED, attempts=0, max_attempts=max_attempts,
                run_after=utcnow() + dt.timedelta(seconds=delay))
    if fresh:
        session.add(task)
        _dispatch(session, task)
        return task
    existing = session.scalar(select(Task).where(Task.key == key))
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:  # queued by a concurrent transaction a moment ago
        found = session.scalar(select(Task).where(Task.key == key))
        assert found is not None
        return found
    _dispatch(session, task)
    return task


def _dispatch(session: Session, task: Task) -> None:
    """On PostgreSQL: a Procrastinate job for the task, in the same transaction."""
    if session.get_bind().dialect.name == "postgresql":
        from pracha.automation import pgqueue

        session.flush()
        pgqueue.defer(session, task.id, task.run_after)


def backoff_seconds(attempts: int, base: float = 2.0, cap: float = 3600.0) -> float:
    """Wait before retry number `attempts`: base · 2^(attempts−1), at most `cap`."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(sessions: sessionmaker[Session], worker: str, lease_seconds: float) -> int | None:
    """Take the oldest ready task (or one whose worker's lease ran out); commit the claim."""
    with sessions() as session:
        begin_write(session)
        now = utcnow()
        query = (select(Task).where(or_(
            (Task.status == QUEUED) & (Task.run_after <= now),
            (Task.status == RUNNING) & (Task.locked_until < now)))
            .order_by(Task.run_after, Task.id).limit(1))
        if session.get_bind().dialect.name != "sqlite":
            query = query.with_for_update(skip_locked=True)
        task = session.scalar(query)
        if task is None:
            return None
        task.status = RUNNING
        task.attempts += 1
        task.locked_by = worker
        task.locked_until = now + dt.timedelta(seconds=lease_seconds)
        session.commit()
        return task.id


def run_one(sessions: sessionmaker[Session], context: Context, worker: str | None = None,
            lease_seconds: float = default_of("automation_lease_seconds")) -> bool:
    """Claim and run one task; False when none was ready."""
    worker = worker or worker_name()
    task_id = claim(sessions, worker, lease_seconds)
    if task_id is None:
        return False
    execute(sessions, context, task_id, worker, prepare(sessions, context, task_id))
    return True


def run_task(sessions: sessionmaker[Session], context: Context, task_id: int, worker: str | None = None) -> bool:
    """Run task `task_id` for a Procrastinate job: claim it unless it is done or failed (a job repeated
    after a crash, or delivered twice, then does nothing); False when there was nothing to do."""
    worker = worker or worker_name()
    with sessions() as session:
        begin_write(session)
        task = session.get(Task, task_id, with_for_update=True)
        if task is None or task.status not in (QUEUED, RUNNING):
            return False
        task.status, task.locked_by = RUNNING, worker
        task.attempts += 1
        task.locked_until = utcnow() + dt.timedelta(seconds=context.settings.automation_lease_seconds)
        session.commit()
    execute(sessions, context, task_id, worker, prepare(sessions, context, task_id))
    return True


def prepare(sessions: sessionmaker[Session], context: Context, task_id: int) -> Any:
    """A claimed task's slow part, in a read-only session (see PREPARERS); None when its kind has none
    or it failed (the handler then does the work itself, and reports any error)."""
    with sessions() as session:
        task = session.get(Task, task_id)
        function = PREPARERS.get(task.kind) if task is not None else None
        if task is None or function is None:
            return None
        try:
            return function(session, context, dict(task.payload))
        except Exception:  # noqa: BLE001 - the handler does it again, inside the transaction, and records why
            log.warning("preparing task %s failed; the handler will do the work", task_id, exc_info=True)
            return None
        finally:
            session.rollback()


def execute(sessions: sessionmaker[Session], context: Context, task_id: int, worker: str,
            prepared: Any = None) -> None:
    """Run a claimed task's handler; its effect and `done` commit together. The task row stays locked
    for the whole transaction, and a task claimed meanwhile by another worker is left to that worker."""
    with sessions() as session:
        begin_write(session)
        task = session.get(Task, task_id, with_for_update=True)
        assert task is not None
        if task.status != RUNNING or task.locked_by != worker:
            return
        payload = dict(task.payload)
        if prepared is not None:
            payload["prepared"] = prepared
        try:
            HANDLERS[task.kind](session, context, payload)
            task.status, task.finished_at, task.locked_until, task.last_error = DONE, utcnow(), None, None
            session.commit()
            return
        except Exception as exc:  # noqa: BLE001 - any failure of a handler is recorded and retried
            session.rollback()
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            log.warning("task %s failed: %s", task_id, error)
    _failed(sessions, task_id, error, context.settings.automation_max_attempts)


def _failed(sessions: sessionmaker[Session], task_id: int, error: str, default_limit: int) -> None:
    with sessions() as session:
        begin_write(session)
        task = session.get(Task, task_id)
        assert task is not None
        task.last_error = error
        task.locked_until = None
        final = task.attempts >= (task.max_attempts or default_limit)
        TASK_FAILURES.labels(task.kind, "failed" if final else "retry").inc()
        if final:
            task.status, task.finished_at = FAILED, utcnow()
        else:
            task.status = QUEUED
            task.run_after = utcnow() + dt.timedelta(seconds=backoff_seconds(task.attempts))
            _dispatch(session, task)
        session.commit()


def retry(session: Session, task_id: int) -> Task | None:
    """An admin's retry of a failed task: queued again now, with a fresh count of attempts."""
    task = session.get(Task, task_id)
    if task is None or task.status != FAILED:
        return None
    task.status, task.attempts, task.run_after, task.finished_at = QUEUED, 0, utcnow(), None
    _dispatch(session, task)
    return task


def run_until_idle(sessions: sessionmaker[Session], context: Context, *, limit: int = 10_000) -> int:
    """Run ready tasks until none is left (tests, `pracha worker --until-idle`); the number run."""
    count = 0
    while count < limit and run_one(sessions, context):
        count += 1
    return count


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Task.status, func.count()).group_by(Task.status))
    return {status: n for status, n in rows}


FAILED_ORDER = (SortKey(Task.id, descending=True),)


def failed_tasks(session: Session, page: PageRequest = PageRequest()) -> Page[Task]:
    """Failed tasks, newest first."""
    return fetch_page(session, select(Task).where(Task.status == FAILED), FAILED_ORDER, page)
