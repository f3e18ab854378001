"""/verify/{id} for an e-receipt (the automation's verify page asks here for ids that are no certificate)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pracha.http.rendering import render
from pracha.ledger.deps import ledger_of
from pracha.payments import fees, receipts
from pracha.payments.errors import ReceiptNotFound
from pracha.services.deps import catalog_of


def receipt_page(request: Request, db: Session, receipt_id: str, data: bytes | None) -> Response | None:
    try:
        result = receipts.verify(db, receipt_id, ledger_of(request).verifier, data or None)
    except ReceiptNotFound:
        return None
    receipt = result.receipt
    catalog = catalog_of(request)
    context: dict[str, Any] = {
        "result": result, "receipt": receipt, "agency": catalog.agencies.get(receipt.agency),
        "service": catalog.get(receipt.payment.service_id), "amount": fees.baht(receipt.payment.amount),
        "file_checked": data is not None and len(data) > 0,
        "file_problem": "empty" if data is not None and not data else None}
    status = 422 if context["file_problem"] else 200
    return render(request, "payments/verify_receipt.html", context, status_code=status)
