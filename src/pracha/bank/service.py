"""What the demo bank does, apart from HTTP: pay a Thai QR bill payment and refund one.

    pay(bank, payload, typed_amount=None, notify=True) -> dict        the 201 body
    refund(bank, transaction_id, amount, reason) -> dict               the 201 body
Both raise BankError(status, error, reason), the JSON error {"error", "reason"} of the API:

    422 bad_payload         the payload is no Thai QR bill payment (reason: thaiqr's PayloadError.reason)
    422 wrong_amount        the amount typed is not the payload's / Pracha says so / a refund above the payment
    409 already_paid        paid here before, or Pracha says it is paid
    410 expired             Pracha says the payment expired
    404 unknown_bill        Pracha does not know the bill
    503 biller_unavailable  Pracha did not answer: nothing paid
    404 unknown_transaction / 409 already_refunded   (refunds)
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pracha.bank.biller import Biller, BillerUnavailable, CallbackRetrier
from pracha.bank.store import AlreadyPaid, AlreadyRefunded, Store, Transaction
from pracha.payments import thaiqr

CENT = Decimal("0.01")
_REFUSALS = {"expired": (410, "expired"), "paid": (409, "already_paid"), "amount": (422, "wrong_amount"),
             "unknown": (404, "unknown_bill")}


class BankError(Exception):
    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(f"{error}: {reason}")
        self.status, self.error, self.reason = status, error, reason


@dataclass
class Bank:
    bank_id: str
    store: Store
    biller: Biller
    retrier: CallbackRetrier
    portal_url: str  # Pracha's public base URL: where a hand payment's "return" link may lead


def read_amount(text: str | None) -> Decimal | None:
    """A typed amount ("50", "50.00"); BankError 422 if it is no amount of baht."""
    if text is None:
        return None
    try:
        amount = Decimal(str(text).strip().replace(",", ""))
        exact = amount.is_finite() and amount == amount.quantize(CENT) and CENT <= amount <= thaiqr.MAX_AMOUNT
    except InvalidOperation:  # not a number, or too many digits to quantize
        exact = False
    if not exact:
        raise BankError(422, "wrong_amount", "the amount is not a number of baht and satang")
    return amount.quantize(CENT)


def read_payload(payload: str) -> thaiqr.BillPayment:
    try:
        return thaiqr.parse(payload.strip())
    except thaiqr.PayloadError as exc:
        raise BankError(422, "bad_payload", exc.reason) from exc


def pay(bank: Bank, payload: str, typed_amount: str | None = None, notify: bool = True) -> dict[str, str]:
    bill = read_payload(payload)
    typed = read_amount(typed_amount)
    if typed is not None and typed != bill.amount:
        raise BankError(422, "wrong_amount", "the amount typed is not the amount of the bill")
    if bank.store.find_paid(bill.biller_id, bill.ref1, bill.ref2) is not None:
        raise BankError(409, "already_paid", "paid at this bank before")
    try:
        answer = bank.biller.validate(bill.biller_id, bill.ref1, bill.ref2, bill.amount)
    except BillerUnavailable as exc:
        raise BankError(503, "biller_unavailable", "the biller did not answer; nothing was paid") from exc
    if not answer["payable"]:
        reason = str(answer.get("reason", "unknown"))
        status, error = _REFUSALS.get(reason, (404, "unknown_bill"))
        raise BankError(status, error, reason)
    try:
        payment = bank.store.record_payment(bill.biller_id, bill.ref1, bill.ref2, bill.amount,
                                            at=dt.datetime.now(dt.UTC), payer_account=_payer_account(),
                                            callback="pending" if notify else "skipped")
    except AlreadyPaid:
        raise BankError(409, "already_paid", "paid at this bank before") from None
    callback = "skipped"
    if notify:
        callback = "delivered" if bank.biller.notify(payment) else "failed"
        bank.store.set_callback(payment.id, callback, 1)
        if callback == "failed":
            bank.retrier.schedule(payment)
    return {"transaction_id": payment.id, "amount": f"{payment.amount:.2f}", "ref1": payment.ref1,
            "ref2": payment.ref2, "biller_id": payment.biller_id, "paid_at": payment.paid_at, "status": "paid",
            "callback": callback}


def refund(bank: Bank, transaction_id: str, amount_text: str, reason: str) -> dict[str, str]:
    payment = bank.store.find_payment(transaction_id)
    if payment is None:
        raise BankError(404, "unknown_transaction", "this bank made no such payment")
    amount = read_amount(amount_text)
    if amount is None or amount > payment.amount:
        raise BankError(422, "wrong_amount", "a refund is more than nothing and at most the payment")
    if bank.store.refund_of(payment.id) is not None:
        raise BankError(409, "already_refunded", "this payment has been refunded")
    try:
        done: Transaction = bank.store.record_refund(payment, amount, reason, at=dt.datetime.now(dt.UTC))
    except AlreadyRefunded:
        raise BankError(409, "already_refunded", "this payment has been refunded") from None
    return {"refund_id": done.id, "transaction_id": payment.id, "amount": f"{amount:.2f}", "status": "refunded",
            "refunded_at": done.paid_at}


def resume_callbacks(bank: Bank) -> int:
    """After a restart: retry the callbacks that were never delivered."""
    pending = bank.store.pending_callbacks()
    for payment in pending:
        bank.retrier.schedule(payment, payment.callback_attempts)
    return len(pending)


def _payer_account() -> str:
    return f"xxx-x-x{secrets.randbelow(10_000):04d}-x"
