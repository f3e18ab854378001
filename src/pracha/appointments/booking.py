"""Booking, moving, cancelling and checking in. The last place of a slot goes to exactly one person: the
place is taken with a guarded ``UPDATE slot_loads SET booked = booked + 1 WHERE … AND booked < capacity``,
so two requests racing for it cannot both succeed on either engine."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.appointments.errors import NoSuchSlot, NotCheckable, NotInPerson, OfficeNotFound, SlotFull
from pracha.appointments.models import BOOKED, CANCELLED, CHECKED_IN, Appointment, SlotLoad
from pracha.appointments.offices import HORIZON_DAYS, Office
from pracha.calendar import BANGKOK
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application

IN_PERSON_STEP = "appointment"
CLOSED = frozenset({workflow.DRAFT, workflow.REJECTED, workflow.WITHDRAWN})


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def needs_visit(catalog: Catalog, application: Application) -> bool:
    """The citizen must come to an office: the service has an in-person step or an officer asked."""
    service = catalog.get(application.service_id)
    in_person = service is not None and any(s.id == IN_PERSON_STEP for s in service.steps)
    return bool(in_person or application.appointment_required)


def may_book(catalog: Catalog, application: Application) -> bool:
    return application.status not in CLOSED and needs_visit(catalog, application)


def slots(session: Session, office: Office, service_id: str, catalog: Catalog, first: dt.date, last: dt.date,
          now: dt.datetime) -> list[Slot]:
    """The office's future slots for the service from `first` to `last` (Bangkok days, within the horizon),
    on working days, with the places taken."""
    capacity = office.capacity(service_id)
    if not capacity:
        return []
    today = now.astimezone(BANGKOK).date()
    first, last = max(first, today), min(last, today + dt.timedelta(days=HORIZON_DAYS))
    starts: list[dt.datetime] = []
    day = first
    while day <= last:
        if catalog.calendar.is_working_day(day):
            starts += [s for s in office.starts_on(day) if s > now]
        day += dt.timedelta(days=1)
    if not starts:
        return []
    query = select(SlotLoad.starts_at, SlotLoad.booked)
    taken: dict[dt.datetime, int] = {at: n for at, n in session.execute(query.where(
        SlotLoad.office_id == office.id, SlotLoad.service_id == service_id,
        SlotLoad.starts_at >= starts[0], SlotLoad.starts_at <= starts[-1]))}
    return [Slot(s, capacity, taken.get(s, 0)) for s in starts]


def current(session: Session, application_id: int) -> Appointment | None:
    """The application's appointment still to come or checked in (the latest), if any."""
    return session.scalar(select(Appointment).where(
        Appointment.application_id == application_id, Appointment.status.in_((BOOKED, CHECKED_IN)))
        .order_by(Appointment.id.desc()).limit(1))


def _slot(office: Office, service_id: str) -> list[object]:
    return [SlotLoad.office_id == office.id, SlotLoad.service_id == service_id]


def take_place(session: Session, office: Office, service_id: str, starts_at: dt.datetime) -> None:
    """One place of the slot, or SlotFull. The row is inserted first when missing (a racing insert of the
    same slot is tolerated: the unique constraint keeps one row)."""
    where = and_(SlotLoad.office_id == office.id, SlotLoad.service_id == service_id, SlotLoad.starts_at == starts_at)
    if session.scalar(select(SlotLoad.id).where(where)) is None:
        try:
            with session.begin_nested():
                session.execute(insert(SlotLoad).values(office_id=office.id, service_id=service_id,
                                                        starts_at=starts_at, booked=0))
        except IntegrityError:
            pass  # another booking made the row first
    taken = session.execute(update(SlotLoad).where(where, SlotLoad.booked < office.capacity(service_id))
                            .values(booked=SlotLoad.booked + 1).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotFull()


def release_place(session: Session, appointment: Appointment) -> None:
    session.execute(update(SlotLoad).where(
        SlotLoad.office_id == appointment.office_id, SlotLoad.service_id == appointment.service_id,
        SlotLoad.starts_at == appointment.starts_at, SlotLoad.booked > 0)
        .values(booked=SlotLoad.booked - 1).execution_options(synchronize_session=False))


def book(session: Session, catalog: Catalog, offices: dict[str, Office], application: Application,
         office_id: str, starts_at: dt.datetime, now: dt.datetime,
         on_booked: Callable[[Appointment], None] | None = None) -> tuple[Appointment, bool]:
    """Book (or move to) a slot; (appointment, created). Moving releases the old place in the same
    transaction; choosing the slot already booked changes nothing."""
    if not may_book(catalog, application):
        raise NotInPerson()
    office = offices.get(office_id)
    if office is None:
        raise OfficeNotFound()
    starts_at = starts_at.astimezone(dt.UTC).replace(microsecond=0)
    if (not office.capacity(application.service_id) or starts_at <= now
            or starts_at.astimezone(BANGKOK).date() > now.astimezone(BANGKOK).date() + dt.timedelta(days=HORIZON_DAYS)
            or not office.opens_at(starts_at, catalog.calendar)):
        raise NoSuchSlot()
    before = current(session, application.id)
    if before is not None and before.status == BOOKED and before.office_id == office_id \
            and before.starts_at == starts_at:
        return before, False
    if before is not None and before.status == CHECKED_IN:
        raise NotCheckable()
    appointment = Appointment(application_id=application.id, citizen_id=application.citizen_id, office_id=office_id,
                              service_id=application.service_id, starts_at=starts_at, status=BOOKED,
                              token=secrets.token_urlsafe(24))
    session.add(appointment)
    session.flush()
    if on_booked is not None:
        on_booked(appointment)  # rolled back with the rest if the slot is full
    # The slots' rows are locked last, so that nothing but the commit follows: a booking that held the
    # last place's row lock while waiting for a pooled connection (a data key's reader) deadlocked a pool
    # whose every other connection waited on that row (50 bookings at once on PostgreSQL).
    steps = [(starts_at, lambda: take_place(session, office, application.service_id, starts_at))]
    if before is not None:
        old = before
        steps.append((old.starts_at, lambda: release_place(session, old)))
        before.status, before.cancelled_at = CANCELLED, now
    for _, step in sorted(steps, key=lambda s: s[0]):  # one order for every mover: no lock cycle
        step()
    return appointment, before is None


def cancel(session: Session, appointment: Appointment, now: dt.datetime) -> None:
    if appointment.status != BOOKED:
        raise NotCheckable()
    release_place(session, appointment)
    appointment.status, appointment.cancelled_at = CANCELLED, now


def check_in(appointment: Appointment, officer_id: int | None, now: dt.datetime) -> None:
    if appointment.status != BOOKED:
        raise NotCheckable()
    appointment.status, appointment.checked_in_at, appointment.checked_in_by = CHECKED_IN, now, officer_id
