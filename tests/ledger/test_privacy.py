"""Finding 1 of issue 13 (the ledger's part): the public log linked a citizen's applications (the same
`subject` commitment and `user:N` in every entry, references naming the service, kinds naming the
decision). The demo's public log is read whole, as anyone can, and nothing in it links two entries or
names a person, a reference, a service or a decision; the holder of a receipt proves their entry; the
auditor recounts from the stored openings; erasure leaves the log verifiable and the entries unopenable;
an old log is upgraded by appending."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pracha.demo import seed_demo
from pracha.identity.models import User
from pracha.ledger import leaves, log, note, receipts, tiles
from pracha.ledger.audit import audit, statement_of
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerEntry, LedgerOpening
from pracha.ledger.verify import parse_bundle, verify_log
from pracha.services.hooks import CATALOG
from pracha.services.models import Application, ApplicationEvent

PUBLIC_FIELDS = {"v", "category", "time", "commitment"}


def public_log(client: TestClient, key: str) -> list[bytes]:
    """Every entry as the public reads it: the signed checkpoint, then the entry bundles (C2SP tiles)."""
    checkpoint = note.parse_checkpoint(note.open_note(client.get("/ledger/checkpoint").text,
                                                      [note.new_verifier(key)]).text)
    entries: list[bytes] = []
    for first in range(0, checkpoint.size, tiles.TILE_WIDTH):
        width = min(tiles.TILE_WIDTH, checkpoint.size - first)
        reply = client.get("/ledger/" + tiles.entries_path(first // tiles.TILE_WIDTH, width))
        assert reply.status_code == 200
        entries += parse_bundle(reply.content)
    assert len(entries) == checkpoint.size
    return entries


def test_finding_1_the_demo_public_log_links_no_two_entries(db: Session, client: TestClient, app: FastAPI,
                                                            tmp_path: Path) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    seed_demo(db, catalog, citizens=60, seed=2569, upload_dir=tmp_path / "uploads")
    key = verifier_key(app.state.pracha.registry.get(LEDGER).signer)
    entries = public_log(client, key)
    kinds = Counter(db.scalars(select(LedgerEntry.kind)))
    assert len(entries) > 300 and kinds["application.submit"] > 50  # a real demo log, several tiles

    seen: Counter[str] = Counter()
    for raw in entries:
        leaf = json.loads(raw)
        assert leaf["v"] == 2
        if leaf["category"] != leaves.SEALED:  # kinds meant to be public stay readable and countable
            assert leaves.is_public(leaf["category"]), leaf
            continue
        assert set(leaf) == PUBLIC_FIELDS and len(leaf["time"]) == len("2026-11-25")
        seen.update(v for k, v in leaf.items() if k not in ("v", "category", "time"))
    assert seen and max(seen.values()) == 1  # no value repeats across entries about persons
    assert len({len(raw) for raw in entries if b'"sealed"' in raw}) == 1  # nor does a length tell them apart

    everything = b"\n".join(entries)
    forbidden = {f"user:{i}" for i in db.scalars(select(User.id))}
    forbidden |= {nid for nid in db.scalars(select(User.national_id)) if nid}
    forbidden |= set(db.scalars(select(Application.reference)))
    forbidden |= {ref.split("-")[0] + "-" for ref in db.scalars(select(Application.reference))}  # service prefix
    forbidden |= set(catalog.services) | set(catalog.agencies) | {"application", "automation", "certificate", "consent"}
    forbidden |= {k for k in kinds if not leaves.is_public(k)} | {"submit", "approve", "reject", "withdraw"}
    found = sorted(word for word in forbidden if word.encode() in everything)
    assert not found, found
    entry = client.get("/api/v1/ledger/entries/0").json()  # the JSON view shows no more than the bundle
    assert entry["kind"] in (leaves.SEALED, *[k for k in kinds if leaves.is_public(k)])
    assert entry["canonical"].encode() == entries[0]


def test_a_receipt_proves_its_entry_and_the_audit_recounts(db: Session, client: TestClient, app: FastAPI,
                                                           tmp_path: Path) -> None:
    catalog = app.state.pracha.registry.get(CATALOG)
    seed_demo(db, catalog, citizens=20, seed=7, upload_dir=tmp_path / "uploads")
    ledger = app.state.pracha.registry.get(LEDGER)
    key = verifier_key(ledger.signer)
    client.get("/ledger/checkpoint")
    db.rollback()
    event = db.scalar(select(ApplicationEvent).where(ApplicationEvent.ledger_entry_id.is_not(None),
                                                     ApplicationEvent.action == "approve").limit(1))
    assert event is not None
    application = db.get(Application, event.application_id)
    assert application is not None
    citizen = application.citizen

    receipt = ledger.receipt(db, event.ledger_entry_id)
    check = receipts.verify_receipt(json.loads(json.dumps(receipt)), key)  # as downloaded: plain JSON
    assert check.ok and check.statement is not None
    assert (check.statement["kind"], check.statement["object"]) == ("application.approve",
                                                                     f"application:{application.reference}")
    subject_key = log.subject_key(db, f"user:{citizen.id}", create=False)
    assert subject_key is not None and check.statement["subject"] == "hmac-sha256:" + hmac.new(
        subject_key, citizen.national_id.encode(), hashlib.sha256).hexdigest()
    assert application.reference in check.message_en
    forged = json.loads(json.dumps(receipt))
    forged["opening"]["statement"] = forged["opening"]["statement"].replace("application.approve",
                                                                            "application.reject")
    forged["statement"] = json.loads(forged["opening"]["statement"])
    assert not receipts.verify_receipt(forged, key).ok  # the opening cannot be bent to say something else

    result = audit(db)
    by_column = Counter(db.scalars(select(LedgerEntry.kind).where(LedgerEntry.index.is_not(None))))
    assert result.ok and result.size == sum(by_column.values()) and result.by_kind == by_column
    assert result.formats == Counter({2: result.size}) and result.erased == 0
    assert result.public[leaves.SEALED] == sum(n for k, n in by_column.items() if not leaves.is_public(k))

    mine = db.scalar(select(func.count()).select_from(LedgerOpening)
                     .where(LedgerOpening.subject == f"user:{citizen.id}"))
    assert mine and log.erase_subject(db, f"user:{citizen.id}")  # PDPA erasure
    db.commit()
    after = audit(db)
    assert after.ok and after.erased == mine and sum(after.by_kind.values()) == result.size - mine
    entry = db.get(LedgerEntry, event.ledger_entry_id)
    assert entry is not None and statement_of(db, entry) is None
    assert ledger.receipt(db, entry.id)["opening"] is None  # nobody can open it again …
    assert receipts.verify_receipt(receipt, key).ok  # … but the receipt the citizen kept still proves it
    assert verify_log("http://testserver", key, full=True, client=client).ok  # and the log still verifies


def test_an_old_log_is_upgraded_by_appending_a_format_marker(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from pracha.db import make_sessionmaker
    from pracha.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    old = log.leaf_v1("application.submit", actor="user:7", obj="application:EA69-ABCDEF", record={"x": 1},
                      key=b"k" * 32, subject_secret="1101700203450", time=log.utcnow())
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO ledger_entries (kind, data, created_at) VALUES (:k, :d, :t)"),
                           {"k": "application.submit", "d": old, "t": "2026-11-01 00:00:00"})
    command.upgrade(alembic_config(url), "head")
    with make_sessionmaker(engine)() as session:
        rows = list(session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))
        assert [r.data for r in rows[:1]] == [old]  # never rewritten
        marker = json.loads(rows[1].data)
        assert (marker["v"], marker["category"], marker["object"]) == (2, "ledger.format", "format:2")
        assert statement_of(session, rows[1]) is not None
        assert statement_of(session, rows[0]) == json.loads(old)  # a format-1 leaf is its own statement
        newer = log.record(session, "application.approve", actor="user:8", obj="application:EA69-ABCDEG")
        session.commit()
        assert json.loads(newer.data)["category"] == leaves.SEALED
    engine.dispose()
