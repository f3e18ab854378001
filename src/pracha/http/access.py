"""Who is calling, and may they call this route? Every route declares its rule with `allow(...)`;
a test fails when one does not.

The rule also checks CSRF on unsafe methods: the form field `csrf_token` or the header
`X-CSRF-Token` must equal HMAC(secret, csrf cookie | session cookie). CSRF needs ambient credentials
to exist, so the check is skipped only for requests a cross-site page cannot forge (`needs_csrf`):
a JSON body (`application/json` or `*/*+json`; a cross-site page cannot send one without a CORS
preflight, which Pracha never grants) without the session cookie, and bearer-token calls. A plain
API client just calls. Everything else is checked, including cookie-less form posts: a forged
sign-in would otherwise plant the attacker's session in the victim's browser ("login CSRF").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from starlette.concurrency import run_in_threadpool

from pracha.errors import Forbidden, PrachaError, Unauthenticated
from pracha.hooks import Slot
from pracha.http.middleware import CSRF_COOKIE
from pracha.http.state import app_state, part

SESSION_COOKIE = "pracha_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"


class Caller(Protocol):
    """Who is calling, as the access rule needs it (`pracha.identity.principal.Principal` is one)."""

    @property
    def role(self) -> str: ...

    @property
    def token(self) -> object | None: ...

    def has_scope(self, scope: str) -> bool: ...


# (session, bearer token or None, session cookie or None) → the caller; identity provides it.
CALLERS: Slot[Callable[[Session, str | None, str | None], Caller]] = Slot("callers")


class CsrfFailed(PrachaError):
    status_code = 403
    code = "csrf_failed"
    message_th = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
    message_en = "The form has expired or is not valid. Please reload the page and try again."


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request. It starts reading; a rule that lets a write through turns it into a
    writing session (`_start_writing`), and the write lock it took is given back here, at the end."""
    database = app_state(request).db
    session = database.sessions()
    try:
        yield session
    finally:
        if database.write_lock is None and session.in_transaction():
            await run_in_threadpool(session.close)
        else:  # SQLite, or nothing left open (committed): returning the connection does no I/O worth a thread
            session.close()
        if getattr(request.state, "holds_write_lock", False) and database.write_lock is not None:
            request.state.holds_write_lock = False
            database.write_lock.current().release()


async def start_writing(request: Request, db: Session) -> None:
    """On SQLite, wait (without holding a thread) for this process's write lock, then make the
    session's next transaction BEGIN IMMEDIATE. Writers then queue here rather than in SQLite's busy
    wait, where blocked threads could fill the pool while the lock holder waits for a thread."""
    database = app_state(request).db
    if database.write_lock is None:
        return
    lock = database.write_lock.current()
    await lock.acquire()
    request.state.holds_write_lock = True
    db.bind = database.write_engine
    loop = asyncio.get_running_loop()
    read_engine = database.engine

    def release(session: Session, transaction: SessionTransaction) -> None:
        # The outermost transaction is over (committed or rolled back; savepoints don't count): let
        # the next writer in now, not after this response has been sent.
        if transaction.parent is not None or not request.state.holds_write_lock:
            return
        session.bind = read_engine
        request.state.holds_write_lock = False
        loop.call_soon_threadsafe(lock.release)

    event.listen(db, "after_transaction_end", release)


def csrf_token(request: Request, *, session_token: str | None = None) -> str:
    secret = app_state(request).secret
    session_token = request.cookies.get(SESSION_COOKIE, "") if session_token is None else session_token
    material = f"{request.state.csrf_cookie}|{session_token}"
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()


def needs_csrf(request: Request) -> bool:
    """Could a cross-site page have made a browser send this unsafe request?"""
    if SESSION_COOKIE in request.cookies:
        return True
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not (media == "application/json" or (media.startswith("application/") and media.endswith("+json")))


async def sent_csrf_token(request: Request) -> str | None:
    """The token the request carries: the `X-CSRF-Token` header, else a form's `csrf_token` field."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    return sent


def check_csrf_token(request: Request, sent: str | None) -> None:
    if not request.cookies.get(CSRF_COOKIE) or not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfFailed()


async def _check_csrf(request: Request) -> None:
    check_csrf_token(request, await sent_csrf_token(request))


class Rule:
    """A route's access rule: the roles that may call it and, for API tokens, the scope needed."""

    def __init__(self, roles: tuple[str, ...], scope: str | None, csrf: bool = True, write: bool | None = None,
                 write_for: tuple[str, ...] = ()) -> None:
        self.roles = frozenset(roles)
        self.scope = scope
        self.csrf = csrf
        self.write = write
        self.write_for = frozenset(write_for)

    def writes(self, request: Request) -> bool:
        return self.write if self.write is not None else request.method not in SAFE_METHODS

    def checks_csrf(self, request: Request, caller: Caller | None = None) -> bool:
        """Whether this call must carry a CSRF token; `caller` None: one known by its session cookie."""
        by_token = caller is not None and caller.token is not None
        return request.method not in SAFE_METHODS and not by_token and self.csrf and needs_csrf(request)

    def refusal(self, caller: Caller) -> PrachaError | None:
        """Why this caller may not call the route (CSRF aside), or None."""
        if PUBLIC in self.roles or caller.role in self.roles:
            if caller.token is not None and self.scope and not caller.has_scope(self.scope):
                return Forbidden("โทเค็นนี้ไม่มีขอบเขตสำหรับรายการนี้", "This token lacks the scope for this call.")
            return None
        return Unauthenticated() if caller.role == PUBLIC else Forbidden()

    async def __call__(self, request: Request, db: Session = Depends(get_db)) -> Any:
        write = self.writes(request)
        if SESSION_COOKIE in request.cookies or "authorization" in request.headers:
            principal = await run_in_threadpool(resolve_caller, request, db, write or bool(self.write_for))
            write = write or principal.role in self.write_for
        else:
            principal = part(request, CALLERS)(db, None, None)  # nobody signed in: no lookup, no thread
        request.state.principal = principal
        if self.checks_csrf(request, principal):
            await _check_csrf(request)
        if (refused := self.refusal(principal)) is not None:
            raise refused
        if write:
            await start_writing(request, db)
        return principal


def resolve_caller(request: Request, db: Session, end_transaction: bool = False) -> Caller:
    if hasattr(request.state, "principal"):
        caller: Caller = request.state.principal
        return caller
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        principal = part(request, CALLERS)(db, auth[7:].strip(), None)
    else:
        principal = part(request, CALLERS)(db, None, request.cookies.get(SESSION_COOKIE))
    if end_transaction:
        db.commit()  # end the read, so the write can start with BEGIN IMMEDIATE (objects stay loaded)
    return principal


def allow(*roles: str, scope: str | None = None, csrf: bool = True, write: bool | None = None,
          write_for: tuple[str, ...] = ()) -> Any:
    """`principal: Principal = allow("citizen")` — the dependency that enforces the rule. `csrf=False`
    only for public calls authenticated by what they carry (a signature), never by cookies. `write`
    defaults to "unsafe method"; a GET that writes (marking messages read) says `write=True`, and one
    that writes only for some roles (staff views of an application are recorded) names them in `write_for`."""
    return Depends(Rule(roles, scope, csrf, write, write_for))
