"""Ledger tables. Entries are append-only; `index` is set once, by the sequencer, and never changed.

Tile rows hold the hashes of C2SP tlog-tiles: level 0 holds leaf hashes, level L the roots of the
perfect subtrees of 256^L leaves; each row is one tile of up to 256 hashes (32 bytes each), grown in
place until full. A proof reads a handful of these rows whatever the size of the log.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    index: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opening: Mapped[LedgerOpening | None] = relationship(lazy="select", cascade="save-update, merge")


class LedgerTile(Base):
    __tablename__ = "ledger_tiles"

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerHead(Base):
    """One row: the sequenced size. Sequencers lock it, so only one sequences at a time."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerCheckpoint(Base):
    """Every signed checkpoint, with the witness cosignatures gathered for it."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectKey(Base):
    """A citizen's key for commitments in the ledger. Deleting it (PDPA erasure) leaves every
    commitment made with it verifiable as a leaf and meaningless as a statement about anyone."""

    __tablename__ = "ledger_subject_keys"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerOpening(Base):
    """The opening of a format-2 entry's commitment: the per-entry salt and the private statement
    (kind, actor, object, digest, subject commitment, exact time) as canonical JSON. Never served
    publicly: it goes to the holder of a receipt and to an auditor. Erasing a subject deletes its
    openings with its key, so its entries stay verifiable leaves that no one can open again."""

    __tablename__ = "ledger_openings"

    entry_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                          ForeignKey("ledger_entries.id"), primary_key=True, autoincrement=False)
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    body: Mapped[bytes] = mapped_column(LargeBinary)
