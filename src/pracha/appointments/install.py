"""What the appointments package adds to an app's (or a worker's) registry: what the application page
shows (the booking, or a link to book) and the hourly reminders and no-show release."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from pracha.appointments import booking, jobs
from pracha.appointments.offices import offices_for
from pracha.automation import schedules
from pracha.config import Settings
from pracha.db import registry_of
from pracha.hooks import Registry
from pracha.services.catalog import Catalog
from pracha.services.hooks import CATALOG, PAGE_CONTEXT
from pracha.services.models import Application


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    offices = offices_for(settings.catalog_dir, catalog)  # a broken offices.yaml fails at start
    names = {o.id: {"th": o.name.th, "en": o.name.en} for o in offices.values()}

    def hourly(session: Session, settings_: Settings, at: dt.datetime) -> None:
        jobs.hourly(session, settings_, at, names)

    def page_context(session: Session, application: Application) -> dict[str, Any]:
        catalog_ = registry_of(session).get(CATALOG)
        if not booking.needs_visit(catalog_, application):
            return {}
        appointment = booking.current(session, application.id)
        return {"appointment": appointment, "appointment_office": offices.get(appointment.office_id)
                if appointment else None, "appointment_bookable": booking.may_book(catalog_, application)}

    registry.add(PAGE_CONTEXT, page_context)
    registry.add(schedules.HOURLY, hourly)
