"""PDPA requests (ss. 32–35): each kind is received with the law's deadline, validated, listed, and
decided by the DPO (ledger entry, inbox notice); registry corrections go to the registry's agency."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage
from pracha.privacy.rights import due_on
from pracha.services.catalog import Catalog
from pracha.services.service import today_in_thailand
from tests.factories import create_citizen, sign_in
from tests.privacy.helpers import ask, decide, dpo_client


def test_each_kind_is_received_with_its_deadline(db: Session, catalog: Catalog, make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    bodies = [{"kind": "rectification", "fields": ["email"], "values": {"email": "new@example.org"}},
              {"kind": "rectification", "fields": ["first_name", "birth_date"], "details": "ชื่อสะกดผิด"},
              {"kind": "erasure", "fields": ["assistant"]}, {"kind": "restriction", "details": "ขอระงับ"},
              {"kind": "objection", "details": "ไม่ยินยอมให้ใช้ข้อมูลเพื่อการตลาด"}]
    expected_due = due_on(today_in_thailand(), catalog.calendar).isoformat()
    made = []
    for body in bodies:
        response = ask(client, csrf, **body)
        assert response.status_code == 201, response.text
        got = response.json()
        assert got["kind"] == body["kind"] and got["status"] == "submitted" and got["due_on"] == expected_due
        made.append(got)
    assert made[1]["target"] == "registry" and made[1]["registry"] == "civil"
    assert made[0]["target"] == "pracha"
    listed = client.get("/api/v1/me/privacy-requests?limit=2")
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2 and listed.json()["next_cursor"]
    assert [r["id"] for r in listed.json()["items"]] == [made[4]["id"], made[3]["id"]]
    assert catalog.calendar.is_working_day(due_on(today_in_thailand(), catalog.calendar))
    page = make_client()
    sign_in(db, page, create_citizen(db))
    assert page.get("/api/v1/me/privacy-requests").json()["items"] == []  # only one's own


def test_bad_requests_are_refused_with_422(db: Session, make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    for body in ({"kind": "delete-everything"}, {"kind": "rectification"},
                 {"kind": "rectification", "fields": ["email", "first_name"], "details": "x"},
                 {"kind": "rectification", "fields": ["email"], "values": {"email": "not-an-email"}},
                 {"kind": "rectification", "fields": ["first_name", "land"], "details": "x"},
                 {"kind": "erasure", "fields": ["everything"]}, {"kind": "erasure", "extra": 1},
                 {"kind": "objection", "details": "x" * 5000}):
        response = ask(client, csrf, **body)
        assert response.status_code == 422, body
    assert ask(client, "", kind="objection").status_code == 403  # CSRF as elsewhere


def test_dpo_corrects_pracha_data_and_the_citizen_is_told(db: Session, app: FastAPI, make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    made = ask(client, csrf, kind="rectification", fields=["email", "phone"],
               values={"email": "somchai.new@example.org", "phone": "089-123-4567"}).json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    assert decide(client, csrf, made["id"], "approve").status_code == 403  # a citizen decides nothing
    assert decide(dpo, dpo_csrf, made["id"], "refuse").status_code == 422  # refusing needs a reason
    listed = dpo.get("/api/v1/privacy/requests").json()["items"]
    assert [r["reference"] for r in listed] == [made["reference"]]
    response = decide(dpo, dpo_csrf, made["id"], "approve")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert decide(dpo, dpo_csrf, made["id"], "refuse", "again").status_code == 409
    db.expire_all()
    user = db.get(User, citizen.id)
    assert user is not None and user.email == "somchai.new@example.org" and user.phone == "0891234567"
    kinds = list(db.scalars(select(LedgerEntry.kind).where(LedgerEntry.kind.like("privacy.request.%"))))
    assert kinds == ["privacy.request.submitted", "privacy.request.decided"]
    notices = list(db.scalars(select(InboxMessage).where(InboxMessage.user_id == citizen.id)))
    assert [n.link for n in notices] == [f"/me/privacy#request-{made['reference']}"]
    assert made["reference"] in client.get("/me/privacy").text
    assert dpo.get(f"/privacy/requests/{made['id']}").status_code == 200
    assert dpo.get("/privacy/requests?all=1").status_code == 200
    assert dpo.get("/privacy/requests/99999999").status_code == 404
    assert dpo.get("/privacy/requests/99999999999999999999").status_code == 422


def test_registry_correction_is_forwarded_then_answered(db: Session, make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    made = ask(client, csrf, kind="rectification", fields=["last_name"], details="นามสกุลเปลี่ยนหลังสมรส").json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    assert decide(dpo, dpo_csrf, made["id"], "approve").status_code == 409  # not forwarded yet
    forwarded = dpo.post(f"/api/v1/privacy/requests/{made['id']}/forward", headers={"X-CSRF-Token": dpo_csrf})
    assert forwarded.status_code == 200 and forwarded.json()["status"] == "forwarded"
    refused = decide(dpo, dpo_csrf, made["id"], "refuse", "กรมการปกครองแจ้งว่าต้องยื่นเอกสารทะเบียนสมรสที่อำเภอ")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    mine = client.get("/api/v1/me/privacy-requests").json()["items"][0]
    assert mine["status"] == "refused" and "ทะเบียนสมรส" in mine["reason"]
    page = client.get("/me/privacy").text
    assert "กรมการปกครอง" in page and "ทะเบียนสมรส" in page
