"""Payments' tables. Amounts are whole satang (integers): exact on both engines, no float anywhere.

    Bank ─< Payment >─ Application          a fee due, paid by Thai QR (callback or reconciliation) or cash
              │ └──< Refund                 money given back through the bank (or in cash)
              └── Receipt                   the e-receipt, numbered per agency and Thai fiscal year
    ReceiptSequence                         the last number given per (agency, fiscal year): gap-free
    Discrepancy                             what the callback check or the reconciliation could not match
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry
from pracha.services.models import Application, Bundle
from pracha.vault import EncryptedJSON

DUE, PAID, EXPIRED, REFUNDED, CANCELLED = "due", "paid", "expired", "refunded", "cancelled"
STATUSES = (DUE, PAID, EXPIRED, REFUNDED, CANCELLED)
THAI_QR, CASH = "thai_qr", "cash"


class Bank(Base):
    """A bank that collects fees for the agencies: its key signs its callbacks, its API refunds."""

    __tablename__ = "payment_banks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "demo-bank"
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(100))  # Ed25519, base64 of the 32 raw bytes
    base_url: Mapped[str] = mapped_column(String(300))


class Payment(Base):
    """One fee to pay for one application. A due payment that expires stays (status expired) and a new
    one is made; `public_id` is the Thai QR's reference 2 and what the citizen sees."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("bank_id", "transaction_id"),
        Index("ix_payments_agency_status", "agency", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(20), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the payer
    organisation_id: Mapped[str | None] = mapped_column(String(13), index=True)  # paying for a juristic person
    # A bundle's fees are paid with one QR: that payment covers its parts' (`covered_by` on each).
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id", ondelete="SET NULL"), index=True)
    covered_by: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[str] = mapped_column(String(20))  # submit | approve: the step that waits for it
    amount: Mapped[int] = mapped_column(BigInteger)  # satang
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # how the amount was computed
    status: Mapped[str] = mapped_column(String(20), default=DUE)
    biller_id: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)  # the EMVCo Thai QR payload
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    method: Mapped[str | None] = mapped_column(String(20))  # thai_qr | cash
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("payment_banks.id"))
    transaction_id: Mapped[str | None] = mapped_column(String(40))
    paid_via: Mapped[str | None] = mapped_column(String(20))  # callback | reconciliation | counter
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the officer taking cash
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    application: Mapped[Application] = relationship()
    bundle: Mapped[Bundle | None] = relationship()
    citizen: Mapped[User] = relationship(foreign_keys=[citizen_id])
    bank: Mapped[Bank | None] = relationship()
    ledger_entry: Mapped[LedgerEntry | None] = relationship()  # the latest: due, then paid
    receipt: Mapped[Receipt | None] = relationship(back_populates="payment", uselist=False)
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")


class Receipt(Base):
    """The e-receipt of a paid fee: a signed PDF with a QR to /verify/{id}, in the holder's wallet."""

    __tablename__ = "payment_receipts"
    __vault_subject__ = ("citizen_id", "citizen")
    __table_args__ = (UniqueConstraint("agency", "fiscal_year", "sequence"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public, random, in the QR code
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(13), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    fiscal_year: Mapped[int] = mapped_column(Integer)  # Buddhist era
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    facts: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(erased=dict))  # the signed content
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    payment: Mapped[Payment] = relationship(back_populates="receipt")
    citizen: Mapped[User] = relationship()
    ledger_entry: Mapped[LedgerEntry | None] = relationship()


class ReceiptSequence(Base):
    """The last receipt number of an agency in a fiscal year, taken under a row lock: no gaps, no repeats."""

    __tablename__ = "payment_receipt_sequences"

    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Refund(Base):
    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # satang
    reason: Mapped[str] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bank_refund_id: Mapped[str | None] = mapped_column(String(40))  # None: given back in cash
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    officer: Mapped[User | None] = relationship()
    ledger_entry: Mapped[LedgerEntry | None] = relationship()


class Discrepancy(Base):
    """Something a finance officer must look at: a callback or statement line that does not match."""

    __tablename__ = "payment_discrepancies"
    __table_args__ = (UniqueConstraint("bank_id", "transaction_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)  # the statement's day (Bangkok)
    kind: Mapped[str] = mapped_column(String(30))  # see reconcile.KINDS
    bank_id: Mapped[str] = mapped_column(String(40))
    transaction_id: Mapped[str] = mapped_column(String(40))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
