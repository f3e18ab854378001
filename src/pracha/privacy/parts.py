"""What packages above privacy hold about a citizen, for the export (PDPA ss. 30–31) and the erasure
(s. 33): each registers a part here (participation: complaints, hearing answers, petitions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pracha.db import registry_of
from pracha.hooks import Hook
from pracha.identity.models import User

# (session, citizen) → {part name: JSON}; merged into the export's `more`
EXPORT_PARTS: Hook[Callable[[Session, User], dict[str, Any]]] = Hook("privacy_export_parts")
# (session, citizen) → erases the part; returns what was kept instead ({"what", "reason", "th", "en"})
ERASURE_PARTS: Hook[Callable[[Session, User], list[dict[str, str]]]] = Hook("privacy_erasure_parts")


def export_parts(session: Session, user: User) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for part in registry_of(session).each(EXPORT_PARTS):
        parts.update(part(session, user))
    return parts


def erase_parts(session: Session, user: User) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    for part in registry_of(session).each(ERASURE_PARTS):
        kept += part(session, user)
    return kept
