"""What the payment pages and the API show of a payment (one shape for both), and the queries behind
the lists: the citizen's payments and a finance officer's (paged)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.payments import fees
from pracha.payments.models import DUE, STATUSES, Payment
from pracha.payments.service import expire_if_due

MAX_MINE = 200
# what payment_json reads of each payment, loaded with the list rather than one query per row
SHOWN = (selectinload(Payment.application), selectinload(Payment.receipt), selectinload(Payment.refunds))


def payment_json(payment: Payment) -> dict[str, Any]:
    expire_if_due(payment, utcnow())
    receipt = payment.receipt
    return {
        "id": payment.public_id, "status": payment.status, "amount": fees.baht(payment.amount),
        "application": payment.application.reference, "service_id": payment.service_id, "agency": payment.agency,
        "due_on": payment.due_on, "lines": payment.lines, "created_at": payment.created_at.isoformat(),
        "expires_at": payment.expires_at.isoformat(),
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None, "method": payment.method,
        "promptpay_payload": payment.payload if payment.status == DUE else None,
        "pay_url": f"/applications/{payment.application.reference}/pay",
        "slip_url": f"/payments/{payment.public_id}/slip.pdf" if payment.status == DUE else None,
        "receipt": {"id": receipt.id, "number": receipt.number, "url": f"/receipts/{receipt.id}.pdf",
                    "verify_url": f"/verify/{receipt.id}"} if receipt is not None else None,
        "refunded": payment.refunds[-1].created_at.isoformat() if payment.refunds else None,
    }


def my_payments(session: Session, citizen_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.citizen_id == citizen_id).options(*SHOWN)
                                .order_by(Payment.id.desc()).limit(MAX_MINE)))


def agency_payments(session: Session, agency: str | None, *, status: str | None, day: dt.date | None,
                    page: PageRequest) -> Page[Payment]:
    query = select(Payment).options(*SHOWN, selectinload(Payment.citizen))
    if agency:
        query = query.where(Payment.agency == agency)
    if status in STATUSES:
        query = query.where(Payment.status == status)
    if day is not None:
        start = dt.datetime.combine(day, dt.time(), tzinfo=BANGKOK)
        query = query.where(Payment.created_at >= start, Payment.created_at < start + dt.timedelta(days=1))
    return fetch_page(session, query, [SortKey(Payment.id, descending=True)], page)


def bank_pay_url(bank_url: str, payload: str, back: str) -> str:
    """The demo bank's "scan" page for this payload, coming back to `back` after paying."""
    return f"{bank_url.rstrip('/')}/pay?payload={quote(payload, safe='')}&return={quote(back, safe='')}"
