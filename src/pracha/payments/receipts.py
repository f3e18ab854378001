"""E-receipts: one per paid fee, numbered "<agency prefix> <n>/<fiscal year B.E.>" with no gaps and no
repeats per agency and Thai fiscal year (a sequence row taken under a lock), signed like the documents
(the ledger's key over the SHA-256 of the canonical JSON of its content), a PDF with a QR to /verify/{id},
and a ledger entry that commits to it. Issued by the automation's task queue after the payment commits:
the PDF is rendered ahead, outside the write lock, with the number it will most likely get.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.automation.certificates import digest_of, masked_name, new_id
from pracha.automation.documents import masked_id
from pracha.calendar import BANGKOK, fiscal_year
from pracha.db import utcnow
from pracha.identity.models import User
from pracha.ledger import audit as ledger_audit
from pracha.ledger import log as ledger
from pracha.ledger import note
from pracha.ledger.keys import load_or_create_signer
from pracha.payments import fees, paper
from pracha.payments.bundles import is_cover, settle_cover
from pracha.payments.errors import ReceiptNotFound
from pracha.payments.models import PAID, REFUNDED, THAI_QR, Payment, Receipt, ReceiptSequence
from pracha.payments.service import after_paid, billers
from pracha.services.catalog import Catalog


@dataclass(frozen=True)
class PreparedReceipt:
    payment_id: int
    receipt_id: str
    number: str
    sequence: int
    fiscal_year: int
    issued_at: dt.datetime
    body: dict[str, Any]
    digest: str
    signature: str
    pdf: bytes


def _sequence_row(session: Session, agency: str, year: int) -> ReceiptSequence:
    """The (agency, year) counter, locked for this transaction (made first if it is the year's first)."""
    query = select(ReceiptSequence).where(ReceiptSequence.agency == agency, ReceiptSequence.fiscal_year == year)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        try:
            with session.begin_nested():
                session.execute(insert(ReceiptSequence).values(agency=agency, fiscal_year=year, last=0))
        except IntegrityError:
            pass  # another transaction made it first: take it under the lock below
        row = session.scalar(query)
    assert row is not None
    return row


def _number(prefix: str, sequence: int, year: int) -> str:
    return f"{prefix} {sequence}/{year}"


def _content(payment: Payment, receipt_id: str, number: str, issued_at: dt.datetime) -> dict[str, Any]:
    application, citizen = payment.application, payment.citizen
    return {
        "id": receipt_id, "number": number, "agency": payment.agency, "payment": payment.public_id,
        "reference": application.reference, "service_id": payment.service_id,
        "amount": fees.baht(payment.amount), "lines": payment.lines, "method": payment.method,
        "bank": payment.bank_id, "transaction_id": payment.transaction_id,
        "paid_at": (payment.paid_at or issued_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "issued_at": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "payer": {"name": citizen.display_name, "national_id": masked_id(citizen.national_id or ""),
                  **({"organisation": payment.organisation_id} if payment.organisation_id else {})},
    }


def prepare(session: Session, catalog: Catalog, payment: Payment, *, signer: note.Signer, base_url: str,
            catalog_dir: Path) -> PreparedReceipt:
    """Number (the likely next one), content, signature and PDF: slow, reads only."""
    issued_at = utcnow()
    year = fiscal_year(issued_at.astimezone(BANGKOK).date())
    row = session.scalar(select(ReceiptSequence).where(ReceiptSequence.agency == payment.agency,
                                                       ReceiptSequence.fiscal_year == year))
    sequence = (row.last if row else 0) + 1
    prefix = billers(catalog_dir)[payment.agency].receipt_prefix
    return render(session, catalog, payment, receipt_id=new_id(), number=_number(prefix, sequence, year),
                  sequence=sequence, year=year, issued_at=issued_at, signer=signer, base_url=base_url)


def render(session: Session, catalog: Catalog, payment: Payment, *, receipt_id: str, number: str, sequence: int,
           year: int, issued_at: dt.datetime, signer: note.Signer, base_url: str) -> PreparedReceipt:
    body = _content(payment, receipt_id, number, issued_at)
    digest = digest_of(body)
    signature = "ed25519:" + base64.b64encode(signer.sign(bytes.fromhex(digest))).decode()
    agency = catalog.agencies.get(payment.agency)
    service = catalog.get(payment.service_id)
    officer = session.get(User, payment.received_by) if payment.received_by else None
    bank = payment.bank
    sheet = paper.ReceiptPaper(
        receipt_id=receipt_id, number=number, agency_th=agency.name.th if agency else payment.agency,
        agency_en=agency.name.en if agency else payment.agency, issued_at=issued_at,
        payer_name=payment.citizen.display_name, payer_id_masked=body["payer"]["national_id"],
        service_th=service.name.th if service else payment.service_id,
        service_en=service.name.en if service else payment.service_id, reference=payment.application.reference,
        lines=[(line["label"]["th"], line["label"]["en"], Decimal(line["amount"])) for line in payment.lines],
        total=Decimal(fees.baht(payment.amount)), method="thai_qr" if payment.method == THAI_QR else "cash",
        bank_name=bank.name_th if bank else None, transaction_id=payment.transaction_id,
        received_by=officer.display_name if officer else None,
        verify_url=f"{base_url.rstrip('/')}/verify/{receipt_id}", content_sha256=digest, signature=signature)
    return PreparedReceipt(payment.id, receipt_id, number, sequence, year, issued_at, body, digest, signature,
                           paper.render_receipt(sheet))


def issue(session: Session, catalog: Catalog, payment: Payment, *, signer: note.Signer, base_url: str,
          catalog_dir: Path, prepared: PreparedReceipt | None = None) -> Receipt:
    """The payment's receipt (the existing one if issued already), taking the next number under a lock."""
    if payment.receipt is not None:
        return payment.receipt
    issued_at = prepared.issued_at if prepared else utcnow()
    year = fiscal_year(issued_at.astimezone(BANGKOK).date())
    row = _sequence_row(session, payment.agency, year)
    row.last += 1
    if prepared is None or prepared.payment_id != payment.id or (prepared.sequence, prepared.fiscal_year) != (
            row.last, year):
        prefix = billers(catalog_dir)[payment.agency].receipt_prefix
        prepared = render(session, catalog, payment, receipt_id=new_id(), number=_number(prefix, row.last, year),
                          sequence=row.last, year=year, issued_at=issued_at, signer=signer, base_url=base_url)
    receipt = Receipt(id=prepared.receipt_id, payment=payment, citizen_id=payment.citizen_id,
                      organisation_id=payment.organisation_id, agency=payment.agency,
                      fiscal_year=year, sequence=row.last, number=prepared.number, issued_at=issued_at,
                      content_sha256=prepared.digest, signature=prepared.signature, facts=prepared.body,
                      pdf=prepared.pdf)
    session.add(receipt)
    citizen = payment.citizen
    receipt.ledger_entry = ledger.record(
        session, "payment.receipt", actor=f"bot:{payment.agency}", obj=f"receipt:{receipt.id}",
        record={**{k: v for k, v in prepared.body.items() if k != "payer"},
                **({"organisation": payment.organisation_id} if payment.organisation_id else {}),
                "pdf_sha256": hashlib.sha256(prepared.pdf).hexdigest()},
        subject=f"user:{citizen.id}", subject_secret=citizen.national_id)
    return receipt


@dataclass(frozen=True)
class ReceiptCheck:
    receipt: Receipt
    status: str  # valid | refunded | altered
    checks: dict[str, bool]

    @property
    def holder(self) -> str:
        citizen = self.receipt.citizen
        return masked_name(citizen.first_name, citizen.last_name)


def verify(session: Session, receipt_id: str, verifier: note.Verifier, pdf: bytes | None = None) -> ReceiptCheck:
    wanted = receipt_id.strip().lower()
    receipt = session.get(Receipt, wanted) if re.fullmatch(r"[a-z0-9]{8,32}", wanted) else None
    if receipt is None:
        raise ReceiptNotFound()
    try:
        signed = verifier.verify(bytes.fromhex(receipt.content_sha256),
                                 base64.b64decode(receipt.signature.removeprefix("ed25519:")))
    except ValueError:
        signed = False
    entry = receipt.ledger_entry
    stated = ledger_audit.statement_of(session, entry) if entry is not None else None
    checks = {"signature": signed,
              "ledger": stated is not None and stated.get("kind") == "payment.receipt"
              and stated.get("object") == f"receipt:{receipt.id}"}
    if receipt.facts:
        checks["content"] = digest_of(receipt.facts) == receipt.content_sha256
    if pdf:
        checks["file"] = hashlib.sha256(pdf).digest() == hashlib.sha256(receipt.pdf).digest()
    status = ("altered" if not all(checks.values()) else "refunded" if receipt.payment.status == REFUNDED
              else "valid")
    return ReceiptCheck(receipt, status, checks)


@tasks.preparer("receipt")
def _prepare(session: Session, context: tasks.Context, payload: dict[str, Any]) -> Any:
    payment = session.get(Payment, int(payload["payment_id"]))
    if payment is None or payment.status != PAID or payment.receipt is not None or is_cover(payment):
        return None
    settings = context.settings
    return prepare(session, context.catalog, payment,
                   signer=load_or_create_signer(settings.var_dir, settings.ledger_origin),
                   base_url=settings.public_base_url, catalog_dir=settings.catalog_dir)


@tasks.handler("receipt")
def _issue(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    """After a payment: its receipt, the citizen told, the application let go on (one transaction)."""
    query = select(Payment).where(Payment.id == int(payload["payment_id"]))
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(of=Payment)
    payment = session.scalar(query)
    if payment is None or payment.status not in (PAID, REFUNDED):
        return
    if is_cover(payment):  # a bundle's one QR: each part's payment is paid, each with its own receipt
        settle_cover(session, context.catalog, payment)
        return
    settings = context.settings
    if payment.receipt is None:  # the demo issues its receipt at once
        issue(session, context.catalog, payment, signer=load_or_create_signer(settings.var_dir, settings.ledger_origin),
              base_url=settings.public_base_url, catalog_dir=settings.catalog_dir, prepared=payload.get("prepared"))
    after_paid(session, context.catalog, payment)
