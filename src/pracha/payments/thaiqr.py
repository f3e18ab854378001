"""TEMPORARY stand-in (replaced by the bank branch's module at merge)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class PayloadError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BillPayment:
    biller_id: str
    ref1: str
    ref2: str
    amount: Decimal


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16(data: bytes) -> str:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def bill_payment(biller_id: str, ref1: str, ref2: str, amount: Decimal) -> str:
    account = _tlv("00", "A000000677010112") + _tlv("01", biller_id) + _tlv("02", ref1) + _tlv("03", ref2)
    body = (_tlv("00", "01") + _tlv("01", "12") + _tlv("30", account) + _tlv("53", "764")
            + _tlv("54", f"{amount:.2f}") + _tlv("58", "TH") + "6304")
    return body + crc16(body.encode())
