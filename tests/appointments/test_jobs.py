"""The hourly jobs: one reminder the day before, and no-shows' places given back."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.appointments import booking, jobs
from pracha.appointments.models import BOOKED, NO_SHOW, Appointment, SlotLoad
from pracha.appointments.offices import offices_for
from pracha.automation import schedules
from pracha.db import registry_of
from pracha.notices.models import InboxMessage
from tests.appointments.helpers import CITY, catalog_of, first_slot, in_person


def booked(app: FastAPI, db: Session, starts: dt.datetime) -> Appointment:
    application = in_person(db)
    offices = offices_for(app.state.pracha.settings.catalog_dir, catalog_of(app))
    before = starts - dt.timedelta(days=3)  # booked three days ahead
    appointment, _ = booking.book(db, catalog_of(app), offices, application, CITY, starts, before)
    db.commit()
    return appointment


def inbox(db: Session, user_id: int) -> list[str]:
    return list(db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == user_id)
                           .order_by(InboxMessage.id)))


def run_hourly(app: FastAPI, db: Session, at: dt.datetime) -> None:
    for job in registry_of(db).each(schedules.HOURLY):
        job(db, app.state.pracha.settings, at)
    db.commit()


def test_reminder_the_day_before_is_sent_once(app: FastAPI, db: Session) -> None:
    starts = first_slot(app, after=2)
    appointment = booked(app, db, starts)
    run_hourly(app, db, starts - dt.timedelta(hours=30))
    assert inbox(db, appointment.citizen_id) == []
    run_hourly(app, db, starts - dt.timedelta(hours=20))
    run_hourly(app, db, starts - dt.timedelta(hours=19))
    reminders = inbox(db, appointment.citizen_id)
    assert len(reminders) == 1 and reminders[0].startswith("พรุ่งนี้มีนัดหมาย")
    db.refresh(appointment)
    assert appointment.reminded_at is not None and appointment.status == BOOKED


def test_no_show_is_released_after_the_grace(app: FastAPI, db: Session) -> None:
    starts = first_slot(app, after=2)
    appointment = booked(app, db, starts)
    kept = booked(app, db, starts)
    booking.check_in(kept, None, starts)
    db.commit()
    assert db.scalar(select(SlotLoad.booked).where(SlotLoad.starts_at == starts)) == 2
    run_hourly(app, db, starts + jobs.GRACE - dt.timedelta(minutes=1))
    db.refresh(appointment)
    assert appointment.status == BOOKED
    run_hourly(app, db, starts + jobs.GRACE)
    db.refresh(appointment)
    db.refresh(kept)
    assert appointment.status == NO_SHOW and kept.status == "checked_in"
    assert db.scalar(select(SlotLoad.booked).where(SlotLoad.starts_at == starts)) == 1
    run_hourly(app, db, starts + dt.timedelta(hours=2))  # released once only
    assert db.scalar(select(func.sum(SlotLoad.booked)).where(SlotLoad.starts_at == starts)) == 1
