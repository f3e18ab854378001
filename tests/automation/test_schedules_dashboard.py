"""Daily jobs (SLA reminders, escalation to the agency admin, statistics) and the admin dashboard
(figures, charts drawn by pygal as SVG, the same figures as tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import schedules, tasks
from pracha.automation.models import DailyStatistic
from pracha.identity.principal import Principal
from pracha.notices.models import InboxMessage
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.automation.helpers import context, submit
from tests.factories import create_citizen, create_staff, sign_in


def test_reminders_escalations_and_statistics(db: Session, app: FastAPI) -> None:
    application = submit(db, app, create_citizen(db))
    agency = application.agency
    officer = create_staff(db, "officer", agency)
    admin = create_staff(db, "agency_admin", agency)
    elsewhere = create_staff(db, "officer", "cm-city-registry")
    assert application.due_date is not None
    sent = schedules.sla_reminders(db, application.due_date, 1)  # due today: a reminder, no escalation
    assert sent == {"reminders": 1, "escalations": 0}
    sent = schedules.sla_reminders(db, application.due_date + dt.timedelta(days=1), 1)  # overdue
    assert sent == {"reminders": 1, "escalations": 1}
    db.commit()
    mine = list(db.scalars(select(InboxMessage.body).where(InboxMessage.user_id == officer.id)))
    assert len(mine) == 2 and all(application.reference in body for body in mine)
    assert application.reference in db.scalar(select(InboxMessage.body).where(InboxMessage.user_id == admin.id))
    assert db.scalar(select(InboxMessage).where(InboxMessage.user_id == elsewhere.id)) is None
    day = service.today_in_thailand()
    assert schedules.statistics(db, day) == 1
    db.commit()
    stat = db.scalar(select(DailyStatistic).where(DailyStatistic.day == day))
    assert stat is not None and stat.submitted == 1 and stat.service_id == "elderly-allowance"


def test_the_daily_job_runs_once_a_day(db: Session, app: FastAPI) -> None:
    schedules.ensure_daily(db, dt.date(2026, 11, 25))
    schedules.ensure_daily(db, dt.date(2026, 11, 25))
    db.commit()
    assert tasks.run_until_idle(app.state.pracha.db.sessions, context(app)) == 1
    assert tasks.counts(db) == {"done": 1}


def test_dashboard_figures_charts_and_tables(db: Session, app: FastAPI,
                                             make_client: Callable[..., TestClient]) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    first = submit(db, app, create_citizen(db))
    second = submit(db, app, create_citizen(db))
    officer = Principal(user=create_staff(db, "officer", first.agency))
    for application in (first, second):
        service.act(db, catalog, officer, application, "review")
    service.act(db, catalog, officer, first, "approve")
    db.commit()
    client = make_client()
    sign_in(db, client, create_staff(db, "auditor"))
    page = client.get("/admin/automation")
    assert page.status_code == 200
    assert page.text.count('<img src="/admin/automation/charts/') == 4 and "<caption>" in page.text
    assert 'id="automation-rate">0.0% (0 / 1)' in page.text
    for name in ("automation", "sla", "queue", "times"):
        chart = client.get(f"/admin/automation/charts/{name}.svg")
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in chart.content and "ลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ".encode() in chart.content
    assert client.get("/admin/automation/charts/nope.svg").status_code == 404
    stats = client.get("/api/v1/automation/stats").json()
    row = next(r for r in stats["services"] if r["service_id"] == "elderly-allowance")
    assert (row["decided"], row["open"], row["automated"]) == (1, 1, 0)
    assert db.get(Application, second.id) is not None
