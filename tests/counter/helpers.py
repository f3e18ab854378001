"""What the counter tests share: an officer of the city registry (its office: the city's civil registration
counter) signed in at the counter, and a visitor's residence certificate made for them there."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import begin_write
from pracha.identity.models import User
from pracha.notices.models import OutboxMessage
from tests.factories import SignedIn, create_staff, sign_in

AGENCY = "cm-city-registry"
OFFICE = "cm-city-registry-office"
OTHER_OFFICE = "cm-district-registry-office"  # another agency's
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
RESIDENCE = {"purpose": "job", "current_address": "99 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
             "matches_house_registration": True, "living_since": "2015-04-01", "copies": 1, "delivery": "pickup"}


class Desk(SignedIn):
    """An officer's browser at the counter."""

    def __init__(self, client: TestClient, csrf: str, officer: User) -> None:
        super().__init__(client, csrf)
        self.officer = officer

    post = SignedIn.form  # the counter's pages are forms

    def start(self, national_id: str, method: str = "form", *, checked: bool = True, office: str = OFFICE,
              scan: tuple[str, bytes, str] | None = ("consent.pdf", PDF, "application/pdf"), **more: str) -> Any:
        data = {"national_id": national_id, "office_id": office, "consent_method": method, **more}
        if checked:
            data["id_card_checked"] = "on"
        files = {"consent_form": scan} if method == "form" and scan is not None else None
        return self.post("/counter/sessions", data, files=files)

    def apply(self, data: dict[str, Any] | None = None, *, submit: bool = True) -> str:
        """A residence certificate for the visitor, with the ID card attached, submitted; its reference."""
        made = self.call("POST", "/api/v1/applications", json={"service_id": "residence-certificate",
                                                                "data": data or RESIDENCE})
        assert made.status_code == 201, made.text
        reference = str(made.json()["reference"])
        added = self.call("POST", f"/api/v1/applications/{reference}/documents", data={"requirement": "id-card"},
                          files={"file": ("id.pdf", PDF, "application/pdf")})
        assert added.status_code == 201, added.text
        if submit:
            sent = self.call("POST", f"/api/v1/applications/{reference}/actions",
                             json={"action": "submit", "declaration": True})
            assert sent.status_code == 200, sent.text
        return reference


def desk(db: Session, make_client: Callable[..., TestClient], role: str = "officer", agency: str = AGENCY) -> Desk:
    db.rollback()
    begin_write(db)  # after the app's writes: never upgrade a stale read (SQLite)
    officer = create_staff(db, role, agency, first_name="วิภา", last_name="ช่วยเหลือ")
    client = make_client()
    return Desk(client, sign_in(db, client, officer), officer)


def signed_in(db: Session, make_client: Callable[..., TestClient], user: User) -> TestClient:
    """A browser signed in as `user`, made after the app's own writes (which may still run after a response:
    the write lock is taken first, so the test never upgrades a stale read)."""
    db.rollback()
    begin_write(db)
    client = make_client()
    sign_in(db, client, user)
    return client


def sent_code(db: Session, user: User) -> str:
    """The code in the newest SMS to `user` (what the SMS sender would send)."""
    db.rollback()
    body = db.scalars(select(OutboxMessage.body).where(OutboxMessage.user_id == user.id, OutboxMessage.channel == "sms")
                      .order_by(OutboxMessage.id.desc())).first()
    found = re.search(r"\b(\d{6})\b", body or "")
    assert found is not None, body
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"
