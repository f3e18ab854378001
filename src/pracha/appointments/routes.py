"""Appointment pages: the citizen books, moves or cancels a visit and shows its QR; the counter opens the
QR (or types the token) to check the visitor in; the officer's list of the day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments import booking, jobs
from pracha.appointments.deps import check_in_url, find_by_token, offices_of
from pracha.appointments.errors import NoSuchSlot, SlotFull
from pracha.appointments.models import Appointment
from pracha.appointments.offices import offices_serving
from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.errors import InvalidInput, PrachaError
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import OFFICER
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.services import service as services
from pracha.services.deps import catalog_of
from pracha.services.models import Application

router = APIRouter(include_in_schema=False)


def _day(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        raise InvalidInput("วันที่ไม่ถูกต้อง", "Not a valid date.") from None


def _booking_context(request: Request, db: Session, application: Application, office_id: str, day: str
                     ) -> dict[str, Any]:
    catalog, offices = catalog_of(request), offices_of(request)
    now = utcnow()
    appointment = booking.current(db, application.id)
    serving = offices_serving(offices, application.service_id)
    office = offices.get(office_id) if office_id in {o.id for o in serving} else (serving[0] if serving else None)
    # the first day with a slot, unless the citizen chose one
    chosen = _day(day, now.astimezone(BANGKOK).date())
    free = booking.slots(db, office, application.service_id, catalog, chosen, chosen, now) if office else []
    if office and not day:
        upcoming = booking.slots(db, office, application.service_id, catalog, chosen,
                                 chosen + dt.timedelta(days=14), now)
        first = next((s for s in upcoming if s.free), None)
        if first is not None:
            chosen = first.starts_at.astimezone(BANGKOK).date()
            free = [s for s in upcoming if s.starts_at.astimezone(BANGKOK).date() == chosen]
    return {"application": application, "service": catalog.get(application.service_id),
            "appointment": appointment, "appointment_office": offices.get(appointment.office_id) if appointment
            else None, "bookable": booking.may_book(catalog, application), "offices": serving, "office": office,
            "day": chosen, "slots": free, "bangkok": BANGKOK,
            "qr": segno.make(check_in_url(request, appointment), error="m").svg_data_uri(scale=5)
            if appointment and appointment.status == "booked" else None}


@router.get("/applications/{reference}/appointment")
def appointment_page(reference: str, request: Request, office: str = "", date: str = "",
                     p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)) -> Response:
    """The booking with its QR, or the offices, a day and its free slots to choose from (no script needed)."""
    application = services.get_application(db, p, reference)
    return render(request, "appointments/book.html", _booking_context(request, db, application, office, date))


@router.post("/applications/{reference}/appointment")
async def book_page(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)
                    ) -> Response:
    form = await request.form()
    application = services.get_application(db, p, reference, for_update=True)
    office_id, slot = str(form.get("office_id") or ""), str(form.get("starts_at") or "")
    try:
        starts_at = dt.datetime.fromisoformat(slot)
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=BANGKOK)
    except ValueError:
        raise NoSuchSlot() from None
    offices = offices_of(request)
    try:
        booking.book(db, catalog_of(request), offices, application, office_id, starts_at, utcnow(),
                     on_booked=jobs.announcer(db, offices))
    except SlotFull as full:
        db.rollback()
        day = starts_at.astimezone(BANGKOK).date().isoformat()
        context = _booking_context(request, db, application, office_id, day)
        return render(request, "appointments/book.html", {**context, "error": full}, status_code=409)
    db.commit()
    return RedirectResponse(f"/applications/{application.reference}/appointment", status_code=303)


@router.post("/applications/{reference}/appointment/cancel")
def cancel_page(reference: str, p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)) -> Response:
    application = services.get_application(db, p, reference, for_update=True)
    appointment = booking.current(db, application.id)
    if appointment is not None and appointment.status == "booked":
        booking.cancel(db, appointment, utcnow())
        db.commit()
    return RedirectResponse(f"/applications/{application.reference}/appointment", status_code=303)


@router.get("/counter/check-in")
def check_in_form(request: Request, token: str = "", p: Principal = allow(OFFICER)) -> Response:
    """The form to type a booking's code (when the QR cannot be scanned), and where it is sent."""
    if not token.strip():
        return render(request, "appointments/check_in_form.html", {})
    if len(token) > 64:
        raise InvalidInput("รหัสนัดหมายไม่ถูกต้อง", "The appointment code is not valid.")
    return RedirectResponse(f"/counter/check-in/{token.strip()}", status_code=303)


def _visitor(request: Request, db: Session, p: Principal, token: str) -> dict[str, Any]:
    offices = offices_of(request)
    appointment = find_by_token(db, p, offices, token)
    application = db.get(Application, appointment.application_id)
    return {"appointment": appointment, "application": application, "office": offices[appointment.office_id],
            "service": catalog_of(request).get(appointment.service_id)}


@router.get("/counter/check-in/{token}")
def check_in_page(token: str, request: Request, p: Principal = allow(OFFICER), db: Session = Depends(get_db)
                  ) -> Response:
    """What the QR opens: the visitor's appointment, with a button to check them in."""
    return render(request, "appointments/check_in.html", _visitor(request, db, p, token))


@router.post("/counter/check-in/{token}")
def check_in_submit(token: str, request: Request, p: Principal = allow(OFFICER), db: Session = Depends(get_db)
                    ) -> Response:
    context = _visitor(request, db, p, token)
    try:
        booking.check_in(context["appointment"], p.user_id, utcnow())
    except PrachaError as problem:
        return render(request, "appointments/check_in.html", {**context, "error": problem}, status_code=409)
    db.commit()
    return RedirectResponse(f"/counter/check-in/{token}", status_code=303)


@router.get("/officer/appointments")
def day_list(request: Request, office: str = "", date: str = "", p: Principal = allow(OFFICER),
             db: Session = Depends(get_db)) -> Response:
    """The officer's day: each appointment at the agency's offices, by time."""
    mine = [o for o in offices_of(request).values() if o.agency == p.agency]
    chosen = next((o for o in mine if o.id == office), mine[0] if mine else None)
    day = _day(date, utcnow().astimezone(BANGKOK).date())
    start = dt.datetime.combine(day, dt.time(0), BANGKOK)
    rows = db.execute(select(Appointment, Application.reference).join(
        Application, Application.id == Appointment.application_id).where(
        Appointment.office_id == (chosen.id if chosen else ""), Appointment.starts_at >= start,
        Appointment.starts_at < start + dt.timedelta(days=1), Appointment.status != "cancelled")
        .order_by(Appointment.starts_at, Appointment.id)).all()
    return render(request, "appointments/day.html", {
        "offices": mine, "office": chosen, "day": day, "rows": rows, "bangkok": BANGKOK,
        "catalog_services": catalog_of(request).services})
