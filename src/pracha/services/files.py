"""The stored files behind documents: one file per SHA-256, shared by every document with those bytes,
deleted when the last document naming it goes.

Two requests may race on one file: one removing the last document of some bytes while another stores
the same bytes again (two citizens attaching the same blank form). Both hold `lock_file` for the hash,
inside their transaction, around "move the file in" and "is it still named? unlink": on PostgreSQL a
transaction-scoped advisory lock; SQLite needs none, its writers are serialised already (BEGIN
IMMEDIATE, taken before either step). The unlink happens before the commit, under the lock: a commit
failing after it would leave a document without its file, which is rarer and louder than deleting
another request's fresh file after the lock is gone."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from pracha.services import uploads
from pracha.services.models import Document


def lock_file(session: Session, sha256: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def release_files(session: Session, upload_dir: Path, hashes: Iterable[str]) -> list[str]:
    """Delete the stored files no document names any more (after the caller flushed its deletions);
    returns the hashes whose files were deleted."""
    session.flush()
    deleted = []
    for sha in sorted(set(hashes)):
        lock_file(session, sha)
        if not session.scalar(select(exists().where(Document.sha256 == sha))):
            uploads.path_of(upload_dir, sha).unlink(missing_ok=True)
            deleted.append(sha)
    return deleted
