"""Issue 20, part 1: the ledger's hot path on SQLite and PostgreSQL. `record_many` writes what `record`
writes, byte for byte; sequencing without the ORM builds the same tree; proofs read full tiles from a
per-process cache in one query; tiles are served as cacheable bytes; `verify --full` over real HTTP
(a `pracha serve` process) still names a tampered entry."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rfc8785
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pracha.ledger import canonical, leaves, log, merkle, tilecache
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerEntry, LedgerOpening
from pracha.ledger.verify import verify_log
from tests.servers import process

ORIGIN = "pracha.localhost/ledger"
WHEN = dt.datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=dt.UTC)


def entries(count: int, start: int = 0) -> list[log.Entry]:
    """Entries as the services record them: about people (keyed), some public, one with Thai text."""
    out = []
    for i in range(start, start + count):
        if i % 7 == 0:
            out.append(log.Entry("opendata.published", actor="system", obj=f"dataset:{i}", record={"rows": i}))
        else:
            out.append(
                log.Entry(
                    "application.submit",
                    actor=f"user:{i % 5}",
                    obj=f"application:EA69-{i:06X}",
                    record={"i": i, "name": "สมชาย ใจดี", "flags": [True, None], "note": 'a\n"b"'},
                    subject=f"user:{i % 5}",
                    subject_secret=f"{1100000000000 + i % 5}",
                )
            )
    return out


def stored(db: Session, entry_id: int) -> tuple[str, bytes, bytes, bytes, str | None]:
    row = db.execute(
        select(LedgerEntry.kind, LedgerEntry.data, LedgerOpening.salt, LedgerOpening.body, LedgerOpening.subject)
        .join(LedgerOpening, LedgerOpening.entry_id == LedgerEntry.id)
        .where(LedgerEntry.id == entry_id)
    ).one()
    return row[0], row[1], row[2], row[3], row[4]


def sequence_all(db: Session, app: FastAPI) -> None:
    log.sequence(db, app.state.pracha.registry.get(LEDGER).signer, ORIGIN)
    db.commit()


def leaves_in_order(db: Session) -> list[bytes]:
    return list(db.scalars(select(LedgerEntry.data).where(LedgerEntry.index.is_not(None)).order_by(LedgerEntry.index)))


def test_record_many_writes_what_record_writes_byte_for_byte(db: Session, app: FastAPI) -> None:
    batch = [log.Entry(**{**e.__dict__, "time": WHEN}) for e in entries(40)]
    one_by_one = [
        log.record(
            db,
            e.kind,
            actor=e.actor,
            obj=e.obj,
            record=e.record,
            subject=e.subject,
            subject_secret=e.subject_secret,
            time=WHEN,
        )
        for e in batch
    ]
    db.commit()
    ids = log.record_many(db, batch)
    db.commit()
    assert ids == sorted(ids) and min(ids) > max(e.id for e in one_by_one)
    for single, batch_id, e in zip(one_by_one, ids, batch, strict=True):
        kind, data, salt, body, subject = stored(db, batch_id)
        assert single.opening is not None and salt != single.opening.salt  # a fresh salt each
        assert (kind, subject) == (single.kind, e.subject) and body == single.opening.body
        # With the same salt the leaf is the same bytes: only the salt differs.
        assert leaves.public_leaf(e.kind, e.obj, salt=single.opening.salt, body=body, time=WHEN) == single.data
        assert leaves.public_leaf(e.kind, e.obj, salt=salt, body=body, time=WHEN) == data
        assert leaves.open_leaf(data, salt, body)["object"] == e.obj

    sequence_all(db, app)
    all_leaves = leaves_in_order(db)
    assert all_leaves[:40] == [e.data for e in one_by_one] and len(all_leaves) == 80
    checkpoint = log.latest_checkpoint(db)
    assert checkpoint is not None and checkpoint.root == merkle.root(all_leaves)


def test_record_many_is_in_the_callers_transaction(db: Session) -> None:
    log.record(db, "test.event", actor="system", obj="test:lost")
    log.record_many(db, entries(3))
    db.rollback()
    assert db.scalar(select(LedgerEntry.id)) is None and db.scalar(select(LedgerOpening.entry_id)) is None
    first = log.record(db, "test.event", actor="system", obj="test:first")  # not flushed yet …
    ids = log.record_many(db, entries(3))
    db.commit()
    assert first.id < ids[0] and log.record_many(db, []) == []  # … but it keeps its place before the batch


def test_batches_build_the_same_tree_as_the_reference(db: Session, app: FastAPI) -> None:
    """Sequencing in uneven batches across tile boundaries: tiles, roots and proofs as RFC 9162 computes
    them from the leaves (merkle.py), and every signed checkpoint's root right for its size."""
    signer = app.state.pracha.registry.get(LEDGER).signer
    log.record_many(db, entries(700))
    db.commit()
    sizes = []
    for batch in (1, 254, 1, 300, 144):
        checkpoint = log.sequence(db, signer, ORIGIN, batch=batch)
        db.commit()
        assert checkpoint is not None
        sizes.append(checkpoint.size)
    assert sizes == [1, 255, 256, 556, 700] and log.sequence(db, signer, ORIGIN) is None
    all_leaves = leaves_in_order(db)
    for size in sizes:
        stored_root = db.scalar(text("SELECT root FROM ledger_checkpoints WHERE size = :s"), {"s": size})
        assert stored_root == merkle.root(all_leaves[:size])
    for index, size in [(0, 700), (255, 256), (256, 700), (699, 700), (300, 556), (511, 513)]:
        assert log.inclusion_proof(db, index, size) == merkle.inclusion_proof(all_leaves[:size], index)
    for old, new in [(1, 700), (255, 256), (256, 512), (257, 700), (700, 700)]:
        assert log.consistency_proof(db, old, new) == merkle.consistency_proof(all_leaves[:new], old)


