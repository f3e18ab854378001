"""Tell a citizen something: one inbox message, plus one outbox entry per channel they gave us.

What is told is a phrase (`pracha.i18n.Phrase`: a key whose `<key>.subject` and `<key>.body` templates
are defined with `define_notice`) or a subject and body given as text; bilingual text and phrases are
kept as `key` + `params` and rendered in the reader's language when read. Email and SMS go out in the
recipient's language, rendered when queued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pracha import i18n
from pracha.db import utcnow
from pracha.i18n import Phrase, Text
from pracha.identity.models import User
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.paging import Page, PageRequest, SortKey, fetch_page

TEXT = "notice.text"  # a subject and body given as (bilingual) text, not as a named notice


def define_notice(key: str, *, subject: tuple[str, str], body: tuple[str, str]) -> str:
    """Declare a notice: the Thai and English templates of its subject and of its body."""
    i18n.define(f"{key}.subject", *subject)
    i18n.define(f"{key}.body", *body)
    return key


define_notice(TEXT, subject=("{subject}", "{subject}"), body=("{body}", "{body}"))


def notify(session: Session, user: User, *, subject: Text = None, body: Text = None, phrase: Phrase | None = None,
           link: str | None = None, application_id: int | None = None) -> InboxMessage:
    """One message to `user`: a named notice (`phrase`), or a `subject` and `body` (each a str, a
    bilingual {"th", "en"} mapping or a phrase)."""
    if phrase is None and not (isinstance(subject, str) and isinstance(body, str)):
        phrase = Phrase(TEXT, {"subject": subject, "body": body})
    lang = user.language
    if phrase is not None:
        key, params = phrase.key, i18n.to_json(phrase.params)
        subject_text, body_text = _render(key, params, lang)
    else:
        key, params, subject_text, body_text = None, None, str(subject), str(body)
    message = InboxMessage(user_id=user.id, subject=subject_text[:200], body=body_text, link=link,
                           application_id=application_id, key=key, params=params)
    session.add(message)
    text = f"{body_text}\n{link}" if link else body_text
    if user.email:
        session.add(OutboxMessage(channel="email", recipient=user.email, user_id=user.id,
                                  subject=subject_text[:200], body=text))
    if user.phone:
        session.add(OutboxMessage(channel="sms", recipient=user.phone, user_id=user.id,
                                  subject=subject_text[:200], body=f"{subject_text}: {link or ''}".strip()))
    return message


def amend(session: Session, message: InboxMessage, user: User, **params: Text) -> None:
    """Add to a message's parameters (e.g. the document a decision issued), so it stays one message;
    its e-mail and SMS follow when they have not gone out yet."""
    if not message.key:
        return
    before = message.body
    message.params = {**(message.params or {}), **i18n.to_json(params)}
    subject, body = _render(message.key, message.params, user.language)
    unsent = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.subject == message.subject, OutboxMessage.sent_at.is_(None),
        OutboxMessage.created_at >= message.created_at))
    for queued in unsent:
        if queued.channel == "email" and queued.body.startswith(before):
            queued.body = body + queued.body[len(before):]
    message.subject, message.body = subject[:200], body


def _render(key: str, params: object, lang: str) -> tuple[str, str]:
    return (i18n.render({"key": f"{key}.subject", "params": params}, lang),
            i18n.render({"key": f"{key}.body", "params": params}, lang))


@dataclass(frozen=True)
class ShownMessage:
    """An inbox message as one reader sees it, in their language."""

    id: int
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    application_id: int | None


def show(message: InboxMessage, lang: str) -> ShownMessage:
    """`message` in `lang`: rendered from its key, or as written when it has none (older rows)."""
    subject, body = message.subject, message.body
    if message.key:
        try:
            subject, body = _render(message.key, message.params, lang)
        except i18n.UnknownPhrase:
            pass  # a key nobody defines any more: the text kept beside it
    return ShownMessage(message.id, subject, body, message.link, message.created_at, message.read_at,
                        message.application_id)


INBOX_ORDER = (SortKey(InboxMessage.id, descending=True),)


def inbox(session: Session, user_id: int, page: PageRequest = PageRequest()) -> Page[InboxMessage]:
    """The user's messages, newest first."""
    return fetch_page(session, select(InboxMessage).where(InboxMessage.user_id == user_id), INBOX_ORDER, page)


def shown_inbox(session: Session, user_id: int, lang: str, page: PageRequest = PageRequest()) -> Page[ShownMessage]:
    """The user's messages, newest first, in `lang`."""
    found = inbox(session, user_id, page)
    return Page([show(m, lang) for m in found.items], found.next_cursor)


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    return int(session.scalar(query) or 0)


def mark_read(session: Session, user_id: int, message_ids: list[int] | None = None) -> None:
    """Mark the user's messages read: all of them, or only those shown (`message_ids`)."""
    query = update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    if message_ids is not None:
        query = query.where(InboxMessage.id.in_(message_ids))
    session.execute(query.values(read_at=utcnow()))
