"""The ledger seen from outside, over HTTP: checkpoint, tiles, entries, proofs, receipts, the full
verifier (which names the first bad index after tampering), witnesses and the public page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pracha.cli import app as cli
from pracha.config import Settings
from pracha.ledger import log, merkle, note, receipts, tiles
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerEntry
from pracha.ledger.verify import parse_bundle, verify_log
from pracha.ledger.witness import cosign
from pracha.web.app import create_app
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import act, ready_application


def fill(db: Session, count: int) -> None:
    for i in range(count):
        log.record(db, "test.event", actor="system", obj=f"test:{i}")
    db.commit()


def key_of(app: FastAPI) -> str:
    return verifier_key(app.state.pracha.registry.get(LEDGER).signer)


def test_checkpoint_tiles_entries_and_proofs(db: Session, client: TestClient, app: FastAPI) -> None:
    fill(db, 300)
    body = client.get("/ledger/checkpoint")
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/plain")
    checkpoint = note.parse_checkpoint(note.open_note(body.text, [note.new_verifier(key_of(app))]).text)
    assert checkpoint.size == 300
    assert client.get("/ledger/key").text.strip() == key_of(app)

    bundle = client.get("/ledger/" + tiles.entries_path(1, 44))
    entries = parse_bundle(bundle.content)
    stored = db.scalars(select(LedgerEntry.data).where(LedgerEntry.index >= 256).order_by(LedgerEntry.index))
    assert entries == list(stored)
    assert len(entries) == 44 and json.loads(entries[0])["category"] == "sealed"
    tile0 = client.get("/ledger/" + tiles.tile_path(tiles.Tile(0, 0)))
    assert tile0.status_code == 200 and len(tile0.content) == 256 * 32
    assert "immutable" in tile0.headers["cache-control"]
    level1 = client.get("/ledger/" + tiles.tile_path(tiles.Tile(1, 0, 1)))
    assert level1.content == merkle.root([bytes(e) for e in parse_bundle(
        client.get("/ledger/" + tiles.entries_path(0)).content)])

    entry = client.get("/api/v1/ledger/entries/257").json()
    assert entry["kind"] == "sealed" and set(entry["entry"]) == {"v", "category", "time", "commitment"}
    leaf_hash = bytes.fromhex(entry["leaf_hash"])
    proof = client.get("/api/v1/ledger/proof/inclusion", params={"index": 257, "tree_size": 300}).json()
    assert merkle.verify_inclusion(leaf_hash, 257, 300, [bytes.fromhex(h) for h in proof["proof"]], checkpoint.root)
    fill(db, 20)
    newer = note.parse_checkpoint(note.open_note(client.get("/ledger/checkpoint").text,
                                                 [note.new_verifier(key_of(app))]).text)
    consistency = client.get("/api/v1/ledger/proof/consistency", params={"first": 300, "second": 320}).json()
    assert merkle.verify_consistency(300, 320, checkpoint.root, newer.root,
                                     [bytes.fromhex(h) for h in consistency["proof"]])


def test_bad_parameters_get_400_with_a_message(client: TestClient, db: Session) -> None:
    fill(db, 4)
    client.get("/ledger/checkpoint")
    for path, params in [
        ("/api/v1/ledger/proof/inclusion", {"index": 4, "tree_size": 4}),
        ("/api/v1/ledger/proof/inclusion", {"index": 0, "tree_size": 99}),
        ("/api/v1/ledger/proof/consistency", {"first": 3, "second": 2}),
        ("/api/v1/ledger/proof/consistency", {"first": 1, "second": 99}),
        ("/api/v1/ledger/entries/99", {}),
    ]:
        response = client.get(path, params=params, headers={"Accept-Language": "en"})
        assert response.status_code == 400, (path, params)
        assert response.json()["error"] == "bad_ledger_request" and response.json()["message"]
    for bad in ("/ledger/tile/0/001", "/ledger/tile/0/x001", "/ledger/tile/0/000.p/256", "/ledger/tile/../etc"):
        assert client.get(bad).status_code in (400, 404), bad
    assert client.get("/api/v1/ledger/proof/inclusion", params={"index": "x", "tree_size": 4}).status_code == 422
    # negative (and beyond 64-bit) positions are out of the declared range: 422 before the ledger is asked
    for path, params in [("/api/v1/ledger/proof/inclusion", {"index": -1, "tree_size": 4}),
                         ("/api/v1/ledger/proof/consistency", {"first": -2, "second": 2}),
                         ("/api/v1/ledger/entries/-1", {})]:
        assert client.get(path, params=params).status_code == 422, (path, params)


def test_receipts_for_submission_and_decision(db: Session, make_client: Callable[..., TestClient], app: FastAPI,
                                              tmp_path: Path) -> None:
    citizen, officer = make_client(), make_client()
    csrf = sign_in(db, citizen, create_citizen(db))
    officer_csrf = sign_in(db, officer, create_staff(db, "officer", "cm-elderly-welfare"))
    reference = ready_application(citizen, csrf)
    act(citizen, csrf, reference, "submit")
    act(officer, officer_csrf, reference, "review")
    act(officer, officer_csrf, reference, "approve")
    events = citizen.get(f"/api/v1/applications/{reference}").json()["events"]
    assert events[0]["receipt_url"] is None  # the private draft is not in the public log
    decision = events[-1]
    response = citizen.get(decision["receipt_url"])
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    receipt = response.json()
    assert receipt["leaf"]["category"] == "sealed" and reference not in json.dumps(receipt["leaf"])
    assert receipt["statement"]["kind"] == "application.approve"
    assert receipt["statement"]["object"] == f"application:{reference}"
    checked = receipts.verify_receipt(receipt, key_of(app))
    assert checked.ok and checked.statement == receipt["statement"]
    page = citizen.get(f"/applications/{reference}")
    assert f"/api/v1/ledger/entries/{receipt['index']}" in page.text

    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    runner = CliRunner()
    ok = runner.invoke(cli, ["ledger", "verify-receipt", str(path), "--key", key_of(app)])
    assert ok.exit_code == 0 and "Valid" in ok.output
    tampered = {**receipt, "leaf": {**receipt["leaf"], "category": "application.reject"}}
    path.write_text(json.dumps(tampered))
    bad = runner.invoke(cli, ["ledger", "verify-receipt", str(path), "--key", key_of(app)])
    assert bad.exit_code == 1
    other_key = note.generate_key("pracha.localhost/ledger")[1]
    assert not receipts.verify_receipt(receipt, other_key).ok
    wrong_proof = {**receipt, "index": receipt["index"] - 1}
    assert not receipts.verify_receipt(wrong_proof, key_of(app)).ok
    assert not receipts.verify_receipt({"format": "x"}, key_of(app)).ok

    stranger = make_client()
    sign_in(db, stranger, create_citizen(db))
    assert stranger.get(decision["receipt_url"]).status_code == 404


def test_public_page_checks_a_pasted_receipt(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    url = client.get(f"/api/v1/applications/{reference}").json()["events"][-1]["receipt_url"]
    receipt = client.get(url).text
    page = client.get("/ledger")
    assert page.status_code == 200 and 'id="ledger-size">1<' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    act(client, csrf, reference, "withdraw")  # an entry waiting to be sequenced when the receipt is checked
    good = client.post("/ledger/verify", data={"receipt": receipt, "csrf_token": token})
    assert good.status_code == 200 and "ถูกต้อง" in good.text and 'id="ledger-size">2<' in good.text
    bad = client.post("/ledger/verify", data={"receipt": receipt.replace('"index":', '"index": 1, "x":'),
                                              "csrf_token": token})
    assert bad.status_code == 422
    junk = client.post("/ledger/verify", data={"receipt": "<script>", "csrf_token": token})
    assert junk.status_code == 422 and "<script>" not in junk.text


OPENINGS_OF = "DELETE FROM ledger_openings WHERE entry_id IN (SELECT id FROM ledger_entries WHERE \"index\" {})"


def _tamper(db: Session, *statements: str, **params: object) -> None:
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("DROP TRIGGER ledger_entries_append_only_update"))
        db.execute(text("DROP TRIGGER ledger_entries_append_only_delete"))
    else:
        db.execute(text("DROP TRIGGER ledger_entries_append_only ON ledger_entries"))
    for statement in statements:
        db.execute(text(statement), params)
    db.commit()


def test_full_verification_passes_then_names_the_first_bad_index(db: Session, client: TestClient, app: FastAPI,
                                                                 tmp_path: Path) -> None:
    fill(db, 600)
    state = tmp_path / "state"
    assert verify_log("http://testserver", key_of(app), state=state, full=True, client=client).ok
    _tamper(db, "UPDATE ledger_entries SET data = :forged WHERE \"index\" = 300", forged=b'{"forged":1}')
    edited = verify_log("http://testserver", key_of(app), state=state, full=True, client=client)
    assert not edited.ok and edited.first_bad_index == 300


def test_deletion_reordering_and_truncation_are_caught(db: Session, client: TestClient, app: FastAPI,
                                                       tmp_path: Path) -> None:
    fill(db, 300)
    state = tmp_path / "state"
    assert verify_log("http://testserver", key_of(app), state=state, full=True, client=client).ok
    _tamper(db, OPENINGS_OF.format("= 100"), "DELETE FROM ledger_entries WHERE \"index\" = 100")
    deleted = verify_log("http://testserver", key_of(app), full=True, client=client)
    assert not deleted.ok and deleted.first_bad_index == 100
    db.execute(text("UPDATE ledger_entries SET \"index\" = 100 WHERE \"index\" = 101"))  # close the gap …
    db.execute(text("UPDATE ledger_entries SET \"index\" = -1 WHERE \"index\" = 250"))  # … and swap two
    db.execute(text("UPDATE ledger_entries SET \"index\" = 250 WHERE \"index\" = 251"))
    db.execute(text("UPDATE ledger_entries SET \"index\" = 251 WHERE \"index\" = -1"))
    db.commit()
    reordered = verify_log("http://testserver", key_of(app), full=True, client=client)
    assert not reordered.ok and reordered.first_bad_index == 100
    # Truncation: drop the tail and everything that described it.
    for statement in (OPENINGS_OF.format(">= 200"), "DELETE FROM ledger_entries WHERE \"index\" >= 200",
                      "DELETE FROM ledger_tiles",
                      "DELETE FROM ledger_checkpoints", "UPDATE ledger_head SET size = 0"):
        db.execute(text(statement))
    db.commit()
    truncated = verify_log("http://testserver", key_of(app), state=state, client=client)
    assert not truncated.ok and "shrank" in truncated.message


def test_witness_cosigns_only_consistent_checkpoints(db: Session, make_settings: Callable[..., Settings],
                                                     tmp_path: Path) -> None:
    witness_skey, witness_vkey = note.generate_key("witness.dga.example/pracha")
    app = create_app(make_settings(ledger_witnesses=witness_vkey))
    client = TestClient(app)
    fill(db, 10)
    state = tmp_path / "witness-state"
    cosign("http://testserver", log_key=key_of(app), witness_skey=witness_skey, state=state, client=client)
    served = client.get("/ledger/checkpoint").text
    signed = note.open_note(served, [note.new_verifier(key_of(app)), note.new_verifier(witness_vkey)])
    assert {v.name for v in signed.verified} == {app.state.pracha.settings.ledger_origin, "witness.dga.example/pracha"}
    assert "witness.dga.example/pracha" in client.get("/ledger").text

    fill(db, 5)  # the log grows consistently: cosigned again
    cosign("http://testserver", log_key=key_of(app), witness_skey=witness_skey, state=state, client=client)
    # A cosignature from a key the log does not know is refused (on a checkpoint no witness signed yet).
    fill(db, 1)
    stranger_skey, _ = note.generate_key("stranger.example/w")
    forged = note.add_signatures(client.get("/ledger/checkpoint").text, note.new_signer(stranger_skey))
    assert client.post("/ledger/witness", content=forged.encode()).status_code == 400
    # A log that rewrote history is refused: the witness remembers the larger tree.
    _tamper(db, OPENINGS_OF.format(">= 12"), "DELETE FROM ledger_entries WHERE \"index\" >= 12")
    for statement in ("DELETE FROM ledger_tiles", "DELETE FROM ledger_checkpoints", "UPDATE ledger_head SET size = 0"):
        db.execute(text(statement))
    db.commit()
    try:
        cosign("http://testserver", log_key=key_of(app), witness_skey=witness_skey, state=state, client=client)
    except ValueError as exc:
        assert "shrank" in str(exc)
    else:
        raise AssertionError("the witness cosigned a shrunken log")
    app.state.pracha.db.engine.dispose()