@pytest.fixture
def statements(db: Session) -> Iterator[list[str]]:
    """The SELECTs sent to the database while the test runs."""
    seen: list[str] = []
    engine = db.get_bind()
    assert isinstance(engine, Engine)

    def note_statement(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note_statement)
    yield seen
    event.remove(engine, "before_cursor_execute", note_statement)


def test_proofs_from_the_tile_cache_equal_proofs_from_the_database(
    db: Session, app: FastAPI, statements: list[str]
) -> None:
    log.record_many(db, entries(600))  # two full level-0 tiles, a partial one, a partial level-1 tile
    db.commit()
    sequence_all(db, app)
    all_leaves = leaves_in_order(db)
    cache = tilecache.for_database(db.get_bind().pool)
    cache.clear()
    cases = [(0, 600), (255, 600), (256, 600), (599, 600), (100, 512), (511, 513), (3, 5)]
    with app.state.pracha.db.sessions() as cold:
        from_database = []
        for index, size in cases:
            statements.clear()
            from_database.append(log.inclusion_proof(cold, index, size))
            assert len(statements) == 1  # the head's size and the tiles not held, in one query
    assert set(cache._tiles) == {(0, 0), (0, 1)}  # only full tiles: never (0, 2) or (1, 0), which grow
    with app.state.pracha.db.sessions() as warm:
        for (index, size), expected in zip(cases, from_database, strict=True):
            statements.clear()
            assert (
                log.inclusion_proof(warm, index, size) == expected == merkle.inclusion_proof(all_leaves[:size], index)
            )
            assert len(statements) == 1
        for old, new in [(1, 600), (256, 600), (300, 513)]:
            statements.clear()
            assert log.consistency_proof(warm, old, new) == merkle.consistency_proof(all_leaves[:new], old)
            assert len(statements) == 1


def test_a_tile_written_in_this_session_is_not_cached_before_it_is_committed(db: Session, app: FastAPI) -> None:
    log.record_many(db, entries(256))
    db.commit()
    cache = tilecache.for_database(db.get_bind().pool)
    cache.clear()
    log.sequence(db, app.state.pracha.registry.get(LEDGER).signer, ORIGIN)
    log.inclusion_proof(db, 0, 256)  # reads the full tile (0, 0) this uncommitted transaction wrote
    assert (0, 0) not in cache
    db.rollback()
    assert log.head(db).size == 0 and (0, 0) not in cache


def test_the_cache_is_bounded_and_keeps_only_full_tiles() -> None:
    cache = tilecache.TileCache(limit=3)
    full = [bytes([n]) * tilecache.FULL for n in range(5)]
    assert cache.admit(0, 9, full[0][:-32]) is None and len(cache) == 0  # 255 hashes: partial, not kept
    for n in range(3):
        assert cache.admit(0, n, full[n]) is not None
    assert cache.get(0, 0) is not None  # used: now the most recent
    cache.admit(0, 3, full[3])
    cache.admit(0, 4, full[4])
    assert len(cache) == 3 and cache.get(0, 1) is None and cache.get(0, 2) is None
    tile = cache.get(0, 0)
    assert tile is not None and tile.hashes == full[0]
    hashes = [full[0][i : i + 32] for i in range(0, tilecache.FULL, 32)]
    assert tile.root == merkle.root_from_hashes(hashes)
    assert tile.node(8, 8) == merkle.root_from_hashes(hashes[8:16]) and tile.node(5, 1) == hashes[5]


