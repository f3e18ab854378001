"""The access matrix's people acting for the world's citizen (issue 19): a delegate, a second citizen under
the citizen's live delegation of every service, and an officer of the world's agency serving the citizen
at the counter in an open counter session. Both sessions are made in the template like every role's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.identity import service as identity
from pracha.identity.models import CounterSession, Delegation, User
from tests.factories import create_citizen, create_staff

OFFICE = "cm-city-registry-office"  # catalog/offices.yaml


def acting_people(db: Session, agency: str) -> dict[str, User]:
    """The delegate (a citizen) and the counter officer (of `agency`)."""
    return {"delegate": create_citizen(db, first_name="สมศรี", last_name="ลูกดี"),
            "counter": create_staff(db, "officer", agency, first_name="ประจำ", last_name="เคาน์เตอร์")}


def act_for_citizen(db: Session, citizen: User, users: dict[str, User], sessions: dict[str, str]) -> None:
    """The citizen's delegation to the delegate (all services, live from yesterday for a year) and the
    counter officer's open session for the citizen (consent by a signed form); their web sessions act."""
    delegate, officer = users["delegate"], users["counter"]
    today = dt.datetime.now(BANGKOK).date()
    db.add(Delegation(grantor_id=citizen.id, delegate_id=delegate.id, relationship_kind="child", services=["*"],
                      valid_from=today - dt.timedelta(days=1), valid_until=today + dt.timedelta(days=365)))
    counter = CounterSession(officer_id=officer.id, visitor_id=citizen.id, office=OFFICE, agency=officer.agency,
                             id_card_checked=True, consent_method="form", consent_file="0" * 64,
                             consented_at=utcnow())
    db.add(counter)
    db.flush()
    for role, field, value in (("delegate", "acting_for_person", citizen.id),
                               ("counter", "counter_session_id", counter.id)):
        row = identity.web_session_for(db, sessions[role])
        assert row is not None
        setattr(row, field, value)
    db.commit()
