"""The bank calling Pracha: "may I take this money?" (validation) and "I took it" (callback). Both are
signed by the bank's registered key; anything unsigned or badly signed is refused (401) and changes
nothing. A callback is idempotent by the bank's transaction id, and must match the payment's amount and
references; what does not match is flagged for the finance officer and refused (422)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.exchange import httpsig
from pracha.exchange.keys import public_key_from_text
from pracha.payments import fees
from pracha.payments.bundles import reference_1
from pracha.payments.errors import BadSignature, CallbackMismatch
from pracha.payments.models import DUE, EXPIRED, PAID, THAI_QR, Bank, Payment
from pracha.payments.service import CALLBACK, flag, mark_paid
from pracha.services.catalog import Catalog
from pracha.services.models import Application, Bundle

MAX_AGE = 300  # seconds a bank's signature stays good


@lru_cache(maxsize=64)
def _public_key(text: str) -> Ed25519PublicKey:
    return public_key_from_text(text)


def verify_bank(session: Session, bank_id: str, method: str, url: str, headers: Any, body: bytes) -> Bank:
    """The bank named in the path, if the request is signed by its registered key; else BadSignature."""
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise BadSignature()
    try:
        key = _public_key(bank.public_key)
        httpsig.verify_request(method, url, headers, body, resolve_key={bank.id: key}.get, max_age=MAX_AGE)
    except (httpsig.SignatureError, ValueError) as exc:
        raise BadSignature(reason=str(getattr(exc, "reason", exc))) from None
    return bank


def _when(text: Any) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def accept(session: Session, catalog: Catalog, bank: Bank, body: Mapping[str, Any]) -> dict[str, str]:
    """Record a bank's "paid" for a payment: `accepted`, `duplicate` (seen before: nothing changes) or
    `flagged` (the payment was already paid by another transaction). CallbackMismatch (422) otherwise."""
    transaction_id = str(body.get("transaction_id") or "").strip()
    if not transaction_id or len(transaction_id) > 40:
        raise CallbackMismatch(fields={"transaction_id": {"th": "ไม่มีเลขที่รายการ", "en": "No transaction id."}})
    seen = session.scalar(select(Payment.id).where(Payment.bank_id == bank.id,
                                                   Payment.transaction_id == transaction_id))
    if seen is not None:
        return {"status": "duplicate"}
    paid_at = _when(body.get("paid_at"))
    # the application's reference without loading the application (its form is encrypted: not needed here)
    query = (select(Payment, reference_1()).join(Application, Application.id == Payment.application_id)
             .outerjoin(Bundle, Bundle.id == Payment.bundle_id)
             .where(Payment.public_id == str(body.get("ref2") or "").strip().upper()))
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(of=Payment)
    payment, reference = session.execute(query).one_or_none() or (None, None)
    try:
        amount = fees.to_satang(body.get("amount"))
    except ValueError:
        amount = -1
    day = paid_at.astimezone(BANGKOK).date()
    details = {k: str(body.get(k)) for k in ("biller_id", "ref1", "ref2", "amount")}
    if payment is None or payment.biller_id != body.get("biller_id") or reference != body.get("ref1"):
        flag(session, kind="reference_mismatch", bank_id=bank.id, transaction_id=transaction_id, day=day,
             payment=payment, details=details)
        raise CallbackMismatch()
    if amount != payment.amount:
        flag(session, kind="amount_mismatch", bank_id=bank.id, transaction_id=transaction_id, day=day,
             payment=payment, details={**details, "expected": fees.baht(payment.amount)})
        raise CallbackMismatch()
    if payment.status not in (DUE, EXPIRED) or (payment.bundle_id is None and session.scalar(select(Payment.id).where(
            Payment.application_id == payment.application_id, Payment.status == PAID)) is not None):
        flag(session, kind="paid_twice", bank_id=bank.id, transaction_id=transaction_id, day=day, payment=payment,
             details=details)
        return {"status": "flagged"}
    mark_paid(session, catalog, payment, method=THAI_QR, via=CALLBACK, paid_at=paid_at, bank=bank,
              transaction_id=transaction_id, reference=reference)
    return {"status": "accepted"}
