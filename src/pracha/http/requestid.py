"""The request id: taken from a valid incoming `X-Request-ID` or made here, kept in a context variable
for the request's task, and put on every log record by `RequestIdFilter` (attached to the handlers)."""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
NONE = "-"  # on log lines written outside any request (start-up, background tasks)
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current: ContextVar[str] = ContextVar("pracha_request_id", default=NONE)


def new_request_id() -> str:
    """32 random hex digits (as a UUID4's hex, without building a UUID: it is on every request)."""
    return os.urandom(16).hex()


def pick_request_id(sent: str | None) -> str:
    """The caller's id when it is 1–64 of A-Z a-z 0-9 . _ - (so it is safe in headers and log lines);
    otherwise a new one."""
    if sent is not None and _VALID.fullmatch(sent):
        return sent
    return new_request_id()


def set_request_id(request_id: str) -> None:
    """Set for the current task. Each ASGI request runs in a task of its own, and a task works on a
    copy of its parent's context, so the value cannot leak into another request; it is left set
    after the response so that the 500 handler, which runs outside the middleware, logs it too."""
    _current.set(request_id)


def current_request_id() -> str:
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (the current request's id, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
