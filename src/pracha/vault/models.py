"""Wrapped data keys: one per person (the handle is on `users.data_key`), deleted to crypto-shred; and
the erasures of the last minutes, which every process's keyring reads to drop keys it still caches."""

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


class Erasure(Base):
    """A data key deleted (the handle only: random, it names nobody). Written in the erasing
    transaction; kept only as long as a keyring may cache a key, then purged by the next erasure."""

    __tablename__ = "vault_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handle: Mapped[str] = mapped_column(String(32))
    erased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
