"""What the delegation pages and API take from a request: the caller's browser session (whom one acts
for is chosen per browser session, never for an API token)."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from pracha.errors import Forbidden
from pracha.http.access import SESSION_COOKIE
from pracha.identity.models import WebSession
from pracha.identity.principal import Principal
from pracha.identity.service import web_session_for


def web_session_of(request: Request, db: Session, principal: Principal) -> WebSession:
    """The signed-in citizen's browser session (403 for a bearer token or without a session)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    web_session = web_session_for(db, cookie) if cookie and principal.token is None else None
    if web_session is None or web_session.user_id != principal.user_id:
        raise Forbidden()
    return web_session
