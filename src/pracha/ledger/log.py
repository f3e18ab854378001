"""The log in the database: `record` an entry in the caller's transaction (or `record_many` in one
bulk insert), `sequence` pending entries in batches (indexes, tiles, a signed checkpoint), and read
proofs and tiles.

Leaves are RFC 8785 canonical JSON in format 2 (`leaves`): a per-entry salted commitment to a private
statement, which holds references and keyed commitments, never personal data: `subject` is
HMAC-SHA-256(subject key, national ID) and `digest` is HMAC-SHA-256(subject key, canonical JSON of the
changed record). Deleting the subject key and the openings (PDPA erasure) leaves the leaf verifiable
and meaningless.

The hot paths use SQLAlchemy Core, not the ORM: `record_many` is two INSERTs for any number of
entries, `sequence` one read of the right-edge tiles, one UPDATE per run of consecutive ids and one
write per changed tile, and a proof is one query (the head's size and whatever tiles the process-wide
`tilecache` does not hold: at most the partial tiles of the right edge once it is warm).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from pracha.db import utcnow
from pracha.ledger import canonical, leaves, merkle, note, tilecache, tiles
from pracha.ledger.errors import BadLedgerRequest
from pracha.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerOpening,
    LedgerTile,
    SubjectKey,
)

TILE_WIDTH = tiles.TILE_WIDTH
HASH = tilecache.HASH


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


ENTRIES, OPENINGS, TILES, HEAD, CHECKPOINTS, KEYS = map(
    _table, (LedgerEntry, LedgerOpening, LedgerTile, LedgerHead, LedgerCheckpoint, SubjectKey))
_WRITTEN = "pracha_ledger_tiles_written"  # session.info: tiles this session wrote, not yet safe to cache


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


def subject_keys(session: Session, subjects: Iterable[str]) -> dict[str, bytes]:
    """The keys of many subjects: one query for those not cached in the session, created if new."""
    cache = _key_cache(session)
    missing = set(subjects) - cache.keys()
    if missing:
        cache.update(session.execute(select(KEYS.c.subject, KEYS.c.key).where(KEYS.c.subject.in_(missing))).all())
        for subject in missing - cache.keys():  # a person's first entry: rare on a hot path
            subject_key(session, subject)
    return cache


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
    return "hmac-sha256:" + hmac.digest(key, payload, "sha256").hex()


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
        "digest": keyed(key, canonical.dumps(dict(record))) if record is not None else None,
        "subject": keyed(key, subject_secret.encode()) if key is not None and subject_secret else None,
    }
    return canonical.dumps(body)


def sealed_entry(kind: str, *, actor: str, obj: str, record: Mapping[str, Any] | None, key: bytes | None,
                 subject_secret: str | None, time: dt.datetime) -> tuple[bytes, bytes, bytes]:
    """A format-2 entry: (public leaf, salt, private statement)."""
    if leaves.is_public(kind) and key is not None:
        raise ValueError(f"{kind} is a public kind: it cannot be about a person")
    body = leaves.statement(
        kind, actor=actor, obj=obj, time=time,
        digest=keyed(key, canonical.dumps(dict(record))) if record is not None else None,
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


@dataclass(frozen=True)
class Entry:
    """What `record` takes, as a value, for `record_many`."""

    kind: str
    actor: str
    obj: str
    record: Mapping[str, Any] | None = None
    subject: str | None = None
    subject_secret: str | None = None
    time: dt.datetime | None = None


def record_many(session: Session, entries: Sequence[Entry]) -> list[int]:
    """Append many entries in the caller's transaction, as `record` would one by one (the same leaves
    and openings), in two bulk INSERTs; returns their ids in order. Entries `record`ed earlier in the
    session are flushed first, so they keep the smaller ids (and are sequenced first)."""
    if not entries:
        return []
    keys = subject_keys(session, {e.subject for e in entries if e.subject})
    now = utcnow()
    sealed = [sealed_entry(e.kind, actor=e.actor, obj=e.obj, record=e.record,
                           key=keys[e.subject] if e.subject else None, subject_secret=e.subject_secret,
                           time=e.time or now) for e in entries]
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        return _insert_sqlite(session, entries, sealed, now)
    ids = list(session.execute(
        insert(ENTRIES).returning(ENTRIES.c.id, sort_by_parameter_order=True),
        [{"kind": e.kind, "data": data, "created_at": now} for e, (data, _, _) in zip(entries, sealed, strict=True)],
    ).scalars())
    session.execute(insert(OPENINGS), [
        {"entry_id": entry_id, "subject": e.subject, "salt": salt, "body": body}
        for entry_id, e, (_, salt, body) in zip(ids, entries, sealed, strict=True)])
    return ids


def _insert_sqlite(session: Session, entries: Sequence[Entry], sealed: list[tuple[bytes, bytes, bytes]],
                   now: dt.datetime) -> list[int]:
    """SQLite has one writer at a time (the caller took the write lock with BEGIN IMMEDIATE), so the ids
    are given here, after the largest; the rows go to the driver's executemany as they are (SQLAlchemy's
    per-row parameter processing cost more than the inserts), the shared time converted once."""
    first = int(session.scalar(select(func.coalesce(func.max(ENTRIES.c.id), 0))) or 0) + 1
    convert = ENTRIES.c.created_at.type.bind_processor(session.get_bind().dialect)
    created = convert(now) if convert else now
    ids = range(first, first + len(entries))
    connection = session.connection()
    connection.exec_driver_sql("INSERT INTO ledger_entries (id, kind, data, created_at) VALUES (?, ?, ?, ?)",
                               [(i, e.kind, data, created) for i, e, (data, _, _) in zip(ids, entries, sealed,
                                                                                         strict=True)])
    connection.exec_driver_sql("INSERT INTO ledger_openings (entry_id, subject, salt, body) VALUES (?, ?, ?, ?)",
                               [(i, e.subject, salt, body) for i, e, (_, salt, body) in zip(ids, entries, sealed,
                                                                                            strict=True)])
    return list(ids)


# --- tiles ------------------------------------------------------------------------------------------


class TileReader:
    """Node hashes from the tiles: full tiles from the process-wide cache (filled from what is read),
    the rest from rows read by `load` (one query for all a proof needs) or, while sequencing, from the
    tiles being grown. A tile this session wrote is not cached until another session reads it committed."""

    def __init__(self, session: Session, grown: Mapping[tuple[int, int], bytearray] | None = None) -> None:
        self.session = session
        bind = session.get_bind()
        self.cache = tilecache.for_database((bind.engine if isinstance(bind, Connection) else bind).pool)
        self.rows: dict[tuple[int, int], bytes | bytearray] = dict(grown or {})
        self.written: set[tuple[int, int]] = session.info.get(_WRITTEN, set())

    def load(self, wanted: Iterable[tuple[int, int]], *, with_size: bool = False) -> int | None:
        """Read, in one query, the wanted tiles not already at hand (and the head's size)."""
        keys = [k for k in dict.fromkeys(wanted) if k not in self.rows and k not in self.cache]
        if not keys and not with_size:
            return None
        params = {f"{name}{n}": value for n, key in enumerate(keys) for name, value in zip("li", key, strict=True)}
        size = None
        for level, index, hashes in self.session.execute(_tiles_query(len(keys), with_size), params):
            if level < 0:
                size = int(index)
            else:
                self._keep((level, index), hashes)
        if with_size and size is None:
            raise LedgerCorrupt("the ledger has no head row: run `pracha migrate`")
        return size

    def _keep(self, key: tuple[int, int], hashes: bytes) -> None:
        if key not in self.written and self.cache.admit(*key, hashes) is not None:
            return
        self.rows[key] = hashes

    def node(self, height: int, index: int) -> bytes:
        """The hash of the perfect subtree of 2^height leaves starting at leaf index·2^height."""
        level, tile_index, offset, count = tiles.tile_for_node(height, index)
        key = (level, tile_index)
        row = self.rows.get(key)
        if row is None:
            full = self.cache.get(level, tile_index)
            if full is not None:
                return full.node(offset, count)
            self.load([key])
            row = self.rows.get(key)
            if row is None:
                full = self.cache.get(level, tile_index)
                if full is None:
                    raise LedgerCorrupt(f"the tiles do not hold node ({height}, {index})")
                return full.node(offset, count)
        if count == 1:
            value = bytes(row[offset * HASH:(offset + 1) * HASH])
        else:  # a perfect subtree in a growing tile: its leaves all exist, so it never changes
            memo = None if key in self.written else (level, tile_index, offset, count)
            value = (memo and self.cache.node(memo)) or tilecache.subtree_root(
                bytes(row[offset * HASH:(offset + count) * HASH]))
            if memo and len(value) == HASH:
                self.cache.keep_node(memo, value)
        if len(value) != HASH:
            raise LedgerCorrupt(f"the tiles do not hold node ({height}, {index})")
        return value


@functools.lru_cache(maxsize=64)
def _tiles_query(count: int, with_size: bool) -> TextClause:
    """One statement for the head's size and `count` tiles by key, each a primary-key lookup. Plain SQL
    of a fixed shape per count, so building it costs nothing per proof."""
    arms = [f'SELECT level, "index", hashes FROM ledger_tiles WHERE level = :l{n} AND "index" = :i{n}'  # noqa: S608
            for n in range(count)]  # (only the parameters' numbers are written in; the values are bound)
    if with_size:
        arms.insert(0, "SELECT -1, size, NULL FROM ledger_head WHERE id = 1")
    return text(" UNION ALL ".join(arms))


def _tiles_read_by(walk: Callable[[merkle.NodeReader], object]) -> list[tuple[int, int]]:
    """The tiles a proof or root will read: the walk is run once with a reader that only takes note."""
    wanted: list[tuple[int, int]] = []

    def note_node(height: int, index: int) -> bytes:
        level, tile_index, _, _ = tiles.tile_for_node(height, index)
        wanted.append((level, tile_index))
        return bytes(HASH)

    walk(note_node)
    return wanted


class TileWriter:
    """The right-edge tiles of each level, read in one query and grown leaf by leaf while sequencing."""

    def __init__(self, session: Session, size: int) -> None:
        self.session, self.size = session, size
        edge = [(level, (size >> (8 * level)) // TILE_WIDTH) for level in range(tiles.MAX_LEVEL + 1)
                if level == 0 or size >> (8 * level)]
        self.tiles: dict[tuple[int, int], bytearray] = {}
        self.stored: set[tuple[int, int]] = set()
        rows = session.execute(select(TILES.c.level, TILES.c.index, TILES.c.hashes).where(
            or_(*(and_(TILES.c.level == level, TILES.c.index == index) for level, index in edge))))
        for level, index, hashes in rows:
            self.tiles[(level, index)] = bytearray(hashes)
            self.stored.add((level, index))
        self.dirty: set[tuple[int, int]] = set()

    def _tile(self, key: tuple[int, int]) -> bytearray:
        tile = self.tiles.get(key)
        if tile is None:
            tile = self.tiles[key] = bytearray()
        return tile

    def append(self, leaf_hash: bytes) -> None:
        """Add the leaf hash at index `size`, carrying full tiles' roots up the levels."""
        level, position, value = 0, self.size, leaf_hash
        while True:
            tile_index, offset = divmod(position, TILE_WIDTH)
            key = (level, tile_index)
            tile = self._tile(key)
            if len(tile) != offset * HASH:
                raise LedgerCorrupt(f"tile {key} holds {len(tile) // HASH} hashes, not {offset}")
            tile += value
            self.dirty.add(key)
            if offset != TILE_WIDTH - 1:
                break
            value = tilecache.subtree_root(bytes(tile))
            level, position = level + 1, tile_index
        self.size += 1

    def save(self) -> None:
        """One UPDATE per grown tile that existed, one INSERT for the new ones."""
        changed = sorted(self.dirty)
        new = [{"level": lv, "index": i, "hashes": bytes(self.tiles[(lv, i)])} for lv, i in changed
               if (lv, i) not in self.stored]
        for level, index in (k for k in changed if k in self.stored):
            self.session.execute(update(TILES).where(TILES.c.level == level, TILES.c.index == index)
                                 .values(hashes=bytes(self.tiles[(level, index)])))
        if new:
            self.session.execute(insert(TILES), new)
        self.session.info.setdefault(_WRITTEN, set()).update(changed)
        self.stored.update(changed)
        self.dirty.clear()


# --- sequencing -------------------------------------------------------------------------------------


def head(session: Session, *, for_update: bool = False) -> LedgerHead:
    query = select(LedgerHead).where(LedgerHead.id == 1)
    row = session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise LedgerCorrupt("the ledger has no head row: run `pracha migrate`")
    return row


def _head_size(session: Session, *, for_update: bool = False) -> int:
    query = select(HEAD.c.size).where(HEAD.c.id == 1)
    size = session.scalar(query.with_for_update() if for_update else query)
    if size is None:
        raise LedgerCorrupt("the ledger has no head row: run `pracha migrate`")
    return int(size)


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count(ENTRIES.c.id)).where(ENTRIES.c.index.is_(None))) or 0)


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive ids in an ascending list, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for entry_id in ids:
        if runs and runs[-1][1] == entry_id - 1:
            runs[-1] = (runs[-1][0], entry_id)
        else:
            runs.append((entry_id, entry_id))
    return runs


