"""Payment pages: the citizen's pay page (Thai QR, the demo bank, the pay-in slip), the receipt and slip
PDFs, and the finance officer's desk (payments, the day's reconciliation report, refunds, cash)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.errors import InvalidInput
from pracha.http.access import allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import FINANCE_OFFICER
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.paging import PageRequest, page_request
from pracha.payments import bundles, fees, paper, reconcile, refunds, service, views
from pracha.payments.errors import PaymentNotFound, ReceiptNotFound
from pracha.payments.models import DUE, Bank, Payment, Receipt
from pracha.services import service as services
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)


def _pay_context(request: Request, db: Session, p: Principal, reference: str) -> dict[str, Any]:
    application = services.get_application(db, p, reference)
    catalog = catalog_of(request)
    quote = service.quote_for(catalog, application)
    payment = service.latest_payment(db, application.id)
    if payment is not None and payment.covered_by is not None:  # paid with its bundle's one QR
        payment = bundles.covering(db, payment)
    if payment is not None:
        service.expire_if_due(payment, utcnow())
    settings = app_state(request).settings
    back = f"{settings.public_base_url.rstrip('/')}/applications/{application.reference}/pay"
    return {"application": application, "service": catalog.get(application.service_id), "quote": quote,
            "payment": payment, "step_reached": quote is not None and service.step_reached(quote.due,
                                                                                      application.status),
            "qr": segno.make(payment.payload, error="m").svg_data_uri(scale=6) if payment and payment.status == DUE
            else None, "bank_url": views.bank_pay_url(settings.bank_url, payment.payload, back)
            if payment and payment.status == DUE else None, "baht": fees.baht,
            "ref1": service.reference_1(payment) if payment else application.reference,
            "cover": payment if payment is not None and bundles.is_cover(payment) else None}


@router.get("/applications/{reference}/pay", response_class=HTMLResponse)
def pay_page(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)
             ) -> Response:
    """The fee: how it was computed, the Thai QR to scan, the pay-in slip, or the receipt once paid."""
    return render(request, "payments/pay.html", _pay_context(request, db, p, reference))


@router.post("/applications/{reference}/pay")
def make_payment(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)
                 ) -> Response:
    """Make the Thai QR (again, after the last one expired)."""
    application = services.get_application(db, p, reference, for_update=True)
    service.open_payment(db, app_state(request).settings, catalog_of(request), application)
    db.commit()
    return RedirectResponse(f"/applications/{application.reference}/pay", status_code=303)


def _visible_payment(db: Session, p: Principal, public_id: str) -> Payment:
    payment = service.find_payment(db, public_id)
    if p.role == FINANCE_OFFICER:
        if payment.agency != p.agency:
            raise PaymentNotFound()
    elif payment.citizen_id != p.subject_id or (p.for_person is not None and (
            payment.organisation_id is not None or not p.for_person.may_use(payment.service_id))):
        raise PaymentNotFound()
    return payment


@router.get("/payments/{public_id}/slip.pdf")
def slip_pdf(public_id: str, request: Request, p: Principal = allow(*FOR_A_PERSON, FINANCE_OFFICER),
             db: Session = Depends(get_db)) -> Response:
    """The printable pay-in slip of a payment that is due (for a bank counter)."""
    payment = _visible_payment(db, p, public_id)
    if service.expire_if_due(payment, utcnow()).status != DUE:
        raise service.NothingDue()
    catalog = catalog_of(request)
    agency, svc = catalog.agencies.get(payment.agency), catalog.get(payment.service_id)
    pdf = paper.render_slip(paper.Slip(
        agency_th=agency.name.th if agency else payment.agency, agency_en=agency.name.en if agency else payment.agency,
        biller_id=payment.biller_id, ref1=service.reference_1(payment), ref2=payment.public_id,
        service_th=svc.name.th if svc else payment.service_id, service_en=svc.name.en if svc else payment.service_id,
        payer_name=payment.citizen.display_name, amount=Decimal(fees.baht(payment.amount)),
        expires_at=payment.expires_at, payload=payment.payload,
        lines=[(x["label"]["th"], x["label"]["en"], Decimal(x["amount"])) for x in payment.lines]))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(f"pay-in-slip-{payment.public_id}.pdf")})


@router.get("/receipts/{receipt_id}.pdf")
def receipt_pdf(receipt_id: str, p: Principal = allow(*FOR_A_PERSON, FINANCE_OFFICER), db: Session = Depends(get_db)
                ) -> Response:
    receipt = db.get(Receipt, receipt_id.strip().lower())
    if receipt is None:
        raise ReceiptNotFound()
    try:
        _visible_payment(db, p, receipt.payment.public_id)
    except PaymentNotFound:
        raise ReceiptNotFound() from None
    return Response(receipt.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(f"receipt-{receipt.id}.pdf")})


# --- the finance officer ------------------------------------------------------------------------------


def _day(text: str) -> dt.date:
    if not text:
        return utcnow().astimezone(BANGKOK).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("วันที่ไม่ถูกต้อง (ปปปป-ดด-วว)", "Not a date (YYYY-MM-DD).",
                           fields={"day": {"th": "วันที่ไม่ถูกต้อง", "en": "Not a date."}}) from None


@router.get("/finance", response_class=HTMLResponse)
def finance_page(request: Request, day: str = "", status: str = "", page: PageRequest = Depends(page_request),
                 p: Principal = allow(FINANCE_OFFICER), db: Session = Depends(get_db)) -> Response:
    """The agency's payments, the day's reconciliation report, refunds and cash taken at the counter."""
    on = _day(day)
    found = views.agency_payments(db, p.agency, status=status or None, day=None, page=page)
    return render(request, "payments/finance.html", {
        "payments": found.items, "page": found, "status": status, "day": on,
        "report": reconcile.report(db, p.agency, on), "baht": fees.baht, "statuses": ("due", "paid", "expired",
                                                                                      "refunded")})


@router.get("/finance/reports/{day}.csv")
def finance_report_csv(day: str, p: Principal = allow(FINANCE_OFFICER), db: Session = Depends(get_db)) -> Response:
    """The day's payments and what the reconciliation found, as CSV for the agency's accounts."""
    report = reconcile.report(db, p.agency, _day(day))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "payment", "application", "amount", "status", "method", "transaction_id", "paid_at",
                     "receipt", "problem"])
    for x in report["payments"]:
        writer.writerow(["payment", x.public_id, x.application.reference, fees.baht(x.amount), x.status, x.method,
                         x.transaction_id or "", x.paid_at.isoformat() if x.paid_at else "",
                         x.receipt.number if x.receipt else "", ""])
    for d in report["discrepancies"]:
        writer.writerow(["discrepancy", d.details.get("ref2", ""), d.details.get("ref1", ""),
                         d.details.get("amount", ""), "resolved" if d.resolved_at else "open", "", d.transaction_id,
                         "", "", d.kind])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": content_disposition(f"payments-{p.agency}-{report['day'].isoformat()}.csv")})


@router.post("/finance/payments/{public_id}/refund")
async def refund_payment(public_id: str, request: Request, p: Principal = allow(FINANCE_OFFICER),
                         db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    payment = _visible_payment(db, p, public_id)
    refunds.refund(db, app_state(request).settings, p, payment, str(form.get("reason") or ""))
    db.commit()
    return RedirectResponse("/finance?status=refunded", status_code=303)


@router.post("/finance/cash")
async def record_cash(request: Request, p: Principal = allow(FINANCE_OFFICER), db: Session = Depends(get_db)
                      ) -> Response:
    """Cash taken at the counter for an application of this agency: paid, with its receipt."""
    form = await request.form()
    reference = str(form.get("reference") or "").strip().upper()
    application = service.application_for_agency(db, p.agency, reference)
    service.record_cash(db, catalog_of(request), app_state(request).settings, application, officer_id=p.user_id)
    db.commit()
    return RedirectResponse("/finance?status=paid", status_code=303)


@router.post("/finance/reconcile")
async def reconcile_now(request: Request, p: Principal = allow(FINANCE_OFFICER), db: Session = Depends(get_db)
                        ) -> Response:
    """Fetch a day's statement from each bank and reconcile it now (the automation does it every night)."""
    form = await request.form()
    day = _day(str(form.get("day") or "")).isoformat()
    for bank_id in db.scalars(select(Bank.id)):
        tasks.enqueue(db, "reconcile", f"reconcile:{bank_id}:{day}:{service.new_public_id()}",
                      {"bank": bank_id, "day": day})
    db.commit()
    return RedirectResponse(f"/finance?day={day}", status_code=303)
