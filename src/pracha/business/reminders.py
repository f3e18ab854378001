"""Renewal reminders (the automation's DAILY job): a document that expires gets a notice 60 and again 30
days before its `valid_until`, to its holder and to everyone holding a live authorisation of the
juristic person for that service. Each reminder is sent once (`renewal_reminders` row), so re-runs and
catch-up days send nothing twice; a reminder whose day passed unseen is not sent late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate, RenewalReminder
from pracha.calendar import format_date
from pracha.config import Settings
from pracha.identity.models import ActingGrant, User
from pracha.notices.service import notify
from pracha.services.catalog import Catalog

DAYS_BEFORE = (30, 60)  # smallest first: the reminder due now is the smallest threshold reached


def recipients(session: Session, certificate: Certificate, today: dt.date) -> list[User]:
    """The holder, then the people a director authorised for the service (or for all), live today."""
    people: dict[int, User] = {}
    if certificate.citizen is not None:
        people[certificate.citizen.id] = certificate.citizen
    if certificate.organisation_id is not None:
        grants = session.scalars(select(ActingGrant).where(
            ActingGrant.juristic_id == certificate.organisation_id, ActingGrant.revoked_at.is_(None),
            ActingGrant.valid_from <= today, ActingGrant.valid_until >= today))
        for grant in grants:
            if "*" in grant.services or certificate.service_id in grant.services:
                people.setdefault(grant.grantee_id, grant.grantee)
    return list(people.values())


def send_reminders(session: Session, catalog: Catalog, today: dt.date) -> int:
    """Send what is due today; returns the number of notices sent."""
    horizon = today + dt.timedelta(days=max(DAYS_BEFORE))
    due = session.scalars(select(Certificate).where(
        Certificate.valid_until.is_not(None), Certificate.valid_until >= today, Certificate.valid_until <= horizon,
        Certificate.revoked_at.is_(None)).order_by(Certificate.valid_until))
    sent = 0
    for certificate in due:
        assert certificate.valid_until is not None
        left = (certificate.valid_until - today).days
        threshold = next(t for t in DAYS_BEFORE if left <= t)
        done = set(session.scalars(select(RenewalReminder.days_before).where(
            RenewalReminder.certificate_id == certificate.id)))
        if done & {t for t in DAYS_BEFORE if t <= threshold}:
            continue  # this reminder (or a later one) was sent
        session.add(RenewalReminder(certificate_id=certificate.id, days_before=threshold))
        service = catalog.get(certificate.service_id or "")
        link = f"/services/{service.id}" if service is not None else "/business"
        day_th, day_en = format_date(certificate.valid_until, "th"), format_date(certificate.valid_until, "en")
        for person in recipients(session, certificate, today):
            notify(session, person, link=link,
                   subject={"th": f"{certificate.title_th} จะหมดอายุใน {left} วัน",
                            "en": f"{certificate.title_en} expires in {left} days"},
                   body={"th": f"{certificate.title_th} เลขที่ {certificate.number or certificate.id} หมดอายุวันที่ "
                               f"{day_th} กรุณายื่นคำขอต่ออายุก่อนวันหมดอายุ",
                         "en": f"{certificate.title_en} No. {certificate.number or certificate.id} expires on "
                               f"{day_en}. Please apply to renew it before then."})
            sent += 1
    return sent


def daily_job(catalog: Catalog) -> Callable[[Session, Settings, dt.date], None]:
    def renewal_reminders(session: Session, settings: Settings, today: dt.date) -> None:
        send_reminders(session, catalog, today)

    return renewal_reminders
