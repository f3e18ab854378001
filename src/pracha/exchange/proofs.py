"""Ledger receipts for the exchange's entries (consents, exchanged messages): the entry, its inclusion
proof and the signed checkpoint, in the ledger's own receipt format (`pracha ledger verify-receipt`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.ledger import log as ledger
from pracha.ledger import receipts, sequencer
from pracha.ledger.models import LedgerEntry
from pracha.services.service import LedgerAccess


def entry_receipt(session: Session, access: LedgerAccess, entry_id: int) -> dict[str, Any]:
    """Sequences waiting entries first (in a write transaction of its own), so the entry has an index."""
    checkpoint = sequencer.current_checkpoint(session, access.sessions, access.signer, access.origin)
    entry = session.get(LedgerEntry, entry_id)
    assert entry is not None and entry.index is not None
    proof = ledger.inclusion_proof(session, entry.index, checkpoint.size)
    return receipts.make_receipt(index=entry.index, data=entry.data, proof=proof, tree_size=checkpoint.size,
                                 checkpoint_note=checkpoint.note)
