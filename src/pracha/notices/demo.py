"""The demo's LINE and notice settings (issue 19): สมหญิง รักไทย has linked her LINE account and reads
her application news there, so she turned SMS off for status changes and e-mail off for payments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.notices.models import LineLink
from pracha.notices.preferences import EMAIL, PAYMENT, SMS, STATUS, set_preferences

SOMYING_LINE_USER = "U5a0d3e8c7b1f4a2e9c6d8b0a1f3e5c7d"  # made up, of LINE's shape ("U" + 32 hex)


def seed_line_demo(session: Session, somying: User) -> None:
    """Link สมหญิง's LINE account and keep her choices; the caller commits."""
    session.add(LineLink(user_id=somying.id, line_user=SOMYING_LINE_USER, linked_at=utcnow()))
    set_preferences(session, somying, [(STATUS, SMS, False), (PAYMENT, EMAIL, False)])
