"""Many writers at once: every request is answered, none fails with "database is locked", and
nothing is lost. (On SQLite, 60 writers once filled the thread pool with threads stuck in SQLite's
busy wait while the lock holder waited for a thread: a deadlock until the busy timeout.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.services.models import Application
from tests.factories import create_citizen, sign_in

WRITERS = 60
BIRTH_DRAFT = {"child_first_name": "ทดสอบ", "child_last_name": "พร้อมกัน"}


def test_sixty_concurrent_submits(db: Session, app: FastAPI) -> None:
    # one citizen's 60 drafts (of a service that allows several: twins, triplets...): beyond the default
    # quota, which is not tested here
    state = app.state.pracha
    state.settings = state.settings.model_copy(update={"quota_open_drafts": 0})
    with TestClient(app) as client:  # one event loop for every request, as under a real server
        csrf = sign_in(db, client, create_citizen(db))

        def submit(_: int) -> int:
            return client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                               json={"service_id": "birth-registration", "data": BIRTH_DRAFT}).status_code

        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            statuses = list(pool.map(submit, range(WRITERS)))
    assert statuses == [201] * WRITERS
    db.rollback()
    assert db.scalar(select(func.count(Application.id))) == WRITERS
