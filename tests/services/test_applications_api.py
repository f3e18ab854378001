"""Applications end to end through the JSON API, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.services.models import Application, ApplicationEvent
from tests.automation.helpers import run_tasks
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import ELDERLY_FORM, PNG, act, ready_application, upload

AGENCY = "cm-elderly-welfare"


def test_citizen_to_decision(db: Session, app: FastAPI, make_client: Callable[..., TestClient]) -> None:
    citizen_client, officer_client = make_client(), make_client()
    citizen = create_citizen(db)
    csrf = sign_in(db, citizen_client, citizen)
    officer_csrf = sign_in(db, officer_client, create_staff(db, "officer", AGENCY))

    reference = ready_application(citizen_client, csrf)
    submitted = act(citizen_client, csrf, reference, "submit")
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted" and body["due_date"] and body["submitted_at"]
    assert body["status_text"] == {"th": "ยื่นคำขอแล้ว", "en": "Submitted"}

    assert act(officer_client, officer_csrf, reference, "review").json()["status"] == "in_review"
    asked = act(officer_client, officer_csrf, reference, "request_info", "กรุณาแนบสมุดบัญชีธนาคาร")
    assert asked.json()["status"] == "needs_info"
    assert upload(citizen_client, csrf, reference, "bank-book", name="bank.png", content=PNG,
                  content_type="image/png").status_code == 201
    assert act(citizen_client, csrf, reference, "resubmit", "แนบแล้วค่ะ").json()["status"] == "resubmitted"
    approved = act(officer_client, officer_csrf, reference, "approve")
    assert approved.json()["status"] == "approved" and approved.json()["decided_at"]
    assert approved.json()["allowed_actions"] == []

    status = citizen_client.get(f"/api/v1/applications/{reference}/status").json()
    assert status["status"] == "approved"
    events = citizen_client.get(f"/api/v1/applications/{reference}").json()["events"]
    assert [e["to_status"] for e in events] == [
        "draft", "submitted", "in_review", "needs_info", "resubmitted", "approved"]
    assert events[3]["message"] == "กรุณาแนบสมุดบัญชีธนาคาร"

    inbox = citizen_client.get("/api/v1/me/inbox").json()["items"]
    # the receipt, the request, the information sent and the decision; not the review
    assert [m["subject"] for m in inbox] == [f"{reference}: อนุมัติแล้ว", f"{reference}: ส่งข้อมูลเพิ่มเติมแล้ว",
                                             f"{reference}: ขอข้อมูลเพิ่มเติม", f"{reference}: ยื่นคำขอแล้ว"]
    assert "กรุณาแนบสมุดบัญชีธนาคาร" in inbox[2]["body"]  # newest first
    run_tasks(app)  # the certificate joins the decision's message
    inbox = citizen_client.get("/api/v1/me/inbox").json()["items"]
    assert len(inbox) == 4 and inbox[0]["subject"] == f"{reference}: อนุมัติแล้ว"
    assert "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ" in inbox[0]["body"]
    outbox = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == citizen.id)).all()
    assert len(outbox) == 4 and {m.channel for m in outbox} == {"email"}
    assert all(m.recipient == citizen.email and m.sent_at is None for m in outbox)


def test_illegal_transition_is_409_and_changes_nothing(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    before = db.scalar(select(Application).where(Application.reference == reference))
    assert before is not None
    version, events = before.version, db.scalar(select(func.count(ApplicationEvent.id)))

    response = act(client, csrf, reference, "resubmit", "x")
    assert response.status_code == 409
    assert response.json()["error"] == "illegal_transition"
    assert "ฉบับร่าง" in response.json()["message"]
    assert act(client, csrf, reference, "submit").status_code == 200
    second = act(client, csrf, reference, "submit")  # the same submit again
    assert second.status_code == 409

    db.rollback()  # end the test's read snapshot
    after = db.scalar(select(Application).where(Application.reference == reference))
    assert after is not None and after.status == "submitted" and after.version == version + 1
    assert db.scalar(select(func.count(ApplicationEvent.id))) == events + 1


def test_submit_checks_form_and_documents(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    draft = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf, "Accept-Language": "en"},
                        json={"service_id": "elderly-allowance", "data": {"phone": "0812345678"}})
    assert draft.status_code == 201
    reference = draft.json()["reference"]
    refused = act(client, csrf, reference, "submit")
    assert refused.status_code == 422
    assert refused.json()["fields"]["payment_method"] == "ช่องทางการรับเงินเบี้ยยังชีพ: กรุณาเลือก"
    patched = client.patch(f"/api/v1/applications/{reference}", headers={"X-CSRF-Token": csrf},
                           json={"data": {**ELDERLY_FORM, "bank_account": "12ab"}})
    assert patched.status_code == 422 and "bank_account" in patched.json()["fields"]
    client.patch(f"/api/v1/applications/{reference}", headers={"X-CSRF-Token": csrf}, json={"data": ELDERLY_FORM})
    missing_docs = act(client, csrf, reference, "submit")
    assert missing_docs.status_code == 422
    assert "ทะเบียนบ้าน" in missing_docs.json()["fields"]["documents"]
    assert client.get(f"/api/v1/applications/{reference}/status").json()["status"] == "draft"


def test_conditional_required_bank_fields(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    data = {k: v for k, v in ELDERLY_FORM.items() if k not in ("bank_name", "bank_account")}
    reference = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                            json={"service_id": "elderly-allowance", "data": data}).json()["reference"]
    for requirement in ("id-card", "house-registration"):
        upload(client, csrf, reference, requirement)
    refused = act(client, csrf, reference, "submit")
    assert refused.status_code == 422 and "bank_account" in refused.json()["fields"]
    client.patch(f"/api/v1/applications/{reference}", headers={"X-CSRF-Token": csrf},
                 json={"data": {**data, "payment_method": "cash"}})
    assert act(client, csrf, reference, "submit").status_code == 200


def test_reasons_required_for_reject_and_request_info(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen_client, officer_client = make_client(), make_client()
    csrf = sign_in(db, citizen_client, create_citizen(db))
    officer_csrf = sign_in(db, officer_client, create_staff(db, "officer", AGENCY))
    reference = ready_application(citizen_client, csrf)
    act(citizen_client, csrf, reference, "submit")
    act(officer_client, officer_csrf, reference, "review")
    for action in ("reject", "request_info"):
        response = act(officer_client, officer_csrf, reference, action, "   ")
        assert response.status_code == 422 and "message" in response.json()["fields"]
    rejected = act(officer_client, officer_csrf, reference, "reject", "มีรายได้ประจำจากรัฐ")
    assert rejected.json()["status"] == "rejected"
    assert act(citizen_client, csrf, reference, "withdraw").status_code == 409


def test_withdraw_before_decision(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    assert act(client, csrf, reference, "withdraw").json()["status"] == "withdrawn"


def test_idempotency_key_returns_the_same_draft(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "form-123"}
    payload = {"service_id": "residence-certificate", "data": {"purpose": "job"}}
    first = client.post("/api/v1/applications", headers=headers, json=payload)
    second = client.post("/api/v1/applications", headers=headers, json=payload)
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] == second.json()["reference"]
    assert db.scalar(select(func.count(Application.id))) == 1


def test_citizens_and_agencies_see_only_their_own(db: Session, make_client: Callable[..., TestClient]) -> None:
    alice, bob, officer, other_officer, auditor = (make_client() for _ in range(5))
    alice_csrf = sign_in(db, alice, create_citizen(db))
    sign_in(db, bob, create_citizen(db, first_name="สมหญิง"))
    sign_in(db, officer, create_staff(db, "officer", AGENCY))
    other_csrf = sign_in(db, other_officer, create_staff(db, "officer", "cm-building-control"))
    sign_in(db, auditor, create_staff(db, "auditor"))
    reference = ready_application(alice, alice_csrf)

    assert officer.get(f"/api/v1/applications/{reference}").status_code == 404  # drafts stay private
    act(alice, alice_csrf, reference, "submit")
    assert bob.get(f"/api/v1/applications/{reference}").status_code == 404
    assert bob.get("/api/v1/applications").json() == {"items": [], "next_cursor": None}
    assert other_officer.get(f"/api/v1/applications/{reference}").status_code == 404
    assert act(other_officer, other_csrf, reference, "review").status_code == 404
    assert other_officer.get("/api/v1/applications").json()["items"] == []
    assert [a["reference"] for a in officer.get("/api/v1/applications").json()["items"]] == [reference]
    assert auditor.get(f"/api/v1/applications/{reference}").status_code == 200
    assert [a["reference"] for a in auditor.get("/api/v1/applications").json()["items"]] == [reference]


def test_overdue_filter(db: Session, make_client: Callable[..., TestClient]) -> None:
    import datetime as dt

    citizen_client, neighbour_client, officer_client = make_client(), make_client(), make_client()
    csrf = sign_in(db, citizen_client, create_citizen(db))
    neighbour_csrf = sign_in(db, neighbour_client, create_citizen(db))  # one open application per citizen
    sign_in(db, officer_client, create_staff(db, "officer", AGENCY))
    late, on_time = ready_application(citizen_client, csrf), ready_application(neighbour_client, neighbour_csrf)
    act(citizen_client, csrf, late, "submit")
    act(neighbour_client, neighbour_csrf, on_time, "submit")
    row = db.scalar(select(Application).where(Application.reference == late))
    assert row is not None
    row.due_date = dt.date.today() - dt.timedelta(days=3)
    db.commit()
    overdue = officer_client.get("/api/v1/applications?overdue=true").json()["items"]
    assert [a["reference"] for a in overdue] == [late] and overdue[0]["overdue"] is True
    page = officer_client.get("/officer/queue?overdue=true")
    assert page.status_code == 200 and late in page.text and on_time not in page.text
    assert 'class="is-overdue"' in page.text


def test_inbox_lists_status_changes(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db, language="en"))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    messages = db.scalars(select(InboxMessage)).all()
    assert [m.subject for m in messages] == [f"{reference}: Submitted"]  # kept in the citizen's language
    page = client.get("/inbox?lang=en")
    assert page.status_code == 200 and f"{reference}: Submitted" in page.text
    page = client.get("/inbox?lang=th")  # shown in the reader's language of the moment
    assert page.status_code == 200 and f"{reference}: ยื่นคำขอแล้ว" in page.text
