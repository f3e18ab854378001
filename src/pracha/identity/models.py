"""People who use Pracha (citizens and staff), their sign-in sessions, second factors, throttles and
API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from pracha.db import Base, UTCDateTime, utcnow
from pracha.vault import BlindIndex, Encrypted, EncryptedDate, EncryptedJSON

CITIZEN = "citizen"
OFFICER = "officer"
AGENCY_ADMIN = "agency_admin"
AUDITOR = "auditor"
PLATFORM_ADMIN = "platform_admin"
DPO = "dpo"
FINANCE_OFFICER = "finance_officer"  # one agency's fees: payments, refunds, cash at the counter, reconciliation
MODERATOR = "moderator"  # the platform's public text: hides abuse with a reason, checks new petitions
INSPECTOR = "inspector"  # one agency's corruption and misconduct reports, which nobody else sees
STAFF_ROLES = (OFFICER, AGENCY_ADMIN, AUDITOR, PLATFORM_ADMIN, DPO, FINANCE_OFFICER, MODERATOR, INSPECTOR)
ROLES = (CITIZEN, *STAFF_ROLES)


class User(Base):
    """Personal fields are encrypted under the person's own data key (`data_key`, see pracha.vault);
    the national ID is found through its keyed blind index, `national_id_index`, set with it."""

    __tablename__ = "users"
    __vault_subject__ = "self"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    national_id: Mapped[str | None] = mapped_column(Encrypted())
    national_id_index: Mapped[str | None] = mapped_column(BlindIndex(), unique=True)
    data_key: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(Encrypted())
    last_name: Mapped[str] = mapped_column(Encrypted())
    birth_date: Mapped[dt.date | None] = mapped_column(EncryptedDate())
    email: Mapped[str | None] = mapped_column(Encrypted(erased=None))
    phone: Mapped[str | None] = mapped_column(Encrypted(erased=None))
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2), default="th")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For OpenID Connect claims (migration 0005): the name in English and a postal address.
    first_name_en: Mapped[str | None] = mapped_column(Encrypted(erased=None))
    last_name_en: Mapped[str | None] = mapped_column(Encrypted(erased=None))
    address: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON())  # OIDC address claim members

    # PDPA s. 34 (migration 0009): set when a restriction or objection was granted; prefill and the
    # assistant then no longer process this person's data.
    processing_restricted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @validates("national_id")
    def _index_national_id(self, _key: str, value: str | None) -> str | None:
        self.national_id_index = value
        return value

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class WebSession(Base):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # How the person proved who they are (RFC 8176 values, space-separated): "pwd", then "pwd otp"
    # once a staff member passed the second factor; "hwk" for a passkey.
    amr: Mapped[str] = mapped_column(String(32), default="pwd", server_default="pwd")
    # The juristic person this browser acts for (pracha.business), chosen explicitly; None: the person
    # acts for themself. `acting` keeps what the registry said at the switch: {"name_th", "name_en",
    # "role": director | authorised, "directors_required"}.
    acting_for: Mapped[str | None] = mapped_column(String(13))
    acting: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The person a delegate acts for (a live Delegation, checked on each request; pracha.delegation),
    # or the open counter session an officer serves a visitor in (pracha.counter). At most one is set.
    acting_for_person: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    counter_session_id: Mapped[int | None] = mapped_column(ForeignKey("counter_sessions.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class ActingGrant(Base):
    """A director's authorisation of another citizen to act for the juristic person, for some services
    (or "*": all) from one day to another; revoked, it stays as history."""

    __tablename__ = "acting_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    juristic_id: Mapped[str] = mapped_column(String(13), index=True)
    grantee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    services: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.date] = mapped_column()
    valid_until: Mapped[dt.date] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    grantee: Mapped[User] = relationship(foreign_keys=[grantee_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class SigninThrottle(Base):
    """Failed sign-ins of one client for one identifier (`pair:`), keyed by an HMAC of both, so the
    table holds neither national IDs nor addresses; known identifiers or not, so it reveals no accounts."""

    __tablename__ = "signin_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SigninProbe(Base):
    """An identifier a client failed to sign in as (both HMACs): the spraying limit counts them."""

    __tablename__ = "signin_probes"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class TotpFactor(Base):
    """A staff member's TOTP (RFC 6238) secret, sealed with a key derived from the app secret.
    Unconfirmed until the first code is entered; `last_step` refuses a code used twice."""

    __tablename__ = "staff_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(Base):
    """A one-time recovery code (only its HMAC is kept), for a staff member whose phone is gone."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for an agency's integration: scoped, tied to one agency, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(Base):
    """One "forgot password" request (issue 19). Kept for unknown IDs too, so the answer, the time it
    takes and the throttling are the same whether or not the ID has an account: `id_key` and
    `client_key` are HMACs (the national ID as typed, the client's address), never the values."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_key: Mapped[str] = mapped_column(String(64), index=True)
    client_key: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))  # HMAC of the 6-digit code; None: nobody to send to
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # where the code went (email, sms, line)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 15 minutes
    tries: Mapped[int] = mapped_column(Integer, default=0)  # wrong codes; 5 and the code is spent
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CounterSession(Base):
    """An officer serving a visitor at an office's counter (assisted digital): opened after the officer
    checked the ID card and the visitor consented (a one-time code to their phone, or a signed form
    scanned); what the officer does meanwhile records "officer X for citizen Y at office Z"."""

    __tablename__ = "counter_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    office: Mapped[str] = mapped_column(String(64))  # catalog/offices.yaml
    agency: Mapped[str] = mapped_column(String(64))  # the officer's
    id_card_checked: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    consent_method: Mapped[str] = mapped_column(String(8))  # "otp" | "form"
    consent_code_hash: Mapped[str | None] = mapped_column(String(64))  # keyed hash of the code sent
    consent_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consent_file: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the scanned form (var/uploads)
    consented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    visitor: Mapped[User] = relationship(foreign_keys=[visitor_id])

    @property
    def is_open(self) -> bool:
        return self.consented_at is not None and self.closed_at is None


class Delegation(Base):
    """A person's authorisation of another citizen (child, relative, carer) to act for them, for some
    services (or "*": all) from one day to another. Made by the grantor online, or at the counter with a
    power-of-attorney document (หนังสือมอบอำนาจ) attached; revoked, it stays as history."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    grantor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relationship_kind: Mapped[str] = mapped_column(String(16))  # child | spouse | relative | carer | other
    services: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.date] = mapped_column()
    valid_until: Mapped[dt.date] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    counter_session_id: Mapped[int | None] = mapped_column(ForeignKey("counter_sessions.id", ondelete="SET NULL"))
    power_of_attorney: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the scanned document
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    grantor: Mapped[User] = relationship(foreign_keys=[grantor_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
