"""The log in the database: `record` an entry in the caller's transaction, `sequence` pending
entries in batches (indexes, tiles, a signed checkpoint), and read proofs from the tiles.

Leaves are RFC 8785 canonical JSON in format 2 (`leaves`): a per-entry salted commitment to a private
statement, which holds references and keyed commitments, never personal data: `subject` is
HMAC-SHA-256(subject key, national ID) and `digest` is HMAC-SHA-256(subject key, canonical JSON of the
changed record). Deleting the subject key and the openings (PDPA erasure) leaves the leaf verifiable
and meaningless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import struct
from collections.abc import Mapping
from typing import Any

import rfc8785
from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.ledger import leaves, merkle, note, tiles
from pracha.ledger.errors import BadLedgerRequest
from pracha.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerOpening,
    LedgerTile,
    SubjectKey,
)

TILE_WIDTH = 256
HASH = 32


class LedgerCorrupt(RuntimeError):
    """The stored tiles or head contradict each other: the database was changed behind our back."""


# --- recording --------------------------------------------------------------------------------------


def _key_cache(session: Session) -> dict[str, bytes]:
    cache: dict[str, bytes] = session.info.setdefault("pracha_subject_keys", {})
    return cache


def subject_key(session: Session, subject: str, *, create: bool = True) -> bytes | None:
    cache = _key_cache(session)
    if subject in cache:
        return cache[subject]
    row = session.get(SubjectKey, subject)
    if row is None and create:
        try:
            with session.begin_nested():
                row = SubjectKey(subject=subject, key=secrets.token_bytes(32))
                session.add(row)
        except IntegrityError:  # created by a concurrent transaction a moment ago
            row = session.get(SubjectKey, subject)
            assert row is not None
    if row is None:
        return None
    cache[subject] = row.key
    return row.key


def erase_subject(session: Session, subject: str) -> bool:
    """PDPA erasure: forget the key and delete the openings of the subject's entries. Their leaves stay
    in the log (it still verifies), but nobody, the operator included, can open them again: neither
    what they said nor whose they were. Receipts the person downloaded before still open them."""
    _key_cache(session).pop(subject, None)
    session.execute(delete(LedgerOpening).where(LedgerOpening.subject == subject))
    row = session.get(SubjectKey, subject)
    if row is None:
        return False
    session.delete(row)
    return True


def keyed(key: bytes | None, payload: bytes) -> str:
    if key is None:
        return "sha256:" + hashlib.sha256(payload).hexdigest()
    return "hmac-sha256:" + hmac.new(key, payload, hashlib.sha256).hexdigest()


def leaf_v1(kind: str, *, actor: str, obj: str, record: Mapping[str, Any] | None, key: bytes | None,
            subject_secret: str | None, time: dt.datetime) -> bytes:
    """A format-1 leaf, as entries before the format-2 marker were written (everything in clear but the
    keyed commitments). Kept for reading old logs and for tests of the upgrade; `record` writes format 2."""
    body: dict[str, Any] = {
        "v": 1,
        "kind": kind,
        "time": leaves.exact_time(time),
        "actor": actor,
        "object": obj,
        "digest": keyed(key, rfc8785.dumps(dict(record))) if record is not None else None,
        "subject": keyed(key, subject_secret.encode()) if key is not None and subject_secret else None,
    }
    return rfc8785.dumps(body)


def sealed_entry(kind: str, *, actor: str, obj: str, record: Mapping[str, Any] | None, key: bytes | None,
                 subject_secret: str | None, time: dt.datetime) -> tuple[bytes, bytes, bytes]:
    """A format-2 entry: (public leaf, salt, private statement)."""
    if leaves.is_public(kind) and key is not None:
        raise ValueError(f"{kind} is a public kind: it cannot be about a person")
    body = leaves.statement(
        kind, actor=actor, obj=obj, time=time,
        digest=keyed(key, rfc8785.dumps(dict(record))) if record is not None else None,
        subject=keyed(key, subject_secret.encode()) if key is not None and subject_secret else None)
    salt = secrets.token_bytes(32)
    return leaves.public_leaf(kind, obj, salt=salt, body=body, time=time), salt, body


def record(session: Session, kind: str, *, actor: str, obj: str, record: Mapping[str, Any] | None = None,
           subject: str | None = None, subject_secret: str | None = None,
           time: dt.datetime | None = None) -> LedgerEntry:
    """Append an entry in the caller's transaction: it commits (and is later sequenced) with the
    change it describes, or not at all. `subject` names whose key commits (e.g. "user:42");
    `subject_secret` is what is committed to (the national ID). The public leaf is format 2 (see
    `leaves`); its opening is kept beside it, filed under `subject` so that erasure removes it."""
    key = subject_key(session, subject) if subject else None
    data, salt, body = sealed_entry(kind, actor=actor, obj=obj, record=record, key=key,
                                    subject_secret=subject_secret, time=time or utcnow())
    entry = LedgerEntry(kind=kind, data=data)
    entry.opening = LedgerOpening(subject=subject, salt=salt, body=body)
    session.add(entry)  # flushed with the change it records; the caller links to it by relationship
    return entry


# --- tiles ------------------------------------------------------------------------------------------


class Tiles:
    """Reads (and, while sequencing, grows) tile rows; caches what it has read."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[int, int], bytearray] = {}
        self._dirty: set[tuple[int, int]] = set()

    def get(self, level: int, index: int) -> bytearray:
        key = (level, index)
        if key not in self._cache:
            row = self.session.get(LedgerTile, key)
            self._cache[key] = bytearray(row.hashes if row is not None else b"")
        return self._cache[key]

    def node(self, height: int, index: int) -> bytes:
        """The hash of the perfect subtree of 2^height leaves starting at leaf index·2^height."""
        level, tile_index, offset, count = tiles.tile_for_node(height, index)
        tile = self.get(level, tile_index)
        start = offset * HASH
        hashes = [bytes(tile[i:i + HASH]) for i in range(start, start + count * HASH, HASH)]
        if len(hashes) != count or any(len(h) != HASH for h in hashes):
            raise LedgerCorrupt(f"the tiles do not hold node ({height}, {index})")
        return merkle.root_from_hashes(hashes)

    def append(self, size: int, leaf_hash: bytes) -> None:
        """Add the leaf hash at index `size`, carrying full tiles' roots up the levels."""
        level, position, value = 0, size, leaf_hash
        while True:
            tile_index, offset = divmod(position, TILE_WIDTH)
            tile = self.get(level, tile_index)
            if len(tile) != offset * HASH:
                raise LedgerCorrupt(f"tile ({level}, {tile_index}) holds {len(tile) // HASH} hashes, not {offset}")
            tile += value
            self._dirty.add((level, tile_index))
            if offset != TILE_WIDTH - 1:
                return
            value = merkle.root_from_hashes([bytes(tile[i:i + HASH]) for i in range(0, len(tile), HASH)])
            level, position = level + 1, tile_index

    def flush(self) -> None:
        for level, index in sorted(self._dirty):
            self.session.merge(LedgerTile(level=level, index=index, hashes=bytes(self._cache[(level, index)])))
        self._dirty.clear()
        self.session.flush()


