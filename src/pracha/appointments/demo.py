"""The demo's appointment: สมหญิง's birth registration (in review) is booked for the next working day at
the city's civil registration counter, so her application page shows the booking and its QR."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments import booking
from pracha.appointments.models import Appointment
from pracha.appointments.offices import offices_for
from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.db import utcnow
from pracha.identity.models import User
from pracha.services.catalog import Catalog
from pracha.services.models import Application

DEMO_OFFICE = "cm-city-registry-office"
DEMO_TIME = dt.time(10, 0)


def seed_appointments(session: Session, catalog: Catalog, settings: Settings, citizen: User) -> Appointment | None:
    offices = offices_for(settings.catalog_dir, catalog)
    application = session.scalar(select(Application).where(
        Application.citizen_id == citizen.id, Application.service_id == "birth-registration",
        Application.organisation_id.is_(None)).order_by(Application.id).limit(1))
    if application is None or DEMO_OFFICE not in offices:
        return None
    now = utcnow()
    day = now.astimezone(BANGKOK).date() + dt.timedelta(days=1)
    while not catalog.calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    starts_at = dt.datetime.combine(day, DEMO_TIME, BANGKOK)
    appointment, _ = booking.book(session, catalog, offices, application, DEMO_OFFICE, starts_at, now)
    return appointment
