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
from pracha.notices.line_links import line_link_of
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.notices.preferences import EMAIL, GENERAL, INAPP, LINE, SMS, enabled_channels
from pracha.paging import Page, PageRequest, SortKey, fetch_page

TEXT = "notice.text"  # a subject and body given as (bilingual) text, not as a named notice


def define_notice(key: str, *, subject: tuple[str, str], body: tuple[str, str]) -> str:
    """Declare a notice: the Thai and English templates of its subject and of its body."""
    i18n.define(f"{key}.subject", *subject)
    i18n.define(f"{key}.body", *body)
    return key


define_notice(TEXT, subject=("{subject}", "{subject}"), body=("{body}", "{body}"))


def notify(session: Session, user: User, *, subject: Text = None, body: Text = None, phrase: Phrase | None = None,
           link: str | None = None, application_id: int | None = None, kind: str = GENERAL) -> InboxMessage | None:
    """One message to `user`: a named notice (`phrase`), or a `subject` and `body` (each a str, a
    bilingual {"th", "en"} mapping or a phrase), on each channel the citizen keeps on for `kind`
    (`pracha.notices.preferences`). The inbox message, or None when the citizen turned the inbox off."""
    if phrase is None and not (isinstance(subject, str) and isinstance(body, str)):
        phrase = Phrase(TEXT, {"subject": subject, "body": body})
    lang = user.language
    if phrase is not None:
        key, params = phrase.key, i18n.to_json(phrase.params)
        subject_text, body_text = _render(key, params, lang)
    else:
        key, params, subject_text, body_text = None, None, str(subject), str(body)
    channels = enabled_channels(session, user, kind)
    message = None
    if INAPP in channels:
        message = InboxMessage(user_id=user.id, subject=subject_text[:200], body=body_text, link=link,
                               application_id=application_id, key=key, params=params)
        session.add(message)
    queue_outbox(session, user, channels, key, params, subject_text, body_text, link)
    return message


def line_text(key: str | None, params: object, subject: str, text: str, lang: str) -> str:
    """A LINE message: Thai first (the subject, the body, the link), then English for an English reader."""
    if key is None or lang == "th":
        return f"{subject}\n{text}"
    th_subject, th_body = _render(key, params, "th")
    return f"{th_subject}\n{th_body}\n\n{subject}\n{text}"


def amend(session: Session, message: InboxMessage, user: User, *, kind: str | None = None, **params: Text) -> None:
    """Add to a message's parameters (e.g. the document a decision issued), so it stays one message;
    its e-mail and LINE message follow when they have not gone out yet. With `kind` (document), a channel
    the citizen keeps on for that kind whose copy went out already (or never went) gets the new text."""
    if not message.key:
        return
    before, th_before = message.body, _render(message.key, message.params, "th")[1]
    message.params = {**(message.params or {}), **i18n.to_json(params)}
    subject, body = _render(message.key, message.params, user.language)
    th_body = _render(message.key, message.params, "th")[1]
    unsent = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.subject == message.subject, OutboxMessage.sent_at.is_(None),
        OutboxMessage.created_at >= message.created_at))
    covered: set[str] = set()
    for queued in unsent:
        covered.add(queued.channel)
        if queued.channel == "email" and queued.body.startswith(before):
            queued.body = body + queued.body[len(before):]
        elif queued.channel == LINE:
            queued.body = queued.body.replace(th_before, th_body, 1)
            if before != th_before:  # an English reader's copy has both
                queued.body = queued.body.replace(before, body, 1)
    if kind is not None:
        queue_outbox(session, user, enabled_channels(session, user, kind) - covered, message.key, message.params,
                     subject, body, message.link)
    message.subject, message.body = subject[:200], body


def queue_outbox(session: Session, user: User, channels: set[str], key: str | None, params: object, subject: str,
                 body: str, link: str | None) -> None:
    """The e-mail, SMS and LINE copies of a message, on those of `channels` the citizen has."""
    text = f"{body}\n{link}" if link else body
    if EMAIL in channels and user.email:
        session.add(OutboxMessage(channel="email", recipient=user.email, user_id=user.id,
                                  subject=subject[:200], body=text))
    if SMS in channels and user.phone:
        session.add(OutboxMessage(channel="sms", recipient=user.phone, user_id=user.id,
                                  subject=subject[:200], body=f"{subject}: {link or ''}".strip()))
    if LINE in channels and (linked := line_link_of(session, user.id)) is not None:
        session.add(OutboxMessage(channel="line", recipient=linked.line_user, user_id=user.id,
                                  subject=subject[:200], body=line_text(key, params, subject, text, user.language)))


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
