"""Log lines: readable text by default, one JSON object per line with `PRACHA_LOG_FORMAT=json`. Every
line carries the request id. Configured once, where the process starts (`pracha serve` hands the same
configuration to uvicorn, so each worker process is configured alike).

    {"time": "2026-12-04T18:15:37.123Z", "level": "INFO", "logger": "pracha.access",
     "message": "GET /applications/{reference} 200 12.3 ms", "request_id": "6f1c…",
     "method": "GET", "route": "/applications/{reference}", "status": 200, "duration_ms": 12.3}

What we log never holds personal data by construction (route templates, not paths; no query strings,
bodies or headers). As a second line of defence the formatters mask anything shaped like a Thai
national ID (13 digits in any digit form, split by spaces, dashes, dots, slashes or underscores:
`pracha.nationalids`), e.g. in an exception's message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import sys
from typing import IO, Any

from pracha.http.requestid import NONE, RequestIdFilter
from pracha.nationalids import MASK, mask_national_ids

ACCESS_LOGGER = "pracha.access"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FORMATS = ("text", "json")
# Fields a line may carry besides the standard ones (passed with `extra=`); nothing else is copied,
# so an `extra` someone adds later does not reach the log unseen.
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "check", "task_kind")
# httpx logs every URL (the mediator's hold national IDs); WeasyPrint and fontTools narrate every PDF at INFO.
QUIET_LOGGERS = ("httpx", "httpcore", "sqlalchemy", "multipart", "python_multipart", "urllib3", "weasyprint",
                 "fontTools")
__all__ = ["MASK", "redact"]


def redact(text: str) -> str:
    """Mask every national ID, however it was typed."""
    return mask_national_ids(text, MASK)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = NONE
        line = super().format(record)
        # An access line is a method, a route template, a status and a time (pracha.http.observe): there
        # is nothing to mask, and it is written for every request
        return line if record.name == ACCESS_LOGGER and not record.exc_info else redact(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", NONE),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                value = getattr(record, name)
                line[name] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def make_formatter(fmt: str) -> logging.Formatter:
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}, not {fmt!r}")
    return JsonFormatter() if fmt == "json" else TextFormatter()


def make_handler(fmt: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `fmt` lines to `stream` (stderr), with the request id filter attached."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(fmt))
    handler.addFilter(RequestIdFilter())
    return handler


def logging_config(fmt: str, level: str = "INFO", stream: IO[str] | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: one handler on the root logger; uvicorn's loggers
    propagate to it instead of printing in their own format."""
    make_formatter(fmt)  # refuse an unknown format here, before a server starts
    loggers: dict[str, Any] = {name: {"handlers": [], "propagate": True, "level": level.upper()}
                               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    # Libraries whose INFO/DEBUG lines hold what a citizen sent: httpx logs each URL the mediator
    # forwards to (/persons/<national ID>), SQLAlchemy each statement's parameters.
    loggers.update({name: {"level": "WARNING"} for name in QUIET_LOGGERS})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"main": {"()": make_handler, "fmt": fmt, "stream": stream}},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": loggers,
    }


def configure_logging(fmt: str, level: str = "INFO", stream: IO[str] | None = None) -> None:
    logging.config.dictConfig(logging_config(fmt, level, stream))