def _assign_indexes(session: Session, ids: list[int], first_index: int) -> None:
    """Entry ids[k] gets index first_index + k: one UPDATE per run of consecutive ids (one in all when
    nothing else wrote between the entries), the index computed from the id."""
    params, position = [], first_index
    for low, high in _runs(ids):
        params.append({"low": low, "high": high, "delta": position - low})
        position += high - low + 1
    session.execute(update(ENTRIES).where(ENTRIES.c.id >= bindparam("low"), ENTRIES.c.id <= bindparam("high"))
                    .values(index=ENTRIES.c.id + bindparam("delta")), params)


def sequence(session: Session, signer: note.Signer, origin: str, *, batch: int = 50_000) -> LedgerCheckpoint | None:
    """Give pending entries their indexes (in id order), grow the tiles and sign a checkpoint.
    Returns the new checkpoint, or None when nothing was pending. The caller commits."""
    size = _head_size(session, for_update=True)
    rows = session.execute(select(ENTRIES.c.id, ENTRIES.c.data).where(ENTRIES.c.index.is_(None))
                           .order_by(ENTRIES.c.id).limit(batch)).all()
    if not rows:
        return None
    writer = TileWriter(session, size)
    leaf_hash, append = merkle.leaf_hash, writer.append
    for _, data in rows:
        append(leaf_hash(data))
    _assign_indexes(session, [entry_id for entry_id, _ in rows], size)
    writer.save()
    session.execute(update(HEAD).where(HEAD.c.id == 1).values(size=writer.size))
    return _sign(session, TileReader(session, writer.tiles), signer, origin, writer.size)


