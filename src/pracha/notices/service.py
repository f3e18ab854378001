"""Tell a citizen something: one inbox message, plus one outbox entry per channel they gave us."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.paging import Page, PageRequest, SortKey, fetch_page


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


INBOX_ORDER = (SortKey(InboxMessage.id, descending=True),)


def inbox(session: Session, user_id: int, page: PageRequest = PageRequest()) -> Page[InboxMessage]:
    """The user's messages, newest first."""
    return fetch_page(session, select(InboxMessage).where(InboxMessage.user_id == user_id), INBOX_ORDER, page)


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    return int(session.scalar(query) or 0)


def mark_read(session: Session, user_id: int, message_ids: list[int] | None = None) -> None:
    """Mark the user's messages read: all of them, or only those shown (`message_ids`)."""
    query = update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    if message_ids is not None:
        query = query.where(InboxMessage.id.in_(message_ids))
    session.execute(query.values(read_at=utcnow()))
