"""What identity's routes (and the OIDC provider's) take from the app: the sign-in throttle's
settings, the session cookie, and the agencies API tokens may belong to."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request
from fastapi.responses import Response

from pracha.hooks import Slot
from pracha.http.access import SESSION_COOKIE
from pracha.http.middleware import is_https
from pracha.http.state import app_state, part
from pracha.identity import service

# The codes of the agencies an API token may belong to: the catalogue's, given by the composition root.
AGENCIES: Slot[Collection[str]] = Slot("agencies")


def agencies_of(request: Request) -> Collection[str]:
    return part(request, AGENCIES)


def throttle_policy(request: Request) -> service.ThrottlePolicy:
    s = app_state(request).settings
    return service.ThrottlePolicy(s.signin_slowdown_after, s.signin_lock_after, s.signin_lock_minutes,
                                  s.signin_slowdown_seconds)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = app_state(request).settings
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_hours * 3600, httponly=True, samesite="lax",
        secure=settings.force_secure_cookies or is_https(request.scope), path="/",
    )
