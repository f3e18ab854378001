"""Erasure (s. 33), restriction (s. 34) and objection (s. 32): what a law requires the state to keep
is restricted instead of erased, with the reason; a full erasure closes the account and shreds the
subject key while the ledger stays verifiable."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.assistant.models import Conversation
from pracha.config import Settings
from pracha.exchange.models import Consent
from pracha.exchange.prefill import prefill_form
from pracha.identity.models import User, WebSession
from pracha.identity.principal import Principal
from pracha.ledger import log
from pracha.ledger.deps import LEDGER
from pracha.ledger.models import LedgerEntry, SubjectKey
from pracha.ledger.receipts import verify_receipt
from pracha.services.catalog import Catalog
from pracha.services.models import Application
from tests.exchange.helpers import exchange_world
from tests.factories import sign_in
from tests.privacy.helpers import ask, citizen_with_application, decide, dpo_client


def test_erasure_restricts_what_the_law_keeps(db: Session, make_client: Any) -> None:
    citizen, client, csrf, kept_reference = citizen_with_application(db, make_client)
    made_draft = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                             json={"service_id": "residence-certificate", "data": {"purpose": "job"}})
    assert made_draft.status_code == 201, made_draft.text
    draft = made_draft.json()["reference"]
    client.post("/api/v1/assistant/messages", headers={"X-CSRF-Token": csrf}, json={"text": "ทำบัตรประชาชนใหม่"})
    made = ask(client, csrf, kind="erasure").json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    assert kept_reference in dpo.get(f"/privacy/requests/{made['id']}").text  # shown before deciding
    response = decide(dpo, dpo_csrf, made["id"], "approve", "ลบได้เฉพาะส่วนที่กฎหมายไม่บังคับให้เก็บ")
    assert response.status_code == 200, response.text
    outcome = response.json()["outcome"]
    restricted = {k["what"]: k for k in outcome["restricted"]}
    assert f"application:{kept_reference}" in restricted and "identity" in restricted
    assert "มาตรา 33" in restricted[f"application:{kept_reference}"]["th"]
    assert "account" not in outcome["erased"] and "contacts" in outcome["erased"]
    db.expire_all()
    user = db.get(User, citizen.id)
    assert user is not None and user.email is None and user.phone is None
    assert user.national_id == citizen.national_id and user.processing_restricted_at is not None
    kept = db.scalar(select(Application).where(Application.reference == kept_reference))
    assert kept is not None and kept.data  # restricted, not erased
    assert db.scalar(select(Application).where(Application.reference == draft)) is None
    assert db.scalar(select(Conversation).where(Conversation.user_id == citizen.id)) is None
    assert db.scalar(select(WebSession).where(WebSession.user_id == citizen.id)) is None  # signed out everywhere
    assert db.get(SubjectKey, f"user:{citizen.id}") is not None  # the kept records stay provable
    again = make_client()
    sign_in(db, again, user)
    mine = again.get("/me/privacy").text
    assert "ต้องเก็บไว้จนกว่าจะมีคำวินิจฉัย" in mine


def test_full_erasure_closes_the_account_and_keeps_the_log_verifiable(db: Session, app: FastAPI,
                                                                      make_client: Any) -> None:
    citizen, client, csrf, reference = citizen_with_application(db, make_client)
    assert client.post(f"/api/v1/applications/{reference}/actions", headers={"X-CSRF-Token": csrf},
                       json={"action": "withdraw"}).status_code == 200
    made = ask(client, csrf, kind="erasure").json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    response = decide(dpo, dpo_csrf, made["id"], "approve")
    assert response.status_code == 200 and "account" in response.json()["outcome"]["erased"]
    db.expire_all()
    user = db.get(User, citizen.id)
    assert user is not None and user.national_id is None and user.email is None and user.birth_date is None
    withdrawn = db.scalar(select(Application).where(Application.reference == reference))
    assert withdrawn is not None and withdrawn.data == {} and withdrawn.documents == []
    assert db.get(SubjectKey, f"user:{citizen.id}") is None  # crypto-shredded
    assert client.get("/api/v1/me/privacy-requests").status_code == 401  # signed out for good
    ledger = app.state.pracha.registry.get(LEDGER)
    log.sequence(db, ledger.signer, ledger.origin)  # what a receipt route's `sequenced` dependency does
    db.commit()
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.kind == "privacy.request.decided"))
    assert entry is not None
    assert verify_receipt(ledger.receipt(db, entry.id), ledger.verifier_key).ok
    first = db.scalar(select(LedgerEntry).order_by(LedgerEntry.id).limit(1))
    assert first is not None and verify_receipt(ledger.receipt(db, first.id), ledger.verifier_key).ok


def test_restriction_stops_prefill_and_the_assistant(db: Session, settings: Settings, catalog: Catalog,
                                                    make_client: Any) -> None:
    citizen, client, csrf, _ = citizen_with_application(db, make_client, submit=False)
    exchange_world(db, settings, catalog, citizen)
    schema = {"properties": {"current_address": {"type": "string", "x-prefill": {
        "service": "TH/GOV/DOPA/civil-registry/persons", "path": "{national_id}/address",
        "purpose": "service-application", "format": "thai-address"}}}}
    before = prefill_form(db, settings, Principal(user=citizen), schema)
    assert before.values or before.problems or before.needs_consent  # it tried to fetch
    db.rollback()
    made = ask(client, csrf, kind="objection", details="คัดค้านการใช้ข้อมูลเพื่อกรอกแบบฟอร์มอัตโนมัติ").json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    assert decide(dpo, dpo_csrf, made["id"], "approve").json()["outcome"]["consents_withdrawn"] == 1
    db.expire_all()
    user = db.get(User, citizen.id)
    assert user is not None and user.processing_restricted_at is not None
    after = prefill_form(db, settings, Principal(user=user), schema)
    assert not after.values and not after.problems and not after.needs_consent
    assert all(c.withdrawn_at is not None for c in db.scalars(select(Consent).where(Consent.user_id == citizen.id)))
    reply = client.post("/api/v1/assistant/messages", headers={"X-CSRF-Token": csrf},
                        json={"text": "คำขอของฉันถึงไหนแล้ว"})
    assert reply.status_code == 200
    assert db.scalar(select(Conversation).where(Conversation.user_id == citizen.id)) is None
    assert "ระงับ" in client.get("/me/privacy").text
