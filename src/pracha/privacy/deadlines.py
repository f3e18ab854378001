"""The law's clock on PDPA requests, run by the automation's daily job (`automation.schedules.DAILY`):
each DPO is reminded in the inbox when an open request is 7 days and 1 day from its deadline, and an
overdue request is flagged once (and told to every DPO). Each reminder is sent once: the request
keeps the reminders it has had, so running the job twice on one day sends nothing new."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import format_date
from pracha.config import Settings
from pracha.db import utcnow
from pracha.identity.models import DPO, User
from pracha.notices.service import notify
from pracha.privacy.models import PrivacyRequest
from pracha.privacy.rights import OPEN

REMIND_DAYS = (7, 1)


def remind_dpo(session: Session, today: dt.date) -> dict[str, int]:
    """Send the reminders due today and flag the overdue requests; returns how many of each."""
    horizon = today + dt.timedelta(days=max(REMIND_DAYS))
    due = list(session.scalars(select(PrivacyRequest).where(PrivacyRequest.status.in_(OPEN),
                                                            PrivacyRequest.due_on <= horizon)
                               .order_by(PrivacyRequest.due_on, PrivacyRequest.id)))
    officers = list(session.scalars(select(User).where(User.role == DPO)))
    sent = {"reminders": 0, "overdue": 0}
    for request in due:
        left = (request.due_on - today).days
        if left < 0:
            if request.overdue_at is None:
                request.overdue_at = utcnow()
                day = request.due_on.isoformat()
                _tell(officers, session, f"เกินกำหนดแล้ว: คำขอ {request.reference} (ครบกำหนด {day})",
                      f"Overdue: request {request.reference} (due {day})", request)
                sent["overdue"] += 1
            continue
        mark = next((d for d in REMIND_DAYS if left <= d and d not in request.reminders), None)
        if mark is None:
            continue
        request.reminders = sorted({*request.reminders, *(d for d in REMIND_DAYS if d >= left)}, reverse=True)
        _tell(officers, session, f"คำขอ {request.reference} จะครบกำหนดในอีก {left} วัน",
              f"Request {request.reference} is due in {left} days", request)
        sent["reminders"] += 1
    return sent


def _tell(officers: list[User], session: Session, th: str, en: str, request: PrivacyRequest) -> None:
    for officer in officers:
        notify(session, officer, subject={"th": th, "en": en},
               body={"th": f"กำหนดตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล: {format_date(request.due_on, 'th')}",
                     "en": f"Deadline under the PDPA: {format_date(request.due_on, 'en')}"},
               link=f"/privacy/requests/{request.id}")


def run_daily(session: Session, settings: Settings, today: dt.date) -> None:
    """The automation's `DAILY` job."""
    remind_dpo(session, today)
