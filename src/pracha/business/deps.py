"""What the business package's pages and API take from the app: the bundles, the caller's browser
session (acting for is chosen per session, never for an API token) and the juristic person number in a path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy.orm import Session

from pracha.business.bundle_catalog import BUNDLES, BundleDef
from pracha.errors import Forbidden
from pracha.http.access import SESSION_COOKIE
from pracha.http.state import part
from pracha.identity.models import WebSession
from pracha.identity.service import web_session_for

JuristicId = Annotated[str, Path(pattern=r"^[0-9]{13}$", description="A juristic person number (13 digits).")]


def bundles_of(request: Request) -> dict[str, BundleDef]:
    return part(request, BUNDLES)


def web_session_of(request: Request, db: Session) -> WebSession:
    """The signed-in citizen's browser session (403 without one: acting for is not for API tokens)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    web_session = web_session_for(db, cookie) if cookie else None
    if web_session is None:
        raise Forbidden()
    return web_session
