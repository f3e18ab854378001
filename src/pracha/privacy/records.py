"""The controller's accountability records (tables): retention runs, legal holds, the breach register
and the people a breach affects. Staff views of applications live lower down, in
`services.views.StaffView`, so the exchange's data tracker can read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pracha.db import Base, UTCDateTime, utcnow

LEGAL_HOLD, RESTRICTION = "legal_hold", "restriction"


class RetentionRun(Base):
    """One record type's result in one run of the retention schedule (the DPO's report)."""

    __tablename__ = "privacy_retention_runs"
    __table_args__ = (Index("ix_privacy_retention_runs_run", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40))  # the rows of one run share it
    trigger: Mapped[str] = mapped_column(String(20))  # daily | cli | api
    record_type: Mapped[str] = mapped_column(String(40))
    cutoff: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)  # due, but kept: a legal hold or a restriction
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class Hold(Base):
    """Keep an application (and its uploads) or a person's records past their retention period: a
    legal hold (litigation, an investigation, a breach) or a restriction of processing (PDPA section 34)."""

    __tablename__ = "privacy_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # LEGAL_HOLD | RESTRICTION
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Breach(Base):
    """An incident in the breach register (PDPA section 37 (4)): what happened, whom it affects, and
    whether the regulator (within 72 hours of discovery) and the people were told."""

    __tablename__ = "privacy_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    discovered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data_categories: Mapped[list[Any]] = mapped_column(JSON)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    affected_people: Mapped[int] = mapped_column(Integer, default=0)
    affected_records: Mapped[int] = mapped_column(Integer, default=0)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    people_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the automation's reminder
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # flagged past 72 hours, unreported


class BreachSubject(Base):
    """One person a breach affects, and how many of their records (computed from the criteria)."""

    __tablename__ = "privacy_breach_subjects"

    breach_id: Mapped[int] = mapped_column(ForeignKey("privacy_breaches.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    records: Mapped[int] = mapped_column(Integer, default=1)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
