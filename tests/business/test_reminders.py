"""Renewal reminders (the automation's daily job): 60 and 30 days before a licence expires, to its
holder and the people authorised for the service, once each however often the job runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.automation.models import RenewalReminder
from pracha.business.reminders import send_reminders
from pracha.identity.models import ActingGrant
from pracha.notices.models import InboxMessage
from pracha.services.catalog import Catalog
from pracha.services.service import today_in_thailand
from tests.business.helpers import JURISTIC_ID, director
from tests.business.test_dashboard import add_licence
from tests.factories import create_citizen


def inbox(db: Session, user_id: int) -> list[InboxMessage]:
    return list(db.scalars(select(InboxMessage).where(InboxMessage.user_id == user_id).order_by(InboxMessage.id)))


def test_reminders_at_60_and_30_days_once_each(db: Session, catalog: Catalog) -> None:
    holder, malee, revoked = create_citizen(db), create_citizen(db, first_name="มาลี"), create_citizen(db)
    certificate = add_licence(db, catalog, director(holder), 70)
    assert certificate.valid_until is not None
    today = today_in_thailand()
    db.add(ActingGrant(juristic_id=JURISTIC_ID, grantee_id=malee.id, services=["commercial-registration"],
                       valid_from=today, valid_until=certificate.valid_until))
    db.add(ActingGrant(juristic_id=JURISTIC_ID, grantee_id=revoked.id, services=["*"], valid_from=today,
                       valid_until=certificate.valid_until, revoked_at=dt.datetime.now(dt.UTC)))
    db.commit()
    expires = certificate.valid_until
    assert send_reminders(db, catalog, expires - dt.timedelta(days=61)) == 0
    assert send_reminders(db, catalog, expires - dt.timedelta(days=60)) == 2  # the holder and Malee
    assert send_reminders(db, catalog, expires - dt.timedelta(days=60)) == 0  # a re-run sends nothing
    assert send_reminders(db, catalog, expires - dt.timedelta(days=45)) == 0
    assert send_reminders(db, catalog, expires - dt.timedelta(days=30)) == 2
    assert send_reminders(db, catalog, expires - dt.timedelta(days=29)) == 0
    db.commit()
    assert db.scalar(select(func.count()).select_from(RenewalReminder)) == 2
    messages = inbox(db, holder.id)
    assert len(messages) == 2 and "60 วัน" in messages[0].subject and "30 วัน" in messages[1].subject
    assert messages[0].link == "/services/commercial-registration"
    assert len(inbox(db, malee.id)) == 2 and inbox(db, revoked.id) == []


def test_a_first_run_inside_30_days_sends_only_the_30_day_reminder(db: Session, catalog: Catalog) -> None:
    holder = create_citizen(db)
    certificate = add_licence(db, catalog, director(holder), 20)
    assert send_reminders(db, catalog, today_in_thailand()) == 1
    assert send_reminders(db, catalog, today_in_thailand()) == 0
    db.commit()
    assert db.scalars(select(RenewalReminder.days_before)).all() == [30]
    assert certificate.id
