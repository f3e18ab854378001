"""The LINE channel's extension point: higher layers' conversations (participation's "แจ้งปัญหา") see
each LINE message event before the assistant does (`pracha.assistant.line` calls them in turn)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.hooks import Hook

# (session, settings, the site's base URL, hashed LINE user id, the parsed event) → the texts to reply
# (at most 5), or None to leave the event to the next handler and then the assistant.
LineHandler = Callable[[Session, Settings, str, str, Any], list[str] | None]
LINE_HANDLERS: Hook[LineHandler] = Hook("line_handlers")


def line_user_of(event: Any) -> str:
    """The LINE user, hashed: their id is LINE's, not ours to keep."""
    user = getattr(event.source, "user_id", None) or "unknown"
    return hashlib.sha256(f"line:{user}".encode()).hexdigest()
