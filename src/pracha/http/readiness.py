"""Readiness checks for `/readyz`: blocking checks (a database round trip, a registry's health URL) run
in threads with a short timeout, so a hung dependency makes the answer 503 quickly instead of holding
the probe. Each answer names a check's outcome in one word ("ok", "timeout", "unavailable", "error",
"busy"); the exception itself goes to the log, not to the public answer."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
OK = "ok"


@dataclass(frozen=True)
class Result:
    detail: str  # OK, or why not
    value: Any = None  # what the check returned

    @property
    def ok(self) -> bool:
        return self.detail == OK


class CheckFailed(Exception):
    """A check's own refusal; its message (short, no secrets) is the answer's detail."""


def _classify(exc: BaseException) -> str:
    if isinstance(exc, CheckFailed):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    if isinstance(exc, httpx.TransportError | OperationalError | OSError):
        return "unavailable"
    return "error"


class Prober:
    """Runs checks in daemon threads (one app has one prober). A check still running from an earlier
    probe is not started again but reported "busy", so a database that hangs cannot pile up threads;
    daemon threads never hold up the process's exit."""

    def __init__(self) -> None:
        self._running: set[str] = set()
        self._lock = threading.Lock()

    async def run(self, checks: Mapping[str, Callable[[], Any]], timeout: float) -> dict[str, Result]:
        loop = asyncio.get_running_loop()
        results: dict[str, Result] = {}
        futures: dict[str, asyncio.Future[Result]] = {}
        for name, check in checks.items():
            with self._lock:
                if name in self._running:
                    results[name] = Result("busy")
                    continue
                self._running.add(name)
            futures[name] = loop.create_future()
            context = contextvars.copy_context()  # the request id reaches the check's log lines
            threading.Thread(target=context.run, args=(self._run, name, check, loop, futures[name]), daemon=True,
                             name=f"readiness-{name}"[:60]).start()
        if futures:
            await asyncio.wait(futures.values(), timeout=timeout)
        for name, future in futures.items():
            results[name] = future.result() if future.done() else Result("timeout")
        return {name: results[name] for name in checks}

    def _run(self, name: str, check: Callable[[], Any], loop: asyncio.AbstractEventLoop,
             future: asyncio.Future[Result]) -> None:
        try:
            result = Result(OK, check())
        except Exception as exc:  # noqa: BLE001 - every failure is an answer, never a 500
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, str(exc)[:300],
                        extra={"check": name})
            result = Result(_classify(exc))
        finally:
            with self._lock:
                self._running.discard(name)
        try:
            loop.call_soon_threadsafe(_settle, future, result)
        except RuntimeError:  # the loop has closed (the probe gave up long ago)
            pass


def _settle(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():
        future.set_result(result)


def check_database(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def check_http(url: str, timeout: float) -> None:
    """The URL answers 200 within `timeout` seconds."""
    response = httpx.get(url, timeout=timeout, follow_redirects=False)
    if response.status_code != 200:
        raise CheckFailed(f"status {response.status_code}")
