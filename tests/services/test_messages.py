"""Messages in each reader's language, one notice per decision, and the timeline as the system's: on
SQLite and PostgreSQL, through the API and the pages, with the automation's tasks run in process."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.errors import PrachaError
from pracha.i18n import Phrase
from pracha.identity.principal import Principal
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.services.models import Application, ApplicationEvent
from pracha.services.status_notices import NOTE
from tests.automation.helpers import run_tasks
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import act, ready_application

AGENCY = "cm-elderly-welfare"
NAME = "Register for the elderly living allowance"


def timeline(html: str) -> str:
    found = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert found is not None
    return found.group(1)


def inbox(client: TestClient, lang: str) -> list[dict[str, str]]:
    response = client.get(f"/api/v1/me/inbox?lang={lang}")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_finding_4_inbox_messages_are_keys_shown_in_the_readers_language(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    citizen = create_citizen(db, language="th")
    csrf = sign_in(db, client, citizen)
    reference = ready_application(client, csrf)
    assert act(client, csrf, reference, "submit").status_code == 200
    stored = db.scalars(select(InboxMessage).where(InboxMessage.user_id == citizen.id)).one()
    assert stored.key == "application.submitted" and stored.params is not None
    assert stored.params["reference"] == reference
    assert stored.params["service"]["en"] == NAME
    [thai] = inbox(client, "th")
    [english] = inbox(client, "en")
    assert thai["subject"] == f"{reference}: ยื่นคำขอแล้ว" and "ได้รับคำขอ" in thai["body"]
    assert english["subject"] == f"{reference}: Submitted"
    assert english["body"].startswith(f"We have received your application “{NAME}” ({reference}).")
    assert "The agency will decide by" in english["body"] and not re.search(r"\d{4}-\d\d-\d\d", english["body"])
    assert not re.search(r"[\u0e00-\u0e7f]", english["subject"] + english["body"])  # no Thai left
    page = client.get("/inbox?lang=en")
    assert page.status_code == 200 and f"{reference}: Submitted" in page.text and "ยื่นคำขอแล้ว" not in page.text
    email = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == citizen.id)).one()
    assert email.subject == f"{reference}: ยื่นคำขอแล้ว"  # queued in the recipient's language


def test_finding_4_old_messages_without_a_key_still_display(db: Session, client: TestClient) -> None:
    citizen = create_citizen(db)
    db.add(InboxMessage(user_id=citizen.id, subject="ข้อความเดิม", body="เขียนไว้ก่อนมีคีย์"))
    db.add(InboxMessage(user_id=citizen.id, subject="คีย์ที่เลิกใช้", body="ข้อความที่เก็บไว้",
                        key="no.such.notice", params={}))
    db.commit()
    sign_in(db, client, citizen)
    shown = {m["subject"]: m["body"] for m in inbox(client, "en")}
    assert shown == {"ข้อความเดิม": "เขียนไว้ก่อนมีคีย์", "คีย์ที่เลิกใช้": "ข้อความที่เก็บไว้"}
    page = client.get("/inbox?lang=en")
    assert page.status_code == 200 and "เขียนไว้ก่อนมีคีย์" in page.text and "no.such.notice" not in page.text


def test_finding_4_one_inbox_message_per_decision(db: Session, app: FastAPI,
                                                  make_client: Callable[..., TestClient]) -> None:
    """A withdrawal, a receipt, the bot's review (not told) and the officer's approval, whose certificate
    joins the decision's message (and its e-mail, not yet sent): three messages, three e-mails."""
    citizen_client, officer_client = make_client(), make_client()
    citizen = create_citizen(db, language="en", email="malee@example.org")
    csrf = sign_in(db, citizen_client, citizen)
    officer_csrf = sign_in(db, officer_client, create_staff(db, "officer", AGENCY))
    dropped = ready_application(citizen_client, csrf)
    assert act(citizen_client, csrf, dropped, "withdraw").status_code == 200
    reference = ready_application(citizen_client, csrf)
    assert act(citizen_client, csrf, reference, "submit").status_code == 200
    assert run_tasks(app) >= 1  # the bot: no registry answers here, so it hands over to an officer
    assert [m["subject"] for m in inbox(citizen_client, "en")] == [f"{reference}: Submitted", f"{dropped}: Withdrawn"]
    approved = act(officer_client, officer_csrf, reference, "approve", "Welcome to the allowance")
    assert approved.status_code == 200, approved.text
    assert [m["subject"] for m in inbox(citizen_client, "en")][0] == f"{reference}: Approved"  # told at once
    assert run_tasks(app) == 1  # the certificate
    messages = inbox(citizen_client, "en")
    assert [m["subject"] for m in messages] == [
        f"{reference}: Approved", f"{reference}: Submitted", f"{dropped}: Withdrawn"]
    assert "Certificate of registration for the elderly living allowance" in messages[0]["body"]
    assert "Message from the agency: Welcome to the allowance" in messages[0]["body"]
    thai = inbox(citizen_client, "th")[0]
    assert "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ" in thai["body"] and "Welcome to the allowance" in thai["body"]
    db.expire_all()
    emails = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == citizen.id)
                        .order_by(OutboxMessage.id)).all()
    assert len(emails) == 3 and "Certificate of registration" in emails[-1].body
    assert emails[-1].body.endswith(f"/applications/{reference}")  # the link stays after the body
    assert run_tasks(app) == 0 and len(inbox(citizen_client, "en")) == 3  # told once


