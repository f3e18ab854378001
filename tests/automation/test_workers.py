"""`pracha worker` processes on PostgreSQL are Procrastinate workers: a worker killed with SIGKILL in the
middle of a task stops its heartbeat; another worker gives the job back to the queue and runs the task
again, and in the end there is exactly one certificate and one notice. A task's Procrastinate job commits
or rolls back with the transaction that queued it. Also: backoff, failure after the last attempt, and
the admin retry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pracha.automation import pgqueue, tasks
from pracha.automation.models import Certificate, Task
from pracha.config import Settings
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.migrate import upgrade
from pracha.notices.models import InboxMessage
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.web.app import create_app
from tests.automation.helpers import context, submit
from tests.factories import create_citizen, create_staff, sign_in
from tests.pgserver import PostgresServer


@pytest.fixture
def pg_app(pg_server: PostgresServer, pg_template: str, tmp_path: Path) -> Iterator[FastAPI]:
    url = pg_server.create_database(f"workers_{os.getpid()}_{time.monotonic_ns()}", template=pg_template)
    application = create_app(Settings(database_url=url, var_dir=tmp_path / "var", secret_key="test-secret",
                                      automation_lease_seconds=3, automation_poll_seconds=0.2))
    yield application
    application.state.pracha.db.engine.dispose()


def _worker(app: FastAPI, log: Path) -> subprocess.Popen[bytes]:
    settings = app.state.pracha.settings
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_DATABASE_URL": settings.database_url,
           "PRACHA_VAR_DIR": str(settings.var_dir), "PRACHA_SECRET_KEY": settings.secret_key.get_secret_value(),
           "PRACHA_AUTOMATION_LEASE_SECONDS": "3", "PRACHA_AUTOMATION_POLL_SECONDS": "0.2"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "pracha.cli", "worker"], env=env, stdout=out, stderr=out)


def _wait(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def waiting_for_lock(app: FastAPI) -> bool:
    with app.state.pracha.db.engine.connect() as c:
        return bool(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                   "AND datname = current_database()")).scalar())


@pytest.mark.postgres
def test_kill_9_mid_task_gives_exactly_one_certificate_and_one_notice(pg_app: FastAPI, tmp_path: Path) -> None:
    app = pg_app
    with app.state.pracha.db.sessions() as db:
        application = submit(db, app, create_citizen(db))
        officer = Principal(user=create_staff(db, "officer", application.agency))
        service.act(db, app.state.pracha.registry.get(CATALOG), officer, application, "review")
        service.act(db, app.state.pracha.registry.get(CATALOG), officer, application, "approve")
        db.query(Task).filter(Task.kind == "bot").delete()  # only the certificate task matters here
        db.commit()
        app_id, citizen_id = application.id, application.citizen_id
    log = tmp_path / "workers.log"

    def jobs() -> list[str]:
        with app.state.pracha.db.engine.connect() as c:
            return list(c.execute(text("SELECT status FROM procrastinate_jobs WHERE task_name = :n AND "
                                       "(args->>'task_id')::int = :id"), {"n": pgqueue.TASK_NAME, "id": task().id})
                        .scalars())

    def task() -> Task:
        with app.state.pracha.db.sessions() as s:
            found = s.scalar(select(Task).where(Task.kind == "certificate"))
            assert found is not None
            return found

    # Hold the application's row lock, so the worker blocks inside the task after claiming it.
    with app.state.pracha.db.engine.connect() as blocker:
        blocker.execute(text("SELECT id FROM applications WHERE id = :id FOR UPDATE"), {"id": app_id})
        first = _worker(app, log)
        try:
            _wait(lambda: task().status == tasks.RUNNING)
            assert jobs() == ["doing"]  # a Procrastinate worker took the job
            _wait(lambda: waiting_for_lock(app))  # well inside the handler, waiting for the row lock
            os.kill(first.pid, signal.SIGKILL)
            assert first.wait(10) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                first.kill()
        blocker.rollback()
    assert task().status == tasks.RUNNING and task().attempts == 1  # the dead worker's claim is left
    assert jobs() == ["doing"]  # and its job, until a live worker sees that its heartbeat stopped
    second = _worker(app, log)
    try:
        _wait(lambda: task().status == tasks.DONE, 90)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    done = task()
    assert done.attempts == 2, log.read_text()
    assert "Procrastinate" in log.read_text()
    _wait(lambda: jobs() == [], 10)  # the retried job succeeded (successful jobs are deleted)
    with app.state.pracha.db.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Certificate)
                         .where(Certificate.application_id == app_id)) == 1
        notices = db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == citizen_id,
                                                                InboxMessage.body.like("%หนังสือรับรอง%")))
        assert len(list(notices)) == 1
        assert db.scalar(select(func.count()).select_from(LedgerEntry)
                         .where(LedgerEntry.kind == "certificate.issue")) == 1


@pytest.mark.postgres
def test_a_job_commits_or_rolls_back_with_the_change_that_queued_it(pg_app: FastAPI) -> None:
    def job_count() -> int:
        with pg_app.state.pracha.db.engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one())

    before = job_count()
    with pg_app.state.pracha.db.sessions() as db:
        tasks.enqueue(db, "test-fails", "rolled-back")
        db.rollback()
        assert job_count() == before
        task = tasks.enqueue(db, "test-fails", "committed", delay=60)
        db.commit()
        with pg_app.state.pracha.db.engine.connect() as c:
            row = c.execute(text("SELECT task_name, queue_name, args, scheduled_at FROM procrastinate_jobs "
                                 "WHERE (args->>'task_id')::int = :id"), {"id": task.id}).one()
        assert row.task_name == pgqueue.TASK_NAME and row.queue_name == pgqueue.QUEUE
        assert row.args == {"task_id": task.id} and row.scheduled_at > task.created_at
        assert db.scalar(select(func.count()).select_from(Task).where(Task.key == "rolled-back")) == 0
    upgrade(pg_app.state.pracha.settings.database_url)  # `pracha migrate` again: Procrastinate's schema is kept
    with pg_app.state.pracha.db.engine.begin() as c:
        assert not pgqueue.install_schema(c)
    assert job_count() == before + 1


@pytest.mark.postgres
def test_a_task_whose_job_is_gone_gets_a_new_one_after_the_lease(pg_app: FastAPI) -> None:
    with pg_app.state.pracha.db.sessions() as db:
        task = tasks.enqueue(db, "test-fails", "orphan")
        db.commit()
        db.execute(text("DELETE FROM procrastinate_jobs WHERE (args->>'task_id')::int = :id"), {"id": task.id})
        task.status, task.locked_until = tasks.RUNNING, task.created_at  # claimed by a worker long gone
        db.commit()
        assert pgqueue.redefer_orphans(db, 3) == 1
        db.commit()
        assert pgqueue.redefer_orphans(db, 3) == 0  # it has a live job now
        db.commit()
        status = db.execute(text("SELECT status FROM procrastinate_jobs WHERE (args->>'task_id')::int = :id"),
                            {"id": task.id}).scalars().all()
        assert status == ["todo"]
        fresh = tasks.enqueue(db, "test-fails", "young-and-queued")
        db.commit()
        db.execute(text("DELETE FROM procrastinate_jobs WHERE (args->>'task_id')::int = :id"), {"id": fresh.id})
        db.commit()
        assert pgqueue.redefer_orphans(db, 3) == 0  # queued a moment ago: not yet an orphan


@tasks.handler("test-fails")
def _fails(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    raise RuntimeError("registry down")


def test_failures_back_off_then_fail_and_an_admin_retries(db: Session, app: FastAPI,
                                                          make_client: Callable[..., TestClient]) -> None:
    tasks.enqueue(db, "test-fails", "test-fails:1", max_attempts=2)
    db.commit()
    ctx = context(app)
    assert tasks.run_one(app.state.pracha.db.sessions, ctx)
    db.expire_all()
    task = db.scalar(select(Task).where(Task.key == "test-fails:1"))
    assert task is not None and task.status == tasks.QUEUED and task.attempts == 1
    assert "registry down" in (task.last_error or "")
    assert not tasks.run_one(app.state.pracha.db.sessions, ctx)  # backing off: not ready yet
    task.run_after = task.created_at
    db.commit()
    assert tasks.run_one(app.state.pracha.db.sessions, ctx)
    db.expire_all()
    assert task.status == tasks.FAILED and task.attempts == 2
    admin = make_client()
    csrf = sign_in(db, admin, create_staff(db, "platform_admin"))
    page = admin.get("/admin/automation")
    assert page.status_code == 200 and "test-fails:1" in page.text and "registry down" in page.text
    assert admin.post(f"/admin/automation/tasks/{task.id}/retry", data={"csrf_token": csrf}).status_code == 303
    db.expire_all()
    assert task.status == tasks.QUEUED and task.attempts == 0
    assert admin.post(f"/admin/automation/tasks/{task.id}/retry", data={"csrf_token": csrf}).status_code == 409


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [tasks.backoff_seconds(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert tasks.backoff_seconds(40) == 3600.0
