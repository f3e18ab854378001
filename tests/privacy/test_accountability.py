"""The controller's accountability (issue 13, item 2): the record of processing activities, the privacy
notices, the retention schedule, the breach register, and staff views in the citizen's data tracker.
Every test runs on SQLite and PostgreSQL (the `database_url` fixture behind `app` and `db`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pracha.assistant.models import Conversation
from pracha.automation import schedules, tasks
from pracha.db import utcnow
from pracha.identity.models import DPO, PasswordReset, SigninThrottle, User, WebSession
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage
from pracha.privacy import breaches
from pracha.privacy.records import Breach, Hold, RetentionRun
from pracha.privacy.retention import place_hold
from pracha.services import service, uploads
from pracha.services.catalog import CatalogError, default_catalog_dir, load_catalog
from pracha.services.hooks import CATALOG
from pracha.services.models import Application, Document
from pracha.services.views import StaffView
from tests.automation.helpers import context, submit
from tests.factories import create_citizen, create_staff, sign_in

Client = Callable[..., TestClient]


def signed_in(db: Session, make_client: Client, user: User) -> tuple[TestClient, str]:
    client = make_client()
    return client, sign_in(db, client, user)


def dpo_client(db: Session, make_client: Client) -> tuple[TestClient, str, User]:
    dpo = create_staff(db, DPO, username=f"dpo.{utcnow().timestamp()}", first_name="ศิริพร", last_name="ปกป้อง")
    client, csrf = signed_in(db, make_client, dpo)
    return client, csrf, dpo


# --- record of processing activities and privacy notices -----------------------------------------


def test_ropa_covers_every_service_with_basis_categories_recipients_and_retention(
        db: Session, make_client: Client) -> None:
    client, _, _ = dpo_client(db, make_client)
    body = client.get("/api/v1/privacy/ropa").json()
    activities = {a["service"]: a for a in body["activities"]}
    assert len(activities) == 12
    elderly = activities["elderly-allowance"]
    assert elderly["legal_basis"]["basis"] == "legal-obligation"
    assert "พระราชบัญญัติผู้สูงอายุ พ.ศ. 2546" in elderly["legal_basis"]["act"]
    assert {r["code"] for r in elderly["recipients"]} >= {"dopa-civil-registry", "dla-welfare-registry"}
    assert elderly["retention"]["years"] == 10 and "งานสารบรรณ" in elderly["retention"]["ground"]
    disability = activities["disability-allowance"]
    [sensitive] = [c for c in disability["data_categories"] if c["sensitive"]]
    assert sensitive["code"] == "disability" and "มาตรา 26" in sensitive["sensitive_basis"]
    assert disability["to_confirm"] is True  # uncertain facts are flagged, not hidden
    page = client.get("/privacy/ropa")
    assert page.status_code == 200 and "บันทึกรายการกิจกรรมการประมวลผล" in page.text and "ต้องยืนยัน" in page.text
    assert "Building Control Act B.E. 2522" in client.get("/api/v1/privacy/ropa?lang=en").json()[
        "activities"][1]["legal_basis"]["act"]
    response = client.get("/api/v1/privacy/ropa?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert response.headers["content-type"].startswith("text/csv") and len(rows) == 12
    assert next(r for r in rows if r["service"] == "disability-allowance")["sensitive_categories"]
    citizen_client, _ = signed_in(db, make_client, create_citizen(db))
    assert citizen_client.get("/api/v1/privacy/ropa").status_code == 403


def test_a_service_without_privacy_metadata_is_refused_at_load(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), copy)
    path = copy / "services" / "elderly-allowance.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["privacy"]["data_categories"][0]["sensitive"] = True  # sensitive, but no section 26 exception
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="sensitive_basis"):
        load_catalog(copy)
    del data["privacy"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="missing keys \\['privacy'\\]"):
        load_catalog(copy)


def test_privacy_notice_is_public_thai_first_and_linked_from_the_service(client: TestClient) -> None:
    page = client.get("/services/disability-allowance/privacy")
    assert page.status_code == 200
    text = page.text
    assert text.index("ประกาศความเป็นส่วนตัว") < text.index("Privacy notice: ")
    assert "ข้อมูลความพิการ" in text and "Disability and disability ID card" in text and "มาตรา 26" in text
    assert "พระราชบัญญัติส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ พ.ศ. 2550" in text and 'lang="en"' in text
    assert "/services/disability-allowance/privacy" in client.get("/services/disability-allowance").text
    assert client.get("/services/no-such-service/privacy").status_code == 404


# --- retention -------------------------------------------------------------------------------------


def _age(db: Session, application: Application, days: int) -> None:
    db.execute(update(Application).where(Application.id == application.id)
               .values(updated_at=utcnow() - dt.timedelta(days=days)))


def test_retention_run_deletes_what_is_past_its_period_and_keeps_the_rest(
        db: Session, app: FastAPI, make_client: Client) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    settings = app.state.pracha.settings
    citizen = create_citizen(db)
    owner = Principal(user=citizen)
    old_draft = service.create_application(db, catalog, owner, "residence-certificate", {"purpose": "job"})
    # one open application per service and person: each draft is someone else's
    new_draft = service.create_application(db, catalog, Principal(user=create_citizen(db)), "residence-certificate",
                                           {"purpose": "job"})
    held_draft = service.create_application(db, catalog, Principal(user=create_citizen(db)), "residence-certificate",
                                            {"purpose": "job"})
    withdrawn = submit(db, app, citizen)
    service.act(db, catalog, owner, withdrawn, "withdraw")
    kept = submit(db, app, create_citizen(db))
    restricted = create_citizen(db)
    restricted_draft = service.create_application(db, catalog, Principal(user=restricted), "residence-certificate",
                                                  {"purpose": "job"})
    db.flush()
    for application, days in ((old_draft, 91), (new_draft, 10), (held_draft, 200), (withdrawn, 400), (kept, 400),
                              (restricted_draft, 120)):
        _age(db, application, days)
    place_hold(db, "legal_hold", "คดีปกครองที่ 12/2569", application_id=held_draft.id)
    place_hold(db, "restriction", "ขอให้ระงับการใช้ข้อมูล (มาตรา 34)", user_id=restricted.id)
    sha = db.scalar(select(Document.sha256).where(Document.application_id == withdrawn.id))
    assert sha is not None
    db.add(SigninThrottle(key="old", failures=5, retry_after=utcnow() - dt.timedelta(days=2),
                          updated_at=utcnow() - dt.timedelta(days=2)))
    db.add(SigninThrottle(key="locked", failures=10, retry_after=utcnow() + dt.timedelta(minutes=10)))
    db.add(WebSession(token_hash="e" * 64, user_id=citizen.id, expires_at=utcnow() - dt.timedelta(hours=1)))
    db.add(WebSession(token_hash="f" * 64, user_id=citizen.id, expires_at=utcnow() + dt.timedelta(hours=1)))
    db.add(Conversation(id="old-chat", channel="web", created_at=utcnow() - dt.timedelta(days=40),
                        updated_at=utcnow() - dt.timedelta(days=40)))
    two_days_ago = utcnow() - dt.timedelta(days=2)
    db.add(PasswordReset(id_key="a" * 64, client_key="b" * 64, created_at=two_days_ago, expires_at=two_days_ago))
    db.add(PasswordReset(id_key="c" * 64, client_key="b" * 64, expires_at=utcnow()))
    db.commit()
    # the withdrawn application's file is its own; the approved-or-open one shares nothing with it
    db.execute(update(Document).where(Document.application_id == kept.id).values(sha256="0" * 64))
    db.commit()
    assert uploads.path_of(settings.upload_dir, sha).exists()

    ids = {name: a.id for name, a in (("old", old_draft), ("new", new_draft), ("held", held_draft),
                                      ("withdrawn", withdrawn), ("kept", kept), ("restricted", restricted_draft))}
    client, _, _ = dpo_client(db, make_client)
    response = client.post("/api/v1/privacy/retention/runs", headers={"X-CSRF-Token": client_csrf(client)})
    assert response.status_code == 201, response.text
    report = {t["record_type"]: t for t in response.json()["types"]}
    assert report["abandoned-drafts"]["deleted"] == 1 and report["abandoned-drafts"]["held"] == 2
    assert report["closed-uploads"]["deleted"] == 2  # the withdrawn application's two documents
    assert report["signin-throttles"]["deleted"] == 1
    assert report["password-resets"]["deleted"] == 1  # the one of two days ago; today's stays
    assert report["web-sessions"]["deleted"] == 1
    assert report["assistant-logs"]["deleted"] == 1
    db.expire_all()
    remaining = set(db.scalars(select(Application.id)))
    assert ids["old"] not in remaining
    assert {ids["new"], ids["held"], ids["withdrawn"], ids["kept"], ids["restricted"]} <= remaining
    assert db.scalar(select(func.count()).select_from(Document).where(Document.application_id == ids["withdrawn"])) == 0
    assert db.scalar(select(func.count()).select_from(Document).where(Document.application_id == ids["kept"])) == 2
    assert not uploads.path_of(settings.upload_dir, sha).exists()  # unlinked after the commit
    assert set(db.scalars(select(SigninThrottle.key))) == {"locked"}
    assert set(db.scalars(select(WebSession.token_hash))) >= {"f" * 64}
    assert "e" * 64 not in set(db.scalars(select(WebSession.token_hash)))
    assert db.get(Conversation, "old-chat") is None
    listing = client.get("/api/v1/privacy/retention").json()
    assert listing["runs"][0]["trigger"] == "api" and len(listing["schedule"]) == 8
    assert "90" in client.get("/privacy/retention").text


def client_csrf(client: TestClient) -> str:
    return str(client.get("/api/v1/session").json()["csrf_token"])


def test_the_automation_runs_retention_daily(db: Session, app: FastAPI) -> None:
    schedules.ensure_daily(db, dt.date(2026, 12, 4))
    db.commit()
    assert tasks.run_until_idle(app.state.pracha.db.sessions, context(app)) == 1
    runs = list(db.scalars(select(RetentionRun)))
    assert {r.trigger for r in runs} == {"daily"} and len(runs) == 8


# --- breaches ----------------------------------------------------------------------------------------


def test_breach_recorded_affected_people_deadline_letter_and_notices(
        db: Session, app: FastAPI, make_client: Client) -> None:
    first, second = create_citizen(db), create_citizen(db)
    earlier = submit(db, app, first)  # withdrawn, then applied again: two records of one person
    service.act(db, app.state.pracha.registry.get(CATALOG), Principal(user=first), earlier, "withdraw")
    db.commit()
    submit(db, app, first)
    submit(db, app, second)
    create_citizen(db)  # has no application: not affected
    client, csrf, dpo = dpo_client(db, make_client)
    discovered = utcnow() - dt.timedelta(hours=2)
    body = {"title": "อีเมลแจ้งผลส่งถึงผู้รับผิดคน", "description": "ระบบส่งอีเมลแจ้งผลเบี้ยยังชีพไปยังผู้รับผิดคนเป็นเวลา 3 ชั่วโมง",
            "discovered_at": discovered.isoformat(), "data_categories": ["identity", "bank-account"],
            "criteria": {"services": ["elderly-allowance"], "from": (utcnow() - dt.timedelta(days=1)).isoformat()},
            "consequences": "อาจถูกนำเลขบัญชีไปใช้หลอกลวง", "measures": "ระงับการส่งอีเมลและเปลี่ยนผู้ให้บริการ"}
    bad = client.post("/api/v1/privacy/breaches", headers={"X-CSRF-Token": csrf},
                      json={**body, "criteria": {"services": ["no-such-service"]}})
    assert bad.status_code == 422 and "no-such-service" in bad.text
    assert client.post("/api/v1/privacy/breaches", headers={"X-CSRF-Token": csrf},
                       json={**body, "criteria": {"from": body["criteria"]["from"]}}).status_code == 422
    response = client.post("/api/v1/privacy/breaches", headers={"X-CSRF-Token": csrf}, json=body)
    assert response.status_code == 201, response.text
    breach = response.json()
    assert breach["affected_people"] == 2 and breach["affected_records"] == 3
    assert dt.datetime.fromisoformat(breach["deadline"]) == discovered + dt.timedelta(hours=72)
    assert breach["status"] == "due" and 69 * 3600 < breach["seconds_left"] <= 70 * 3600

    letter = client.get(breach["letter_url"]).text
    for expected in ("สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล", "มาตรา 37 (4)", "ประมาณ 2 ราย", "ประมาณ 3 รายการ",
                     "identity, bank-account", "อาจถูกนำเลขบัญชีไปใช้หลอกลวง", "ระงับการส่งอีเมล", "ศิริพร ปกป้อง"):
        assert expected in letter, expected
    pdf = client.get(f"{breach['letter_url']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # the automation: a reminder a day before the deadline, then the overdue flag
    row = db.get(Breach, breach["id"])
    assert row is not None
    breaches.check_deadlines(db, app.state.pracha.settings, discovered + dt.timedelta(hours=50))
    db.commit()
    assert row.reminded_at is not None and row.overdue_at is None
    breaches.check_deadlines(db, app.state.pracha.settings, discovered + dt.timedelta(hours=73))
    db.commit()
    assert row.overdue_at is not None
    dpo_inbox = list(db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == dpo.id)))
    assert any("ชั่วโมง" in s for s in dpo_inbox) and any("เลยกำหนด" in s for s in dpo_inbox)

    notified = client.post(f"/api/v1/privacy/breaches/{breach['id']}/notify-people", headers={"X-CSRF-Token": csrf})
    assert notified.status_code == 200 and notified.json()["high_risk"] is True
    db.rollback()  # a fresh snapshot: the request committed in its own connection
    told = set(db.scalars(select(InboxMessage.user_id).where(InboxMessage.subject.like("แจ้งเหตุการละเมิด%"))))
    assert told == {first.id, second.id}
    done = client.post(f"/api/v1/privacy/breaches/{breach['id']}/regulator-notified", headers={"X-CSRF-Token": csrf})
    assert done.json()["status"] == "reported"
    assert client.post(f"/api/v1/privacy/breaches/{breach['id']}/regulator-notified",
                       headers={"X-CSRF-Token": csrf}).status_code == 409
    db.rollback()
    entries = list(db.scalars(select(LedgerEntry).where(LedgerEntry.kind.like("privacy.breach.%"))))
    assert {e.kind for e in entries} == {"privacy.breach.recorded", "privacy.breach.overdue",
                                         "privacy.breach.people_notified", "privacy.breach.regulator_notified"}
    for entry in entries:
        assert "user:" not in str(entry.data) and str(first.national_id) not in str(entry.data)
    assert client.get("/api/v1/privacy/breaches").json()[0]["reference"].startswith("BR-25")


def test_breach_criteria_language(db: Session, app: FastAPI) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    first, second = create_citizen(db), create_citizen(db)
    one = submit(db, app, first)
    submit(db, app, second)
    draft = service.create_application(db, catalog, Principal(user=create_citizen(db)), "residence-certificate",
                                       {"purpose": "job"})
    db.commit()
    assert breaches.affected(db, breaches.check_criteria(catalog, {"references": [one.reference]})) == {first.id: 1}
    assert breaches.affected(db, breaches.check_criteria(catalog, {"agencies": ["cm-elderly-welfare"]})) == {
        first.id: 1, second.id: 1}
    assert breaches.affected(db, breaches.check_criteria(catalog, {"services": ["residence-certificate"]})) == {}
    everyone = breaches.affected(db, breaches.check_criteria(catalog, {"all_citizens": True}))
    assert draft.citizen_id in everyone and set(everyone.values()) == {1}
    later = (utcnow() + dt.timedelta(hours=1)).isoformat()
    assert breaches.affected(db, breaches.check_criteria(catalog, {"services": ["elderly-allowance"],
                                                                   "from": later})) == {}
    for bad in ({"services": "elderly-allowance"}, {"statuses": ["lost"]}, {"all_citizens": False},
                {"services": ["elderly-allowance"], "from": "yesterday"}, {"who": ["x"]}, [],
                {"services": ["elderly-allowance"], "from": later, "to": later}):
        with pytest.raises(breaches.InvalidInput):
            breaches.check_criteria(catalog, bad)


def test_breach_form_records_from_the_page(db: Session, app: FastAPI, make_client: Client) -> None:
    submit(db, app, create_citizen(db))
    client, csrf, _ = dpo_client(db, make_client)
    page = client.get("/privacy/breaches")
    assert page.status_code == 200 and "ทะเบียนเหตุการละเมิด" in page.text
    response = client.post("/privacy/breaches", data={
        "csrf_token": csrf, "title": "แฟ้มสำเนาบัตรหาย", "description": "กล่องเอกสารหายระหว่างขนย้าย",
        "discovered_at": "2026-12-04T09:30", "data_categories": "identity", "services": "elderly-allowance"},
        follow_redirects=False)
    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert "แฟ้มสำเนาบัตรหาย" in detail.text
    missing = client.post("/privacy/breaches", data={"csrf_token": csrf, "title": "x", "description": "y",
                                                     "discovered_at": "", "data_categories": "identity"})
    assert missing.status_code == 422 and 'role="alert"' in missing.text
    assert db.scalar(select(func.count()).select_from(Hold)) == 0


# --- staff views in the data tracker ----------------------------------------------------------------------


def test_staff_views_appear_in_the_citizens_data_tracker(db: Session, app: FastAPI, make_client: Client) -> None:
    citizen = create_citizen(db)
    application = submit(db, app, citizen)
    officer = create_staff(db, "officer", "cm-elderly-welfare")
    auditor = create_staff(db, "auditor")
    officer_client, _ = signed_in(db, make_client, officer)
    assert officer_client.get(f"/applications/{application.reference}").status_code == 200
    assert officer_client.get(f"/api/v1/applications/{application.reference}").status_code == 200
    document_id = application.documents[0].id
    assert officer_client.get(f"/applications/{application.reference}/documents/{document_id}").status_code == 200
    auditor_client, _ = signed_in(db, make_client, auditor)
    assert auditor_client.get(f"/applications/{application.reference}").status_code == 200
    citizen_client, _ = signed_in(db, make_client, citizen)
    assert citizen_client.get(f"/applications/{application.reference}").status_code == 200  # own view: not noted
    assert db.scalar(select(func.count()).select_from(StaffView)) == 4

    rows = citizen_client.get("/api/v1/me/data-tracker").json()["items"]
    views = [r for r in rows if r["source"] == "staff_view"]
    assert len(views) == 4
    texts = [r["service_name"] for r in views]
    assert (f"เจ้าหน้าที่ งานสวัสดิการผู้สูงอายุ กองสวัสดิการสังคม เทศบาลนครเชียงใหม่ เปิดดูคำขอ "
            f"{application.reference} เพื่อพิจารณา") in texts
    assert any("เอกสารของคำขอ" in t for t in texts) and any("ผู้ตรวจสอบ" in t for t in texts)
    # paging walks both sources without repeats
    seen: list[str] = []
    url: str | None = "/api/v1/me/data-tracker?limit=1"
    while url:
        page = citizen_client.get(url).json()
        seen += [r["reference"] for r in page["items"]]
        url = f"/api/v1/me/data-tracker?limit=1&cursor={page['next_cursor']}" if page["next_cursor"] else None
    assert len(seen) == len(rows) == len(set(seen))
    assert "เปิดดูคำขอ" in citizen_client.get("/me/data-tracker").text
    assert "staff_view" in citizen_client.get("/api/v1/me/data-tracker?format=csv").text
    other_client, _ = signed_in(db, make_client, create_citizen(db))
    assert [r for r in other_client.get("/api/v1/me/data-tracker").json()["items"] if r["source"] == "staff_view"] == []


def test_pracha_worker_runs_the_privacy_jobs(db: Session, app: FastAPI, tmp_path: Path) -> None:
    """`pracha worker` builds its own registry: the privacy package's daily retention must be in it."""
    settings = app.state.pracha.settings
    schedules.ensure_daily(db, dt.date(2026, 12, 5))
    db.commit()
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_DATABASE_URL": settings.database_url,
           "PRACHA_VAR_DIR": str(settings.var_dir), "PRACHA_REGISTRY_AUTOSTART": "false"}
    done = subprocess.run([sys.executable, "-m", "pracha.cli", "worker", "--until-idle"], env=env,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    db.rollback()
    assert {r.trigger for r in db.scalars(select(RetentionRun))} == {"daily"}
