"""Complaint deadlines (the automation's HOURLY job): the unit's officers are reminded once when a
complaint falls due within `rules.complaint_remind_before_days` (`reminded_at`), and the unit's admins
are told once when it is overdue and still open (`escalated_at`, an "escalate" event). For a
confidential complaint both go to the unit's inspectors only, and say nothing of its content."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import AGENCY_ADMIN, INSPECTOR, OFFICER, User
from pracha.notices.service import notify
from pracha.participation.complaints import OPEN
from pracha.participation.models import Complaint, ComplaintEvent
from pracha.participation.rules import Rules, load_rules

__all__ = ["Sent", "check_deadlines", "complaint_deadlines"]


class Sent(dict[str, int]):
    """How many complaints were reminded and escalated."""


def _staff(session: Session, agency: str, roles: tuple[str, ...]) -> list[User]:
    return list(session.scalars(select(User).where(User.agency == agency, User.role.in_(roles))))


def _tell(session: Session, people: list[User], complaint: Complaint, subject: tuple[str, str],
          body: tuple[str, str]) -> None:
    title = "" if complaint.confidential else f" {complaint.title}"
    for person in people:
        notify(session, person, link=f"/officer/complaints/{complaint.reference}",
               subject={"th": subject[0].format(ref=complaint.reference),
                        "en": subject[1].format(ref=complaint.reference)},
               body={"th": body[0].format(ref=complaint.reference) + title,
                     "en": body[1].format(ref=complaint.reference) + title})


def check_deadlines(session: Session, rules: Rules, now: dt.datetime) -> Sent:
    """Remind and escalate what is due; each complaint at most once each (re-runs send nothing twice)."""
    sent = Sent(reminded=0, escalated=0)
    horizon = now + dt.timedelta(days=rules.complaint_remind_before_days)
    due = session.scalars(select(Complaint).where(
        Complaint.status.in_(OPEN), Complaint.reminded_at.is_(None), Complaint.sla_due_at <= horizon,
        Complaint.sla_due_at > now).order_by(Complaint.sla_due_at))
    for complaint in due:
        complaint.reminded_at = now
        roles = (INSPECTOR,) if complaint.confidential else (OFFICER,)
        _tell(session, _staff(session, complaint.agency, roles), complaint,
              ("เรื่องร้องเรียน {ref} ใกล้ครบกำหนด", "Complaint {ref} is nearly due"),
              ("เรื่อง {ref} จะครบกำหนดดำเนินการเร็ว ๆ นี้", "Complaint {ref} falls due soon."))
        sent["reminded"] += 1
    overdue = session.scalars(select(Complaint).where(
        Complaint.status.in_(OPEN), Complaint.escalated_at.is_(None), Complaint.sla_due_at <= now
    ).order_by(Complaint.sla_due_at))
    for complaint in overdue:
        complaint.escalated_at = now
        complaint.events.append(ComplaintEvent(action="escalate", actor_id=None, agency=complaint.agency, note="",
                                               public=False, at=now))
        roles = (INSPECTOR,) if complaint.confidential else (AGENCY_ADMIN,)
        _tell(session, _staff(session, complaint.agency, roles), complaint,
              ("เรื่องร้องเรียน {ref} เกินกำหนด", "Complaint {ref} is overdue"),
              ("เรื่อง {ref} เกินกำหนดดำเนินการแล้ว กรุณาติดตาม", "Complaint {ref} is past its deadline; please follow up."))
        sent["escalated"] += 1
    session.flush()
    return sent


def complaint_deadlines(session: Session, settings: Settings, at: dt.datetime) -> None:
    """The HOURLY hook: `at` is the hour's start (UTC)."""
    check_deadlines(session, load_rules(settings.catalog_dir.resolve()), at)
