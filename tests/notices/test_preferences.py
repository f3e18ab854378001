"""Notice preferences on SQLite and PostgreSQL: the defaults (every channel the citizen has, the inbox
always for status), the API and the page, and `notify` writing only the channels kept on per kind —
through a real status change, a certificate issued and direct notices of each kind."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import begin_write
from pracha.identity.models import User
from pracha.notices import preferences
from pracha.notices.models import InboxMessage, LineLink, OutboxMessage
from pracha.notices.service import notify
from tests.automation.helpers import run_tasks
from tests.factories import create_citizen, create_staff, sign_in
from tests.notices.line_world import line_user
from tests.services.helpers import act, ready_application

AGENCY = "cm-elderly-welfare"


def channels_of_rows(db: Session, user_id: int) -> list[str]:
    db.commit()
    found = sorted(m.channel for m in db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id)))
    db.commit()
    return found


def linked_citizen(db: Session, **overrides: object) -> User:
    citizen = create_citizen(db, phone="0812345678", **overrides)
    db.add(LineLink(user_id=citizen.id, line_user=line_user(citizen.id)))
    db.commit()
    return citizen


def put(client: TestClient, csrf: str, *items: tuple[str, str, bool]) -> httpx.Response:
    return client.put("/api/v1/me/notice-preferences", headers={"X-CSRF-Token": csrf}, json={
        "preferences": [{"kind": k, "channel": c, "enabled": e} for k, c, e in items]})


def test_defaults_are_every_channel_the_citizen_has(db: Session, client: TestClient) -> None:
    citizen = create_citizen(db)  # e-mail, no phone, no LINE
    sign_in(db, client, citizen)
    shown = client.get("/api/v1/me/notice-preferences").json()
    assert shown["line_linked"] is False
    prefs = shown["preferences"]
    assert len(prefs) == len(preferences.KINDS) * len(preferences.CHANNELS)
    assert all(p["enabled"] for p in prefs)
    assert [p["channel"] for p in prefs if p["locked"]] == ["inapp"] and \
        [p["kind"] for p in prefs if p["locked"]] == ["status"]
    assert {p["channel"] for p in prefs if p["available"]} == {"email", "inapp"}
    assert preferences.enabled_channels(db, citizen, "payment") == {"email", "inapp"}
    notify(db, citizen, subject="ทดสอบ", body="ข้อความ", kind="general")
    db.commit()
    assert channels_of_rows(db, citizen.id) == ["email"]


def test_the_api_keeps_choices_and_refuses_what_it_cannot_do(db: Session, client: TestClient) -> None:
    citizen = linked_citizen(db)
    csrf = sign_in(db, client, citizen)
    response = put(client, csrf, ("status", "sms", False), ("payment", "line", False))
    assert response.status_code == 200, response.text
    off = {(p["kind"], p["channel"]) for p in response.json()["preferences"] if not p["enabled"]}
    assert off == {("status", "sms"), ("payment", "line")}
    assert put(client, csrf, ("status", "sms", True)).status_code == 200
    for bad in (("status", "inapp", False), ("nonsense", "sms", False), ("status", "fax", True)):
        refused = put(client, csrf, bad)
        assert refused.status_code == 422, bad
        assert refused.json()["error"] == "invalid_preference"
    off = {(p["kind"], p["channel"]) for p in client.get("/api/v1/me/notice-preferences").json()["preferences"]
           if not p["enabled"]}
    assert off == {("payment", "line")}  # the refused calls changed nothing


def test_preferences_are_honoured_per_kind_and_channel(db: Session) -> None:
    citizen = linked_citizen(db)
    begin_write(db)
    preferences.set_preferences(db, citizen, [("status", "sms", False), ("payment", "email", False),
                                              ("general", "inapp", False), ("appointment", "line", False)])
    db.commit()
    for kind in preferences.KINDS:
        notify(db, citizen, subject=kind, body="ข้อความ", kind=kind)
    db.commit()
    outbox = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == citizen.id))
    rows = {(m.subject, m.channel) for m in outbox}
    assert rows == {("status", "email"), ("status", "line"),
                    ("payment", "sms"), ("payment", "line"),
                    ("appointment", "email"), ("appointment", "sms"),
                    ("document", "email"), ("document", "sms"), ("document", "line"),
                    ("general", "email"), ("general", "sms"), ("general", "line")}
    inbox = {m.subject for m in db.scalars(select(InboxMessage).where(InboxMessage.user_id == citizen.id))}
    assert inbox == {"status", "payment", "appointment", "document"}  # general: the inbox is off
    line = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "line")).first()
    assert line is not None and line.recipient == line_user(citizen.id)
    assert notify(db, citizen, subject="x", body="y", kind="general") is None


def test_an_officers_decision_follows_the_status_and_document_choices(
        db: Session, app: FastAPI, make_client: Callable[..., TestClient]) -> None:
    """SMS off for status: the decision goes to the inbox, e-mail and LINE only; the certificate's text
    joins the unsent e-mail and LINE copies, and SMS (on for documents) tells of the document."""
    citizen_client, officer_client = make_client(), make_client()
    citizen = linked_citizen(db)
    csrf = sign_in(db, citizen_client, citizen)
    officer_csrf = sign_in(db, officer_client, create_staff(db, "officer", AGENCY))
    assert put(citizen_client, csrf, ("status", "sms", False)).status_code == 200
    reference = ready_application(citizen_client, csrf)
    assert act(citizen_client, csrf, reference, "submit").status_code == 200
    run_tasks(app)
    assert channels_of_rows(db, citizen.id) == ["email", "line"]
    assert act(officer_client, officer_csrf, reference, "approve").status_code == 200
    assert channels_of_rows(db, citizen.id) == ["email", "email", "line", "line"]
    assert run_tasks(app) == 1  # the certificate
    assert channels_of_rows(db, citizen.id) == ["email", "email", "line", "line", "sms"]
    decision = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == citizen.id,
                                                      OutboxMessage.channel == "line")
                          .order_by(OutboxMessage.id.desc())).first()
    assert decision is not None and "อนุมัติ" in decision.body and "หนังสือรับรอง" in decision.body
    assert decision.body.endswith(f"/applications/{reference}")
    db.commit()


def test_the_page_saves_ticked_boxes(db: Session, client: TestClient) -> None:
    citizen = linked_citizen(db)
    csrf = sign_in(db, client, citizen)
    page = client.get("/me/notifications")
    assert page.status_code == 200 and 'lang="th"' in page.text and "<h1>" in page.text
    assert 'name="status.sms" checked' in page.text and 'name="status.inapp" checked disabled' in page.text
    on = {f"{k}.{c}": "on" for k in preferences.KINDS for c in preferences.CHANNELS if (k, c) != ("status", "sms")}
    saved = client.post("/me/notifications", data={"csrf_token": csrf, **on})
    assert saved.status_code == 303 and saved.headers["location"] == "/me/notifications?saved=1"
    page = client.get("/me/notifications?saved=1")
    assert 'name="status.sms">' in page.text and 'name="status.email" checked>' in page.text
    assert preferences.enabled_channels(db, citizen, "status") == {"email", "line", "inapp"}
    code = client.post("/me/notifications/line-code", data={"csrf_token": csrf})
    assert code.status_code == 200 and 'id="line-code"' in code.text and "PR-" in code.text
