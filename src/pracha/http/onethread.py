"""The hot API routes' access rule and unit of work in ONE worker-thread hand-off per request.

A route declared with `allow(...)` pays a thread hand-off for the caller's lookup, another for its
body (a sync route), one more for FastAPI to check its answer, and on PostgreSQL one to close the
session: on two busy cores each hand-off costs more than the SQL it runs. A route declared with
`allow_in_one_thread(...)` is `async def` and gets a `OneThread`; `await call(work)` then, in a single
worker thread, looks up the caller, applies the same rule as `Rule` (roles, token scope, CSRF), runs
`work(session, caller)` (which commits what it writes, as a route does), commits what is left open (a
read) and closes the session.

What needs no database is checked before any thread is used, in the order `Rule` checks it: nobody
signed in (401/403 at once) and a browser's CSRF token that does not match (403). On SQLite a writing
call takes this process's write lock in async code first (`pracha.db.WriteLock`: writers queue there,
not in threads), and its session writes from its first statement (BEGIN IMMEDIATE), so the caller's
lookup and the change are one transaction; the lock is given back as soon as the thread returns.

`Rule` refuses a caller before FastAPI validates the body; here the body is validated before the route
runs. So that a refused caller still gets its 401/403 rather than a 422, the dependency checks the
caller when the body fails validation, and the refusal wins.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.http.access import CALLERS, SESSION_COOKIE, Caller, Rule, check_csrf_token, resolve_caller, sent_csrf_token
from pracha.http.state import app_state, part

T = TypeVar("T")


class OneThread:
    """One request's work: `await call(work)` runs `work(session, caller)` in one worker thread."""

    def __init__(self, rule: OneThreadRule, request: Request, sent_csrf: str | None, *, csrf_checked: bool) -> None:
        self.rule = rule
        self.request = request
        self.sent_csrf = sent_csrf
        self.csrf_checked = csrf_checked

    async def __call__(self, work: Callable[[Session, Any], T]) -> T:
        database = app_state(self.request).db
        if not self.rule.writes(self.request):
            bind = database.engine if database.is_sqlite else _reading(database.engine)
            return await run_in_threadpool(self._run, database.sessions(bind=bind), work)
        if database.write_lock is None:
            return await run_in_threadpool(self._run, database.sessions(), work)
        lock = database.write_lock.current()
        await lock.acquire()
        try:
            return await run_in_threadpool(self._run, database.sessions(bind=database.write_engine), work)
        finally:
            lock.release()

    def _run(self, session: Session, work: Callable[[Session, Any], T]) -> T:
        with session:
            result = work(session, self.caller(session))
            session.commit()
            return result

    def caller(self, session: Session) -> Caller:
        """The caller, held to the rule (in the worker thread: it reads the database)."""
        request, rule = self.request, self.rule
        caller = resolve_caller(request, session)
        request.state.principal = caller
        if not self.csrf_checked and rule.checks_csrf(request, caller):
            check_csrf_token(request, self.sent_csrf)
        if (refused := rule.refusal(caller)) is not None:
            raise refused
        return caller

    async def check(self) -> None:
        """The rule alone, for a request that goes no further."""
        sessions = app_state(self.request).db.sessions

        def run() -> None:
            with sessions() as session:
                self.caller(session)

        await run_in_threadpool(run)


@functools.lru_cache(maxsize=8)  # one per app's engine; tests make many apps
def _reading(engine: Engine) -> Engine:
    """PostgreSQL for a call that only reads: each statement on its own (no BEGIN and COMMIT round trips)."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class OneThreadRule(Rule):
    """`Rule` for the routes that do their blocking work through `OneThread` (see the module)."""

    # The dependency FastAPI calls: it opens no session (OneThread does, in its thread)
    async def __call__(self, request: Request) -> AsyncIterator[OneThread]:  # type: ignore[override]
        sent = await sent_csrf_token(request) if self.csrf else None
        by_cookie = SESSION_COOKIE in request.cookies
        if not by_cookie and "authorization" not in request.headers:  # nobody: decided here, no thread
            with app_state(request).db.sessions() as session:  # not used: nobody is looked up
                caller = part(request, CALLERS)(session, None, None)
            request.state.principal = caller
            if self.checks_csrf(request, caller):
                check_csrf_token(request, sent)
            if (refused := self.refusal(caller)) is not None:
                raise refused
        browser = by_cookie and "authorization" not in request.headers
        if browser and self.checks_csrf(request):
            check_csrf_token(request, sent)
        call = OneThread(self, request, sent, csrf_checked=browser)
        try:
            yield call
        except RequestValidationError:
            if not hasattr(request.state, "principal"):
                await call.check()
            raise


def allow_in_one_thread(*roles: str, scope: str | None = None, csrf: bool = True, write: bool | None = None) -> Any:
    """`call: OneThread = allow_in_one_thread("citizen")`: `allow`'s rule, applied by `await call(work)`."""
    return Depends(OneThreadRule(roles, scope, csrf, write))
