"""Conversation logs: kept 30 days, national ID numbers masked before anything is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.vault import Encrypted


class Conversation(Base):
    __tablename__ = "assistant_conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # "web" or "line"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    messages: Mapped[list[Message]] = relationship(back_populates="conversation", cascade="all, delete-orphan",
                                                   passive_deletes=True, order_by="Message.id")


class Message(Base):
    __tablename__ = "assistant_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    role: Mapped[str] = mapped_column(String(10))  # "user" or "assistant"
    text: Mapped[str] = mapped_column(Encrypted())
    service_id: Mapped[str | None] = mapped_column(String(64))
    out_of_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")