def _sign(session: Session, reader: TileReader, signer: note.Signer, origin: str, size: int) -> LedgerCheckpoint:
    reader.load(_tiles_read_by(lambda node: merkle.root_from(node, size)))
    root = merkle.root_from(reader.node, size)
    text = note.format_checkpoint(note.Checkpoint(origin=origin, size=size, root=root))
    checkpoint = LedgerCheckpoint(size=size, root=root, note=note.sign(text, signer), created_at=utcnow())
    session.execute(insert(CHECKPOINTS).values(size=checkpoint.size, root=checkpoint.root, note=checkpoint.note,
                                               created_at=checkpoint.created_at))
    return checkpoint


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    return session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1))


def ensure_checkpoint(session: Session, signer: note.Signer, origin: str) -> LedgerCheckpoint:
    """The newest checkpoint, sequencing first if entries are waiting (the empty log gets one too)."""
    checkpoint = sequence(session, signer, origin) if pending_count(session) else None
    checkpoint = checkpoint or latest_checkpoint(session)
    if checkpoint is None:
        checkpoint = _sign(session, TileReader(session), signer, origin, _head_size(session, for_update=True))
    return checkpoint


# --- reading ----------------------------------------------------------------------------------------


def entry_at(session: Session, index: int) -> LedgerEntry | None:
    return session.scalar(select(LedgerEntry).where(LedgerEntry.index == index))