def test_full_and_partial_tiles_are_served_with_their_cache_headers(
    db: Session, client: TestClient, app: FastAPI
) -> None:
    log.record_many(db, entries(300))
    db.commit()
    assert client.get("/ledger/checkpoint").status_code == 200  # sequences
    for path in ("/ledger/tile/0/000", "/ledger/tile/entries/000"):
        full = client.get(path)
        assert full.status_code == 200 and full.headers["cache-control"] == "public, max-age=31536000, immutable"
        etag = full.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    for path in ("/ledger/tile/0/001.p/44", "/ledger/tile/1/000.p/1", "/ledger/tile/entries/001.p/44"):
        partial = client.get(path)
        assert partial.status_code == 200 and partial.headers["cache-control"] == "no-cache" and partial.headers["etag"]
    assert len(client.get("/ledger/tile/0/001.p/44").content) == 44 * 32
    assert client.get("/ledger/tile/0/001").status_code == 400  # not full yet


def test_verify_full_over_real_http_catches_a_tampered_entry(
    db: Session, app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    log.record_many(db, entries(600))
    db.commit()
    key = verifier_key(app.state.pracha.registry.get(LEDGER).signer)
    env = {
        "PRACHA_DATABASE_URL": database_url,
        "PRACHA_VAR_DIR": str(app.state.pracha.settings.var_dir),
        "PRACHA_SECRET_KEY": "test-secret",
        "PRACHA_WARM_UP": "false",
    }
    with process(["serve"], env, tmp_path, "ledger") as url:
        good = verify_log(url, key, full=True)
        assert good.ok and good.size == 600
        assert httpx.get(f"{url}/ledger/tile/0/000").headers["cache-control"].endswith("immutable")
        if db.get_bind().dialect.name == "sqlite":
            db.execute(text("DROP TRIGGER ledger_entries_append_only_update"))
        else:
            db.execute(text("DROP TRIGGER ledger_entries_append_only ON ledger_entries"))
        db.execute(text('UPDATE ledger_entries SET data = :forged WHERE "index" = 300'), {"forged": b'{"forged":1}'})
        db.commit()
        bad = verify_log(url, key, full=True)
    assert not bad.ok and bad.first_bad_index == 300 and "300" in bad.message


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(deadline=None)
@given(JSON)
def test_canonical_json_is_rfc_8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as exc:  # noqa: BLE001 - what rfc8785 refuses, canonical refuses alike
        with pytest.raises(type(exc)):
            canonical.dumps(value)
        return
    assert canonical.dumps(value) == expected


def test_canonical_json_refuses_what_rfc_8785_refuses() -> None:
    for bad, error in [
        ({"x": math.nan}, rfc8785.FloatDomainError),
        ({"x": "\ud800"}, rfc8785.CanonicalizationError),
        ({"x": 2**60}, rfc8785.IntegerDomainError),
        ({1: "a"}, rfc8785.CanonicalizationError),
    ]:
        with pytest.raises(error):
            canonical.dumps(bad)


@settings(deadline=None)
@given(
    st.text(),
    st.text(),
    st.text(),
    st.none() | st.text(),
    st.binary(min_size=32, max_size=32),
    st.sampled_from(["application.submit", "opendata.published"]),
)
def test_statement_and_leaf_are_rfc_8785(
    actor: str, obj: str, digest: str, subject: str | None, salt: bytes, kind: str
) -> None:
    fields = {
        "v": 2,
        "kind": kind,
        "time": leaves.exact_time(WHEN),
        "actor": actor,
        "object": obj,
        "digest": digest,
        "subject": subject,
    }
    try:
        expected = rfc8785.dumps(fields)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            leaves.statement(kind, actor=actor, obj=obj, digest=digest, subject=subject, time=WHEN)
        return
    body = leaves.statement(kind, actor=actor, obj=obj, digest=digest, subject=subject, time=WHEN)
    assert body == expected
    leaf = {
        "v": 2,
        "category": kind if leaves.is_public(kind) else "sealed",
        "time": leaves.coarse_time(WHEN),
        "commitment": leaves.commitment(salt, body),
        **({"object": obj} if leaves.is_public(kind) else {}),
    }
    assert leaves.public_leaf(kind, obj, salt=salt, body=body, time=WHEN) == rfc8785.dumps(leaf)
