"""Appointments under /api/v1: the offices and their free slots (public), the citizen's booking of an
application (book, move, cancel), the officer's "come in person" flag and the counter's check-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from pracha.appointments import booking, jobs, views
from pracha.appointments.deps import appointment_body, find_by_token, offices_of
from pracha.appointments.errors import AppointmentNotFound, NotInPerson, OfficeNotFound
from pracha.appointments.offices import HORIZON_DAYS
from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.errors import InvalidInput
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.identity.models import OFFICER
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.notices.service import notify
from pracha.services import service as services
from pracha.services.deps import catalog_of
from pracha.services.models import Application

router = APIRouter()


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office_id: str = Field(min_length=1, max_length=64)
    starts_at: dt.datetime = Field(description="The slot's start (ISO 8601; without a zone, Bangkok time).")


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=64)


@router.get("/api/v1/offices", tags=["appointments"])
def list_offices(request: Request, _: Principal = allow(PUBLIC)) -> dict[str, Any]:
    """The offices that receive visitors by appointment: hours, slot length, services and places per slot."""
    return {"items": [views.office_json(o) for o in offices_of(request).values()]}


@router.get("/api/v1/offices/{office_id}/slots", tags=["appointments"], responses=errors(404, 422))
def office_slots(office_id: str, request: Request, service_id: str = Query(min_length=1, max_length=64),
                 first: dt.date | None = Query(None, alias="from", description="YYYY-MM-DD, Bangkok"),
                 last: dt.date | None = Query(None, alias="to", description="YYYY-MM-DD, Bangkok"),
                 _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The office's future slots for a service on working days (at most 30 days ahead), with free places."""
    office = offices_of(request).get(office_id)
    if office is None:
        raise OfficeNotFound()
    if not office.capacity(service_id):
        raise InvalidInput("สำนักงานนี้ไม่รับบริการนี้", "This office does not receive this service.")
    now = utcnow()
    today = now.astimezone(BANGKOK).date()
    first, last = first or today, last or today + dt.timedelta(days=HORIZON_DAYS)
    if last < first:
        raise InvalidInput("วันสิ้นสุดอยู่ก่อนวันเริ่มต้น", "'to' is before 'from'.")
    found = booking.slots(db, office, service_id, catalog_of(request), first, last, now)
    return {"office_id": office.id, "service_id": service_id, "items": [views.slot_json(s) for s in found]}


@router.get("/api/v1/applications/{reference}/appointment", tags=["appointments"], responses=errors(404))
def get_appointment(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    application = services.get_application(db, p, reference)
    appointment = booking.current(db, application.id)
    if appointment is None:
        raise AppointmentNotFound()
    return appointment_body(request, appointment, application.reference)


@router.post("/api/v1/applications/{reference}/appointment", tags=["appointments"], status_code=201,
             responses=errors(404, 409, 422))
def book_appointment(reference: str, body: BookingIn, request: Request, response: Response,
                     p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Book a slot (201), or move the booking to another (200: the old place is released); 409 `slot_full`."""
    application = services.get_application(db, p, reference, for_update=True)
    starts_at = body.starts_at if body.starts_at.tzinfo else body.starts_at.replace(tzinfo=BANGKOK)
    offices = offices_of(request)
    appointment, created = booking.book(db, catalog_of(request), offices, application, body.office_id, starts_at,
                                        utcnow(), on_booked=jobs.announcer(db, offices))
    if not created:
        response.status_code = 200
    db.commit()
    return appointment_body(request, appointment, application.reference)


@router.delete("/api/v1/applications/{reference}/appointment", tags=["appointments"], responses=errors(404, 409))
def cancel_appointment(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                       db: Session = Depends(get_db)) -> dict[str, Any]:
    """Cancel the booking: its place is free again."""
    application = services.get_application(db, p, reference, for_update=True)
    appointment = booking.current(db, application.id)
    if appointment is None:
        raise AppointmentNotFound()
    booking.cancel(db, appointment, utcnow())
    db.commit()
    return appointment_body(request, appointment, application.reference)


@router.post("/api/v1/applications/{reference}/appointment-required", tags=["appointments"],
             responses=errors(404, 409))
def require_appointment(reference: str, p: Principal = allow(OFFICER), db: Session = Depends(get_db)
                        ) -> dict[str, Any]:
    """The officer asks the citizen to come in person: the citizen is told and may book a slot."""
    application = services.get_application(db, p, reference, for_update=True)
    if application.status in booking.CLOSED:
        raise NotInPerson()
    if not application.appointment_required:
        application.appointment_required = True
        notify(db, application.citizen, subject={
            "th": f"กรุณานัดหมายมาที่สำนักงาน {application.reference}",
            "en": f"Please book a visit to the office: {application.reference}"}, body={
            "th": "เจ้าหน้าที่ขอให้ท่านมาดำเนินการด้วยตนเอง กรุณาเลือกวันและเวลานัดหมายจากหน้าคำขอ",
            "en": "The officer asks you to come in person. Please choose a date and time from the application page."},
            link=f"/applications/{application.reference}/appointment", application_id=application.id,
            kind="appointment")
    db.commit()
    return {"application": application.reference, "appointment_required": True}


@router.post("/api/v1/appointments/check-in", tags=["appointments"], responses=errors(404, 409))
def check_in(body: CheckInIn, request: Request, p: Principal = allow(OFFICER), db: Session = Depends(get_db)
             ) -> dict[str, Any]:
    """Check the visitor in (the QR's token): officers of the office's agency only (404 for others)."""
    appointment = find_by_token(db, p, offices_of(request), body.token)
    booking.check_in(appointment, p.user_id, utcnow())
    db.commit()
    application = db.get(Application, appointment.application_id)
    return appointment_body(request, appointment, application.reference if application else "")
