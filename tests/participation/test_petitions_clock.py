"""Petitions over time and under contention (both engines): the hourly clock closes, reminds once and
escalates once; two supports at once by one citizen count once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import AGENCY_ADMIN, OFFICER, PLATFORM_ADMIN
from pracha.notices.models import InboxMessage
from pracha.participation.models import Petition, PetitionSupport
from pracha.participation.petitions_schedule import run_petition_clock
from tests.factories import create_citizen, create_staff
from tests.participation.test_petitions_api import AGENCY, signed_in, start


def inbox(db: Session, user_id: int) -> list[str]:
    return list(db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == user_id)
                           .order_by(InboxMessage.id)))


def test_two_supports_at_once_by_one_citizen_count_once(db: Session, make_client: Callable[..., TestClient]) -> None:
    petition_id = start(db, make_client, signed_in(db, make_client, create_citizen(db)))
    citizen = create_citizen(db)
    clients = [signed_in(db, make_client, citizen) for _ in range(2)]
    barrier, statuses = threading.Barrier(2), []

    def click(client: TestClient) -> None:
        barrier.wait()
        statuses.append(client.post(f"/api/v1/petitions/{petition_id}/supports").status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    db.expire_all()
    assert db.get(Petition, petition_id).support_count == 1  # type: ignore[union-attr]
    assert len(db.scalars(select(PetitionSupport).where(PetitionSupport.petition_id == petition_id)).all()) == 1


def test_reminder_once_escalation_once_and_closing(db: Session, make_client: Callable[..., TestClient]) -> None:
    officer, admin = create_staff(db, OFFICER, AGENCY), create_staff(db, AGENCY_ADMIN, AGENCY)
    platform = create_staff(db, PLATFORM_ADMIN)
    petition_id = start(db, make_client, signed_in(db, make_client, create_citizen(db)), threshold=1)
    assert signed_in(db, make_client, create_citizen(db)).post(
        f"/api/v1/petitions/{petition_id}/supports").status_code == 201
    db.expire_all()
    petition = db.get(Petition, petition_id)
    assert petition is not None and petition.response_due_at is not None
    due, told = petition.response_due_at, len(inbox(db, officer.id))  # told once when it reached the threshold

    assert run_petition_clock(db, due - dt.timedelta(days=10), 7) == {"closed": 0, "reminders": 0, "escalations": 0}
    assert run_petition_clock(db, due - dt.timedelta(days=6), 7)["reminders"] == 2  # the officer and the admin
    assert run_petition_clock(db, due - dt.timedelta(days=5), 7)["reminders"] == 0
    db.commit()
    assert len(inbox(db, officer.id)) == told + 1 and inbox(db, platform.id) == []

    later = due + dt.timedelta(hours=1)
    result = run_petition_clock(db, later, 7)
    assert result["escalations"] == 2 and result["closed"] == 1  # the agency admin and the platform admin
    assert run_petition_clock(db, later + dt.timedelta(days=1), 7)["escalations"] == 0
    db.commit()
    assert inbox(db, platform.id) == ["ข้อเสนอเลยกำหนดตอบ"] and len(inbox(db, admin.id)) == told + 2
    db.expire_all()
    petition = db.get(Petition, petition_id)
    assert petition is not None and petition.status == "closed" and petition.support_count == 1
    assert petition.reminded_at is not None and petition.escalated_at is not None
    refused = signed_in(db, make_client, create_citizen(db)).post(f"/api/v1/petitions/{petition_id}/supports")
    assert refused.status_code == 409 and refused.json()["error"] == "not_open"
