"""Consent (PDPA): grant and withdraw from the API and the pages (CSRF, no JavaScript), receipts that
verify offline against the ledger's key, another citizen never sees or withdraws mine, and a
withdrawal counts on the very next request through the mediator."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import service as exchange
from pracha.exchange.errors import NoLawfulBasis
from pracha.exchange.models import Consent, MessageLog
from pracha.exchange.vocabulary import PORTAL
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerEntry
from pracha.ledger.receipts import verify_receipt
from pracha.services.catalog import Catalog
from tests.exchange.helpers import PERSONS, seed
from tests.factories import create_citizen, sign_in

GIVE = {"recipient_id": PORTAL, "purpose": "service-application"}


@pytest.fixture
def seeded(db: Session, settings: Settings, catalog: Catalog) -> None:
    seed(db, settings, catalog)


def test_grant_list_withdraw_and_receipt(seeded: None, db: Session, app: FastAPI, settings: Settings,
                                         make_client: Any) -> None:
    me = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, me)
    offers = client.get("/api/v1/me/consent-offers").json()
    assert any(o["recipient_id"] == PORTAL and "address" in o["categories"] for o in offers)
    granted = client.post("/api/v1/me/consents", json={**GIVE, "categories": ["address"]},
                          headers={"X-CSRF-Token": csrf})
    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert body["active"] and body["categories"] == ["address"]
    assert body["notice_version"] == settings.exchange_notice_version
    receipt = client.get(body["receipt_url"]).json()
    key = verifier_key(app.state.pracha.registry.get(LEDGER).signer)
    assert receipt["consent"]["id"] == body["id"] and receipt["withdrawal"] is None
    assert verify_receipt(receipt["grant"], key).ok
    assert receipt["grant"]["statement"]["kind"] == "consent.grant"
    assert receipt["grant"]["leaf"]["category"] == "sealed"
    assert me.national_id not in str(receipt["grant"]["leaf"])  # commitments only
    withdrawn = client.post(f"/api/v1/me/consents/{body['id']}/withdraw", headers={"X-CSRF-Token": csrf})
    assert withdrawn.status_code == 200 and not withdrawn.json()["active"]
    receipt = client.get(body["receipt_url"]).json()
    assert verify_receipt(receipt["withdrawal"], key).ok
    assert receipt["withdrawal"]["statement"]["kind"] == "consent.withdraw"
    assert [c["id"] for c in client.get("/api/v1/me/consents").json()["items"]] == [body["id"]]


def test_bad_consent_requests_are_422(seeded: None, db: Session, make_client: Any) -> None:
    client = make_client()
    csrf = sign_in(db, client, create_citizen(db))
    for bad in ({**GIVE, "purpose": "eligibility-check"},  # a legal duty: nothing to consent to
                {**GIVE, "recipient_id": "TH/GOV/NOPE/x"}, {**GIVE, "categories": ["land-of-oz"]}):
        response = client.post("/api/v1/me/consents", json=bad, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422, bad
        assert "Traceback" not in response.text


def test_another_citizen_cannot_see_or_withdraw_my_consent(seeded: None, db: Session, make_client: Any) -> None:
    mine, theirs = make_client(), make_client()
    csrf = sign_in(db, mine, create_citizen(db))
    other_csrf = sign_in(db, theirs, create_citizen(db, first_name="สมหญิง"))
    consent_id = mine.post("/api/v1/me/consents", json=GIVE, headers={"X-CSRF-Token": csrf}).json()["id"]
    assert theirs.get(f"/api/v1/me/consents/{consent_id}/receipt").status_code == 404
    assert theirs.get(f"/me/consents/{consent_id}").status_code == 404
    assert theirs.post(f"/api/v1/me/consents/{consent_id}/withdraw",
                       headers={"X-CSRF-Token": other_csrf}).status_code == 404
    assert theirs.get("/api/v1/me/consents").json()["items"] == []
    db.expire_all()
    consent = db.get(Consent, consent_id)
    assert consent is not None and consent.withdrawn_at is None


def test_pages_grant_and_withdraw_without_javascript(seeded: None, db: Session, make_client: Any) -> None:
    client = make_client()
    csrf = sign_in(db, client, create_citizen(db))
    page = client.get("/me/consents")
    assert page.status_code == 200 and "ความยินยอม" in page.text
    assert client.post("/me/consents", data={**GIVE, "categories": "address"}).status_code == 403  # no CSRF
    response = client.post("/me/consents", data={**GIVE, "categories": "address", "csrf_token": csrf,
                                                  "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/me/consents"
    consent_id = client.get("/api/v1/me/consents").json()["items"][0]["id"]
    printable = client.get(f"/me/consents/{consent_id}")
    assert printable.status_code == 200 and "ที่อยู่ตามทะเบียนบ้าน" in printable.text
    response = client.post(f"/me/consents/{consent_id}/withdraw", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert "ถอนความยินยอมแล้ว" in client.get(response.headers["location"]).text


def test_withdrawal_counts_on_the_very_next_request(seeded: None, db: Session, settings: Settings,
                                                    make_client: Any) -> None:
    me = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, me)
    consent_id = client.post("/api/v1/me/consents", json=GIVE, headers={"X-CSRF-Token": csrf}).json()["id"]
    client.post(f"/api/v1/me/consents/{consent_id}/withdraw", headers={"X-CSRF-Token": csrf})
    with pytest.raises(NoLawfulBasis) as refused:
        exchange.call(db, settings, client=PORTAL, service_id=PERSONS, path=f"{me.national_id}/address",
                      purpose="service-application", subject_national_id=me.national_id, user=f"citizen:{me.id}")
    db.commit()  # the refusal is logged in the caller's session
    row = db.scalar(select(MessageLog).where(MessageLog.reference == refused.value.reference))
    assert row is not None and (row.decision, row.status, row.reason) == ("denied", 403, "no_lawful_basis")
    assert row.subject_user_id == me.id and row.categories == ["address"]
    entry = db.get(LedgerEntry, row.ledger_entry_id)
    assert entry is not None and me.national_id.encode() not in entry.data
