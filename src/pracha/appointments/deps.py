"""What the appointments' API and pages share: the offices of the app's catalogue, the QR's link, and the
appointment an officer may see by its token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments import views
from pracha.appointments.errors import AppointmentNotFound
from pracha.appointments.models import Appointment
from pracha.appointments.offices import Office, offices_for
from pracha.http.state import app_state
from pracha.identity.principal import Principal
from pracha.services.deps import catalog_of


def offices_of(request: Request) -> dict[str, Office]:
    return offices_for(app_state(request).settings.catalog_dir, catalog_of(request))


def check_in_url(request: Request, appointment: Appointment) -> str:
    return f"{app_state(request).settings.public_base_url.rstrip('/')}/counter/check-in/{appointment.token}"


def appointment_body(request: Request, appointment: Appointment, reference: str) -> dict[str, Any]:
    return views.appointment_json(appointment, reference, check_in_url(request, appointment))


def find_by_token(db: Session, p: Principal, offices: dict[str, Office], token: str) -> Appointment:
    """The appointment of `token` if it is at an office of the officer's agency; 404 otherwise."""
    appointment = db.scalar(select(Appointment).where(Appointment.token == token.strip()))
    office = offices.get(appointment.office_id) if appointment else None
    if appointment is None or office is None or office.agency != p.agency:
        raise AppointmentNotFound()
    return appointment
