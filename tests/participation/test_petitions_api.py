"""Petitions through the real app (both engines): the contract of starting, checking, supporting,
withdrawing and answering, and what the public may see."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from pracha.identity.models import AGENCY_ADMIN, MODERATOR, OFFICER, User
from pracha.notices.models import InboxMessage
from pracha.participation.models import ModerationAction, Petition, PetitionSupport
from tests.factories import create_citizen, create_staff, sign_in

AGENCY = "cm-city-environment"


def signed_in(db: Session, make_client: Callable[..., TestClient], user: User) -> TestClient:
    client = make_client()
    client.headers["X-CSRF-Token"] = sign_in(db, client, user)
    return client


def start(db: Session, make_client: Callable[..., TestClient], creator: TestClient, *, approve: bool = True,
          threshold: int | None = None) -> int:
    made = creator.post("/api/v1/petitions", json={"agency": AGENCY, "title": "ขอเพิ่มจุดทิ้งขยะอันตราย",
                                                  "body": "ชุมชนไม่มีจุดทิ้งถ่านไฟฉายและหลอดไฟ", "days_open": 30})
    assert made.status_code == 201, made.text
    petition_id = int(made.json()["id"])
    if threshold is not None:
        db.get(Petition, petition_id).threshold = threshold  # type: ignore[union-attr]
        db.commit()
    if approve:
        moderator = signed_in(db, make_client, create_staff(db, MODERATOR))
        decided = moderator.post(f"/api/v1/petitions/{petition_id}/decision", json={"action": "approve"})
        assert decided.status_code == 200 and decided.json()["status"] == "open", decided.text
    return petition_id


def test_start_check_support_withdraw_and_support_again(db: Session, make_client: Callable[..., TestClient],
                                                        client: TestClient) -> None:
    creator = signed_in(db, make_client, create_citizen(db))
    petition_id = start(db, make_client, creator)
    supporter = signed_in(db, make_client, create_citizen(db))
    first = supporter.post(f"/api/v1/petitions/{petition_id}/supports")
    assert first.status_code == 201 and first.json()["count"] == 1
    assert first.json()["commitment"].startswith("hmac-sha256:")
    assert first.json()["receipt_url"] == f"/api/v1/petitions/{petition_id}/supports/mine"
    again = supporter.post(f"/api/v1/petitions/{petition_id}/supports")
    assert again.status_code == 409 and again.json()["error"] == "already_supported"
    receipt = supporter.get(f"/api/v1/petitions/{petition_id}/supports/mine")
    assert receipt.status_code == 200 and receipt.json()["commitment"] == first.json()["commitment"]
    assert receipt.json()["receipt"]["leaf"]["category"] == "tally.petition.support"
    assert receipt.json()["receipt"]["leaf"]["object"] == f"petition:{petition_id}/{first.json()['commitment']}"

    withdrawn = supporter.delete(f"/api/v1/petitions/{petition_id}/supports/mine")
    assert withdrawn.status_code == 200 and withdrawn.json() == {"count": 0}
    twice = supporter.delete(f"/api/v1/petitions/{petition_id}/supports/mine")
    assert twice.status_code == 409 and twice.json()["error"] == "not_supported"
    back = supporter.post(f"/api/v1/petitions/{petition_id}/supports")
    assert back.status_code == 201 and back.json()["count"] == 1
    assert back.json()["commitment"] == first.json()["commitment"]

    public = client.get(f"/api/v1/petitions/{petition_id}").json()
    assert public["support_count"] == 1 and public["ledger"]["first_index"] is not None or \
        public["ledger"]["sequenced"] is False
    staff = signed_in(db, make_client, create_staff(db, OFFICER, AGENCY))
    assert staff.post(f"/api/v1/petitions/{petition_id}/supports").status_code == 403
    assert client.post(f"/api/v1/petitions/{petition_id}/supports", json={}).status_code == 401


def test_no_user_id_anywhere_in_petition_supports(db: Session, make_client: Callable[..., TestClient]) -> None:
    creator = signed_in(db, make_client, create_citizen(db))
    petition_id = start(db, make_client, creator)
    citizen = create_citizen(db)
    assert signed_in(db, make_client, citizen).post(f"/api/v1/petitions/{petition_id}/supports").status_code == 201
    columns = {c["name"] for c in inspect(db.get_bind()).get_columns("petition_supports")}
    assert columns == {"id", "petition_id", "commitment", "created_at", "withdrawn_at", "ledger_entry_id",
                       "withdraw_entry_id"}
    row = db.scalars(select(PetitionSupport)).one()
    values = [str(getattr(row, c)) for c in columns]
    assert citizen.national_id not in " ".join(values) and str(citizen.id) not in {row.commitment}


def test_closed_petition_refuses_support(db: Session, make_client: Callable[..., TestClient]) -> None:
    creator = signed_in(db, make_client, create_citizen(db))
    petition_id = start(db, make_client, creator)
    petition = db.get(Petition, petition_id)
    assert petition is not None
    petition.status = "closed"
    db.commit()
    refused = signed_in(db, make_client, create_citizen(db)).post(f"/api/v1/petitions/{petition_id}/supports")
    assert refused.status_code == 409 and refused.json()["error"] == "not_open"


def test_pending_and_declined_are_seen_only_by_creator_and_moderators(
        db: Session, make_client: Callable[..., TestClient], client: TestClient) -> None:
    creator = signed_in(db, make_client, create_citizen(db))
    petition_id = start(db, make_client, creator, approve=False)
    other = signed_in(db, make_client, create_citizen(db))
    moderator = signed_in(db, make_client, create_staff(db, MODERATOR))
    for who, status in ((client, 404), (other, 404), (creator, 200), (moderator, 200)):
        assert who.get(f"/api/v1/petitions/{petition_id}").status_code == status
    assert petition_id not in [p["id"] for p in client.get("/api/v1/petitions").json()["items"]]
    assert other.post(f"/api/v1/petitions/{petition_id}/decision", json={"action": "approve"}).status_code == 403
    no_reason = moderator.post(f"/api/v1/petitions/{petition_id}/decision", json={"action": "decline"})
    assert no_reason.status_code == 422
    declined = moderator.post(f"/api/v1/petitions/{petition_id}/decision",
                              json={"action": "decline", "reason": "ซ้ำกับข้อเสนอที่เปิดอยู่"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert client.get(f"/api/v1/petitions/{petition_id}").status_code == 404
    assert creator.get(f"/api/v1/petitions/{petition_id}").json()["decision_reason"] == "ซ้ำกับข้อเสนอที่เปิดอยู่"
    actions = db.scalars(select(ModerationAction.action).where(ModerationAction.target_kind == "petition")).all()
    assert actions == ["decline"]
    assert db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == db.scalars(
        select(Petition.creator_id).where(Petition.id == petition_id)).one())).all()


def test_threshold_sets_the_due_date_and_the_agency_answers(
        db: Session, make_client: Callable[..., TestClient], client: TestClient) -> None:
    creator = signed_in(db, make_client, create_citizen(db))
    officer_user = create_staff(db, OFFICER, AGENCY)
    petition_id = start(db, make_client, creator, threshold=2)
    for _ in range(2):
        assert signed_in(db, make_client, create_citizen(db)).post(
            f"/api/v1/petitions/{petition_id}/supports").status_code == 201
    public = client.get(f"/api/v1/petitions/{petition_id}").json()
    assert public["support_count"] == 2 and public["threshold_reached_at"] is not None
    assert public["response_due_at"] is not None
    told = db.scalars(select(InboxMessage).where(InboxMessage.user_id == officer_user.id)).all()
    assert len(told) == 1 and "/officer/petitions" == told[0].link
    other_agency = signed_in(db, make_client, create_staff(db, AGENCY_ADMIN, "cm-city-engineering"))
    assert other_agency.post(f"/api/v1/petitions/{petition_id}/response",
                             json={"response_th": "ตอบ"}).status_code == 403
    officer = signed_in(db, make_client, officer_user)
    answered = officer.post(f"/api/v1/petitions/{petition_id}/response",
                            json={"response_th": "เทศบาลจะเพิ่มจุดทิ้งขยะอันตราย 12 จุดภายในมีนาคม"})
    assert answered.status_code == 200 and answered.json()["status"] == "responded"
    page = client.get(f"/petitions/{petition_id}")
    assert page.status_code == 200 and "เทศบาลจะเพิ่มจุดทิ้งขยะอันตราย 12 จุดภายในมีนาคม" in page.text


def test_hidden_petition_shows_the_reason_to_the_public_and_the_text_to_its_creator(
        db: Session, make_client: Callable[..., TestClient], client: TestClient) -> None:
    creator_user = create_citizen(db)
    creator = signed_in(db, make_client, creator_user)
    petition_id = start(db, make_client, creator)
    petition = db.get(Petition, petition_id)
    assert petition is not None
    petition.hidden_at, petition.hidden_reason = petition.opens_at, "มีถ้อยคำหยาบคาย"
    db.commit()
    public = client.get(f"/api/v1/petitions/{petition_id}").json()
    assert public["title"] is None and public["body"] is None and public["hidden_reason"] == "มีถ้อยคำหยาบคาย"
    assert "creator_id" not in public and str(creator_user.national_id) not in str(public)
    page = client.get(f"/petitions/{petition_id}").text
    assert "มีถ้อยคำหยาบคาย" in page and "ขอเพิ่มจุดทิ้งขยะอันตราย" not in page
    assert creator.get(f"/api/v1/petitions/{petition_id}").json()["title"] == "ขอเพิ่มจุดทิ้งขยะอันตราย"
    listed = client.get("/api/v1/petitions", params={"status": "open"}).json()["items"]
    assert [p["title"] for p in listed if p["id"] == petition_id] == [None]
