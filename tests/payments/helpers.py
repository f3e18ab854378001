"""What the payments tests share: an approved commercial registration (its 50-baht fee due), a bank
registered with a key of the test's own, and signed calls as that bank makes them."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.exchange import httpsig
from pracha.exchange.keys import public_key_text
from pracha.identity.principal import Principal
from pracha.payments.models import Bank
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.automation.helpers import submit
from tests.factories import create_citizen, create_staff

COMMERCIAL_FORM: dict[str, Any] = {
    "business_form": "individual", "trade_name": "ร้านกาแฟดอยช้าง", "business_category": "ขายปลีกเครื่องดื่มกาแฟ",
    "business_address": "12 ถนนราชดำเนิน ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
    "start_date": "2025-11-01", "capital": 150000, "premises": "rented", "sells_online": False,
    "phone": "0861234567",
}
BANK_KEY = Ed25519PrivateKey.generate()
BANK = "test-bank"


def approved_commercial(db: Session, app: FastAPI, **citizen: Any) -> Application:
    """A commercial registration approved by an officer: its fee is due and its certificate waits."""
    application = submit(db, app, create_citizen(db, **citizen), "commercial-registration", COMMERCIAL_FORM)
    catalog = app.state.pracha.registry.get(CATALOG)
    officer = Principal(user=create_staff(db, "officer", application.agency))
    service.act(db, catalog, officer, application, "review")
    service.act(db, catalog, officer, application, "approve")
    db.commit()
    return application


def register_bank(db: Session, key: Ed25519PrivateKey = BANK_KEY, base_url: str = "http://127.0.0.1:9") -> Bank:
    bank = db.get(Bank, BANK) or Bank(id=BANK, name_th="ธนาคารทดสอบ", name_en="Test bank", public_key="",
                                      base_url=base_url)
    bank.public_key, bank.base_url = public_key_text(key), base_url
    db.add(bank)
    db.commit()
    return bank


def signed_post(client: TestClient, path: str, body: dict[str, Any], *, key: Ed25519PrivateKey = BANK_KEY,
                key_id: str = BANK) -> Any:
    raw = json.dumps(body).encode()
    url = f"http://testserver{path}"
    headers = {"Content-Type": "application/json"}
    headers |= httpsig.sign_request("POST", url, headers, raw, key_id=key_id, key=key)
    return client.post(path, content=raw, headers=headers)


def callback_body(application: Application, payment: Any, transaction_id: str, amount: str = "50.00") -> dict[str, Any]:
    return {"transaction_id": transaction_id, "biller_id": payment.biller_id, "ref1": application.reference,
            "ref2": payment.public_id, "amount": amount, "paid_at": "2026-12-05T03:14:03Z",
            "payer_account": "xxx-x-x1234-x", "channel": "thai_qr"}


def pay_any_fee_in_cash(db: Session, app: FastAPI, application: Application) -> None:
    """Pay at the counter whatever fee the approval made due (its document waits for it)."""
    from pracha.payments import service as payments

    catalog = app.state.pracha.registry.get(CATALOG)
    if payments.owes(db, catalog, application, "approve"):
        finance = create_staff(db, "finance_officer", application.agency)
        payments.record_cash(db, catalog, app.state.pracha.settings, application, officer_id=finance.id)
        db.commit()
