"""The demo's family: สมชาย ใจดี (born 2498 BE, on the elderly allowance; since a stroke he walks with
difficulty) authorised his daughter สมหญิง รักไทย (her married name) a month ago, for all his services and
a year, and she has since started his disability allowance (a draft), so his "Actions taken for you" list
and her "People I may act for" are not empty."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pracha.delegation import service
from pracha.identity.models import Delegation, User
from pracha.identity.principal import DELEGATE, ActingPerson, Principal
from pracha.services.catalog import Catalog
from pracha.services.service import create_application

SERVICE = "disability-allowance"


def draft_for_him(today: dt.date) -> dict[str, object]:
    return {"applicant_role": "self", "disability_type": "physical",
            "disability_card_expiry": (today + dt.timedelta(days=2 * 365)).isoformat(), "payment_method": "promptpay",
            "phone": "0891234560", "in_state_care": False}


def seed_delegation(session: Session, catalog: Catalog, parent: User, child: User) -> Delegation:
    """`parent` authorises `child` for every service for a year (started 30 days ago); the child starts a
    draft for the parent."""
    first, last = service.default_period()
    checked = service.check(session, catalog, parent, child.national_id or "", "child", [service.ALL_SERVICES],
                            first, last)
    row = service.create(session, catalog, parent, parent, checked)
    started = dt.timedelta(days=30)
    row.valid_from, row.valid_until, row.created_at = first - started, last - started, row.created_at - started
    session.flush()
    if SERVICE in catalog.services:
        as_child = Principal(user=child, for_person=ActingPerson(parent, DELEGATE, frozenset(row.services)))
        create_application(session, catalog, as_child, SERVICE, draft_for_him(first))
    return row
