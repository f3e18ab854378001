"""Witnesses: another agency cosigns a checkpoint only if it is consistent with the last one it
cosigned, so the log cannot show different histories to different people without being caught.

The server side (`accept_cosignature`) keeps the cosignature lines with the checkpoint; the client
side (`cosign`) is what `pracha ledger witness` runs at the other agency.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.ledger import merkle, note
from pracha.ledger.errors import BadLedgerRequest
from pracha.ledger.keys import verifier_key
from pracha.ledger.models import LedgerCheckpoint


def signature_lines(signed_note: str) -> list[str]:
    return [line for line in signed_note.rsplit("\n\n", 1)[-1].splitlines() if line.startswith("— ")]


def accept_cosignature(session: Session, body: str, *, log_signer: note.Signer,
                       witnesses: list[note.Verifier]) -> LedgerCheckpoint:
    if not witnesses:
        raise BadLedgerRequest("บัญชีแยกประเภทนี้ไม่ได้กำหนดพยาน", "This log has no witnesses configured.")
    log_verifier = note.new_verifier(verifier_key(log_signer))
    try:
        signed = note.open_note(body, [log_verifier, *witnesses])
        checkpoint = note.parse_checkpoint(signed.text)
    except (note.NoteError, ValueError) as exc:
        raise BadLedgerRequest("ลายมือชื่อหรือจุดตรวจสอบไม่ถูกต้อง", f"The note does not verify: {exc}") from exc
    names = {v.name for v in signed.verified}
    if log_verifier.name not in names or not names & {w.name for w in witnesses}:
        raise BadLedgerRequest("ต้องมีลายมือชื่อของบัญชีแยกประเภทและของพยาน",
                               "The note must carry the log's signature and a known witness's.")
    stored = session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size == checkpoint.size)
                            .with_for_update())
    if stored is None or stored.root != checkpoint.root:
        raise BadLedgerRequest("ไม่พบจุดตรวจสอบนี้", "No such checkpoint in this log.")
    lines = signature_lines(stored.note)
    witness_names = {w.name for w in witnesses}
    for line in signature_lines(body):
        if line not in lines and line.split(" ")[1] in witness_names:
            lines.append(line)
    stored.note = signed.text + "\n" + "".join(line + "\n" for line in lines)
    return stored


def cosign(url: str, *, log_key: str, witness_skey: str, state: Path, client: httpx.Client | None = None) -> str:
    """Fetch the log's checkpoint, check it against the last one we cosigned, cosign, send it back.
    Returns the checkpoint text we cosigned; raises ValueError (with the reason) when we refuse."""
    http = client or httpx.Client(base_url=url.rstrip("/"), timeout=30)
    log_verifier = note.new_verifier(log_key)
    signer = note.new_signer(witness_skey)
    text = http.get("/ledger/checkpoint").raise_for_status().text
    signed = note.open_note(text, [log_verifier])
    new = note.parse_checkpoint(signed.text)
    if state.exists():
        old = note.parse_checkpoint(note.open_note(state.read_text(), [log_verifier]).text)
        if new.size < old.size:
            raise ValueError(f"the log shrank from {old.size} to {new.size} entries: not cosigning")
        if new.size == old.size and new.root != old.root:
            raise ValueError(f"two different trees of size {new.size}: not cosigning")
        if new.size > old.size and old.size > 0:
            reply = http.get("/api/v1/ledger/proof/consistency", params={"first": old.size, "second": new.size})
            proof = [bytes.fromhex(h) for h in reply.raise_for_status().json()["proof"]]
            if not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof):
                raise ValueError(f"checkpoint {new.size} is not consistent with {old.size}: not cosigning")
    cosigned = note.add_signatures(text, signer)
    http.post("/ledger/witness", content=cosigned.encode(),
              headers={"Content-Type": "text/plain; charset=utf-8"}).raise_for_status()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(text)
    return signed.text
