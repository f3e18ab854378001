"""Tables of the PDPA rights: a citizen's requests (rectification, erasure, restriction, objection)
with their deadline and decision, and the privacy events that the citizen's data tracker shows
(an export of their data, a request, a decision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry


class PrivacyRequest(Base):
    """One request under the PDPA (ss. 32–35). `due_on` is the day the law's 30 days end (moved to
    the next working day); `reminders` lists the reminders already sent to the DPO (days before)."""

    __tablename__ = "privacy_requests"
    __table_args__ = (Index("ix_privacy_requests_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # rectification | erasure | restriction | objection
    target: Mapped[str] = mapped_column(String(20), default="pracha")  # pracha | registry
    registry_name: Mapped[str | None] = mapped_column("registry", String(20))  # exchange.vocabulary.REGISTRIES key
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rectification: the corrected values
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # submitted | forwarded | done | refused
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    forwarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(10))  # approve | refuse
    reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what was erased, what restricted and why
    reminders: Mapped[list[Any]] = mapped_column(JSON, default=list)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PrivacyEvent(Base):
    """Something Pracha did with the citizen's data for their rights (an export, a request, a decision),
    shown in their data tracker beside the mediator's log."""

    __tablename__ = "privacy_events"
    __table_args__ = (Index("ix_privacy_events_user_time", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # export | request | forward | decision
    actor: Mapped[str] = mapped_column(String(100))  # "citizen" or "dpo:<username>"
    purpose: Mapped[str] = mapped_column(String(40))  # pdpa-s30 … pdpa-s35
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    ledger_entry: Mapped[LedgerEntry | None] = relationship(lazy="joined")
