"""Sequencing in its own short write transaction: in the background every few seconds, and on
demand before answering with a checkpoint, a proof or a receipt."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from pracha.db import begin_write
from pracha.ledger import log, note

logger = logging.getLogger("pracha.ledger")


def needs_sequencing(session: Session) -> bool:
    return log.pending_count(session) > 0 or log.latest_checkpoint(session) is None


def sequence_now(sessions: sessionmaker[Session], signer: note.Signer, origin: str) -> None:
    with sessions() as session:
        begin_write(session)
        log.ensure_checkpoint(session, signer, origin)
        session.commit()


async def run_forever(sessions: sessionmaker[Session], signer: note.Signer, origin: str, every: float,
                      write_lock: asyncio.Lock | None = None) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            if write_lock is None:
                await run_in_threadpool(_sequence_if_needed, sessions, signer, origin)
            else:
                async with write_lock:
                    await run_in_threadpool(_sequence_if_needed, sessions, signer, origin)
        except Exception:  # keep sequencing on the next tick; the entries wait safely meanwhile
            logger.exception("sequencing failed")


def _sequence_if_needed(sessions: sessionmaker[Session], signer: note.Signer, origin: str) -> None:
    with sessions() as session:
        if not needs_sequencing(session):
            return
    sequence_now(sessions, signer, origin)


def current_checkpoint(session: Session, sessions: sessionmaker[Session], signer: note.Signer,
                       origin: str) -> log.LedgerCheckpoint:
    """The newest checkpoint, sequencing waiting entries first (in a write transaction of its own).
    `session` is the caller's; its read snapshot is ended so that it sees the new checkpoint."""
    if needs_sequencing(session):
        sequence_now(sessions, signer, origin)
        session.rollback()
    checkpoint = log.latest_checkpoint(session)
    assert checkpoint is not None
    return checkpoint
