"""Automation's tables: what each bot run decided and why, certificates, and the task queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry
from pracha.services.models import Application
from pracha.vault import EncryptedJSON


class BotDecision(Base):
    """One bot run over one version of an application: the outcome and every rule's finding."""

    __tablename__ = "bot_decisions"
    __table_args__ = (UniqueConstraint("application_id", "application_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    application_version: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))  # approved | officer | needs_info
    findings: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON(erased=list), default=list)
    documents: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fee: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(default=0.0)  # from submit to this decision
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    # An officer's override of the bot's finding, with the reason.
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    ledger_entry: Mapped[LedgerEntry | None] = relationship(lazy="joined")


class Certificate(Base):
    """An issued document (certificate, registration, permit …); the PDF is kept so the same bytes can be
    downloaded again. `facts` is the signed content (holder, certified facts, issuer, validity), under
    the holder's own key; rows from before migration 0012 have none."""

    __tablename__ = "certificates"
    __vault_subject__ = ("citizen_id", "citizen")

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public, random, in the QR code
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_sha256: Mapped[str] = mapped_column(String(64))  # of the signed content (see certificates.py)
    signature: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revocation_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # the holder
    service_id: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[str | None] = mapped_column(String(60), unique=True)  # the document's printed number
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # None: no expiry
    facts: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON(erased=dict))
    organisation_id: Mapped[str | None] = mapped_column(String(13), index=True)  # a juristic person's

    application: Mapped[Application] = relationship()
    citizen: Mapped[User | None] = relationship(foreign_keys=[citizen_id])
    ledger_entry: Mapped[LedgerEntry | None] = relationship(foreign_keys=[ledger_entry_id])
    revocation_entry: Mapped[LedgerEntry | None] = relationship(foreign_keys=[revocation_entry_id])


class Task(Base):
    """A unit of background work. `key` makes queueing idempotent; a task whose worker died is
    taken again when its lease (`locked_until`) runs out."""

    __tablename__ = "automation_tasks"
    __table_args__ = (Index("ix_automation_tasks_ready", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued running done failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=0)  # 0: the automation_max_attempts setting
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DailyStatistic(Base):
    """The nightly statistics job's figures per day, service and agency."""

    __tablename__ = "automation_daily_stats"
    __table_args__ = (UniqueConstraint("day", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column()
    service_id: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    automated: Mapped[int] = mapped_column(Integer, default=0)
    within_sla: Mapped[int] = mapped_column(Integer, default=0)
    overdue_open: Mapped[int] = mapped_column(Integer, default=0)


class RenewalReminder(Base):
    """A reminder sent that a document expires in `days_before` days (pracha.business): once each."""

    __tablename__ = "renewal_reminders"

    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
