"""Check your answers, the declaration, and what the citizen sees after submitting (issue 14, item 3);
withdrawing asks first and drafts can be deleted (item 6). API and pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.calendar import format_date
from pracha.config import Settings
from pracha.ledger.models import LedgerEntry
from pracha.services import uploads
from pracha.services.models import Application, Document
from tests.factories import create_citizen, sign_in
from tests.services.helpers import PDF, act, ready_application, upload


def page_post(client: TestClient, csrf: str, path: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


def test_finding_3_submit_needs_the_declaration(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    refused = act(client, csrf, reference, "submit", declaration=False)
    assert refused.status_code == 422
    assert refused.json()["error"] == "declaration_required"
    assert "declaration" in refused.json()["fields"]
    assert client.get(f"/api/v1/applications/{reference}").json()["status"] == "draft"
    db.rollback()  # a new snapshot: the app committed in its own session
    entries = db.scalar(select(func.count(LedgerEntry.id)))

    submitted = act(client, csrf, reference, "submit", declaration=True)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted" and body["declared_at"] == body["submitted_at"]
    db.rollback()
    assert db.scalar(select(func.count(LedgerEntry.id))) == entries + 1  # the submit, declaration included


def test_check_page_lists_every_answer_in_words(db: Session, client: TestClient, catalog: object) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    page = client.get(f"/applications/{reference}/check")
    assert page.status_code == 200
    html = page.text
    assert "ตรวจสอบคำตอบของท่านก่อนยื่น" in html
    assert "ช่องทางการรับเงินเบี้ยยังชีพ" in html and "โอนเข้าบัญชีเงินฝากธนาคาร" in html  # label, option label
    assert "ธนาคารกรุงไทย" in html and "ไม่ใช่" in html  # enum label, a boolean in words
    assert "bank_transfer" not in html and "False" not in html  # no codes
    assert f'href="/applications/{reference}#field-phone"' in html  # change links
    assert "ไม่มีค่าธรรมเนียม" in html  # the fee
    assert "ระบบตรวจสอบอายุ ภูมิลำเนา" in html  # the next steps from the catalogue
    assert "15 วันทำการ" in html and re.search(r"\d{1,2} \S+ 25\d\d", html)  # the SLA and a Buddhist-Era date
    assert "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ" in html  # what they will receive
    assert "ประมวลกฎหมายอาญา มาตรา 137" in html and 'name="declaration"' in html
    english = client.get(f"/applications/{reference}/check?lang=en").text
    assert "Check your answers before you submit" in english and "Transfer to a bank account" in english
    assert "Krungthai Bank" in english and "No fee" in english


def test_check_page_points_at_what_is_missing(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    draft = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                        json={"service_id": "elderly-allowance", "data": {"phone": "0812345678"}}).json()
    html = client.get(f"/applications/{draft['reference']}/check").text
    assert 'id="incomplete"' in html and 'name="declaration"' not in html  # nothing to declare yet
    assert f'href="/applications/{draft["reference"]}#documents"' in html


def test_submitting_from_the_check_page(db: Session, client: TestClient, settings: Settings) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    # the old Submit button (a POST to the action) now leads to the check page
    old = page_post(client, csrf, f"/applications/{reference}/actions/submit")
    assert old.status_code == 303 and old.headers["location"] == f"/applications/{reference}/check"  # type: ignore[attr-defined]

    unticked = page_post(client, csrf, f"/applications/{reference}/check")
    assert unticked.status_code == 422  # type: ignore[attr-defined]
    assert 'id="error-declaration"' in unticked.text and 'href="#field-declaration"' in unticked.text  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/applications/{reference}").json()["status"] == "draft"

    done = page_post(client, csrf, f"/applications/{reference}/check", declaration="on")
    assert done.status_code == 303  # type: ignore[attr-defined]
    after = client.get(done.headers["location"]).text  # type: ignore[attr-defined]
    db.rollback()
    application = db.scalar(select(Application).where(Application.reference == reference))
    assert application is not None and application.declared_at is not None
    assert "ยื่นคำขอเรียบร้อยแล้ว" in after
    assert format_date(application.due_date, "th") in after  # by when, in Thai
    assert "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ" in after  # what they will receive
    assert "ผู้ยื่นรับรองว่าข้อมูลเป็นความจริงเมื่อ" in after


def test_finding_10_withdraw_asks_first(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    html = client.get(f"/applications/{reference}").text
    assert f'href="/applications/{reference}/withdraw"' in html and "/actions/withdraw" not in html
    one_click = page_post(client, csrf, f"/applications/{reference}/actions/withdraw")
    assert one_click.headers["location"] == f"/applications/{reference}/withdraw"  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/applications/{reference}").json()["status"] == "submitted"
    confirm = client.get(f"/applications/{reference}/withdraw").text
    assert "ถอนคำขอนี้หรือไม่" in confirm and 'name="confirm" value="yes"' in confirm
    page_post(client, csrf, f"/applications/{reference}/actions/withdraw", confirm="yes", message="ยื่นผิดบริการ")
    assert client.get(f"/api/v1/applications/{reference}").json()["status"] == "withdrawn"


def test_finding_10_drafts_can_be_deleted(db: Session, client: TestClient, settings: Settings) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    neighbour = TestClient(client.app)
    neighbour_csrf = sign_in(db, neighbour, create_citizen(db))
    keep = ready_application(neighbour, neighbour_csrf)  # holds the same PDF bytes: its file must stay
    reference = ready_application(client, csrf)
    sha = client.get(f"/api/v1/applications/{reference}").json()["documents"][0]["sha256"]
    db.rollback()  # a new snapshot: the app committed in its own session
    entries = db.scalar(select(func.count(LedgerEntry.id)))

    assert client.delete(f"/api/v1/applications/{reference}", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get(f"/api/v1/applications/{reference}").status_code == 404
    assert uploads.path_of(settings.upload_dir, sha).exists()  # still named by the other draft
    db.rollback()
    assert db.scalar(select(func.count(LedgerEntry.id))) == entries  # never sent: nothing in the ledger

    assert client.delete(f"/api/v1/applications/{keep}", headers={"X-CSRF-Token": csrf}).status_code == 404
    assert neighbour.get(f"/applications/{keep}/delete").status_code == 200
    deleted = page_post(neighbour, neighbour_csrf, f"/applications/{keep}/delete")
    assert deleted.headers["location"] == "/me?deleted=1"  # type: ignore[attr-defined]
    db.rollback()
    assert db.scalar(select(func.count(Document.id))) == 0
    assert not uploads.path_of(settings.upload_dir, sha).exists()  # the last one: the file is gone

    submitted = ready_application(client, csrf)
    act(client, csrf, submitted, "submit")
    refused = client.delete(f"/api/v1/applications/{submitted}", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409 and refused.json()["error"] == "not_a_draft"


def test_finding_10_documents_can_be_removed_and_replaced(db: Session, client: TestClient, settings: Settings) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    docs = client.get(f"/api/v1/applications/{reference}").json()["documents"]
    new_pdf = PDF.replace(b"%%EOF", b"% replaced\n%%EOF")
    replaced = client.put(f"/api/v1/applications/{reference}/documents/{docs[0]['id']}", headers={"X-CSRF-Token": csrf},
                          files={"file": ("new.pdf", new_pdf, "application/pdf")})
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["requirement"] == "id-card" and replaced.json()["filename"] == "new.pdf"
    assert uploads.path_of(settings.upload_dir, docs[0]["sha256"]).exists()  # the other document has the bytes

    removed = client.delete(f"/api/v1/applications/{reference}/documents/{docs[1]['id']}",
                            headers={"X-CSRF-Token": csrf})
    assert removed.status_code == 204
    assert not uploads.path_of(settings.upload_dir, docs[1]["sha256"]).exists()  # unreferenced now
    assert client.delete(f"/api/v1/applications/{reference}/documents/{docs[1]['id']}",
                         headers={"X-CSRF-Token": csrf}).status_code == 404

    # the page: remove by button, replace through the upload form
    html = client.get(f"/applications/{reference}?replace={replaced.json()['id']}").text
    assert f'name="replaces" value="{replaced.json()["id"]}"' in html
    page = client.post(f"/applications/{reference}/documents", follow_redirects=False,
                       data={"csrf_token": csrf, "requirement": "id-card", "replaces": str(replaced.json()["id"])},
                       files={"file": ("again.pdf", PDF, "application/pdf")})
    assert page.status_code == 303
    names = [d["filename"] for d in client.get(f"/api/v1/applications/{reference}").json()["documents"]]
    assert names == ["again.pdf"]
    only = client.get(f"/api/v1/applications/{reference}").json()["documents"][0]["id"]
    page_post(client, csrf, f"/applications/{reference}/documents/{only}/remove")
    assert client.get(f"/api/v1/applications/{reference}").json()["documents"] == []

    act(client, csrf, reference, "withdraw")
    assert upload(client, csrf, reference, "id-card").status_code == 409  # not before submitting any more
    assert client.delete(f"/api/v1/applications/{reference}/documents/{only}",
                         headers={"X-CSRF-Token": csrf}).status_code == 409

