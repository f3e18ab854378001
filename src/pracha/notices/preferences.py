"""Which notices a citizen gets on which channel (issue 19).

Kinds: status (application status changes), payment (payment requests and receipts), appointment
(reminders), document (a document issued), general (everything else). Channels: line, sms, email,
inapp. Without a row every kind goes to every channel the citizen has (LINE when linked, SMS with a
phone, email with an address, the inbox always); the inbox cannot be turned off for status changes,
because the inbox is the citizen's record of their applications."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.notices.errors import InvalidPreference
from pracha.notices.models import LineLink, NoticePreference

STATUS, PAYMENT, APPOINTMENT, DOCUMENT, GENERAL = "status", "payment", "appointment", "document", "general"
KINDS = (STATUS, PAYMENT, APPOINTMENT, DOCUMENT, GENERAL)
LINE, SMS, EMAIL, INAPP = "line", "sms", "email", "inapp"
CHANNELS = (LINE, SMS, EMAIL, INAPP)
LOCKED = frozenset({(STATUS, INAPP)})  # always on


@dataclass(frozen=True)
class Preference:
    kind: str
    channel: str
    enabled: bool
    available: bool  # the citizen has this channel (LINE linked, a phone, an address)
    locked: bool  # cannot be turned off


def channels_of(session: Session, user: User) -> set[str]:
    """The channels `user` can be reached on now."""
    found = {INAPP}
    if user.email:
        found.add(EMAIL)
    if user.phone:
        found.add(SMS)
    if session.scalar(select(LineLink.id).where(LineLink.user_id == user.id)) is not None:
        found.add(LINE)
    return found


def choices_of(session: Session, user_id: int) -> dict[tuple[str, str], bool]:
    rows = session.scalars(select(NoticePreference).where(NoticePreference.user_id == user_id))
    return {(row.kind, row.channel): row.enabled for row in rows}


def preferences_of(session: Session, user: User) -> list[Preference]:
    """Every kind × channel with its setting (the default where the citizen chose nothing)."""
    have, chosen = channels_of(session, user), choices_of(session, user.id)
    return [Preference(kind, channel, (kind, channel) in LOCKED or chosen.get((kind, channel), True),
                       channel in have, (kind, channel) in LOCKED)
            for kind in KINDS for channel in CHANNELS]


def enabled_channels(session: Session, user: User, kind: str) -> set[str]:
    """The channels a notice of `kind` goes to: those the citizen has and did not turn off."""
    kind = kind if kind in KINDS else GENERAL
    chosen = choices_of(session, user.id)
    return {channel for channel in channels_of(session, user)
            if (kind, channel) in LOCKED or chosen.get((kind, channel), True)}


def set_preferences(session: Session, user: User, items: Iterable[tuple[str, str, bool]]) -> None:
    """Record the citizen's choices (kind, channel, enabled); others keep theirs. The caller commits."""
    wanted: dict[tuple[str, str], bool] = {}
    for kind, channel, enabled in items:
        if kind not in KINDS or channel not in CHANNELS:
            raise InvalidPreference()
        if (kind, channel) in LOCKED and not enabled:
            raise InvalidPreference(locked=True)
        wanted[(kind, channel)] = bool(enabled)
    if not wanted:
        return
    chosen = {(row.kind, row.channel): row for row in session.scalars(
        select(NoticePreference).where(NoticePreference.user_id == user.id))}
    for (kind, channel), enabled in wanted.items():
        row = chosen.get((kind, channel))
        if row is None:
            session.add(NoticePreference(user_id=user.id, kind=kind, channel=channel, enabled=enabled))
        else:
            row.enabled = enabled
    session.flush()


def reset_preferences(session: Session, user_id: int) -> None:
    """Back to the defaults."""
    session.execute(delete(NoticePreference).where(NoticePreference.user_id == user_id))
