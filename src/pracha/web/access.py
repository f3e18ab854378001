"""Who is calling, and may they call this route? Every route declares its rule with `allow(...)`;
a test fails when one does not.

The rule also checks CSRF for every unsafe method that carries ambient credentials (cookies): the
form field `csrf_token` or the header `X-CSRF-Token` must equal HMAC(secret, csrf cookie | session
cookie). Bearer-token calls carry no ambient credentials and need no CSRF token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import Forbidden, PrachaError, Unauthenticated
from pracha.identity.principal import PUBLIC, Principal
from pracha.identity.service import token_for_bearer, user_for_web_session
from pracha.web.middleware import CSRF_COOKIE

SESSION_COOKIE = "pracha_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(PrachaError):
    status_code = 403
    code = "csrf_failed"
    message_th = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
    message_en = "The form has expired or is not valid. Please reload the page and try again."


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request. Unsafe methods get a writing session; on SQLite they first wait
    their turn on the app's write lock, asynchronously, holding no thread while they wait."""
    state = request.app.state
    write = request.method not in SAFE_METHODS
    lock: asyncio.Lock | None = state.write_lock if write else None
    if lock is not None:
        await lock.acquire()
    try:
        session = (state.write_sessions if write else state.sessions)()
        try:
            yield session
        finally:
            await run_in_threadpool(session.close)
    finally:
        if lock is not None:
            lock.release()


def csrf_token(request: Request, *, session_token: str | None = None) -> str:
    secret: bytes = request.app.state.secret
    session_token = request.cookies.get(SESSION_COOKIE, "") if session_token is None else session_token
    material = f"{request.state.csrf_cookie}|{session_token}"
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()


async def _check_csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not request.cookies.get(CSRF_COOKIE) or not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfFailed()


class Rule:
    """A route's access rule: the roles that may call it and, for API tokens, the scope needed."""

    def __init__(self, roles: tuple[str, ...], scope: str | None, csrf: bool = True) -> None:
        self.roles = frozenset(roles)
        self.scope = scope
        self.csrf = csrf

    async def __call__(self, request: Request, db: Session = Depends(get_db)) -> Principal:
        principal = await run_in_threadpool(resolve_principal, request, db)
        request.state.principal = principal
        if request.method not in SAFE_METHODS and principal.token is None and self.csrf:
            await _check_csrf(request)
        if PUBLIC in self.roles or principal.role in self.roles:
            if principal.token is not None and self.scope and not principal.has_scope(self.scope):
                raise Forbidden("โทเค็นนี้ไม่มีขอบเขตสำหรับรายการนี้", "This token lacks the scope for this call.")
            return principal
        if principal.role == PUBLIC:
            raise Unauthenticated()
        raise Forbidden()


def resolve_principal(request: Request, db: Session) -> Principal:
    if hasattr(request.state, "principal"):
        return request.state.principal
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return Principal(token=token_for_bearer(db, auth[7:].strip()))
    cookie = request.cookies.get(SESSION_COOKIE)
    user = user_for_web_session(db, cookie) if cookie else None
    return Principal(user=user)


def allow(*roles: str, scope: str | None = None, csrf: bool = True) -> Any:
    """`principal: Principal = allow("citizen")` — the dependency that enforces the rule. `csrf=False`
    only for public calls authenticated by what they carry (a signature), never by cookies."""
    return Depends(Rule(roles, scope, csrf))
