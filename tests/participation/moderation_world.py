"""Rows the moderation, statistics and leak tests act on, made with the lead's `create_complaint` and
the models directly (the other areas' services may not be merged yet)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.participation.models import (
    H_OPEN,
    P_OPEN,
    Complaint,
    ComplaintEvent,
    Hearing,
    HearingResponse,
    Petition,
)
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import default_catalog_dir


def complaint(db: Session, citizen: User, *, category: str = "road", title: str = "ถนนเป็นหลุมหน้าตลาด",
              now: dt.datetime | None = None, **more: Any) -> Complaint:
    rules = load_rules(default_catalog_dir().resolve())
    made = create_complaint(db, Principal(user=citizen), rules, Report(
        category=category, title=title, description=more.pop("description", "หลุมลึกมาก รถจักรยานยนต์ล้มบ่อย"),
        tambon=more.pop("tambon", "ศรีภูมิ"), **more), now=now)
    db.commit()
    return made


def event(db: Session, target: Complaint, note: str, *, public: bool = True) -> ComplaintEvent:
    row = ComplaintEvent(complaint_id=target.id, action="reply", agency=target.agency, note=note, public=public)
    db.add(row)
    db.commit()
    return row


def hearing_with_response(db: Session, citizen: User, comment: str) -> tuple[Hearing, HearingResponse]:
    now = dt.datetime.now(dt.UTC)
    hearing = Hearing(agency="cm-city-engineering", kind="project", title_th="โครงการทางเท้าถนนนิมมานฯ",
                      summary_th="ปรับปรุงทางเท้า", sections=[{"id": "s1", "title_th": "ทางเท้า"}], questions=[],
                      opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=20), status=H_OPEN)
    db.add(hearing)
    db.flush()
    response = HearingResponse(hearing_id=hearing.id, user_id=citizen.id, comments={"s1": comment},
                               commitment="hmac-sha256:" + "0" * 64)
    db.add(response)
    db.commit()
    return hearing, response


def petition(db: Session, citizen: User, title: str = "ขอให้เพิ่มรถสองแถวสายสุเทพ") -> Petition:
    now = dt.datetime.now(dt.UTC)
    row = Petition(agency="cm-city-engineering", creator_id=citizen.id, title=title, body="ชาวบ้านเดินทางลำบาก",
                   status=P_OPEN, opens_at=now, closes_at=now + dt.timedelta(days=90), threshold=500,
                   response_days=30)
    db.add(row)
    db.commit()
    return row
