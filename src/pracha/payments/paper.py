"""The papers of a fee: the pay-in slip (ใบแจ้งการชำระเงิน) a citizen prints to pay at a bank counter or
scans with a banking app, and the electronic receipt (ใบเสร็จรับเงินอิเล็กทรอนิกส์) issued once it is paid.

Both are A4 PDFs drawn like the automation's documents (WeasyPrint, the TLWG Thai fonts, Buddhist-era
dates in Bangkok time, QR codes from segno). Amounts are printed in figures and in Thai words
(`baht_words`), as Thai receipts do. This module only draws: the caller gathers the facts, numbers the
receipt and signs it, and passes the content hash and signature in to be embedded in the PDF's metadata
(`pracha-id`, `pracha-sha256`, `pracha-signature`), where `certificates.read_metadata` reads them back.

Pure: imports the calendar of ours and nothing that touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pythainlp.util import num_to_thaiword

from pracha.calendar import BANGKOK, format_date

PDF_DIR = Path(__file__).parent / "pdf"
SATANG = Decimal("0.01")
# Pixels per QR module in the SVG; the template sizes the image in millimetres, so this only sets the
# SVG's own coordinates. The slip's QR is printed 46 mm wide: about 1 mm per module, which phone
# cameras read from paper at arm's length.
QR_SCALE = 4

_env = Environment(loader=FileSystemLoader(str(PDF_DIR)), autoescape=select_autoescape(["html"]))

Line = tuple[str, str, Decimal]  # (label in Thai, label in English, amount)


@dataclass(frozen=True)
class Slip:
    """What a pay-in slip shows; `lines` say how `amount` was computed."""

    agency_th: str
    agency_en: str
    biller_id: str
    ref1: str
    ref2: str
    service_th: str
    service_en: str
    payer_name: str
    amount: Decimal
    expires_at: dt.datetime
    payload: str
    lines: Sequence[Line]


@dataclass(frozen=True)
class ReceiptPaper:
    """What an e-receipt shows; `content_sha256` and `signature` are computed by the caller."""

    receipt_id: str
    number: str
    agency_th: str
    agency_en: str
    issued_at: dt.datetime
    payer_name: str
    payer_id_masked: str
    service_th: str
    service_en: str
    reference: str
    lines: Sequence[Line]
    total: Decimal
    method: Literal["thai_qr", "cash"]
    bank_name: str | None
    transaction_id: str | None
    received_by: str | None
    verify_url: str
    content_sha256: str
    signature: str


def to_satang(amount: Decimal) -> int:
    """The amount in satang, rounded half up (1.005 → 101)."""
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {amount}")
    return int((amount / SATANG).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def baht_words(amount: Decimal) -> str:
    """Thai words of an amount as on Thai receipts and cheques: "หนึ่งร้อยบาทถ้วน",
    "หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์", "เจ็ดสิบห้าสตางค์", "สิบล้านเอ็ดบาทถ้วน".

    PyThaiNLP's `num_to_thaiword` reads each number (ยี่สิบ, สิบเอ็ด, เอ็ด after a higher place, ล้าน
    repeated for each six digits); the baht and satang are put together here because its `bahttext`
    says "ศูนย์บาทเจ็ดสิบห้าสตางค์" for 0.75, where receipts (and Excel's BAHTTEXT) say "เจ็ดสิบห้าสตางค์".
    """
    satang = to_satang(amount)
    if satang < 0:
        raise ValueError(f"a negative amount has no words on a receipt: {amount}")
    baht, rest = divmod(satang, 100)
    if satang == 0:
        return "ศูนย์บาทถ้วน"
    words = f"{num_to_thaiword(baht)}บาท" if baht else ""
    return f"{words}{num_to_thaiword(rest)}สตางค์" if rest else f"{words}ถ้วน"


def money(amount: Decimal) -> str:
    """1234.5 → "1,234.50"."""
    return f"{Decimal(to_satang(amount)) * SATANG:,.2f}"


def when(moment: dt.datetime) -> dict[str, str]:
    """A moment as printed: the date in the Buddhist era (Thai) or in English, and the Bangkok clock."""
    if moment.tzinfo is None:
        raise ValueError("a moment on a paper must carry its time zone")
    return {"th": format_date(moment, "th"), "en": format_date(moment, "en"),
            "clock": moment.astimezone(BANGKOK).strftime("%H:%M")}


def qr_uri(text: str) -> str:
    """The QR code of `text` (error correction level M, as Thai QR payments use) as an SVG data URI."""
    return str(segno.make(text, error="m").svg_data_uri(scale=QR_SCALE))


def priced(lines: Sequence[Line]) -> list[dict[str, str]]:
    return [{"th": th, "en": en, "amount": money(amount)} for th, en, amount in lines]


def slip_html(slip: Slip) -> str:
    values: dict[str, Any] = {
        "slip": slip, "amount": money(slip.amount), "words": baht_words(slip.amount), "lines": priced(slip.lines),
        "due": when(slip.expires_at), "qr": qr_uri(slip.payload),
    }
    return _env.get_template("slip.html").render(**values)


def receipt_html(receipt: ReceiptPaper) -> str:
    if receipt.method not in ("thai_qr", "cash"):
        raise ValueError(f"unknown way of paying: {receipt.method}")
    values: dict[str, Any] = {
        "r": receipt, "total": money(receipt.total), "words": baht_words(receipt.total),
        "lines": priced(receipt.lines), "issued": when(receipt.issued_at), "qr": qr_uri(receipt.verify_url),
    }
    return _env.get_template("receipt.html").render(**values)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only some callers draw

    pdf: bytes = HTML(string=html, base_url=str(PDF_DIR)).write_pdf(custom_metadata=True)
    return pdf


def render_slip(slip: Slip) -> bytes:
    """The pay-in slip as an A4 PDF: the payer's part with the QR, the bank counter's part below the cut."""
    return to_pdf(slip_html(slip))


def render_receipt(receipt: ReceiptPaper) -> bytes:
    """The e-receipt as an A4 PDF, with its id, content hash and signature in the metadata."""
    return to_pdf(receipt_html(receipt))
