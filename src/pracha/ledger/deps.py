"""What an app holds of the ledger (its signing key, origin, witnesses), as one typed part, and how
routes of any capability reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection, Request

from pracha.db import WriteLock
from pracha.hooks import Slot
from pracha.http.state import part
from pracha.ledger import audit, log, note, receipts, sequencer
from pracha.ledger.errors import LedgerBusy
from pracha.ledger.keys import load_or_create_signer, verifier_key
from pracha.ledger.models import LedgerEntry


@dataclass(frozen=True)
class Ledger:
    """Enough to sequence pending entries, sign a checkpoint and check witnesses' cosignatures."""

    sessions: sessionmaker[Session]
    signer: note.Signer
    origin: str
    witnesses: list[note.Verifier] = field(default_factory=list)
    write_lock: WriteLock | None = None  # SQLite: the process's writers' lock, which sequencing takes too

    @property
    def verifier_key(self) -> str:
        return verifier_key(self.signer)

    @property
    def verifier(self) -> note.Verifier:
        return note.new_verifier(self.verifier_key)

    async def sequence_pending(self) -> None:
        """Sequence waiting entries under the write lock, from async code (see `sequencer`)."""
        await sequencer.sequence_locked(self.sessions, self.signer, self.origin, self.write_lock)

    def checkpoint(self, session: Session) -> log.LedgerCheckpoint:
        """The newest checkpoint. Where writers share a lock (SQLite in a server), this only reads: the
        route's `sequenced` dependency has sequenced under the lock; elsewhere it sequences first."""
        return sequencer.current_checkpoint(session, self.sessions, self.signer, self.origin,
                                            sequence=self.write_lock is None)

    def receipt(self, session: Session, entry_id: int) -> dict[str, Any]:
        """Entry, inclusion proof, signed checkpoint and the entry's opening (for its holder only: the
        caller has checked that the principal may have it). The entry must be sequenced: a route
        depends on `sequenced`; a caller outside a request gets it sequenced here."""
        checkpoint = self.checkpoint(session)
        entry = session.get(LedgerEntry, entry_id)
        assert entry is not None
        if entry.index is None or entry.index >= checkpoint.size:
            checkpoint = sequencer.current_checkpoint(session, self.sessions, self.signer, self.origin)
            session.refresh(entry)
        if entry.index is None or entry.index >= checkpoint.size:
            raise LedgerBusy()
        proof = log.inclusion_proof(session, entry.index, checkpoint.size)
        return receipts.make_receipt(index=entry.index, data=entry.data, proof=proof, tree_size=checkpoint.size,
                                     checkpoint_note=checkpoint.note, opening=audit.opening_of(session, entry))


def open_ledger(sessions: sessionmaker[Session], var_dir: Path, origin: str, witness_keys: str,
                write_lock: WriteLock | None = None) -> Ledger:
    return Ledger(sessions, load_or_create_signer(var_dir, origin), origin,
                  [note.new_verifier(k.strip()) for k in witness_keys.split(",") if k.strip()], write_lock)


LEDGER: Slot[Ledger] = Slot("ledger")


def ledger_of(connection: HTTPConnection) -> Ledger:
    return part(connection, LEDGER)


async def sequenced(request: Request) -> None:
    """Dependency of every route that answers with a checkpoint, proof or receipt: waiting entries are
    sequenced under the write lock before the route's thread reads (finding 7 of issue 13)."""
    await ledger_of(request).sequence_pending()
