"""Sequencing in its own short write transaction: in the background every few seconds, and on
demand before answering with a checkpoint, a proof or a receipt.

On SQLite every sequencing in a server process runs under the process's write lock (`Database.write_lock`),
taken in async code *before* a worker thread is used, like every other writer: sequencing that took its
BEGIN IMMEDIATE beside the lock could wait out SQLite's busy timeout behind a stream of writers and fail
with "database is locked" (finding 7 of issue 13). Routes that answer with ledger data depend on
`Ledger.sequence_pending` (ledger.deps.sequenced), which does this; in the route's thread the ledger
then only reads, and never sequences unless it must (a receipt for an entry still waiting).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from pracha.db import WriteLock, begin_write
from pracha.ledger import log, note
from pracha.ledger.errors import LedgerBusy

logger = logging.getLogger("pracha.ledger")


def needs_sequencing(session: Session) -> bool:
    return log.pending_count(session) > 0 or log.latest_checkpoint(session) is None


def sequence_now(sessions: sessionmaker[Session], signer: note.Signer, origin: str) -> None:
    with sessions() as session:
        begin_write(session)
        log.ensure_checkpoint(session, signer, origin)
        session.commit()


def sequence_if_needed(sessions: sessionmaker[Session], signer: note.Signer, origin: str) -> bool:
    """Sequence if entries are waiting (or no checkpoint exists yet); whether it did."""
    with sessions() as session:
        if not needs_sequencing(session):
            return False
    sequence_now(sessions, signer, origin)
    return True


async def sequence_locked(sessions: sessionmaker[Session], signer: note.Signer, origin: str,
                          write_lock: WriteLock | None) -> None:
    """Sequence waiting entries now, under this process's write lock when there is one (SQLite). The
    lock is awaited without holding a thread; the check is repeated under it, so many callers at once
    sequence once. A failure (the database busy beyond its timeout) is logged and left to the next try."""
    if not await run_in_threadpool(_waiting, sessions):
        return
    try:
        if write_lock is None:
            await run_in_threadpool(sequence_if_needed, sessions, signer, origin)
        else:
            async with write_lock.current():
                await run_in_threadpool(sequence_if_needed, sessions, signer, origin)
    except OperationalError as exc:
        logger.warning("sequencing deferred: %s", exc)


def _waiting(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return needs_sequencing(session)


async def run_forever(sessions: sessionmaker[Session], signer: note.Signer, origin: str, every: float,
                      write_lock: asyncio.Lock | None = None) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            if write_lock is None:
                await run_in_threadpool(sequence_if_needed, sessions, signer, origin)
            else:
                async with write_lock:
                    await run_in_threadpool(sequence_if_needed, sessions, signer, origin)
        except Exception:  # keep sequencing on the next tick; the entries wait safely meanwhile
            logger.exception("sequencing failed")


def current_checkpoint(session: Session, sessions: sessionmaker[Session], signer: note.Signer,
                       origin: str, *, sequence: bool = True) -> log.LedgerCheckpoint:
    """The newest checkpoint. With `sequence`, waiting entries are sequenced first (in a write transaction
    of its own); `session` is the caller's, and its read snapshot is ended so that it sees the new
    checkpoint. If sequencing fails, the newest checkpoint there is will do; with none, LedgerBusy (503)."""
    if sequence and needs_sequencing(session):
        try:
            sequence_now(sessions, signer, origin)
        except OperationalError as exc:
            logger.warning("sequencing deferred: %s", exc)
        session.rollback()
    checkpoint = log.latest_checkpoint(session)
    if checkpoint is None:
        raise LedgerBusy()
    return checkpoint
