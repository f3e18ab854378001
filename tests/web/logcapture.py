"""Log capture for the web tests: the server's real logging configuration, writing JSON lines to a buffer.
(A helper module, not conftest.py, so that it merges without touching anyone else's fixtures.)"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pracha.http.logs import QUIET_LOGGERS, configure_logging


class _Keep(logging.Handler):
    """Keeps every record as it was logged (before any formatter masks anything)."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Captured:
    buffer: io.StringIO
    records: list[logging.LogRecord] = field(default_factory=list)

    def lines(self) -> list[str]:
        return self.buffer.getvalue().splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]


@contextmanager
def capture_json_logs() -> Iterator[Captured]:
    """`configure_logging("json", "DEBUG")` as `pracha serve` does (at its most talkative level), into
    a buffer; the root logger and the levels it changed are put back afterwards."""
    root = logging.getLogger()
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", *QUIET_LOGGERS)
    saved = (root.level, list(root.handlers), {n: logging.getLogger(n).level for n in names})
    captured = Captured(io.StringIO())
    configure_logging("json", "DEBUG", captured.buffer)
    root.addHandler(_Keep(captured.records))
    try:
        yield captured
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
