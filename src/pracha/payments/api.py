"""Payments under /api/v1 (JSON) and the two endpoints a bank calls, signed (RFC 9421)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from pracha.errors import Forbidden, InvalidInput
from pracha.exchange import httpsig
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.state import app_state
from pracha.identity.models import CITIZEN, FINANCE_OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import API_TOKEN, FOR_A_PERSON, Principal
from pracha.paging import PageRequest, page_body, page_request
from pracha.payments import callbacks, service, views
from pracha.payments.errors import CallbackMismatch
from pracha.services import service as services
from pracha.services.deps import catalog_of

router = APIRouter()
MAX_BODY = 64 * 1024


@router.get("/api/v1/me/payments", tags=["payments"])
def my_payments(p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """My payments, newest first: due (with the Thai QR payload), paid (with the receipt), expired, refunded."""
    assert p.user_id is not None
    return {"items": [views.payment_json(x) for x in views.my_payments(db, p.user_id)]}


@router.post("/api/v1/applications/{reference}/payments", tags=["payments"], status_code=201,
             responses=errors(404, 409))
def make_payment(reference: str, request: Request, response: Response, p: Principal = allow(*FOR_A_PERSON),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
    """The application's open payment: made now (201) or the one still due (200); 409 `nothing_due` when
    no fee is due (none, not yet, or paid)."""
    application = services.get_application(db, p, reference, for_update=True)
    before = service.latest_payment(db, application.id)
    payment = service.open_payment(db, app_state(request).settings, catalog_of(request), application)
    if before is not None and before.id == payment.id:
        response.status_code = 200
    db.commit()
    return views.payment_json(payment)


@router.get("/api/v1/payments", tags=["payments"], responses=errors(403, 422))
def agency_payments(request: Request, response: Response, agency: str = "", status: str = "",
                    date: dt.date | None = Query(None, description="Made on this day (Bangkok), YYYY-MM-DD."),
                    page: PageRequest = Depends(page_request),
                    p: Principal = allow(FINANCE_OFFICER, PLATFORM_ADMIN, API_TOKEN, scope="payments:read"),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """An agency's payments, newest first (paged): its finance officers and its tokens see their own agency."""
    if p.role != PLATFORM_ADMIN:
        if agency and agency != p.agency:
            raise Forbidden()
        agency = p.agency or ""
    if status and status not in ("due", "paid", "expired", "refunded", "cancelled"):
        raise InvalidInput("สถานะไม่ถูกต้อง", "Unknown status.")
    found = views.agency_payments(db, agency or None, status=status or None, day=date, page=page)
    return page_body(request, response, found, views.payment_json)


async def _signed_body(request: Request) -> bytes:
    try:
        body = await request.body()
    except ClientDisconnect:  # the bank gave up waiting: nothing was read, nothing changes
        raise InvalidInput("ข้อความไม่ครบ", "The message was cut off.") from None
    if len(body) > MAX_BODY:
        raise InvalidInput("ข้อความยาวเกินไป", "The message is too long.")
    return body


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("ข้อความไม่ใช่ JSON", "The body is not a JSON object.")
    return data


@router.post("/payments/validations/{bank_id}", tags=["payments"], responses=errors(401, 422))
async def validate(bank_id: str, request: Request, _: Principal = allow(PUBLIC, csrf=False, write=False),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """A bank asks whether it may take this money: `{"payable": true}` or `{"payable": false, "reason":
    "expired" | "paid" | "amount" | "unknown"}`. Signed by the bank (401 otherwise)."""
    body = await _signed_body(request)
    callbacks.verify_bank(db, bank_id, request.method, httpsig.asgi_target_uri(request.scope), request.headers, body)
    return service.validate_bill(db, _json(body))


@router.post("/payments/callbacks/{bank_id}", tags=["payments"], responses=errors(401, 422))
async def callback(bank_id: str, request: Request, _: Principal = allow(PUBLIC, csrf=False),
                   db: Session = Depends(get_db)) -> JSONResponse:
    """A bank says it took the money: 200 `accepted`, `duplicate` (a repeat: nothing changes) or
    `flagged` (already paid: for the finance officer); 422 `callback_mismatch` (amount or references
    differ; flagged too); 401 unless signed by the bank's registered key."""
    body = await _signed_body(request)
    bank = callbacks.verify_bank(db, bank_id, request.method, httpsig.asgi_target_uri(request.scope),
                                 request.headers, body)
    try:
        answer = callbacks.accept(db, catalog_of(request), bank, _json(body))
    except CallbackMismatch:
        db.commit()  # the flag stays for the finance officer; the payment is untouched
        raise
    db.commit()
    return JSONResponse(answer)
