"""Account recovery (issue 19): a one-time code to the e-mail or phone on the account. The answers and
the throttles must not tell a known ID from an unknown one; a reset ends every session and token."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import PasswordReset, User
from pracha.identity.recovery import purge_resets
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage, OutboxMessage
from tests.factories import create_citizen, create_staff, csrf_token, new_national_id, sign_in
from tests.identity.oidc.helpers import authorize_code, exchange, register

NEW_PASSWORD = "ข้าวเหนียวมะม่วง 2569"


def ask(client: TestClient, national_id: str) -> Any:
    return client.post("/api/v1/password-resets", json={"national_id": national_id},
                       headers={"X-CSRF-Token": csrf_token(client)})


def confirm(client: TestClient, national_id: str, code: str, new_password: str = NEW_PASSWORD) -> Any:
    return client.post("/api/v1/password-resets/confirm", headers={"X-CSRF-Token": csrf_token(client)},
                       json={"national_id": national_id, "code": code, "new_password": new_password})


def sent_code(db: Session, user: User, channel: str = "email") -> str:
    """The code in the newest outbox row of `channel` for `user` (what the e-mail/SMS sender would send)."""
    db.rollback()  # a fresh snapshot: the app committed in its own session
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id, OutboxMessage.channel == channel)
                     .order_by(OutboxMessage.id.desc())).first()
    assert row is not None
    found = re.search(r"\b(\d{6})\b", row.body)
    assert found is not None
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def without_wait(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "retry_after"}


def test_answers_are_identical_for_known_unknown_and_channelless_ids(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    known = create_citizen(db, phone="0812345678")
    mute = create_citizen(db, email=None, phone=None)
    answers = [ask(make_client(client=(f"203.0.113.{n}", 4000)), nid)
               for n, nid in enumerate((known.national_id or "", new_national_id(), mute.national_id or ""), 1)]
    assert [a.status_code for a in answers] == [202] * 3
    assert answers[0].json() == answers[1].json() == answers[2].json()
    body = answers[0].json()
    assert body["status"] == "sent_if_known" and body["expires_in"] == 900
    assert "บัตรประจำตัวประชาชน" in body["message_th"] and "ID card" in body["message_en"]
    rows = db.scalars(select(PasswordReset).order_by(PasswordReset.id)).all()
    assert [(r.user_id is not None, r.code_hash is not None, r.channels) for r in rows] == [
        (True, True, ["email", "sms"]), (False, False, []), (True, False, [])]
    assert all(len(r.id_key) == 64 and len(r.client_key) == 64 for r in rows)
    assert db.scalar(select(OutboxMessage.id).where(OutboxMessage.user_id == mute.id)) is None
    assert db.scalar(select(InboxMessage.id).where(InboxMessage.user_id == known.id)) is None  # code not in inbox


def test_bad_ids_are_422(client: TestClient) -> None:
    for bad in ("12345", "1234567890123", "abcdefghijklm"):
        response = ask(client, bad)
        assert response.status_code == 422 and response.json()["fields"]["national_id"]


def test_throttle_per_id_is_identical_for_known_and_unknown(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    known, unknown = create_citizen(db).national_id or "", new_national_id()
    answers: dict[str, list[Any]] = {}
    for nid in (known, unknown):
        answers[nid] = [ask(make_client(client=(f"198.51.100.{n}", 5000)), nid) for n in range(4)]
    assert [a.status_code for a in answers[known]] == [a.status_code for a in answers[unknown]] == [202] * 3 + [429]
    refused_known, refused_unknown = answers[known][3], answers[unknown][3]
    assert without_wait(refused_known.json()) == without_wait(refused_unknown.json())
    assert refused_known.json()["error"] == "reset_throttled"
    assert 3500 < int(refused_known.headers["retry-after"]) <= 3601
    assert 3500 < int(refused_unknown.headers["retry-after"]) <= 3601


def test_throttle_per_client_is_identical_for_known_and_unknown(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    known = create_citizen(db).national_id or ""
    sprayer, elsewhere = make_client(client=("203.0.113.50", 4000)), make_client(client=("192.0.2.50", 4000))
    assert {ask(sprayer, new_national_id()).status_code for _ in range(10)} == {202}
    refused = [ask(sprayer, known), ask(sprayer, new_national_id())]
    assert [r.status_code for r in refused] == [429, 429]
    assert without_wait(refused[0].json()) == without_wait(refused[1].json())
    assert ask(elsewhere, known).status_code == 202  # only that client waits


def test_code_sets_a_new_password_and_revokes_sessions_and_oidc_tokens(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db, phone="0812345678")
    nid = citizen.national_id or ""
    signed_in = make_client()
    sign_in(db, signed_in, citizen)
    assert signed_in.get("/api/v1/session").json()["user"]["id"] == citizen.id
    rp = make_client()
    reg = register(db)
    code, flow = authorize_code(db, rp, reg, citizen)
    tokens = exchange(rp, reg, code, flow.verifier).json()
    assert rp.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
    visitor = make_client(client=("203.0.113.60", 4000))
    assert ask(visitor, nid).status_code == 202
    code = sent_code(db, citizen, "email")
    assert sent_code(db, citizen, "sms") == code
    done = confirm(visitor, nid, code)
    assert done.status_code == 200 and done.json() == {"status": "password_changed"}
    assert signed_in.get("/api/v1/session").json()["user"] is None  # the old session is gone
    assert rp.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    refreshed = rp.post("/oidc/token", auth=reg.auth,
                        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400
    signing_in = visitor.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(visitor)},
                              json={"national_id": nid, "password": NEW_PASSWORD})
    assert signing_in.status_code == 200
    assert confirm(visitor, nid, code, "another password 1").status_code == 400  # used once
    db.rollback()  # a fresh snapshot: the app committed in its own session
    told = db.scalar(select(InboxMessage).where(InboxMessage.user_id == citizen.id))
    assert told is not None and told.subject == "รหัสผ่านของท่านถูกเปลี่ยนแล้ว"
    channels = db.scalars(select(OutboxMessage.channel).where(
        OutboxMessage.user_id == citizen.id, OutboxMessage.subject == told.subject)).all()
    assert sorted(channels) == ["email", "sms"]
    assert db.scalar(select(LedgerEntry.id).where(LedgerEntry.kind == "identity.password.reset")) is not None


def test_wrong_expired_and_unknown_give_the_same_400(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    client = make_client(client=("203.0.113.70", 4000))
    assert ask(client, nid).status_code == 202
    code = sent_code(db, citizen)
    wrong_code = confirm(client, nid, wrong(code))
    unknown = confirm(client, new_national_id(), code)
    assert wrong_code.status_code == unknown.status_code == 400
    assert wrong_code.json() == unknown.json() and wrong_code.json()["error"] == "invalid_code"
    assert wrong_code.json()["message"].startswith("รหัสไม่ถูกต้อง")
    db.rollback()
    for row in db.scalars(select(PasswordReset)):  # asked 16 minutes ago
        row.created_at -= dt.timedelta(minutes=16)
        row.expires_at -= dt.timedelta(minutes=16)
    db.commit()
    expired = confirm(client, nid, code)
    assert expired.status_code == 400 and expired.json() == unknown.json()


def test_five_wrong_tries_spend_the_code(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    client = make_client(client=("203.0.113.80", 4000))
    assert ask(client, nid).status_code == 202
    code = sent_code(db, citizen)
    assert [confirm(client, nid, wrong(code)).status_code for _ in range(5)] == [400] * 5
    assert confirm(client, nid, code).status_code == 400  # the right code, too late


def test_a_new_request_replaces_the_older_code(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    client = make_client(client=("203.0.113.90", 4000))
    assert ask(client, nid).status_code == 202
    first = sent_code(db, citizen)
    assert ask(client, nid).status_code == 202
    second = sent_code(db, citizen)
    if first != second:
        assert confirm(client, nid, first).status_code == 400
    assert confirm(client, nid, second).status_code == 200


def test_weak_password_is_422_and_keeps_the_code(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    client = make_client(client=("203.0.113.100", 4000))
    assert ask(client, nid).status_code == 202
    code = sent_code(db, citizen)
    weak = confirm(client, nid, code, "short")
    assert weak.status_code == 422 and "8" in weak.json()["fields"]["new_password"]
    assert confirm(client, nid, code).status_code == 200


def test_confirm_tries_are_limited_per_client(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    guesser, owner = make_client(client=("203.0.113.110", 4000)), make_client(client=("192.0.2.110", 4000))
    assert ask(owner, nid).status_code == 202
    code = sent_code(db, citizen)
    statuses = [confirm(guesser, new_national_id(), "000000").status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]
    assert confirm(owner, nid, code).status_code == 200


def test_staff_are_not_recovered_by_code(db: Session, make_client: Callable[..., TestClient]) -> None:
    assert create_staff(db, "officer", "cm-elderly-welfare").national_id is None  # staff normally have none
    staff_with_id = create_staff(db, "officer", "cm-elderly-welfare")
    nid = new_national_id()
    staff_with_id.national_id = nid
    db.commit()
    client = make_client(client=("203.0.113.120", 4000))
    assert ask(client, nid).json() == ask(make_client(client=("203.0.113.121", 4000)), new_national_id()).json()
    assert db.scalar(select(OutboxMessage.id).where(OutboxMessage.user_id == staff_with_id.id)) is None
    assert db.scalars(select(PasswordReset.user_id)).all() == [None, None]


def test_pages_answer_the_same_and_change_the_password(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    client = make_client(client=("203.0.113.130", 4000))
    assert "/password-reset" in client.get("/signin").text
    page = client.get("/password-reset")
    assert page.status_code == 200 and "ลืมรหัสผ่าน" in page.text
    csrf = csrf_token(client)
    unknown = new_national_id()
    pages = [client.post("/password-reset", data={"national_id": n, "csrf_token": csrf}) for n in (nid, unknown)]
    assert [p.status_code for p in pages] == [200, 200]
    assert pages[0].text.replace(nid, "ID") == pages[1].text.replace(unknown, "ID")
    assert "บัตรประจำตัวประชาชน" in pages[0].text
    code = sent_code(db, citizen)
    mismatch = client.post("/password-reset/confirm", data={"national_id": nid, "code": code, "csrf_token": csrf,
                                                            "new_password": NEW_PASSWORD, "new_password_again": "x"})
    assert mismatch.status_code == 422
    done = client.post("/password-reset/confirm", data={"national_id": nid, "code": code, "csrf_token": csrf,
                                                        "new_password": NEW_PASSWORD,
                                                        "new_password_again": NEW_PASSWORD})
    assert done.status_code == 200 and 'href="/signin"' in done.text


def test_purge_keeps_the_last_hour(db: Session, make_client: Callable[..., TestClient]) -> None:
    client = make_client(client=("203.0.113.140", 4000))
    assert ask(client, new_national_id()).status_code == 202
    db.rollback()
    now = utcnow()
    assert purge_resets(db, now - dt.timedelta(hours=1)) == 0
    assert purge_resets(db, now + dt.timedelta(seconds=1)) == 1
    db.commit()
