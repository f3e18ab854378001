"""Payments: make the Thai QR for a fee that is due, answer the bank's questions, take its callbacks,
record cash taken at the counter, and let the application go on once paid.

    due ──(bank callback | reconciliation | cash at the counter)──→ paid ──refund──→ refunded
     └──(expires_at passes)──→ expired          (a new payment is made when the citizen asks again)

Everything that changes a payment writes its ledger entry (commitments only: amounts and references,
never a name) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.automation import service as automation
from pracha.automation import tasks
from pracha.calendar import format_date
from pracha.config import Settings
from pracha.db import utcnow
from pracha.i18n import Phrase, define
from pracha.ledger import log as ledger
from pracha.notices.models import InboxMessage
from pracha.notices.service import amend, define_notice, notify
from pracha.payments import fees, thaiqr
from pracha.payments.errors import NothingDue, PaymentNotFound
from pracha.payments.models import CANCELLED, CASH, DUE, EXPIRED, PAID, Bank, Discrepancy, Payment
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.errors import ApplicationNotFound
from pracha.services.models import Application
from pracha.services.status_notices import APPROVED, both_names

_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CALLBACK, RECONCILIATION, COUNTER = "callback", "reconciliation", "counter"

FEE_DUE = define_notice(
    "payment.due",
    subject=("{reference}: ชำระค่าธรรมเนียม {amount} บาท", "{reference}: Pay the fee of {amount} baht"),
    body=("คำขอ “{service}” เลขที่ {reference} มีค่าธรรมเนียม {amount} บาท ชำระด้วย Thai QR ได้ทุกธนาคารภายใน {until}",
          "Your application “{service}” ({reference}) has a fee of {amount} baht. Pay it by Thai QR with any "
          "bank by {until}."))
FEE_PAID = define_notice(
    "payment.paid",
    subject=("{reference}: ได้รับชำระเงิน {amount} บาทแล้ว", "{reference}: Payment of {amount} baht received"),
    body=("ได้รับค่าธรรมเนียม {amount} บาท สำหรับคำขอ “{service}” เลขที่ {reference} แล้ว ใบเสร็จรับเงินอิเล็กทรอนิกส์"
          "อยู่ในเอกสารของฉัน",
          "We have received the fee of {amount} baht for “{service}” ({reference}). The e-receipt is in "
          "My documents."))
PAY_FIRST = define("payment.pay_first", "\nชำระค่าธรรมเนียม {amount} บาท แล้วระบบจะออกเอกสารให้ทันที",
                   " Pay the fee of {amount} baht and your document is issued at once.")


@dataclass(frozen=True)
class Biller:
    agency: str
    biller_id: str
    receipt_prefix: str
    to_confirm: bool


@lru_cache(maxsize=4)
def billers(catalog_dir: Path) -> dict[str, Biller]:
    """catalog/billers.yaml: the agencies that collect fees, by agency code."""
    path = Path(catalog_dir) / "billers.yaml"
    if not path.exists():
        return {}
    return {item["agency"]: Biller(item["agency"], str(item["biller_id"]), item["receipt_prefix"],
                                   bool(item.get("to_confirm", False)))
            for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def new_public_id() -> str:
    return "P" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(11))


def quote_for(catalog: Catalog, application: Application) -> fees.Quote | None:
    return fees.quote_for(catalog, application.service_id, application.data or {})


def step_reached(due_on: str, status: str) -> bool:
    """Has the application reached the step its fee is due on?"""
    if due_on == fees.SUBMIT:
        return status in workflow.OPEN or status == workflow.APPROVED
    return status == workflow.APPROVED


def paid_payment(session: Session, application_id: int) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.application_id == application_id, Payment.status == PAID)
                          .limit(1))


def latest_payment(session: Session, application_id: int) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.application_id == application_id)
                          .order_by(Payment.id.desc()).limit(1))


def owes(session: Session, catalog: Catalog, application: Application, action: str) -> bool:
    """The automation's hold: after `action`, must the next step wait for a fee that is not paid yet?"""
    quote = quote_for(catalog, application)
    if quote is None or quote.satang <= 0:
        return False
    step = fees.SUBMIT if action in ("submit", "resubmit") else fees.APPROVE if action == "approve" else None
    return step == quote.due and paid_payment(session, application.id) is None


