"""Consent (PDPA): grant and withdraw from the API and the pages (CSRF, no JavaScript), receipts that
verify offline against the ledger's key, another citizen never sees or withdraws mine, and a
withdrawal counts on the very next request through the mediator."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import consent
from pracha.exchange import service as exchange
from pracha.exchange.errors import NoLawfulBasis
from pracha.exchange.models import Consent, MessageLog
from pracha.exchange.vocabulary import PORTAL
from pracha.identity.principal import Principal
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


def test_a_retried_grant_with_its_idempotency_key_gives_one_consent(seeded: None, db: Session,
                                                                    make_client: Any) -> None:
    me = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, me)
    once = {"X-CSRF-Token": csrf, "Idempotency-Key": "consent-7f3a"}
    grants = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "consent.grant")
    before = db.scalar(grants)
    first = client.post("/api/v1/me/consents", json=GIVE, headers=once)
    again = client.post("/api/v1/me/consents", json=GIVE, headers=once)
    other = client.post("/api/v1/me/consents", json=GIVE, headers={**once, "Idempotency-Key": "consent-8b41"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    assert again.json() == first.json() and other.json()["id"] != first.json()["id"]
    db.rollback()  # a fresh read: the requests committed after this session last read
    assert db.scalar(select(func.count()).select_from(Consent).where(Consent.user_id == me.id)) == 2
    assert db.scalar(grants) == before + 2  # the retry wrote no second ledger entry
    too_long = client.post("/api/v1/me/consents", json=GIVE, headers={**once, "Idempotency-Key": "k" * 65})
    assert too_long.status_code == 422 and too_long.json()["error"] == "invalid_input"


def test_another_citizens_idempotency_key_is_not_mine(seeded: None, db: Session, make_client: Any) -> None:
    ids = []
    for _ in range(2):
        client = make_client()
        csrf = sign_in(db, client, create_citizen(db))
        response = client.post("/api/v1/me/consents", json=GIVE,
                               headers={"X-CSRF-Token": csrf, "Idempotency-Key": "same-key"})
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert ids[0] != ids[1]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite's writers take turns already
def test_two_grants_racing_with_one_key_give_one_consent(seeded: None, db: Session, app: FastAPI,
                                                         settings: Settings) -> None:
    """The first request holds its transaction open; the second, with the same key, waits on the unique
    key and then answers the first one's consent instead of a 500."""
    me = create_citizen(db)
    db.commit()
    sessions = app.state.pracha.db.sessions

    def give(session: Session) -> int:
        principal = Principal(user=session.get(type(me), me.id))
        return consent.grant(session, principal, recipient_id=GIVE["recipient_id"], purpose=GIVE["purpose"],
                             categories=None, notice_version=settings.exchange_notice_version, days=30,
                             client_token="race-1").id

    def give_and_commit() -> int:
        with sessions() as session:
            found = give(session)
            session.commit()
            return found

    with sessions() as first, ThreadPoolExecutor(1) as pool:
        a = give(first)
        b = pool.submit(give_and_commit)
        deadline = time.monotonic() + 30
        while not db.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")):
            db.rollback()
            assert time.monotonic() < deadline and not b.done(), "the second grant did not wait for the first"
        first.commit()
        assert b.result(timeout=60) == a
    db.rollback()  # a fresh read: the requests committed after this session last read
    assert db.scalar(select(func.count()).select_from(Consent).where(Consent.user_id == me.id)) == 1


def test_the_consent_form_sent_twice_gives_one_consent(seeded: None, db: Session, make_client: Any) -> None:
    me = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, me)
    page = client.get("/me/consents").text
    token = re.search(r'name="client_token" value="([^"]+)"', page)
    assert token is not None
    form = {**GIVE, "categories": "address", "csrf_token": csrf, "client_token": token.group(1)}
    assert [client.post("/me/consents", data=form).status_code for _ in range(2)] == [303, 303]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Consent).where(Consent.user_id == me.id)) == 1
