"""The ledger in the database, on SQLite and PostgreSQL: recording in the caller's transaction,
sequencing in batches into tiles, proofs from the tiles, commitments and erasure, append-only."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pracha.ledger import log, merkle, note
from pracha.ledger.audit import statement_of
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerEntry, LedgerOpening, LedgerTile

ORIGIN = "pracha.localhost/ledger"


def fill(db: Session, count: int, *, start: int = 0) -> None:
    for i in range(start, start + count):
        log.record(db, "test.event", actor="system", obj=f"test:{i}", record={"i": i})
    db.commit()


def all_leaves(db: Session) -> list[bytes]:
    return list(db.scalars(select(LedgerEntry.data).where(LedgerEntry.index.is_not(None)).order_by(LedgerEntry.index)))


def test_sequence_builds_tiles_and_signed_checkpoint(db: Session, app: FastAPI) -> None:
    signer = app.state.pracha.registry.get(LEDGER).signer
    fill(db, 70)
    first = log.sequence(db, signer, ORIGIN, batch=50)
    db.commit()
    assert first is not None and first.size == 50
    fill(db, 600, start=70)  # crosses into a level-1 tile (256 leaves) and beyond
    while log.sequence(db, signer, ORIGIN, batch=250):
        db.commit()
    leaves = all_leaves(db)
    assert len(leaves) == 670 and log.head(db).size == 670
    checkpoint = log.latest_checkpoint(db)
    assert checkpoint is not None and checkpoint.size == 670
    assert checkpoint.root == merkle.root(leaves)
    signed = note.open_note(checkpoint.note, [note.new_verifier(verifier_key(signer))])
    assert note.parse_checkpoint(signed.text) == note.Checkpoint(ORIGIN, 670, checkpoint.root)
    assert db.scalar(select(func.count()).select_from(LedgerTile).where(LedgerTile.level == 1)) == 1
    for index, size in [(0, 1), (0, 670), (255, 256), (256, 670), (669, 670), (300, 512), (511, 513)]:
        assert log.inclusion_proof(db, index, size) == merkle.inclusion_proof(leaves[:size], index)
    for old, new in [(1, 670), (50, 670), (256, 512), (257, 670), (670, 670), (0, 10)]:
        assert log.consistency_proof(db, old, new) == merkle.consistency_proof(leaves[:new], old)
        assert merkle.verify_consistency(old, new, merkle.root(leaves[:old]), merkle.root(leaves[:new]),
                                         log.consistency_proof(db, old, new))


def test_an_entry_commits_with_its_change_or_not_at_all(db: Session) -> None:
    log.record(db, "test.event", actor="system", obj="test:kept")
    db.commit()
    log.record(db, "test.event", actor="system", obj="test:lost")
    db.rollback()
    statements = [statement_of(db, e) for e in db.scalars(select(LedgerEntry))]
    assert [s["object"] for s in statements if s] == ["test:kept"]
    assert db.scalar(select(func.count()).select_from(LedgerOpening)) == 1


def test_leaves_hold_commitments_not_personal_data(db: Session, app: FastAPI) -> None:
    national_id = "1101700203450"
    entry = log.record(db, "application.submit", actor="user:7", obj="application:EA69-ABCDEF",
                       record={"bank_account": "1234567890", "status": "submitted"},
                       subject="user:7", subject_secret=national_id)
    db.commit()
    raw = entry.data
    leaf = json.loads(raw)
    assert raw == json.dumps(leaf, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()  # RFC 8785
    assert set(leaf) == {"v", "category", "time", "commitment"} and leaf["category"] == "sealed"
    for secret in (national_id, "1234567890", "user:7", "EA69", "application", "submit"):
        assert secret.encode() not in raw
    key = log.subject_key(db, "user:7", create=False)
    assert key is not None
    stated = statement_of(db, entry)  # the opening, kept server side, re-derives the commitment
    assert stated is not None and (stated["kind"], stated["actor"]) == ("application.submit", "user:7")
    assert stated["subject"] == "hmac-sha256:" + hmac.new(key, national_id.encode(), hashlib.sha256).hexdigest()
    assert set(stated) == {"v", "kind", "time", "actor", "object", "digest", "subject"}

    log.sequence(db, app.state.pracha.registry.get(LEDGER).signer, ORIGIN)
    db.commit()
    before = log.latest_checkpoint(db)
    assert log.erase_subject(db, "user:7")  # PDPA erasure: the key and the openings go
    db.commit()
    assert log.subject_key(db, "user:7", create=False) is None
    assert db.get(LedgerOpening, entry.id) is None and statement_of(db, entry) is None
    assert all_leaves(db) == [raw]  # the log is unchanged and still verifies
    assert before is not None and merkle.root(all_leaves(db)) == before.root


def test_entries_are_append_only(db: Session, app: FastAPI) -> None:
    fill(db, 3)
    log.sequence(db, app.state.pracha.registry.get(LEDGER).signer, ORIGIN)
    db.commit()
    for statement in ("UPDATE ledger_entries SET data = :x WHERE \"index\" = 1",
                      "UPDATE ledger_entries SET \"index\" = 7 WHERE \"index\" = 1",
                      "DELETE FROM ledger_entries WHERE \"index\" = 2"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement), {"x": b"{}"})
        db.rollback()
    assert len(all_leaves(db)) == 3


def test_bad_proof_requests(db: Session, app: FastAPI) -> None:
    fill(db, 5)
    log.sequence(db, app.state.pracha.registry.get(LEDGER).signer, ORIGIN)
    db.commit()
    from pracha.ledger.errors import BadLedgerRequest

    for index, size in [(-1, 5), (5, 5), (0, 6), (0, 0)]:
        with pytest.raises(BadLedgerRequest):
            log.inclusion_proof(db, index, size)
    for first, second in [(3, 2), (-1, 2), (0, 6)]:
        with pytest.raises(BadLedgerRequest):
            log.consistency_proof(db, first, second)