def expire_if_due(payment: Payment, now: dt.datetime) -> Payment:
    if payment.status == DUE and payment.expires_at <= now:
        payment.status = EXPIRED
    return payment


def open_payment(session: Session, settings: Settings, catalog: Catalog, application: Application, *,
                 now: dt.datetime | None = None) -> Payment:
    """The application's payment that can be paid now: the due one, or a new one (the last expired).
    NothingDue (409) when no fee is due: none at all, not yet, or already paid."""
    now = now or utcnow()
    quote = quote_for(catalog, application)
    if (quote is None or quote.satang <= 0 or not quote.complete or not step_reached(quote.due, application.status)
            or paid_payment(session, application.id) is not None):
        raise NothingDue()
    current = latest_payment(session, application.id)
    if current is not None and current.covered_by is not None:  # part of a bundle's QR: that one is paid
        cover = session.get(Payment, current.covered_by)
        if cover is not None and expire_if_due(cover, now).status == DUE:
            return cover
    elif current is not None and expire_if_due(current, now).status == DUE:
        return current
    biller = billers(settings.catalog_dir).get(application.agency)
    if biller is None:
        raise NothingDue()
    public_id = new_public_id()
    payment = Payment(public_id=public_id, application=application, citizen_id=application.citizen_id,
                      organisation_id=application.organisation_id, agency=application.agency,
                      service_id=application.service_id, due_on=quote.due,
                      amount=quote.satang, lines=[line.as_json() for line in quote.lines], status=DUE,
                      biller_id=biller.biller_id, created_at=now,
                      expires_at=now + dt.timedelta(hours=settings.payment_expiry_hours),
                      payload=thaiqr.bill_payment(biller.biller_id, application.reference, public_id,
                                                  Decimal(fees.baht(quote.satang))))
    session.add(payment)
    payment.ledger_entry = ledger.record(
        session, "payment.due", actor=f"bot:{application.agency}", obj=f"payment:{public_id}",
        record={"application": application.reference, "amount": fees.baht(quote.satang), "biller": biller.biller_id,
                "expires_at": payment.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **({"organisation": application.organisation_id} if application.organisation_id else {})})
    session.flush()
    return payment


def tell_due(session: Session, catalog: Catalog, application: Application, payment: Payment) -> None:
    """The citizen is told a fee is due: in the approval's message when that is what made it due."""
    amount = fees.baht(payment.amount)
    if payment.due_on == fees.APPROVE:
        decision = session.scalar(select(InboxMessage).where(
            InboxMessage.application_id == application.id, InboxMessage.key == APPROVED)
            .order_by(InboxMessage.id.desc()).limit(1))
        if decision is not None:
            amend(session, decision, application.citizen, document=Phrase(PAY_FIRST, {"amount": amount}))
            return
    service = catalog.get(application.service_id)
    until = {lang: format_date(payment.expires_at, lang) for lang in ("th", "en")}
    notify(session, application.citizen, phrase=Phrase(FEE_DUE, {
        "service": both_names(service) if service else application.service_id, "reference": application.reference,
        "amount": amount, "until": until}), link=f"/applications/{application.reference}/pay",
        application_id=application.id, kind="payment")


def application_for_agency(session: Session, agency: str | None, reference: str) -> Application:
    """An application of this agency by its reference (a finance officer at the counter)."""
    application = session.scalar(select(Application).where(Application.reference == reference.strip().upper(),
                                                            Application.agency == agency))
    if application is None:
        raise ApplicationNotFound()
    return application


def find_payment(session: Session, public_id: str, *, for_update: bool = False) -> Payment:
    query = select(Payment).where(Payment.public_id == public_id.strip().upper())
    if for_update and session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(of=Payment)
    payment = session.scalar(query)
    if payment is None:
        raise PaymentNotFound()
    return payment


def bill_problem(payment: Payment | None, *, biller_id: str, ref1: str, amount: int, now: dt.datetime) -> str | None:
    """Why the bank must not take this money (None: it may): unknown, paid, expired or amount."""
    if payment is None or payment.biller_id != biller_id or reference_1(payment) != ref1:
        return "unknown"
    if payment.status != DUE:
        return "expired" if payment.status == EXPIRED else "paid"
    if expire_if_due(payment, now).status == EXPIRED:
        return "expired"
    return "amount" if amount != payment.amount else None


