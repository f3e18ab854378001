"""Applications for services, their documents and their timeline of events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry
from pracha.vault import EncryptedJSON


class Application(Base):
    __tablename__ = "applications"
    __vault_subject__ = ("citizen_id", "citizen")  # form data under the citizen's own key
    __table_args__ = (
        Index("ix_applications_agency_status", "agency", "status"),
        UniqueConstraint("citizen_id", "client_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(erased=dict), default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[dt.date | None] = mapped_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the citizen confirmed the declaration of truth on the check-your-answers page (see
    # services.answers.DECLARATION); the ledger entry of the submit commits to it too.
    declared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The form's one-time token (or an API Idempotency-Key): a second submit of the same form finds
    # the application the first one made instead of making another.
    client_token: Mapped[str | None] = mapped_column(String(64))
    # Which fields were filled in from a registry, and whether the citizen corrected them
    # (services.provenance): field names, flags and source names only, never the values.
    prefill: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The officer handling it (migration 0012; `services.casework`): staff see it, the citizen does not.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # For a juristic person (pracha.business): its number; `citizen_id` stays the person who acts for it.
    organisation_id: Mapped[str | None] = mapped_column(String(13), index=True)
    # A part of a bundle ("start a business"): one of several applications made from one guided form.
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id", ondelete="SET NULL"), index=True)
    # An officer asked the citizen to come in person (pracha.appointments): a booking is then expected
    # even for a service whose catalogue entry has no in-person step.
    appointment_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    citizen: Mapped[User] = relationship(lazy="joined", foreign_keys=[citizen_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", cascade="all, delete-orphan"
    )


class Bundle(Base):
    """One guided application (a life event, `catalog/bundles/`) fanned out into applications to several
    agencies; its status is its parts'. `answers`: the questions asked once, under the applicant's key."""

    __tablename__ = "bundles"
    __vault_subject__ = ("citizen_id", "citizen")

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(64))  # the bundle's id in the catalogue
    organisation_id: Mapped[str | None] = mapped_column(String(13), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # draft | awaiting_co_approval | submitted
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(erased=dict), default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    citizen: Mapped[User] = relationship(foreign_keys=[citizen_id])
    parts: Mapped[list[Application]] = relationship(order_by="Application.id", foreign_keys="Application.bundle_id")


class CoApproval(Base):
    """A submit held for a juristic person whose signing rule needs more than one director: asked for
    by one director, given by another (or cancelled when the application changes)."""

    __tablename__ = "co_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(String(13), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)  # of the application (or bundle) when asked
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    ledger_entry: Mapped[LedgerEntry | None] = relationship()  # the latest: asked, then given


class ApplicationEvent(Base):
    """One step on the timeline: a status change (from → to) or a note, who did it, and why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    # A system's message (a phrase or {"th", "en"}, pracha.i18n), shown in the reader's language;
    # `message` then keeps its Thai. A person's typed message is only in `message`, as typed.
    system_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    # Someone acted for the applicant: the person acted for (actor_id is the delegate or the officer),
    # and the counter session when at a counter (pracha.counter, pracha.delegation)
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    counter_session_id: Mapped[int | None] = mapped_column(ForeignKey("counter_sessions.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(back_populates="events")
    ledger_entry: Mapped[LedgerEntry | None] = relationship(lazy="joined")


class Document(Base):
    """An uploaded file; the bytes live under var/uploads, named by their SHA-256."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")
