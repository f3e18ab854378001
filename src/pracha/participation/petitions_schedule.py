"""Petitions' clock (the automation's HOURLY job): close petitions whose period ended (the count is
frozen: supports and withdrawals check the closing time themselves), remind the agency once
`petition_remind_before_days` before a response falls due, and escalate once when it is overdue (to
the agency's admins and the platform admins). `reminded_at` / `escalated_at` make each happen once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.calendar import format_date
from pracha.config import Settings
from pracha.identity.models import AGENCY_ADMIN, PLATFORM_ADMIN, User
from pracha.notices.service import notify
from pracha.participation.models import P_CLOSED, P_OPEN, Petition
from pracha.participation.petitions import staff_of
from pracha.participation.rules import load_rules

__all__ = ["hourly_job", "run_petition_clock"]


def close_petitions(session: Session, now: dt.datetime) -> int:
    closed = session.execute(update(Petition).where(Petition.status == P_OPEN, Petition.closes_at <= now)
                             .values(status=P_CLOSED).execution_options(synchronize_session=False))
    return int(closed.rowcount or 0)  # type: ignore[attr-defined]


def _due(session: Session, *conditions: object) -> list[Petition]:
    return list(session.scalars(select(Petition).where(
        Petition.status.in_((P_OPEN, P_CLOSED)), Petition.response_due_at.is_not(None),
        *conditions).order_by(Petition.response_due_at).with_for_update()))  # type: ignore[arg-type]


def remind_agencies(session: Session, now: dt.datetime, before_days: int) -> int:
    sent = 0
    for petition in _due(session, Petition.reminded_at.is_(None),
                         Petition.response_due_at <= now + dt.timedelta(days=before_days)):
        petition.reminded_at = now
        due_th, due_en = format_date(petition.response_due_at, "th"), format_date(petition.response_due_at, "en")
        for person in staff_of(session, petition.agency):
            notify(session, person, link="/officer/petitions",
                   subject={"th": "ใกล้ครบกำหนดตอบข้อเสนอ", "en": "A petition's answer is due soon"},
                   body={"th": f"“{petition.title}” ต้องตอบภายใน {due_th}",
                         "en": f"“{petition.title}” must be answered by {due_en}."})
            sent += 1
    return sent


def escalate_overdue(session: Session, now: dt.datetime) -> int:
    sent = 0
    for petition in _due(session, Petition.escalated_at.is_(None), Petition.response_due_at < now):
        petition.escalated_at = now
        admins = staff_of(session, petition.agency, (AGENCY_ADMIN,)) + list(
            session.scalars(select(User).where(User.role == PLATFORM_ADMIN).order_by(User.id)))
        for person in admins:
            notify(session, person, link="/officer/petitions",
                   subject={"th": "ข้อเสนอเลยกำหนดตอบ", "en": "A petition's answer is overdue"},
                   body={"th": f"“{petition.title}” ({petition.agency}) เลยกำหนดตอบแล้ว",
                         "en": f"“{petition.title}” ({petition.agency}) is past its response date."})
            sent += 1
    return sent


def run_petition_clock(session: Session, now: dt.datetime, remind_before_days: int) -> dict[str, int]:
    return {"closed": close_petitions(session, now), "reminders": remind_agencies(session, now, remind_before_days),
            "escalations": escalate_overdue(session, now)}


def hourly_job(settings: Settings) -> Callable[[Session, Settings, dt.datetime], None]:
    before = load_rules(settings.catalog_dir.resolve()).petition_remind_before_days

    def job(session: Session, _settings: Settings, at: dt.datetime) -> None:
        run_petition_clock(session, max(at, dt.datetime.now(dt.UTC)), before)

    return job
