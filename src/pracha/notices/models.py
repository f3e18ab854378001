"""Messages to citizens: the in-app inbox, and the outbox that email/SMS senders work through.

An inbox message keeps `key` + `params` (a phrase, `pracha.i18n`) and is rendered in the reader's
language when read; `subject`/`body` keep the text in the recipient's language at the time, for rows
written before keys (key NULL) and for a key no module defines any more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from pracha.db import Base, UTCDateTime, utcnow
from pracha.vault import BlindIndex, Encrypted


class InboxMessage(Base):
    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    key: Mapped[str | None] = mapped_column(String(80))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Waiting to be sent by a channel (email, sms). Senders mark `sent_at`; failures count `attempts`."""

    __tablename__ = "outbox_messages"
    __vault_subject__ = ("user_id", "")  # the address under the person's own key

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(Encrypted())  # an e-mail address or a phone number
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Delivery retries (pracha.automation.delivery): when to try next, why the last try failed.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def line_user_key(value: str) -> str:
    """A LINE user id as its blind index hashes it: whole, without surrounding spaces."""
    return value.strip()


class LineLink(Base):
    """A citizen's LINE account (issue 19): notices are pushed to `line_user` through the Messaging API.
    One LINE account, one citizen; unlinking deletes the row."""

    __tablename__ = "line_links"
    __vault_subject__ = ("user_id", "")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    line_user: Mapped[str] = mapped_column(Encrypted())  # LINE's user id ("U" + 32 hex)
    # LINE ids are letters and hex digits: the default normalisation (digits only) would make two
    # accounts share an index, so the id is indexed whole
    line_user_index: Mapped[str] = mapped_column(BlindIndex(normalise=line_user_key), unique=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("line_user")
    def _index_line_user(self, _key: str, value: str) -> str:
        self.line_user_index = value  # BlindIndex keys it on write
        return value


class LineLinkCode(Base):
    """A one-time code the citizen sends to the LINE bot to link the LINE account they send it from."""

    __tablename__ = "line_link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class NoticePreference(Base):
    """Whether a kind of notice (status, payment, appointment, document…) goes to a channel (line, sms,
    email, inapp). No row: the default of the kind (see the notices service)."""

    __tablename__ = "notice_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(10))
    enabled: Mapped[bool] = mapped_column(Boolean)