def reference_1(payment: Payment) -> str:
    """The QR's reference 1: the application's, or the bundle's for a bundle's one QR."""
    if payment.bundle is not None and payment.covered_by is None:
        return payment.bundle.reference
    return payment.application.reference


def validate_bill(session: Session, body: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The bank asks before it takes the money: may this bill be paid, for this amount?"""
    try:
        amount = fees.to_satang(body.get("amount"))
        payment = session.scalar(select(Payment).where(Payment.public_id == str(body.get("ref2", "")).upper()))
    except ValueError:
        return {"payable": False, "reason": "amount"}
    problem = bill_problem(payment, biller_id=str(body.get("biller_id", "")), ref1=str(body.get("ref1", "")),
                           amount=amount, now=now or utcnow())
    return {"payable": True} if problem is None else {"payable": False, "reason": problem}


def mark_paid(session: Session, catalog: Catalog, payment: Payment, *, method: str, via: str,
              paid_at: dt.datetime, bank: Bank | None = None, transaction_id: str | None = None,
              officer_id: int | None = None, reference: str | None = None) -> Payment:
    """Record the money received and queue what follows (`after_paid`, with the receipt): the bank's
    callback stays one small transaction (`reference`: the application's, when the caller has it)."""
    payment.status, payment.paid_at, payment.method, payment.paid_via = PAID, paid_at, method, via
    payment.bank, payment.transaction_id, payment.received_by = bank, transaction_id, officer_id
    payment.ledger_entry = ledger.record(
        session, "payment.paid", actor=f"bank:{bank.id}" if bank else f"user:{officer_id}",
        obj=f"payment:{payment.public_id}",
        record={"application": reference or reference_1(payment), "amount": fees.baht(payment.amount),
                "method": method, "via": via, "transaction": transaction_id,
                "paid_at": paid_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **({"organisation": payment.organisation_id} if payment.organisation_id else {})})
    # a QR made again after this one expired can no longer be paid: the fee is paid
    session.execute(update(Payment).where(Payment.application_id == payment.application_id, Payment.status == DUE,
                                          Payment.id != payment.id, Payment.covered_by.is_distinct_from(payment.id))
                    .values(status=CANCELLED))
    # fresh: a payment becomes paid once, under its row lock (the write lock on SQLite)
    tasks.enqueue(session, "receipt", f"receipt:{payment.id}", {"payment_id": payment.id}, fresh=True)
    return payment


def after_paid(session: Session, catalog: Catalog, payment: Payment) -> None:
    """Once paid (run with the receipt's task): tell the citizen, and let the application go on."""
    application = payment.application
    service = catalog.get(application.service_id)
    notify(session, application.citizen, phrase=Phrase(FEE_PAID, {
        "service": both_names(service) if service else application.service_id, "reference": application.reference,
        "amount": fees.baht(payment.amount)}), link=f"/applications/{application.reference}",
        application_id=application.id, kind="payment")
    step = "approve" if payment.due_on == fees.APPROVE else "submit"
    if application.status == workflow.APPROVED or step == "submit":
        automation.resume(session, catalog, application, step)


def flag(session: Session, *, kind: str, bank_id: str, transaction_id: str, day: dt.date,
         payment: Payment | None = None, details: Mapping[str, Any] | None = None) -> Discrepancy:
    """Something for the finance officer (once per bank transaction and kind)."""
    found = session.scalar(select(Discrepancy).where(Discrepancy.bank_id == bank_id,
                                                     Discrepancy.transaction_id == transaction_id,
                                                     Discrepancy.kind == kind))
    if found is None:
        found = Discrepancy(kind=kind, bank_id=bank_id, transaction_id=transaction_id, day=day,
                            agency=payment.agency if payment else None, payment_id=payment.id if payment else None,
                            details=dict(details or {}))
        session.add(found)
    return found


def record_cash(session: Session, catalog: Catalog, settings: Settings, application: Application, *,
                officer_id: int | None, now: dt.datetime | None = None) -> Payment:
    """A fee paid in cash at the counter: the open payment, marked paid by the officer."""
    payment = open_payment(session, settings, catalog, application, now=now)
    return mark_paid(session, catalog, payment, method=CASH, via=COUNTER, paid_at=now or utcnow(),
                     officer_id=officer_id)

