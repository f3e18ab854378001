"""Finding 7 of issue 13: `/ledger/checkpoint` answered 500 "database is locked" while a backlog of bot
tasks drained after a restart. Sequencing took its write transaction beside the process's write lock,
and the runner held that lock (and SQLite's) through PDF rendering and bot work.

Here a backlog of certificate tasks (each renders a PDF) is queued before the server starts; while the
in-process runner drains it and the background sequencer runs, clients keep asking for the checkpoint.
SQLite's busy timeout is cut from 30 s to 1 s so that a waiter starved behind the runner fails within
the test's time, as it did behind a longer backlog in production."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from pracha.automation.models import Certificate
from pracha.config import Settings
from pracha.identity.principal import Principal
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.web.app import create_app
from tests.automation.helpers import submit
from tests.factories import create_citizen, create_staff

BACKLOG = 8


# The write lock and SQLite's busy timeout are SQLite's: PostgreSQL has neither.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_finding_7_checkpoint_answers_200_while_a_backlog_drains(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(automation_poll_seconds=0.05, ledger_sequence_seconds=0.2)
    app = create_app(settings)
    engine = app.state.pracha.db.engine

    @event.listens_for(engine, "connect")
    def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=1000")

    with app.state.pracha.db.sessions() as db:  # the backlog, queued before the server starts
        catalog = app.state.pracha.registry.get(CATALOG)
        for _ in range(BACKLOG):
            application = submit(db, app, create_citizen(db))
            officer = Principal(user=create_staff(db, "officer", application.agency))
            service.act(db, catalog, officer, application, "review")
            service.act(db, catalog, officer, application, "approve")  # queues the certificate task
            db.commit()
    engine.dispose()

    statuses: list[int] = []
    drained = threading.Event()
    try:
        with TestClient(app, base_url="http://testserver") as client:
            def ask() -> None:
                while not drained.is_set():
                    statuses.append(client.get("/ledger/checkpoint").status_code)

            with ThreadPoolExecutor(max_workers=4) as pool:
                askers = [pool.submit(ask) for _ in range(4)]
                deadline = time.monotonic() + 240
                with app.state.pracha.db.sessions() as db:
                    while time.monotonic() < deadline:
                        db.rollback()
                        if db.scalar(select(func.count()).select_from(Certificate)) == BACKLOG:
                            break
                        time.sleep(0.1)
                    issued = db.scalar(select(func.count()).select_from(Certificate))
                drained.set()
                for asker in askers:
                    asker.result()
            final = client.get("/ledger/checkpoint")
    finally:
        engine.dispose()
    assert issued == BACKLOG
    assert len(statuses) >= 8 and set(statuses) == {200}, sorted(set(statuses))
    assert final.status_code == 200
