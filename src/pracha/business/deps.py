"""What the business routes share: the caller's browser session (acting for is chosen per session,
never for an API token) and the juristic person number in a path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy.orm import Session

from pracha.errors import Forbidden
from pracha.http.access import SESSION_COOKIE
from pracha.identity.models import WebSession
from pracha.identity.service import web_session_for

JuristicId = Annotated[str, Path(pattern=r"^[0-9]{13}$", description="A juristic person number (13 digits).")]


def web_session_of(request: Request, db: Session) -> WebSession:
    """The signed-in citizen's browser session (403 without one: acting for is not for API tokens)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    web_session = web_session_for(db, cookie) if cookie else None
    if web_session is None:
        raise Forbidden()
    return web_session
