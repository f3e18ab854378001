"""Exchange tables: subsystems (X-Road members' subsystems with their public keys), the services they
publish, access rights (client subsystem → service, per purpose), citizens' consents, and the message
log of every request the mediator saw — allowed or denied — with digests and signatures.

Ids are X-Road style: a subsystem is `TH/GOV/<member-code>/<subsystem>`, a service is the subsystem id
plus a service code, `TH/GOV/DOPA/civil-registry/persons`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User
from pracha.ledger.models import LedgerEntry
from pracha.vault import Encrypted

ALLOWED = "allowed"
DENIED = "denied"


class Subsystem(Base):
    """A member's subsystem: a client, a provider (a registry), or the mediator itself."""

    __tablename__ = "exchange_subsystems"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # TH/GOV/DOPA/civil-registry
    member_code: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str | None] = mapped_column(String(100))  # base64 of the raw Ed25519 key
    base_url: Mapped[str | None] = mapped_column(String(300))  # providers: where the mediator forwards
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExchangeService(Base):
    """A service a provider subsystem publishes. `path_prefix` is where it lives on the provider
    (`/persons`); `subject_in_path` says the first path segment is the citizen's national ID."""

    __tablename__ = "exchange_services"

    id: Mapped[str] = mapped_column(String(250), primary_key=True)  # <subsystem id>/<code>
    subsystem_id: Mapped[str] = mapped_column(ForeignKey("exchange_subsystems.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    path_prefix: Mapped[str] = mapped_column(String(200))
    subject_in_path: Mapped[bool] = mapped_column(default=True)
    categories: Mapped[list[Any]] = mapped_column(JSON)  # data categories it returns, e.g. ["identity", "address"]
    path_categories: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # tail → narrower categories
    purposes: Mapped[list[Any]] = mapped_column(JSON)  # purposes it may be used for
    legal_duty_purposes: Mapped[list[Any]] = mapped_column(JSON)  # purposes for which the law requires it
    legal_duty_th: Mapped[str | None] = mapped_column(Text)
    legal_duty_en: Mapped[str | None] = mapped_column(Text)
    openapi: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    subsystem: Mapped[Subsystem] = relationship(lazy="joined")


class AccessRight(Base):
    """Client subsystem → service for one purpose; granted and revoked by a platform admin."""

    __tablename__ = "exchange_access_rights"
    __table_args__ = (Index("ix_exchange_access_rights_lookup", "client_id", "service_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("exchange_subsystems.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("exchange_services.id"))
    purpose: Mapped[str] = mapped_column(String(64))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Consent(Base):
    """A citizen's consent (PDPA s. 19): this recipient may receive these categories for this purpose
    until `expires_at`, unless withdrawn. Grant and withdrawal are both in the ledger."""

    __tablename__ = "exchange_consents"
    __table_args__ = (Index("ix_exchange_consents_lookup", "user_id", "recipient_id", "purpose"),
                      UniqueConstraint("user_id", "client_token"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("exchange_subsystems.id"))
    purpose: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list[Any]] = mapped_column(JSON)
    notice_version: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    grant_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    withdraw_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    client_token: Mapped[str | None] = mapped_column(String(64))  # the API's Idempotency-Key

    user: Mapped[User] = relationship()
    recipient: Mapped[Subsystem] = relationship(lazy="joined")
    grant_entry: Mapped[LedgerEntry | None] = relationship(foreign_keys=[grant_entry_id])
    withdraw_entry: Mapped[LedgerEntry | None] = relationship(foreign_keys=[withdraw_entry_id])

    def active_at(self, now: dt.datetime) -> bool:
        return self.withdrawn_at is None and self.expires_at > now


class MessageLog(Base):
    """One request through the mediator, allowed or denied. `message_id` is the client's X-Road-Id;
    it is unique per client among the rows that hold it (`holds_id`): those of authenticated requests.
    A replay, a bad signature or a malformed request is logged without holding the id, so a forger
    cannot use up a client's ids."""

    __tablename__ = "exchange_messages"
    __vault_subject__ = ("subject_user_id", "")
    __table_args__ = (
        Index("uq_exchange_messages_client_message", "client_id", "message_id", unique=True,
              sqlite_where=text("holds_id = 1"), postgresql_where=text("holds_id = true")),
        Index("ix_exchange_messages_client_time", "client_id", "created_at"),
        Index("ix_exchange_messages_subject_time", "subject_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # the mediator's own id, in the ledger
    message_id: Mapped[str] = mapped_column(String(100))
    holds_id: Mapped[bool] = mapped_column(default=True)
    client_id: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[str] = mapped_column(String(250))
    path: Mapped[str] = mapped_column(Encrypted())  # holds the national ID: under the subject's key
    purpose: Mapped[str] = mapped_column(String(64))
    user_ref: Mapped[str | None] = mapped_column(String(200))  # X-Road-UserId: officer or system
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    categories: Mapped[list[Any]] = mapped_column(JSON)
    legal_basis: Mapped[str | None] = mapped_column(String(64))  # "consent:<id>" | "legal-duty"
    decision: Mapped[str] = mapped_column(String(10))  # allowed | denied
    status: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(64))  # the error code of a denial
    request_digest: Mapped[str | None] = mapped_column(String(100))
    request_signature: Mapped[str | None] = mapped_column(Text)  # the client's Signature-Input + Signature
    forward_signature: Mapped[str | None] = mapped_column(Text)  # the mediator's, on the forwarded request
    response_digest: Mapped[str | None] = mapped_column(String(100))
    response_signature: Mapped[str | None] = mapped_column(Text)  # the provider's
    duration_ms: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    ledger_entry: Mapped[LedgerEntry | None] = relationship()
