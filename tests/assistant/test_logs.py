"""Conversation logs: national IDs masked in everything stored; logs older than 30 days deleted."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.assistant.dialogue import Reply
from pracha.assistant.models import Conversation, Message
from pracha.assistant.nlp import mask_national_ids
from pracha.assistant.service import log_turn
from pracha.config import Settings
from pracha.db import utcnow
from tests.factories import csrf_token


def test_mask_forms_of_national_ids() -> None:
    for raw in ("1101700203450", "1-1017-00203-45-0", "1 1017 00203 45 0", "๑๑๐๑๗๐๐๒๐๓๔๕๐"):
        assert mask_national_ids(f"เลข {raw} ค่ะ") == "เลข x-xxxx-xxxxx-xx-x ค่ะ"
    assert mask_national_ids("โทร 0812345678 ปี 2569") == "โทร 0812345678 ปี 2569"


def test_ids_typed_into_the_chat_are_never_stored(client: TestClient, db: Session) -> None:
    csrf = csrf_token(client)
    response = client.post("/api/v1/assistant/messages", headers={"X-CSRF-Token": csrf},
                           json={"text": "เลขบัตร 1-1017-00203-45-0 ขอเบี้ยคนแก่ได้ไหม ๑๑๐๑๗๐๐๒๐๓๔๕๐"})
    assert response.status_code == 200
    stored = " ".join(db.scalars(select(Message.text)))
    assert "x-xxxx-xxxxx-xx-x" in stored
    for form in ("1101700203450", "1-1017-00203-45-0", "00203", "๑๑๐๑๗"):
        assert form not in stored


def test_logs_older_than_30_days_are_deleted_by_the_retention_schedule(db: Session, settings: Settings) -> None:
    from pracha.privacy.retention import run_retention

    reply = Reply("ok", "th", "answer")
    old = utcnow() - dt.timedelta(days=31)
    recent = utcnow() - dt.timedelta(days=29)
    old_id = log_turn(db, settings, conversation_id=None, channel="web", user_id=None, question="เก่า",
                      reply=reply, now=old)
    kept_id = log_turn(db, settings, conversation_id=None, channel="web", user_id=None, question="ใหม่",
                       reply=reply, now=recent)
    log_turn(db, settings, conversation_id=None, channel="web", user_id=None, question="วันนี้", reply=reply)
    db.commit()
    assert db.scalar(select(func.count()).select_from(Conversation)) == 3  # a write no longer deletes
    [report] = run_retention(db, settings, trigger="test", only=["assistant-logs"])
    db.commit()
    ids = set(db.scalars(select(Conversation.id)))
    assert old_id not in ids and kept_id in ids
    assert "เก่า" not in set(db.scalars(select(Message.text)))
    assert report.deleted == 3  # two messages and their conversation
