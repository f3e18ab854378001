"""Verifiable tallies: each petition support, each withdrawal and each hearing response is a public
ledger entry whose object carries a keyed commitment, never the person:

    kind   tally.petition.support | tally.petition.withdraw | tally.hearing.response
    object petition:<id>/hmac-sha256:<hex>   or   hearing:<id>/hmac-sha256:<hex>

The commitment is HMAC(K, "<petition|hearing>:<id>:<national ID>") with K derived from the platform's
secret. It is the same for one person within one petition (so a withdrawal names the support it takes
back, and a second support is refused), and different across petitions (so nobody can link a person's
supports). Anyone can recount a petition from the public log: supports minus withdrawals per commitment.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.orm import Session

from pracha.ledger import log as ledger
from pracha.ledger.models import LedgerEntry

__all__ = ["HEARING_RESPONSE", "PETITION_SUPPORT", "PETITION_WITHDRAW", "commitment", "record_tally"]

PETITION_SUPPORT = "tally.petition.support"
PETITION_WITHDRAW = "tally.petition.withdraw"
HEARING_RESPONSE = "tally.hearing.response"
_ACTOR = "citizen"  # never the account: the entry's opening must not say who


def commitment(secret: bytes, subject: str, subject_id: int, national_id: str) -> str:
    """The keyed commitment of one person to one petition or hearing (`subject`: "petition" | "hearing")."""
    key = hmac.new(secret, b"pracha/participation/tally/v1", hashlib.sha256).digest()
    message = f"{subject}:{subject_id}:{national_id}".encode()
    return "hmac-sha256:" + hmac.new(key, message, hashlib.sha256).hexdigest()


def tally_object(subject: str, subject_id: int, value: str) -> str:
    return f"{subject}:{subject_id}/{value}"


def record_tally(session: Session, kind: str, subject: str, subject_id: int, value: str) -> LedgerEntry:
    """Append the public entry in the caller's transaction (it commits with the support, or not at all)."""
    return ledger.record(session, kind, actor=_ACTOR, obj=tally_object(subject, subject_id, value))
