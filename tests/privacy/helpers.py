"""A citizen with something to export or erase, and a DPO, for the privacy tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.identity.models import User
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import act, ready_application


def citizen_with_application(db: Session, make_client: Any, *, submit: bool = True
                             ) -> tuple[User, TestClient, str, str]:
    """A signed-in citizen with one elderly-allowance application (submitted unless `submit` is
    False); returns (citizen, client, csrf, reference)."""
    citizen = create_citizen(db, phone="0812345678")
    client = make_client()
    csrf = sign_in(db, client, citizen)
    reference = ready_application(client, csrf)
    if submit:
        assert act(client, csrf, reference, "submit").status_code == 200
    return citizen, client, csrf, reference


def dpo_client(db: Session, make_client: Any) -> tuple[User, TestClient, str]:
    dpo = create_staff(db, "dpo", username="dpo.test", first_name="ปกป้อง", last_name="ข้อมูลดี")
    client = make_client()
    return dpo, client, sign_in(db, client, dpo)


def ask(client: TestClient, csrf: str, **body: Any) -> Any:
    return client.post("/api/v1/me/privacy-requests", headers={"X-CSRF-Token": csrf}, json=body)


def decide(client: TestClient, csrf: str, request_id: int, decision: str, reason: str = "") -> Any:
    return client.post(f"/api/v1/privacy/requests/{request_id}/decision", headers={"X-CSRF-Token": csrf},
                       json={"decision": decision, "reason": reason})
