"""Tell a citizen something: one inbox message, plus one outbox entry per channel they gave us."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.notices.models import InboxMessage, OutboxMessage


def notify(session: Session, user: User, *, subject: str, body: str, link: str | None = None,
           application_id: int | None = None) -> InboxMessage:
    message = InboxMessage(user_id=user.id, subject=subject[:200], body=body, link=link,
                           application_id=application_id)
    session.add(message)
    text = f"{body}\n{link}" if link else body
    if user.email:
        session.add(OutboxMessage(channel="email", recipient=user.email, user_id=user.id,
                                  subject=subject[:200], body=text))
    if user.phone:
        session.add(OutboxMessage(channel="sms", recipient=user.phone, user_id=user.id,
                                  subject=subject[:200], body=f"{subject}: {link or ''}".strip()))
    return message


def inbox(session: Session, user_id: int, *, limit: int = 100) -> list[InboxMessage]:
    query = (select(InboxMessage).where(InboxMessage.user_id == user_id)
             .order_by(InboxMessage.id.desc()).limit(limit))
    return list(session.scalars(query))


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    return int(session.scalar(query) or 0)


def mark_read(session: Session, user_id: int) -> None:
    session.execute(update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
                    .values(read_at=utcnow()))