def test_finding_4_bot_steps_are_the_systems_and_the_timeline_speaks_english(
        db: Session, app: FastAPI, make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    citizen = create_citizen(db, language="th")
    csrf = sign_in(db, client, citizen)
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    run_tasks(app)
    thai = timeline(client.get(f"/applications/{reference}?lang=th").text)
    assert "ระบบตรวจสอบอัตโนมัติ" in thai and "เจ้าหน้าที่กำลังพิจารณา" not in thai
    assert "ส่งให้เจ้าหน้าที่พิจารณา" in thai
    english = timeline(client.get(f"/applications/{reference}?lang=en").text)
    assert "Checked automatically" in english and "Passed to an officer" in english
    assert not re.search(r"[\u0e00-\u0e7f]", english), english  # the bot's message too, in English
    events = client.get(f"/api/v1/applications/{reference}").json()["events"]
    review = next(e for e in events if e["action"] == "review")
    assert review["actor_role"] == "system"
    assert review["step_text"] == {"th": "ระบบตรวจสอบอัตโนมัติ", "en": "Checked automatically"}
    assert review["message_text"]["en"].startswith("Passed to an officer")
    assert review["message_text"]["th"].startswith("ส่งให้เจ้าหน้าที่พิจารณา")


def test_act_keeps_typed_words_as_typed_and_system_text_in_both_languages(db: Session, app: FastAPI,
                                                                          client: TestClient) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    csrf = sign_in(db, client, citizen := create_citizen(db))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    officer = Principal(user=create_staff(db, "officer", AGENCY))
    application = db.scalars(select(Application).where(Application.reference == reference)).one()
    service.act(db, catalog, officer, application, "review", "  ตรวจแล้วครับ  ")
    service.act(db, catalog, officer, application, "request_info",
                {"th": "กรุณาแนบสมุดบัญชี", "en": "Please attach the bank book"})
    db.commit()
    events = db.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                        .order_by(ApplicationEvent.id)).all()
    assert (events[-2].message, events[-2].system_message) == ("ตรวจแล้วครับ", None)
    assert events[-1].message == "กรุณาแนบสมุดบัญชี"
    assert events[-1].system_message == {"th": "กรุณาแนบสมุดบัญชี", "en": "Please attach the bank book"}
    page = client.get(f"/applications/{reference}?lang=en")
    assert "Please attach the bank book" in page.text and "กรุณาแนบสมุดบัญชี" not in page.text
    [asked, _] = inbox(client, "en")
    assert asked["body"].endswith("Message from the agency: Please attach the bank book")
    with pytest.raises(PrachaError):  # a system message empty in both languages is no message
        service.act(db, catalog, Principal(user=citizen), application, "resubmit", {"th": " ", "en": ""})
    db.rollback()
    application = db.get(Application, application.id)
    assert application is not None
    service.act(db, catalog, Principal(user=citizen), application, "resubmit",
                Phrase(NOTE, {"message": {"th": "แนบแล้ว", "en": "Attached"}}))
    db.commit()
    page = client.get(f"/applications/{reference}?lang=en")
    assert "Message from the agency: Attached" in page.text
