"""Linking a citizen's LINE account by a one-time code (issue 19).

The citizen asks for a code on their notifications page ("PR-" and 6 digits, valid 10 minutes, kept
only as a keyed hash) and sends it to the Pracha LINE account from the LINE account to link; the
webhook's handler (`pracha.automation.line_link`) calls `link_by_code`. One LINE account belongs to
one citizen: linking it again to someone else moves it."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from enum import Enum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.notices.models import LineLink, LineLinkCode
from pracha.vault import keyring_of

PREFIX = "PR-"
CODE_MINUTES = 10
CODE_PATTERN = re.compile(r"^\s*PR\s*[-–]?\s*(\d{6})\s*$", re.IGNORECASE)


class Linked(Enum):
    LINKED = "linked"
    UNKNOWN = "unknown"  # wrong, used or expired: the same polite answer for all three


def code_hash(session: Session, digits: str) -> str:
    """Keyed with the database's blind-index key: the webhook (which has no app secret) can look it up."""
    return keyring_of(session.get_bind().dialect).blind_index(f"line-link|{digits}")


def issue_code(session: Session, user_id: int, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new code for `user_id` (their earlier unused codes stop working). The caller commits."""
    now = now or utcnow()
    session.execute(delete(LineLinkCode).where(LineLinkCode.user_id == user_id, LineLinkCode.used_at.is_(None)))
    while True:
        digits = f"{secrets.randbelow(1_000_000):06d}"
        hashed = code_hash(session, digits)
        if session.scalar(select(LineLinkCode.id).where(LineLinkCode.code_hash == hashed)) is None:
            break
    expires = now + dt.timedelta(minutes=CODE_MINUTES)
    session.add(LineLinkCode(user_id=user_id, code_hash=hashed, expires_at=expires))
    session.flush()
    return f"{PREFIX}{digits}", expires


def looks_like_code(text: str) -> str | None:
    """The 6 digits of a link code typed in LINE ("PR-123456", "pr 123456"), or None."""
    found = CODE_PATTERN.match(text)
    return found.group(1) if found else None


def link_by_code(session: Session, line_user: str, digits: str, now: dt.datetime | None = None) -> Linked:
    """Link `line_user` to the citizen whose live code `digits` is. The caller commits."""
    now = now or utcnow()
    row = session.scalar(select(LineLinkCode).where(LineLinkCode.code_hash == code_hash(session, digits)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return Linked.UNKNOWN
    row.used_at = now
    # one LINE account, one citizen; one citizen, one LINE account
    session.execute(delete(LineLink).where(
        (LineLink.user_id == row.user_id) | (LineLink.line_user_index == line_user)))
    session.flush()
    session.add(LineLink(user_id=row.user_id, line_user=line_user, linked_at=now))
    session.flush()
    return Linked.LINKED


def line_link_of(session: Session, user_id: int) -> LineLink | None:
    return session.scalar(select(LineLink).where(LineLink.user_id == user_id))


def unlink(session: Session, user_id: int) -> bool:
    """Remove the citizen's LINE link; whether there was one. The caller commits."""
    return bool(session.execute(delete(LineLink).where(LineLink.user_id == user_id)).rowcount)  # type: ignore[attr-defined]


def unlink_line_user(session: Session, line_user: str) -> bool:
    """Remove the link of a LINE account (the citizen typed "ยกเลิกการเชื่อม" in LINE)."""
    return bool(session.execute(delete(LineLink).where(LineLink.line_user_index == line_user)).rowcount)  # type: ignore[attr-defined]
