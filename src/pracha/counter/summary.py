"""What a counter session did, for the visitor: the printable summary (office, officer, visitor with the
national ID masked, when, the applications made or changed with their references, statuses and what
happens next, appointments booked), the notice sent when it closes, and who may read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.appointments.models import Appointment
from pracha.appointments.offices import Office
from pracha.automation.documents import masked_id
from pracha.counter.errors import CounterSessionNotFound
from pracha.db import utcnow
from pracha.i18n import Phrase
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, OFFICER, CounterSession
from pracha.identity.principal import COUNTER, Principal
from pracha.notices.service import define_notice, notify
from pracha.services import workflow
from pracha.services.answers import NextStep, next_steps
from pracha.services.catalog import Catalog, Service, Text
from pracha.services.models import Application, ApplicationEvent
from pracha.services.service import STATUS_TEXT

CLOSED = define_notice(
    "counter.closed",
    subject=("เจ้าหน้าที่ที่{office}ช่วยท่านทำรายการ", "An officer at {office} helped you"),
    body=("เจ้าหน้าที่ที่{office}ช่วยท่านทำรายการใน Pracha ตามที่ท่านยินยอม รายการที่ทำ: {applications} "
          "ดูสรุปได้ที่ลิงก์ด้านล่าง หากท่านไม่ได้ไปที่สำนักงาน กรุณาโทรสายด่วน 1111",
          "An officer at {office} helped you with Pracha, with your consent. What was done: {applications}. "
          "See the summary at the link below. If you did not visit the office, please call 1111."))
NOTHING = {"th": "ไม่มีคำขอ", "en": "no applications"}
DONE = {  # what a step of the timeline did, as the summary says it
    "create": Text("เริ่มกรอกคำขอ (ฉบับร่าง)", "Started the application (draft)"),
    "submit": Text("ยื่นคำขอ", "Submitted the application"),
    "resubmit": Text("ส่งข้อมูลเพิ่มเติม", "Sent the information asked for"),
    "withdraw": Text("ยกเลิกคำขอ", "Withdrew the application"),
}
STAFF = (OFFICER, AGENCY_ADMIN, COUNTER)


@dataclass(frozen=True)
class Line:
    application: Application
    service: Service | None
    done: list[Text]
    status: Text
    next_steps: list[NextStep]


@dataclass(frozen=True)
class Summary:
    counter: CounterSession
    office: Office | None
    agency: Text
    visitor_id: str  # masked
    lines: list[Line]
    appointments: list[tuple[Appointment, Office | None]]


def readable(session: Session, principal: Principal, counter_id: int) -> CounterSession:
    """The session, for the visitor (once it opened) or the staff of the officer's agency; else 404."""
    counter = session.get(CounterSession, counter_id)
    user = principal.user
    if counter is None or user is None:
        raise CounterSessionNotFound()
    if principal.role == CITIZEN and counter.visitor_id == user.id and counter.consented_at is not None:
        return counter
    if principal.role in STAFF and user.role in (OFFICER, AGENCY_ADMIN) and user.agency == counter.agency:
        return counter
    raise CounterSessionNotFound()


def applications_of(session: Session, counter_id: int) -> list[Application]:
    """The applications made or changed in the session, in the order first touched."""
    first = (select(ApplicationEvent.application_id, func.min(ApplicationEvent.id).label("first"))
             .where(ApplicationEvent.counter_session_id == counter_id)
             .group_by(ApplicationEvent.application_id).subquery())
    return list(session.scalars(select(Application).join(first, first.c.application_id == Application.id)
                                .order_by(first.c.first)))


def _done(session: Session, counter_id: int, application_id: int) -> list[Text]:
    actions = session.scalars(select(ApplicationEvent.action).where(
        ApplicationEvent.counter_session_id == counter_id, ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id))
    return [DONE.get(a, Text(a, a)) for a in actions]


def appointments_of(session: Session, counter: CounterSession) -> list[Appointment]:
    """The visitor's appointments booked while the session was open."""
    end = counter.closed_at or utcnow()
    return list(session.scalars(select(Appointment).where(
        Appointment.citizen_id == counter.visitor_id, Appointment.created_at >= counter.started_at,
        Appointment.created_at <= end).order_by(Appointment.starts_at)))


def summarise(session: Session, counter: CounterSession, catalog: Catalog, offices: dict[str, Office]) -> Summary:
    lines = []
    for application in applications_of(session, counter.id):
        service = catalog.services.get(application.service_id)
        status = Text(*STATUS_TEXT.get(application.status, (application.status, application.status)))
        steps = next_steps(service) if service is not None and application.status in workflow.OPEN else []
        lines.append(Line(application, service, _done(session, counter.id, application.id), status, steps))
    agency = catalog.agencies.get(counter.agency)
    named = agency.name if agency else Text(counter.agency, counter.agency)
    return Summary(counter, offices.get(counter.office), named,
                   masked_id(counter.visitor.national_id or ""), lines,
                   [(a, offices.get(a.office_id)) for a in appointments_of(session, counter)])


def office_name(office: Office | None, fallback: str) -> dict[str, str]:
    return {"th": office.name.th, "en": office.name.en} if office is not None else {"th": fallback, "en": fallback}


def tell_visitor(session: Session, counter: CounterSession, office: Office | None, references: list[str]) -> None:
    """The notice on every channel the visitor keeps on: where, and which applications."""
    done = {"th": ", ".join(references), "en": ", ".join(references)} if references else NOTHING
    notify(session, counter.visitor, phrase=Phrase(CLOSED, {"office": office_name(office, counter.office),
                                                            "applications": done}),
           link=f"/counter/sessions/{counter.id}/summary")



def export_part(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The person's counter sessions for the PDPA export (ss. 30–31): where, who served them, how they
    consented, when, and the applications made in each."""
    sessions = session.scalars(select(CounterSession).where(CounterSession.visitor_id == user_id)
                               .order_by(CounterSession.id))
    return [{"id": c.id, "office": c.office, "agency": c.agency,
             "officer": c.officer.display_name if c.officer is not None else None,
             "consent_method": c.consent_method, "started_at": c.started_at, "consented_at": c.consented_at,
             "closed_at": c.closed_at, "applications": [a.reference for a in applications_of(session, c.id)]}
            for c in sessions]
