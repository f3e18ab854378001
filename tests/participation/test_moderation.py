"""Abuse reports and moderation: anyone signed in reports; a moderator hides with a reason the public
sees, unhides, or keeps; every decision is logged; confidential complaints are not moderators' to hide."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import MODERATOR
from pracha.participation.models import AbuseReport, Complaint, ModerationAction
from tests.factories import create_citizen, create_staff, sign_in
from tests.participation import moderation_world as world


def _signed_in(db: Session, make_client: Callable[..., TestClient], user: object) -> tuple[TestClient, str]:
    client = make_client()
    return client, sign_in(db, client, user)  # type: ignore[arg-type]


def test_abuse_report_api_files_once_per_reporter_and_target(db: Session, make_client: Callable[..., TestClient]
                                                              ) -> None:
    author, reporter = create_citizen(db), create_citizen(db)
    target = world.complaint(db, author)
    client, csrf = _signed_in(db, make_client, reporter)
    body = {"target_kind": "complaint", "target_id": target.id, "reason": "ข้อความหยาบคาย"}
    first = client.post("/api/v1/abuse-reports", json=body, headers={"X-CSRF-Token": csrf})
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/abuse-reports", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    for wrong in ({**body, "target_id": 999999}, {**body, "target_kind": "user"}):
        assert client.post("/api/v1/abuse-reports", json=wrong, headers={"X-CSRF-Token": csrf}).status_code == 404
    short = client.post("/api/v1/abuse-reports", json={**body, "reason": "x"}, headers={"X-CSRF-Token": csrf})
    assert short.status_code == 422 and "reason" in short.json()["fields"]
    assert make_client().post("/api/v1/abuse-reports", json=body).status_code == 401
    assert len(db.scalars(select(AbuseReport)).all()) == 1


def test_abuse_report_form_returns_to_the_page_with_thanks(db: Session, make_client: Callable[..., TestClient]
                                                          ) -> None:
    target = world.complaint(db, create_citizen(db))
    client, csrf = _signed_in(db, make_client, create_citizen(db))
    form = {"csrf_token": csrf, "target_kind": "complaint", "target_id": str(target.id), "reason": "สแปมโฆษณา"}
    same = client.post("/participation/abuse-reports", data=form,
                       headers={"Referer": f"http://testserver/complaints/{target.reference}?lang=en"})
    assert same.status_code == 303
    assert same.headers["location"] == f"/complaints/{target.reference}?lang=en&reported=1"
    other = client.post("/participation/abuse-reports", data=form, headers={"Referer": "https://evil.example/x"})
    assert other.headers["location"] == "/participation?reported=1"
    page = client.get("/participation?reported=1")
    assert page.status_code == 200 and "ขอบคุณ" in page.text


def test_moderator_hides_unhides_and_dismisses_with_a_log(db: Session, make_client: Callable[..., TestClient]
                                                         ) -> None:
    author = create_citizen(db)
    target = world.complaint(db, author, title="ด่าทอเจ้าหน้าที่ด้วยคำหยาบ")
    note = world.event(db, target, "ข้อความตอบกลับ")
    _, response = world.hearing_with_response(db, author, "ความเห็นที่มีเบอร์โทรคนอื่น 0812345678")
    petition = world.petition(db, author)
    reporter_client, reporter_csrf = _signed_in(db, make_client, create_citizen(db))
    for kind, row_id in (("complaint", target.id), ("complaint_event", note.id),
                         ("hearing_response", response.id), ("petition", petition.id)):
        made = reporter_client.post("/api/v1/abuse-reports", headers={"X-CSRF-Token": reporter_csrf},
                                    json={"target_kind": kind, "target_id": row_id, "reason": "ไม่เหมาะสม"})
        assert made.status_code == 201, made.text
    moderator = create_staff(db, MODERATOR)
    client, csrf = _signed_in(db, make_client, moderator)
    headers = {"X-CSRF-Token": csrf}
    queue = client.get("/api/v1/moderation/reports?limit=3")
    assert queue.status_code == 200
    first = queue.json()
    assert [i["target_kind"] for i in first["items"]] == ["complaint", "complaint_event", "hearing_response"]
    assert "ด่าทอ" in first["items"][0]["text"] and first["items"][0]["link"] == f"/complaints/{target.reference}"
    rest = client.get("/api/v1/moderation/reports", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["target_kind"] for i in rest["items"]] == ["petition"] and rest["next_cursor"] is None
    assert reporter_client.get("/api/v1/moderation/reports").status_code == 403

    hidden = client.post(f"/api/v1/moderation/complaint/{target.id}/hide", json={"reason": "ถ้อยคำหยาบคาย"},
                         headers=headers)
    assert hidden.status_code == 200, hidden.text
    db.rollback()
    db.expire_all()
    row = db.get(Complaint, target.id)
    assert row is not None and row.hidden_at is not None and row.hidden_reason == "ถ้อยคำหยาบคาย"
    assert db.scalar(select(AbuseReport.resolution).where(AbuseReport.target_kind == "complaint")) == "hidden"
    shown = client.post(f"/api/v1/moderation/complaint/{target.id}/unhide", json={"reason": "ผู้แจ้งแก้ไขแล้ว"},
                        headers=headers)
    assert shown.status_code == 200
    again = client.post(f"/api/v1/moderation/complaint/{target.id}/unhide", json={"reason": "ซ้ำ"}, headers=headers)
    assert again.status_code == 409
    report_id = db.scalar(select(AbuseReport.id).where(AbuseReport.target_kind == "petition"))
    kept = client.post(f"/api/v1/moderation/reports/{report_id}/dismiss", json={"reason": "เป็นข้อเสนอปกติ"},
                       headers=headers)
    assert kept.status_code == 200
    assert client.post(f"/api/v1/moderation/reports/{report_id}/dismiss", json={"reason": "ซ้ำอีก"},
                       headers=headers).status_code == 409
    assert client.post("/api/v1/moderation/petition/999999/hide", json={"reason": "ไม่มี"},
                       headers=headers).status_code == 404
    assert client.post("/api/v1/moderation/complaint/99999999999999999999/hide", json={"reason": "ใหญ่"},
                       headers=headers).status_code == 422
    db.rollback()
    db.expire_all()
    log = [(a.target_kind, a.action, a.moderator_id) for a in db.scalars(select(ModerationAction)
                                                                          .order_by(ModerationAction.id))]
    assert log == [("complaint", "hide", moderator.id), ("complaint", "unhide", moderator.id),
                   ("petition", "dismiss", moderator.id)]
    page = client.get("/moderation")
    assert page.status_code == 200 and "ความเห็นที่มีเบอร์โทร" in page.text and "ผู้แจ้งแก้ไขแล้ว" in page.text


def test_confidential_complaint_is_not_shown_to_moderators_nor_hidden(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    secret = world.complaint(db, create_citizen(db), category="corruption", title="เจ้าหน้าที่เรียกเงินใต้โต๊ะ")
    reporter, csrf = _signed_in(db, make_client, create_citizen(db))
    assert reporter.post("/api/v1/abuse-reports", headers={"X-CSRF-Token": csrf}, json={
        "target_kind": "complaint", "target_id": secret.id, "reason": "ใส่ร้าย"}).status_code == 201
    client, staff_csrf = _signed_in(db, make_client, create_staff(db, MODERATOR))
    item = client.get("/api/v1/moderation/reports").json()["items"][0]
    assert item["confidential"] is True and item["text"] is None and item["link"] is None
    assert "ใต้โต๊ะ" not in client.get("/moderation").text
    refused = client.post(f"/api/v1/moderation/complaint/{secret.id}/hide", json={"reason": "ลองซ่อน"},
                          headers={"X-CSRF-Token": staff_csrf})
    assert refused.status_code == 409 and refused.json()["error"] == "confidential_target"


def test_moderation_page_forms_decide(db: Session, make_client: Callable[..., TestClient]) -> None:
    target = world.petition(db, create_citizen(db), title="ข้อเสนอที่มีคำหยาบ")
    reporter, csrf = _signed_in(db, make_client, create_citizen(db))
    reporter.post("/api/v1/abuse-reports", headers={"X-CSRF-Token": csrf},
                  json={"target_kind": "petition", "target_id": target.id, "reason": "คำหยาบ"})
    client, staff_csrf = _signed_in(db, make_client, create_staff(db, MODERATOR))
    done = client.post(f"/moderation/petition/{target.id}/hide", data={"csrf_token": staff_csrf,
                                                                      "reason": "ใช้คำหยาบคาย"})
    assert done.status_code == 303 and done.headers["location"] == "/moderation?done=hide"
    db.rollback()
    db.expire_all()
    assert db.scalar(select(AbuseReport.resolution)) == "hidden"
    assert "ยังไม่มีรายงาน" in client.get("/moderation").text or "No report" in client.get("/moderation?lang=en").text


def test_abuse_reports_are_rate_limited(db: Session, make_client: Callable[..., TestClient]) -> None:
    target = world.complaint(db, create_citizen(db))
    reporter = create_citizen(db)
    db.add_all([AbuseReport(target_kind="complaint", target_id=target.id, reporter_id=reporter.id, reason="ซ้ำ",
                            resolved_at=target.created_at, resolution="kept") for _ in range(20)])
    db.commit()
    client, csrf = _signed_in(db, make_client, reporter)
    refused = client.post("/api/v1/abuse-reports", headers={"X-CSRF-Token": csrf},
                          json={"target_kind": "complaint", "target_id": target.id, "reason": "อีกครั้ง"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
