"""What the grantor sees of what was done for them: the timeline steps someone else took on their
applications (a delegate, or an officer at the counter), the delegates' names on the application page's
timeline (`services.hooks.PAGE_CONTEXT`), and a notice when a delegate submits for them
(`services.hooks.AFTER_ACTION`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.i18n import Phrase
from pracha.identity.models import User
from pracha.identity.principal import DELEGATE
from pracha.notices.preferences import STATUS
from pracha.notices.service import define_notice, notify
from pracha.services.models import Application, ApplicationEvent
from pracha.services.service import step_text

LIMIT = 50
SUBMITTED_FOR_YOU = define_notice(
    "delegation.submitted",
    subject=("{delegate} ยื่นคำขอ {reference} แทนท่านแล้ว", "{delegate} submitted {reference} for you"),
    body=("{delegate} ผู้รับมอบอำนาจของท่าน ยื่นคำขอ {reference} ในนามของท่าน ท่านดูรายละเอียดและทุกขั้นตอนได้ที่หน้าคำขอ "
          "หากท่านไม่ได้ขอให้ทำ ท่านเพิกถอนการมอบอำนาจได้ที่หน้า \"การมอบอำนาจ\"",
          "{delegate}, whom you authorised, submitted {reference} in your name. The application page shows it "
          "and every step. If you did not ask for this, you can revoke the delegation on the \"Delegations\" page."))


@dataclass(frozen=True)
class ActionTaken:
    """One step someone else took for the grantor."""

    at: dt.datetime
    reference: str
    service_id: str
    step: tuple[str, str]  # (Thai, English), as the timeline labels it
    by: str | None  # the delegate's name; None: an officer at the counter
    at_counter: bool


def actions_for(session: Session, grantor_id: int, limit: int = LIMIT) -> list[ActionTaken]:
    """The newest steps taken on behalf of the grantor (by delegates, or at a counter)."""
    rows = session.execute(
        select(ApplicationEvent, Application.reference, Application.service_id, User)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .outerjoin(User, User.id == ApplicationEvent.actor_id)
        .where(ApplicationEvent.on_behalf_of == grantor_id)
        .order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc()).limit(limit)).all()
    return [ActionTaken(event.at, reference, service_id, step_text(event.to_status, event.actor_role),
                        None if event.counter_session_id is not None or actor is None else actor.display_name,
                        event.counter_session_id is not None)
            for event, reference, service_id, actor in rows]


def delegate_names(session: Session, application: Application) -> dict[str, Any]:
    """PAGE_CONTEXT: {"delegate_names": {event id: {"th": "<name> (ผู้รับมอบอำนาจ)", "en": "<name> (delegate)"}}}
    (the page shows the reader's language)."""
    ids = {e.actor_id for e in application.events if e.actor_role == DELEGATE and e.actor_id is not None}
    if not ids:
        return {}
    names = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return {"delegate_names": {
        e.id: {"th": f"{names[e.actor_id]} (ผู้รับมอบอำนาจ)", "en": f"{names[e.actor_id]} (delegate)"}
        for e in application.events if e.actor_role == DELEGATE and e.actor_id in names}}


def notify_grantor(session: Session, application: Application, action: str) -> None:
    """AFTER_ACTION: a delegate's submit is told to the person it was made for."""
    if action != "submit" or not application.events:
        return
    event = application.events[-1]
    if event.actor_role != DELEGATE or event.actor_id is None or event.on_behalf_of != application.citizen_id:
        return
    delegate = session.get(User, event.actor_id)
    if delegate is None:
        return
    notify(session, application.citizen, phrase=Phrase(SUBMITTED_FOR_YOU, {
        "delegate": delegate.display_name, "reference": application.reference}),
        link=f"/applications/{application.reference}", application_id=application.id, kind=STATUS)
