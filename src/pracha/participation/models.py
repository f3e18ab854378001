"""Participation's tables: complaints, public hearings, petitions, and their moderation.

    Complaint ─< ComplaintEvent        every step (accept, forward, reply, resolve…), who and when
              ─< ComplaintPhoto        re-encoded JPEG, no EXIF; "before" from the citizen, "after" from the officer
    LineReport                         a report started on LINE, finished after signing in on the web
    Hearing ─< HearingResponse         one per citizen (editable until the close); a tally entry in the ledger
    Petition ─< PetitionSupport        one per commitment HMAC(petition key, national ID): no user id kept
    AbuseReport, ModerationAction      report-abuse on any public text; hide/unhide with a logged reason

Public text (descriptions, comments, petitions) is stored as typed (escaped when shown); a hidden item
keeps its text for the moderator and the author but shows the public only the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.ledger.models import LedgerEntry

# complaint statuses
NEW, ACCEPTED, NEEDS_INFO, RESOLVED, REJECTED, REOPENED, CLOSED = (
    "new", "accepted", "needs_info", "resolved", "rejected", "reopened", "closed")
COMPLAINT_STATUSES = (NEW, ACCEPTED, NEEDS_INFO, RESOLVED, REJECTED, REOPENED, CLOSED)
# hearing statuses (a draft is not public; open between opens_at and closes_at; reported after the summary)
H_DRAFT, H_OPEN, H_CLOSED, H_REPORTED = "draft", "open", "closed", "reported"
# petition statuses
P_PENDING, P_DECLINED, P_OPEN, P_CLOSED, P_RESPONDED = "pending", "declined", "open", "closed", "responded"
# what can be reported and hidden (AbuseReport.target_kind, ModerationAction.target_kind)
TARGET_KINDS = ("complaint", "complaint_event", "hearing_response", "petition")


class Moderated:
    """Columns of every item that can be hidden by a moderator."""

    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))


class Complaint(Moderated, Base):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_agency_status", "agency", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "CM-2569-000123": public, says nothing
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)  # catalog/participation/complaints.yaml
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    tambon: Mapped[str] = mapped_column(String(64), index=True)  # sub-district, from the catalogue's list
    latitude: Mapped[float | None] = mapped_column(Float)  # exact, as given; the public sees `public_point`
    longitude: Mapped[float | None] = mapped_column(Float)
    private_place: Mapped[bool] = mapped_column(Boolean, default=False)  # a home: rounded for the public
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)  # the public never sees a name anyway
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # corruption/misconduct: inspectors only
    agency: Mapped[str] = mapped_column(String(64), index=True)  # the responsible unit now (after forwards)
    status: Mapped[str] = mapped_column(String(16), default=NEW, index=True)
    channel: Mapped[str] = mapped_column(String(8), default="web")  # web | line | api
    sla_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # resolution due (category's SLA)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1–5, from the citizen after resolution
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)  # at most once, within 14 days
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan")
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        back_populates="complaint", order_by="ComplaintPhoto.id", cascade="all, delete-orphan")


class ComplaintEvent(Moderated, Base):
    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # submit, accept, forward, request_info, reply, resolve…
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: the bot
    agency: Mapped[str | None] = mapped_column(String(64))  # the unit that acted (staff) or forwarded to
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # shown on the public page (no names)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ComplaintPhoto(Base):
    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(8))  # before | after
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # JPEG, re-encoded, no metadata
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="photos")


class LineReport(Base):
    """A complaint being reported through LINE, step by step; `token` finishes it on the web."""

    __tablename__ = "line_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of the LINE user id
    step: Mapped[str] = mapped_column(String(16))  # category, description, location, photo, done
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # category, description, lat/lon, tambon
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # re-encoded already
    token: Mapped[str | None] = mapped_column(String(64), unique=True)  # the link's secret, once complete
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Hearing(Base):
    """A draft put to public hearing (รับฟังความคิดเห็น): at least 15 days open."""

    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # regulation | ordinance | project
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_th: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    # sections of the draft citizens may comment on: [{"id": "s1", "title_th", "title_en"}]
    sections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"id": "q1", "kind": "choice"|"text", "text_th", "text_en", "choices": [{"id", "th", "en"}]}]
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    document: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the full text, PDF
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=H_DRAFT, index=True)
    # the agency's summary at the close: {"text_th", "issues": [{"issue_th", "response_th", "count"}]}
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dataset_name: Mapped[str | None] = mapped_column(String(100))  # its open-data dataset, once published
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    responses: Mapped[list[HearingResponse]] = relationship(back_populates="hearing", cascade="all, delete-orphan")


class HearingResponse(Moderated, Base):
    __tablename__ = "hearing_responses"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # question id → choice id or text
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # section id → text
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False)  # comments may become open data
    commitment: Mapped[str] = mapped_column(String(80))  # as in the ledger entry (participation.tally)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hearing: Mapped[Hearing] = relationship(back_populates="responses")
    ledger_entry: Mapped[LedgerEntry | None] = relationship()


class Petition(Moderated, Base):
    """A citizen's petition (ข้อเสนอ) to an agency: checked by a moderator, then open for support."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # what is asked and why
    status: Mapped[str] = mapped_column(String(16), default=P_PENDING, index=True)
    days_open: Mapped[int] = mapped_column(Integer, default=90)  # asked by the creator, within the catalogue's range
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    threshold: Mapped[int] = mapped_column(Integer)  # supports that oblige a written response (the agency's rule)
    response_days: Mapped[int] = mapped_column(Integer)
    support_count: Mapped[int] = mapped_column(Integer, default=0)  # live supports (withdrawals subtracted)
    threshold_reached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_th: Mapped[str | None] = mapped_column(Text)
    response_en: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(String(500))  # the moderator's, when declined
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    supports: Mapped[list[PetitionSupport]] = relationship(back_populates="petition", cascade="all, delete-orphan",
                                                           lazy="raise")  # thousands: count, never load


class PetitionSupport(Base):
    """One supporter, known only by the commitment: the platform can tell whether *you* supported (it
    recomputes yours) but keeps no list of who did."""

    __tablename__ = "petition_supports"
    __table_args__ = (UniqueConstraint("petition_id", "commitment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    commitment: Mapped[str] = mapped_column(String(80))  # "hmac-sha256:<hex>" (participation.tally)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))  # the latest support
    withdraw_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))  # the latest withdrawal

    petition: Mapped[Petition] = relationship(back_populates="supports")
    ledger_entry: Mapped[LedgerEntry | None] = relationship(foreign_keys=[ledger_entry_id])


class AbuseReport(Base):
    __tablename__ = "abuse_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(24))  # one of TARGET_KINDS
    target_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    resolution: Mapped[str | None] = mapped_column(String(16))  # hidden | kept

    __table_args__ = (Index("ix_abuse_reports_target", "target_kind", "target_id"),)


class ModerationAction(Base):
    """The log of every moderation decision (hide, unhide, approve or decline a petition)."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # hide | unhide | dismiss (a report) | approve | decline
    reason: Mapped[str] = mapped_column(String(500))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_moderation_actions_target", "target_kind", "target_id"),)
