"""What is checked after each fault, straight from the database (and the public log over HTTP):
everything acknowledged is there, nothing is there twice, nothing unacknowledged is half there, the
ledger verifies in full, and the queued automation tasks drain."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.faults.deploy import wait_until
from bench.faults.witness import Acks
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pracha.automation.models import Task
from pracha.automation.tasks import QUEUED, RUNNING
from pracha.db import utcnow
from pracha.exchange.models import Consent
from pracha.ledger import log
from pracha.ledger.models import LedgerCheckpoint
from pracha.ledger.verify import verify_log
from pracha.payments.models import PAID, Payment
from pracha.services.models import Application

SEQUENCED_WITHIN = 60.0  # the server sequences every second; a loaded machine gets this long
DRAIN_WITHIN = 180.0  # for the queued tasks (the worker retries an attempt that failed after a backoff)


@dataclass
class Kept:
    """Acknowledged writes found (of how many), duplicates, and half-applied writes."""

    found: int
    acknowledged: int
    duplicates: int
    half_applied: int
    missing: list[str]


@dataclass
class Ledger:
    ok: bool
    size: int
    message: str


@dataclass
class Jobs:
    drained_in: float | None  # seconds until no task was due; None: not within DRAIN_WITHIN
    done: int
    failed: int
    waiting: int  # queued for later (a retry's backoff)
    backlog: int  # due when the load stopped
    failed_kinds: dict[str, int]  # failed tasks by kind


def kept(sessions: sessionmaker[Session], acks: Acks) -> Kept:
    missing: list[str] = []
    with sessions() as db:
        keys = list(acks.applications)
        found_apps = (
            {
                token: ref
                for token, ref in db.execute(
                    select(Application.client_token, Application.reference).where(Application.client_token.in_(keys))
                )
            }
            if keys
            else {}
        )
        missing += [f"application {ref}" for key, ref in acks.applications.items() if found_apps.get(key) != ref]
        app_dups = _twice(db, Application.citizen_id, Application.client_token)
        consents = {
            key: (cid, uid, entry)
            for key, cid, uid, entry in db.execute(
                select(Consent.client_token, Consent.id, Consent.user_id, Consent.grant_entry_id).where(
                    Consent.client_token.is_not(None)
                )
            )
        }
        missing += [
            f"consent {cid}"
            for key, (cid, uid) in acks.consents.items()
            if consents.get(key, (None, None))[:2] != (cid, uid)
        ]
        consents_without_entry = sum(1 for _, _, entry in consents.values() if entry is None)
        consent_dups = _twice(db, Consent.user_id, Consent.client_token)
        ids = list(acks.payments)
        paid = (
            {
                tx: (public, status, entry)
                for tx, public, status, entry in db.execute(
                    select(Payment.transaction_id, Payment.public_id, Payment.status, Payment.ledger_entry_id).where(
                        Payment.transaction_id.in_(ids)
                    )
                )
            }
            if ids
            else {}
        )
        missing += [
            f"payment {tx}"
            for tx, public in acks.payments.items()
            if paid.get(tx, (None, None, None))[:2] != (public, PAID)
        ]
        paid_without_entry = int(
            db.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.status == PAID, Payment.ledger_entry_id.is_(None))
            )
            or 0
        )
        pay_dups = len(
            db.execute(
                select(Payment.transaction_id)
                .where(Payment.transaction_id.is_not(None))
                .group_by(Payment.transaction_id)
                .having(func.count() > 1)
            ).all()
        )
    acknowledged = len(acks.applications) + len(acks.consents) + len(acks.payments)
    return Kept(
        acknowledged - len(missing),
        acknowledged,
        app_dups + consent_dups + pay_dups,
        consents_without_entry + paid_without_entry,
        missing,
    )


def _twice(db: Session, owner: Any, token: Any) -> int:
    """How many (owner, Idempotency-Key) pairs have more than one row."""
    return len(
        db.execute(select(owner, token).where(token.is_not(None)).group_by(owner, token).having(func.count() > 1)).all()
    )


def ledger(sessions: sessionmaker[Session], base: str, key: str) -> Ledger:
    """Wait until every entry is sequenced under a signed checkpoint, then verify the whole log over HTTP."""

    def caught_up() -> bool:
        with sessions() as db:
            size = log.head(db).size
            signed = db.scalar(select(func.max(LedgerCheckpoint.size))) or 0
            return log.pending_count(db) == 0 and signed == size

    if wait_until(caught_up, SEQUENCED_WITHIN, 0.5) is None:
        with sessions() as db:
            return Ledger(
                False,
                log.head(db).size,
                f"{log.pending_count(db)} entries not sequenced after {SEQUENCED_WITHIN:.0f} s",
            )
    result = verify_log(base, key, full=True)
    return Ledger(result.ok, result.size, result.message)  # the worker may have appended since: say what was verified


def jobs(sessions: sessionmaker[Session]) -> Jobs:
    began = time.monotonic()

    def due() -> int:
        with sessions() as db:
            return int(
                db.scalar(
                    select(func.count())
                    .select_from(Task)
                    .where(Task.status.in_((QUEUED, RUNNING)), Task.run_after <= utcnow())
                )
                or 0
            )

    backlog = due()
    drained = wait_until(lambda: due() == 0, DRAIN_WITHIN, 0.5)
    with sessions() as db:
        counts = dict(db.execute(select(Task.status, func.count()).group_by(Task.status)).all())
        failed_kinds = dict(
            db.execute(select(Task.kind, func.count()).where(Task.status == "failed").group_by(Task.kind)).all()
        )
        waiting = int(
            db.scalar(select(func.count()).select_from(Task).where(Task.status == QUEUED, Task.run_after > utcnow()))
            or 0
        )
    return Jobs(
        None if drained is None else time.monotonic() - began,
        int(counts.get("done", 0)),
        int(counts.get("failed", 0)),
        waiting,
        backlog,
        {str(k): int(n) for k, n in failed_kinds.items()},
    )
