"""A family of Pracha citizens (an elderly father, his daughter, a neighbour), each with their own
signed-in client that sends the CSRF token, and an officer serving the father at a counter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.http.access import SESSION_COOKIE
from pracha.identity.models import CounterSession, User, WebSession
from pracha.identity.service import digest
from tests.factories import SignedIn, create_citizen, create_staff, sign_in
from tests.services.helpers import ELDERLY_FORM, PDF


def fresh(db: Session) -> None:
    """End the test's read and forget what it loaded (the app's sessions keep objects on commit)."""
    db.rollback()
    db.expire_all()


@dataclass
class Family:
    father: User  # the grantor
    daughter: User  # the delegate
    neighbour: User  # neither


@pytest.fixture
def family(db: Session) -> Family:
    return Family(create_citizen(db, first_name="บุญมี", last_name="ใจดี", birth_date=dt.date(1948, 5, 2)),
                  create_citizen(db, first_name="สมใจ", last_name="ใจดี", birth_date=dt.date(1980, 1, 9)),
                  create_citizen(db, first_name="ประเสริฐ", last_name="ข้างบ้าน", birth_date=dt.date(1970, 7, 7)))


class Browser(SignedIn):
    """A signed-in person's client, with the steps of delegating and acting for someone."""

    def grant(self, national_id: str, services: list[str] | None = None, **more: Any) -> Any:
        return self.call("POST", "/api/v1/delegations", json={
            "national_id": national_id, "relationship": "child", "services": services or ["*"], **more})

    def act_for(self, grantor_id: int) -> Any:
        return self.call("PUT", "/api/v1/session/acting-for-person", json={"grantor_id": grantor_id})

    def draft(self, service_id: str = "elderly-allowance", data: dict[str, Any] | None = None) -> Any:
        return self.call("POST", "/api/v1/applications", json={"service_id": service_id, "data": data or ELDERLY_FORM})

    def ready(self) -> str:
        """An elderly-allowance draft with its required documents."""
        made = self.draft()
        assert made.status_code == 201, made.text
        reference = str(made.json()["reference"])
        for requirement in ("id-card", "house-registration"):
            sent = self.call("POST", f"/api/v1/applications/{reference}/documents", data={"requirement": requirement},
                             files={"file": ("doc.pdf", PDF, "application/pdf")})
            assert sent.status_code == 201, sent.text
        return reference

    def submit(self, reference: str) -> Any:
        return self.call("POST", f"/api/v1/applications/{reference}/actions",
                         json={"action": "submit", "declaration": True})

    def web_session(self, db: Session) -> WebSession:
        row = db.scalar(select(WebSession).where(WebSession.token_hash == digest(
            self.client.cookies.get(SESSION_COOKIE) or "")))
        assert row is not None
        return row


@pytest.fixture
def browser(db: Session, make_client: Callable[..., TestClient]) -> Callable[[User], Browser]:
    def make(user: User) -> Browser:
        client = make_client()
        return Browser(client, sign_in(db, client, user))

    return make


@pytest.fixture
def counter(db: Session, family: Family, browser: Callable[[User], Browser]) -> tuple[Browser, CounterSession]:
    """An officer of the district office serving the father at its counter (his ID card checked, his
    signed consent form scanned), as pracha.counter opens one."""
    officer = create_staff(db, "officer", "cm-district-admin", first_name="วิไล", last_name="บริการดี")
    served = CounterSession(officer_id=officer.id, visitor_id=family.father.id, office="cm-city-registry-office",
                            agency="cm-district-admin", id_card_checked=True, consent_method="form",
                            consent_file="0" * 64, consented_at=utcnow())
    db.add(served)
    db.commit()
    officer_browser = browser(officer)
    officer_browser.web_session(db).counter_session_id = served.id
    db.commit()
    return officer_browser, served
