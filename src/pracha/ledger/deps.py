"""What an app holds of the ledger (its signing key, origin, witnesses), as one typed part, and how
routes of any capability reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from pracha.hooks import Slot
from pracha.http.state import part
from pracha.ledger import audit, log, note, receipts, sequencer
from pracha.ledger.keys import load_or_create_signer, verifier_key
from pracha.ledger.models import LedgerEntry


@dataclass(frozen=True)
class Ledger:
    """Enough to sequence pending entries, sign a checkpoint and check witnesses' cosignatures."""

    sessions: sessionmaker[Session]
    signer: note.Signer
    origin: str
    witnesses: list[note.Verifier] = field(default_factory=list)

    @property
    def verifier_key(self) -> str:
        return verifier_key(self.signer)

    @property
    def verifier(self) -> note.Verifier:
        return note.new_verifier(self.verifier_key)

    def checkpoint(self, session: Session) -> log.LedgerCheckpoint:
        return sequencer.current_checkpoint(session, self.sessions, self.signer, self.origin)

    def receipt(self, session: Session, entry_id: int) -> dict[str, Any]:
        """Entry, inclusion proof, signed checkpoint and the entry's opening (for its holder only: the
        caller has checked that the principal may have it). Sequences waiting entries first (in a write
        transaction of its own), so the entry has an index."""
        checkpoint = self.checkpoint(session)
        entry = session.get(LedgerEntry, entry_id)
        assert entry is not None and entry.index is not None
        proof = log.inclusion_proof(session, entry.index, checkpoint.size)
        return receipts.make_receipt(index=entry.index, data=entry.data, proof=proof, tree_size=checkpoint.size,
                                     checkpoint_note=checkpoint.note, opening=audit.opening_of(session, entry))


def open_ledger(sessions: sessionmaker[Session], var_dir: Path, origin: str, witness_keys: str) -> Ledger:
    return Ledger(sessions, load_or_create_signer(var_dir, origin), origin,
                  [note.new_verifier(k.strip()) for k in witness_keys.split(",") if k.strip()])


LEDGER: Slot[Ledger] = Slot("ledger")


def ledger_of(connection: HTTPConnection) -> Ledger:
    return part(connection, LEDGER)
