"""One open application per citizen per service (unless the catalogue says `multiple: true`): a second
draft or submission answers 409 `duplicate_application` naming the existing one, also when two requests
race (real threads, real SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.services import workflow
from pracha.services.models import Application
from tests.factories import create_citizen, sign_in
from tests.services.helpers import ELDERLY_FORM, act, ready_application

# one answer each: an empty form makes no draft
ONE_ANSWER = {"elderly-allowance": {"phone": "0812345678"}, "birth-registration": {"child_first_name": "ทดสอบ"},
              "building-permit": {"phone": "0812345678"}, "residence-certificate": {"purpose": "job"},
              "disability-allowance": {"phone": "0812345678"}}


def create(client: TestClient, csrf: str, service_id: str = "elderly-allowance", **headers: str) -> Any:
    return client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf, **headers},
                       json={"service_id": service_id, "data": ONE_ANSWER[service_id]})


def test_finding_1_second_elderly_application_answers_409(db: Session, client: TestClient) -> None:
    """Why-list item 1: a second elderly-allowance application was accepted while one was open."""
    csrf = sign_in(db, client, create_citizen(db))
    first = ready_application(client, csrf)
    assert act(client, csrf, first, "submit").status_code == 200
    second = create(client, csrf)
    assert second.status_code == 409
    body = second.json()
    assert body["error"] == "duplicate_application" and body["existing"] == first
    assert first in body["message"] and body["existing_url"] == f"/applications/{first}"
    english = client.post("/api/v1/applications?lang=en", headers={"X-CSRF-Token": csrf},
                          json={"service_id": "elderly-allowance", "data": ELDERLY_FORM})
    assert english.status_code == 409 and english.json()["message"].startswith("You already have an open")
    assert len(db.scalars(select(Application)).all()) == 1


def test_a_draft_counts_and_a_withdrawn_one_does_not(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    draft = create(client, csrf).json()["reference"]
    assert create(client, csrf).json()["existing"] == draft
    assert act(client, csrf, draft, "withdraw").status_code == 200
    assert create(client, csrf).status_code == 201
    assert create(client, csrf, "disability-allowance").status_code == 201  # another service is fine


def test_services_marked_multiple_allow_several(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db, birth_date=utcnow().date().replace(year=1995)))
    for service_id in ("birth-registration", "building-permit"):
        assert create(client, csrf, service_id).status_code == 201
        assert create(client, csrf, service_id).status_code == 201  # twins; a second building


def test_submitting_a_second_open_one_answers_409(db: Session, client: TestClient) -> None:
    """A second draft made before the rule (or by any other path) cannot be submitted beside an open one."""
    citizen = create_citizen(db)
    csrf = sign_in(db, client, citizen)
    first = ready_application(client, csrf)
    act(client, csrf, first, "submit")
    row = db.scalar(select(Application).where(Application.reference == first))
    assert row is not None
    row.status = workflow.WITHDRAWN  # out of the way for a moment, to make a second draft
    db.commit()
    second = ready_application(client, csrf)
    row.status = workflow.IN_REVIEW
    db.commit()
    refused = act(client, csrf, second, "submit")
    assert refused.status_code == 409 and refused.json()["existing"] == first
    assert db.scalar(select(Application.status).where(Application.reference == second)) == workflow.DRAFT


def test_the_apply_page_links_to_the_existing_application(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    draft = create(client, csrf).json()["reference"]
    page = client.post("/services/elderly-allowance/apply", data={"csrf_token": csrf, "phone": "0812345678"})
    assert page.status_code == 409
    assert f'href="/applications/{draft}"' in page.text and draft in page.text


def test_finding_1_two_concurrent_creates_make_one_draft(db: Session, make_client: Callable[..., TestClient]
                                                         ) -> None:
    """Two requests of one citizen at the same moment (threads, a barrier): one draft, one 409."""
    citizen = create_citizen(db)
    clients = [make_client(), make_client()]
    tokens = [sign_in(db, c, citizen) for c in clients]
    for c in clients:  # warm up each client (its first request starts its event loop)
        assert c.get("/api/v1/applications").status_code == 200
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def run(client: TestClient, csrf: str) -> None:
        barrier.wait()
        answers.append(create(client, csrf).status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [201, 409]
    db.expire_all()
    drafts = db.scalars(select(Application).where(Application.citizen_id == citizen.id)).all()
    assert len(drafts) == 1
