"""Payments' errors.

    PrachaError
    ├── NotFound: PaymentNotFound (payment_not_found), ReceiptNotFound (receipt_not_found)
    ├── Conflict: NothingDue (nothing_due), NotRefundable (not_refundable)
    ├── Unauthenticated: BadSignature (unauthorized) — a bank's call not signed by its registered key
    ├── InvalidInput: CallbackMismatch (callback_mismatch) — amount or references differ from the payment
    └── BankUnavailable (502, bank_unavailable) — the bank did not answer a refund or a statement
"""

from __future__ import annotations

from pracha.errors import Conflict, InvalidInput, NotFound, PrachaError, Unauthenticated


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message_th = "ไม่พบรายการชำระเงินนี้"
    message_en = "No such payment."


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
    message_th = "ไม่พบใบเสร็จรับเงินเลขที่นี้ในระบบ"
    message_en = "No receipt with this number was issued."


class NothingDue(Conflict):
    code = "nothing_due"
    message_th = "คำขอนี้ไม่มีค่าธรรมเนียมที่ต้องชำระในขณะนี้"
    message_en = "Nothing is due for this application now."


class NotRefundable(Conflict):
    code = "not_refundable"
    message_th = "คืนเงินรายการนี้ไม่ได้ เพราะยังไม่ได้ชำระหรือคืนเงินไปแล้ว"
    message_en = "This payment cannot be refunded: it is not paid, or was refunded already."


class BadSignature(Unauthenticated):
    code = "unauthorized"
    message_th = "ข้อความนี้ไม่ได้ลงลายมือชื่อโดยธนาคารที่ลงทะเบียนไว้"
    message_en = "This message is not signed by a registered bank."


class CallbackMismatch(InvalidInput):
    code = "callback_mismatch"
    message_th = "จำนวนเงินหรือเลขอ้างอิงไม่ตรงกับรายการชำระเงิน"
    message_en = "The amount or the references do not match the payment."


class BankUnavailable(PrachaError):
    status_code = 502
    code = "bank_unavailable"
    message_th = "ติดต่อธนาคารไม่ได้ในขณะนี้ กรุณาลองใหม่ภายหลัง"
    message_en = "The bank did not answer. Try again later."
