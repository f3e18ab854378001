"""Finding 3 of issue 13: `pracha ledger verify --full` compared the entry bundles with level-1 tiles
only, so a corrupted level-0 tile (which gives 255 entries invalid proofs) passed. Every level is now
recomputed from the entries and compared with every served tile."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.ledger import log, merkle, tilecache
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerTile
from pracha.ledger.verify import verify_log


def fill(db: Session, count: int) -> None:
    for i in range(count):
        log.record(db, "test.event", actor="system", obj=f"test:{i}")
    db.commit()


def corrupt(db: Session, level: int, index: int, position: int) -> None:
    """Flip one bit of the hash at `position` in a stored tile row (what a disk or an attacker might do).
    The server process keeps the full tiles it has read (`tilecache`), so it goes on serving the good
    copy; what is checked is what a process that has not read the tile yet (a new worker) serves."""
    hashes = bytearray(db.scalar(select(LedgerTile.hashes).where(LedgerTile.level == level,
                                                                 LedgerTile.index == index)) or b"")
    hashes[position * 32] ^= 0x01
    db.execute(update(LedgerTile).where(LedgerTile.level == level, LedgerTile.index == index)
               .values(hashes=bytes(hashes)))
    db.commit()
    tilecache.for_database(db.get_bind().pool).clear()


def test_finding_3_full_verify_fails_on_a_corrupt_level_0_tile(db: Session, client: TestClient,
                                                               app: FastAPI) -> None:
    key = verifier_key(app.state.pracha.registry.get(LEDGER).signer)
    fill(db, 300)  # one full level-0 tile, a partial one, and a level-1 tile of width 1
    assert verify_log("http://testserver", key, full=True, client=client).ok
    corrupt(db, 0, 0, 10)
    proof = client.get("/api/v1/ledger/proof/inclusion", params={"index": 20, "tree_size": 300}).json()["proof"]
    entry = client.get("/api/v1/ledger/entries/20").json()
    checkpoint = log.latest_checkpoint(db)
    assert checkpoint is not None and not merkle.verify_inclusion(  # the harm: honest entries, failing proofs
        bytes.fromhex(entry["leaf_hash"]), 20, 300, [bytes.fromhex(h) for h in proof], checkpoint.root)

    result = verify_log("http://testserver", key, full=True, client=client)
    assert not result.ok and result.first_bad_index == 10
    assert "tile/0/000 (level 0)" in result.message and "corrupt" in result.message
    assert verify_log("http://testserver", key, full=False, client=client).ok  # only --full reads tiles


def test_full_verify_fails_on_a_corrupt_upper_or_partial_tile(db: Session, client: TestClient, app: FastAPI) -> None:
    key = verifier_key(app.state.pracha.registry.get(LEDGER).signer)
    fill(db, 300)
    client.get("/ledger/checkpoint")
    corrupt(db, 0, 1, 5)  # the partial level-0 tile (entries 256..299)
    partial = verify_log("http://testserver", key, full=True, client=client)
    assert not partial.ok and partial.first_bad_index == 261 and "tile/0/001" in partial.message
    corrupt(db, 0, 1, 5)  # repaired
    assert verify_log("http://testserver", key, full=True, client=client).ok
    corrupt(db, 1, 0, 0)  # the level-1 hash of the first 256 entries
    upper = verify_log("http://testserver", key, full=True, client=client)
    assert not upper.ok and "(level 1)" in upper.message and upper.first_bad_index == 0
