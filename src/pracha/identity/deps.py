"""What identity's routes (and the OIDC provider's) take from the app: the sign-in throttle's
settings and the client's address, the session cookie, the agencies API tokens may belong to, and
where a signed-in person goes next."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pracha.errors import Forbidden
from pracha.hooks import Slot
from pracha.http.access import SESSION_COOKIE
from pracha.http.middleware import is_https
from pracha.http.state import app_state, part
from pracha.identity import service
from pracha.identity.models import CITIZEN, DPO, PLATFORM_ADMIN, User, WebSession
from pracha.identity.principal import Principal

# The codes of the agencies an API token may belong to: the catalogue's, given by the composition root.
AGENCIES: Slot[Collection[str]] = Slot("agencies")


def web_session_of(request: Request, db: Session, principal: Principal | None = None) -> WebSession:
    """The caller's browser session, for what is chosen per browser (whom one acts for: a company, a
    person, a visitor at the counter): 403 without a session cookie, for a bearer token, or when the
    cookie is not the principal's."""
    cookie = request.cookies.get(SESSION_COOKIE)
    token = principal.token if principal is not None else None
    web_session = service.web_session_for(db, cookie) if cookie and token is None else None
    if web_session is None or (principal is not None and web_session.user_id != principal.user_id):
        raise Forbidden()
    return web_session


def agencies_of(request: Request) -> Collection[str]:
    return part(request, AGENCIES)


def throttle_policy(request: Request) -> service.ThrottlePolicy:
    s = app_state(request).settings
    return service.ThrottlePolicy(s.signin_slowdown_after, s.signin_lock_after, s.signin_lock_minutes,
                                  s.signin_slowdown_seconds, s.signin_client_identifiers)


def client_address(request: Request) -> str:
    """The client a sign-in throttle counts: the address the request came from (the proxy's
    X-Forwarded-For when uvicorn trusts it, `--forwarded-allow-ips`)."""
    return request.client.host if request.client is not None else "unknown"



def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = app_state(request).settings
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_hours * 3600, httponly=True, samesite="lax",
        secure=settings.force_secure_cookies or is_https(request.scope), path="/",
    )


def home_for(user: User) -> str:
    if user.role == DPO:
        return "/privacy/requests"
    return "/me" if user.role == CITIZEN else ("/admin/tokens" if user.role == PLATFORM_ADMIN else "/officer/queue")


def safe_next(next_url: str, user: User) -> str:
    """`next_url` if it is a path on this site, else the user's home page."""
    ok = next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url
    return next_url if ok else home_for(user)
