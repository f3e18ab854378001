"""Wrapped data keys: one per person (the handle is on `users.data_key`), deleted to crypto-shred."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pracha.db import Base, UTCDateTime, utcnow


class DataKey(Base):
    __tablename__ = "vault_data_keys"

    handle: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_version: Mapped[int] = mapped_column(Integer, index=True)  # the key-encryption key that wrapped it
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