# --- sequencing -------------------------------------------------------------------------------------


def head(session: Session, *, for_update: bool = False) -> LedgerHead:
    query = select(LedgerHead).where(LedgerHead.id == 1)
    row = session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise LedgerCorrupt("the ledger has no head row: run `pracha migrate`")
    return row


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.index.is_(None))) or 0)


def sequence(session: Session, signer: note.Signer, origin: str, *, batch: int = 50_000) -> LedgerCheckpoint | None:
    """Give pending entries their indexes (in id order), grow the tiles and sign a checkpoint.
    Returns the new checkpoint, or None when nothing was pending. The caller commits."""
    top = head(session, for_update=True)
    rows = session.execute(select(LedgerEntry.id, LedgerEntry.data).where(LedgerEntry.index.is_(None))
                           .order_by(LedgerEntry.id).limit(batch)).all()
    if not rows:
        return None
    store = Tiles(session)
    size = top.size
    updates = []
    for entry_id, data in rows:
        store.append(size, merkle.leaf_hash(data))
        updates.append({"entry_id": entry_id, "new_index": size})
        size += 1
    table = LedgerEntry.__table__
    assert isinstance(table, Table)
    session.execute(update(table).where(table.c.id == bindparam("entry_id")).values(index=bindparam("new_index")),
                    updates)
    store.flush()
    top.size = size
    return _sign(session, store, signer, origin, size)


def _sign(session: Session, store: Tiles, signer: note.Signer, origin: str, size: int) -> LedgerCheckpoint:
    root = merkle.root_from(store.node, size)
    text = note.format_checkpoint(note.Checkpoint(origin=origin, size=size, root=root))
    checkpoint = LedgerCheckpoint(size=size, root=root, note=note.sign(text, signer))
    session.add(checkpoint)
    session.flush()
    return checkpoint


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    return session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1))


def ensure_checkpoint(session: Session, signer: note.Signer, origin: str) -> LedgerCheckpoint:
    """The newest checkpoint, sequencing first if entries are waiting (the empty log gets one too)."""
    checkpoint = sequence(session, signer, origin) if pending_count(session) else None
    checkpoint = checkpoint or latest_checkpoint(session)
    if checkpoint is None:
        checkpoint = _sign(session, Tiles(session), signer, origin, head(session, for_update=True).size)
    return checkpoint


# --- reading ----------------------------------------------------------------------------------------


def entry_at(session: Session, index: int) -> LedgerEntry | None:
    return session.scalar(select(LedgerEntry).where(LedgerEntry.index == index))


def _check_size(session: Session, size: int) -> None:
    current = head(session).size
    if size > current:
        raise BadLedgerRequest(f"บัญชีแยกประเภทมีเพียง {current} รายการ", f"The tree has only {current} entries.")


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    if index < 0 or size <= 0 or index >= size:
        raise BadLedgerRequest("ต้องเป็น 0 ≤ index < tree_size", "Need 0 <= index < tree_size.")
    _check_size(session, size)
    return merkle.inclusion_proof_from(Tiles(session).node, index, size)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    if first < 0 or second < 0 or first > second:
        raise BadLedgerRequest("ต้องเป็น 0 ≤ first ≤ second", "Need 0 <= first <= second.")
    _check_size(session, second)
    return merkle.consistency_proof_from(Tiles(session).node, first, second)


def tile_data(session: Session, level: int, index: int, width: int) -> bytes | None:
    row = session.get(LedgerTile, (level, index))
    if row is None or len(row.hashes) < width * HASH:
        return None
    return row.hashes[: width * HASH]


def entry_bundle(session: Session, index: int, width: int) -> bytes | None:
    """C2SP tlog-tiles entry bundle: each entry as a big-endian uint16 length and its bytes."""
    first = index * TILE_WIDTH
    rows = session.scalars(select(LedgerEntry.data).where(LedgerEntry.index >= first,
                                                          LedgerEntry.index < first + width)
                           .order_by(LedgerEntry.index)).all()
    if len(rows) != width:
        return None
    return b"".join(struct.pack(">H", len(data)) + data for data in rows)
