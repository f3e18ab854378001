"""The in-process runner (the default for `make run`): started in the app's lifespan, it picks up a
submitted application's bot task without anything else running."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from pracha.automation.models import BotDecision
from pracha.config import Settings
from pracha.web.app import create_app
from tests.factories import create_citizen, sign_in
from tests.services.helpers import act, ready_application


def test_the_lifespan_runner_processes_a_submitted_application(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(automation_poll_seconds=0.1, ledger_sequence_seconds=0))
    try:
        with TestClient(app, base_url="http://testserver") as client, app.state.pracha.db.sessions() as db:
            csrf = sign_in(db, client, create_citizen(db))
            reference = ready_application(client, csrf)
            assert act(client, csrf, reference, "submit").status_code == 200
            deadline = time.monotonic() + 60
            decision = None
            while decision is None and time.monotonic() < deadline:
                time.sleep(0.2)
                db.rollback()
                decision = db.scalar(select(BotDecision))
            assert decision is not None and decision.outcome == "officer"
            status = client.get(f"/api/v1/applications/{reference}/status").json()["status"]
            assert status == "in_review"
    finally:
        app.state.pracha.db.engine.dispose()
