"""The pay-in slip and the e-receipt (pracha.payments.paper): Thai words of amounts against a table of
cases, and the real PDFs read back with poppler (pdftotext, pdfinfo, pdftoppm)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from PIL import Image

from pracha.automation.certificates import read_metadata
from pracha.payments import paper
from pracha.payments.paper import ReceiptPaper, Slip, baht_words

MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")
BANGKOK = dt.timezone(dt.timedelta(hours=7))

# Thai words of amounts as Thai receipts, cheques and Excel's BAHTTEXT write them. The rules: สิบ not
# หนึ่งสิบ, ยี่สิบ for 20, เอ็ด for a final 1 after a higher place (also after ล้าน), ล้าน again for every
# six digits, ถ้วน when there are no satang, no "ศูนย์บาท" before satang alone, satang rounded half up.
WORDS = [
    ("100", "หนึ่งร้อยบาทถ้วน"),
    ("50", "ห้าสิบบาทถ้วน"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("11", "สิบเอ็ดบาทถ้วน"),
    ("1250.50", "หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์"),
    ("0.75", "เจ็ดสิบห้าสตางค์"),
    ("1000000", "หนึ่งล้านบาทถ้วน"),
    ("10000001", "สิบล้านเอ็ดบาทถ้วน"),
    ("0", "ศูนย์บาทถ้วน"),
    ("1", "หนึ่งบาทถ้วน"),
    ("20.00", "ยี่สิบบาทถ้วน"),
    ("80", "แปดสิบบาทถ้วน"),
    ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
    ("111", "หนึ่งร้อยสิบเอ็ดบาทถ้วน"),
    ("1001", "หนึ่งพันเอ็ดบาทถ้วน"),
    ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
    ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
    ("1021011121.21", "หนึ่งพันยี่สิบเอ็ดล้านหนึ่งหมื่นหนึ่งพันหนึ่งร้อยยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"),
    ("1000000000000", "หนึ่งล้านล้านบาทถ้วน"),
    ("0.01", "หนึ่งสตางค์"),
    ("0.11", "สิบเอ็ดสตางค์"),
    ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
    ("20.10", "ยี่สิบบาทสิบสตางค์"),
    ("1234.5", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
    ("1.005", "หนึ่งบาทหนึ่งสตางค์"),  # half a satang rounds up
    ("0.004", "ศูนย์บาทถ้วน"),
    ("99.995", "หนึ่งร้อยบาทถ้วน"),
]


@pytest.mark.parametrize(("amount", "words"), WORDS)
def test_baht_words_table(amount: str, words: str) -> None:
    assert baht_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity"])
def test_baht_words_refuses_what_is_not_an_amount(amount: str) -> None:
    with pytest.raises(ValueError):
        baht_words(Decimal(amount))


def test_money_has_thousands_and_two_decimals() -> None:
    assert [paper.money(Decimal(a)) for a in ("1234.5", "1.005", "0", "1000000")] == [
        "1,234.50", "1.01", "0.00", "1,000,000.00"]


def skeleton(text: str) -> str:
    """Thai text without its above/below marks and spaces (see tests/automation/test_certificates.py:
    the PDF's text layer may lose or swap stacked marks while the page is drawn right)."""
    return MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE straight from its definition: poly 0x1021, init 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def thai_qr(biller: str, ref1: str, ref2: str, amount: str) -> str:
    merchant = tlv("00", "A000000677010112") + tlv("01", biller) + tlv("02", ref1) + tlv("03", ref2)
    body = (tlv("00", "01") + tlv("01", "12") + tlv("30", merchant) + tlv("53", "764") + tlv("54", amount)
            + tlv("58", "TH") + "6304")
    return body + crc16(body.encode())


def text_of(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


SLIP = Slip(
    agency_th="งานควบคุมอาคาร สำนักการช่าง เทศบาลนครเชียงใหม่",
    agency_en="Building Control Unit, Engineering Bureau, Chiang Mai City Municipality",
    biller_id="099400016550100", ref1="BP69X7K2MQ", ref2="PAY000123",
    service_th="ขออนุญาตก่อสร้างอาคาร", service_en="Building permit", payer_name="สมหญิง รักไทย",
    amount=Decimal("1234.50"), expires_at=dt.datetime(2026, 11, 26, 7, 30, tzinfo=dt.UTC),
    payload=thai_qr("099400016550100", "BP69X7K2MQ", "PAY000123", "1234.50"),
    lines=[("ค่าใบอนุญาต", "Permit fee", Decimal("20.00")),
           ("ค่าตรวจแบบแปลน 2,429 ตร.ม. × 0.50 บาท", "Plan check 2,429 m² × 0.50 baht", Decimal("1214.50"))],
)


def printed_qr(pdf: Path, tmp_path: Path, width_mm: float = 50.0, dpi: int = 200) -> list[list[bool]]:
    """The dark/light modules of the QR drawn where the slip's `qr` anchor is (pdfinfo lists it as a named
    destination), read from a rasterised crop of the page: a decoder without a QR library."""
    dests = subprocess.run(["pdfinfo", "-dests", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\[ XYZ\s+(\d+)\s+(\d+)\s.*\"qr\"", dests)
    assert found, dests
    left, top = (int(v) for v in found.groups())
    scale, side = dpi / 72, round(width_mm / 25.4 * dpi)
    page_height = 841.89  # A4 in points
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    "-x", str(round(left * scale)), "-y", str(round((page_height - top) * scale)),
                    "-W", str(side), "-H", str(side), str(pdf), str(tmp_path / "qr")], check=True)
    image = Image.open(tmp_path / "qr.pgm").point(lambda v: 255 if v < 128 else 0)  # dark → white
    box = image.getbbox()  # the symbol's extent: its finder patterns sit in three corners
    assert box is not None
    size = len(segno.make(SLIP.payload, error="m").matrix)
    step = (box[2] - box[0]) / size
    return [[image.getpixel((int(box[0] + (col + 0.5) * step), int(box[1] + (row + 0.5) * step))) == 255
             for col in range(size)] for row in range(size)]


def test_slip_shows_references_amount_words_due_date_and_a_qr_of_the_payload(tmp_path: Path) -> None:
    assert crc16(b"123456789") == "29B1"  # the check value of CRC-16/CCITT-FALSE
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(paper.render_slip(SLIP))
    text = text_of(pdf)
    for expected in ("099400016550100", "BP69X7K2MQ", "PAY000123", "Comp. code", "Ref.1", "Ref.2", "1,234.50",
                     "20.00", "1,214.50", "Bill Payment Pay-in Slip", "Pay by 14:30 on 26 November 2026"):
        assert expected in text, expected
    for expected in ("ใบแจ้งการชำระเงิน", SLIP.agency_th, "สมหญิง รักไทย", "ขออนุญาตก่อสร้างอาคาร",
                     "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์", "26 พฤศจิกายน 2569 เวลา 14:30 น.",
                     "ค่าตรวจแบบแปลน", "สแกนคิวอาร์โค้ดด้วยแอปพลิเคชันของธนาคาร", "เคาน์เตอร์ธนาคาร"):
        assert skeleton(expected) in skeleton(text), expected
    assert "2026-11-26" not in text and "07:30" not in text  # no ISO dates, Bangkok time only
    assert SLIP.payload in re.sub(r"\s", "", text)  # the payload text, wrapped under the QR, in reading order
    assert paper.qr_uri(SLIP.payload) == segno.make(SLIP.payload, error="m").svg_data_uri(scale=4)
    assert paper.qr_uri(SLIP.payload) in paper.slip_html(SLIP)
    modules = [[bool(bit) for bit in row] for row in segno.make(SLIP.payload, error="m").matrix]
    assert printed_qr(pdf, tmp_path) == modules


RECEIPT = ReceiptPaper(
    receipt_id="k3m9x2q7w8e4r5t6y7u8", number="ชม พ. 12/2570",
    agency_th="งานทะเบียนพาณิชย์ สำนักการคลัง เทศบาลนครเชียงใหม่",
    agency_en="Commercial Registration Unit, Finance Bureau, Chiang Mai City Municipality",
    issued_at=dt.datetime(2026, 11, 25, 7, 5, tzinfo=dt.UTC), payer_name="สมหญิง รักไทย",
    payer_id_masked="1-2345-xxxxx-xx-1", service_th="จดทะเบียนพาณิชย์", service_en="Commercial registration",
    reference="CR69-ABC234", lines=[("ค่าธรรมเนียมจดทะเบียนพาณิชย์", "Registration fee", Decimal("50"))],
    total=Decimal("50"), method="thai_qr", bank_name="ธนาคารสาธิต (demo-bank)", transaction_id="DB20261125000042",
    received_by=None, verify_url="http://portal.test/verify/k3m9x2q7w8e4r5t6y7u8", content_sha256="ab" * 32,
    signature="ed25519:" + "QUJD" * 22,
)


def test_receipt_reads_right_in_thai_and_carries_its_metadata(tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(paper.render_receipt(RECEIPT))
    text = text_of(pdf, "-layout")
    for expected in ("12/2570", "1-2345-xxxxx-xx-1", "CR69-ABC234", "50.00", "DB20261125000042", "demo-bank",
                     RECEIPT.verify_url, RECEIPT.receipt_id, "Electronic receipt", "14:05"):
        assert expected in text, expected
    for expected in ("ใบเสร็จรับเงินอิเล็กทรอนิกส์", RECEIPT.agency_th, "เลขที่ ชม พ. 12/2570", "ได้รับเงินจาก",
                     "สมหญิง รักไทย", "จดทะเบียนพาณิชย์", "(ห้าสิบบาทถ้วน)", "วันที่ 25 พฤศจิกายน 2569 เวลา 14:05 น.",
                     "ชำระด้วย Thai QR ผ่านธนาคารสาธิต", "ออกด้วยระบบอิเล็กทรอนิกส์"):
        assert skeleton(expected) in skeleton(text), expected
    assert "2026-11-25" not in text and "เงินสด" not in text
    assert read_metadata(pdf) == {"prachaid": RECEIPT.receipt_id, "prachasha256": RECEIPT.content_sha256,
                                  "prachasignature": RECEIPT.signature}
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Loma" in fonts
    assert paper.qr_uri(RECEIPT.verify_url) in paper.receipt_html(RECEIPT)


def test_cash_receipt_names_the_officer_who_took_the_money(tmp_path: Path) -> None:
    cash = dataclasses.replace(RECEIPT, method="cash", bank_name=None, transaction_id=None,
                               received_by="นางสาวมาลี ศรีสุข", number="ชม พ. 13/2570",
                               total=Decimal("1250.50"),
                               lines=[("ค่าธรรมเนียม", "Fee", Decimal("1250.50"))])
    pdf = tmp_path / "cash.pdf"
    pdf.write_bytes(paper.render_receipt(cash))
    text = text_of(pdf, "-layout")
    assert "13/2570" in text and "1,250.50" in text and "Paid in cash at the counter" in text
    for expected in ("ชำระเป็นเงินสดที่เคาน์เตอร์", "ผู้รับเงิน นางสาวมาลี ศรีสุข",
                     "(หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์)"):
        assert skeleton(expected) in skeleton(text), expected
    assert "Thai QR" not in text


def test_papers_refuse_a_naive_time_and_an_unknown_method() -> None:
    with pytest.raises(ValueError):
        paper.slip_html(dataclasses.replace(SLIP, expires_at=dt.datetime(2026, 11, 26, 14, 30)))  # noqa: DTZ001
    with pytest.raises(ValueError):
        paper.receipt_html(dataclasses.replace(RECEIPT, method="cheque"))
