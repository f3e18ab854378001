"""What the appointments tests share: an in-person application (birth registration, in review) and the
next slot of the city registry's counter."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import FastAPI
from sqlalchemy.orm import Session

from pracha.appointments.offices import Office, offices_for
from pracha.calendar import BANGKOK
from pracha.identity.models import User
from pracha.services.catalog import Catalog
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.factories import create_citizen

CITY = "cm-city-registry-office"
BIRTH = "birth-registration"


def catalog_of(app: FastAPI) -> Catalog:
    return app.state.pracha.registry.get(CATALOG)  # type: ignore[no-any-return]


def office(app: FastAPI, office_id: str = CITY) -> Office:
    return offices_for(app.state.pracha.settings.catalog_dir, catalog_of(app))[office_id]


def in_person(db: Session, citizen: User | None = None, service_id: str = BIRTH, agency: str = "cm-city-registry",
              status: str = "in_review") -> Application:
    citizen = citizen or create_citizen(db)
    application = Application(reference=f"T{secrets.token_hex(6).upper()}", service_id=service_id, agency=agency,
                              citizen_id=citizen.id, status=status, data={})
    db.add(application)
    db.commit()
    return application


def next_working_day(app: FastAPI, after: int = 1) -> dt.date:
    day = dt.datetime.now(BANGKOK).date() + dt.timedelta(days=after)
    while not catalog_of(app).calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def first_slot(app: FastAPI, office_id: str = CITY, after: int = 1) -> dt.datetime:
    return office(app, office_id).starts_on(next_working_day(app, after))[0]
