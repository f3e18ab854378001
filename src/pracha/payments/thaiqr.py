"""Thai QR Code bill payment: the EMVCo merchant-presented payload (Bank of Thailand's "Thai QR Code
Standard", tag 30 = PromptPay bill payment). Pure: nothing of ours, no database.

    bill_payment(biller_id, ref1, ref2, amount) -> str   a dynamic (one-time) payload, CRC included
    parse(payload) -> BillPayment                       or PayloadError(reason)
    crc16(data) -> str                                  CRC-16/CCITT-FALSE, 4 upper-case hex digits

A payload is a run of TLV fields: 2-digit tag, 2-digit length, value. What we write (in tag order):

    00 "01"                 payload format indicator
    01 "12"                 point of initiation: dynamic, to be paid once ("11" = static, accepted by parse)
    30 merchant account     00 AID "A000000677010112" (bill payment), 01 biller id (15 digits: the
                            agency's 13-digit tax id + a 2-digit suffix), 02 reference 1, 03 reference 2
    53 "764"                currency: Thai baht (ISO 4217)
    54 "50.00"              amount, two decimals
    58 "TH"                 country
    63 CRC                  over the whole payload up to and including "6304"

`parse` also reads what banks' real payloads carry besides (merchant name 59, additional data 62,
another scheme's template 31): fields it does not need are skipped, not refused.

PayloadError(ValueError).reason is one of: bad_tlv, bad_crc, missing_tag, not_bill_payment, not_thb,
not_th, bad_format, bad_biller_id, bad_reference, bad_amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from crc import Calculator, Crc16

BILL_PAYMENT_AID = "A000000677010112"
CREDIT_TRANSFER_AID = "A000000677010111"
THB = "764"
COUNTRY = "TH"
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999.99")
MAX_PAYLOAD = 512  # an EMVCo payload is at most 512 characters

_CALCULATOR = Calculator(Crc16.IBM_3740.value, optimized=True)  # IBM-3740 is the catalogue's name for CCITT-FALSE
_REFERENCE = re.compile(r"[A-Z0-9-]{1,20}")
_BILLER_ID = re.compile(r"[0-9]{15}")
_AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
_CRC = re.compile(r"[0-9A-Fa-f]{4}")


class PayloadError(ValueError):
    """Not a Thai QR bill payment we can pay; `reason` is a short code (see the module docstring)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class BillPayment:
    biller_id: str
    ref1: str
    ref2: str
    amount: Decimal
    currency: str = THB
    country: str = COUNTRY
    point_of_initiation: str = "12"


def crc16(data: bytes) -> str:
    return f"{_CALCULATOR.checksum(data):04X}"


def bill_payment(biller_id: str, ref1: str, ref2: str, amount: Decimal) -> str:
    """The dynamic Thai QR bill-payment payload; PayloadError if a value cannot be carried."""
    check_biller_id(biller_id)
    check_reference(ref1, "ref1")
    check_reference(ref2, "ref2")
    check_amount(amount)
    account = _tlv("00", BILL_PAYMENT_AID) + _tlv("01", biller_id) + _tlv("02", ref1) + _tlv("03", ref2)
    body = (_tlv("00", "01") + _tlv("01", "12") + _tlv("30", account) + _tlv("53", THB)
            + _tlv("54", f"{amount:.2f}") + _tlv("58", COUNTRY) + "6304")
    return body + crc16(body.encode("ascii"))


def parse(payload: str) -> BillPayment:
    if not isinstance(payload, str) or not payload.isascii() or not payload.isprintable():
        raise PayloadError("bad_tlv", "a payload is printable ASCII")
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError("bad_tlv", f"longer than {MAX_PAYLOAD} characters")
    fields = _fields(payload)
    if "63" not in fields:
        raise PayloadError("missing_tag", "no CRC (tag 63)")
    if not payload.endswith("63" + "04" + fields["63"]) or not _CRC.fullmatch(fields["63"]):
        raise PayloadError("bad_tlv", "the CRC (tag 63) must be the last field, 4 hex digits")
    if crc16(payload[:-4].encode("ascii")) != fields["63"].upper():
        raise PayloadError("bad_crc", "the CRC does not match the payload")
    if _need(fields, "00", "payload format indicator") != "01":
        raise PayloadError("bad_format", "payload format indicator is not 01")
    initiation = _need(fields, "01", "point of initiation")
    if initiation not in ("11", "12"):
        raise PayloadError("bad_format", "point of initiation is neither 11 nor 12")
    if "30" not in fields:
        raise PayloadError("not_bill_payment", "no bill-payment merchant account (tag 30)")
    account = _fields(fields["30"], "tag 30")
    if account.get("00", "").upper() != BILL_PAYMENT_AID:
        raise PayloadError("not_bill_payment", "tag 30 is not a Thai QR bill payment")
    biller_id = _need(account, "01", "biller id", "30.")
    ref1 = _need(account, "02", "reference 1", "30.")
    ref2 = _need(account, "03", "reference 2", "30.")
    if _need(fields, "53", "currency") != THB:
        raise PayloadError("not_thb", "the currency is not Thai baht (764)")
    amount_text = _need(fields, "54", "amount")
    if _need(fields, "58", "country") != COUNTRY:
        raise PayloadError("not_th", "the country is not TH")
    check_biller_id(biller_id)
    check_reference(ref1, "ref1")
    check_reference(ref2, "ref2")
    if not _AMOUNT.fullmatch(amount_text):
        raise PayloadError("bad_amount", "the amount is not a number of baht with at most two decimals")
    amount = Decimal(amount_text).quantize(MIN_AMOUNT)
    check_amount(amount)
    return BillPayment(biller_id, ref1, ref2, amount, point_of_initiation=initiation)


def check_biller_id(biller_id: str) -> None:
    if not isinstance(biller_id, str) or not _BILLER_ID.fullmatch(biller_id):
        raise PayloadError("bad_biller_id", "a biller id is 15 digits (tax id and suffix)")


def check_reference(value: str, name: str) -> None:
    if not isinstance(value, str) or not _REFERENCE.fullmatch(value):
        raise PayloadError("bad_reference", f"{name} is 1-20 characters of A-Z, 0-9 and -")


def check_amount(amount: Decimal) -> None:
    try:
        ok = (isinstance(amount, Decimal) and amount.is_finite() and amount == amount.quantize(MIN_AMOUNT)
              and MIN_AMOUNT <= amount <= MAX_AMOUNT)
    except InvalidOperation:
        ok = False
    if not ok:
        raise PayloadError("bad_amount", "the amount is 0.01 to 9,999,999.99 baht in satang")


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PayloadError("bad_tlv", f"tag {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _fields(text: str, where: str = "payload") -> dict[str, str]:
    fields: dict[str, str] = {}
    at = 0
    while at < len(text):
        head = text[at:at + 4]
        if len(head) < 4 or not head.isdigit():
            raise PayloadError("bad_tlv", f"{where}: no tag and length at position {at}")
        tag, length = head[:2], int(head[2:])
        value = text[at + 4:at + 4 + length]
        if len(value) < length:
            raise PayloadError("bad_tlv", f"{where}: tag {tag} runs past the end")
        if tag in fields:
            raise PayloadError("bad_tlv", f"{where}: tag {tag} appears twice")
        fields[tag] = value
        at += 4 + length
    return fields


def _need(fields: dict[str, str], tag: str, what: str, parent: str = "") -> str:
    if tag not in fields:
        raise PayloadError("missing_tag", f"no {what} (tag {parent}{tag})")
    return fields[tag]