def _proof(session: Session, size: int, walk: Callable[[merkle.NodeReader], list[bytes]]) -> list[bytes]:
    """One query: the head's size (a tree larger than the log is refused) and the tiles the walk reads
    that the process does not hold; then the walk over the tiles."""
    reader = TileReader(session)
    current = reader.load(_tiles_read_by(walk), with_size=True)
    if current is None or size > current:
        raise BadLedgerRequest(f"บัญชีแยกประเภทมีเพียง {current} รายการ", f"The tree has only {current} entries.")
    return walk(reader.node)


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    if index < 0 or size <= 0 or index >= size:
        raise BadLedgerRequest("ต้องเป็น 0 ≤ index < tree_size", "Need 0 <= index < tree_size.")
    return _proof(session, size, lambda node: merkle.inclusion_proof_from(node, index, size))


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    if first < 0 or second < 0 or first > second:
        raise BadLedgerRequest("ต้องเป็น 0 ≤ first ≤ second", "Need 0 <= first <= second.")
    return _proof(session, second, lambda node: merkle.consistency_proof_from(node, first, second))


def held_tile(session: Session, level: int, index: int, width: int) -> bytes | None:
    """A hash tile's first `width` hashes if this process holds the full tile; no I/O."""
    if level < 0:
        return None
    full = TileReader(session).cache.get(level, index)
    return full.hashes[: width * HASH] if full is not None else None


def tile_data(session: Session, level: int, index: int, width: int) -> bytes | None:
    """A hash tile's first `width` hashes; a full tile from the process's cache when it is there."""
    reader = TileReader(session)
    full = reader.cache.get(level, index)
    if full is None:
        reader.load([(level, index)])
        full = reader.cache.get(level, index)
    data = full.hashes if full is not None else reader.rows.get((level, index))
    if data is None or len(data) < width * HASH:
        return None
    return bytes(data[: width * HASH])


def entry_bundle(session: Session, index: int, width: int) -> bytes | None:
    """C2SP tlog-tiles entry bundle: each entry as a big-endian uint16 length and its bytes."""
    first = index * TILE_WIDTH
    rows = session.scalars(select(ENTRIES.c.data).where(ENTRIES.c.index >= first, ENTRIES.c.index < first + width)
                           .order_by(ENTRIES.c.index)).all()
    if len(rows) != width:
        return None
    pack = struct.Struct(">H").pack
    return b"".join([part for data in rows for part in (pack(len(data)), data)])
