"""Recovery at the counter (every session of the visitor ends, they are told), the hourly tidy-up of
sessions left open, an expired code, and the counter session as a row of the visitor's data tracker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import schedules
from pracha.counter.service import CODE_MINUTES
from pracha.db import registry_of, utcnow
from pracha.identity.models import CounterSession, User, WebSession
from pracha.identity.passwords import verify_password
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage, OutboxMessage
from tests.counter.helpers import OFFICE, desk, sent_code, signed_in
from tests.factories import create_citizen, create_staff, csrf_token, sign_in

Client = Callable[..., TestClient]
NEW_PASSWORD = "มะม่วงน้ำดอกไม้ 2569"


def run_hourly(app: FastAPI, db: Session, at: dt.datetime) -> None:
    for job in registry_of(db).each(schedules.HOURLY):
        job(db, app.state.pracha.settings, at)
    db.commit()


def test_recovery_at_the_counter_signs_the_visitor_out_everywhere(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db, email="boonmee@example.org", phone="0812223333")
    elsewhere = make_client()
    sign_in(db, elsewhere, visitor)
    officer = desk(db, make_client)
    assert officer.get("/counter/recovery").status_code == 403  # only while serving
    officer.start(visitor.national_id or "")
    page = officer.get("/counter/recovery")
    assert page.status_code == 200 and visitor.display_name in page.text

    mismatch = officer.post("/counter/recovery", {"new_password": NEW_PASSWORD, "new_password_again": "อื่น"})
    assert mismatch.status_code == 422 and 'id="error-new_password_again"' in mismatch.text
    short = officer.post("/counter/recovery", {"new_password": "สั้น", "new_password_again": "สั้น"})
    assert short.status_code == 422 and 'id="error-new_password"' in short.text
    done = officer.post("/counter/recovery", {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert done.status_code == 200 and 'id="recovery-done"' in done.text

    db.rollback()
    db.expire_all()  # the app changed the row in its own session
    user = db.get(User, visitor.id)
    assert user is not None and verify_password(user.password_hash, NEW_PASSWORD)
    assert db.scalar(select(WebSession.token_hash).where(WebSession.user_id == visitor.id)) is None
    assert elsewhere.get("/api/v1/session").json()["user"] is None
    assert db.scalar(select(WebSession.counter_session_id).where(WebSession.user_id == officer.officer.id)) is not None
    assert db.scalar(select(InboxMessage.id).where(InboxMessage.user_id == visitor.id,
                                                   InboxMessage.key == "identity.password_changed")) is not None
    assert {c for c in db.scalars(select(OutboxMessage.channel).where(OutboxMessage.user_id == visitor.id))} >= {
        "email", "sms"}
    assert db.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id.desc())).first() == "identity.password.reset"

    fresh = make_client()
    signed = fresh.post("/api/v1/session", json={"national_id": visitor.national_id, "password": NEW_PASSWORD},
                        headers={"X-CSRF-Token": csrf_token(fresh)})
    assert signed.status_code == 200 and signed.json()["user"] is not None


def test_tidy_closes_what_was_left_open(app: FastAPI, db: Session, make_client: Client) -> None:
    officer = create_staff(db, "officer", "cm-city-registry")
    now = utcnow()
    rows = {}
    for name, started, consented in (("stale", now - dt.timedelta(hours=9), True),
                                     ("fresh", now - dt.timedelta(hours=2), True),
                                     ("unanswered", now - dt.timedelta(minutes=20), False),
                                     ("waiting", now - dt.timedelta(minutes=5), False)):
        visitor = create_citizen(db)
        rows[name] = CounterSession(officer_id=officer.id, visitor_id=visitor.id, office=OFFICE,
                                    agency="cm-city-registry", id_card_checked=True, consent_method="form",
                                    started_at=started, consented_at=started if consented else None)
        db.add(rows[name])
    db.commit()
    run_hourly(app, db, now)
    closed = {name: db.get(CounterSession, row.id).closed_at is not None  # type: ignore[union-attr]
              for name, row in rows.items()}
    assert closed == {"stale": True, "fresh": False, "unanswered": True, "waiting": False}
    told = set(db.scalars(select(InboxMessage.user_id).where(InboxMessage.key == "counter.closed")))
    assert told == {rows["stale"].visitor_id}
    assert "counter.closed" in set(db.scalars(select(LedgerEntry.kind)))


def test_an_expired_code_refuses_the_session(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db, phone="0855555555")
    officer = desk(db, make_client)
    officer.start(visitor.national_id or "", "otp")
    code = sent_code(db, visitor)
    counter = db.scalars(select(CounterSession).where(CounterSession.visitor_id == visitor.id)).one()
    counter.started_at = utcnow() - dt.timedelta(minutes=CODE_MINUTES + 1)
    db.commit()
    late = officer.post(f"/counter/sessions/{counter.id}/consent", {"code": code})
    assert late.status_code == 409 and "หมดอายุ" in late.text
    db.rollback()
    db.expire_all()
    assert db.get(CounterSession, counter.id).closed_at is not None  # type: ignore[union-attr]


def test_the_visitors_data_tracker_lists_the_session(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db)
    officer = desk(db, make_client)
    officer.start(visitor.national_id or "")
    reference = officer.apply()
    counter = db.scalars(select(CounterSession).where(CounterSession.visitor_id == visitor.id)).one()
    db.rollback()  # end the read: the app writes next (SQLite cannot turn a stale read into a write)
    officer.post(f"/counter/sessions/{counter.id}/close")

    citizen = signed_in(db, make_client, visitor)
    rows = [r for r in citizen.get("/api/v1/me/data-tracker").json()["items"] if r["source"] == "counter"]
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == f"counter-{counter.id}" and row["user"] == "วิภา ช่วยเหลือ"
    assert row["client"] == "cm-city-registry" and reference in row["service_name"]
    assert "งานทะเบียนราษฎร" in row["service_name"] and row["legal_basis"] == "consent"
    assert row["ledger_index"] is None or isinstance(row["ledger_index"], int)
    assert row["receipt_url"] == f"/counter/sessions/{counter.id}/summary"
    page = citizen.get("/me/data-tracker")
    assert page.status_code == 200 and reference in page.text
    english = [r for r in citizen.get("/api/v1/me/data-tracker?lang=en").json()["items"] if r["source"] == "counter"]
    assert english[0]["service_name"].startswith("Help at the counter")
