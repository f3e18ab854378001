"""The hourly jobs: a reminder the day before (once), and the places of no-shows given back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments.booking import release_place
from pracha.appointments.models import BOOKED, NO_SHOW, Appointment
from pracha.appointments.offices import Office
from pracha.calendar import BANGKOK, format_date
from pracha.config import Settings
from pracha.identity.models import User
from pracha.notices.service import notify
from pracha.services.models import Application

REMIND_AHEAD = dt.timedelta(hours=24)
GRACE = dt.timedelta(minutes=30)  # a visitor this late has missed the appointment: the place is given back


def _when(starts_at: dt.datetime) -> tuple[str, str]:
    local = starts_at.astimezone(BANGKOK)
    return (f"{format_date(local.date(), 'th')} เวลา {local:%H.%M} น.",
            f"{format_date(local.date(), 'en')} at {local:%H:%M}")


def announcer(session: Session, offices: Mapping[str, Office]) -> Callable[[Appointment], None]:
    """What `booking.book` calls once a booking is made (before the slot's row is locked): the notice."""
    def announce(appointment: Appointment) -> None:
        office = offices[appointment.office_id]
        tell_booked(session, appointment, {"th": office.name.th, "en": office.name.en}, reminder=False)

    return announce


def tell_booked(session: Session, appointment: Appointment, office_name: dict[str, str], *, reminder: bool) -> None:
    """The citizen's notice of the appointment (Thai first), linked to its QR page."""
    user = session.get(User, appointment.citizen_id)
    application = session.get(Application, appointment.application_id)
    if user is None or application is None:
        return
    th, en = _when(appointment.starts_at)
    ref = application.reference
    subject = ({"th": f"พรุ่งนี้มีนัดหมาย {ref}", "en": f"Your appointment tomorrow: {ref}"} if reminder
               else {"th": f"นัดหมายแล้ว {ref}", "en": f"Appointment booked: {ref}"})
    body = {"th": f"นัดหมายที่ {office_name['th']} วันที่ {th} "
                  "กรุณาแสดงคิวอาร์โค้ดที่เคาน์เตอร์ และนำเอกสารตัวจริงมาด้วย",
            "en": f"Appointment at {office_name['en']} on {en}. Show the QR code at the counter and bring the "
                  "original documents."}
    notify(session, user, subject=subject, body=body, link=f"/applications/{application.reference}/appointment",
           application_id=application.id, kind="appointment")


def send_reminders(session: Session, at: dt.datetime, office_names: dict[str, dict[str, str]]) -> int:
    """Remind each booking starting within the next 24 hours, once."""
    due = session.scalars(select(Appointment).where(
        Appointment.status == BOOKED, Appointment.reminded_at.is_(None),
        Appointment.starts_at > at, Appointment.starts_at <= at + REMIND_AHEAD).with_for_update()).all()
    for appointment in due:
        appointment.reminded_at = at
        name = office_names.get(appointment.office_id, {"th": appointment.office_id, "en": appointment.office_id})
        tell_booked(session, appointment, name, reminder=True)
    return len(due)


def release_no_shows(session: Session, at: dt.datetime) -> int:
    """Booked appointments whose start plus the grace has passed: no-shows, their places released."""
    missed = session.scalars(select(Appointment).where(
        Appointment.status == BOOKED, Appointment.starts_at <= at - GRACE).with_for_update()).all()
    for appointment in missed:
        release_place(session, appointment)
        appointment.status = NO_SHOW
    return len(missed)


def hourly(session: Session, settings: Settings, at: dt.datetime,
           office_names: dict[str, dict[str, str]]) -> None:
    send_reminders(session, at, office_names)
    release_no_shows(session, at)
