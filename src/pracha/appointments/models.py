"""Appointments' tables. Offices, their hours and capacities are in the catalogue (catalog/offices.yaml),
not in a table.

    Appointment      one booking of one application at one office and slot; its `token` is in the QR
    SlotLoad         places taken per (office, service, slot): the last place goes to exactly one
                     booking (a guarded UPDATE … SET booked = booked + 1 WHERE booked < capacity)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pracha.db import Base, UTCDateTime, utcnow

BOOKED, CHECKED_IN, CANCELLED, NO_SHOW = "booked", "checked_in", "cancelled", "no_show"
STATUSES = (BOOKED, CHECKED_IN, CANCELLED, NO_SHOW)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_office_day", "office_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=BOOKED, index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # in the QR: the counter scans it to check in
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SlotLoad(Base):
    __tablename__ = "slot_loads"
    __table_args__ = (UniqueConstraint("office_id", "service_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    booked: Mapped[int] = mapped_column(Integer, default=0)
