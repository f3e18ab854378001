"""Refunds: a finance officer of the payment's agency gives a paid fee back, with a reason. A Thai QR
payment is refunded through its bank (the bank's refund API); a cash payment in cash at the counter.
The citizen is told; the refund is a ledger entry (amount and reason, no name)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.errors import Forbidden, InvalidInput
from pracha.i18n import Phrase
from pracha.identity.models import FINANCE_OFFICER
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.notices.service import define_notice, notify
from pracha.payments import bankapi, bundles, fees
from pracha.payments.errors import NotRefundable
from pracha.payments.models import PAID, REFUNDED, THAI_QR, Payment, Refund

REFUNDED_NOTICE = define_notice(
    "payment.refunded",
    subject=("{reference}: คืนเงิน {amount} บาท", "{reference}: {amount} baht refunded"),
    body=("หน่วยงานคืนค่าธรรมเนียม {amount} บาท สำหรับคำขอเลขที่ {reference} แล้ว เหตุผล: {reason}",
          "The agency has refunded the fee of {amount} baht for application {reference}. Reason: {reason}"))


def check_finance(principal: Principal, agency: str) -> None:
    if principal.role != FINANCE_OFFICER or principal.agency != agency:
        raise Forbidden()


def refund(session: Session, settings: Settings, principal: Principal, payment: Payment, reason: str) -> Refund:
    check_finance(principal, payment.agency)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        problem = {"th": "กรุณาระบุเหตุผลที่คืนเงิน (ไม่เกิน 2000 ตัวอักษร)", "en": "Give the reason for the refund "
                   "(at most 2000 characters)."}
        raise InvalidInput(problem["th"], problem["en"], fields={"reason": problem})
    if payment.status != PAID:
        raise NotRefundable()
    bank_refund_id = None
    paid_by = bundles.covering(session, payment) or payment  # a bundle's part: its share of the one QR's payment
    if paid_by.method == THAI_QR and paid_by.bank is not None and paid_by.transaction_id:
        answer = bankapi.refund(settings, paid_by.bank, transaction_id=paid_by.transaction_id,
                                amount=fees.baht(payment.amount), reason=reason)
        bank_refund_id = str(answer.get("refund_id"))
    refund = Refund(payment=payment, amount=payment.amount, reason=reason, officer_id=principal.user_id,
                    bank_refund_id=bank_refund_id)
    session.add(refund)
    payment.status = REFUNDED
    refund.ledger_entry = ledger.record(
        session, "payment.refund", actor=f"user:{principal.user_id}", obj=f"payment:{payment.public_id}",
        record={"amount": fees.baht(payment.amount), "reason": reason, "bank_refund": bank_refund_id})
    reference = payment.application.reference
    notify(session, payment.citizen, phrase=Phrase(REFUNDED_NOTICE, {
        "reference": reference, "amount": fees.baht(payment.amount), "reason": reason}),
        link=f"/applications/{reference}", application_id=payment.application_id, kind="payment")
    return refund
