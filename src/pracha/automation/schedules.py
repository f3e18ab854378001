"""What runs once a day (queued by every runner, once per day by its task key): SLA reminders to the
agency's officers, escalation of overdue applications to the agency admins, the statistics, and the
`DAILY` hooks of packages above (the privacy package's retention schedule). Once an hour, the `HOURLY`
hooks (the breach register's 72-hour deadline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.automation.models import BotDecision, DailyStatistic
from pracha.calendar import BANGKOK, WorkCalendar, default_calendar
from pracha.config import Settings
from pracha.db import registry_of
from pracha.hooks import Hook
from pracha.identity.models import AGENCY_ADMIN, OFFICER, User
from pracha.notices.service import notify
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application

# Jobs of packages above the automation, run in the daily (or hourly) task's transaction:
# (session, settings, the day in Thailand) and (session, settings, the hour's start in UTC).
DAILY: Hook[Callable[[Session, Settings, dt.date], None]] = Hook("daily_jobs")
HOURLY: Hook[Callable[[Session, Settings, dt.datetime], None]] = Hook("hourly_jobs")


def ensure_daily(session: Session, today: dt.date) -> None:
    tasks.enqueue(session, "daily", f"daily:{today.isoformat()}", {"day": today.isoformat()})


def ensure_hourly(session: Session, now: dt.datetime) -> None:
    """Queue this hour's task unless no package registered an hourly job (nothing to run)."""
    if registry_of(session).each(HOURLY):
        hour = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        tasks.enqueue(session, "hourly", f"hourly:{hour.isoformat()}", {"at": hour.isoformat()})


def _staff(session: Session, role: str) -> dict[str, list[User]]:
    found: dict[str, list[User]] = defaultdict(list)
    for user in session.scalars(select(User).where(User.role == role, User.agency.is_not(None))):
        found[user.agency or ""].append(user)
    return found


def sla_reminders(session: Session, today: dt.date, remind_days: int,
                  calendar: WorkCalendar | None = None) -> dict[str, int]:
    """One inbox message per officer listing their agency's applications due within `remind_days`
    working days of `calendar` (by default the repository's), and one per agency admin listing the
    overdue ones (escalation). Returns how many of each were sent."""
    horizon = (calendar or default_calendar()).add_working_days(today, remind_days)
    open_apps = list(session.scalars(select(Application).where(
        Application.status.in_(workflow.OPEN), Application.due_date.is_not(None),
        Application.due_date <= horizon).order_by(Application.due_date)))
    due: dict[str, list[Application]] = defaultdict(list)
    overdue: dict[str, list[Application]] = defaultdict(list)
    for application in open_apps:
        assert application.due_date is not None
        (overdue if application.due_date < today else due)[application.agency].append(application)
    sent = {"reminders": 0, "escalations": 0}
    for agency, officers in _staff(session, OFFICER).items():
        items = due.get(agency, []) + overdue.get(agency, [])
        for officer in officers if items else []:
            refs = ", ".join(a.reference for a in items[:20])
            th, en = f"คำขอใกล้ครบกำหนด {len(items)} รายการ", f"{len(items)} applications due soon"
            notify(session, officer, subject={"th": th, "en": en},
                   body={"th": f"ใกล้หรือเลยกำหนด: {refs}", "en": f"Due or overdue: {refs}"}, link="/officer/queue")
            sent["reminders"] += 1
    for agency, admins in _staff(session, AGENCY_ADMIN).items():
        items = overdue.get(agency, [])
        for admin in admins if items else []:
            refs = ", ".join(a.reference for a in items[:20])
            th, en = f"คำขอเกินกำหนด {len(items)} รายการ", f"{len(items)} applications overdue"
            notify(session, admin, subject={"th": th, "en": en},
                   body={"th": f"เกินกำหนดแล้ว: {refs}", "en": f"Overdue: {refs}"}, link="/officer/queue?overdue=1")
            sent["escalations"] += 1
    return sent


def statistics(session: Session, day: dt.date) -> int:
    """(Re)compute the figures of `day` (Bangkok time) per service; returns the number of rows."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=BANGKOK)
    end = start + dt.timedelta(days=1)
    rows: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for service_id, agency, count in session.execute(
            select(Application.service_id, Application.agency, func.count())
            .where(Application.submitted_at >= start, Application.submitted_at < end)
            .group_by(Application.service_id, Application.agency)):
        rows[(service_id, agency)]["submitted"] = count
    decided = select(Application).where(Application.decided_at >= start, Application.decided_at < end)
    for application in session.scalars(decided):
        row = rows[(application.service_id, application.agency)]
        row["decided"] += 1
        if application.due_date is None or application.decided_at is None or \
                application.decided_at.astimezone(BANGKOK).date() <= application.due_date:
            row["within_sla"] += 1
    automated = (select(Application.service_id, Application.agency, func.count())
                 .join(BotDecision, and_(BotDecision.application_id == Application.id,
                                         BotDecision.outcome == "approved"))
                 .where(Application.decided_at >= start, Application.decided_at < end)
                 .group_by(Application.service_id, Application.agency))
    for service_id, agency, count in session.execute(automated):
        rows[(service_id, agency)]["automated"] = count
    for service_id, agency, count in session.execute(
            select(Application.service_id, Application.agency, func.count())
            .where(Application.status.in_(workflow.OPEN), Application.due_date < day)
            .group_by(Application.service_id, Application.agency)):
        rows[(service_id, agency)]["overdue_open"] = count
    for (service_id, agency), values in rows.items():
        stat = session.scalar(select(DailyStatistic).where(DailyStatistic.day == day,
                                                           DailyStatistic.service_id == service_id))
        if stat is None:
            stat = DailyStatistic(day=day, service_id=service_id, agency=agency)
            session.add(stat)
        for name in ("submitted", "decided", "automated", "within_sla", "overdue_open"):
            setattr(stat, name, values.get(name, 0))
    return len(rows)


def run_daily(session: Session, catalog: Catalog, settings: Settings, day: str) -> None:
    today = dt.date.fromisoformat(day)
    sla_reminders(session, today, settings.sla_remind_days, catalog.calendar)
    statistics(session, today - dt.timedelta(days=1))
    for job in registry_of(session).each(DAILY):
        job(session, settings, today)


def run_hourly(session: Session, settings: Settings, at: str) -> None:
    for job in registry_of(session).each(HOURLY):
        job(session, settings, dt.datetime.fromisoformat(at))
